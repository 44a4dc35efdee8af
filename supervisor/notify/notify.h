/*
 * notify: the supervisor's receive → decode → decide → act → respond loop.
 *
 * Workers block in SECCOMP_IOCTL_NOTIF_RECV; whenever the last idle worker takes a request
 * another is started, so a call that blocks for one caller never stalls the others; surplus
 * idle workers exit. There is no fixed maximum: a worker is started only when every other is
 * busy, so the pool never exceeds one worker per caller waiting in a notified call, plus one,
 * and the callers are the sandbox's own threads, bounded by its limits. (A maximum of 256
 * let 256 callers parked in connects to a slow server stall every other caller.)
 *
 * Where workers run: one floats, the others are each bound to one of the CPUs sbx may use, in
 * turn. SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP wakes the waiting workers on the caller's CPU and
 * the caller, on the reply, on the worker's: with every worker free to move, callers on two
 * CPUs were drawn onto one. Bound workers stay where they are, so a caller is served by one
 * of its own CPU; the floating one follows a lone caller wherever it runs.
 */
#ifndef SBX_NOTIFY_H
#define SBX_NOTIFY_H

#include "../base/error.h"
#include "../sup.h"

/* One: the first request starts a second (see above) before it is handled. */
#define SBX_WORKERS_MIN	 1
#define SBX_WORKERS_IDLE 4

/*
 * Start-up: sbx_notify_init() before the command starts (what can fail for a reason the user
 * can act on), sbx_notify_listen() once it runs and the listener is ours, and
 * sbx_notify_start() when its first notified call waits. A command that makes none (most
 * short commands an agent's shell loop runs) never pays for a worker thread, whose start
 * would otherwise compete with the command's own execve for the CPUs.
 */

/* sbx_notify_init() - prepare @s for @pol (sizes, locks, bound set), with no listener yet,
 * and choose how calls are performed: with pidfd_getfd, or the replace mode (perform.h);
 * @verbose says which. */
int sbx_notify_init(struct sbx_sup *s, const struct sbx_policy *pol, bool quiet, bool verbose,
		    struct sbx_error *err);

/* sbx_notify_start() - start the first workers, by the main thread, once the listener polls
 * readable: the command's first notified call waits. Returns when the first worker serves, or
 * has failed closed (sbx_notify_fail(): the command is killed and sbx_notify_failed() says
 * why). (The cancel monitor starts with the first call that may block, cancel.c.) */
void sbx_notify_start(struct sbx_sup *s);

/* sbx_notify_listen() - hand the workers @listener (owned by @s from now on). */
void sbx_notify_listen(struct sbx_sup *s, int listener);

/*
 * Failing closed. Once the command runs, anything that leaves its notified calls without
 * an answer (a worker that cannot take the command's credentials, a receive or a reply
 * that fails)
 * must not leave it hanging: sbx_notify_fail() records the first failure (@e, -errno; @what
 * a static string naming what failed) and kills the command (s->cmd_pidfd), whose end wakes
 * the main thread; sbx then says what failed and exits 125 (sbx_notify_failed()).
 */
void sbx_notify_fail(struct sbx_sup *s, int e, const char *what);

/* sbx_notify_failed() - the -errno sbx_notify_fail() recorded (and *@what), or 0. */
int sbx_notify_failed(struct sbx_sup *s, const char **what);

#endif
