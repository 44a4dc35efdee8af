/* Owns the child between clone and execve. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "confine.h"
#include "netns.h"
#include "shim.h"
#include "../supervisor/base/log.h"
#include "../supervisor/base/syscalls.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* The child's stack, besides execvp's argument copy for a script without #!: Landlock rules,
 * libnl for --net isolated, execvp's PATH walk and, in the sanitizer builds, their redzones. */
#define SBX_SHIM_STACK (128 << 10)

/* Record why the child stops before execve; returns its exit status. Nothing in the child
 * is noreturn: it returns from its function, and glibc's clone ends it with a plain exit
 * syscall, so no atexit handler of the supervisor's runs in it, and a sanitizer never
 * checks the stack of a noreturn call on a stack it does not know. */
static int sbx_shim_fail(struct sbx_shim_result *res, enum sbx_shim_step step, int err,
			 const char *what)
{
	res->err = err;
	res->step = step;
	snprintf(res->what, sizeof(res->what), "%s", what);
	return 125;
}

static int sbx_shim_run(void *arg)
{
	const struct sbx_shim_args *a = arg;
	struct sock_fprog prog = { .filter = a->bpf->insns, .len = a->bpf->len };
	char what[64];
	int listener, e;

	/* Fail closed: if the supervisor dies, so does the command. Checked after the prctl,
	 * because the parent may have died before it took effect. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		return sbx_shim_fail(a->res, SBX_STEP_PROCESS, errno, "prctl(PR_SET_PDEATHSIG)");
	if (getppid() != a->parent)
		return 125;
	if (a->private_net) {
		const char *step = "";

		e = sbx_netns_create(&step);
		if (e < 0)
			return sbx_shim_fail(a->res, SBX_STEP_NAMESPACE, -e, step);
		e = sbx_netns_setup(a->dns, &a->res->dns_fd, &step);
		if (e < 0)
			return sbx_shim_fail(a->res, SBX_STEP_NETWORK, -e, step);
	}
	/* Nothing in the sandbox may ptrace the supervisor, read its memory or take its listener
	 * through /proc/<pid>/fd or pidfd_getfd: same-uid access needs a dumpable target.
	 * Dumpability belongs to the memory, which the child shares with the supervisor until
	 * execve, so this is the supervisor's, set before the command exists. Not earlier: a
	 * non-dumpable process's /proc/self files belong to root, and the unprivileged
	 * --net isolated writes its own uid_map there. */
	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		return sbx_shim_fail(a->res, SBX_STEP_PROCESS, errno, "prctl(PR_SET_DUMPABLE)");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return sbx_shim_fail(a->res, SBX_STEP_PROCESS, errno, "prctl(PR_SET_NO_NEW_PRIVS)");

	/* The supervisor is non-dumpable, which keeps same-uid processes from its memory and
	 * fds, but CAP_SYS_PTRACE overrides that: it goes, and a Landlock domain refuses the
	 * access whatever the capabilities. Landlock first: its rule paths are opened with the
	 * capabilities sbx was started with. */
	e = sbx_confine_landlock(a->ll, what, sizeof(what));
	if (e < 0)
		return sbx_shim_fail(a->res, SBX_STEP_LANDLOCK, -e, what);
	e = sbx_confine_caps(a->keep_caps);
	if (e < 0)
		return sbx_shim_fail(a->res, SBX_STEP_CAPS, -e, "drop capabilities");
	/* A caller whose call was received waits killably: a signal then cannot withdraw a
	 * call sbx is performing, which could have sent data the caller would send again
	 * (doc/design.md, "Signals during a performed call"). Before Linux 5.19: without. */
	a->res->killable = true;
	listener = sys_seccomp(
		SECCOMP_SET_MODE_FILTER,
		SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
	if (listener == -1 && errno == EINVAL) {
		a->res->killable = false;
		listener = sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
				       &prog);
	}
	if (listener == -1)
		return sbx_shim_fail(a->res, SBX_STEP_SECCOMP, errno,
				     "seccomp(SECCOMP_SET_MODE_FILTER)");
	/* In the shared table: the supervisor's from here on. It is O_CLOEXEC, so execve drops
	 * it from the copy the command gets, and the command never holds it. Until then
	 * connect/sendmsg are notified and nobody answers yet: nothing here makes them. */
	a->res->listener = listener;

	/* Signal dispositions are the ones sbx was started with, as env(1) keeps them. This
	 * process's own, not shared with the supervisor (no CLONE_SIGHAND). */
	if (a->chld_ignored)
		signal(SIGCHLD, SIG_IGN);
	sigprocmask(SIG_SETMASK, a->mask, NULL);
	execvp(a->argv[0], a->argv);
	e = errno;
	sbx_log_err("%s: %s", a->argv[0], strerror(e));
	return e == ENOENT ? 127 : 126;
}

pid_t sbx_shim_start(const struct sbx_shim_args *a, int *pidfd)
{
	size_t argc = 0, size, page = (size_t)sysconf(_SC_PAGESIZE);
	sigset_t all, mask;
	char *stack;
	pid_t pid;
	int e;

	a->res->listener = -1;
	a->res->dns_fd = -1;
	a->res->err = 0;
	a->res->step = SBX_STEP_NONE;
	a->res->what[0] = '\0';
	/* A stack of its own, sized as glibc's posix_spawn sizes its own (execvp copies argv for
	 * a script without #!), above a page that faults: an overflow kills the child, which the
	 * supervisor then reports, instead of writing into the supervisor's memory. Not carved
	 * out of our stack: our frames, clone's own among them, lie right below any such area,
	 * and RLIMIT_STACK may leave little room. */
	while (a->argv[argc])
		argc++;
	size = (SBX_SHIM_STACK + (argc + 2) * sizeof(char *) + page - 1) / page * page;
	stack = mmap(NULL, page + size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	if (mprotect(stack, page, PROT_NONE) == -1) {
		e = errno;
		munmap(stack, page + size);
		return -e;
	}
	/* No handler may run in the child on the shared memory: every signal waits until the
	 * child has restored the command's mask right before execve (SIGKILL and SIGSTOP
	 * cannot be blocked, and run no handler). */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &mask);
	pid = clone(sbx_shim_run, stack + page + size,
		    CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | SIGCHLD, (void *)a, pidfd);
	e = errno;
	sigprocmask(SIG_SETMASK, &mask, NULL);
	munmap(stack, page + size);
	return pid == -1 ? -e : pid;
}
