/*
 * Live: --net isolated (a new network namespace with only lo; allowed endpoints reached through
 * a socket the supervisor connects in its own namespace and swaps into the caller's fd),
 * --net none, and --net host. What is checked: the interfaces visible, the socket() rules,
 * loopback servers the sandbox starts itself, host loopback listeners that are no endpoint
 * (they must see nothing), endpoints over blocking, non-blocking, Fast Open and UDP sends with
 * the fd's flags preserved, from threads and forked processes, the sockaddr race through the
 * swap path, sockets of the host's namespace in the command's hands (inherited, or the swapped
 * one disconnected) which must not connect, send or listen past the policy, and isolated mode
 * as an unprivileged user.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/harness.h"

#define CONNECT(x)   "--allow-connect", (x)
#define NET(m)	     "--net", (m)
#define NOBODY_UID   "65534"
#define SETPRIV_PATH "/usr/bin/setpriv"
#define UNSHARE_PATH "/usr/bin/unshare"

static bool have_v6;

static struct sbx_t_server *server(int type, const char *addr, int port)
{
	struct sbx_t_server *s = sbx_t_inet_start(type, addr, port);

	if (!s)
		bail_out("server on %s:%d: %s", addr, port, strerror(errno));
	return s;
}

static void only_lo(const char *mode)
{
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "list-netdevs", "sys");
	sbx_t_line_is(&p, "ok lo", "--net %s: /sys/class/net lists only lo", mode);
	SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "list-netdevs", "proc");
	sbx_t_line_is(&p, "ok lo", "--net %s: /proc/net/dev lists only lo", mode);
	SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "list-netdevs", "netlink");
	sbx_t_line_is(&p, "ok lo:up", "--net %s: RTM_GETLINK shows only lo, and it is up", mode);
}

static void socket_rules(const char *mode)
{
	static const struct {
		const char *fam, *type, *proto, *want;
	} cases[] = {
		{ "inet", "stream", NULL, "ok" },
		{ "inet6", "stream", NULL, "ok" },
		{ "inet", "dgram", NULL, "ok" },
		{ "inet6", "dgram", NULL, "ok" },
		{ "inet", "raw", "6", "errno EPERM" },
		{ "inet", "raw", "255", "errno EPERM" },
		{ "packet", "raw", NULL, "errno EPERM" },
		{ "inet", "stream", "132", "errno EPERM" },
		{ "inet", "dgram", "1", "errno EPERM" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbx_t_proc p;

		if (cases[i].proto)
			SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "socket", cases[i].fam, cases[i].type,
				 cases[i].proto);
		else
			SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "socket", cases[i].fam, cases[i].type);
		sbx_t_line_is(&p, cases[i].want, "--net %s: socket(%s, %s, %s)", mode, cases[i].fam,
			      cases[i].type, cases[i].proto ? cases[i].proto : "0");
	}
}

static void inside_servers(const char *mode)
{
	const char *fp = sbx_t_fmt("%d", sbx_t_free_port(SOCK_STREAM, "127.0.0.1"));
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "serve-and-connect");
	sbx_t_line_starts(&p, "ok self port=",
			  "--net %s: a server the sandbox starts on 127.0.0.1:0 is reachable",
			  mode);
	SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "fork", "serve-and-connect");
	sbx_t_line_starts(&p, "ok self port=", "--net %s: the same from a forked process", mode);
	if (have_v6) {
		SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "serve-and-connect", "::1", "0");
		sbx_t_line_starts(&p, "ok self port=", "--net %s: a server on [::1]:0 is reachable",
				  mode);
	} else {
		skip(1, "no IPv6 loopback on this host");
	}
	SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "serve-and-connect", "127.0.0.1", fp);
	sbx_t_line_is(&p, "errno EPERM bind",
		      "--net %s: binding a fixed port still needs --allow-bind", mode);
	SBX_T_IN(&p, SBX_T_OPTS(NET(mode), "--allow-bind", fp), "serve-and-connect", "127.0.0.1",
		 fp);
	sbx_t_line_is(&p, sbx_t_fmt("ok self port=%s", fp),
		      "--net %s: with --allow-bind PORT, a server on it is reachable", mode);
	/* only lo exists, so an unbound listen binds nothing outside: documented as allowed */
	SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "listen-unbound", "inet");
	diag("--net %s: listen() on an unbound inet socket: %s", mode, p.last);
	SBX_T_IN(&p, SBX_T_OPTS(NET(mode)), "inet-bind", "0.0.0.0", "0");
	diag("--net %s: bind 0.0.0.0:0: %s", mode, p.last);
}

/* The host's loopback listeners (TCP and UDP, v4 and v6) see nothing from @opts. */
static void host_unreachable(const char *what, const char *const *opts)
{
	struct sbx_t_server *t = server(SOCK_STREAM, "127.0.0.1", 0);
	struct sbx_t_server *u = server(SOCK_DGRAM, "127.0.0.1", 0);
	struct sbx_t_server *t6 = have_v6 ? sbx_t_inet_start(SOCK_STREAM, "::1", 0) : NULL;
	const char *pt = sbx_t_inet_port_str(t);
	struct sbx_t_proc p;

	SBX_T_IN(&p, opts, "tcp-connect", "127.0.0.1", pt);
	diag("%s: TCP connect to a host listener: %s", what, p.last);
	ok(strncmp(p.last, "ok", 2), "%s: a TCP connect to a host loopback listener fails", what);
	SBX_T_IN(&p, opts, "tcp-connect-nb", "127.0.0.1", pt);
	diag("%s: non-blocking TCP connect to a host listener: %s", what, p.last);
	ok(!strstr(p.last, "so_error=0"), "%s: a non-blocking one does not connect either", what);
	SBX_T_IN(&p, opts, "udp-sendto", "127.0.0.1", sbx_t_inet_port_str(u));
	diag("%s: UDP sendto a host receiver: %s", what, p.last);
	SBX_T_IN(&p, opts, "udp-connect-send", "127.0.0.1", sbx_t_inet_port_str(u));
	diag("%s: UDP connect+send to a host receiver: %s", what, p.last);
	is(sbx_t_inet_settled_count(t), 0, "%s: the host TCP listener accepted 0", what);
	is(sbx_t_inet_settled_count(u), 0, "%s: the host UDP receiver got 0 datagrams", what);
	if (t6) {
		SBX_T_IN(&p, opts, "tcp-connect", "::1", sbx_t_inet_port_str(t6));
		diag("%s: TCP connect to a host [::1] listener: %s", what, p.last);
		is(sbx_t_inet_settled_count(t6), 0, "%s: the host [::1] listener accepted 0", what);
	} else {
		skip(1, "no IPv6 loopback on this host");
	}
	sbx_t_inet_stop(t);
	sbx_t_inet_stop(u);
	sbx_t_inet_stop(t6);
}

static void endpoints(void)
{
	struct sbx_t_server *a = server(SOCK_STREAM, "127.0.0.1", 0);
	struct sbx_t_server *d = server(SOCK_STREAM, "127.0.0.1", 0);
	struct sbx_t_server *u = server(SOCK_DGRAM, "127.0.0.1", 0);
	struct sbx_t_server *ud = server(SOCK_DGRAM, "127.0.0.1", 0);
	const char *pa = sbx_t_inet_port_str(a), *pu = sbx_t_inet_port_str(u);
	const char *ep = sbx_t_fmt("127.0.0.1:%s", pa), *peer = sbx_t_fmt("peer=127.0.0.1:%s", pa);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(ep)), "tcp-connect", "127.0.0.1", pa);
	sbx_t_line_is(&p, "ok hello", "isolated: blocking connect to an endpoint, echo comes back");
	/* A direct connect that goes around the proxy is refused with a line, before any packet
	 * (the address is TEST-NET-1: nothing is ever sent there). */
	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), "--proxy", sbx_t_fmt("http://%s", ep)),
		 "tcp-connect", "192.0.2.1", "80");
	sbx_t_line_is(&p, "errno EPERM",
		      "isolated with --proxy: a direct connect elsewhere is EPERM");
	sbx_t_has_str(p.err, "denied connect to 192.0.2.1:80",
		      "isolated with --proxy: and a line names it");
	is(p.code, 0, "isolated: exit status of the command");

	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(ep)), "tcp-connect-flags", "127.0.0.1",
		 pa);
	sbx_t_line_is(&p, sbx_t_fmt("ok nonblock=0 cloexec=0 %s reply=hello", peer),
		      "isolated: blocking, no FD_CLOEXEC: flags kept, peer is the endpoint");

	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(ep)), "tcp-connect-nb", "127.0.0.1", pa);
	if (!ok(strstr(p.last, "connect=EINPROGRESS") || strstr(p.last, "connect=0 "),
		"isolated, non-blocking: connect reports EINPROGRESS (or 0)"))
		sbx_t_diag_proc(&p);
	if (!ok(strstr(p.last, "writable=1 so_error=0"),
		"isolated, non-blocking: the socket becomes writable with SO_ERROR 0"))
		sbx_t_diag_proc(&p);
	if (!ok(strstr(p.last, "nonblock=1 cloexec=1"),
		"isolated, non-blocking: O_NONBLOCK and FD_CLOEXEC kept on the swapped fd"))
		sbx_t_diag_proc(&p);
	if (!ok(strstr(p.last, peer) && strstr(p.last, "reply=hello"),
		"isolated, non-blocking: connected to the endpoint and data flows"))
		sbx_t_diag_proc(&p);
	is(sbx_t_inet_settled_count(a), 3, "isolated: the endpoint's server accepted three");
	ok(sbx_t_inet_got(a, "hello"), "isolated: the bytes arrived at the endpoint");

	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(ep)), "tcp-connect", "127.0.0.1",
		 sbx_t_inet_port_str(d));
	diag("isolated: connect to a host port that is no endpoint: %s", p.last);
	ok(strncmp(p.last, "ok", 2), "isolated: a host port that is no endpoint fails");
	is(sbx_t_inet_settled_count(d), 0, "isolated: that host listener accepted 0");

	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("udp:127.0.0.1:%s", pu))),
		 "udp-connect-send", "127.0.0.1", pu);
	sbx_t_line_is(&p, "ok sent", "isolated: UDP endpoint through connect() + send()");
	is(sbx_t_inet_settled_count(u), 1, "isolated: the UDP endpoint got the datagram");
	ok(sbx_t_inet_got(u, "hello"), "isolated: with its bytes");
	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("udp:127.0.0.1:%s", pu))),
		 "udp-connect-send", "127.0.0.1", sbx_t_inet_port_str(ud));
	diag("isolated: UDP connect+send to a host port that is no endpoint: %s", p.last);
	is(sbx_t_inet_settled_count(ud), 0, "isolated: a UDP port that is no endpoint got 0");

	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("localhost:%s", pa))),
		 "tcp-connect", "127.0.0.1", pa);
	sbx_t_line_is(&p, "ok hello", "isolated: a localhost:PORT endpoint reaches 127.0.0.1");
	if (have_v6) {
		struct sbx_t_server *a6 = sbx_t_inet_start(SOCK_STREAM, "::1", 0);
		const char *p6 = a6 ? sbx_t_inet_port_str(a6) : "0";

		SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("[::1]:%s", p6))),
			 "tcp-connect", "::1", p6);
		sbx_t_line_is(&p, "ok hello", "isolated: an IPv6 endpoint [::1]:PORT");
		SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(ep)), "tcp-connect",
			 "::ffff:127.0.0.1", pa);
		sbx_t_line_is(&p, "ok hello",
			      "isolated: ::ffff:127.0.0.1 on an AF_INET6 socket reaches the "
			      "IPv4 endpoint");
		sbx_t_inet_stop(a6);
	} else {
		skip(2, "no IPv6 loopback on this host");
	}
	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(ep)), "thread", "tcp-connect-nb",
		 "127.0.0.1", pa);
	if (!ok(strstr(p.last, "writable=1 so_error=0 nonblock=1 cloexec=1") &&
			strstr(p.last, "reply=hello"),
		"isolated: from a second thread, the swapped socket works"))
		sbx_t_diag_proc(&p);
	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(ep)), "fork", "tcp-connect-flags",
		 "127.0.0.1", pa);
	sbx_t_line_is(&p, sbx_t_fmt("ok nonblock=0 cloexec=0 %s reply=hello", peer),
		      "isolated: from a forked process, the swap lands in its own fd table");
	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("udp:127.0.0.1:%s", pu))),
		 "udp-sendto", "127.0.0.1", pu, "viasendto");
	sbx_t_line_is(&p, "ok sent", "isolated: UDP sendto an endpoint without connect()");
	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("udp:127.0.0.1:%s", pu))),
		 "sendmmsg-udp", "127.0.0.1", pu);
	sbx_t_line_is(&p, "ok 1", "isolated: UDP sendmmsg to an endpoint");
	is(sbx_t_inet_settled_count(u), 3, "isolated: both datagrams reached the endpoint");
	ok(sbx_t_inet_got(u, "viasendto") && sbx_t_inet_got(u, "m0"), "isolated: with their bytes");
	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(ep)), "sendmsg-fastopen", "127.0.0.1", pa);
	sbx_t_line_is(&p, "ok hello", "isolated: MSG_FASTOPEN sendmsg to an endpoint, echo back");
	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(ep)), "sendmsg-fastopen", "127.0.0.1",
		 sbx_t_inet_port_str(d));
	diag("isolated: MSG_FASTOPEN to a host port that is no endpoint: %s", p.last);
	is(sbx_t_inet_settled_count(d), 0, "isolated: that host listener still accepted 0");
	{
		const char *fp = sbx_t_fmt("%d", sbx_t_free_port(SOCK_STREAM, "127.0.0.1"));

		SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("127.0.0.1:%s", fp))),
			 "tcp-connect", "127.0.0.1", fp);
		sbx_t_line_is(&p, "errno ECONNREFUSED",
			      "isolated: an endpoint nobody listens on: ECONNREFUSED");
		SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("127.0.0.1:%s", fp))),
			 "tcp-connect-nb", "127.0.0.1", fp);
		if (!ok(!strcmp(p.last, "errno ECONNREFUSED") ||
				strstr(p.last, "so_error=ECONNREFUSED"),
			"isolated, non-blocking: an endpoint nobody listens on: ECONNREFUSED"))
			sbx_t_diag_proc(&p);
	}
	sbx_t_inet_stop(a);
	sbx_t_inet_stop(d);
	sbx_t_inet_stop(u);
	sbx_t_inet_stop(ud);
}

/* The sockaddr race through the swap path: the denied host listener must see nothing. */
static void race(void)
{
	struct sbx_t_server *a = server(SOCK_STREAM, "127.0.0.1", 0);
	struct sbx_t_server *d = server(SOCK_STREAM, "127.0.0.1", 0);
	const char *pa = sbx_t_inet_port_str(a);
	struct sbx_t_proc p;
	long okc;

	SBX_T_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("127.0.0.1:%s", pa))),
		 "inet-race", "127.0.0.1", pa, "127.0.0.1", sbx_t_inet_port_str(d), "10000");
	okc = sbx_t_field(p.last, "ok");
	diag("isolated race on sin_port, 10000 connects: %s", p.last);
	if (!ok(okc > 0 && okc < 10000, "isolated race: some connects reached the endpoint"))
		sbx_t_diag_proc(&p);
	is(sbx_t_inet_settled_count(d), 0, "isolated race: the denied host listener accepted 0");
	is(sbx_t_inet_settled_count(a), okc, "isolated race: every ok reached the endpoint");
	sbx_t_inet_stop(a);
	sbx_t_inet_stop(d);
}

static void none_mode(void)
{
	struct sbx_t_proc p;

	only_lo("none");
	socket_rules("none");
	inside_servers("none");
	host_unreachable("--net none", SBX_T_OPTS(NET("none")));
	SBX_T_IN(&p, SBX_T_OPTS(NET("none"), CONNECT("127.0.0.1:9")), "list-netdevs");
	is(p.code, 125, "--net none with --allow-connect: exit 125");
	ok(!strstr(p.out, "ok"), "--net none with --allow-connect: the command did not run");
	SBX_T_IN(&p, SBX_T_OPTS(NET("none"), "--proxy", "http://127.0.0.1:3128"), "list-netdevs");
	is(p.code, 125, "--net none with --proxy: exit 125");
}

static void host_mode(void)
{
	struct sbx_t_server *t = server(SOCK_STREAM, "127.0.0.1", 0);
	struct sbx_t_server *u = server(SOCK_DGRAM, "127.0.0.1", 0);
	const char *us = sbx_t_tmp("hu.sock"), *ua = sbx_t_tmp("ha.sock");
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, us);
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, ua);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(NET("host")), "tcp-connect", "127.0.0.1", sbx_t_inet_port_str(t));
	sbx_t_line_is(&p, "ok hello", "--net host: TCP to a loopback listener without endpoints");
	SBX_T_IN(&p, SBX_T_OPTS(NET("host")), "udp-sendto", "127.0.0.1", sbx_t_inet_port_str(u));
	sbx_t_line_is(&p, "ok sent", "--net host: UDP sendto without endpoints");
	SBX_T_IN(&p, SBX_T_OPTS(NET("host")), "socket", "inet", "dgram");
	sbx_t_line_is(&p, "ok", "--net host: socket(AF_INET, SOCK_DGRAM)");
	SBX_T_IN(&p, SBX_T_OPTS(NET("host")), "inet-bind", "0.0.0.0", "0");
	sbx_t_line_starts(&p, "ok port=", "--net host: bind 0.0.0.0:0 is unrestricted");
	is(sbx_t_inet_settled_count(t), 1, "--net host: the TCP listener accepted one");
	is(sbx_t_inet_settled_count(u), 1, "--net host: the UDP receiver got one");
	SBX_T_IN(&p, SBX_T_OPTS(NET("host")), "connect", us);
	sbx_t_line_is(&p, "errno EPERM", "--net host: a UNIX socket that is not allowed: EPERM");
	is(sbx_t_server_settled_count(sd), 0, "--net host: that UNIX server accepted nothing");
	SBX_T_IN(&p, SBX_T_OPTS(NET("host"), "--allow-unix-socket", ua), "connect", ua);
	sbx_t_line_is(&p, "ok hello", "--net host: an allowed UNIX socket still works");
	SBX_T_IN(&p, SBX_T_OPTS(NET("host")), "socket", "packet", "raw");
	diag("--net host: socket(AF_PACKET): %s", p.last);
	sbx_t_inet_stop(t);
	sbx_t_inet_stop(u);
	sbx_t_server_stop(sd);
	sbx_t_server_stop(sa);
}

/* Whether nobody may create a user namespace with a network namespace here, asked of
 * util-linux's unshare(1): then --net isolated must work for nobody too. */
static bool nobody_userns(void)
{
	const char *argv[] = { SETPRIV_PATH,
			       "--reuid=" NOBODY_UID,
			       "--regid=" NOBODY_UID,
			       "--clear-groups",
			       UNSHARE_PATH,
			       "--map-root-user",
			       "--net",
			       "true",
			       NULL };
	struct sbx_t_proc p;

	if (access(UNSHARE_PATH, X_OK))
		return false;
	sbx_t_run(&p, argv);
	return p.code == 0;
}

/* As nobody: isolated works (a user namespace), or sbx refuses clearly with 125. */
static void unprivileged(void)
{
	struct sbx_t_server *a = server(SOCK_STREAM, "127.0.0.1", 0);
	const char *pa = sbx_t_inet_port_str(a);
	struct sbx_t_proc p;
	bool works;

	if (getuid() != 0 || access(SETPRIV_PATH, X_OK)) {
		skip(4, "needs root and setpriv to run as nobody");
		sbx_t_inet_stop(a);
		return;
	}
	{
		const char *argv[] = { SETPRIV_PATH,
				       "--reuid=" NOBODY_UID,
				       "--regid=" NOBODY_UID,
				       "--clear-groups",
				       sbx_t_supervise(),
				       "--net",
				       "isolated",
				       "--allow-connect",
				       sbx_t_fmt("127.0.0.1:%s", pa),
				       "--",
				       sbx_t_probe(),
				       "list-netdevs",
				       "proc",
				       NULL };

		sbx_t_run(&p, argv);
	}
	if (p.code == 126 || p.code == 127) {
		sbx_t_diag_proc(&p);
		skip(4, "nobody cannot run the binaries under SBX_BUILD");
		sbx_t_inet_stop(a);
		return;
	}
	works = p.code == 0 && !strcmp(p.last, "ok lo");
	if (nobody_userns()) {
		/* The kernel lets nobody have a user and network namespace: so must sbx. */
		if (!ok(works, "as nobody: --net isolated works (unshare -rn works for nobody)"))
			sbx_t_diag_proc(&p);
	} else if (!ok(works || (p.code == 125 && p.err_len > 0),
		       "as nobody: --net isolated works, or exits 125 with a message")) {
		sbx_t_diag_proc(&p);
	}
	if (!works) {
		sbx_t_diag_proc(&p);
		skip(3, "isolated mode is not available to nobody here");
		sbx_t_inet_stop(a);
		return;
	}
	{
		const char *argv[] = { SETPRIV_PATH,
				       "--reuid=" NOBODY_UID,
				       "--regid=" NOBODY_UID,
				       "--clear-groups",
				       sbx_t_supervise(),
				       "--net",
				       "isolated",
				       "--allow-connect",
				       sbx_t_fmt("127.0.0.1:%s", pa),
				       "--",
				       sbx_t_probe(),
				       "tcp-connect-nb",
				       "127.0.0.1",
				       pa,
				       NULL };

		sbx_t_run(&p, argv);
	}
	if (!ok(strstr(p.last, "writable=1 so_error=0 nonblock=1 cloexec=1") &&
			strstr(p.last, "reply=hello"),
		"as nobody, isolated: the endpoint is reached through the swapped socket"))
		sbx_t_diag_proc(&p);
	is(sbx_t_inet_settled_count(a), 1, "as nobody, isolated: the endpoint accepted one");
	{
		const char *argv[] = { SETPRIV_PATH,
				       "--reuid=" NOBODY_UID,
				       "--regid=" NOBODY_UID,
				       "--clear-groups",
				       sbx_t_supervise(),
				       "--allow-connect",
				       sbx_t_fmt("127.0.0.1:%s", pa),
				       "--",
				       sbx_t_probe(),
				       "tcp-connect",
				       "127.0.0.1",
				       pa,
				       NULL };

		sbx_t_run(&p, argv);
	}
	sbx_t_line_is(&p, "ok hello", "as nobody, filtered: the endpoint is reached");
	sbx_t_inet_stop(a);
}

/*
 * Without the privilege to make a network namespace, and with the user namespace limit at 0,
 * --net isolated is refused before the command runs, naming the step and the limit. The
 * limit is set in a user namespace of the test's own (the host's stays as it is), where the
 * capabilities are then dropped, so sbx must fall back to a user namespace and meets it.
 */
static void userns_limit(void)
{
	struct sbx_t_proc p;
	char script[1024];
	const char *argv[] = { UNSHARE_PATH, "--user", "--map-root-user", "/bin/sh", "-c",
			       script,	     NULL };

	if (access(UNSHARE_PATH, X_OK) || access(SETPRIV_PATH, X_OK)) {
		skip(3, "needs unshare(1) and setpriv(1)");
		return;
	}
	snprintf(script, sizeof(script),
		 "echo 0 > /proc/sys/user/max_user_namespaces || exit 90; "
		 "exec %s --bounding-set=-all --inh-caps=-all %s --net isolated -- /bin/true",
		 SETPRIV_PATH, sbx_t_supervise());
	sbx_t_run(&p, argv);
	if (p.code == 90 || (p.code == 1 && strstr(p.err, "unshare"))) {
		sbx_t_diag_proc(&p);
		skip(3, "cannot make a user namespace with its own limit here");
		return;
	}
	if (!is(p.code, 125, "no namespace may be made: --net isolated exits 125"))
		sbx_t_diag_proc(&p);
	sbx_t_has_str(p.err, "unshare(CLONE_NEWUSER | CLONE_NEWNET): No space left on device",
		      "... naming the call that failed");
	sbx_t_has_str(p.err, "sysctl user.max_user_namespaces", "... and the limit to raise");
}

#define INHERITED_FD  900
#define INHERITED_STR "900"

/* Put a fresh @type inet socket of the test's (host) namespace at INHERITED_FD, inheritable. */
static void inherit_socket(int type)
{
	int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fcntl(INHERITED_FD, F_GETFD) != -1)
		bail_out("fd %d is already in use", INHERITED_FD);
	if (s == -1 || dup2(s, INHERITED_FD) == -1)
		bail_out("inherited socket: %s", strerror(errno));
	close(s);
}

/* Sockets created outside and inherited belong to the host's namespace: in every mode, using
 * them to reach a host listener that is no endpoint must fail. */
static void inherited(const char *what, const char *const *opts)
{
	struct sbx_t_server *t = server(SOCK_STREAM, "127.0.0.1", 0);
	struct sbx_t_server *u = server(SOCK_DGRAM, "127.0.0.1", 0);
	const char *pu = sbx_t_inet_port_str(u);
	struct sbx_t_proc p;

	inherit_socket(SOCK_STREAM);
	SBX_T_IN(&p, opts, "fd-connect", INHERITED_STR, "127.0.0.1", sbx_t_inet_port_str(t));
	close(INHERITED_FD);
	sbx_t_line_is(&p, "errno EPERM", "%s: connect on an inherited host TCP socket: EPERM",
		      what);
	inherit_socket(SOCK_DGRAM);
	SBX_T_IN(&p, opts, "fd-sendto", INHERITED_STR, "127.0.0.1", pu);
	close(INHERITED_FD);
	sbx_t_line_is(&p, "errno EPERM", "%s: sendto on an inherited host UDP socket: EPERM", what);
	inherit_socket(SOCK_DGRAM);
	SBX_T_IN(&p, opts, "fd-sendto", INHERITED_STR, "127.0.0.1", pu, "unspec");
	close(INHERITED_FD);
	sbx_t_line_is(&p, "errno EPERM",
		      "%s: sendto (family AF_UNSPEC) on an inherited host UDP socket: EPERM", what);
	is(sbx_t_inet_settled_count(t), 0, "%s: the host TCP listener accepted 0", what);
	is(sbx_t_inet_settled_count(u), 0, "%s: the host UDP receiver got 0", what);
	sbx_t_inet_stop(t);
	sbx_t_inet_stop(u);
}

/* The socket an allowed connect gives the command is the host's: pointing it elsewhere
 * afterwards (disconnect with AF_UNSPEC, sendto another address) must be judged too. */
static void reuse_swapped(const char *what, const char *const *opts_tcp,
			  const char *const *opts_udp, struct sbx_t_server *a,
			  struct sbx_t_server *ua)
{
	struct sbx_t_server *d = server(SOCK_STREAM, "127.0.0.1", 0);
	struct sbx_t_server *ud = server(SOCK_DGRAM, "127.0.0.1", 0);
	struct sbx_t_proc p;

	SBX_T_IN(&p, opts_tcp, "reuse-after-connect", "tcp", "127.0.0.1", sbx_t_inet_port_str(a),
		 "127.0.0.1", sbx_t_inet_port_str(d));
	diag("%s, TCP: %s", what, p.last);
	ok(strstr(p.last, "connect=0 "), "%s: the first connect reached the endpoint", what);
	is(sbx_t_inet_settled_count(d), 0,
	   "%s: the endpoint's socket, disconnected and reconnected, did not reach another "
	   "host listener",
	   what);
	SBX_T_IN(&p, opts_udp, "reuse-after-connect", "udp", "127.0.0.1", sbx_t_inet_port_str(ua),
		 "127.0.0.1", sbx_t_inet_port_str(ud));
	diag("%s, UDP: %s", what, p.last);
	ok(strstr(p.last, "connect=0 "), "%s: the first UDP connect reached the endpoint", what);
	is(sbx_t_inet_settled_count(ud), 0,
	   "%s: the endpoint's UDP socket sent nothing to another host receiver", what);
	sbx_t_inet_stop(d);
	sbx_t_inet_stop(ud);
}

static void reuse(void)
{
	struct sbx_t_server *a = server(SOCK_STREAM, "127.0.0.1", 0);
	struct sbx_t_server *ua = server(SOCK_DGRAM, "127.0.0.1", 0);
	const char *et = sbx_t_fmt("127.0.0.1:%s", sbx_t_inet_port_str(a));
	const char *eu = sbx_t_fmt("udp:127.0.0.1:%s", sbx_t_inet_port_str(ua));

	reuse_swapped("isolated", SBX_T_OPTS(NET("isolated"), CONNECT(et)),
		      SBX_T_OPTS(NET("isolated"), CONNECT(eu)), a, ua);
	reuse_swapped("filtered", SBX_T_OPTS(CONNECT(et)), SBX_T_OPTS(CONNECT(eu)), a, ua);
	sbx_t_inet_stop(a);
	sbx_t_inet_stop(ua);
}

/* After the probe printed "listening ADDR port=N" (or exited), whether the host's loopback
 * reaches that port. Finishes the run. */
static bool host_reaches_listener(struct sbx_t_proc *p, const char *go)
{
	bool reached = false;
	long port;

	if (sbx_t_pump_until(p, "listening ", 10000)) {
		port = sbx_t_field(p->out, "port");
		reached = port > 0 && sbx_t_tcp_ready("127.0.0.1", (int)port, 500);
	}
	sbx_t_write_file(go, "");
	sbx_t_finish(p, SBX_T_RUN_MS);
	return reached;
}

static const char *const listen_modes[] = { "isolated", "none", "filtered" };

/* In the test's private namespace (see host_listen()): bit 0 set when the swapped socket's
 * listener was reachable, bit 1+i when the inherited one's was with listen_modes[i]. */
static int host_listen_cases(void *arg)
{
	int a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r = 0;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t sl = sizeof(sin);
	struct sbx_t_proc p;
	const char *ep;
	size_t i;

	(void)arg;
	if (a == -1 || bind(a, (struct sockaddr *)&sin, sizeof(sin)) == -1 || listen(a, 8) == -1 ||
	    getsockname(a, (struct sockaddr *)&sin, &sl) == -1)
		return 254;
	ep = sbx_t_fmt("%d", ntohs(sin.sin_port));
	SBX_T_SPAWN_IN(&p, SBX_T_OPTS(NET("isolated"), CONNECT(sbx_t_fmt("127.0.0.1:%s", ep))),
		       "swap-listen", "127.0.0.1", ep, sbx_t_tmp("go.swl"));
	if (host_reaches_listener(&p, sbx_t_tmp("go.swl")))
		r |= 1;
	diag("isolated, listen on the disconnected endpoint socket: %s", p.last);
	for (i = 0; i < sizeof(listen_modes) / sizeof(listen_modes[0]); i++) {
		const char *m = listen_modes[i], *go = sbx_t_tmp("go.fdl.%s", m);

		inherit_socket(SOCK_STREAM);
		/* an endpoint too (so filtered allows inet sockets), but none refuses them */
		SBX_T_SPAWN_IN(&p,
			       strcmp(m, "none") ? SBX_T_OPTS(NET(m), CONNECT("127.0.0.1:9"))
						 : SBX_T_OPTS(NET(m)),
			       "fd-listen", INHERITED_STR, go);
		close(INHERITED_FD);
		if (host_reaches_listener(&p, go))
			r |= 2 << i;
		diag("--net %s, listen on an inherited unbound socket: %s", m, p.last);
	}
	close(a);
	return r;
}

/*
 * listen() on an unbound socket of the host's namespace binds every host interface: from
 * isolated or none, that must not happen, whether the socket was inherited or is the one an
 * allowed connect gave the command (disconnected with AF_UNSPEC). The "host" here is a private
 * namespace of the test's with only lo, so a wrong answer exposes nothing.
 */
static void host_listen(void)
{
	int r = sbx_t_in_netns(host_listen_cases, NULL);
	size_t i;

	if (r < 0 || r == 254) {
		skip(4, "cannot make a private network namespace with a listener for the test");
		return;
	}
	ok(!(r & 1), "isolated: the endpoint's socket, disconnected, cannot listen on the host");
	for (i = 0; i < sizeof(listen_modes) / sizeof(listen_modes[0]); i++)
		ok(!(r & (2 << i)),
		   "--net %s: an inherited host socket cannot listen on every interface",
		   listen_modes[i]);
}

int main(void)
{
	sbx_t_init(300);
	have_v6 = sbx_t_have_ipv6();
	only_lo("isolated");
	socket_rules("isolated");
	inside_servers("isolated");
	host_unreachable("--net isolated", SBX_T_OPTS(NET("isolated")));
	host_unreachable("--net isolated with another endpoint",
			 SBX_T_OPTS(NET("isolated"), CONNECT("127.0.0.1:9")));
	endpoints();
	race();
	reuse();
	host_listen();
	none_mode();
	host_mode();
	unprivileged();
	userns_limit();
	inherited("filtered, no endpoint", SBX_T_NOOPTS);
	inherited("filtered, another endpoint", SBX_T_OPTS(CONNECT("127.0.0.1:9")));
	inherited("--net isolated", SBX_T_OPTS(NET("isolated")));
	inherited("--net isolated with another endpoint",
		  SBX_T_OPTS(NET("isolated"), CONNECT("127.0.0.1:9")));
	inherited("--net none", SBX_T_OPTS(NET("none")));
	return done_testing();
}
