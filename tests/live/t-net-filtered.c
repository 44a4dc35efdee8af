/*
 * Live: --allow-connect in the default filtered mode (same network namespace, every inet
 * destination judged). Allowed ADDR:PORT, other ports, addresses, families and protocols;
 * CIDR, port ranges, localhost, UDP, TCP Fast Open, IPv4-mapped IPv6, the unspecified
 * address, the socket() and bind/listen rules, family fields the kernel reads differently
 * (AF_UNSPEC on IPv4, AF_INET on IPv6), the exception for servers the sandbox bound itself
 * (port coincidences, SO_REUSEPORT), and threads rewriting the sockaddr_in while another
 * connects or sends. Every server is the test's own, on loopback; the assertion that matters
 * is always what the denied listener saw.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/harness.h"

#define CONNECT(x) "--allow-connect", (x)

static struct sbx_t_server *tcp(const char *addr, int port)
{
	struct sbx_t_server *s = sbx_t_inet_start(SOCK_STREAM, addr, port);

	if (!s)
		bail_out("TCP server on %s:%d: %s", addr, port, strerror(errno));
	return s;
}

static struct sbx_t_server *udp(const char *addr, int port)
{
	struct sbx_t_server *s = sbx_t_inet_start(SOCK_DGRAM, addr, port);

	if (!s)
		bail_out("UDP server on %s:%d: %s", addr, port, strerror(errno));
	return s;
}

/* A second server on the same port as @first, at another address; port 0 if taken. */
static struct sbx_t_server *same_port(int type, const char *addr, struct sbx_t_server *first)
{
	struct sbx_t_server *s = sbx_t_inet_start(type, addr, sbx_t_inet_port(first));

	if (!s)
		s = sbx_t_inet_start(type, addr, 0);
	if (!s)
		bail_out("server on %s: %s", addr, strerror(errno));
	return s;
}

static bool have_v6;

static void no_endpoints(void)
{
	struct sbx_t_server *s = tcp("127.0.0.1", 0);
	const char *port = sbx_t_inet_port_str(s);
	struct sbx_t_proc p;

	/* Sockets are made; every destination is judged, and the refusal names it and the flag
	 * (a refused socket() said nothing anyone could act on). */
	SBX_T_IN(&p, SBX_T_NOOPTS, "socket", "inet", "stream");
	sbx_t_line_is(&p, "ok", "no endpoint: socket(AF_INET, SOCK_STREAM) is made");
	SBX_T_IN(&p, SBX_T_NOOPTS, "socket", "inet", "dgram");
	sbx_t_line_is(&p, "ok", "no endpoint: socket(AF_INET, SOCK_DGRAM) is made");
	SBX_T_IN(&p, SBX_T_NOOPTS, "socket", "inet6", "stream");
	sbx_t_line_is(&p, "ok", "no endpoint: socket(AF_INET6, SOCK_STREAM) is made");
	SBX_T_IN(&p, SBX_T_NOOPTS, "socket", "inet6", "dgram");
	sbx_t_line_is(&p, "ok", "no endpoint: socket(AF_INET6, SOCK_DGRAM) is made");
	SBX_T_IN(&p, SBX_T_NOOPTS, "tcp-connect", "127.0.0.1", port);
	sbx_t_line_is(&p, "errno EPERM", "no endpoint: a TCP client's connect is EPERM");
	sbx_t_has_str(p.err, sbx_t_fmt("denied connect to 127.0.0.1:%s", port),
		      "no endpoint: the denial line names the endpoint");
	sbx_t_has_str(p.err, sbx_t_fmt("Hint: --allow-connect 127.0.0.1:%s", port),
		      "no endpoint: and the flag that allows it");
	is(sbx_t_inet_settled_count(s), 0, "no endpoint: the loopback listener accepted nothing");
	{
		/* --learn proposes the endpoint, so the next run can allow it */
		const char *pol = sbx_t_tmp("learned.policy");
		char buf[512] = "";
		FILE *f;

		SBX_T_IN(&p, SBX_T_OPTS("--learn", "--suggest-policy", pol), "tcp-connect",
			 "127.0.0.1", port);
		f = fopen(pol, "re");
		if (f) {
			buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
			fclose(f);
		}
		sbx_t_has_str(buf, sbx_t_fmt("allow-connect 127.0.0.1:%s", port),
			      "no endpoint: --learn --suggest-policy proposes the endpoint");
	}
	sbx_t_inet_stop(s);
}

static void allowed_and_denied(void)
{
	struct sbx_t_server *a = tcp("127.0.0.1", 0), *other = tcp("127.0.0.1", 0);
	struct sbx_t_server *addr2 = same_port(SOCK_STREAM, "127.0.0.2", a);
	struct sbx_t_server *v6 = have_v6 ? sbx_t_inet_start(SOCK_STREAM, "::1", 0) : NULL;
	struct sbx_t_server *u = same_port(SOCK_DGRAM, "127.0.0.1", a);
	struct sbx_t_server *uok = udp("127.0.0.1", 0);
	const char *pa = sbx_t_inet_port_str(a), *po = sbx_t_inet_port_str(other);
	const char *ep = sbx_t_fmt("127.0.0.1:%s", pa);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect", "127.0.0.1", pa);
	sbx_t_line_is(&p, "ok hello", "allowed ADDR:PORT: connects and the echo comes back");
	is(p.code, 0, "allowed ADDR:PORT: exit status of the command");
	ok(sbx_t_inet_got(a, "hello"), "allowed ADDR:PORT: the bytes arrived at the server");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("tcp:127.0.0.1:%s", pa))), "tcp-connect",
		 "127.0.0.1", pa);
	sbx_t_line_is(&p, "ok hello", "allowed tcp:ADDR:PORT: connects");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect-nb", "127.0.0.1", pa);
	if (!ok(strstr(p.last, "writable=1 so_error=0") && strstr(p.last, "reply=hello") &&
			(strstr(p.last, "connect=EINPROGRESS") || strstr(p.last, "connect=0")),
		"allowed, non-blocking: EINPROGRESS or 0, then writable, SO_ERROR 0, echo"))
		sbx_t_diag_proc(&p);
	is(sbx_t_inet_settled_count(a), 3, "allowed: the server accepted exactly three");

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect", "127.0.0.1", po);
	sbx_t_line_is(&p, "errno EPERM", "another port: EPERM");
	sbx_t_has_str(p.err, sbx_t_fmt("denied connect to 127.0.0.1:%s by pid", po),
		      "another port: the denial line names ADDR:PORT");
	sbx_t_has_str(p.err, sbx_t_fmt(" (probe). Hint: --allow-connect 127.0.0.1:%s\n", po),
		      "another port: the denial line names the command and has the hint");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect-nb", "127.0.0.1", po);
	sbx_t_line_is(&p, "errno EPERM", "another port, non-blocking: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect", "127.0.0.2",
		 sbx_t_inet_port_str(addr2));
	sbx_t_line_is(&p, "errno EPERM", "another address (127.0.0.2): EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect", "0.0.0.0", po);
	sbx_t_line_is(&p, "errno EPERM", "0.0.0.0 (the kernel takes it as loopback): EPERM");
	if (v6) {
		const char *p6 = sbx_t_inet_port_str(v6);

		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect", "::1", p6);
		sbx_t_line_is(&p, "errno EPERM", "IPv6 [::1]: EPERM");
		sbx_t_has_str(p.err, sbx_t_fmt("Hint: --allow-connect [::1]:%s", p6),
			      "IPv6: the hint has the address in brackets");
		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect", "::", p6);
		sbx_t_line_is(&p, "errno EPERM", "IPv6 [::] (unspecified): EPERM");
		is(sbx_t_inet_settled_count(v6), 0, "IPv6: its listener accepted nothing");
	} else {
		skip(4, "no IPv6 loopback on this host");
	}
	/* The tcp endpoint does not cover UDP to the same address and port */
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "udp-sendto", "127.0.0.1", pa);
	sbx_t_line_is(&p, "errno EPERM", "UDP with only a tcp endpoint: the send is EPERM");
	SBX_T_IN(&p,
		 SBX_T_OPTS(CONNECT(ep),
			    CONNECT(sbx_t_fmt("udp:127.0.0.1:%s", sbx_t_inet_port_str(uok)))),
		 "udp-sendto", "127.0.0.1", sbx_t_inet_port_str(u));
	sbx_t_line_is(&p, "errno EPERM", "UDP to the tcp endpoint's ADDR:PORT: EPERM");
	sbx_t_has_str(p.err,
		      sbx_t_fmt("Hint: --allow-connect udp:127.0.0.1:%s", sbx_t_inet_port_str(u)),
		      "UDP: the hint says udp:");
	{
		const char *fp = sbx_t_fmt("%d", sbx_t_free_port(SOCK_STREAM, "127.0.0.1"));

		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.1:%s", fp))), "tcp-connect",
			 "127.0.0.1", fp);
		sbx_t_line_is(&p, "errno ECONNREFUSED",
			      "an allowed endpoint nobody listens on: the real ECONNREFUSED");
	}
	is(sbx_t_inet_settled_count(other), 0, "another port: its listener accepted nothing");
	is(sbx_t_inet_settled_count(addr2), 0, "another address: its listener accepted nothing");
	is(sbx_t_inet_settled_count(u), 0, "UDP: its receiver got no datagram");
	is(sbx_t_inet_settled_count(a), 3, "denied cases: nothing more reached the allowed one");
	sbx_t_inet_stop(a);
	sbx_t_inet_stop(other);
	sbx_t_inet_stop(addr2);
	sbx_t_inet_stop(v6);
	sbx_t_inet_stop(u);
	sbx_t_inet_stop(uok);
}

static void cidr_and_ranges(void)
{
	struct sbx_t_server *s1 = tcp("127.0.0.1", 0), *s2 = tcp("127.0.0.1", 0);
	struct sbx_t_server *t2 = same_port(SOCK_STREAM, "127.0.0.2", s1);
	int p1 = sbx_t_inet_port(s1), p2 = sbx_t_inet_port(s2);
	int lo = p1 < p2 ? p1 : p2, hi = p1 < p2 ? p2 : p1;
	const char *slo = sbx_t_fmt("%d", lo), *shi = sbx_t_fmt("%d", hi);
	const char *pt2 = sbx_t_inet_port_str(t2);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.0/8:%s", pt2))), "tcp-connect",
		 "127.0.0.2", pt2);
	sbx_t_line_is(&p, "ok hello", "127.0.0.0/8:PORT: 127.0.0.2 is inside");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.0/8:%s", pt2))), "tcp-connect",
		 "127.0.0.1", sbx_t_inet_port_str(s1));
	if (sbx_t_inet_port(s1) == sbx_t_inet_port(t2))
		sbx_t_line_is(&p, "ok hello", "127.0.0.0/8:PORT: 127.0.0.1 is inside");
	else
		sbx_t_line_is(&p, "errno EPERM", "127.0.0.0/8:PORT: another port is outside");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.0/31:%s", pt2))), "tcp-connect",
		 "127.0.0.2", pt2);
	sbx_t_line_is(&p, "errno EPERM", "127.0.0.0/31:PORT: 127.0.0.2 is outside");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.2/32:%s", pt2))), "tcp-connect",
		 "127.0.0.2", pt2);
	sbx_t_line_is(&p, "ok hello", "127.0.0.2/32:PORT: the address itself");

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.1:%d-%d", lo, hi))), "tcp-connect",
		 "127.0.0.1", slo);
	sbx_t_line_is(&p, "ok hello", "range LO-HI: LO is inside");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.1:%d-%d", lo, hi))), "tcp-connect",
		 "127.0.0.1", shi);
	sbx_t_line_is(&p, "ok hello", "range LO-HI: HI is inside");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.1:%d-%d", lo, hi - 1))), "tcp-connect",
		 "127.0.0.1", shi);
	sbx_t_line_is(&p, "errno EPERM", "range LO-(HI-1): HI is outside");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.1:%d-%d", lo + 1, hi))), "tcp-connect",
		 "127.0.0.1", slo);
	sbx_t_line_is(&p, "errno EPERM", "range (LO+1)-HI: LO is outside");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.0/8:%d-%d", lo, hi))), "tcp-connect",
		 "127.0.0.1", shi);
	sbx_t_line_is(&p, "ok hello", "CIDR and range together: inside");
	sbx_t_inet_stop(s1);
	sbx_t_inet_stop(s2);
	sbx_t_inet_stop(t2);
}

static void localhost_and_v6(void)
{
	struct sbx_t_server *v4 = tcp("127.0.0.1", 0), *v6, *n2;
	const char *port = sbx_t_inet_port_str(v4);
	struct sbx_t_proc p;
	int i;

	if (!have_v6) {
		skip(7, "no IPv6 loopback on this host");
		sbx_t_inet_stop(v4);
		return;
	}
	/* The kernel's pick for 127.0.0.1 may be held on ::1 by another test: pick again. */
	for (i = 0; !(v6 = sbx_t_inet_start(SOCK_STREAM, "::1", sbx_t_inet_port(v4))) && i < 10;
	     i++) {
		sbx_t_inet_stop(v4);
		v4 = tcp("127.0.0.1", 0);
		port = sbx_t_inet_port_str(v4);
	}
	if (!v6) {
		skip(7, "no port free on both 127.0.0.1 and ::1 in 10 tries");
		sbx_t_inet_stop(v4);
		return;
	}
	n2 = same_port(SOCK_STREAM, "127.0.0.2", v4);
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("localhost:%s", port))), "tcp-connect",
		 "127.0.0.1", port);
	sbx_t_line_is(&p, "ok hello", "localhost:PORT reaches 127.0.0.1");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("localhost:%s", port))), "tcp-connect", "::1",
		 port);
	sbx_t_line_is(&p, "ok hello", "localhost:PORT reaches [::1]");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("localhost:%s", port))), "tcp-connect",
		 "127.0.0.2", sbx_t_inet_port_str(n2));
	sbx_t_line_is(&p, "errno EPERM", "localhost:PORT does not cover 127.0.0.2");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("[::1]:%s", port))), "tcp-connect", "::1", port);
	sbx_t_line_is(&p, "ok hello", "[::1]:PORT reaches [::1]");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("[::1]:%s", port))), "tcp-connect", "127.0.0.1",
		 port);
	sbx_t_line_is(&p, "errno EPERM", "[::1]:PORT does not cover 127.0.0.1");
	is(sbx_t_inet_settled_count(n2), 0, "localhost: 127.0.0.2's listener accepted nothing");
	is(sbx_t_inet_settled_count(v4), 1, "[::1]: the 127.0.0.1 listener accepted only one");
	sbx_t_inet_stop(v4);
	sbx_t_inet_stop(v6);
	sbx_t_inet_stop(n2);
}

static void udp_endpoints(void)
{
	struct sbx_t_server *ua = udp("127.0.0.1", 0), *ud = udp("127.0.0.1", 0);
	struct sbx_t_server *t = tcp("127.0.0.1", 0);
	const char *pa = sbx_t_inet_port_str(ua), *pd = sbx_t_inet_port_str(ud);
	const char *ep = sbx_t_fmt("udp:127.0.0.1:%s", pa);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "udp-sendto", "127.0.0.1", pa);
	sbx_t_line_is(&p, "ok sent", "udp endpoint: sendto it works");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "udp-connect-send", "127.0.0.1", pa);
	sbx_t_line_is(&p, "ok sent", "udp endpoint: connect + send works");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "sendmmsg-udp", "127.0.0.1", pa, "127.0.0.1", pa);
	sbx_t_line_is(&p, "ok 2", "udp endpoint: sendmmsg of two datagrams to it");
	is(sbx_t_inet_settled_count(ua), 4, "udp endpoint: four datagrams arrived");
	ok(sbx_t_inet_got(ua, "hello") && sbx_t_inet_got(ua, "m1"),
	   "udp endpoint: their bytes arrived");

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "udp-sendto", "127.0.0.1", pd);
	sbx_t_line_is(&p, "errno EPERM", "udp: sendto another port is EPERM");
	sbx_t_has_str(p.err, sbx_t_fmt("Hint: --allow-connect udp:127.0.0.1:%s", pd),
		      "udp: the hint says udp:");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "udp-connect-send", "127.0.0.1", pd);
	sbx_t_line_is(&p, "errno EPERM connect", "udp: connect to another port is EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "sendmmsg-udp", "127.0.0.1", pd);
	sbx_t_line_is(&p, "errno EPERM", "udp: sendmmsg to another port is EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "sendmmsg-udp", "127.0.0.1", pa, "127.0.0.1", pd);
	if (!ok(strcmp(p.last, "ok 2"), "udp: sendmmsg allowed + denied does not send both"))
		sbx_t_diag_proc(&p);
	diag("sendmmsg allowed + denied: %s", p.last);
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "udp-sendto", "::ffff:127.0.0.1", pd);
	sbx_t_line_is(&p, "errno EPERM", "udp: IPv4-mapped form of another port is EPERM");
	is(sbx_t_inet_settled_count(ud), 0, "udp: the other port's receiver got nothing");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect", "127.0.0.1", sbx_t_inet_port_str(t));
	sbx_t_line_is(&p, "errno EPERM", "udp-only endpoint: a TCP connect is EPERM");
	is(sbx_t_inet_settled_count(t), 0, "udp-only endpoint: the TCP listener accepted nothing");
	sbx_t_inet_stop(ua);
	sbx_t_inet_stop(ud);
	sbx_t_inet_stop(t);
}

static int read_sysctl(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void fastopen(void)
{
	struct sbx_t_server *a = tcp("127.0.0.1", 0), *d = tcp("127.0.0.1", 0);
	struct sbx_t_server *d2 = same_port(SOCK_STREAM, "127.0.0.2", a);
	const char *pa = sbx_t_inet_port_str(a), *pd = sbx_t_inet_port_str(d);
	const char *ep = sbx_t_fmt("127.0.0.1:%s", pa);
	int tfo = read_sysctl("/proc/sys/net/ipv4/tcp_fastopen");
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "sendmsg-fastopen", "127.0.0.1", pd);
	sbx_t_line_is(&p, "errno EPERM", "MSG_FASTOPEN sendmsg to a denied port: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "sendmsg-fastopen", "127.0.0.1", pd, "sendto");
	sbx_t_line_is(&p, "errno EPERM", "MSG_FASTOPEN sendto to a denied port: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "sendmsg-fastopen", "127.0.0.2",
		 sbx_t_inet_port_str(d2));
	sbx_t_line_is(&p, "errno EPERM", "MSG_FASTOPEN to a denied address: EPERM");
	is(sbx_t_inet_settled_count(d), 0, "MSG_FASTOPEN: the denied listener accepted nothing");
	is(sbx_t_inet_settled_count(d2), 0, "MSG_FASTOPEN: 127.0.0.2's listener accepted nothing");
	if (tfo >= 0 && (tfo & 1)) {
		/* The replace mode cannot make a connection of a send on a socket it did not
		 * make: refused, and the line says what lifts it. */
		const char *want = sbx_t_replace_mode() ? "errno EPERM" : "ok hello";

		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "sendmsg-fastopen", "127.0.0.1", pa);
		sbx_t_line_is(&p, want, "MSG_FASTOPEN sendmsg to the allowed endpoint: %s", want);
		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "sendmsg-fastopen", "127.0.0.1", pa,
			 "sendto");
		sbx_t_line_is(&p, want, "MSG_FASTOPEN sendto to the allowed endpoint: %s", want);
		if (sbx_t_replace_mode())
			sbx_t_has_str(p.err, "--cap-add SYS_PTRACE",
				      "replace mode: the refusal names the flag that lifts it");
	} else {
		skip(2 + sbx_t_replace_mode(),
		     "TCP Fast Open is off for clients (net.ipv4.tcp_fastopen=%d)", tfo);
	}
	sbx_t_inet_stop(a);
	sbx_t_inet_stop(d);
	sbx_t_inet_stop(d2);
}

static void mapped_v6(void)
{
	struct sbx_t_server *a = tcp("127.0.0.1", 0), *d = same_port(SOCK_STREAM, "127.0.0.2", a);
	const char *pa = sbx_t_inet_port_str(a), *pd = sbx_t_inet_port_str(d);
	struct sbx_t_proc p;

	if (!have_v6) {
		skip(5, "no IPv6 on this host (IPv4-mapped addresses need AF_INET6 sockets)");
		sbx_t_inet_stop(a);
		sbx_t_inet_stop(d);
		return;
	}
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.1:%s", pa))), "tcp-connect",
		 "::ffff:127.0.0.2", pd);
	sbx_t_line_is(&p, "errno EPERM", "::ffff:127.0.0.2 with only 127.0.0.1 allowed: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.1:%s", pa))), "tcp-connect",
		 "::ffff:127.0.0.1", pa);
	sbx_t_line_is(&p, "ok hello", "::ffff:127.0.0.1 matches the IPv4 endpoint 127.0.0.1");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("[::1]:%s", pa))), "tcp-connect",
		 "::ffff:127.0.0.1", pa);
	sbx_t_line_is(&p, "errno EPERM", "::ffff:127.0.0.1 does not match an IPv6 endpoint");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("[::]/0:%s", pa))), "tcp-connect",
		 "::ffff:127.0.0.2", pd);
	sbx_t_line_is(&p, "errno EPERM", "::ffff:127.0.0.2 does not match [::]/0 (IPv6 only)");
	is(sbx_t_inet_settled_count(d), 0, "IPv4-mapped: 127.0.0.2's listener accepted nothing");
	sbx_t_inet_stop(a);
	sbx_t_inet_stop(d);
}

static void socket_rules(void)
{
	static const struct {
		const char *ep, *fam, *type, *proto, *want, *what;
	} cases[] = {
		{ "tcp", "inet", "stream", NULL, "ok", "tcp endpoint: inet stream" },
		{ "tcp", "inet", "stream", "6", "ok", "tcp endpoint: inet stream IPPROTO_TCP" },
		{ "tcp", "inet6", "stream", NULL, "ok", "tcp endpoint: inet6 stream" },
		{ "tcp", "inet", "0x80801", NULL, "ok",
		  "tcp endpoint: SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC" },
		{ "tcp", "inet", "dgram", NULL, "ok",
		  "tcp endpoint: inet dgram (judged at the send)" },
		{ "tcp", "inet6", "dgram", NULL, "ok", "tcp endpoint: inet6 dgram" },
		{ "tcp", "inet", "stream", "132", "errno EPERM",
		  "tcp endpoint: IPPROTO_SCTP stream" },
		{ "tcp", "inet", "stream", "262", "errno EPERM", "tcp endpoint: IPPROTO_MPTCP" },
		{ "tcp", "inet", "stream", "17", "errno EPERM",
		  "tcp endpoint: stream IPPROTO_UDP" },
		{ "tcp", "inet", "seqpacket", "132", "errno EPERM",
		  "tcp endpoint: SCTP seqpacket" },
		{ "tcp", "inet", "raw", "6", "errno EPERM", "tcp endpoint: raw IPPROTO_TCP" },
		{ "tcp", "inet", "raw", "255", "errno EPERM", "tcp endpoint: raw IPPROTO_RAW" },
		{ "tcp", "packet", "raw", NULL, "errno EPERM", "tcp endpoint: AF_PACKET" },
		{ "tcp", "inet", "0x100000003", NULL, "errno EPERM",
		  "tcp endpoint: SOCK_RAW with high bits set in the 64-bit argument" },
		{ "tcp", "inet", "0x100000002", NULL, "ok",
		  "tcp endpoint: SOCK_DGRAM with high bits set (the kernel reads an int)" },
		{ "tcp", "0x100000011", "raw", NULL, "errno EPERM",
		  "tcp endpoint: AF_PACKET with high bits set" },
		{ "udp", "inet", "dgram", NULL, "ok", "udp endpoint: inet dgram" },
		{ "udp", "inet", "dgram", "17", "ok", "udp endpoint: inet dgram IPPROTO_UDP" },
		{ "udp", "inet6", "dgram", NULL, "ok", "udp endpoint: inet6 dgram" },
		{ "udp", "inet", "stream", NULL, "ok",
		  "udp endpoint: inet stream (judged at connect)" },
		{ "udp", "inet", "dgram", "1", "errno EPERM", "udp endpoint: ICMP (ping) socket" },
		{ "udp", "inet6", "dgram", "58", "errno EPERM", "udp endpoint: ICMPv6 socket" },
		{ "udp", "inet", "dgram", "136", "errno EPERM", "udp endpoint: IPPROTO_UDPLITE" },
		{ "udp", "inet", "raw", "17", "errno EPERM", "udp endpoint: raw IPPROTO_UDP" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *ep = !strcmp(cases[i].ep, "tcp") ? "127.0.0.1:9" : "udp:127.0.0.1:9";
		struct sbx_t_proc p;

		if (cases[i].proto)
			SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "socket", cases[i].fam, cases[i].type,
				 cases[i].proto);
		else
			SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "socket", cases[i].fam,
				 cases[i].type);
		sbx_t_line_is(&p, cases[i].want, "socket(): %s", cases[i].what);
	}
}

static void bind_rules(void)
{
	const char *ep = "127.0.0.1:9",
		   *fp = sbx_t_fmt("%d", sbx_t_free_port(SOCK_STREAM, "127.0.0.1"));
	struct sbx_t_server *h = tcp("127.0.0.1", 0);
	struct sbx_t_proc p;
	char out[sizeof(p.last)];

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-bind", "127.0.0.1", "0");
	sbx_t_line_starts(&p, "ok port=", "bind 127.0.0.1:0: allowed");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-bind", "127.0.0.2", "0");
	sbx_t_line_starts(&p, "ok port=", "bind 127.0.0.2:0 (loopback): allowed");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-bind", "127.0.0.1", fp);
	sbx_t_line_is(&p, "errno EPERM bind", "bind a fixed port without --allow-bind: EPERM");
	sbx_t_has_str(p.err, sbx_t_fmt("Hint: --allow-bind %s", fp),
		      "fixed port: the hint names it");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep), "--allow-bind", fp), "inet-bind", "127.0.0.1", fp);
	sbx_t_line_is(&p, sbx_t_fmt("ok port=%s", fp),
		      "bind a fixed port with --allow-bind PORT: ok");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep), "--allow-bind", fp), "inet-bind", "0.0.0.0", fp);
	sbx_t_line_is(&p, sbx_t_fmt("ok port=%s", fp),
		      "--allow-bind PORT: any address with it is ok");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep), "--allow-bind", fp), "inet-bind", "127.0.0.1",
		 sbx_t_fmt("%d", sbx_t_free_port(SOCK_STREAM, "127.0.0.1")));
	sbx_t_line_is(&p, "errno EPERM bind", "--allow-bind PORT: another fixed port is EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-bind", "0.0.0.0", "0");
	sbx_t_line_is(&p, "errno EPERM bind", "bind 0.0.0.0:0 (every interface): EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT("udp:127.0.0.1:9")), "inet-bind", "0.0.0.0", "0", "dgram");
	sbx_t_line_is(&p, "errno EPERM bind", "bind a UDP socket to 0.0.0.0:0: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT("udp:127.0.0.1:9")), "inet-bind", "127.0.0.1", "0",
		 "dgram");
	sbx_t_line_starts(&p, "ok port=", "bind a UDP socket to 127.0.0.1:0: allowed");
	if (have_v6) {
		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-bind", "::", "0");
		sbx_t_line_is(&p, "errno EPERM bind", "bind [::]:0: EPERM");
		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-bind", "::1", "0");
		sbx_t_line_starts(&p, "ok port=", "bind [::1]:0: allowed");
	} else {
		skip(2, "no IPv6 loopback on this host");
	}
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "listen-unbound", "inet");
	sbx_t_line_is(&p, "errno EPERM listen", "listen() on an unbound inet socket: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "listen-unbound", "inet6");
	sbx_t_line_is(&p, "errno EPERM listen", "listen() on an unbound inet6 socket: EPERM");
	SBX_T_OUT(&p, "listen-unbound", "unix");
	snprintf(out, sizeof(out), "%s", p.last);
	SBX_T_IN(&p, SBX_T_NOOPTS, "listen-unbound", "unix");
	/* The replace mode holds no copy of a socket it did not bind: refused, said so. */
	if (sbx_t_replace_mode())
		snprintf(out, sizeof(out), "errno EPERM listen");
	sbx_t_line_is(&p, out, "listen() on an unbound AF_UNIX socket: %s", out);

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "serve-and-connect");
	sbx_t_line_starts(&p, "ok self port=",
			  "a server the sandbox bound on 127.0.0.1:0 is reachable from inside");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep), "--allow-bind", fp), "serve-and-connect", "127.0.0.1",
		 fp);
	sbx_t_line_is(&p, sbx_t_fmt("ok self port=%s", fp),
		      "a server the sandbox bound on an --allow-bind port is reachable too");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "tcp-connect", "127.0.0.1", sbx_t_inet_port_str(h));
	sbx_t_line_is(&p, "errno EPERM", "a host loopback listener that is no endpoint: EPERM");
	is(sbx_t_inet_settled_count(h), 0, "the host loopback listener accepted nothing");
	sbx_t_inet_stop(h);
}

/* A thread rewrites the sockaddr_in between the allowed and a denied destination while the
 * main thread connects: a check-then-continue supervisor lets some through. */
static void race(void)
{
	struct sbx_t_server *a = tcp("127.0.0.1", 0), *d = tcp("127.0.0.1", 0);
	struct sbx_t_server *d2 = same_port(SOCK_STREAM, "127.0.0.2", a);
	const char *pa = sbx_t_inet_port_str(a);
	const char *ep = sbx_t_fmt("127.0.0.1:%s", pa);
	struct sbx_t_proc p;
	long okc, eperm;

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-race", "127.0.0.1", pa, "127.0.0.1",
		 sbx_t_inet_port_str(d), "10000");
	okc = sbx_t_field(p.last, "ok");
	eperm = sbx_t_field(p.last, "EPERM");
	diag("race on sin_port, 10000 connects: %s", p.last);
	if (!ok(okc + eperm == 10000, "sockaddr_in race (port): every connect was ok or EPERM"))
		sbx_t_diag_proc(&p);
	ok(okc > 0 && eperm > 0, "sockaddr_in race (port): both ports were seen: the race ran");
	is(sbx_t_inet_settled_count(d), 0, "sockaddr_in race (port): the denied listener got 0");
	is(sbx_t_inet_settled_count(a), okc, "sockaddr_in race (port): every ok reached allowed");

	if (sbx_t_inet_port(d2) != sbx_t_inet_port(a)) {
		skip(3, "127.0.0.2:%s is taken", pa);
	} else {
		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-race", "127.0.0.1", pa, "127.0.0.2", pa,
			 "5000");
		okc = sbx_t_field(p.last, "ok");
		eperm = sbx_t_field(p.last, "EPERM");
		diag("race on sin_addr, 5000 connects: %s", p.last);
		if (!ok(okc + eperm == 5000, "sockaddr_in race (address): ok or EPERM only"))
			sbx_t_diag_proc(&p);
		ok(okc > 0 && eperm > 0, "sockaddr_in race (address): both addresses were seen");
		is(sbx_t_inet_settled_count(d2), 0,
		   "sockaddr_in race (address): 127.0.0.2's listener accepted 0");
	}
	sbx_t_inet_stop(a);
	sbx_t_inet_stop(d);
	sbx_t_inet_stop(d2);
}

/*
 * The family field is not the socket's family: IPv4 UDP sends to an AF_UNSPEC address as if it
 * were AF_INET, IPv6 UDP sends to and connects to an AF_INET address, and IPv4 bind takes
 * AF_UNSPEC with INADDR_ANY. A supervisor that decodes only AF_INET/AF_INET6 lets these by.
 */
static void family_tricks(void)
{
	struct sbx_t_server *ua = udp("127.0.0.1", 0), *ud = udp("127.0.0.1", 0);
	struct sbx_t_server *ux = udp("127.0.0.1", 0);
	const char *pa = sbx_t_inet_port_str(ua), *pd = sbx_t_inet_port_str(ud);
	const char *ep = sbx_t_fmt("udp:127.0.0.1:%s", pa), *tep = "127.0.0.1:9";
	const char *fp = sbx_t_fmt("%d", sbx_t_free_port(SOCK_STREAM, "127.0.0.1"));
	struct sbx_t_proc p;

	SBX_T_OUT(&p, "inet-raw", "sendto", "inet", "dgram", "unspec", "127.0.0.1",
		  sbx_t_inet_port_str(ux));
	sbx_t_line_is(&p, "ok sent",
		      "fixture: unsandboxed, IPv4 UDP sends to an AF_UNSPEC address");
	is(sbx_t_inet_settled_count(ux), 1, "fixture: and the datagram arrives");

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-raw", "sendto", "inet", "dgram", "unspec",
		 "127.0.0.1", pd);
	sbx_t_line_is(&p, "errno EPERM", "IPv4 UDP sendto, family AF_UNSPEC, denied port: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-raw", "sendmsg", "inet", "dgram", "unspec",
		 "127.0.0.1", pd);
	sbx_t_line_is(&p, "errno EPERM", "IPv4 UDP sendmsg, family AF_UNSPEC, denied port: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-raw", "sendto", "inet6", "dgram", "inet",
		 "127.0.0.1", pd);
	sbx_t_line_is(&p, "errno EPERM", "IPv6 UDP sendto an AF_INET address, denied port: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-raw", "connect", "inet6", "dgram", "inet",
		 "127.0.0.1", pd);
	sbx_t_line_is(&p, "errno EPERM", "IPv6 UDP connect to an AF_INET address, denied: EPERM");
	is(sbx_t_inet_settled_count(ud), 0, "family tricks: the denied UDP receiver got nothing");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-raw", "sendto", "inet6", "dgram", "inet",
		 "127.0.0.1", pa);
	diag("IPv6 UDP sendto an AF_INET address of the endpoint: %s", p.last);
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-raw", "sendto", "inet", "dgram", "unspec",
		 "127.0.0.1", pa);
	diag("IPv4 UDP sendto an AF_UNSPEC address of the endpoint: %s", p.last);

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(tep)), "inet-raw", "bind", "inet", "stream", "unspec",
		 "0.0.0.0", "0");
	sbx_t_line_is(&p, "errno EPERM", "bind AF_UNSPEC 0.0.0.0:0 (every interface): EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(tep)), "inet-raw", "bind", "inet", "stream", "unspec",
		 "0.0.0.0", fp);
	sbx_t_line_is(&p, "errno EPERM", "bind AF_UNSPEC 0.0.0.0:PORT without --allow-bind: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-raw", "bind", "inet", "dgram", "unspec",
		 "0.0.0.0", "0");
	sbx_t_line_is(&p, "errno EPERM", "bind a UDP socket AF_UNSPEC 0.0.0.0:0: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(ep)), "inet-raw", "bind", "inet6", "dgram", "inet",
		 "0.0.0.0", "0");
	sbx_t_line_is(&p, "errno EPERM", "bind an IPv6 socket to AF_INET 0.0.0.0:0: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(tep)), "inet-raw", "connect", "inet", "stream", "inet",
		 "127.0.0.1", pd, "8");
	diag("connect with a truncated sockaddr_in (8 bytes): %s", p.last);
	ok(strncmp(p.last, "ok", 2), "connect with a truncated sockaddr_in (8 bytes) fails");
	sbx_t_inet_stop(ua);
	sbx_t_inet_stop(ud);
	sbx_t_inet_stop(ux);
}

/* sendto racing on the destination of a UDP socket. */
static void race_udp(void)
{
	struct sbx_t_server *a = udp("127.0.0.1", 0), *d = udp("127.0.0.1", 0);
	const char *pa = sbx_t_inet_port_str(a);
	struct sbx_t_proc p;
	long okc, eperm;

	SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("udp:127.0.0.1:%s", pa))), "inet-race",
		 "127.0.0.1", pa, "127.0.0.1", sbx_t_inet_port_str(d), "10000", "udp");
	okc = sbx_t_field(p.last, "ok");
	eperm = sbx_t_field(p.last, "EPERM");
	diag("race on sin_port, 10000 UDP sendto: %s", p.last);
	if (!ok(okc + eperm == 10000, "sendto race (UDP): every sendto was ok or EPERM"))
		sbx_t_diag_proc(&p);
	ok(okc > 0 && eperm > 0, "sendto race (UDP): both ports were seen: the race ran");
	is(sbx_t_inet_settled_count(d), 0, "sendto race (UDP): the denied receiver got 0");
	sbx_t_inet_stop(a);
	sbx_t_inet_stop(d);
}

/*
 * The exception for servers the sandbox bound itself must be about that server, not about its
 * port number: a sandbox holding 127.0.0.2:N or [::1]:N must not reach the host's listener on
 * 127.0.0.1:N. (An attacker hunts for N with repeated binds to port 0, or is given N with
 * --allow-bind; here the host listener is started on the port the sandbox got.)
 */
/*
 * One try of self_bound_port_only(): 1 if the host's 127.0.0.1:N was in use by something else
 * (N is the kernel's pick, or a port that was free a moment ago: another test's client may hold
 * it), so nothing was asserted and the caller tries again; 0 once asserted.
 */
static int self_bound_try(const char *bindaddr, bool fixed, const char *what)
{
	const char *bport =
		fixed ? sbx_t_fmt("%d", sbx_t_free_port(SOCK_STREAM, "127.0.0.1")) : "0";
	const char *go = sbx_t_tmp("go.%s.%s", bindaddr, bport);
	const char *const opts_fixed[] = { CONNECT("127.0.0.1:9"), "--allow-bind", bport, NULL };
	const char *const opts_zero[] = { CONNECT("127.0.0.1:9"), NULL };
	struct sbx_t_server *h = NULL;
	struct sbx_t_proc p;
	long port;

	if (fixed) {
		h = sbx_t_inet_start(SOCK_STREAM, "127.0.0.1", (int)strtol(bport, NULL, 10));
		if (!h && errno == EADDRINUSE)
			return 1;
		if (!h)
			bail_out("host listener on 127.0.0.1:%s: %s", bport, strerror(errno));
	}
	SBX_T_SPAWN_IN(&p, fixed ? opts_fixed : opts_zero, "bind-wait-connect", bindaddr, bport,
		       "127.0.0.1", go);
	if (!sbx_t_pump_until(&p, "bound port=", 10000)) {
		sbx_t_finish(&p, 0);
		ok(0, "%s: the sandbox bound its server", what);
		sbx_t_diag_proc(&p);
		skip(1, "no port");
		sbx_t_inet_stop(h);
		return 0;
	}
	port = sbx_t_field(p.out, "port");
	if (!h)
		h = sbx_t_inet_start(SOCK_STREAM, "127.0.0.1", (int)port);
	if (!h) {
		int err = errno;

		sbx_t_write_file(go, "");
		sbx_t_finish(&p, SBX_T_RUN_MS);
		if (err == EADDRINUSE)
			return 1;
		bail_out("host listener on 127.0.0.1:%ld: %s", port, strerror(err));
	}
	sbx_t_write_file(go, "");
	sbx_t_finish(&p, SBX_T_RUN_MS);
	sbx_t_line_is(&p, "errno EPERM", "%s: connect to the host's 127.0.0.1:%ld is EPERM", what,
		      port);
	is(sbx_t_inet_settled_count(h), 0, "%s: the host listener accepted nothing", what);
	sbx_t_inet_stop(h);
	return 0;
}

static void self_bound_port_only(const char *bindaddr, bool fixed, const char *what)
{
	int i;

	for (i = 0; i < 10; i++)
		if (!self_bound_try(bindaddr, fixed, what))
			return;
	bail_out("%s: 127.0.0.1:N was in use by another process in 10 tries", what);
}

static void self_bound(void)
{
	const char *go = sbx_t_tmp("go.own");
	struct sbx_t_proc p;

	SBX_T_SPAWN_IN(&p, SBX_T_OPTS(CONNECT("127.0.0.1:9")), "bind-wait-connect", "127.0.0.1",
		       "0", "127.0.0.1", go);
	sbx_t_pump_until(&p, "bound port=", 10000);
	sbx_t_write_file(go, "");
	sbx_t_finish(&p, SBX_T_RUN_MS);
	sbx_t_line_is(&p, "ok noreply", "control: the sandbox reaches its own 127.0.0.1:N server");
	self_bound_port_only("127.0.0.2", false, "holding 127.0.0.2:N (port 0)");
	self_bound_port_only("127.0.0.2", true, "holding 127.0.0.2:N (--allow-bind N)");
	if (have_v6) {
		self_bound_port_only("::1", false, "holding [::1]:N (port 0)");
		self_bound_port_only("::ffff:127.0.0.2", false,
				     "holding [::ffff:127.0.0.2]:N (port 0)");
	} else {
		skip(4, "no IPv6 loopback on this host");
	}
}

/* What the host's SO_REUSEPORT listener accepted while a sandbox holding the same port on
 * @arg (an address) connected 20 times to 127.0.0.1:PORT; 254 if it could not be set up. */
static int reuseport_count(void *arg)
{
	const char *bindaddr = arg, *port;
	struct sbx_t_server *h = NULL;
	struct sbx_t_proc p;
	int i, n;

	for (i = 0; !h && i < 5; i++)
		h = sbx_t_inet_start_reuseport(SOCK_STREAM, "127.0.0.1",
					       sbx_t_free_port(SOCK_STREAM, "127.0.0.1"));
	if (!h)
		return 254;
	port = sbx_t_inet_port_str(h);
	SBX_T_IN(&p, SBX_T_OPTS(CONNECT("127.0.0.1:9"), "--allow-bind", port), "reuseport-connect",
		 bindaddr, port, "127.0.0.1", "20");
	diag("holding %s:%s with SO_REUSEPORT (--allow-bind %s), 20 connects to 127.0.0.1:%s: %s",
	     bindaddr, port, port, port, p.last);
	n = sbx_t_inet_settled_count(h);
	sbx_t_inet_stop(h);
	return n < 0 ? 253 : n > 250 ? 250 : n;
}

/* SO_REUSEPORT lets a process of the same user share a port with a host listener: a sandbox
 * holding the very address (or the wildcard) of the host's listener must still not reach it.
 * The wildcard case runs in a private namespace with only lo: --allow-bind lets it bind. */
static void reuseport_share(void)
{
	int n = reuseport_count((void *)"127.0.0.1");

	if (n >= 253)
		bail_out("SO_REUSEPORT listener could not be set up");
	is(n, 0, "SO_REUSEPORT on the host listener's own 127.0.0.1:N: the host listener got 0");
	n = sbx_t_in_netns(reuseport_count, (void *)"0.0.0.0");
	if (n < 0 || n >= 253)
		skip(1, "no private network namespace for the wildcard case");
	else
		is(n, 0,
		   "SO_REUSEPORT on 0.0.0.0:N beside the host's 127.0.0.1:N: the host "
		   "listener got 0");
}

/* The address length reaches the kernel's own checks: the same answer in and out. */
static void addr_lengths(void)
{
	static const char *const v4[] = { "15", "16", "17", "128", "129" };
	static const char *const v6[] = { "23", "24", "28", "128", "129" };
	struct sbx_t_server *a = tcp("127.0.0.1", 0), *a6 = NULL;
	const char *pa = sbx_t_inet_port_str(a);
	char want[sizeof(((struct sbx_t_proc *)0)->last)];
	struct sbx_t_proc p;
	size_t i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		SBX_T_OUT(&p, "inet-raw", "connect", "inet", "stream", "inet", "127.0.0.1", pa,
			  v4[i]);
		snprintf(want, sizeof(want), "%s", p.last);
		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("127.0.0.1:%s", pa))), "inet-raw",
			 "connect", "inet", "stream", "inet", "127.0.0.1", pa, v4[i]);
		sbx_t_line_is(&p, want, "connect to the endpoint, addrlen %s: as outside (%s)",
			      v4[i], want);
	}
	if (have_v6)
		a6 = sbx_t_inet_start(SOCK_STREAM, "::1", 0);
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		const char *p6 = a6 ? sbx_t_inet_port_str(a6) : NULL;

		if (!p6) {
			skip(1, "no IPv6 loopback on this host");
			continue;
		}
		SBX_T_OUT(&p, "inet-raw", "connect", "inet6", "stream", "inet6", "::1", p6, v6[i]);
		snprintf(want, sizeof(want), "%s", p.last);
		SBX_T_IN(&p, SBX_T_OPTS(CONNECT(sbx_t_fmt("[::1]:%s", p6))), "inet-raw", "connect",
			 "inet6", "stream", "inet6", "::1", p6, v6[i]);
		sbx_t_line_is(&p, want, "connect to [::1] endpoint, addrlen %s: as outside (%s)",
			      v6[i], want);
	}
	sbx_t_inet_stop(a);
	sbx_t_inet_stop(a6);
}

int main(void)
{
	sbx_t_init(300);
	have_v6 = sbx_t_have_ipv6();
	if (!have_v6)
		diag("no IPv6 loopback: IPv6 cases are skipped");
	no_endpoints();
	allowed_and_denied();
	cidr_and_ranges();
	localhost_and_v6();
	udp_endpoints();
	fastopen();
	mapped_v6();
	socket_rules();
	bind_rules();
	family_tricks();
	addr_lengths();
	self_bound();
	reuseport_share();
	race();
	race_udp();
	return done_testing();
}
