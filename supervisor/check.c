/* Owns --check: what this system lets sbx do, the mode it runs in, what is missing (check.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caller/task.h"
#include "check.h"
#include "record/json.h"
#include "base/syscalls.h"
#include "base/util.h"

/* 0 where it works, else the -errno it fails with. */
struct sbx_features {
	int user_notif, pidfd_open, mem_read, getfd, addfd, sync_wake, killable, userns, audit;
	int landlock_abi; /* > 0 the ABI, else -errno */
	int mem_proc;	  /* /proc/PID/mem, sbx's way where process_vm_readv is refused */
};

/* Reading our own memory through /proc/self/mem: 0 or -errno. */
static int sbx_probe_proc_mem(void)
{
	static const char byte = 1;
	char got = 0;
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (pread(fd, &got, 1, (off_t)(uintptr_t)&byte) != 1)
		r = -errno;
	close(fd);
	return r;
}

/* What a forked child finds with a listener of its own: the filter flag, then the ioctls.
 * Packed in its exit status: bit 0 no listener, 1 no killable wait, 2 no ADDFD, 3 no sync
 * wake-up. The filter notifies a syscall nobody makes (uselib), so the child runs on. */
static int sbx_probe_listener(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_uselib, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };
	struct seccomp_notif_addfd a = { .id = 1, .srcfd = 0 };
	int l, bits = 0, status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
			_exit(1);
		l = sys_seccomp(SECCOMP_SET_MODE_FILTER,
				SECCOMP_FILTER_FLAG_NEW_LISTENER |
					SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
				&prog);
		if (l < 0) {
			bits |= 2;
			l = sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
					&prog);
		}
		if (l < 0)
			_exit(1);
		/* No notification 1 is pending: ENOENT means the ioctl exists. */
		if (ioctl(l, SECCOMP_IOCTL_NOTIF_ADDFD, &a) == 0 || errno != ENOENT)
			bits |= 4;
		if (ioctl(l, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
			  (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == -1)
			bits |= 8;
		_exit(bits);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Whether a child may make a user namespace (--net isolated and none need one). */
static int sbx_probe_userns(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -EIO;
	return -WEXITSTATUS(status);
}

/* Landlock's audit records, which sbx reads as root (record/audit_ll.c). */
static int sbx_probe_audit(void)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK,
				  .nl_groups = 1U << (AUDIT_NLGRP_READLOG - 1) };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT), r = 0;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&nl, sizeof(nl)) == -1)
		r = -errno;
	close(fd);
	return r;
}

static void sbx_probe(struct sbx_features *f)
{
	unsigned int act = SECCOMP_RET_USER_NOTIF;
	int pidfd, bits;

	f->user_notif = sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &act) == 0 ? 0 : -errno;
	pidfd = sys_pidfd_open(getpid(), 0);
	f->pidfd_open = pidfd >= 0 ? 0 : -errno;
	if (pidfd >= 0)
		close(pidfd);
	f->mem_read = sbx_task_mem_probe();
	f->mem_proc = f->mem_read == 0 ? -EEXIST : sbx_probe_proc_mem();
	f->getfd = sbx_task_getfd_probe();
	bits = f->user_notif == 0 ? sbx_probe_listener() : -1;
	if (bits < 0 || (bits & 1))
		bits = 2 | 4 | 8;
	f->killable = bits & 2 ? -EINVAL : 0;
	f->addfd = bits & 4 ? -ENOTTY : 0;
	f->sync_wake = bits & 8 ? -EINVAL : 0;
	f->landlock_abi = sys_landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (f->landlock_abi < 0)
		f->landlock_abi = -errno;
	f->userns = sbx_probe_userns();
	f->audit = sbx_probe_audit();
}

/* The default policy needs the listener, the pidfds, the reads, and a way to perform. */
static bool sbx_enforceable(const struct sbx_features *f)
{
	return f->user_notif == 0 && f->pidfd_open == 0 && (f->mem_read == 0 || f->mem_proc == 0) &&
	       (f->getfd == 0 || f->addfd == 0);
}

static const char *sbx_mode(const struct sbx_features *f)
{
	return !sbx_enforceable(f) ? "none" : f->getfd == 0 ? "dup" : "replace";
}

static void sbx_row(const char *what, int r, const char *cost)
{
	if (r == 0)
		printf("  %-30s yes\n", what);
	else
		printf("  %-30s no (%s)\n  %-30s -> %s\n", what, strerror(-r), "", cost);
}

static void sbx_check_text(const struct sbx_features *f)
{
	char abi[32];

	printf("sbx-supervise --check: what this system lets sbx do\n");
	sbx_row("seccomp user notification", f->user_notif,
		"sbx cannot judge any call: it cannot run here");
	sbx_row("pidfd_open", f->pidfd_open,
		"sbx cannot follow the command's threads: it "
		"cannot run here (Linux 5.3+)");
	sbx_row("process_vm_readv", f->mem_read,
		f->mem_proc == 0 ? "sbx reads the caller's memory through /proc/PID/mem instead "
				   "(two more calls per read)"
				 : "sbx cannot read a call's address: it cannot run here");
	sbx_row("pidfd_getfd", f->getfd,
		"replace mode: calls are performed on sockets of sbx's; passing descriptors "
		"(SCM_RIGHTS), sendmsg on a socket sbx did not make and --net isolated/none are "
		"refused (in Docker or podman: --cap-add SYS_PTRACE)");
	sbx_row("SECCOMP_IOCTL_NOTIF_ADDFD", f->addfd,
		f->getfd == 0 ? "--net isolated cannot reach endpoints outside (Linux 5.9+)"
			      : "with no pidfd_getfd either, no call can be performed");
	sbx_row("sync wake-up", f->sync_wake,
		"each notified call takes a little longer (Linux 6.6+)");
	sbx_row("killable wait", f->killable,
		"a signal that interrupts a send sbx performs may make the command send some "
		"data twice (Linux 5.19+)");
	if (f->landlock_abi > 0) {
		snprintf(abi, sizeof(abi), "yes, ABI %d", f->landlock_abi);
		printf("  %-30s %s\n", "Landlock", abi);
		if (f->landlock_abi < 6)
			printf("  %-30s -> no scopes: the command is not kept from signalling sbx "
			       "(ABI 6, Linux 6.12)\n",
			       "");
	} else {
		sbx_row("Landlock", f->landlock_abi,
			"no filesystem rules: sbx warns and runs without them (--landlock=require "
			"refuses instead; in a container: a seccomp profile that allows the "
			"landlock_* calls)");
	}
	sbx_row("user namespaces", f->userns,
		"--net isolated and --net none cannot run (in Docker or podman: a seccomp "
		"profile allowing unshare, e.g. --security-opt seccomp=unconfined)");
	sbx_row("kernel audit (Landlock's log)", f->audit,
		"Landlock's own refusals do not reach --audit-log (needs root and "
		"CAP_AUDIT_READ)");
	printf("mode: %s\n", sbx_mode(f));
	printf("%s\n", sbx_enforceable(f) ? "the default policy can be enforced here"
					  : "the default policy cannot be enforced here");
}

static void sbx_check_json(const struct sbx_features *f)
{
	static const char *const names[] = { "user_notif",  "pidfd_open",    "process_vm_readv",
					     "proc_mem",    "pidfd_getfd",   "addfd",
					     "sync_wakeup", "killable_wait", "userns",
					     "kernel_audit" };
	/* proc_mem: reading through /proc/PID/mem, what sbx does without process_vm_readv */
	const int v[] = { f->user_notif, f->pidfd_open,
			  f->mem_read,	 f->mem_read == 0 ? 0 : f->mem_proc,
			  f->getfd,	 f->addfd,
			  f->sync_wake,	 f->killable,
			  f->userns,	 f->audit };
	char buf[2048], key[48];
	struct sbx_json j;
	size_t i;

	sbx_json_begin(&j, buf, sizeof(buf));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		sbx_json_bool(&j, names[i], v[i] == 0);
		if (v[i] != 0) {
			snprintf(key, sizeof(key), "%s_error", names[i]);
			sbx_json_cstr(&j, key, strerror(-v[i]));
		}
	}
	sbx_json_int(&j, "landlock_abi", f->landlock_abi > 0 ? f->landlock_abi : 0);
	sbx_json_cstr(&j, "mode", sbx_mode(f));
	sbx_json_bool(&j, "enforceable", sbx_enforceable(f));
	sbx_json_end(&j);
	fputs(buf, stdout);
}

int sbx_check(bool json)
{
	struct sbx_features f;

	sbx_probe(&f);
	if (json)
		sbx_check_json(&f);
	else
		sbx_check_text(&f);
	fflush(stdout);
	return sbx_enforceable(&f) ? 0 : 1;
}
