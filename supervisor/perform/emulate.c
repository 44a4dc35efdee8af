/* Owns connect, bind and sendto performed on the caller's behalf. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binder.h"
#include "../judge/decide.h"
#include "../judge/lookups.h"
#include "emulate.h"
#include "../base/log.h"
#include "../caller/payload.h"
#include "perform.h"
#include "../base/later.h"
#include "../base/util.h"

long sbx_emu_getsock(struct sbx_call *c, uint64_t fd, int *sock)
{
	long r = sbx_perform_getsock(c, (int)fd, sock);

	/* The replace mode found a socket by the fd's link (or said ENOTSOCK) already. */
	if (r == 0 && !c->sup->replace && !sbx_fd_is_sock(*sock)) {
		close(*sock);
		*sock = -1;
		return -ENOTSOCK;
	}
	return r;
}

static void sbx_dest_releasep(struct sbx_dest *d)
{
	sbx_dest_release(d);
}

#define _cleanup_dest_ _cleanup_(sbx_dest_releasep)

/* The address arguments as the kernel reads them: an int length, at most a sockaddr_storage,
 * copied after the fd lookup (EBADF first, then EINVAL/EFAULT), like move_addr_to_kernel(). */
static long sbx_read_addr(struct sbx_call *c, uint64_t uaddr, uint64_t ulen, void *raw, size_t *len)
{
	int l = (int)ulen;

	if (l < 0 || l > (int)sizeof(struct sockaddr_storage))
		return -EINVAL;
	*len = l;
	return sbx_task_read(&c->task, uaddr, raw, l);
}

long sbx_emu_connect(struct sbx_call *c)
{
	const struct sbx_performer *p;
	const struct seccomp_data *a = &c->n->data;
	unsigned char raw[sizeof(struct sockaddr_storage)];
	_cleanup_dest_ struct sbx_dest d = { .pin = -1 };
	_cleanup_close_later_ int sock = -1;
	struct sbx_blocking b;
	bool unresolved = false;
	size_t len;
	long r;

	r = sbx_perform_getsock(c, (int)a->args[0], &sock);
	if (r < 0)
		return r;
	/* The replace mode knows it is a socket (sbx_replace_getsock), and acts on a stand-in
	 * made only if the call is allowed: until then @sock is -1. */
	d.sock_checked = c->sup->replace;
	r = sbx_read_addr(c, a->args[1], a->args[2], raw, &len);
	if (r == 0 && (r = sbx_dest_resolve(c, raw, len, &d)) < 0)
		unresolved = true;
	if (!sbx_call_valid(c))
		return SBX_NO_REPLY; /* what we read may not be the caller's */
	/* The kernel says ENOTSOCK after reading the address and before looking the path up;
	 * when the path resolved, a denial checks the fd first (sbx_deny), an allowed call
	 * performed on a non-socket fails with ENOTSOCK by itself. */
	if (unresolved && !d.sock_checked && !sbx_fd_is_sock(sock))
		return -ENOTSOCK;
	if (r < 0)
		return r;
	r = sbx_perform_prepare(c, &d, &sock, true, &p);
	if (r < 0)
		return r;

	sbx_cancel_begin(c, &b);
	while ((r = connect(sock, (struct sockaddr *)&d.out, d.out_len)) == -1 &&
	       sbx_cancel_retry(c, &b))
		;
	sbx_cancel_end(c, &b);
	if (r == -1)
		r = errno == EINTR ? sbx_cancel_result(&b) : -errno;
	return p->complete(c, sock, (int)a->args[0], r);
}

static void sbx_bound_warn(const char *what, long r)
{
	static atomic_int warned;

	if (atomic_exchange(&warned, 1) == 0)
		sbx_log_warn("a socket bound inside the sandbox (%s) will not be connectable from "
			     "inside: %s",
			     what, strerror((int)-r));
}

/* Bind a pathname the way the caller would: relative to its cwd, with its umask, in the
 * binder process (binder.h), which has a cwd and umask of its own to set. */
static long sbx_bind_path(struct sbx_call *c, int sock, const void *raw, size_t len,
			  const struct sbx_addr *addr)
{
	_cleanup_close_ int cwd = -1;
	struct sbx_task_ids ids;
	long r;

	cwd = sbx_task_cwd(&c->task);
	r = cwd < 0 ? cwd : sbx_task_ids(&c->task, &ids);
	if (!sbx_call_valid(c))
		return SBX_NO_REPLY;
	if (r < 0)
		return -EPERM;
	/* Where the child has a Landlock domain the binder has one like it, so the kernel
	 * refuses the socket file where the child's rules do (EACCES). */
	r = sbx_binder_bind(sock, cwd, ids.umask, raw, len);
	if (r < 0)
		return r;
	r = sbx_bound_add_path(&c->sup->bound, sock, cwd, addr->path);
	if (r < 0)
		sbx_bound_warn(addr->path, r);
	return 0;
}

static long sbx_bind_other(struct sbx_call *c, int sock, const void *raw, size_t len,
			   const struct sbx_addr *addr);

long sbx_emu_bind(struct sbx_call *c)
{
	struct sbx_verdict v;
	const struct seccomp_data *a = &c->n->data;
	unsigned char raw[sizeof(struct sockaddr_storage)];
	_cleanup_close_later_ int sock = -1;
	struct sbx_addr addr;
	size_t len = 0;
	long r;

	r = sbx_emu_getsock(c, a->args[0], &sock);
	if (r < 0)
		return r;
	r = sbx_read_addr(c, a->args[1], a->args[2], raw, &len);
	if (!sbx_call_valid(c))
		return SBX_NO_REPLY;
	if (r < 0)
		return r;
	/* The replace mode's stand-in of a UNIX socket is made before the verdict, in the old
	 * order: whether the socket is bound already (the kernel's EINVAL, which comes before
	 * any verdict) is known only from sock_diag, and the judge allows every UNIX address,
	 * so judging first would save nothing. An inet socket's bound state is not read (see
	 * sockinfo.h): it is judged first, and its stand-in made only if allowed. */
	if (c->standin && c->si.family == AF_UNIX) {
		r = sbx_replace_standin(c, (int)a->args[0], &sock);
		if (r < 0)
			return r;
	}
	/* A stand-in (replace mode) of a socket bound already: the kernel's EINVAL. */
	if (c->standin && c->si.bound)
		return -EINVAL;
	sbx_addr_decode(raw, len, &addr);
	sbx_bind_judge(c, &addr, sock, &v);
	r = sbx_verdict_record(c, &v);
	if (r < 0)
		return r;
	r = sbx_replace_standin(c, (int)a->args[0], &sock);
	if (r < 0)
		return r;
	if (addr.kind == SBX_ADDR_UNIX_PATH)
		r = sbx_bind_path(c, sock, raw, len, &addr);
	else
		r = sbx_bind_other(c, sock, raw, len, &addr);
	/* The stand-in, bound, becomes the caller's, and sbx keeps it for its listen. */
	if (r == 0 && c->standin)
		r = sbx_replace_install(c, sock, (int)a->args[0], true);
	return r;
}

/* Bind an abstract or unnamed UNIX address, or an inet one, and remember what the sandbox
 * now serves (bound.h). */
static long sbx_bind_other(struct sbx_call *c, int sock, const void *raw, size_t len,
			   const struct sbx_addr *addr)
{
	long r;

	if (bind(sock, raw, len) == -1)
		return -errno;
	if (addr->kind == SBX_ADDR_UNIX_ABSTRACT || addr->kind == SBX_ADDR_UNIX_UNNAMED) {
		r = sbx_bound_add_abstract(&c->sup->bound, sock);
		if (r < 0)
			sbx_bound_warn("abstract", r);
	}
	/* A loopback server bound inside the host's namespace is reachable from inside. */
	if ((addr->kind == SBX_ADDR_INET || addr->kind == SBX_ADDR_INET6) &&
	    !sbx_sock_private(c->sup, sock)) {
		r = sbx_bound_add_inet(&c->sup->bound, sock);
		if (r < 0)
			sbx_bound_warn("inet", r);
	}
	return 0;
}

size_t sbx_emu_send_rest(struct sbx_call *c, const struct sbx_blocking *b, int sock,
			 struct sbx_payload *p, size_t sent, int flags)
{
	while (sent < p->total && !atomic_load(&b->signalled)) {
		size_t n = p->total - sent < SBX_CHUNK ? p->total - sent : SBX_CHUNK;
		ssize_t k;

		/* Read by tid: valid only while the call is pending, checked before the send. */
		if (sbx_payload_copy(&c->task, p, sent, n) < 0 || !sbx_call_valid(c))
			break;
		while ((k = send(sock, p->buf, n, flags | MSG_NOSIGNAL)) == -1 &&
		       sbx_cancel_retry(c, b))
			;
		if (k <= 0)
			break; /* what was sent is the answer, as the kernel's */
		sent += (size_t)k;
		if ((size_t)k < n)
			break; /* a timeout, a signal or a nonblocking socket: a short count */
	}
	return sent;
}

long sbx_emu_finish_send(struct sbx_call *c, const struct sbx_blocking *b, ssize_t r, int flags)
{
	if (r >= 0)
		return r; /* a send interrupted after some bytes were queued counts them */
	if (errno == EINTR)
		return b ? sbx_cancel_result(b) : SBX_NO_REPLY;
	/* The supervisor always sends with MSG_NOSIGNAL; the caller gets the SIGPIPE it asked
	 * for from notify.c, by its pidfd, around the reply (sbx_post_signal_prepare). */
	if (errno == EPIPE && !(flags & MSG_NOSIGNAL))
		c->post_signal = SIGPIPE;
	return -errno;
}

static void sbx_payload_releasep(struct sbx_payload *p)
{
	sbx_payload_release(p);
}

long sbx_emu_sendto(struct sbx_call *c)
{
	const struct sbx_performer *p;
	const struct seccomp_data *a = &c->n->data;
	unsigned char raw[sizeof(struct sockaddr_storage)];
	_cleanup_dest_ struct sbx_dest d = { .pin = -1 };
	_cleanup_(sbx_payload_releasep) struct sbx_payload pl = { .n = 0 };
	_cleanup_close_later_ int sock = -1;
	int flags = (int)a->args[3];
	/* the kernel clamps the length to INT_MAX (__sys_sendto) */
	struct iovec uiov = { (void *)(uintptr_t)a->args[1],
			      a->args[2] > INT_MAX ? INT_MAX : (size_t)a->args[2] };
	struct sbx_blocking b;
	bool stream;
	size_t alen;
	long first, r;
	ssize_t n;

	r = sbx_emu_getsock(c, a->args[0], &sock);
	if (r < 0)
		return r;
	r = sbx_payload_init(&pl, &uiov, 1);
	/* Only a payload past one chunk needs the type (payload.h): most sends are small. */
	stream = pl.total > SBX_CHUNK && sbx_sock_type(c, sock) == SOCK_STREAM;
	first = r < 0 ? r : sbx_payload_first(&pl, stream);
	if (first < 0)
		return first;
	r = sbx_read_addr(c, a->args[4], a->args[5], raw, &alen);
	if (r == 0)
		r = sbx_payload_copy(&c->task, &pl, 0, (size_t)first);
	if (r == 0)
		r = sbx_dest_resolve(c, raw, alen, &d);
	d.sock_checked = true; /* by sbx_emu_getsock */
	if (!sbx_call_valid(c))
		return SBX_NO_REPLY;
	if (r < 0)
		return r;
	/* With addfd, the send goes from a socket of sbx's namespace, which the caller then
	 * holds: the replies come to it. */
	r = sbx_perform_prepare(c, &d, &sock, false, &p);
	if (r < 0)
		return r;
	sbx_lookups_observe(c, sock, (struct sockaddr *)&d.out, pl.buf, (size_t)first);

	sbx_cancel_begin(c, &b);
	while ((n = sendto(sock, pl.buf, (size_t)first, flags | MSG_NOSIGNAL,
			   (struct sockaddr *)&d.out, d.out_len)) == -1 &&
	       sbx_cancel_retry(c, &b))
		;
	if (stream && n > 0 && n == first)
		n = (ssize_t)sbx_emu_send_rest(c, &b, sock, &pl, (size_t)n, flags & ~MSG_FASTOPEN);
	sbx_cancel_end(c, &b);
	return p->complete(c, sock, (int)a->args[0], sbx_emu_finish_send(c, &b, n, flags));
}

/*
 * listen() on an inet socket of the host's namespace serves whatever its local address
 * says: allowed on a loopback address, or on a port --allow-bind names; refused on the
 * unspecified address (a socket never bound, or disconnected: the kernel keeps its port and
 * resets its address). Sockets in the sandbox's private namespace serve only the sandbox.
 */
long sbx_emu_listen(struct sbx_call *c)
{
	const struct seccomp_data *a = &c->n->data;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	_cleanup_close_later_ int sock = -1;
	struct sbx_addr local;
	struct sbx_verdict v;
	long r;

	r = sbx_emu_getsock(c, a->args[0], &sock);
	if (r < 0)
		return r;
	/* The fd may be another process's if the caller died and its tid was reused before
	 * sbx_task_open(): listening on it would serve a socket no one asked to. */
	if (!sbx_call_valid(c))
		return SBX_NO_REPLY;
	if (c->standin)
		return sbx_replace_refuse(
			c, (int)a->args[0],
			"listen on a socket sbx did not bind, so holds no copy of");
	if (getsockname(sock, (struct sockaddr *)&ss, &sl) == -1)
		return -errno;
	sbx_addr_decode(&ss, sl, &local);
	sbx_listen_judge(c, &local, sock, &v);
	r = sbx_verdict_record(c, &v);
	if (r < 0)
		return r;
	if (listen(sock, (int)a->args[1]) == -1)
		return -errno;
	return 0;
}
