/*
 * decide: turn the address bytes a caller passed into a destination the supervisor can
 * perform a call with, and judge it against the policy.
 *
 * A pathname is resolved once, relative to the caller's cwd with symlinks followed, into an
 * O_PATH pin; the decision is made on the pin and the call is performed through
 * /proc/thread-self/fd/N, so the inode judged is the inode reached, whatever the caller
 * does to its memory or to the filesystem in between.
 */
#ifndef SBX_DECIDE_H
#define SBX_DECIDE_H

#include <limits.h>
#include <sys/socket.h>

#include "../caller/sockaddr.h"
#include "../sup.h"
#include "verdict.h"

struct sbx_dest {
	struct sbx_addr addr;
	int pin;		     /* UNIX_PATH: O_PATH fd on the target, else -1 */
	char canon[PATH_MAX];	     /* UNIX_PATH: where the pin leads, for policy and messages */
	struct sockaddr_storage out; /* the address the supervisor performs the call with */
	socklen_t out_len;
	bool sock_checked; /* the caller's fd is known to be a socket (see sbx_dest_judge) */
	/* UNIX_PATH: @canon does not lead to the pinned file in sbx's own mount namespace (the
	 * file was reached through another one: /proc/PID/root, a namespace the command made) */
	bool elsewhere;
};

/*
 * sbx_dest_resolve() - decode @len bytes at @raw (the supervisor's copy) and, for a
 * pathname, pin its target. Return 0, or the -errno the kernel would have returned for the
 * path (ENOENT, EACCES, ENOTDIR, ELOOP…). Release with sbx_dest_release() either way.
 */
int sbx_dest_resolve(struct sbx_call *c, const void *raw, size_t len, struct sbx_dest *d);

/*
 * sbx_dest_judge() - judge whether @d may be reached by connect/sendto/sendmsg on @sock (the
 * caller's socket), into @v: allowed on @sock (0), allowed from the supervisor's namespace on a
 * socket swapped in (SBX_JUDGE_OUTSIDE), refused (SBX_JUDGE_DENY, with what and why), or
 * -errno. Touches neither the log nor the caller: see verdict.h.
 */
void sbx_dest_judge(struct sbx_call *c, const struct sbx_dest *d, int sock, struct sbx_verdict *v);

/*
 * sbx_listen_judge() - judge listen() on @sock bound to @local, into @v: an inet socket of the
 * host's namespace serves what its local address says, so only a loopback address or an
 * --allow-bind port (a never-bound socket, or one disconnected, which keeps its port and
 * resets its address, would serve every interface).
 */
void sbx_listen_judge(struct sbx_call *c, const struct sbx_addr *local, int sock,
		      struct sbx_verdict *v);

/* sbx_bind_judge() - judge binding @sock to @a, into @v (0 or SBX_JUDGE_DENY). */
void sbx_bind_judge(struct sbx_call *c, const struct sbx_addr *a, int sock, struct sbx_verdict *v);

/* sbx_sock_private() - whether @sock lives in a network namespace other than the
 * supervisor's (the sandbox's own, under --net isolated or none); false for -1 (the replace
 * mode's stand-in, not made yet, will be sbx's). */
bool sbx_sock_private(const struct sbx_sup *s, int sock);

/*
 * sbx_sock_type(), sbx_sock_family() - the SO_TYPE and SO_DOMAIN of the caller's socket, as
 * the judge and the handlers ask before the call is performed: of @sock; or, for the replace
 * mode's stand-in not made yet (@sock -1, c->standin), what was read of the caller's own
 * (c->si: a UNIX socket's type is 0 unless it is a stream, see sbx_sockinfo_kind()). 0 when
 * unknown.
 */
int sbx_sock_type(const struct sbx_call *c, int sock);
int sbx_sock_family(const struct sbx_call *c, int sock);

/*
 * sbx_path_proc_self() - copy @in to @out (@n bytes) with a leading "/proc/self/" or
 * "/proc/thread-self/" made to name the caller, since the supervisor resolves paths on its
 * behalf. Return 0, -ENAMETOOLONG or -ENOENT.
 */
int sbx_path_proc_self(struct sbx_call *c, const char *in, char *out, size_t n);

/*
 * sbx_fd_canon() - where @fd leads, as the absolute path readlink gives its /proc link, in
 * @out (@n bytes). Return 0, -EINVAL for anything but a path (a pipe, an anonymous file), or
 * another -errno.
 */
int sbx_fd_canon(int fd, char *out, size_t n);

/*
 * sbx_path_here() - whether @canon (a readlink of @pin), looked up in sbx's own mount
 * namespace without following symlinks, is the very file pinned at @pin: same device, inode
 * and mount.
 */
bool sbx_path_here(int pin, const char *canon);

/* sbx_dest_release() - close the pin; safe on a zeroed or released dest. */
void sbx_dest_release(struct sbx_dest *d);

#endif
