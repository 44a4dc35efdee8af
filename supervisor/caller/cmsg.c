/* Owns the walk over control messages copied from the caller. Pure functions over bytes. */
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include "cmsg.h"

long sbx_cmsg_walk(unsigned char *ctl, size_t len, sbx_cmsg_fn fn, void *arg)
{
	size_t off = 0;
	long r;

	/* cmsg_nxthdr: another header follows while one whole struct cmsghdr fits. */
	while (off + sizeof(struct cmsghdr) <= len) {
		struct cmsghdr *cm = (struct cmsghdr *)(void *)(ctl + off);

		if (cm->cmsg_len < sizeof(struct cmsghdr) || cm->cmsg_len > len - off)
			return -EINVAL; /* !CMSG_OK */
		r = fn(cm, arg);
		if (r < 0)
			return r;
		/* cmsg_len <= len - off, so this neither overflows nor skips past len + 7. */
		off += CMSG_ALIGN(cm->cmsg_len);
	}
	return 0;
}

size_t sbx_cmsg_nfds(const struct cmsghdr *cm)
{
	return (cm->cmsg_len - sizeof(struct cmsghdr)) / sizeof(int);
}

#ifndef SO_TIMESTAMPING_OLD
#define SO_TIMESTAMPING_OLD 37
#endif
#ifndef SCM_TXTIME
#define SCM_TXTIME 61
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef IPV6_2292PKTINFO
#define IPV6_2292PKTINFO  2
#define IPV6_2292HOPOPTS  3
#define IPV6_2292DSTOPTS  4
#define IPV6_2292RTHDR	  5
#define IPV6_2292HOPLIMIT 8
#endif
#ifndef IPV6_RTHDRDSTOPTS
#define IPV6_RTHDRDSTOPTS 55
#endif
#ifndef IPV6_FLOWINFO
#define IPV6_FLOWINFO 11
#endif
#ifndef IPV6_DONTFRAG
#define IPV6_DONTFRAG 62
#endif

/*
 * The control messages an inet socket reads (ip_cmsg_send, ip6_datagram_send_ctl,
 * udp_cmsg_send, __sock_cmsg_send) and what sbx makes of each. Whatever is not here is
 * refused: a message the kernel learns later may route data, and refusing it costs a program
 * an option, not a destination.
 */
static const struct sbx_cmsg_rule {
	int level, type;
	enum sbx_cmsg_verdict v;
	const char *name;
} sbx_cmsg_rules[] = {
	{ SOL_SOCKET, SCM_RIGHTS, SBX_CMSG_RIGHTS, "SCM_RIGHTS" },
	{ SOL_SOCKET, SCM_CREDENTIALS, SBX_CMSG_CREDS, "SCM_CREDENTIALS" },
	{ SOL_SOCKET, SO_PRIORITY, SBX_CMSG_PASS, "SO_PRIORITY" },
	{ SOL_SOCKET, SO_TIMESTAMPING_OLD, SBX_CMSG_PASS, "SO_TIMESTAMPING" },
	{ SOL_SOCKET, SCM_TXTIME, SBX_CMSG_PASS, "SCM_TXTIME" },
	/* a mark selects a routing table (ip rule fwmark) */
	{ SOL_SOCKET, SO_MARK, SBX_CMSG_REROUTE, "SO_MARK" },
	{ IPPROTO_IP, IP_TOS, SBX_CMSG_PASS, "IP_TOS" },
	{ IPPROTO_IP, IP_TTL, SBX_CMSG_PASS, "IP_TTL" },
	/* the source address and the outgoing interface; the destination stays the judged one */
	{ IPPROTO_IP, IP_PKTINFO, SBX_CMSG_PASS, "IP_PKTINFO" },
	/* IPv4 options: loose and strict source routing */
	{ IPPROTO_IP, IP_RETOPTS, SBX_CMSG_REROUTE, "IP_RETOPTS" },
	{ IPPROTO_IPV6, IPV6_PKTINFO, SBX_CMSG_PASS, "IPV6_PKTINFO" },
	{ IPPROTO_IPV6, IPV6_2292PKTINFO, SBX_CMSG_PASS, "IPV6_2292PKTINFO" },
	{ IPPROTO_IPV6, IPV6_HOPLIMIT, SBX_CMSG_PASS, "IPV6_HOPLIMIT" },
	{ IPPROTO_IPV6, IPV6_2292HOPLIMIT, SBX_CMSG_PASS, "IPV6_2292HOPLIMIT" },
	{ IPPROTO_IPV6, IPV6_TCLASS, SBX_CMSG_PASS, "IPV6_TCLASS" },
	{ IPPROTO_IPV6, IPV6_DONTFRAG, SBX_CMSG_PASS, "IPV6_DONTFRAG" },
	{ IPPROTO_IPV6, IPV6_FLOWINFO, SBX_CMSG_PASS, "IPV6_FLOWINFO" },
	{ IPPROTO_IPV6, IPV6_HOPOPTS, SBX_CMSG_PASS, "IPV6_HOPOPTS" },
	{ IPPROTO_IPV6, IPV6_2292HOPOPTS, SBX_CMSG_PASS, "IPV6_2292HOPOPTS" },
	{ IPPROTO_IPV6, IPV6_DSTOPTS, SBX_CMSG_PASS, "IPV6_DSTOPTS" },
	{ IPPROTO_IPV6, IPV6_2292DSTOPTS, SBX_CMSG_PASS, "IPV6_2292DSTOPTS" },
	/* routing headers (type 0, 2, segment routing): the packet goes to the first segment */
	{ IPPROTO_IPV6, IPV6_RTHDR, SBX_CMSG_REROUTE, "IPV6_RTHDR" },
	{ IPPROTO_IPV6, IPV6_2292RTHDR, SBX_CMSG_REROUTE, "IPV6_2292RTHDR" },
	/* options for the hops a routing header names: meaningless without one */
	{ IPPROTO_IPV6, IPV6_RTHDRDSTOPTS, SBX_CMSG_REROUTE, "IPV6_RTHDRDSTOPTS" },
	{ IPPROTO_UDP, UDP_SEGMENT, SBX_CMSG_PASS, "UDP_SEGMENT" },
};

static const struct sbx_cmsg_rule *sbx_cmsg_rule(int level, int type)
{
	size_t i;

	for (i = 0; i < sizeof(sbx_cmsg_rules) / sizeof(sbx_cmsg_rules[0]); i++)
		if (sbx_cmsg_rules[i].level == level && sbx_cmsg_rules[i].type == type)
			return &sbx_cmsg_rules[i];
	return NULL;
}

enum sbx_cmsg_verdict sbx_cmsg_judge(int family, int level, int type)
{
	const struct sbx_cmsg_rule *r = sbx_cmsg_rule(level, type);
	bool inet = family == AF_INET || family == AF_INET6;

	if (level == SOL_SOCKET && (type == SCM_RIGHTS || type == SCM_CREDENTIALS))
		return r->v;
	if (!inet) {
		/* __scm_send: other SOL_SOCKET types are EINVAL, other levels are skipped. */
		return level == SOL_SOCKET ? SBX_CMSG_INVALID : SBX_CMSG_PASS;
	}
	if (r)
		return r->v;
	/* __sock_cmsg_send answers an unknown SOL_SOCKET type with EINVAL by itself. */
	return level == SOL_SOCKET ? SBX_CMSG_INVALID : SBX_CMSG_UNKNOWN;
}

const char *sbx_cmsg_name(int level, int type)
{
	const struct sbx_cmsg_rule *r = sbx_cmsg_rule(level, type);

	return r ? r->name : NULL;
}
