/*
 * The micro-benchmark client: one workload per run, timed inside the process so that the
 * wrapper it runs under (sbx-supervise, strace, bwrap, the notify floor…) costs nothing but
 * what it adds to the calls themselves.
 *
 * Usage: sbx-bench WORKLOAD SAMPLES BATCH [ARG...]
 * Runs BATCH/8 warm-up iterations, then SAMPLES batches of BATCH iterations, and prints one
 * line on stdout: "samples NS NS ..." (nanoseconds per iteration of each batch), or
 * "skip REASON" when the workload cannot run here, or "error STEP ERRNO" when a call failed.
 *
 * Workloads (DIR is a directory the sandbox allows, DENIED a socket file it does not):
 *   getppid                      a call the filter never notifies
 *   socketpair                   socketpair + write + read + 2 close
 *   socket                       socket(AF_UNIX) + close
 *   connect DIR                  socket + connect to a listener in DIR + accept + 2 close
 *   connect-denied DENIED        socket + connect to DENIED (refused or denied) + close
 *   sendto DIR                   sendto with an address on a datagram socket + recv
 *   sendmsg                      sendmsg on a connected stream socket + read
 *   files DIR                    open(DIR/f, O_CREAT|O_WRONLY|O_TRUNC) + write + close + unlink:
 *                                the writes sbx notifies to explain a refusal (--explain)
 *   tcp-connect PORT [HOST]      socket(AF_INET) + connect 127.0.0.1:PORT + close (RST);
 *                                with HOST, its IPv4 address (looked up once, before timing)
 *   tput threads|procs N MS      N clients make notified calls for MS ms; prints
 *                                "tput TOTAL MS C1 C2 …" (calls per client) instead
 *   spawn -- CMD [ARG...]        fork + exec CMD + wait (startup cost); $SBX_BENCH_FD3
 *                                names a file opened as fd 3 in the child
 * Helper, run outside any sandbox:
 *   serve-tcp PORTFILE           listen on 127.0.0.1:0, write the port, accept and close
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_CLIENTS 64

static int bench_batch;
static char **bench_argv;
static int bench_argc;

/* Per-workload state set up once before timing. */
static int st_listen = -1, st_a = -1, st_b = -1;
static struct sockaddr_un st_addr;
static socklen_t st_addrlen;
static bool st_owned; /* st_addr names a socket this process bound: unlink it at exit */
static struct sockaddr_in st_in;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fail(const char *step)
{
	printf("error %s %s\n", step, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	exit(1);
}

static void usage(void)
{
	fputs("usage: sbx-bench WORKLOAD SAMPLES BATCH [ARG...] (see bench/sbx-bench.c)\n", stderr);
	exit(2);
}

static const char *arg(int i)
{
	if (i >= bench_argc)
		usage();
	return bench_argv[i];
}

static void set_unix_addr(const char *path)
{
	memset(&st_addr, 0, sizeof(st_addr));
	st_addr.sun_family = AF_UNIX;
	if (snprintf(st_addr.sun_path, sizeof(st_addr.sun_path), "%s", path) >=
	    (int)sizeof(st_addr.sun_path)) {
		errno = ENAMETOOLONG;
		fail("path");
	}
	st_addrlen = sizeof(st_addr);
}

/* A listener (or receiver) in the allowed directory, unique per process. */
static int bind_in(const char *dir, const char *what, int type)
{
	char path[108];
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	if (fd == -1)
		fail("socket");
	snprintf(path, sizeof(path), "%s/%s-%d.sock", dir, what, getpid());
	unlink(path);
	set_unix_addr(path);
	if (bind(fd, (struct sockaddr *)&st_addr, st_addrlen) == -1)
		fail("bind");
	if (type == SOCK_STREAM && listen(fd, 4096) == -1)
		fail("listen");
	st_owned = true;
	return fd;
}

static void cleanup_path(void)
{
	if (st_owned)
		unlink(st_addr.sun_path);
}

static char st_file[sizeof(st_addr.sun_path) + 8];

static void op_files(void)
{
	int fd = open(st_file, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);

	if (fd == -1)
		fail("open");
	if (write(fd, "x", 1) != 1)
		fail("write");
	close(fd);
	if (unlink(st_file) == -1)
		fail("unlink");
}

static void op_getppid(void)
{
	syscall(SYS_getppid);
}

static void op_socketpair(void)
{
	int sv[2];
	char c = 'x';

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fail("socketpair");
	if (write(sv[0], &c, 1) != 1 || read(sv[1], &c, 1) != 1)
		fail("write/read");
	close(sv[0]);
	close(sv[1]);
}

static void op_socket(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		fail("socket");
	close(fd);
}

static void op_connect(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), a;

	if (fd == -1)
		fail("socket");
	if (connect(fd, (struct sockaddr *)&st_addr, st_addrlen) == -1)
		fail("connect");
	a = accept4(st_listen, NULL, NULL, SOCK_CLOEXEC);
	if (a == -1)
		fail("accept");
	close(a);
	close(fd);
}

static void op_connect_denied(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		fail("socket");
	/* Natively ECONNREFUSED (a socket file nobody listens on), in a sandbox EPERM. */
	if (connect(fd, (struct sockaddr *)&st_addr, st_addrlen) == 0) {
		errno = 0;
		fail("connect-succeeded");
	}
	close(fd);
}

static void op_sendto(void)
{
	char buf[64] = { 0 };

	if (sendto(st_a, buf, sizeof(buf), 0, (struct sockaddr *)&st_addr, st_addrlen) !=
	    sizeof(buf))
		fail("sendto");
	if (recv(st_listen, buf, sizeof(buf), 0) != sizeof(buf))
		fail("recv");
}

static void op_sendmsg(void)
{
	char buf[64] = { 0 };
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (sendmsg(st_a, &m, 0) != sizeof(buf))
		fail("sendmsg");
	if (read(st_b, buf, sizeof(buf)) != sizeof(buf))
		fail("read");
}

static void op_tcp_connect(void)
{
	/* RST on close: no TIME_WAIT, so ports are not exhausted by a long run. */
	struct linger lg = { 1, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		fail("socket");
	if (connect(fd, (struct sockaddr *)&st_in, sizeof(st_in)) == -1)
		fail("connect");
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void op_spawn(void)
{
	pid_t pid = fork();
	int status;

	if (pid == -1)
		fail("fork");
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		const char *fd3 = getenv("SBX_BENCH_FD3");

		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		/* bwrap --seccomp 3 reads its program from fd 3: a fresh open per spawn, so the
		 * peer is timed alone, not behind a shell that opens it. */
		if (fd3) {
			int fd = open(fd3, O_RDONLY);

			if (fd == -1 || dup2(fd, 3) == -1)
				_exit(126);
		}
		execvp(bench_argv[0], bench_argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		fail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = 0;
		fail("spawned-command-failed");
	}
}

/* Notification throughput: each client makes notified calls that cost the kernel almost
 * nothing (connect(AF_UNSPEC) on a datagram socket dissolves an association that is not
 * there), so the rate is the supervisor's. */
struct tput {
	atomic_int go, stop;
	atomic_long count[BENCH_MAX_CLIENTS];
};

static void tput_client(struct tput *t, int i)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	long n = 0;

	while (!atomic_load(&t->go))
		;
	while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		connect(fd, &sa, sizeof(sa));
		n++;
		if ((n & 15) == 0)
			atomic_store_explicit(&t->count[i], n, memory_order_relaxed);
	}
	atomic_store(&t->count[i], n);
	close(fd);
}

struct tput_arg {
	struct tput *t;
	int i;
};

static void *tput_thread(void *p)
{
	struct tput_arg *a = p;

	tput_client(a->t, a->i);
	return NULL;
}

static int run_tput(void)
{
	bool procs = !strcmp(arg(0), "procs");
	int n = atoi(arg(1)), ms = atoi(arg(2)), i;
	struct tput *t =
		mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct tput_arg args[BENCH_MAX_CLIENTS];
	pthread_t th[BENCH_MAX_CLIENTS];
	pid_t pids[BENCH_MAX_CLIENTS];
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	uint64_t t0, t1;
	long total = 0;

	if (t == MAP_FAILED)
		fail("mmap");
	if (n < 1 || n > BENCH_MAX_CLIENTS || ms < 1)
		usage();
	for (i = 0; i < n; i++) {
		if (procs) {
			pids[i] = fork();
			if (pids[i] == -1)
				fail("fork");
			if (pids[i] == 0) {
				tput_client(t, i);
				_exit(0);
			}
		} else {
			args[i] = (struct tput_arg){ t, i };
			if (pthread_create(&th[i], NULL, tput_thread, &args[i]))
				fail("pthread_create");
		}
	}
	t0 = now_ns();
	atomic_store(&t->go, 1);
	nanosleep(&d, NULL);
	atomic_store(&t->stop, 1);
	t1 = now_ns();
	for (i = 0; i < n; i++) {
		if (procs)
			waitpid(pids[i], NULL, 0);
		else
			pthread_join(th[i], NULL);
	}
	for (i = 0; i < n; i++)
		total += atomic_load(&t->count[i]);
	printf("tput %ld %.3f", total, (t1 - t0) / 1e6);
	for (i = 0; i < n; i++)
		printf(" %ld", atomic_load(&t->count[i]));
	printf("\n");
	return 0;
}

static int serve_tcp(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	FILE *f;

	if (fd == -1)
		fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 || listen(fd, 4096) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) == -1)
		fail("listen");
	f = fopen(arg(0), "we");
	if (!f)
		fail("portfile");
	fprintf(f, "%d\n", ntohs(sa.sin_port));
	fclose(f);
	for (;;) {
		int a = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (a >= 0)
			close(a);
	}
	return 0;
}

static void setup(const char *w, void (**op)(void))
{
	int sv[2];

	if (!strcmp(w, "getppid")) {
		*op = op_getppid;
	} else if (!strcmp(w, "socketpair")) {
		*op = op_socketpair;
	} else if (!strcmp(w, "socket")) {
		*op = op_socket;
	} else if (!strcmp(w, "connect")) {
		st_listen = bind_in(arg(0), "listen", SOCK_STREAM);
		*op = op_connect;
	} else if (!strcmp(w, "connect-denied")) {
		set_unix_addr(arg(0));
		*op = op_connect_denied;
	} else if (!strcmp(w, "sendto")) {
		st_listen = bind_in(arg(0), "dgram", SOCK_DGRAM);
		st_a = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (st_a == -1)
			fail("socket");
		*op = op_sendto;
	} else if (!strcmp(w, "sendmsg")) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
			fail("socketpair");
		st_a = sv[0];
		st_b = sv[1];
		*op = op_sendmsg;
	} else if (!strcmp(w, "files")) {
		if ((size_t)snprintf(st_file, sizeof(st_file), "%s/f%d", arg(0), (int)getpid()) >=
		    sizeof(st_file))
			fail("path");
		*op = op_files;
	} else if (!strcmp(w, "tcp-connect")) {
		st_in.sin_family = AF_INET;
		st_in.sin_port = htons((uint16_t)atoi(arg(0)));
		st_in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bench_argc > 1) {
			struct addrinfo hints = { .ai_family = AF_INET,
						  .ai_socktype = SOCK_STREAM };
			struct addrinfo *res = NULL;

			if (getaddrinfo(bench_argv[1], NULL, &hints, &res) != 0 || !res)
				fail("getaddrinfo");
			st_in.sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
			freeaddrinfo(res);
		}
		*op = op_tcp_connect;
	} else if (!strcmp(w, "spawn")) {
		if (bench_argc > 0 && !strcmp(bench_argv[0], "--")) {
			bench_argv++;
			bench_argc--;
		}
		arg(0);
		*op = op_spawn;
	} else {
		usage();
	}
}

int main(int argc, char **argv)
{
	void (*op)(void) = NULL;
	int samples, i, j;
	uint64_t t0;

	if (argc >= 3 && !strcmp(argv[1], "serve-tcp")) {
		bench_argv = argv + 2;
		bench_argc = argc - 2;
		return serve_tcp();
	}
	if (argc < 4)
		usage();
	samples = atoi(argv[2]);
	bench_batch = atoi(argv[3]);
	bench_argv = argv + 4;
	bench_argc = argc - 4;
	if (!strcmp(argv[1], "tput"))
		return run_tput();
	if (samples < 1 || bench_batch < 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	setup(argv[1], &op);
	for (i = 0; i < bench_batch / 8 + 1; i++)
		op();
	printf("samples");
	for (i = 0; i < samples; i++) {
		t0 = now_ns();
		for (j = 0; j < bench_batch; j++)
			op();
		printf(" %.1f", (double)(now_ns() - t0) / bench_batch);
	}
	printf("\n");
	cleanup_path();
	return 0;
}
