/* Owns destination resolution (pinning) and the allow/deny decision. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include "decide.h"
#include "hosts.h"
#include "verdict.h"
#include "../base/later.h"
#include "../base/syscalls.h"
#include "../base/util.h"

/*
 * "/proc/self" and "/proc/thread-self" name whoever resolves them, and the supervisor resolves
 * on the caller's behalf: name the caller instead (a program reaching a socket through an
 * O_PATH fd as /proc/self/fd/N means its own fd). A symlink leading into /proc/self is still
 * resolved as the supervisor; that can only fail or be denied, since the decision is made on
 * the inode reached.
 */
int sbx_path_proc_self(struct sbx_call *c, const char *in, char *out, size_t n)
{
	static const char self[] = "/proc/self/", thread[] = "/proc/thread-self/";
	struct sbx_task_ids ids;
	int w;

	if (strncmp(in, self, sizeof(self) - 1) && strncmp(in, thread, sizeof(thread) - 1)) {
		size_t l = strlen(in);

		if (l >= n)
			return -ENAMETOOLONG;
		memcpy(out, in, l + 1); /* not snprintf: this is every connect's path */
		return 0;
	}
	if (sbx_task_ids(&c->task, &ids) < 0)
		return -ENOENT;
	if (!strncmp(in, self, sizeof(self) - 1))
		w = snprintf(out, n, "/proc/%d/%s", ids.tgid, in + sizeof(self) - 1);
	else
		w = snprintf(out, n, "/proc/%d/task/%d/%s", ids.tgid, c->task.tid,
			     in + sizeof(thread) - 1);
	return w < (int)n ? 0 : -ENAMETOOLONG;
}

/* "/proc/thread-self/fd/@fd" into @buf (32 bytes at least); its length. Built by hand: on
 * the allowed connect, two snprintf calls cost about as much as a syscall here. */
static size_t sbx_fd_link(char *buf, int fd)
{
	static const char pre[] = "/proc/thread-self/fd/";
	unsigned int v = (unsigned int)fd;
	size_t len = sizeof(pre) - 1, n = 0;
	char digits[12];

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(buf, pre, len);
	while (n)
		buf[len++] = digits[--n];
	buf[len] = '\0';
	return len;
}

int sbx_fd_canon(int fd, char *out, size_t n)
{
	char link[64];
	ssize_t l;

	sbx_fd_link(link, fd);
	l = readlink(link, out, n - 1);
	if (l <= 0)
		return l == 0 ? -EINVAL : -errno;
	out[l] = '\0';
	return out[0] == '/' ? 0 : -EINVAL;
}

/*
 * Whether @canon, looked up in sbx's own mount namespace, is the file pinned at @pin: the same
 * device, inode and mount. The name readlink gives a pin is its path in the namespace it was
 * reached through (/proc/PID/root/..., a cwd in a namespace the command made), where another
 * file may have been mounted over the name a rule allows; only a name that leads to the very
 * file here may be judged by the rules written for this namespace.
 */
bool sbx_path_here(int pin, const char *canon)
{
	struct sbx_open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };
	const unsigned int mask = STATX_TYPE | STATX_INO | STATX_MNT_ID;
	_cleanup_close_ int here = -1;
	struct statx a, b;

	here = sys_openat2(AT_FDCWD, canon, &how, sizeof(how));
	if (here < 0 && (errno == ENOSYS || errno == E2BIG))
		here = open(canon, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (here < 0)
		return false;
	if (statx(pin, "", AT_EMPTY_PATH, mask, &a) == -1 ||
	    statx(here, "", AT_EMPTY_PATH, mask, &b) == -1)
		return false;
	return a.stx_dev_major == b.stx_dev_major && a.stx_dev_minor == b.stx_dev_minor &&
	       a.stx_ino == b.stx_ino && sbx_statx_mnt_id(&a) == sbx_statx_mnt_id(&b);
}

int sbx_dest_resolve(struct sbx_call *c, const void *raw, size_t len, struct sbx_dest *d)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&d->out;
	_cleanup_close_ int cwd = -1;
	char path[SBX_SUN_PATH_MAX + 64];
	ssize_t n;
	int r;

	d->pin = -1;
	d->canon[0] = '\0';
	d->elsewhere = false;
	sbx_addr_decode(raw, len, &d->addr);
	if (d->addr.kind != SBX_ADDR_UNIX_PATH) {
		memcpy(&d->out, raw, len);
		d->out_len = len;
		return 0;
	}
	/* Longer than a sockaddr_un: AF_UNIX refuses it before any lookup. */
	if (len > sizeof(struct sockaddr_un))
		return -EINVAL;

	r = sbx_path_proc_self(c, d->addr.path, path, sizeof(path));
	if (r < 0)
		return r;
	if (path[0] != '/') {
		cwd = sbx_task_cwd(&c->task);
		if (cwd < 0)
			return cwd == -ENOENT ? -ENOENT : -EPERM;
	}
	if (cwd < 0 && sbx_path_plain(path)) {
		/* No symlink on the way and nothing to normalise: the path walked is where the
		 * pin leads, so it is the canonical name without a readlink (a /proc walk, ~4 us
		 * here). With a symlink (ELOOP) or an old kernel, resolve as below. */
		struct sbx_open_how how = { .flags = O_PATH | O_CLOEXEC,
					    .resolve = RESOLVE_NO_SYMLINKS };

		d->pin = sys_openat2(AT_FDCWD, path, &how, sizeof(how));
		if (d->pin < 0 && errno != ELOOP && errno != ENOSYS && errno != E2BIG)
			return -errno;
		if (d->pin >= 0)
			memcpy(d->canon, path, strlen(path) + 1); /* shorter than PATH_MAX */
	}
	if (d->pin < 0) {
		d->pin = openat(cwd >= 0 ? cwd : AT_FDCWD, path, O_PATH | O_CLOEXEC);
		if (d->pin < 0)
			return -errno;
		r = sbx_fd_canon(d->pin, d->canon, sizeof(d->canon));
		if (r < 0)
			return r;
		/* Only here: the plain walk above was made in sbx's namespace from its root. */
		d->elsewhere = !sbx_path_here(d->pin, d->canon);
	}

	sun->sun_family = AF_UNIX;
	n = (ssize_t)sbx_fd_link(sun->sun_path, d->pin);
	d->out_len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	return 0;
}

/* Fill @v with a refusal: what was refused, and the flag that allows it or why none can. */
static long sbx_refuse(struct sbx_verdict *v, const char *target, const char *hint,
		       const char *reason)
{
	snprintf(v->target, sizeof(v->target), "%s", target);
	snprintf(v->hint, sizeof(v->hint), "%s", hint ? hint : "");
	v->reason = reason;
	return SBX_JUDGE_DENY;
}

static long sbx_judge_path(struct sbx_call *c, const struct sbx_dest *d, struct sbx_verdict *v)
{
	char hint[PATH_MAX + 32];
	struct stat st;

	const struct sbx_unix_rule *rule;

	/* A name that leads elsewhere in sbx's namespace matches no rule by name; the file can
	 * still be allowed by what it is (a pinned rule's inode, a socket bound inside). */
	rule = d->elsewhere ? NULL : sbx_pol_match_path(c->sup->pol, d->canon);
	if (rule && !rule->pinned)
		return 0; /* the common case: no fstat at all */
	if (!d->elsewhere && sbx_pol_match_path_re(c->sup->pol, d->canon))
		return 0;
	/* What the file is matters only to a pinned rule and to the sockets the sandbox bound:
	 * with neither, a refusal needs no fstat (a syscall less before the reply). */
	if (rule || sbx_bound_has_paths(&c->sup->bound)) {
		if (fstat(d->pin, &st) == -1)
			return -EPERM;
		if (rule && rule->dev == st.st_dev && rule->ino == st.st_ino)
			return 0;
		if (S_ISSOCK(st.st_mode) &&
		    sbx_bound_has_inode(&c->sup->bound, st.st_dev, st.st_ino))
			return 0;
	}
	if (d->elsewhere)
		return sbx_refuse(
			v, d->canon, NULL,
			"it was reached through another mount namespace, and that name "
			"leads to another file (or none) in sbx's; name the socket by its "
			"path as sbx sees it");
	if (rule)
		return sbx_refuse(
			v, d->canon, NULL,
			"it is not the socket that was there when sbx started (the rule is "
			"pinned because the sandbox can write to its directory)");
	snprintf(hint, sizeof(hint), "--allow-unix-socket %s", d->canon);
	return sbx_refuse(v, d->canon, hint, NULL);
}

bool sbx_sock_private(const struct sbx_sup *s, int sock)
{
	uint64_t cookie = 0;
	socklen_t l = sizeof(cookie);

	/* The replace mode's stand-in, not made yet: it will be made in sbx's namespace, the
	 * only one that mode runs in. */
	if (sock < 0)
		return false;
	if (getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &l) == -1)
		return false;
	return cookie != s->netns_cookie;
}

static int sbx_sock_opt(const struct sbx_call *c, int sock, int opt)
{
	int v = 0;
	socklen_t l = sizeof(v);

	if (sock < 0 && c->standin)
		return opt == SO_TYPE ? c->si.type : c->si.family;
	getsockopt(sock, SOL_SOCKET, opt, &v, &l);
	return v;
}

int sbx_sock_type(const struct sbx_call *c, int sock)
{
	return sbx_sock_opt(c, sock, SO_TYPE);
}

int sbx_sock_family(const struct sbx_call *c, int sock)
{
	return sbx_sock_opt(c, sock, SO_DOMAIN);
}

static int sbx_sock_proto(const struct sbx_call *c, int sock)
{
	int type = sbx_sock_type(c, sock);

	return type == SOCK_STREAM ? SBX_PROTO_TCP : type == SOCK_DGRAM ? SBX_PROTO_UDP : 0;
}

/* Loopback, or the unspecified address, which the kernel treats as this host. */
static bool sbx_addr_local(int family, const unsigned char *ip)
{
	static const unsigned char zero[16];

	return sbx_addr_is_loopback(family, ip) || !memcmp(ip, zero, family == AF_INET ? 4 : 16);
}

static long sbx_judge_inet(struct sbx_call *c, const struct sbx_dest *d, int sock,
			   struct sbx_verdict *v)
{
	const struct sbx_policy *pol = c->sup->pol;
	const struct sbx_addr *a = &d->addr;
	int proto = sbx_sock_proto(c, sock), family = a->family;
	char target[128], known[SBX_HOSTNAME_MAX + 1];
	enum sbx_hosts_verdict hv;
	unsigned char ip[16] = { 0 };
	bool private_ns, local, allowed;

	/* Too short to name anyone: performed, the kernel refuses it (EINVAL). */
	if (!a->valid_len || pol->net == SBX_NET_HOST)
		return 0;
	memcpy(ip, a->ip, family == AF_INET ? 4 : 16);
	sbx_addr_unmap(&family, ip);
	sbx_addr_format(a, target, sizeof(target));
	if (!proto)
		return sbx_refuse(v, target, NULL,
				  "only TCP and UDP sockets may reach the network");

	private_ns = sbx_sock_private(c->sup, sock);
	local = sbx_addr_local(family, ip);
	/* In the sandbox's own namespace, loopback reaches only the sandbox. */
	if (private_ns && local && !sbx_pol_match_endpoint(pol, proto, family, ip, a->port))
		return 0;
	/* An address sbx's DNS gave out stands for its name, and only for it. */
	if (private_ns && family == AF_INET && sbx_synth_is(ip))
		return sbx_judge_synth(c, proto, ip, a->port, v);
	allowed = sbx_pol_match_endpoint(pol, proto, family, ip, a->port);
	/* A server the sandbox bound itself is the sandbox's own: no rule speaks for it. */
	if (!allowed && !private_ns && local &&
	    sbx_bound_has_inet(&c->sup->bound, proto == SBX_PROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP,
			       family, ip, a->port))
		return 0;
	hv = sbx_judge_hosts(c, proto, family, ip, a->port, allowed, known, v);
	if (hv == SBX_HOSTS_DENY)
		return SBX_JUDGE_DENY;
	if (allowed || hv == SBX_HOSTS_ALLOW)
		return private_ns ? SBX_JUDGE_OUTSIDE : 0;
	/* Name what would match: a mapped address is matched as IPv4; an address of a name
	 * the policy knows is named by it. */
	sbx_hosts_target(known, proto, family, ip, a->port, v->target, sizeof(v->target), v->hint,
			 sizeof(v->hint));
	if (!known[0])
		snprintf(v->target, sizeof(v->target), "%s", target);
	v->reason = NULL;
	return SBX_JUDGE_DENY;
}

/* An AF_INET socket reads AF_UNSPEC as AF_INET, except where it means "disconnect" (connect). */
static bool sbx_unspec_is_inet(struct sbx_call *c, const struct sbx_addr *a, int sock)
{
	return a->kind == SBX_ADDR_UNSPEC && c->n->data.nr != __NR_connect &&
	       sbx_sock_family(c, sock) == AF_INET;
}

static long sbx_judge_dest(struct sbx_call *c, const struct sbx_dest *d, int sock,
			   struct sbx_verdict *v)
{
	const struct sbx_addr *a = &d->addr;
	char target[512], hint[600];

	if (sbx_unspec_is_inet(c, a, sock)) {
		struct sbx_dest as_inet = *d;

		as_inet.addr.kind = SBX_ADDR_INET;
		as_inet.addr.family = AF_INET;
		return sbx_judge_inet(c, &as_inet, sock, v);
	}
	switch (a->kind) {
	case SBX_ADDR_NONE:
	case SBX_ADDR_UNSPEC:
	case SBX_ADDR_UNIX_UNNAMED:
		return 0; /* names nothing: the kernel rejects or dissolves it */
	case SBX_ADDR_UNIX_PATH:
		return sbx_judge_path(c, d, v);
	case SBX_ADDR_UNIX_ABSTRACT:
		if (sbx_pol_match_abstract(c->sup->pol, a->name, a->name_len) ||
		    sbx_bound_has_abstract(&c->sup->bound, a->name, a->name_len))
			return 0;
		sbx_addr_format(a, target, sizeof(target));
		snprintf(hint, sizeof(hint), "--allow-unix-socket %s", target);
		return sbx_refuse(v, target, hint, NULL);
	case SBX_ADDR_NETLINK:
		/* Only the kernel: another process's netlink port is a way out. */
		if (a->nl_pid == 0 && a->nl_groups == 0)
			return 0;
		sbx_addr_format(a, target, sizeof(target));
		return sbx_refuse(v, target, NULL, "netlink messages may only go to the kernel");
	case SBX_ADDR_INET:
	case SBX_ADDR_INET6:
		return sbx_judge_inet(c, d, sock, v);
	case SBX_ADDR_OTHER:
		break;
	}
	sbx_addr_format(a, target, sizeof(target));
	return sbx_refuse(v, target, NULL, "this address family is not allowed");
}

/* Port 0 on loopback (a test server inside), ports named by --allow-bind, anything inside
 * a private namespace with --allow-bind's same rule, everything with --net host. */
static long sbx_bind_inet(struct sbx_call *c, const struct sbx_addr *a, struct sbx_verdict *v)
{
	const struct sbx_policy *pol = c->sup->pol;
	unsigned char ip[16] = { 0 };
	char target[128], hint[64];
	int family = a->family;

	if (!a->valid_len || pol->net == SBX_NET_HOST || sbx_pol_bind_allowed(pol, a->port))
		return 0;
	memcpy(ip, a->ip, family == AF_INET ? 4 : 16);
	sbx_addr_unmap(&family, ip);
	if (a->port == 0 && sbx_addr_is_loopback(family, ip))
		return 0;
	sbx_addr_format(a, target, sizeof(target));
	if (a->port == 0)
		return sbx_refuse(v, target, NULL,
				  "only loopback addresses may be bound without --allow-bind");
	snprintf(hint, sizeof(hint), "--allow-bind %u", a->port);
	return sbx_refuse(v, target, hint, NULL);
}

static long sbx_judge_bind(struct sbx_call *c, const struct sbx_addr *a, int sock,
			   struct sbx_verdict *v)
{
	char target[512];

	if (sbx_unspec_is_inet(c, a, sock)) {
		struct sbx_addr as_inet = *a;

		/* The kernel binds AF_UNSPEC with INADDR_ANY as AF_INET 0.0.0.0:port (and
		 * refuses any other address), so judge it as that bind. */
		as_inet.kind = SBX_ADDR_INET;
		as_inet.family = AF_INET;
		return sbx_bind_inet(c, &as_inet, v);
	}

	switch (a->kind) {
	case SBX_ADDR_NONE:
	case SBX_ADDR_UNSPEC:
	case SBX_ADDR_UNIX_UNNAMED:
	case SBX_ADDR_UNIX_PATH:
	case SBX_ADDR_UNIX_ABSTRACT:
	case SBX_ADDR_NETLINK:
		return 0;
	case SBX_ADDR_INET:
	case SBX_ADDR_INET6:
		return sbx_bind_inet(c, a, v);
	case SBX_ADDR_OTHER:
		break;
	}
	sbx_addr_format(a, target, sizeof(target));
	return sbx_refuse(v, target, NULL, "this address family is not allowed");
}

/* Start @v for what is judged (for the audit record): nothing refused yet. */
static void sbx_verdict_begin(struct sbx_verdict *v, const struct sbx_addr *addr,
			      const char *resolved, int sock)
{
	v->addr = addr;
	v->resolved = resolved;
	v->sock = sock;
	v->reason = NULL;
	v->target[0] = v->hint[0] = '\0';
}

void sbx_dest_judge(struct sbx_call *c, const struct sbx_dest *d, int sock, struct sbx_verdict *v)
{
	/* A connect reads its address before the kernel would say ENOTSOCK: an allowed call
	 * performed on a non-socket fails so by itself, and a denial is checked first. */
	sbx_verdict_begin(v, &d->addr, d->canon, d->sock_checked ? -1 : sock);
	v->result = sbx_judge_dest(c, d, sock, v);
}

void sbx_bind_judge(struct sbx_call *c, const struct sbx_addr *a, int sock, struct sbx_verdict *v)
{
	sbx_verdict_begin(v, a, NULL, -1);
	v->result = sbx_judge_bind(c, a, sock, v);
}

void sbx_listen_judge(struct sbx_call *c, const struct sbx_addr *local, int sock,
		      struct sbx_verdict *v)
{
	const struct sbx_policy *pol = c->sup->pol;
	int family = local->family;
	unsigned char ip[16];

	char target[128];

	/* a listen is not an address judged: the audit notes none */
	sbx_verdict_begin(v, NULL, NULL, -1);
	v->result = 0;
	if ((local->kind != SBX_ADDR_INET && local->kind != SBX_ADDR_INET6) ||
	    sbx_sock_private(c->sup, sock) || pol->net == SBX_NET_HOST ||
	    sbx_pol_bind_allowed(pol, local->port))
		return;
	memcpy(ip, local->ip, sizeof(ip));
	sbx_addr_unmap(&family, ip);
	if (sbx_addr_is_loopback(family, ip))
		return;
	sbx_addr_format(local, target, sizeof(target));
	v->result = sbx_refuse(v, target, NULL,
			       "listening there would serve every interface; bind to a loopback "
			       "address first, or allow the port with --allow-bind");
}

void sbx_dest_release(struct sbx_dest *d)
{
	if (d->pin >= 0)
		sbx_close_later(d->pin); /* after the reply (later.h) */
	d->pin = -1;
}
