/* Unit tests: the --allow-connect grammar and endpoint matching. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "../../lib/tap.h"
#include "../../../supervisor/policy/endpoint.h"

static bool match(const struct sbx_endpoint *e, enum sbx_proto proto, const char *ip, int port)
{
	unsigned char a[16] = { 0 };
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;

	inet_pton(fam, ip, a);
	return sbx_endpoint_match(e, proto, fam, a, (uint16_t)port);
}

static void parses(const char *text, int n, const char *formatted)
{
	struct sbx_endpoint e[2];
	struct sbx_error err = { 0 };
	char out[128] = "";
	int r = sbx_endpoint_parse(text, e, &err);

	if (r > 0)
		sbx_endpoint_format(&e[0], out, sizeof(out));
	ok(r == n && !strcmp(out, formatted), "%s parses as %s (got %d, %s %s)", text, formatted, r,
	   out, err.msg);
}

static void rejects(const char *text, const char *needle)
{
	struct sbx_endpoint e[2];
	struct sbx_error err = { 0 };
	int r = sbx_endpoint_parse(text, e, &err);

	ok(r == -EINVAL && strstr(err.msg, needle), "%s rejected: %s", text, err.msg);
}

int main(void)
{
	struct sbx_endpoint e[2];
	struct sbx_error err = { 0 };

	parses("127.0.0.1:3128", 1, "tcp:127.0.0.1:3128");
	parses("tcp:10.0.0.0/8:443", 1, "tcp:10.0.0.0/8:443");
	parses("10.1.2.3/8:443", 1, "tcp:10.0.0.0/8:443"); /* host bits cleared */
	parses("udp:127.0.0.53:53", 1, "udp:127.0.0.53:53");
	parses("[::1]:8080", 1, "tcp:[::1]:8080");
	parses("[2001:db8::]/32:1000-2000", 1, "tcp:[2001:db8::]/32:1000-2000");
	parses("[2001:db8::/32]:443", 1, "tcp:[2001:db8::]/32:443");
	parses("127.0.0.1:1-65535", 1, "tcp:127.0.0.1:1-65535");
	parses("0.0.0.0/0:80", 1, "tcp:0.0.0.0/0:80");
	parses("[::ffff:127.0.0.1]:80", 1, "tcp:127.0.0.1:80"); /* matched as IPv4, like dests */
	parses("[::ffff:10.0.0.0]/104:80", 1, "tcp:10.0.0.0/8:80");

	is(sbx_endpoint_parse("localhost:3128", e, &err), 2, "localhost gives two endpoints");
	ok(match(&e[0], SBX_PROTO_TCP, "127.0.0.1", 3128) &&
		   match(&e[1], SBX_PROTO_TCP, "::1", 3128),
	   "localhost covers 127.0.0.1 and ::1");

	rejects("example.com:443", "not accepted here"); /* names are --allow-connect's */
	rejects("127.0.0.1", "ADDR:PORT");
	rejects("127.0.0.1:0", "1 to 65535");
	rejects("127.0.0.1:70000", "1 to 65535");
	rejects("127.0.0.1:20-10", "LO-HI");
	rejects("127.0.0.1:abc", "port");
	rejects("::1:80", "brackets");
	rejects("[::1]80", "':'");
	rejects("[::1", "[IPV6]");
	rejects("127.0.0.1/33:80", "prefix");
	rejects("[::1]/129:80", "prefix");
	rejects("sctp:127.0.0.1:80", "tcp: or udp:");
	rejects("localhostx:80", "not accepted here");
	rejects("256.0.0.1:80", "not a valid IPv4 address");

	sbx_endpoint_parse("127.0.0.1:3128", e, &err);
	ok(match(&e[0], SBX_PROTO_TCP, "127.0.0.1", 3128), "exact match");
	ok(!match(&e[0], SBX_PROTO_TCP, "127.0.0.1", 3129), "other port");
	ok(!match(&e[0], SBX_PROTO_TCP, "127.0.0.2", 3128), "other address");
	ok(!match(&e[0], SBX_PROTO_UDP, "127.0.0.1", 3128), "udp does not match a tcp endpoint");
	ok(match(&e[0], SBX_PROTO_TCP, "::ffff:127.0.0.1", 3128),
	   "IPv4-mapped IPv6 matches the IPv4 endpoint");
	ok(!match(&e[0], SBX_PROTO_TCP, "::ffff:127.0.0.2", 3128), "mapped other address does not");

	sbx_endpoint_parse("[::]/0:443", e, &err);
	ok(match(&e[0], SBX_PROTO_TCP, "2001:db8::1", 443), "::/0 matches any IPv6");
	ok(!match(&e[0], SBX_PROTO_TCP, "::ffff:10.0.0.1", 443),
	   "but never an IPv4-mapped address (it is IPv4)");
	ok(!match(&e[0], SBX_PROTO_TCP, "10.0.0.1", 443), "nor plain IPv4");

	sbx_endpoint_parse("10.0.0.0/8:1000-2000", e, &err);
	ok(match(&e[0], SBX_PROTO_TCP, "10.255.1.2", 1000) &&
		   match(&e[0], SBX_PROTO_TCP, "10.0.0.0", 2000),
	   "CIDR and range edges");
	ok(!match(&e[0], SBX_PROTO_TCP, "11.0.0.1", 1500) &&
		   !match(&e[0], SBX_PROTO_TCP, "10.0.0.1", 999) &&
		   !match(&e[0], SBX_PROTO_TCP, "10.0.0.1", 2001),
	   "outside CIDR or range");

	{
		unsigned char a[16] = { 0 };

		inet_pton(AF_INET, "127.9.9.9", a);
		ok(sbx_addr_is_loopback(AF_INET, a), "127/8 is loopback");
		inet_pton(AF_INET6, "::ffff:127.0.0.1", a);
		ok(sbx_addr_is_loopback(AF_INET6, a), "mapped 127.0.0.1 is loopback");
		inet_pton(AF_INET6, "::2", a);
		ok(!sbx_addr_is_loopback(AF_INET6, a), "::2 is not");
	}
	return done_testing();
}
