/*
 * dnsmsg: the little of the DNS wire format sbx's responder needs (RFC 1035): read the one
 * question of a query, write a reply to it. Pure and bounded; fuzzed.
 */
#ifndef SBX_DNSMSG_H
#define SBX_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "../policy/hostname.h"

#define SBX_DNS_A	 1
#define SBX_DNS_AAAA	 28
#define SBX_DNS_NOERROR	 0
#define SBX_DNS_FORMERR	 1
#define SBX_DNS_SERVFAIL 2
#define SBX_DNS_NXDOMAIN 3
#define SBX_DNS_NOTIMP	 4
#define SBX_DNS_REFUSED	 5

struct sbx_dns_query {
	uint16_t id, flags;
	uint16_t qtype, qclass;
	char name[SBX_HOSTNAME_MAX + 2]; /* as asked, without the root's dot, lower case */
	size_t qlen;			 /* bytes of the question section, copied into replies */
};

/*
 * sbx_dns_parse() - read the header and the single question of the query in @len bytes at
 * @buf. Return 0; -EINVAL if it is not a query with one question whose name is plain labels
 * (no compression, no bytes past 63 per label); -EPROTO for a query sbx does not answer but
 * whose header was read (an opcode other than QUERY): then @q->id and @q->flags are set.
 */
int sbx_dns_parse(const uint8_t *buf, size_t len, struct sbx_dns_query *q);

/*
 * sbx_dns_reply() - write the reply to @q from @query (its @q->qlen question bytes are
 * copied) into @out (@outlen bytes): @rcode, and with SBX_DNS_NOERROR one A record of @a4
 * (4 bytes, NULL for none) with TTL @ttl. Return its length, or 0 if @out is too small.
 */
size_t sbx_dns_reply(const struct sbx_dns_query *q, const uint8_t *query, int rcode,
		     const unsigned char *a4, uint32_t ttl, uint8_t *out, size_t outlen);

#endif
