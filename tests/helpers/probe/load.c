/* probe: load ops (probe.h) */
#include "probe.h"

/*
 * intr ADDR MS [restart]: connect (stream) to ADDR, interrupted after MS ms by SIGALRM whose
 * handler has no SA_RESTART (with "restart": has it); the result is the connect's.
 */
int op_intr(char **av, char *d, size_t dn)
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

void *connectn_thread(void *arg)
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

int op_connectn(char **av, char *d, size_t dn)
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
bool set_last_pid(pid_t pid)
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
struct sockaddr_un *pidreuse_child(struct sockaddr_un *x, const struct sockaddr_un *addr,
				   socklen_t len)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	x = mmap(x, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	memcpy(x, addr, len);
	dup2(s, RACE_FD);
	return x;
}

int op_pidreuse(char **av, char *d, size_t dn)
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
int tidreuse_connect(const struct sockaddr_un *sa, socklen_t alen)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	return s >= 0 && connect(s, (const struct sockaddr *)sa, alen) == 0 ? 0 : 1;
}

/* Killed by the SIGPIPE; exits 0 only if it never came. */
int tidreuse_sigpipe(void)
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

int op_tidreuse(char **av, char *d, size_t dn)
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

void *flood_thread(void *arg)
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
int op_fdflood(char **av, char *d, size_t dn)
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

bool soak_over(const struct soak *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > s->end.tv_sec ||
	       (now.tv_sec == s->end.tv_sec && now.tv_nsec >= s->end.tv_nsec);
}

void soak_bad(struct soak *s, const char *step, int e)
{
	int zero = 0;

	atomic_fetch_add(&s->bad, 1);
	if (atomic_compare_exchange_strong(&s->first_bad, &zero, e ? e : -1))
		snprintf(s->bad_step, sizeof(s->bad_step), "%s", step);
}

void *soak_thread(void *arg)
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
void soak_process(const char *allowed, const char *denied, int threads, long ms)
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
int op_soak(char **av, char *d, size_t dn)
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
