/*
 * The container tests' server, run on the host (tests/container/t-container.sh): listens on
 * each UNIX socket path it is given, in a directory the container bind-mounts, and answers
 * every connection on one thread, then closes it.
 *
 *   server [http:]PATH...
 *
 * PATH answers "hello\n" at once. http:PATH reads a request up to its blank line and answers
 * an HTTP/1.0 200 whose body is "hello\n" (for curl --unix-socket). Sockets are made mode
 * 0666, so a container user other than root can connect too. Runs until killed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_SOCKS 8

static const char http_reply[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
				 "Content-Length: 6\r\nConnection: close\r\n\r\nhello\n";

static int listen_on(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "server: %s: path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0666) == -1 || listen(fd, 64) == -1) {
		fprintf(stderr, "server: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return fd;
}

/* Read up to the request's blank line, bounded by the socket's timeout. */
static void read_request(int fd)
{
	char buf[2048];
	size_t n = 0;

	while (n < sizeof(buf) - 1) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);

		if (r <= 0)
			return;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return;
	}
}

static void answer(int lfd, int http)
{
	struct timeval tv = { .tv_sec = 2 };
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd == -1)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (http) {
		read_request(fd);
		if (write(fd, http_reply, sizeof(http_reply) - 1) == -1)
			perror("server: write");
	} else if (write(fd, "hello\n", 6) != 6) {
		perror("server: write");
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_SOCKS];
	int http[MAX_SOCKS];
	int n = 0;

	if (argc < 2 || argc - 1 > MAX_SOCKS) {
		fprintf(stderr, "usage: server [http:]PATH... (at most %d)\n", MAX_SOCKS);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		const char *p = argv[i];

		http[n] = strncmp(p, "http:", 5) == 0;
		pfd[n].fd = listen_on(http[n] ? p + 5 : p);
		pfd[n].events = POLLIN;
		if (pfd[n].fd == -1)
			return 1;
		n++;
	}
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("server: poll");
			return 1;
		}
		for (int i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				answer(pfd[i].fd, http[i]);
	}
}
