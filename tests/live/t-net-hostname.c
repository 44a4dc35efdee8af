/*
 * Live: host-name endpoints (--allow-connect NAME:PORTS, *.DOMAIN:PORTS, --deny-connect) in
 * the default filtered mode and under --net isolated, where sbx answers the command's DNS. The test
 * makes its own network and mount namespaces (a user namespace too when unprivileged): a private
 * /etc/hosts names good.test (127.0.0.2) and evil.test (127.0.0.3), a private /etc/resolv.conf
 * points at dnsmasq on 127.0.0.1, and HTTP servers listen on both addresses. No packet leaves the
 * namespace. The clients are curl, which resolves with glibc as any program would, and the probe
 * for raw addresses.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/harness.h"

#define CURL	"/usr/bin/curl"
#define DNSMASQ "/usr/sbin/dnsmasq"
#define GIT	"/usr/bin/git"
#define GO	"/usr/bin/go"

/* A static Go client (CGO_ENABLED=0): Go's own resolver, which reads /etc/hosts and
 * /etc/resolv.conf itself and asks A and AAAA at once, and no libc. */
static const char go_client[] = "package main\n"
				"import (\"fmt\"; \"io\"; \"net/http\"; \"os\"; \"time\")\n"
				"func main() {\n"
				"\tc := &http.Client{Timeout: 10 * time.Second}\n"
				"\tr, err := c.Get(os.Args[1])\n"
				"\tif err != nil { fmt.Fprintln(os.Stderr, err); os.Exit(1) }\n"
				"\tdefer r.Body.Close()\n"
				"\tb, _ := io.ReadAll(r.Body)\n"
				"\tfmt.Print(string(b))\n"
				"}\n";
static const char *goclient; /* built by build_go(), or NULL */

static struct sbx_t_server *good, *evil, *good2;
static const char *port, *port2;
static pid_t dnsmasq = -1;
static const char *dyn_hosts;

static int write_id_map(const char *file, unsigned int id)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "0 %u 1\n", id);
	return sbx_t_write_file(file, buf);
}

/* Our own network and mount namespaces, as root or in a user namespace of our own. */
static const char *enter_namespaces(void)
{
	static char why[128];
	struct ifreq ifr = { .ifr_name = "lo" };
	unsigned int uid = geteuid(), gid = getegid();
	int fd;

	if (uid == 0) {
		if (unshare(CLONE_NEWNS | CLONE_NEWNET) == -1)
			return "unshare(CLONE_NEWNS | CLONE_NEWNET) failed";
	} else {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) == -1) {
			snprintf(why, sizeof(why), "no user namespace for an unprivileged run (%s)",
				 strerror(errno));
			return why;
		}
		if (sbx_t_write_file("/proc/self/setgroups", "deny") < 0 ||
		    write_id_map("/proc/self/uid_map", uid) < 0 ||
		    write_id_map("/proc/self/gid_map", gid) < 0)
			return "cannot map our ids in the user namespace";
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return "cannot make / private in the new mount namespace";
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
		return "no lo in the new network namespace";
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1)
		return "cannot bring lo up";
	close(fd);
	return NULL;
}

static void bind_file(const char *content, const char *target)
{
	const char *src = sbx_t_tmp("bind-%d", (int)strlen(target));

	if (sbx_t_write_file(src, content) < 0)
		bail_out("write %s: %s", src, strerror(errno));
	if (mount(src, target, NULL, MS_BIND, NULL) == -1)
		bail_out("bind-mount over %s: %s", target, strerror(errno));
}

static void start_dnsmasq(void)
{
	const char *argv[] = { DNSMASQ,
			       "--keep-in-foreground",
			       "--conf-file=/dev/null",
			       "--no-resolv",
			       "--no-hosts",
			       "--user=root",
			       "--pid-file=",
			       "--listen-address=127.0.0.1",
			       "--bind-interfaces",
			       "--port=53",
			       "--local-ttl=1",
			       "--address=/dns.test/127.0.0.2",
			       "--address=/evil-dns.test/127.0.0.3",
			       sbx_t_fmt("--addn-hosts=%s", dyn_hosts),
			       NULL };

	if (access(DNSMASQ, X_OK))
		return;
	dnsmasq = fork();
	if (dnsmasq == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execv(DNSMASQ, (char **)argv);
		_exit(127);
	}
}

static bool dns_ready(void *arg)
{
	struct sbx_t_proc p;
	const char *argv[] = { "/usr/bin/getent", "hosts", "dns.test", NULL };

	(void)arg;
	sbx_t_run(&p, argv);
	return p.code == 0 && strstr(p.out, "127.0.0.2");
}

#define CONNECT_DNS "--allow-connect", "udp:127.0.0.1:53"
#define LIST(...)   ((const char *const[]){ __VA_ARGS__, NULL })

/* sbx-supervise OPTS... -- curl -sS URL */
static int curl(struct sbx_t_proc *p, const char *const *opts, const char *url)
{
	const char *argv[32];
	int n = 0;

	argv[n++] = sbx_t_supervise();
	for (; *opts && n < 24; opts++)
		argv[n++] = *opts;
	argv[n++] = "--";
	argv[n++] = CURL;
	argv[n++] = "-q";
	argv[n++] = "-sS";
	argv[n++] = "--max-time";
	argv[n++] = "10";
	argv[n++] = url;
	argv[n] = NULL;
	return sbx_t_run(p, argv);
}

static void allowed_name(void)
{
	struct sbx_t_proc p;

	curl(&p, LIST("--allow-connect", sbx_t_fmt("good.test:%s", port)),
	     sbx_t_fmt("http://good.test:%s/", port));
	if (!sbx_t_is_str(p.out, "good", "good.test allowed by name: curl gets its page"))
		sbx_t_diag_proc(&p);
	is(sbx_t_inet_settled_count(good), 1, "good.test's server got the request");

	curl(&p, LIST("--allow-connect", sbx_t_fmt("GOOD.test.:%s", port)),
	     sbx_t_fmt("http://good.test:%s/", port));
	sbx_t_is_str(p.out, "good", "a name is matched without case and trailing dot");

	curl(&p, LIST("--allow-connect", sbx_t_fmt("good.test:%s", port)),
	     sbx_t_fmt("http://evil.test:%s/", port));
	is(p.code, 7, "another name (evil.test, 127.0.0.3): curl cannot connect (exit 7)");
	sbx_t_has_str(p.err, sbx_t_fmt("denied connect to 127.0.0.3:%s", port),
		      "the denial names the address");
	curl(&p, LIST("--allow-connect", sbx_t_fmt("good.test:%s", port)),
	     sbx_t_fmt("http://127.0.0.3:%s/", port));
	is(p.code, 7, "the other name's address: refused too");
	is(sbx_t_inet_settled_count(evil), 0, "evil.test's server accepted nothing");

	/* A name allowed on one port opens no other port on its addresses. */
	curl(&p, LIST("--allow-connect", sbx_t_fmt("good.test:%s", port)),
	     sbx_t_fmt("http://good.test:%s/", port2));
	is(p.code, 7, "good.test on another port: refused");
	sbx_t_has_str(p.err, sbx_t_fmt("denied connect to good.test:%s (127.0.0.2)", port2),
		      "the denial line names the host and its address");
	sbx_t_has_str(p.err, sbx_t_fmt("Hint: --allow-connect good.test:%s", port2),
		      "and the hint proposes the name, not the address");
	is(sbx_t_inet_settled_count(good2), 0, "the other port's server accepted nothing");
	curl(&p, LIST("--allow-connect", sbx_t_fmt("udp:good.test:%s", port)),
	     sbx_t_fmt("http://good.test:%s/", port));
	is(p.code, 7, "udp:good.test does not allow TCP");
}

static void mapped(void)
{
	struct sbx_t_proc p;

	if (!sbx_t_have_ipv6()) {
		skip(2, "no IPv6 (IPv4-mapped addresses need AF_INET6 sockets)");
		return;
	}
	SBX_T_IN(&p, SBX_T_OPTS("--allow-connect", sbx_t_fmt("good.test:%s", port)), "tcp-connect",
		 "::ffff:127.0.0.2", port);
	sbx_t_line_starts(&p, "ok", "::ffff:127.0.0.2 is good.test's address, mapped: allowed");
	SBX_T_IN(&p, SBX_T_OPTS("--allow-connect", sbx_t_fmt("good.test:%s", port)), "tcp-connect",
		 "::ffff:127.0.0.3", port);
	sbx_t_line_is(&p, "errno EPERM", "::ffff:127.0.0.3 (evil.test, mapped): EPERM");
}

static void deny_wins(void)
{
	struct sbx_t_proc p;
	const char *wide = sbx_t_fmt("127.0.0.0/8:%s", port);

	curl(&p, LIST("--allow-connect", wide, "--deny-connect", sbx_t_fmt("evil.test:%s", port)),
	     sbx_t_fmt("http://evil.test:%s/", port));
	is(p.code, 7, "--deny-connect evil.test inside an allowed 127.0.0.0/8: refused");
	sbx_t_has_str(p.err, sbx_t_fmt("denied connect to evil.test:%s (127.0.0.3)", port),
		      "the line names the denied host");
	sbx_t_has_str(p.err, sbx_t_fmt("refused by --deny-connect evil.test:%s", port),
		      "and the exception that refused it, with no hint to allow it");
	curl(&p, LIST("--allow-connect", wide, "--deny-connect", sbx_t_fmt("evil.test:%s", port)),
	     sbx_t_fmt("http://good.test:%s/", port));
	sbx_t_is_str(p.out, "good", "the rest of 127.0.0.0/8 stays allowed");
	curl(&p, LIST("--allow-connect", wide, "--deny-connect", "127.0.0.3:1-65535"),
	     sbx_t_fmt("http://evil.test:%s/", port));
	is(p.code, 7, "--deny-connect by address wins over an allowed range");
	curl(&p,
	     LIST("--allow-connect", sbx_t_fmt("good.test:%s", port), "--deny-connect",
		  sbx_t_fmt("good.test:%s", port)),
	     sbx_t_fmt("http://good.test:%s/", port));
	is(p.code, 7, "--deny-connect of the very name allowed wins");
	is(sbx_t_inet_settled_count(evil), 0, "evil.test's server still accepted nothing");
}

static void dns_names(void)
{
	struct sbx_t_proc p;
	int before;

	if (dnsmasq < 0) {
		skip(5, "needs dnsmasq (apt-get install dnsmasq-base)");
		return;
	}
	before = sbx_t_inet_settled_count(good);
	/* The command's own lookups go to its resolver, which is allowed as any endpoint. */
	curl(&p, LIST("--allow-connect", sbx_t_fmt("dns.test:%s", port), CONNECT_DNS),
	     sbx_t_fmt("http://dns.test:%s/", port));
	if (!sbx_t_is_str(p.out, "good",
			  "a name only DNS knows (dnsmasq): allowed, resolved by sbx"))
		sbx_t_diag_proc(&p);
	curl(&p, LIST("--allow-connect", sbx_t_fmt("dns.test:%s", port), CONNECT_DNS),
	     sbx_t_fmt("http://evil-dns.test:%s/", port));
	is(p.code, 7, "another DNS name: refused");

	/* The answer changes after sbx resolved the name and before the command looks it up:
	 * sbx asks again when a connect matches nothing on a port a name rule covers. */
	sbx_t_write_file(dyn_hosts, "127.0.0.9 moves.test\n");
	kill(dnsmasq, SIGHUP);
	usleep(200 * 1000);
	{
		const char *argv[] = { sbx_t_supervise(),
				       "--allow-connect",
				       sbx_t_fmt("moves.test:%s", port),
				       CONNECT_DNS,
				       "--",
				       "/bin/sh",
				       "-c",
				       sbx_t_fmt("sleep 2; %s -q -sS --max-time 10 "
						 "http://moves.test:%s/",
						 CURL, port),
				       NULL };
		struct sbx_t_proc q;

		sbx_t_spawn(&q, argv);
		usleep(500 * 1000); /* sbx has resolved moves.test to 127.0.0.9 by now */
		sbx_t_write_file(dyn_hosts, "127.0.0.2 moves.test\n");
		kill(dnsmasq, SIGHUP);
		sbx_t_finish(&q, 20000);
		if (!sbx_t_is_str(q.out, "good",
				  "a name that moved after sbx resolved it: the new address is "
				  "allowed (sbx resolved it again)"))
			sbx_t_diag_proc(&q);
	}
	is(sbx_t_inet_settled_count(good), before + 2, "good.test's server got both requests");
	is(sbx_t_inet_settled_count(evil), 0, "evil's server accepted nothing");
}

/* Filtered mode: *.dns.test (dnsmasq answers every name under it with 127.0.0.2) is learned
 * from the questions curl's resolver (glibc) sends through sbx. */
static void filtered_wildcards(void)
{
	struct sbx_t_proc p;
	const char *w = sbx_t_fmt("*.dns.test:%s", port);
	int before;

	if (dnsmasq < 0) {
		skip(7, "needs dnsmasq (apt-get install dnsmasq-base)");
		return;
	}
	before = sbx_t_inet_settled_count(good);
	curl(&p, LIST("--allow-connect", w, CONNECT_DNS), sbx_t_fmt("http://a.dns.test:%s/", port));
	if (!sbx_t_is_str(p.out, "good",
			  "filtered: *.dns.test allows a.dns.test (learned from its lookup)"))
		sbx_t_diag_proc(&p);
	curl(&p, LIST("--allow-connect", w, CONNECT_DNS),
	     sbx_t_fmt("http://deep.b.dns.test:%s/", port));
	sbx_t_is_str(p.out, "good", "filtered: *.dns.test allows deep.b.dns.test");
	curl(&p, LIST("--allow-connect", w, CONNECT_DNS),
	     sbx_t_fmt("http://a.evil-dns.test:%s/", port));
	is(p.code, 7, "filtered: a name outside the wildcard (its address 127.0.0.3): refused");
	curl(&p, LIST("--allow-connect", w, CONNECT_DNS), sbx_t_fmt("http://127.0.0.3:%s/", port));
	is(p.code, 7, "filtered: that address by itself: refused");
	/* Without a lookup of a name under it, a wildcard allows no address: not even the one
	 * every name under it has. */
	curl(&p, LIST("--allow-connect", w, CONNECT_DNS), sbx_t_fmt("http://127.0.0.2:%s/", port));
	is(p.code, 7, "filtered: the wildcard's names' address, with no lookup: refused");
	is(sbx_t_inet_settled_count(good), before + 2,
	   "good's server got the two allowed requests");
	is(sbx_t_inet_settled_count(evil), 0, "evil's server accepted nothing");
}

static void start_warnings(void)
{
	struct sbx_t_proc p;
	const char *argv[] = { sbx_t_supervise(), "--allow-connect",
			       "nosuch.test:80",  "--",
			       "/bin/true",	  NULL };
	const char *bad[] = { sbx_t_supervise(),  "--allow-connect",
			      "bad_name.test:80", "--",
			      "/bin/true",	  NULL };

	sbx_t_run(&p, argv);
	is(p.code, 0, "a name that does not resolve: the command still runs");
	sbx_t_has_str(p.err, "warning: nosuch.test does not resolve", "with a warning");
	sbx_t_run(&p, bad);
	is(p.code, 125, "a malformed name: exit 125 before anything runs");
	sbx_t_has_str(p.err, "--allow-connect bad_name.test:80: a host name has only letters",
		      "with what is wrong");
}

static void learn(void)
{
	struct sbx_t_proc p;
	const char *pol = sbx_t_tmp("learned.policy");
	char buf[512] = "";
	FILE *f;

	curl(&p,
	     LIST("--learn", "--suggest-policy", pol, "--allow-connect",
		  sbx_t_fmt("good.test:%s", port)),
	     sbx_t_fmt("http://good.test:%s/", port2));
	f = fopen(pol, "r");
	if (f) {
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
	}
	sbx_t_has_str(buf, sbx_t_fmt("allow-connect good.test:%s", port2),
		      "--learn proposes the name of a known host, not its address");
}

/* sbx-supervise --net isolated OPTS... -- sh -c SCRIPT */
static int iso_sh(struct sbx_t_proc *p, const char *const *opts, const char *script)
{
	const char *argv[32];
	int n = 0;

	argv[n++] = sbx_t_supervise();
	argv[n++] = "--net";
	argv[n++] = "isolated";
	for (; *opts && n < 26; opts++)
		argv[n++] = *opts;
	argv[n++] = "--";
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n] = NULL;
	return sbx_t_run(p, argv);
}

static const char *curl_cmd(const char *host, const char *p)
{
	return sbx_t_fmt("%s -q -sS --max-time 10 http://%s:%s/", CURL, host, p);
}

static void isolated(void)
{
	struct sbx_t_proc p;
	const char *allow = sbx_t_fmt("good.test:%s", port);
	int g = sbx_t_inet_settled_count(good), g2 = sbx_t_inet_settled_count(good2);
	int e = sbx_t_inet_settled_count(evil);

	iso_sh(&p, LIST("--allow-connect", allow), curl_cmd("good.test", port));
	if (!sbx_t_is_str(p.out, "good", "isolated: good.test by name reaches its server"))
		sbx_t_diag_proc(&p);
	is(sbx_t_inet_settled_count(good), g + 1, "isolated: the server got the request");
	iso_sh(&p, LIST("--allow-connect", allow), "getent hosts good.test");
	sbx_t_has_str(p.out, "198.18.0.1", "isolated: the command is given a synthetic address");

	iso_sh(&p, LIST("--allow-connect", allow), curl_cmd("evil.test", port));
	is(p.code, 6, "isolated: another name does not resolve (curl exit 6)");
	sbx_t_has_str(p.err, "denied DNS lookup of evil.test", "the refused lookup is a denial");
	sbx_t_has_str(p.err, "Hint: --allow-connect evil.test:PORT", "with a hint");
	iso_sh(&p, LIST("--allow-connect", allow), curl_cmd("127.0.0.3", port));
	is(p.code, 7, "isolated: the other name's address reaches nothing");
	iso_sh(&p, LIST("--allow-connect", allow), curl_cmd("127.0.0.2", port));
	is(p.code, 7, "isolated: even the allowed name's own address: names only");
	iso_sh(&p, LIST("--allow-connect", allow), curl_cmd("good.test", port2));
	is(p.code, 7, "isolated: the allowed name on another port: refused");
	sbx_t_has_str(p.err, sbx_t_fmt("denied connect to good.test:%s (198.18.0.1)", port2),
		      "the denial names the host");
	if (sbx_t_have_ipv6()) {
		char script[512];

		snprintf(script, sizeof(script),
			 "getent hosts good.test >/dev/null; %s tcp-connect ::ffff:198.18.0.1 %s",
			 sbx_t_probe(), port);
		iso_sh(&p, LIST("--allow-connect", allow), script);
		sbx_t_line_starts(&p, "ok",
				  "isolated: the synthetic address, IPv4-mapped on an "
				  "IPv6 socket, reaches the name too");
	} else {
		skip(1, "no IPv6");
	}
	iso_sh(&p, LIST("--allow-connect", allow), "getent hosts nosuch.test; echo rc=$?");
	sbx_t_has_str(p.out, "rc=2", "isolated: a name not listed gets no answer at all");
	is(sbx_t_inet_settled_count(evil), e, "isolated: evil.test's server accepted nothing");
	is(sbx_t_inet_settled_count(good2), g2, "isolated: the other port's server neither");
}

static void isolated_wildcards(void)
{
	struct sbx_t_proc p;
	const char *w = sbx_t_fmt("*.x.test:%s", port);

	iso_sh(&p, LIST("--allow-connect", w), curl_cmd("a.x.test", port));
	if (!sbx_t_is_str(p.out, "good", "isolated: *.x.test allows a.x.test"))
		sbx_t_diag_proc(&p);
	iso_sh(&p, LIST("--allow-connect", w), curl_cmd("deep.a.x.test", port));
	sbx_t_is_str(p.out, "good", "isolated: *.x.test allows deep.a.x.test");
	iso_sh(&p, LIST("--allow-connect", w), curl_cmd("x.test", port));
	is(p.code, 6, "isolated: *.x.test does not allow x.test itself");
	iso_sh(&p, LIST("--allow-connect", w), curl_cmd("evilx.test", port));
	is(p.code, 6, "isolated: *.x.test does not allow evilx.test");
	iso_sh(&p, LIST("--allow-connect", w), curl_cmd("nosuch.x.test", port));
	is(p.code, 6, "isolated: a name under the wildcard that does not exist: NXDOMAIN");
	iso_sh(&p, LIST("--allow-connect", w, "--deny-connect", sbx_t_fmt("b.x.test:%s", port)),
	       curl_cmd("b.x.test", port));
	is(p.code, 7, "isolated: --deny-connect b.x.test inside *.x.test wins");
	sbx_t_has_str(p.err, sbx_t_fmt("refused by --deny-connect b.x.test:%s", port),
		      "and names the exception");
	is(sbx_t_inet_settled_count(evil), 0, "isolated: evil.test's server accepted nothing");
}

static void isolated_udp(void)
{
	struct sbx_t_proc p;
	struct sbx_t_server *u = sbx_t_inet_start(SOCK_DGRAM, "127.0.0.2", 0);
	char script[1024];
	const char *up;

	if (!u)
		bail_out("UDP server on 127.0.0.2: %s", strerror(errno));
	up = sbx_t_inet_port_str(u);
	snprintf(script, sizeof(script),
		 "a=$(getent hosts good.test | head -n1 | cut -d' ' -f1); "
		 "%s udp-sendto $a %s by-name-sendto; %s udp-connect-send $a %s by-name-connected",
		 sbx_t_probe(), up, sbx_t_probe(), up);
	iso_sh(&p, LIST("--allow-connect", sbx_t_fmt("udp:good.test:%s", up)), script);
	if (!sbx_t_has_str(p.out, "ok sent", "isolated: UDP to an allowed name is sent"))
		sbx_t_diag_proc(&p);
	usleep(200 * 1000);
	ok(sbx_t_inet_got(u, "by-name-sendto") && sbx_t_inet_got(u, "by-name-connected"),
	   "isolated: the UDP server got both datagrams (sendto and connect+send)");
	snprintf(script, sizeof(script),
		 "a=$(getent hosts good.test | head -n1 | cut -d' ' -f1); "
		 "%s udp-sendto $a %d other-port",
		 sbx_t_probe(), sbx_t_inet_port(u) == 65535 ? 1 : sbx_t_inet_port(u) + 1);
	iso_sh(&p, LIST("--allow-connect", sbx_t_fmt("udp:good.test:%s", up)), script);
	sbx_t_has_str(p.out, "EPERM", "isolated: UDP to the name on another port: EPERM");
	sbx_t_inet_stop(u);
}

static void isolated_learn(void)
{
	struct sbx_t_proc p;
	const char *pol = sbx_t_tmp("learned-iso.policy"), *log = sbx_t_tmp("iso-audit.log");
	int e = sbx_t_inet_settled_count(evil);
	char buf[1024] = "";
	FILE *f;

	iso_sh(&p,
	       LIST("--learn", "--suggest-policy", pol, "--allow-connect",
		    sbx_t_fmt("good.test:%s", port)),
	       curl_cmd("evil.test", port));
	sbx_t_is_str(p.out, "evil", "isolated --learn: a name no rule names is let through");
	f = fopen(pol, "r");
	if (f) {
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
	}
	sbx_t_has_str(buf, sbx_t_fmt("allow-connect evil.test:%s", port),
		      "isolated --learn proposes the name the command looked up");
	is(sbx_t_inet_settled_count(evil), e + 1, "(evil's server got that one request)");
	iso_sh(&p, LIST("--audit-log", log, "--allow-connect", sbx_t_fmt("good.test:%s", port)),
	       curl_cmd("evil.test", port));
	f = fopen(log, "r");
	buf[0] = '\0';
	if (f) {
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
	}
	ok(strstr(buf, "\"syscall\":\"dns-query\"") && strstr(buf, "\"host\":\"evil.test\""),
	   "isolated: a refused lookup is a deny record naming the host");
}

static void isolated_dns_server(void)
{
	struct sbx_t_proc p;

	if (dnsmasq < 0) {
		skip(1, "needs dnsmasq");
		return;
	}
	iso_sh(&p, LIST("--allow-connect", sbx_t_fmt("dns.test:%s", port)),
	       curl_cmd("dns.test", port));
	sbx_t_is_str(p.out, "good",
		     "isolated: a name only the host's DNS server knows: resolved on the host");
}

static void git_http(void)
{
	struct sbx_t_proc p;
	const char *argv[] = { sbx_t_supervise(),
			       "--allow-connect",
			       sbx_t_fmt("good.test:%s", port),
			       "--",
			       GIT,
			       "ls-remote",
			       sbx_t_fmt("http://good.test:%s/repo.git", port),
			       NULL };
	const char *argv2[] = { sbx_t_supervise(),
				"--allow-connect",
				sbx_t_fmt("good.test:%s", port),
				"--",
				GIT,
				"ls-remote",
				sbx_t_fmt("http://evil.test:%s/repo.git", port),
				NULL };
	int g = sbx_t_inet_settled_count(good), e = sbx_t_inet_settled_count(evil);

	if (access(GIT, X_OK)) {
		skip(2, "needs git");
		return;
	}
	/* The test server is no git server: reaching it is the point, not cloning. */
	setenv("GIT_TERMINAL_PROMPT", "0", 1);
	sbx_t_run(&p, argv);
	ok(sbx_t_inet_settled_count(good) > g, "git over HTTP to good.test reaches its server");
	sbx_t_run(&p, argv2);
	ok(sbx_t_inet_settled_count(evil) == e && strstr(p.err, "denied connect to 127.0.0.3"),
	   "git over HTTP to evil.test: refused, the server saw nothing");
}

static void build_go(void)
{
	const char *src = sbx_t_tmp("goclient.go"), *bin = sbx_t_tmp("goclient");
	const char *cache = sbx_t_tmp("gocache");
	struct sbx_t_proc p;
	const char *argv[] = { "/usr/bin/env",
			       sbx_t_fmt("HOME=%s", sbx_t_tmpdir()),
			       sbx_t_fmt("GOCACHE=%s", cache),
			       "CGO_ENABLED=0",
			       "GOFLAGS=",
			       GO,
			       "build",
			       "-o",
			       bin,
			       src,
			       NULL };

	if (access(GO, X_OK))
		return;
	sbx_t_write_file(src, go_client);
	if (sbx_t_spawn(&p, argv) == 0 && sbx_t_finish(&p, 120000) == 0)
		goclient = bin;
	else
		sbx_t_diag_proc(&p);
}

static void go_static(void)
{
	struct sbx_t_proc p;
	const char *allow = sbx_t_fmt("good.test:%s", port);
	const char *filtered[] = { sbx_t_supervise(),
				   "--allow-connect",
				   allow,
				   "--",
				   goclient,
				   sbx_t_fmt("http://good.test:%s/", port),
				   NULL };
	const char *filtered_evil[] = { sbx_t_supervise(),
					"--allow-connect",
					allow,
					"--",
					goclient,
					sbx_t_fmt("http://evil.test:%s/", port),
					NULL };
	int e = sbx_t_inet_settled_count(evil);

	if (!goclient) {
		skip(5, "needs go (apt-get install golang-go) to build a static client");
		return;
	}
	sbx_t_run(&p, filtered);
	if (!sbx_t_is_str(p.out, "good", "static Go client, filtered: good.test by name"))
		sbx_t_diag_proc(&p);
	sbx_t_run(&p, filtered_evil);
	ok(p.code != 0 && strstr(p.err, "denied connect to 127.0.0.3"),
	   "static Go client, filtered: evil.test refused");
	iso_sh(&p, LIST("--allow-connect", allow),
	       sbx_t_fmt("%s http://good.test:%s/", goclient, port));
	if (!sbx_t_is_str(p.out, "good", "static Go client, isolated: good.test through sbx's DNS"))
		sbx_t_diag_proc(&p);
	iso_sh(&p, LIST("--allow-connect", allow),
	       sbx_t_fmt("%s http://evil.test:%s/", goclient, port));
	ok(p.code != 0 && strstr(p.err, "denied DNS lookup of evil.test"),
	   "static Go client, isolated: evil.test is not even resolved");
	is(sbx_t_inet_settled_count(evil), e, "static Go client: evil's server saw nothing");
}

static void git_isolated(void)
{
	struct sbx_t_proc p;
	int g = sbx_t_inet_settled_count(good);

	if (access(GIT, X_OK)) {
		skip(1, "needs git");
		return;
	}
	iso_sh(&p, LIST("--allow-connect", sbx_t_fmt("good.test:%s", port)),
	       sbx_t_fmt("GIT_TERMINAL_PROMPT=0 %s ls-remote http://good.test:%s/repo.git", GIT,
			 port));
	ok(sbx_t_inet_settled_count(good) > g, "isolated: git over HTTP by name reaches it");
}

int main(void)
{
	const char *why;

	sbx_t_init(300);
	if (access(CURL, X_OK))
		skip_all("needs curl");
	why = enter_namespaces();
	if (why)
		skip_all("%s", why);
	bind_file("127.0.0.1 localhost\n"
		  "127.0.0.2 good.test a.x.test deep.a.x.test b.x.test x.test evilx.test\n"
		  "127.0.0.3 evil.test\n",
		  "/etc/hosts");
	bind_file("nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", "/etc/resolv.conf");
	dyn_hosts = sbx_t_tmp("dyn.hosts");
	sbx_t_write_file(dyn_hosts, "127.0.0.9 moves.test\n");
	good = sbx_t_inet_start_http("127.0.0.2", 0, "good");
	if (!good)
		bail_out("HTTP server on 127.0.0.2: %s", strerror(errno));
	port = sbx_t_inet_port_str(good);
	evil = sbx_t_inet_start_http("127.0.0.3", sbx_t_inet_port(good), "evil");
	good2 = sbx_t_inet_start_http("127.0.0.2", 0, "good2");
	if (!evil || !good2)
		bail_out("HTTP servers: %s", strerror(errno));
	port2 = sbx_t_inet_port_str(good2);
	start_dnsmasq();
	if (dnsmasq > 0 && !sbx_t_wait_for(dns_ready, NULL, 5000)) {
		diag("dnsmasq did not answer: its cases are skipped");
		kill(dnsmasq, SIGKILL);
		waitpid(dnsmasq, NULL, 0);
		dnsmasq = -1;
	}
	allowed_name();
	mapped();
	deny_wins();
	dns_names();
	filtered_wildcards();
	start_warnings();
	learn();
	git_http();
	isolated();
	isolated_wildcards();
	isolated_udp();
	isolated_dns_server();
	isolated_learn();
	git_isolated();
	build_go();
	go_static();
	if (dnsmasq > 0) {
		kill(dnsmasq, SIGTERM);
		waitpid(dnsmasq, NULL, 0);
	}
	return done_testing();
}
