/* Owns the child's confinement around the supervisor: Landlock domain, CAP_SYS_PTRACE. */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confine.h"
#include "../supervisor/syscalls.h"
#include "../supervisor/util.h"

int sbx_ll_abi(void)
{
	int abi = sys_landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi > 0 ? abi : 0;
}

int sbx_confine_domain(void)
{
	/* The first member of struct landlock_ruleset_attr, valid from ABI 1 on. */
	uint64_t handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	_cleanup_close_ int fd = -1;

	if (sbx_ll_abi() < 1)
		return -EOPNOTSUPP;
	fd = sys_landlock_create_ruleset(&handled_access_fs, sizeof(handled_access_fs), 0);
	if (fd < 0)
		return -errno;
	/* ABI 7: let the kernel log the command's denials (after execve) for the audit log. */
	if (sys_landlock_restrict_self(
		    fd, sbx_ll_abi() >= 7 ? LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON : 0) == -1)
		return -errno;
	return 0;
}

int sbx_confine_drop_ptrace(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	const unsigned int word = CAP_SYS_PTRACE / 32, bit = 1u << (CAP_SYS_PTRACE % 32);

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0) == -1 && errno != EINVAL)
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SYS_PTRACE, 0, 0) == -1 &&
	    errno != EINVAL)
		return -errno;
	if (syscall(SYS_capget, &hdr, data) == -1)
		return -errno;
	data[word].effective &= ~bit;
	data[word].permitted &= ~bit;
	data[word].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data) == -1)
		return -errno;
	return 0;
}
