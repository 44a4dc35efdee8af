/* Owns the choice of a performer and the steps every handler takes before performing. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "../judge/decide.h"
#include "../judge/verdict.h"
#include "perform.h"

const struct sbx_performer *sbx_performer_for(const struct sbx_call *c, long judged)
{
	if (c->sup->replace)
		return &sbx_perform_replace;
	return judged == SBX_JUDGE_OUTSIDE ? &sbx_perform_addfd : &sbx_perform_dup;
}

long sbx_perform_getsock(struct sbx_call *c, int fd, int *sock)
{
	int r;

	if (c->sup->replace)
		return sbx_replace_getsock(c, fd, sock);
	r = sbx_task_getfd(&c->task, fd);
	*sock = r < 0 ? -1 : r;
	return r < 0 ? r : 0;
}

/* The IPv4 address a destination names, as the judge saw it (an IPv4-mapped IPv6 address
 * unmapped, AF_UNSPEC read as AF_INET), into @ip; false if it names none. */
static bool sbx_dest_ipv4(const struct sbx_addr *a, unsigned char ip[16], bool *mapped)
{
	int family = a->kind == SBX_ADDR_UNSPEC ? AF_INET : a->family;

	if (a->kind != SBX_ADDR_INET && a->kind != SBX_ADDR_INET6 && a->kind != SBX_ADDR_UNSPEC)
		return false;
	memcpy(ip, a->ip, 16);
	*mapped = sbx_addr_unmap(&family, ip);
	return family == AF_INET;
}

/*
 * The name a synthetic address stands for, resolved on the host now (from the table, which
 * follows the TTLs): the call goes there instead, from a socket of sbx's namespace, which the
 * addfd performer installs over the caller's. A caller's IPv6 socket keeps its family (the
 * address mapped if IPv4); an IPv4 one gets an IPv6 socket only if the name has no IPv4
 * address. A synthetic destination is never sent anywhere as it is.
 */
static long sbx_unsynth(struct sbx_call *c, struct sbx_dest *d)
{
	const struct sbx_addr *a = &d->addr;
	char name[SBX_HOSTNAME_MAX + 1];
	unsigned char ip[16];
	struct sbx_ip real;
	bool mapped = false;
	int r;

	if (!sbx_dest_ipv4(a, ip, &mapped) || !sbx_synth_is(ip))
		return 0;
	if (!sbx_synth_name(&c->sup->synth, ip, name))
		return -EHOSTUNREACH;
	r = sbx_names_pick(&c->sup->names, name, &real);
	if (r < 0)
		return r == -ENOENT ? -EHOSTUNREACH : -ENETUNREACH;
	memset(&d->out, 0, sizeof(d->out));
	if (real.family == AF_INET && !mapped) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&d->out;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, real.addr, 4);
		d->out_len = sizeof(*sin);
		return 0;
	}
	{
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&d->out;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->port);
		if (real.family == AF_INET) {
			sin6->sin6_addr.s6_addr[10] = sin6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&sin6->sin6_addr.s6_addr[12], real.addr, 4);
		} else {
			memcpy(&sin6->sin6_addr, real.addr, 16);
		}
		d->out_len = sizeof(*sin6);
		if (!mapped)
			c->swap_family = AF_INET6;
	}
	return 0;
}

long sbx_perform_prepare(struct sbx_call *c, struct sbx_dest *d, int *sock, bool connect,
			 const struct sbx_performer **p)
{
	struct sbx_verdict v;
	long r;

	c->swap_family = 0; /* sendmmsg prepares once per destination */
	sbx_dest_judge(c, d, *sock, &v);
	r = sbx_verdict_record(c, &v);
	if (r < 0)
		return r;
	/* --learn performs what it would deny: a synthetic address still means its name. */
	if (r == 0 && c->denied && sbx_sock_private(c->sup, *sock)) {
		unsigned char ip[16];
		bool mapped;

		if (sbx_dest_ipv4(&d->addr, ip, &mapped) && sbx_synth_is(ip))
			r = SBX_JUDGE_OUTSIDE;
	}
	if (r == SBX_JUDGE_OUTSIDE) {
		long u = sbx_unsynth(c, d);

		if (u < 0)
			return u;
	}
	*p = sbx_performer_for(c, r);
	return (*p)->socket(c, sock, connect);
}
