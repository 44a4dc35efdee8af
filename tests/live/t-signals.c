/*
 * Live: performed calls behave as the kernel's own under signals. A stream client sends 4 MiB,
 * 1 MiB per sendmsg, to a slow reader while the test stops and continues it, or signals a
 * handler with and without SA_RESTART, every 20 ms; or with SO_SNDTIMEO, or nonblocking; or
 * sends 4 KiB records on a SOCK_SEQPACKET socket under signals. The reader checks
 * every byte against the sender's pattern: the count must be exact (nothing sent twice,
 * nothing lost), the sender must finish, and what it counted must be what arrived.
 * (doc/design.md, "Signals during a performed call".)
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../lib/harness.h"

#define MIB   4
#define CHUNK (1 << 20)

struct reader {
	int lfd;
	atomic_size_t got;
	atomic_int bad;	 /* bytes that broke the pattern: a repeat or a gap */
	atomic_int done; /* the sender closed */
	size_t record;	 /* records of this size (SOCK_SEQPACKET), else 0: a stream */
	pthread_t th;
};

/* Accept one connection and read it slowly (16 KiB per 2 ms, about 8 MB/s), checking the
 * pattern: byte i of the stream is ((i % CHUNK) * 7 + 3) & 0xff. */
static void *reader_main(void *arg)
{
	struct reader *r = arg;
	unsigned char buf[16384];
	size_t off = 0, unit = r->record ? r->record : CHUNK;
	int c = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return NULL;
	for (;;) {
		ssize_t n = read(c, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++, off++)
			if (buf[i] != (unsigned char)((off % unit) * 7 + 3))
				atomic_fetch_add(&r->bad, 1);
		atomic_fetch_add(&r->got, (size_t)n);
		usleep(2000);
	}
	close(c);
	atomic_store(&r->done, 1);
	return NULL;
}

static void reader_start(struct reader *r, const char *path, int type)
{
	struct sockaddr_un sun;
	socklen_t len = sbx_t_mkaddr(&sun, path);

	size_t record = r->record;

	memset(r, 0, sizeof(*r));
	r->record = record;
	unlink(path);
	r->lfd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (r->lfd < 0 || bind(r->lfd, (struct sockaddr *)&sun, len) || listen(r->lfd, 4))
		bail_out("reader: %s", strerror(errno));
	if (pthread_create(&r->th, NULL, reader_main, r))
		bail_out("reader thread");
}

static void reader_stop(struct reader *r)
{
	shutdown(r->lfd, SHUT_RDWR);
	close(r->lfd);
	pthread_join(r->th, NULL);
}

static pid_t read_pid(const char *file)
{
	FILE *f = fopen(file, "re");
	int pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Run the sender (inside sbx when @sandboxed) and signal it every 20 ms with @sig (SIGSTOP
 * means: SIGSTOP, then SIGCONT 5 ms later) until it exits, at most 20 s. */
static void run_case(const char *mode, int sig, bool sandboxed, const char *what)
{
	const char *path = sbx_t_tmp("sig.sock"), *pidfile = sbx_t_tmp("sig.pid");
	char want[96], dir[4096], sender[4200], mib[8];
	struct sbx_t_proc p;
	struct reader r;
	pid_t pid = 0;
	int rounds = 0, k;
	const char *slash;

	snprintf(dir, sizeof(dir), "%s", sbx_t_probe());
	slash = strrchr(dir, '/');
	snprintf(sender, sizeof(sender), "%.*s/sender", (int)(slash - dir), dir);
	snprintf(mib, sizeof(mib), "%d", MIB);
	unlink(pidfile);
	r.record = !strcmp(mode, "dgram") ? 4096 : 0;
	reader_start(&r, path, r.record ? SOCK_SEQPACKET : SOCK_STREAM);
	if (sandboxed) {
		const char *argv[] = { sbx_t_supervise(),
				       "--rw",
				       sbx_t_tmpdir(),
				       "--allow-unix-socket",
				       path,
				       "--",
				       sender,
				       mode,
				       path,
				       mib,
				       pidfile,
				       NULL };

		if (sbx_t_spawn(&p, argv) < 0)
			bail_out("spawn");
	} else {
		const char *argv[] = { sender, mode, path, mib, pidfile, NULL };

		if (sbx_t_spawn(&p, argv) < 0)
			bail_out("spawn");
	}
	for (k = 0; k < 2000 && !pid; k++) {
		sleep_ms(1);
		pid = read_pid(pidfile);
	}
	while (pid && !sbx_t_pid_gone(p.pid) && rounds < 1000) {
		sleep_ms(15);
		if (sig == SIGSTOP) {
			kill(pid, SIGSTOP);
			sleep_ms(5);
			kill(pid, SIGCONT);
		} else {
			kill(pid, sig);
			sleep_ms(5);
		}
		rounds++;
	}
	if (pid)
		kill(pid, SIGCONT);
	sbx_t_finish(&p, 5000);
	for (k = 0; k < 500 && !atomic_load(&r.done); k++)
		sleep_ms(10);
	reader_stop(&r);
	diag("%s: %d signal rounds, sender said: %s", what, rounds, p.last);
	if (!ok(pid && !p.timed_out && p.code == 0 && !strncmp(p.last, "sent=", 5),
		"%s: the sender finished", what))
		sbx_t_diag_proc(&p);
	snprintf(want, sizeof(want), "sent=%d ", MIB * CHUNK);
	sbx_t_has_str(p.last, want, "%s: it counted exactly %d bytes sent", what, MIB * CHUNK);
	is((long)atomic_load(&r.got), (long)MIB * CHUNK, "%s: the reader received exactly %d bytes",
	   what, MIB * CHUNK);
	is(atomic_load(&r.bad), 0, "%s: every byte in order (nothing twice, nothing lost)", what);
}

int main(void)
{
	static const struct {
		const char *mode;
		int sig;
		const char *what;
	} cases[] = {
		{ "plain", SIGSTOP, "SIGSTOP/SIGCONT, no handler" },
		{ "restart", SIGUSR1, "a SIGUSR1 handler with SA_RESTART" },
		{ "norestart", SIGUSR1, "a SIGUSR1 handler without SA_RESTART" },
		{ "timeout", 0, "SO_SNDTIMEO of 50 ms, no signal" },
		{ "nonblock", SIGSTOP, "a nonblocking socket, SIGSTOP/SIGCONT" },
		{ "dgram", SIGUSR1, "4 KiB SOCK_SEQPACKET records, a handler without SA_RESTART" },
	};
	size_t i;

	sbx_t_init(300);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[128];

		snprintf(what, sizeof(what), "native, %s", cases[i].what);
		run_case(cases[i].mode, cases[i].sig, false, what);
		snprintf(what, sizeof(what), "sbx, %s", cases[i].what);
		run_case(cases[i].mode, cases[i].sig, true, what);
	}
	return done_testing();
}
