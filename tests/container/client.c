/*
 * The container tests' client (tests/container/t-container.sh): connects to one UNIX socket
 * path or one IPv4 TCP endpoint and prints what happened on one line, so a row of the matrix
 * is a string compare. Built static: the test image has no libc.
 *
 *   client unix PATH        client tcp ADDR PORT
 *
 * Prints "ok LINE" (the server's first line) and exits 0, or "errno NAME" (connect or read
 * failed) and exits 3, a status the tests expect sbx to pass through. A read is bounded by a
 * timeout, so a server that never answers is an "errno EAGAIN", not a hung test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define EXIT_REFUSED 3

static int fail(int e)
{
	const char *name = strerrorname_np(e);

	if (name)
		printf("errno %s\n", name);
	else
		printf("errno E%d\n", e);
	return EXIT_REFUSED;
}

static int usage(void)
{
	fprintf(stderr, "usage: client unix PATH | client tcp ADDR PORT\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct timeval tv = { .tv_sec = 5 };
	socklen_t len;
	char line[256];
	size_t n = 0;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (argc == 3 && strcmp(argv[1], "unix") == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		if (strlen(argv[2]) >= sizeof(sun->sun_path))
			return usage();
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, argv[2]);
		len = sizeof(*sun);
	} else if (argc == 4 && strcmp(argv[1], "tcp") == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &sin->sin_addr) != 1)
			return usage();
		len = sizeof(*sin);
	} else {
		return usage();
	}

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return fail(errno);
	if (connect(fd, (struct sockaddr *)&ss, len) == -1)
		return fail(errno);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1)
		return fail(errno);
	/* One line, read a byte at a time: the server closes after it. */
	while (n < sizeof(line) - 1) {
		ssize_t r = read(fd, line + n, 1);

		if (r == -1)
			return fail(errno);
		if (r == 0 || line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	printf("ok %s\n", line);
	close(fd);
	return 0;
}
