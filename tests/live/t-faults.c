/*
 * Live: faults. The supervisor SIGKILLed while a call it performs is blocked; a signal
 * interrupting a blocked connect the supervisor performs; fast PID reuse in a PID namespace
 * while notifications are in flight; sbx inside sbx. In each: nothing hangs past its bound,
 * no connection is made for a caller that is gone, and the outer policy holds.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../lib/harness.h"

/* A listener with backlog 0 whose one queue slot is taken: the next connect blocks. */
static int full_server(const char *path, int *filler)
{
	struct sockaddr_un sun;
	socklen_t len = sbx_t_mkaddr(&sun, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) || listen(fd, 0))
		bail_out("full server: %s", strerror(errno));
	*filler = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (connect(*filler, (struct sockaddr *)&sun, len))
		bail_out("fill the backlog: %s", strerror(errno));
	return fd;
}

/* Free the slot, then count what else arrives within a second: a connect performed late. */
static int late_connections(int lfd, int filler)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int n = 0, c;

	close(filler);
	while (poll(&p, 1, 1000) == 1) {
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			break;
		close(c);
		n++;
	}
	return n - 1; /* the filler's own */
}

static long read_pid(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "re");
	long pid = -1;

	if (f && fgets(buf, sizeof(buf), f))
		pid = strtol(buf, NULL, 10);
	if (f)
		fclose(f);
	return pid;
}

static bool pid_gone(void *arg)
{
	return sbx_t_pid_gone((pid_t) * (long *)arg);
}

static bool exists(void *arg)
{
	return sbx_t_exists(arg);
}

/* SIGKILL of the supervisor while a connect it performs for a grandchild is blocked. */
static void kill_mid_call(void)
{
	const char *full = sbx_t_tmp("kf.sock"), *pf = sbx_t_tmp("kf.pid");
	struct sbx_t_proc p;
	int lfd, filler;
	long gpid;

	lfd = full_server(full, &filler);
	SBX_T_SPAWN_IN(&p, SBX_T_OPTS("--allow-unix-socket", full), "fork", "pidfile", pf,
		       "connect", full);
	if (!ok(sbx_t_wait_for(exists, (void *)pf, 10000), "a caller blocked in a connect"))
		sbx_t_diag_proc(&p);
	usleep(300 * 1000);
	ok(strstr(p.out, "errno") == NULL && strstr(p.out, "ok") == NULL,
	   "it has not returned yet");
	kill(p.pid, SIGKILL);
	sbx_t_finish(&p, 10000);
	is(p.code, 128 + SIGKILL, "the supervisor died of SIGKILL mid-call");
	ok(!p.timed_out, "its command went away within the bound (no hang)");
	gpid = read_pid(pf);
	ok(gpid > 0 && sbx_t_wait_for(pid_gone, &gpid, 5000),
	   "the blocked grandchild is gone too (its connect failed, it exited)");
	if (gpid > 0)
		kill((pid_t)gpid, SIGKILL);
	is(late_connections(lfd, filler), 0, "no connect was completed after the supervisor died");
	close(lfd);
}

/* A signal (no SA_RESTART) interrupts a blocked connect: EINTR in and out, nothing leaks. */
static void interrupt(void)
{
	const char *full = sbx_t_tmp("if.sock"), *echo = sbx_t_tmp("ie.sock");
	struct sbx_t_server *se = sbx_t_server_start(SOCK_STREAM, echo);
	struct sbx_t_proc in, out;
	int lfd, filler;

	lfd = full_server(full, &filler);
	SBX_T_OUT(&out, "intr", full, "300");
	is(late_connections(lfd, filler), 0, "outside: the interrupted connect left nothing");
	lfd = (close(lfd), unlink(full), full_server(full, &filler));
	SBX_T_IN(&in, SBX_T_OPTS("--allow-unix-socket", full, "--allow-unix-socket", echo), "intr",
		 full, "300");
	sbx_t_is_str(in.last, out.last, "a signal interrupting a performed connect: %s in and out",
		     out.last);
	is(late_connections(lfd, filler), 0,
	   "the supervisor gave the interrupted connect up (nothing arrived later)");
	close(lfd);
	unlink(full);

	/* Many interrupted connects in one sandbox, then it still serves. */
	lfd = full_server(full, &filler);
	{
		char script[1024];

		snprintf(script, sizeof(script),
			 "for i in 1 2 3 4 5 6 7 8 9 10; do '%s' intr '%s' 50 || exit 1; done; "
			 "'%s' connect '%s'",
			 sbx_t_probe(), full, sbx_t_probe(), echo);
		const char *argv[] = { sbx_t_supervise(),
				       "--allow-unix-socket",
				       full,
				       "--allow-unix-socket",
				       echo,
				       "--",
				       "/bin/sh",
				       "-c",
				       script,
				       NULL };
		sbx_t_run(&in, argv);
	}
	is(sbx_t_count_str(in.out, "errno EINTR connect"), 10, "ten interrupted connects: EINTR");
	sbx_t_line_is(&in, "ok hello", "the same sandbox serves a connect afterwards");
	is(late_connections(lfd, filler), 0, "none of the ten completed later");
	close(lfd);
	sbx_t_server_stop(se);
}

/* Accept one queued connection within @ms; returns whether there was one. */
static bool accept_one(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int c;

	if (poll(&p, 1, ms) != 1)
		return false;
	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return false;
	close(c);
	return true;
}

/* With SA_RESTART the interrupted connect restarts (in the sandbox: a fresh notification) and
 * completes once the backlog has room: exactly one connection, in and out. */
static void interrupt_restart(bool in)
{
	const char *full = sbx_t_tmp("ir%d.sock", in);
	const char *w = in ? "inside" : "outside";
	struct sbx_t_proc p;
	int lfd, filler, extra;

	lfd = full_server(full, &filler);
	if (in) {
		SBX_T_SPAWN_IN(&p, SBX_T_OPTS("--allow-unix-socket", full), "intr", full, "200",
			       "restart");
	} else {
		const char *argv[] = { sbx_t_probe(), "intr", full, "200", "restart", NULL };

		sbx_t_spawn(&p, argv);
	}
	usleep(700 * 1000); /* interrupted and restarted by now */
	ok(!strstr(p.out, "errno"), "%s: SA_RESTART: the connect is still blocked", w);
	close(filler);
	ok(accept_one(lfd, 1000), "%s: the filler's connection accepted (frees the slot)", w);
	ok(accept_one(lfd, 5000), "%s: the restarted connect then completes", w);
	sbx_t_finish(&p, 10000);
	sbx_t_line_is(&p, "ok", "%s: SA_RESTART: the caller sees success", w);
	extra = accept_one(lfd, 500);
	is(extra, 0, "%s: exactly one connection for the one connect", w);
	close(lfd);
}

/*
 * Fast PID reuse: a caller dies mid-notification and its PID goes to a bystander. PIDs are
 * reused in the PID namespace the supervisor sees them in: sbx runs in a new one (unshare
 * --pid --mount-proc), where the probe sets ns_last_pid undisturbed by the rest of the machine.
 */
static void pid_reuse(void)
{
	const char *a = sbx_t_tmp("pa.sock"), *dn = sbx_t_tmp("pd.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, dn);
	const char *argv[] = { "/usr/bin/unshare", "--pid", "--fork", "--mount-proc",
			       sbx_t_supervise(),
			       /* The probe recycles PIDs through ns_last_pid: it needs to
				* write there, and CAP_SYS_ADMIN (or CHECKPOINT_RESTORE) to. */
			       "--keep-caps", "--rw", "/proc/sys/kernel/ns_last_pid",
			       "--allow-unix-socket", a, "--", sbx_t_probe(), "pidreuse", "300", a,
			       dn, "here", NULL };
	struct sbx_t_proc p;
	long reused;

	if (!sbx_t_exists(argv[0])) {
		skip(3, "no unshare(1)");
		goto out;
	}
	sbx_t_run(&p, argv);
	if (strncmp(p.last, "ok reused=", 10)) {
		skip(3, "no PID namespace or ns_last_pid here: %s", p.last);
		goto out;
	}
	reused = sbx_t_field(p.last, "reused");
	diag("PID reuse: %s", p.last);
	if (!ok(reused > 0, "PIDs of killed callers were reused (%ld of 300)", reused))
		sbx_t_diag_proc(&p);
	is(sbx_t_server_settled_count(sa), 0,
	   "no connection was made from a bystander that reused a caller's PID");
	is(sbx_t_server_settled_count(sd), 0, "the denied server accepted nothing");
out:
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/*
 * The supervisor keeps the pidfds of recent callers, shared by its workers: a caller whose PID
 * was a dead caller's is handed that dead thread's pidfd first, and must still be served (the
 * stale entry is dropped and the caller named afresh), not refused. Same namespace set-up as
 * pid_reuse.
 */
static void tid_reuse(const char *variant)
{
	const char *a = sbx_t_tmp("ta.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	const char *argv[] = { "/usr/bin/unshare",
			       "--pid",
			       "--fork",
			       "--mount-proc",
			       sbx_t_supervise(),
			       "--keep-caps",
			       "--rw",
			       "/proc/sys/kernel/ns_last_pid",
			       "--allow-unix-socket",
			       a,
			       "--",
			       sbx_t_probe(),
			       "tidreuse",
			       "100",
			       a,
			       variant,
			       NULL };
	bool pipe = variant && !strcmp(variant, "sigpipe");
	struct sbx_t_proc p;

	if (!sbx_t_exists(argv[0])) {
		skip(3, "no unshare(1)");
		goto out;
	}
	sbx_t_run(&p, argv);
	if (strncmp(p.last, "ok reused=", 10)) {
		sbx_t_diag_proc(&p);
		skip(3, "no PID namespace or ns_last_pid here: %s", p.last);
		goto out;
	}
	diag("TID reuse%s: %s", pipe ? " (sigpipe)" : "", p.last);
	ok(sbx_t_field(p.last, "reused") > 0, "callers took a dead caller's PID (%ld of 100)",
	   sbx_t_field(p.last, "reused"));
	if (!is(sbx_t_field(p.last, "served"), 100,
		pipe ? "every sender with EPIPE died of the SIGPIPE raised after the reply, "
		       "those with a reused PID too"
		     : "every caller was served, those with a reused PID too"))
		sbx_t_diag_proc(&p);
	is(sbx_t_server_settled_count(sa), pipe ? 100 : 200,
	   "the allowed server accepted all %d connects", pipe ? 100 : 200);
out:
	sbx_t_server_stop(sa);
}

/* sbx inside sbx: refused with a clear message; the outer policy still holds. */
static void nested(void)
{
	const char *a = sbx_t_tmp("na.sock"), *dn = sbx_t_tmp("nd.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, dn);
	struct sbx_t_proc p;
	char script[1024];

	snprintf(script, sizeof(script),
		 "'%s' --allow-unix-socket '%s' -- '%s' connect '%s'; echo inner=$?; "
		 "'%s' connect '%s'",
		 sbx_t_supervise(), dn, sbx_t_probe(), dn, sbx_t_probe(), dn);
	{
		const char *argv[] = { sbx_t_supervise(),
				       "--allow-unix-socket",
				       a,
				       "--",
				       "/bin/sh",
				       "-c",
				       script,
				       NULL };

		sbx_t_run(&p, argv);
	}
	if (!sbx_t_has_str(p.out, "inner=125", "the inner sbx fails (125)"))
		sbx_t_diag_proc(&p);
	sbx_t_has_str(p.err, "cannot sandbox the command", "it says it cannot sandbox");
	sbx_t_has_str(p.err, "Device or resource busy", "with the kernel's EBUSY");
	sbx_t_has_str(p.err, "nesting is not supported", "and a hint that nesting is refused");
	sbx_t_line_is(&p, "errno EPERM", "the outer policy still denies the inner's target");
	is(sbx_t_server_settled_count(sd), 0, "the denied server accepted nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/* The child makes the supervisor's pidfd_getfd fail: a hundred blocked sends of 253 fds each
 * against a supervisor limited to 2048 fds. The supervisor must go on serving. */
static void fd_flood(void)
{
	const char *a = sbx_t_tmp("fa.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_proc p;
	const char *argv[] = { "/usr/bin/prlimit",
			       "--nofile=2048",
			       sbx_t_supervise(),
			       "--allow-unix-socket",
			       a,
			       "--",
			       sbx_t_probe(),
			       "fdflood",
			       "100",
			       a,
			       NULL };

	if (!sbx_t_exists(argv[0])) {
		skip(4, "no prlimit");
	} else {
		int refused = -1, other = -1;
		const char *r;

		sbx_t_run(&p, argv);
		r = strstr(p.out, "ok connect=");
		ok(r && !strncmp(r, "ok connect=ok sendfd=ok ", 24),
		   "with 100 threads blocked in 253-fd SCM_RIGHTS sends, a connect and a small fd "
		   "pass still work");
		if (r)
			sscanf(r, "ok connect=%*s sendfd=%*s refused=%d other=%d", &refused,
			       &other);
		/* 2048 fds: half for large passes, four sends of 253 fit, 96 do not. */
		is(refused, 96, "the sends past the supervisor's fd budget failed: ETOOMANYREFS");
		is(other, 0, "no flood send failed with another errno");
		if (!ok(!p.timed_out, "and the sandbox ends within its bound"))
			sbx_t_diag_proc(&p);
	}
	sbx_t_server_stop(sa);
}

int main(void)
{
	sbx_t_init(120);
	kill_mid_call();
	fd_flood();
	interrupt();
	interrupt_restart(false);
	interrupt_restart(true);
	pid_reuse();
	tid_reuse(NULL);
	tid_reuse("sigpipe");
	nested();
	return done_testing();
}
