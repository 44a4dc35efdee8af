/*
 * Owns the cancel monitor. A call the supervisor performs may block (a connect to a full
 * backlog, a send to a full buffer). If its caller is interrupted by a signal or dies, the
 * kernel withdraws the notification but nothing tells the worker; the monitor waits on the
 * pidfds of every caller in flight, checks NOTIF_ID_VALID for their calls and interrupts the worker
 * with a signal whose handler is installed without SA_RESTART, so the blocking call returns EINTR.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <time.h>

#include "../base/log.h"
#include "../base/thread.h"
#include "../sup.h"
#include "../base/syscalls.h"
#include "../base/util.h"

#define SBX_CANCEL_PERIOD_NS (50 * 1000 * 1000)

static void *sbx_cancel_main(void *arg);
static pthread_once_t sbx_cancel_once = PTHREAD_ONCE_INIT;
static struct sbx_sup *sbx_cancel_sup;

/* The monitor thread starts with the first call that may block: a sandbox that makes none
 * (most short commands) never pays for it, at start or at exit. */
static void sbx_cancel_start(void)
{
	int r = sbx_thread_start(sbx_cancel_main, sbx_cancel_sup, 64 * 1024);

	if (r)
		sbx_log_warn("cannot start the cancel monitor (%s): a call the supervisor performs "
			     "that blocks will complete even if its caller is interrupted or dies",
			     strerror(r));
}

void sbx_cancel_begin(struct sbx_call *c, struct sbx_blocking *b)
{
	struct sbx_sup *s = c->sup;

	sbx_cancel_sup = s;
	pthread_once(&sbx_cancel_once, sbx_cancel_start);

	b->thread = pthread_self();
	b->id = c->n->id;
	b->pidfd = c->task.pidfd;
	b->tid = c->task.tid;
	atomic_init(&b->signalled, false);
	pthread_mutex_lock(&s->cancel_lock);
	b->next = s->blocking;
	s->blocking = b;
	pthread_cond_signal(&s->cancel_cond);
	pthread_mutex_unlock(&s->cancel_lock);
}

void sbx_cancel_end(struct sbx_call *c, struct sbx_blocking *b)
{
	struct sbx_sup *s = c->sup;
	struct sbx_blocking **p;

	pthread_mutex_lock(&s->cancel_lock);
	for (p = &s->blocking; *p; p = &(*p)->next) {
		if (*p == b) {
			*p = b->next;
			break;
		}
	}
	pthread_mutex_unlock(&s->cancel_lock);
}

bool sbx_cancel_retry(struct sbx_call *c, const struct sbx_blocking *b)
{
	return errno == EINTR && !atomic_load(&b->signalled) && sbx_call_valid(c);
}

long sbx_cancel_result(const struct sbx_blocking *b)
{
	return atomic_load(&b->signalled) ? -SBX_ERESTARTSYS : SBX_NO_REPLY;
}

/* A mask line of /proc/TID/status ("SigPnd:\t0000000000000200"). */
static unsigned long long sbx_sigmask(const char *line)
{
	return strtoull(line + strcspn(line, "0123456789abcdef"), NULL, 16);
}

/*
 * Whether the caller @tid has a signal to take that would interrupt its call natively, so that
 * answering -ERESTARTSYS is exact. The caller waits killably (sup.h): a signal no longer
 * withdraws its call, so the monitor looks. Only what certainly marks the thread as
 * signalled counts: a signal sent to the thread itself, or one sent to a process of one thread;
 * a process-wide signal in a process of several may be taken by another thread, as natively,
 * and the call goes on. Read by tid: valid only while the call is pending, which the caller of
 * this checks afterwards.
 */
static bool sbx_caller_signalled(pid_t tid)
{
	unsigned long long thread = 0, shared = 0, blocked = 0;
	char path[64], line[128];
	_cleanup_fclose_ FILE *f = NULL;
	long threads = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Threads:", 8))
			threads = strtol(line + 8, NULL, 10);
		else if (!strncmp(line, "SigPnd:", 7))
			thread = sbx_sigmask(line + 7);
		else if (!strncmp(line, "ShdPnd:", 7))
			shared = sbx_sigmask(line + 7);
		else if (!strncmp(line, "SigBlk:", 7))
			blocked = sbx_sigmask(line + 7);
	}
	return (thread & ~blocked) || (threads == 1 && (shared & ~blocked));
}

/* The monitor's poll set: grown to the number of calls in flight, never shrunk (it is as
 * large as the most calls ever blocked at once, one struct pollfd each). */
struct sbx_cancel_set {
	struct pollfd *fds;
	size_t cap;
};

/* Under the lock: how many calls in flight have a pidfd to watch. */
static size_t sbx_cancel_count(const struct sbx_sup *s)
{
	const struct sbx_blocking *b;
	size_t n = 0;

	for (b = s->blocking; b; b = b->next)
		n += b->pidfd >= 0;
	return n;
}

/*
 * Wait one period, or less when a caller of a call in flight exits: its pidfd becomes
 * readable, so a killed caller's call is given up at once rather than up to a period later
 * (a connect to a full backlog could otherwise complete for a dead caller in between).
 * Every call in flight is watched, however many: a set of fixed size left the oldest callers
 * to the period. Interrupted callers (a signal, no exit) are still found by the period's check.
 */
static void sbx_cancel_wait(struct sbx_sup *s, struct sbx_cancel_set *set)
{
	struct sbx_blocking *b;
	size_t want;
	nfds_t n = 0;

	pthread_mutex_lock(&s->cancel_lock);
	/* Grow outside the lock (workers take it for every call); calls that began meanwhile
	 * may need more: count again. */
	while ((want = sbx_cancel_count(s)) > set->cap) {
		struct pollfd *fds;

		pthread_mutex_unlock(&s->cancel_lock);
		fds = reallocarray(set->fds, want + want / 2, sizeof(*fds));
		pthread_mutex_lock(&s->cancel_lock);
		if (!fds)
			break; /* watch what fits; the period's check still covers the rest */
		set->fds = fds;
		set->cap = want + want / 2;
	}
	for (b = s->blocking; b && n < set->cap; b = b->next)
		if (b->pidfd >= 0)
			set->fds[n++] = (struct pollfd){ .fd = b->pidfd, .events = POLLIN };
	pthread_mutex_unlock(&s->cancel_lock);
	/* A pidfd here may be closed meanwhile (its call ended): poll reports POLLNVAL or, if
	 * the number was reused, waits on something else for at most one period. */
	/* Each period reads every caller's pending signals (sbx_caller_signalled), ~10 us a
	 * call here: with many calls blocked at once the period grows, keeping the monitor's
	 * share of a CPU small (a signal is then noticed later; an exit still at once). */
	poll(set->fds, n, (int)(SBX_CANCEL_PERIOD_NS / 1000000 * (1 + n / 256)));
}

/* The calls whose callers have a signal to take, found outside the lock (a read of /proc per
 * call, ~10 us, and far more with thousands of threads: the workers take the lock for every
 * call that may block, and must not wait for the scan). */
struct sbx_cancel_scan {
	struct {
		__u64 id;
		pid_t tid;
	} * calls;
	size_t n, cap;
	__u64 *hit;
	size_t nhit;
};

static void sbx_cancel_scan(struct sbx_sup *s, struct sbx_cancel_scan *sc)
{
	struct sbx_blocking *b;
	size_t i, want = 0;

	sc->n = sc->nhit = 0;
	pthread_mutex_lock(&s->cancel_lock);
	for (b = s->blocking; b; b = b->next)
		want += !atomic_load(&b->signalled);
	if (want > sc->cap) {
		void *calls, *hit;

		/* Rare and small; a failure leaves the scan to the next period. */
		calls = reallocarray(sc->calls, want, sizeof(*sc->calls));
		if (calls)
			sc->calls = calls;
		hit = calls ? reallocarray(sc->hit, want, sizeof(*sc->hit)) : NULL;
		if (hit) {
			sc->hit = hit;
			sc->cap = want;
		}
	}
	for (b = s->blocking; b && sc->n < sc->cap; b = b->next)
		if (!atomic_load(&b->signalled)) {
			sc->calls[sc->n].id = b->id;
			sc->calls[sc->n++].tid = b->tid;
		}
	pthread_mutex_unlock(&s->cancel_lock);
	/* The status is read before the validity check: a pending call names the caller's tid,
	 * so what was read is the caller's. */
	for (i = 0; i < sc->n; i++)
		if (sbx_caller_signalled(sc->calls[i].tid) &&
		    sbx_notif_id_valid(s->listener, sc->calls[i].id))
			sc->hit[sc->nhit++] = sc->calls[i].id;
}

static bool sbx_cancel_hit(const struct sbx_cancel_scan *sc, __u64 id)
{
	size_t i;

	for (i = 0; i < sc->nhit; i++)
		if (sc->hit[i] == id)
			return true;
	return false;
}

static void *sbx_cancel_main(void *arg)
{
	struct sbx_sup *s = arg;
	struct sbx_cancel_set set = { 0 };
	struct sbx_cancel_scan sc = { 0 };
	struct sbx_blocking *b;

	for (;;) {
		pthread_mutex_lock(&s->cancel_lock);
		while (!s->blocking)
			pthread_cond_wait(&s->cancel_cond, &s->cancel_lock);
		pthread_mutex_unlock(&s->cancel_lock);

		sbx_cancel_wait(s, &set);
		if (s->killable)
			sbx_cancel_scan(s, &sc);

		/* Signal under the lock: an entry present here belongs to a live worker that
		 * has not yet returned from sbx_cancel_end(). Re-signalled every period, so a
		 * signal that landed just before the worker blocked is not lost. Notification
		 * ids are never reused, so a hit names the same call. */
		pthread_mutex_lock(&s->cancel_lock);
		for (b = s->blocking; b; b = b->next) {
			if (sc.nhit && sbx_cancel_hit(&sc, b->id))
				atomic_store(&b->signalled, true);
			if (atomic_load(&b->signalled) || !sbx_notif_id_valid(s->listener, b->id))
				pthread_kill(b->thread, SBX_SIG_CANCEL);
		}
		pthread_mutex_unlock(&s->cancel_lock);
		sc.nhit = 0;
	}
	return NULL;
}
