/*
 * audit_ll: Landlock's own denials (kernel audit records, Landlock ABI >= 7) for this
 * sandbox's domain, read from NETLINK_AUDIT's read-only multicast group with libnl-3 and
 * written to the audit log as "deny" records with "source":"landlock".
 *
 * Needs: root (CAP_AUDIT_READ), kernel auditing enabled (auditctl -e 1; sbx does not turn it
 * on), and a domain restricted with LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (the shim does
 * this from ABI 7). Where any of that is missing, the reason is returned for --verbose.
 *
 * Lifecycle: sbx_audit_ll_start() before the command runs, sbx_audit_ll_stop() at exit
 * (drains what the kernel has queued for a short while).
 */
#ifndef SBX_AUDIT_LL_H
#define SBX_AUDIT_LL_H

#include <stddef.h>
#include <sys/types.h>

/* sbx_audit_ll_start() - follow the domain created by process @child. Return 0, or -1 with
 * why not in @why (@n bytes). */
int sbx_audit_ll_start(pid_t child, char *why, size_t n);

/* sbx_audit_ll_stop() - drain for up to @ms, stop the reader. Safe when never started. */
void sbx_audit_ll_stop(int ms);

/* sbx_audit_ll_count() - Landlock denials written to the log (after sbx_audit_ll_stop()). */
unsigned long sbx_audit_ll_count(void);

#endif
