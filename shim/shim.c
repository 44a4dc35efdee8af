/* Owns the child between fork and execve. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "confine.h"
#include "netns.h"
#include "shim.h"
#include "../supervisor/log.h"
#include "../supervisor/syscalls.h"

static void sbx_shim_fail(int sync_fd, int err, const char *what) __attribute__((noreturn));

static void sbx_shim_fail(int sync_fd, int err, const char *what)
{
	struct sbx_shim_msg m = { .listener = -1, .err = err };

	snprintf(m.what, sizeof(m.what), "%s", what);
	(void)!write(sync_fd, &m, sizeof(m));
	_exit(125);
}

void sbx_shim_run(const struct sbx_shim_args *a)
{
	static struct sock_filter insns[BPF_MAXINSNS];
	struct sock_fprog prog = { .filter = insns };
	struct sbx_shim_msg m = { 0 };
	char go, what[64];
	int listener, e;
	ssize_t n;

	/* Fail closed: if the supervisor dies, so does the command. Checked after the prctl,
	 * because the parent may have died before it took effect. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		sbx_shim_fail(a->sync_fd, errno, "prctl(PR_SET_PDEATHSIG)");
	if (getppid() != a->parent)
		_exit(125);
	if (a->private_net) {
		const char *step = "";

		e = sbx_netns_enter(&step);
		if (e < 0)
			sbx_shim_fail(a->sync_fd, -e, step);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		sbx_shim_fail(a->sync_fd, errno, "prctl(PR_SET_NO_NEW_PRIVS)");

	/* The supervisor is non-dumpable, which keeps same-uid processes from its memory and
	 * fds, but CAP_SYS_PTRACE overrides that: it goes, and a Landlock domain refuses the
	 * access whatever the capabilities. Landlock first: its rule paths are opened with the
	 * capabilities sbx was started with. */
	e = sbx_confine_landlock(a->ll, what, sizeof(what));
	if (e < 0)
		sbx_shim_fail(a->sync_fd, -e, what);
	e = sbx_confine_caps(a->keep_caps);
	if (e < 0)
		sbx_shim_fail(a->sync_fd, -e, "drop capabilities");
	n = read(a->sync_fd, insns, sizeof(insns));
	if (n <= 0 || n % sizeof(insns[0]))
		_exit(125); /* the parent could not build it and has said so */
	prog.len = (unsigned short)(n / sizeof(insns[0]));
	listener = sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener == -1)
		sbx_shim_fail(a->sync_fd, errno, "seccomp(SECCOMP_SET_MODE_FILTER)");

	/* From here on connect/sendmsg are notified and nobody answers yet: only plain
	 * reads and writes. The parent takes the listener itself with pidfd_getfd. */
	m.listener = listener;
	if (write(a->sync_fd, &m, sizeof(m)) != sizeof(m))
		_exit(125);
	if (read(a->sync_fd, &go, 1) != 1)
		_exit(125); /* the parent failed and has said so */
	close(listener);
	close(a->sync_fd);

	/* Signal dispositions are the ones sbx was started with, as env(1) keeps them. */
	sigprocmask(SIG_SETMASK, a->mask, NULL);
	execvp(a->argv[0], a->argv);
	e = errno;
	sbx_log_err("%s: %s", a->argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}
