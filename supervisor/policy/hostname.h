/*
 * hostname: host-name endpoints (--allow-connect NAME:PORTS, *.DOMAIN:PORTS, --deny-connect)
 * and the name grammar. Pure: text in, names compared; no lookup happens here.
 *
 * A name is letters, digits and hyphens in dot-separated labels of 1..63 bytes (no hyphen at
 * either end of a label), 253 bytes at most, the last label not all digits; it is kept in
 * lower case without a trailing dot. "*.DOMAIN" matches every name that ends in ".DOMAIN"
 * with at least one label before it, at any depth: "a.x.org" and "a.b.x.org", never "x.org"
 * itself and never "evilx.org".
 */
#ifndef SBX_HOSTNAME_H
#define SBX_HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"

#define SBX_HOSTNAME_MAX 253

struct sbx_hostpat {
	enum sbx_proto proto;
	uint16_t port_lo, port_hi;
	bool wildcard; /* "*.DOMAIN": @name is DOMAIN */
	char name[SBX_HOSTNAME_MAX + 1];
};

/*
 * sbx_hostname_norm() - check @len bytes at @in against the name grammar (no wildcard) and
 * write it to @out lower-cased, without a trailing dot.
 * Return: 0, or -EINVAL with *@why (static text) saying what is wrong.
 */
int sbx_hostname_norm(const char *in, size_t len, char out[SBX_HOSTNAME_MAX + 1], const char **why);

/*
 * sbx_hostpat_set_name() - fill @p's name from @host: "NAME" or "*.DOMAIN".
 * Return: 0, or -EINVAL with *@why set.
 */
int sbx_hostpat_set_name(struct sbx_hostpat *p, const char *host, const char **why);

/* sbx_hostpat_match_name() - whether @name (normalised) is @p's name or under its wildcard. */
bool sbx_hostpat_match_name(const struct sbx_hostpat *p, const char *name);

/* sbx_hostpat_match() - sbx_hostpat_match_name() and @proto and @port inside @p's. */
bool sbx_hostpat_match(const struct sbx_hostpat *p, enum sbx_proto proto, const char *name,
		       uint16_t port);

/* sbx_hostpat_format() - "tcp:github.com:443", "udp:*.x.org:53-54": parses back the same. */
void sbx_hostpat_format(const struct sbx_hostpat *p, char *out, size_t n);

#endif
