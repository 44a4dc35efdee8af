/*
 * binder: performs the pathname binds of the sandbox in a process of its own, forked from
 * sbx at the first such bind, which has the command's capabilities and, where the child has
 * a Landlock domain, a domain granting MAKE_SOCK exactly where the child's rules grant it.
 *
 * Why a process: a pathname bind is relative to the caller's cwd and takes the caller's
 * umask, and both live in the fs_struct a process's threads share. A thread of sbx's would
 * need a private one (unshare(CLONE_FS)), which container runtimes' default seccomp profiles
 * refuse without CAP_SYS_ADMIN. A forked process has its own from the start, and the
 * socket and the caller's cwd reach it over a socketpair (SCM_RIGHTS).
 *
 * Why confined: sbx itself is not, so without this a bind it performs for the child could
 * create a socket file where the child itself could not (a squatted socket path in a
 * directory outside --rw). Letting the kernel check at bind time leaves no window between a
 * check and the bind. The domain handles nothing but MAKE_SOCK.
 */
#ifndef SBX_BINDER_H
#define SBX_BINDER_H

#include <stddef.h>
#include <sys/types.h>

#include "../policy/llplan.h"

/*
 * sbx_binder_prepare() - build the process's domain from @ll, once, before the command runs
 * (so its rules see the filesystem the child's rules saw); @ll NULL for no domain. Call
 * from one thread only. Return 0 or -errno.
 */
int sbx_binder_prepare(const struct sbx_ll_plan *ll);

/*
 * sbx_binder_bind() - bind(@sock, @addr, @len) from the binder process, relative to
 * directory @cwd with umask @mask. Serialised: one bind at a time. The process starts at
 * the first call; if it cannot start or has gone, the bind fails with EACCES (fail closed).
 * Return 0 or -errno (EACCES where the child's domain refuses the socket file).
 */
long sbx_binder_bind(int sock, int cwd, mode_t mask, const void *addr, size_t len);

/* sbx_binder_stop() - end the binder process, if one started, and reap it: before sbx looks
 * for what the command left running, which would otherwise count it. */
void sbx_binder_stop(void);

#endif
