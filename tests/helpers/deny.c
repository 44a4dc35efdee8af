/*
 * Runs a command under a seccomp filter that refuses the syscalls named: the live tests'
 * way to put sbx where a container runtime's default profile would (pidfd_getfd, unshare,
 * clone3 refused) and to inject the failures sbx must survive (a worker that cannot take
 * the command's credentials, a receive that fails, a thread that cannot start).
 *
 * Usage: deny RULE... -- CMD [ARG...]
 *   RULE: NAME[:ARG=VAL | :ARG&MASK][/ERRNO]
 *     NAME   a syscall of the table below, or its number
 *     ARG=VAL  only when argument ARG (0-5, low 32 bits) equals VAL
 *     ARG&MASK only when argument ARG has a bit of MASK set
 *     ERRNO  EPERM (default), ENOSYS, EAGAIN, EACCES or a number
 * Plain: no sbx code. Sets no_new_privs, which the filter needs without CAP_SYS_ADMIN.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif

static const struct {
	const char *name;
	int nr;
} syscalls[] = {
	{ "capset", __NR_capset },
	{ "unshare", __NR_unshare },
	{ "pidfd_getfd", __NR_pidfd_getfd },
	{ "clone", __NR_clone },
	{ "clone3", __NR_clone3 },
	{ "ioctl", __NR_ioctl },
	{ "kcmp", __NR_kcmp },
	{ "setns", __NR_setns },
	{ "process_vm_readv", __NR_process_vm_readv },
	{ "process_vm_writev", __NR_process_vm_writev },
	{ "fork", __NR_fork },
	{ "socketpair", __NR_socketpair },
	{ "seccomp", __NR_seccomp },
};

static const struct {
	const char *name;
	int e;
} errnos[] = {
	{ "EPERM", EPERM }, { "ENOSYS", ENOSYS }, { "EAGAIN", EAGAIN }, { "EACCES", EACCES }
};

#define MAX_INSNS 512

static struct sock_filter prog[MAX_INSNS];
static unsigned int n;

static void emit(struct sock_filter f)
{
	if (n == MAX_INSNS) {
		fprintf(stderr, "deny: too many rules\n");
		exit(125);
	}
	prog[n++] = f;
}

static long number(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (!*s || *end) {
		fprintf(stderr, "deny: bad %s '%s'\n", what, s);
		exit(125);
	}
	return v;
}

static void rule(char *r)
{
	char *slash = strchr(r, '/'), *colon = strchr(r, ':');
	int nr = -1, e = EPERM, arg = -1;
	unsigned long val = 0;
	char op = 0;
	size_t i;

	if (slash) {
		*slash++ = '\0';
		for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
			if (!strcmp(slash, errnos[i].name))
				e = errnos[i].e;
		if (e == EPERM && strcmp(slash, "EPERM"))
			e = (int)number(slash, "errno");
	}
	if (colon) {
		*colon++ = '\0';
		arg = colon[0] - '0';
		op = colon[1];
		if (arg < 0 || arg > 5 || (op != '=' && op != '&')) {
			fprintf(stderr, "deny: bad argument test '%s'\n", colon);
			exit(125);
		}
		val = (unsigned long)number(colon + 2, "value");
	}
	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (!strcmp(r, syscalls[i].name))
			nr = syscalls[i].nr;
	if (nr < 0)
		nr = (int)number(r, "syscall");

	/* A mismatch jumps past this rule's return: 1 insn, +1 for the argument load, +1 for
	 * its test. */
	emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					  offsetof(struct seccomp_data, nr)));
	emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0,
					  arg < 0 ? 1 : 3));
	if (arg >= 0) {
		emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						  offsetof(struct seccomp_data, args[arg])));
		if (op == '=')
			emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)val,
							  0, 1));
		else
			emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (unsigned)val,
							  0, 1));
	}
	emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					  SECCOMP_RET_ERRNO | ((unsigned)e & SECCOMP_RET_DATA)));
}

int main(int argc, char **argv)
{
	struct sock_fprog fp;
	int i;

	emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					  offsetof(struct seccomp_data, arch)));
	emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		rule(argv[i]);
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: deny RULE... -- CMD [ARG...]\n");
		return 125;
	}
	emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	fp = (struct sock_fprog){ .len = (unsigned short)n, .filter = prog };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == -1) {
		perror("deny: seccomp");
		return 125;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "deny: %s: %s\n", argv[i + 1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
