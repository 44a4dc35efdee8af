/* Owns the choice of a performer and the steps every handler takes before performing. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "../judge/decide.h"
#include "../judge/verdict.h"
#include "perform.h"

const struct sbx_performer *sbx_performer_for(long judged)
{
	return judged == SBX_JUDGE_OUTSIDE ? &sbx_perform_addfd : &sbx_perform_dup;
}

/*
 * The name a synthetic address stands for, resolved on the host now (from the table, which
 * follows the TTLs): the call goes there, from a socket of sbx's namespace of that address's
 * family, which the addfd performer installs over the caller's.
 */
static long sbx_unsynth(struct sbx_call *c, struct sbx_dest *d)
{
	const struct sbx_addr *a = &d->addr;
	char name[SBX_HOSTNAME_MAX + 1];
	struct sbx_ip real;
	int r;

	if (a->family != AF_INET || !sbx_synth_is(a->ip))
		return 0;
	if (!sbx_synth_name(&c->sup->synth, a->ip, name))
		return -EHOSTUNREACH;
	r = sbx_names_pick(&c->sup->names, name, &real);
	if (r < 0)
		return r == -ENOENT ? -EHOSTUNREACH : -ENETUNREACH;
	memset(&d->out, 0, sizeof(d->out));
	if (real.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&d->out;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, real.addr, 4);
		d->out_len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&d->out;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->port);
		memcpy(&sin6->sin6_addr, real.addr, 16);
		d->out_len = sizeof(*sin6);
	}
	c->swap_family = real.family;
	return 0;
}

long sbx_perform_prepare(struct sbx_call *c, struct sbx_dest *d, int *sock, bool connect,
			 const struct sbx_performer **p)
{
	struct sbx_verdict v;
	long r;

	sbx_dest_judge(c, d, *sock, &v);
	r = sbx_verdict_record(c, &v);
	if (r < 0)
		return r;
	/* --learn performs what it would deny: a synthetic address still means its name. */
	if (r == 0 && c->denied && d->addr.family == AF_INET && sbx_synth_is(d->addr.ip) &&
	    sbx_sock_private(c->sup, *sock))
		r = SBX_JUDGE_OUTSIDE;
	if (r == SBX_JUDGE_OUTSIDE) {
		long u = sbx_unsynth(c, d);

		if (u < 0)
			return u;
	}
	*p = sbx_performer_for(r);
	return (*p)->socket(c, sock, connect);
}
