/* Owns the capability sets of the threads that perform calls for the command. */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "creds.h"

#define SBX_CAP_WORDS 2

static struct {
	bool ready;
	/* what the command holds, per capability set (the shim's masks) */
	uint32_t keep[SBX_CAP_WORDS];
	/* whether sbx itself had CAP_SYS_PTRACE permitted */
	bool ptrace;
} sbx_creds;

#define SBX_PTRACE_WORD (CAP_SYS_PTRACE / 32)
#define SBX_PTRACE_BIT	(1u << (CAP_SYS_PTRACE % 32))

/* Raw capget/capset: they act on the calling thread alone, which is the point. */
static int sbx_capget(struct __user_cap_data_struct data[SBX_CAP_WORDS])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &hdr, data) == -1 ? -errno : 0;
}

static int sbx_capset(struct __user_cap_data_struct data[SBX_CAP_WORDS])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capset, &hdr, data) == -1 ? -errno : 0;
}

int sbx_creds_init(bool keep_caps)
{
	struct __user_cap_data_struct data[SBX_CAP_WORDS];
	int r = sbx_capget(data);

	if (r < 0)
		return r;
	/* The same masks as shim/confine.c applies to the command. */
	memset(sbx_creds.keep, keep_caps ? 0xff : 0, sizeof(sbx_creds.keep));
	sbx_creds.keep[SBX_PTRACE_WORD] &= ~SBX_PTRACE_BIT;
	sbx_creds.ptrace = data[SBX_PTRACE_WORD].permitted & SBX_PTRACE_BIT;
	sbx_creds.ready = true;
	return 0;
}

int sbx_creds_enter(void)
{
	struct __user_cap_data_struct data[SBX_CAP_WORDS];
	int i, r;

	if (!sbx_creds.ready)
		return -EINVAL;
	r = sbx_capget(data);
	if (r < 0)
		return r;
	for (i = 0; i < SBX_CAP_WORDS; i++) {
		data[i].effective &= sbx_creds.keep[i];
		data[i].permitted &=
			sbx_creds.keep[i] |
			(i == SBX_PTRACE_WORD && sbx_creds.ptrace ? SBX_PTRACE_BIT : 0);
		data[i].inheritable &= sbx_creds.keep[i];
	}
	return sbx_capset(data);
}

static int sbx_creds_ptrace_set(bool on)
{
	struct __user_cap_data_struct data[SBX_CAP_WORDS];
	int r = sbx_capget(data);

	if (r < 0)
		return r;
	if (on)
		data[SBX_PTRACE_WORD].effective |= SBX_PTRACE_BIT;
	else
		data[SBX_PTRACE_WORD].effective &= ~SBX_PTRACE_BIT;
	return sbx_capset(data);
}

bool sbx_creds_ptrace_raise(void)
{
	return sbx_creds.ptrace && sbx_creds_ptrace_set(true) == 0;
}

void sbx_creds_ptrace_lower(void)
{
	/* Lowering what is in the permitted set cannot fail but for a bad header. */
	(void)sbx_creds_ptrace_set(false);
}
