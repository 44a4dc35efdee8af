/*
 * filters: turn a policy into the seccomp-BPF program the shim installs.
 *
 * Lifecycle: sbx_filter_build() fills a struct sbx_bpf that the caller owns and releases with
 * sbx_bpf_free(). The supervisor builds the program before it starts the child, which shares
 * its memory until execve (shim.h) and only has to call seccomp(2) on the bytes.
 */
#ifndef SBX_FILTER_H
#define SBX_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdio.h>

#include "../supervisor/base/error.h"
#include "../supervisor/policy/policy.h"

struct sbx_bpf {
	struct sock_filter *insns;
	unsigned short len;
};

enum sbx_filter_mode {
	SBX_FILTER_NOTIFY = 0, /* checked calls go to the supervisor (the real sandbox) */
	SBX_FILTER_BPF_ONLY,   /* every notify becomes ALLOW: the filter's own cost, for bench/ */
};

/*
 * What a policy's filter depends on, and nothing else: sbx_filter_compile() sees only this,
 * so the build compiles the program of every key ahead of time (filters/prebuilt.h) and
 * start-up only copies it. Made from a policy by sbx_filter_key().
 */
struct sbx_filter_key {
	enum sbx_net_mode net;
	/* Whether the compat ABIs (i386, x32) may make inet stream sockets: a TCP endpoint, or a
	 * mode other than filtered. Native TCP and UDP sockets are made in every mode, every
	 * destination judged (filter.c); 32-bit callers reach none, so theirs stay refused. */
	bool tcp;
	bool udp; /* the same for datagram sockets */
	/* Whether x86_64 calls that write to the filesystem are notified, so a refusal of the
	 * Landlock rules is explained (--explain, on by default): only where Landlock enforces
	 * filesystem rules, and never in SBX_FILTER_BPF_ONLY mode. */
	bool fs;
	enum sbx_filter_mode mode;
};

/* sbx_filter_key() - the key of @pol's filter in @mode. */
void sbx_filter_key(const struct sbx_policy *pol, enum sbx_filter_mode mode,
		    struct sbx_filter_key *k);

/*
 * sbx_filter_build() - the seccomp program for @pol: the build's precompiled one for its key,
 * else compiled now.
 * x86_64 calls that need a pointer read (connect, bind, sendto with an address, sendmsg,
 * sendmmsg) return SECCOMP_RET_USER_NOTIF; the same calls from i386 (int 0x80, including
 * every socketcall) and x32 are refused with EPERM; io_uring returns ENOSYS; socket() and
 * socketpair() are decided from registers; TIOCSTI/TIOCLINUX ioctls are refused. Any other
 * architecture kills the process.
 * Return: 0, or -errno with @err set.
 */
int sbx_filter_build(const struct sbx_policy *pol, enum sbx_filter_mode mode, struct sbx_bpf *out,
		     struct sbx_error *err);

/* sbx_filter_compile() - compile the program of @k with libseccomp. Return 0 or -errno. */
int sbx_filter_compile(const struct sbx_filter_key *k, struct sbx_bpf *out, struct sbx_error *err);

/* sbx_filter_export_pfc() - write libseccomp's readable pseudo-code of @k's filter to @f. */
int sbx_filter_export_pfc(const struct sbx_filter_key *k, FILE *f, struct sbx_error *err);

/* sbx_bpf_free() - release @b's instructions; safe on a zeroed struct. */
void sbx_bpf_free(struct sbx_bpf *b);

#endif
