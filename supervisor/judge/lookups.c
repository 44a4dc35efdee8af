/* Owns learning, in the filtered mode, the names the command looks up under a wildcard. */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "lookups.h"
#include "../resolve/dnsmsg.h"
#include "../resolve/names.h"

bool sbx_lookups_wanted(const struct sbx_policy *pol)
{
	size_t i;

	if (pol->net != SBX_NET_FILTERED)
		return false;
	for (i = 0; i < pol->n_hosts; i++)
		if (pol->hosts[i].wildcard)
			return true;
	return false;
}

static uint16_t sbx_port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

void sbx_lookups_observe(struct sbx_call *c, int sock, const struct sockaddr *dest,
			 const void *payload, size_t len)
{
	const struct sbx_policy *pol = c->sup->pol;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct sbx_dns_query q;
	struct sbx_ip ip;
	size_t i;

	if (!c->sup->lookups || len < 12)
		return;
	memset(&ss, 0, sizeof(ss));
	if (dest)
		memcpy(&ss, dest,
		       dest->sa_family == AF_INET6  ? sizeof(struct sockaddr_in6)
		       : dest->sa_family == AF_INET ? sizeof(struct sockaddr_in)
						    : 0);
	else if (getpeername(sock, (struct sockaddr *)&ss, &sl) == -1)
		return;
	if (sbx_port_of(&ss) != 53 || sbx_dns_parse(payload, len, &q) < 0 ||
	    (q.qtype != SBX_DNS_A && q.qtype != SBX_DNS_AAAA))
		return;
	for (i = 0; i < pol->n_hosts; i++) {
		if (!pol->hosts[i].wildcard || !sbx_hostpat_match_name(&pol->hosts[i], q.name))
			continue;
		/* Added to the table and resolved now, if it has no address yet; the refresher
		 * keeps it fresh from then on, like a listed name. */
		(void)sbx_names_pick(&c->sup->names, q.name, &ip);
		return;
	}
}
