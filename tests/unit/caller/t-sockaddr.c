/* Unit tests: classification and formatting of socket addresses copied from the child. */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "../../lib/tap.h"
#include "../../../supervisor/caller/sockaddr.h"

static size_t un(struct sockaddr_un *s, const void *path, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->sun_family = AF_UNIX;
	memcpy(s->sun_path, path, len);
	return offsetof(struct sockaddr_un, sun_path) + len;
}

int main(void)
{
	unsigned char big[sizeof(struct sockaddr_storage)];
	struct sockaddr_un s = { 0 };
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(3128) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(80) };
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = 42, .nl_groups = 1 };
	struct sbx_addr a;
	char out[512];

	{
		static const struct {
			const char *p;
			bool plain;
		} rows[] = {
			{ "/run/x.sock", true }, { "/a", true },	{ "/a/.b/..c/b..", true },
			{ "/", false },		 { "", false },		{ "run/x.sock", false },
			{ "./x", false },	 { "//run/x", false },	{ "/run//x", false },
			{ "/run/x/", false },	 { "/run/./x", false }, { "/run/../x", false },
			{ "/run/.", false },	 { "/run/..", false },	{ "/.", false },
		};
		size_t i;

		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			is(sbx_path_plain(rows[i].p), rows[i].plain, "sbx_path_plain(\"%s\") is %s",
			   rows[i].p, rows[i].plain ? "true" : "false");
	}

	sbx_addr_decode(&s, 0, &a);
	is(a.kind, SBX_ADDR_NONE, "0 bytes: no address");
	sbx_addr_decode("\x01", 1, &a);
	is(a.kind, SBX_ADDR_NONE, "1 byte: no family");

	sbx_addr_decode(&s, un(&s, "", 0), &a);
	is(a.kind, SBX_ADDR_UNIX_UNNAMED, "AF_UNIX with addrlen 2 is unnamed (autobind)");

	sbx_addr_decode(&s, un(&s, "/run/x.sock", 12), &a);
	ok(a.kind == SBX_ADDR_UNIX_PATH && !strcmp(a.path, "/run/x.sock"), "pathname with NUL");
	sbx_addr_decode(&s, un(&s, "/run/x.sock", 11), &a);
	ok(a.kind == SBX_ADDR_UNIX_PATH && !strcmp(a.path, "/run/x.sock"), "pathname without NUL");
	sbx_addr_decode(&s, un(&s, "/a\0/b", 5), &a);
	is(strcmp(a.path, "/a"), 0, "pathname stops at the first NUL, as the kernel reads it");

	/* sun_path of 108 bytes with no terminator: the kernel reads all 108. */
	memset(big, 'x', sizeof(big));
	memcpy(big, &s, 2);
	big[2] = '/';
	sbx_addr_decode(big, sizeof(struct sockaddr_un), &a);
	ok(a.kind == SBX_ADDR_UNIX_PATH && strlen(a.path) == 108, "unterminated 108-byte path");
	/* addrlen larger than sockaddr_un (up to sockaddr_storage) is clipped to sun_path. */
	sbx_addr_decode(big, sizeof(big), &a);
	ok(a.kind == SBX_ADDR_UNIX_PATH && strlen(a.path) == 108, "addrlen 128 clipped to 108");

	sbx_addr_decode(&s, un(&s, "\0agent\0x", 8), &a);
	ok(a.kind == SBX_ADDR_UNIX_ABSTRACT && a.name_len == 7 && !memcmp(a.name, "agent\0x", 7),
	   "abstract name keeps embedded NULs, length from addrlen");
	sbx_addr_format(&a, out, sizeof(out));
	is(strcmp(out, "@agent\\x00x"), 0, "abstract formatted with escapes: %s", out);
	sbx_addr_decode(&s, un(&s, "\0", 1), &a);
	ok(a.kind == SBX_ADDR_UNIX_ABSTRACT && a.name_len == 0, "empty abstract name");

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sbx_addr_decode(&in, sizeof(in), &a);
	sbx_addr_format(&a, out, sizeof(out));
	ok(a.kind == SBX_ADDR_INET && a.port == 3128 && !strcmp(out, "127.0.0.1:3128"), "inet: %s",
	   out);
	sbx_addr_decode(&in, 4, &a);
	ok(a.kind == SBX_ADDR_INET && !a.valid_len, "short inet address flagged");
	in6.sin6_addr = in6addr_loopback;
	sbx_addr_decode(&in6, sizeof(in6), &a);
	sbx_addr_format(&a, out, sizeof(out));
	ok(a.kind == SBX_ADDR_INET6 && !strcmp(out, "[::1]:80"), "inet6: %s", out);
	sbx_addr_decode(&nl, sizeof(nl), &a);
	ok(a.kind == SBX_ADDR_NETLINK && a.nl_pid == 42 && a.nl_groups == 1, "netlink pid, groups");
	sbx_addr_decode("\0\0", 2, &a);
	is(a.kind, SBX_ADDR_UNSPEC, "AF_UNSPEC");
	sbx_addr_decode("\x28\0", 2, &a);
	ok(a.kind == SBX_ADDR_OTHER && a.family == 40, "AF_VSOCK is other");

	sbx_bytes_escape((const unsigned char *)"a\"b\\c\n\xff", 7, out, sizeof(out));
	is(strcmp(out, "a\\x22b\\x5cc\\x0a\\xff"), 0, "escape: %s", out);
	sbx_bytes_escape((const unsigned char *)"abcdefgh", 8, out, 6);
	ok(strlen(out) < 6, "escape never overruns a small buffer");
	return done_testing();
}
