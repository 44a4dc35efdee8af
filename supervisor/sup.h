/*
 * sup: the state every notify worker shares, and the per-notification call context.
 * Workers only read the policy; the bound set, denial dedup and cancel list lock themselves.
 */
#ifndef SBX_SUP_H
#define SBX_SUP_H

#include <limits.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "policy/bound.h"
#include "policy/policy.h"
#include "caller/sockaddr.h"
#include "caller/sockinfo.h"
#include "caller/task.h"
#include "resolve/dnsd.h"
#include "resolve/names.h"
#include "resolve/synth.h"

/* A handler's result: >= 0 the call's return value, < 0 -errno, or no reply at all because
 * the caller is gone (its syscall was interrupted or it died). */
#define SBX_NO_REPLY LONG_MIN
/* ... or let the call continue in the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE): only for the
 * filesystem writes notified to be explained, never for a call sbx judged to perform it. */
#define SBX_CONTINUE (LONG_MIN + 1)

/* Interrupts a worker blocked in a call performed for a caller that went away. */
#define SBX_SIG_CANCEL SIGUSR1

#define SBX_DENY_SLOTS 1024

struct sbx_blocking {
	pthread_t thread;
	__u64 id;
	int pidfd; /* the caller's: readable once it has exited */
	pid_t tid; /* the caller's, for its pending signals */
	/* the monitor interrupted the call because the caller has a signal to take: the worker
	 * answers with what was done, or "restart" when nothing was (sbx_cancel_result) */
	atomic_bool signalled;
	struct sbx_blocking *next;
};

struct sbx_sup {
	int listener; /* -1 until sbx_notify_listen(); workers wait for it on listen_cond */
	pthread_mutex_t listen_lock;
	pthread_cond_t listen_cond;
	const struct sbx_policy *pol;
	bool quiet;
	uint64_t netns_cookie; /* the supervisor's network namespace (SO_NETNS_COOKIE) */
	/* pidfd_getfd is refused here: calls are performed by the replace strategy (perform.h) */
	bool replace;
	/* the filtered mode has wildcard rules: DNS questions the command sends are looked at
	 * (judge/lookups.h) */
	bool lookups;
	/* callers wait killably once their call is received (SBX_FILTER_FLAG_WAIT_KILLABLE):
	 * signals are then the monitor's to notice, and performed calls are exact under them */
	bool killable;
	struct seccomp_notif_sizes sizes;
	struct sbx_bound bound;
	struct sbx_names names; /* the policy's host names and their addresses */
	struct sbx_synth synth; /* --net isolated: the addresses sbx's DNS gave the command */
	struct sbx_dnsd dnsd;	/* --net isolated: sbx's DNS responder */

	/* failing closed (notify.h): the command, to stop it; the first failure (an -errno, 0
	 * while none) and what failed; the first worker's start (0 starting, 1 serving, -errno) */
	int cmd_pidfd;
	atomic_int failed;
	const char *failed_what;
	int first;

	/* worker pool; where the workers run (notify.h) */
	atomic_int idle, workers;
	atomic_bool floating; /* a worker floats */
	atomic_uint next_cpu; /* the next bound worker's: which of the CPUs sbx may use */

	/* denial lines already printed (hashes of call + target) */
	pthread_mutex_t deny_lock;
	unsigned long long deny_seen[SBX_DENY_SLOTS];
	size_t deny_n;

	/* calls being performed that might block, watched by the cancel monitor */
	pthread_mutex_t cancel_lock;
	pthread_cond_t cancel_cond;
	struct sbx_blocking *blocking;
};

struct sbx_call {
	struct sbx_sup *sup;
	const struct seccomp_notif *n;
	struct sbx_task task;
	const char *name; /* "connect", "sendto", … for messages */
	int post_signal;  /* raised in the caller after the reply, 0 for none */
	int deny_sock;	  /* an fd not yet known to be a socket, or -1: see sbx_deny() */
	int swap_family;  /* the addfd performer's socket family, when not the caller's (0) */
	/* replace mode: the socket acted on is a stand-in for the caller's, described by @si */
	bool standin;
	struct sbx_sockinfo si;

	/* For the audit log, set by the judges through sbx_audit_judged(): what was judged (the
	 * pointers live while the judge runs; with --audit=all a per-thread copy is made in
	 * audit.c and @copied set), the rule that decided when the judge knows it better than a
	 * re-match (may stay NULL), and whether sbx_deny() was called (learning: it goes on). */
	const struct sbx_addr *addr;
	const char *resolved;
	bool copied;
	const char *rule;
	bool denied;

	/* A refused filesystem write (perform/fswrite.c): its verdict and the path as judged,
	 * for the audit record; NULL otherwise. */
	const struct sbx_fs_verdict *fs;
	const char *fs_path;
};

/* sbx_notif_id_valid() - whether notification @id is still pending (its caller waits). */
static inline bool sbx_notif_id_valid(int listener, __u64 id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* sbx_call_valid() - sbx_notif_id_valid() for @c: call after every read of its memory. */
static inline bool sbx_call_valid(const struct sbx_call *c)
{
	return sbx_notif_id_valid(c->sup->listener, c->n->id);
}

/*
 * sbx_deny() - report a denial of @c to @target (already formatted) once per call+target,
 * with @hint ("--allow-unix-socket …") or, when NULL, @reason, and record it in the audit
 * log. Return -EPERM, or 0 in learning mode (the caller then performs the call: callers must
 * return its value, never a literal -EPERM). If @c->deny_sock is not a socket, return
 * -ENOTSOCK and record nothing, as the kernel would have refused the call before judging.
 */
long sbx_deny(struct sbx_call *c, const char *target, const char *hint, const char *reason);

struct sbx_verdict;
struct sbx_fs_verdict;

/*
 * sbx_deny_fs() - record a refusal of the filesystem rules (@v, refused): the audit record
 * (source "fs", always a deny: learning does not change what Landlock refuses), learning, and
 * the line on stderr, once per directory to make writable. Return the errno to answer, or
 * SBX_CONTINUE while learning (Landlock then refuses it itself).
 */
long sbx_deny_fs(struct sbx_call *c, const struct sbx_fs_verdict *v);

/*
 * sbx_verdict_record() - record what the judge decided for @c (verdict.h): the audit's note of
 * what was judged and, for a refusal, sbx_deny(). Return what to do: 0 or SBX_JUDGE_OUTSIDE to
 * perform the call (a refusal in learning mode too: 0), else the -errno to answer.
 */
long sbx_verdict_record(struct sbx_call *c, const struct sbx_verdict *v);

/* sbx_cancel_begin/end() - bracket a performed call that may block; while inside, the
 * monitor interrupts this thread with SBX_SIG_CANCEL if the notification stops being valid. */
void sbx_cancel_begin(struct sbx_call *c, struct sbx_blocking *b);
void sbx_cancel_end(struct sbx_call *c, struct sbx_blocking *b);

/* sbx_cancel_retry() - after a performed call failed with EINTR: whether to try again
 * (the caller still waits and has no signal to take); when it returns false the caller is
 * gone or must take a signal: see sbx_cancel_result(). */
bool sbx_cancel_retry(struct sbx_call *c, const struct sbx_blocking *b);

/*
 * sbx_cancel_result() - the answer for a performed call that ended with EINTR and nothing
 * done: -ERESTARTSYS (SBX_ERESTARTSYS) when the monitor interrupted it for a signal the caller
 * must take (the kernel then restarts the call or makes it EINTR, as natively), else
 * SBX_NO_REPLY (the caller is gone).
 */
long sbx_cancel_result(const struct sbx_blocking *b);

#endif
