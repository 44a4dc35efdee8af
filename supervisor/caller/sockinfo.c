/* Owns reading what a caller's socket descriptor is from /proc (sockinfo.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sockinfo.h"
#include "../base/diag.h"
#include "../base/creds.h"
#include "../base/util.h"

int sbx_sockinfo_ino(pid_t tid, int fd, ino_t *ino)
{
	char path[64], link[64];
	unsigned long long v;
	ssize_t n;
	int used = 0;

	if (fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", tid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	SBX_PTRACE_RETRY(n, readlink(path, link, sizeof(link) - 1));
	if (n < 0)
		return errno == ENOENT ? -EBADF : -errno;
	link[n] = '\0';
	if (sscanf(link, "socket:[%llu]%n", &v, &used) != 1 || used != n)
		return -ENOTSOCK;
	*ino = (ino_t)v;
	return 0;
}

static int sbx_sockinfo_proto(pid_t tid, int fd, struct sbx_sockinfo *si)
{
	static const struct {
		const char *name;
		int family, type, protocol;
	} protos[] = {
		{ "TCP", AF_INET, SOCK_STREAM, IPPROTO_TCP },
		{ "TCPv6", AF_INET6, SOCK_STREAM, IPPROTO_TCP },
		{ "UDP", AF_INET, SOCK_DGRAM, IPPROTO_UDP },
		{ "UDPv6", AF_INET6, SOCK_DGRAM, IPPROTO_UDP },
		{ "UNIX-STREAM", AF_UNIX, SOCK_STREAM, 0 },
		{ "UNIX", AF_UNIX, 0, 0 }, /* datagram or seqpacket: sock_diag says */
	};
	char path[64], name[32];
	ssize_t n;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", tid, fd);
	n = getxattr(path, "system.sockprotoname", name, sizeof(name) - 1);
	SBX_PTRACE_RETRY(n, getxattr(path, "system.sockprotoname", name, sizeof(name) - 1));
	if (n < 0)
		return errno == ENOENT ? -EBADF : -errno;
	name[n] = '\0';
	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (strcmp(name, protos[i].name))
			continue;
		si->family = protos[i].family;
		si->type = protos[i].type;
		si->protocol = protos[i].protocol;
		return 0;
	}
	return -EPROTONOSUPPORT;
}

/* The kernel's own answer for a UNIX socket, by inode (sock_diag): type, state, name. */
static int sbx_sockinfo_unix(struct sbx_sockinfo *si)
{
	struct sbx_diag_unix d;
	int r = sbx_diag_unix_lookup(si->ino, &d);

	if (r < 0)
		return r; /* -ENOENT: closed meanwhile */
	si->type = d.type;
	si->connected = d.state == 1;
	si->bound = d.has_name;
	return 0;
}

int sbx_sockinfo_fd_flags(pid_t tid, int fd)
{
	_cleanup_close_ int f = -1;
	char path[64], buf[256], *flags;
	ssize_t n;

	/* One read, no stdio (whose buffer costs an fstat per call): "flags:" is the second
	 * line of a socket's fdinfo, after "pos:", well within the buffer. */
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", tid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return errno == ENOENT ? -EBADF : -errno;
	n = read(f, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	flags = strstr(buf, "\nflags:");
	if (!flags)
		return -EIO;
	return (int)strtoul(flags + 7, NULL, 8) & (O_NONBLOCK | O_CLOEXEC);
}

int sbx_sockinfo_kind(pid_t tid, int fd, struct sbx_sockinfo *si)
{
	int r;

	*si = (struct sbx_sockinfo){ 0 };
	r = sbx_sockinfo_ino(tid, fd, &si->ino);
	return r < 0 ? r : sbx_sockinfo_proto(tid, fd, si);
}

int sbx_sockinfo_rest(pid_t tid, int fd, struct sbx_sockinfo *si)
{
	ino_t again;
	int r;

	r = sbx_sockinfo_fd_flags(tid, fd);
	if (r >= 0) {
		si->flags = r;
		r = 0;
	}
	if (r == 0)
		r = si->family == AF_UNIX ? sbx_sockinfo_unix(si) : 0;
	/* Each read went through the fd: all of them must have seen the same socket. */
	if (r == 0 && (sbx_sockinfo_ino(tid, fd, &again) < 0 || again != si->ino))
		r = -ENOENT;
	return r;
}

int sbx_sockinfo_read(pid_t tid, int fd, struct sbx_sockinfo *si)
{
	int r, i;

	/* Another thread of the caller's may dup2() over @fd meanwhile: read it again. */
	for (i = 0; i < 8; i++) {
		r = sbx_sockinfo_kind(tid, fd, si);
		if (r == 0)
			r = sbx_sockinfo_rest(tid, fd, si);
		if (r != -ENOENT)
			return r;
	}
	return -EBADF; /* never the same socket twice: the caller's fd keeps changing */
}

bool sbx_sockinfo_same_kind(const struct sbx_sockinfo *a, const struct sbx_sockinfo *b)
{
	return a->family == b->family && a->protocol == b->protocol &&
	       (a->type == SOCK_STREAM) == (b->type == SOCK_STREAM);
}
