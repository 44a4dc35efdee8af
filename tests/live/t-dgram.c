/*
 * Live: datagrams with an address (sendto, sendmsg, sendmmsg), sends on connected sockets,
 * SCM_RIGHTS over an allowed socket, and socketpair(AF_UNIX). Each case runs its own sandbox.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/harness.h"

#define ALLOW(x) "--allow-unix-socket", (x)

static void sendto_sendmsg(void)
{
	const char *a = sbx_t_tmp("ga.sock"), *d = sbx_t_tmp("gd.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_DGRAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_DGRAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendto", a, "to-allowed");
	sbx_t_line_is(&p, "ok", "sendto the allowed socket: ok");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendmsg", a, "msg-allowed");
	sbx_t_line_is(&p, "ok", "sendmsg (msg_name) to the allowed socket: ok");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendto", d, "to-denied");
	sbx_t_line_is(&p, "errno EPERM", "sendto another socket: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendmsg", d, "msg-denied");
	sbx_t_line_is(&p, "errno EPERM", "sendmsg (msg_name) to another socket: EPERM");
	is(sbx_t_server_settled_count(sa), 2,
	   "sendto/sendmsg: the allowed socket got two datagrams");
	ok(sbx_t_server_got(sa, "to-allowed") && sbx_t_server_got(sa, "msg-allowed"),
	   "sendto/sendmsg: their bytes arrived");
	is(sbx_t_server_settled_count(sd), 0, "sendto/sendmsg: the denied socket received nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void sendmmsg_cases(void)
{
	const char *a = sbx_t_tmp("ma.sock"), *d = sbx_t_tmp("md.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_DGRAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_DGRAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendmmsg", a, a);
	sbx_t_line_is(&p, "ok 2", "sendmmsg of two datagrams to the allowed socket: both sent");
	is(sbx_t_server_settled_count(sa), 2, "sendmmsg: the allowed socket got two datagrams");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendmmsg", d, d);
	sbx_t_line_is(&p, "errno EPERM", "sendmmsg to another socket: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendmmsg", a, d);
	diag("sendmmsg [allowed, denied] gave: %s", p.last);
	ok(!strcmp(p.last, "errno EPERM") || !strcmp(p.last, "ok 1"),
	   "sendmmsg [allowed, denied]: EPERM, or only the first one sent");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendmmsg", d, a);
	ok(!strcmp(p.last, "errno EPERM"), "sendmmsg [denied, allowed]: EPERM");
	is(sbx_t_server_settled_count(sd), 0, "sendmmsg: the denied socket received nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void abstract(void)
{
	const char *a = sbx_t_abstract("ga"), *d = sbx_t_abstract("gd");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_DGRAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_DGRAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendto", a);
	sbx_t_line_is(&p, "ok", "sendto an allowed abstract name: ok");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendmsg", a);
	sbx_t_line_is(&p, "ok", "sendmsg to an allowed abstract name: ok");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendto", d);
	sbx_t_line_is(&p, "errno EPERM", "sendto another abstract name: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendmsg", d);
	sbx_t_line_is(&p, "errno EPERM", "sendmsg to another abstract name: EPERM");
	is(sbx_t_server_settled_count(sa), 2, "abstract: the allowed name got two datagrams");
	is(sbx_t_server_settled_count(sd), 0, "abstract: the denied name received nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void connected(void)
{
	const char *a = sbx_t_tmp("ca.sock"), *d = sbx_t_tmp("cd.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_DGRAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_DGRAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "dgram-connected", a);
	sbx_t_line_is(&p, "ok", "dgram socket connected to the allowed socket: send() works");
	is(sbx_t_server_settled_count(sa), 1, "connected dgram: the datagram arrived");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "dgram-connected", a, d);
	sbx_t_line_is(&p, "errno EPERM sendto",
		      "sendto another socket on a socket connected to the allowed one: EPERM");
	is(sbx_t_server_settled_count(sd), 0,
	   "connected dgram: the denied socket received nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

static void scm_rights(void)
{
	const char *a = sbx_t_tmp("fa.sock"), *file = sbx_t_tmp("passed.txt");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_proc p;
	char got[64];

	if (sbx_t_write_file(file, "content-of-the-passed-fd") < 0)
		bail_out("write %s", file);
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "sendfd", a, file);
	if (sbx_t_replace_mode()) {
		/* sbx cannot take the descriptors to pass: refused, and the line says why. */
		sbx_t_line_is(&p, "errno EPERM sendmsg", "replace mode: SCM_RIGHTS is EPERM");
		sbx_t_has_str(p.err, "passing descriptors (SCM_RIGHTS)",
			      "replace mode: the line names what was refused");
		is(sbx_t_server_settled_count(sa), 1, "replace mode: the connect itself worked");
		sbx_t_server_stop(sa);
		return;
	}
	sbx_t_line_is(&p, "ok F", "sendmsg with SCM_RIGHTS on a connected allowed socket: ok");
	sbx_t_server_sync(sa);
	sbx_t_server_fd_data(sa, got, sizeof(got));
	sbx_t_is_str(got, "content-of-the-passed-fd",
		     "SCM_RIGHTS: the server reads the file through the passed fd");
	sbx_t_server_stop(sa);
}

static void socketpairs(void)
{
	static const char *const types[] = { "seqpacket", "dgram", "stream" };
	struct sbx_t_proc p;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		SBX_T_IN(&p, SBX_T_NOOPTS, "socketpair", types[i]);
		sbx_t_line_is(&p, "ok ab", "socketpair(AF_UNIX, SOCK_%s): write, then read back",
			      types[i]);
	}
}

static void dir_prefix(void)
{
	const char *dir = sbx_t_tmp("gdir/"), *in = sbx_t_tmp("gdir/in.sock");
	const char *out = sbx_t_tmp("gout.sock");
	struct sbx_t_server *si, *so;
	struct sbx_t_proc p;

	mkdir(sbx_t_tmp("gdir"), 0755);
	si = sbx_t_server_start(SOCK_DGRAM, in);
	so = sbx_t_server_start(SOCK_DGRAM, out);
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "sendto", in);
	sbx_t_line_is(&p, "ok", "sendto a socket below an allowed DIR/: ok");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "sendto", out);
	sbx_t_line_is(&p, "errno EPERM", "sendto a socket outside DIR/: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "sendto", sbx_t_tmp("gdir/missing.sock"));
	sbx_t_line_is(&p, "errno ENOENT", "sendto a missing path below DIR/: ENOENT");
	is(sbx_t_server_settled_count(si), 1, "DIR/ dgram: the allowed socket got one");
	is(sbx_t_server_settled_count(so), 0, "DIR/ dgram: the outside socket received nothing");
	sbx_t_server_stop(si);
	sbx_t_server_stop(so);
}

int main(void)
{
	sbx_t_init(100);
	sendto_sendmsg();
	sendmmsg_cases();
	abstract();
	connected();
	scm_rights();
	socketpairs();
	dir_prefix();
	return done_testing();
}
