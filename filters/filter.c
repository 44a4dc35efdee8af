/*
 * Owns the seccomp program: which socket-family calls are decided in BPF, which are notified,
 * and how the compat ABIs (i386 via int 0x80, x32) are closed. It is compiled from a
 * struct sbx_filter_key alone (select.c makes the key of a policy), which is what lets the
 * build compile every key's program ahead of time (gen/prebuilt.c).
 *
 * Three libseccomp contexts are merged: the native one notifies, the i386 and x32 ones refuse.
 * They must be separate because libseccomp applies a rule's argument checks to the i386 socketcall
 * variant too, where the registers hold socketcall's (call, args*) and not the real arguments:
 * `sendto(…, addr != NULL)` would become a test of a register the caller sets freely. So in
 * the compat context socketcall is refused outright, first, which also absorbs the multiplexed
 * variants libseccomp would otherwise generate.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <stdbool.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netinet/in.h>

#include "filter.h"
#include "../supervisor/base/util.h"

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

static void sbx_seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

#define _cleanup_seccomp_ _cleanup_(sbx_seccomp_releasep)

#define RULE(ctx, act, name, ...)                                                     \
	do {                                                                          \
		int _r = seccomp_rule_add(ctx, act, SCMP_SYS(name), __VA_ARGS__);     \
		if (_r < 0)                                                           \
			return sbx_error_set(err, -_r, "seccomp rule for %s", #name); \
	} while (0)

/*
 * socket(AF_INET/AF_INET6, TYPE, PROTO) when @type is allowed: only @proto or 0. Anything else
 * (SCTP or MPTCP stream sockets, UDP-Lite, …) could reach the network by means the supervisor
 * does not judge (sctp_connectx is a setsockopt). One comparison per argument and rule, so
 * "not 0 and not P" is "> P" plus each value between.
 */
static int sbx_filter_inet_type(scmp_filter_ctx ctx, int family, int type, int proto,
				struct sbx_error *err)
{
	const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
	int p;

	RULE(ctx, eperm, socket, 3, SCMP_A0(SCMP_CMP_EQ, family),
	     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, type), SCMP_A2(SCMP_CMP_GT, proto));
	for (p = 1; p < proto; p++)
		RULE(ctx, eperm, socket, 3, SCMP_A0(SCMP_CMP_EQ, family),
		     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, type), SCMP_A2(SCMP_CMP_EQ, p));
	return 0;
}

/* socket(AF_INET/AF_INET6, …): stream only with tcp endpoints, datagram only with udp ones
 * (or always, inside a private namespace or with --net host). Raw, packet: never. */
static int sbx_filter_inet(scmp_filter_ctx ctx, bool tcp, bool udp, struct sbx_error *err)
{
	static const int families[] = { AF_INET, AF_INET6 };
	const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
	size_t f;
	int t, r;

	for (f = 0; f < ARRAY_SIZE(families); f++) {
		if (!tcp && !udp) {
			RULE(ctx, eperm, socket, 1, SCMP_A0(SCMP_CMP_EQ, families[f]));
			continue;
		}
		/* SOCK_NONBLOCK and SOCK_CLOEXEC live above the low 4 bits of the type. */
		for (t = 0; t < 16; t++) {
			if ((t == SOCK_STREAM && tcp) || (t == SOCK_DGRAM && udp))
				continue;
			RULE(ctx, eperm, socket, 2, SCMP_A0(SCMP_CMP_EQ, families[f]),
			     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, t));
		}
		r = tcp ? sbx_filter_inet_type(ctx, families[f], SOCK_STREAM, IPPROTO_TCP, err) : 0;
		if (r == 0 && udp)
			r = sbx_filter_inet_type(ctx, families[f], SOCK_DGRAM, IPPROTO_UDP, err);
		if (r < 0)
			return r;
	}
	return 0;
}

#ifndef IPV6_2292RTHDR
#define IPV6_2292RTHDR 5
#endif
#ifndef IPV6_2292PKTOPTIONS
#define IPV6_2292PKTOPTIONS 6
#endif
#ifndef IPV6_RTHDR
#define IPV6_RTHDR 57
#endif

/*
 * Socket options that send data somewhere other than the address a connect or send was judged
 * for (doc/design.md, "Nothing changes the route after the judgement"): IPv4 source routing
 * (IP_OPTIONS; IP_RETOPTS is its control-message twin), IPv6 routing headers in every API
 * (RFC 3542's IPV6_RTHDR, RFC 2292's IPV6_2292RTHDR, and IPV6_2292PKTOPTIONS, which takes a
 * whole control buffer, routing header included, as sticky options). The same options as
 * control messages are refused by the supervisor (supervisor/cmsg.c).
 */
static const struct {
	int level, name;
} sbx_reroute_opts[] = {
	{ IPPROTO_IP, IP_OPTIONS },
	{ IPPROTO_IP, IP_RETOPTS },
	{ IPPROTO_IPV6, IPV6_RTHDR },
	{ IPPROTO_IPV6, IPV6_2292RTHDR },
	{ IPPROTO_IPV6, IPV6_2292PKTOPTIONS },
};

/* Rules that depend on registers only, the same for every ABI but which inet sockets may be
 * made (@tcp, @udp). */
static int sbx_filter_common(scmp_filter_ctx ctx, bool tcp, bool udp, struct sbx_error *err)
{
	const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
	static const int denied_low[] = { AF_UNSPEC, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15 };
	size_t i;
	int r;

	/*
	 * socket(): AF_UNIX (1), AF_NETLINK (16) with NETLINK_ROUTE, and AF_INET (2) / AF_INET6
	 * (10) as the network policy says. libseccomp allows one comparison per argument and
	 * rule, so "none of these" is spelled as "> 16" plus each other value below it. A 64-bit
	 * register with high bits set compares > 16 and is refused, even though the kernel
	 * would truncate it to an int: failing closed on that is harmless.
	 */
	RULE(ctx, eperm, socket, 1, SCMP_A0(SCMP_CMP_GT, AF_NETLINK));
	for (i = 0; i < ARRAY_SIZE(denied_low); i++)
		RULE(ctx, eperm, socket, 1, SCMP_A0(SCMP_CMP_EQ, denied_low[i]));
	RULE(ctx, eperm, socket, 2, SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
	     SCMP_A2(SCMP_CMP_NE, NETLINK_ROUTE));
	r = sbx_filter_inet(ctx, tcp, udp, err);
	if (r < 0)
		return r;
	RULE(ctx, eperm, socketpair, 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));

	/* io_uring would perform socket calls without any syscall we filter; ENOSYS makes
	 * runtimes (liburing users, tokio-uring, …) fall back to plain syscalls. */
	RULE(ctx, SCMP_ACT_ERRNO(ENOSYS), io_uring_setup, 0);
	RULE(ctx, SCMP_ACT_ERRNO(ENOSYS), io_uring_enter, 0);
	RULE(ctx, SCMP_ACT_ERRNO(ENOSYS), io_uring_register, 0);

	/* The kernel reads ioctl's cmd as an unsigned int: compare the low 32 bits only, or a
	 * caller could set a high bit and slip TIOCSTI past an exact 64-bit comparison. (On
	 * x32 libseccomp compares the low half anyway, which is right for an int.) */
	RULE(ctx, eperm, ioctl, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
	RULE(ctx, eperm, ioctl, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX));

	/* level and optname are ints to the kernel: compare the low 32 bits, as for ioctl. */
	for (i = 0; i < ARRAY_SIZE(sbx_reroute_opts); i++)
		RULE(ctx, eperm, setsockopt, 2,
		     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, sbx_reroute_opts[i].level),
		     SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, sbx_reroute_opts[i].name));
	return 0;
}

/*
 * The calls that write to the filesystem, notified so that a refusal of the Landlock rules can
 * be explained (perform/fswrite.c). The supervisor only explains: it lets every call it does
 * not refuse continue, and Landlock enforces either way. open and openat are notified only
 * when their flags ask for writing, creating or truncating (O_TMPFILE needs O_WRONLY or
 * O_RDWR), so reads never leave the kernel; the flags are an int to the kernel, and a mask of
 * low bits ignores the high half of the register. openat2's flags are in memory: every call
 * is notified (rare). ftruncate is not: its file was opened for writing already, and every
 * rule that grants WRITE_FILE grants TRUNCATE with it. The compat ABIs are not notified:
 * Landlock still refuses their writes, without a line.
 */
static int sbx_filter_fs(scmp_filter_ctx ctx, uint32_t check, struct sbx_error *err)
{
	static const unsigned int bits[] = { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		RULE(ctx, check, open, 1, SCMP_A1(SCMP_CMP_MASKED_EQ, bits[i], bits[i]));
		RULE(ctx, check, openat, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, bits[i], bits[i]));
	}
	RULE(ctx, check, creat, 0);
	RULE(ctx, check, openat2, 0);
	RULE(ctx, check, mkdir, 0);
	RULE(ctx, check, mkdirat, 0);
	RULE(ctx, check, mknod, 0);
	RULE(ctx, check, mknodat, 0);
	RULE(ctx, check, unlink, 0);
	RULE(ctx, check, unlinkat, 0);
	RULE(ctx, check, rmdir, 0);
	RULE(ctx, check, rename, 0);
	RULE(ctx, check, renameat, 0);
	RULE(ctx, check, renameat2, 0);
	RULE(ctx, check, link, 0);
	RULE(ctx, check, linkat, 0);
	RULE(ctx, check, symlink, 0);
	RULE(ctx, check, symlinkat, 0);
	RULE(ctx, check, truncate, 0);
	return 0;
}

static int sbx_filter_native(scmp_filter_ctx ctx, const struct sbx_filter_key *k,
			     struct sbx_error *err)
{
	const uint32_t check = k->mode == SBX_FILTER_BPF_ONLY ? SCMP_ACT_ALLOW : SCMP_ACT_NOTIFY;
	int r;

	/*
	 * TCP and UDP sockets may be made in every mode: every destination they can reach is
	 * judged (connect, bind, sendto, sendmsg, sendmmsg and listen are notified), so a
	 * program that tries the network gets a denial line naming the endpoint and the flag
	 * that allows it, and --learn learns it, rather than an EPERM from socket() that nobody
	 * could explain. Raw, packet and every other family, and other protocols of these two
	 * (SCTP, UDP-Lite, ICMP), stay refused here. The compat ABIs, which can reach no
	 * destination, still make them only where the key says (below).
	 */
	r = sbx_filter_common(ctx, true, true, err);
	if (r < 0)
		return r;
	if (check == SCMP_ACT_ALLOW)
		return 0; /* libseccomp refuses rules whose action equals the default */

	/* A NULL address needs no read: the kernel fails or ignores it by itself. */
	RULE(ctx, check, connect, 1, SCMP_A1(SCMP_CMP_NE, 0));
	RULE(ctx, check, bind, 1, SCMP_A1(SCMP_CMP_NE, 0));
	RULE(ctx, check, sendto, 1, SCMP_A4(SCMP_CMP_NE, 0));
	/* The destination of sendmsg/sendmmsg lives in memory the child can rewrite after any
	 * check, so every call is notified and performed by the supervisor on its own copy. */
	RULE(ctx, check, sendmsg, 0);
	RULE(ctx, check, sendmmsg, 0);
	/* listen() on an inet socket of the host's namespace whose local address is not
	 * loopback (never bound, or disconnected, which keeps the port but resets the address)
	 * would serve every interface. Such a socket can exist in every mode (inherited, or
	 * swapped in for an endpoint), so the supervisor looks at every listen but with
	 * --net host. */
	if (k->net != SBX_NET_HOST)
		RULE(ctx, check, listen, 0);
	return k->fs ? sbx_filter_fs(ctx, check, err) : 0;
}

/*
 * @exact_args: whether libseccomp's argument comparisons see what the kernel uses. True for
 * i386, whose arguments are 32-bit. False for x32: libseccomp compares only the low 32 bits
 * there, but connect/bind/sendto are common syscalls run by the 64-bit handlers with the full
 * register, so "addr == NULL" would pass for 0x100000000. There they are refused outright.
 */
static int sbx_filter_compat(scmp_filter_ctx ctx, const struct sbx_filter_key *k, bool exact_args,
			     struct sbx_error *err)
{
	const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
	int r;

	/* First, unconditionally: see the comment at the top of this file. */
	RULE(ctx, eperm, socketcall, 0);
	r = sbx_filter_common(ctx, k->tcp, k->udp, err);
	if (r < 0)
		return r;
	if (exact_args) {
		RULE(ctx, eperm, connect, 1, SCMP_A1(SCMP_CMP_NE, 0));
		RULE(ctx, eperm, bind, 1, SCMP_A1(SCMP_CMP_NE, 0));
		RULE(ctx, eperm, sendto, 1, SCMP_A4(SCMP_CMP_NE, 0));
	} else {
		RULE(ctx, eperm, connect, 0);
		RULE(ctx, eperm, bind, 0);
		RULE(ctx, eperm, sendto, 0);
	}
	RULE(ctx, eperm, sendmsg, 0);
	RULE(ctx, eperm, sendmmsg, 0);
	/* No supervisor for these ABIs: listen is refused only where the sandbox may create
	 * inet sockets, so 32-bit UNIX servers keep working elsewhere. */
	if (k->net == SBX_NET_ISOLATED || k->net == SBX_NET_NONE ||
	    (k->net == SBX_NET_FILTERED && k->tcp))
		RULE(ctx, eperm, listen, 0);
	return 0;
}

/*
 * What every context of the program shares (seccomp_merge() wants them alike):
 * - an unknown ABI is never a way around the policy;
 * - the syscall numbers are tested as a binary tree, not one after the other. When the program
 *   is loaded, the kernel runs it for every syscall number of every ABI it knows (~900 on
 *   x86_64 with i386) to find those it always allows, which then skip it; on the VM of
 *   doc/performance.md each test on those paths costs ~2 ns, and the linear list made that
 *   ~90 µs of every start. The tree also shortens the run of the calls that are not skipped.
 */
static int sbx_filter_attrs(scmp_filter_ctx ctx)
{
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);

	return r < 0 ? r : seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
}

/* A context for one foreign ABI, with the same attributes as the native one. */
static int sbx_filter_foreign(const struct sbx_filter_key *k, uint32_t arch, bool exact_args,
			      scmp_filter_ctx *out, struct sbx_error *err)
{
	_cleanup_seccomp_ scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return sbx_error_set(err, ENOMEM, "seccomp_init");
	r = sbx_filter_attrs(ctx);
	if (r == 0)
		r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	if (r == 0)
		r = seccomp_arch_add(ctx, arch);
	if (r < 0)
		return sbx_error_set(err, -r, "seccomp architecture setup");
	r = sbx_filter_compat(ctx, k, exact_args, err);
	if (r < 0)
		return r;
	*out = steal_ptr(ctx);
	return 0;
}

static int sbx_filter_ctx(const struct sbx_filter_key *k, scmp_filter_ctx *out,
			  struct sbx_error *err)
{
	_cleanup_seccomp_ scmp_filter_ctx native = NULL;
	_cleanup_seccomp_ scmp_filter_ctx x86 = NULL;
	_cleanup_seccomp_ scmp_filter_ctx x32 = NULL;
	int r;

	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		return sbx_error_set(err, ENOTSUP, "sbx supports x86_64 hosts only");

	native = seccomp_init(SCMP_ACT_ALLOW);
	if (!native)
		return sbx_error_set(err, ENOMEM, "seccomp_init");
	r = sbx_filter_attrs(native);
	if (r < 0)
		return sbx_error_set(err, -r, "seccomp filter attributes");
	r = sbx_filter_native(native, k, err);
	if (r == 0)
		r = sbx_filter_foreign(k, SCMP_ARCH_X86, true, &x86, err);
	if (r == 0)
		r = sbx_filter_foreign(k, SCMP_ARCH_X32, false, &x32, err);
	if (r < 0)
		return r;
	r = seccomp_merge(native, steal_ptr(x86));
	if (r == 0)
		r = seccomp_merge(native, steal_ptr(x32));
	if (r < 0)
		return sbx_error_set(err, -r, "seccomp_merge");
	*out = steal_ptr(native);
	return 0;
}

int sbx_filter_compile(const struct sbx_filter_key *k, struct sbx_bpf *out, struct sbx_error *err)
{
	_cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ struct sock_filter *insns = NULL;
	struct stat st;
	ssize_t n;
	int r;

	r = sbx_filter_ctx(k, &ctx, err);
	if (r < 0)
		return r;

	/* libseccomp 2.5 exports BPF to an fd only: go through a memfd. */
	fd = memfd_create("sbx-bpf", MFD_CLOEXEC);
	if (fd == -1)
		return sbx_error_set(err, errno, "memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return sbx_error_set(err, -r, "seccomp_export_bpf");
	if (fstat(fd, &st) == -1)
		return sbx_error_set(err, errno, "fstat memfd");
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return sbx_error_set(err, E2BIG, "seccomp program of %lld bytes",
				     (long long)st.st_size);
	insns = malloc(st.st_size);
	if (!insns)
		return sbx_error_set(err, ENOMEM, "seccomp program");
	n = pread(fd, insns, st.st_size, 0);
	if (n != st.st_size)
		return sbx_error_set(err, n < 0 ? errno : EIO, "read back seccomp program");
	out->insns = steal_ptr(insns);
	out->len = st.st_size / sizeof(struct sock_filter);
	return 0;
}

int sbx_filter_export_pfc(const struct sbx_filter_key *k, FILE *f, struct sbx_error *err)
{
	_cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
	int r;

	r = sbx_filter_ctx(k, &ctx, err);
	if (r < 0)
		return r;
	fflush(f);
	r = seccomp_export_pfc(ctx, fileno(f));
	if (r < 0)
		return sbx_error_set(err, -r, "seccomp_export_pfc");
	return 0;
}
