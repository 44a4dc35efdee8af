/*
 * The benchmark's reference configurations, built from sbx's own filter (build/libsbx.a) so
 * that each differs from sbx-supervise in one thing only.
 *
 * Usage (--tcp first: the policy allows a TCP endpoint, so the filter lets socket(AF_INET,
 * SOCK_STREAM) through, as sbx-supervise --allow-connect does):
 *   sbx-bench-launch [--tcp] bpf-only [--] CMD [ARG...]
 *       install sbx's filter with every notify turned into ALLOW (SBX_FILTER_BPF_ONLY) and
 *       exec CMD: what the BPF program alone costs.
 *   sbx-bench-launch [--tcp] floor [--sync] [--judge] [--fs] [--workers N] [--] CMD [ARG...]
 *       install sbx's real filter (default policy) with a listener and answer every
 *       notification with SECCOMP_USER_NOTIF_FLAG_CONTINUE and nothing else: the kernel's
 *       round trip, below which no supervisor can go. --sync sets
 *       SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6). --judge (floor-judge) adds, before
 *       the CONTINUE, the kernel work any supervisor that judges a pointer argument must
 *       make: for connect, bind and sendto with an address, process_vm_readv of the
 *       sockaddr, SECCOMP_IOCTL_NOTIF_ID_VALID, and for an AF_UNIX pathname
 *       openat2(O_PATH, RESOLVE_NO_SYMLINKS) + fstat of the path (closed after the reply,
 *       as sbx does); for sendmsg the same on the msghdr and its msg_name. It decides
 *       nothing (every call continues) and performs nothing. --fs (floor-fs) also notifies
 *       the filesystem writes sbx notifies to explain a refusal (the filter's fs bit, set
 *       when Landlock confines the filesystem and --explain is on), and continues them
 *       unread: the kernel's round trip for what explaining costs a build.
 *   sbx-bench-launch [--tcp] export-bpf FILE
 *       write the bpf-only program as raw struct sock_filter, for bwrap --seccomp FD.
 * Exit status: CMD's (128+N for signal N), 125 for the launcher's own failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../filters/filter.h"
#include "../supervisor/base/syscalls.h"

#define LAUNCH_WORKERS_MAX 64

static int launch_listener = -1;
static struct seccomp_notif_sizes launch_sizes;
/* floor --judge: read, validate and resolve each address before continuing. */
static bool launch_judge;
/* floor --fs: notify the writes sbx notifies to explain (perform/fswrite.c) too. */
static bool launch_fs;

static void die(const char *what)
{
	fprintf(stderr, "sbx-bench-launch: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* With --tcp the policy has a TCP endpoint, so socket(AF_INET, SOCK_STREAM) passes the filter
 * as it does under sbx-supervise --allow-connect (the tcp-connect workload). */
static bool launch_tcp;

static void build(enum sbx_filter_mode mode, struct sbx_bpf *bpf)
{
	struct sbx_policy pol = { 0 };
	struct sbx_error err = { 0 };

	/* What sbx-supervise's plan says when Landlock handles the filesystem (llplan.c): the
	 * filter then has the fs bit, unless --explain=off (filters/select.c). */
	pol.ll.fs_kernel = launch_fs;
	if (launch_tcp && sbx_pol_add_connect(&pol, "tcp:127.0.0.1:1", &err) < 0) {
		fprintf(stderr, "sbx-bench-launch: %s\n", err.msg);
		exit(125);
	}
	if (sbx_filter_build(&pol, mode, bpf, &err) < 0) {
		fprintf(stderr, "sbx-bench-launch: %s\n", err.msg);
		exit(125);
	}
}

static int install(const struct sbx_bpf *bpf, unsigned int flags)
{
	struct sock_fprog prog = { .len = bpf->len, .filter = bpf->insns };
	int r;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		die("prctl(PR_SET_NO_NEW_PRIVS)");
	r = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r == -1)
		die("seccomp(SECCOMP_SET_MODE_FILTER)");
	return r;
}

static void run(char **argv)
{
	execvp(argv[0], argv);
	fprintf(stderr, "sbx-bench-launch: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static ssize_t read_caller(pid_t pid, void *buf, size_t len, __u64 addr)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

/*
 * floor --judge: the least a supervisor that judges an address must ask of the kernel before
 * it can answer: read the address from the caller, prove with NOTIF_ID_VALID that the pid
 * read was still the caller's, and pin an AF_UNIX path (openat2 without symlinks, fstat for
 * the inode and its type). No decision, no performing: the caller's socket is not taken
 * (pidfd_getfd), nothing is printed or recorded. Returns the pin to close after the reply, or
 * -1.
 */
static int judge(const struct seccomp_notif *n)
{
	struct sockaddr_storage sa;
	struct sbx_open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };
	struct sockaddr_un *un = (struct sockaddr_un *)&sa;
	struct msghdr mh;
	struct stat st;
	__u64 addr, len;
	ssize_t got;
	int pin;

	switch (n->data.nr) {
	case __NR_connect:
	case __NR_bind:
		addr = n->data.args[1];
		len = n->data.args[2];
		break;
	case __NR_sendto:
		addr = n->data.args[4];
		len = n->data.args[5];
		break;
	case __NR_sendmsg:
		if (read_caller(n->pid, &mh, sizeof(mh), n->data.args[1]) != sizeof(mh))
			return -1;
		addr = (uintptr_t)mh.msg_name;
		len = mh.msg_namelen;
		break;
	default:
		return -1;
	}
	if (!addr || !len) {
		ioctl(launch_listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n->id);
		return -1;
	}
	if (len > sizeof(sa))
		len = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	got = read_caller(n->pid, &sa, len, addr);
	if (ioctl(launch_listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n->id) == -1 || got < 2)
		return -1;
	if (sa.ss_family != AF_UNIX || got <= (ssize_t)offsetof(struct sockaddr_un, sun_path) ||
	    !un->sun_path[0])
		return -1;
	((char *)&sa)[got < (ssize_t)sizeof(sa) ? got : (ssize_t)sizeof(sa) - 1] = 0;
	pin = sys_openat2(AT_FDCWD, un->sun_path, &how, sizeof(how));
	if (pin == -1)
		return -1;
	fstat(pin, &st);
	return pin;
}

static void *floor_worker(void *arg)
{
	struct seccomp_notif *n = calloc(1, launch_sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, launch_sizes.seccomp_notif_resp);
	int pin;

	(void)arg;
	if (!n || !resp)
		die("calloc");
	for (;;) {
		memset(n, 0, launch_sizes.seccomp_notif);
		if (ioctl(launch_listener, SECCOMP_IOCTL_NOTIF_RECV, n) == -1) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return NULL; /* the sandbox is gone */
		}
		pin = launch_judge ? judge(n) : -1;
		memset(resp, 0, launch_sizes.seccomp_notif_resp);
		resp->id = n->id;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		/* ENOENT: the caller was interrupted meanwhile, which is normal. */
		ioctl(launch_listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
		if (pin >= 0)
			close(pin); /* after the reply, off the caller's wait, as sbx does */
	}
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int floor_main(int argc, char **argv)
{
	int sp[2], workers = 2, i, child_fd = -1, pidfd;
	__u64 sync_flags = 0;
	struct sbx_bpf bpf = { 0 };
	pthread_t th;
	pid_t pid;
	char go = 'g';

	for (i = 0; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--sync")) {
			sync_flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
		} else if (!strcmp(argv[i], "--judge")) {
			launch_judge = true;
		} else if (!strcmp(argv[i], "--fs")) {
			launch_fs = true;
		} else if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
			workers = atoi(argv[++i]);
			if (workers < 1 || workers > LAUNCH_WORKERS_MAX)
				workers = 2;
		} else {
			fprintf(stderr, "sbx-bench-launch: unknown floor option %s\n", argv[i]);
			return 125;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "sbx-bench-launch: floor needs a command\n");
		return 125;
	}
	build(SBX_FILTER_NOTIFY, &bpf);
	if (sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &launch_sizes) == -1)
		die("SECCOMP_GET_NOTIF_SIZES");
	if (launch_sizes.seccomp_notif < sizeof(struct seccomp_notif))
		launch_sizes.seccomp_notif = sizeof(struct seccomp_notif);
	if (launch_sizes.seccomp_notif_resp < sizeof(struct seccomp_notif_resp))
		launch_sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		die("socketpair");
	pid = fork();
	if (pid == -1)
		die("fork");
	if (pid == 0) {
		/* As sbx's shim does: after the filter, only plain reads and writes until the
		 * parent has taken the listener (a sendmsg would wait for an answer). */
		close(sp[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		child_fd = install(&bpf, SECCOMP_FILTER_FLAG_NEW_LISTENER);
		if (write(sp[1], &child_fd, sizeof(child_fd)) != sizeof(child_fd) ||
		    read(sp[1], &go, 1) != 1)
			_exit(125);
		close(child_fd);
		close(sp[1]);
		run(argv + i);
	}
	close(sp[1]);
	if (read(sp[0], &child_fd, sizeof(child_fd)) != sizeof(child_fd)) {
		wait_status(pid);
		return 125;
	}
	pidfd = sys_pidfd_open(pid, 0);
	if (pidfd == -1)
		die("pidfd_open");
	launch_listener = sys_pidfd_getfd(pidfd, child_fd, 0);
	if (launch_listener == -1)
		die("pidfd_getfd");
	if (sync_flags && ioctl(launch_listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, sync_flags) == -1)
		fprintf(stderr, "sbx-bench-launch: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: %s\n",
			strerror(errno));
	for (i = 0; i < workers; i++)
		if (pthread_create(&th, NULL, floor_worker, NULL) || pthread_detach(th))
			die("pthread_create");
	if (write(sp[0], &go, 1) != 1)
		die("start the command");
	return wait_status(pid);
}

static int export_bpf(const char *path)
{
	struct sbx_bpf bpf = { 0 };
	FILE *f;

	build(SBX_FILTER_BPF_ONLY, &bpf);
	f = fopen(path, "we");
	if (!f)
		die(path);
	if (fwrite(bpf.insns, sizeof(*bpf.insns), bpf.len, f) != bpf.len || fclose(f) != 0)
		die(path);
	sbx_bpf_free(&bpf);
	return 0;
}

int main(int argc, char **argv)
{
	struct sbx_bpf bpf = { 0 };
	int i = 2;

	if (argc >= 2 && !strcmp(argv[1], "--tcp")) {
		launch_tcp = true;
		argv++;
		argc--;
	}
	if (argc >= 3 && !strcmp(argv[1], "export-bpf"))
		return export_bpf(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "floor"))
		return floor_main(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "bpf-only")) {
		if (!strcmp(argv[2], "--"))
			i++;
		if (i >= argc)
			return 125;
		build(SBX_FILTER_BPF_ONLY, &bpf);
		install(&bpf, 0);
		run(argv + i);
	}
	fputs("usage: sbx-bench-launch bpf-only|floor [--sync] [--judge] [--fs] [--] CMD [ARG...]\n"
	      "       sbx-bench-launch export-bpf FILE\n",
	      stderr);
	return 125;
}
