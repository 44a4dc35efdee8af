/*
 * diag: ask the kernel (sock_diag, NETLINK_SOCK_DIAG) what a UNIX socket is bound to.
 * This is the race-free way to learn which inode or abstract name a bind produced: the
 * answer comes from the socket itself, not from a path someone could swap.
 */
#ifndef SBX_DIAG_H
#define SBX_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sbx_diag_unix {
	int type;  /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	int state; /* TCP_ESTABLISHED (1) once connected, TCP_LISTEN (10), else TCP_CLOSE */
	bool has_vfs;
	uint32_t vfs_ino; /* the kernel reports the low 32 bits only */
	uint32_t vfs_dev; /* kernel-internal dev_t: major << 20 | minor */
	bool has_name;
	unsigned char name[108]; /* sun_path as bound (abstract names start with NUL) */
	size_t name_len;
};

/*
 * sbx_diag_unix_lookup() - describe the UNIX socket whose socket inode is @sock_ino (the
 * st_ino of its fd). Return 0, -ENOENT when no such socket exists now, or another -errno.
 */
int sbx_diag_unix_lookup(uint64_t sock_ino, struct sbx_diag_unix *out);

/*
 * sbx_diag_inet_only_ours() - whether every socket of @proto (IPPROTO_TCP listeners, or bound
 * UDP sockets) that could receive a connection or datagram to @ip:@port (@family AF_INET or
 * AF_INET6, IPv4-mapped already unmapped) has one of the @n socket inodes in @ours, and at
 * least one does. Both families are dumped: an IPv6 socket on [::] receives IPv4 too, and
 * SO_REUSEPORT lets other programs of the same user share the port.
 */
bool sbx_diag_inet_only_ours(int proto, int family, const unsigned char *ip, uint16_t port,
			     const uint64_t *ours, size_t n);

/*
 * sbx_diag_inet_holds() - whether the socket with inode @sock_ino is still bound to local
 * port @port (a listener for TCP, any bound socket for UDP) in the supervisor's network
 * namespace. @proto is IPPROTO_TCP or IPPROTO_UDP, @family AF_INET or AF_INET6.
 */
bool sbx_diag_inet_holds(int proto, int family, uint16_t port, uint64_t sock_ino);

#endif
