/* Owns the worker pool and the dispatch of notifications to the emulation handlers. */
#include <errno.h>
#include <malloc.h>
#include <linux/audit.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../record/audit.h"
#include "../base/creds.h"
#include "../base/later.h"
#include "../perform/emulate.h"
#include "../perform/fswrite.h"
#include "../judge/fsjudge.h"
#include "../base/log.h"
#include "notify.h"
#include "../caller/payload.h"
#include "../base/syscalls.h"
#include "../base/thread.h"

int sbx_notify_init(struct sbx_sup *s, const struct sbx_policy *pol, bool quiet, bool verbose,
		    struct sbx_error *err)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->listener = -1;
	s->cmd_pidfd = -1;
	pthread_mutex_init(&s->listen_lock, NULL);
	pthread_cond_init(&s->listen_cond, NULL);
	s->pol = pol;
	s->quiet = quiet;
	/* The kernel's structs may grow: size the buffers by what it says, never by ours. */
	if (sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &s->sizes) == -1)
		return sbx_error_set(err, errno, "seccomp(SECCOMP_GET_NOTIF_SIZES)");
	if (s->sizes.seccomp_notif < sizeof(struct seccomp_notif))
		s->sizes.seccomp_notif = sizeof(struct seccomp_notif);
	if (s->sizes.seccomp_notif_resp < sizeof(struct seccomp_notif_resp))
		s->sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
	{
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		socklen_t l = sizeof(s->netns_cookie);

		/* Sockets of a sandbox in a private namespace carry another cookie. */
		if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &s->netns_cookie, &l))
			s->netns_cookie = 0;
		if (fd >= 0)
			close(fd);
		if (!s->netns_cookie && pol->net == SBX_NET_ISOLATED)
			return sbx_error_set(err, ENOPROTOOPT,
					     "SO_NETNS_COOKIE (Linux 5.14+) is "
					     "needed for --net isolated");
	}
	/* Without pidfd_getfd (a container's default seccomp profile) calls are performed on
	 * sockets of sbx's (perform_replace.c), which a private network namespace (--net
	 * isolated or none) cannot use: its sockets live there, not in sbx's. */
	r = sbx_task_getfd_probe();
	s->replace = r < 0;
	if (s->replace && (pol->net == SBX_NET_ISOLATED || pol->net == SBX_NET_NONE)) {
		sbx_error_set(err, -r, "pidfd_getfd");
		return sbx_error_hint(err,
				      "--net %s needs pidfd_getfd, which this system refuses "
				      "(in Docker or podman: --cap-add SYS_PTRACE)",
				      pol->net == SBX_NET_NONE ? "none" : "isolated");
	}
	if (verbose)
		sbx_log_err("mode: %s", s->replace ? "replace (pidfd_getfd refused: calls are "
						     "performed on sockets of sbx's)"
						   : "dup (pidfd_getfd: calls are performed on the "
						     "caller's own sockets)");
	if (s->replace && !quiet)
		sbx_log_warn("pidfd_getfd is refused here (%s): sbx performs calls on sockets of "
			     "its own (replace mode; see sbx-supervise(1), CONTAINERS, for what "
			     "differs)",
			     strerror(-r));
	/* Workers perform calls with the command's capabilities, never sbx's (creds.h). */
	{
		r = sbx_creds_init(pol->keep_caps);

		if (r < 0)
			return sbx_error_set(err, -r, "read sbx's own capabilities (capget)");
	}
	/* Chunks of sends (payload.h) and other large buffers are mmap'd and given back when
	 * freed: with the threshold left to glibc it rises after the first free, and a flood of
	 * blocked sends left their memory in the workers' arenas after it was over. */
	mallopt(M_MMAP_THRESHOLD, (int)(SBX_CHUNK / 2));
	sbx_bound_init(&s->bound);
	sbx_fs_judge_init();
	pthread_mutex_init(&s->deny_lock, NULL);
	pthread_mutex_init(&s->cancel_lock, NULL);
	pthread_cond_init(&s->cancel_cond, NULL);
	atomic_init(&s->idle, 0);
	atomic_init(&s->workers, 0);
	atomic_init(&s->floating, false);
	/* The second worker goes to the second CPU: the first, floating, is often on the first. */
	atomic_init(&s->next_cpu, 1);
	sbx_thread_init();
	return 0;
}

#ifdef SBX_TEST_NO_NET_CHECK
/*
 * TEST BUILDS ONLY (build/sbx-supervise-nonetcheck, see the Makefile): inet connect and bind
 * are let through unjudged with SECCOMP_USER_NOTIF_FLAG_CONTINUE, so the live tests can show
 * that the child's Landlock TCP rules hold on their own. Never in sbx-supervise itself.
 */
#define SBX_TEST_CONTINUE SBX_CONTINUE

static bool sbx_test_inet(struct sbx_call *c)
{
	const struct seccomp_data *d = &c->n->data;
	sa_family_t fam = 0;

	if (d->nr != __NR_connect && d->nr != __NR_bind)
		return false;
	if (sbx_task_read(&c->task, d->args[1], &fam, sizeof(fam)) < 0)
		return false;
	return fam == AF_INET || fam == AF_INET6;
}
#endif

static long sbx_dispatch(struct sbx_call *c)
{
	const struct seccomp_data *d = &c->n->data;

	/* The filter notifies x86_64 calls only; anything else here is a filter bug: deny. */
	if (d->arch != AUDIT_ARCH_X86_64 || (d->nr & __X32_SYSCALL_BIT))
		return -EPERM;
#ifdef SBX_TEST_NO_NET_CHECK
	if (sbx_test_inet(c))
		return SBX_TEST_CONTINUE;
#endif
	switch (d->nr) {
	case __NR_connect:
		c->name = "connect";
		return sbx_emu_connect(c);
	case __NR_bind:
		c->name = "bind";
		return sbx_emu_bind(c);
	case __NR_sendto:
		c->name = "sendto";
		return sbx_emu_sendto(c);
	case __NR_sendmsg:
		c->name = "sendmsg";
		return sbx_emu_sendmsg(c);
	case __NR_sendmmsg:
		c->name = "sendmmsg";
		return sbx_emu_sendmmsg(c);
	case __NR_listen:
		c->name = "listen";
		return sbx_emu_listen(c);
	}
	if (sbx_fs_is_write_call(d->nr))
		return sbx_emu_fs(c);
	return -EPERM;
}

/*
 * The signal a performed call raises in its caller (SIGPIPE after EPIPE) is sent by the
 * caller's pidfd, never by tid: just before the reply where the caller waits killably (it then
 * takes the signal on its way back, as natively), else after it, when the caller may have died
 * and its tid gone to another thread. So first, while the caller still waits, the pidfd is verified
 * (a cached one may be a dead thread's that had the tid: it is replaced) and NOTIF_ID_VALID
 * confirms that the thread it names is the caller. A pidfd names one thread for good: after
 * the reply the signal reaches the caller or, if it died meanwhile, no one. Without that
 * proof the signal is dropped.
 */
static void sbx_post_signal_prepare(struct sbx_call *c)
{
	if (sbx_task_verify(&c->task) < 0 || !sbx_call_valid(c))
		c->post_signal = 0;
}

/* Answer one received notification; called by a worker, which this counts idle again. */
static void sbx_notify_handle(struct sbx_sup *s, const struct seccomp_notif *n,
			      struct seccomp_notif_resp *resp)
{
	struct sbx_call c = { .sup = s, .n = n, .task = { .pidfd = -1 }, .deny_sock = -1 };
	long r;

	r = sbx_task_open(&c.task, n->pid);
	if (r == 0) {
		r = sbx_dispatch(&c);
		sbx_audit_call(&c, r);
		/* Fail closed, but say why: the caller cut us off (PR_SET_DUMPABLE 0). */
		if (r == -EPERM && c.task.unreadable)
			sbx_deny(&c, "(a process sbx cannot inspect)", NULL,
				 "it made itself non-dumpable, so sbx cannot read its call; "
				 "running sbx as root avoids this");
	} else if (r == -ESRCH)
		r = SBX_NO_REPLY; /* gone before we looked */
	else
		r = -EPERM;

	/* A worker counts as idle from just before its reply: the caller's next call, made the
	 * moment the reply lands, is taken by another worker while this one is on its way back
	 * to RECV, and must not look like "no worker left" and start a thread that the next
	 * reply would find surplus and stop again. */
	atomic_fetch_add(&s->idle, 1);
	if (r != SBX_NO_REPLY) {
		resp->id = n->id;
		resp->flags = 0;
		/* Filesystem writes notified only to be explained (fswrite.h); under
		 * SBX_TEST_NO_NET_CHECK, the unjudged inet calls too. */
		if (r == SBX_CONTINUE) {
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			r = 0;
		}
		resp->val = r < 0 ? 0 : r;
		resp->error = r < 0 ? (__s32)r : 0;
		if (c.post_signal)
			sbx_post_signal_prepare(&c);
		/* A caller that waits killably (sup.h) keeps waiting with the signal pending
		 * unless it is fatal, and takes it on its way back from the call, before its next
		 * instruction, as it would the kernel's own SIGPIPE: so it is sent first. Else it
		 * follows the reply, and the caller may run a little before it lands. */
		if (c.post_signal && s->killable) {
			(void)sys_pidfd_send_signal(c.task.pidfd, c.post_signal, NULL, 0);
			c.post_signal = 0;
		}
		/* ENOENT: the caller was interrupted or died meanwhile (of a fatal SIGPIPE too).
		 * That is normal. ESRCH from the signal: it died after the reply. Any other
		 * failure leaves the caller waiting for good: fail closed. */
		if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0) {
			if (c.post_signal)
				(void)sys_pidfd_send_signal(c.task.pidfd, c.post_signal, NULL, 0);
		} else if (errno != ENOENT) {
			sbx_notify_fail(s, -errno, "answering a seccomp notification failed");
		}
	}
	/* What the handler is done with is closed now that the caller has its answer. */
	sbx_close_later_flush();
	/* Only now: the pidfd that was proven to name the caller is the one signalled. */
	sbx_task_close(&c.task);
}

static void sbx_spawn_worker(struct sbx_sup *s);

/* After the last process of the sandbox is gone, RECV fails with ENOENT at once, forever;
 * the listener then polls as hung up. A worker that sees this stops instead of spinning. */
static bool sbx_listener_dead(int listener)
{
	struct pollfd p = { .fd = listener, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
}

void sbx_notify_listen(struct sbx_sup *s, int listener)
{
	/* Linux 6.6: the caller blocks as soon as it has notified us, so wake the worker on the
	 * caller's CPU (and the caller, on the reply, on the worker's) instead of migrating work
	 * across CPUs; on a loaded machine this keeps the round trip off the run queues of
	 * busy CPUs. Older kernels refuse the flag, which changes nothing else. */
	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		    (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	pthread_mutex_lock(&s->listen_lock);
	s->listener = listener;
	pthread_cond_broadcast(&s->listen_cond);
	pthread_mutex_unlock(&s->listen_lock);
}

void sbx_notify_fail(struct sbx_sup *s, int e, const char *what)
{
	int none = 0;

	if (!atomic_compare_exchange_strong(&s->failed, &none, e < 0 ? e : -EIO))
		return;
	s->failed_what = what;
	/* The command goes first: nothing of it may go on unanswered, or be answered by a
	 * supervisor that is half there. Its end wakes the main thread (run.c). */
	if (s->cmd_pidfd >= 0)
		sys_pidfd_send_signal(s->cmd_pidfd, SIGKILL, NULL, 0);
}

int sbx_notify_failed(struct sbx_sup *s, const char **what)
{
	int e = atomic_load(&s->failed);

	if (e && what)
		*what = s->failed_what;
	return e;
}

/* The first worker says whether it could start (@r: 0 or -errno): sbx_notify_start() waits
 * for that, so a failure found before the command's first call is sbx's own error at once. */
static void sbx_worker_started(struct sbx_sup *s, int r)
{
	pthread_mutex_lock(&s->listen_lock);
	if (s->first == 0) {
		s->first = r < 0 ? r : 1;
		pthread_cond_broadcast(&s->listen_cond);
	}
	pthread_mutex_unlock(&s->listen_lock);
}

/* The first workers start before the child has handed its listener over. */
static void sbx_wait_listener(struct sbx_sup *s)
{
	pthread_mutex_lock(&s->listen_lock);
	while (s->listener < 0)
		pthread_cond_wait(&s->listen_cond, &s->listen_lock);
	pthread_mutex_unlock(&s->listen_lock);
}

/*
 * Place the calling worker (notify.h): true if it is the one that floats, else it is bound to
 * the next CPU in turn. Best effort: a CPU that went away leaves the worker floating too.
 */
static bool sbx_worker_place(struct sbx_sup *s)
{
	const cpu_set_t *all = sbx_thread_cpus();
	int cpu, ncpus = CPU_COUNT(all);
	unsigned int k;
	cpu_set_t one;

	if (ncpus < 2 || !atomic_exchange(&s->floating, true))
		return ncpus >= 2;
	k = atomic_fetch_add(&s->next_cpu, 1) % (unsigned int)ncpus;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, all) || k--)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		(void)sched_setaffinity(0, sizeof(one), &one);
		break;
	}
	return false;
}

static void *sbx_worker(void *arg)
{
	struct sbx_sup *s = arg;
	struct seccomp_notif *n = calloc(1, s->sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, s->sizes.seccomp_notif_resp);
	bool floats;

	int cr = sbx_creds_enter();

	/* The command's authority first: a worker that cannot shed sbx's must not serve. The
	 * failure is recorded before the start is reported: sbx_notify_start() reads its text. */
	if (cr < 0)
		sbx_notify_fail(s, cr, "a notify worker cannot take the command's capabilities");
	else if (!n || !resp)
		sbx_notify_fail(s, cr = -ENOMEM, "a notify worker cannot allocate its buffers");
	sbx_worker_started(s, cr);
	if (cr < 0) {
		atomic_fetch_sub(&s->workers, 1);
		free(n);
		free(resp);
		return NULL;
	}
	floats = sbx_worker_place(s);
	sbx_wait_listener(s);
	atomic_fetch_add(&s->idle, 1);
	for (;;) {
		memset(n, 0, s->sizes.seccomp_notif);
		int r = ioctl(s->listener, SECCOMP_IOCTL_NOTIF_RECV, n);

		if (r == -1) {
			if (errno == ENOENT && sbx_listener_dead(s->listener))
				break;
			if (errno == EINTR || errno == ENOENT)
				continue; /* a stray signal, or the caller died before we looked */
			sbx_notify_fail(s, -errno, "receiving a seccomp notification failed");
			break;
		}
		/* The last idle worker took this call, which may block: start another. */
		if (atomic_fetch_sub(&s->idle, 1) == 1)
			sbx_spawn_worker(s);
		sbx_notify_handle(s, n, resp);
		if (atomic_load(&s->idle) > SBX_WORKERS_IDLE)
			break; /* enough others wait (this one is counted already) */
	}
	atomic_fetch_sub(&s->idle, 1);
	atomic_fetch_sub(&s->workers, 1);
	if (floats)
		atomic_store(&s->floating, false); /* the next worker started floats */
	free(n);
	free(resp);
	return NULL;
}

static void sbx_spawn_worker(struct sbx_sup *s)
{
	static atomic_int warned;
	int r;

	atomic_fetch_add(&s->workers, 1);
	r = sbx_thread_start(sbx_worker, s, 256 * 1024);
	if (r) {
		atomic_fetch_sub(&s->workers, 1);
		if (atomic_exchange(&warned, 1) == 0)
			sbx_log_warn("cannot start another notify worker: %s", strerror(r));
	}
}

static void sbx_cancel_handler(int sig)
{
	(void)sig; /* only here to make a blocking call return EINTR */
}

void sbx_notify_start(struct sbx_sup *s)
{
	struct sigaction sa = { .sa_handler = sbx_cancel_handler }; /* no SA_RESTART */
	int i;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SBX_SIG_CANCEL, &sa, NULL) == -1) {
		sbx_notify_fail(s, -errno, "cannot install the handler that cancels blocked calls");
		return;
	}
	for (i = 0; i < SBX_WORKERS_MIN; i++)
		sbx_spawn_worker(s);
	if (atomic_load(&s->workers) == 0) {
		sbx_notify_fail(s, -EAGAIN, "cannot start a notify worker (pthread_create)");
		return;
	}
	/* A worker that cannot serve has recorded why (sbx_notify_fail) before reporting. */
	pthread_mutex_lock(&s->listen_lock);
	while (s->first == 0)
		pthread_cond_wait(&s->listen_cond, &s->listen_lock);
	pthread_mutex_unlock(&s->listen_lock);
}
