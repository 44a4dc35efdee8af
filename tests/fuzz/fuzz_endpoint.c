/*
 * Fuzz target: sbx_endpoint_parse() on any text, then formatting and matching what it
 * accepted. An accepted endpoint has a sane prefix and port range.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../supervisor/policy/endpoint.h"
#include "../../supervisor/policy/hostname.h"
#include "fuzz.h"

static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_endpoint e[2];
	struct sbx_error err = { 0 };
	unsigned char addr[16] = { 0 };
	char out[256];
	char *text;
	int n, i;

	text = sbx_fuzz_text(data, size, 4096);
	if (!text)
		return 0;
	n = sbx_endpoint_parse(text, e, &err);
	{
		/* The same text as --allow-connect takes it: a name rule formats back to itself. */
		struct sbx_hostpat h = { 0 };
		struct sbx_endpoint e2[2];

		if (sbx_endpoint_parse_as("--allow-connect", text, e2, &h, NULL) == 0) {
			struct sbx_hostpat h2 = { 0 };

			sbx_hostpat_format(&h, out, sizeof(out));
			if (sbx_endpoint_parse_as("--allow-connect", out, e2, &h2, NULL) != 0 ||
			    memcmp(&h, &h2, sizeof(h)))
				abort();
		}
	}
	if (n > 2 || (n < 0 && !err.msg[0]))
		abort();
	for (i = 0; i < n; i++) {
		if (e[i].family != AF_INET && e[i].family != AF_INET6)
			abort();
		if (e[i].prefix > (e[i].family == AF_INET ? 32u : 128u))
			abort();
		if (e[i].port_lo > e[i].port_hi)
			abort();
		sbx_endpoint_format(&e[i], out, sizeof(out));
		if (!memchr(out, '\0', sizeof(out)))
			abort();
		/* The endpoint matches its own address at its lowest port (an IPv4-mapped IPv6
		 * endpoint is parsed as IPv4, as destinations are matched). */
		memcpy(addr, e[i].addr, 16);
		if (e[i].family == AF_INET6 && !memcmp(addr, mapped, sizeof(mapped)))
			abort();
		if (!sbx_endpoint_match(&e[i], e[i].proto, e[i].family, addr, e[i].port_lo))
			abort();
	}
	free(text);
	return 0;
}
