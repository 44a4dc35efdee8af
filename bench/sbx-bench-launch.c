/*
 * The benchmark's reference configurations, built from sbx's own filter (build/libsbx.a) so
 * that each differs from sbx-supervise in one thing only.
 *
 * Usage (--tcp first: the policy allows a TCP endpoint, so the filter lets socket(AF_INET,
 * SOCK_STREAM) through, as sbx-supervise --allow-connect does):
 *   sbx-bench-launch [--tcp] bpf-only [--] CMD [ARG...]
 *       install sbx's filter with every notify turned into ALLOW (SBX_FILTER_BPF_ONLY) and
 *       exec CMD: what the BPF program alone costs.
 *   sbx-bench-launch [--tcp] floor [--sync] [--workers N] [--] CMD [ARG...]
 *       install sbx's real filter (default policy) with a listener and answer every
 *       notification with SECCOMP_USER_NOTIF_FLAG_CONTINUE and nothing else: the kernel's
 *       round trip, below which no supervisor can go. --sync sets
 *       SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6).
 *   sbx-bench-launch [--tcp] export-bpf FILE
 *       write the bpf-only program as raw struct sock_filter, for bwrap --seccomp FD.
 * Exit status: CMD's (128+N for signal N), 125 for the launcher's own failure.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../filters/filter.h"
#include "../supervisor/base/syscalls.h"

#define LAUNCH_WORKERS_MAX 64

static int launch_listener = -1;
static struct seccomp_notif_sizes launch_sizes;

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

static void *floor_worker(void *arg)
{
	struct seccomp_notif *n = calloc(1, launch_sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, launch_sizes.seccomp_notif_resp);

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
		memset(resp, 0, launch_sizes.seccomp_notif_resp);
		resp->id = n->id;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		/* ENOENT: the caller was interrupted meanwhile, which is normal. */
		ioctl(launch_listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
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
	fputs("usage: sbx-bench-launch bpf-only|floor [--sync] [--] CMD [ARG...]\n"
	      "       sbx-bench-launch export-bpf FILE\n",
	      stderr);
	return 125;
}
