/*
 * cmsg: walk a control buffer copied out of the caller with exactly the kernel's rules
 * (__scm_send, CMSG_OK, cmsg_nxthdr). Pure: no syscalls, so the walker can be fuzzed.
 */
#ifndef SBX_CMSG_H
#define SBX_CMSG_H

#include <stddef.h>
#include <sys/socket.h>

#define SBX_SCM_MAX_FD 253 /* the kernel's SCM_MAX_FD */

/* Called for each control message; returns 0 to go on or -errno to stop. */
typedef long (*sbx_cmsg_fn)(struct cmsghdr *cm, void *arg);

/*
 * sbx_cmsg_walk() - walk the @len bytes at @ctl (aligned like malloc's memory) and call @fn
 * on every message, of every level, each lying wholly inside the buffer.
 * Return: 0, -EINVAL for a header that lies about its length (!CMSG_OK), or @fn's error.
 */
long sbx_cmsg_walk(unsigned char *ctl, size_t len, sbx_cmsg_fn fn, void *arg);

/* What the supervisor does with one control message (sbx_cmsg_judge). */
enum sbx_cmsg_verdict {
	SBX_CMSG_PASS,	  /* sent as it is: known not to redirect, or ignored by the socket */
	SBX_CMSG_RIGHTS,  /* SCM_RIGHTS: every fd translated into the supervisor's */
	SBX_CMSG_CREDS,	  /* SCM_CREDENTIALS: checked against the caller's own ids */
	SBX_CMSG_INVALID, /* the kernel refuses it with EINVAL itself */
	SBX_CMSG_REROUTE, /* would send the data elsewhere than the judged address: refused */
	SBX_CMSG_UNKNOWN, /* not on the list of messages known not to redirect: refused */
};

/*
 * sbx_cmsg_judge() - the verdict on a message of @level and @type sent on a socket of
 * @family. AF_UNIX and netlink sockets read SOL_SOCKET messages only (scm_send) and ignore
 * the rest; inet sockets read IP, IPv6 and UDP ones too, of which only an allowlist passes
 * (doc/design.md, "Control messages").
 */
enum sbx_cmsg_verdict sbx_cmsg_judge(int family, int level, int type);

/* sbx_cmsg_name() - "IPV6_RTHDR" and the like for messages, or NULL when unnamed. */
const char *sbx_cmsg_name(int level, int type);

/*
 * sbx_cmsg_nfds() - the number of fds an SCM_RIGHTS message @cm carries, as scm_fp_copy
 * counts them (a partial trailing int is ignored). 0 means none, which the kernel accepts.
 */
size_t sbx_cmsg_nfds(const struct cmsghdr *cm);

#endif
