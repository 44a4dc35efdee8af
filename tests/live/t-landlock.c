/*
 * Live: the Landlock layer and the hardening. Filesystem defaults and --rw/--ro/--deny-read,
 * git with a read-only .git/hooks, binds the supervisor performs, capabilities and
 * no_new_privs, the supervisor out of reach (signals, ptrace, memory), abstract sockets
 * outside the sandbox, and what --landlock=auto|require|off do on an older kernel (simulated
 * with SBX_TEST_LANDLOCK_ABI_MAX).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/harness.h"
#include "../../supervisor/policy/llplan.h"

#define SETPRIV	 "/usr/bin/setpriv"
#define RW(x)	 "--rw", (x)
#define RO(x)	 "--ro", (x)
#define ALLOW(x) "--allow-unix-socket", (x)

static int abi;

static bool need_abi(int min, int n, const char *what)
{
	if (abi >= min)
		return true;
	skip(n, "%s needs Landlock ABI %d (the kernel has %d)", what, min, abi);
	return false;
}

static void defaults(void)
{
	const char *out = sbx_t_tmp("outside");
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_NOOPTS, "read", "/bin");
	sbx_t_line_is(&p, "ok", "ls /bin (read the directory) works");
	SBX_T_IN(&p, SBX_T_NOOPTS, "read", "/etc/passwd");
	sbx_t_line_is(&p, "ok", "reading a file anywhere works");
	SBX_T_IN(&p, SBX_T_NOOPTS, "write", "/dev/null");
	sbx_t_line_is(&p, "ok", "writing /dev/null works");
	SBX_T_IN(&p, SBX_T_NOOPTS, "write", out);
	sbx_t_line_is(&p, "errno EACCES open", "writing outside --rw: EACCES");
	ok(!sbx_t_exists(out), "and nothing was created");
	SBX_T_IN(&p, SBX_T_NOOPTS, "mkdir", out);
	sbx_t_line_is(&p, "errno EACCES", "mkdir outside --rw: EACCES");
	{
		const char *argv[] = { sbx_t_supervise(),    "--", "/bin/sh", "-c",
				       "ls /bin >/dev/null", NULL };

		sbx_t_run(&p, argv);
		is(p.code, 0, "sh -c 'ls /bin' runs");
	}
}

static void trees(void)
{
	const char *w = sbx_t_tmp("w"), *ro = sbx_t_tmp("w/ro"), *sib = sbx_t_tmp("w/sib");
	const char *sec = sbx_t_tmp("secret");
	struct sbx_t_proc p;

	mkdir(w, 0755);
	mkdir(ro, 0755);
	mkdir(sib, 0755);
	sbx_t_write_file(sbx_t_tmp("w/ro/f"), "x");
	sbx_t_write_file(sec, "s3cret");

	SBX_T_IN(&p, SBX_T_OPTS(RW(w)), "write", sbx_t_tmp("w/new"));
	sbx_t_line_is(&p, "ok", "a --rw tree is writable");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w)), "write", sbx_t_tmp("w/ro/new"));
	sbx_t_line_is(&p, "ok", "... everywhere below it");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w), RO(ro)), "write", sbx_t_tmp("w/ro/new2"));
	sbx_t_line_is(&p, "errno EACCES open", "a --ro subtree inside it is not (EACCES)");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w), RO(ro)), "write", sbx_t_tmp("w/ro/f"));
	sbx_t_line_is(&p, "errno EACCES open", "... nor its existing files");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w), RO(ro)), "read", sbx_t_tmp("w/ro/f"));
	sbx_t_line_is(&p, "ok", "... which stay readable");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w), RO(ro)), "write", sbx_t_tmp("w/sib/new"));
	sbx_t_line_is(&p, "ok", "a sibling of the --ro subtree is writable");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w), RO(ro)), "unlink", sbx_t_tmp("w/ro/f"));
	sbx_t_line_is(&p, "errno EACCES", "a file in the --ro subtree cannot be removed");

	SBX_T_IN(&p, SBX_T_NOOPTS, "read", sec);
	sbx_t_line_is(&p, "ok", "(control) the secret is readable without --deny-read");
	SBX_T_IN(&p, SBX_T_OPTS("--deny-read", sec), "read", sec);
	sbx_t_line_is(&p, "errno EACCES open", "--deny-read hides a file (EACCES)");
	SBX_T_IN(&p, SBX_T_OPTS("--deny-read", w), "read", sbx_t_tmp("w/ro/f"));
	sbx_t_line_is(&p, "errno EACCES open", "--deny-read hides a tree");
	SBX_T_IN(&p, SBX_T_OPTS("--deny-read", sec), "read", sbx_t_tmp("w/ro/f"));
	sbx_t_line_is(&p, "ok", "a file beside a --deny-read path stays readable");

	SBX_T_IN(&p, SBX_T_OPTS(RW(sbx_t_tmp("missing"))), "read", "/");
	is(p.code, 125, "--rw of a missing path: exit 125");
	sbx_t_has_str(p.err, "--rw", "... with a message naming the flag");
	SBX_T_IN(&p, SBX_T_OPTS("--deny-read", sbx_t_tmp("missing")), "read", "/");
	is(p.code, 125, "--deny-read of a missing path: exit 125");
	{
		const char *argv[] = { sbx_t_supervise(), "--rw-cwd", "--", sbx_t_probe(),
				       "write",		  "cwd-file", NULL };
		char old[4096];

		if (!getcwd(old, sizeof(old)) || chdir(w) == -1)
			bail_out("chdir %s", w);
		sbx_t_run(&p, argv);
		if (chdir(old) == -1)
			bail_out("chdir back");
		sbx_t_line_is(&p, "ok", "--rw-cwd makes the current directory writable");
	}
}

static void git_hooks(void)
{
	const char *repo = sbx_t_tmp("repo"), *hooks = sbx_t_tmp("repo/.git/hooks");
	const char *evil = sbx_t_tmp("repo/evil");
	char cmd[1024];
	struct sbx_t_proc p;

	if (access("/usr/bin/git", X_OK) == -1) {
		skip(8, "git is not installed (.ci/deps installs it)");
		return;
	}
	mkdir(repo, 0755);
	snprintf(cmd, sizeof(cmd), "cd '%s' && git init -q . && test -d .git/hooks", repo);
	{
		const char *argv[] = {
			sbx_t_supervise(), RW(repo), "--", "/bin/sh", "-c", cmd, NULL
		};

		sbx_t_run(&p, argv);
		if (!is(p.code, 0, "git init inside a --rw tree works"))
			sbx_t_diag_proc(&p);
	}
	mkdir(evil, 0755);
	SBX_T_IN(&p, SBX_T_OPTS(RW(repo), RO(hooks)), "write", sbx_t_tmp("repo/.git/hooks/x"));
	sbx_t_line_is(&p, "errno EACCES open", "a hook cannot be added to a --ro .git/hooks");
	SBX_T_IN(&p, SBX_T_OPTS(RW(repo), RO(hooks)), "rename", hooks,
		 sbx_t_tmp("repo/.git/hooks.old"));
	sbx_t_line_is(&p, "errno EACCES", ".git/hooks cannot be renamed away");
	SBX_T_IN(&p, SBX_T_OPTS(RW(repo), RO(hooks)), "rename", sbx_t_tmp("repo/.git"),
		 sbx_t_tmp("repo/git.old"));
	sbx_t_line_is(&p, "errno EACCES", "its parent .git cannot be renamed away");
	SBX_T_IN(&p, SBX_T_OPTS(RW(repo), RO(hooks)), "rename", evil, hooks);
	sbx_t_line_is(&p, "errno EACCES", "another directory cannot be renamed over it");
	SBX_T_IN(&p, SBX_T_OPTS(RW(repo), RO(hooks)), "symlink", evil,
		 sbx_t_tmp("repo/.git/hooks2"));
	sbx_t_line_is(&p, "errno EACCES", "no symlink can be made beside it in .git");
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && { rm -rf .git/hooks; ln -s ../evil .git/hooks; mv .git g; "
		 "echo 'echo pwned' > .git/hooks/pre-commit; }; test -d .git/hooks && ! test -L "
		 ".git/hooks && ! test -e .git/hooks/pre-commit",
		 repo);
	{
		const char *argv[] = { sbx_t_supervise(), RW(repo), RO(hooks), "--",
				       "/bin/sh",	  "-c",	    cmd,       NULL };

		sbx_t_run(&p, argv);
		if (!is(p.code, 0, "rm -rf, ln -s, mv of the parent: .git/hooks is intact"))
			sbx_t_diag_proc(&p);
	}
	/* The documented price of the sibling construction: repo/ and repo/.git/, on the way
	 * to the --ro path, keep their existing files writable but take no new entries. */
	sbx_t_write_file(sbx_t_tmp("repo/f"), "old");
	mkdir(sbx_t_tmp("repo/src"), 0755);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && git status --short >/dev/null && echo x > f && echo y > src/new && "
		 "! echo z > new 2>/dev/null",
		 repo);
	{
		const char *argv[] = { sbx_t_supervise(), RW(repo), RO(hooks), "--",
				       "/bin/sh",	  "-c",	    cmd,       NULL };

		sbx_t_run(&p, argv);
		if (!is(p.code, 0,
			"git status works; existing files and sibling trees are writable; no new "
			"entry beside the path to the --ro tree (a documented limit)"))
			sbx_t_diag_proc(&p);
	}
}

static void binds(void)
{
	const char *w = sbx_t_tmp("bw"), *in = sbx_t_tmp("bw/in.sock"), *out = sbx_t_tmp("o.sock");
	const char *ro = sbx_t_tmp("bw/ro"), *inro = sbx_t_tmp("bw/ro/s.sock");
	struct sbx_t_proc p;

	mkdir(w, 0755);
	mkdir(ro, 0755);
	SBX_T_IN(&p, SBX_T_OPTS(RW(w)), "bind", in);
	sbx_t_line_is(&p, "ok self",
		      "a pathname bind (performed by the supervisor) inside --rw works");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w)), "bind", out);
	sbx_t_line_is(&p, "errno EACCES bind",
		      "a pathname bind outside --rw: EACCES, as the child's domain would say");
	ok(!sbx_t_exists(out), "... and no socket file was created there");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w), RO(ro)), "bind", inro);
	sbx_t_line_is(&p, "errno EACCES bind", "a pathname bind inside a --ro subtree: EACCES");
	/* a symlink inside --rw leading out: the kernel judges where the socket lands */
	if (symlink(sbx_t_tmpdir(), sbx_t_tmp("bw/up")) == -1)
		bail_out("symlink: %s", strerror(errno));
	SBX_T_IN(&p, SBX_T_OPTS(RW(w)), "bind", sbx_t_tmp("bw/up/o2.sock"));
	sbx_t_line_is(&p, "errno EACCES bind", "a bind through a symlink out of --rw: EACCES");
	ok(!sbx_t_exists(sbx_t_tmp("o2.sock")), "... and no socket file appeared outside");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w)), "chdir", w, "bind", "rel.sock");
	sbx_t_line_is(&p, "ok self", "a relative bind in a --rw working directory works");
	SBX_T_IN(&p, SBX_T_OPTS(RW(w), "--landlock=off"), "bind", out);
	sbx_t_line_is(&p, "ok self", "--landlock=off: no filesystem rule for binds either");
}

/* Root without CAP_SETPCAP cannot shrink its bounding set: fine when it is already empty (root
 * inside another sandbox), refused with a hint when it is not. */
static void root_without_setpcap(void)
{
	struct sbx_t_proc p;

	if (geteuid() != 0 || access(SETPRIV, X_OK)) {
		skip(4, "needs root and setpriv");
		return;
	}
	{
		const char *argv[] = {
			SETPRIV, "--bounding-set=-all", "--inh-caps=-all", "--", sbx_t_supervise(),
			"--",	 sbx_t_probe(),		"status",	   NULL
		};

		sbx_t_run(&p, argv);
	}
	if (!ok(p.code == 0 && strstr(p.last, "CapBnd=0000000000000000") &&
			strstr(p.last, "CapEff=0000000000000000"),
		"root with an empty bounding set and no CAP_SETPCAP: the command runs, no caps"))
		sbx_t_diag_proc(&p);
	{
		const char *argv[] = { SETPRIV,	 "--bounding-set=-setpcap",
				       "--",	 sbx_t_supervise(),
				       "--",	 sbx_t_probe(),
				       "status", NULL };

		sbx_t_run(&p, argv);
	}
	is(p.code, 125, "root without CAP_SETPCAP, other capabilities bounded: exit 125");
	ok(!p.out_len, "... and the command did not run");
	sbx_t_has_str(p.err, "CAP_SETPCAP", "... and the message says what is missing");
}

static void hardening(void)
{
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_NOOPTS, "status");
	diag("inside: %s", p.last);
	ok(strstr(p.last, "nnp=1") != NULL, "prctl(PR_GET_NO_NEW_PRIVS) returns 1");
	if (geteuid() == 0) {
		ok(strstr(p.last, "CapEff=0000000000000000") &&
			   strstr(p.last, "CapPrm=0000000000000000") &&
			   strstr(p.last, "CapInh=0000000000000000") &&
			   strstr(p.last, "CapBnd=0000000000000000") &&
			   strstr(p.last, "CapAmb=0000000000000000"),
		   "as root: effective, permitted, inheritable, bounding and ambient sets empty");
		SBX_T_IN(&p, SBX_T_OPTS("--keep-caps"), "status");
		diag("--keep-caps: %s", p.last);
		ok(!strstr(p.last, "CapEff=0000000000000000") &&
			   !strstr(p.last, "CapEff=000001ffffffffff"),
		   "--keep-caps: capabilities kept, but not all of them");
		sbx_t_has_str(p.err, "netlink", "--keep-caps warns about the host's network");
	} else {
		skip(3, "not root");
	}

	if (need_abi(6, 2, "signal scoping")) {
		SBX_T_IN(&p, SBX_T_NOOPTS, "kill", "ppid", "9");
		ok(!strncmp(p.last, "errno EPERM", 11), "kill(getppid(), SIGKILL): EPERM (%s)",
		   p.last);
		SBX_T_IN(&p, SBX_T_NOOPTS, "kill", "proc-ppid", "9");
		ok(!strncmp(p.last, "errno EPERM", 11) && sbx_t_field(p.last, "pid") == p.pid,
		   "kill of the supervisor's pid read from /proc/self/stat: EPERM (%s)", p.last);
	}
	SBX_T_IN(&p, SBX_T_NOOPTS, "ptrace-ppid");
	ok(strncmp(p.last, "ok", 2) != 0, "ptrace(PTRACE_ATTACH, supervisor) fails (%s)", p.last);
	SBX_T_IN(&p, SBX_T_NOOPTS, "open-ppid-fd");
	ok(!strstr(p.last, " mem=ok"), "/proc/<supervisor>/mem cannot be opened");
	ok(!strstr(p.last, " vm_read=ok"), "process_vm_readv of the supervisor fails");
	SBX_T_IN(&p, SBX_T_OPTS("--keep-caps"), "ptrace-ppid");
	ok(strncmp(p.last, "ok", 2) != 0, "--keep-caps: ptrace of the supervisor still fails");
	SBX_T_IN(&p, SBX_T_OPTS("--landlock=off"), "status");
	if (geteuid() == 0)
		ok(strstr(p.last, "CapEff=0000000000000000") != NULL,
		   "--landlock=off: root still has no capabilities");
	else
		skip(1, "not root");
	SBX_T_IN(&p, SBX_T_OPTS("--landlock=off", "--keep-caps"), "open-ppid-fd");
	ok(!strstr(p.last, " mem=ok") && sbx_t_field(p.last, "getfd") == 0,
	   "--landlock=off --keep-caps: the supervisor stays out of reach (no CAP_SYS_PTRACE)");
}

static void abstract_outside(void)
{
	const char *ab = sbx_t_abstract("ll-host");
	struct sbx_t_server *s = sbx_t_server_start(SOCK_STREAM, ab);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_NOOPTS, "connect", ab);
	sbx_t_line_is(&p, "errno EPERM", "a host abstract socket is unreachable");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(ab)), "connect", ab);
	sbx_t_line_is(&p, "ok hello", "... unless allowlisted (the supervisor connects)");
	SBX_T_IN(&p, SBX_T_NOOPTS, "bind-fork", sbx_t_abstract("ll-in"));
	sbx_t_line_is(&p, "ok child", "an abstract socket bound inside stays reachable inside");
	is(sbx_t_server_settled_count(s), 1, "the host socket accepted only the allowed connect");
	sbx_t_server_stop(s);
}

/* An allowlisted socket is a trap only where the sandbox, not just the user, can write. */
static void pinning(void)
{
	const char *dir = sbx_t_tmp("pin"), *sock = sbx_t_tmp("pin/s.sock");
	const char *dirs = sbx_t_tmp("pin/");
	struct sbx_t_server *s;
	struct sbx_t_proc p;

	mkdir(dir, 0755);
	s = sbx_t_server_start(SOCK_STREAM, sock);
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(sock)), "connect", sock);
	sbx_t_line_is(&p, "ok hello", "PATH rule in a directory only the user can write: allowed");
	ok(!strstr(p.err, "warning"), "... not pinned, no warning (the sandbox cannot write it)");
	SBX_T_IN(&p, SBX_T_OPTS(RW(dir), ALLOW(sock)), "connect", sock);
	sbx_t_line_is(&p, "ok hello", "the same under --rw of its directory: allowed");
	sbx_t_has_str(p.err, "only the socket there now is allowed", "... pinned, with a warning");
	SBX_T_IN(&p, SBX_T_OPTS(ALLOW(dirs)), "connect", sock);
	ok(!strstr(p.err, "warning"), "DIR/ rule the sandbox cannot write: no warning");
	SBX_T_IN(&p, SBX_T_OPTS(RW(dir), ALLOW(dirs)), "connect", sock);
	sbx_t_has_str(p.err, "any socket it links or moves there",
		      "DIR/ rule under --rw: the trap is named");
	mkdir(sbx_t_tmp("pin/sub"), 0755);
	SBX_T_IN(&p, SBX_T_OPTS(RW(sbx_t_tmp("pin/sub")), ALLOW(dirs)), "connect", sock);
	sbx_t_has_str(p.err, "any socket it links or moves there",
		      "DIR/ rule with --rw on a directory below it: the trap is named too");
	SBX_T_IN(&p, SBX_T_OPTS("--landlock=off", ALLOW(dirs)), "connect", sock);
	sbx_t_has_str(p.err, "any socket it links or moves there",
		      "--landlock=off: the user's own write access decides, as before");
	sbx_t_server_stop(s);
}

static int tcp_listener(int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 16) == -1 || getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		bail_out("tcp listener: %s", strerror(errno));
	*port = ntohs(sin.sin_port);
	return fd;
}

/* build/sbx-supervise-nonetcheck OPTS -- probe OP PORT */
static void run_nonetcheck(struct sbx_t_proc *p, const char *bin, const char *allow, const char *op,
			   int port)
{
	char portstr[16];
	const char *argv[] = { bin,  "--allow-connect", allow, "--allow-bind", "4567",
			       "--", sbx_t_probe(),	op,    portstr,	       NULL };

	snprintf(portstr, sizeof(portstr), "%d", port);
	sbx_t_run(p, argv);
}

/*
 * The second lock: the supervisor performs allowed connects itself and is not confined, so
 * the child's Landlock TCP rules only matter for calls the supervisor did not judge. A test
 * build that lets inet connect/bind through unjudged shows that they hold on their own.
 */
static void tcp_lock(void)
{
	char bin[4096], allow[64];
	struct sbx_t_proc p;
	int pa, pb, la, lb;

	snprintf(bin, sizeof(bin), "%s-nonetcheck", sbx_t_supervise());
	if (access(bin, X_OK) == -1) {
		skip(6, "%s is not built", bin);
		return;
	}
	if (!need_abi(4, 6, "the TCP lock"))
		return;
	la = tcp_listener(&pa);
	lb = tcp_listener(&pb);
	snprintf(allow, sizeof(allow), "tcp:127.0.0.1:%d", pa);
	run_nonetcheck(&p, sbx_t_supervise(), allow, "tcp-connect-lo", pb);
	sbx_t_line_is(&p, "errno EPERM connect",
		      "(control) sbx-supervise judges inet connects itself: EPERM");
	run_nonetcheck(&p, bin, allow, "tcp-connect-lo", pa);
	sbx_t_line_is(&p, "ok", "supervisor check off: the allowed port connects (Landlock)");
	run_nonetcheck(&p, bin, allow, "tcp-connect-lo", pb);
	sbx_t_line_is(&p, "errno EACCES connect",
		      "supervisor check off: another port fails with EACCES from Landlock");
	run_nonetcheck(&p, bin, allow, "tcp-bind-lo", 4567);
	sbx_t_line_is(&p, "ok", "supervisor check off: binding an --allow-bind port works");
	run_nonetcheck(&p, bin, allow, "tcp-bind-lo", 4568);
	sbx_t_line_is(&p, "errno EACCES bind", "supervisor check off: another port: EACCES");
	run_nonetcheck(&p, bin, allow, "tcp-bind-lo", 0);
	sbx_t_line_is(&p, "ok", "supervisor check off: port 0 (ephemeral) works");
	close(la);
	close(lb);
}

static void modes(void)
{
	const char *w = sbx_t_tmp("mw");
	struct sbx_t_proc p;

	mkdir(w, 0755);
	setenv("SBX_TEST_LANDLOCK_ABI_MAX", "5", 1);
	SBX_T_IN(&p, SBX_T_NOOPTS, "status");
	ok(!strncmp(p.last, "ok", 2), "ABI capped at 5, auto: runs");
	sbx_t_has_str(p.err, "ABI 5 < 6", "auto warns about the missing scopes");
	is(sbx_t_count_str(p.err, "ABI 5 < 6"), 1, "... once");
	SBX_T_IN(&p, SBX_T_OPTS("--landlock=require"), "status");
	is(p.code, 125, "ABI capped at 5, require: exit 125");
	sbx_t_has_str(p.err, "require", "... saying why");
	if (abi >= 1) {
		SBX_T_IN(&p, SBX_T_OPTS(RW(w)), "kill", "ppid", "0");
		ok(!strncmp(p.last, "ok pid=", 7),
		   "without the signal scope, kill(supervisor, 0) works (%s)", p.last);
	} else {
		skip(1, "no Landlock");
	}
	setenv("SBX_TEST_LANDLOCK_ABI_MAX", "0", 1);
	SBX_T_IN(&p, SBX_T_NOOPTS, "write", sbx_t_tmp("abi0"));
	sbx_t_line_is(&p, "ok", "no Landlock, auto: runs unconfined by the filesystem rules");
	sbx_t_has_str(p.err, "no Landlock", "... and says so");
	SBX_T_IN(&p, SBX_T_OPTS("--landlock=require"), "status");
	is(p.code, 125, "no Landlock, require: exit 125");
	unsetenv("SBX_TEST_LANDLOCK_ABI_MAX");

	SBX_T_IN(&p, SBX_T_OPTS("--landlock=off"), "write", sbx_t_tmp("off"));
	sbx_t_line_is(&p, "ok", "--landlock=off: no filesystem rules");
	ok(!strstr(p.err, "warning"), "--landlock=off: no warning");
	SBX_T_IN(&p, SBX_T_OPTS("--landlock=off", RO(w)), "status");
	is(p.code, 125, "--landlock=off with --ro: exit 125 (nothing could enforce it)");
	SBX_T_IN(&p, SBX_T_OPTS("--landlock=bogus"), "status");
	is(p.code, 125, "--landlock=bogus: exit 125");
	SBX_T_IN(&p, SBX_T_OPTS("--verbose"), "status");
	sbx_t_has_str(p.err, "landlock: ABI", "--verbose prints the ABI");
	sbx_t_has_str(p.err, "landlock: /dev/null: write", "--verbose prints the rules");
}

int main(void)
{
	sbx_t_init(180);
	sbx_t_rw_tmpdir(false);
	abi = sbx_ll_abi();
	diag("Landlock ABI %d", abi);
	if (abi < 1)
		skip_all("the kernel has no Landlock");
	defaults();
	trees();
	git_hooks();
	binds();
	hardening();
	root_without_setpcap();
	abstract_outside();
	pinning();
	tcp_lock();
	modes();
	return done_testing();
}
