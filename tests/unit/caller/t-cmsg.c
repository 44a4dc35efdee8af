/* Unit tests: the control-message walk, against the kernel's rules (__scm_send, CMSG_OK), and
 * the verdict on each message (which ones may route data elsewhere than the judged address). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../../lib/tap.h"
#include "../../../supervisor/caller/cmsg.h"

struct seen {
	int n, types[8];
	size_t nfds[8];
};

static long visit(struct cmsghdr *cm, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->types[s->n] = cm->cmsg_type;
		s->nfds[s->n] = sbx_cmsg_nfds(cm);
	}
	s->n++;
	return cm->cmsg_type == 99 ? -EPERM : 0;
}

/* Put a header at @off of @buf; returns the offset of the next one. */
static size_t put(unsigned char *buf, size_t off, size_t len, int level, int type)
{
	struct cmsghdr h = { .cmsg_len = len, .cmsg_level = level, .cmsg_type = type };

	memcpy(buf + off, &h, sizeof(h));
	return off + CMSG_ALIGN(len);
}

#ifndef IPV6_RTHDR
#define IPV6_RTHDR 57
#endif

static const struct {
	int family, level, type;
	enum sbx_cmsg_verdict want;
	const char *what;
} verdicts[] = {
	{ AF_UNIX, SOL_SOCKET, SCM_RIGHTS, SBX_CMSG_RIGHTS, "unix SCM_RIGHTS: translated" },
	{ AF_UNIX, SOL_SOCKET, SCM_CREDENTIALS, SBX_CMSG_CREDS, "unix SCM_CREDENTIALS: checked" },
	{ AF_UNIX, SOL_SOCKET, SO_MARK, SBX_CMSG_INVALID, "unix SO_MARK: the kernel's EINVAL" },
	{ AF_UNIX, SOL_SOCKET, 0x4242, SBX_CMSG_INVALID, "unix unknown SOL_SOCKET: EINVAL" },
	{ AF_UNIX, IPPROTO_IPV6, IPV6_RTHDR, SBX_CMSG_PASS, "unix IPv6 level: ignored by it" },
	{ AF_NETLINK, IPPROTO_IP, IP_RETOPTS, SBX_CMSG_PASS, "netlink IP level: ignored by it" },
	{ AF_INET6, IPPROTO_IPV6, IPV6_RTHDR, SBX_CMSG_REROUTE, "inet6 IPV6_RTHDR: refused" },
	{ AF_INET6, IPPROTO_IPV6, 5, SBX_CMSG_REROUTE, "inet6 IPV6_2292RTHDR: refused" },
	{ AF_INET6, IPPROTO_IPV6, 55, SBX_CMSG_REROUTE, "inet6 IPV6_RTHDRDSTOPTS: refused" },
	{ AF_INET, IPPROTO_IP, IP_RETOPTS, SBX_CMSG_REROUTE, "inet IP_RETOPTS: refused" },
	{ AF_INET6, IPPROTO_IP, IP_RETOPTS, SBX_CMSG_REROUTE,
	  "inet6 IP_RETOPTS (mapped): refused" },
	{ AF_INET, SOL_SOCKET, SO_MARK, SBX_CMSG_REROUTE,
	  "inet SO_MARK (fwmark routing): refused" },
	{ AF_INET, IPPROTO_IP, IP_OPTIONS, SBX_CMSG_UNKNOWN, "inet IP_OPTIONS: not listed" },
	{ AF_INET, IPPROTO_IP, 0x4242, SBX_CMSG_UNKNOWN, "inet unknown IP type: not listed" },
	{ AF_INET, IPPROTO_TCP, 1, SBX_CMSG_UNKNOWN, "inet TCP level: not listed" },
	{ AF_INET, SOL_SOCKET, 0x4242, SBX_CMSG_INVALID, "inet unknown SOL_SOCKET: EINVAL" },
	{ AF_INET, IPPROTO_IP, IP_PKTINFO, SBX_CMSG_PASS, "inet IP_PKTINFO: passed" },
	{ AF_INET, IPPROTO_IP, IP_TOS, SBX_CMSG_PASS, "inet IP_TOS: passed" },
	{ AF_INET, IPPROTO_IP, IP_TTL, SBX_CMSG_PASS, "inet IP_TTL: passed" },
	{ AF_INET6, IPPROTO_IPV6, IPV6_PKTINFO, SBX_CMSG_PASS, "inet6 IPV6_PKTINFO: passed" },
	{ AF_INET6, IPPROTO_IPV6, IPV6_HOPLIMIT, SBX_CMSG_PASS, "inet6 IPV6_HOPLIMIT: passed" },
	{ AF_INET6, IPPROTO_IPV6, IPV6_TCLASS, SBX_CMSG_PASS, "inet6 IPV6_TCLASS: passed" },
	{ AF_INET, IPPROTO_UDP, 103, SBX_CMSG_PASS, "inet UDP_SEGMENT: passed" },
	{ AF_INET, SOL_SOCKET, SCM_RIGHTS, SBX_CMSG_RIGHTS, "inet SCM_RIGHTS: translated" },
};

static void judge_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		is(sbx_cmsg_judge(verdicts[i].family, verdicts[i].level, verdicts[i].type),
		   verdicts[i].want, "%s", verdicts[i].what);
	ok(sbx_cmsg_name(IPPROTO_IPV6, IPV6_RTHDR) &&
		   !strcmp(sbx_cmsg_name(IPPROTO_IPV6, IPV6_RTHDR), "IPV6_RTHDR"),
	   "the routing header has a name for the denial line");
	ok(!sbx_cmsg_name(IPPROTO_IP, 0x4242), "an unknown message has none");
}

int main(void)
{
	union {
		unsigned char b[512];
		struct cmsghdr align;
	} u;
	unsigned char *buf = u.b;
	struct seen s;
	size_t off;

	memset(&u, 0, sizeof(u));
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, 0, visit, &s), 0, "empty buffer: nothing to walk");
	is(sbx_cmsg_walk(buf, 15, visit, &s), 0, "shorter than a header: ignored");
	is(s.n, 0, "and no message seen");

	off = put(buf, 0, CMSG_LEN(3 * sizeof(int)), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off, visit, &s), 0, "one SCM_RIGHTS of three fds");
	is(s.n, 1, "seen once");
	is((long)s.nfds[0], 3, "three fds counted");

	put(buf, 0, CMSG_LEN(0), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, CMSG_SPACE(0), visit, &s), 0, "SCM_RIGHTS with no fd: walked");
	is((long)s.nfds[0], 0, "zero fds counted");

	put(buf, 0, CMSG_LEN(sizeof(int) + 2), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	sbx_cmsg_walk(buf, CMSG_SPACE(sizeof(int) + 2), visit, &s);
	is((long)s.nfds[0], 1, "a partial trailing int is not an fd");

	off = put(buf, 0, CMSG_LEN(4), IPPROTO_IP, 1);
	off = put(buf, off, CMSG_LEN(sizeof(int)), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off, visit, &s), 0, "another level, then SCM_RIGHTS");
	is(s.n, 2, "both are handed on: every level is judged (sbx_cmsg_judge)");
	is(s.types[0], 1, "the IPPROTO_IP one first");

	put(buf, 0, 4096, SOL_SOCKET, SCM_RIGHTS);
	is(sbx_cmsg_walk(buf, 64, visit, &s), -EINVAL, "cmsg_len past the buffer: EINVAL");
	put(buf, 0, 8, SOL_SOCKET, SCM_RIGHTS);
	is(sbx_cmsg_walk(buf, 64, visit, &s), -EINVAL, "cmsg_len below a header: EINVAL");
	put(buf, 0, SIZE_MAX, SOL_SOCKET, SCM_RIGHTS);
	is(sbx_cmsg_walk(buf, 64, visit, &s), -EINVAL, "cmsg_len SIZE_MAX: EINVAL");

	off = put(buf, 0, CMSG_LEN(sizeof(int)), SOL_SOCKET, SCM_RIGHTS);
	put(buf, off, 1000, SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off + 16, visit, &s), -EINVAL,
	   "a good one, then a lying one: EINVAL");
	is(s.n, 1, "the good one was seen first (the kernel checks as it goes, too)");

	off = put(buf, 0, CMSG_LEN(sizeof(int)), SOL_SOCKET, SCM_RIGHTS);
	memset(buf + off, 0xff, 15);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off + 15, visit, &s), 0, "15 trailing bytes: no further header");
	is(s.n, 1, "one message");

	off = put(buf, 0, CMSG_LEN(0), SOL_SOCKET, 99);
	put(buf, off, CMSG_LEN(0), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off * 2, visit, &s), -EPERM, "the callback's error stops the walk");
	is(s.n, 1, "nothing after it is visited");
	judge_table();
	return done_testing();
}
