/* probe: helpers shared by every op (probe.h) */
#include "probe.h"

void usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "probe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

const char *ename(int e)
{
	static __thread char buf[32];
	const char *n = e ? strerrorname_np(e) : "0";

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

void result(const char *fmt, ...)
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
void printable(char *dst, size_t dstlen, const char *src, ssize_t n)
{
	size_t i, j = 0;

	for (i = 0; i < (size_t)n && j + 1 < dstlen; i++)
		dst[j++] = src[i] > ' ' && src[i] < 0x7f ? src[i] : '?';
	dst[j] = '\0';
}

long parse_long(const char *s)
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
socklen_t mkaddr(struct sockaddr_un *sun, const char *a)
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

int parse_type(const char *s)
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

long parse_family(const char *s)
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
int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, ms);
	} while (r == -1 && errno == EINTR);
	return r > 0 ? p.revents : 0;
}
