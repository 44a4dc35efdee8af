/* probe: hostile ops (probe.h) */
#include "probe.h"

/*
 * call CALL MODE [ADDR]: one raw syscall with a crafted argument, for comparing the errno in and
 * out of the sandbox. CALL: connect | sendto | sendmsg | sendmmsg | bind.
 * MODE: ok | badptr | straddle | len=N (64-bit, e.g. -1, 0xffffffff, 0x10000006e) | nul108 |
 * null (NULL address) | fd=N (use fd N instead of a fresh socket) | badmsg | namelen=N.
 */
int op_call(char **av, char *d, size_t dn)
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

void wait_file(const char *path)
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
int op_cmsg(char **av, char *d, size_t dn)
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
int op_mmsg(char **av, char *d, size_t dn)
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
int op_fdlimit(char **av, char *d, size_t dn)
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

void on_alarm(int sig)
{
	(void)sig;
}
