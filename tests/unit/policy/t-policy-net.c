/* Unit tests: --proxy, --net, --allow-bind and their combination. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "../../lib/tap.h"
#include "../../../supervisor/policy/policy.h"

static void proxy_ok(const char *url, size_t n_endpoints, uint16_t port)
{
	struct sbx_policy pol = { 0 };
	struct sbx_error err = { 0 };
	int r = sbx_pol_set_proxy(&pol, url, &err);

	ok(r == 0 && pol.n_endpoints == n_endpoints && pol.endpoints[0].port_lo == port &&
		   pol.endpoints[0].proto == SBX_PROTO_TCP && !strcmp(pol.proxy_url, url),
	   "--proxy %s: %zu tcp endpoint(s) on port %u (%s)", url, n_endpoints, port, err.msg);
	sbx_pol_free(&pol);
}

static void proxy_bad(const char *url, const char *needle)
{
	struct sbx_policy pol = { 0 };
	struct sbx_error err = { 0 };
	int r = sbx_pol_set_proxy(&pol, url, &err);

	ok(r == -EINVAL && strstr(err.msg, needle) && pol.n_endpoints == 0,
	   "--proxy %s refused: %s", url, err.msg);
	sbx_pol_free(&pol);
}

int main(void)
{
	struct sbx_policy pol = { 0 };
	struct sbx_error err = { 0 };
	unsigned char ip[16] = { 127, 0, 0, 1 };

	proxy_ok("http://127.0.0.1:3128", 1, 3128);
	proxy_ok("http://127.0.0.1:3128/", 1, 3128);
	proxy_ok("socks5://[::1]:1080", 1, 1080);
	proxy_ok("socks5h://localhost:1080", 2, 1080);
	proxy_ok("https://10.1.2.3:8443", 1, 8443);
	proxy_bad("ftp://127.0.0.1:21", "expected http://");
	proxy_bad("http://proxy.example:3128", "not resolved");
	proxy_bad("http://user:pw@127.0.0.1:3128", "credentials");
	proxy_bad("http://127.0.0.1", "SCHEME://ADDR:PORT");
	proxy_bad("http://127.0.0.1:3128/path", "SCHEME://ADDR:PORT");
	proxy_bad("http://127.0.0.0/8:3128", "SCHEME://ADDR:PORT");
	proxy_bad("http://127.0.0.1:3128-3129", "one address");

	is(sbx_pol_set_net(&pol, "isolated", &err), 0, "--net isolated");
	ok(pol.net == SBX_NET_ISOLATED && pol.net_given, "mode recorded");
	is(sbx_pol_set_net(&pol, "bogus", &err), -EINVAL, "--net bogus refused");
	ok(strstr(err.msg, "filtered, isolated, none or host") != NULL, "names the modes: %s",
	   err.msg);
	is(strcmp(sbx_net_mode_name(SBX_NET_NONE), "none"), 0, "mode names");

	is(sbx_pol_add_bind(&pol, "8080", &err), 0, "--allow-bind 8080");
	ok(sbx_pol_bind_allowed(&pol, 8080) && !sbx_pol_bind_allowed(&pol, 8081), "bind match");
	is(sbx_pol_add_bind(&pol, "0", &err), -EINVAL,
	   "--allow-bind 0 refused (always allowed "
	   "on loopback, meaningless elsewhere)");
	is(sbx_pol_add_bind(&pol, "65536", &err), -EINVAL, "--allow-bind 65536 refused");
	is(sbx_pol_add_bind(&pol, "80x", &err), -EINVAL, "--allow-bind 80x refused");

	is(sbx_pol_finish(&pol, &err), 0, "isolated without endpoints is fine");
	is(sbx_pol_add_connect(&pol, "127.0.0.1:3128", &err), 0, "an endpoint");
	ok(sbx_pol_has_proto(&pol, SBX_PROTO_TCP) && !sbx_pol_has_proto(&pol, SBX_PROTO_UDP),
	   "has tcp, not udp");
	ok(sbx_pol_match_endpoint(&pol, SBX_PROTO_TCP, AF_INET, ip, 3128) != NULL, "matches");
	sbx_pol_set_net(&pol, "none", &err);
	is(sbx_pol_finish(&pol, &err), -EINVAL, "--net none with an endpoint is a contradiction");
	ok(strstr(err.hint, "isolated") != NULL, "with a hint: %s", err.hint);
	sbx_pol_free(&pol);
	ok(pol.n_endpoints == 0 && pol.endpoints == NULL && pol.net == SBX_NET_FILTERED,
	   "free resets");
	return done_testing();
}
