/*
 * Live: bind() inside the sandbox — pathname (absolute, relative, umask) and abstract, then
 * reached from inside (same process, a forked process) and from outside; a socket bound in one
 * sandbox is not an exception for another. Errors match the kernel's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/harness.h"

#define ALLOW(x) "--allow-unix-socket", (x)

static bool is_socket(const char *path, mode_t *mode)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return false;
	if (mode)
		*mode = st.st_mode & 07777;
	return S_ISSOCK(st.st_mode);
}

static void bind_self(void)
{
	const char *b = sbx_t_tmp("b1.sock"), *g = sbx_t_tmp("b1g.sock"),
		   *q = sbx_t_tmp("b1q.sock");
	const char *ab = sbx_t_abstract("b1"), *abg = sbx_t_abstract("b1g");
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_NOOPTS, "bind", b);
	sbx_t_line_is(&p, "ok self", "bind a pathname (stream), then connect to it from inside");
	ok(is_socket(b, NULL), "bind a pathname: the socket file exists at the path");
	SBX_T_IN(&p, SBX_T_NOOPTS, "bind", g, "dgram");
	sbx_t_line_is(&p, "ok self", "bind a pathname (dgram), then sendto it from inside");
	SBX_T_IN(&p, SBX_T_NOOPTS, "bind", q, "seqpacket");
	sbx_t_line_is(&p, "ok self", "bind a pathname (seqpacket), then connect from inside");
	SBX_T_IN(&p, SBX_T_NOOPTS, "bind", ab);
	sbx_t_line_is(&p, "ok self", "bind an abstract name (stream), then connect from inside");
	SBX_T_IN(&p, SBX_T_NOOPTS, "bind", abg, "dgram");
	sbx_t_line_is(&p, "ok self", "bind an abstract name (dgram), then sendto it from inside");
}

static void bind_relative_umask(void)
{
	const char *dir = sbx_t_tmp("bdir");
	mode_t mode = 0;
	struct sbx_t_proc p;

	mkdir(dir, 0755);
	SBX_T_IN(&p, SBX_T_NOOPTS, "chdir", dir, "bind", "rel.sock");
	sbx_t_line_is(&p, "ok self", "bind a relative path after chdir, connect to it");
	ok(is_socket(sbx_t_tmp("bdir/rel.sock"), NULL),
	   "relative bind: the socket is in the caller's cwd");
	SBX_T_IN(&p, SBX_T_NOOPTS, "chdir", dir, "umask", "027", "bind", "u027.sock");
	sbx_t_line_is(&p, "ok self", "bind with umask 027: ok");
	if (!is(is_socket(sbx_t_tmp("bdir/u027.sock"), &mode) ? (long)mode : -1L, 0750,
		"bind with umask 027: the socket file has mode 0750"))
		diag("mode is 0%o", (unsigned)mode);
	SBX_T_IN(&p, SBX_T_NOOPTS, "chdir", dir, "umask", "077", "bind", "u077.sock");
	if (!is(is_socket(sbx_t_tmp("bdir/u077.sock"), &mode) ? (long)mode : -1L, 0700,
		"bind with umask 077: the socket file has mode 0700"))
		diag("mode is 0%o", (unsigned)mode);
	SBX_T_OUT(&p, "chdir", dir, "umask", "027", "bind", "out027.sock");
	is(is_socket(sbx_t_tmp("bdir/out027.sock"), &mode) ? (long)mode : -1L, 0750,
	   "(control) without the sandbox umask 027 gives 0750 too");
}

static bool accept_client(const char *addr, int type, char *reply, size_t len)
{
	int fd = -ECONNREFUSED, i;
	ssize_t n;

	/* the socket may exist before listen() ran: retry for up to 10 s */
	for (i = 0; i < 2000 && fd < 0; i++) {
		fd = sbx_t_connect(addr, type);
		if (fd < 0)
			usleep(5000);
	}
	if (fd < 0) {
		diag("connect %s: %s", addr, strerror(-fd));
		return false;
	}
	if (send(fd, "hi", 2, MSG_NOSIGNAL) != 2) {
		close(fd);
		return false;
	}
	reply[0] = '\0';
	if (type != SOCK_DGRAM) {
		struct timeval tv = { .tv_sec = 5 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = recv(fd, reply, len - 1, 0);
		reply[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	return true;
}

static void bind_reached_from_outside(void)
{
	const char *b = sbx_t_tmp("bo.sock"), *ab = sbx_t_abstract("bo");
	const char *g = sbx_t_tmp("bog.sock");
	struct sbx_t_proc p;
	char reply[16];

	SBX_T_SPAWN_IN(&p, SBX_T_NOOPTS, "bind-accept", b);
	ok(accept_client(b, SOCK_STREAM, reply, sizeof(reply)) && !strcmp(reply, "hi"),
	   "pathname bound inside: the test connects from outside and gets the echo");
	sbx_t_finish(&p, SBX_T_RUN_MS);
	sbx_t_line_is(&p, "ok hi", "pathname bound inside: accepted the outside connection");

	SBX_T_SPAWN_IN(&p, SBX_T_NOOPTS, "bind-accept", ab);
	ok(accept_client(ab, SOCK_STREAM, reply, sizeof(reply)) && !strcmp(reply, "hi"),
	   "abstract name bound inside: the test connects from outside and gets the echo");
	sbx_t_finish(&p, SBX_T_RUN_MS);
	sbx_t_line_is(&p, "ok hi", "abstract name bound inside: accepted the outside connection");

	SBX_T_SPAWN_IN(&p, SBX_T_NOOPTS, "bind-accept", g, "dgram");
	ok(accept_client(g, SOCK_DGRAM, reply, sizeof(reply)),
	   "dgram pathname bound inside: the test sends to it from outside");
	sbx_t_finish(&p, SBX_T_RUN_MS);
	sbx_t_line_is(&p, "ok hi", "dgram pathname bound inside: received the datagram");
}

static void bind_other_process(void)
{
	const char *b = sbx_t_tmp("bf.sock"), *ab = sbx_t_abstract("bf");
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_NOOPTS, "bind-fork", b);
	sbx_t_line_is(&p, "ok child", "pathname bound inside: a forked child connects to it");
	SBX_T_IN(&p, SBX_T_NOOPTS, "bind-fork", ab);
	sbx_t_line_is(&p, "ok child", "abstract name bound inside: a forked child connects to it");
}

static bool listening(void *addr)
{
	return sbx_t_listening(addr);
}

static void bind_other_sandbox(void)
{
	const char *b = sbx_t_tmp("bx.sock"), *ab = sbx_t_abstract("bx");
	const char *targets[2] = { b, ab };
	struct sbx_t_proc p1, p2;
	char reply[16];
	int i;

	for (i = 0; i < 2; i++) {
		const char *t = targets[i];
		bool up;

		SBX_T_SPAWN_IN(&p1, SBX_T_NOOPTS, "bind-accept", t);
		/* wait until the first sandbox listens, without consuming its one accept */
		up = sbx_t_wait_for(listening, (void *)t, 10000);
		SBX_T_IN(&p2, SBX_T_NOOPTS, "connect", t);
		sbx_t_line_is(&p2, "errno EPERM",
			      "%s bound in another sandbox is not allowed in this one",
			      i ? "abstract name" : "pathname");
		ok(up && accept_client(t, SOCK_STREAM, reply, sizeof(reply)) &&
			   !strcmp(reply, "hi"),
		   "the first sandbox's socket then accepts the test's connection");
		sbx_t_finish(&p1, SBX_T_RUN_MS);
		sbx_t_line_is(&p1, "ok hi", "the first sandbox's socket accepted only the test");
	}
}

static void bind_errors(void)
{
	const char *taken = sbx_t_tmp("taken.sock"), *nodir = sbx_t_tmp("nodir/x.sock");
	const char *file = sbx_t_tmp("plain-file");
	struct sbx_t_proc in, out;
	struct {
		const char *what;
		const char *addr;
	} cases[] = {
		{ "bind to an existing socket path", taken },
		{ "bind in a missing directory", nodir },
		{ "bind over a regular file", file },
	};
	size_t i;

	if (sbx_t_stale_socket(taken) < 0 || sbx_t_write_file(file, "x") < 0)
		bail_out("setup bind_errors");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		SBX_T_OUT(&out, "bind", cases[i].addr);
		SBX_T_IN(&in, SBX_T_NOOPTS, "bind", cases[i].addr);
		if (!sbx_t_is_str(in.last, out.last, "%s: same result as without the sandbox (%s)",
				  cases[i].what, out.last))
			sbx_t_diag_proc(&in);
	}
	SBX_T_OUT(&out, "autobind", "dgram");
	SBX_T_IN(&in, SBX_T_NOOPTS, "autobind", "dgram");
	sbx_t_is_str(in.last, out.last, "autobind (addrlen 2): same result as without the sandbox");
}

int main(void)
{
	sbx_t_init(100);
	bind_self();
	bind_relative_umask();
	bind_reached_from_outside();
	bind_other_process();
	bind_other_sandbox();
	bind_errors();
	return done_testing();
}
