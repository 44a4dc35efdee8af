/* Owns the host-name grammar and the matching of names against name rules. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hostname.h"

static bool sbx_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

int sbx_hostname_norm(const char *in, size_t len, char out[SBX_HOSTNAME_MAX + 1], const char **why)
{
	size_t i, label = 0, last = 0;
	bool last_digits = true;

	if (len && in[len - 1] == '.')
		len--; /* the root's dot: "github.com." is "github.com" */
	if (len == 0) {
		*why = "empty host name";
		return -EINVAL;
	}
	if (len > SBX_HOSTNAME_MAX) {
		*why = "a host name is 253 bytes at most";
		return -EINVAL;
	}
	for (i = 0; i <= len; i++) {
		char c = i < len ? in[i] : '.';

		if (c == '.') {
			if (label == 0) {
				*why = "empty label in host name";
				return -EINVAL;
			}
			if (in[i - 1] == '-') {
				*why = "a label of a host name cannot end with '-'";
				return -EINVAL;
			}
			last = i - label;
			label = 0;
			if (i < len)
				out[i] = '.';
			continue;
		}
		if (!sbx_ldh(c)) {
			*why = "a host name has only letters, digits, '-' and dots";
			return -EINVAL;
		}
		if (label == 0 && c == '-') {
			*why = "a label of a host name cannot start with '-'";
			return -EINVAL;
		}
		if (++label > 63) {
			*why = "a label of a host name is 63 bytes at most";
			return -EINVAL;
		}
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[len] = '\0';
	/* "1.2.3.999" is a bad address, not a name: a top label of digits is never a name. */
	for (i = last; i < len; i++)
		last_digits = last_digits && out[i] >= '0' && out[i] <= '9';
	if (last_digits) {
		*why = "not a valid IP address or host name";
		return -EINVAL;
	}
	return 0;
}

int sbx_hostpat_set_name(struct sbx_hostpat *p, const char *host, const char **why)
{
	p->wildcard = false;
	if (!strncmp(host, "*.", 2)) {
		p->wildcard = true;
		host += 2;
	}
	if (strchr(host, '*')) {
		*why = "a wildcard is only a whole first label: *.DOMAIN";
		return -EINVAL;
	}
	return sbx_hostname_norm(host, strlen(host), p->name, why);
}

bool sbx_hostpat_match_name(const struct sbx_hostpat *p, const char *name)
{
	size_t nl, dl;

	if (!p->wildcard)
		return !strcmp(p->name, name);
	nl = strlen(name);
	dl = strlen(p->name);
	/* At least one label and the dot before DOMAIN: "x.org" and "evilx.org" stay out. */
	return nl > dl + 1 && name[nl - dl - 1] == '.' && !strcmp(name + nl - dl, p->name);
}

bool sbx_hostpat_match(const struct sbx_hostpat *p, enum sbx_proto proto, const char *name,
		       uint16_t port)
{
	return p->proto == proto && port >= p->port_lo && port <= p->port_hi &&
	       sbx_hostpat_match_name(p, name);
}

void sbx_hostpat_format(const struct sbx_hostpat *p, char *out, size_t n)
{
	const char *proto = p->proto == SBX_PROTO_UDP ? "udp" : "tcp";
	const char *star = p->wildcard ? "*." : "";

	if (p->port_lo == p->port_hi)
		snprintf(out, n, "%s:%s%s:%u", proto, star, p->name, p->port_lo);
	else
		snprintf(out, n, "%s:%s%s:%u-%u", proto, star, p->name, p->port_lo, p->port_hi);
}
