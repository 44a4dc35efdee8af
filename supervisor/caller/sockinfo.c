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
	if (n < 0 && errno == EPERM && sbx_creds_ptrace_raise()) {
		n = readlink(path, link, sizeof(link) - 1);
		sbx_creds_ptrace_lower();
	}
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
		{ "UNIX", AF_UNIX, SOCK_DGRAM, 0 }, /* or seqpacket: /proc/net/unix says */
	};
	char path[64], name[32];
	ssize_t n;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", tid, fd);
	n = getxattr(path, "system.sockprotoname", name, sizeof(name) - 1);
	if (n < 0 && errno == EPERM && sbx_creds_ptrace_raise()) {
		n = getxattr(path, "system.sockprotoname", name, sizeof(name) - 1);
		sbx_creds_ptrace_lower();
	}
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

/* /proc/TID/net/unix: "Num RefCount Protocol Flags Type St Inode [Path]". */
static int sbx_sockinfo_unix(pid_t tid, struct sbx_sockinfo *si)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[512];

	snprintf(path, sizeof(path), "/proc/%d/net/unix", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned int flags, type, st;
		unsigned long long ino;
		int used = 0;

		if (sscanf(line, "%*s %*x %*x %x %x %x %llu%n", &flags, &type, &st, &ino, &used) !=
			    4 ||
		    ino != si->ino)
			continue;
		si->type = (int)type;
		/* SS_CONNECTED (3); a name follows the inode when it is bound */
		si->connected = st == 3;
		si->bound = line[used] == ' ' && line[used + 1] != '\n' && line[used + 1] != '\0';
		(void)flags;
		return 0;
	}
	return -ENOENT;
}

/* /proc/TID/net/{tcp,udp}{,6}: listed only once bound, listening or connected. */
static int sbx_sockinfo_inet(pid_t tid, struct sbx_sockinfo *si)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[512];

	snprintf(path, sizeof(path), "/proc/%d/net/%s%s", tid,
		 si->type == SOCK_STREAM ? "tcp" : "udp", si->family == AF_INET6 ? "6" : "");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char rem[64];
		unsigned int st;
		unsigned long long ino;

		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, "%*s %*s %63s %x %*s %*s %*s %*u %*u %llu", rem, &st, &ino) != 3 ||
		    ino != si->ino)
			continue;
		si->bound = true;
		/* TCP_ESTABLISHED (1) and the states on the way to and from it; TCP_CLOSE (7)
		 * and TCP_LISTEN (10) are not connected. For UDP a remote port says so. */
		if (si->type == SOCK_STREAM)
			si->connected = st != 7 && st != 10;
		else
			si->connected = strspn(rem, "0:") != strlen(rem);
		return 0;
	}
	return 0; /* not hashed: never bound, never connected */
}

static int sbx_sockinfo_flags(pid_t tid, int fd, struct sbx_sockinfo *si)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[128];

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", tid, fd);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -EBADF : -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags:", 6)) {
			si->flags = (int)strtoul(line + 6, NULL, 8) & (O_NONBLOCK | O_CLOEXEC);
			return 0;
		}
	return -EIO;
}

int sbx_sockinfo_read(pid_t tid, int fd, struct sbx_sockinfo *si)
{
	int r;

	*si = (struct sbx_sockinfo){ 0 };
	r = sbx_sockinfo_ino(tid, fd, &si->ino);
	if (r == 0)
		r = sbx_sockinfo_proto(tid, fd, si);
	if (r == 0)
		r = sbx_sockinfo_flags(tid, fd, si);
	if (r == 0)
		r = si->family == AF_UNIX ? sbx_sockinfo_unix(tid, si) : sbx_sockinfo_inet(tid, si);
	return r;
}
