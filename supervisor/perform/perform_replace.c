/*
 * Owns the replace strategy (perform.h): where pidfd_getfd is refused (a container's default
 * seccomp profile), sbx cannot take the caller's socket. It performs the call on a socket of
 * its own made like the caller's (family, type, protocol, O_NONBLOCK, read from /proc:
 * caller/sockinfo.h) and installs that over the caller's descriptor with
 * SECCOMP_IOCTL_NOTIF_ADDFD once the call succeeded; or, for a socket it installed and kept
 * (held.h), on that socket itself. Nothing of the caller's is continued: what sbx judged is
 * what it performs, on a socket it holds.
 *
 * The address is judged first: before the verdict only the socket's inode and kind are read
 * (two reads of /proc, which also give the kernel's EBADF and ENOTSOCK); its flags and state
 * and the stand-in wait for an allowed call, so a denied one costs what it costs with
 * pidfd_getfd.
 *
 * What a fresh socket cannot stand in for is refused with a line saying why: a socket bound
 * or connected before sbx made it (its address would be lost), a listen or a sendmsg on a
 * socket sbx holds no copy of, descriptors passed in SCM_RIGHTS (sbx cannot take them).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "held.h"
#include "perform.h"
#include "swap.h"
#include "../base/util.h"

#define SBX_REPLACE_HINT                                                           \
	"this needs pidfd_getfd, which this system refuses (in Docker or podman: " \
	"--cap-add SYS_PTRACE)"

long sbx_replace_refuse(struct sbx_call *c, int fd, const char *why)
{
	char target[160], reason[384];

	snprintf(target, sizeof(target), "fd %d", fd);
	snprintf(reason, sizeof(reason), "%s; %s", why, SBX_REPLACE_HINT);
	c->deny_sock = -1;
	(void)sbx_deny(c, target, NULL, reason);
	return -EPERM; /* --learn too: there is nothing sbx could perform */
}

/* What the fd's reads failed with, answered as the caller's call would be. */
static long sbx_replace_read_error(struct sbx_call *c, int fd, long r)
{
	if (r == -EPROTONOSUPPORT)
		return sbx_replace_refuse(c, fd,
					  "a socket of a protocol sbx cannot make a copy of");
	return r == -EBADF || r == -ENOTSOCK || r == SBX_NO_REPLY ? r : -EPERM;
}

/*
 * Before the call is judged, only what it is judged by: the socket's inode (a kept copy is
 * found by it) and its family, type and protocol, two reads of /proc. The flags, a UNIX
 * socket's state and the stand-in itself wait for an allowed call (sbx_replace_standin): a
 * denied one costs no more than it does with pidfd_getfd.
 */
long sbx_replace_getsock(struct sbx_call *c, int fd, int *sock)
{
	int held;
	long r;

	*sock = -1;
	c->standin = false;
	r = sbx_sockinfo_kind(c->task.tid, fd, &c->si);
	if (r < 0)
		return sbx_replace_read_error(c, fd, r);
	held = sbx_held_get(c->si.ino);
	if (held >= 0) {
		*sock = held; /* one sbx installed: the call is performed on it, as with dup */
		return 0;
	}
	c->standin = true; /* made once the call is allowed */
	return 0;
}

/*
 * The rest of what the caller's socket is, read once the call is allowed, into c->si. The
 * verdict was reached on c->si's kind; if the fd names another socket by now (the caller
 * changed its fd table meanwhile), that one is read, and the call goes on only if it is of
 * the same kind: what sbx judged is what it performs. The socket may turn out to be one sbx
 * keeps a copy of: then *@sock is that copy and c->standin false.
 */
static long sbx_replace_describe(struct sbx_call *c, int fd, int *sock)
{
	struct sbx_sockinfo judged = c->si;
	int held;
	long r;

	r = sbx_sockinfo_rest(c->task.tid, fd, &c->si);
	if (r == -ENOENT) {
		r = sbx_sockinfo_read(c->task.tid, fd, &c->si);
		/* Read by tid after the call was checked valid: the tid may name another
		 * process by now, whose fd this was. The same inode needs no check. */
		if (r == 0 && !sbx_call_valid(c))
			r = SBX_NO_REPLY;
		if (r == 0 && !sbx_sockinfo_same_kind(&judged, &c->si))
			r = -EBADF; /* the socket judged is gone from the fd, as if closed */
	}
	if (r < 0)
		return sbx_replace_read_error(c, fd, r);
	/* Kept by another call meanwhile (its own stand-in for this socket, installed). */
	held = sbx_held_get(c->si.ino);
	if (held >= 0) {
		*sock = held;
		c->standin = false;
		return 0;
	}
	if (c->si.family != AF_UNIX)
		c->si.connected = sbx_held_connected(c->si.ino);
	return 0;
}

/* The stand-in: a fresh socket of sbx's like the caller's, as c->si describes it. */
static long sbx_replace_make(struct sbx_call *c, int *sock)
{
	int s = socket(c->si.family,
		       c->si.type | SOCK_CLOEXEC | (c->si.flags & O_NONBLOCK ? SOCK_NONBLOCK : 0),
		       c->si.protocol);

	if (s < 0)
		return -errno;
	*sock = s;
	return 0;
}

long sbx_replace_standin(struct sbx_call *c, int fd, int *sock)
{
	long r;

	if (!c->standin || *sock >= 0)
		return 0;
	r = sbx_replace_describe(c, fd, sock);
	if (r < 0 || !c->standin)
		return r;
	return sbx_replace_make(c, sock);
}

/* The kernel's answers where they do not depend on the address, and what a fresh socket
 * cannot stand in for; after the verdict, as before this order was the judge's. */
static long sbx_replace_check(struct sbx_call *c, bool connect)
{
	if (connect && c->si.connected && c->si.type != SOCK_DGRAM)
		return -EISCONN;
	if (!connect && c->si.type != SOCK_DGRAM)
		return sbx_replace_refuse(c, (int)c->n->data.args[0],
					  "a send with an address on a stream socket sbx did not "
					  "connect");
	/* A datagram socket's connect or send replaces its peer anyway; the port the kernel
	 * gave it for that (UDP lists it as bound) goes with the old socket. An address it was
	 * bound to would be lost too, which the caller would notice: refused. */
	if (c->si.type == SOCK_DGRAM && c->si.connected &&
	    (c->si.family != AF_UNIX || !c->si.bound))
		return 0;
	if (c->si.bound || c->si.connected)
		return sbx_replace_refuse(c, (int)c->n->data.args[0],
					  "the socket was bound or connected before sbx could make "
					  "it, and a copy would lose that address");
	return 0;
}

/* The call is allowed: read the rest, refuse what a stand-in cannot do, then make it. */
static long sbx_replace_socket(struct sbx_call *c, int *sock, bool connect)
{
	long r;

	if (!c->standin)
		return 0;
	if (*sock < 0) {
		r = sbx_replace_describe(c, (int)c->n->data.args[0], sock);
		if (r < 0 || !c->standin)
			return r;
	}
	r = sbx_replace_check(c, connect);
	if (r < 0 || *sock >= 0)
		return r;
	return sbx_replace_make(c, sock);
}

long sbx_replace_install(struct sbx_call *c, int sock, int fd, bool keep)
{
	struct sbx_task_ids ids;
	struct stat st;
	long i;

	/* The flags read for the stand-in; a kept copy's fd was not read: read them now. */
	i = sbx_swap_install(c, sock, fd, c->standin ? c->si.flags : -1);
	if (i < 0 || i == SBX_NO_REPLY)
		return i;
	if (keep && fstat(sock, &st) == 0 && sbx_task_ids(&c->task, &ids) == 0)
		sbx_held_add(sock, st.st_ino, ids.tgid);
	return 0;
}

static long sbx_replace_complete(struct sbx_call *c, int sock, int fd, long r)
{
	long i;

	if (!c->standin)
		return r;
	/* A failed call hands nothing over: the caller keeps its own socket. */
	if (r < 0 && r != -EINPROGRESS)
		return r;
	i = sbx_replace_install(c, sock, fd, c->si.type == SOCK_DGRAM);
	if (i != 0)
		return i;
	if (c->si.type != SOCK_DGRAM) {
		struct stat st;

		if (fstat(sock, &st) == 0)
			sbx_held_note_connected(st.st_ino);
	}
	c->standin = false; /* the caller's now: a sendmmsg's next messages go through it */
	return r;
}

const struct sbx_performer sbx_perform_replace = {
	.name = "replace",
	.socket = sbx_replace_socket,
	.complete = sbx_replace_complete,
};
