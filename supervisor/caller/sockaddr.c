/* Owns sockaddr classification and formatting. Pure functions over copied bytes. */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "sockaddr.h"

static void sbx_addr_inet_fields(const unsigned char *b, size_t len, struct sbx_addr *out)
{
	struct sockaddr_in in = { 0 };

	out->valid_len = len >= sizeof(in);
	memcpy(&in, b, len < sizeof(in) ? len : sizeof(in));
	memcpy(out->ip, &in.sin_addr, 4);
	out->port = ntohs(in.sin_port);
}

void sbx_addr_decode(const void *buf, size_t len, struct sbx_addr *out)
{
	const unsigned char *b = buf;
	sa_family_t fam;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(sa_family_t)) {
		out->kind = SBX_ADDR_NONE;
		out->family = -1;
		return;
	}
	memcpy(&fam, b, sizeof(fam));
	out->family = fam;
	switch (fam) {
	case AF_UNSPEC:
		out->kind = SBX_ADDR_UNSPEC;
		/* An AF_INET socket may read these bytes as a sockaddr_in: keep what it would see.
		 */
		sbx_addr_inet_fields(b, len, out);
		break;
	case AF_UNIX: {
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);

		if (plen > SBX_SUN_PATH_MAX)
			plen = SBX_SUN_PATH_MAX;
		b += offsetof(struct sockaddr_un, sun_path);
		if (plen == 0) {
			out->kind = SBX_ADDR_UNIX_UNNAMED;
		} else if (b[0] == '\0') {
			/* Abstract names are exactly addrlen bytes long; NULs are ordinary. */
			out->kind = SBX_ADDR_UNIX_ABSTRACT;
			out->name_len = plen - 1;
			memcpy(out->name, b + 1, out->name_len);
		} else {
			/* The kernel terminates at addrlen and reads up to the first NUL. */
			out->kind = SBX_ADDR_UNIX_PATH;
			memcpy(out->path, b, plen);
			out->path[plen] = '\0';
		}
		break;
	}
	case AF_NETLINK: {
		struct sockaddr_nl nl = { 0 };

		out->kind = SBX_ADDR_NETLINK;
		memcpy(&nl, b, len < sizeof(nl) ? len : sizeof(nl));
		out->nl_pid = nl.nl_pid;
		out->nl_groups = nl.nl_groups;
		break;
	}
	case AF_INET:
		out->kind = SBX_ADDR_INET;
		sbx_addr_inet_fields(b, len, out);
		break;
	case AF_INET6: {
		struct sockaddr_in6 in6 = { 0 };

		out->kind = SBX_ADDR_INET6;
		out->valid_len = len >= 24; /* SIN6_LEN_RFC2133: the kernel accepts no scope id */
		memcpy(&in6, b, len < sizeof(in6) ? len : sizeof(in6));
		memcpy(out->ip, &in6.sin6_addr, 16);
		out->port = ntohs(in6.sin6_port);
		break;
	}
	default:
		out->kind = SBX_ADDR_OTHER;
		break;
	}
}

void sbx_bytes_escape(const unsigned char *s, size_t len, char *out, size_t n)
{
	size_t i, o = 0;

	if (n == 0)
		return;
	for (i = 0; i < len && o + 5 < n; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' && s[i] != '"')
			out[o++] = s[i];
		else
			o += snprintf(out + o, n - o, "\\x%02x", s[i]);
	}
	out[o] = '\0';
}

void sbx_addr_format(const struct sbx_addr *a, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN];

	switch (a->kind) {
	case SBX_ADDR_NONE:
		snprintf(out, n, "(no address)");
		break;
	case SBX_ADDR_UNSPEC:
		snprintf(out, n, "AF_UNSPEC");
		break;
	case SBX_ADDR_UNIX_UNNAMED:
		snprintf(out, n, "(unnamed unix address)");
		break;
	case SBX_ADDR_UNIX_PATH:
		sbx_bytes_escape((const unsigned char *)a->path, strlen(a->path), out, n);
		break;
	case SBX_ADDR_UNIX_ABSTRACT:
		if (n > 1) {
			out[0] = '@';
			sbx_bytes_escape(a->name, a->name_len, out + 1, n - 1);
		}
		break;
	case SBX_ADDR_NETLINK:
		snprintf(out, n, "netlink:%u", a->nl_pid);
		break;
	case SBX_ADDR_INET:
		inet_ntop(AF_INET, a->ip, ip, sizeof(ip));
		snprintf(out, n, "%s:%u", ip, a->port);
		break;
	case SBX_ADDR_INET6:
		inet_ntop(AF_INET6, a->ip, ip, sizeof(ip));
		snprintf(out, n, "[%s]:%u", ip, a->port);
		break;
	case SBX_ADDR_OTHER:
		snprintf(out, n, "address family %d", a->family);
		break;
	}
}

/* An absolute path with no empty, "." or ".." component: as readlink would name its end. */
bool sbx_path_plain(const char *p)
{
	const char *c;

	if (p[0] != '/' || p[1] == '\0')
		return false;
	for (c = p; *c; c++) {
		if (*c != '/')
			continue;
		if (c[1] == '/' || c[1] == '\0')
			return false;
		if (c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return false;
		if (c[1] == '.' && c[2] == '.' && (c[3] == '/' || c[3] == '\0'))
			return false;
	}
	return true;
}
