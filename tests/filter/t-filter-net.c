/*
 * Filter tier: how the network policy shapes the BPF program. socket(AF_INET/AF_INET6) by
 * type and protocol for each --net mode and endpoint set, and listen() notified only where an
 * unbound inet socket could bind every interface of the host's namespace.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "../lib/bpf_eval.h"
#include "../lib/tap.h"
#include "../../filters/filter.h"

#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

static struct sbx_bpf build(const char *net, const char *const *endpoints)
{
	struct sbx_policy pol = { 0 };
	struct sbx_error err = { 0 };
	struct sbx_bpf b = { 0 };

	if (net && sbx_pol_set_net(&pol, net, &err))
		bail_out("--net %s: %s", net, err.msg);
	for (; endpoints && *endpoints; endpoints++)
		if (sbx_pol_add_connect(&pol, *endpoints, &err))
			bail_out("%s: %s", *endpoints, err.msg);
	if (sbx_filter_build(&pol, SBX_FILTER_NOTIFY, &b, &err))
		bail_out("build: %s", err.msg);
	sbx_pol_free(&pol);
	return b;
}

static uint32_t run(const struct sbx_bpf *b, int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64, .args = { a0, a1, a2 } };

	return sbx_bpf_run(b->insns, b->len, &d);
}

static void sock_is(const struct sbx_bpf *b, const char *cfg, int fam, int type, uint64_t proto,
		    uint32_t want)
{
	char got[64], exp[64];
	uint32_t r = run(b, __NR_socket, fam, type, proto);

	ok(r == want, "[%s] socket(%d, %#x, %#llx) -> %s (want %s)", cfg, fam, type,
	   (unsigned long long)proto, sbx_bpf_action_str(r, got, sizeof(got)),
	   sbx_bpf_action_str(want, exp, sizeof(exp)));
}

int main(void)
{
	static const char *const tcp[] = { "127.0.0.1:3128", NULL };
	static const char *const udp[] = { "udp:127.0.0.53:53", NULL };
	struct sbx_bpf b;
	const int nb = SOCK_NONBLOCK | SOCK_CLOEXEC;

	b = build(NULL, NULL);
	/* made, then judged at each destination: a refusal names the endpoint */
	sock_is(&b, "no endpoints", AF_INET, SOCK_STREAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "no endpoints", AF_INET6, SOCK_DGRAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "no endpoints", AF_INET, SOCK_RAW, 0, ERRNO(EPERM));
	sock_is(&b, "no endpoints", AF_INET, SOCK_STREAM, IPPROTO_SCTP, ERRNO(EPERM));
	sock_is(&b, "no endpoints", AF_UNIX, SOCK_STREAM, 0, SECCOMP_RET_ALLOW);
	is(run(&b, __NR_listen, 3, 1, 0), SECCOMP_RET_USER_NOTIF,
	   "[no endpoints] listen notified (an inherited inet socket could serve everyone)");
	sbx_bpf_free(&b);

	b = build(NULL, tcp);
	sock_is(&b, "tcp", AF_INET, SOCK_STREAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "tcp", AF_INET, SOCK_STREAM | nb, IPPROTO_TCP, SECCOMP_RET_ALLOW);
	sock_is(&b, "tcp", AF_INET6, SOCK_STREAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "tcp", AF_INET, SOCK_STREAM, IPPROTO_SCTP, ERRNO(EPERM));
	sock_is(&b, "tcp", AF_INET, SOCK_STREAM, 262 /* IPPROTO_MPTCP */, ERRNO(EPERM));
	sock_is(&b, "tcp", AF_INET, SOCK_STREAM, 1, ERRNO(EPERM));
	sock_is(&b, "tcp", AF_INET, SOCK_STREAM, 0x100000000ull, ERRNO(EPERM));
	sock_is(&b, "tcp", AF_INET, SOCK_DGRAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "tcp", AF_INET, SOCK_RAW, IPPROTO_TCP, ERRNO(EPERM));
	sock_is(&b, "tcp", AF_INET, SOCK_SEQPACKET, 0, ERRNO(EPERM));
	sock_is(&b, "tcp", AF_PACKET, SOCK_RAW, 0, ERRNO(EPERM));
	is(run(&b, __NR_listen, 3, 1, 0), SECCOMP_RET_USER_NOTIF,
	   "[tcp, filtered] listen notified (an unbound inet socket would bind every interface)");
	is(run(&b, __NR_connect, 3, 0x1000, 16), SECCOMP_RET_USER_NOTIF, "[tcp] connect notified");
	sbx_bpf_free(&b);

	b = build(NULL, udp);
	sock_is(&b, "udp", AF_INET, SOCK_DGRAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "udp", AF_INET6, SOCK_DGRAM | nb, IPPROTO_UDP, SECCOMP_RET_ALLOW);
	sock_is(&b, "udp", AF_INET, SOCK_DGRAM, 136 /* UDP-Lite */, ERRNO(EPERM));
	sock_is(&b, "udp", AF_INET, SOCK_STREAM, 0, SECCOMP_RET_ALLOW);
	is(run(&b, __NR_listen, 3, 1, 0), SECCOMP_RET_USER_NOTIF, "[udp only] listen notified");
	sbx_bpf_free(&b);

	b = build("isolated", tcp);
	sock_is(&b, "isolated", AF_INET, SOCK_STREAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "isolated", AF_INET, SOCK_DGRAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "isolated", AF_INET, SOCK_RAW, 1, ERRNO(EPERM));
	is(run(&b, __NR_listen, 3, 1, 0), SECCOMP_RET_USER_NOTIF,
	   "[isolated] listen notified (a swapped-in or inherited socket is the host's)");
	sbx_bpf_free(&b);

	b = build("none", NULL);
	sock_is(&b, "none", AF_INET6, SOCK_STREAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "none", AF_INET, SOCK_DGRAM, IPPROTO_UDP, SECCOMP_RET_ALLOW);
	sbx_bpf_free(&b);

	b = build("host", NULL);
	sock_is(&b, "host", AF_INET, SOCK_STREAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "host", AF_INET6, SOCK_DGRAM, 0, SECCOMP_RET_ALLOW);
	sock_is(&b, "host", AF_PACKET, SOCK_RAW, 0, ERRNO(EPERM));
	sock_is(&b, "host", AF_VSOCK, SOCK_STREAM, 0, ERRNO(EPERM));
	is(run(&b, __NR_connect, 3, 0x1000, 16), SECCOMP_RET_USER_NOTIF,
	   "[host] connect still notified (UNIX sockets are judged)");
	is(run(&b, __NR_listen, 3, 1, 0), SECCOMP_RET_ALLOW, "[host] listen untouched");
	sbx_bpf_free(&b);
	return done_testing();
}
