/* probe: unix ops (probe.h) */
#include "probe.h"

/* connect ADDR [TYPE [MSG]]: connect, send MSG (default "hello"), print the reply. */
int op_connect(char **av, char *d, size_t dn)
{
	int type = av[1] ? parse_type(av[1]) : SOCK_STREAM;
	const char *msg = av[1] && av[2] ? av[2] : "hello";
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	char buf[256];
	ssize_t n;
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&sun, len) == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	if (send(fd, msg, strlen(msg), MSG_NOSIGNAL) == -1)
		FAIL("send");
	if (type == SOCK_DGRAM) {
		snprintf(d, dn, "sent");
		close(fd);
		return 0;
	}
	if (!(wait_fd(fd, POLLIN, REPLY_TIMEOUT_MS) & (POLLIN | POLLHUP))) {
		snprintf(d, dn, "noreply");
		close(fd);
		return 0;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n == -1)
		FAIL("recv");
	if (n == 0)
		snprintf(d, dn, "eof");
	else
		printable(d, dn, buf, n);
	close(fd);
	return 0;
}

/* connect-only ADDR [TYPE]: connect and close, nothing else (for loops). */
int op_connect_only(char **av, char *d, size_t dn)
{
	int type = av[1] ? parse_type(av[1]) : SOCK_STREAM;
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), e = 0;

	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&sun, len) == -1)
		e = errno;
	close(fd);
	return e;
}

/* connect-nb ADDR: non-blocking connect, then wait for writability and read SO_ERROR. */
int op_connect_nb(char **av, char *d, size_t dn)
{
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]), sl = sizeof(int);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int r, ce = 0, soerr = -1, rev;

	if (fd == -1)
		FAIL("socket");
	r = connect(fd, (struct sockaddr *)&sun, len);
	if (r == -1) {
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
	close(fd);
	return 0;
}

/* sendto ADDR [MSG]: a datagram with an explicit address. */
int op_sendto(char **av, char *d, size_t dn)
{
	const char *msg = av[1] ? av[1] : "hello";
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sun, len) == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	close(fd);
	return 0;
}

/* sendmsg ADDR [MSG]: a datagram with msg_name set. */
int op_sendmsg(char **av, char *d, size_t dn)
{
	char *msg = av[1] ? av[1] : (char *)"hello";
	struct sockaddr_un sun;
	struct iovec iov = { .iov_base = msg, .iov_len = strlen(msg) };
	struct msghdr mh = { .msg_name = &sun, .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	mh.msg_namelen = mkaddr(&sun, av[0]);
	if (fd == -1)
		FAIL("socket");
	if (sendmsg(fd, &mh, 0) == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	close(fd);
	return 0;
}

/* sendmmsg ADDR...: one datagram "mI" per address in one call; detail = messages sent. */
int op_sendmmsg(char **av, char *d, size_t dn)
{
	struct sockaddr_un sun[8];
	struct mmsghdr mm[8];
	struct iovec iov[8];
	char body[8][4];
	unsigned int i, n = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd == -1)
		FAIL("socket");
	memset(mm, 0, sizeof(mm));
	for (i = 0; av[i] && i < 8; i++, n++) {
		snprintf(body[i], sizeof(body[i]), "m%u", i);
		iov[i].iov_base = body[i];
		iov[i].iov_len = strlen(body[i]);
		mm[i].msg_hdr.msg_name = &sun[i];
		mm[i].msg_hdr.msg_namelen = mkaddr(&sun[i], av[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
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

/* dgram-connected ADDR [OTHER]: connect a datagram socket to ADDR and send() without an
 * address; with OTHER, then sendto(OTHER) on that connected socket (detail names the step). */
int op_dgram_connected(char **av, char *d, size_t dn)
{
	struct sockaddr_un sun, other;
	socklen_t len = mkaddr(&sun, av[0]), olen;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&sun, len) == -1)
		FAIL("connect");
	if (send(fd, "hello", 5, 0) == -1)
		FAIL("send");
	if (av[1]) {
		olen = mkaddr(&other, av[1]);
		if (sendto(fd, "other", 5, 0, (struct sockaddr *)&other, olen) == -1)
			FAIL("sendto");
	}
	close(fd);
	return 0;
}

/* sendfd ADDR FILE: connect (stream) and pass an fd of FILE with SCM_RIGHTS on the connected
 * socket (no msg_name); waits for the server's echo so the fd was received before exiting. */
int op_sendfd(char **av, char *d, size_t dn)
{
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = (char *)"F", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	char buf[64];
	ssize_t n;
	int fd = -1, ffd = open(av[1], O_RDONLY | O_CLOEXEC);

	if (ffd == -1)
		FAIL("open");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&sun, len) == -1)
		FAIL("connect");
	memset(&cm, 0, sizeof(cm));
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &ffd, sizeof(int));
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) == -1)
		FAIL("sendmsg");
	close(ffd);
	if (wait_fd(fd, POLLIN, REPLY_TIMEOUT_MS) & (POLLIN | POLLHUP)) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0)
			printable(d, dn, buf, n);
	}
	close(fd);
	return 0;
}

/* bind ADDR [TYPE]: bind (and listen), then reach it from a second socket and exchange a
 * message; the socket file is left in place. */
int op_bind(char **av, char *d, size_t dn)
{
	int type = av[1] ? parse_type(av[1]) : SOCK_STREAM;
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	char buf[64];
	ssize_t n;
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), c, a;

	if (fd == -1)
		FAIL("socket");
	if (bind(fd, (struct sockaddr *)&sun, len) == -1)
		FAIL("bind");
	if (type != SOCK_DGRAM && listen(fd, 4) == -1)
		FAIL("listen");
	c = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (c == -1)
		FAIL("socket2");
	if (type == SOCK_DGRAM) {
		if (sendto(c, "self", 4, 0, (struct sockaddr *)&sun, len) == -1) {
			close(c);
			FAIL("sendto");
		}
		close(c);
		a = fd;
		fd = -1;
	} else {
		if (connect(c, (struct sockaddr *)&sun, len) == -1) {
			close(c);
			FAIL("connect");
		}
		a = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (a == -1) {
			close(c);
			FAIL("accept");
		}
		if (send(c, "self", 4, MSG_NOSIGNAL) == -1) {
			close(c);
			close(a);
			FAIL("send");
		}
		close(c);
	}
	if (!(wait_fd(a, POLLIN, REPLY_TIMEOUT_MS) & POLLIN)) {
		close(a);
		snprintf(d, dn, "noreply");
		if (fd >= 0)
			close(fd);
		return 0;
	}
	n = recv(a, buf, sizeof(buf), 0);
	close(a);
	if (n == -1)
		FAIL("recv");
	printable(d, dn, buf, n);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* bind-accept ADDR [TYPE]: bind and listen, accept one connection from anywhere (10 s), echo
 * what it sends; for dgram, receive one datagram. */
int op_bind_accept(char **av, char *d, size_t dn)
{
	int type = av[1] ? parse_type(av[1]) : SOCK_STREAM;
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	char buf[64];
	ssize_t n;
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), a;

	if (fd == -1)
		FAIL("socket");
	if (bind(fd, (struct sockaddr *)&sun, len) == -1)
		FAIL("bind");
	if (type != SOCK_DGRAM && listen(fd, 4) == -1)
		FAIL("listen");
	if (!(wait_fd(fd, POLLIN, ACCEPT_TIMEOUT_MS) & POLLIN)) {
		errno = ETIMEDOUT;
		FAIL("accept");
	}
	if (type == SOCK_DGRAM) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == -1)
			FAIL("recv");
		printable(d, dn, buf, n);
		close(fd);
		return 0;
	}
	a = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (a == -1)
		FAIL("accept");
	close(fd);
	fd = a;
	if (!(wait_fd(fd, POLLIN, REPLY_TIMEOUT_MS) & POLLIN)) {
		errno = ETIMEDOUT;
		FAIL("recv");
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n == -1)
		FAIL("recv");
	if (n > 0 && send(fd, buf, (size_t)n, MSG_NOSIGNAL) == -1)
		FAIL("send");
	printable(d, dn, buf, n);
	close(fd);
	return 0;
}

/* bind-fork ADDR: bind and listen, then a forked child (another sandboxed process) connects. */
int op_bind_fork(char **av, char *d, size_t dn)
{
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	char buf[64];
	ssize_t n;
	pid_t pid;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), a, st;

	if (fd == -1)
		FAIL("socket");
	if (bind(fd, (struct sockaddr *)&sun, len) == -1)
		FAIL("bind");
	if (listen(fd, 4) == -1)
		FAIL("listen");
	pid = fork();
	if (pid == -1)
		FAIL("fork");
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (c == -1 || connect(c, (struct sockaddr *)&sun, len) == -1)
			_exit(errno & 0xff);
		if (send(c, "child", 5, MSG_NOSIGNAL) == -1)
			_exit(errno & 0xff);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) == -1)
		FAIL("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		errno = WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
		FAIL("child-connect");
	}
	if (!(wait_fd(fd, POLLIN, REPLY_TIMEOUT_MS) & POLLIN)) {
		errno = ETIMEDOUT;
		FAIL("accept");
	}
	a = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (a == -1)
		FAIL("accept");
	n = wait_fd(a, POLLIN, REPLY_TIMEOUT_MS) ? recv(a, buf, sizeof(buf), 0) : 0;
	close(a);
	if (n > 0)
		printable(d, dn, buf, n);
	close(fd);
	return 0;
}

/*
 * bind-relink P D | bind-resymlink P D: bind P inside the sandbox, close it, then make the path
 * P reach the socket file D (hard link or symlink) and connect to P. The file P reaches is no
 * longer the one bound here, so a sandbox that remembers bound *paths* would be fooled.
 */
int bind_swap(char **av, char *d, size_t dn, bool hard)
{
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e = 0;

	if (fd == -1)
		FAIL("socket");
	if (bind(fd, (struct sockaddr *)&sun, len) == -1)
		FAIL("bind");
	if (listen(fd, 4) == -1)
		FAIL("listen");
	close(fd);
	fd = -1;
	if (unlink(av[0]) == -1)
		FAIL("unlink");
	if ((hard ? link(av[1], av[0]) : symlink(av[1], av[0])) == -1)
		FAIL(hard ? "link" : "symlink");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		FAIL("socket2");
	if (connect(fd, (struct sockaddr *)&sun, len) == -1)
		e = errno;
	close(fd);
	return e;
}

int op_bind_relink(char **av, char *d, size_t dn)
{
	return bind_swap(av, d, dn, true);
}

int op_bind_resymlink(char **av, char *d, size_t dn)
{
	return bind_swap(av, d, dn, false);
}

/* autobind TYPE: bind with addrlen == sizeof(sa_family_t), which picks an abstract name. */
int op_autobind(char **av, char *d, size_t dn)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sun);
	int fd = socket(AF_UNIX, parse_type(av[0]) | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sa_family_t)) == -1)
		FAIL("bind");
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == -1)
		FAIL("getsockname");
	snprintf(d, dn, "len=%u", (unsigned)len);
	close(fd);
	return 0;
}

/* socket FAMILY TYPE [PROTO]: raw syscall so 64-bit arguments reach the kernel untouched. */
int op_socket(char **av, char *d, size_t dn)
{
	long fam = parse_family(av[0]), type = parse_type(av[1]), proto = 0;
	long fd;

	(void)d;
	(void)dn;
	if (av[2])
		proto = !strcmp(av[2], "route") ? NETLINK_ROUTE : parse_long(av[2]);
	fd = syscall(SYS_socket, fam, type, proto);
	if (fd == -1)
		return errno;
	close((int)fd);
	return 0;
}

/* socketpair TYPE: write "ab" on one end, read it on the other (recv/recvfrom/read by type). */
int op_socketpair(char **av, char *d, size_t dn)
{
	int type = parse_type(av[0]), sv[2], fd = -1;
	struct sockaddr_un from;
	socklen_t flen = sizeof(from);
	char buf[16];
	ssize_t n;

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) == -1)
		FAIL("socketpair");
	fd = sv[0];
	if (write(sv[1], "ab", 2) != 2) {
		close(sv[1]);
		FAIL("write");
	}
	if (type == SOCK_DGRAM)
		n = recvfrom(sv[0], buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	else if (type == SOCK_STREAM)
		n = recv(sv[0], buf, sizeof(buf), 0);
	else
		n = read(sv[0], buf, sizeof(buf));
	close(sv[1]);
	if (n == -1)
		FAIL("read");
	printable(d, dn, buf, n);
	close(fd);
	return 0;
}

/*
 * sigpipe [nosignal]: with SIGPIPE at its default, sendmsg (always notified) on a stream
 * socket whose peer is gone. The kernel's answer is EPIPE and a SIGPIPE that kills the caller;
 * with "nosignal" (MSG_NOSIGNAL), EPIPE alone. Prints "ok" only when sendmsg returns.
 */
int op_sigpipe(char **av, char *d, size_t dn)
{
	struct iovec iov = { .iov_base = (char *)"x", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int sv[2], fd = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		FAIL("socketpair");
	close(sv[1]);
	fd = sv[0];
	signal(SIGPIPE, SIG_DFL);
	if (sendmsg(fd, &mh, av[0] && !strcmp(av[0], "nosignal") ? MSG_NOSIGNAL : 0) == -1)
		FAIL("sendmsg");
	close(fd);
	return 0;
}
