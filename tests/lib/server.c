/*
 * Owns the live tests' server: one implementation for every family, UNIX (a pathname or an
 * abstract name), IPv4 and IPv6 on loopback, stream, seqpacket or datagram. It counts
 * connections or datagrams, records what arrives (and what an fd passed with SCM_RIGHTS
 * holds), echoes stream data back or answers HTTP GETs, and tells the harness's own sync
 * marker from the clients: on UNIX streams by the peer's pid, on inet streams by the source
 * port the marker was sent from, on datagrams by its bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_SERVERS 48
#define MAX_CLIENTS 64
#define DATA_SZ	    4096
#define REQ_SZ	    2048
#define SYNC_MS	    5000
#define SYNC_MAGIC  "\001sbx-t-sync"

struct client {
	int fd;
	size_t n;	  /* bytes of the request so far (HTTP) */
	char req[REQ_SZ]; /* the request so far (HTTP) */
};

struct sbx_t_server {
	int family, type;
	char addr[128]; /* as given: PATH, @NAME or an IP literal */
	struct sockaddr_storage ss;
	socklen_t sslen;
	int port; /* inet: the port bound */
	char port_str[8];
	int fd;
	int stop[2];
	pthread_t thread;
	pthread_mutex_t lock;
	int count, syncs, sync_port;
	pid_t peer_pid;
	const char *http; /* inet stream: the body of every GET's answer; NULL: echo */
	char data[DATA_SZ];
	size_t data_len;
	char fd_data[64];
};

static struct sbx_t_server *servers[MAX_SERVERS];
static pid_t registry_owner;

/* Fill @ss from an IPv4 or IPv6 literal and a port; returns the length, 0 if not a literal. */
static socklen_t inet_mkaddr(struct sockaddr_storage *ss, const char *addr, int port)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return sizeof(*in6);
	}
	return 0;
}

static int inet_port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void append_data(struct sbx_t_server *s, const char *buf, size_t n)
{
	pthread_mutex_lock(&s->lock);
	if (n > sizeof(s->data) - 1 - s->data_len)
		n = sizeof(s->data) - 1 - s->data_len;
	memcpy(s->data + s->data_len, buf, n);
	s->data_len += n;
	s->data[s->data_len] = '\0';
	pthread_mutex_unlock(&s->lock);
}

/* Read one message from @fd; record the content of any fd passed with it. Returns bytes. */
static ssize_t server_recv(struct sbx_t_server *s, int fd, char *buf, size_t len)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;

	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t i, nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int rfd;
			ssize_t r;

			memcpy(&rfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			pthread_mutex_lock(&s->lock);
			r = pread(rfd, s->fd_data, sizeof(s->fd_data) - 1, 0);
			s->fd_data[r > 0 ? r : 0] = '\0';
			pthread_mutex_unlock(&s->lock);
			close(rfd);
		}
	}
	return n;
}

/* Whether the connection @c, just accepted, is the harness's sync marker. */
static bool is_sync(struct sbx_t_server *s, int c)
{
	if (s->family == AF_UNIX) {
		struct ucred cr = { 0 };
		socklen_t cl = sizeof(cr);

		getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
		pthread_mutex_lock(&s->lock);
		if (cr.pid != getpid())
			s->peer_pid = cr.pid;
		pthread_mutex_unlock(&s->lock);
		return cr.pid == getpid();
	} else {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		bool r;

		if (getpeername(c, (struct sockaddr *)&peer, &pl) == -1)
			memset(&peer, 0, sizeof(peer));
		pthread_mutex_lock(&s->lock);
		r = s->sync_port && inet_port_of(&peer) == s->sync_port;
		pthread_mutex_unlock(&s->lock);
		return r;
	}
}

static void accept_all(struct sbx_t_server *s, struct pollfd *pfd, struct client *cl, int *nc)
{
	int c;

	while ((c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		bool sync = is_sync(s, c);

		pthread_mutex_lock(&s->lock);
		if (sync)
			s->syncs++;
		else
			s->count++;
		pthread_mutex_unlock(&s->lock);
		if (*nc == MAX_CLIENTS) {
			/* make room: drop the oldest client */
			close(cl[0].fd);
			memmove(&cl[0], &cl[1], sizeof(cl[0]) * (MAX_CLIENTS - 1));
			memmove(&pfd[2], &pfd[3], sizeof(pfd[0]) * (MAX_CLIENTS - 1));
			(*nc)--;
		}
		cl[*nc].fd = c;
		cl[*nc].n = 0;
		pfd[2 + *nc] = (struct pollfd){ .fd = c, .events = POLLIN };
		(*nc)++;
	}
}

/* Answer a whole HTTP request on @c; returns false when the connection is done. */
static bool http_input(struct sbx_t_server *s, struct client *c, const char *buf, size_t n)
{
	char head[256];
	size_t k = n < sizeof(c->req) - 1 - c->n ? n : sizeof(c->req) - 1 - c->n;

	memcpy(c->req + c->n, buf, k);
	c->n += k;
	c->req[c->n] = '\0';
	if (!strstr(c->req, "\r\n\r\n") && c->n < sizeof(c->req) - 1)
		return true;
	if (!strncmp(c->req, "GET ", 4)) {
		int hl = snprintf(head, sizeof(head),
				  "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
				  "Content-Length: %zu\r\nConnection: close\r\n\r\n",
				  strlen(s->http));

		if (send(c->fd, head, (size_t)hl, MSG_NOSIGNAL) >= 0)
			send(c->fd, s->http, strlen(s->http), MSG_NOSIGNAL);
	}
	shutdown(c->fd, SHUT_WR);
	return false;
}

/* Handle input on client @c; returns false when the connection is done. */
static bool client_input(struct sbx_t_server *s, struct client *c)
{
	char buf[2048];
	ssize_t n = server_recv(s, c->fd, buf, sizeof(buf));

	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	append_data(s, buf, (size_t)n);
	if (s->http)
		return http_input(s, c, buf, (size_t)n);
	return send(c->fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0;
}

static void datagrams(struct sbx_t_server *s)
{
	char buf[2048];
	ssize_t n;

	while ((n = server_recv(s, s->fd, buf, sizeof(buf))) >= 0) {
		bool sync = (size_t)n == strlen(SYNC_MAGIC) && !memcmp(buf, SYNC_MAGIC, (size_t)n);

		pthread_mutex_lock(&s->lock);
		if (sync)
			s->syncs++;
		else
			s->count++;
		pthread_mutex_unlock(&s->lock);
		if (!sync)
			append_data(s, buf, (size_t)n);
	}
}

static void *server_main(void *arg)
{
	struct sbx_t_server *s = arg;
	struct pollfd pfd[2 + MAX_CLIENTS];
	struct client *cl = calloc(MAX_CLIENTS, sizeof(*cl));
	int nc = 0, i;

	if (!cl)
		return NULL;
	pfd[0] = (struct pollfd){ .fd = s->stop[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	for (;;) {
		if (poll(pfd, (nfds_t)(2 + nc), -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		if (pfd[1].revents & POLLIN && s->type == SOCK_DGRAM)
			datagrams(s);
		else if (pfd[1].revents & POLLIN)
			accept_all(s, pfd, cl, &nc);
		for (i = 0; i < nc; i++) {
			if (!pfd[2 + i].revents || client_input(s, &cl[i]))
				continue;
			close(cl[i].fd);
			cl[i] = cl[nc - 1];
			pfd[2 + i] = pfd[1 + nc];
			nc--;
			i--;
		}
	}
	for (i = 0; i < nc; i++)
		close(cl[i].fd);
	free(cl);
	return NULL;
}

void sbx_t_servers_stop_all(void)
{
	int i;

	if (getpid() != registry_owner)
		return;
	for (i = 0; i < MAX_SERVERS; i++)
		sbx_t_server_stop(servers[i]);
}

/*
 * Start a server of @type on the address in @s (family, ss, sslen, addr set). Returns NULL
 * with errno set when the address cannot be bound (@soft), else bails out.
 */
static struct sbx_t_server *server_start(struct sbx_t_server *s, int type, bool reuseport,
					 bool soft)
{
	socklen_t len;
	int i, e, one = 1;

	s->type = type;
	pthread_mutex_init(&s->lock, NULL);
	s->fd = socket(s->family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd == -1)
		bail_out("server socket for %s: %s", s->addr, strerror(errno));
	if (s->family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (reuseport)
		setsockopt(s->fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	/* A TCP port an earlier connection of the test left in TIME_WAIT on this address can be
	 * bound again (the port a sandbox took on another address, say); a listener there
	 * still refuses the bind. */
	if (s->family != AF_UNIX && type == SOCK_STREAM)
		setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&s->ss, s->sslen) == -1) {
		e = errno;
		if (!soft)
			bail_out("server on %s: %s", s->addr, strerror(e));
		close(s->fd);
		free(s);
		errno = e;
		return NULL;
	}
	if (s->family != AF_UNIX) {
		len = sizeof(s->ss);
		if (getsockname(s->fd, (struct sockaddr *)&s->ss, &len) == -1)
			bail_out("getsockname: %s", strerror(errno));
		s->port = inet_port_of(&s->ss);
		snprintf(s->port_str, sizeof(s->port_str), "%d", s->port);
	}
	if (type != SOCK_DGRAM && listen(s->fd, s->family == AF_UNIX ? 128 : 4096) == -1)
		bail_out("listen on %s: %s", s->addr, strerror(errno));
	if (pipe2(s->stop, O_CLOEXEC) == -1)
		bail_out("pipe2: %s", strerror(errno));
	if (pthread_create(&s->thread, NULL, server_main, s))
		bail_out("pthread_create failed");
	for (i = 0; i < MAX_SERVERS && servers[i]; i++)
		;
	if (i == MAX_SERVERS)
		bail_out("harness: too many servers");
	servers[i] = s;
	registry_owner = getpid();
	return s;
}

static struct sbx_t_server *server_new(const char *addr)
{
	struct sbx_t_server *s = calloc(1, sizeof(*s));

	if (!s)
		bail_out("out of memory");
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	return s;
}

struct sbx_t_server *sbx_t_server_start(int type, const char *addr)
{
	struct sbx_t_server *s = server_new(addr);
	struct sockaddr_un *sun = (struct sockaddr_un *)&s->ss;

	s->family = AF_UNIX;
	s->sslen = sbx_t_mkaddr(sun, addr);
	return server_start(s, type, false, false);
}

static struct sbx_t_server *inet_start(int type, const char *addr, int port, const char *http,
				       bool reuseport)
{
	struct sbx_t_server *s = server_new(addr);

	s->http = http;
	s->sslen = inet_mkaddr(&s->ss, addr, port);
	if (!s->sslen)
		bail_out("inet server: `%s` is not an address", addr);
	s->family = s->ss.ss_family;
	return server_start(s, type, reuseport, true);
}

struct sbx_t_server *sbx_t_inet_start(int type, const char *addr, int port)
{
	return inet_start(type, addr, port, NULL, false);
}

struct sbx_t_server *sbx_t_inet_start_http(const char *addr, int port, const char *body)
{
	return inet_start(SOCK_STREAM, addr, port, body, false);
}

struct sbx_t_server *sbx_t_inet_start_reuseport(int type, const char *addr, int port)
{
	return inet_start(type, addr, port, NULL, true);
}

int sbx_t_inet_port(struct sbx_t_server *s)
{
	return s->port;
}

const char *sbx_t_inet_port_str(struct sbx_t_server *s)
{
	return s->port_str;
}

static bool sync_seen(void *arg)
{
	struct sbx_t_server *s = arg;
	bool r;

	pthread_mutex_lock(&s->lock);
	r = s->syncs > 0;
	if (r)
		s->syncs--;
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The marker's socket, ready to send or connect: an inet one bound first, so the server can
 * tell the marker connection by its source port. -1 on failure (said with diag). */
static int sync_socket(struct sbx_t_server *s)
{
	struct sockaddr_storage me;
	socklen_t ml;
	int fd = socket(s->family, s->type | SOCK_CLOEXEC, 0);

	if (fd == -1 || s->family == AF_UNIX)
		return fd;
	ml = inet_mkaddr(&me, s->family == AF_INET ? "127.0.0.1" : "::1", 0);
	if (bind(fd, (struct sockaddr *)&me, ml) == -1 ||
	    getsockname(fd, (struct sockaddr *)&me, &ml) == -1) {
		diag("sync: bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	s->sync_port = inet_port_of(&me);
	pthread_mutex_unlock(&s->lock);
	return fd;
}

bool sbx_t_server_sync(struct sbx_t_server *s)
{
	int fd;
	bool r;

	pthread_mutex_lock(&s->lock);
	s->syncs = 0;
	pthread_mutex_unlock(&s->lock);
	fd = sync_socket(s);
	if (fd < 0)
		return false;
	if (s->type == SOCK_DGRAM)
		r = sendto(fd, SYNC_MAGIC, strlen(SYNC_MAGIC), 0, (struct sockaddr *)&s->ss,
			   s->sslen) >= 0;
	else
		r = connect(fd, (struct sockaddr *)&s->ss, s->sslen) == 0;
	if (!r)
		diag("sync %s: %s", s->addr, strerror(errno));
	r = r && sbx_t_wait_for(sync_seen, s, SYNC_MS);
	close(fd);
	pthread_mutex_lock(&s->lock);
	s->sync_port = 0;
	pthread_mutex_unlock(&s->lock);
	return r;
}

int sbx_t_server_count(struct sbx_t_server *s)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = s->count;
	pthread_mutex_unlock(&s->lock);
	return n;
}

int sbx_t_server_settled_count(struct sbx_t_server *s)
{
	return sbx_t_server_sync(s) ? sbx_t_server_count(s) : -1;
}

int sbx_t_inet_settled_count(struct sbx_t_server *s)
{
	return sbx_t_server_settled_count(s);
}

bool sbx_t_server_got(struct sbx_t_server *s, const char *needle)
{
	bool r;

	pthread_mutex_lock(&s->lock);
	r = strstr(s->data, needle) != NULL;
	pthread_mutex_unlock(&s->lock);
	return r;
}

bool sbx_t_inet_got(struct sbx_t_server *s, const char *needle)
{
	return sbx_t_server_got(s, needle);
}

void sbx_t_server_fd_data(struct sbx_t_server *s, char *buf, size_t len)
{
	pthread_mutex_lock(&s->lock);
	snprintf(buf, len, "%s", s->fd_data);
	pthread_mutex_unlock(&s->lock);
}

pid_t sbx_t_server_peer_pid(struct sbx_t_server *s)
{
	pid_t p;

	pthread_mutex_lock(&s->lock);
	p = s->peer_pid;
	pthread_mutex_unlock(&s->lock);
	return p;
}

const char *sbx_t_server_addr(struct sbx_t_server *s)
{
	return s->addr;
}

void sbx_t_server_stop(struct sbx_t_server *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < MAX_SERVERS; i++)
		if (servers[i] == s)
			servers[i] = NULL;
	if (write(s->stop[1], "x", 1) == 1)
		pthread_join(s->thread, NULL);
	close(s->stop[0]);
	close(s->stop[1]);
	close(s->fd);
	if (s->family == AF_UNIX && s->addr[0] != '@')
		unlink(s->addr);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void sbx_t_inet_stop(struct sbx_t_server *s)
{
	sbx_t_server_stop(s);
}

int sbx_t_free_port(int type, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = inet_mkaddr(&ss, addr, 0);
	int fd, port;

	if (!len)
		bail_out("free port: `%s` is not an address", addr);
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		bail_out("free port on %s: %s", addr, strerror(errno));
	port = inet_port_of(&ss);
	close(fd);
	return port;
}

bool sbx_t_tcp_ready(const char *addr, int port, int ms)
{
	struct sockaddr_storage ss;
	socklen_t len = inet_mkaddr(&ss, addr, port);
	struct timespec t;
	long end;

	if (!len)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &t);
	end = t.tv_sec * 1000 + t.tv_nsec / 1000000 + ms;
	for (;;) {
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool r = fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) == 0;

		if (fd >= 0)
			close(fd);
		if (r)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec * 1000 + t.tv_nsec / 1000000 >= end)
			return false;
		usleep(20000);
	}
}

bool sbx_t_have_ipv6(void)
{
	struct sockaddr_storage ss;
	socklen_t len = inet_mkaddr(&ss, "::1", 0);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool r = fd >= 0 && bind(fd, (struct sockaddr *)&ss, len) == 0;

	if (fd >= 0)
		close(fd);
	return r;
}
