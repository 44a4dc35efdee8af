/*
 * audit: the JSON Lines audit log (--audit-log, --audit, --audit-fail) and learning mode
 * (--learn, --suggest-policy). One per process: the workers reach it from sbx_deny() and
 * from the dispatcher without carrying a handle.
 *
 * Lifecycle: sbx_audit_open() in main() before anything runs; sbx_audit_begin() once the
 * command exists (the start record; a log failure from then on stops the command);
 * sbx_audit_deny() / sbx_audit_call() from the workers; sbx_audit_finish() last (the exit
 * record, the learning summary and the suggested policy).
 *
 * Each record is built in a per-thread buffer and written with one write() on an O_APPEND fd
 * under a lock, so records are never interleaved or cut, and nothing is buffered in memory.
 */
#ifndef SBX_AUDIT_H
#define SBX_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../base/error.h"
#include "../policy/policy.h"
#include "../sup.h"

enum sbx_audit_mode {
	SBX_AUDIT_DENY = 0, /* denials (and would-denials), start and exit */
	SBX_AUDIT_ALL,	    /* also every allowed call that named a destination */
};

struct sbx_audit_cfg {
	const char *log; /* PATH, "-" (stderr) or "fd:N"; NULL: no log */
	enum sbx_audit_mode mode;
	bool fail_ignore;    /* --audit-fail=ignore: a failed write does not stop the command */
	bool learn;	     /* --learn: would-denials are performed and logged */
	const char *suggest; /* --suggest-policy FILE, written at exit (needs --learn) */
	bool verbose;
};

/* sbx_audit_open() - open the log and remember @cfg (copied; strings must outlive the run).
 * Return 0 or -errno with @err set. */
int sbx_audit_open(const struct sbx_audit_cfg *cfg, struct sbx_error *err);

/* sbx_audit_begin() - write the start record (version, command, policy summary), start
 * following Landlock's audit records for the domain of @pid where possible, and arm the
 * failure policy: from now on a failed write kills the process behind @pidfd. @fd_mode: how
 * calls are performed ("dup" or "replace", notify.h). */
void sbx_audit_begin(const struct sbx_policy *pol, char *const *argv, pid_t pid, int pidfd,
		     const char *fd_mode);

/* sbx_audit_learning() - whether --learn is on (sbx_deny() then allows). */
bool sbx_audit_learning(void);

/*
 * sbx_audit_dns_refused() - record that sbx's DNS responder (--net isolated) refused a lookup
 * of @name: counted as a denial, and a "deny" record with "syscall":"dns-query" and the name
 * as "target". Safe from any thread.
 */
void sbx_audit_dns_refused(const char *name);

/* sbx_audit_deny() - record a denial (or, learning, a would-denial) of @c to @target with
 * @hint (the flag that would allow it, may be NULL) or @reason. Sets c->denied. */
void sbx_audit_deny(struct sbx_call *c, const char *target, const char *hint, const char *reason);

/* sbx_audit_judged() - note for the records what a judge is looking at: @a and, for a path,
 * the canonical @resolved (NULL otherwise). Copied only when allowed calls are logged. */
void sbx_audit_judged(struct sbx_call *c, const struct sbx_addr *a, const char *resolved);

/* sbx_audit_call() - after a call was handled with result @r: with --audit=all, record an
 * allowed call that was judged and not denied. */
void sbx_audit_call(struct sbx_call *c, long r);

/* sbx_audit_failed() - whether the log could not be written (main() then exits 125 unless
 * --audit-fail=ignore). */
bool sbx_audit_failed(void);

/*
 * sbx_audit_finish() - write the exit record with @status and the counts, print the learning
 * summary on stderr, write --suggest-policy (opened by sbx_audit_open(); a failure to write
 * it is said on stderr and keeps the command's status), close the log. Return the status sbx
 * should exit with: @status, or 125 when the log failed (and failures are not ignored).
 */
int sbx_audit_finish(int status);

#endif
