/*
 * Live: writes the filesystem rules refuse are explained (--explain, on by default). What a
 * user relies on: the errno the command got (Landlock's), one line on stderr naming the path
 * and the --rw that allows it (once per directory), an audit deny record with source fs, the
 * rw line --learn --suggest-policy proposes, the file not created; allowed writes and reads
 * print nothing; --explain=off refuses without a word. Adversarial: a thread rewriting the path
 * while the call is judged, symlinks and dirfds leading out, O_TMPFILE, moves across
 * directories. Every case runs as the test's user and, when that is root, again as uid 65534
 * through setpriv.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/harness.h"
#include "../../supervisor/policy/llplan.h"

#define SETPRIV	  "/usr/bin/setpriv"
#define NOBODY	  65534
#define RW(x)	  "--rw", (x)
#define F(...)	  sbx_t_fmt(__VA_ARGS__)
#define NODENY(p) ok(!strstr((p)->err, "denied"), "... and nothing is printed")

static const char *who; /* "" or "uid 65534: " */
static int abi;
static const char *base;

/* Whether @err has a line "sbx-supervise: denied VERB TARGET by pid N (probe). Hint: --rw DIR". */
static bool denial_line(const char *err, const char *verb, const char *target, const char *dir)
{
	char head[512], tail[512];
	const char *l;

	snprintf(head, sizeof(head), "sbx-supervise: denied %s %s by pid ", verb, target);
	snprintf(tail, sizeof(tail), " (probe). Hint: --rw %s\n", dir);
	for (l = strstr(err, head); l; l = strstr(l + 1, head)) {
		const char *t = strstr(l, tail), *nl = strchr(l, '\n');

		if (t && nl && t + strlen(tail) - 1 == nl)
			return true;
	}
	return false;
}

static void line_is(const struct sbx_t_proc *p, const char *verb, const char *target,
		    const char *dir, const char *what)
{
	if (!ok(denial_line(p->err, verb, target, dir), "%s%s: the line names %s and --rw %s", who,
		what, target, dir))
		sbx_t_diag_proc(p);
}

static char *slurp(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void refused(void)
{
	/* the format ring is reused by later calls: keep these */
	char *ro = strdup(F("%s/ro", base)), *new = strdup(F("%s/ro/new", base));
	char *log = strdup(F("%s/audit.json", base)), *pol = strdup(F("%s/suggest.policy", base));
	struct sbx_t_proc p;
	const char *a;

	SBX_T_IN(&p, SBX_T_NOOPTS, "write", new);
	sbx_t_line_is(&p, "errno EACCES open", "%sa write outside --rw fails with EACCES", who);
	line_is(&p, "create", new, ro, "a write outside --rw");
	is(sbx_t_count_str(p.err, "denied"), 1, "%s... one line", who);
	ok(!sbx_t_exists(new), "%s... and the file was not created", who);

	SBX_T_IN(&p, SBX_T_OPTS("--audit-log", log), "write", new);
	a = slurp(log);
	sbx_t_has_str(a, "\"event\":\"deny\",\"source\":\"fs\"", "%sthe audit record: deny, fs",
		      who);
	sbx_t_has_str(a, "\"errno\":\"EACCES\",\"hint\":\"--rw ", "%s... EACCES and the hint", who);
	sbx_t_has_str(a, F("\"resolved\":\"%s\"", new), "%s... the path", who);
	sbx_t_has_str(a, "\"blockers\":\"fs.make_reg\"", "%s... the right missing", who);
	unlink(log);

	SBX_T_IN(&p, SBX_T_OPTS("--learn", "--suggest-policy", pol), "write2",
		 F("%s/ro/sub/a", base), F("%s/ro/sub/b", base));
	sbx_t_line_is(&p, "ok EACCES EACCES", "%s--learn: Landlock still refuses", who);
	a = slurp(pol);
	sbx_t_has_str(a, F("\nrw %s/ro/sub\n", base),
		      "%s--suggest-policy proposes the directory written into", who);
	ok(!strstr(a, "rw /\n"), "%s... never /", who);
	is(sbx_t_count_str(a, "\nrw "), 1, "%s... once", who);
	ok(!sbx_t_exists(F("%s/ro/sub/a", base)), "%s... and nothing was created", who);
	unlink(pol);

	SBX_T_IN(&p, SBX_T_NOOPTS, "write2", F("%s/ro/a", base), F("%s/ro/b", base));
	sbx_t_line_is(&p, "ok EACCES EACCES", "%stwo writes to one directory: both refused", who);
	is(sbx_t_count_str(p.err, "denied"), 1, "%s... one line", who);

	SBX_T_IN(&p, SBX_T_OPTS("--explain=off"), "write", new);
	sbx_t_line_is(&p, "errno EACCES open", "%s--explain=off: still EACCES", who);
	NODENY(&p);
	SBX_T_IN(&p, SBX_T_OPTS("--quiet"), "write", new);
	NODENY(&p);
	free(ro);
	free(new);
	free(log);
	free(pol);
}

static void allowed(void)
{
	struct sbx_t_proc p;
	const char *sh = "echo x > \"$TMPDIR/f\" && mkdir \"$TMPDIR/d\" && echo done";
	const char *argv[] = { sbx_t_supervise(), "--", "/bin/sh", "-c", sh, NULL };
	const char *as_nobody[] = { SETPRIV,
				    "--reuid=65534",
				    "--regid=65534",
				    "--clear-groups",
				    "--",
				    sbx_t_supervise(),
				    "--",
				    "/bin/sh",
				    "-c",
				    sh,
				    NULL };

	SBX_T_IN(&p, SBX_T_OPTS(RW(F("%s/rw", base))), "write", F("%s/rw/ok", base));
	sbx_t_line_is(&p, "ok", "%sa write under --rw works", who);
	NODENY(&p);
	sbx_t_run(&p, *who ? as_nobody : argv);
	sbx_t_has_str(p.out, "done", "%swrites in the sandbox's TMPDIR work", who);
	NODENY(&p);
	SBX_T_IN(&p, SBX_T_NOOPTS, "read", F("%s/ro/e", base));
	sbx_t_line_is(&p, "ok", "%sa read works", who);
	NODENY(&p);
	SBX_T_IN(&p, SBX_T_NOOPTS, "write", "/dev/null");
	sbx_t_line_is(&p, "ok", "%s/dev/null is writable", who);
	NODENY(&p);
}

static void operations(void)
{
	char *ro = strdup(F("%s/ro", base)), *rw = strdup(F("%s/rw", base));
	const char *const opts[] = { RW(rw), NULL };
	struct sbx_t_proc p;

	SBX_T_IN(&p, opts, "mkdir", F("%s/ro/d", base));
	sbx_t_line_is(&p, "errno EACCES", "%smkdir refused", who);
	line_is(&p, "create", F("%s/ro/d", base), ro, "mkdir");
	SBX_T_IN(&p, opts, "unlink", F("%s/ro/e", base));
	sbx_t_line_is(&p, "errno EACCES", "%sunlink refused", who);
	line_is(&p, "remove", F("%s/ro/e", base), ro, "unlink");
	ok(sbx_t_exists(F("%s/ro/e", base)), "%s... the file is still there", who);
	SBX_T_IN(&p, opts, "rmdir", F("%s/ro/sub", base));
	sbx_t_line_is(&p, "errno EACCES", "%srmdir refused", who);
	line_is(&p, "remove", F("%s/ro/sub", base), ro, "rmdir");
	SBX_T_IN(&p, opts, "truncate", F("%s/ro/e", base));
	sbx_t_line_is(&p, "errno EACCES", "%struncate refused", who);
	line_is(&p, "write to", F("%s/ro/e", base), ro, "truncate");
	SBX_T_IN(&p, opts, "mkfifo", F("%s/ro/fifo", base));
	sbx_t_line_is(&p, "errno EACCES", "%smkfifo refused", who);

	/* Out of a --rw directory into a read-only one, and back. */
	SBX_T_IN(&p, opts, "rename", F("%s/rw/f", base), F("%s/ro/f", base));
	sbx_t_line_is(&p, "errno EACCES", "%srename into a read-only directory: EACCES", who);
	line_is(&p, "create", F("%s/ro/f", base), ro, "rename in");
	SBX_T_IN(&p, opts, "rename", F("%s/ro/e", base), F("%s/rw/e", base));
	sbx_t_line_is(&p, "errno EACCES", "%srename out of it: EACCES", who);
	line_is(&p, "remove", F("%s/ro/e", base), ro, "rename out");
	SBX_T_IN(&p, opts, "link", F("%s/ro/e", base), F("%s/rw/l", base));
	sbx_t_line_is(&p, "errno EXDEV", "%slink out of it: EXDEV, as Landlock says", who);
	if (abi >= 2)
		line_is(&p, "link", F("%s/ro/e", base), ro, "link out");
	else
		skip(1, "Landlock ABI 1 refuses every link across directories: nothing to explain");
	SBX_T_IN(&p, opts, "link", F("%s/rw/f", base), F("%s/ro/l", base));
	sbx_t_line_is(&p, "errno EACCES", "%slink into it: EACCES", who);
	ok(!sbx_t_exists(F("%s/ro/l", base)), "%s... no link", who);

	/* Ways around the name: a symlink in --rw leading out, a dirfd outside, O_TMPFILE. */
	SBX_T_IN(&p, opts, "write", F("%s/rw/out", base));
	sbx_t_line_is(&p, "errno EACCES open", "%sa symlink in --rw to a file outside: EACCES",
		      who);
	line_is(&p, "write to", F("%s/ro/e", base), ro, "the symlink's target");
	SBX_T_IN(&p, opts, "openat", ro, "viafd");
	sbx_t_line_is(&p, "errno EACCES openat", "%sopenat with a dirfd outside --rw: EACCES", who);
	line_is(&p, "create", F("%s/ro/viafd", base), ro, "openat");
	ok(!sbx_t_exists(F("%s/ro/viafd", base)), "%s... not created", who);
	SBX_T_IN(&p, opts, "tmpfile", ro);
	if (strstr(p.last, "EOPNOTSUPP") || strstr(p.last, "EISDIR")) {
		skip(2, "O_TMPFILE: the filesystem of %s has none", base);
	} else {
		sbx_t_line_is(&p, "errno EACCES open", "%sO_TMPFILE outside --rw: EACCES", who);
		line_is(&p, "create", ro, ro, "O_TMPFILE");
	}
	free(ro);
	free(rw);
}

/* A thread flips the path between an allowed and a refused name while the other creates it:
 * whatever the supervisor read, Landlock decides, and the refused file never appears. */
static void race(void)
{
	const char *okp = F("%s/rw/race", base), *bad = F("%s/rx/race", base);
	struct sbx_t_proc p;

	SBX_T_IN(&p, SBX_T_OPTS(RW(F("%s/rw", base))), "fsrace", okp, bad, "3000");
	sbx_t_line_starts(&p, "ok ok=", "%sthe racing creates ran", who);
	ok(!sbx_t_exists(bad), "%s... and the refused file never appeared", who);
	diag("%s", p.last);
}

static void setup(void)
{
	const char *dirs[] = { "", "/rw", "/ro", "/ro/sub", "/rx" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(F("%s%s", base, dirs[i]), 0777) == -1 && errno != EEXIST)
			bail_out("mkdir %s%s: %s", base, dirs[i], strerror(errno));
	if (sbx_t_write_file(F("%s/ro/e", base), "e") ||
	    sbx_t_write_file(F("%s/rw/f", base), "f") ||
	    symlink(F("%s/ro/e", base), F("%s/rw/out", base)))
		bail_out("setup of %s: %s", base, strerror(errno));
}

static void all(void)
{
	setup();
	refused();
	allowed();
	operations();
	race();
}

/* As uid 65534, in a tree it owns, under setpriv: what an unprivileged user sees. */
static void unprivileged(void)
{
	static const char *const wrap[] = {
		SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", "--", NULL
	};
	char tmpl[] = "/tmp/sbx-t-explain.XXXXXX";
	const char *dirs[] = { "", "/rw", "/ro", "/ro/sub", "/rx", "/ro/e", "/rw/f", "/rw/out" };
	size_t i;

	if (geteuid() != 0 || access(SETPRIV, X_OK)) {
		diag("not root (or no setpriv): the run above was the unprivileged one");
		return;
	}
	/* A build in a directory only root may enter (a clone under mktemp -d's 0700) cannot
	 * be run by uid 65534: say so, as make check-unprivileged runs this file as that user
	 * in a tree of its own. */
	{
		const char *argv[] = { SETPRIV,
				       "--reuid=65534",
				       "--regid=65534",
				       "--clear-groups",
				       "--",
				       "/bin/sh",
				       "-c",
				       "test -x \"$0\" && test -x \"$1\"",
				       sbx_t_supervise(),
				       sbx_t_probe(),
				       NULL };
		struct sbx_t_proc p;

		if (sbx_t_run(&p, argv) != 0) {
			skip(1, "uid 65534 cannot run %s (a directory on its way is closed to it)",
			     sbx_t_probe());
			return;
		}
	}
	if (!mkdtemp(tmpl))
		bail_out("mkdtemp: %s", strerror(errno));
	base = strdup(tmpl);
	setup();
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (lchown(F("%s%s", base, dirs[i]), NOBODY, NOBODY))
			bail_out("chown: %s", strerror(errno));
	who = "uid 65534: ";
	sbx_t_wrap(wrap);
	refused();
	allowed();
	operations();
	race();
	sbx_t_wrap(NULL);
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd) != 0)
			diag("could not remove %s", base);
	}
}

int main(void)
{
	sbx_t_init(240);
	sbx_t_rw_tmpdir(false);
	abi = sbx_ll_abi();
	if (abi < 1)
		skip_all("the kernel has no Landlock");
	if (abi < 2)
		diag("Landlock ABI %d: moves across directories are refused outright", abi);
	who = "";
	base = sbx_t_tmpdir();
	all();
	unprivileged();
	return done_testing();
}
