/*
 * endpoint: network destinations a sandbox may reach (--allow-connect, --proxy) and their
 * matching. Pure: parsing takes text, matching takes an address already copied and decoded.
 */
#ifndef SBX_ENDPOINT_H
#define SBX_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/error.h"

enum sbx_proto {
	SBX_PROTO_TCP = 1,
	SBX_PROTO_UDP = 2,
};

struct sbx_endpoint {
	enum sbx_proto proto;
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network order; IPv4 in the first 4 bytes, host bits cleared */
	unsigned int prefix;	/* 0..32 or 0..128 */
	uint16_t port_lo, port_hi;
};

/*
 * sbx_endpoint_parse() - parse "[tcp:|udp:]HOST:PORTS" where HOST is an IPv4 address, an
 * IPv6 address in brackets, either with "/PREFIX", or "localhost" (127.0.0.1 and ::1), and
 * PORTS is "N" or "LO-HI". Writes 1 or 2 endpoints to @out (room for 2).
 * Return: the number written, or -EINVAL with @err set (host names are not resolved).
 */
int sbx_endpoint_parse(const char *text, struct sbx_endpoint out[2], struct sbx_error *err);

struct sbx_hostpat;

/*
 * sbx_endpoint_parse_as() - sbx_endpoint_parse() for option @flag (named in messages), where
 * HOST may also be a host name or "*.DOMAIN" (hostname.h) when @name is not NULL: that fills
 * @name and returns 0. A malformed name is -EINVAL with @err saying what is wrong.
 */
int sbx_endpoint_parse_as(const char *flag, const char *text, struct sbx_endpoint out[2],
			  struct sbx_hostpat *name, struct sbx_error *err);

/*
 * sbx_endpoint_match() - whether @proto, @family, @addr (16 or 4 bytes per family) and @port
 * fall in @e. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is matched as the IPv4 address it
 * carries, and never against an IPv6 endpoint.
 */
bool sbx_endpoint_match(const struct sbx_endpoint *e, enum sbx_proto proto, int family,
			const unsigned char *addr, uint16_t port);

/* sbx_endpoint_format() - "tcp:127.0.0.1:3128", "udp:[::1]/128:53-54", for messages. */
void sbx_endpoint_format(const struct sbx_endpoint *e, char *out, size_t n);

/* sbx_addr_is_loopback() - 127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104. */
bool sbx_addr_is_loopback(int family, const unsigned char *addr);

/* sbx_addr_unmap() - if @addr (IPv6) is IPv4-mapped, set *family to AF_INET and move the
 * IPv4 bytes to the front. Returns whether it did. */
bool sbx_addr_unmap(int *family, unsigned char addr[16]);

#endif
