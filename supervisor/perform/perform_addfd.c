/* Owns the addfd strategy (perform.h): a socket of sbx's namespace, installed over the
 * caller's descriptor with NOTIF_ADDFD once the call succeeded; used by --net isolated. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "perform.h"
#include "swap.h"
#include "../base/syscalls.h"
#include "../base/util.h"

static const struct {
	int level, name;
	socklen_t len;
} sbx_swap_opts[] = {
	{ SOL_SOCKET, SO_KEEPALIVE, sizeof(int) },
	{ SOL_SOCKET, SO_REUSEADDR, sizeof(int) },
	{ SOL_SOCKET, SO_BROADCAST, sizeof(int) },
	{ SOL_SOCKET, SO_PRIORITY, sizeof(int) },
	{ SOL_SOCKET, SO_LINGER, sizeof(struct linger) },
	{ SOL_SOCKET, SO_RCVTIMEO, sizeof(struct timeval) },
	{ SOL_SOCKET, SO_SNDTIMEO, sizeof(struct timeval) },
	{ IPPROTO_TCP, TCP_NODELAY, sizeof(int) },
	{ IPPROTO_TCP, TCP_KEEPIDLE, sizeof(int) },
	{ IPPROTO_TCP, TCP_KEEPINTVL, sizeof(int) },
	{ IPPROTO_TCP, TCP_KEEPCNT, sizeof(int) },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT, sizeof(int) },
	{ IPPROTO_IPV6, IPV6_V6ONLY, sizeof(int) },
};

int sbx_swap_open(int child_sock, int family)
{
	int domain, type, proto, fl, i;
	socklen_t l = sizeof(int);
	_cleanup_close_ int s = -1;
	size_t k;

	if (getsockopt(child_sock, SOL_SOCKET, SO_DOMAIN, &domain, &l) == -1 ||
	    getsockopt(child_sock, SOL_SOCKET, SO_TYPE, &type, &l) == -1 ||
	    getsockopt(child_sock, SOL_SOCKET, SO_PROTOCOL, &proto, &l) == -1)
		return -errno;
	/* A name given a synthetic IPv4 address may resolve to IPv6 only on the host. */
	if (family)
		domain = family;
	fl = fcntl(child_sock, F_GETFL);
	if (fl == -1)
		return -errno;
	s = socket(domain, type | SOCK_CLOEXEC | (fl & O_NONBLOCK ? SOCK_NONBLOCK : 0), proto);
	if (s < 0)
		return -errno;
	for (k = 0; k < ARRAY_SIZE(sbx_swap_opts); k++) {
		unsigned char v[sizeof(struct timeval) + sizeof(struct linger)];
		socklen_t vl = sbx_swap_opts[k].len;

		if (sbx_swap_opts[k].level == IPPROTO_TCP && type != SOCK_STREAM)
			continue;
		if (sbx_swap_opts[k].level == IPPROTO_IPV6 && domain != AF_INET6)
			continue;
		/* Best effort: an option the old socket cannot report is one it did not set. */
		if (getsockopt(child_sock, sbx_swap_opts[k].level, sbx_swap_opts[k].name, v, &vl) ==
		    0)
			(void)setsockopt(s, sbx_swap_opts[k].level, sbx_swap_opts[k].name, v, vl);
	}
	i = steal_fd(&s);
	return i;
}

long sbx_swap_install(struct sbx_call *c, int ours, int fd, int flags)
{
	struct seccomp_notif_addfd a = {
		.id = c->n->id,
		.flags = SECCOMP_ADDFD_FLAG_SETFD,
		.srcfd = (__u32)ours,
		.newfd = (__u32)fd,
	};

	/* FD_CLOEXEC lives in the caller's fd table; unknown, it is set: the safer default. */
	if (flags < 0)
		flags = sbx_sockinfo_fd_flags(c->task.tid, fd);
	a.newfd_flags = flags < 0 || (flags & O_CLOEXEC) ? O_CLOEXEC : 0;

	/* libseccomp has no ADDFD; errno matters here, so the ioctl is called directly. */
	if (ioctl(c->sup->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a) < 0)
		return errno == ENOENT ? SBX_NO_REPLY : -errno;
	return 0;
}

static long sbx_addfd_socket(struct sbx_call *c, int *sock, bool connect)
{
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer), tl = sizeof(int);
	int type = 0, ours;

	/* A connected stream socket stays as it is, as the kernel would keep it. */
	if (connect && getsockopt(*sock, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
	    type == SOCK_STREAM && getpeername(*sock, (struct sockaddr *)&peer, &pl) == 0)
		return -EISCONN;
	ours = sbx_swap_open(*sock, c->swap_family);
	if (ours < 0)
		return ours;
	close(*sock);
	*sock = ours;
	return 0;
}

static long sbx_addfd_complete(struct sbx_call *c, int sock, int fd, long r)
{
	long i;

	/* A failed call hands nothing over: the caller keeps its own socket. */
	if (r < 0 && r != -EINPROGRESS)
		return r;
	i = sbx_swap_install(c, sock, fd, -1);
	return i == 0 ? r : i;
}

const struct sbx_performer sbx_perform_addfd = {
	.name = "addfd",
	.socket = sbx_addfd_socket,
	.complete = sbx_addfd_complete,
};
