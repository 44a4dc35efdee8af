/* Owns the command's lifecycle: fork, listener hand-over, signal forwarding, exit status. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../filters/filter.h"
#include "../shim/shim.h"
#include "judge/lookups.h"
#include "record/audit.h"
#include "perform/binder.h"
#include "perform/fdbudget.h"
#include "base/log.h"
#include "notify/notify.h"
#include "run.h"
#include "base/syscalls.h"
#include "base/util.h"

static const int sbx_forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static int sbx_wait_status(int pidfd)
{
	siginfo_t si = { 0 };

	while (waitid(P_PIDFD, pidfd, &si, WEXITED) == -1)
		if (errno != EINTR)
			return -errno;
	if (si.si_code == CLD_EXITED)
		return si.si_status;
	return 128 + si.si_status;
}

/* Why the shim could not install the filter, with what the user can do about it. */
static int sbx_shim_error(const struct sbx_shim_result *m, struct sbx_error *err)
{
	sbx_error_set(err, m->err, "cannot sandbox the command: %s", m->what);
	switch (m->step) {
	case SBX_STEP_NAMESPACE:
		if (m->err == ENOSPC)
			sbx_error_hint(err, "--net isolated and none need a network namespace, "
					    "and the limit on user namespaces is reached: raise it "
					    "(sysctl user.max_user_namespaces) or run as root");
		else
			sbx_error_hint(err,
				       "--net isolated and none need a network namespace: "
				       "run as root, or allow unprivileged user namespaces "
				       "(sysctl kernel.unprivileged_userns_clone=1, AppArmor); in "
				       "a container the runtime's seccomp profile refuses them "
				       "(Docker, podman: --security-opt seccomp=unconfined or a "
				       "profile that allows unshare)");
		break;
	case SBX_STEP_CAPS:
		if (m->err == EPERM)
			sbx_error_hint(
				err, "as root without CAP_SETPCAP sbx cannot empty the capability "
				     "bounding set: start it with CAP_SETPCAP, or with the set "
				     "already empty (setpriv --bounding-set=-all)");
		break;
	case SBX_STEP_SECCOMP:
		if (m->err == EBUSY)
			sbx_error_hint(err,
				       "this process already runs under a seccomp listener "
				       "(another sbx-supervise or container supervisor); nesting "
				       "is not supported");
		else if (m->err == EINVAL || m->err == ENOSYS)
			sbx_error_hint(err,
				       "the kernel needs seccomp user notification (Linux 5.0+)");
		break;
	default:
		break;
	}
	return -m->err;
}

/*
 * Wait for the command to end, forwarding the signals sent to sbx, and start the notify
 * workers when its first notified call waits on @sup's listener (notify.h). A signalfd that
 * cannot be made leaves signals unforwarded (they stay blocked), never the calls unserved.
 */
static int sbx_serve(struct sbx_sup *sup, int pidfd)
{
	sigset_t set;
	struct pollfd p[3];
	_cleanup_close_ int sfd = -1;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(sbx_forwarded); i++)
		sigaddset(&set, sbx_forwarded[i]);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	p[0] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = sup->listener, .events = POLLIN };
	for (;;) {
		struct signalfd_siginfo si;

		if (poll(p, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		/* Once: a waiting call starts the workers. A listener that hung up has no task
		 * left that uses the filter: the command's processes are all gone, the command
		 * itself too (exiting, if not yet waitable), so it is waited for now, not after
		 * another round of poll. */
		if (p[2].revents) {
			if (!(p[2].revents & POLLIN))
				break;
			sbx_notify_start(sup);
			p[2].fd = -1;
		}
		if (p[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			/* A signal the kernel sent (a terminal's ^C, ^\, hangup) already went to
			 * the command's process group too; forward only what someone sent us. */
			if ((int)si.ssi_code <= 0)
				sys_pidfd_send_signal(pidfd, si.ssi_signo, NULL, 0);
		}
	}
	return sbx_wait_status(pidfd);
}

/* How long what the command left running gets between SIGTERM and SIGKILL. */
#define SBX_LEFTOVER_GRACE_MS 1000

/* sbx's children now: as their subreaper, the processes the command left behind. */
static size_t sbx_children(pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid();
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		char path[64], buf[512], *p;
		pid_t pid = (pid_t)atoi(e->d_name);
		_cleanup_close_ int fd = -1;
		ssize_t r;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		r = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		p = strrchr(buf, ')'); /* the name may hold anything */
		if (p && strlen(p) > 4 && (pid_t)strtol(p + 4, NULL, 10) == self)
			out[n++] = pid;
	}
	closedir(d);
	return n;
}

static long sbx_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Nothing outlives the sandbox: sbx is the command's subreaper, so whatever it left running
 * (a double fork, a setsid daemon) is sbx's child once its parent is gone. Each gets SIGTERM,
 * then SIGKILL after a grace period; grandchildren become children as their parents die and
 * get the same. A child cannot be reaped by anyone else, so its pid names it until sbx reaps it.
 * The workers go on answering their calls meanwhile.
 */
static void sbx_end_leftovers(void)
{
	static pid_t kids[4096], termed[4096];
	long end = sbx_now_ms() + SBX_LEFTOVER_GRACE_MS;
	size_t nt = 0, n, i, k;
	bool said = false;

	for (;;) {
		bool late = sbx_now_ms() >= end;
		siginfo_t si;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		/* No child at all (ECHILD), the common case: no scan of /proc at every exit. */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1 && errno == ECHILD)
			return;
		n = sbx_children(kids, ARRAY_SIZE(kids));
		if (n == 0)
			return;
		if (!said) {
			sbx_log_warn("the command left %zu process%s running: stopping %s "
				     "(--leave-running keeps them)",
				     n, n == 1 ? "" : "es", n == 1 ? "it" : "them");
			said = true;
		}
		for (i = 0; i < n; i++) {
			for (k = 0; k < nt && termed[k] != kids[i]; k++)
				;
			if (late)
				kill(kids[i], SIGKILL);
			else if (k == nt && nt < ARRAY_SIZE(termed)) {
				kill(kids[i], SIGTERM);
				termed[nt++] = kids[i];
			}
		}
		usleep(10 * 1000);
	}
}

/* SBX_SANDBOX=1 and SBX_SANDBOX_NET=<mode> in the command's environment: tools (a test suite,
 * an agent's shell) can tell they run sandboxed, and how, without probing for refusals. */
static int sbx_sandbox_env(const struct sbx_policy *pol, struct sbx_error *err)
{
	static const char *const modes[] = { [SBX_NET_FILTERED] = "filtered",
					     [SBX_NET_ISOLATED] = "isolated",
					     [SBX_NET_NONE] = "none",
					     [SBX_NET_HOST] = "host" };

	if (setenv("SBX_SANDBOX", "1", 1) == -1 ||
	    setenv("SBX_SANDBOX_NET", modes[pol->net], 1) == -1)
		return sbx_error_set(err, errno, "setenv SBX_SANDBOX");
	return 0;
}

/* --proxy: the usual variables, both cases, and NO_PROXY for the loopback the sandbox
 * keeps to itself. Set in sbx's own environment, which the command inherits. */
static int sbx_proxy_env(const struct sbx_policy *pol, bool verbose, struct sbx_error *err)
{
	static const char *const vars[] = { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
					    "http_proxy", "https_proxy", "all_proxy" };
	static const char local[] = "localhost,127.0.0.1,::1";
	static const char *const no[2] = { "NO_PROXY", "no_proxy" };
	char value[2][4096];
	const char *old[2];
	size_t i;

	if (!pol->proxy_url)
		return 0;
	for (i = 0; i < ARRAY_SIZE(vars); i++)
		if (setenv(vars[i], pol->proxy_url, 1) == -1)
			return sbx_error_set(err, errno, "setenv %s", vars[i]);
	/* Each spelling keeps its own list; one set alone speaks for both. */
	old[0] = getenv(no[0]);
	old[1] = getenv(no[1]);
	for (i = 0; i < 2; i++) {
		const char *base = old[i] && *old[i] ? old[i] : old[1 - i];

		if (base && *base)
			snprintf(value[i], sizeof(value[i]), "%s,%s", base, local);
		else
			snprintf(value[i], sizeof(value[i]), "%s", local);
	}
	for (i = 0; i < 2; i++)
		if (setenv(no[i], value[i], 1) == -1)
			return sbx_error_set(err, errno, "setenv %s", no[i]);
	if (verbose)
		sbx_log_err("proxy: HTTP_PROXY, HTTPS_PROXY and ALL_PROXY are %s; NO_PROXY is %s, "
			    "so loopback destinations go direct, not through the proxy",
			    pol->proxy_url, value[0]);
	return 0;
}

static struct sbx_sup *volatile sbx_live_sup; /* written only: volatile keeps the store */

/* --net isolated with host names: the resolver files the shim mounts over the command's
 * /etc/resolv.conf and /etc/hosts, in a directory of sbx's removed once they are mounted
 * (the mounts keep them). Every name then goes to sbx's responder, none to the host's file. */
static char sbx_dns_dir[64];
static char sbx_dns_resolv[96], sbx_dns_hosts[96];

static int sbx_dns_files(struct sbx_netns_dns *dns, struct sbx_error *err)
{
	static const char resolv[] = "# sbx-supervise: its DNS responder (--net isolated)\n"
				     "nameserver 127.0.0.1\n";
	static const char hosts[] = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
				    "ip6-loopback\n";
	_cleanup_close_ int fd = -1;

	/* Not under TMPDIR, which may be a sandbox's own that its command can write. */
	snprintf(sbx_dns_dir, sizeof(sbx_dns_dir), "/tmp/sbx-dns.XXXXXX");
	if (!mkdtemp(sbx_dns_dir))
		return sbx_error_set(err, errno, "mkdtemp %s", sbx_dns_dir);
	snprintf(sbx_dns_resolv, sizeof(sbx_dns_resolv), "%s/resolv.conf", sbx_dns_dir);
	snprintf(sbx_dns_hosts, sizeof(sbx_dns_hosts), "%s/hosts", sbx_dns_dir);
	fd = open(sbx_dns_resolv, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, resolv, sizeof(resolv) - 1) != (ssize_t)sizeof(resolv) - 1)
		return sbx_error_set(err, errno, "write %s", sbx_dns_resolv);
	close(steal_fd(&fd));
	fd = open(sbx_dns_hosts, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, hosts, sizeof(hosts) - 1) != (ssize_t)sizeof(hosts) - 1)
		return sbx_error_set(err, errno, "write %s", sbx_dns_hosts);
	dns->resolv_conf = sbx_dns_resolv;
	dns->hosts = sbx_dns_hosts;
	return 0;
}

static void sbx_dns_files_remove(void)
{
	if (!sbx_dns_dir[0])
		return;
	unlink(sbx_dns_resolv);
	unlink(sbx_dns_hosts);
	rmdir(sbx_dns_dir);
	sbx_dns_dir[0] = '\0';
}

/* All that can fail for a reason the user can act on, and all that must be in place before
 * the command runs, which it does as soon as the shim is started. */
static int sbx_before_start(const struct sbx_opts *o, struct sbx_bpf *bpf, struct sbx_sup **out,
			    struct sbx_error *err)
{
	struct sbx_sup *sup;
	int r;

	r = sbx_filter_build(&o->pol, SBX_FILTER_NOTIFY, bpf, err);
	if (r < 0)
		return r;
	/* Binds performed for the child go through a process confined like it (binder.h). Its
	 * rule paths are opened now, before the command could move anything under them. */
	r = sbx_binder_prepare(o->pol.ll.fs_kernel ? &o->pol.ll : NULL);
	if (r < 0)
		return sbx_error_set(err, -r, "prepare the Landlock domain of the bind process");
	sup = malloc(sizeof(*sup));
	if (!sup)
		return sbx_error_set(err, ENOMEM, "supervisor state");
	/* sup stays alive until exit: workers may be mid-call. Kept in a static, so it stays
	 * reachable (for LeakSanitizer too) after the last worker has gone. */
	sbx_live_sup = sup;
	*out = sup;
	r = sbx_notify_init(sup, &o->pol, o->quiet, o->verbose, err);
	if (r < 0)
		return r;
	/* Resolved before the command runs, so its first connect finds the addresses; the
	 * thread that keeps them fresh starts with the others. */
	r = sbx_names_init(&sup->names, &o->pol, err);
	if (r == 0)
		sbx_names_resolve_all(&sup->names);
	sbx_synth_init(&sup->synth);
	sup->lookups = sbx_lookups_wanted(&o->pol);
	return r;
}

/* The supervisor's side of start-up, while the command starts: what the command must not
 * inherit (SIGPIPE ignored, the raised fd limit) and the threads. */
static int sbx_after_start(struct sbx_sup *sup, int dns_fd, struct sbx_error *err)
{
	signal(SIGPIPE, SIG_IGN);
	sbx_fdbudget_init();
	if (sbx_names_start(&sup->names, err) < 0)
		return -err->code;
	if (dns_fd >= 0) {
		sup->dnsd = (struct sbx_dnsd){ .fd = dns_fd,
					       .pol = sup->pol,
					       .names = &sup->names,
					       .synth = &sup->synth,
					       .quiet = sup->quiet,
					       .permissive = sbx_audit_learning(),
					       .refused = sbx_audit_dns_refused };
		if (sbx_dnsd_start(&sup->dnsd, err) < 0)
			return -err->code;
	}
	return 0;
}

/* The command's status @status, unless sbx failed closed (notify.h): then why, as sbx's own
 * error (exit 125), the command having been killed for it. */
static int sbx_failed_closed(struct sbx_sup *sup, int status, struct sbx_error *err)
{
	const char *what = "";
	int e = sbx_notify_failed(sup, &what);

	if (!e)
		return status;
	sbx_error_set(err, -e, "%s", what);
	return sbx_error_hint(err, "sbx stopped the command rather than leave its socket calls "
				   "unanswered");
}

int sbx_run(const struct sbx_opts *o, struct sbx_error *err)
{
	_cleanup_close_ int pidfd = -1;
	_cleanup_(sbx_bpf_free) struct sbx_bpf bpf = { 0 };
	struct sbx_shim_result res;
	struct sbx_netns_dns dns = { 0 };
	bool with_dns = o->pol.net == SBX_NET_ISOLATED && o->pol.n_hosts;
	struct sbx_sup *sup = NULL;
	struct sigaction chld;
	sigset_t block, old;
	pid_t pid;
	size_t i;
	int r;

	r = sbx_proxy_env(&o->pol, o->verbose, err);
	if (r == 0)
		r = sbx_sandbox_env(&o->pol, err);
	if (r < 0)
		return r;
	sbx_task_probe();
	(void)sbx_task_mem_probe();
	if (access("/proc/thread-self/fd", F_OK) == -1) {
		sbx_error_set(err, errno, "/proc/thread-self/fd");
		return sbx_error_hint(err, "sbx-supervise needs /proc mounted");
	}
	r = sbx_before_start(o, &bpf, &sup, err);
	if (r == 0 && with_dns)
		r = sbx_dns_files(&dns, err);
	if (r < 0) {
		sbx_dns_files_remove();
		return r;
	}

	/* Ignored, the kernel would reap the command by itself and its status would be lost;
	 * the shim gives the command the disposition sbx was started with. */
	sigaction(SIGCHLD, NULL, &chld);
	if (chld.sa_handler == SIG_IGN)
		signal(SIGCHLD, SIG_DFL);

	/* Blocked before the command starts so none is lost before the signalfd exists; the
	 * shim restores the original mask before execvp. */
	sigemptyset(&block);
	for (i = 0; i < ARRAY_SIZE(sbx_forwarded); i++)
		sigaddset(&block, sbx_forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &old);

	/* What the command leaves running becomes sbx's to end when the command exits. */
	if (!o->leave_running && prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		sbx_log_warn("cannot become the command's subreaper (%s): processes it leaves "
			     "running will outlive sbx",
			     strerror(errno));

	/* By the main thread, before any worker exists: see shim.h. */
	pid = sbx_shim_start(
		&(struct sbx_shim_args){
			.parent = getpid(),
			.argv = o->argv,
			.mask = &old,
			.chld_ignored = chld.sa_handler == SIG_IGN,
			.private_net = o->pol.net == SBX_NET_ISOLATED || o->pol.net == SBX_NET_NONE,
			.dns = with_dns ? &dns : NULL,
			.ll = &o->pol.ll,
			.keep_caps = o->pol.keep_caps,
			.bpf = &bpf,
			.res = &res,
		},
		&pidfd);
	sbx_bpf_free(&bpf);
	sbx_dns_files_remove(); /* mounted by now, or never to be */
	if (pid < 0) {
		r = sbx_error_set(err, -pid, "start the command (clone)");
		if (r == -EINVAL)
			sbx_error_hint(err, "the kernel needs CLONE_PIDFD (Linux 5.2+)");
		return r;
	}
	if (res.listener < 0) {
		int status = sbx_wait_status(pidfd);

		if (res.err)
			return sbx_shim_error(&res, err);
		return sbx_error_set(err, EIO, "the sandbox shim failed (status %d)", status);
	}

	/* The command runs from here on; its notified calls wait until a worker receives. */
	sup->cmd_pidfd = pidfd;
	r = sbx_after_start(sup, res.dns_fd, err);
	if (r < 0) {
		/* Only a thread that could not start (the names' refresher, the DNS responder):
		 * the command's notified calls fail with ENOSYS without the listener, and it is
		 * killed. (The notify workers start later, sbx_serve().) */
		close(res.listener);
		/* By pidfd: the child may already be reaped, and its pid reused. */
		sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		sbx_wait_status(pidfd);
		return r;
	}
	sbx_audit_begin(&o->pol, o->argv, pid, pidfd, sup->replace ? "replace" : "dup");
	sup->killable = res.killable;
	if (!res.killable)
		sbx_log_warn("this kernel has no SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux "
			     "5.19+): a signal that interrupts a send sbx performs may make the "
			     "command send some data twice");
	sbx_notify_listen(sup, res.listener);
	r = sbx_serve(sup, pidfd);
	sbx_binder_stop();
	if (r < 0)
		sbx_error_set(err, -r, "wait for the command");
	else if (!o->leave_running || sbx_notify_failed(sup, NULL))
		sbx_end_leftovers();
	return r < 0 ? r : sbx_failed_closed(sup, r, err);
}
