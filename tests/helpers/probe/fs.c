/* probe: fs ops (probe.h) */
#include "probe.h"

/* write PATH: create or truncate PATH and write "x" to it. */
int op_write(char **av, char *d, size_t dn)
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
int op_read(char **av, char *d, size_t dn)
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
int op_rename(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return rename(av[0], av[1]) == -1 ? errno : 0;
}

int op_symlink(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return symlink(av[0], av[1]) == -1 ? errno : 0;
}

int op_mkdir(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return mkdir(av[0], 0755) == -1 ? errno : 0;
}

int op_unlink(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return unlink(av[0]) == -1 ? errno : 0;
}

/* truncate PATH: truncate(2) to 0 bytes. */
int op_truncate(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return truncate(av[0], 0) == -1 ? errno : 0;
}

/* The parent's pid as /proc says it (field 4 of /proc/self/stat), not getppid(). */
pid_t proc_ppid(void)
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

/* write2 A B: "write A" then "write B"; detail: the errno name of each ("ok" for none). */
int op_write2(char **av, char *d, size_t dn)
{
	int i, e[2];

	for (i = 0; i < 2; i++) {
		int fd = open(av[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		e[i] = fd == -1 ? errno : 0;
		if (fd >= 0)
			close(fd);
	}
	snprintf(d, dn, "%s %s", e[0] ? ename(e[0]) : "ok", e[1] ? ename(e[1]) : "ok");
	return 0;
}

/* openat DIR NAME: create NAME with openat() relative to a dirfd on DIR. */
int op_openat(char **av, char *d, size_t dn)
{
	int dir = open(av[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;

	if (dir == -1)
		FAIL("open dir");
	fd = openat(dir, av[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	close(dir);
	if (fd == -1)
		FAIL("openat");
	close(fd);
	return 0;
}

/* tmpfile DIR: an unnamed file in DIR (O_TMPFILE); EOPNOTSUPP where the fs has none. */
int op_tmpfile(char **av, char *d, size_t dn)
{
	int fd = open(av[0], O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);

	if (fd == -1)
		FAIL("open");
	close(fd);
	return 0;
}

/* link FROM TO | rmdir DIR | mkfifo PATH */
int op_link(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return link(av[0], av[1]) == -1 ? errno : 0;
}

int op_rmdir(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return rmdir(av[0]) == -1 ? errno : 0;
}

int op_mkfifo(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return mkfifo(av[0], 0644) == -1 ? errno : 0;
}

struct fsrace {
	char path[PATH_MAX];
	size_t off;
	char a, b;
	atomic_int started, stop;
};

static void *fs_flipper(void *arg)
{
	struct fsrace *r = arg;
	volatile char *c = (volatile char *)&r->path[r->off];

	atomic_store(&r->started, 1);
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		*c = r->b;
		*c = r->a;
	}
	return NULL;
}

/* fsrace ALLOWED DENIED N: create ALLOWED N times (unlinking it after each success) while a
 * thread flips the one byte in which the paths differ; detail: the counts of each result. */
int op_fsrace(char **av, char *d, size_t dn)
{
	static struct fsrace r;
	static struct counts c;
	size_t la = strlen(av[0]), i;
	long n = parse_long(av[2]), k;
	pthread_t t;

	if (la != strlen(av[1]) || la >= sizeof(r.path))
		usage("fsrace: paths must have equal length");
	for (i = 0; i < la && av[0][i] == av[1][i]; i++)
		;
	if (i == la || strcmp(av[0] + i + 1, av[1] + i + 1))
		usage("fsrace: paths must differ in exactly one position");
	memcpy(r.path, av[0], la + 1);
	r.off = i;
	r.a = av[0][i];
	r.b = av[1][i];
	if (pthread_create(&t, NULL, fs_flipper, &r))
		usage("pthread_create failed");
	while (!atomic_load(&r.started))
		sched_yield();
	for (k = 0; k < n; k++) {
		int fd = open(r.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		count(&c, fd == -1 ? errno : 0);
		if (fd >= 0) {
			close(fd);
			unlink(av[0]);
		}
	}
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	format_counts(d, dn, &c, "");
	return 0;
}
