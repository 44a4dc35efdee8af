/*
 * Fuzz target: sbx_dns_parse() on any bytes (what the command sends sbx's DNS responder), then
 * a reply to what it accepted, which must be a response to the same id and question.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/resolve/dnsmsg.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char a4[4] = { 198, 18, 0, 1 };
	struct sbx_dns_query q, back;
	uint8_t out[600];
	size_t len;
	int r;

	r = sbx_dns_parse(data, size, &q);
	if (r == -EPROTO) {
		/* The header was read: a NOTIMP reply carries no question. */
		q.qlen = 0;
		if (sbx_dns_reply(&q, data, SBX_DNS_NOTIMP, NULL, 0, out, sizeof(out)) != 12)
			abort();
		return 0;
	}
	if (r < 0)
		return 0;
	if (q.qlen + 12 > size || strlen(q.name) > SBX_HOSTNAME_MAX)
		abort();
	len = sbx_dns_reply(&q, data, SBX_DNS_NOERROR, a4, 60, out, sizeof(out));
	if (len != 12 + q.qlen + 16)
		abort();
	if (out[0] != data[0] || out[1] != data[1] || !(out[2] & 0x80))
		abort();
	/* Its question is the query's: the reply, as a query, reads back the same name. */
	out[2] &= 0x7f;
	out[7] = 0; /* no answers */
	if (sbx_dns_parse(out, 12 + q.qlen, &back) != 0 || strcmp(back.name, q.name) ||
	    back.qtype != q.qtype)
		abort();
	return 0;
}
