/*
 * swap: reach an allowed endpoint from a sandbox that lives in a private network namespace.
 * The supervisor opens a socket like the caller's in its own namespace, connects or sends
 * with it, and installs it over the caller's fd with SECCOMP_IOCTL_NOTIF_ADDFD and
 * SECCOMP_ADDFD_FLAG_SETFD (dup2 semantics), keeping O_NONBLOCK and FD_CLOEXEC.
 *
 * Options copied to the new socket: SO_KEEPALIVE, SO_REUSEADDR, SO_BROADCAST, SO_PRIORITY,
 * SO_LINGER, SO_RCVTIMEO, SO_SNDTIMEO, TCP_NODELAY, TCP_KEEPIDLE, TCP_KEEPINTVL,
 * TCP_KEEPCNT, TCP_USER_TIMEOUT, IPV6_V6ONLY. Everything else set on the old socket (buffer
 * sizes, a local bind, socket filters, marks, …) does not survive the swap.
 */
#ifndef SBX_SWAP_H
#define SBX_SWAP_H

#include "../sup.h"

/* sbx_swap_open() - a new socket in the supervisor's namespace shaped like @child_sock
 * (family, or @family when not 0, type, protocol, O_NONBLOCK, the options above). Return
 * the fd or -errno. */
int sbx_swap_open(int child_sock, int family);

/* sbx_swap_install() - put @ours at the caller's fd number @fd, with the caller's
 * FD_CLOEXEC: from @flags (fdinfo's, sockinfo.h) when already read, else (-1) read now.
 * Return 0, SBX_NO_REPLY when the caller is gone, or -errno. */
long sbx_swap_install(struct sbx_call *c, int ours, int fd, int flags);

#endif
