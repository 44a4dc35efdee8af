/*
 * binder: performs the pathname binds of the sandbox in one supervisor thread that is itself
 * in a Landlock domain granting MAKE_SOCK exactly where the child's rules grant it. The
 * supervisor is not confined, so without this a bind it performs for the child could create
 * a socket file where the child itself could not (a squatted socket path in a directory
 * outside --rw). Letting the kernel check at bind time leaves no window between a check and
 * the bind. Only that thread is confined (landlock_restrict_self() applies to the calling
 * thread), and it handles nothing but MAKE_SOCK.
 */
#ifndef SBX_BINDER_H
#define SBX_BINDER_H

#include <stddef.h>
#include <sys/types.h>

#include "../policy/llplan.h"

/*
 * sbx_binder_prepare() - build the thread's domain from @ll, once, before the command runs
 * (so its rules see the filesystem the child's rules saw). Call from one thread only.
 * Return 0 or -errno.
 */
int sbx_binder_prepare(const struct sbx_ll_plan *ll);

/*
 * sbx_binder_bind() - bind(@sock, @addr, @len) from the confined thread, relative to
 * directory @cwd with umask @mask. Serialised: one bind at a time. The thread starts at the
 * first call and enters the domain sbx_binder_prepare() built; without one, or if it cannot
 * start, the bind fails with EACCES (fail closed). Return 0 or -errno (EACCES where the
 * child's domain refuses the socket file).
 */
long sbx_binder_bind(int sock, int cwd, mode_t mask, const void *addr, size_t len);

#endif
