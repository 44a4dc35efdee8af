/* Owns the records of the sandbox's calls, and the learning-mode summary and suggestions;
 * the log file itself is auditlog.c's. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "audit_ll.h"
#include "auditlog.h"
#include "json.h"
#include "../base/log.h"
#include "../caller/sockaddr.h"
#include "../judge/fsjudge.h"
#include "../base/syscalls.h"
#include "../base/util.h"

#ifndef SBX_VERSION
#define SBX_VERSION "unknown"
#endif

/* Largest record: two PATH_MAX paths escaped at 6 bytes per byte fit with room to spare. */
#define SBX_AUDIT_REC_MAX (64 * 1024)
/* Distinct would-deny targets remembered for the summary and the suggested policy. */
#define SBX_LEARN_MAX 256

struct sbx_learned {
	char call[16];
	char target[512];
	char hint[PATH_MAX + 32]; /* empty: nothing to suggest */
	unsigned long count;
	pid_t first_pid;
	char first_comm[32];
};

static struct {
	struct sbx_audit_cfg cfg;
	atomic_ulong n_deny, n_would, n_allow;

	int suggest_fd; /* --suggest-policy, opened before the command runs */
	pthread_mutex_t learn_lock;
	struct sbx_learned *learned;
	size_t n_learned;
	unsigned long learn_overflow;
} sbx_audit = {
	.suggest_fd = -1,
	.learn_lock = PTHREAD_MUTEX_INITIALIZER,
};

int sbx_audit_open(const struct sbx_audit_cfg *cfg, struct sbx_error *err)
{
	sbx_audit.cfg = *cfg;
	if (cfg->suggest && !cfg->learn) {
		sbx_error_set(err, 0, "--suggest-policy needs --learn");
		return -(err->code = EINVAL);
	}
	if (cfg->learn) {
		sbx_audit.learned = calloc(SBX_LEARN_MAX, sizeof(*sbx_audit.learned));
		if (!sbx_audit.learned)
			return sbx_error_set(err, ENOMEM, "--learn");
	}
	if (cfg->log) {
		int r = sbx_auditlog_open(cfg->log, cfg->fail_ignore, err);

		if (r < 0)
			return r;
	}
	/* Opened now, before the command runs: a path that cannot be written is an error the
	 * user hears about before waiting for the run, not after it. */
	if (cfg->suggest) {
		sbx_audit.suggest_fd =
			open(cfg->suggest, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
		if (sbx_audit.suggest_fd < 0)
			return sbx_error_set(err, errno, "--suggest-policy %s", cfg->suggest);
	}
	return 0;
}

bool sbx_audit_learning(void)
{
	return sbx_audit.cfg.learn;
}

bool sbx_audit_failed(void)
{
	return sbx_auditlog_failed();
}

static bool sbx_json_array(char *out, size_t n, char *const *v, size_t count)
{
	size_t o = 0, i, need;

	if (n < 3)
		return false;
	out[o++] = '[';
	for (i = 0; i < count; i++) {
		if (o + 4 >= n)
			return false;
		if (i)
			out[o++] = ',';
		out[o++] = '"';
		need = sbx_json_escape(out + o, n - o, v[i], strlen(v[i]), NULL);
		if (o + need + 3 >= n)
			return false;
		o += need;
		out[o++] = '"';
	}
	out[o++] = ']';
	out[o] = '\0';
	return true;
}

void sbx_audit_begin(const struct sbx_policy *pol, char *const *argv, pid_t pid, int pidfd,
		     const char *fd_mode)
{
	_cleanup_free_ char **rules = NULL;
	_cleanup_free_ char *arr = NULL, *buf = NULL;
	struct sbx_json j;
	size_t i, n = 0, argc = 0;
	char why[256];

	sbx_auditlog_arm(pidfd);
	if (!sbx_auditlog_on())
		return;
	if (sbx_audit_ll_start(pid, why, sizeof(why)) < 0) {
		if (sbx_audit.cfg.verbose)
			sbx_log_err("Landlock denials are not in this log: %s", why);
	} else if (sbx_audit.cfg.verbose) {
		sbx_log_err("Landlock denials of this sandbox's domain are in this log");
	}
	/* Not the hot path: the summary may allocate. On the heap, not the main thread's stack,
	 * which a user's RLIMIT_STACK may keep small. */
	buf = malloc(SBX_AUDIT_REC_MAX);
	arr = malloc(SBX_AUDIT_REC_MAX / 2);
	rules = calloc(pol->n_unix + pol->n_unix_res + 1, sizeof(*rules));
	if (!buf || !arr || !rules) {
		sbx_auditlog_fail(ENOMEM);
		return;
	}
	sbx_auditlog_head(&j, buf, SBX_AUDIT_REC_MAX, "start");
	sbx_json_cstr(&j, "version", SBX_VERSION);
	sbx_json_int(&j, "pid", getpid());
	sbx_json_cstr(&j, "audit", sbx_audit.cfg.mode == SBX_AUDIT_ALL ? "all" : "deny");
	sbx_json_cstr(&j, "fd_mode", fd_mode);
	sbx_json_bool(&j, "learn", sbx_audit.cfg.learn);
	while (argv && argv[argc])
		argc++;
	if (sbx_json_array(arr, SBX_AUDIT_REC_MAX / 2, argv, argc))
		sbx_json_raw(&j, "argv", arr);
	for (i = 0; i < pol->n_unix; i++)
		rules[n++] = pol->unix_rules[i].origin;
	for (i = 0; i < pol->n_unix_res; i++)
		rules[n++] = pol->unix_res[i].origin;
	if (sbx_json_array(arr, SBX_AUDIT_REC_MAX / 2, rules, n))
		sbx_json_raw(&j, "unix_rules", arr);
	sbx_json_cstr(&j, "net", sbx_net_mode_name(pol->net));
	sbx_json_int(&j, "endpoints", (long long)pol->n_endpoints);
	sbx_json_int(&j, "hosts", (long long)pol->n_hosts);
	sbx_json_int(&j, "bind_ports", (long long)pol->n_bind_ports);
	sbx_auditlog_emit(buf, sbx_json_end(&j));
}

/* ppid, tgid and exe of the caller, read from /proc: best effort, for the record only. */
static void sbx_audit_proc(pid_t tid, pid_t *tgid, pid_t *ppid, char *exe, size_t n)
{
	char path[64], buf[1024], *p;
	ssize_t r;
	int fd;

	*tgid = tid;
	*ppid = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r > 0) {
			buf[r] = '\0';
			p = strstr(buf, "\nTgid:");
			if (p)
				*tgid = (pid_t)strtol(p + 6, NULL, 10);
			p = strstr(buf, "\nPPid:");
			if (p)
				*ppid = (pid_t)strtol(p + 6, NULL, 10);
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", tid);
	r = readlink(path, exe, n - 1);
	exe[r > 0 ? r : 0] = '\0';
}

static const char *sbx_family_name(int family)
{
	switch (family) {
	case AF_UNIX:
		return "AF_UNIX";
	case AF_INET:
		return "AF_INET";
	case AF_INET6:
		return "AF_INET6";
	case AF_NETLINK:
		return "AF_NETLINK";
	case AF_UNSPEC:
		return "AF_UNSPEC";
	}
	return NULL;
}

static const char *sbx_type_name(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return "SOCK_STREAM";
	case SOCK_DGRAM:
		return "SOCK_DGRAM";
	case SOCK_SEQPACKET:
		return "SOCK_SEQPACKET";
	case SOCK_RAW:
		return "SOCK_RAW";
	}
	return NULL;
}

/* The fields every call record has: who, which call, what address. */
static void sbx_audit_call_fields(struct sbx_json *j, struct sbx_call *c)
{
	const struct sbx_addr *a = c->addr;
	char exe[PATH_MAX], comm[32], num[32];
	socklen_t tl = sizeof(int);
	pid_t tgid, ppid;
	int sock, type = -1;

	sbx_audit_proc(c->n->pid, &tgid, &ppid, exe, sizeof(exe));
	sbx_task_comm(c->n->pid, comm, sizeof(comm));
	sbx_json_int(j, "pid", tgid);
	sbx_json_int(j, "tid", c->n->pid);
	sbx_json_int(j, "ppid", ppid);
	sbx_json_cstr(j, "comm", comm);
	sbx_json_cstr(j, "exe", exe[0] ? exe : NULL);
	sbx_json_cstr(j, "syscall", c->name);
	sbx_json_cstr(j, "arch", c->n->data.arch == AUDIT_ARCH_X86_64 ? "x86_64" : "other");
	if (c->fs) {
		/* A filesystem write: no socket, the path as the caller named it and the file
		 * (or the new entry) it reaches. */
		sbx_json_cstr(j, "family", NULL);
		sbx_json_cstr(j, "type", NULL);
		if (sbx_json_str(j, "addr", c->fs_path, strlen(c->fs_path)))
			sbx_json_hex(j, "addr_hex", c->fs_path, strlen(c->fs_path));
		if (sbx_json_str(j, "resolved", c->fs->target, strlen(c->fs->target)))
			sbx_json_hex(j, "resolved_hex", c->fs->target, strlen(c->fs->target));
		return;
	}
	if (c->name) {
		/* Every notified call takes its socket as the first argument. */
		int fd = (int)c->n->data.args[0];

		sock = c->sup->replace ? -1 : sbx_task_getfd(&c->task, fd);
		if (c->sup->replace && c->si.ino)
			type = c->si.type;
		/* A UNIX datagram or seqpacket socket whose call was decided without sock_diag
		 * (a refusal, a kept copy: sbx_sockinfo_kind()) is asked now, for the record. */
		if (c->sup->replace && c->si.ino && !type) {
			struct sbx_sockinfo si;

			if (sbx_sockinfo_read(c->task.tid, fd, &si) == 0 && sbx_call_valid(c))
				type = si.type;
		}
		if (sock >= 0) {
			if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tl) == -1)
				type = -1;
			close(sock);
			/* A caller gone by now may have left its tid to another process, whose
			 * socket this was: record no type rather than a stranger's. */
			if (!sbx_call_valid(c))
				type = -1;
		}
	}
	if (a && sbx_family_name(a->family)) {
		sbx_json_cstr(j, "family", sbx_family_name(a->family));
	} else if (a) {
		snprintf(num, sizeof(num), "%d", a->family);
		sbx_json_cstr(j, "family", num);
	} else {
		sbx_json_cstr(j, "family", NULL);
	}
	if (sbx_type_name(type))
		sbx_json_cstr(j, "type", sbx_type_name(type));
	else
		sbx_json_cstr(j, "type", NULL);
	if (!a) {
		sbx_json_cstr(j, "addr", NULL);
	} else if (a->kind == SBX_ADDR_UNIX_PATH) {
		if (sbx_json_str(j, "addr", a->path, strlen(a->path)))
			sbx_json_hex(j, "addr_hex", a->path, strlen(a->path));
	} else if (a->kind == SBX_ADDR_UNIX_ABSTRACT) {
		char at[SBX_SUN_PATH_MAX + 1];

		/* "@" and the bytes as they are, NULs included (escaped as \u0000). */
		at[0] = '@';
		memcpy(at + 1, a->name, a->name_len);
		sbx_json_str(j, "addr", at, a->name_len + 1);
		sbx_json_hex(j, "addr_hex", a->name, a->name_len);
	} else {
		char target[512];

		sbx_addr_format(a, target, sizeof(target));
		sbx_json_cstr(j, "addr", target);
	}
	if (c->resolved && c->resolved[0]) {
		if (sbx_json_str(j, "resolved", c->resolved, strlen(c->resolved)))
			sbx_json_hex(j, "resolved_hex", c->resolved, strlen(c->resolved));
	} else {
		sbx_json_cstr(j, "resolved", NULL);
	}
}

static void sbx_audit_learn(struct sbx_call *c, const char *target, const char *hint)
{
	struct sbx_learned *l = NULL;
	size_t i;

	/* Filesystem refusals: one entry per flag to suggest (a directory), whatever call. */
	const char *call = c->fs ? "write" : c->name ? c->name : "?";

	if (c->fs && hint)
		target = hint + strlen("--rw ");
	pthread_mutex_lock(&sbx_audit.learn_lock);
	for (i = 0; i < sbx_audit.n_learned && !l; i++)
		if (!strcmp(sbx_audit.learned[i].target, target) &&
		    !strcmp(sbx_audit.learned[i].call, call))
			l = &sbx_audit.learned[i];
	if (!l && sbx_audit.n_learned < SBX_LEARN_MAX) {
		l = &sbx_audit.learned[sbx_audit.n_learned++];
		snprintf(l->call, sizeof(l->call), "%s", call);
		snprintf(l->target, sizeof(l->target), "%s", target);
		snprintf(l->hint, sizeof(l->hint), "%s", hint ? hint : "");
		l->first_pid = c->n->pid;
		sbx_task_comm(c->n->pid, l->first_comm, sizeof(l->first_comm));
	}
	if (l)
		l->count++;
	else
		sbx_audit.learn_overflow++;
	pthread_mutex_unlock(&sbx_audit.learn_lock);
}

void sbx_audit_deny(struct sbx_call *c, const char *target, const char *hint, const char *reason)
{
	bool learn = sbx_audit.cfg.learn;
	/* A filesystem refusal is Landlock's, in learning mode too: a deny, and learned. */
	bool would = learn && !c->fs;
	char buf[SBX_AUDIT_REC_MAX], blockers[256];
	struct sbx_json j;

	c->denied = true;
	atomic_fetch_add(would ? &sbx_audit.n_would : &sbx_audit.n_deny, 1);
	if (learn)
		sbx_audit_learn(c, target, hint);
	if (!sbx_auditlog_on())
		return;
	sbx_auditlog_head(&j, buf, sizeof(buf), would ? "would-deny" : "deny");
	if (c->fs)
		sbx_json_cstr(&j, "source", "fs");
	sbx_audit_call_fields(&j, c);
	sbx_json_cstr(&j, "rule", c->fs ? "fs-rules" : c->rule ? c->rule : "default-deny");
	sbx_json_cstr(&j, "errno", c->fs ? strerrorname_np(c->fs->err) : "EPERM");
	sbx_json_cstr(&j, "hint", hint);
	sbx_json_cstr(&j, "reason", reason);
	if (c->fs)
		sbx_json_cstr(&j, "blockers",
			      sbx_fs_blockers(c->fs->missing, blockers, sizeof(blockers)));
	else if (!c->addr && target)
		sbx_json_str(&j, "target", target, strlen(target));
	/* An inet target the policy knows by name reads "NAME:PORT (IP)" (judge/hosts.h). */
	if (c->addr && (c->addr->kind == SBX_ADDR_INET || c->addr->kind == SBX_ADDR_INET6) &&
	    target && strstr(target, " ("))
		sbx_json_str(&j, "host", target, strcspn(target, ":"));
	sbx_auditlog_emit(buf, sbx_json_end(&j));
}

void sbx_audit_dns_refused(const char *name)
{
	char buf[2048], hint[SBX_HOSTNAME_MAX + 32];
	struct sbx_json j;

	atomic_fetch_add(&sbx_audit.n_deny, 1);
	if (!sbx_auditlog_on())
		return;
	snprintf(hint, sizeof(hint), "--allow-connect %s:PORT", name);
	sbx_auditlog_head(&j, buf, sizeof(buf), "deny");
	sbx_json_cstr(&j, "syscall", "dns-query");
	sbx_json_cstr(&j, "rule", "default-deny");
	sbx_json_cstr(&j, "errno", "REFUSED");
	sbx_json_cstr(&j, "hint", hint);
	sbx_json_str(&j, "target", name, strlen(name));
	sbx_json_str(&j, "host", name, strlen(name));
	sbx_auditlog_emit(buf, sbx_json_end(&j));
}

/* Which rule let @c through: re-matched here, so the judge needs no audit code. */
static const char *sbx_audit_rule(struct sbx_call *c)
{
	const struct sbx_policy *pol = c->sup->pol;
	const struct sbx_addr *a = c->addr;
	const struct sbx_unix_rule *r;
	const struct sbx_unix_re *re;

	if (c->rule)
		return c->rule;
	if (c->name && !strcmp(c->name, "bind"))
		return "bind-always-allowed"; /* UNIX and netlink names (sbx_bind_judge) */
	if (a->kind == SBX_ADDR_UNIX_PATH && c->resolved) {
		r = sbx_pol_match_path(pol, c->resolved);
		if (r)
			return r->origin;
		re = sbx_pol_match_path_re(pol, c->resolved);
		if (re)
			return re->origin;
		return "bound-in-sandbox";
	}
	if (a->kind == SBX_ADDR_UNIX_ABSTRACT) {
		r = sbx_pol_match_abstract(pol, a->name, a->name_len);
		return r ? r->origin : "bound-in-sandbox";
	}
	if (a->kind == SBX_ADDR_NETLINK)
		return "netlink-kernel";
	if (a->kind == SBX_ADDR_INET || a->kind == SBX_ADDR_INET6)
		return "network-policy";
	return "no-destination";
}

/*
 * The judge's data lives in the handler's frame, gone when the call is answered: with
 * --audit=all it is copied here. Per worker thread, because a call is judged and answered on
 * one thread; kept out of struct sbx_call so that the hot path does not zero 4 KB per call.
 */
static __thread struct {
	struct sbx_addr addr;
	char resolved[PATH_MAX];
} sbx_audit_copy;

void sbx_audit_judged(struct sbx_call *c, const struct sbx_addr *a, const char *resolved)
{
	c->addr = a;
	c->resolved = resolved;
	if (sbx_audit.cfg.mode != SBX_AUDIT_ALL || !sbx_auditlog_on())
		return;
	sbx_audit_copy.addr = *a;
	snprintf(sbx_audit_copy.resolved, sizeof(sbx_audit_copy.resolved), "%s",
		 resolved ? resolved : "");
	c->copied = true;
}

void sbx_audit_call(struct sbx_call *c, long r)
{
	char buf[SBX_AUDIT_REC_MAX];
	struct sbx_json j;

	if (!c->copied || c->denied)
		return;
	c->addr = &sbx_audit_copy.addr;
	c->resolved = sbx_audit_copy.resolved;
	atomic_fetch_add(&sbx_audit.n_allow, 1);
	if (!sbx_auditlog_on())
		return;
	sbx_auditlog_head(&j, buf, sizeof(buf), "allow");
	sbx_audit_call_fields(&j, c);
	sbx_json_cstr(&j, "rule", sbx_audit_rule(c));
	/* The result of the call sbx performed: allowed is not the same as it worked. */
	sbx_json_cstr(&j, "errno", r < 0 && r != SBX_NO_REPLY ? strerrorname_np((int)-r) : NULL);
	sbx_json_cstr(&j, "hint", NULL);
	sbx_auditlog_emit(buf, sbx_json_end(&j));
}

/* A suggestion is a policy line: the hint's flag without "--". Never --net (host). */
static const char *sbx_audit_suggestion(const struct sbx_learned *l)
{
	if (strncmp(l->hint, "--", 2) || !strncmp(l->hint, "--net", 5))
		return NULL;
	if (strchr(l->hint, '\\'))
		return NULL; /* a name with bytes a policy line cannot carry */
	return l->hint + 2;
}

static int sbx_audit_write_suggest(void)
{
	_cleanup_fclose_ FILE *f = NULL;
	size_t i, k;

	int fd = fcntl(sbx_audit.suggest_fd, F_DUPFD_CLOEXEC, 3);

	f = fd >= 0 && ftruncate(fd, 0) == 0 ? fdopen(fd, "we") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		sbx_log_err("cannot write %s: %s", sbx_audit.cfg.suggest, strerror(errno));
		return -1;
	}
	fprintf(f, "sbx-policy 1\n# suggested by sbx-supervise --learn %s\n", SBX_VERSION);
	for (i = 0; i < sbx_audit.n_learned; i++) {
		const char *s = sbx_audit_suggestion(&sbx_audit.learned[i]);
		bool dup = false;

		for (k = 0; k < i && s && !dup; k++) {
			const char *t = sbx_audit_suggestion(&sbx_audit.learned[k]);

			dup = t && !strcmp(s, t);
		}
		if (s && !dup)
			fprintf(f, "%s\n", s);
		else if (!s)
			fprintf(f, "# not expressible as a rule: %s to %s\n",
				sbx_audit.learned[i].call, sbx_audit.learned[i].target);
	}
	if (fflush(f) == EOF || ferror(f)) {
		sbx_log_err("cannot write %s: %s", sbx_audit.cfg.suggest, strerror(errno));
		return -1;
	}
	return 0;
}

static void sbx_audit_summary(void)
{
	size_t i;

	if (!sbx_audit.n_learned) {
		sbx_log_err("learning: the policy would have denied nothing");
		return;
	}
	sbx_log_err("learning: the policy would have denied %zu distinct target(s):",
		    sbx_audit.n_learned);
	for (i = 0; i < sbx_audit.n_learned; i++) {
		const struct sbx_learned *l = &sbx_audit.learned[i];

		sbx_log_err("  %s to %s: %lu time(s), first by pid %d (%s)%s%s", l->call, l->target,
			    l->count, l->first_pid, l->first_comm,
			    l->hint[0] ? "; allow with " : "", l->hint);
	}
	if (sbx_audit.learn_overflow)
		sbx_log_err("  … and %lu more denials of targets not listed",
			    sbx_audit.learn_overflow);
}

/* The exit record; on the heap, as in sbx_audit_begin: this runs on the main thread. */
static void sbx_audit_exit_record(int status)
{
	_cleanup_free_ char *buf = malloc(SBX_AUDIT_REC_MAX);
	struct sbx_json j;

	if (!buf) {
		sbx_auditlog_fail(ENOMEM);
		return;
	}
	sbx_auditlog_head(&j, buf, SBX_AUDIT_REC_MAX, "exit");
	sbx_json_int(&j, "status", status);
	sbx_json_int(&j, "deny", (long long)atomic_load(&sbx_audit.n_deny));
	sbx_json_int(&j, "would_deny", (long long)atomic_load(&sbx_audit.n_would));
	sbx_json_int(&j, "allow", (long long)atomic_load(&sbx_audit.n_allow));
	sbx_json_int(&j, "landlock_deny", (long long)sbx_audit_ll_count());
	sbx_json_int(&j, "records", (long long)sbx_auditlog_records() + 1);
	sbx_json_int(&j, "dropped", (long long)sbx_auditlog_dropped());
	sbx_auditlog_emit(buf, sbx_json_end(&j));
	sbx_auditlog_sync();
}

int sbx_audit_finish(int status)
{
	int ret = status;

	sbx_audit_ll_stop(200);
	if (sbx_auditlog_on())
		sbx_audit_exit_record(status);
	if (sbx_audit.cfg.learn) {
		pthread_mutex_lock(&sbx_audit.learn_lock);
		sbx_audit_summary();
		/* Said on stderr; the command's status is still what sbx exits with. */
		if (sbx_audit.cfg.suggest)
			(void)sbx_audit_write_suggest();
		pthread_mutex_unlock(&sbx_audit.learn_lock);
	}
	if (sbx_audit_failed() && !sbx_audit.cfg.fail_ignore)
		ret = 125;
	return ret;
}
