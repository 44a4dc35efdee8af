/*
 * Filter tier: build the seccomp program once per mode and check, row by row, which action it
 * returns for "ABI + syscall + arguments", using the interpreter in tests/lib/bpf_eval.c. Then
 * check the interpreter against the kernel: every row the host can issue (x86_64, x32 and,
 * with IA-32 emulation, i386 via int 0x80) is run in a forked child under the real filter and
 * in one without it, and the outcomes must match what the interpreter predicted.
 *
 * Every fd argument in the table is -1 and every pointer is unmapped or NULL, so running the
 * rows for real has no effect beyond a few sockets in short-lived children.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>

#include "../../filters/filter.h"
#include "../lib/bpf_eval.h"
#include "../lib/tap.h"

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

#define X32_BIT	  0x40000000u /* __X32_SYSCALL_BIT */
#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The responder in the NOTIFY-mode kernel run answers every notification with this errno. */
#define NOTIF_ERRNO ENOTRECOVERABLE

/* Expected actions, as compared: the action bits, plus the errno for ERRNO. */
#define ALLOW	SECCOMP_RET_ALLOW
#define NOTIF	SECCOMP_RET_USER_NOTIF
#define EPERM_	(SECCOMP_RET_ERRNO | EPERM)
#define ENOSYS_ (SECCOMP_RET_ERRNO | ENOSYS)
#define KILL	SECCOMP_RET_KILL_PROCESS

struct abi {
	const char *name;
	uint32_t audit_arch;
	uint32_t scmp_arch; /* for resolving names with libseccomp */
	bool wide;	    /* 64-bit registers reach seccomp_data (x86_64, x32) */
	bool live;	    /* the host can issue this ABI's calls */
};

static const struct abi abi_x86_64 = { "x86_64", AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64, true, true };
static const struct abi abi_i386 = { "i386", AUDIT_ARCH_I386, SCMP_ARCH_X86, false, true };
static const struct abi abi_x32 = { "x32", AUDIT_ARCH_X86_64, SCMP_ARCH_X32, true, true };
static const struct abi abi_aarch64 = { "aarch64", AUDIT_ARCH_AARCH64, SCMP_ARCH_AARCH64, true,
					false };
static const struct abi abi_arm = { "arm", AUDIT_ARCH_ARM, SCMP_ARCH_ARM, false, false };

struct row {
	const struct abi *abi;
	const char *call; /* syscall name, resolved per ABI */
	const char *args; /* the arguments as written in the table */
	uint32_t want;	  /* in NOTIFY mode; BPF_ONLY turns NOTIF into ALLOW */
	uint64_t a[6];
};

/* One row; the arguments are also kept as written, for the TAP description. */
/* clang-format off */
#define R(abi, call, want, ...) { &abi_##abi, #call, #__VA_ARGS__, want, { __VA_ARGS__ } }
/* clang-format on */

/* A pointer that is never mapped: calls that get to read it fail with EFAULT. */
#define PTR 0x1000

static const struct row rows[] = {
	/* x86_64: socket() decided from registers */
	R(x86_64, socket, ALLOW, AF_UNIX, SOCK_STREAM, 0),
	R(x86_64, socket, ALLOW, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0),
	R(x86_64, socket, ALLOW, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0),
	R(x86_64, socket, ALLOW, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE),
	R(x86_64, socket, ALLOW, AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE),
	R(x86_64, socket, EPERM_, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT),
	R(x86_64, socket, EPERM_, AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG),
	R(x86_64, socket, EPERM_, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT),
	R(x86_64, socket, EPERM_, AF_NETLINK, SOCK_RAW, NETLINK_GENERIC),
	/* the kernel would truncate these protocol/family values; the filter fails closed */
	R(x86_64, socket, EPERM_, AF_NETLINK, SOCK_RAW, 0x100000000),
	/* TCP and UDP sockets may be made: every destination they reach is judged, and a
	 * refusal names the endpoint (select.c); raw sockets and other protocols stay out */
	R(x86_64, socket, ALLOW, AF_INET, SOCK_STREAM, 0),
	R(x86_64, socket, ALLOW, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0),
	R(x86_64, socket, ALLOW, AF_INET6, SOCK_STREAM, 0),
	R(x86_64, socket, ALLOW, AF_INET6, SOCK_DGRAM, IPPROTO_UDP),
	R(x86_64, socket, EPERM_, AF_INET, SOCK_RAW, IPPROTO_ICMP),
	R(x86_64, socket, EPERM_, AF_INET6, SOCK_RAW, 0),
	R(x86_64, socket, EPERM_, AF_INET, SOCK_STREAM, 132 /* SCTP */),
	R(x86_64, socket, EPERM_, AF_INET, SOCK_DGRAM, IPPROTO_ICMP),
	R(x86_64, socket, EPERM_, AF_INET, SOCK_DGRAM, 136 /* UDP-Lite */),
	R(x86_64, socket, EPERM_, AF_INET, SOCK_SEQPACKET, 0),
	R(x86_64, socket, EPERM_, AF_PACKET, SOCK_RAW, 0),
	R(x86_64, socket, EPERM_, AF_VSOCK, SOCK_STREAM, 0),
	R(x86_64, socket, EPERM_, AF_ALG, SOCK_SEQPACKET, 0),
	R(x86_64, socket, EPERM_, AF_UNSPEC, SOCK_STREAM, 0),
	R(x86_64, socket, EPERM_, 0x100000002, SOCK_STREAM, 0),
	R(x86_64, socket, EPERM_, 0x100000001, SOCK_STREAM, 0),
	R(x86_64, socket, EPERM_, 0x100000010, SOCK_RAW, NETLINK_ROUTE),
	R(x86_64, socket, EPERM_, 0xffffffff, SOCK_STREAM, 0),
	R(x86_64, socketpair, ALLOW, AF_UNIX, SOCK_STREAM, 0, 0),
	R(x86_64, socketpair, EPERM_, AF_INET, SOCK_STREAM, 0, 0),
	R(x86_64, socketpair, EPERM_, AF_NETLINK, SOCK_RAW, 0, 0),
	R(x86_64, socketpair, EPERM_, 0x100000001, SOCK_STREAM, 0, 0),
	/* x86_64: calls that carry a destination go to the supervisor */
	R(x86_64, connect, NOTIF, -1, PTR, 16),
	R(x86_64, connect, NOTIF, -1, 0x100000000, 16),
	R(x86_64, connect, ALLOW, -1, 0, 0),
	R(x86_64, bind, NOTIF, -1, PTR, 16),
	R(x86_64, bind, NOTIF, -1, 0x100000000, 16),
	R(x86_64, bind, ALLOW, -1, 0, 0),
	R(x86_64, sendto, NOTIF, -1, PTR, 1, 0, PTR, 16),
	R(x86_64, sendto, NOTIF, -1, PTR, 1, 0, 0x100000000, 16),
	R(x86_64, sendto, ALLOW, -1, PTR, 1, 0, 0, 0),
	R(x86_64, sendmsg, NOTIF, -1, PTR, 0),
	R(x86_64, sendmsg, NOTIF, -1, 0, 0),
	R(x86_64, sendmmsg, NOTIF, -1, PTR, 1, 0),
	R(x86_64, sendmmsg, NOTIF, -1, 0, 0, 0),
	/* x86_64: everything else about sockets is the kernel's business */
	R(x86_64, recvfrom, ALLOW, -1, PTR, 1, 0, PTR, PTR),
	R(x86_64, recvmsg, ALLOW, -1, PTR, 0),
	R(x86_64, recvmmsg, ALLOW, -1, PTR, 1, 0, 0),
	R(x86_64, accept4, ALLOW, -1, 0, 0, SOCK_CLOEXEC),
	R(x86_64, accept, ALLOW, -1, 0, 0),
	/* listen: notified, an inherited inet socket could otherwise serve every interface */
	R(x86_64, listen, NOTIF, -1, 16),
	R(x86_64, shutdown, ALLOW, -1, SHUT_RDWR),
	R(x86_64, getsockopt, ALLOW, -1, SOL_SOCKET, SO_TYPE, PTR, PTR),
	R(x86_64, setsockopt, ALLOW, -1, SOL_SOCKET, SO_REUSEADDR, PTR, 4),
	/* options that would route data elsewhere than the judged address */
	R(x86_64, setsockopt, EPERM_, -1, IPPROTO_IP, IP_OPTIONS, PTR, 8),
	R(x86_64, setsockopt, EPERM_, -1, IPPROTO_IP, IP_RETOPTS, PTR, 8),
	R(x86_64, setsockopt, EPERM_, -1, IPPROTO_IPV6, 57 /* IPV6_RTHDR */, PTR, 8),
	R(x86_64, setsockopt, EPERM_, -1, IPPROTO_IPV6, 5 /* IPV6_2292RTHDR */, PTR, 8),
	R(x86_64, setsockopt, EPERM_, -1, IPPROTO_IPV6, 6 /* IPV6_2292PKTOPTIONS */, PTR, 8),
	R(x86_64, setsockopt, EPERM_, -1, 0xffffffff00000029, 0x100000039, PTR, 8),
	R(x86_64, setsockopt, EPERM_, -1, 0x100000000, 0xffffffff00000004, PTR, 8),
	R(x86_64, setsockopt, ALLOW, -1, IPPROTO_IP, IP_TOS, PTR, 4),
	R(x86_64, setsockopt, ALLOW, -1, IPPROTO_IPV6, IPV6_V6ONLY, PTR, 4),
	R(x86_64, setsockopt, ALLOW, -1, IPPROTO_IPV6, 55 /* IPV6_RTHDRDSTOPTS */, PTR, 8),
	R(x86_64, setsockopt, ALLOW, -1, IPPROTO_TCP, IP_OPTIONS, PTR, 4),
	R(x86_64, getsockname, ALLOW, -1, PTR, PTR),
	R(x86_64, getpeername, ALLOW, -1, PTR, PTR),
	R(x86_64, read, ALLOW, -1, PTR, 1),
	R(x86_64, write, ALLOW, -1, PTR, 1),
	R(x86_64, getpid, ALLOW),
	R(x86_64, io_uring_setup, ENOSYS_, 1, 0),
	R(x86_64, io_uring_enter, ENOSYS_, -1, 1, 0, 0, 0, 0),
	R(x86_64, io_uring_register, ENOSYS_, -1, 0, 0, 0),
	R(x86_64, ioctl, EPERM_, -1, TIOCSTI, PTR),
	R(x86_64, ioctl, EPERM_, -1, TIOCLINUX, PTR),
	R(x86_64, ioctl, EPERM_, -1, 0x100005412, PTR),
	R(x86_64, ioctl, EPERM_, -1, 0xffffffff0000541c, PTR),
	R(x86_64, ioctl, ALLOW, -1, TCGETS, PTR),
	R(x86_64, ioctl, ALLOW, -1, TIOCGWINSZ, PTR),
	R(x86_64, ioctl, ALLOW, -1, FIONREAD, PTR),
	R(x86_64, ioctl, ALLOW, -1, 0x5412 | 0x10000, PTR),

	/* i386 (int 0x80): socketcall is refused whatever it multiplexes */
	R(i386, socketcall, EPERM_, SYS_SOCKET, PTR),
	R(i386, socketcall, EPERM_, SYS_SOCKET, 0),
	R(i386, socketcall, EPERM_, SYS_BIND, PTR),
	R(i386, socketcall, EPERM_, SYS_CONNECT, PTR),
	R(i386, socketcall, EPERM_, SYS_CONNECT, 0),
	R(i386, socketcall, EPERM_, SYS_LISTEN, PTR),
	R(i386, socketcall, EPERM_, SYS_ACCEPT, PTR),
	R(i386, socketcall, EPERM_, SYS_SOCKETPAIR, PTR),
	R(i386, socketcall, EPERM_, SYS_SEND, PTR),
	R(i386, socketcall, EPERM_, SYS_RECV, PTR),
	R(i386, socketcall, EPERM_, SYS_SENDTO, PTR),
	/* socketcall's own registers look like "sendto without an address" */
	R(i386, socketcall, EPERM_, SYS_SENDTO, PTR, 0, 0, 0, 0),
	R(i386, socketcall, EPERM_, SYS_RECVFROM, PTR),
	R(i386, socketcall, EPERM_, SYS_SENDMSG, PTR),
	R(i386, socketcall, EPERM_, SYS_RECVMSG, PTR),
	R(i386, socketcall, EPERM_, SYS_ACCEPT4, PTR),
	R(i386, socketcall, EPERM_, SYS_SENDMMSG, PTR),
	R(i386, socketcall, EPERM_, 0, 0),
	R(i386, socketcall, EPERM_, 21, PTR),
	R(i386, socketcall, EPERM_, 0xffffffff, PTR),
	/* i386 direct socket calls: what x86_64 notifies is refused, never allowed or notified */
	R(i386, connect, EPERM_, -1, PTR, 16),
	R(i386, connect, ALLOW, -1, 0, 0),
	R(i386, bind, EPERM_, -1, PTR, 16),
	R(i386, bind, ALLOW, -1, 0, 0),
	R(i386, sendto, EPERM_, -1, PTR, 1, 0, PTR, 16),
	R(i386, sendto, ALLOW, -1, PTR, 1, 0, 0, 0),
	R(i386, sendmsg, EPERM_, -1, PTR, 0),
	R(i386, sendmsg, EPERM_, -1, 0, 0),
	R(i386, sendmmsg, EPERM_, -1, PTR, 1, 0),
	R(i386, socket, ALLOW, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0),
	R(i386, socket, ALLOW, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE),
	R(i386, socket, EPERM_, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT),
	/* 32-bit programs can reach no destination: no inet socket without an endpoint */
	R(i386, socket, EPERM_, AF_INET, SOCK_STREAM, 0),
	R(i386, socket, EPERM_, AF_INET6, SOCK_DGRAM, 0),
	R(i386, socket, EPERM_, AF_INET, SOCK_RAW, 0),
	R(i386, socket, EPERM_, AF_PACKET, SOCK_RAW, 0),
	R(i386, socketpair, ALLOW, AF_UNIX, SOCK_STREAM, 0, 0),
	R(i386, socketpair, EPERM_, AF_INET, SOCK_STREAM, 0, 0),
	R(i386, recvfrom, ALLOW, -1, PTR, 1, 0, 0, 0),
	R(i386, recvmsg, ALLOW, -1, PTR, 0),
	R(i386, getpid, ALLOW),
	R(i386, write, ALLOW, -1, PTR, 1),
	R(i386, io_uring_setup, ENOSYS_, 1, 0),
	R(i386, io_uring_enter, ENOSYS_, -1, 1, 0, 0, 0, 0),
	R(i386, io_uring_register, ENOSYS_, -1, 0, 0, 0),
	R(i386, ioctl, EPERM_, -1, TIOCSTI, PTR),
	R(i386, ioctl, EPERM_, -1, TIOCLINUX, PTR),
	R(i386, ioctl, ALLOW, -1, TCGETS, PTR),
	R(i386, setsockopt, EPERM_, -1, IPPROTO_IP, IP_OPTIONS, PTR, 8),
	R(i386, setsockopt, EPERM_, -1, IPPROTO_IPV6, 57 /* IPV6_RTHDR */, PTR, 8),
	R(i386, setsockopt, ALLOW, -1, SOL_SOCKET, SO_REUSEADDR, PTR, 4),

	/*
	 * x32 (x86_64 arch, nr | __X32_SYSCALL_BIT). connect, bind and sendto are "common"
	 * entries in syscall_64.tbl: on x32 the kernel runs the 64-bit handler and dereferences
	 * the whole register, while libseccomp compares only the low half, so an address whose
	 * low half is zero is still an address. The filter refuses them whatever the pointer.
	 */
	R(x32, connect, EPERM_, -1, PTR, 16),
	R(x32, connect, EPERM_, -1, 0, 0),
	R(x32, bind, EPERM_, -1, PTR, 16),
	R(x32, bind, EPERM_, -1, 0, 0),
	R(x32, sendto, EPERM_, -1, PTR, 1, 0, PTR, 16),
	R(x32, sendto, EPERM_, -1, PTR, 1, 0, 0, 0),
	R(x32, connect, EPERM_, -1, 0x100000000, 16),
	R(x32, bind, EPERM_, -1, 0x100000000, 16),
	R(x32, sendto, EPERM_, -1, PTR, 1, 0, 0x100000000, 16),
	R(x32, sendmsg, EPERM_, -1, PTR, 0),
	R(x32, sendmmsg, EPERM_, -1, PTR, 1, 0),
	R(x32, recvmsg, ALLOW, -1, PTR, 0),
	R(x32, recvfrom, ALLOW, -1, PTR, 1, 0, 0, 0),
	R(x32, getpid, ALLOW),
	R(x32, socket, ALLOW, AF_UNIX, SOCK_STREAM, 0),
	R(x32, socket, EPERM_, AF_INET, SOCK_STREAM, 0),
	R(x32, socket, EPERM_, AF_INET, SOCK_RAW, 0),
	R(x32, socket, EPERM_, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT),
	R(x32, socketpair, EPERM_, AF_INET, SOCK_STREAM, 0, 0),
	R(x32, io_uring_setup, ENOSYS_, 1, 0),
	R(x32, io_uring_enter, ENOSYS_, -1, 1, 0, 0, 0, 0),
	R(x32, ioctl, EPERM_, -1, TIOCSTI, PTR),
	R(x32, ioctl, ALLOW, -1, TCGETS, PTR),
	R(x32, setsockopt, EPERM_, -1, IPPROTO_IP, IP_OPTIONS, PTR, 8),
	R(x32, setsockopt, EPERM_, -1, IPPROTO_IPV6, 57 /* IPV6_RTHDR */, PTR, 8),

	/* any other architecture: the process dies before a syscall is looked at */
	R(aarch64, getpid, KILL),
	R(aarch64, connect, KILL, -1, PTR, 16),
	R(aarch64, socket, KILL, AF_UNIX, SOCK_STREAM, 0),
	R(arm, getpid, KILL),
};

/*
 * i386's direct socket calls (syscall_32.tbl, Linux 4.3+). libseccomp 2.5 resolves these names
 * to its negative socketcall pseudo-numbers, and maps them to these itself when adding rules.
 */
static const struct {
	const char *name;
	int nr;
} i386_direct[] = {
	{ "socket", 359 },	{ "socketpair", 360 }, { "bind", 361 },
	{ "connect", 362 },	{ "listen", 363 },     { "accept4", 364 },
	{ "getsockopt", 365 },	{ "setsockopt", 366 }, { "getsockname", 367 },
	{ "getpeername", 368 }, { "sendto", 369 },     { "sendmsg", 370 },
	{ "recvfrom", 371 },	{ "recvmsg", 372 },    { "shutdown", 373 },
	{ "recvmmsg", 337 },	{ "sendmmsg", 345 },
};

/* The number the kernel dispatches for @name on @abi, or -1. */
static int resolve(const struct abi *abi, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(abi->scmp_arch, name);
	size_t i;

	if (nr >= 0 || abi != &abi_i386)
		return nr == __NR_SCMP_ERROR ? -1 : nr;
	for (i = 0; i < N_ELEM(i386_direct); i++)
		if (!strcmp(i386_direct[i].name, name))
			return i386_direct[i].nr;
	return -1;
}

static const char *mode_name(enum sbx_filter_mode mode)
{
	return mode == SBX_FILTER_BPF_ONLY ? "bpf-only" : "notify";
}

static uint32_t expected(uint32_t want, enum sbx_filter_mode mode)
{
	return mode == SBX_FILTER_BPF_ONLY && want == NOTIF ? ALLOW : want;
}

/* The comparable part of a return value: the action, plus the errno for ERRNO. */
static uint32_t comparable(uint32_t ret)
{
	if (ret == SBX_BPF_FAULT || (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
		return ret;
	return ret & SECCOMP_RET_ACTION_FULL;
}

static uint32_t eval(const struct sbx_bpf *prog, const struct abi *abi, int nr, const uint64_t *a)
{
	struct seccomp_data d;
	int i;

	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = abi->audit_arch;
	/* A 32-bit ABI passes 32-bit registers: what a genuine caller would put there. */
	for (i = 0; i < 6; i++)
		d.args[i] = abi->wide ? a[i] : (uint32_t)a[i];
	return sbx_bpf_run(prog->insns, prog->len, &d);
}

/* "x86_64 connect(-1, PTR, 16)" */
static const char *row_str(const struct row *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s(%s)", r->abi->name, r->call, r->args);
	return buf;
}

/* ---- the interpreter on hand-written programs ---- */

#define STMT(c, k)	   ((struct sock_filter)BPF_STMT(c, k))
#define JUMP(c, k, jt, jf) ((struct sock_filter)BPF_JUMP(c, k, jt, jf))
#define RUN(prog, d)	   sbx_bpf_run(prog, N_ELEM(prog), d)

static void test_interpreter(void)
{
	struct seccomp_data d = { .nr = 42, .arch = AUDIT_ARCH_X86_64 };
	const struct sock_filter arch_check[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	/* (nr + 8) * 3 - 2, ^ 0xff, >> 1, << 2, | 1, & 0x1ff, / 3 via K and X, through M[5] */
	const struct sock_filter alu[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		STMT(BPF_ALU | BPF_ADD | BPF_K, 8),
		STMT(BPF_LDX | BPF_IMM, 3),
		STMT(BPF_ALU | BPF_MUL | BPF_X, 0),
		STMT(BPF_ALU | BPF_SUB | BPF_K, 2),
		STMT(BPF_ALU | BPF_XOR | BPF_K, 0xff),
		STMT(BPF_ALU | BPF_RSH | BPF_K, 1),
		STMT(BPF_ALU | BPF_LSH | BPF_K, 2),
		STMT(BPF_ALU | BPF_OR | BPF_K, 1),
		STMT(BPF_ALU | BPF_AND | BPF_K, 0x1ff),
		STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		STMT(BPF_ST, 5),
		STMT(BPF_LD | BPF_IMM, 0),
		STMT(BPF_LDX | BPF_MEM, 5),
		STMT(BPF_MISC | BPF_TXA, 0),
		STMT(BPF_RET | BPF_A, 0),
	};
	/* high word of args[1] (little endian: offset 28) through JSET/JGT/JGE/JEQ via K and X */
	const struct sock_filter jumps[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]) + 4),
		JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x80000000, 1, 0),
		STMT(BPF_RET | BPF_K, 1),
		STMT(BPF_LDX | BPF_IMM, 0x80000007),
		JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 0),
		STMT(BPF_RET | BPF_K, 2),
		JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x80000009, 1, 0),
		STMT(BPF_RET | BPF_K, 3),
		STMT(BPF_MISC | BPF_TAX, 0),
		JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0),
		STMT(BPF_RET | BPF_K, 5),
		JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 0),
		STMT(BPF_RET | BPF_K, 6),
		STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		STMT(BPF_ALU | BPF_NEG, 0),
		STMT(BPF_RET | BPF_A, 0),
	};
	const struct sock_filter ja_past_end[] = {
		JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter jt_past_end[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, 42, 1, 0),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter load_past_end[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, sizeof(struct seccomp_data)),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter load_misaligned[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, 2),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter load_byte[] = {
		STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter no_ret[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	};
	const struct sock_filter unset_mem[] = {
		STMT(BPF_LD | BPF_MEM, 3),
		STMT(BPF_RET | BPF_A, 0),
	};
	const struct sock_filter mem_index[] = {
		STMT(BPF_ST, BPF_MEMWORDS),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter div_zero[] = {
		STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter mod[] = {
		STMT(BPF_ALU | BPF_MOD | BPF_K, 3),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter ret_x[] = {
		STMT(BPF_RET | BPF_X, 0),
	};
	uint32_t want;

	is(RUN(arch_check, &d), SECCOMP_RET_ALLOW, "interpreter: arch check passes x86_64");
	d.arch = AUDIT_ARCH_I386;
	is(RUN(arch_check, &d), SECCOMP_RET_KILL_PROCESS, "interpreter: arch check kills i386");
	d.arch = AUDIT_ARCH_X86_64;

	want = ((((((42u + 8) * 3 - 2) ^ 0xff) >> 1) << 2) | 1) & 0x1ff;
	is(RUN(alu, &d), want / 3, "interpreter: ALU ops, X register and scratch memory");

	d.args[1] = 0x8000000900000000ull; /* every branch taken, down to -sizeof(d) */
	is(RUN(jumps, &d), (uint32_t) - (int32_t)sizeof(d),
	   "interpreter: JSET/JGT/JGE/JEQ, K and X");
	d.args[1] = 0x0000000900000000ull;
	is(RUN(jumps, &d), 1, "interpreter: JSET K not taken on a clear bit");
	d.args[1] = 0x8000000700000000ull;
	is(RUN(jumps, &d), 2, "interpreter: JGT X not taken on equal");
	d.args[1] = 0x8000000800000009ull; /* the low word must not matter */
	is(RUN(jumps, &d), 3, "interpreter: JGE K not taken below, low word ignored");
	d.args[1] = 0;
	is(RUN(ja_past_end, &d), SBX_BPF_FAULT, "interpreter: JA past the end faults");
	is(RUN(jt_past_end, &d), SBX_BPF_FAULT, "interpreter: taken branch past the end faults");
	d.nr = 41;
	is(RUN(jt_past_end, &d), SECCOMP_RET_ALLOW, "interpreter: the untaken branch is fine");
	d.nr = 42;
	is(RUN(load_past_end, &d), SBX_BPF_FAULT, "interpreter: load past seccomp_data faults");
	is(RUN(load_misaligned, &d), SBX_BPF_FAULT, "interpreter: misaligned load faults");
	is(RUN(load_byte, &d), SBX_BPF_FAULT, "interpreter: byte load (not seccomp) faults");
	is(RUN(no_ret, &d), SBX_BPF_FAULT, "interpreter: falling off the end faults");
	is(RUN(unset_mem, &d), SBX_BPF_FAULT, "interpreter: reading unset scratch memory faults");
	is(RUN(mem_index, &d), SBX_BPF_FAULT, "interpreter: scratch index 16 faults");
	is(RUN(div_zero, &d), SBX_BPF_FAULT, "interpreter: division by zero faults");
	is(RUN(mod, &d), SBX_BPF_FAULT, "interpreter: BPF_MOD (not seccomp) faults");
	is(RUN(ret_x, &d), SBX_BPF_FAULT, "interpreter: RET X (not seccomp) faults");
	is(sbx_bpf_run(arch_check, 0, &d), SBX_BPF_FAULT, "interpreter: empty program faults");
}

/* ---- syscall numbers ---- */

static void test_numbers(void)
{
	static const struct {
		const struct abi *abi;
		const char *name;
		int nr;
	} abi_nrs[] = {
		/* from arch/x86/entry/syscalls/syscall_{32,64}.tbl */
		{ &abi_x86_64, "socket", 41 },
		{ &abi_x86_64, "connect", 42 },
		{ &abi_x86_64, "sendmsg", 46 },
		{ &abi_x86_64, "sendmmsg", 307 },
		{ &abi_x86_64, "ioctl", 16 },
		{ &abi_i386, "socketcall", 102 },
		{ &abi_i386, "getpid", 20 },
		{ &abi_i386, "write", 4 },
		{ &abi_i386, "ioctl", 54 },
		{ &abi_i386, "io_uring_setup", 425 },
		{ &abi_x32, "socket", X32_BIT | 41 },
		{ &abi_x32, "connect", X32_BIT | 42 },
		{ &abi_x32, "sendto", X32_BIT | 44 },
		{ &abi_x32, "bind", X32_BIT | 49 },
		{ &abi_x32, "getpid", X32_BIT | 39 },
		{ &abi_x32, "ioctl", X32_BIT | 514 },
		{ &abi_x32, "recvmsg", X32_BIT | 519 },
		{ &abi_x32, "sendmsg", X32_BIT | 518 },
		{ &abi_x32, "sendmmsg", X32_BIT | 538 },
		{ &abi_x32, "io_uring_setup", X32_BIT | 425 },
	};
	char buf[128];
	size_t i;

	for (i = 0; i < N_ELEM(abi_nrs); i++)
		is(resolve(abi_nrs[i].abi, abi_nrs[i].name), abi_nrs[i].nr,
		   "libseccomp numbers %s %s as the kernel does (%#x)", abi_nrs[i].abi->name,
		   abi_nrs[i].name, (unsigned int)abi_nrs[i].nr);
	for (i = 0; i < N_ELEM(rows); i++)
		if (resolve(rows[i].abi, rows[i].call) < 0)
			bail_out("no syscall number for %s", row_str(&rows[i], buf, sizeof(buf)));
}

/* ---- the table ---- */

static void test_rows(const struct sbx_bpf *prog, enum sbx_filter_mode mode)
{
	char rs[160], gs[48], ws[48];
	size_t i;

	for (i = 0; i < N_ELEM(rows); i++) {
		const struct row *r = &rows[i];
		int nr = resolve(r->abi, r->call);
		uint32_t got = eval(prog, r->abi, nr, r->a);
		uint32_t want = expected(r->want, mode);

		if (!ok(comparable(got) == want, "%s -> %s [%s]", row_str(r, rs, sizeof(rs)),
			sbx_bpf_action_str(want, ws, sizeof(ws)), mode_name(mode)))
			diag("nr %#x: the filter returned %s (0x%08x)", (unsigned int)nr,
			     sbx_bpf_action_str(got, gs, sizeof(gs)), got);
	}
}

/* socket(family, SOCK_STREAM, 0) for every family: AF_UNIX, and AF_NETLINK, whose protocol 0 is
 * NETLINK_ROUTE; natively also AF_INET and AF_INET6, judged at each destination. */
static void test_family_sweep(const struct sbx_bpf *prog, enum sbx_filter_mode mode,
			      const struct abi *abi)
{
	int nr = resolve(abi, "socket");
	char gs[48];
	unsigned int fam, bad = 0;

	for (fam = 0; fam < 64; fam++) {
		uint64_t a[6] = { fam, SOCK_STREAM, 0 };
		uint32_t got = comparable(eval(prog, abi, nr, a));
		bool inet = abi == &abi_x86_64 && (fam == AF_INET || fam == AF_INET6);
		uint32_t want = fam == AF_UNIX || fam == AF_NETLINK || inet ? ALLOW : EPERM_;

		if (got != want) {
			diag("%s socket(%u, SOCK_STREAM, 0): %s", abi->name, fam,
			     sbx_bpf_action_str(got, gs, sizeof(gs)));
			bad++;
		}
	}
	ok(!bad, "%s socket() family sweep 0..63: only UNIX, netlink (and natively TCP) pass [%s]",
	   abi->name, mode_name(mode));
}

/*
 * Every syscall number of @abi with all-zero arguments: exactly the calls in @touched get
 * something other than ALLOW. Catches a rule landing on the wrong number, and anything the
 * filter refuses that nobody asked for.
 */
static void test_untouched(const struct sbx_bpf *prog, enum sbx_filter_mode mode,
			   const struct abi *abi, const char *const *touched, size_t n_touched)
{
	static const uint64_t zero[6];
	unsigned int base = abi == &abi_x32 ? X32_BIT : 0, i, bad = 0, seen = 0;
	int touched_nr[16];
	char gs[48];
	size_t j;

	if (n_touched > N_ELEM(touched_nr))
		bail_out("test_untouched: too many names");
	for (j = 0; j < n_touched; j++)
		touched_nr[j] = resolve(abi, touched[j]);
	for (i = 0; i < 1024; i++) {
		int nr = (int)(base | i);
		uint32_t got = eval(prog, abi, nr, zero);
		bool expect_touched = false;
		char *name;

		for (j = 0; j < n_touched; j++)
			if (touched_nr[j] == nr)
				expect_touched = true;
		if (got == SBX_BPF_FAULT || (comparable(got) == ALLOW) == expect_touched) {
			name = seccomp_syscall_resolve_num_arch(abi->scmp_arch, nr);
			diag("%s nr %#x (%s), zero args: %s", abi->name, (unsigned int)nr,
			     name ? name : "?", sbx_bpf_action_str(got, gs, sizeof(gs)));
			free(name);
			bad++;
		}
		seen += expect_touched;
	}
	ok(!bad && seen == n_touched,
	   "%s: only %zu expected calls are not ALLOW with zero args [%s]", abi->name, n_touched,
	   mode_name(mode));
}

static void test_sweeps(const struct sbx_bpf *prog, enum sbx_filter_mode mode)
{
	/* zero args: socket(AF_UNSPEC) and socketpair(AF_UNSPEC) are refused */
	static const char *const native_notify[] = { "socket",	       "socketpair",
						     "sendmsg",	       "sendmmsg",
						     "listen",	       "io_uring_setup",
						     "io_uring_enter", "io_uring_register" };
	static const char *const native_bpf[] = { "socket", "socketpair", "io_uring_setup",
						  "io_uring_enter", "io_uring_register" };
	static const char *const compat_x32[] = {
		"socket",  "socketpair", "connect",	   "bind",	     "sendto",
		"sendmsg", "sendmmsg",	 "io_uring_setup", "io_uring_enter", "io_uring_register"
	};
	static const char *const compat_i386[] = { "socketcall",     "socket",
						   "socketpair",     "sendmsg",
						   "sendmmsg",	     "io_uring_setup",
						   "io_uring_enter", "io_uring_register" };

	test_family_sweep(prog, mode, &abi_x86_64);
	test_family_sweep(prog, mode, &abi_i386);
	test_family_sweep(prog, mode, &abi_x32);
	if (mode == SBX_FILTER_NOTIFY)
		test_untouched(prog, mode, &abi_x86_64, native_notify, N_ELEM(native_notify));
	else
		test_untouched(prog, mode, &abi_x86_64, native_bpf, N_ELEM(native_bpf));
	test_untouched(prog, mode, &abi_i386, compat_i386, N_ELEM(compat_i386));
	test_untouched(prog, mode, &abi_x32, compat_x32, N_ELEM(compat_x32));
}

/* ---- the interpreter against the kernel ---- */

/* An i386 system call through int 0x80; returns the raw result (-errno on failure). */
static long int80(int nr, const uint64_t *a)
{
	long ret = nr;
	unsigned long bp = (uint32_t)a[5];

	/* %ebp is the sixth argument; the xchg pair keeps the frame pointer intact. */
	__asm__ volatile("xchg %[bp], %%rbp\n\t"
			 "int $0x80\n\t"
			 "xchg %[bp], %%rbp"
			 : "+a"(ret), [bp] "+r"(bp)
			 : "b"((unsigned long)(uint32_t)a[0]), "c"((unsigned long)(uint32_t)a[1]),
			   "d"((unsigned long)(uint32_t)a[2]), "S"((unsigned long)(uint32_t)a[3]),
			   "D"((unsigned long)(uint32_t)a[4])
			 : "r8", "r9", "r10", "r11", "memory", "cc");
	return (int)ret;
}

/* Issue @r for real: 0 on success, -errno on failure. */
static int issue(const struct row *r)
{
	int nr = resolve(r->abi, r->call);
	long ret;

	if (r->abi == &abi_i386) {
		ret = int80(nr, r->a);
		return ret < 0 ? (int)ret : 0;
	}
	ret = syscall(nr, r->a[0], r->a[1], r->a[2], r->a[3], r->a[4], r->a[5]);
	return ret == -1 ? -errno : 0;
}

/* Whether int 0x80 works here (IA-32 emulation can be compiled out or off at boot). */
static bool have_int80(void)
{
	static const uint64_t zero[6];
	pid_t pid;
	int st;

	pid = fork();
	if (pid == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		/* Without IA-32 emulation int 0x80 is a #GP: die quietly, even under ASan. */
		signal(SIGSEGV, SIG_DFL);
		_exit(int80(20 /* getpid */, zero) == getpid() ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) == -1)
		bail_out("waitpid: %s", strerror(errno));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Answer every notification with NOTIF_ERRNO, so the caller can tell it was notified. */
static void *responder(void *arg)
{
	int pipe_rd = *(int *)arg, lfd;
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (read(pipe_rd, &lfd, sizeof(lfd)) != sizeof(lfd))
		return NULL;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == -1)
		return NULL;
	req = calloc(1, sizes.seccomp_notif);
	resp = calloc(1, sizes.seccomp_notif_resp);
	if (!req || !resp)
		return NULL;
	for (;;) {
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, req) == -1) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return NULL;
		}
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		resp->error = -NOTIF_ERRNO;
		ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, resp); /* ENOENT: the caller went away */
	}
}

/* The forked child: install @prog (unless NULL), issue the rows, report. Never returns. */
static void live_child(int out, const struct sbx_bpf *prog, bool notify, bool i386_ok)
{
	int res[N_ELEM(rows) + 1]; /* res[0]: 0 or -errno of installing the filter */
	int lpipe[2] = { -1, -1 }, lfd;
	static pthread_t thread;
	size_t i;

	memset(res, 0, sizeof(res));
	if (prog) {
		struct sock_fprog fprog = { .len = prog->len, .filter = prog->insns };

		if (notify && (pipe2(lpipe, O_CLOEXEC) == -1 ||
			       pthread_create(&thread, NULL, responder, &lpipe[0]) != 0))
			_exit(2);
		/* The filter binds this thread only (no TSYNC): the responder stays free. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
			_exit(3);
		lfd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			      notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &fprog);
		if (lfd == -1) {
			res[0] = -errno;
			goto report;
		}
		if (notify && write(lpipe[1], &lfd, sizeof(lfd)) != sizeof(lfd))
			_exit(4);
	}
	for (i = 0; i < N_ELEM(rows); i++) {
		if (!rows[i].abi->live || (rows[i].abi == &abi_i386 && !i386_ok))
			res[i + 1] = INT_MIN;
		else
			res[i + 1] = issue(&rows[i]);
	}
report:
	_exit(write(out, res, sizeof(res)) == sizeof(res) ? 0 : 5);
}

/* Run the rows in a child; fills @res (res[0]: install result). Return: false if it died. */
static bool live_run(const struct sbx_bpf *prog, bool notify, bool i386_ok,
		     int res[N_ELEM(rows) + 1])
{
	size_t want = (N_ELEM(rows) + 1) * sizeof(int), got = 0;
	int p[2], st;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		bail_out("pipe2: %s", strerror(errno));
	pid = fork();
	if (pid == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		live_child(p[1], prog, notify, i386_ok);
	}
	close(p[1]);
	while (got < want) {
		n = read(p[0], (char *)res + got, want - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(p[0]);
	if (waitpid(pid, &st, 0) == -1)
		bail_out("waitpid: %s", strerror(errno));
	if (got == want && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return true;
	diag("kernel run child: %zu of %zu bytes, %s %d", got, want,
	     WIFSIGNALED(st) ? "signal" : "exit status",
	     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return false;
}

static const char *errno_str(int res, char *buf, size_t size)
{
	const char *name = res < 0 ? strerrorname_np(-res) : NULL;

	if (res == 0)
		snprintf(buf, size, "success");
	else if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%d", res);
	return buf;
}

static void test_kernel(const struct sbx_bpf *prog, enum sbx_filter_mode mode, const int *plain,
			bool i386_ok)
{
	static const struct {
		const struct abi *abi;
		const char *call;
		uint64_t a0;
		int want;
	} pinned[] = {
		{ &abi_x86_64, "socket", AF_PACKET, -EPERM },
		{ &abi_x86_64, "socket", AF_UNIX, 0 },
		{ &abi_x86_64, "io_uring_setup", 1, -ENOSYS },
	};
	int res[N_ELEM(rows) + 1];
	char rs[160], as[48], b1[32], b2[32];
	size_t i, j;

	if (!live_run(prog, mode == SBX_FILTER_NOTIFY, i386_ok, res)) {
		ok(0, "kernel run under the %s filter completed", mode_name(mode));
		return;
	}
	if (!is(res[0], 0, "the kernel loads the %s program (%u instructions)", mode_name(mode),
		prog->len))
		return;
	if (!i386_ok)
		skip(1, "i386 rows on the kernel [%s]: int 0x80 unavailable (no IA-32 emulation)",
		     mode_name(mode));
	for (i = 0; i < N_ELEM(rows); i++) {
		const struct row *r = &rows[i];
		uint32_t act = eval(prog, r->abi, resolve(r->abi, r->call), r->a);
		int want;

		if (res[i + 1] == INT_MIN)
			continue;
		switch (act & SECCOMP_RET_ACTION_FULL) {
		case SECCOMP_RET_ALLOW:
			want = plain[i + 1];
			break;
		case SECCOMP_RET_ERRNO:
			want = -(int)(act & SECCOMP_RET_DATA);
			break;
		case SECCOMP_RET_USER_NOTIF:
			want = -NOTIF_ERRNO;
			break;
		default:
			ok(0, "kernel: %s: interpreter says %s, which cannot be compared",
			   row_str(r, rs, sizeof(rs)), sbx_bpf_action_str(act, as, sizeof(as)));
			continue;
		}
		if (!ok(res[i + 1] == want, "kernel agrees: %s is %s (unfiltered: %s) [%s]",
			row_str(r, rs, sizeof(rs)), sbx_bpf_action_str(act, as, sizeof(as)),
			errno_str(plain[i + 1], b1, sizeof(b1)), mode_name(mode)))
			diag("kernel gave %s, expected %s", errno_str(res[i + 1], b1, sizeof(b1)),
			     errno_str(want, b2, sizeof(b2)));
	}
	for (j = 0; j < N_ELEM(pinned); j++) {
		for (i = 0; i < N_ELEM(rows); i++)
			if (rows[i].abi == pinned[j].abi && !strcmp(rows[i].call, pinned[j].call) &&
			    rows[i].a[0] == pinned[j].a0)
				break;
		if (i == N_ELEM(rows))
			bail_out("no row for pinned kernel check %zu", j);
		is(res[i + 1], pinned[j].want, "kernel: %s gives %s [%s]",
		   row_str(&rows[i], rs, sizeof(rs)), errno_str(pinned[j].want, b1, sizeof(b1)),
		   mode_name(mode));
	}
}

int main(void)
{
	static const enum sbx_filter_mode modes[] = { SBX_FILTER_NOTIFY, SBX_FILTER_BPF_ONLY };
	struct sbx_bpf progs[N_ELEM(modes)];
	struct sbx_policy pol;
	struct sbx_error err;
	int plain[N_ELEM(rows) + 1];
	bool i386_ok, plain_ok;
	size_t m;

	memset(&pol, 0, sizeof(pol));
	memset(progs, 0, sizeof(progs));
	test_interpreter();
	test_numbers();

	for (m = 0; m < N_ELEM(modes); m++) {
		memset(&err, 0, sizeof(err));
		if (!is(sbx_filter_build(&pol, modes[m], &progs[m], &err), 0, "build the %s filter",
			mode_name(modes[m])))
			bail_out("sbx_filter_build: %s", err.msg);
		test_rows(&progs[m], modes[m]);
		test_sweeps(&progs[m], modes[m]);
	}

	i386_ok = have_int80();
	plain_ok = live_run(NULL, false, i386_ok, plain);
	if (!ok(plain_ok, "kernel run without a filter completed")) {
		skip(1, "no unfiltered reference");
	} else {
		for (m = 0; m < N_ELEM(modes); m++)
			test_kernel(&progs[m], modes[m], plain, i386_ok);
	}

	for (m = 0; m < N_ELEM(modes); m++)
		sbx_bpf_free(&progs[m]);
	return done_testing();
}
