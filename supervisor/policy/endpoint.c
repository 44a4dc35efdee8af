/* Owns the endpoint grammar and matching. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "endpoint.h"
#include "hostname.h"

static int sbx_ep_fail(struct sbx_error *err, const char *flag, const char *text, const char *why)
{
	sbx_error_set(err, 0, "%s %s: %s", flag, text, why);
	if (err)
		err->code = EINVAL;
	return -EINVAL;
}

static int sbx_parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static void sbx_clear_host_bits(unsigned char *addr, unsigned int prefix, unsigned int bits)
{
	unsigned int i;

	for (i = prefix; i < bits; i++)
		addr[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
}

int sbx_endpoint_parse(const char *text, struct sbx_endpoint out[2], struct sbx_error *err)
{
	return sbx_endpoint_parse_as("--allow-connect", text, out, NULL, err);
}

/* Whether @host is meant as a name: a letter or '*' somewhere, and no '/' of a prefix. */
static bool sbx_looks_like_name(const char *host)
{
	return strcspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ*") <
		       strlen(host) &&
	       !strchr(host, '/');
}

int sbx_endpoint_parse_as(const char *flag, const char *text, struct sbx_endpoint out[2],
			  struct sbx_hostpat *name, struct sbx_error *err)
{
	struct sbx_endpoint e = { .proto = SBX_PROTO_TCP };
	char host[SBX_HOSTNAME_MAX + 4], *ports, *slash, *dash;
	const char *s = text;
	unsigned int bits;
	size_t hl;

	if (!strncmp(s, "tcp:", 4)) {
		s += 4;
	} else if (!strncmp(s, "udp:", 4)) {
		e.proto = SBX_PROTO_UDP;
		s += 4;
	}
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] == '\0')
			return sbx_ep_fail(err, flag, text, "expected [IPV6]:PORT");
		hl = close - s - 1;
		if (hl >= sizeof(host))
			return sbx_ep_fail(err, flag, text, "address too long");
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		s = close + 1;
		/* "[v6]/64:443" puts the prefix after the bracket. */
		if (*s == '/') {
			const char *colon = strchr(s, ':');
			size_t pl;

			if (!colon || hl + (colon - s) >= sizeof(host))
				return sbx_ep_fail(err, flag, text, "expected [IPV6]/PREFIX:PORT");
			pl = colon - s;
			memcpy(host + hl, s, pl);
			host[hl + pl] = '\0';
			s = colon;
		}
		if (*s != ':')
			return sbx_ep_fail(err, flag, text, "expected ':' and a port after ']'");
		ports = (char *)s + 1;
		e.family = AF_INET6;
	} else {
		const char *colon = strrchr(s, ':');

		if (!colon)
			return sbx_ep_fail(err, flag, text, "expected ADDR:PORT");
		hl = colon - s;
		if (hl == 0 || hl >= sizeof(host))
			return sbx_ep_fail(err, flag, text, "expected ADDR:PORT");
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (strchr(host, ':')) {
			size_t word = strspn(host, "abcdefghijklmnopqrstuvwxyz");

			if (word > 0 && host[word] == ':' &&
			    strspn(host + word + 1, "0123456789.") > 0)
				return sbx_ep_fail(err, flag, text, "the protocol is tcp: or udp:");
			return sbx_ep_fail(err, flag, text,
					   "write IPv6 addresses in brackets: [::1]:PORT");
		}
		ports = (char *)colon + 1;
		e.family = AF_INET;
	}

	dash = strchr(ports, '-');
	if (dash) {
		char lo[8];

		if ((size_t)(dash - ports) >= sizeof(lo))
			return sbx_ep_fail(err, flag, text, "ports are 1-65535");
		memcpy(lo, ports, dash - ports);
		lo[dash - ports] = '\0';
		if (sbx_parse_port(lo, &e.port_lo) || sbx_parse_port(dash + 1, &e.port_hi) ||
		    e.port_lo > e.port_hi)
			return sbx_ep_fail(err, flag, text,
					   "a port range is LO-HI with 1 <= LO <= HI <= 65535");
	} else {
		if (sbx_parse_port(ports, &e.port_lo))
			return sbx_ep_fail(err, flag, text, "a port is a number from 1 to 65535");
		e.port_hi = e.port_lo;
	}

	if (e.family == AF_INET && !strcmp(host, "localhost")) {
		out[0] = e;
		out[1] = e;
		out[0].family = AF_INET;
		out[0].prefix = 32;
		inet_pton(AF_INET, "127.0.0.1", out[0].addr);
		out[1].family = AF_INET6;
		out[1].prefix = 128;
		inet_pton(AF_INET6, "::1", out[1].addr);
		return 2;
	}
	if (e.family == AF_INET && name && sbx_looks_like_name(host)) {
		const char *why = NULL;

		name->proto = e.proto;
		name->port_lo = e.port_lo;
		name->port_hi = e.port_hi;
		if (sbx_hostpat_set_name(name, host, &why) < 0)
			return sbx_ep_fail(err, flag, text, why);
		return 0;
	}

	bits = e.family == AF_INET ? 32 : 128;
	e.prefix = bits;
	slash = strchr(host, '/');
	if (slash) {
		char *end;
		long p;

		*slash = '\0';
		errno = 0;
		p = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || p < 0 || p > (long)bits)
			return sbx_ep_fail(err, flag, text, "bad prefix length");
		e.prefix = (unsigned int)p;
	}
	if (inet_pton(e.family, host, e.addr) != 1) {
		if (e.family == AF_INET && strspn(host, "0123456789.") == strlen(host))
			return sbx_ep_fail(err, flag, text, "not a valid IPv4 address");
		if (e.family == AF_INET) {
			sbx_error_set(err, 0,
				      "%s %s: '%s' is not an IP address (host names are not "
				      "accepted here)",
				      flag, text, host);
			sbx_error_hint(err,
				       "give an address, e.g. 127.0.0.1:3128, or localhost:PORT");
			if (err)
				err->code = EINVAL;
			return -EINVAL;
		}
		return sbx_ep_fail(err, flag, text, "not an IPv6 address");
	}
	/* Destinations are matched with IPv4-mapped addresses unmapped: so are endpoints, or
	 * [::ffff:127.0.0.1]:80 would be a rule that never matches. */
	if (e.family == AF_INET6 && e.prefix >= 96 && sbx_addr_unmap(&e.family, e.addr)) {
		e.prefix -= 96;
		bits = 32;
	}
	sbx_clear_host_bits(e.addr, e.prefix, bits);
	out[0] = e;
	return 1;
}

bool sbx_addr_unmap(int *family, unsigned char addr[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (*family != AF_INET6 || memcmp(addr, mapped, sizeof(mapped)))
		return false;
	memmove(addr, addr + 12, 4);
	memset(addr + 4, 0, 12);
	*family = AF_INET;
	return true;
}

bool sbx_addr_is_loopback(int family, const unsigned char *addr)
{
	unsigned char a[16];

	memcpy(a, addr, family == AF_INET ? 4 : 16);
	sbx_addr_unmap(&family, a);
	if (family == AF_INET)
		return a[0] == 127;
	return !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
}

bool sbx_endpoint_match(const struct sbx_endpoint *e, enum sbx_proto proto, int family,
			const unsigned char *addr, uint16_t port)
{
	unsigned char a[16] = { 0 };
	unsigned int i;

	if (e->proto != proto || port < e->port_lo || port > e->port_hi)
		return false;
	memcpy(a, addr, family == AF_INET ? 4 : 16);
	sbx_addr_unmap(&family, a);
	if (family != e->family)
		return false;
	for (i = 0; i < e->prefix; i++) {
		unsigned char bit = 0x80 >> (i % 8);

		if ((a[i / 8] & bit) != (e->addr[i / 8] & bit))
			return false;
	}
	return true;
}

void sbx_endpoint_format(const struct sbx_endpoint *e, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN], pfx[8] = "", ports[16];
	unsigned int bits = e->family == AF_INET ? 32 : 128;

	inet_ntop(e->family, e->addr, ip, sizeof(ip));
	if (e->prefix != bits)
		snprintf(pfx, sizeof(pfx), "/%u", e->prefix);
	if (e->port_lo == e->port_hi)
		snprintf(ports, sizeof(ports), "%u", e->port_lo);
	else
		snprintf(ports, sizeof(ports), "%u-%u", e->port_lo, e->port_hi);
	if (e->family == AF_INET)
		snprintf(out, n, "%s:%s%s:%s", e->proto == SBX_PROTO_UDP ? "udp" : "tcp", ip, pfx,
			 ports);
	else
		snprintf(out, n, "%s:[%s]%s:%s", e->proto == SBX_PROTO_UDP ? "udp" : "tcp", ip, pfx,
			 ports);
}
