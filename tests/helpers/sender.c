/*
 * A stream client that sends MIB MiB with sendmsg, 1 MiB per call, while the test signals it
 * (tests/live/t-signals.c): each call's count is added up, a short count is continued from
 * where it stopped, and EINTR retried, as a careful program does.
 *
 * Usage: sender MODE ADDR MIB PIDFILE
 *   MODE: plain (no handler) | restart (a SIGUSR1 handler with SA_RESTART) |
 *         norestart (a SIGUSR1 handler without it) | timeout (SO_SNDTIMEO of 50 ms) |
 *         nonblock (O_NONBLOCK, waiting in poll on EAGAIN) |
 *         dgram (a SOCK_SEQPACKET socket, 4 KiB records with a SA_RESTART-less handler:
 *         records are all or nothing)
 *   PIDFILE: written with our pid before the first send, so the test knows whom to signal
 * Prints one line: "sent=BYTES calls=N short=S eintr=E eagain=A" or "errno ENAME STEP".
 * Plain: no sbx code, like any user binary.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t chunk = 1 << 20, total, sent = 0;
	long calls = 0, shorts = 0, eintr = 0, eagain = 0;
	unsigned char *buf;
	const char *mode;
	FILE *f;
	int fd;

	if (argc != 5) {
		fprintf(stderr, "usage: sender MODE ADDR MIB PIDFILE\n");
		return 2;
	}
	mode = argv[1];
	total = (size_t)atol(argv[3]) << 20;
	if (!strcmp(mode, "dgram"))
		chunk = 4096; /* the pattern repeats every record: a repeated record shows */
	if (!strcmp(mode, "restart") || !strcmp(mode, "norestart") || !strcmp(mode, "dgram")) {
		struct sigaction sa = { .sa_handler = on_usr1 };

		sa.sa_flags = !strcmp(mode, "restart") ? SA_RESTART : 0;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
	}
	buf = malloc(chunk);
	if (!buf) {
		printf("errno %d malloc\n", errno);
		return 0;
	}
	/* a pattern with the offset in it, so a repeat or a gap shows at the server */
	for (size_t i = 0; i < chunk; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[2]);
	fd = socket(AF_UNIX, (!strcmp(mode, "dgram") ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC,
		    0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		printf("errno %d connect\n", errno);
		return 0;
	}
	if (!strcmp(mode, "nonblock"))
		fcntl(fd, F_SETFL, O_NONBLOCK);
	if (!strcmp(mode, "timeout")) {
		struct timeval tv = { 0, 50 * 1000 };

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	f = fopen(argv[4], "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
		printf("errno %d pidfile\n", errno);
		return 0;
	}
	while (sent < total) {
		size_t off = sent % chunk, n = chunk - off;
		struct iovec iov = { buf + off, n };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t r = sendmsg(fd, &mh, 0);

		calls++;
		if (r < 0) {
			if (errno == EINTR) {
				eintr++;
				continue;
			}
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				eagain++;
				poll(&p, 1, 1000);
				continue;
			}
			printf("errno %d sendmsg\n", errno);
			return 0;
		}
		if ((size_t)r < n)
			shorts++;
		sent += (size_t)r;
	}
	close(fd);
	printf("sent=%zu calls=%ld short=%ld eintr=%ld eagain=%ld\n", sent, calls, shorts, eintr,
	       eagain);
	return 0;
}
