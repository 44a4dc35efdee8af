/*
 * Live: attacks on the supervisor. Races on the sockaddr and on the fd table, swapping the
 * allowed path under a running sandbox, path tricks only the caller's view resolves (/proc
 * magic links, "..", chroot, a private mount namespace), rebinding tricks, the i386 ABI, the
 * listener fd, and SIGKILL of the supervisor. The assertion that matters everywhere: the
 * denied server accepted nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include "../lib/harness.h"

#define ALLOW(x) "--allow-unix-socket", (x)

/* (a) one thread flips a byte of the sockaddr between the allowed and denied path while the
 * other connects in a loop: a check-then-continue supervisor lets some through. */
static void race_sockaddr(void)
{
	const char *a = sbx_t_tmp("ra.sock"), *d = sbx_t_tmp("rd.sock");
	const char *aa = sbx_t_abstract("ra"), *ad = sbx_t_abstract("rd");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_server *saa = sbx_t_server_start(SOCK_STREAM, aa);
	struct sbx_t_server *sad = sbx_t_server_start(SOCK_STREAM, ad);
	struct sbx_t_proc p;
	long okc, eperm;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "race", a, d, "10000");
	okc = sbx_t_field(p.last, "ok");
	eperm = sbx_t_field(p.last, "EPERM");
	diag("race on a pathname, 10000 connects: %s", p.last);
	if (!ok(okc + eperm == 10000, "sockaddr race (path): all 10000 connects were ok or EPERM"))
		sbx_t_diag_proc(&p);
	ok(okc > 0 && eperm > 0, "sockaddr race (path): both paths were seen, so the race ran");
	is(sbx_t_server_settled_count(sd), 0, "sockaddr race (path): the denied server accepted 0");
	is(sbx_t_server_settled_count(sa), okc,
	   "sockaddr race (path): every ok reached the allowed");

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(aa)), "race", aa, ad, "5000");
	okc = sbx_t_field(p.last, "ok");
	eperm = sbx_t_field(p.last, "EPERM");
	diag("race on an abstract name, 5000 connects: %s", p.last);
	ok(okc > 0 && eperm > 0 && okc + eperm == 5000,
	   "sockaddr race (abstract): ok and EPERM only, both seen");
	is(sbx_t_server_settled_count(sad), 0,
	   "sockaddr race (abstract): the denied name accepted 0");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
	sbx_t_server_stop(saa);
	sbx_t_server_stop(sad);
}

/* (b) dup2 swaps fresh sockets onto the fd number other threads connect on. */
static void race_dup2(void)
{
	const char *a = sbx_t_tmp("da.sock"), *d = sbx_t_tmp("dd.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "dup2race", a, d, "5000");
	diag("dup2 race: %s", p.last);
	if (!ok(sbx_t_field(p.last, "a.ok") > 0, "dup2 race: connects to the allowed path succeed"))
		sbx_t_diag_proc(&p);
	is(sbx_t_field(p.last, "a.EPERM"), -1, "dup2 race: the allowed path is never EPERM");
	is(sbx_t_field(p.last, "b.ok"), 0, "dup2 race: no connect to the denied path succeeded");
	ok(sbx_t_field(p.last, "b.EPERM") > 0, "dup2 race: the denied path was tried (EPERM)");
	is(sbx_t_server_settled_count(sd), 0, "dup2 race: the denied server accepted 0");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

struct flip {
	const char *path, *real, *target;
	atomic_int stop;
	atomic_long flips;
};

static bool flipped(void *arg)
{
	struct flip *f = arg;

	return atomic_load(&f->flips) >= 4;
}

static void *flipper(void *arg)
{
	struct flip *f = arg;
	char t1[256], t2[256];

	snprintf(t1, sizeof(t1), "%s.sym", f->path);
	snprintf(t2, sizeof(t2), "%s.lnk", f->path);
	while (!atomic_load(&f->stop)) {
		unlink(t1);
		unlink(t2);
		if (symlink(f->target, t1) == 0 && rename(t1, f->path) == 0)
			f->flips++;
		if (link(f->real, t2) == 0 && rename(t2, f->path) == 0)
			f->flips++;
	}
	return NULL;
}

/* (c) the allowed path is replaced by a symlink to the denied socket after sbx started. */
static void swap_allowed_path(void)
{
	const char *a = sbx_t_tmp("sw.sock"), *d = sbx_t_tmp("swd.sock"), *go = sbx_t_tmp("sw.go");
	const char *tmp = sbx_t_tmp("sw.tmp");
	const char *a2 = sbx_t_tmp("fl.sock"), *a2real = sbx_t_tmp("fl.real");
	const char *go2 = sbx_t_tmp("fl.go");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_server *sa2 = sbx_t_server_start(SOCK_STREAM, a2);
	struct flip f = { .path = a2, .real = a2real, .target = d };
	struct sbx_t_proc p;
	bool started;
	pthread_t t;

	/* once the command runs (prints its pid), sbx has canonicalised the allowlist */
	SBX_T_SPAWN_IN(&p, SBX_T_OPTS(ALLOW(a)), "pid", "wait", go, "connect", a);
	started = sbx_t_pump_until(&p, "pid=", 10000);
	if (symlink(d, tmp) || rename(tmp, a) || sbx_t_write_file(go, ""))
		bail_out("swap: %s", strerror(errno));
	sbx_t_finish(&p, SBX_T_RUN_MS);
	sbx_t_line_is(&p, "errno EPERM",
		      "allowed path replaced by a symlink to another socket after start: EPERM");
	is(sbx_t_server_settled_count(sd), 0, "swapped path: the denied server accepted 0");

	if (link(a2, a2real))
		bail_out("link: %s", strerror(errno));
	SBX_T_SPAWN_IN(&p, SBX_T_OPTS(ALLOW(a2)), "pid", "wait", go2, "loop", "4000",
		       "connect-only", a2);
	started = sbx_t_pump_until(&p, "pid=", 10000) && started;
	if (pthread_create(&t, NULL, flipper, &f))
		bail_out("pthread_create");
	sbx_t_wait_for(flipped, &f, 5000);
	sbx_t_write_file(go2, "");
	sbx_t_finish(&p, SBX_T_RUN_MS);
	atomic_store(&f.stop, 1);
	pthread_join(t, NULL);
	diag("flipping the allowed path %ld times during 4000 connects: %s", atomic_load(&f.flips),
	     p.last);
	if (!ok(!strncmp(p.last, "loop ", 5), "flipping the allowed path: the loop completed"))
		sbx_t_diag_proc(&p);
	is(sbx_t_field(p.last, "ok") + sbx_t_field(p.last, "EPERM"), 4000,
	   "flipping the allowed path: every connect was ok or EPERM");
	is(sbx_t_server_settled_count(sd), 0,
	   "flipping the allowed path: the denied server accepted 0");
	if (!started)
		diag("a command did not print its pid within 10 s");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
	sbx_t_server_stop(sa2);
}

/* Paths only the caller's own view resolves to the denied socket. */
static void caller_view_paths(void)
{
	const char *dir = sbx_t_tmp("cv/"), *a = sbx_t_tmp("cv/s.sock");
	const char *d = sbx_t_tmp("cvo/s.sock"), *lnk = sbx_t_tmp("cv/lnk");
	struct sbx_t_server *sa, *sd;
	struct sbx_t_proc p;
	char dotdot[256];

	mkdir(sbx_t_tmp("cv"), 0755);
	mkdir(sbx_t_tmp("cvo"), 0755);
	mkdir(sbx_t_tmp("cvo/sub"), 0755);
	sa = sbx_t_server_start(SOCK_STREAM, a);
	sd = sbx_t_server_start(SOCK_STREAM, d);
	if (symlink(sbx_t_tmp("cvo/sub"), lnk))
		bail_out("symlink: %s", strerror(errno));
	/* lexically DIR/s.sock; the kernel walks lnk -> cvo/sub, then .. -> cvo */
	snprintf(dotdot, sizeof(dotdot), "%s/../s.sock", lnk);
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "connect", dotdot);
	sbx_t_line_is(&p, "errno EPERM", "DIR/symlink/../s.sock leading out of DIR/: EPERM");

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "opath-connect", d, "self");
	sbx_t_line_is(&p, "errno EPERM", "/proc/self/fd/N (O_PATH of the denied socket): EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "opath-connect", d, "thread-self");
	sbx_t_line_is(&p, "errno EPERM", "/proc/thread-self/fd/N: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "opath-connect", d, "pid");
	sbx_t_line_is(&p, "errno EPERM", "/proc/PID/fd/N: EPERM");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dir)), "chdir", sbx_t_tmp("cvo"), "connect",
		 "/proc/self/cwd/s.sock");
	sbx_t_line_is(&p, "errno EPERM", "/proc/self/cwd/s.sock with cwd at the denied dir: EPERM");
	is(sbx_t_server_settled_count(sd), 0, "caller-view paths: the denied server accepted 0");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/* A chroot and a private mount namespace make an allowed-looking path reach the denied socket. */
static void caller_root_and_mounts(void)
{
	const char *adir = sbx_t_tmp("ar/"), *a = sbx_t_tmp("ar/s.sock");
	const char *d = sbx_t_tmp("dr.sock"), *jail = sbx_t_tmp("jail");
	struct sbx_t_server *sa, *sd;
	struct sbx_t_proc p;
	char jpath[512], *slash;

	mkdir(sbx_t_tmp("ar"), 0755);
	sa = sbx_t_server_start(SOCK_STREAM, a);
	sd = sbx_t_server_start(SOCK_STREAM, d);
	/* jail/<the allowed path> is a hard link to the denied socket */
	snprintf(jpath, sizeof(jpath), "%s%s", jail, a);
	for (slash = jpath + strlen(sbx_t_tmpdir()) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(jpath, 0755);
		*slash = '/';
	}
	if (link(d, jpath))
		bail_out("jail setup: link %s: %s", jpath, strerror(errno));

	/*
	 * Paths are resolved in the supervisor's view (its root and mounts; the caller's cwd
	 * for relative ones), as documented: a chroot or private mount the caller made cannot
	 * redirect the supervisor, so the allowed path still reaches the allowed server.
	 */
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(adir)), "chroot", jail, "connect", a);
	/* As root the command has no CAP_SYS_CHROOT left, so the attack may not start at all. */
	ok(!strncmp(p.last, "unsupported", 11) || !strcmp(p.last, "ok hello"),
	   "chroot inside the sandbox is refused, or the allowed path is still resolved in the "
	   "supervisor's root and the allowed server answered (got '%s')",
	   p.last);
	is(sbx_t_server_settled_count(sd), 0, "chroot: the denied server accepted 0");

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(adir)), "unshare-bind", d, a, "connect", a);
	ok(!strncmp(p.last, "unsupported", 11) || !strcmp(p.last, "ok hello"),
	   "a private mount namespace with the denied socket bind-mounted over the allowed path "
	   "is refused, or the path is resolved in the supervisor's mounts and the allowed "
	   "server answered (got '%s')",
	   p.last);
	is(sbx_t_server_settled_count(sd), 0, "mount namespace: the denied server accepted 0");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/* A path bound inside the sandbox, or allowlisted, made to reach another socket file. */
static void relink(void)
{
	const char *d = sbx_t_tmp("rl-d.sock"), *b1 = sbx_t_tmp("rl-b1.sock");
	const char *b2 = sbx_t_tmp("rl-b2.sock"), *a = sbx_t_tmp("rl-a.sock");
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_proc p;
	char cmd[600];

	SBX_T_IN(&p, SBX_T_NOOPTS, "bind-resymlink", b1, d);
	sbx_t_line_is(&p, "errno EPERM",
		      "path bound inside, then replaced by a symlink to another socket: EPERM");
	SBX_T_IN(&p, SBX_T_NOOPTS, "bind-relink", b2, d);
	sbx_t_line_is(&p, "errno EPERM",
		      "path bound inside, then replaced by a hard link of another socket: EPERM");
	is(sbx_t_server_settled_count(sd), 0, "rebinding tricks: the denied server accepted 0");

	/* The allowed path's directory is writable by the command, so the rule is pinned to
	 * the socket present at start: a hard link put there later is another inode. */
	snprintf(cmd, sizeof(cmd), "rm -f '%s' && ln '%s' '%s' && exec '%s' connect '%s'", a, d, a,
		 sbx_t_probe(), a);
	{
		const char *argv[] = { sbx_t_supervise(),
				       "--rw",
				       sbx_t_tmpdir(),
				       ALLOW(a),
				       "--",
				       "/bin/sh",
				       "-c",
				       cmd,
				       NULL };

		sbx_t_run(&p, argv);
		ok(!strcmp(p.last, "errno EPERM") && sbx_t_server_settled_count(sd) == 0,
		   "allowlisted path replaced from inside by a hard link of another socket: EPERM, "
		   "and the denied server accepted 0");
		diag("hard link at the allowlisted path gave: %s", p.last);
	}
	sbx_t_server_stop(sd);
	sbx_t_server_stop(sa);
}

/* (d) the i386 ABI: socketcall(SYS_CONNECT) and connect via int 0x80. */
static void int80(void)
{
	const char *a = sbx_t_tmp("ia.sock"), *d = sbx_t_tmp("id.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "int80", d);
	if (strstr(p.last, "unsupported")) {
		skip(2, "IA-32 emulation disabled in this kernel");
	} else {
		sbx_t_line_is(&p, "ok socketcall=EPERM i386=EPERM",
			      "int 0x80 socketcall(SYS_CONNECT) and i386 connect to a denied path: "
			      "EPERM");
		is(sbx_t_server_settled_count(sd), 0, "int 0x80: the denied server accepted 0");
	}
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/* "0 1 2 3" from a listfd result "ok 0=/dev/null 1=pipe:[7] …": the numbers, as the targets
 * (pipes, the listing's own directory) differ from run to run. */
static void fd_numbers(const char *line, char *out, size_t n)
{
	size_t off = 0;

	out[0] = '\0';
	if (strncmp(line, "ok ", 3))
		return;
	for (line += 3; *line && off < n; line++) {
		size_t k = strspn(line, "0123456789");

		if (k && line[k] == '=')
			off += (size_t)snprintf(out + off, n - off, "%s%.*s", off ? " " : "",
						(int)k, line);
		line = strchr(line, ' ');
		if (!line)
			break;
	}
}

/* (e) the listener fd is not reachable from inside. */
static void listener_fd(void)
{
	char in[256], out[256];
	const char *a = sbx_t_tmp("la.sock"), *d = sbx_t_tmp("ld.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_NOOPTS, "listfd");
	diag("fds inside: %s", p.last);
	if (!ok(!strncmp(p.last, "ok ", 3) && !strstr(p.last, "seccomp"),
		"no seccomp notify fd in /proc/self/fd inside the sandbox"))
		sbx_t_diag_proc(&p);
	/* The child shares sbx's fd table until execve (shim.h): anything sbx holds without
	 * O_CLOEXEC at that moment would reach the command. */
	fd_numbers(p.last, in, sizeof(in));
	SBX_T_OUT(&p, "listfd");
	fd_numbers(p.last, out, sizeof(out));
	sbx_t_is_str(in, out, "the command holds the fds it holds without sbx, and no other (%s)",
		     out);
	SBX_T_IN(&p, SBX_T_NOOPTS, "fork", "exec", "listfd");
	ok(!strncmp(p.last, "ok ", 3) && !strstr(p.last, "seccomp"),
	   "no seccomp notify fd in a forked and exec'd descendant");

	SBX_T_IN(&p, SBX_T_NOOPTS, "open-ppid-fd");
	diag("reaching the supervisor's fds: %s", p.last);
	if (!is(sbx_t_field(p.last, "ppid"), p.pid, "the command's parent is the supervisor"))
		sbx_t_diag_proc(&p);
	is(sbx_t_field(p.last, "open"), 0, "no /proc/PPID/fd/N of the supervisor can be opened");
	is(sbx_t_field(p.last, "getfd"), 0, "pidfd_getfd on the supervisor gets no fd");
	ok(sbx_t_field(p.last, "open_notify") == 0 && sbx_t_field(p.last, "getfd_notify") == 0,
	   "the seccomp notify fd is obtained by neither way");
	ok(!strstr(p.last, " mem=ok"), "the supervisor's /proc/PPID/mem cannot be opened");
	ok(!strstr(p.last, " vm_read=ok"), "process_vm_readv cannot read the supervisor");

	/* what a stolen listener is worth: answer our own connect() with CONTINUE */
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(a)), "steal-notify", d, "300");
	diag("stealing the listener and answering our own connects: %s", p.last);
	is(sbx_t_field(p.last, "stolen"), 0, "the listener cannot be taken with pidfd_getfd");
	is(sbx_t_server_settled_count(sd), 0,
	   "stolen-listener attack: the denied server accepted 0");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/* (f) SIGKILL of the supervisor: the command dies with it; descendants' calls fail. */
static void kill_supervisor(void)
{
	const char *a = sbx_t_tmp("ka.sock"), *d = sbx_t_tmp("kd.sock"), *pf = sbx_t_tmp("k.pid");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;
	char pidtxt[32];
	FILE *f;
	long gpid = 0;

	SBX_T_SPAWN_IN(&p, SBX_T_OPTS(ALLOW(a)), "spin", "20", a, d);
	if (!ok(sbx_t_pump_until(&p, "1 errno EPERM", 10000), "spinning command started"))
		sbx_t_diag_proc(&p);
	kill(p.pid, SIGKILL);
	sbx_t_finish(&p, 10000);
	ok(!p.timed_out && !p.lingered,
	   "SIGKILL to the supervisor: the command is gone too (its output closed)");
	is(p.code, 128 + SIGKILL, "SIGKILL to the supervisor: it died of SIGKILL");
	ok(!strstr(p.out, "spin "),
	   "SIGKILL to the supervisor: the command did not run to its end");
	is(sbx_t_server_settled_count(sd), 0,
	   "SIGKILL to the supervisor: the denied server accepted 0");

	SBX_T_SPAWN_IN(&p, SBX_T_OPTS(ALLOW(a)), "fork", "pidfile", pf, "spin", "20", a, d);
	if (!ok(sbx_t_pump_until(&p, "1 errno EPERM", 10000), "spinning grandchild started"))
		sbx_t_diag_proc(&p);
	kill(p.pid, SIGKILL);
	ok(sbx_t_pump_until(&p, "0 errno ENOSYS", 10000),
	   "after SIGKILL of the supervisor a grandchild's allowed connect fails with ENOSYS");
	ok(sbx_t_pump_until(&p, "1 errno ENOSYS", 10000),
	   "after SIGKILL of the supervisor a grandchild's denied connect fails with ENOSYS");
	f = fopen(pf, "re");
	if (f && fgets(pidtxt, sizeof(pidtxt), f))
		gpid = strtol(pidtxt, NULL, 10);
	if (f)
		fclose(f);
	if (gpid > 0)
		kill((pid_t)gpid, SIGKILL);
	sbx_t_finish(&p, 10000);
	diag("grandchild output: %s", p.out);
	is(sbx_t_server_settled_count(sd), 0,
	   "grandchild after SIGKILL: the denied server accepted 0");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

int main(void)
{
	sbx_t_init(110);
	race_sockaddr();
	race_dup2();
	swap_allowed_path();
	caller_view_paths();
	caller_root_and_mounts();
	relink();
	int80();
	listener_fd();
	kill_supervisor();
	return done_testing();
}
