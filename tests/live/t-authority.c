/*
 * Live: a call sbx performs for the command can do nothing the command could not do by itself,
 * except reach what the policy allows (doc/design.md, "Authority"). Each way out that was found
 * is run here as an attacker would, and its result compared with the kernel's own answer to
 * the same command without sbx and without capabilities:
 *
 *   - rtnetlink changes (an address, a route, an MTU) performed by a privileged supervisor;
 *   - a socket file in a directory the command may not search;
 *   - a port below ip_unprivileged_port_start, forged SCM_CREDENTIALS;
 *   - IPv6 routing headers and IPv4 source routes, as options and as control messages;
 *   - a socket path reached through another mount namespace (/proc/PID/root, a cwd there, a
 *     namespace the command made itself);
 *   - callers sbx has not seen the like of (vfork, clone3), a filter of the command's own
 *     (SECCOMP_RET_TRACE, a second listener), a set-user-ID execve.
 *
 * As root the network cases run in a network namespace made for them (`unshare -n`); as an
 * ordinary user in a user and network namespace (`unshare -rn`), where sbx is root of the
 * namespace and so holds the capabilities the command lacks: the same attack, no host change.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/capability.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/harness.h"

static bool root;
static char reroute_path[PATH_MAX], intruder_path[PATH_MAX];

static void helper_paths(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", sbx_t_probe());
	snprintf(reroute_path, sizeof(reroute_path), "%.4000s/reroute", dirname(dir));
	snprintf(intruder_path, sizeof(intruder_path), "%.4000s/intruder", dir);
	if (access(reroute_path, X_OK) == -1 || access(intruder_path, X_OK) == -1)
		bail_out("the reroute and intruder helpers are not built (make tests)");
}

/*
 * Run @script with sh in a network namespace of its own, lo up: as root `unshare -n`, else
 * `unshare -rn`. $1 is sbx-supervise, $2 the probe, $3 reroute, $4 intruder. Returns false
 * when the namespace cannot be made (then the caller skips).
 */
static bool in_netns(struct sbx_t_proc *p, const char *script)
{
	char full[4096];
	const char *argv[] = {
		"/usr/bin/unshare", root ? "-n" : "-rn", "/bin/sh",    "-c",	      full, "sh",
		sbx_t_supervise(),  sbx_t_probe(),	 reroute_path, intruder_path, NULL
	};

	snprintf(full, sizeof(full),
		 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; ip link set "
		 "lo up || { echo NONS; exit 0; }\n%s",
		 script);
	sbx_t_run(p, argv);
	if (strstr(p->out, "NONS") || (p->code != 0 && strstr(p->err, "unshare"))) {
		diag("no network namespace here: %s", p->err);
		return false;
	}
	return true;
}

/* 1. rtnetlink: the kernel checks a netlink message with a destination against the sender's
 * capabilities, and sbx is the sender. */
static void rtnetlink(void)
{
	static const char script[] =
		/* first the capless command alone, in the untouched namespace */
		"setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all "
		"ip addr add 10.77.0.1/32 dev lo 2>&1; echo native=$?\n"
		"ip -4 addr show dev lo | grep -q 10.77.0.1 && echo NATIVE-ADDED\n"
		"\"$1\" -- ip addr add 10.77.0.1/32 dev lo; echo addr=$?\n"
		"\"$1\" -- ip route add 203.0.113.0/24 dev lo; echo route=$?\n"
		"\"$1\" -- ip link set lo mtu 1280; echo mtu=$?\n"
		"ip -4 addr show dev lo | grep -q 10.77.0.1 && echo AFTER-addr\n"
		"ip route show 203.0.113.0/24 | grep -q 203 && echo AFTER-route\n"
		"ip link show lo | grep -q 'mtu 1280' && echo AFTER-mtu\n";
	struct sbx_t_proc p;

	if (!in_netns(&p, script)) {
		skip(5, "rtnetlink: no network namespace can be made here");
		return;
	}
	if (strstr(p.out, "NATIVE-ADDED")) {
		/* the capless command could do it itself: nothing to compare against */
		skip(5, "rtnetlink: a capless command may change this namespace natively");
		return;
	}
	if (!ok(strstr(p.out, "addr=0") == NULL && strstr(p.out, "route=0") == NULL &&
			strstr(p.out, "mtu=0") == NULL,
		"rtnetlink under sbx: adding an address, a route and changing an MTU all fail"))
		sbx_t_diag_proc(&p);
	is(sbx_t_count_str(p.err, "Operation not permitted"), 3,
	   "rtnetlink: each with EPERM, as the kernel answers the capless command");
	ok(!strstr(p.out, "AFTER-"), "rtnetlink: the namespace is unchanged afterwards (%s)",
	   strstr(p.out, "AFTER-") ? strstr(p.out, "AFTER-") : "nothing changed");
	ok(strstr(p.out, "native=") && !strstr(p.out, "native=0"),
	   "rtnetlink: the capless command alone gets the same refusal");
	ok(!strstr(p.err, "denied"), "rtnetlink: the kernel refused, not a policy line");
}

/* 2. A socket in a directory the command may not search: EACCES, as natively. */
static void dac(void)
{
	const char *dir = sbx_t_tmp("dac"), *sock = sbx_t_tmp("dac/s.sock");
	const char *rule = sbx_t_fmt("%s/", dir);
	struct sbx_t_server *s;
	struct sbx_t_proc in, out;

	if (mkdir(dir, 0700) == -1)
		bail_out("mkdir %s", dir);
	s = sbx_t_server_start(SOCK_STREAM, sock);
	/* root: another user's private directory; a user: one of its own with no rights */
	if (root ? chown(dir, 65534, 65534) == -1 : chmod(dir, 0) == -1)
		bail_out("chown/chmod %s", dir);
	SBX_T_IN(&in, SBX_T_OPTS("--allow-unix-socket", rule), "connect", sock);
	if (root) {
		const char *argv[] = { "/usr/bin/setpriv",
				       "--bounding-set=-all",
				       "--inh-caps=-all",
				       sbx_t_probe(),
				       "connect",
				       sock,
				       NULL };

		sbx_t_run(&out, argv);
	} else {
		SBX_T_OUT(&out, "connect", sock);
	}
	sbx_t_line_is(&out, "errno EACCES", "natively, the capless command gets EACCES");
	sbx_t_line_is(&in, "errno EACCES",
		      "under sbx (allowed by the policy), the same EACCES: sbx lends no access");
	chmod(dir, 0700); /* for the harness's own sync through the same path */
	is(sbx_t_server_settled_count(s), 0,
	   "the server in the private directory accepted nothing");
	sbx_t_server_stop(s);
}

/* 3. A port below ip_unprivileged_port_start, and SCM_CREDENTIALS naming another user. */
static void lowport_creds(void)
{
	static const char script[] =
		"\"$1\" --allow-connect 127.0.0.1:9 --allow-bind 80 -- \"$2\" inet-bind 127.0.0.1 "
		"80; "
		"echo in=$?\n"
		"setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all "
		"\"$2\" inet-bind 127.0.0.1 80\n";
	const char *t = sbx_t_tmp("creds.sock");
	struct sbx_t_server *s = sbx_t_server_start(SOCK_DGRAM, t);
	struct sbx_t_proc p, out;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	int start = 1024;

	if (f) {
		if (fscanf(f, "%d", &start) != 1)
			start = 1024;
		fclose(f);
	}
	if (start <= 80) {
		skip(2, "low port: ip_unprivileged_port_start is %d here", start);
	} else if (!in_netns(&p, script)) {
		skip(2, "low port: no network namespace can be made here");
	} else {
		/* the first result line is sbx's run, the second the native one */
		ok(sbx_t_count_str(p.out, "errno EACCES") == 2,
		   "bind to port 80, allowed by --allow-bind: EACCES under sbx and natively");
		if (!ok(!strstr(p.out, "ok port=80"), "port 80 was never bound"))
			sbx_t_diag_proc(&p);
	}

	SBX_T_IN(&p, SBX_T_OPTS("--allow-unix-socket", t), "cmsg", "creds-other", t);
	if (root) {
		const char *argv[] = { "/usr/bin/setpriv",
				       "--bounding-set=-all",
				       "--inh-caps=-all",
				       sbx_t_probe(),
				       "cmsg",
				       "creds-other",
				       t,
				       NULL };

		sbx_t_run(&out, argv);
	} else {
		SBX_T_OUT(&out, "cmsg", "creds-other", t);
	}
	sbx_t_line_is(&out, "errno EPERM", "SCM_CREDENTIALS with another uid: EPERM natively");
	sbx_t_line_is(&p, "errno EPERM", "SCM_CREDENTIALS with another uid: EPERM under sbx");
	is(sbx_t_server_settled_count(s), 0, "no forged credentials reached the server");
	sbx_t_server_stop(s);
}

/* 4. Routing headers and source routes: the data would go through VIA, an address nobody
 * judged. In the namespace VIA has no route, so the kernel's ENETUNREACH shows it routed
 * toward VIA rather than toward the loopback address named. */
static void reroute(void)
{
	static const struct {
		const char *mode, *addr, *via, *want;
	} rows[] = {
		{ "sockopt-rthdr", "::1", "fd00::77", "errno EPERM setsockopt" },
		{ "sockopt-2292rthdr", "::1", "fd00::77", "errno EPERM setsockopt" },
		{ "sockopt-pktoptions", "::1", "fd00::77", "errno EPERM setsockopt" },
		{ "sockopt-ipopts", "127.0.0.1", "192.0.2.77", "errno EPERM setsockopt" },
		{ "cmsg-rthdr", "::1", "fd00::77", "errno EPERM sendmsg" },
		{ "cmsg-2292rthdr", "::1", "fd00::77", "errno EPERM sendmsg" },
		{ "cmsg-retopts", "127.0.0.1", "192.0.2.77", "errno EPERM sendmsg" },
		{ "cmsg-tclass", "::1", "fd00::77", "ok" },
		{ "cmsg-tclass", "127.0.0.1", "192.0.2.77", "ok" },
	};
	char script[4096];
	size_t i, off = 0;
	struct sbx_t_proc p;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		off += (size_t)snprintf(script + off, sizeof(script) - off,
					"echo \"in%zu: $(\"$1\" --allow-connect udp:%s%s%s:9 -- "
					"\"$3\" %s %s 9 %s)\"\n"
					"echo \"out%zu: $(\"$3\" %s %s 9 %s)\"\n",
					i, rows[i].addr[0] == ':' ? "[" : "", rows[i].addr,
					rows[i].addr[0] == ':' ? "]" : "", rows[i].mode,
					rows[i].addr, rows[i].via, i, rows[i].mode, rows[i].addr,
					rows[i].via);
	snprintf(script + off, sizeof(script) - off,
		 "echo \"iso: $(\"$1\" --net isolated --allow-connect udp:[::1]:9 -- \"$3\" "
		 "sockopt-rthdr ::1 9 fd00::77)\"\n");
	if (!in_netns(&p, script)) {
		skip(2 * (int)(sizeof(rows) / sizeof(rows[0])) + 3,
		     "reroute: no network namespace can be made here");
		return;
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char key[16], got[128] = "";
		const char *at;

		snprintf(key, sizeof(key), "in%zu: ", i);
		at = strstr(p.out, key);
		if (at)
			sscanf(at + strlen(key), "%127[^\n]", got);
		if (!sbx_t_is_str(got, rows[i].want, "%s to %s via %s under sbx", rows[i].mode,
				  rows[i].addr, rows[i].via))
			sbx_t_diag_proc(&p);
		snprintf(key, sizeof(key), "out%zu: ", i);
		at = strstr(p.out, key);
		got[0] = '\0';
		if (at)
			sscanf(at + strlen(key), "%127[^\n]", got);
		diag("natively: %s -> %s", rows[i].mode, got);
		ok(strncmp(got, "errno EPERM", 11) != 0,
		   "%s natively is not EPERM: the refusal is sbx's (%s)", rows[i].mode, got);
	}
	ok(strstr(p.out, "out0: errno ENETUNREACH sendto") != NULL,
	   "natively a routing header sends toward VIA (ENETUNREACH), not to ::1: the attack is "
	   "real here");
	ok(strstr(p.out, "out3: errno ENETUNREACH sendto") != NULL,
	   "natively a loose source route sends toward VIA (ENETUNREACH), not to 127.0.0.1");
	ok(strstr(p.out, "iso: errno EPERM setsockopt") != NULL ||
		   strstr(p.out, "iso: errno EPERM socket") != NULL,
	   "--net isolated: the routing header is refused too");
}

/* A process that lives in a mount namespace of its own with the denied socket bind-mounted
 * over the allowed path, as a container or a PrivateTmp service of the same user would. */
static pid_t holder_start(const char *denied, const char *allowed)
{
	int pfd[2];
	char c = 0;
	pid_t pid;

	if (pipe(pfd) == -1)
		bail_out("pipe");
	pid = fork();
	if (pid == -1)
		bail_out("fork");
	if (pid == 0) {
		bool made = false;

		close(pfd[0]);
		if (root) {
			made = unshare(CLONE_NEWNS) == 0;
		} else if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0) {
			char map[64];
			int fd;

			fd = open("/proc/self/setgroups", O_WRONLY);
			made = fd >= 0 && write(fd, "deny", 4) == 4;
			if (fd >= 0)
				close(fd);
			snprintf(map, sizeof(map), "%u %u 1", getuid(), getuid());
			fd = open("/proc/self/uid_map", O_WRONLY);
			made = made && fd >= 0 && write(fd, map, strlen(map)) > 0;
			if (fd >= 0)
				close(fd);
		}
		made = made && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
		       mount(denied, allowed, NULL, MS_BIND, NULL) == 0;
		/* then no capability left, as an ordinary process of the user's */
		if (made) {
			struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
			struct __user_cap_data_struct none[2] = { { 0 } };

			made = syscall(SYS_capset, &hdr, none) == 0;
		}
		c = made ? 'y' : 'n';
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		if (!made)
			_exit(0);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1)
		c = 'n';
	close(pfd[0]);
	if (c != 'y') {
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* 5. A path judged by its name in another mount namespace. */
static void mountns(void)
{
	const char *dir = sbx_t_tmp("mns"), *a = sbx_t_tmp("mns/a.sock");
	const char *d = sbx_t_tmp("mns-d.sock");
	struct sbx_t_server *sa, *sd;
	struct sbx_t_proc p;
	pid_t holder;

	/* a directory the sandbox cannot write, so the rule is a plain path rule, not pinned */
	if (mkdir(dir, 0755) == -1)
		bail_out("mkdir %s", dir);
	sa = sbx_t_server_start(SOCK_STREAM, a);
	sd = sbx_t_server_start(SOCK_STREAM, d);
	holder = holder_start(d, a);
	if (holder < 0) {
		skip(7, "mount namespace: none can be made here");
	} else {
		const char *via = sbx_t_fmt("/proc/%d/root%s", holder, a);
		const char *cwd = sbx_t_fmt("/proc/%d/root%s", holder, dir);

		SBX_T_IN(&p, SBX_T_OPTS("--ro", dir, "--allow-unix-socket", a), "connect", a);
		sbx_t_line_is(&p, "ok hello", "the allowed path, named as sbx sees it, works");
		SBX_T_IN(&p, SBX_T_OPTS("--ro", dir, "--allow-unix-socket", a), "connect", via);
		sbx_t_line_is(&p, "errno EPERM",
			      "the allowed name in another mount namespace (%s), where the denied "
			      "socket is mounted over it: EPERM",
			      "/proc/PID/root/...");
		sbx_t_has_str(p.err, "another mount namespace", "the denial line says why");
		/* Landlock would keep the command itself out of /proc/PID of a process outside
		 * its domain: without it, the command can sit in that namespace's directory */
		SBX_T_IN(&p, SBX_T_OPTS("--landlock=off", "--allow-unix-socket", a), "chdir", cwd,
			 "connect", "a.sock");
		sbx_t_line_is(
			&p, "errno EPERM",
			"a relative name from a cwd in that namespace (--landlock=off): EPERM");
		SBX_T_IN(&p, SBX_T_OPTS("--ro", dir, "--allow-unix-socket", sbx_t_fmt("%s/", dir)),
			 "connect", via);
		sbx_t_line_is(&p, "errno EPERM", "the same through a DIR/ rule: EPERM");
		SBX_T_IN(&p,
			 SBX_T_OPTS("--ro", dir, "--allow-unix-socket-re", sbx_t_fmt("%s/.*", dir)),
			 "connect", via);
		sbx_t_line_is(&p, "errno EPERM", "the same through a pattern rule: EPERM");
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
		is(sbx_t_server_settled_count(sd), 0,
		   "mount namespace: the denied server accepted nothing");
	}

	/* The command makes the namespace itself: needs --landlock=off (Landlock refuses mounts)
	 * and a user namespace mapping its own ids, which a capless root cannot write. */
	if (root) {
		skip(2, "a command-made mount namespace: a capless root cannot map its ids "
			"(CAP_SETFCAP); the unprivileged run covers it");
	} else {
		SBX_T_IN(&p, SBX_T_OPTS("--landlock=off", "--allow-unix-socket", a),
			 "unshare-user-bind", d, a, "chdir", dir, "connect", "a.sock");
		if (!strncmp(p.last, "unsupported", 11)) {
			skip(2, "no user namespace for the command here: %s", p.last);
		} else {
			sbx_t_line_is(&p, "errno EPERM",
				      "the command's own namespace, denied socket mounted over the "
				      "allowed path, relative name: EPERM");
			is(sbx_t_server_settled_count(sd), 0,
			   "command-made namespace: the denied server accepted nothing");
		}
	}
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/* 6. Callers and filters sbx did not make: each is still judged. */
static void process_model(void)
{
	static const char *const ops[] = { "vfork", "clone3", "trace" };
	const char *a = sbx_t_tmp("pm-a.sock"), *d = sbx_t_tmp("pm-d.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sbx_t_proc p;
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const char *argv[] = { sbx_t_supervise(),
				       "--allow-unix-socket",
				       a,
				       "--",
				       intruder_path,
				       ops[i],
				       d,
				       NULL };

		sbx_t_run(&p, argv);
		sbx_t_line_is(&p, "errno EPERM", "%s: a denied connect from it is EPERM", ops[i]);
		argv[6] = a;
		sbx_t_run(&p, argv);
		sbx_t_line_is(&p, "ok", "%s: an allowed connect from it works", ops[i]);
	}
	{
		const char *argv[] = { sbx_t_supervise(),
				       "--allow-unix-socket",
				       a,
				       "--",
				       intruder_path,
				       "listener",
				       d,
				       NULL };

		sbx_t_run(&p, argv);
		ok(!strncmp(p.last, "listener=E", 10) && strstr(p.last, "connect=EPERM"),
		   "a listener of the command's own is refused by the kernel and the denied "
		   "connect is still EPERM (%s)",
		   p.last);
	}
	is(sbx_t_server_settled_count(sd), 0, "process model: the denied server accepted nothing");
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/* 8. Thousands of callers parked in allowed connects to a server that never accepts: every
 * other call is still answered, allowed or denied (no fixed cap on the workers). */
static void flood(void)
{
	const char *full = sbx_t_tmp("fl-full.sock"), *a = sbx_t_tmp("fl-a.sock");
	const char *d = sbx_t_tmp("fl-d.sock");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, a);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, d);
	struct sockaddr_un sun;
	socklen_t len = sbx_t_mkaddr(&sun, full);
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), filler;
	const char *argv[] = { sbx_t_supervise(),
			       "--allow-unix-socket",
			       full,
			       "--allow-unix-socket",
			       a,
			       "--",
			       intruder_path,
			       "flood",
			       "2000",
			       full,
			       a,
			       d,
			       NULL };
	struct sbx_t_proc p;

	/* backlog 0 with its one slot taken: every further connect blocks */
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, len) || listen(lfd, 0))
		bail_out("full server");
	filler = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (connect(filler, (struct sockaddr *)&sun, len))
		bail_out("fill the backlog");
	sbx_t_run(&p, argv);
	diag("flood: %s", p.last);
	if (!sbx_t_line_starts(&p, "parked=2000 victim=ok denied=EPERM ",
			       "2000 threads parked in allowed connects: another process's allowed "
			       "connect is answered, and its denied one refused"))
		sbx_t_diag_proc(&p);
	is(sbx_t_server_settled_count(sd), 0, "flood: the denied server accepted nothing");
	close(filler);
	close(lfd);
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

/* 7. A set-user-ID root program run by an ordinary user under sbx stays that user. */
static void setuid_exec(void)
{
	const char *aa = sbx_t_abstract("su-a"), *ad = sbx_t_abstract("su-d");
	struct sbx_t_server *sa = sbx_t_server_start(SOCK_STREAM, aa);
	struct sbx_t_server *sd = sbx_t_server_start(SOCK_STREAM, ad);
	char dir[] = "/tmp/sbx-t-suid.XXXXXX", copy[PATH_MAX], cmd[PATH_MAX * 8];
	struct sbx_t_proc p;

	if (!root) {
		skip(3, "set-user-ID execve: making a set-user-ID root file needs root");
		goto out;
	}
	if (!mkdtemp(dir) || chmod(dir, 0755) == -1)
		bail_out("mkdtemp");
	snprintf(copy, sizeof(copy), "%.200s/intruder", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chown 0:0 %s && chmod 4755 %s", intruder_path, copy,
		 copy, copy);
	if (system(cmd) != 0)
		bail_out("%s", cmd);
	{
		const char *native[] = { "/usr/bin/setpriv",
					 "--reuid=65534",
					 "--regid=65534",
					 "--clear-groups",
					 copy,
					 "ids",
					 aa,
					 NULL };
		const char *in[] = { "/usr/bin/setpriv",
				     "--reuid=65534",
				     "--regid=65534",
				     "--clear-groups",
				     sbx_t_supervise(),
				     "--allow-unix-socket",
				     aa,
				     "--",
				     copy,
				     "ids",
				     ad,
				     NULL };

		sbx_t_run(&p, native);
		if (!strstr(p.last, "euid=0")) {
			skip(3, "set-user-ID bits do not work here (%s)", p.last);
		} else {
			sbx_t_run(&p, in);
			sbx_t_line_is(&p, "uid=65534 euid=65534 connect=EPERM",
				      "under sbx the set-user-ID program runs as the user "
				      "(no_new_privs) and its denied connect is EPERM");
			in[10] = aa;
			sbx_t_run(&p, in);
			sbx_t_line_is(&p, "uid=65534 euid=65534 connect=ok",
				      "and its allowed connect works");
			is(sbx_t_server_settled_count(sd), 0,
			   "set-user-ID: the denied name accepted nothing");
		}
	}
	unlink(copy);
	rmdir(dir);
out:
	sbx_t_server_stop(sa);
	sbx_t_server_stop(sd);
}

int main(void)
{
	sbx_t_init(240);
	root = geteuid() == 0;
	helper_paths();
	diag("running as %s", root ? "root" : "an ordinary user");
	rtnetlink();
	dac();
	lowport_creds();
	reroute();
	mountns();
	process_model();
	flood();
	setuid_exec();
	return done_testing();
}
