/*
 * Live: --proxy URL. The environment the command gets (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
 * their lowercase forms, NO_PROXY joined after an existing value), the proxy's endpoint being
 * the one allowed, and a real client through a real proxy: curl through tinyproxy (started
 * here on a free loopback port) to an HTTP server on 127.0.0.2, in filtered and isolated mode,
 * while curl straight to the same server fails with a connection error and the server sees no
 * request.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "../lib/harness.h"

#define MAX_ARGV      48
#define CURL_PATH     "/usr/bin/curl"
#define ENV_PATH      "/usr/bin/env"
#define TINYPROXY     "/usr/bin/tinyproxy"
#define BODY	      "sbx-proxied-body"
#define LOOPBACK_NOPX "localhost,127.0.0.1,::1"

/* Run [PRE...] sbx-supervise OPTS... -- CMD... (each list NULL-terminated). */
static int run_cmd(struct sbx_t_proc *p, const char *const *pre, const char *const *opts,
		   const char *const *cmd)
{
	const char *argv[MAX_ARGV];
	int n = 0;

	for (; pre && *pre && n < MAX_ARGV - 8; pre++)
		argv[n++] = *pre;
	argv[n++] = sbx_t_supervise();
	for (; opts && *opts && n < MAX_ARGV - 4; opts++)
		argv[n++] = *opts;
	argv[n++] = "--";
	for (; cmd && *cmd && n < MAX_ARGV - 1; cmd++)
		argv[n++] = *cmd;
	argv[n] = NULL;
	return sbx_t_run(p, argv);
}

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The value of NAME in `env` output, "(unset)" if absent; lives until the ring wraps. */
static const char *env_val(const char *out, const char *name)
{
	const char *want = sbx_t_fmt("%s=", name), *s = out;
	size_t n = strlen(want);

	while ((s = strstr(s, want))) {
		if (s == out || s[-1] == '\n')
			return sbx_t_fmt("%.*s", (int)strcspn(s + n, "\n"), s + n);
		s += n;
	}
	return "(unset)";
}

/* Whether the output has the line "NAME=VALUE". */
static bool has_line(const char *out, const char *name, const char *value)
{
	return !strcmp(env_val(out, name), value);
}

static void environment(void)
{
	static const char *const vars[] = { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
					    "http_proxy", "https_proxy", "all_proxy" };
	static const char *const urls[] = { "https://127.0.0.1:3129",	"socks4://127.0.0.1:1080",
					    "socks4a://127.0.0.1:1080", "socks5://[::1]:1080",
					    "socks5h://localhost:1080", "http://localhost:3128" };
	const char *url = "http://127.0.0.1:3128";
	struct sbx_t_proc p;
	size_t i;
	bool all = true;

	run_cmd(&p, NULL, LIST("--proxy", url), LIST(ENV_PATH));
	is(p.code, 0, "--proxy: the command runs");
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (!ok(has_line(p.out, vars[i], url), "--proxy: %s is the URL", vars[i]))
			all = false;
	ok(has_line(p.out, "NO_PROXY", LOOPBACK_NOPX), "--proxy: NO_PROXY is %s", LOOPBACK_NOPX);
	ok(has_line(p.out, "no_proxy", LOOPBACK_NOPX), "--proxy: no_proxy is %s", LOOPBACK_NOPX);
	if (!all)
		sbx_t_diag_proc(&p);

	run_cmd(&p, LIST(ENV_PATH, "NO_PROXY=corp.example", "no_proxy=.internal"),
		LIST("--proxy", url), LIST(ENV_PATH));
	if (!ok(has_line(p.out, "NO_PROXY", "corp.example," LOOPBACK_NOPX),
		"--proxy: NO_PROXY is joined after its existing value"))
		sbx_t_diag_proc(&p);
	/* curl and most tools read the lowercase one first: its entries must survive too */
	{
		const char *v = env_val(p.out, "no_proxy");

		if (!ok(strstr(v, ".internal") && strstr(v, LOOPBACK_NOPX),
			"--proxy: no_proxy=.internal set beside NO_PROXY keeps .internal"))
			diag("no_proxy=%s", v);
	}
	run_cmd(&p, LIST(ENV_PATH, "-u", "NO_PROXY", "no_proxy=.internal"), LIST("--proxy", url),
		LIST(ENV_PATH));
	if (!ok(has_line(p.out, "NO_PROXY", ".internal," LOOPBACK_NOPX) &&
			has_line(p.out, "no_proxy", ".internal," LOOPBACK_NOPX),
		"--proxy: only no_proxy set: both are joined after its value"))
		sbx_t_diag_proc(&p);

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		run_cmd(&p, NULL, LIST("--proxy", urls[i]), LIST(ENV_PATH));
		if (!ok(p.code == 0 && has_line(p.out, "ALL_PROXY", urls[i]),
			"--proxy %s: accepted, ALL_PROXY set", urls[i]))
			sbx_t_diag_proc(&p);
	}
}

static void endpoint_allowed(void)
{
	struct sbx_t_server *px = sbx_t_inet_start(SOCK_STREAM, "127.0.0.1", 0);
	struct sbx_t_server *other = sbx_t_inet_start(SOCK_STREAM, "127.0.0.1", 0);
	const char *pp, *po;
	struct sbx_t_proc p;

	if (!px || !other)
		bail_out("servers: %s", strerror(errno));
	pp = sbx_t_inet_port_str(px);
	po = sbx_t_inet_port_str(other);
	SBX_T_IN(&p, SBX_T_OPTS("--proxy", sbx_t_fmt("http://127.0.0.1:%s", pp)), "tcp-connect",
		 "127.0.0.1", pp);
	sbx_t_line_is(&p, "ok hello", "--proxy: its tcp endpoint is allowed");
	SBX_T_IN(&p, SBX_T_OPTS("--proxy", sbx_t_fmt("http://127.0.0.1:%s", pp)), "tcp-connect",
		 "127.0.0.1", po);
	sbx_t_line_is(&p, "errno EPERM", "--proxy: another port is not");
	SBX_T_IN(&p, SBX_T_OPTS("--proxy", sbx_t_fmt("http://127.0.0.1:%s", pp)), "udp-sendto",
		 "127.0.0.1", pp);
	sbx_t_line_is(&p, "errno EPERM", "--proxy: allows TCP only (UDP to its port is refused)");
	sbx_t_has_str(p.err, "--allow-connect udp:",
		      "--proxy: the UDP refusal names the flag that would allow it");
	SBX_T_IN(&p, SBX_T_OPTS("--proxy", sbx_t_fmt("socks5h://localhost:%s", pp)), "tcp-connect",
		 "127.0.0.1", pp);
	sbx_t_line_is(&p, "ok hello", "--proxy socks5h://localhost:PORT allows 127.0.0.1:PORT");
	is(sbx_t_inet_settled_count(px), 2, "--proxy: the proxy's port accepted two");
	is(sbx_t_inet_settled_count(other), 0, "--proxy: the other port accepted nothing");
	sbx_t_inet_stop(px);
	sbx_t_inet_stop(other);
	if (sbx_t_have_ipv6()) {
		struct sbx_t_server *px6 = sbx_t_inet_start(SOCK_STREAM, "::1", 0);

		if (!px6)
			bail_out("server on [::1]: %s", strerror(errno));
		pp = sbx_t_inet_port_str(px6);
		SBX_T_IN(&p, SBX_T_OPTS("--proxy", sbx_t_fmt("socks5://[::1]:%s", pp)),
			 "tcp-connect", "::1", pp);
		sbx_t_line_is(&p, "ok hello", "--proxy socks5://[::1]:PORT allows [::1]:PORT");
		sbx_t_inet_stop(px6);
	} else {
		skip(1, "no IPv6 loopback on this host");
	}
}

/* Start tinyproxy on a free port of 127.0.0.1; returns the port, or 0 (p->pid -1). */
static int start_tinyproxy(struct sbx_t_proc *p)
{
	const char *conf = sbx_t_tmp("tinyproxy.conf");
	int port = sbx_t_free_port(SOCK_STREAM, "127.0.0.1");
	const char *argv[] = { TINYPROXY, "-d", "-c", conf, NULL };
	int e;

	if (sbx_t_write_file(conf, sbx_t_fmt("Port %d\nListen 127.0.0.1\nAllow 127.0.0.1\n"
					     "Timeout 15\nMaxClients 16\nLogLevel Connect\n",
					     port)))
		bail_out("write %s", conf);
	e = sbx_t_spawn(p, argv);
	if (e < 0)
		bail_out("spawn tinyproxy: %s", strerror(-e));
	if (!sbx_t_tcp_ready("127.0.0.1", port, 10000)) {
		sbx_t_finish(p, 0);
		sbx_t_diag_proc(p);
		return 0;
	}
	return port;
}

static void stop_tinyproxy(struct sbx_t_proc *p)
{
	kill(-p->pid, SIGTERM);
	sbx_t_finish(p, 5000);
}

static void curl_through_tinyproxy(void)
{
	struct sbx_t_server *web;
	struct sbx_t_proc tp, p;
	const char *url, *purl;
	int port;

	if (access(CURL_PATH, X_OK) || access(TINYPROXY, X_OK)) {
		skip(12, "needs curl and tinyproxy (apt-get install curl tinyproxy)");
		return;
	}
	/* on 127.0.0.2 so NO_PROXY (loopback names and 127.0.0.1) does not apply */
	web = sbx_t_inet_start_http("127.0.0.2", 0, BODY);
	if (!web)
		bail_out("HTTP server on 127.0.0.2: %s", strerror(errno));
	port = start_tinyproxy(&tp);
	if (!port) {
		skip(12, "tinyproxy did not start listening");
		sbx_t_inet_stop(web);
		return;
	}
	url = sbx_t_fmt("http://127.0.0.2:%s/file", sbx_t_inet_port_str(web));
	purl = sbx_t_fmt("http://127.0.0.1:%d", port);

	/* outside the sandbox first: the fixture itself works */
	{
		const char *argv[] = { CURL_PATH, "-q", "-sS", "--max-time", "15",
				       "-x",	  purl, url,   NULL };

		sbx_t_run(&p, argv);
		if (!sbx_t_is_str(p.out, BODY, "fixture: curl -x through tinyproxy, unsandboxed"))
			sbx_t_diag_proc(&p);
	}
	is(sbx_t_inet_settled_count(web), 1, "fixture: the HTTP server got one request");

	run_cmd(&p, NULL, LIST("--proxy", purl),
		LIST(CURL_PATH, "-q", "-sS", "--max-time", "15", url));
	is(p.code, 0, "curl with --proxy (from http_proxy in its environment): exit 0");
	if (!sbx_t_is_str(p.out, BODY, "curl with --proxy: the page came through tinyproxy"))
		sbx_t_diag_proc(&p);
	is(sbx_t_inet_settled_count(web), 2, "curl with --proxy: the server got the request");

	run_cmd(&p, NULL, LIST("--proxy", purl),
		LIST(CURL_PATH, "-q", "-sS", "--max-time", "15", "--noproxy", "*", url));
	if (!is(p.code, 7, "curl straight to the server (--noproxy '*'): exit 7, no connection"))
		sbx_t_diag_proc(&p);
	run_cmd(&p, NULL, LIST("--allow-connect", sbx_t_fmt("127.0.0.1:%d", port)),
		LIST(CURL_PATH, "-q", "-sS", "--max-time", "15", url));
	if (!is(p.code, 7, "curl without proxy settings, only the proxy allowed: exit 7"))
		sbx_t_diag_proc(&p);
	run_cmd(&p, NULL, SBX_T_NOOPTS, LIST(CURL_PATH, "-q", "-sS", "--max-time", "15", url));
	if (!is(p.code, 7, "curl in a sandbox with no endpoint: exit 7"))
		sbx_t_diag_proc(&p);
	is(sbx_t_inet_settled_count(web), 2, "direct curls: the server got no request");

	run_cmd(&p, NULL, LIST("--net", "isolated", "--proxy", purl),
		LIST(CURL_PATH, "-q", "-sS", "--max-time", "15", url));
	is(p.code, 0, "--net isolated --proxy: curl exits 0");
	if (!sbx_t_is_str(p.out, BODY, "--net isolated --proxy: the page came through"))
		sbx_t_diag_proc(&p);
	run_cmd(&p, NULL, LIST("--net", "isolated", "--proxy", purl),
		LIST(CURL_PATH, "-q", "-sS", "--max-time", "15", "--noproxy", "*", url));
	ok(p.code != 0, "--net isolated: curl straight to the server fails (exit %d)", p.code);
	is(sbx_t_inet_settled_count(web), 3, "--net isolated: only the proxied request arrived");

	stop_tinyproxy(&tp);
	if (!is(sbx_t_count_str(tp.out, sbx_t_fmt("GET %s", url)) +
			sbx_t_count_str(tp.err, sbx_t_fmt("GET %s", url)),
		3, "tinyproxy logged the three proxied requests"))
		sbx_t_diag_proc(&tp);
	sbx_t_inet_stop(web);
}

int main(void)
{
	sbx_t_init(200);
	environment();
	endpoint_allowed();
	curl_through_tinyproxy();
	return done_testing();
}
