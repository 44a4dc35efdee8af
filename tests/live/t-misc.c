/*
 * Live: socket families, io_uring, supervision of threads, forked and exec'd descendants,
 * loops, the denial line on stderr (text, Hint, dedup, --quiet), and tty ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/harness.h"

#define ALLOW(x) "--allow-unix-socket", (x)

static void families(void)
{
	static const struct {
		const char *fam, *type, *proto, *want, *what;
	} cases[] = {
		{ "unix", "stream", NULL, "ok", "socket(AF_UNIX, SOCK_STREAM)" },
		{ "unix", "dgram", NULL, "ok", "socket(AF_UNIX, SOCK_DGRAM)" },
		{ "unix", "seqpacket", NULL, "ok", "socket(AF_UNIX, SOCK_SEQPACKET)" },
		{ "unix", "0x80801", NULL, "ok", "socket(AF_UNIX, SOCK_STREAM|NONBLOCK|CLOEXEC)" },
		{ "netlink", "raw", "route", "ok", "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)" },
		/* made: every destination is judged, and a refusal names it (t-net-filtered) */
		{ "inet", "stream", NULL, "ok", "socket(AF_INET, SOCK_STREAM)" },
		{ "inet", "dgram", NULL, "ok", "socket(AF_INET, SOCK_DGRAM)" },
		{ "inet6", "stream", NULL, "ok", "socket(AF_INET6, SOCK_STREAM)" },
		{ "inet", "raw", NULL, "errno EPERM", "socket(AF_INET, SOCK_RAW)" },
		{ "packet", "raw", NULL, "errno EPERM", "socket(AF_PACKET, SOCK_RAW)" },
		{ "vsock", "stream", NULL, "errno EPERM", "socket(AF_VSOCK, SOCK_STREAM)" },
		{ "alg", "0x5", NULL, "errno EPERM", "socket(AF_ALG, SOCK_SEQPACKET)" },
		/* the kernel reads an int: 0x1_0000_0002 is AF_INET */
		{ "0x100000002", "stream", NULL, "errno EPERM",
		  "socket(AF_INET | 1 << 32): upper bits ignored by the kernel" },
	};
	struct sbx_t_proc p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].proto)
			SBX_T_IN(&p, SBX_T_NOOPTS, "socket", cases[i].fam, cases[i].type,
				 cases[i].proto);
		else
			SBX_T_IN(&p, SBX_T_NOOPTS, "socket", cases[i].fam, cases[i].type);
		sbx_t_line_is(&p, cases[i].want, "%s: %s", cases[i].what, cases[i].want);
	}
	SBX_T_IN(&p, SBX_T_NOOPTS, "socket", "netlink", "raw", "9");
	diag("socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT) inside gives: %s", p.last);
}

static void io_uring(void)
{
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_NOOPTS, "io_uring");
	sbx_t_line_is(&p, "errno ENOSYS", "io_uring_setup: ENOSYS");
}

static void descendants(void)
{
	const char *a = sbx_t_tmp("da.sock"), *d = sbx_t_tmp("dd.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;
	char cmd[512];

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "thread", "connect", a);
	sbx_t_line_is(&p, "ok hello", "a thread connects to the allowed socket");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "thread", "connect", d);
	sbx_t_line_is(&p, "errno EPERM", "a thread connecting elsewhere: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "fork", "connect", a);
	sbx_t_line_is(&p, "ok hello", "a forked child connects to the allowed socket");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "fork", "connect", d);
	sbx_t_line_is(&p, "errno EPERM", "a forked child connecting elsewhere: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "fork", "fork", "thread", "connect", d);
	sbx_t_line_is(&p, "errno EPERM", "a thread of a grandchild connecting elsewhere: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "fork", "exec", "connect", d);
	sbx_t_line_is(&p, "errno EPERM", "a child after execve connecting elsewhere: EPERM");
	snprintf(cmd, sizeof(cmd), "'%s' connect '%s'; '%s' connect '%s'", sbx_t_probe(), d,
		 sbx_t_probe(), a);
	{
		const char *argv[] = {
			sbx_t_supervise(), ALLOW(a), "--", "/bin/sh", "-c", cmd, NULL
		};

		sbx_t_run(&p, argv);
		if (!sbx_t_is_str(p.out, "errno EPERM\nok hello\n",
				  "programs run by sh -c inside: denied, then allowed"))
			sbx_t_diag_proc(&p);
	}
	is(sbx_t_server_settled_count(sd), 0, "descendants: the other server accepted nothing");
	is(sbx_t_server_settled_count(sa), 3, "descendants: the allowed server accepted three");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void loops(void)
{
	const char *a = sbx_t_tmp("la.sock"), *d = sbx_t_tmp("ld.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "loop", "300", "connect-only", a);
	sbx_t_line_is(&p, "loop ok=300", "300 connects in a loop to the allowed socket: all ok");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "loop", "300", "connect-only", d);
	sbx_t_line_is(&p, "loop ok=0 EPERM=300", "300 connects in a loop elsewhere: all EPERM");
	is(sbx_t_server_settled_count(sa), 300, "loops: the allowed server accepted 300");
	is(sbx_t_server_settled_count(sd), 0, "loops: the other server accepted nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/* "sbx-supervise: denied CALL to TARGET by pid PID (probe). Hint: --allow-unix-socket TARGET" */
static bool denial_line(const char *err, const char *call, const char *target, long pid)
{
	char want[512];

	snprintf(
		want, sizeof(want),
		"sbx-supervise: denied %s to %s by pid %ld (probe). Hint: --allow-unix-socket %s\n",
		call, target, pid, target);
	if (strstr(err, want))
		return true;
	diag("expected on stderr: %.*s", (int)strlen(want) - 1, want);
	return false;
}

static void denial_lines(void)
{
	const char *d = sbx_t_tmp("nd.sock"), *g = sbx_t_tmp("ng.sock");
	const char *ab = sbx_t_abstract("nd");
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_server *sg = sbx_t_server_start(SOCK_DGRAM, g);
	struct sbx_t_server *sab = sbx_t_server_start(SOCK_STREAM, ab);
	struct sbx_t_proc p;
	long pid;

	SBX_T_IN(&p, SBX_T_NOOPTS, "pid", "connect", d);
	pid = sbx_t_field(p.out, "pid");
	if (!ok(denial_line(p.err, "connect", d, pid), "denial line for connect: text and Hint"))
		sbx_t_diag_proc(&p);
	is(sbx_t_count_str(p.err, "denied"), 1, "one denial, one line");

	SBX_T_IN(&p, SBX_T_NOOPTS, "pid", "loop", "2", "connect-only", d);
	pid = sbx_t_field(p.out, "pid");
	if (!is(sbx_t_count_str(p.err, "sbx-supervise: denied connect"), 1,
		"two identical denials print one line"))
		sbx_t_diag_proc(&p);
	ok(denial_line(p.err, "connect", d, pid), "the deduplicated line has the right text");

	SBX_T_IN(&p, SBX_T_NOOPTS, "pid", "connect", ab);
	pid = sbx_t_field(p.out, "pid");
	if (!ok(denial_line(p.err, "connect", ab, pid), "denial line for an abstract name: @name"))
		sbx_t_diag_proc(&p);

	SBX_T_IN(&p, SBX_T_NOOPTS, "pid", "sendto", g);
	pid = sbx_t_field(p.out, "pid");
	if (!ok(denial_line(p.err, "sendto", g, pid), "denial line for sendto"))
		sbx_t_diag_proc(&p);
	SBX_T_IN(&p, SBX_T_NOOPTS, "pid", "sendmsg", g);
	pid = sbx_t_field(p.out, "pid");
	if (!ok(denial_line(p.err, "sendmsg", g, pid), "denial line for sendmsg"))
		sbx_t_diag_proc(&p);
	SBX_T_IN(&p, SBX_T_NOOPTS, "pid", "sendmmsg", g);
	pid = sbx_t_field(p.out, "pid");
	if (!ok(denial_line(p.err, "sendmmsg", g, pid), "denial line for sendmmsg"))
		sbx_t_diag_proc(&p);

	SBX_T_IN(&p, SBX_T_NOOPTS, "pid", "fork", "pid", "connect", d);
	pid = sbx_t_field(strchr(p.out, '\n') ? strchr(p.out, '\n') + 1 : p.out, "pid");
	if (!ok(denial_line(p.err, "connect", d, pid), "denial line names the child's pid"))
		sbx_t_diag_proc(&p);

	SBX_T_IN(&p, SBX_T_OPTS("--quiet"), "connect", d);
	sbx_t_line_is(&p, "errno EPERM", "--quiet: still denied");
	if (!ok(!strstr(p.err, "denied"), "--quiet: no denial line"))
		sbx_t_diag_proc(&p);
	SBX_T_IN(&p, SBX_T_OPTS("-q"), "sendto", g);
	sbx_t_line_is(&p, "errno EPERM", "-q: still denied");
	if (!ok(!strstr(p.err, "denied"), "-q: no denial line"))
		sbx_t_diag_proc(&p);

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(d)), "connect", d);
	if (!ok(!strstr(p.err, "denied"), "an allowed connect prints no denial line"))
		sbx_t_diag_proc(&p);
	sbx_t_server_stop(sd);
	sbx_t_server_stop(sg);
	sbx_t_server_stop(sab);
}

static void tty_ioctls(void)
{
	struct sbx_t_proc p, out;
	const char *pts;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (m == -1 || grantpt(m) == -1 || unlockpt(m) == -1 || !(pts = ptsname(m))) {
		skip(3, "no pseudo-terminal: %s", strerror(errno));
		if (m >= 0)
			close(m);
		return;
	}
	SBX_T_OUT(&out, "tiocsti", pts);
	diag("(control) TIOCSTI without the sandbox: %s", out.last);
	/* the pty is not this command's terminal: it must be made writable to be opened */
	SBX_T_IN(&p, SBX_T_OPTS("--rw", pts), "tiocsti", pts);
	sbx_t_line_is(&p, "errno EPERM", "ioctl(TIOCSTI) on a tty: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS("--rw", pts), "tiocsti", pts, "hi");
	sbx_t_line_is(&p, "errno EPERM",
		      "ioctl(TIOCSTI | junk << 48) (upper bits ignored by the kernel): EPERM");
	SBX_T_IN(&p, SBX_T_OPTS("--rw", pts), "tioclinux", pts);
	sbx_t_line_is(&p, "errno EPERM", "ioctl(TIOCLINUX) on a tty: EPERM");
	close(m);
}

int main(void)
{
	sbx_t_init(100);
	families();
	io_uring();
	descendants();
	loops();
	denial_lines();
	tty_ioctls();
	return done_testing();
}
