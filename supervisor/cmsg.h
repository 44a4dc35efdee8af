/*
 * cmsg: walk a control buffer copied out of the caller with exactly the kernel's rules
 * (__scm_send, CMSG_OK, cmsg_nxthdr). Pure: no syscalls, so the walker can be fuzzed.
 */
#ifndef SBX_CMSG_H
#define SBX_CMSG_H

#include <stddef.h>
#include <sys/socket.h>

#define SBX_SCM_MAX_FD 253 /* the kernel's SCM_MAX_FD */

/* Called for each SOL_SOCKET control message; returns 0 to go on or -errno to stop. */
typedef long (*sbx_cmsg_fn)(struct cmsghdr *cm, void *arg);

/*
 * sbx_cmsg_walk() - walk the @len bytes at @ctl (aligned like malloc's memory) and call @fn
 * on every SOL_SOCKET message, which lies wholly inside the buffer. Messages of other levels
 * are skipped, as __scm_send skips them.
 * Return: 0, -EINVAL for a header that lies about its length (!CMSG_OK), or @fn's error.
 */
long sbx_cmsg_walk(unsigned char *ctl, size_t len, sbx_cmsg_fn fn, void *arg);

/*
 * sbx_cmsg_nfds() - the number of fds an SCM_RIGHTS message @cm carries, as scm_fp_copy
 * counts them (a partial trailing int is ignored). 0 means none, which the kernel accepts.
 */
size_t sbx_cmsg_nfds(const struct cmsghdr *cm);

#endif
