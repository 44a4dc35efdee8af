/* Owns reading DNS queries and writing the replies of sbx's responder. */
#include <errno.h>
#include <string.h>

#include "dnsmsg.h"

#define SBX_DNS_HDR 12

static uint16_t sbx_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void sbx_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int sbx_dns_parse(const uint8_t *buf, size_t len, struct sbx_dns_query *q)
{
	size_t off = SBX_DNS_HDR, n = 0;

	memset(q, 0, sizeof(*q));
	if (len < SBX_DNS_HDR)
		return -EINVAL;
	q->id = sbx_be16(buf);
	q->flags = sbx_be16(buf + 2);
	if (q->flags & 0x8000)
		return -EINVAL; /* a response: never answered, or two responders could loop */
	if ((q->flags >> 11 & 0xf) != 0)
		return -EPROTO; /* not a standard query */
	if (sbx_be16(buf + 4) != 1)
		return -EINVAL;
	for (;;) {
		uint8_t l;

		if (off >= len)
			return -EINVAL;
		l = buf[off++];
		if (l == 0)
			break;
		if (l > 63 || off + l > len || n + l + 1 > SBX_HOSTNAME_MAX + 1)
			return -EINVAL; /* compression pointers (0xc0) land here too */
		if (n)
			q->name[n++] = '.';
		for (; l; l--, off++) {
			char c = (char)buf[off];

			q->name[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
	}
	q->name[n] = '\0';
	if (off + 4 > len)
		return -EINVAL;
	q->qtype = sbx_be16(buf + off);
	q->qclass = sbx_be16(buf + off + 2);
	q->qlen = off + 4 - SBX_DNS_HDR;
	return 0;
}

size_t sbx_dns_reply(const struct sbx_dns_query *q, const uint8_t *query, int rcode,
		     const unsigned char *a4, uint32_t ttl, uint8_t *out, size_t outlen)
{
	bool answer = rcode == SBX_DNS_NOERROR && a4;
	size_t len = SBX_DNS_HDR + q->qlen + (answer ? 16 : 0);

	if (outlen < len)
		return 0;
	memset(out, 0, SBX_DNS_HDR);
	sbx_put16(out, q->id);
	/* QR, the opcode and RD as asked, AA (sbx is the authority on what it answers), RA */
	sbx_put16(out + 2,
		  (uint16_t)(0x8000 | (q->flags & 0x7900) | 0x0400 | 0x0080 | (rcode & 0xf)));
	sbx_put16(out + 4, q->qlen ? 1 : 0);
	sbx_put16(out + 6, answer ? 1 : 0);
	memcpy(out + SBX_DNS_HDR, query + SBX_DNS_HDR, q->qlen);
	if (answer) {
		uint8_t *a = out + SBX_DNS_HDR + q->qlen;

		sbx_put16(a, 0xc000 | SBX_DNS_HDR); /* the name: a pointer to the question's */
		sbx_put16(a + 2, SBX_DNS_A);
		sbx_put16(a + 4, 1); /* IN */
		sbx_put16(a + 6, (uint16_t)(ttl >> 16));
		sbx_put16(a + 8, (uint16_t)ttl);
		sbx_put16(a + 10, 4);
		memcpy(a + 12, a4, 4);
	}
	return len;
}
