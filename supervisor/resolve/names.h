/*
 * names: the addresses of the host names the policy names (--allow-connect NAME:PORTS and
 * --deny-connect NAME:PORTS), as sbx resolves them, kept fresh by one thread that follows the
 * TTLs of the answers. The judge asks which of these names an address belongs to; it never
 * waits for DNS unless it asks to (sbx_names_refresh_wait).
 *
 * An address stays known for SBX_NAMES_GRACE seconds after an answer stopped giving it: the
 * command may have looked the name up just before the change and be connecting to what it
 * was given then.
 *
 * Lifecycle: sbx_names_init() from the policy, sbx_names_resolve_all() once before the
 * command starts (warnings for names that do not resolve), sbx_names_start() once threads may
 * be started; sbx_names_of() and sbx_names_refresh_wait() from any thread.
 */
#ifndef SBX_NAMES_H
#define SBX_NAMES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "resolve.h"
#include "../base/error.h"
#include "../policy/hostname.h"

#define SBX_NAME_IPS	  32   /* addresses remembered per name */
#define SBX_NAMES_MAX	  4096 /* names in the table, those the command asked for included */
#define SBX_NAMES_GRACE	  300  /* seconds an address stays known after it left the answer */
#define SBX_NAMES_TTL_MIN 5
#define SBX_NAMES_TTL_MAX 300
/* A forced refresh (sbx_names_refresh_wait) is skipped for names asked this recently: a
 * command connecting to address after address does not make sbx flood its DNS server. */
#define SBX_NAMES_AGAIN_MS 500

struct sbx_policy;

struct sbx_name_ip {
	struct sbx_ip ip;
	time_t until; /* monotonic seconds: known until then (refreshed with each answer) */
};

struct sbx_name {
	char name[SBX_HOSTNAME_MAX + 1];
	struct sbx_name_ip ips[SBX_NAME_IPS];
	size_t n;
	time_t next;	      /* monotonic seconds: when to ask again */
	long long last_asked; /* monotonic ms: when it was last resolved */
};

struct sbx_names {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the refresher waits on it; a refresh request signals it */
	pthread_cond_t done; /* a round of refreshes is over */
	struct sbx_name *v;
	size_t n;
	unsigned long rounds; /* refresh rounds completed */
	bool urgent;	      /* a worker asked for every name to be resolved again now */
	bool in_round;	      /* the refresher is going through the names */
	bool dynamic;	      /* names may be added as the command asks (wildcards) */
};

/* sbx_names_init() - the exact names of @pol's allow and deny rules, none resolved yet. */
int sbx_names_init(struct sbx_names *t, const struct sbx_policy *pol, struct sbx_error *err);

/* sbx_names_resolve_all() - resolve every name now (before the command starts); a name
 * without addresses is a warning on stderr, not an error. */
void sbx_names_resolve_all(struct sbx_names *t);

/* sbx_names_start() - start the refresher thread (nothing to do without names). */
int sbx_names_start(struct sbx_names *t, struct sbx_error *err);

/*
 * sbx_names_of() - the names (at most @max, copied into @out) that @ip (unmapped) is, or was
 * within the grace period, an address of. Return how many.
 */
size_t sbx_names_of(struct sbx_names *t, const struct sbx_ip *ip, char (*out)[SBX_HOSTNAME_MAX + 1],
		    size_t max);

/*
 * sbx_names_pick() - an address of @name (IPv4 first, which a command's AF_INET socket can
 * take) into @out. A name not in the table yet (one under a wildcard the command asked for) is
 * added; one without a current address is resolved now. Return 0, or -errno of the lookup
 * (-ENOENT: no such name).
 */
int sbx_names_pick(struct sbx_names *t, const char *name, struct sbx_ip *out);

/*
 * sbx_names_refresh_wait() - have every name resolved again now, unless that was done less
 * than SBX_NAMES_AGAIN_MS ago, and wait up to @ms for it. For a destination that matched nothing
 * while a name rule covers its port: the name may have moved since the last answer.
 */
void sbx_names_refresh_wait(struct sbx_names *t, int ms);

#endif
