/*
 * Owns the cancel monitor. A call the supervisor performs may block (a connect to a full
 * backlog, a send to a full buffer). If its caller is interrupted by a signal or dies, the
 * kernel withdraws the notification but nothing tells the worker; the monitor polls
 * NOTIF_ID_VALID for the few calls in flight and interrupts the worker with a signal whose
 * handler is installed without SA_RESTART, so the blocking call returns EINTR.
 */
#include <errno.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>

#include "sup.h"
#include "syscalls.h"

#define SBX_CANCEL_PERIOD_NS (50 * 1000 * 1000)

bool sbx_notif_id_valid(int listener, __u64 id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

bool sbx_call_valid(const struct sbx_call *c)
{
	return sbx_notif_id_valid(c->sup->listener, c->n->id);
}

void sbx_cancel_begin(struct sbx_call *c, struct sbx_blocking *b)
{
	struct sbx_sup *s = c->sup;

	b->thread = pthread_self();
	b->id = c->n->id;
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

bool sbx_cancel_retry(struct sbx_call *c)
{
	return errno == EINTR && sbx_call_valid(c);
}

static void *sbx_cancel_main(void *arg)
{
	struct sbx_sup *s = arg;
	const struct timespec period = { 0, SBX_CANCEL_PERIOD_NS };
	struct sbx_blocking *b;

	for (;;) {
		pthread_mutex_lock(&s->cancel_lock);
		while (!s->blocking)
			pthread_cond_wait(&s->cancel_cond, &s->cancel_lock);
		pthread_mutex_unlock(&s->cancel_lock);

		nanosleep(&period, NULL);

		/* Signal under the lock: an entry present here belongs to a live worker that
		 * has not yet returned from sbx_cancel_end(). Re-signalled every period, so a
		 * signal that landed just before the worker blocked is not lost. */
		pthread_mutex_lock(&s->cancel_lock);
		for (b = s->blocking; b; b = b->next)
			if (!sbx_notif_id_valid(s->listener, b->id))
				pthread_kill(b->thread, SBX_SIG_CANCEL);
		pthread_mutex_unlock(&s->cancel_lock);
	}
	return NULL;
}

int sbx_cancel_start(struct sbx_sup *s)
{
	pthread_attr_t attr;
	pthread_t th;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	r = pthread_create(&th, &attr, sbx_cancel_main, s);
	pthread_attr_destroy(&attr);
	return -r;
}
