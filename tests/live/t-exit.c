/*
 * Live: sbx-supervise's exit status (the command's, 128+N for a signal, 126/127) and the
 * forwarding of SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to sbx. The CLI surface (flags, 125) is in
 * tests/cli/t-cli.sh.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/harness.h"

static int run_sh(struct sbx_t_proc *p, const char *script)
{
	const char *argv[] = { sbx_t_supervise(), "--", "/bin/sh", "-c", script, NULL };

	return sbx_t_run(p, argv);
}

/* Started with SIGCHLD ignored (env --ignore-signal=CHLD, or any parent that ignores it): the
 * kernel would reap sbx's child by itself and its status would be lost. The command keeps the
 * disposition, as env(1) would give it. */
static void sigchld_ignored(void)
{
	struct sbx_t_proc p;
	unsigned long long ign;

	{
		const char *argv[] = { "/usr/bin/env",	  "--ignore-signal=CHLD",
				       sbx_t_supervise(), "--",
				       "/bin/sh",	  "-c",
				       "exit 7",	  NULL };

		if (!is(sbx_t_run(&p, argv), 7, "sbx started with SIGCHLD ignored: the status (7)"))
			sbx_t_diag_proc(&p);
	}
	{
		const char *argv[] = { "/usr/bin/env",	    "--ignore-signal=CHLD",
				       sbx_t_supervise(),   "--",
				       "/bin/grep",	    "^SigIgn:",
				       "/proc/self/status", NULL };

		ign = 0;
		sbx_t_run(&p, argv);
		sscanf(p.last, "SigIgn: %llx", &ign);
		if (!ok(p.code == 0 && (ign & (1ULL << (SIGCHLD - 1))),
			"... and the command has SIGCHLD ignored too, as sbx was started"))
			sbx_t_diag_proc(&p);
	}
	{
		const char *argv[] = { sbx_t_supervise(),   "--", "/bin/grep", "^SigIgn:",
				       "/proc/self/status", NULL };

		ign = ~0ULL;
		sbx_t_run(&p, argv);
		sscanf(p.last, "SigIgn: %llx", &ign);
		ok(p.code == 0 && !(ign & (1ULL << (SIGCHLD - 1))),
		   "started with SIGCHLD default, the command has it default");
	}
}

/* A script without #! is run by /bin/sh, as execvp does: glibc builds the shell's argument
 * list on the stack of the process that calls execvp, here the shim's own stack. */
static void script_without_shebang(void)
{
	enum { N = 100000 };
	const char *script = sbx_t_tmp("noshebang");
	const char **argv = calloc(N + 4, sizeof(*argv));
	struct sbx_t_proc p;
	int i;

	if (!argv)
		bail_out("calloc");
	sbx_t_write_file(script, "echo $#\n");
	chmod(script, 0755);
	argv[0] = sbx_t_supervise();
	argv[1] = "--";
	argv[2] = script;
	for (i = 0; i < N; i++)
		argv[3 + i] = "a";
	sbx_t_run(&p, argv);
	if (!ok(p.code == 0 && !strcmp(p.last, "100000"),
		"a script without #! and 100000 arguments runs through /bin/sh"))
		sbx_t_diag_proc(&p);
	free(argv);
}

/*
 * A small stack limit, as some users set: the shim's stack is not taken from sbx's own, and
 * sbx keeps its big buffers (audit records, the Landlock device list) off the main thread's
 * stack, whose growth RLIMIT_STACK bounds. 32 KB crashed sbx before (a 64 KB audit record and
 * 28 KB of device paths were on it); --audit-log writes the start and exit records from that
 * thread.
 */
static void small_stack(void)
{
	static const int kb[] = { 112, 32 };
	struct sbx_t_proc p;
	char script[1024];
	size_t i;

	for (i = 0; i < sizeof(kb) / sizeof(kb[0]); i++) {
		const char *log = sbx_t_tmp("stack-%d.log", kb[i]);
		const char *argv[] = { "/bin/sh", "-c", script, NULL };

		snprintf(script, sizeof(script),
			 "ulimit -s %d && %s --audit-log %s -- /bin/sh -c 'exit 3'; r=$?; "
			 "cat %s; exit $r",
			 kb[i], sbx_t_supervise(), log, log);
		if (!is(sbx_t_run(&p, argv), 3, "sbx under ulimit -s %d: the command runs (3)",
			kb[i]))
			sbx_t_diag_proc(&p);
		sbx_t_has_str(p.out, "\"event\":\"start\"", "ulimit -s %d: the start record",
			      kb[i]);
		sbx_t_has_str(p.out, "\"event\":\"exit\",\"status\":3",
			      "ulimit -s %d: the exit record, status 3", kb[i]);
	}
}

static void exit_codes(void)
{
	const char *noexec = sbx_t_tmp("noexec.sh");
	struct sbx_t_proc p;

	if (!is(run_sh(&p, "exit 7"), 7, "the command's exit status (7)"))
		sbx_t_diag_proc(&p);
	is(run_sh(&p, "exit 0"), 0, "the command's exit status (0)");
	is(run_sh(&p, "exit 255"), 255, "the command's exit status (255)");
	is(run_sh(&p, "kill -USR1 $$"), 128 + SIGUSR1, "command killed by SIGUSR1: 128+10");
	is(run_sh(&p, "kill -KILL $$"), 128 + SIGKILL, "command killed by SIGKILL: 128+9");
	{
		const char *argv[] = { sbx_t_supervise(), "--", "/nonexistent/cmd", NULL };

		if (!is(sbx_t_run(&p, argv), 127, "missing command (path): 127"))
			sbx_t_diag_proc(&p);
	}
	{
		/* A PATH of directories anyone can search: execvp reports EACCES (126, as env(1)
		 * does) when one of them cannot be, and the PATH a test run inherits may name
		 * one (root's ~/.local/bin, say, in an unprivileged run started from root's). */
		const char *path = "PATH=/usr/local/bin:/usr/bin:/bin";
		const char *argv[] = { "/usr/bin/env",
				       path,
				       sbx_t_supervise(),
				       "--",
				       "sbx-no-such-command-xyz",
				       NULL };

		if (!is(sbx_t_run(&p, argv), 127, "missing command (PATH lookup): 127"))
			sbx_t_diag_proc(&p);
	}
	sbx_t_write_file(noexec, "#!/bin/sh\nexit 0\n");
	chmod(noexec, 0644);
	{
		const char *argv[] = { sbx_t_supervise(), "--", noexec, NULL };

		if (!is(sbx_t_run(&p, argv), 126, "non-executable file: 126"))
			sbx_t_diag_proc(&p);
	}
	{
		const char *argv[] = { sbx_t_supervise(), "--", sbx_t_tmpdir(), NULL };

		if (!is(sbx_t_run(&p, argv), 126, "a directory as the command: 126"))
			sbx_t_diag_proc(&p);
	}
	{
		const char *argv[] = { sbx_t_supervise(), "--", "true", NULL };

		is(sbx_t_run(&p, argv), 0, "PATH lookup finds true: 0");
	}
}

/* Start `sbx -- probe trap|pause`, send @sig to sbx once the command is ready. */
static int signal_run(struct sbx_t_proc *p, const char *op, int sig)
{
	SBX_T_SPAWN_IN(p, SBX_T_NOOPTS, op);
	if (!sbx_t_pump_until(p, "ready", 10000)) {
		sbx_t_finish(p, 1000);
		return -2;
	}
	kill(p->pid, sig);
	return sbx_t_finish(p, 10000);
}

static void forwarding(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	struct sbx_t_proc p;
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (!is(signal_run(&p, "trap", sigs[i]), 100 + sigs[i],
			"SIG%s sent to sbx reaches the command (its handler exits %d)",
			sigabbrev_np(sigs[i]), 100 + sigs[i]))
			sbx_t_diag_proc(&p);
	}
	if (!is(signal_run(&p, "pause", SIGTERM), 128 + SIGTERM,
		"SIGTERM sent to sbx kills a command without a handler: 143"))
		sbx_t_diag_proc(&p);

	SBX_T_SPAWN_IN(&p, SBX_T_NOOPTS, "pid", "pause");
	if (sbx_t_pump_until(&p, "ready", 10000)) {
		long pid = sbx_t_field(p.out, "pid");

		if (pid > 0)
			kill((pid_t)pid, SIGKILL);
	}
	if (!is(sbx_t_finish(&p, 10000), 128 + SIGKILL,
		"the command killed from outside by SIGKILL: sbx exits 137"))
		sbx_t_diag_proc(&p);
}

int main(void)
{
	sbx_t_init(100);
	exit_codes();
	sigchld_ignored();
	script_without_shebang();
	small_stack();
	forwarding();
	return done_testing();
}
