/*
 * Owns the live-test harness: run bound, temp dir, counting UNIX servers, and running the
 * supervisor with captured output. Nothing here knows sbx internals: it drives the binary.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_PROCS   64
#define MAX_CLIENTS 64
#define MAX_STRS    256
#define MAX_SERVERS 32
#define DATA_SZ	    4096
#define SYNC_MS	    5000
#define SYNC_MAGIC  "\001sbx-t-sync"

static char supervise_path[PATH_MAX];
static char probe_path[PATH_MAX];
static char tmpdir[64];
static pid_t owner_pid;

/* Process groups still running, for the alarm handler and exit: plain ints, signal-safe. */
static volatile pid_t live_pgids[MAX_PROCS];

static char *strs[MAX_STRS];
static int nstrs;

struct sbx_t_server {
	int type;
	char addr[128];
	int fd;
	int stop[2];
	pthread_t thread;
	pthread_mutex_t lock;
	int count, syncs;
	pid_t peer_pid;
	char data[DATA_SZ];
	size_t data_len;
	char fd_data[64];
};

static struct sbx_t_server *servers[MAX_SERVERS];

static void track_pgid(pid_t pgid, bool on)
{
	int i;

	for (i = 0; i < MAX_PROCS; i++) {
		if (on && live_pgids[i] == 0) {
			live_pgids[i] = pgid;
			return;
		}
		if (!on && live_pgids[i] == pgid) {
			live_pgids[i] = 0;
			return;
		}
	}
}

static void kill_all_pgids(void)
{
	int i;

	for (i = 0; i < MAX_PROCS; i++)
		if (live_pgids[i] > 0)
			kill(-live_pgids[i], SIGKILL);
}

static void on_alarm(int sig)
{
	static const char msg[] =
		"Bail out! the test exceeded its time bound; killed its children\n";

	(void)sig;
	kill_all_pgids();
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(255);
	_exit(255);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void cleanup(void)
{
	int i;

	if (getpid() != owner_pid)
		return;
	kill_all_pgids();
	for (i = 0; i < MAX_PROCS; i++) {
		if (live_pgids[i] > 0)
			while (waitpid(-live_pgids[i], NULL, WNOHANG) > 0)
				;
	}
	for (i = 0; i < MAX_SERVERS; i++)
		sbx_t_server_stop(servers[i]);
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < nstrs; i++)
		free(strs[i]);
	nstrs = 0;
}

static const char *keep_str(char *s)
{
	if (!s)
		bail_out("out of memory");
	if (nstrs == MAX_STRS)
		bail_out("harness: too many strings");
	strs[nstrs++] = s;
	return s;
}

void sbx_t_init(unsigned int seconds)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	const char *b = getenv("SBX_BUILD");
	char self[PATH_MAX], build[PATH_MAX];
	ssize_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	owner_pid = getpid();
	atexit(cleanup);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);

	if (b && *b) {
		snprintf(build, sizeof(build), "%s", b);
	} else {
		/* BUILD/tests/live/NAME.t */
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			bail_out("SBX_BUILD is not set and /proc/self/exe is unreadable");
		self[n] = '\0';
		snprintf(build, sizeof(build), "%s", dirname(dirname(dirname(self))));
	}
	snprintf(supervise_path, sizeof(supervise_path), "%.4000s/sbx-supervise", build);
	snprintf(probe_path, sizeof(probe_path), "%.4000s/tests/helpers/probe", build);
	if (access(supervise_path, X_OK) == -1)
		bail_out("%s is not built (set SBX_BUILD, run make tests)", supervise_path);
	if (access(probe_path, X_OK) == -1)
		bail_out("%s is not built (set SBX_BUILD, run make tests)", probe_path);
}

const char *sbx_t_supervise(void)
{
	return supervise_path;
}

const char *sbx_t_probe(void)
{
	return probe_path;
}

const char *sbx_t_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/sbx-t.XXXXXX");
		if (!mkdtemp(tmpdir)) {
			tmpdir[0] = '\0';
			bail_out("mkdtemp: %s", strerror(errno));
		}
	}
	return tmpdir;
}

const char *sbx_t_tmp(const char *fmt, ...)
{
	char name[PATH_MAX], *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (asprintf(&s, "%s/%s", sbx_t_tmpdir(), name) == -1)
		s = NULL;
	return keep_str(s);
}

const char *sbx_t_abstract(const char *tag)
{
	char *s = NULL;

	if (asprintf(&s, "@sbx-t.%d.%s", (int)getpid(), tag) == -1)
		s = NULL;
	return keep_str(s);
}

socklen_t sbx_t_mkaddr(struct sockaddr_un *sun, const char *addr)
{
	size_t n = strlen(addr);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (n >= sizeof(sun->sun_path))
		bail_out("address too long: %s", addr);
	if (addr[0] == '@') {
		memcpy(sun->sun_path + 1, addr + 1, n - 1);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	memcpy(sun->sun_path, addr, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

int sbx_t_connect(const char *addr, int type)
{
	struct sockaddr_un sun;
	socklen_t len = sbx_t_mkaddr(&sun, addr);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), e;

	if (fd == -1)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, len) == -1) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int sbx_t_stale_socket(const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = sbx_t_mkaddr(&sun, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e = 0;

	if (fd == -1)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, len) == -1)
		e = -errno;
	close(fd);
	return e;
}

int sbx_t_write_file(const char *path, const char *content)
{
	size_t n = strlen(content);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), e = 0;

	if (fd == -1)
		return -errno;
	if (write(fd, content, n) != (ssize_t)n)
		e = -EIO;
	close(fd);
	return e;
}

bool sbx_t_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool sbx_t_listening(const char *addr)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/net/unix", "re");

	if (!f)
		return false;
	/* Num RefCount Protocol Flags Type St Inode Path; __SO_ACCEPTCON is flag 0x10000 */
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long flags;
		char path[256];

		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %255s", &flags, path) == 2)
			found = (flags & 0x10000) && !strcmp(path, addr);
	}
	fclose(f);
	return found;
}

/* ---- servers ---- */

static void append_data(struct sbx_t_server *s, const char *buf, size_t n)
{
	if (n > sizeof(s->data) - 1 - s->data_len)
		n = sizeof(s->data) - 1 - s->data_len;
	memcpy(s->data + s->data_len, buf, n);
	s->data_len += n;
	s->data[s->data_len] = '\0';
}

/* Read one message from @fd; record bytes and any SCM_RIGHTS fd's content. Returns bytes. */
static ssize_t server_recv(struct sbx_t_server *s, int fd, char *buf, size_t len)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;

	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t i, nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int rfd;
			ssize_t r;

			memcpy(&rfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			pthread_mutex_lock(&s->lock);
			r = pread(rfd, s->fd_data, sizeof(s->fd_data) - 1, 0);
			s->fd_data[r > 0 ? r : 0] = '\0';
			pthread_mutex_unlock(&s->lock);
			close(rfd);
		}
	}
	return n;
}

static void *server_main(void *arg)
{
	struct sbx_t_server *s = arg;
	struct pollfd pfd[2 + MAX_CLIENTS];
	int nc = 0, i;
	char buf[2048];

	pfd[0] = (struct pollfd){ .fd = s->stop[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	for (;;) {
		if (poll(pfd, (nfds_t)(2 + nc), -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		if (pfd[1].revents & POLLIN && s->type == SOCK_DGRAM) {
			ssize_t n;

			while ((n = server_recv(s, s->fd, buf, sizeof(buf))) >= 0) {
				bool sync = (size_t)n == strlen(SYNC_MAGIC) &&
					    !memcmp(buf, SYNC_MAGIC, (size_t)n);

				pthread_mutex_lock(&s->lock);
				if (sync) {
					s->syncs++;
				} else {
					s->count++;
					append_data(s, buf, (size_t)n);
				}
				pthread_mutex_unlock(&s->lock);
			}
		} else if (pfd[1].revents & POLLIN) {
			int c;

			while ((c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >=
			       0) {
				struct ucred cr = { 0 };
				socklen_t cl = sizeof(cr);

				getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
				pthread_mutex_lock(&s->lock);
				if (cr.pid == getpid()) {
					s->syncs++;
				} else {
					s->count++;
					s->peer_pid = cr.pid;
				}
				pthread_mutex_unlock(&s->lock);
				if (nc == MAX_CLIENTS) {
					/* make room: drop the oldest client */
					close(pfd[2].fd);
					memmove(&pfd[2], &pfd[3],
						sizeof(pfd[0]) * (MAX_CLIENTS - 1));
					nc--;
				}
				pfd[2 + nc++] = (struct pollfd){ .fd = c, .events = POLLIN };
			}
		}
		for (i = 2; i < 2 + nc; i++) {
			ssize_t n;

			if (!pfd[i].revents)
				continue;
			n = server_recv(s, pfd[i].fd, buf, sizeof(buf));
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n > 0) {
				pthread_mutex_lock(&s->lock);
				append_data(s, buf, (size_t)n);
				pthread_mutex_unlock(&s->lock);
				if (send(pfd[i].fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) >=
				    0)
					continue;
			}
			close(pfd[i].fd);
			pfd[i] = pfd[1 + nc];
			nc--;
			i--;
		}
	}
	for (i = 2; i < 2 + nc; i++)
		close(pfd[i].fd);
	return NULL;
}

struct sbx_t_server *sbx_t_server_start(int type, const char *addr)
{
	struct sbx_t_server *s = calloc(1, sizeof(*s));
	struct sockaddr_un sun;
	socklen_t len;
	int i;

	if (!s)
		bail_out("out of memory");
	s->type = type;
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	len = sbx_t_mkaddr(&sun, addr);
	pthread_mutex_init(&s->lock, NULL);
	s->fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd == -1 || bind(s->fd, (struct sockaddr *)&sun, len) == -1)
		bail_out("server on %s: %s", addr, strerror(errno));
	if (type != SOCK_DGRAM && listen(s->fd, 128) == -1)
		bail_out("listen on %s: %s", addr, strerror(errno));
	if (pipe2(s->stop, O_CLOEXEC) == -1)
		bail_out("pipe2: %s", strerror(errno));
	if (pthread_create(&s->thread, NULL, server_main, s))
		bail_out("pthread_create failed");
	for (i = 0; i < MAX_SERVERS && servers[i]; i++)
		;
	if (i == MAX_SERVERS)
		bail_out("harness: too many servers");
	servers[i] = s;
	return s;
}

static bool sync_seen(void *arg)
{
	struct sbx_t_server *s = arg;
	bool r;

	pthread_mutex_lock(&s->lock);
	r = s->syncs > 0;
	if (r)
		s->syncs--;
	pthread_mutex_unlock(&s->lock);
	return r;
}

bool sbx_t_server_sync(struct sbx_t_server *s)
{
	int fd;
	bool r;

	pthread_mutex_lock(&s->lock);
	s->syncs = 0;
	pthread_mutex_unlock(&s->lock);
	if (s->type == SOCK_DGRAM) {
		struct sockaddr_un sun;
		socklen_t len = sbx_t_mkaddr(&sun, s->addr);

		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd == -1 || sendto(fd, SYNC_MAGIC, strlen(SYNC_MAGIC), 0,
				       (struct sockaddr *)&sun, len) == -1) {
			diag("sync %s: %s", s->addr, strerror(errno));
			if (fd >= 0)
				close(fd);
			return false;
		}
	} else {
		fd = sbx_t_connect(s->addr, s->type);
		if (fd < 0) {
			diag("sync %s: %s", s->addr, strerror(-fd));
			return false;
		}
	}
	r = sbx_t_wait_for(sync_seen, s, SYNC_MS);
	close(fd);
	return r;
}

int sbx_t_server_count(struct sbx_t_server *s)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = s->count;
	pthread_mutex_unlock(&s->lock);
	return n;
}

int sbx_t_server_settled_count(struct sbx_t_server *s)
{
	return sbx_t_server_sync(s) ? sbx_t_server_count(s) : -1;
}

bool sbx_t_server_got(struct sbx_t_server *s, const char *needle)
{
	bool r;

	pthread_mutex_lock(&s->lock);
	r = strstr(s->data, needle) != NULL;
	pthread_mutex_unlock(&s->lock);
	return r;
}

void sbx_t_server_fd_data(struct sbx_t_server *s, char *buf, size_t len)
{
	pthread_mutex_lock(&s->lock);
	snprintf(buf, len, "%s", s->fd_data);
	pthread_mutex_unlock(&s->lock);
}

pid_t sbx_t_server_peer_pid(struct sbx_t_server *s)
{
	pid_t p;

	pthread_mutex_lock(&s->lock);
	p = s->peer_pid;
	pthread_mutex_unlock(&s->lock);
	return p;
}

const char *sbx_t_server_addr(struct sbx_t_server *s)
{
	return s->addr;
}

void sbx_t_server_stop(struct sbx_t_server *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < MAX_SERVERS; i++)
		if (servers[i] == s)
			servers[i] = NULL;
	if (write(s->stop[1], "x", 1) == 1)
		pthread_join(s->thread, NULL);
	close(s->stop[0]);
	close(s->stop[1]);
	close(s->fd);
	if (s->addr[0] != '@')
		unlink(s->addr);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- processes ---- */

int sbx_t_spawn(struct sbx_t_proc *p, const char *const *argv)
{
	int out[2], err[2], e;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	p->code = -1;
	p->pid = -1;
	if (pipe2(out, O_CLOEXEC) == -1)
		return -errno;
	if (pipe2(err, O_CLOEXEC) == -1) {
		e = -errno;
		close(out[0]);
		close(out[1]);
		return e;
	}
	fflush(stdout);
	pid = fork();
	if (pid == -1) {
		e = -errno;
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		return e;
	}
	if (pid == 0) {
		sigset_t none;
		int sig, nul;

		/* Only async-signal-safe calls: the test may run server threads. */
		setpgid(0, 0);
		for (sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (nul == -1 || dup2(nul, STDIN_FILENO) == -1 ||
		    dup2(out[1], STDOUT_FILENO) == -1 || dup2(err[1], STDERR_FILENO) == -1)
			_exit(124);
		execv(argv[0], (char *const *)argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	/* Also from the parent, so the group exists before anyone signals it. */
	setpgid(pid, pid);
	track_pgid(pid, true);
	close(out[1]);
	close(err[1]);
	p->pid = pid;
	p->out_fd = out[0];
	p->err_fd = err[0];
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void drain(int *fd, char *buf, size_t *len)
{
	char tmp[4096];
	ssize_t n;

	while (*fd >= 0) {
		n = read(*fd, tmp, sizeof(tmp));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(*fd);
			*fd = -1;
			return;
		}
		if ((size_t)n > SBX_T_OUTSZ - 1 - *len)
			n = (ssize_t)(SBX_T_OUTSZ - 1 - *len);
		memcpy(buf + *len, tmp, (size_t)n);
		*len += (size_t)n;
		buf[*len] = '\0';
	}
}

static void reap(struct sbx_t_proc *p, bool block)
{
	int st;

	if (p->reaped || p->pid <= 0)
		return;
	if (waitpid(p->pid, &st, block ? 0 : WNOHANG) == p->pid) {
		p->reaped = true;
		p->status = st;
		p->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
}

/* Read whatever is available, waiting at most @ms; reap if the process exited. */
static void pump(struct sbx_t_proc *p, int ms)
{
	struct pollfd pfd[2];
	nfds_t n = 0;

	if (p->out_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = p->out_fd, .events = POLLIN };
	if (p->err_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = p->err_fd, .events = POLLIN };
	if (n && !p->reaped) /* a short wait so exit is noticed without a pidfd */
		ms = ms < 20 ? ms : 20;
	if (n)
		poll(pfd, n, ms);
	else if (ms > 0)
		usleep(1000U * (unsigned)(ms < 20 ? ms : 20));
	drain(&p->out_fd, p->out, &p->out_len);
	drain(&p->err_fd, p->err, &p->err_len);
	reap(p, false);
}

bool sbx_t_pump_until(struct sbx_t_proc *p, const char *needle, int ms)
{
	long end = now_ms() + ms;

	while (!strstr(p->out, needle)) {
		long left = end - now_ms();

		if (left <= 0 || (p->out_fd < 0 && p->reaped))
			return strstr(p->out, needle) != NULL;
		pump(p, (int)left);
	}
	return true;
}

int sbx_t_finish(struct sbx_t_proc *p, int ms)
{
	long end = now_ms() + ms;
	char *last, *e;

	while (!p->reaped || p->out_fd >= 0 || p->err_fd >= 0) {
		long left = end - now_ms();

		if (left <= 0)
			break;
		pump(p, (int)left);
	}
	if (!p->reaped)
		p->timed_out = true;
	else if (p->out_fd >= 0 || p->err_fd >= 0)
		p->lingered = true;
	if (p->pid > 0) {
		kill(-p->pid, SIGKILL);
		reap(p, true);
		/* descendants in the group that were reparented are reaped by init */
		track_pgid(p->pid, false);
	}
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->out_fd = p->err_fd = -1;
	if (p->timed_out)
		p->code = -1;
	snprintf(p->line, sizeof(p->line), "%.*s", (int)strcspn(p->out, "\n"), p->out);
	/* the last non-empty line */
	last = p->out + p->out_len;
	while (last > p->out && last[-1] == '\n')
		last--;
	e = last;
	while (last > p->out && last[-1] != '\n')
		last--;
	snprintf(p->last, sizeof(p->last), "%.*s", (int)(e - last), last);
	return p->code;
}

int sbx_t_run(struct sbx_t_proc *p, const char *const *argv)
{
	int e = sbx_t_spawn(p, argv);

	if (e < 0)
		bail_out("spawn %s: %s", argv[0], strerror(-e));
	return sbx_t_finish(p, SBX_T_RUN_MS);
}

#define MAX_ARGS 64

static bool rw_tmpdir = true;
static const char *const *wrap;

void sbx_t_rw_tmpdir(bool on)
{
	rw_tmpdir = on;
}

void sbx_t_wrap(const char *const *prefix)
{
	wrap = prefix;
}

/* argv = [WRAP..., sbx-supervise, OPTS..., "--", probe, ARGS...] or [probe, ARGS...] */
static void build_argv(const char **argv, const char *const *opts, bool sandboxed, va_list ap)
{
	const char *const *w;
	const char *a;
	int n = 0;

	if (sandboxed) {
		for (w = wrap; w && *w; w++) {
			if (n >= MAX_ARGS - 8)
				bail_out("harness: too many arguments");
			argv[n++] = *w;
		}
		argv[n++] = sbx_t_supervise();
		if (rw_tmpdir) {
			argv[n++] = "--rw";
			argv[n++] = sbx_t_tmpdir();
		}
		for (; opts && *opts; opts++) {
			if (n >= MAX_ARGS - 4)
				bail_out("harness: too many arguments");
			argv[n++] = *opts;
		}
		argv[n++] = "--";
	}
	argv[n++] = sbx_t_probe();
	while ((a = va_arg(ap, const char *))) {
		if (n >= MAX_ARGS - 1)
			bail_out("harness: too many arguments");
		argv[n++] = a;
	}
	argv[n] = NULL;
}

int sbx_t_in(struct sbx_t_proc *p, const char *const *opts, ...)
{
	const char *argv[MAX_ARGS];
	va_list ap;

	va_start(ap, opts);
	build_argv(argv, opts, true, ap);
	va_end(ap);
	return sbx_t_run(p, argv);
}

int sbx_t_out(struct sbx_t_proc *p, ...)
{
	const char *argv[MAX_ARGS];
	va_list ap;

	va_start(ap, p);
	build_argv(argv, NULL, false, ap);
	va_end(ap);
	return sbx_t_run(p, argv);
}

int sbx_t_spawn_in(struct sbx_t_proc *p, const char *const *opts, ...)
{
	const char *argv[MAX_ARGS];
	va_list ap;
	int e;

	va_start(ap, opts);
	build_argv(argv, opts, true, ap);
	va_end(ap);
	e = sbx_t_spawn(p, argv);
	if (e < 0)
		bail_out("spawn %s: %s", argv[0], strerror(-e));
	return 0;
}

/* ---- assertions and parsing ---- */

static void diag_lines(const char *what, const char *text)
{
	const char *s = text, *nl;

	if (!*s) {
		diag("%s: (empty)", what);
		return;
	}
	while (*s) {
		nl = strchr(s, '\n');
		diag("%s: %.*s", what, (int)(nl ? nl - s : (long)strlen(s)), s);
		if (!nl)
			break;
		s = nl + 1;
	}
}

void sbx_t_diag_proc(const struct sbx_t_proc *p)
{
	if (p->timed_out)
		diag("pid %d timed out and was killed", (int)p->pid);
	else
		diag("pid %d exit code %d%s", (int)p->pid, p->code,
		     p->lingered ? " (descendants kept its output open)" : "");
	diag_lines("stdout", p->out);
	diag_lines("stderr", p->err);
}

bool sbx_t_is_str_(const char *got, const char *want, const char *file, int line, const char *fmt,
		   ...)
{
	char name[512];
	va_list ap;
	bool r;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	r = ok_(got && !strcmp(got, want), file, line, "%s", name);
	if (!r) {
		diag("     got: '%s'", got ? got : "(null)");
		diag("expected: '%s'", want);
	}
	return r;
}

bool sbx_t_line_is_(const struct sbx_t_proc *p, const char *want, const char *file, int line,
		    const char *fmt, ...)
{
	char name[512];
	va_list ap;
	bool r;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	r = ok_(!strcmp(p->last, want), file, line, "%s", name);
	if (!r) {
		diag("expected result line: '%s'", want);
		sbx_t_diag_proc(p);
	}
	return r;
}

bool sbx_t_has_str_(const char *hay, const char *needle, const char *file, int line,
		    const char *fmt, ...)
{
	char name[512];
	va_list ap;
	bool r;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	r = ok_(hay && strstr(hay, needle), file, line, "%s", name);
	if (!r) {
		diag("expected to contain: '%s'", needle);
		diag_lines("in", hay ? hay : "(null)");
	}
	return r;
}

int sbx_t_count_str(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	int c = 0;

	if (!n)
		return 0;
	while ((hay = strstr(hay, needle))) {
		c++;
		hay += n;
	}
	return c;
}

long sbx_t_field(const char *s, const char *key)
{
	size_t n = strlen(key);
	const char *p = s;

	while ((p = strstr(p, key))) {
		if ((p == s || p[-1] == ' ' || p[-1] == '\n') && p[n] == '=')
			return strtol(p + n + 1, NULL, 10);
		p += n;
	}
	return -1;
}

bool sbx_t_wait_for(bool (*cond)(void *arg), void *arg, int ms)
{
	long end = now_ms() + ms;

	for (;;) {
		if (cond(arg))
			return true;
		if (now_ms() >= end)
			return false;
		usleep(5000);
	}
}

bool sbx_t_pid_gone(pid_t pid)
{
	char path[64], buf[512], *rp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT || errno == ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' */
	rp = strrchr(buf, ')');
	return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

/* ---- inet servers ---- */

#include <arpa/inet.h>
#include <netinet/in.h>

#define MAX_INET    16
#define INET_REQ_SZ 2048

struct inet_client {
	int fd;
	size_t n;	       /* bytes of the request so far (HTTP) */
	char req[INET_REQ_SZ]; /* the request so far (HTTP) */
};

struct sbx_t_inet {
	int type, port;
	struct sockaddr_storage ss; /* the bound address */
	socklen_t sslen;
	char port_str[8];
	int fd;
	int stop[2];
	pthread_t thread;
	pthread_mutex_t lock;
	int count, syncs, sync_port;
	const char *http; /* reply body; NULL: echo */
	char data[DATA_SZ];
	size_t data_len;
};

static struct sbx_t_inet *inets[MAX_INET];

/* Fill @ss from an IPv4 or IPv6 literal and a port; returns the length, 0 if not a literal. */
static socklen_t inet_mkaddr(struct sockaddr_storage *ss, const char *addr, int port)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return sizeof(*in6);
	}
	return 0;
}

static int inet_port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void inet_append(struct sbx_t_inet *s, const char *buf, size_t n)
{
	pthread_mutex_lock(&s->lock);
	if (n > sizeof(s->data) - 1 - s->data_len)
		n = sizeof(s->data) - 1 - s->data_len;
	memcpy(s->data + s->data_len, buf, n);
	s->data_len += n;
	s->data[s->data_len] = '\0';
	pthread_mutex_unlock(&s->lock);
}

static void inet_accept(struct sbx_t_inet *s, struct pollfd *pfd, struct inet_client *cl, int *nc)
{
	int c;

	while ((c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		bool sync;

		if (getpeername(c, (struct sockaddr *)&peer, &pl) == -1)
			memset(&peer, 0, sizeof(peer));
		pthread_mutex_lock(&s->lock);
		sync = s->sync_port && inet_port_of(&peer) == s->sync_port;
		if (sync)
			s->syncs++;
		else
			s->count++;
		pthread_mutex_unlock(&s->lock);
		if (*nc == MAX_CLIENTS) {
			/* make room: drop the oldest client */
			close(cl[0].fd);
			memmove(&cl[0], &cl[1], sizeof(cl[0]) * (MAX_CLIENTS - 1));
			memmove(&pfd[2], &pfd[3], sizeof(pfd[0]) * (MAX_CLIENTS - 1));
			(*nc)--;
		}
		cl[*nc].fd = c;
		cl[*nc].n = 0;
		pfd[2 + *nc] = (struct pollfd){ .fd = c, .events = POLLIN };
		(*nc)++;
	}
}

/* Handle input on client @c; returns false when the connection is done. */
static bool inet_client_input(struct sbx_t_inet *s, struct inet_client *c)
{
	char buf[2048], head[256];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	size_t k;

	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	inet_append(s, buf, (size_t)n);
	if (!s->http)
		return send(c->fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0;
	k = (size_t)n < sizeof(c->req) - 1 - c->n ? (size_t)n : sizeof(c->req) - 1 - c->n;
	memcpy(c->req + c->n, buf, k);
	c->n += k;
	c->req[c->n] = '\0';
	if (!strstr(c->req, "\r\n\r\n") && c->n < sizeof(c->req) - 1)
		return true;
	if (!strncmp(c->req, "GET ", 4)) {
		int hl = snprintf(head, sizeof(head),
				  "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
				  "Content-Length: %zu\r\nConnection: close\r\n\r\n",
				  strlen(s->http));

		if (send(c->fd, head, (size_t)hl, MSG_NOSIGNAL) >= 0)
			send(c->fd, s->http, strlen(s->http), MSG_NOSIGNAL);
	}
	shutdown(c->fd, SHUT_WR);
	return false;
}

static void *inet_main(void *arg)
{
	struct sbx_t_inet *s = arg;
	struct pollfd pfd[2 + MAX_CLIENTS];
	struct inet_client *cl = calloc(MAX_CLIENTS, sizeof(*cl));
	int nc = 0, i;
	char buf[2048];

	if (!cl)
		return NULL;
	pfd[0] = (struct pollfd){ .fd = s->stop[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	for (;;) {
		if (poll(pfd, (nfds_t)(2 + nc), -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		if (pfd[1].revents & POLLIN && s->type == SOCK_DGRAM) {
			ssize_t n;

			while ((n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
				bool sync = (size_t)n == strlen(SYNC_MAGIC) &&
					    !memcmp(buf, SYNC_MAGIC, (size_t)n);

				pthread_mutex_lock(&s->lock);
				if (sync)
					s->syncs++;
				else
					s->count++;
				pthread_mutex_unlock(&s->lock);
				if (!sync)
					inet_append(s, buf, (size_t)n);
			}
		} else if (pfd[1].revents & POLLIN) {
			inet_accept(s, pfd, cl, &nc);
		}
		for (i = 0; i < nc; i++) {
			if (!pfd[2 + i].revents || inet_client_input(s, &cl[i]))
				continue;
			close(cl[i].fd);
			cl[i] = cl[nc - 1];
			pfd[2 + i] = pfd[1 + nc];
			nc--;
			i--;
		}
	}
	for (i = 0; i < nc; i++)
		close(cl[i].fd);
	free(cl);
	return NULL;
}

static void inet_stop_all(void)
{
	int i;

	if (getpid() != owner_pid)
		return;
	for (i = 0; i < MAX_INET; i++)
		sbx_t_inet_stop(inets[i]);
}

static struct sbx_t_inet *inet_start(int type, const char *addr, int port, const char *http,
				     bool reuseport)
{
	static bool registered;
	struct sbx_t_inet *s = calloc(1, sizeof(*s));
	socklen_t len;
	int i, e, one = 1;

	if (!s)
		bail_out("out of memory");
	s->type = type;
	s->http = http;
	s->sslen = inet_mkaddr(&s->ss, addr, port);
	if (!s->sslen)
		bail_out("inet server: `%s` is not an address", addr);
	s->fd = socket(s->ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd == -1)
		bail_out("inet server socket: %s", strerror(errno));
	if (s->ss.ss_family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (reuseport)
		setsockopt(s->fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&s->ss, s->sslen) == -1) {
		e = errno;
		close(s->fd);
		free(s);
		errno = e;
		return NULL;
	}
	len = sizeof(s->ss);
	if (getsockname(s->fd, (struct sockaddr *)&s->ss, &len) == -1)
		bail_out("getsockname: %s", strerror(errno));
	s->port = inet_port_of(&s->ss);
	snprintf(s->port_str, sizeof(s->port_str), "%d", s->port);
	if (type != SOCK_DGRAM && listen(s->fd, 4096) == -1)
		bail_out("listen on %s:%d: %s", addr, s->port, strerror(errno));
	pthread_mutex_init(&s->lock, NULL);
	if (pipe2(s->stop, O_CLOEXEC) == -1)
		bail_out("pipe2: %s", strerror(errno));
	if (pthread_create(&s->thread, NULL, inet_main, s))
		bail_out("pthread_create failed");
	for (i = 0; i < MAX_INET && inets[i]; i++)
		;
	if (i == MAX_INET)
		bail_out("harness: too many inet servers");
	inets[i] = s;
	if (!registered) {
		registered = true;
		atexit(inet_stop_all);
	}
	return s;
}

struct sbx_t_inet *sbx_t_inet_start(int type, const char *addr, int port)
{
	return inet_start(type, addr, port, NULL, false);
}

struct sbx_t_inet *sbx_t_inet_start_http(const char *addr, int port, const char *body)
{
	return inet_start(SOCK_STREAM, addr, port, body, false);
}

int sbx_t_inet_port(struct sbx_t_inet *s)
{
	return s->port;
}

const char *sbx_t_inet_port_str(struct sbx_t_inet *s)
{
	return s->port_str;
}

static bool inet_sync_seen(void *arg)
{
	struct sbx_t_inet *s = arg;
	bool r;

	pthread_mutex_lock(&s->lock);
	r = s->syncs > 0;
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Push the harness's marker through the server's queue and wait until it was seen. */
static bool inet_sync(struct sbx_t_inet *s)
{
	struct sockaddr_storage me;
	socklen_t ml;
	int fd;
	bool r;

	fd = socket(s->ss.ss_family, s->type | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return false;
	/* bind first: the server tells the marker connection by its source port */
	ml = inet_mkaddr(&me, s->ss.ss_family == AF_INET ? "127.0.0.1" : "::1", 0);
	if (bind(fd, (struct sockaddr *)&me, ml) == -1 ||
	    getsockname(fd, (struct sockaddr *)&me, &ml) == -1) {
		diag("inet sync: bind: %s", strerror(errno));
		close(fd);
		return false;
	}
	pthread_mutex_lock(&s->lock);
	s->syncs = 0;
	s->sync_port = inet_port_of(&me);
	pthread_mutex_unlock(&s->lock);
	if (s->type == SOCK_DGRAM)
		r = sendto(fd, SYNC_MAGIC, strlen(SYNC_MAGIC), 0, (struct sockaddr *)&s->ss,
			   s->sslen) >= 0;
	else
		r = connect(fd, (struct sockaddr *)&s->ss, s->sslen) == 0;
	if (!r)
		diag("inet sync to port %d: %s", s->port, strerror(errno));
	r = r && sbx_t_wait_for(inet_sync_seen, s, SYNC_MS);
	close(fd);
	pthread_mutex_lock(&s->lock);
	s->sync_port = 0;
	pthread_mutex_unlock(&s->lock);
	return r;
}

int sbx_t_inet_settled_count(struct sbx_t_inet *s)
{
	int n;

	if (!inet_sync(s))
		return -1;
	pthread_mutex_lock(&s->lock);
	n = s->count;
	pthread_mutex_unlock(&s->lock);
	return n;
}

bool sbx_t_inet_got(struct sbx_t_inet *s, const char *needle)
{
	bool r;

	pthread_mutex_lock(&s->lock);
	r = strstr(s->data, needle) != NULL;
	pthread_mutex_unlock(&s->lock);
	return r;
}

void sbx_t_inet_stop(struct sbx_t_inet *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < MAX_INET; i++)
		if (inets[i] == s)
			inets[i] = NULL;
	if (write(s->stop[1], "x", 1) == 1)
		pthread_join(s->thread, NULL);
	close(s->stop[0]);
	close(s->stop[1]);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int sbx_t_free_port(int type, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = inet_mkaddr(&ss, addr, 0);
	int fd, port;

	if (!len)
		bail_out("free port: `%s` is not an address", addr);
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		bail_out("free port on %s: %s", addr, strerror(errno));
	port = inet_port_of(&ss);
	close(fd);
	return port;
}

bool sbx_t_tcp_ready(const char *addr, int port, int ms)
{
	struct sockaddr_storage ss;
	socklen_t len = inet_mkaddr(&ss, addr, port);
	long end = now_ms() + ms;

	if (!len)
		return false;
	for (;;) {
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool r = fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) == 0;

		if (fd >= 0)
			close(fd);
		if (r)
			return true;
		if (now_ms() >= end)
			return false;
		usleep(20000);
	}
}

bool sbx_t_have_ipv6(void)
{
	struct sockaddr_storage ss;
	socklen_t len = inet_mkaddr(&ss, "::1", 0);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool r = fd >= 0 && bind(fd, (struct sockaddr *)&ss, len) == 0;

	if (fd >= 0)
		close(fd);
	return r;
}

bool sbx_t_line_starts_(const struct sbx_t_proc *p, const char *prefix, const char *file, int line,
			const char *fmt, ...)
{
	char name[512];
	va_list ap;
	bool r;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	r = ok_(!strncmp(p->last, prefix, strlen(prefix)), file, line, "%s", name);
	if (!r) {
		diag("expected a result line starting with: '%s'", prefix);
		sbx_t_diag_proc(p);
	}
	return r;
}

struct sbx_t_inet *sbx_t_inet_start_reuseport(int type, const char *addr, int port)
{
	return inet_start(type, addr, port, NULL, true);
}

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>

int sbx_t_in_netns(int (*fn)(void *arg), void *arg)
{
	int st;
	pid_t pid;

	sbx_t_tmpdir(); /* made by the owner, so it is removed at exit */
	fflush(stdout);
	pid = fork();
	if (pid == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		struct ifreq ifr = { .ifr_name = "lo" };
		int fd;

		if (unshare(CLONE_NEWNET) == -1)
			_exit(255);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd == -1 || ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
			_exit(255);
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1)
			_exit(255);
		close(fd);
		st = fn(arg);
		fflush(stdout);
		_exit(st & 0xff);
	}
	if (waitpid(pid, &st, 0) == -1)
		bail_out("waitpid: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 255)
		return -1;
	return WEXITSTATUS(st);
}

const char *sbx_t_fmt(const char *f, ...)
{
	static char ring[64][160];
	static unsigned int next;
	char *s = ring[next++ % 64];
	va_list ap;

	va_start(ap, f);
	vsnprintf(s, sizeof(ring[0]), f, ap);
	va_end(ap);
	return s;
}
