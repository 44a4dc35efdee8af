/*
 * sockinfo: what the caller's descriptor is, read from /proc without taking the descriptor
 * (the replace mode, perform/perform_replace.c, where pidfd_getfd is refused): which socket
 * (its inode), its family, type and protocol, its file status flags, and whether it is
 * bound or connected already.
 *
 * Sources: the fd's magic link (socket:[INODE]); the sockfs xattr system.sockprotoname (the
 * protocol's name: TCP, UDPv6, UNIX-STREAM, UNIX for datagram and seqpacket alike);
 * /proc/TID/net/unix for a UNIX socket's type, state and name; /proc/TID/net/{tcp,udp}{,6}
 * for an inet socket the kernel has hashed (bound, listening or connected: an unbound one
 * is in none of them); /proc/TID/fdinfo/FD for O_NONBLOCK and O_CLOEXEC. The caller may
 * change its fd table meanwhile: the inode says which socket was read, and whoever acts on
 * it acts on that socket or on one of its own, never on "whatever FD is now".
 */
#ifndef SBX_SOCKINFO_H
#define SBX_SOCKINFO_H

#include <stdbool.h>
#include <sys/types.h>

struct sbx_sockinfo {
	ino_t ino;
	int family, type, protocol;
	int flags; /* O_NONBLOCK and O_CLOEXEC as fdinfo shows them */
	bool bound, connected;
};

/*
 * sbx_sockinfo_read() - describe fd @fd of thread @tid. Return 0; -EBADF when it is not
 * open; -ENOTSOCK when it is not a socket; -EPROTONOSUPPORT for a protocol other than
 * TCP, UDP and UNIX; another -errno when /proc cannot be read.
 */
int sbx_sockinfo_read(pid_t tid, int fd, struct sbx_sockinfo *si);

/* sbx_sockinfo_ino() - only the socket's inode (-EBADF, -ENOTSOCK as above). */
int sbx_sockinfo_ino(pid_t tid, int fd, ino_t *ino);

#endif
