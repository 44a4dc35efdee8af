/*
 * probe's main: the table of ops, the prefixes, usage. The try-syscall program the live
 * tests run inside the sandbox (and outside, to compare).
 *
 * Usage: probe [PREFIX...] OP [ARG...]
 * Each OP performs one operation and prints one result line on stdout:
 *   "ok[ DETAIL]"            the operation succeeded (DETAIL: bytes received, counts...)
 *   "errno ENAME[ STEP]"     a call failed; STEP names the failing step of a multi-step op
 * and exits 0; a usage error prints to stderr and exits 2. Exceptions are documented at the op
 * (spin prints a line per change, trap/pause exit through a signal).
 * PREFIX ops change the context and then run the rest of the command line:
 *   chdir DIR | umask OCT | chroot DIR | wait FILE | pid | pidfile FILE | fork | thread |
 *   exec | loop N | unshare-bind SRC DST | unshare-user-bind SRC DST
 * An address is a pathname, or @NAME for an abstract socket.
 * Nothing here links sbx code: this behaves like any user binary.
 */
#include "probe.h"

static const struct op ops[] = {
	{ "connect", 1, op_connect },
	{ "connect-only", 1, op_connect_only },
	{ "connect-nb", 1, op_connect_nb },
	{ "sendto", 1, op_sendto },
	{ "sendmsg", 1, op_sendmsg },
	{ "sendmmsg", 1, op_sendmmsg },
	{ "dgram-connected", 1, op_dgram_connected },
	{ "sendfd", 2, op_sendfd },
	{ "bind", 1, op_bind },
	{ "bind-accept", 1, op_bind_accept },
	{ "bind-fork", 1, op_bind_fork },
	{ "bind-relink", 2, op_bind_relink },
	{ "bind-resymlink", 2, op_bind_resymlink },
	{ "autobind", 1, op_autobind },
	{ "socket", 2, op_socket },
	{ "socketpair", 1, op_socketpair },
	{ "io_uring", 0, op_io_uring },
	{ "call", 2, op_call },
	{ "tiocsti", 1, op_tiocsti },
	{ "sigpipe", 0, op_sigpipe },
	{ "tioclinux", 1, op_tioclinux },
	{ "race", 3, op_race },
	{ "dup2race", 3, op_dup2race },
	{ "opath-connect", 1, op_opath_connect },
	{ "int80", 1, op_int80 },
	{ "listfd", 0, op_listfd },
	{ "open-ppid-fd", 0, op_open_ppid_fd },
	{ "steal-notify", 2, op_steal_notify },
	{ "spin", 2, op_spin },
	{ "trap", 0, op_trap },
	{ "pause", 0, op_pause },
	{ "tcp-connect", 2, op_tcp_connect },
	{ "tcp-connect-nb", 2, op_tcp_connect_nb },
	{ "tcp-connect-flags", 2, op_tcp_connect_flags },
	{ "udp-sendto", 2, op_udp_sendto },
	{ "udp-connect-send", 2, op_udp_connect_send },
	{ "sendmsg-fastopen", 2, op_sendmsg_fastopen },
	{ "sendmmsg-udp", 2, op_sendmmsg_udp },
	{ "inet-bind", 2, op_inet_bind },
	{ "listen-unbound", 0, op_listen_unbound },
	{ "serve-and-connect", 0, op_serve_and_connect },
	{ "list-netdevs", 0, op_list_netdevs },
	{ "inet-race", 5, op_inet_race },
	{ "fd-connect", 3, op_fd_connect },
	{ "fd-sendto", 3, op_fd_sendto },
	{ "inet-raw", 6, op_inet_raw },
	{ "bind-wait-connect", 4, op_bind_wait_connect },
	{ "reuseport-connect", 4, op_reuseport_connect },
	{ "reuse-after-connect", 5, op_reuse_after_connect },
	{ "fd-listen", 2, op_fd_listen },
	{ "swap-listen", 3, op_swap_listen },
	{ "write", 1, op_write },
	{ "read", 1, op_read },
	{ "rename", 2, op_rename },
	{ "symlink", 2, op_symlink },
	{ "mkdir", 1, op_mkdir },
	{ "unlink", 1, op_unlink },
	{ "truncate", 1, op_truncate },
	{ "write2", 2, op_write2 },
	{ "openat", 2, op_openat },
	{ "tmpfile", 1, op_tmpfile },
	{ "link", 2, op_link },
	{ "rmdir", 1, op_rmdir },
	{ "mkfifo", 1, op_mkfifo },
	{ "fsrace", 3, op_fsrace },
	{ "kill", 2, op_kill },
	{ "ptrace-ppid", 0, op_ptrace_ppid },
	{ "status", 0, op_status },
	{ "tcp-connect-lo", 1, op_tcp_connect_lo },
	{ "tcp-bind-lo", 1, op_tcp_bind_lo },
	{ "cmsg", 2, op_cmsg },
	{ "mmsg", 3, op_mmsg },
	{ "fdlimit", 1, op_fdlimit },
	{ "soak", 7, op_soak },
	{ "intr", 2, op_intr },
	{ "connectn", 2, op_connectn },
	{ "fdflood", 2, op_fdflood },
	{ "pidreuse", 3, op_pidreuse },
	{ "tidreuse", 2, op_tidreuse },
};

const struct op *find_op(const char *name, int argc)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, name))
			continue;
		if (argc < ops[i].nargs)
			usage("%s needs %d argument(s)", name, ops[i].nargs);
		return &ops[i];
	}
	usage("unknown op `%s`", name);
}

void print_result(int e, const char *detail)
{
	if (e < 0)
		return; /* the op printed its own output */
	if (!e)
		result("ok%s%s", *detail ? " " : "", detail);
	else
		result("errno %s%s%s", ename(e), *detail ? " " : "", detail);
}

/* Write @text to @path (a /proc file): 0, or -1 with errno set. */
int put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

void *thread_main(void *arg)
{
	struct thread_args *ta = arg;

	ta->rc = run(ta->argc, ta->argv);
	return NULL;
}

/* Run prefix ops, then the op; returns the exit status. */
int run(int argc, char **argv)
{
	char detail[4096] = "";

	if (argc < 1)
		usage("missing op");
	if (!strcmp(argv[0], "chdir") && argc > 1) {
		if (chdir(argv[1]) == -1)
			usage("chdir %s: %s", argv[1], strerror(errno));
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "umask") && argc > 1) {
		umask((mode_t)strtoul(argv[1], NULL, 8));
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "chroot") && argc > 1) {
		if (chroot(argv[1]) == -1 || chdir("/") == -1) {
			result("unsupported chroot %s", ename(errno));
			return 0;
		}
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "unshare-user-bind") && argc > 2) {
		/* What an unprivileged command can do by itself: a user namespace mapping only
		 * its own ids, and in it a mount namespace of its own. */
		char map[64];
		uid_t uid = getuid();
		gid_t gid = getgid();

		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == -1 ||
		    put_file("/proc/self/setgroups", "deny") == -1 ||
		    (snprintf(map, sizeof(map), "%u %u 1", uid, uid),
		     put_file("/proc/self/uid_map", map) == -1) ||
		    (snprintf(map, sizeof(map), "%u %u 1", gid, gid),
		     put_file("/proc/self/gid_map", map) == -1) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
		    mount(argv[1], argv[2], NULL, MS_BIND, NULL) == -1) {
			result("unsupported unshare-user-bind %s", ename(errno));
			return 0;
		}
		return run(argc - 3, argv + 3);
	}
	if (!strcmp(argv[0], "unshare-bind") && argc > 2) {
		if (unshare(CLONE_NEWNS) == -1 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
		    mount(argv[1], argv[2], NULL, MS_BIND, NULL) == -1) {
			result("unsupported unshare-bind %s", ename(errno));
			return 0;
		}
		return run(argc - 3, argv + 3);
	}
	if (!strcmp(argv[0], "wait") && argc > 1) {
		wait_file(argv[1]);
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "pid")) {
		result("pid=%d", getpid());
		return run(argc - 1, argv + 1);
	}
	if (!strcmp(argv[0], "pidfile") && argc > 1) {
		char tmp[PATH_MAX + 8], num[32];
		int fd, n;

		snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		n = snprintf(num, sizeof(num), "%d\n", getpid());
		if (fd == -1 || write(fd, num, (size_t)n) != n || close(fd) == -1 ||
		    rename(tmp, argv[1]) == -1)
			usage("pidfile %s: %s", argv[1], strerror(errno));
		return run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[0], "fork")) {
		pid_t pid = fork();
		int st;

		if (pid == -1)
			usage("fork: %s", strerror(errno));
		if (pid == 0)
			_exit(run(argc - 1, argv + 1));
		if (waitpid(pid, &st, 0) == -1)
			usage("waitpid: %s", strerror(errno));
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	if (!strcmp(argv[0], "thread")) {
		struct thread_args ta = { argc - 1, argv + 1, 0 };
		pthread_t t;

		if (pthread_create(&t, NULL, thread_main, &ta))
			usage("pthread_create failed");
		pthread_join(t, NULL);
		return ta.rc;
	}
	if (!strcmp(argv[0], "exec")) {
		argv[0] = (char *)"probe";
		execv("/proc/self/exe", argv);
		usage("execv: %s", strerror(errno));
	}
	if (!strcmp(argv[0], "loop") && argc > 2) {
		long n = parse_long(argv[1]), i;
		const struct op *op = find_op(argv[2], argc - 3);
		struct counts *c = calloc(1, sizeof(*c));

		if (!c)
			usage("out of memory");
		for (i = 0; i < n; i++) {
			char det[256] = "";
			int e = op->fn(argv + 3, det, sizeof(det));

			count(c, e < 0 ? 0 : e);
		}
		format_counts(detail, sizeof(detail), c, "");
		free(c);
		result("loop %s", detail);
		return 0;
	}
	{
		const struct op *op = find_op(argv[0], argc - 1);

		print_result(op->fn(argv + 1, detail, sizeof(detail)), detail);
	}
	return 0;
}

/* qconnect ADDR: connect once and exit 0, or exit with the errno; prints nothing. */
int qconnect(const char *addr)
{
	struct sockaddr_un sun;
	socklen_t len = mkaddr(&sun, addr);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, len) == -1)
		return errno ? errno : 1;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "qconnect"))
		return qconnect(argv[2]);
	return run(argc - 1, argv + 1);
}
