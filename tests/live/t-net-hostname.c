/*
 * Live: host-name endpoints in the default filtered mode (--allow-connect NAME:PORTS,
 * --deny-connect). The test makes its own network and mount namespaces (a user namespace
 * too when unprivileged): a private /etc/hosts names good.test (127.0.0.2) and evil.test
 * (127.0.0.3), a private /etc/resolv.conf points at dnsmasq on 127.0.0.1, and HTTP servers
 * listen on both addresses. No packet leaves the namespace. The clients are curl, which
 * resolves with glibc as any program would, and the probe for raw addresses.
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

int main(void)
{
	const char *why;

	sbx_t_init(300);
	if (access(CURL, X_OK))
		skip_all("needs curl");
	why = enter_namespaces();
	if (why)
		skip_all("%s", why);
	bind_file("127.0.0.1 localhost\n127.0.0.2 good.test\n127.0.0.3 evil.test\n", "/etc/hosts");
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
	start_warnings();
	learn();
	git_http();
	if (dnsmasq > 0) {
		kill(dnsmasq, SIGTERM);
		waitpid(dnsmasq, NULL, 0);
	}
	return done_testing();
}
