/*
 * probe: the try-syscall program the live tests run inside the sandbox (and outside, to
 * compare), split by what it probes: unix.c (UNIX sockets), inet.c (TCP and UDP), fs.c (the
 * filesystem rules), hostile.c (malformed input), race.c (races on the address and the fd
 * table), load.c (blocking calls, floods, reuse of ids), surface.c and attack.c (what the
 * sandbox refuses: io_uring, terminal ioctls, 32-bit calls, the supervisor's fds and
 * memory), common.c (helpers), main.c (the table of ops, prefixes, usage). One binary.
 */
#ifndef SBX_PROBE_H
#define SBX_PROBE_H

#include <sys/prctl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

#define REPLY_TIMEOUT_MS  3000
#define ACCEPT_TIMEOUT_MS 10000
#define WAIT_FILE_MS	  15000
#define MAX_ERRNO	  4096

/* The race ops share one fd number so every thread names the same slot of the fd table. */
#define RACE_FD 100

void usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- ops: each returns 0 or an errno, and may fill @d (detail) ---- */

typedef int (*op_fn)(char **av, char *d, size_t dn);

#define FAIL(step)                           \
	do {                                 \
		int e_ = errno;              \
		snprintf(d, dn, "%s", step); \
		if (fd >= 0)                 \
			close(fd);           \
		return e_;                   \
	} while (0)

/* connectn N ADDR: N threads each connect (stream) to ADDR at once, then close; detail: how
 * many connected and the first errno of those that did not. For many calls blocked at once. */
struct connectn {
	struct sockaddr_un sun;
	socklen_t len;
	atomic_int ok, failed, first_errno;
};

struct flood {
	int sock, fd;
	atomic_int refused, other; /* sends that failed: ETOOMANYREFS, anything else */
};

/* The soak load: one thread's loop. */
struct soak {
	const char *allowed, *denied;
	struct timespec end;
	atomic_long conn_ok, deny_ok, fd_ok, exec_ok, bad;
	atomic_int first_bad;
	char bad_step[32];
};

/* ---- counting helpers for loops and races ---- */

struct counts {
	atomic_long n[MAX_ERRNO];
};

/* ---- race (a): flip one byte of the sockaddr while connecting in a loop ---- */

struct race {
	struct sockaddr_un sun;
	size_t off;
	char a, b;
	atomic_int started, stop;
};

/* ---- race (b): swap the socket behind one fd number with dup2 while connecting ---- */

struct dup2race {
	struct sockaddr_un a, b;
	socklen_t alen, blen;
	atomic_int stop;
	struct counts ca, cb;
};

struct steal {
	struct sockaddr_un sun;
	socklen_t len;
	long n;
	atomic_int done;
	struct counts c;
};

/* ---- race (c): rewrite a sockaddr_in between an allowed and a denied destination ---- */

struct inet_race {
	struct sockaddr_in sin;
	uint32_t addr_a, addr_b;
	uint16_t port_a, port_b;
	atomic_int started, stop;
};

void wait_file(const char *path);

struct op {
	const char *name;
	int nargs; /* minimum */
	op_fn fn;
};

int run(int argc, char **argv);

struct thread_args {
	int argc;
	char **argv;
	int rc;
};

/* defined across the files */

void usage(const char *fmt, ...);
const char *ename(int e);
void result(const char *fmt, ...);
void printable(char *dst, size_t dstlen, const char *src, ssize_t n);
long parse_long(const char *s);
socklen_t mkaddr(struct sockaddr_un *sun, const char *a);
int parse_type(const char *s);
long parse_family(const char *s);
int wait_fd(int fd, short events, int ms);
int op_connect(char **av, char *d, size_t dn);
int op_connect_only(char **av, char *d, size_t dn);
int op_connect_nb(char **av, char *d, size_t dn);
int op_sendto(char **av, char *d, size_t dn);
int op_sendmsg(char **av, char *d, size_t dn);
int op_sendmmsg(char **av, char *d, size_t dn);
int op_dgram_connected(char **av, char *d, size_t dn);
int op_sendfd(char **av, char *d, size_t dn);
int op_bind(char **av, char *d, size_t dn);
int op_bind_accept(char **av, char *d, size_t dn);
int op_bind_fork(char **av, char *d, size_t dn);
int bind_swap(char **av, char *d, size_t dn, bool hard);
int op_bind_relink(char **av, char *d, size_t dn);
int op_bind_resymlink(char **av, char *d, size_t dn);
int op_autobind(char **av, char *d, size_t dn);
int op_socket(char **av, char *d, size_t dn);
int op_socketpair(char **av, char *d, size_t dn);
int op_io_uring(char **av, char *d, size_t dn);
char *guard_page(void);
void *unmapped(void);
int op_call(char **av, char *d, size_t dn);
void wait_file(const char *path);
int op_cmsg(char **av, char *d, size_t dn);
int op_mmsg(char **av, char *d, size_t dn);
int op_fdlimit(char **av, char *d, size_t dn);
void on_alarm(int sig);
int op_intr(char **av, char *d, size_t dn);
void *connectn_thread(void *arg);
int op_connectn(char **av, char *d, size_t dn);
bool set_last_pid(pid_t pid);
struct sockaddr_un *pidreuse_child(struct sockaddr_un *x, const struct sockaddr_un *addr,
				   socklen_t len);
int op_pidreuse(char **av, char *d, size_t dn);
int tidreuse_connect(const struct sockaddr_un *sa, socklen_t alen);
int tidreuse_sigpipe(void);
int op_tidreuse(char **av, char *d, size_t dn);
void *flood_thread(void *arg);
int op_fdflood(char **av, char *d, size_t dn);
bool soak_over(const struct soak *s);
void soak_bad(struct soak *s, const char *step, int e);
void *soak_thread(void *arg);
void soak_process(const char *allowed, const char *denied, int threads, long ms);
int op_soak(char **av, char *d, size_t dn);
int op_tiocsti(char **av, char *d, size_t dn);
int op_sigpipe(char **av, char *d, size_t dn);
int op_tioclinux(char **av, char *d, size_t dn);
void count(struct counts *c, int e);
void format_counts(char *d, size_t dn, struct counts *c, const char *pfx);
void *flipper(void *arg);
int op_race(char **av, char *d, size_t dn);
void *swapper(void *arg);
void *denied_connector(void *arg);
int op_dup2race(char **av, char *d, size_t dn);
int op_opath_connect(char **av, char *d, size_t dn);
long int80(long nr, long a, long b, long c);
int op_int80(char **av, char *d, size_t dn);
int op_listfd(char **av, char *d, size_t dn);
bool is_notify_fd(int fd);
int op_open_ppid_fd(char **av, char *d, size_t dn);
void *steal_connector(void *arg);
int op_steal_notify(char **av, char *d, size_t dn);
int op_spin(char **av, char *d, size_t dn);
void on_sig(int sig);
int op_trap(char **av, char *d, size_t dn);
int op_pause(char **av, char *d, size_t dn);
socklen_t mkinet(struct sockaddr_storage *ss, const char *addr, const char *port);
void get_reply(int fd, char *d, size_t dn, bool field);
void fd_state(int fd, char *d, size_t dn);
int op_tcp_connect(char **av, char *d, size_t dn);
int op_tcp_connect_nb(char **av, char *d, size_t dn);
int op_tcp_connect_flags(char **av, char *d, size_t dn);
int op_udp_sendto(char **av, char *d, size_t dn);
int op_udp_connect_send(char **av, char *d, size_t dn);
int op_sendmsg_fastopen(char **av, char *d, size_t dn);
int op_sendmmsg_udp(char **av, char *d, size_t dn);
int op_inet_bind(char **av, char *d, size_t dn);
int op_listen_unbound(char **av, char *d, size_t dn);
int op_serve_and_connect(char **av, char *d, size_t dn);
int cmp_str(const void *a, const void *b);
int netlink_links(char names[][32], int *n, int max);
int op_list_netdevs(char **av, char *d, size_t dn);
void *inet_flipper(void *arg);
int op_inet_race(char **av, char *d, size_t dn);
int op_fd_connect(char **av, char *d, size_t dn);
int op_fd_sendto(char **av, char *d, size_t dn);
int op_inet_raw(char **av, char *d, size_t dn);
int listen_report(int fd, const char *file, char *d, size_t dn);
int op_fd_listen(char **av, char *d, size_t dn);
int op_swap_listen(char **av, char *d, size_t dn);
int op_reuse_after_connect(char **av, char *d, size_t dn);
int op_reuseport_connect(char **av, char *d, size_t dn);
int op_bind_wait_connect(char **av, char *d, size_t dn);
int op_write(char **av, char *d, size_t dn);
int op_read(char **av, char *d, size_t dn);
int op_rename(char **av, char *d, size_t dn);
int op_symlink(char **av, char *d, size_t dn);
int op_mkdir(char **av, char *d, size_t dn);
int op_unlink(char **av, char *d, size_t dn);
int op_truncate(char **av, char *d, size_t dn);
int op_write2(char **av, char *d, size_t dn);
int op_openat(char **av, char *d, size_t dn);
int op_tmpfile(char **av, char *d, size_t dn);
int op_link(char **av, char *d, size_t dn);
int op_rmdir(char **av, char *d, size_t dn);
int op_mkfifo(char **av, char *d, size_t dn);
int op_fsrace(char **av, char *d, size_t dn);
pid_t proc_ppid(void);
int op_kill(char **av, char *d, size_t dn);
int op_ptrace_ppid(char **av, char *d, size_t dn);
int op_status(char **av, char *d, size_t dn);
int tcp_lo(const char *port, bool do_bind, char *d, size_t dn);
int op_tcp_connect_lo(char **av, char *d, size_t dn);
int op_tcp_bind_lo(char **av, char *d, size_t dn);
const struct op *find_op(const char *name, int argc);
void print_result(int e, const char *detail);
int put_file(const char *path, const char *text);
void *thread_main(void *arg);
int qconnect(const char *addr);

#endif
