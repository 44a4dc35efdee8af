/*
 * Harness for the live tests: a bounded run time, a temp dir, UNIX servers that count what
 * reached them, and running `sbx-supervise ... -- probe ...` with captured output and a timeout.
 *
 * Lifecycle: call sbx_t_init() first; everything it hands out (temp dir, servers, strings,
 * process groups) is released at exit by the process that called it. Children forked by a
 * test must leave with _exit(). Failures of the harness itself are "Bail out!", not test
 * failures.
 */
#ifndef SBX_T_HARNESS_H
#define SBX_T_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "tap.h"

/* Default bound of one sandbox run; a run that takes longer is killed and fails. */
#define SBX_T_RUN_MS 20000
/* Bytes of stdout and of stderr kept per run. */
#define SBX_T_OUTSZ 32768

/**
 * sbx_t_init() - set up a live test: line-buffered TAP, a SIGALRM after @seconds that kills
 * every process group still running and bails out, and the paths of the binaries under
 * $SBX_BUILD (default: three directories above the test binary). Bails out when
 * sbx-supervise or the probe is missing.
 */
void sbx_t_init(unsigned int seconds);

/** sbx_t_supervise() - absolute path of sbx-supervise. */
const char *sbx_t_supervise(void);

/** sbx_t_probe() - absolute path of the probe helper (tests/helpers/probe/). */
const char *sbx_t_probe(void);

/** sbx_t_tmpdir() - this test's private directory, created on first use, removed at exit. */
const char *sbx_t_tmpdir(void);

/**
 * sbx_t_tmp() - "TMPDIR/NAME" for @fmt; the string lives until exit.
 * Keep names short: sun_path holds 107 bytes.
 */
const char *sbx_t_tmp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** sbx_t_abstract() - a unique abstract address "@sbx-t.PID.TAG"; lives until exit. */
const char *sbx_t_abstract(const char *tag);

/** sbx_t_mkaddr() - fill @sun from "PATH" or "@NAME"; returns the address length. */
socklen_t sbx_t_mkaddr(struct sockaddr_un *sun, const char *addr);

/**
 * sbx_t_connect() - connect a new socket of @type to @addr from the test process.
 * Returns the fd, or -errno.
 */
int sbx_t_connect(const char *addr, int type);

/**
 * sbx_t_stale_socket() - leave a socket file at @path that nobody listens on (bound, then
 * closed), so connecting to it gives ECONNREFUSED. Returns 0 or -errno.
 */
int sbx_t_stale_socket(const char *path);

/** sbx_t_write_file() - create @path with @content (mode 0644). Returns 0 or -errno. */
int sbx_t_write_file(const char *path, const char *content);

/** sbx_t_exists() - whether @path exists (lstat). */
bool sbx_t_exists(const char *path);

/**
 * sbx_t_listening() - whether a listening socket is bound to @addr ("PATH" or "@NAME"), as
 * /proc/net/unix of this network namespace shows it.
 */
bool sbx_t_listening(const char *addr);

/* A UNIX server on a background thread; see sbx_t_server_start(). */
struct sbx_t_server;

/**
 * sbx_t_server_start() - listen (stream, seqpacket) or receive (dgram) on @addr ("PATH" or
 * "@NAME") in a thread. Each connection is counted and whatever it sends is recorded and
 * echoed back; each datagram is counted and recorded. An fd received with SCM_RIGHTS is read
 * (up to 63 bytes, from offset 0) and the bytes recorded apart. Bails out on failure.
 */
struct sbx_t_server *sbx_t_server_start(int type, const char *addr);

/**
 * sbx_t_server_sync() - make the counts final for everything sent before this call: push a
 * marker of the test's own through the same queue and wait until the server has seen it.
 * Returns false when the marker did not arrive within 5 s.
 */
bool sbx_t_server_sync(struct sbx_t_server *s);

/** sbx_t_server_count() - connections accepted or datagrams received, the harness's excluded. */
int sbx_t_server_count(struct sbx_t_server *s);

/** sbx_t_server_settled_count() - sbx_t_server_sync(), then the count (-1 if sync failed). */
int sbx_t_server_settled_count(struct sbx_t_server *s);

/** sbx_t_server_got() - whether the bytes received so far contain @needle. */
bool sbx_t_server_got(struct sbx_t_server *s, const char *needle);

/** sbx_t_server_fd_data() - copy the bytes read from fds received with SCM_RIGHTS. */
void sbx_t_server_fd_data(struct sbx_t_server *s, char *buf, size_t len);

/** sbx_t_server_peer_pid() - SO_PEERCRED pid of the last counted connection, 0 if none. */
pid_t sbx_t_server_peer_pid(struct sbx_t_server *s);

/** sbx_t_server_addr() - the address the server listens on. */
const char *sbx_t_server_addr(struct sbx_t_server *s);

/** sbx_t_servers_stop_all() - stop every server still running (at exit, by the harness). */
void sbx_t_servers_stop_all(void);

/** sbx_t_server_stop() - stop the thread, close the sockets, unlink a pathname. NULL is ok. */
void sbx_t_server_stop(struct sbx_t_server *s);

/* One process started by the harness, with its captured output. */
struct sbx_t_proc {
	pid_t pid;
	int out_fd, err_fd;
	bool reaped;	/* waited for */
	bool timed_out; /* did not exit within its bound, so it was killed */
	bool lingered;	/* exited, but descendants kept stdout/stderr open past the bound */
	int status;	/* raw wait status */
	int code;	/* exit status, 128+N if killed by signal N, -1 if not reaped */
	size_t out_len, err_len;
	char out[SBX_T_OUTSZ];
	char err[SBX_T_OUTSZ];
	char line[1024]; /* first line of stdout, without the newline */
	char last[1024]; /* last non-empty line of stdout: the probe's result */
};

/**
 * sbx_t_spawn() - start @argv (NULL-terminated, argv[0] a path) in a new process group, with
 * default signal dispositions, stdin from /dev/null and stdout/stderr captured.
 * Returns 0 or -errno.
 */
int sbx_t_spawn(struct sbx_t_proc *p, const char *const *argv);

/**
 * sbx_t_pump_until() - read output for up to @ms until stdout contains @needle.
 * Returns whether it does.
 */
bool sbx_t_pump_until(struct sbx_t_proc *p, const char *needle, int ms);

/**
 * sbx_t_finish() - wait up to @ms for the process to exit and its output to reach EOF; past
 * the bound, SIGKILL its process group (timed_out or lingered is set). Returns p->code.
 */
int sbx_t_finish(struct sbx_t_proc *p, int ms);

/** sbx_t_run() - sbx_t_spawn() and sbx_t_finish() with SBX_T_RUN_MS. Returns p->code. */
int sbx_t_run(struct sbx_t_proc *p, const char *const *argv);

/**
 * sbx_t_in() - run `sbx-supervise OPTS... -- probe ARGS...` (@opts NULL-terminated, the
 * probe arguments a NULL-terminated list). Returns p->code. See SBX_T_IN().
 */
int sbx_t_in(struct sbx_t_proc *p, const char *const *opts, ...);

/** sbx_t_out() - run `probe ARGS...` without the sandbox. Returns p->code. See SBX_T_OUT(). */
int sbx_t_out(struct sbx_t_proc *p, ...);

/** sbx_t_spawn_in() - start `sbx-supervise OPTS -- probe ARGS` without waiting. */
int sbx_t_spawn_in(struct sbx_t_proc *p, const char *const *opts, ...);

/**
 * sbx_t_rw_tmpdir() - whether sbx_t_in() and sbx_t_spawn_in() pass "--rw TMPDIR" before
 * @opts (the default: the tests' servers and files live there, as a project directory
 * would). Tests of the filesystem rules turn it off.
 */
void sbx_t_rw_tmpdir(bool on);

/**
 * sbx_t_wrap() - a command (NULL-terminated, argv[0] a path) that sbx_t_in() and
 * sbx_t_spawn_in() run sbx-supervise under, which must exec it in the same process, as
 * `unshare --user --map-root-user --` does; NULL for none (the default).
 */
void sbx_t_wrap(const char *const *prefix);

/**
 * sbx_t_replace_mode() - whether this run has sbx in the replace mode (SBX_T_MODE=replace:
 * sbx runs under tests/helpers/deny pidfd_getfd, as in a container's default profile).
 * A check of what that mode refuses by design says so and skips.
 */
bool sbx_t_replace_mode(void);

#define SBX_T_OPTS(...)		  ((const char *const[]){ __VA_ARGS__, NULL })
#define SBX_T_NOOPTS		  ((const char *const[]){ NULL })
#define SBX_T_IN(p, opts, ...)	  sbx_t_in((p), (opts), __VA_ARGS__, (const char *)NULL)
#define SBX_T_OUT(p, ...)	  sbx_t_out((p), __VA_ARGS__, (const char *)NULL)
#define SBX_T_SPAWN_IN(p, o, ...) sbx_t_spawn_in((p), (o), __VA_ARGS__, (const char *)NULL)

/** sbx_t_diag_proc() - print a run's status, stdout and stderr as TAP diagnostics. */
void sbx_t_diag_proc(const struct sbx_t_proc *p);

/**
 * sbx_t_is_str() - TAP assertion that @got equals @want; shows both on failure.
 * Returns the result.
 */
bool sbx_t_is_str_(const char *got, const char *want, const char *file, int line, const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));
#define sbx_t_is_str(got, want, ...) sbx_t_is_str_((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/**
 * sbx_t_line_is() - TAP assertion that the last stdout line of @p (the probe's result line)
 * is @want; shows the whole run on failure. Returns the result.
 */
bool sbx_t_line_is_(const struct sbx_t_proc *p, const char *want, const char *file, int line,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define sbx_t_line_is(p, want, ...) sbx_t_line_is_((p), (want), __FILE__, __LINE__, __VA_ARGS__)

/**
 * sbx_t_has_str() - TAP assertion that @hay contains @needle; shows both on failure.
 * Returns the result.
 */
bool sbx_t_has_str_(const char *hay, const char *needle, const char *file, int line,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define sbx_t_has_str(hay, needle, ...) \
	sbx_t_has_str_((hay), (needle), __FILE__, __LINE__, __VA_ARGS__)

/** sbx_t_count_str() - how many times @needle occurs in @hay (non-overlapping). */
int sbx_t_count_str(const char *hay, const char *needle);

/** sbx_t_field() - the number after "KEY=" (at the start of a word) in @s, or -1. */
long sbx_t_field(const char *s, const char *key);

/**
 * sbx_t_wait_for() - poll @cond every 5 ms for up to @ms.
 * Returns whether it became true.
 */
bool sbx_t_wait_for(bool (*cond)(void *arg), void *arg, int ms);

/** sbx_t_proc_kib() - a "KEY: N kB" line of /proc/@pid/status (VmRSS, VmHWM), -1 if none. */
long sbx_t_proc_kib(pid_t pid, const char *key);

/** sbx_t_pid_gone() - whether @pid no longer runs (gone, or a zombie). */
bool sbx_t_pid_gone(pid_t pid);

/* ---- inet (TCP/UDP) servers on loopback, for the network tests: the same server
 * (tests/lib/server.c), made with an IP literal and a port; every sbx_t_server_*() works on
 * it too ---- */

/**
 * sbx_t_inet_start() - listen (SOCK_STREAM) or receive (SOCK_DGRAM) on @addr (an IPv4 or IPv6
 * literal) and @port (0: the kernel picks) in a thread. Connections and datagrams are counted
 * and recorded like sbx_t_server_start()'s; stream data is echoed back. Returns NULL (errno
 * set) when the address cannot be bound, e.g. ::1 on a host without IPv6.
 */
struct sbx_t_server *sbx_t_inet_start(int type, const char *addr, int port);

/**
 * sbx_t_inet_start_http() - a TCP server on @addr:@port that answers every request starting
 * with "GET " with "200 OK" and @body, then closes. Counts connections like sbx_t_inet_start().
 */
struct sbx_t_server *sbx_t_inet_start_http(const char *addr, int port, const char *body);

/** sbx_t_inet_port() - the port the server is bound to. */
int sbx_t_inet_port(struct sbx_t_server *s);

/** sbx_t_inet_port_str() - the port as a string, for argv; lives as long as the server. */
const char *sbx_t_inet_port_str(struct sbx_t_server *s);

/**
 * sbx_t_inet_settled_count() - connections accepted or datagrams received, the harness's own
 * sync marker excluded, once everything sent before the call has been seen (-1 if the marker
 * did not arrive within 5 s).
 */
int sbx_t_inet_settled_count(struct sbx_t_server *s);

/** sbx_t_inet_got() - whether the bytes received so far contain @needle. */
bool sbx_t_inet_got(struct sbx_t_server *s, const char *needle);

/** sbx_t_inet_stop() - stop the thread and close the sockets. NULL is ok. */
void sbx_t_inet_stop(struct sbx_t_server *s);

/**
 * sbx_t_free_port() - a @type port on @addr that nothing is bound to right now (bound with
 * port 0, then closed). Bails out on failure.
 */
int sbx_t_free_port(int type, const char *addr);

/** sbx_t_tcp_ready() - poll for up to @ms until a TCP connect to @addr:@port succeeds. */
bool sbx_t_tcp_ready(const char *addr, int port, int ms);

/** sbx_t_have_ipv6() - whether a socket can be bound to [::1]. */
bool sbx_t_have_ipv6(void);

/**
 * sbx_t_line_starts() - TAP assertion that the last stdout line of @p starts with @prefix;
 * shows the whole run on failure. Returns the result.
 */
bool sbx_t_line_starts_(const struct sbx_t_proc *p, const char *prefix, const char *file, int line,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define sbx_t_line_starts(p, prefix, ...) \
	sbx_t_line_starts_((p), (prefix), __FILE__, __LINE__, __VA_ARGS__)

/**
 * sbx_t_inet_start_reuseport() - sbx_t_inet_start() with SO_REUSEPORT set before the bind, as
 * servers that share a port across processes do.
 */
struct sbx_t_server *sbx_t_inet_start_reuseport(int type, const char *addr, int port);

/**
 * sbx_t_in_netns() - run @fn(@arg) in a forked child inside a new network namespace whose only
 * interface, lo, is up: for cases that may bind a wildcard address when the sandbox is wrong,
 * so that "every interface" is loopback only. @fn may diag() but not record tests; its return
 * value (0..254) is the child's exit status. Returns it, or -1 when the namespace could not be
 * made (not root, no CONFIG_NET_NS).
 */
int sbx_t_in_netns(int (*fn)(void *arg), void *arg);

/**
 * sbx_t_fmt() - a formatted string from a ring of 64 buffers of 160 bytes: it stays valid
 * until 64 more calls, enough for the arguments of one run.
 */
const char *sbx_t_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

#endif
