/* Owns the table of the policy's host names and their addresses, and the thread that keeps it
 * fresh. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "names.h"
#include "../base/log.h"
#include "../base/thread.h"
#include "../policy/policy.h"

/* One lookup's bound: long enough for a slow server, short enough that a worker waiting in
 * sbx_names_refresh_wait() is never held long. */
#define SBX_NAMES_LOOKUP_MS 2000

static time_t sbx_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static long long sbx_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sbx_names_add(struct sbx_names *t, const char *name)
{
	struct sbx_name *grown;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return 0;
	grown = realloc(t->v, (t->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	t->v = grown;
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	memcpy(t->v[t->n].name, name, strlen(name) + 1);
	t->n++;
	return 0;
}

int sbx_names_init(struct sbx_names *t, const struct sbx_policy *pol, struct sbx_error *err)
{
	size_t i;
	int r = 0;

	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	pthread_cond_init(&t->done, NULL);
	/* Wildcards have no addresses of their own: the names under them come from the
	 * command's lookups (--net isolated). */
	for (i = 0; i < pol->n_hosts && r == 0; i++)
		if (!pol->hosts[i].wildcard)
			r = sbx_names_add(t, pol->hosts[i].name);
		else
			t->dynamic = true;
	for (i = 0; i < pol->n_deny_hosts && r == 0; i++)
		if (!pol->deny_hosts[i].wildcard)
			r = sbx_names_add(t, pol->deny_hosts[i].name);
	return r < 0 ? sbx_error_set(err, -r, "host names") : 0;
}

/* Merge one answer into @e (under the lock): what it gives is known for the grace period
 * from now; what it no longer gives keeps the time it had. */
static void sbx_names_merge(struct sbx_name *e, const struct sbx_ip *ips, int n, unsigned int ttl,
			    time_t now)
{
	int i;
	size_t k;

	for (i = 0; i < n; i++) {
		struct sbx_name_ip *slot = NULL;

		for (k = 0; k < e->n && !slot; k++)
			if (!memcmp(&e->ips[k].ip, &ips[i], sizeof(ips[i])))
				slot = &e->ips[k];
		/* Full: the address that expires first makes room. */
		if (!slot && e->n < SBX_NAME_IPS)
			slot = &e->ips[e->n++];
		for (k = 0; !slot && k < e->n; k++)
			slot = &e->ips[k];
		for (; k < e->n; k++)
			if (e->ips[k].until < slot->until)
				slot = &e->ips[k];
		slot->ip = ips[i];
		slot->until = now + (time_t)ttl + SBX_NAMES_GRACE;
	}
	/* Drop what expired. */
	for (k = 0; k < e->n;) {
		if (e->ips[k].until <= now)
			e->ips[k] = e->ips[--e->n];
		else
			k++;
	}
}

static unsigned int sbx_clamp_ttl(unsigned int ttl)
{
	if (ttl < SBX_NAMES_TTL_MIN)
		return SBX_NAMES_TTL_MIN;
	return ttl > SBX_NAMES_TTL_MAX ? SBX_NAMES_TTL_MAX : ttl;
}

/* Resolve entry @i (without the lock held while DNS is asked). Returns the lookup's result. */
static int sbx_names_refresh_one(struct sbx_names *t, size_t i)
{
	char name[SBX_HOSTNAME_MAX + 1];
	struct sbx_ip ips[SBX_NAME_IPS];
	unsigned int ttl = 0;
	time_t now;
	int n;

	pthread_mutex_lock(&t->lock);
	memcpy(name, t->v[i].name, sizeof(name));
	t->v[i].last_asked = sbx_mono_ms();
	pthread_mutex_unlock(&t->lock);
	n = sbx_resolve(name, ips, SBX_NAME_IPS, &ttl, SBX_NAMES_LOOKUP_MS);
	now = sbx_mono();
	pthread_mutex_lock(&t->lock);
	ttl = sbx_clamp_ttl(ttl);
	if (n > 0)
		sbx_names_merge(&t->v[i], ips, n, ttl, now);
	else
		sbx_names_merge(&t->v[i], NULL, 0, 0, now);
	/* A failure is asked again soon; an answer when its TTL runs out. */
	t->v[i].next = now + (n > 0 ? (time_t)ttl : SBX_NAMES_TTL_MIN);
	pthread_mutex_unlock(&t->lock);
	return n;
}

static const char *sbx_names_why(int r)
{
	switch (r) {
	case -ENOENT:
		return "no such name";
	case -ECONNREFUSED:
		return "the DNS server refused to answer";
	case -ETIMEDOUT:
		return "no answer from the DNS servers of /etc/resolv.conf";
	}
	return strerror(-r);
}

void sbx_names_resolve_all(struct sbx_names *t)
{
	size_t i;
	int r;

	for (i = 0; i < t->n; i++) {
		r = sbx_names_refresh_one(t, i);
		if (r < 0)
			sbx_log_warn("%s does not resolve (%s): nothing is allowed for it until it "
				     "does; sbx asks again every %d s",
				     t->v[i].name, sbx_names_why(r), SBX_NAMES_TTL_MIN);
	}
}

static void *sbx_names_thread(void *arg)
{
	struct sbx_names *t = arg;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		time_t now = sbx_mono(), next = now + SBX_NAMES_TTL_MAX;
		bool urgent = t->urgent;
		size_t i;

		t->urgent = false;
		t->in_round = true;
		for (i = 0; i < t->n; i++) {
			if (!urgent && t->v[i].next > now) {
				if (t->v[i].next < next)
					next = t->v[i].next;
				continue;
			}
			pthread_mutex_unlock(&t->lock);
			sbx_names_refresh_one(t, i);
			pthread_mutex_lock(&t->lock);
			if (t->v[i].next < next)
				next = t->v[i].next;
		}
		t->rounds++;
		t->in_round = false;
		pthread_cond_broadcast(&t->done);
		if (!t->urgent) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += next > now ? next - now : 1;
			pthread_cond_timedwait(&t->wake, &t->lock, &ts);
		}
	}
	return NULL;
}

int sbx_names_start(struct sbx_names *t, struct sbx_error *err)
{
	pthread_condattr_t ca;
	int r;

	if (!t->n && !t->dynamic)
		return 0;
	/* Deadlines in monotonic time: a clock set back must not stall the refreshes. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&t->wake);
	pthread_cond_init(&t->wake, &ca);
	pthread_cond_destroy(&t->done);
	pthread_cond_init(&t->done, &ca);
	pthread_condattr_destroy(&ca);
	r = sbx_thread_start(sbx_names_thread, t, 256 * 1024);
	return r ? sbx_error_set(err, r, "start the thread that resolves host names") : 0;
}

size_t sbx_names_of(struct sbx_names *t, const struct sbx_ip *ip, char (*out)[SBX_HOSTNAME_MAX + 1],
		    size_t max)
{
	time_t now;
	size_t i, k, n = 0;

	if (!t->n)
		return 0;
	now = sbx_mono();
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n && n < max; i++)
		for (k = 0; k < t->v[i].n; k++)
			if (t->v[i].ips[k].until > now &&
			    !memcmp(&t->v[i].ips[k].ip, ip, sizeof(*ip))) {
				memcpy(out[n++], t->v[i].name, sizeof(out[0]));
				break;
			}
	pthread_mutex_unlock(&t->lock);
	return n;
}

/* Index of @name, added if new (under the lock). -ENOMEM when it cannot be added. */
static long sbx_names_index(struct sbx_names *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return (long)i;
	/* Names under a wildcard come from the command: a bound keeps it from growing the
	 * table, and the host lookups each costs, without end. */
	if (t->n >= SBX_NAMES_MAX)
		return -ENOSPC;
	if (sbx_names_add(t, name) < 0)
		return -ENOMEM;
	return (long)t->n - 1;
}

static bool sbx_names_first(const struct sbx_name *e, time_t now, int family, struct sbx_ip *out)
{
	size_t k;

	for (k = 0; k < e->n; k++)
		if (e->ips[k].until > now && (!family || e->ips[k].ip.family == family)) {
			*out = e->ips[k].ip;
			return true;
		}
	return false;
}

int sbx_names_pick(struct sbx_names *t, const char *name, struct sbx_ip *out)
{
	long i;
	bool found;
	int r = 0;

	pthread_mutex_lock(&t->lock);
	i = sbx_names_index(t, name);
	if (i < 0) {
		pthread_mutex_unlock(&t->lock);
		return (int)i; /* -ENOSPC: the responder answers SERVFAIL */
	}
	found = sbx_names_first(&t->v[i], sbx_mono(), AF_INET, out) ||
		sbx_names_first(&t->v[i], sbx_mono(), 0, out);
	pthread_mutex_unlock(&t->lock);
	if (found)
		return 0;
	r = sbx_names_refresh_one(t, (size_t)i);
	if (r < 0)
		return r;
	pthread_mutex_lock(&t->lock);
	found = sbx_names_first(&t->v[i], sbx_mono(), AF_INET, out) ||
		sbx_names_first(&t->v[i], sbx_mono(), 0, out);
	pthread_mutex_unlock(&t->lock);
	return found ? 0 : -ENOENT;
}

void sbx_names_refresh_wait(struct sbx_names *t, int ms)
{
	struct timespec ts;
	unsigned long want;
	long long now = sbx_mono_ms();
	bool recent = true;
	size_t i;

	if (!t->n)
		return;
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->n; i++)
		recent = recent && t->v[i].last_asked >= now - SBX_NAMES_AGAIN_MS;
	if (recent) {
		pthread_mutex_unlock(&t->lock);
		return;
	}
	/* The round under way may have passed some names already: wait for the next one. */
	want = t->rounds + (t->in_round ? 2 : 1);
	t->urgent = true;
	pthread_cond_signal(&t->wake);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	while (t->rounds < want)
		if (pthread_cond_timedwait(&t->done, &t->lock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&t->lock);
}
