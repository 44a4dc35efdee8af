/* probe: inet ops (probe.h) */
#include "probe.h"

/* ---- inet ops: ADDR is an IPv4 or IPv6 literal (IPv4-mapped allowed), PORT a number ---- */

socklen_t mkinet(struct sockaddr_storage *ss, const char *addr, const char *port)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	long p = parse_long(port);

	memset(ss, 0, sizeof(*ss));
	if (p < 0 || p > 65535)
		usage("bad port `%s`", port);
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		return sizeof(*in6);
	}
	usage("not an IP address: `%s`", addr);
}

/* Wait up to REPLY_TIMEOUT_MS for data on @fd and append " reply=BYTES" (or noreply/eof). */
void get_reply(int fd, char *d, size_t dn, bool field)
{
	size_t off = strlen(d);
	char buf[256], pr[256];
	ssize_t n;

	if (!(wait_fd(fd, POLLIN, REPLY_TIMEOUT_MS) & (POLLIN | POLLHUP))) {
		snprintf(d + off, dn - off, "%snoreply", off ? " " : "");
		return;
	}
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n <= 0)
		snprintf(pr, sizeof(pr), "%s", n == 0 ? "eof" : ename(errno));
	else
		printable(pr, sizeof(pr), buf, n);
	snprintf(d + off, dn - off, "%s%s%s", off ? " " : "", field ? "reply=" : "", pr);
}

/* Append " nonblock=N cloexec=N peer=ADDR:PORT" for @fd. */
void fd_state(int fd, char *d, size_t dn)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "?";
	size_t off = strlen(d);
	int fl = fcntl(fd, F_GETFL), fdf = fcntl(fd, F_GETFD), port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	snprintf(d + off, dn - off, "%snonblock=%d cloexec=%d peer=%s:%d", off ? " " : "",
		 fl == -1 ? -1 : !!(fl & O_NONBLOCK), fdf == -1 ? -1 : !!(fdf & FD_CLOEXEC), a,
		 port);
}

/* tcp-connect ADDR PORT [MSG]: connect, send MSG (default "hello"), print the reply. */
int op_tcp_connect(char **av, char *d, size_t dn)
{
	const char *msg = av[2] ? av[2] : "hello";
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[0], av[1]);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	if (send(fd, msg, strlen(msg), MSG_NOSIGNAL) == -1)
		FAIL("send");
	get_reply(fd, d, dn, false);
	close(fd);
	return 0;
}

/* tcp-connect-nb ADDR PORT: SOCK_NONBLOCK|SOCK_CLOEXEC connect; detail: connect=E writable=N
 * so_error=E nonblock=N cloexec=N peer=A:P reply=BYTES (after sending "hello"). */
int op_tcp_connect_nb(char **av, char *d, size_t dn)
{
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[0], av[1]), sl = sizeof(int);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int ce = 0, soerr = -1, rev;
	size_t off;

	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		ce = errno;
		if (ce != EINPROGRESS && ce != EAGAIN) {
			close(fd);
			return ce;
		}
	}
	rev = wait_fd(fd, POLLOUT, REPLY_TIMEOUT_MS);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
		FAIL("getsockopt");
	snprintf(d, dn, "connect=%s writable=%d so_error=%s", ename(ce), !!(rev & POLLOUT),
		 ename(soerr));
	fd_state(fd, d, dn);
	off = strlen(d);
	if (send(fd, "hello", 5, MSG_NOSIGNAL) == -1)
		snprintf(d + off, dn - off, " reply=send:%s", ename(errno));
	else
		get_reply(fd, d, dn, true);
	close(fd);
	return 0;
}

/* tcp-connect-flags ADDR PORT: a blocking connect on a socket without FD_CLOEXEC; detail:
 * nonblock=N cloexec=N peer=A:P reply=BYTES, read after the connect. */
int op_tcp_connect_flags(char **av, char *d, size_t dn)
{
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[0], av[1]);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	size_t off;

	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	fd_state(fd, d, dn);
	off = strlen(d);
	if (send(fd, "hello", 5, MSG_NOSIGNAL) == -1)
		snprintf(d + off, dn - off, " reply=send:%s", ename(errno));
	else
		get_reply(fd, d, dn, true);
	close(fd);
	return 0;
}

/* udp-sendto ADDR PORT [MSG]: one datagram with an explicit address; "ok sent". */
int op_udp_sendto(char **av, char *d, size_t dn)
{
	const char *msg = av[2] ? av[2] : "hello";
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[0], av[1]);
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&ss, len) == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	snprintf(d, dn, "sent");
	close(fd);
	return 0;
}

/* udp-connect-send ADDR PORT [MSG]: connect a datagram socket, then send() without an
 * address; "ok sent", or "errno E connect|send". */
int op_udp_connect_send(char **av, char *d, size_t dn)
{
	const char *msg = av[2] ? av[2] : "hello";
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[0], av[1]);
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) == -1)
		FAIL("connect");
	if (send(fd, msg, strlen(msg), 0) == -1)
		FAIL("send");
	snprintf(d, dn, "sent");
	close(fd);
	return 0;
}

/* sendmsg-fastopen ADDR PORT [sendto]: TCP Fast Open, which connects: sendmsg (or sendto)
 * with a destination and MSG_FASTOPEN on a fresh stream socket, then print the echo. */
int op_sendmsg_fastopen(char **av, char *d, size_t dn)
{
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[0], av[1]);
	struct iovec iov = { .iov_base = (char *)"hello", .iov_len = 5 };
	struct msghdr mh = {
		.msg_name = &ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1
	};
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t r;

	if (fd == -1)
		FAIL("socket");
	if (av[2] && !strcmp(av[2], "sendto"))
		r = sendto(fd, "hello", 5, MSG_FASTOPEN | MSG_NOSIGNAL, (struct sockaddr *)&ss,
			   len);
	else
		r = sendmsg(fd, &mh, MSG_FASTOPEN | MSG_NOSIGNAL);
	if (r == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	get_reply(fd, d, dn, false);
	close(fd);
	return 0;
}

/* sendmmsg-udp ADDR PORT [ADDR PORT]...: one datagram "mI" per destination in one call;
 * detail: the number sent. */
int op_sendmmsg_udp(char **av, char *d, size_t dn)
{
	struct sockaddr_storage ss[8];
	struct mmsghdr mm[8];
	struct iovec iov[8];
	char body[8][4];
	unsigned int i, n = 0;
	int fd = -1, r;

	memset(mm, 0, sizeof(mm));
	for (i = 0; av[2 * i] && av[2 * i + 1] && i < 8; i++, n++) {
		snprintf(body[i], sizeof(body[i]), "m%u", i);
		iov[i].iov_base = body[i];
		iov[i].iov_len = strlen(body[i]);
		mm[i].msg_hdr.msg_name = &ss[i];
		mm[i].msg_hdr.msg_namelen = mkinet(&ss[i], av[2 * i], av[2 * i + 1]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	fd = socket(ss[0].ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		FAIL("socket");
	r = sendmmsg(fd, mm, n, 0);
	if (r == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	snprintf(d, dn, "%d", r);
	close(fd);
	return 0;
}

/* inet-bind ADDR PORT [TYPE]: bind only (no listen: a wildcard address stays unreachable);
 * detail: port=N. */
int op_inet_bind(char **av, char *d, size_t dn)
{
	int type = av[2] ? parse_type(av[2]) : SOCK_STREAM;
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[0], av[1]);
	int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		FAIL("bind");
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		FAIL("getsockname");
	snprintf(d, dn, "port=%d",
		 ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					       : ((struct sockaddr_in6 *)&ss)->sin6_port));
	close(fd);
	return 0;
}

/* listen-unbound [FAMILY]: listen() on a fresh stream socket that was never bound (the kernel
 * would bind it to every address on an ephemeral port). */
int op_listen_unbound(char **av, char *d, size_t dn)
{
	int fd = socket((int)parse_family(av[0] ? av[0] : "inet"), SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (listen(fd, 4) == -1)
		FAIL("listen");
	close(fd);
	return 0;
}

/* serve-and-connect [ADDR [PORT]]: bind ADDR:PORT (default 127.0.0.1:0), listen, connect to it
 * from a second socket, exchange "self"; detail: "self port=N". */
int op_serve_and_connect(char **av, char *d, size_t dn)
{
	const char *addr = av[0] ? av[0] : "127.0.0.1", *port = av[0] && av[1] ? av[1] : "0";
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, addr, port), sl;
	char buf[64], pr[64];
	ssize_t n;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), c = -1, a = -1;

	if (fd == -1)
		FAIL("socket");
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		FAIL("bind");
	if (listen(fd, 4) == -1)
		FAIL("listen");
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		FAIL("getsockname");
	c = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c == -1)
		FAIL("socket2");
	if (connect(c, (struct sockaddr *)&ss, sl) == -1) {
		int e = errno;

		close(c);
		errno = e;
		FAIL("connect");
	}
	if (!(wait_fd(fd, POLLIN, REPLY_TIMEOUT_MS) & POLLIN) ||
	    (a = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		close(c);
		if (a == -1 && !errno)
			errno = ETIMEDOUT;
		FAIL("accept");
	}
	n = send(c, "self", 4, MSG_NOSIGNAL) == 4 && (wait_fd(a, POLLIN, REPLY_TIMEOUT_MS) & POLLIN)
		    ? recv(a, buf, sizeof(buf), 0)
		    : -1;
	if (n > 0)
		printable(pr, sizeof(pr), buf, n);
	else
		snprintf(pr, sizeof(pr), "noreply");
	snprintf(d, dn, "%s port=%d", pr,
		 ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					       : ((struct sockaddr_in6 *)&ss)->sin6_port));
	close(a);
	close(c);
	close(fd);
	return 0;
}

int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the RTM_GETLINK dump into @names as "NAME:up|down"; returns 0 or an errno. */
int netlink_links(char names[][32], int *n, int max)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = { .nh = { .nlmsg_len = sizeof(req),
			  .nlmsg_type = RTM_GETLINK,
			  .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			  .nlmsg_seq = 1 },
		  .ifi = { .ifi_family = AF_UNSPEC } };
	static char buf[32768];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), e = 0;
	bool done = false;

	if (fd == -1)
		return errno;
	if (send(fd, &req, sizeof(req), 0) == -1) {
		e = errno;
		close(fd);
		return e;
	}
	while (!done) {
		ssize_t len =
			wait_fd(fd, POLLIN, REPLY_TIMEOUT_MS) ? recv(fd, buf, sizeof(buf), 0) : -1;
		struct nlmsghdr *nh;

		if (len <= 0) {
			e = len == 0 ? EIO : errno ? errno : ETIMEDOUT;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			struct ifinfomsg *ifi = NLMSG_DATA(nh);
			struct rtattr *rta;
			int rl;

			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWLINK || *n >= max)
				continue;
			rl = (int)IFLA_PAYLOAD(nh);
			for (rta = IFLA_RTA(ifi); RTA_OK(rta, rl); rta = RTA_NEXT(rta, rl))
				if (rta->rta_type == IFLA_IFNAME)
					snprintf(names[(*n)++], 32, "%.16s:%s",
						 (char *)RTA_DATA(rta),
						 ifi->ifi_flags & IFF_UP ? "up" : "down");
		}
	}
	close(fd);
	return e;
}

/* list-netdevs [sys|proc|netlink]: the network interfaces this process sees, sorted and
 * comma-separated, from /sys/class/net, /proc/net/dev or an RTM_GETLINK dump (with :up or
 * :down). */
int op_list_netdevs(char **av, char *d, size_t dn)
{
	const char *how = av[0] ? av[0] : "sys";
	static char names[64][32];
	char *sorted[64];
	size_t off = 0;
	int n = 0, i, fd = -1;

	if (!strcmp(how, "sys")) {
		DIR *dir = opendir("/sys/class/net");
		struct dirent *de;

		if (!dir)
			FAIL("opendir");
		while ((de = readdir(dir)) && n < 64)
			if (de->d_name[0] != '.')
				snprintf(names[n++], 32, "%.31s", de->d_name);
		closedir(dir);
	} else if (!strcmp(how, "proc")) {
		FILE *f = fopen("/proc/net/dev", "re");
		char line[512];

		if (!f)
			FAIL("fopen");
		while (fgets(line, sizeof(line), f) && n < 64) {
			char *colon = strchr(line, ':'), *s = line;

			if (!colon || strchr(line, '|'))
				continue;
			*colon = '\0';
			while (*s == ' ')
				s++;
			snprintf(names[n++], 32, "%.31s", s);
		}
		fclose(f);
	} else {
		int e = netlink_links(names, &n, 64);

		if (e) {
			snprintf(d, dn, "netlink");
			return e;
		}
	}
	for (i = 0; i < n; i++)
		sorted[i] = names[i];
	qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_str);
	for (i = 0; i < n && off < dn; i++)
		off += (size_t)snprintf(d + off, dn - off, "%s%s", i ? "," : "", sorted[i]);
	return 0;
}

void *inet_flipper(void *arg)
{
	struct inet_race *r = arg;
	volatile uint32_t *a = &r->sin.sin_addr.s_addr;
	volatile uint16_t *p = &r->sin.sin_port;

	atomic_store(&r->started, 1);
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		*a = r->addr_b;
		*p = r->port_b;
		*a = r->addr_a;
		*p = r->port_a;
	}
	return NULL;
}

/* inet-race ADDR_A PORT_A ADDR_B PORT_B N [udp]: IPv4 only. A thread rewrites the address and
 * the port of one sockaddr_in between A and B while this thread connects (a fresh stream
 * socket each time) N times, or with "udp" sends N datagrams with sendto on one socket;
 * detail: the counts of each result. */
int op_inet_race(char **av, char *d, size_t dn)
{
	static struct inet_race r;
	static struct counts c;
	struct sockaddr_storage a, b;
	long n = parse_long(av[4]), k;
	bool udp = av[5] && !strcmp(av[5], "udp");
	pthread_t t;
	int fd = -1;

	if (mkinet(&a, av[0], av[1]) != sizeof(struct sockaddr_in) ||
	    mkinet(&b, av[2], av[3]) != sizeof(struct sockaddr_in))
		usage("inet-race: IPv4 addresses only");
	r.sin = *(struct sockaddr_in *)&a;
	r.addr_a = ((struct sockaddr_in *)&a)->sin_addr.s_addr;
	r.port_a = ((struct sockaddr_in *)&a)->sin_port;
	r.addr_b = ((struct sockaddr_in *)&b)->sin_addr.s_addr;
	r.port_b = ((struct sockaddr_in *)&b)->sin_port;
	if (pthread_create(&t, NULL, inet_flipper, &r))
		usage("pthread_create failed");
	while (!atomic_load(&r.started))
		sched_yield();
	for (k = 0; k < n; k++) {
		int e = 0;

		if (fd == -1)
			fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
		if (fd == -1)
			FAIL("socket");
		if (udp)
			e = sendto(fd, "r", 1, 0, (struct sockaddr *)&r.sin, sizeof(r.sin)) == -1;
		else
			e = connect(fd, (struct sockaddr *)&r.sin, sizeof(r.sin)) == -1;
		count(&c, e ? errno : 0);
		if (!udp) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	format_counts(d, dn, &c, "");
	return 0;
}

/* fd-connect FD ADDR PORT: connect the inherited socket FD, send "hello", print the reply. */
int op_fd_connect(char **av, char *d, size_t dn)
{
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[1], av[2]);
	int fd = (int)parse_long(av[0]);

	if (connect(fd, (struct sockaddr *)&ss, len) == -1)
		return errno;
	if (send(fd, "hello", 5, MSG_NOSIGNAL) == -1) {
		snprintf(d, dn, "send");
		return errno;
	}
	get_reply(fd, d, dn, false);
	return 0;
}

/* fd-sendto FD ADDR PORT [unspec]: a datagram "hello" to ADDR:PORT on the inherited socket FD;
 * "unspec" sets the address's family field to AF_UNSPEC, which IPv4 UDP still sends to. */
int op_fd_sendto(char **av, char *d, size_t dn)
{
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[1], av[2]);
	int fd = (int)parse_long(av[0]);

	if (av[3] && !strcmp(av[3], "unspec"))
		ss.ss_family = AF_UNSPEC;

	if (sendto(fd, "hello", 5, 0, (struct sockaddr *)&ss, len) == -1)
		return errno;
	snprintf(d, dn, "sent");
	return 0;
}

/*
 * inet-raw CALL SOCKFAM TYPE SAFAM ADDR PORT [LEN]: one call with a crafted inet address: the
 * sockaddr_in (IPv4 ADDR) or sockaddr_in6 (IPv6 ADDR) is built, then its family field is set
 * to SAFAM (unspec, inet, inet6 or a number) and its length to LEN. The socket is SOCKFAM/TYPE.
 * CALL: connect (stream: then send "hello" and print the reply; dgram: then send) | sendto |
 * sendmsg | bind (detail: the bound address).
 */
int op_inet_raw(char **av, char *d, size_t dn)
{
	const char *call = av[0];
	int sfam = (int)parse_family(av[1]), type = parse_type(av[2]);
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[4], av[5]);
	struct iovec iov = { .iov_base = (char *)"hello", .iov_len = 5 };
	struct msghdr mh = { .msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = socket(sfam, type | SOCK_CLOEXEC, 0);
	long r;

	if (fd == -1)
		FAIL("socket");
	ss.ss_family = !strcmp(av[3], "unspec") ? AF_UNSPEC : (sa_family_t)parse_family(av[3]);
	if (av[6])
		len = (socklen_t)parse_long(av[6]);
	mh.msg_namelen = len;
	if (!strcmp(call, "connect"))
		r = connect(fd, (struct sockaddr *)&ss, len);
	else if (!strcmp(call, "sendto"))
		r = sendto(fd, "hello", 5, MSG_NOSIGNAL, (struct sockaddr *)&ss, len);
	else if (!strcmp(call, "sendmsg"))
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	else if (!strcmp(call, "bind"))
		r = bind(fd, (struct sockaddr *)&ss, len);
	else
		usage("inet-raw: unknown call %s", call);
	if (r == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	if (!strcmp(call, "bind")) {
		char a[INET6_ADDRSTRLEN] = "?";
		socklen_t sl = sizeof(ss);

		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
			FAIL("getsockname");
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
		snprintf(d, dn, "bound=%s:%d", a,
			 ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						       : ((struct sockaddr_in6 *)&ss)->sin6_port));
	} else if (!strcmp(call, "connect") && type == SOCK_STREAM) {
		if (send(fd, "hello", 5, MSG_NOSIGNAL) == -1)
			FAIL("send");
		get_reply(fd, d, dn, false);
	} else if (!strcmp(call, "connect")) {
		if (send(fd, "hello", 5, MSG_NOSIGNAL) == -1)
			FAIL("send");
		snprintf(d, dn, "sent");
	} else {
		snprintf(d, dn, "sent");
	}
	close(fd);
	return 0;
}

/* listen on @fd, print "listening ADDR:PORT", wait for @file, report whether anyone came. */
int listen_report(int fd, const char *file, char *d, size_t dn)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "?";
	int c;

	if (listen(fd, 4) == -1) {
		snprintf(d, dn, "listen");
		return errno;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		snprintf(d, dn, "getsockname");
		return errno;
	}
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
	result("listening %s port=%d", a,
	       ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port));
	wait_file(file);
	c = wait_fd(fd, POLLIN, REPLY_TIMEOUT_MS) & POLLIN ? accept4(fd, NULL, NULL, SOCK_CLOEXEC)
							   : -1;
	snprintf(d, dn, "%s", c >= 0 ? "accepted" : "nobody");
	if (c >= 0)
		close(c);
	return 0;
}

/* fd-listen FD FILE: listen() on the inherited socket FD; see listen_report(). */
int op_fd_listen(char **av, char *d, size_t dn)
{
	return listen_report((int)parse_long(av[0]), av[1], d, dn);
}

/* swap-listen ADDR PORT FILE: connect a TCP socket to ADDR:PORT, disconnect it with
 * connect(AF_UNSPEC), then listen() on it without a bind; see listen_report(). */
int op_swap_listen(char **av, char *d, size_t dn)
{
	struct sockaddr_storage ss;
	socklen_t len = mkinet(&ss, av[0], av[1]);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&ss, len) == -1)
		FAIL("connect");
	if (connect(fd, &unspec, sizeof(unspec)) == -1)
		FAIL("disconnect");
	r = listen_report(fd, av[2], d, dn);
	close(fd);
	return r;
}

/*
 * reuse-after-connect tcp|udp ADDR PORT DADDR DPORT: connect a socket to ADDR:PORT and send,
 * then try to point the same socket at DADDR:DPORT. tcp: connect(AF_UNSPEC) (disconnect), then
 * connect to DADDR:DPORT and send. udp: sendto DADDR:DPORT, the same with the family field
 * AF_UNSPEC, then connect(AF_UNSPEC) and sendto again. Detail: each step's errno.
 */
int op_reuse_after_connect(char **av, char *d, size_t dn)
{
	bool udp = !strcmp(av[0], "udp");
	struct sockaddr_storage a, b, bu;
	socklen_t al = mkinet(&a, av[1], av[2]), bl = mkinet(&b, av[3], av[4]);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int fd = socket(a.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	int e1, e2, e3, e4 = 0, e5 = 0;

	if (fd == -1)
		FAIL("socket");
	bu = b;
	bu.ss_family = AF_UNSPEC;
	e1 = connect(fd, (struct sockaddr *)&a, al) == -1 ? errno : 0;
	if (!e1 && send(fd, "first", 5, MSG_NOSIGNAL) == -1)
		e1 = errno;
	if (udp) {
		e2 = sendto(fd, "second", 6, 0, (struct sockaddr *)&b, bl) == -1 ? errno : 0;
		e3 = sendto(fd, "third", 5, 0, (struct sockaddr *)&bu, bl) == -1 ? errno : 0;
		e4 = connect(fd, &unspec, sizeof(unspec)) == -1 ? errno : 0;
		e5 = sendto(fd, "fourth", 6, 0, (struct sockaddr *)&b, bl) == -1 ? errno : 0;
		snprintf(d, dn, "connect=%s sendto=%s sendto_unspec=%s disconnect=%s sendto2=%s",
			 ename(e1), ename(e2), ename(e3), ename(e4), ename(e5));
	} else {
		e2 = connect(fd, &unspec, sizeof(unspec)) == -1 ? errno : 0;
		e3 = connect(fd, (struct sockaddr *)&b, bl) == -1 ? errno : 0;
		if (!e3 && send(fd, "second", 6, MSG_NOSIGNAL) == -1)
			e4 = errno;
		snprintf(d, dn, "connect=%s disconnect=%s connect2=%s send2=%s", ename(e1),
			 ename(e2), ename(e3), ename(e4));
	}
	close(fd);
	return 0;
}

/*
 * reuseport-connect BINDADDR PORT CONNADDR N: bind a stream socket with SO_REUSEPORT to
 * BINDADDR:PORT and listen (sharing the port with any same-user SO_REUSEPORT listener), then
 * connect N fresh sockets to CONNADDR:PORT; detail: "bound" and the counts of each result.
 */
int op_reuseport_connect(char **av, char *d, size_t dn)
{
	static struct counts c;
	struct sockaddr_storage ss, cs;
	socklen_t len = mkinet(&ss, av[0], av[1]), cl = mkinet(&cs, av[2], av[1]);
	long n = parse_long(av[3]), k;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd == -1)
		FAIL("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1)
		FAIL("setsockopt");
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		FAIL("bind");
	if (listen(fd, 64) == -1)
		FAIL("listen");
	for (k = 0; k < n; k++) {
		int s = socket(cs.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s == -1)
			FAIL("socket2");
		count(&c, connect(s, (struct sockaddr *)&cs, cl) == -1 ? errno : 0);
		close(s);
	}
	snprintf(d, dn, "bound");
	format_counts(d, dn, &c, "");
	close(fd);
	return 0;
}

/*
 * bind-wait-connect BINDADDR PORT CONNADDR FILE: bind a stream socket to BINDADDR:PORT and
 * listen, print "bound port=N", wait for FILE, then connect a second socket to CONNADDR:N, send
 * "hello" and print the reply ("noreply" when the listener reached does not answer).
 */
int op_bind_wait_connect(char **av, char *d, size_t dn)
{
	struct sockaddr_storage ss, cs;
	socklen_t len = mkinet(&ss, av[0], av[1]), sl = sizeof(ss), cl;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), c, port;
	char ps[8];

	if (fd == -1)
		FAIL("socket");
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		FAIL("bind");
	if (listen(fd, 4) == -1)
		FAIL("listen");
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		FAIL("getsockname");
	port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
	result("bound port=%d", port);
	wait_file(av[3]);
	snprintf(ps, sizeof(ps), "%d", port);
	cl = mkinet(&cs, av[2], ps);
	c = socket(cs.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c == -1)
		FAIL("socket2");
	if (connect(c, (struct sockaddr *)&cs, cl) == -1) {
		int e = errno;

		close(c);
		close(fd);
		return e;
	}
	if (send(c, "hello", 5, MSG_NOSIGNAL) == -1) {
		close(c);
		FAIL("send");
	}
	get_reply(c, d, dn, false);
	close(c);
	close(fd);
	return 0;
}

int op_tcp_connect_lo(char **av, char *d, size_t dn)
{
	return tcp_lo(av[0], false, d, dn);
}

int op_tcp_bind_lo(char **av, char *d, size_t dn)
{
	return tcp_lo(av[0], true, d, dn);
}
