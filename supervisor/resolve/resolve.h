/*
 * resolve: one host name to its addresses, the way the host resolves it (/etc/hosts, then the
 * servers of /etc/resolv.conf), from sbx's own mount and network namespaces. c-ares, because
 * sbx is linked statically and glibc's getaddrinfo needs NSS modules a static program cannot
 * load. Blocking, with a bound: called only off the notification path, or by a worker that
 * chose to wait (names.h).
 */
#ifndef SBX_RESOLVE_H
#define SBX_RESOLVE_H

#include <stddef.h>

/* One address: AF_INET (4 bytes used) or AF_INET6, IPv4-mapped IPv6 already unmapped. */
struct sbx_ip {
	int family;
	unsigned char addr[16];
};

/*
 * sbx_resolve() - the IPv4 and IPv6 addresses of @name, at most @max into @out, and the
 * smallest TTL of the answer in *@ttl (0 for /etc/hosts, which has none). Gives up after
 * @timeout_ms. Return: the number of addresses, -ENOENT when the name has none (NXDOMAIN,
 * no data), -ECONNREFUSED (the server refused to answer), -ETIMEDOUT, -ENOMEM, or -EIO (no
 * server, a server failure, a malformed answer).
 */
int sbx_resolve(const char *name, struct sbx_ip *out, size_t max, unsigned int *ttl,
		int timeout_ms);

#endif
