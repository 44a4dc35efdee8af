/* probe: race ops (probe.h) */
#include "probe.h"

void count(struct counts *c, int e)
{
	atomic_fetch_add(&c->n[e >= 0 && e < MAX_ERRNO ? e : 0], 1);
}

/* Append " PFXok=N PFXENAME=N..." (ok always, errnos only when nonzero) to @d. */
void format_counts(char *d, size_t dn, struct counts *c, const char *pfx)
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

void *flipper(void *arg)
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
int op_race(char **av, char *d, size_t dn)
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

void *swapper(void *arg)
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

void *denied_connector(void *arg)
{
	struct dup2race *r = arg;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed))
		count(&r->cb,
		      connect(RACE_FD, (struct sockaddr *)&r->b, r->blen) == -1 ? errno : 0);
	return NULL;
}

/* dup2race ALLOWED DENIED N: main connects fd 100 to ALLOWED N times ("a." counts) while one
 * thread dup2()s fresh sockets onto fd 100 and another connects fd 100 to DENIED ("b."). */
int op_dup2race(char **av, char *d, size_t dn)
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
int op_opath_connect(char **av, char *d, size_t dn)
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
