/* Owns name resolution with c-ares: one channel per lookup, so each reads the resolver
 * configuration as it is now, and the loop that drives it with poll (never select, whose
 * fd_set a supervisor with many descriptors would overflow). */
#include <ares.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

#include "resolve.h"
#include "../policy/endpoint.h"

struct sbx_lookup {
	bool done;
	int status;
	struct ares_addrinfo *res;
};

static pthread_once_t sbx_ares_once = PTHREAD_ONCE_INIT;
static int sbx_ares_init_status = ARES_ENOTINITIALIZED;

static void sbx_ares_init(void)
{
	sbx_ares_init_status = ares_library_init(ARES_LIB_INIT_ALL);
}

static void sbx_lookup_done(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct sbx_lookup *l = arg;

	(void)timeouts;
	l->done = true;
	l->status = status;
	l->res = res;
}

static long long sbx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drive @ch until the lookup is done or @deadline (ms, monotonic) passes. */
static void sbx_ares_wait(ares_channel ch, struct sbx_lookup *l, long long deadline)
{
	while (!l->done) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfd[ARES_GETSOCK_MAXNUM];
		struct timeval max, tv, *tvp;
		long long left = deadline - sbx_now_ms();
		int bits, n = 0, i, ms;

		if (left <= 0) {
			ares_cancel(ch); /* calls back with ARES_ECANCELLED */
			break;
		}
		bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			/* c-ares's ARES_GETSOCK_WRITABLE shifts a signed 1 by up to 31: UB. */
			unsigned int u = (unsigned int)bits;
			short ev = (short)((((u >> i) & 1U) ? POLLIN : 0) |
					   (((u >> (i + ARES_GETSOCK_MAXNUM)) & 1U) ? POLLOUT : 0));

			if (ev)
				pfd[n++] = (struct pollfd){ .fd = socks[i], .events = ev };
		}
		max.tv_sec = left / 1000;
		max.tv_usec = (left % 1000) * 1000;
		tvp = ares_timeout(ch, &max, &tv);
		ms = (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000);
		if (poll(pfd, n, ms) == -1 && errno != EINTR)
			break;
		if (n == 0)
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		for (i = 0; i < n; i++)
			ares_process_fd(ch,
					pfd[i].revents & (POLLIN | POLLERR | POLLHUP)
						? pfd[i].fd
						: ARES_SOCKET_BAD,
					pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
		/* Timeouts are processed too when nothing was ready. */
		if (n && !l->done)
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	}
}

static int sbx_ares_errno(int status)
{
	switch (status) {
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
	case ARES_ENONAME:
		return -ENOENT;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED:
		return -ETIMEDOUT;
	case ARES_ENOMEM:
		return -ENOMEM;
	case ARES_EREFUSED:
		return -ECONNREFUSED;
	}
	return -EIO;
}

int sbx_resolve(const char *name, struct sbx_ip *out, size_t max, unsigned int *ttl, int timeout_ms)
{
	struct ares_options opts = { .timeout = timeout_ms < 1000 ? timeout_ms : 1000, .tries = 2 };
	struct ares_addrinfo_hints hints = { .ai_family = AF_UNSPEC, .ai_flags = ARES_AI_NOSORT };
	struct sbx_lookup l = { 0 };
	struct ares_addrinfo_node *node;
	ares_channel ch;
	size_t n = 0, k;
	int r;

	pthread_once(&sbx_ares_once, sbx_ares_init);
	if (sbx_ares_init_status != ARES_SUCCESS)
		return -EIO;
	r = ares_init_options(&ch, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (r != ARES_SUCCESS)
		return r == ARES_ENOMEM ? -ENOMEM : -EIO;
	ares_getaddrinfo(ch, name, NULL, &hints, sbx_lookup_done, &l);
	sbx_ares_wait(ch, &l, sbx_now_ms() + timeout_ms);
	ares_destroy(ch); /* a lookup still pending is called back, cancelled, here */
	if (l.status != ARES_SUCCESS || !l.res) {
		if (l.res)
			ares_freeaddrinfo(l.res);
		return sbx_ares_errno(l.done ? l.status : ARES_ETIMEOUT);
	}
	*ttl = 0;
	for (node = l.res->nodes; node && n < max; node = node->ai_next) {
		struct sbx_ip ip = { .family = node->ai_family };
		bool dup = false;

		if (node->ai_family == AF_INET)
			memcpy(ip.addr, &((struct sockaddr_in *)node->ai_addr)->sin_addr, 4);
		else if (node->ai_family == AF_INET6)
			memcpy(ip.addr, &((struct sockaddr_in6 *)node->ai_addr)->sin6_addr, 16);
		else
			continue;
		sbx_addr_unmap(&ip.family, ip.addr);
		for (k = 0; k < n && !dup; k++)
			dup = !memcmp(&out[k], &ip, sizeof(ip));
		if (dup)
			continue;
		if (node->ai_ttl > 0 && (*ttl == 0 || (unsigned int)node->ai_ttl < *ttl))
			*ttl = (unsigned int)node->ai_ttl;
		out[n++] = ip;
	}
	ares_freeaddrinfo(l.res);
	return n ? (int)n : -ENOENT;
}
