/*
 * A UDP client that tries to make its datagram go elsewhere than the address it names: IPv6
 * routing headers (as socket options in the RFC 3542 and RFC 2292 APIs, and as control
 * messages) and IPv4 source routing (IP_OPTIONS, IP_RETOPTS). The live tests run it inside
 * and outside the sandbox (tests/live/t-authority.c).
 *
 * Usage: reroute MODE ADDR PORT VIA
 *   sends "reroute" to ADDR:PORT (an IPv4 or IPv6 literal) with a route through VIA, an
 *   address of the same family, the way MODE says:
 *   sockopt-rthdr | sockopt-2292rthdr | sockopt-pktoptions | sockopt-ipopts |
 *   cmsg-rthdr | cmsg-2292rthdr | cmsg-retopts | cmsg-tclass (a harmless message, no route)
 * Prints one line: "ok", or "errno ENAME STEP" (STEP: setsockopt, sendto, sendmsg, socket).
 * Plain: no sbx code, like any user binary.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IPV6_2292RTHDR
#define IPV6_2292RTHDR 5
#endif
#ifndef IPV6_2292PKTOPTIONS
#define IPV6_2292PKTOPTIONS 6
#endif

static const char *ename(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case ENOPROTOOPT:
		return "ENOPROTOOPT";
	case EAFNOSUPPORT:
		return "EAFNOSUPPORT";
	case ENETUNREACH:
		return "ENETUNREACH";
	case EHOSTUNREACH:
		return "EHOSTUNREACH";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	}
	return "E?";
}

static int fail(const char *step)
{
	printf("errno %s %s\n", ename(errno), step);
	return 0;
}

/* A segment routing header (type 4) of two segments: the final destination and VIA, first. */
static size_t srh(unsigned char *buf, const struct in6_addr *dst, const struct in6_addr *via)
{
	memset(buf, 0, 40);
	buf[0] = IPPROTO_UDP; /* next header */
	buf[1] = 4;	      /* length in 8-octet units past the first 8 */
	buf[2] = 4;	      /* type: segment routing */
	buf[3] = 1;	      /* segments left */
	buf[4] = 1;	      /* last entry */
	memcpy(buf + 8, dst, 16);
	memcpy(buf + 24, via, 16);
	return 40;
}

/* IPv4 loose source route through VIA: NOP, LSRR, length 7, pointer 4, the address. */
static size_t lsrr(unsigned char *buf, const struct in_addr *via)
{
	buf[0] = 1;
	buf[1] = 131;
	buf[2] = 7;
	buf[3] = 4;
	memcpy(buf + 4, via, 4);
	return 8;
}

int main(int argc, char **argv)
{
	union {
		struct cmsghdr align;
		unsigned char b[256];
	} ctl;
	unsigned char opt[64], inner[128];
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	struct in6_addr via6;
	struct in_addr via4;
	struct iovec iov = { .iov_base = (char *)"reroute", .iov_len = 7 };
	struct msghdr mh = { .msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm = (struct cmsghdr *)ctl.b;
	const char *mode;
	socklen_t alen;
	size_t n = 0;
	int v6, fd;

	if (argc != 5) {
		fprintf(stderr, "usage: reroute MODE ADDR PORT VIA\n");
		return 2;
	}
	mode = argv[1];
	memset(&ss, 0, sizeof(ss));
	v6 = strchr(argv[2], ':') != NULL;
	if (v6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)atoi(argv[3]));
		if (inet_pton(AF_INET6, argv[2], &a6->sin6_addr) != 1 ||
		    inet_pton(AF_INET6, argv[4], &via6) != 1)
			return 2;
		alen = sizeof(*a6);
	} else {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &a4->sin_addr) != 1 ||
		    inet_pton(AF_INET, argv[4], &via4) != 1)
			return 2;
		alen = sizeof(*a4);
	}
	mh.msg_namelen = alen;
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return fail("socket");

	if (!strncmp(mode, "sockopt-", 8)) {
		int r;

		if (!strcmp(mode, "sockopt-ipopts")) {
			n = lsrr(opt, &via4);
			r = setsockopt(fd, IPPROTO_IP, IP_OPTIONS, opt, (socklen_t)n);
		} else if (!strcmp(mode, "sockopt-pktoptions")) {
			/* RFC 2292: a whole control buffer of sticky options, routing included */
			union {
				struct cmsghdr align;
				unsigned char b[128];
			} sticky;
			struct cmsghdr *s = (struct cmsghdr *)sticky.b;

			memset(&sticky, 0, sizeof(sticky));
			n = srh(inner, &a6->sin6_addr, &via6);
			s->cmsg_level = IPPROTO_IPV6;
			s->cmsg_type = IPV6_2292RTHDR;
			s->cmsg_len = CMSG_LEN(n);
			memcpy(CMSG_DATA(s), inner, n);
			r = setsockopt(fd, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, sticky.b,
				       (socklen_t)CMSG_SPACE(n));
		} else {
			n = srh(opt, &a6->sin6_addr, &via6);
			r = setsockopt(fd, IPPROTO_IPV6,
				       !strcmp(mode, "sockopt-2292rthdr") ? IPV6_2292RTHDR
									  : IPV6_RTHDR,
				       opt, (socklen_t)n);
		}
		if (r == -1)
			return fail("setsockopt");
		if (sendto(fd, "reroute", 7, 0, (struct sockaddr *)&ss, alen) == -1)
			return fail("sendto");
		printf("ok\n");
		return 0;
	}

	memset(&ctl, 0, sizeof(ctl));
	if (!strcmp(mode, "cmsg-retopts")) {
		n = lsrr(opt, &via4);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_RETOPTS;
	} else if (!strcmp(mode, "cmsg-tclass")) {
		int tclass = 0x10;

		n = sizeof(tclass);
		memcpy(opt, &tclass, n);
		cm->cmsg_level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
		cm->cmsg_type = v6 ? IPV6_TCLASS : IP_TOS;
	} else {
		n = srh(opt, &a6->sin6_addr, &via6);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = !strcmp(mode, "cmsg-2292rthdr") ? IPV6_2292RTHDR : IPV6_RTHDR;
	}
	cm->cmsg_len = CMSG_LEN(n);
	memcpy(CMSG_DATA(cm), opt, n);
	mh.msg_control = ctl.b;
	mh.msg_controllen = CMSG_SPACE(n);
	if (sendmsg(fd, &mh, 0) == -1)
		return fail("sendmsg");
	printf("ok\n");
	return 0;
}
