/*
 * The try-syscall program the live tests run inside the sandbox (and outside, to compare).
 *
 * Usage: probe [PREFIX...] OP [ARG...]
 * Each OP performs one operation and prints one result line on stdout:
 *   "ok[ DETAIL]"            the operation succeeded (DETAIL: bytes received, counts...)
 *   "errno ENAME[ STEP]"     a call failed; STEP names the failing step of a multi-step op
 * and exits 0; a usage error prints to stderr and exits 2. Exceptions are documented at the op
 * (spin prints a line per change, trap/pause exit through a signal).
 * PREFIX ops change the context and then run the rest of the command line:
 *   chdir DIR | umask OCT | chroot DIR | wait FILE | pid | pidfile FILE | fork | thread |
 *   exec | loop N | unshare-bind SRC DST | unshare-user-bind SRC DST
 * An address is a pathname, or @NAME for an abstract socket.
 * Nothing here links sbx code: this behaves like any user binary.
 */
#include <sys/prctl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

#define REPLY_TIMEOUT_MS  3000
#define ACCEPT_TIMEOUT_MS 10000
#define WAIT_FILE_MS	  15000
#define MAX_ERRNO	  4096

/* The race ops share one fd number so every thread names the same slot of the fd table. */
#define RACE_FD 100

static void usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "probe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static const char *ename(int e)
{
	static __thread char buf[32];
	const char *n = e ? strerrorname_np(e) : "0";

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static void result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void result(const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write() per line: forked and threaded probes share the pipe. */
	if (write(STDOUT_FILENO, line, (size_t)n) == -1)
		_exit(3);
}

/* Copy received bytes into a printable detail string. */
static void printable(char *dst, size_t dstlen, const char *src, ssize_t n)
{
	size_t i, j = 0;

	for (i = 0; i < (size_t)n && j + 1 < dstlen; i++)
		dst[j++] = src[i] > ' ' && src[i] < 0x7f ? src[i] : '?';
	dst[j] = '\0';
}

static long parse_long(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno == ERANGE) {
		errno = 0;
		v = (long long)strtoull(s, &end, 0);
	}
	if (errno || *end || end == s)
		usage("not a number: `%s`", s);
	return (long)v;
}

/* Build an AF_UNIX address from "PATH" or "@NAME"; returns its length. */
static socklen_t mkaddr(struct sockaddr_un *sun, const char *a)
{
	size_t n = strlen(a);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (a[0] == '@') {
		if (n > sizeof(sun->sun_path))
			usage("abstract name too long: %s", a);
		memcpy(sun->sun_path + 1, a + 1, n - 1);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	if (n >= sizeof(sun->sun_path))
		usage("path too long: %s", a);
	memcpy(sun->sun_path, a, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

static int parse_type(const char *s)
{
	if (!strcmp(s, "stream"))
		return SOCK_STREAM;
	if (!strcmp(s, "dgram"))
		return SOCK_DGRAM;
	if (!strcmp(s, "seqpacket"))
		return SOCK_SEQPACKET;
	if (!strcmp(s, "raw"))
		return SOCK_RAW;
	return (int)parse_long(s);
}

static long parse_family(const char *s)
{
	static const struct {
		const char *name;
		long fam;
	} fams[] = {
		{ "unix", AF_UNIX },	   { "inet", AF_INET },	    { "inet6", AF_INET6 },
		{ "netlink", AF_NETLINK }, { "packet", AF_PACKET }, { "vsock", AF_VSOCK },
		{ "alg", AF_ALG },
	};
	size_t i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		if (!strcmp(s, fams[i].name))
			return fams[i].fam;
	return parse_long(s);
}

/* Wait up to @ms for @events on @fd; returns revents, 0 on timeout. */
static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, ms);
	} while (r == -1 && errno == EINTR);
	return r > 0 ? p.revents : 0;
}

/* ---- ops: each returns 0 or an errno, and may fill @d (detail) ---- */

typedef int (*op_fn)(char **av, char *d, size_t dn);

#define FAIL(step)                           \
	do {                                 \
		int e_ = errno;              \
		snprintf(d, dn, "%s", step); \
		if (fd >= 0)                 \
			close(fd);           \
		return e_;                   \
	} while (0)

/* connect ADDR [TYPE [MSG]]: connect, send MSG (default "hello"), print the reply. */
static int op_connect(char **av, char *d, size_t dn)
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
static int op_connect_only(char **av, char *d, size_t dn)
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
static int op_connect_nb(char **av, char *d, size_t dn)
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
static int op_sendto(char **av, char *d, size_t dn)
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
static int op_sendmsg(char **av, char *d, size_t dn)
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
static int op_sendmmsg(char **av, char *d, size_t dn)
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
static int op_dgram_connected(char **av, char *d, size_t dn)
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
static int op_sendfd(char **av, char *d, size_t dn)
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
static int op_bind(char **av, char *d, size_t dn)
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
static int op_bind_accept(char **av, char *d, size_t dn)
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
static int op_bind_fork(char **av, char *d, size_t dn)
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
static int bind_swap(char **av, char *d, size_t dn, bool hard)
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

static int op_bind_relink(char **av, char *d, size_t dn)
{
	return bind_swap(av, d, dn, true);
}

static int op_bind_resymlink(char **av, char *d, size_t dn)
{
	return bind_swap(av, d, dn, false);
}

/* autobind TYPE: bind with addrlen == sizeof(sa_family_t), which picks an abstract name. */
static int op_autobind(char **av, char *d, size_t dn)
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
static int op_socket(char **av, char *d, size_t dn)
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
static int op_socketpair(char **av, char *d, size_t dn)
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

/* io_uring: raw io_uring_setup(4, params). */
static int op_io_uring(char **av, char *d, size_t dn)
{
	char params[120];
	long fd;

	(void)av;
	(void)d;
	(void)dn;
	memset(params, 0, sizeof(params));
	fd = syscall(__NR_io_uring_setup, 4, params);
	if (fd == -1)
		return errno;
	close((int)fd);
	return 0;
}

/* A page followed by an unmapped page: addresses near its end straddle into the hole. */
static char *guard_page(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		usage("mmap: %s", strerror(errno));
	munmap(p + pg, (size_t)pg);
	return p;
}

static void *unmapped(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	return guard_page() + pg;
}

/*
 * call CALL MODE [ADDR]: one raw syscall with a crafted argument, for comparing the errno in and
 * out of the sandbox. CALL: connect | sendto | sendmsg | sendmmsg | bind.
 * MODE: ok | badptr | straddle | len=N (64-bit, e.g. -1, 0xffffffff, 0x10000006e) | nul108 |
 * null (NULL address) | fd=N (use fd N instead of a fresh socket) | badmsg | namelen=N.
 */
static int op_call(char **av, char *d, size_t dn)
{
	const char *call = av[0], *mode = av[1], *addr = av[2] ? av[2] : "/nonexistent/x.sock";
	long pg = sysconf(_SC_PAGESIZE);
	bool is_dgram = !!strncmp(call, "connect", 7) && strcmp(call, "bind");
	char *buf = guard_page();
	struct sockaddr_un *sun = (struct sockaddr_un *)buf;
	long len, r, sfd;
	struct iovec iov = { .iov_base = (char *)"x", .iov_len = 1 };
	struct msghdr *mh = (struct msghdr *)(buf + 512);
	struct mmsghdr *mm = (struct mmsghdr *)(buf + 1024);
	void *p;
	int fd = socket(AF_UNIX, (is_dgram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	sfd = fd;
	len = mkaddr(sun, addr);
	p = sun;
	if (!strcmp(mode, "badptr")) {
		p = unmapped();
	} else if (!strcmp(mode, "straddle")) {
		/* sun_family and 40 bytes of path mapped, the rest of the 110 bytes not */
		struct sockaddr_un tmp;

		mkaddr(&tmp, addr);
		p = buf + pg - 42;
		memcpy(p, &tmp, 42);
		len = sizeof(struct sockaddr_un);
	} else if (!strncmp(mode, "len=", 4)) {
		len = parse_long(mode + 4);
	} else if (!strcmp(mode, "nul108")) {
		size_t n = strlen(addr);

		/* ADDR padded with 'x' to fill sun_path with no terminating NUL */
		memset(sun->sun_path, 'x', sizeof(sun->sun_path));
		memcpy(sun->sun_path, addr, n < sizeof(sun->sun_path) ? n : sizeof(sun->sun_path));
		len = sizeof(struct sockaddr_un);
	} else if (!strcmp(mode, "null")) {
		p = NULL;
		len = 0;
	} else if (!strncmp(mode, "unaligned", 9)) {
		/* the same address at an odd offset, with the length given after '=' if any */
		p = buf + 2048 + 1;
		memcpy(p, sun, sizeof(*sun));
		if (mode[9] == '=')
			len = parse_long(mode + 10);
	} else if (!strncmp(mode, "fd=", 3)) {
		sfd = parse_long(mode + 3);
	} else if (strcmp(mode, "ok") && strcmp(mode, "badmsg") && strncmp(mode, "namelen=", 8)) {
		usage("call: unknown mode %s", mode);
	}

	memset(mh, 0, sizeof(*mh));
	mh->msg_name = p;
	mh->msg_namelen = (socklen_t)len;
	if (!strncmp(mode, "namelen=", 8))
		mh->msg_namelen = (socklen_t)parse_long(mode + 8);
	mh->msg_iov = &iov;
	mh->msg_iovlen = 1;
	memset(mm, 0, sizeof(*mm));
	mm->msg_hdr = *mh;

	if (!strcmp(call, "connect"))
		r = syscall(SYS_connect, sfd, p, len);
	else if (!strcmp(call, "bind"))
		r = syscall(SYS_bind, sfd, p, len);
	else if (!strcmp(call, "sendto"))
		r = syscall(SYS_sendto, sfd, "x", 1L, 0L, p, len);
	else if (!strcmp(call, "sendmsg"))
		r = syscall(SYS_sendmsg, sfd, !strcmp(mode, "badmsg") ? unmapped() : (void *)mh,
			    0L);
	else if (!strcmp(call, "sendmmsg"))
		r = syscall(SYS_sendmmsg, sfd, !strcmp(mode, "badmsg") ? unmapped() : (void *)mm,
			    1L, 0L);
	else
		usage("call: unknown call %s", call);
	if (r == -1) {
		int e = errno;

		close(fd);
		return e;
	}
	if (!strcmp(call, "sendmmsg"))
		snprintf(d, dn, "%ld", r);
	close(fd);
	return 0;
}

static void wait_file(const char *path)
{
	int i;

	for (i = 0; i < WAIT_FILE_MS / 5; i++) {
		if (access(path, F_OK) == 0)
			return;
		usleep(5000);
	}
	result("errno ETIMEDOUT wait");
	exit(0);
}

/*
 * cmsg MODE ADDR: sendmsg of "x" to the datagram socket ADDR with a crafted control buffer.
 * MODE: rights (one fd, well formed) | rights0 (SCM_RIGHTS with no fd) | partial (an fd and
 * half an int) | long (cmsg_len past msg_controllen) | short (cmsg_len below a header) |
 * huge (cmsg_len SIZE_MAX) | second (a good one, then one claiming 1000 bytes) | creds-bad
 * (SCM_CREDENTIALS of pid 1) | type (unknown SOL_SOCKET type) | ctlunmapped (control in an
 * unmapped page) | tinyunmapped (8 bytes of control, unmapped) | tiny (8 bytes, zero) |
 * ctlhuge (msg_controllen 1 << 31) | badfd (SCM_RIGHTS of fd 999).
 */
static int op_cmsg(char **av, char *d, size_t dn)
{
	const char *mode = av[0];
	struct sockaddr_un sun;
	union {
		char buf[256];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = (char *)"x", .iov_len = 1 };
	struct msghdr mh = { .msg_name = &sun, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c = (struct cmsghdr *)cm.buf;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), nul = open("/dev/null", O_RDONLY);
	struct ucred uc = { .pid = 1, .uid = getuid(), .gid = getgid() };

	mh.msg_namelen = mkaddr(&sun, av[1]);
	if (fd == -1 || nul == -1)
		FAIL("socket");
	memset(&cm, 0, sizeof(cm));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &nul, sizeof(int));
	mh.msg_control = cm.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	if (!strcmp(mode, "rights0")) {
		c->cmsg_len = CMSG_LEN(0);
		mh.msg_controllen = CMSG_SPACE(0);
	} else if (!strcmp(mode, "partial")) {
		c->cmsg_len = CMSG_LEN(sizeof(int) + 2);
		mh.msg_controllen = CMSG_SPACE(sizeof(int) + 2);
	} else if (!strcmp(mode, "long")) {
		c->cmsg_len = 4096;
	} else if (!strcmp(mode, "short")) {
		c->cmsg_len = 8;
	} else if (!strcmp(mode, "huge")) {
		c->cmsg_len = (size_t)-1;
	} else if (!strcmp(mode, "second")) {
		struct cmsghdr *c2 = (struct cmsghdr *)(cm.buf + CMSG_SPACE(sizeof(int)));

		c2->cmsg_level = SOL_SOCKET;
		c2->cmsg_type = SCM_RIGHTS;
		c2->cmsg_len = 1000;
		mh.msg_controllen = CMSG_SPACE(sizeof(int)) * 2;
	} else if (!strcmp(mode, "creds-other")) {
		/* our own pid, with a uid and gid that are not ours */
		uc.pid = getpid();
		uc.uid = getuid() + 1;
		uc.gid = getgid() + 1;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(c), &uc, sizeof(uc));
		mh.msg_controllen = CMSG_SPACE(sizeof(uc));
	} else if (!strcmp(mode, "creds-bad")) {
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(c), &uc, sizeof(uc));
		mh.msg_controllen = CMSG_SPACE(sizeof(uc));
	} else if (!strcmp(mode, "type")) {
		c->cmsg_type = 0x4242;
	} else if (!strcmp(mode, "ctlunmapped")) {
		mh.msg_control = unmapped();
	} else if (!strcmp(mode, "tinyunmapped")) {
		mh.msg_control = unmapped();
		mh.msg_controllen = 8;
	} else if (!strcmp(mode, "tiny")) {
		mh.msg_controllen = 8;
	} else if (!strcmp(mode, "ctlhuge")) {
		mh.msg_controllen = (size_t)1 << 31;
	} else if (!strcmp(mode, "badfd")) {
		int bad = 999;

		memcpy(CMSG_DATA(c), &bad, sizeof(int));
	} else if (strcmp(mode, "rights")) {
		usage("cmsg: unknown mode %s", mode);
	}
	if (sendmsg(fd, &mh, 0) == -1) {
		int e = errno;

		close(fd);
		close(nul);
		return e;
	}
	close(fd);
	close(nul);
	return 0;
}

/*
 * mmsg VLEN MODE ADDR: sendmmsg of VLEN datagrams to ADDR from a vector of 1024 entries.
 * MODE: ok | unmapped=K (entry K's msg_name in an unmapped page) | tail (the vector ends at
 * an unmapped page after VLEN/2 entries). Detail: messages sent.
 */
static int op_mmsg(char **av, char *d, size_t dn)
{
	unsigned int vlen = (unsigned int)parse_long(av[0]), i;
	const char *mode = av[1];
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[2]);
	struct iovec iov = { .iov_base = (char *)"m", .iov_len = 1 };
	long pg = sysconf(_SC_PAGESIZE);
	size_t n = 1024, bytes = n * sizeof(struct mmsghdr);
	char *area = mmap(NULL, bytes + (size_t)pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmsghdr *mm = (struct mmsghdr *)area;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd == -1 || area == MAP_FAILED)
		FAIL("socket");
	for (i = 0; i < n; i++) {
		mm[i].msg_hdr.msg_name = &sun;
		mm[i].msg_hdr.msg_namelen = len;
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	if (!strncmp(mode, "unmapped=", 9)) {
		mm[parse_long(mode + 9)].msg_hdr.msg_name = unmapped();
	} else if (!strcmp(mode, "tail")) {
		/* move the vector so that entry vlen/2 starts on an unmapped page */
		size_t keep = (vlen / 2) * sizeof(struct mmsghdr);
		char *g = guard_page();

		mm = (struct mmsghdr *)(g + pg - keep);
		for (i = 0; i < vlen / 2; i++)
			mm[i] = ((struct mmsghdr *)area)[i];
	} else if (strcmp(mode, "ok")) {
		usage("mmsg: unknown mode %s", mode);
	}
	r = sendmmsg(fd, mm, vlen, 0);
	if (r == -1)
		FAIL("sendmmsg");
	snprintf(d, dn, "%d", r);
	close(fd);
	return 0;
}

/*
 * fdlimit ADDR: with RLIMIT_NOFILE exhausted, connect a socket made before, pass an fd over a
 * socketpair and receive it, and make a new socket. Detail: each step's result.
 */
static int op_fdlimit(char **av, char *d, size_t dn)
{
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	struct rlimit rl = { 32, 32 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = (char *)"F", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	char b[8];
	int sp[2], fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), nul, e1, e2, e3, e4;

	if (fd == -1 || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) == -1)
		FAIL("socket");
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nul == -1 || setrlimit(RLIMIT_NOFILE, &rl) == -1)
		FAIL("setrlimit");
	while (open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0)
		;
	if (errno != EMFILE)
		FAIL("exhaust");
	e1 = connect(fd, (struct sockaddr *)&sun, len) == -1 ? errno : 0;
	memset(&cm, 0, sizeof(cm));
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &nul, sizeof(int));
	e2 = sendmsg(sp[0], &mh, 0) == -1 ? errno : 0;
	iov.iov_base = b;
	mh.msg_controllen = sizeof(cm.buf);
	e3 = recvmsg(sp[1], &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) == -1 ? errno : 0;
	e4 = socket(AF_UNIX, SOCK_STREAM, 0) == -1 ? errno : 0;
	snprintf(d, dn, "connect=%s sendfd=%s recv=%s%s socket=%s", e1 ? ename(e1) : "ok",
		 e2 ? ename(e2) : "ok", e3 ? ename(e3) : "ok",
		 !e3 && (mh.msg_flags & MSG_CTRUNC) ? ",ctrunc" : "", e4 ? ename(e4) : "ok");
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * intr ADDR MS [restart]: connect (stream) to ADDR, interrupted after MS ms by SIGALRM whose
 * handler has no SA_RESTART (with "restart": has it); the result is the connect's.
 */
static int op_intr(char **av, char *d, size_t dn)
{
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[0]);
	struct sigaction sa = { .sa_handler = on_alarm };
	long ms = parse_long(av[1]);
	bool restart = av[2] && !strcmp(av[2], "restart");
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = restart ? SA_RESTART : 0;
	if (fd == -1 || sigaction(SIGALRM, &sa, NULL) == -1)
		FAIL("socket");
	setitimer(ITIMER_REAL, &it, NULL);
	if (connect(fd, (struct sockaddr *)&sun, len) == -1)
		FAIL("connect");
	close(fd);
	return 0;
}

/* connectn N ADDR: N threads each connect (stream) to ADDR at once, then close; detail: how
 * many connected and the first errno of those that did not. For many calls blocked at once. */
struct connectn {
	struct sockaddr_un sun;
	socklen_t len;
	atomic_int ok, failed, first_errno;
};

static void *connectn_thread(void *arg)
{
	struct connectn *c = arg;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e = 0, zero = 0;

	if (fd == -1 || connect(fd, (struct sockaddr *)&c->sun, c->len) == -1)
		e = errno;
	if (fd >= 0)
		close(fd);
	if (!e) {
		atomic_fetch_add(&c->ok, 1);
		return NULL;
	}
	atomic_fetch_add(&c->failed, 1);
	atomic_compare_exchange_strong(&c->first_errno, &zero, e);
	return NULL;
}

static int op_connectn(char **av, char *d, size_t dn)
{
	long n = parse_long(av[0]), i, started = 0;
	static struct connectn c;
	pthread_t th[1024];

	if (n < 1 || n > (long)(sizeof(th) / sizeof(th[0])))
		usage("connectn: N must be 1 to %zu", sizeof(th) / sizeof(th[0]));
	c.len = mkaddr(&c.sun, av[1]);
	for (i = 0; i < n; i++)
		if (pthread_create(&th[started], NULL, connectn_thread, &c) == 0)
			started++;
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	snprintf(d, dn, "connected=%d failed=%d first=%s started=%ld", atomic_load(&c.ok),
		 atomic_load(&c.failed), ename(atomic_load(&c.first_errno)), started);
	return 0;
}

/* Write @pid - 1 to this PID namespace's ns_last_pid, so the next fork gets @pid. */
static bool set_last_pid(pid_t pid)
{
	char num[32];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC), n;
	bool ok;

	if (fd == -1)
		return false;
	n = snprintf(num, sizeof(num), "%d", pid - 1);
	ok = write(fd, num, (size_t)n) == n;
	close(fd);
	return ok;
}

/*
 * pidreuse N ALLOWED DENIED [here]: in a new PID namespace (with "here": in the current one,
 * which the test made for the supervisor too, so the supervisor sees the PIDs reused), N rounds
 * of: a child A connects to
 * DENIED with the address in a page at a fixed place and is SIGKILLed at once; then a child
 * B gets A's PID (ns_last_pid) and holds ALLOWED at the same place and a socket on the same
 * fd, making no call at all. A supervisor that judged A's call by reading B's memory would
 * connect B's socket to ALLOWED. Detail: how many rounds reused the PID.
 */
/* A pidreuse child's set-up: a socket on RACE_FD, and @addr in its own private copy of the page
 * at @x (so the other child's write cannot change it), which it returns. */
static struct sockaddr_un *pidreuse_child(struct sockaddr_un *x, const struct sockaddr_un *addr,
					  socklen_t len)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	x = mmap(x, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	memcpy(x, addr, len);
	dup2(s, RACE_FD);
	return x;
}

static int op_pidreuse(char **av, char *d, size_t dn)
{
	long n = parse_long(av[0]), i, reused = 0;
	struct sockaddr_un *x;
	socklen_t alen, dlen;
	struct sockaddr_un sa, sd;
	pid_t init;
	int st, fd = -1, pp[2];

	alen = mkaddr(&sa, av[1]);
	dlen = mkaddr(&sd, av[2]);
	if (pipe2(pp, O_CLOEXEC) == -1)
		FAIL("pipe");
	if (!(av[3] && !strcmp(av[3], "here")) && unshare(CLONE_NEWPID) == -1)
		FAIL("unshare");
	init = fork();
	if (init == -1)
		FAIL("fork");
	if (init == 0) {
		int ready[2];
		char r;

		x = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (x == MAP_FAILED || pipe2(ready, O_CLOEXEC) == -1)
			_exit(1);
		for (i = 0; i < n; i++) {
			pid_t a, b;

			a = fork();
			if (a == 0) {
				x = pidreuse_child(x, &sd, dlen);
				if (write(ready[1], "r", 1) != 1)
					_exit(1);
				syscall(SYS_connect, RACE_FD, x, dlen);
				_exit(0);
			}
			/* A is about to connect: kill it at a slightly different moment each
			 * round, from right away to a few hundred microseconds later */
			if (read(ready[0], &r, 1) != 1)
				_exit(4);
			for (volatile long spin = 0; spin < (i % 64) * 2000; spin++)
				;
			kill(a, SIGKILL);
			waitpid(a, &st, 0);
			if (!set_last_pid(a))
				_exit(2);
			b = fork();
			if (b == 0) {
				pidreuse_child(x, &sa, alen);
				for (;;)
					pause();
			}
			reused += b == a;
			usleep(2000);
			kill(b, SIGKILL);
			waitpid(b, &st, 0);
		}
		if (write(pp[1], &reused, sizeof(reused)) != sizeof(reused))
			_exit(3);
		_exit(0);
	}
	close(pp[1]);
	if (waitpid(init, &st, 0) == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(d, dn, "init status %d", st);
		return EIO;
	}
	if (read(pp[0], &reused, sizeof(reused)) != sizeof(reused))
		FAIL("read");
	snprintf(d, dn, "reused=%ld", reused);
	return 0;
}

/*
 * tidreuse N ALLOWED: in the current PID namespace (the test makes one for the supervisor and
 * the probe), N rounds of: a child A connects to ALLOWED and exits; a child B gets A's PID
 * (ns_last_pid) and connects to ALLOWED too. The supervisor keeps the pidfds of recent callers:
 * for B it holds A's, of a dead thread with B's tid, and must name B afresh instead of failing
 * B's call. Detail: how many rounds reused the PID and in how many both connects succeeded.
 * With "sigpipe", B instead sends (sendmsg, SIGPIPE at its default) on a stream whose peer is
 * closed: it is served when it dies of the SIGPIPE the supervisor raises after its EPIPE reply,
 * which must reach B, not the dead A whose pidfd the supervisor held for that tid.
 */
static int tidreuse_connect(const struct sockaddr_un *sa, socklen_t alen)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	return s >= 0 && connect(s, (const struct sockaddr *)sa, alen) == 0 ? 0 : 1;
}

/* Killed by the SIGPIPE; exits 0 only if it never came. */
static int tidreuse_sigpipe(void)
{
	struct iovec iov = { .iov_base = (char *)"x", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int sv[2];

	signal(SIGPIPE, SIG_DFL);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return 2;
	close(sv[1]);
	if (sendmsg(sv[0], &mh, 0) != -1 || errno != EPIPE)
		return 3;
	/* The supervisor raises it after its reply, so it may land a moment after the call
	 * returned: wait for it rather than exit first. */
	usleep(2000 * 1000);
	return 0;
}

static int op_tidreuse(char **av, char *d, size_t dn)
{
	long n = parse_long(av[0]), i, reused = 0, served = 0;
	bool pipe = av[2] && !strcmp(av[2], "sigpipe");
	struct sockaddr_un sa;
	socklen_t alen = mkaddr(&sa, av[1]);
	int fd = -1; /* FAIL's */

	for (i = 0; i < n; i++) {
		pid_t a, b;
		int sta = -1, stb = -1;

		a = fork();
		if (a == 0)
			_exit(tidreuse_connect(&sa, alen));
		if (a == -1 || waitpid(a, &sta, 0) == -1)
			FAIL("fork A");
		if (!set_last_pid(a)) {
			snprintf(d, dn, "cannot write ns_last_pid");
			return EPERM;
		}
		b = fork();
		if (b == 0)
			_exit(pipe ? tidreuse_sigpipe() : tidreuse_connect(&sa, alen));
		if (b == -1 || waitpid(b, &stb, 0) == -1)
			FAIL("fork B");
		reused += b == a;
		if (pipe)
			served += sta == 0 && WIFSIGNALED(stb) && WTERMSIG(stb) == SIGPIPE;
		else
			served += sta == 0 && stb == 0;
	}
	snprintf(d, dn, "reused=%ld served=%ld", reused, served);
	return 0;
}

struct flood {
	int sock, fd;
	atomic_int refused, other; /* sends that failed: ETOOMANYREFS, anything else */
};

static void *flood_thread(void *arg)
{
	struct flood *f = arg;
	union {
		char buf[CMSG_SPACE(253 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = (char *)"F", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	int i;

	memset(&cm, 0, sizeof(cm));
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(253 * sizeof(int));
	for (i = 0; i < 253; i++)
		memcpy(CMSG_DATA(c) + i * sizeof(int), &f->fd, sizeof(int));
	if (sendmsg(f->sock, &mh, 0) == -1) /* else blocks: the peer's queue is full */
		atomic_fetch_add(errno == ETOOMANYREFS ? &f->refused : &f->other, 1);
	return NULL;
}

/*
 * fdflood THREADS ADDR: fill a socketpair's queue, then THREADS threads each send 253 fds on
 * it and block, so the supervisor holds up to THREADS * 253 copies while the sends wait.
 * Then connect to ADDR and pass one fd on a fresh socketpair. Detail: both results, and how
 * many flood sends failed with ETOOMANYREFS and with anything else.
 */
static int op_fdflood(char **av, char *d, size_t dn)
{
	long n = parse_long(av[0]), i;
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, av[1]);
	struct flood f = { 0 };
	pthread_t th;
	int sp[2], fd = -1, e1, e2, q[2];
	char junk[4096] = { 0 };
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1)
		FAIL("socketpair");
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	while (send(sp[0], junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	fcntl(sp[0], F_SETFL, 0);
	f.sock = sp[0];
	f.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < n; i++)
		pthread_create(&th, NULL, flood_thread, &f);
	usleep(1000 * 1000);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	e1 = connect(fd, (struct sockaddr *)&sun, len) == -1 ? errno : 0;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, q) == -1)
		FAIL("socketpair");
	{
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} cm;
		struct iovec iov = { .iov_base = (char *)"F", .iov_len = 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &f.fd, sizeof(int));
		e2 = sendmsg(q[0], &mh, 0) == -1 ? errno : 0;
	}
	snprintf(d, dn, "connect=%s sendfd=%s refused=%d other=%d", e1 ? ename(e1) : "ok",
		 e2 ? ename(e2) : "ok", atomic_load(&f.refused), atomic_load(&f.other));
	close(fd);
	fflush(stdout);
	return 0;
}

/* The soak load: one thread's loop. */
struct soak {
	const char *allowed, *denied;
	struct timespec end;
	atomic_long conn_ok, deny_ok, fd_ok, exec_ok, bad;
	atomic_int first_bad;
	char bad_step[32];
};

static bool soak_over(const struct soak *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > s->end.tv_sec ||
	       (now.tv_sec == s->end.tv_sec && now.tv_nsec >= s->end.tv_nsec);
}

static void soak_bad(struct soak *s, const char *step, int e)
{
	int zero = 0;

	atomic_fetch_add(&s->bad, 1);
	if (atomic_compare_exchange_strong(&s->first_bad, &zero, e ? e : -1))
		snprintf(s->bad_step, sizeof(s->bad_step), "%s", step);
}

static void *soak_thread(void *arg)
{
	struct soak *s = arg;
	struct sockaddr_un a, dn;
	socklen_t alen = mkaddr(&a, s->allowed), dlen = mkaddr(&dn, s->denied);
	unsigned long it;
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC), sp[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) == -1) {
		soak_bad(s, "socketpair", errno);
		return NULL;
	}
	for (it = 0; !soak_over(s); it++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} cm;
		struct iovec iov = { .iov_base = (char *)"F", .iov_len = 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct cmsghdr *c;

		if (fd == -1) {
			soak_bad(s, "socket", errno);
			continue;
		}
		if (connect(fd, (struct sockaddr *)&a, alen) == -1)
			soak_bad(s, "connect", errno);
		else
			atomic_fetch_add(&s->conn_ok, 1);
		/* an fd through the supervisor and back, over the thread's own socketpair */
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &nul, sizeof(int));
		if (sendmsg(sp[0], &mh, MSG_NOSIGNAL) == -1) {
			soak_bad(s, "sendmsg", errno);
		} else {
			char b;
			int got = -1;

			iov.iov_base = &b;
			mh.msg_controllen = sizeof(cm.buf);
			if (recvmsg(sp[1], &mh, MSG_CMSG_CLOEXEC) == 1 &&
			    (c = CMSG_FIRSTHDR(&mh)) && c->cmsg_type == SCM_RIGHTS)
				memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (got < 0) {
				soak_bad(s, "recvmsg", errno);
			} else {
				close(got);
				atomic_fetch_add(&s->fd_ok, 1);
			}
		}
		close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&dn, dlen) == 0)
			soak_bad(s, "denied-connect", 0);
		else if (errno != EPERM)
			soak_bad(s, "denied-connect", errno);
		else
			atomic_fetch_add(&s->deny_ok, 1);
		close(fd);
		if (it % 16 == 0) {
			/* fork + exec of a fresh caller that connects once */
			pid_t pid = fork();
			int st;

			if (pid == 0) {
				execl("/proc/self/exe", "probe", "qconnect", s->allowed,
				      (char *)NULL);
				_exit(126);
			}
			if (pid == -1 || waitpid(pid, &st, 0) != pid)
				soak_bad(s, "fork", errno);
			else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				soak_bad(s, "exec-connect", WIFEXITED(st) ? WEXITSTATUS(st) : 0);
			else
				atomic_fetch_add(&s->exec_ok, 1);
		}
	}
	close(nul);
	close(sp[0]);
	close(sp[1]);
	return NULL;
}

/* One process of the soak: THREADS threads for MS ms; prints one line of counts. */
static void soak_process(const char *allowed, const char *denied, int threads, long ms)
{
	struct soak *s =
		mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t th[64];
	int i, n = 0;

	if (s == MAP_FAILED)
		usage("mmap: %s", strerror(errno));
	memset(s, 0, sizeof(*s));
	s->allowed = allowed;
	s->denied = denied;
	clock_gettime(CLOCK_MONOTONIC, &s->end);
	s->end.tv_sec += ms / 1000;
	s->end.tv_nsec += (ms % 1000) * 1000000;
	if (s->end.tv_nsec >= 1000000000) {
		s->end.tv_sec++;
		s->end.tv_nsec -= 1000000000;
	}
	for (i = 0; i < threads && i < 64; i++)
		if (pthread_create(&th[n], NULL, soak_thread, s) == 0)
			n++;
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("soak threads=%d conn=%ld deny=%ld fd=%ld exec=%ld bad=%ld%s%s%s\n", n,
	       atomic_load(&s->conn_ok), atomic_load(&s->deny_ok), atomic_load(&s->fd_ok),
	       atomic_load(&s->exec_ok), atomic_load(&s->bad) + (threads - n),
	       s->first_bad ? " first=" : "", s->first_bad ? s->bad_step : "",
	       s->first_bad > 0 ? ename(s->first_bad) : "");
	fflush(stdout);
}

/*
 * soak PROCS THREADS MS ALLOWED DENIED GO DONE: a warm-up of 500 ms in one process
 * ("warm"), then wait for file GO, then PROCS processes of THREADS threads each for MS ms
 * (one "soak ..." line each, then "loaded"), then wait for file DONE before exiting.
 */
static int op_soak(char **av, char *d, size_t dn)
{
	int procs = (int)parse_long(av[0]), threads = (int)parse_long(av[1]), i, st;
	long ms = parse_long(av[2]);
	pid_t pids[64];

	(void)d;
	(void)dn;
	soak_process(av[3], av[4], threads, 500);
	printf("warm\n");
	fflush(stdout);
	wait_file(av[5]);
	for (i = 0; i < procs && i < 64; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			soak_process(av[3], av[4], threads, ms);
			_exit(0);
		}
	}
	for (i = 0; i < procs && i < 64; i++)
		if (pids[i] > 0)
			waitpid(pids[i], &st, 0);
	printf("loaded\n");
	fflush(stdout);
	wait_file(av[6]);
	return -1;
}

/* tiocsti PTS [hi]: push a byte into the tty's input; "hi" sets the upper 32 bits of the
 * request, which the kernel ignores (the argument is an unsigned int). */
static int op_tiocsti(char **av, char *d, size_t dn)
{
	unsigned long req = TIOCSTI;
	char c = '#';
	int fd = open(av[0], O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd == -1)
		FAIL("open");
	if (av[1] && !strcmp(av[1], "hi"))
		req |= 0xdead000000000000UL;
	if (syscall(SYS_ioctl, fd, req, &c) == -1)
		FAIL("");
	close(fd);
	return 0;
}

/*
 * sigpipe [nosignal]: with SIGPIPE at its default, sendmsg (always notified) on a stream
 * socket whose peer is gone. The kernel's answer is EPIPE and a SIGPIPE that kills the caller;
 * with "nosignal" (MSG_NOSIGNAL), EPIPE alone. Prints "ok" only when sendmsg returns.
 */
static int op_sigpipe(char **av, char *d, size_t dn)
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

/* tioclinux PTS: TIOCLINUX subcode 2 (set selection), which copies into the console. */
static int op_tioclinux(char **av, char *d, size_t dn)
{
	char arg[16] = { 2 };
	int fd = open(av[0], O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd == -1)
		FAIL("open");
	if (ioctl(fd, TIOCLINUX, arg) == -1)
		FAIL("");
	close(fd);
	return 0;
}

/* ---- counting helpers for loops and races ---- */

struct counts {
	atomic_long n[MAX_ERRNO];
};

static void count(struct counts *c, int e)
{
	atomic_fetch_add(&c->n[e >= 0 && e < MAX_ERRNO ? e : 0], 1);
}

/* Append " PFXok=N PFXENAME=N..." (ok always, errnos only when nonzero) to @d. */
static void format_counts(char *d, size_t dn, struct counts *c, const char *pfx)
{
	size_t off = strlen(d);
	int e;

	off += (size_t)snprintf(d + off, dn - off, "%s%sok=%ld", off ? " " : "", pfx,
				atomic_load(&c->n[0]));
	for (e = 1; e < MAX_ERRNO && off < dn; e++) {
		long v = atomic_load(&c->n[e]);

		if (v)
			off += (size_t)snprintf(d + off, dn - off, " %s%s=%ld", pfx, ename(e), v);
	}
}

/* ---- race (a): flip one byte of the sockaddr while connecting in a loop ---- */

struct race {
	struct sockaddr_un sun;
	size_t off;
	char a, b;
	atomic_int started, stop;
};

static void *flipper(void *arg)
{
	struct race *r = arg;
	volatile char *c = (volatile char *)&r->sun.sun_path[r->off];

	atomic_store(&r->started, 1);
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		*c = r->b;
		*c = r->a;
	}
	return NULL;
}

/* race ALLOWED DENIED N: paths of equal length differing in one position. */
static int op_race(char **av, char *d, size_t dn)
{
	static struct race r;
	static struct counts c;
	size_t la = strlen(av[0]), i;
	long n = parse_long(av[2]), k;
	pthread_t t;
	socklen_t len;

	if (la != strlen(av[1]))
		usage("race: paths must have equal length");
	for (i = 0; i < la && av[0][i] == av[1][i]; i++)
		;
	if (i == la || strcmp(av[0] + i + 1, av[1] + i + 1))
		usage("race: paths must differ in exactly one position");
	len = mkaddr(&r.sun, av[0]);
	r.off = i;
	r.a = av[0][i];
	r.b = av[1][i];
	if (pthread_create(&t, NULL, flipper, &r))
		usage("pthread_create failed");
	while (!atomic_load(&r.started))
		sched_yield();
	for (k = 0; k < n; k++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd == -1)
			FAIL("socket");
		count(&c, connect(fd, (struct sockaddr *)&r.sun, len) == -1 ? errno : 0);
		close(fd);
	}
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	format_counts(d, dn, &c, "");
	return 0;
}

/* ---- race (b): swap the socket behind one fd number with dup2 while connecting ---- */

struct dup2race {
	struct sockaddr_un a, b;
	socklen_t alen, blen;
	atomic_int stop;
	struct counts ca, cb;
};

static void *swapper(void *arg)
{
	struct dup2race *r = arg;
	unsigned i = 0;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		int s = socket(AF_UNIX, (i++ & 1 ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

		if (s == -1)
			continue;
		dup2(s, RACE_FD);
		close(s);
	}
	return NULL;
}

static void *denied_connector(void *arg)
{
	struct dup2race *r = arg;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed))
		count(&r->cb,
		      connect(RACE_FD, (struct sockaddr *)&r->b, r->blen) == -1 ? errno : 0);
	return NULL;
}

/* dup2race ALLOWED DENIED N: main connects fd 100 to ALLOWED N times ("a." counts) while one
 * thread dup2()s fresh sockets onto fd 100 and another connects fd 100 to DENIED ("b."). */
static int op_dup2race(char **av, char *d, size_t dn)
{
	static struct dup2race r;
	long n = parse_long(av[2]), k;
	pthread_t t1, t2;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s == -1 || dup2(s, RACE_FD) == -1)
		usage("dup2race: setup failed");
	close(s);
	r.alen = mkaddr(&r.a, av[0]);
	r.blen = mkaddr(&r.b, av[1]);
	if (pthread_create(&t1, NULL, swapper, &r) ||
	    pthread_create(&t2, NULL, denied_connector, &r))
		usage("pthread_create failed");
	for (k = 0; k < n; k++)
		count(&r.ca, connect(RACE_FD, (struct sockaddr *)&r.a, r.alen) == -1 ? errno : 0);
	atomic_store(&r.stop, 1);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	format_counts(d, dn, &r.ca, "a.");
	format_counts(d, dn, &r.cb, "b.");
	return 0;
}

/* opath-connect PATH [self|thread-self|pid]: open PATH with O_PATH and connect through the
 * /proc/.../fd/N magic link, which only the caller's own fd table resolves. */
static int op_opath_connect(char **av, char *d, size_t dn)
{
	const char *how = av[1] ? av[1] : "self";
	char path[108];
	struct sockaddr_un sun;
	socklen_t len;
	int o = open(av[0], O_PATH | O_CLOEXEC), fd = -1, e = 0;

	if (o == -1)
		FAIL("open");
	if (!strcmp(how, "pid"))
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", getpid(), o);
	else
		snprintf(path, sizeof(path), "/proc/%s/fd/%d", how, o);
	len = mkaddr(&sun, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		FAIL("socket");
	if (connect(fd, (struct sockaddr *)&sun, len) == -1)
		e = errno;
	close(fd);
	close(o);
	return e;
}

/* ---- int 0x80: the i386 ABI from a 64-bit process ---- */

static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/* int80 ADDR: socketcall(SYS_CONNECT) (102/3) and i386 connect (362) on a 64-bit socket, with
 * the arguments in MAP_32BIT memory. Runs in a forked child: without IA-32 emulation the
 * instruction raises SIGSEGV, reported as "unsupported". */
static int op_int80(char **av, char *d, size_t dn)
{
	pid_t pid;
	int st, fd = -1;

	fflush(stdout);
	pid = fork();
	if (pid == -1)
		FAIL("fork");
	if (pid == 0) {
		char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		struct sockaddr_un *sun = (struct sockaddr_un *)m;
		uint32_t *args = (uint32_t *)(m + 512);
		long r1, r2;
		int s1, s2;

		if (m == MAP_FAILED)
			_exit(4);
		args[1] = (uint32_t)(uintptr_t)sun;
		args[2] = mkaddr(sun, av[0]);
		s1 = socket(AF_UNIX, SOCK_STREAM, 0);
		s2 = socket(AF_UNIX, SOCK_STREAM, 0);
		args[0] = (uint32_t)s1;
		r1 = int80(102, 3, (long)(uintptr_t)args, 0);
		r2 = int80(362, s2, (long)(uintptr_t)sun, args[2]);
		result("ok socketcall=%s i386=%s", r1 < 0 ? ename((int)-r1) : "0",
		       r2 < 0 ? ename((int)-r2) : "0");
		_exit(0);
	}
	if (waitpid(pid, &st, 0) == -1)
		FAIL("waitpid");
	if (WIFSIGNALED(st) &&
	    (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGILL || WTERMSIG(st) == SIGBUS)) {
		snprintf(d, dn, "unsupported signal=%s", sigabbrev_np(WTERMSIG(st)));
		return 0;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return -1; /* the child printed the line */
	snprintf(d, dn, "child status=0x%x", st);
	return EIO;
}

/* listfd: print "N=target" for every entry of /proc/self/fd. */
static int op_listfd(char **av, char *d, size_t dn)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	size_t off = 0;
	int fd = -1;

	(void)av;
	if (!dir)
		FAIL("opendir");
	while ((de = readdir(dir)) && off < dn) {
		char p[320], t[256];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		n = readlink(p, t, sizeof(t) - 1);
		t[n > 0 ? n : 0] = '\0';
		off += (size_t)snprintf(d + off, dn - off, "%s%s=%s", off ? " " : "", de->d_name,
					t);
	}
	closedir(dir);
	return 0;
}

static bool is_notify_fd(int fd)
{
	char p[64], t[256];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	n = readlink(p, t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = '\0';
	return strstr(t, "seccomp") != NULL;
}

/* open-ppid-fd: try to reach the parent's (the supervisor's) fds through /proc/PPID/fd and
 * pidfd_getfd; report what succeeded and whether a seccomp notify fd was obtained. */
static int op_open_ppid_fd(char **av, char *d, size_t dn)
{
	int ppid = getppid(), entries = 0, rl = 0, opened = 0, onot = 0, got = 0, gnot = 0;
	char dirp[64];
	const char *dir_res = "ok", *pidfd_res = "ok";
	DIR *dir;
	struct dirent *de;
	long pfd;
	int i;

	(void)av;
	snprintf(dirp, sizeof(dirp), "/proc/%d/fd", ppid);
	dir = opendir(dirp);
	if (!dir) {
		dir_res = ename(errno);
	} else {
		while ((de = readdir(dir))) {
			char p[384], t[256];
			int fd;

			if (de->d_name[0] == '.')
				continue;
			entries++;
			snprintf(p, sizeof(p), "%s/%s", dirp, de->d_name);
			if (readlink(p, t, sizeof(t)) >= 0)
				rl++;
			fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			if (fd >= 0) {
				opened++;
				onot += is_notify_fd(fd);
				close(fd);
			}
		}
		closedir(dir);
	}
	pfd = syscall(__NR_pidfd_open, ppid, 0);
	if (pfd == -1) {
		pidfd_res = ename(errno);
	} else {
		for (i = 0; i < 64; i++) {
			long fd = syscall(__NR_pidfd_getfd, pfd, i, 0);

			if (fd >= 0) {
				got++;
				gnot += is_notify_fd((int)fd);
				close((int)fd);
			}
		}
		close((int)pfd);
	}
	{
		/* the same ptrace access check guards the supervisor's memory */
		char mp[64], line[256];
		const char *mem_res = "ok", *vm_res = "nomaps";
		unsigned long start = 0;
		FILE *maps;
		int mfd;

		snprintf(mp, sizeof(mp), "/proc/%d/mem", ppid);
		mfd = open(mp, O_RDWR | O_CLOEXEC);
		if (mfd == -1)
			mem_res = ename(errno);
		else
			close(mfd);
		snprintf(mp, sizeof(mp), "/proc/%d/maps", ppid);
		maps = fopen(mp, "re");
		if (maps && fgets(line, sizeof(line), maps) && sscanf(line, "%lx-", &start) == 1) {
			char byte;
			struct iovec local = { .iov_base = &byte, .iov_len = 1 };
			struct iovec remote = { .iov_base = (void *)start, .iov_len = 1 };

			vm_res = process_vm_readv(ppid, &local, 1, &remote, 1, 0) == 1
					 ? "ok"
					 : ename(errno);
		}
		if (maps)
			fclose(maps);
		snprintf(d, dn,
			 "ppid=%d dir=%s entries=%d readlink=%d open=%d open_notify=%d pidfd=%s "
			 "getfd=%d getfd_notify=%d mem=%s vm_read=%s",
			 ppid, dir_res, entries, rl, opened, onot, pidfd_res, got, gnot, mem_res,
			 vm_res);
	}
	return 0;
}

struct steal {
	struct sockaddr_un sun;
	socklen_t len;
	long n;
	atomic_int done;
	struct counts c;
};

static void *steal_connector(void *arg)
{
	struct steal *st = arg;
	long k;

	for (k = 0; k < st->n; k++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd == -1)
			continue;
		count(&st->c, connect(fd, (struct sockaddr *)&st->sun, st->len) == -1 ? errno : 0);
		close(fd);
	}
	atomic_store(&st->done, 1);
	return NULL;
}

/*
 * steal-notify ADDR N: take the seccomp listener from the parent (the supervisor) with
 * pidfd_getfd, then answer our own notifications with SECCOMP_USER_NOTIF_FLAG_CONTINUE while a
 * thread connects to ADDR N times. Prints "stolen=0" when no listener could be taken.
 */
static int op_steal_notify(char **av, char *d, size_t dn)
{
	static struct steal st;
	long pfd = syscall(__NR_pidfd_open, getppid(), 0), handled = 0;
	int nfd = -1, i, fd = -1;
	pthread_t t;

	if (pfd == -1)
		FAIL("pidfd_open");
	for (i = 0; i < 256 && nfd < 0; i++) {
		long f = syscall(__NR_pidfd_getfd, pfd, i, 0);

		if (f < 0)
			continue;
		if (is_notify_fd((int)f))
			nfd = (int)f;
		else
			close((int)f);
	}
	close((int)pfd);
	if (nfd < 0) {
		snprintf(d, dn, "stolen=0");
		return 0;
	}
	st.len = mkaddr(&st.sun, av[0]);
	st.n = parse_long(av[1]);
	if (pthread_create(&t, NULL, steal_connector, &st))
		usage("pthread_create failed");
	while (!atomic_load(&st.done)) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;

		if (!(wait_fd(nfd, POLLIN, 100) & POLLIN))
			continue;
		memset(&req, 0, sizeof(req));
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1)
			continue;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
			handled++;
	}
	pthread_join(t, NULL);
	close(nfd);
	snprintf(d, dn, "stolen=1 handled=%ld", handled);
	format_counts(d, dn, &st.c, "");
	return 0;
}

/* spin SECONDS ADDR...: connect-only to each ADDR in turn (1 ms apart) for SECONDS; print
 * "I ok" / "I errno ENAME" whenever address I's result changes, then a summary line. */
static int op_spin(char **av, char *d, size_t dn)
{
	long secs = parse_long(av[0]);
	int last[8], naddr = 0, i;
	struct timespec t0, t;
	struct counts *c = calloc(1, sizeof(*c));

	(void)d;
	(void)dn;
	if (!c)
		usage("out of memory");
	for (i = 0; i < 8 && av[i + 1]; i++, naddr++)
		last[i] = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (i = 0; i < naddr; i++) {
			char *one[2] = { av[i + 1], NULL };
			char det[64];
			int e = op_connect_only(one, det, sizeof(det));

			count(c, e);
			if (e != last[i]) {
				if (e)
					result("%d errno %s", i, ename(e));
				else
					result("%d ok", i);
				last[i] = e;
			}
		}
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < secs);
	{
		char sum[512] = "";

		format_counts(sum, sizeof(sum), c, "");
		result("spin %s", sum);
	}
	free(c);
	return -1;
}

static void on_sig(int sig)
{
	_exit(100 + sig);
}

/* trap: exit 100+SIG on SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1; print "ready"; wait <= 30 s. */
static int op_trap(char **av, char *d, size_t dn)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_sig };
	size_t i;

	(void)av;
	(void)d;
	(void)dn;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	result("ready");
	for (i = 0; i < 300; i++)
		usleep(100000);
	return ETIMEDOUT;
}

/* pause: print "ready" and sleep <= 30 s with default signal dispositions. */
static int op_pause(char **av, char *d, size_t dn)
{
	int i;

	(void)av;
	(void)d;
	(void)dn;
	result("ready");
	for (i = 0; i < 300; i++)
		usleep(100000);
	return ETIMEDOUT;
}

/* ---- inet ops: ADDR is an IPv4 or IPv6 literal (IPv4-mapped allowed), PORT a number ---- */

static socklen_t mkinet(struct sockaddr_storage *ss, const char *addr, const char *port)
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
static void get_reply(int fd, char *d, size_t dn, bool field)
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
static void fd_state(int fd, char *d, size_t dn)
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
static int op_tcp_connect(char **av, char *d, size_t dn)
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
static int op_tcp_connect_nb(char **av, char *d, size_t dn)
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
static int op_tcp_connect_flags(char **av, char *d, size_t dn)
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
static int op_udp_sendto(char **av, char *d, size_t dn)
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
static int op_udp_connect_send(char **av, char *d, size_t dn)
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
static int op_sendmsg_fastopen(char **av, char *d, size_t dn)
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
static int op_sendmmsg_udp(char **av, char *d, size_t dn)
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
static int op_inet_bind(char **av, char *d, size_t dn)
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
static int op_listen_unbound(char **av, char *d, size_t dn)
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
static int op_serve_and_connect(char **av, char *d, size_t dn)
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the RTM_GETLINK dump into @names as "NAME:up|down"; returns 0 or an errno. */
static int netlink_links(char names[][32], int *n, int max)
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
static int op_list_netdevs(char **av, char *d, size_t dn)
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

/* ---- race (c): rewrite a sockaddr_in between an allowed and a denied destination ---- */

struct inet_race {
	struct sockaddr_in sin;
	uint32_t addr_a, addr_b;
	uint16_t port_a, port_b;
	atomic_int started, stop;
};

static void *inet_flipper(void *arg)
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
static int op_inet_race(char **av, char *d, size_t dn)
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
static int op_fd_connect(char **av, char *d, size_t dn)
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
static int op_fd_sendto(char **av, char *d, size_t dn)
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
static int op_inet_raw(char **av, char *d, size_t dn)
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

static void wait_file(const char *path);

/* listen on @fd, print "listening ADDR:PORT", wait for @file, report whether anyone came. */
static int listen_report(int fd, const char *file, char *d, size_t dn)
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
static int op_fd_listen(char **av, char *d, size_t dn)
{
	return listen_report((int)parse_long(av[0]), av[1], d, dn);
}

/* swap-listen ADDR PORT FILE: connect a TCP socket to ADDR:PORT, disconnect it with
 * connect(AF_UNSPEC), then listen() on it without a bind; see listen_report(). */
static int op_swap_listen(char **av, char *d, size_t dn)
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
static int op_reuse_after_connect(char **av, char *d, size_t dn)
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
static int op_reuseport_connect(char **av, char *d, size_t dn)
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
static int op_bind_wait_connect(char **av, char *d, size_t dn)
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

struct op {
	const char *name;
	int nargs; /* minimum */
	op_fn fn;
};

/* write PATH: create or truncate PATH and write "x" to it. */
static int op_write(char **av, char *d, size_t dn)
{
	int fd = open(av[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd == -1)
		FAIL("open");
	if (write(fd, "x", 1) != 1)
		FAIL("write");
	close(fd);
	return 0;
}

/* read PATH: open PATH and read from it (a directory: list it). */
static int op_read(char **av, char *d, size_t dn)
{
	int fd = open(av[0], O_RDONLY | O_CLOEXEC), n;
	DIR *dir;
	char buf[64];

	if (fd == -1)
		FAIL("open");
	n = (int)read(fd, buf, sizeof(buf));
	if (n == -1 && errno == EISDIR) {
		dir = fdopendir(fd);
		if (!dir)
			FAIL("opendir");
		errno = 0;
		while (readdir(dir))
			;
		n = errno ? -1 : 0;
		closedir(dir);
		if (n == -1)
			FAIL("readdir");
		return 0;
	}
	close(fd);
	if (n == -1)
		FAIL("read");
	return 0;
}

/* rename FROM TO | symlink TARGET LINK | mkdir DIR | unlink PATH | rmdir DIR */
static int op_rename(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return rename(av[0], av[1]) == -1 ? errno : 0;
}

static int op_symlink(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return symlink(av[0], av[1]) == -1 ? errno : 0;
}

static int op_mkdir(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return mkdir(av[0], 0755) == -1 ? errno : 0;
}

static int op_unlink(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return unlink(av[0]) == -1 ? errno : 0;
}

/* truncate PATH: truncate(2) to 0 bytes. */
static int op_truncate(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return truncate(av[0], 0) == -1 ? errno : 0;
}

/* The parent's pid as /proc says it (field 4 of /proc/self/stat), not getppid(). */
static pid_t proc_ppid(void)
{
	char buf[512], *p;
	FILE *f = fopen("/proc/self/stat", "re");
	long pp = 0;

	if (f && fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %ld", &pp);
	if (f)
		fclose(f);
	return (pid_t)pp;
}

/* kill ppid|proc-ppid|PID SIG: send SIG (a number) to the parent or to PID. */
static int op_kill(char **av, char *d, size_t dn)
{
	pid_t pid = !strcmp(av[0], "ppid")	  ? getppid()
		    : !strcmp(av[0], "proc-ppid") ? proc_ppid()
						  : (pid_t)parse_long(av[0]);

	snprintf(d, dn, "pid=%d", (int)pid);
	return kill(pid, (int)parse_long(av[1])) == -1 ? errno : 0;
}

/* ptrace-ppid: PTRACE_ATTACH to the parent (detached again if that worked). */
static int op_ptrace_ppid(char **av, char *d, size_t dn)
{
	pid_t pid = getppid();

	(void)av;
	(void)d;
	(void)dn;
	if (syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, pid, 0, 0) == -1)
		return errno;
	waitpid(pid, NULL, __WALL);
	syscall(SYS_ptrace, 17 /* PTRACE_DETACH */, pid, 0, 0);
	return 0;
}

/* status: no_new_privs and the capability sets, as "nnp=1 CapEff=… CapPrm=…". */
static int op_status(char **av, char *d, size_t dn)
{
	static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	char line[256];
	size_t len, i;
	FILE *f = fopen("/proc/self/status", "re");
	int fd = -1;

	(void)av;
	if (!f)
		FAIL("open");
	len = snprintf(d, dn, "nnp=%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	while (fgets(line, sizeof(line), f) && len < dn)
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])) && len < dn) {
				line[strcspn(line, "\n")] = '\0';
				len += snprintf(d + len, dn - len, " %s=%s", keys[i],
						line + strlen(keys[i]) + 2);
			}
	fclose(f);
	return 0;
}

/* tcp-connect-lo PORT / tcp-bind-lo PORT: connect or bind an AF_INET stream socket to
 * 127.0.0.1:PORT. */
static int tcp_lo(const char *port, bool do_bind, char *d, size_t dn)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)parse_long(port)),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (do_bind && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		FAIL("bind");
	if (!do_bind && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		FAIL("connect");
	close(fd);
	return 0;
}

static int op_tcp_connect_lo(char **av, char *d, size_t dn)
{
	return tcp_lo(av[0], false, d, dn);
}

static int op_tcp_bind_lo(char **av, char *d, size_t dn)
{
	return tcp_lo(av[0], true, d, dn);
}

static const struct op ops[] = {
	{ "connect", 1, op_connect },
	{ "connect-only", 1, op_connect_only },
	{ "connect-nb", 1, op_connect_nb },
	{ "sendto", 1, op_sendto },
	{ "sendmsg", 1, op_sendmsg },
	{ "sendmmsg", 1, op_sendmmsg },
	{ "dgram-connected", 1, op_dgram_connected },
	{ "sendfd", 2, op_sendfd },
	{ "bind", 1, op_bind },
	{ "bind-accept", 1, op_bind_accept },
	{ "bind-fork", 1, op_bind_fork },
	{ "bind-relink", 2, op_bind_relink },
	{ "bind-resymlink", 2, op_bind_resymlink },
	{ "autobind", 1, op_autobind },
	{ "socket", 2, op_socket },
	{ "socketpair", 1, op_socketpair },
	{ "io_uring", 0, op_io_uring },
	{ "call", 2, op_call },
	{ "tiocsti", 1, op_tiocsti },
	{ "sigpipe", 0, op_sigpipe },
	{ "tioclinux", 1, op_tioclinux },
	{ "race", 3, op_race },
	{ "dup2race", 3, op_dup2race },
	{ "opath-connect", 1, op_opath_connect },
	{ "int80", 1, op_int80 },
	{ "listfd", 0, op_listfd },
	{ "open-ppid-fd", 0, op_open_ppid_fd },
	{ "steal-notify", 2, op_steal_notify },
	{ "spin", 2, op_spin },
	{ "trap", 0, op_trap },
	{ "pause", 0, op_pause },
	{ "tcp-connect", 2, op_tcp_connect },
	{ "tcp-connect-nb", 2, op_tcp_connect_nb },
	{ "tcp-connect-flags", 2, op_tcp_connect_flags },
	{ "udp-sendto", 2, op_udp_sendto },
	{ "udp-connect-send", 2, op_udp_connect_send },
	{ "sendmsg-fastopen", 2, op_sendmsg_fastopen },
	{ "sendmmsg-udp", 2, op_sendmmsg_udp },
	{ "inet-bind", 2, op_inet_bind },
	{ "listen-unbound", 0, op_listen_unbound },
	{ "serve-and-connect", 0, op_serve_and_connect },
	{ "list-netdevs", 0, op_list_netdevs },
	{ "inet-race", 5, op_inet_race },
	{ "fd-connect", 3, op_fd_connect },
	{ "fd-sendto", 3, op_fd_sendto },
	{ "inet-raw", 6, op_inet_raw },
	{ "bind-wait-connect", 4, op_bind_wait_connect },
	{ "reuseport-connect", 4, op_reuseport_connect },
	{ "reuse-after-connect", 5, op_reuse_after_connect },
	{ "fd-listen", 2, op_fd_listen },
	{ "swap-listen", 3, op_swap_listen },
	{ "write", 1, op_write },
	{ "read", 1, op_read },
	{ "rename", 2, op_rename },
	{ "symlink", 2, op_symlink },
	{ "mkdir", 1, op_mkdir },
	{ "unlink", 1, op_unlink },
	{ "truncate", 1, op_truncate },
	{ "kill", 2, op_kill },
	{ "ptrace-ppid", 0, op_ptrace_ppid },
	{ "status", 0, op_status },
	{ "tcp-connect-lo", 1, op_tcp_connect_lo },
	{ "tcp-bind-lo", 1, op_tcp_bind_lo },
	{ "cmsg", 2, op_cmsg },
	{ "mmsg", 3, op_mmsg },
	{ "fdlimit", 1, op_fdlimit },
	{ "soak", 7, op_soak },
	{ "intr", 2, op_intr },
	{ "connectn", 2, op_connectn },
	{ "fdflood", 2, op_fdflood },
	{ "pidreuse", 3, op_pidreuse },
	{ "tidreuse", 2, op_tidreuse },
};

static const struct op *find_op(const char *name, int argc)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, name))
			continue;
		if (argc < ops[i].nargs)
			usage("%s needs %d argument(s)", name, ops[i].nargs);
		return &ops[i];
	}
	usage("unknown op `%s`", name);
}

static void print_result(int e, const char *detail)
{
	if (e < 0)
		return; /* the op printed its own output */
	if (!e)
		result("ok%s%s", *detail ? " " : "", detail);
	else
		result("errno %s%s%s", ename(e), *detail ? " " : "", detail);
}

/* Write @text to @path (a /proc file): 0, or -1 with errno set. */
static int put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int run(int argc, char **argv);

struct thread_args {
	int argc;
	char **argv;
	int rc;
};

static void *thread_main(void *arg)
{
	struct thread_args *ta = arg;

	ta->rc = run(ta->argc, ta->argv);
	return NULL;
}

/* Run prefix ops, then the op; returns the exit status. */
static int run(int argc, char **argv)
{
	char detail[4096] = "";

	if (argc < 1)
		usage("missing op");
	if (!strcmp(argv[0], "chdir") && argc > 1) {
		if (chdir(argv[1]) == -1)
			usage("chdir %s: %s", argv[1], strerror(errno));
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "umask") && argc > 1) {
		umask((mode_t)strtoul(argv[1], NULL, 8));
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "chroot") && argc > 1) {
		if (chroot(argv[1]) == -1 || chdir("/") == -1) {
			result("unsupported chroot %s", ename(errno));
			return 0;
		}
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "unshare-user-bind") && argc > 2) {
		/* What an unprivileged command can do by itself: a user namespace mapping only
		 * its own ids, and in it a mount namespace of its own. */
		char map[64];
		uid_t uid = getuid();
		gid_t gid = getgid();

		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == -1 ||
		    put_file("/proc/self/setgroups", "deny") == -1 ||
		    (snprintf(map, sizeof(map), "%u %u 1", uid, uid),
		     put_file("/proc/self/uid_map", map) == -1) ||
		    (snprintf(map, sizeof(map), "%u %u 1", gid, gid),
		     put_file("/proc/self/gid_map", map) == -1) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
		    mount(argv[1], argv[2], NULL, MS_BIND, NULL) == -1) {
			result("unsupported unshare-user-bind %s", ename(errno));
			return 0;
		}
		return run(argc - 3, argv + 3);
	}
	if (!strcmp(argv[0], "unshare-bind") && argc > 2) {
		if (unshare(CLONE_NEWNS) == -1 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
		    mount(argv[1], argv[2], NULL, MS_BIND, NULL) == -1) {
			result("unsupported unshare-bind %s", ename(errno));
			return 0;
		}
		return run(argc - 3, argv + 3);
	}
	if (!strcmp(argv[0], "wait") && argc > 1) {
		wait_file(argv[1]);
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "pid")) {
		result("pid=%d", getpid());
		return run(argc - 1, argv + 1);
	}
	if (!strcmp(argv[0], "pidfile") && argc > 1) {
		char tmp[PATH_MAX + 8], num[32];
		int fd, n;

		snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		n = snprintf(num, sizeof(num), "%d\n", getpid());
		if (fd == -1 || write(fd, num, (size_t)n) != n || close(fd) == -1 ||
		    rename(tmp, argv[1]) == -1)
			usage("pidfile %s: %s", argv[1], strerror(errno));
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "fork")) {
		pid_t pid = fork();
		int st;

		if (pid == -1)
			usage("fork: %s", strerror(errno));
		if (pid == 0)
			_exit(run(argc - 1, argv + 1));
		if (waitpid(pid, &st, 0) == -1)
			usage("waitpid: %s", strerror(errno));
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	if (!strcmp(argv[0], "thread")) {
		struct thread_args ta = { argc - 1, argv + 1, 0 };
		pthread_t t;

		if (pthread_create(&t, NULL, thread_main, &ta))
			usage("pthread_create failed");
		pthread_join(t, NULL);
		return ta.rc;
	}
	if (!strcmp(argv[0], "exec")) {
		argv[0] = (char *)"probe";
		execv("/proc/self/exe", argv);
		usage("execv: %s", strerror(errno));
	}
	if (!strcmp(argv[0], "loop") && argc > 2) {
		long n = parse_long(argv[1]), i;
		const struct op *op = find_op(argv[2], argc - 3);
		struct counts *c = calloc(1, sizeof(*c));

		if (!c)
			usage("out of memory");
		for (i = 0; i < n; i++) {
			char det[256] = "";
			int e = op->fn(argv + 3, det, sizeof(det));

			count(c, e < 0 ? 0 : e);
		}
		format_counts(detail, sizeof(detail), c, "");
		free(c);
		result("loop %s", detail);
		return 0;
	}
	{
		const struct op *op = find_op(argv[0], argc - 1);

		print_result(op->fn(argv + 1, detail, sizeof(detail)), detail);
	}
	return 0;
}

/* qconnect ADDR: connect once and exit 0, or exit with the errno; prints nothing. */
static int qconnect(const char *addr)
{
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, addr);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, len) == -1)
		return errno ? errno : 1;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "qconnect"))
		return qconnect(argv[2]);
	return run(argc - 1, argv + 1);
}
