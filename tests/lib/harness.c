/*
 * Owns the live-test harness: run bound, temp dir, and running the
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

#define MAX_PROCS 64
#define MAX_STRS  256

static char supervise_path[PATH_MAX];
static char probe_path[PATH_MAX];
static char tmpdir[64];
static pid_t owner_pid;

/* Process groups still running, for the alarm handler and exit: plain ints, signal-safe. */
static volatile pid_t live_pgids[MAX_PROCS];

static char *strs[MAX_STRS];
static int nstrs;

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
	sbx_t_servers_stop_all();
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

static char deny_path[PATH_MAX + 32];
/* SBX_T_MODE=replace: [deny, pidfd_getfd, process_vm_readv, process_vm_writev, --], as
 * Docker's default profile (20.10) refuses them */
static const char *mode_wrap[6];

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
	/* The whole file again as a container's default seccomp profile would have sbx run:
	 * without pidfd_getfd (the replace mode). */
	b = getenv("SBX_T_MODE");
	if (b && !strcmp(b, "replace")) {
		snprintf(deny_path, sizeof(deny_path), "%.4000s/tests/helpers/deny", build);
		mode_wrap[0] = deny_path;
		mode_wrap[1] = "pidfd_getfd";
		mode_wrap[2] = "process_vm_readv";
		mode_wrap[3] = "process_vm_writev";
		mode_wrap[4] = "--";
		diag("replace mode: sbx runs under %s pidfd_getfd process_vm_readv "
		     "process_vm_writev",
		     deny_path);
	} else if (b && *b) {
		bail_out("SBX_T_MODE=%s: only 'replace' is known", b);
	}
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

bool sbx_t_replace_mode(void)
{
	return mode_wrap[0] != NULL;
}

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
		for (w = mode_wrap; *w; w++)
			argv[n++] = *w;
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

long sbx_t_proc_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = strtol(line + kl + 1, NULL, 10);
	fclose(f);
	return v;
}
