/*
 * Live: connect() to AF_UNIX pathnames and abstract names — the allowlist (exact path, DIR/
 * prefix, abstract), canonicalisation (relative paths, symlinks), and real results (echo,
 * ENOENT, ECONNREFUSED, non-blocking). Each case runs its own sandbox.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/harness.h"

#define ALLOW(x) "--allow-unix-socket", (x)

static void allowed_path(void)
{
	const char *a = sbx_t_tmp("a.sock");
	struct sbx_t_server *s = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "connect", a);
	sbx_t_line_is(&p, "ok hello", "allowed path: connects and the echo comes back");
	is(p.code, 0, "allowed path: exit status of the command");
	is(sbx_t_server_settled_count(s), 1, "allowed path: the server accepted one connection");
	ok(sbx_t_server_got(s, "hello"), "allowed path: the bytes arrived at the server");
	is(sbx_t_server_peer_pid(s), p.pid, "allowed path: SO_PEERCRED shows the supervisor");
	sbx_t_server_stop(s);
}

static void denied_path(void)
{
	const char *a = sbx_t_tmp("a2.sock"), *d = sbx_t_tmp("d2.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "connect", d);
	sbx_t_line_is(&p, "errno EPERM", "other path: EPERM");
	is(sbx_t_server_settled_count(sd), 0, "other path: its server accepted nothing");
	SBX_T_IN(&p, SBX_T_NOOPTS, "connect", a);
	sbx_t_line_is(&p, "errno EPERM", "no allowlist at all: EPERM");
	is(sbx_t_server_settled_count(sa), 0, "no allowlist at all: the server accepted nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void dir_prefix(void)
{
	const char *dir = sbx_t_tmp("pfx/"), *in, *deep, *sib, *lookalike;
	struct sbx_t_server *s1, *s2, *s3, *s4;
	struct sbx_t_proc p;

	mkdir(sbx_t_tmp("pfx"), 0755);
	mkdir(sbx_t_tmp("pfx/deep"), 0755);
	mkdir(sbx_t_tmp("sib"), 0755);
	mkdir(sbx_t_tmp("pfxx"), 0755);
	in = sbx_t_tmp("pfx/in.sock");
	deep = sbx_t_tmp("pfx/deep/in.sock");
	sib = sbx_t_tmp("sib/in.sock");
	lookalike = sbx_t_tmp("pfxx/in.sock");
	s1 = sbx_t_server_start(SOCK_STREAM, in);
	s2 = sbx_t_server_start(SOCK_STREAM, deep);
	s3 = sbx_t_server_start(SOCK_STREAM, sib);
	s4 = sbx_t_server_start(SOCK_STREAM, lookalike);

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "connect", in);
	sbx_t_line_is(&p, "ok hello", "DIR/: a socket directly below is allowed");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "connect", deep);
	sbx_t_line_is(&p, "ok hello", "DIR/: a socket in a subdirectory is allowed");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "connect", sib);
	sbx_t_line_is(&p, "errno EPERM", "DIR/: a sibling directory is denied");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "connect", lookalike);
	sbx_t_line_is(&p, "errno EPERM",
		      "DIR/: a directory sharing the name prefix (pfxx/) is denied");
	is(sbx_t_server_settled_count(s1), 1, "DIR/: the server below accepted one");
	is(sbx_t_server_settled_count(s3), 0, "DIR/: the sibling's server accepted nothing");
	is(sbx_t_server_settled_count(s4), 0, "DIR/: the look-alike's server accepted nothing");
	sbx_t_server_stop(s1);
	sbx_t_server_stop(s2);
	sbx_t_server_stop(s3);
	sbx_t_server_stop(s4);
}

static void dir_created_later(void)
{
	const char *dir = sbx_t_tmp("later/"), *sock = sbx_t_tmp("later/s.sock");
	const char *go = sbx_t_tmp("later.go");
	struct sbx_t_server *s;
	struct sbx_t_proc p;

	SBX_T_SPAWN_IN(&p, SBX_T_OPTS(ALLOW(dir)), "wait", go, "connect", sock);
	mkdir(sbx_t_tmp("later"), 0755);
	s = sbx_t_server_start(SOCK_STREAM, sock);
	sbx_t_write_file(go, "");
	sbx_t_finish(&p, SBX_T_RUN_MS);
	sbx_t_line_is(&p, "ok hello",
		      "DIR/ that did not exist at start: a socket made later is allowed");
	sbx_t_server_stop(s);
}

static void missing_and_refused(void)
{
	const char *dir = sbx_t_tmp("mr/"), *missing = sbx_t_tmp("mr/missing.sock");
	const char *stale = sbx_t_tmp("mr/stale.sock");
	struct sbx_t_proc p;

	mkdir(sbx_t_tmp("mr"), 0755);
	if (sbx_t_stale_socket(stale) < 0)
		bail_out("stale socket %s", stale);
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "connect", missing);
	sbx_t_line_is(&p, "errno ENOENT", "missing path under an allowed DIR/: ENOENT");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "connect", stale);
	sbx_t_line_is(&p, "errno ECONNREFUSED",
		      "socket file nobody listens on under DIR/: ECONNREFUSED");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(stale)), "connect", stale);
	sbx_t_line_is(&p, "errno ECONNREFUSED",
		      "allowlisted socket nobody listens on: ECONNREFUSED");
}

static void relative(void)
{
	const char *dir = sbx_t_tmp("rel"), *sub = sbx_t_tmp("rel/sub");
	const char *a = sbx_t_tmp("rel/a.sock"), *d = sbx_t_tmp("rel/d.sock");
	struct sbx_t_server *sa, *sd;
	struct sbx_t_proc p;

	mkdir(dir, 0755);
	mkdir(sub, 0755);
	sa = sbx_t_server_start(SOCK_STREAM, a);
	sd = sbx_t_server_start(SOCK_STREAM, d);
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "chdir", dir, "connect", "a.sock");
	sbx_t_line_is(&p, "ok hello", "relative path after chdir reaches the allowed socket");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "chdir", sub, "connect", "../a.sock");
	sbx_t_line_is(&p, "ok hello", "relative ../ path after chdir reaches the allowed socket");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "chdir", dir, "connect", "d.sock");
	sbx_t_line_is(&p, "errno EPERM", "relative path to another socket: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "chdir", sub, "thread", "connect", "../d.sock");
	sbx_t_line_is(&p, "errno EPERM", "relative path from a thread: EPERM");
	is(sbx_t_server_settled_count(sa), 2, "relative: the allowed server accepted two");
	is(sbx_t_server_settled_count(sd), 0, "relative: the other server accepted nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void symlinks(void)
{
	const char *a = sbx_t_tmp("sa.sock"), *d = sbx_t_tmp("sd.sock");
	const char *la = sbx_t_tmp("link-to-a"), *ld = sbx_t_tmp("link-to-d");
	const char *dir = sbx_t_tmp("sdir/"), *evil = sbx_t_tmp("sdir/evil.sock");
	const char *evildir = sbx_t_tmp("sdir/out"), *viadir = sbx_t_tmp("sdir/out/sd.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;

	mkdir(sbx_t_tmp("sdir"), 0755);
	if (symlink(a, la) || symlink(d, ld) || symlink(d, evil) ||
	    symlink(sbx_t_tmpdir(), evildir))
		bail_out("symlink: %s", strerror(errno));
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "connect", la);
	sbx_t_line_is(&p, "ok hello", "symlink to the allowed socket: allowed");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "connect", ld);
	sbx_t_line_is(&p, "errno EPERM", "symlink to another socket: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "connect", evil);
	sbx_t_line_is(&p, "errno EPERM", "symlink inside an allowed DIR/ leading out of it: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "connect", viadir);
	sbx_t_line_is(&p, "errno EPERM",
		      "path through a symlinked directory inside DIR/ leading out: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(la)), "connect", a);
	sbx_t_line_is(&p, "ok hello",
		      "--allow-unix-socket given as a symlink: the target is allowed");
	is(sbx_t_server_settled_count(sd), 0, "symlinks: the other server accepted nothing");
	is(sbx_t_server_settled_count(sa), 2, "symlinks: the allowed server accepted two");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void abstract(void)
{
	const char *a = sbx_t_abstract("abs-a"), *d = sbx_t_abstract("abs-d");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "connect", a);
	sbx_t_line_is(&p, "ok hello", "abstract allowed: connects and the echo comes back");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "connect", d);
	sbx_t_line_is(&p, "errno EPERM", "abstract not allowed: EPERM");
	is(sbx_t_server_settled_count(sa), 1, "abstract allowed: the server accepted one");
	is(sbx_t_server_settled_count(sd), 0, "abstract denied: the server accepted nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void other_types(void)
{
	const char *q = sbx_t_tmp("q.sock"), *g = sbx_t_tmp("g.sock");
	struct sbx_t_server *sq = sbx_t_server_start(SOCK_SEQPACKET, q);
	struct sbx_t_server *sg = sbx_t_server_start(SOCK_DGRAM, g);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(q)), "connect", q, "seqpacket");
	sbx_t_line_is(&p, "ok hello", "seqpacket connect to the allowed socket works");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(g)), "connect", g, "dgram");
	sbx_t_line_is(&p, "ok sent", "dgram connect + send to the allowed socket works");
	is(sbx_t_server_settled_count(sg), 1, "dgram connect: the datagram arrived");
	SBX_T_IN(&p, SBX_T_NOOPTS, "connect", q, "seqpacket");
	sbx_t_line_is(&p, "errno EPERM", "seqpacket connect to a socket not allowed: EPERM");
	SBX_T_IN(&p, SBX_T_NOOPTS, "connect", g, "dgram");
	sbx_t_line_is(&p, "errno EPERM", "dgram connect to a socket not allowed: EPERM");
	is(sbx_t_server_settled_count(sq), 1, "seqpacket: the server accepted exactly one");
	is(sbx_t_server_settled_count(sg), 1, "dgram: nothing more arrived");
	sbx_t_server_stop(sq);
	sbx_t_server_stop(sg);
}

static void nonblocking(void)
{
	const char *a = sbx_t_tmp("nb.sock"), *d = sbx_t_tmp("nbd.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;
	bool immediate, inprogress;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "connect-nb", a);
	immediate = !strcmp(p.last, "ok connect=0 writable=1 so_error=0");
	inprogress = !strcmp(p.last, "ok connect=EINPROGRESS writable=1 so_error=0");
	if (!ok(immediate || inprogress,
		"non-blocking connect to the allowed socket: 0 or EINPROGRESS, then writable"))
		sbx_t_diag_proc(&p);
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "connect-nb", d);
	sbx_t_line_is(&p, "errno EPERM", "non-blocking connect to another socket: EPERM");
	is(sbx_t_server_settled_count(sa), 1, "non-blocking: the allowed server accepted one");
	is(sbx_t_server_settled_count(sd), 0, "non-blocking: the other server accepted nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void proc_paths(void)
{
	const char *dir = sbx_t_tmp("pp"), *a = sbx_t_tmp("pp/a.sock");
	struct sbx_t_server *sa;
	struct sbx_t_proc p;

	mkdir(dir, 0755);
	sa = sbx_t_server_start(SOCK_STREAM, a);
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "opath-connect", a);
	sbx_t_line_is(&p, "ok", "/proc/self/fd/N of an O_PATH fd of the allowed socket: allowed");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "chdir", dir, "connect", "/proc/self/cwd/a.sock");
	sbx_t_line_is(&p, "ok hello", "/proc/self/cwd/NAME reaching the allowed socket: allowed");
	sbx_t_server_stop(sa);
}

int main(void)
{
	sbx_t_init(100);
	allowed_path();
	denied_path();
	dir_prefix();
	dir_created_later();
	missing_and_refused();
	relative();
	symlinks();
	abstract();
	other_types();
	nonblocking();
	proc_paths();
	return done_testing();
}
