/* Unit tests: the DNS wire format of sbx's responder, and the synthetic address table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/tap.h"
#include "../../../supervisor/resolve/dnsmsg.h"
#include "../../../supervisor/resolve/synth.h"

/* A query for @name (dot-separated), type @qtype, id 0xbeef, RD set. */
static size_t query(uint8_t *b, const char *name, uint16_t qtype)
{
	size_t n = 12;
	const char *p = name;

	memset(b, 0, 12);
	b[0] = 0xbe, b[1] = 0xef, b[2] = 0x01, b[5] = 1;
	while (*p) {
		size_t l = strcspn(p, ".");

		b[n++] = (uint8_t)l;
		memcpy(b + n, p, l);
		n += l;
		p += l + (p[l] == '.');
	}
	b[n++] = 0;
	b[n++] = (uint8_t)(qtype >> 8), b[n++] = (uint8_t)qtype;
	b[n++] = 0, b[n++] = 1;
	return n;
}

static void wire(void)
{
	static const unsigned char a4[4] = { 198, 18, 0, 7 };
	struct sbx_dns_query q;
	uint8_t b[512], out[600];
	size_t n = query(b, "Good.Test", SBX_DNS_A), len;

	ok(sbx_dns_parse(b, n, &q) == 0 && !strcmp(q.name, "good.test") && q.qtype == 1 &&
		   q.qclass == 1 && q.id == 0xbeef,
	   "a query is read: name in lower case, type, class, id");
	len = sbx_dns_reply(&q, b, SBX_DNS_NOERROR, a4, 60, out, sizeof(out));
	ok(len == n + 16 && out[2] & 0x80 && (out[3] & 0xf) == 0 && out[7] == 1 &&
		   !memcmp(out + len - 4, a4, 4),
	   "the reply: QR, NOERROR, one answer carrying the address");
	len = sbx_dns_reply(&q, b, SBX_DNS_REFUSED, NULL, 0, out, sizeof(out));
	ok(len == n && (out[3] & 0xf) == 5 && out[7] == 0, "a refusal: REFUSED, no answer");
	ok(sbx_dns_reply(&q, b, SBX_DNS_NOERROR, a4, 60, out, n) == 0,
	   "a buffer too small: nothing written");
	b[2] |= 0x80;
	ok(sbx_dns_parse(b, n, &q) == -EINVAL, "a response is never answered (no loops)");
	b[2] = 0x29;
	ok(sbx_dns_parse(b, n, &q) == -EPROTO, "another opcode: NOTIMP territory");
	b[2] = 0x01;
	b[12] = 0xc0;
	ok(sbx_dns_parse(b, n, &q) == -EINVAL, "a compression pointer in a query: refused");
	ok(sbx_dns_parse(b, 11, &q) == -EINVAL, "a short header: refused");
}

static void synth(void)
{
	struct sbx_synth s;
	unsigned char a[4], b[4], c[4] = { 198, 19, 255, 255 };
	char name[SBX_HOSTNAME_MAX + 1];

	sbx_synth_init(&s);
	ok(sbx_synth_get(&s, "a.example", a) == 0 && a[0] == 198 && a[1] == 18 && a[3] == 1,
	   "the first name gets 198.18.0.1");
	ok(sbx_synth_get(&s, "b.example", b) == 0 && b[3] == 2, "the next 198.18.0.2");
	ok(sbx_synth_get(&s, "a.example", b) == 0 && !memcmp(a, b, 4), "a name keeps its address");
	ok(sbx_synth_name(&s, a, name) && !strcmp(name, "a.example"), "and maps back");
	ok(sbx_synth_is(c) && !sbx_synth_name(&s, c, name),
	   "an address in the block never given out names nothing");
	c[0] = 10;
	ok(!sbx_synth_is(c), "10.x is not synthetic");
	free(s.names);
}

int main(void)
{
	wire();
	synth();
	return done_testing();
}
