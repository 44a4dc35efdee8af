/*
 * sockinfo: what the caller's descriptor is, read from /proc without taking the descriptor
 * (the replace mode, perform/perform_replace.c, where pidfd_getfd is refused): which socket
 * (its inode), its family, type and protocol, its file status flags, and whether it is
 * bound or connected already.
 *
 * Sources: the fd's magic link (socket:[INODE]); the sockfs xattr system.sockprotoname (the
 * protocol's name: TCP, UDPv6, UNIX-STREAM, UNIX for datagram and seqpacket alike);
 * sock_diag by inode for a UNIX socket's type, state and name (sbx's network namespace,
 * the command's in the modes that use this); /proc/TID/fdinfo/FD for O_NONBLOCK and
 * O_CLOEXEC. An inet socket's own state is not read (the kernel's tables list every
 * socket of the namespace, too many to scan per call): sbx knows the inet sockets it bound
 * or connected (perform/held.h), the only ones a sandboxed command can have bound or
 * connected, but for those it inherited. The caller may change its fd table meanwhile:
 * every read goes through the fd, so the inode is read again last and must not have
 * changed; whoever acts on the result acts on that socket or on one of its own, never on
 * "whatever FD is now".
 */
#ifndef SBX_SOCKINFO_H
#define SBX_SOCKINFO_H

#include <stdbool.h>
#include <sys/types.h>

struct sbx_sockinfo {
	ino_t ino;
	int family, type, protocol;
	int flags;	       /* O_NONBLOCK and O_CLOEXEC as fdinfo shows them */
	bool bound, connected; /* UNIX only (see above) */
};

/*
 * sbx_sockinfo_read() - describe fd @fd of thread @tid. Return 0; -EBADF when it is not
 * open; -ENOTSOCK when it is not a socket; -EPROTONOSUPPORT for a protocol other than
 * TCP, UDP and UNIX; another -errno when /proc cannot be read.
 */
int sbx_sockinfo_read(pid_t tid, int fd, struct sbx_sockinfo *si);

/*
 * sbx_sockinfo_read() in two steps, for the replace mode's judge-first order:
 *
 * sbx_sockinfo_kind() - only what a call is judged by, two reads: the inode (the fd's link,
 * which also proves an open socket) and the family, type and protocol (the sockfs xattr).
 * A UNIX socket's type is 0 unless it is a stream: datagram and seqpacket share a name
 * there, and only sock_diag tells them apart. The rest of @si is zeroed. Same returns.
 *
 * sbx_sockinfo_rest() - the rest, once the call is going to be performed: the flags and a
 * UNIX socket's type, state and name; then the inode again. -ENOENT when @fd no longer
 * names socket si->ino (the caller changed its fd table meanwhile).
 */
int sbx_sockinfo_kind(pid_t tid, int fd, struct sbx_sockinfo *si);
int sbx_sockinfo_rest(pid_t tid, int fd, struct sbx_sockinfo *si);

/* sbx_sockinfo_same_kind() - whether @a and @b agree on what sbx_sockinfo_kind() reads
 * and a call is judged by: family, protocol, and stream or not. */
bool sbx_sockinfo_same_kind(const struct sbx_sockinfo *a, const struct sbx_sockinfo *b);

/* sbx_sockinfo_fd_flags() - O_NONBLOCK and O_CLOEXEC of fd @fd of thread @tid, as fdinfo
 * shows them (FD_CLOEXEC, which lives in the fd table, as O_CLOEXEC), or -errno. */
int sbx_sockinfo_fd_flags(pid_t tid, int fd);

/* sbx_sockinfo_ino() - only the socket's inode (-EBADF, -ENOTSOCK as above). */
int sbx_sockinfo_ino(pid_t tid, int fd, ino_t *ino);

#endif
