/*
 * notify: the supervisor's receive → decode → decide → act → respond loop.
 *
 * Workers block in SECCOMP_IOCTL_NOTIF_RECV; whenever the last idle worker takes a request
 * another is started (up to SBX_WORKERS_MAX), so a call that blocks for one caller never
 * stalls the others; surplus idle workers exit.
 */
#ifndef SBX_NOTIFY_H
#define SBX_NOTIFY_H

#include "error.h"
#include "sup.h"

/* One: the first request starts a second (see above) before it is handled. */
#define SBX_WORKERS_MIN	 1
#define SBX_WORKERS_MAX	 256
#define SBX_WORKERS_IDLE 4

/*
 * Start-up runs beside the child's own (it builds its filter and enters Landlock meanwhile):
 * sbx_notify_init(), then sbx_notify_start() while the listener does not exist yet, then
 * sbx_notify_listen() once it has been taken from the child.
 */

/* sbx_notify_init() - prepare @s for @pol (sizes, locks, bound set), with no listener yet. */
int sbx_notify_init(struct sbx_sup *s, const struct sbx_policy *pol, bool quiet,
		    struct sbx_error *err);

/* sbx_notify_start() - start the first workers, which wait for the listener. (The cancel
 * monitor starts with the first call that may block, cancel.c.) */
int sbx_notify_start(struct sbx_sup *s, struct sbx_error *err);

/* sbx_notify_listen() - hand the workers @listener (owned by @s from now on). */
void sbx_notify_listen(struct sbx_sup *s, int listener);

#endif
