/* Owns the child's confinement besides seccomp: the Landlock domain and the capabilities. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confine.h"
#include "../supervisor/base/syscalls.h"
#include "../supervisor/base/util.h"

/* Rule paths are canonical: refuse to follow any symlink, so an entry swapped for a
 * symlink since the plan was made never carries rights to its target. */
static int sbx_open_rule(const char *path)
{
	struct sbx_open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };
	int fd = sys_openat2(AT_FDCWD, path, &how, sizeof(how));

	if (fd == -1 && errno == ENOSYS) /* before Linux 5.6: the last component at least */
		fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

static int sbx_add_path_rule(int ruleset, const struct sbx_fsr_rule *rule, uint64_t access)
{
	struct sbx_landlock_path_beneath_attr pb = { .allowed_access = access };
	_cleanup_close_ int fd = sbx_open_rule(rule->path);
	struct stat st;

	if (fd == -1)
		return errno == ENOENT || errno == ELOOP ? 0 : -errno;
	if (fstat(fd, &st) == -1)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return 0;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= SBX_FS_FILE;
	if (!pb.allowed_access)
		return 0;
	pb.parent_fd = fd;
	if (sys_landlock_add_rule(ruleset, SBX_LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1)
		return -errno;
	return 0;
}

static int sbx_add_port_rules(int ruleset, const uint16_t *ports, size_t n, uint64_t access)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct sbx_landlock_net_port_attr np = { .allowed_access = access,
							 .port = ports[i] };

		if (sys_landlock_add_rule(ruleset, SBX_LANDLOCK_RULE_NET_PORT, &np, 0) == -1)
			return -errno;
	}
	return 0;
}

/* The ruleset of @ll restricted to @fs_rights (and, with @all, its net rules and scopes):
 * 0 with its fd in *@out (-1 when there is nothing to enforce), or -errno. */
static int sbx_confine_ruleset(const struct sbx_ll_plan *ll, uint64_t fs_rights, bool all, int *out,
			       char *what, size_t n)
{
	struct sbx_landlock_ruleset_attr attr = {
		.handled_access_fs = ll->handled_fs & fs_rights,
		.handled_access_net = all ? ll->handled_net : 0,
		.scoped = all ? ll->scoped : 0,
	};
	/* Older kernels refuse a struct with members they do not know (E2BIG). */
	size_t size = ll->abi >= 6 ? sizeof(attr) : ll->abi >= 4 ? 16 : 8;
	_cleanup_close_ int fd = -1;
	size_t i;
	int r = 0;

	*out = -1;
	if (!ll->use || ll->abi < 1)
		return 0;
	snprintf(what, n, "landlock_create_ruleset");
	fd = sys_landlock_create_ruleset(&attr, size, 0);
	if (fd == -1)
		return -errno;
	for (i = 0; i < ll->fs.n && r == 0; i++) {
		uint64_t access = ll->fs.v[i].access & attr.handled_access_fs;

		if (!access)
			continue;
		snprintf(what, n, "landlock rule for %.40s", ll->fs.v[i].path);
		r = sbx_add_path_rule(fd, &ll->fs.v[i], access);
	}
	/* Only in the command's own domain: a ruleset sbx keeps open (the bind process's)
	 * would hold the inode in sbx instead. Adds no right: a subset of what is there. */
	if (r == 0 && all && ll->hold) {
		struct sbx_fsr_rule hold = { .path = (char *)ll->hold };
		uint64_t access = sbx_fsr_access(&ll->fs, ll->hold) & attr.handled_access_fs;

		snprintf(what, n, "landlock rule for %.40s", ll->hold);
		if (access)
			r = sbx_add_path_rule(fd, &hold, access);
	}
	snprintf(what, n, "landlock TCP port rules");
	if (r == 0 && (attr.handled_access_net & LANDLOCK_ACCESS_NET_CONNECT_TCP))
		r = sbx_add_port_rules(fd, ll->connect_ports, ll->n_connect,
				       LANDLOCK_ACCESS_NET_CONNECT_TCP);
	if (r == 0 && (attr.handled_access_net & LANDLOCK_ACCESS_NET_BIND_TCP))
		r = sbx_add_port_rules(fd, ll->bind_ports, ll->n_bind,
				       LANDLOCK_ACCESS_NET_BIND_TCP);
	if (r < 0)
		return r;
	*out = steal_fd(&fd);
	return 0;
}

static int sbx_confine_restrict(const struct sbx_ll_plan *ll, int fd, char *what, size_t n)
{
	snprintf(what, n, "landlock_restrict_self");
	/* ABI 7: let the kernel log the command's denials (after execve) for the audit log. */
	if (sys_landlock_restrict_self(fd, ll->abi >= 7 ? LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
							: 0) == -1)
		return -errno;
	return 0;
}

int sbx_confine_landlock(const struct sbx_ll_plan *ll, char *what, size_t n)
{
	_cleanup_close_ int fd = -1;
	int r = sbx_confine_ruleset(ll, ~0ULL, true, &fd, what, n);

	if (r < 0 || fd < 0)
		return r;
	return sbx_confine_restrict(ll, fd, what, n);
}

int sbx_confine_ruleset_only(const struct sbx_ll_plan *ll, uint64_t fs_rights, int *ruleset,
			     char *what, size_t n)
{
	return sbx_confine_ruleset(ll, fs_rights, false, ruleset, what, n);
}

int sbx_confine_enter(const struct sbx_ll_plan *ll, int ruleset, char *what, size_t n)
{
	if (ruleset < 0)
		return 0;
	return sbx_confine_restrict(ll, ruleset, what, n);
}

static int sbx_capset_mask(uint32_t keep0, uint32_t keep1)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	const uint32_t keep[2] = { keep0, keep1 };
	int i;

	if (syscall(SYS_capget, &hdr, data) == -1)
		return -errno;
	for (i = 0; i < 2; i++) {
		data[i].effective &= keep[i];
		data[i].permitted &= keep[i];
		data[i].inheritable &= keep[i];
	}
	if (syscall(SYS_capset, &hdr, data) == -1)
		return -errno;
	return 0;
}

int sbx_confine_caps(bool keep)
{
	uint32_t mask[2] = { ~0u, ~0u };
	bool root;
	int cap, r;

	if (keep) {
		mask[CAP_SYS_PTRACE / 32] &= ~(1u << (CAP_SYS_PTRACE % 32));
		if (prctl(PR_CAPBSET_READ, CAP_SYS_PTRACE, 0, 0, 0) > 0 &&
		    prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0) == -1 && errno != EINVAL &&
		    !(errno == EPERM && geteuid() != 0))
			return -errno;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SYS_PTRACE, 0, 0) == -1 &&
		    errno != EINVAL)
			return -errno;
		return sbx_capset_mask(mask[0], mask[1]);
	}
	/* One PR_CAPBSET_DROP per capability (there is no bulk call), until EINVAL past the
	 * kernel's last. Without CAP_SETPCAP every drop fails with EPERM, which the kernel
	 * checks first: not root, the bounding set cannot shrink and no_new_privs covers that;
	 * root (inside another sbx, say) is fine as long as what is left is already out. */
	root = geteuid() == 0;
	for (cap = 0;; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL)
			break;
		if (errno != EPERM)
			return -errno;
		if (!root)
			break;
		r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0)
			break; /* past the last capability */
		if (r > 0)
			return -EPERM;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
		return -errno;
	return sbx_capset_mask(0, 0);
}
