/*
 * Process-model attacks on the supervisor, run inside the sandbox by tests/live/t-authority.c:
 * callers it has not seen before (vfork, clone3 children), a filter of the command's own
 * (SECCOMP_RET_TRACE, a second user-notification listener), and set-user-ID execve.
 *
 * Usage: intruder OP ADDR
 *   vfork | clone3               connect to ADDR from such a child
 *   trace                        connect after installing a filter returning SECCOMP_RET_TRACE
 *   listener                     try a listener of our own that answers CONTINUE, then connect
 *   ids                          print the real and effective ids, then connect
 * and: intruder sendflood N ADDR
 *   print "ready", then N threads each connect to ADDR and sendmsg 4 MiB from one shared
 *   buffer; once all are connected, "parked=N"; as the sends return, "returned=N", then wait
 *   to be killed
 * and: intruder flood N FULL VICTIM DENIED
 *   park N threads in connects to FULL (a server whose backlog is full), then connect to
 *   VICTIM and DENIED from a child process: "parked=P victim=R denied=R (T ms)"
 * ADDR is a pathname or @NAME. Prints one line: "ok", "errno ENAME", or for listener
 * "listener=ENAME|ok connect=ok|ENAME", for ids "uid=U euid=E connect=...".
 * Plain: no sbx code, like any user binary.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

static const char *ename(int e)
{
	static char buf[16];

	switch (e) {
	case 0:
		return "ok";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EBUSY:
		return "EBUSY";
	case ENOSYS:
		return "ENOSYS";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ENOENT:
		return "ENOENT";
	case EINVAL:
		return "EINVAL";
	}
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static const char *addr_arg;

/* Connect to addr_arg; 0 or the errno. The reply of an echo server is not needed. */
static int try_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(addr_arg);
	socklen_t len;
	int fd, r;

	if (n >= sizeof(sun.sun_path))
		return ENAMETOOLONG;
	memcpy(sun.sun_path, addr_arg, n);
	if (addr_arg[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (addr_arg[0] != '@'));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errno;
	r = connect(fd, (struct sockaddr *)&sun, len) == -1 ? errno : 0;
	close(fd);
	return r;
}

static int wait_code(pid_t pid)
{
	int st;

	if (pid < 0)
		return -1;
	if (waitpid(pid, &st, __WALL) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* A child made by clone3, which glibc's fork does not use (a sharing-memory child would need
 * the assembly vfork has; vfork itself is the op above). */
static int op_clone3(void)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	long pid;

	pid = syscall(__NR_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(try_connect());
	if (pid < 0) {
		printf("errno %s clone3\n", ename(errno));
		return 0;
	}
	return wait_code((pid_t)pid);
}

static int listener_fd = -1;

static void *answer_continue(void *arg)
{
	(void)arg;
	for (;;) {
		struct seccomp_notif n;
		struct seccomp_notif_resp r;

		memset(&n, 0, sizeof(n));
		if (ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, &n) == -1)
			return NULL;
		memset(&r, 0, sizeof(r));
		r.id = n.id;
		r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
	}
}

static int own_filter(uint32_t action, unsigned int flags)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static atomic_int parked;

static void *park(void *arg)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", (const char *)arg);
	atomic_fetch_add(&parked, 1);
	/* blocks until the test ends the flood; the result does not matter */
	(void)connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	for (;;)
		pause();
	return NULL;
}

static int op_flood(int n, const char *full, const char *victim, const char *denied)
{
	pthread_attr_t attr;
	int i, v, d;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 0; i < n; i++) {
		pthread_t th;

		if (pthread_create(&th, &attr, park, (void *)full))
			break;
	}
	while (atomic_load(&parked) < i)
		usleep(1000);
	/* let the last connects reach the supervisor, which starts a worker for each */
	usleep(200 * 1000 + (useconds_t)n * 500);
	{
		/* the victims: another process of the sandbox, as a build's other jobs are */
		struct timespec t0, t1;
		pid_t pid;
		int st;

		int tp[2];

		if (pipe(tp) == -1)
			_exit(1);
		pid = fork();
		if (pid == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			addr_arg = victim;
			v = try_connect();
			addr_arg = denied;
			d = try_connect();
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (write(tp[1], &t0, sizeof(t0)) != sizeof(t0) ||
			    write(tp[1], &t1, sizeof(t1)) != sizeof(t1))
				_exit(1);
			_exit((v & 0x7f) | (d == EPERM ? 0x80 : 0));
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    read(tp[0], &t0, sizeof(t0)) != sizeof(t0) ||
		    read(tp[0], &t1, sizeof(t1)) != sizeof(t1))
			_exit(1);
		v = WEXITSTATUS(st) & 0x7f;
		d = WEXITSTATUS(st) & 0x80 ? EPERM : -1;
		printf("parked=%d victim=%s denied=%s (%ld ms)\n", i, ename(v), ename(d),
		       (long)((t1.tv_sec - t0.tv_sec) * 1000 +
			      (t1.tv_nsec - t0.tv_nsec) / 1000000));
	}
	fflush(stdout);
	_exit(0);
}

static atomic_int returned;
static unsigned char *flood_buf;
#define SBX_FLOOD_BYTES (4 << 20)

static void *send_big(void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct iovec iov = { flood_buf, SBX_FLOOD_BYTES };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", (const char *)arg);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		atomic_fetch_add(&parked, 1);
		(void)sendmsg(fd, &mh, MSG_NOSIGNAL); /* blocks: the server never reads */
	}
	atomic_fetch_add(&returned, 1);
	return NULL;
}

static int op_sendflood(int n, const char *addr)
{
	pthread_attr_t attr;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	flood_buf = calloc(1, SBX_FLOOD_BYTES);
	if (!flood_buf)
		return 1;
	printf("ready\n");
	usleep(300 * 1000);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 0; i < n; i++) {
		pthread_t th;

		if (pthread_create(&th, &attr, send_big, (void *)addr))
			break;
	}
	while (atomic_load(&parked) + 0 < i && atomic_load(&returned) < i)
		usleep(1000);
	printf("parked=%d\n", atomic_load(&parked));
	while (atomic_load(&returned) < i)
		usleep(1000);
	printf("returned=%d\n", i);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *op;
	int r;

	if (argc == 4 && !strcmp(argv[1], "sendflood"))
		return op_sendflood(atoi(argv[2]), argv[3]);

	if (argc == 6 && !strcmp(argv[1], "flood"))
		return op_flood(atoi(argv[2]), argv[3], argv[4], argv[5]);
	if (argc != 3) {
		fprintf(stderr, "usage: intruder OP ADDR\n");
		return 2;
	}
	op = argv[1];
	addr_arg = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(op, "vfork")) {
		pid_t pid = vfork();

		if (pid == 0)
			_exit(try_connect());
		r = wait_code(pid);
	} else if (!strcmp(op, "clone3")) {
		r = op_clone3();
	} else if (!strcmp(op, "trace")) {
		if (own_filter(SECCOMP_RET_TRACE, 0) == -1) {
			printf("errno %s seccomp\n", ename(errno));
			return 0;
		}
		r = try_connect();
	} else if (!strcmp(op, "listener")) {
		pthread_t th;
		int e = 0;

		listener_fd = own_filter(SECCOMP_RET_USER_NOTIF, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (listener_fd < 0)
			e = errno;
		else if (pthread_create(&th, NULL, answer_continue, NULL))
			e = EAGAIN;
		printf("listener=%s connect=%s\n", ename(e), ename(try_connect()));
		return 0;
	} else if (!strcmp(op, "ids")) {
		printf("uid=%u euid=%u connect=%s\n", getuid(), geteuid(), ename(try_connect()));
		return 0;
	} else {
		fprintf(stderr, "intruder: unknown op %s\n", op);
		return 2;
	}
	if (r < 0)
		printf("errno E? wait\n");
	else
		printf(r ? "errno %s\n" : "%s\n", ename(r));
	return 0;
}
