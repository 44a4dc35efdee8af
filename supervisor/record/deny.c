/* Owns recording a verdict: the one-line explanation of a denial on stderr, deduplicated per
 * call and target, and the audit record. */
#include <errno.h>
#include <string.h>

#include "audit.h"
#include "../base/log.h"
#include "../sup.h"
#include "../judge/fsjudge.h"
#include "../judge/verdict.h"
#include "../base/util.h"

static unsigned long long sbx_fnv1a(const char *a, const char *b)
{
	unsigned long long h = 1469598103934665603ULL;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ULL;
	return h | 1; /* 0 marks an empty slot */
}

/* Return whether this call + target was already reported; remember it if not. */
static bool sbx_deny_seen(struct sbx_sup *s, const char *call, const char *target)
{
	unsigned long long h = sbx_fnv1a(call, target);
	size_t i = h % SBX_DENY_SLOTS, probes;
	bool seen = false;

	pthread_mutex_lock(&s->deny_lock);
	for (probes = 0; probes < SBX_DENY_SLOTS; probes++, i = (i + 1) % SBX_DENY_SLOTS) {
		if (s->deny_seen[i] == h) {
			seen = true;
			break;
		}
		if (s->deny_seen[i] == 0) {
			/* Keep a quarter free so probing stays short; past that, report again. */
			if (s->deny_n < SBX_DENY_SLOTS * 3 / 4) {
				s->deny_seen[i] = h;
				s->deny_n++;
			}
			break;
		}
	}
	pthread_mutex_unlock(&s->deny_lock);
	return seen;
}

long sbx_deny(struct sbx_call *c, const char *target, const char *hint, const char *reason)
{
	char comm[32];

	/* The kernel would have said ENOTSOCK before looking at the address: no denial. Checked
	 * here, where it matters, so that an allowed call on a socket costs no fstat. */
	if (c->deny_sock >= 0 && !sbx_fd_is_sock(c->deny_sock))
		return -ENOTSOCK;
	sbx_audit_deny(c, target, hint, reason);
	if (sbx_audit_learning())
		return 0; /* would-deny: logged, summarised at exit, performed */
	if (c->sup->quiet || sbx_deny_seen(c->sup, c->name, target))
		return -EPERM;
	sbx_task_comm(c->n->pid, comm, sizeof(comm));
	if (hint)
		sbx_log_err("denied %s to %s by pid %u (%s). Hint: %s", c->name, target, c->n->pid,
			    comm, hint);
	else
		sbx_log_err("denied %s to %s by pid %u (%s): %s", c->name, target, c->n->pid, comm,
			    reason);
	return -EPERM;
}

long sbx_verdict_record(struct sbx_call *c, const struct sbx_verdict *v)
{
	if (v->addr)
		sbx_audit_judged(c, v->addr, v->resolved);
	c->deny_sock = v->sock;
	if (v->result != SBX_JUDGE_DENY)
		return v->result;
	return sbx_deny(c, v->target, v->hint[0] ? v->hint : NULL, v->reason);
}

long sbx_deny_fs(struct sbx_call *c, const struct sbx_fs_verdict *v)
{
	char comm[32];

	sbx_audit_deny(c, v->target, v->hint[0] ? v->hint : NULL, v->reason);
	/* Printed in learning mode too: Landlock refuses the call all the same. Once per
	 * directory to make writable, whatever was written there or how. */
	if (!c->sup->quiet && !sbx_deny_seen(c->sup, "fs", v->hint[0] ? v->hint : v->target)) {
		sbx_task_comm(c->n->pid, comm, sizeof(comm));
		if (v->hint[0])
			sbx_log_err("denied %s %s by pid %u (%s). Hint: %s", v->verb, v->target,
				    c->n->pid, comm, v->hint);
		else
			sbx_log_err("denied %s %s by pid %u (%s): %s", v->verb, v->target,
				    c->n->pid, comm, v->reason);
	}
	return sbx_audit_learning() ? SBX_CONTINUE : -v->err;
}
