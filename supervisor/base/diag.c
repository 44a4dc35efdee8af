/* Owns the sock_diag query, through libnl-3's netlink plumbing. */
#include <errno.h>
#include <pthread.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/unix_diag.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"

static void sbx_nl_freep(struct nl_sock **sk)
{
	int saved = errno;

	if (*sk)
		nl_socket_free(*sk);
	errno = saved;
}

struct sbx_diag_ctx {
	struct sbx_diag_unix *out;
	uint64_t ino;
	bool found;
};

static int sbx_diag_parse(struct nl_msg *msg, void *arg)
{
	struct sbx_diag_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[UNIX_DIAG_MAX + 1];
	struct unix_diag_msg *m;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nlmsg_parse(nlh, sizeof(*m), tb, UNIX_DIAG_MAX, NULL) < 0)
		return NL_SKIP;
	m = nlmsg_data(nlh);
	if (m->udiag_ino != (uint32_t)ctx->ino)
		return NL_SKIP;
	ctx->found = true;
	ctx->out->type = m->udiag_type;
	ctx->out->state = m->udiag_state;
	if (tb[UNIX_DIAG_VFS] && nla_len(tb[UNIX_DIAG_VFS]) >= (int)sizeof(struct unix_diag_vfs)) {
		struct unix_diag_vfs *v = nla_data(tb[UNIX_DIAG_VFS]);

		ctx->out->has_vfs = true;
		ctx->out->vfs_ino = v->udiag_vfs_ino;
		ctx->out->vfs_dev = v->udiag_vfs_dev;
	}
	if (tb[UNIX_DIAG_NAME]) {
		size_t len = nla_len(tb[UNIX_DIAG_NAME]);

		if (len > sizeof(ctx->out->name))
			len = sizeof(ctx->out->name);
		ctx->out->has_name = true;
		ctx->out->name_len = len;
		memcpy(ctx->out->name, nla_data(tb[UNIX_DIAG_NAME]), len);
	}
	return NL_OK;
}

/*
 * One netlink socket per thread for the UNIX lookups, kept: the replace mode asks for every
 * call it performs on a UNIX socket, and a socket made and closed per query is four syscalls
 * more. libnl sockets are not thread-safe, hence one per thread, freed when it exits.
 */
static pthread_key_t sbx_diag_key;
static pthread_once_t sbx_diag_once = PTHREAD_ONCE_INIT;

static void sbx_diag_key_free(void *sk)
{
	nl_socket_free(sk);
}

static void sbx_diag_key_make(void)
{
	(void)pthread_key_create(&sbx_diag_key, sbx_diag_key_free);
}

static struct nl_sock *sbx_diag_sock(void)
{
	struct nl_sock *sk;

	pthread_once(&sbx_diag_once, sbx_diag_key_make);
	sk = pthread_getspecific(sbx_diag_key);
	if (sk)
		return sk;
	sk = nl_socket_alloc();
	if (!sk)
		return NULL;
	/* One request, one reply: no ACK to wait for. */
	nl_socket_disable_auto_ack(sk);
	if (nl_connect(sk, NETLINK_SOCK_DIAG) < 0 || pthread_setspecific(sbx_diag_key, sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/* After a failed exchange the socket may hold a stray reply: the next query gets another. */
static void sbx_diag_sock_drop(void)
{
	struct nl_sock *sk = pthread_getspecific(sbx_diag_key);

	if (sk) {
		(void)pthread_setspecific(sbx_diag_key, NULL);
		nl_socket_free(sk);
	}
}

int sbx_diag_unix_lookup(uint64_t sock_ino, struct sbx_diag_unix *out)
{
	struct nl_sock *sk;
	struct sbx_diag_ctx ctx = { .out = out, .ino = sock_ino };
	struct unix_diag_req req = {
		.sdiag_family = AF_UNIX,
		.udiag_ino = (uint32_t)sock_ino,
		.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS,
		/* no cookie: match by inode alone */
		.udiag_cookie = { ~0U, ~0U },
	};
	int r;

	memset(out, 0, sizeof(*out));
	sk = sbx_diag_sock();
	if (!sk)
		return -EPROTONOSUPPORT;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, sbx_diag_parse, &ctx);
	if (nl_send_simple(sk, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, &req, sizeof(req)) < 0) {
		sbx_diag_sock_drop();
		return -EIO;
	}
	r = nl_recvmsgs_default(sk);
	if (r == -NLE_OBJ_NOTFOUND)
		return -ENOENT;
	if (r < 0) {
		sbx_diag_sock_drop();
		return -EIO;
	}
	return ctx.found ? 0 : -ENOENT;
}

struct sbx_only_ctx {
	uint16_t port; /* network order */
	int family;
	unsigned char ip[16];
	const uint64_t *ours;
	size_t n;
	bool ours_seen, foreign_seen;
};

static bool sbx_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Whether a socket bound to @m's local address would receive traffic for ctx's address. */
static bool sbx_could_receive(const struct sbx_only_ctx *ctx, const struct inet_diag_msg *m)
{
	const unsigned char *src = (const unsigned char *)m->id.idiag_src;
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (m->idiag_family == AF_INET)
		return ctx->family == AF_INET && (sbx_zero(src, 4) || !memcmp(src, ctx->ip, 4));
	if (sbx_zero(src, 16))
		return true; /* [::] takes IPv4 too unless IPV6_V6ONLY: assume it may */
	if (ctx->family == AF_INET)
		return !memcmp(src, mapped, 12) && !memcmp(src + 12, ctx->ip, 4);
	return !memcmp(src, ctx->ip, 16);
}

static int sbx_only_parse(struct nl_msg *msg, void *arg)
{
	struct sbx_only_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct inet_diag_msg *m;
	size_t i;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return NL_SKIP;
	m = nlmsg_data(nlh);
	if (m->id.idiag_sport != ctx->port || !sbx_could_receive(ctx, m))
		return NL_OK;
	for (i = 0; i < ctx->n; i++)
		if (m->idiag_inode == (uint32_t)ctx->ours[i])
			break;
	if (i < ctx->n)
		ctx->ours_seen = true;
	else
		ctx->foreign_seen = true;
	return NL_OK;
}

/*
 * Dump the sockets of @family/@proto (TCP: listeners only; a server must be listening) to
 * @cb. An exact lookup would need the address a socket was bound to, which may be any
 * loopback one, so callers filter by port and inode themselves.
 */
static bool sbx_diag_dump(int proto, int family, nl_recvmsg_msg_cb_t cb, void *arg)
{
	struct nl_sock *sk __attribute__((cleanup(sbx_nl_freep))) = NULL;
	struct inet_diag_req_v2 req = {
		.sdiag_family = (uint8_t)family,
		.sdiag_protocol = (uint8_t)proto,
		.idiag_states = proto == IPPROTO_TCP ? 1u << TCP_LISTEN : ~0u,
	};

	sk = nl_socket_alloc();
	if (!sk)
		return false;
	nl_socket_disable_auto_ack(sk);
	if (nl_connect(sk, NETLINK_SOCK_DIAG) < 0)
		return false;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, cb, arg);
	if (nl_send_simple(sk, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, &req, sizeof(req)) <
	    0)
		return false;
	return nl_recvmsgs_default(sk) >= 0;
}

bool sbx_diag_inet_only_ours(int proto, int family, const unsigned char *ip, uint16_t port,
			     const uint64_t *ours, size_t n)
{
	struct sbx_only_ctx ctx = { .port = htons(port), .family = family, .ours = ours, .n = n };

	memcpy(ctx.ip, ip, family == AF_INET ? 4 : 16);
	/* A failed dump proves nothing: fail closed. */
	if (!sbx_diag_dump(proto, AF_INET, sbx_only_parse, &ctx) ||
	    !sbx_diag_dump(proto, AF_INET6, sbx_only_parse, &ctx))
		return false;
	return ctx.ours_seen && !ctx.foreign_seen;
}

/* The one socket @ino bound to @port: "ours" is that inode, and nothing is foreign because
 * only its presence is asked. */
static int sbx_holds_parse(struct nl_msg *msg, void *arg)
{
	struct sbx_only_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct inet_diag_msg *m;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return NL_SKIP;
	m = nlmsg_data(nlh);
	if (m->id.idiag_sport == ctx->port && m->idiag_inode == (uint32_t)ctx->ours[0])
		ctx->ours_seen = true;
	return NL_OK;
}

bool sbx_diag_inet_holds(int proto, int family, uint16_t port, uint64_t sock_ino)
{
	struct sbx_only_ctx ctx = {
		.port = htons(port), .family = family, .ours = &sock_ino, .n = 1
	};

	return sbx_diag_dump(proto, family, sbx_holds_parse, &ctx) && ctx.ours_seen;
}
