/*
 * verdict: what judging a call decided, as a value. The judge (decide.c) fills one and touches
 * nothing else: no stderr line, no audit record, no call performed. The caller records it
 * (sbx_verdict_record(), deny.c: the audit record, and for a denial the line on stderr) and
 * then performs what it allows, with the strategy it names.
 */
#ifndef SBX_VERDICT_H
#define SBX_VERDICT_H

#include <limits.h>

#include "../caller/sockaddr.h"

/* Results besides 0 (allowed, performed on the caller's socket) and -errno (the call fails
 * with that errno and there is nothing to explain, as the kernel's own refusal). */
#define SBX_JUDGE_OUTSIDE 1 /* allowed, reached from sbx's own network namespace (swap.h) */
#define SBX_JUDGE_DENY	  2 /* refused by the policy: target, and hint or reason, say why */

struct sbx_verdict {
	long result;
	/* what was judged, for the audit record (live as long as the judged destination) */
	const struct sbx_addr *addr;
	const char *resolved; /* a pathname's canonical path, or NULL */
	/* an fd not yet known to be a socket, or -1: a denial of a non-socket is the kernel's
	 * ENOTSOCK instead, found only when it matters (an allowed call on a socket costs no
	 * fstat) */
	int sock;
	char target[PATH_MAX + 64]; /* SBX_JUDGE_DENY: what was refused, as printed */
	char hint[PATH_MAX + 64];   /* the flag that allows it, or "" */
	const char *reason;	    /* when no flag can: why */
	char reason_buf[320];	    /* where @reason names a rule, it is written here */
};

#endif
