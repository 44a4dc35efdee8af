/*
 * perform: how an allowed call is carried out for the caller, one interface and a file per
 * strategy. A handler (emulate.c, msg.c) asks the verdict's performer for the socket to act on,
 * performs the call on it with its own copy of what was judged, and hands the result back for
 * the performer to complete:
 *
 *   perform_dup.c    on the caller's own socket, duplicated with pidfd_getfd: what the call
 *                    changes (a connection, queued data) is the caller's socket's at once;
 *   perform_addfd.c  on a socket of sbx's, made like the caller's in sbx's network namespace,
 *                    installed over the caller's descriptor with SECCOMP_IOCTL_NOTIF_ADDFD
 *                    once the call succeeded (--net isolated: endpoints outside);
 *   perform_replace.c where pidfd_getfd is refused: on a socket of sbx's made like the
 *                    caller's from what /proc says of it, installed the same way, or on one
 *                    sbx installed before and kept (held.h).
 *
 * A new strategy is one new file with one struct sbx_performer, and one case in
 * sbx_performer_for().
 */
#ifndef SBX_PERFORM_H
#define SBX_PERFORM_H

#include <stdbool.h>

#include "../sup.h"

struct sbx_performer {
	const char *name;
	/*
	 * Called once the call is allowed. @sock holds the caller's duplicate (or -1: the
	 * replace mode's stand-in, not made yet); the strategy may put another socket there
	 * (the duplicate is then closed). @connect: the call is a connect (a connected stream
	 * socket stays as it is: -EISCONN). Return 0 or the -errno to answer.
	 */
	long (*socket)(struct sbx_call *c, int *sock, bool connect);
	/*
	 * The call was performed on @sock with result @r (>= 0, -errno, SBX_NO_REPLY…); the
	 * caller's descriptor is @fd. Return the answer: @r, or what handing the socket over
	 * failed with.
	 */
	long (*complete)(struct sbx_call *c, int sock, int fd, long r);
};

extern const struct sbx_performer sbx_perform_dup;
extern const struct sbx_performer sbx_perform_addfd;
extern const struct sbx_performer sbx_perform_replace;

/* sbx_performer_for() - the strategy for @c whose verdict's result (0 or SBX_JUDGE_OUTSIDE)
 * is @judged: replace in the replace mode, else as the verdict asks. */
const struct sbx_performer *sbx_performer_for(const struct sbx_call *c, long judged);

/*
 * sbx_perform_getsock() - the socket to act on for the caller's fd @fd, into *@sock: its
 * duplicate (pidfd_getfd), or in the replace mode a kept copy (held.h), or -1 for a
 * stand-in (c->standin), which is made only once the call is allowed (the performer's
 * socket step, or sbx_replace_standin()); c->si then says what the caller's socket is, as
 * far as a call is judged by it (sbx_sockinfo_kind()). Return 0, -EBADF, -ENOTSOCK
 * (replace mode: before the address is read) or another -errno.
 */
long sbx_perform_getsock(struct sbx_call *c, int fd, int *sock);

/* The replace mode's own steps (perform_replace.c). sbx_replace_getsock(): see above.
 * sbx_replace_standin(): for an allowed call that goes through no performer (bind), read
 * the rest of c->si and make the stand-in in *@sock (or find a kept copy): 0 or -errno.
 * sbx_replace_install(): put @sock at the caller's @fd and, @keep, keep a copy (held.h).
 * sbx_replace_refuse(): refuse what a stand-in cannot do (@why), with the hint. */
long sbx_replace_getsock(struct sbx_call *c, int fd, int *sock);
long sbx_replace_standin(struct sbx_call *c, int fd, int *sock);
long sbx_replace_install(struct sbx_call *c, int sock, int fd, bool keep);
long sbx_replace_refuse(struct sbx_call *c, int fd, const char *why);

struct sbx_dest;

/*
 * sbx_perform_prepare() - what every handler does before performing a call to @d: judge it,
 * record the verdict, and have its performer (*@p) make @sock the socket to act on
 * (@connect: see struct sbx_performer). A synthetic address (--net isolated, synth.h) is
 * replaced in @d->out by an address its name resolves to on the host. Return 0 to perform,
 * or the answer to give now.
 */
long sbx_perform_prepare(struct sbx_call *c, struct sbx_dest *d, int *sock, bool connect,
			 const struct sbx_performer **p);

#endif
