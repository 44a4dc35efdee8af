/* Unit tests: host-name endpoints (--allow-connect NAME:PORTS, *.DOMAIN:PORTS) and
 * --deny-connect: the grammar, the wildcard semantics, matching and printing. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "../../lib/tap.h"
#include "../../../supervisor/policy/policy.h"

static void name_ok(const char *text, const char *formatted)
{
	struct sbx_endpoint e[2];
	struct sbx_hostpat h;
	struct sbx_error err = { 0 };
	char out[300] = "";
	int r = sbx_endpoint_parse_as("--allow-connect", text, e, &h, &err);

	if (r == 0)
		sbx_hostpat_format(&h, out, sizeof(out));
	ok(r == 0 && !strcmp(out, formatted), "%s is the name rule %s (got %d, %s %s)", text,
	   formatted, r, out, err.msg);
}

static void name_bad(const char *text, const char *needle)
{
	struct sbx_endpoint e[2];
	struct sbx_hostpat h;
	struct sbx_error err = { 0 };
	int r = sbx_endpoint_parse_as("--allow-connect", text, e, &h, &err);

	ok(r == -EINVAL && strstr(err.msg, needle), "%s rejected: %s", text, err.msg);
}

static struct sbx_hostpat pat(const char *text)
{
	struct sbx_endpoint e[2];
	struct sbx_hostpat h = { 0 };

	if (sbx_endpoint_parse_as("--allow-connect", text, e, &h, NULL) != 0)
		bail_out("%s does not parse", text);
	return h;
}

static void grammar(void)
{
	char long_label[80], long_name[300];

	name_ok("github.com:443", "tcp:github.com:443");
	name_ok("GitHub.COM.:443", "tcp:github.com:443");
	name_ok("udp:ntp.example:123", "udp:ntp.example:123");
	name_ok("tcp:a-b.c0.example:1000-2000", "tcp:a-b.c0.example:1000-2000");
	name_ok("*.npmjs.org:443", "tcp:*.npmjs.org:443");
	name_ok("db:5432", "tcp:db:5432");		   /* one label, as /etc/hosts may give */
	name_ok("3com.example:80", "tcp:3com.example:80"); /* labels may start with digits */
	name_bad("bad_name.example:443", "only letters");
	name_bad("-a.example:443", "start with '-'");
	name_bad("a-.example:443", "end with '-'");
	name_bad("a..example:443", "empty label");
	name_bad(".example:443", "empty label");
	name_bad("*x.org:443", "whole first label");
	name_bad("a.*.org:443", "whole first label");
	name_bad("**.org:443", "whole first label");
	name_bad("*.:443", "empty host name");
	name_bad("x.123:80", "not a valid IP address or host name");
	name_bad("github.com:0", "port");
	name_bad("github.com", "expected ADDR:PORT");
	name_bad("github.com:22-21", "range");
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".example:80");
	name_bad(long_label, "63 bytes");
	memset(long_name, 0, sizeof(long_name));
	for (int i = 0; i < 64; i++)
		memcpy(long_name + i * 4, "abc.", 4);
	strcpy(long_name + 255, "x:80");
	name_bad(long_name, "253 bytes");
	{
		/* localhost keeps its two addresses; addresses stay addresses */
		struct sbx_endpoint e[2];
		struct sbx_hostpat h;

		is(sbx_endpoint_parse_as("--allow-connect", "localhost:80", e, &h, NULL), 2,
		   "localhost is still 127.0.0.1 and ::1, not a name to resolve");
		is(sbx_endpoint_parse_as("--allow-connect", "10.0.0.0/8:80", e, &h, NULL), 1,
		   "an address with a prefix is an address");
	}
}

static void wildcards(void)
{
	struct sbx_hostpat w = pat("*.x.org:443"), n = pat("x.org:443");

	ok(sbx_hostpat_match_name(&w, "a.x.org"), "*.x.org matches a.x.org");
	ok(sbx_hostpat_match_name(&w, "a.b.x.org"), "*.x.org matches a.b.x.org (any depth)");
	ok(!sbx_hostpat_match_name(&w, "x.org"), "*.x.org does not match x.org itself");
	ok(!sbx_hostpat_match_name(&w, "evilx.org"), "*.x.org does not match evilx.org");
	ok(!sbx_hostpat_match_name(&w, "a.x.org.evil"), "*.x.org does not match a.x.org.evil");
	ok(!sbx_hostpat_match_name(&w, ".x.org"), "*.x.org does not match .x.org");
	ok(sbx_hostpat_match_name(&n, "x.org") && !sbx_hostpat_match_name(&n, "a.x.org"),
	   "x.org matches only x.org");
	ok(sbx_hostpat_match(&w, SBX_PROTO_TCP, "a.x.org", 443) &&
		   !sbx_hostpat_match(&w, SBX_PROTO_TCP, "a.x.org", 444) &&
		   !sbx_hostpat_match(&w, SBX_PROTO_UDP, "a.x.org", 443),
	   "a name rule holds only its protocol and ports");
}

static void policy(void)
{
	struct sbx_policy pol = { 0 };
	struct sbx_error err = { 0 };
	unsigned char ip[16] = { 0 };

	ok(sbx_pol_add_connect(&pol, "github.com:443", &err) == 0 && pol.n_hosts == 1 &&
		   pol.n_endpoints == 0,
	   "--allow-connect NAME adds a name rule, no address");
	ok(sbx_pol_has_proto(&pol, SBX_PROTO_TCP) && !sbx_pol_has_proto(&pol, SBX_PROTO_UDP),
	   "a TCP name rule lets TCP sockets be made");
	ok(sbx_pol_add_deny_connect(&pol, "*.evil.github.com:443", &err) == 0 &&
		   sbx_pol_add_deny_connect(&pol, "10.0.0.0/8:1-65535", &err) == 0 &&
		   pol.n_deny_hosts == 1 && pol.n_deny_endpoints == 1,
	   "--deny-connect takes names, wildcards and addresses");
	ok(sbx_pol_match_host(&pol, SBX_PROTO_TCP, "github.com", 443) &&
		   !sbx_pol_match_host(&pol, SBX_PROTO_TCP, "github.com", 22),
	   "github.com:443 matches, :22 does not");
	ok(sbx_pol_match_deny_host(&pol, SBX_PROTO_TCP, "a.evil.github.com", 443) &&
		   !sbx_pol_match_deny_host(&pol, SBX_PROTO_TCP, "github.com", 443),
	   "the exception holds below its domain only");
	inet_pton(AF_INET, "10.1.2.3", ip);
	ok(sbx_pol_match_deny_endpoint(&pol, SBX_PROTO_TCP, AF_INET, ip, 80) != NULL,
	   "an address exception matches");
	ok(sbx_pol_hosts_cover(&pol, SBX_PROTO_TCP, 443) &&
		   !sbx_pol_hosts_cover(&pol, SBX_PROTO_TCP, 80),
	   "hosts_cover says which ports a name rule covers");
	ok(sbx_pol_add_deny_connect(&pol, "bad_name:1", &err) == -EINVAL &&
		   strstr(err.msg, "--deny-connect bad_name:1"),
	   "a --deny-connect error names --deny-connect: %s", err.msg);
	ok(sbx_pol_finish(&pol, &err) == 0, "exact names are fine in filtered mode");
	sbx_pol_add_connect(&pol, "*.npmjs.org:443", &err);
	ok(sbx_pol_finish(&pol, &err) == 0,
	   "a wildcard allow rule in filtered mode is accepted (learned from lookups)");
	sbx_pol_set_net(&pol, "none", &err);
	ok(sbx_pol_finish(&pol, &err) == -EINVAL, "--net none with names: an error");
	sbx_pol_free(&pol);
}

int main(void)
{
	grammar();
	wildcards();
	policy();
	return done_testing();
}
