/*
 * Owns sendmsg and sendmmsg performed on the caller's behalf: the msghdr, its iovecs, its
 * destination and its control messages are copied, and SCM_RIGHTS fds are translated into
 * the supervisor's own fds with pidfd_getfd.
 *
 * The control buffer is walked with exactly the kernel's rules (__scm_send, CMSG_OK,
 * cmsg_nxthdr): any fd number the walk did not translate would be read by the kernel in the
 * SUPERVISOR's fd table and could hand the listener to a peer. What the kernel would accept
 * we translate; what we cannot translate we refuse.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../caller/cmsg.h"
#include "../judge/decide.h"
#include "../judge/lookups.h"
#include "emulate.h"
#include "fdbudget.h"
#include "../caller/payload.h"
#include "perform.h"
#include "../base/later.h"
#include "../base/util.h"

struct sbx_msg {
	struct msghdr m;
	struct iovec iov;
	struct sbx_payload pl; /* the data: the first chunk at pl.buf, the rest later */
	bool stream;
	unsigned char *ctl;
	int fds[SBX_SCM_MAX_FD * 4];
	size_t nfds;
	size_t budget; /* fds reserved with sbx_fdbudget_take */
	struct sbx_dest dest;
};

static void sbx_msg_release(struct sbx_msg *s)
{
	size_t i;

	for (i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	s->nfds = 0;
	sbx_fdbudget_give(s->budget);
	s->budget = 0;
	sbx_payload_release(&s->pl);
	free(s->ctl);
	s->ctl = NULL;
	sbx_dest_release(&s->dest);
}

static long sbx_cmsg_rights(struct sbx_call *c, struct sbx_msg *s, struct cmsghdr *cm)
{
	size_t i, n = sbx_cmsg_nfds(cm);
	int *fds = (int *)CMSG_DATA(cm);
	int r;

	if (n == 0)
		return 0; /* scm_fp_copy accepts an empty SCM_RIGHTS */
	if (n > SBX_SCM_MAX_FD || s->nfds + n > ARRAY_SIZE(s->fds))
		return -EINVAL;
	if (c->sup->replace)
		return sbx_replace_refuse(
			c, (int)c->n->data.args[0],
			"passing descriptors (SCM_RIGHTS), which sbx cannot take");
	r = sbx_fdbudget_take(n);
	if (r < 0)
		return r;
	s->budget += n;
	for (i = 0; i < n; i++) {
		int fd, ours;

		memcpy(&fd, fds + i, sizeof(fd));
		ours = sbx_task_getfd(&c->task, fd);
		if (ours < 0)
			return ours == -EBADF ? -EBADF : -EPERM;
		s->fds[s->nfds++] = ours;
		memcpy(fds + i, &ours, sizeof(ours));
	}
	return 0;
}

/* What the kernel checks for an unprivileged sender (scm_check_creds): its own tgid and one
 * of its ids. The supervisor then sends them, so the kernel checks the supervisor too. */
static long sbx_cmsg_creds(struct sbx_call *c, struct cmsghdr *cm)
{
	struct sbx_task_ids ids;
	struct ucred uc;
	int i, uid_ok = 0, gid_ok = 0;

	if (cm->cmsg_len != CMSG_LEN(sizeof(uc)))
		return -EINVAL;
	memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
	if (sbx_task_ids(&c->task, &ids) < 0)
		return -EPERM;
	for (i = 0; i < 3; i++) {
		uid_ok |= uc.uid == ids.uid[i];
		gid_ok |= uc.gid == ids.gid[i];
	}
	return uc.pid == ids.tgid && uid_ok && gid_ok ? 0 : -EPERM;
}

struct sbx_msg_walk {
	struct sbx_call *c;
	struct sbx_msg *s;
	int family; /* the socket's: which levels it reads */
};

/* A message that could take the data elsewhere than the address judged, or one sbx does not
 * know: refused even in learning mode, since no flag could allow it. */
static long sbx_cmsg_refuse(struct sbx_call *c, const struct cmsghdr *cm, const char *reason)
{
	const char *name = sbx_cmsg_name(cm->cmsg_level, cm->cmsg_type);
	char target[96];

	if (name)
		snprintf(target, sizeof(target), "control message %s", name);
	else
		snprintf(target, sizeof(target), "control message of level %d, type %d",
			 cm->cmsg_level, cm->cmsg_type);
	(void)sbx_deny(c, target, NULL, reason);
	return -EPERM;
}

static long sbx_msg_cmsg(struct cmsghdr *cm, void *arg)
{
	struct sbx_msg_walk *w = arg;

	switch (sbx_cmsg_judge(w->family, cm->cmsg_level, cm->cmsg_type)) {
	case SBX_CMSG_PASS:
		return 0;
	case SBX_CMSG_RIGHTS:
		return sbx_cmsg_rights(w->c, w->s, cm);
	case SBX_CMSG_CREDS:
		return sbx_cmsg_creds(w->c, cm);
	case SBX_CMSG_INVALID:
		return -EINVAL; /* the kernel's own answer */
	case SBX_CMSG_REROUTE:
		return sbx_cmsg_refuse(w->c, cm,
				       "it would send the data elsewhere than the address judged");
	case SBX_CMSG_UNKNOWN:
		break;
	}
	return sbx_cmsg_refuse(w->c, cm,
			       "sbx passes only the control messages known not to redirect data");
}

static long sbx_msg_control(struct sbx_call *c, struct sbx_msg *s, int sock, size_t len)
{
	struct sbx_msg_walk w = { c, s, sbx_sock_family(c, sock) };

	return sbx_cmsg_walk(s->ctl, len, sbx_msg_cmsg, &w);
}

/* Copy the caller's msghdr at @uaddr into @s, in the kernel's order of checks; its iovecs go
 * to @iov (UIO_MAXIOV entries), which s->pl refers to. */
static long sbx_msg_load(struct sbx_call *c, int sock, uint64_t uaddr, struct sbx_msg *s,
			 struct iovec *iov)
{
	unsigned char raw[sizeof(struct sockaddr_storage)];
	struct msghdr um;
	int namelen;
	long r, first;

	r = sbx_task_read(&c->task, uaddr, &um, sizeof(um));
	if (r < 0)
		return r;
	namelen = um.msg_name ? (int)um.msg_namelen : 0;
	if (namelen < 0)
		return -EINVAL;
	if (namelen > (int)sizeof(struct sockaddr_storage))
		namelen = sizeof(struct sockaddr_storage); /* the kernel truncates, too */
	if (um.msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	r = sbx_task_read(&c->task, (uintptr_t)um.msg_iov, iov, um.msg_iovlen * sizeof(*iov));
	if (r < 0)
		return r;
	r = sbx_payload_init(&s->pl, iov, um.msg_iovlen);
	if (r < 0)
		return r;
	/* Only a payload past one chunk needs the type (a stream is sent in chunks): most sends
	 * are small, and a getsockopt costs a fifth of the send here. */
	s->stream = s->pl.total > SBX_CHUNK && sbx_sock_type(c, sock) == SOCK_STREAM;
	first = sbx_payload_first(&s->pl, s->stream);
	if (first < 0)
		return first;
	r = sbx_payload_copy(&c->task, &s->pl, 0, (size_t)first);
	if (r < 0)
		return r;
	s->iov = (struct iovec){ s->pl.buf, (size_t)first };
	s->m.msg_iov = &s->iov;
	s->m.msg_iovlen = 1;

	if (um.msg_controllen > INT_MAX || um.msg_controllen > SBX_CTL_MAX)
		return -ENOBUFS;
	if (um.msg_controllen >= sizeof(struct cmsghdr)) {
		s->ctl = malloc(um.msg_controllen);
		if (!s->ctl)
			return -ENOMEM;
		r = sbx_task_read(&c->task, (uintptr_t)um.msg_control, s->ctl, um.msg_controllen);
		if (r < 0)
			return r;
		r = sbx_msg_control(c, s, sock, um.msg_controllen);
		if (r < 0)
			return r;
		s->m.msg_control = s->ctl;
		s->m.msg_controllen = um.msg_controllen;
	}
	/* A control buffer shorter than one header carries nothing, but the kernel copies it
	 * all the same: an unmapped one is EFAULT. */
	if (um.msg_controllen > 0 && um.msg_controllen < sizeof(struct cmsghdr)) {
		struct cmsghdr tiny;

		r = sbx_task_read(&c->task, (uintptr_t)um.msg_control, &tiny, um.msg_controllen);
		if (r < 0)
			return r;
	}

	r = sbx_task_read(&c->task, (uintptr_t)um.msg_name, raw, namelen);
	if (r < 0)
		return r;
	r = sbx_dest_resolve(c, raw, namelen, &s->dest);
	s->dest.sock_checked = true; /* by sbx_emu_getsock */
	if (r < 0)
		return r;
	if (namelen > 0) {
		s->m.msg_name = &s->dest.out;
		s->m.msg_namelen = s->dest.out_len;
	}
	return 0;
}

/*
 * One message: load, judge, perform. When the destination must be reached from the
 * supervisor's namespace, *sock is replaced by a socket of ours that the caller then holds
 * at @fd (perform_addfd.c), so the next messages of a sendmmsg go through it too.
 */
static long sbx_msg_send(struct sbx_call *c, int *sock, int fd, uint64_t uaddr, int flags)
{
	struct sbx_msg s = { .dest.pin = -1 };
	const struct sbx_performer *p = &sbx_perform_dup;
	struct iovec iov[UIO_MAXIOV]; /* the caller's, read by sbx_msg_load: not zeroed */
	struct sbx_blocking b;
	ssize_t n;
	long r;

	r = sbx_msg_load(c, *sock, uaddr, &s, iov);
	if (!sbx_call_valid(c)) {
		sbx_msg_release(&s);
		return SBX_NO_REPLY;
	}
	/* With addfd, *sock becomes a socket of sbx's that the caller holds afterwards, so the
	 * next messages of a sendmmsg go through it too. Without a name nothing is judged: the
	 * socket's own peer, set by a connect that was. */
	/* A stand-in (replace mode) can send only where a name says where. */
	if (r == 0 && c->standin && !s.m.msg_name)
		r = sbx_replace_refuse(c, fd,
				       "a send on a socket sbx holds no copy of (one it did not "
				       "make, or a stream it only connected)");
	if (r == 0 && s.m.msg_name)
		r = sbx_perform_prepare(c, &s.dest, sock, false, &p);
	if (r < 0) {
		sbx_msg_release(&s);
		return r;
	}
	sbx_lookups_observe(c, *sock, s.m.msg_name, s.pl.buf, s.iov.iov_len);
	sbx_cancel_begin(c, &b);
	while ((n = sendmsg(*sock, &s.m, flags | MSG_NOSIGNAL)) == -1 && sbx_cancel_retry(c, &b))
		;
	/* A stream's further chunks go without the name and the control messages, which
	 * belong to the first bytes as they would natively. */
	if (s.stream && n > 0 && (size_t)n == s.iov.iov_len)
		n = (ssize_t)sbx_emu_send_rest(c, &b, *sock, &s.pl, (size_t)n,
					       flags & ~MSG_FASTOPEN);
	sbx_cancel_end(c, &b);
	r = p->complete(c, *sock, fd, sbx_emu_finish_send(c, &b, n, flags));
	sbx_msg_release(&s);
	return r;
}

long sbx_emu_sendmsg(struct sbx_call *c)
{
	const struct seccomp_data *a = &c->n->data;
	_cleanup_close_later_ int sock = -1;
	long r;

	r = sbx_emu_getsock(c, a->args[0], &sock);
	if (r < 0)
		return r;
	return sbx_msg_send(c, &sock, (int)a->args[0], a->args[1], (int)a->args[2]);
}

long sbx_emu_sendmmsg(struct sbx_call *c)
{
	const struct seccomp_data *a = &c->n->data;
	unsigned int vlen = (unsigned int)a->args[2], i;
	int flags = (int)a->args[3];
	_cleanup_close_later_ int sock = -1;
	long r;

	r = sbx_emu_getsock(c, a->args[0], &sock);
	if (r < 0)
		return r;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV; /* as the kernel clamps */
	for (i = 0; i < vlen; i++) {
		uint64_t entry = a->args[1] + (uint64_t)i * sizeof(struct mmsghdr);
		unsigned int sent;

		r = sbx_msg_send(c, &sock, (int)a->args[0], entry, flags);
		if (r < 0)
			break;
		sent = (unsigned int)r;
		/* The kernel stores each message's length; so must we. The write goes by tid
		 * (process_vm_writev has no pidfd form) and the send may have blocked a while:
		 * check the caller is still there, so the tid is still its. */
		if (!sbx_call_valid(c))
			return SBX_NO_REPLY;
		if (sbx_task_write(&c->task, entry + offsetof(struct mmsghdr, msg_len), &sent,
				   sizeof(sent)) < 0) {
			r = -EFAULT;
			break;
		}
	}
	if (r == SBX_NO_REPLY)
		return r;
	/* Like the kernel: the count when something was sent, else the first error. */
	if (i > 0) {
		c->post_signal = 0;
		return i;
	}
	return r < 0 ? r : 0;
}
