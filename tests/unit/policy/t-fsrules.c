/*
 * Unit tests: the Landlock rule builder (supervisor/fsrules.c) on a fake filesystem. Checks
 * the rights each path ends up with (the union of the rules on it and its ancestors, as
 * Landlock computes them), the sibling construction, symlinks, files, and the ABI 9
 * RESOLVE_UNIX extra lock, which this kernel cannot exercise live; then the real lister on a
 * temp tree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/tap.h"
#include "../../../supervisor/policy/fsrules.h"
#include "../../../supervisor/policy/llplan.h"

/* The fake tree: every path, with its type; a directory lists the paths one level below. */
static const struct {
	const char *path;
	enum sbx_fsr_type type;
} tree[] = {
	{ "/", SBX_FSR_DIR },
	{ "/bin", SBX_FSR_SYMLINK },
	{ "/usr", SBX_FSR_DIR },
	{ "/usr/bin", SBX_FSR_DIR },
	{ "/etc", SBX_FSR_DIR },
	{ "/dev", SBX_FSR_DIR },
	{ "/dev/null", SBX_FSR_FILE },
	{ "/dev/sda", SBX_FSR_FILE },
	{ "/home", SBX_FSR_DIR },
	{ "/home/u", SBX_FSR_DIR },
	{ "/home/u/.ssh", SBX_FSR_DIR },
	{ "/home/u/.ssh/id", SBX_FSR_FILE },
	{ "/home/u/.bashrc", SBX_FSR_FILE },
	{ "/home/u/notes", SBX_FSR_DIR },
	{ "/home/u/proj", SBX_FSR_DIR },
	{ "/home/u/proj/src", SBX_FSR_DIR },
	{ "/home/u/proj/Makefile", SBX_FSR_FILE },
	{ "/home/u/proj/escape", SBX_FSR_SYMLINK },
	{ "/home/u/proj/.git", SBX_FSR_DIR },
	{ "/home/u/proj/.git/config", SBX_FSR_FILE },
	{ "/home/u/proj/.git/objects", SBX_FSR_DIR },
	{ "/home/u/proj/.git/hooks", SBX_FSR_DIR },
	{ "/home/u/proj/.git/hooks/pre-commit", SBX_FSR_FILE },
	{ "/run", SBX_FSR_DIR },
	{ "/run/agent", SBX_FSR_DIR },
	{ "/run/agent/s.sock", SBX_FSR_FILE },
};

static int fake_list(void *ctx, const char *dir, sbx_fsr_entry_fn fn, void *arg)
{
	size_t i, n = strlen(dir);
	int r;

	(void)ctx;
	if (ctx && !strcmp(dir, ctx))
		return -EACCES; /* simulate an unreadable directory */
	for (i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		const char *p = tree[i].path, *rest;

		if (n == 1 ? p[0] != '/' || !p[1] : strncmp(p, dir, n) || p[n] != '/')
			continue;
		rest = p + (n == 1 ? 1 : n + 1);
		if (strchr(rest, '/'))
			continue;
		r = fn(arg, rest, tree[i].type);
		if (r < 0)
			return r;
	}
	return 0;
}

static int fake_type(void *ctx, const char *path)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < sizeof(tree) / sizeof(tree[0]); i++)
		if (!strcmp(tree[i].path, path))
			return (int)tree[i].type;
	return -ENOENT;
}

static const struct sbx_fsr_ops ops = { fake_list, fake_type };

#define RW	 (SBX_FS_READ | SBX_FS_WRITE)
#define HANDLED7 (SBX_FS_READ | SBX_FS_WRITE) /* what sbx handles on ABI 3..8 */

static bool has_rule(const struct sbx_fsr_list *l, const char *path)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].path, path))
			return true;
	return false;
}

static void check_access(const struct sbx_fsr_list *l, const char *path, uint64_t want,
			 const char *what)
{
	uint64_t got = sbx_fsr_access(l, path);
	char g[200], w[200];

	if (!ok(got == want, "%s: %s", path, what))
		diag("got %s, want %s", sbx_fsr_describe(got, g, sizeof(g)),
		     sbx_fsr_describe(want, w, sizeof(w)));
}

static void defaults(void)
{
	const char *dev[] = { "/dev/null", "/dev/missing" };
	struct sbx_fsr_input in = { .dev = dev, .n_dev = 2, .handled = HANDLED7 };
	struct sbx_fsr_list l = { 0 };

	is(sbx_fsr_build(&in, &ops, NULL, &l), 0, "defaults: built");
	is(l.n, 2, "defaults: two rules (/ readable, /dev/null writable)");
	check_access(&l, "/", SBX_FS_READ, "readable, not writable");
	check_access(&l, "/home/u/proj/src", SBX_FS_READ, "readable, not writable");
	check_access(&l, "/dev/null", SBX_FS_READ | SBX_FS_DEV_WRITE, "/dev/null writable");
	check_access(&l, "/dev/sda", SBX_FS_READ, "another device stays read-only");
	ok(!has_rule(&l, "/dev/missing"), "a missing device gets no rule");
	sbx_fsr_free(&l);
}

static void rw_ro(void)
{
	const char *rw[] = { "/home/u/proj" }, *ro[] = { "/home/u/proj/.git/hooks" };
	struct sbx_fsr_input in = { .rw = rw, .n_rw = 1, .ro = ro, .n_ro = 1, .handled = HANDLED7 };
	struct sbx_fsr_list l = { 0 };

	is(sbx_fsr_build(&in, &ops, NULL, &l), 0, "rw+ro: built");
	check_access(&l, "/home/u/proj/src", RW, "a sibling of the --ro path's ancestors: rw");
	check_access(&l, "/home/u/proj/src/new.c", RW, "below it: rw");
	check_access(&l, "/home/u/proj/Makefile", SBX_FS_READ | (SBX_FS_WRITE & SBX_FS_FILE),
		     "a file sibling: file rights only");
	check_access(&l, "/home/u/proj/.git/objects", RW, "a sibling inside .git: rw");
	check_access(&l, "/home/u/proj/.git/hooks", SBX_FS_READ, "the --ro tree: read only");
	check_access(&l, "/home/u/proj/.git/hooks/pre-commit", SBX_FS_READ,
		     "a file in the --ro tree: read only");
	check_access(&l, "/home/u/proj/.git", SBX_FS_READ,
		     "an ancestor of the --ro tree: read only (it cannot be renamed)");
	check_access(&l, "/home/u/proj", SBX_FS_READ,
		     "the --rw root above a --ro tree: no new entries (a documented limit)");
	check_access(&l, "/home/u/proj/later", SBX_FS_READ,
		     "an entry made later beside the path: read only (a documented limit)");
	ok(!has_rule(&l, "/home/u/proj/escape"), "a symlink sibling gets no rule");
	check_access(&l, "/home/u/notes", SBX_FS_READ, "outside --rw: read only");
	sbx_fsr_free(&l);
}

static void deny(void)
{
	const char *deny[] = { "/home/u/.ssh", "/home/u/.bashrc" }, *rw[] = { "/home/u/proj" };
	struct sbx_fsr_input in = {
		.rw = rw, .n_rw = 1, .deny = deny, .n_deny = 2, .handled = HANDLED7
	};
	struct sbx_fsr_list l = { 0 };

	is(sbx_fsr_build(&in, &ops, NULL, &l), 0, "deny: built");
	check_access(&l, "/home/u/.ssh/id", 0, "--deny-read dir: nothing");
	check_access(&l, "/home/u/.bashrc", 0, "--deny-read file: nothing");
	check_access(&l, "/usr/bin", SBX_FS_READ, "elsewhere: readable");
	check_access(&l, "/home/u/notes", SBX_FS_READ, "a sibling: readable");
	check_access(&l, "/home/u", 0, "an ancestor: not even listable (a documented limit)");
	check_access(&l, "/home/u/proj/src", RW, "a --rw tree beside it: rw");
	ok(!has_rule(&l, "/bin"), "the /bin symlink gets no rule");
	sbx_fsr_free(&l);

	/* the most specific path wins: --rw below --deny-read is readable and writable */
	{
		const char *d2[] = { "/home/u" };
		struct sbx_fsr_input in2 = {
			.rw = rw, .n_rw = 1, .deny = d2, .n_deny = 1, .handled = HANDLED7
		};

		is(sbx_fsr_build(&in2, &ops, NULL, &l), 0, "rw inside deny: built");
		check_access(&l, "/home/u/notes", 0, "inside --deny-read: nothing");
		check_access(&l, "/home/u/proj/src", RW, "a --rw tree inside it: rw");
		sbx_fsr_free(&l);
	}
	/* one path, two flags: the most restrictive */
	{
		const char *same[] = { "/home/u/proj" };
		struct sbx_fsr_input in3 = {
			.rw = same, .n_rw = 1, .ro = same, .n_ro = 1, .handled = HANDLED7
		};

		is(sbx_fsr_build(&in3, &ops, NULL, &l), 0, "rw and ro on one path: built");
		check_access(&l, "/home/u/proj/src", SBX_FS_READ, "--ro beats --rw on one path");
		sbx_fsr_free(&l);
	}
	/* an unreadable ancestor: its entries get nothing, and the builder says so */
	{
		struct sbx_fsr_input in4 = { .deny = deny, .n_deny = 1, .handled = HANDLED7 };

		is(sbx_fsr_build(&in4, &ops, "/home/u", &l), 0, "unlistable: built");
		ok(l.unlisted && !strcmp(l.unlisted, "/home/u"), "unlistable: reported");
		check_access(&l, "/home/u/notes", 0, "unlistable: its entries get nothing");
		check_access(&l, "/usr", SBX_FS_READ, "unlistable: elsewhere unchanged");
		sbx_fsr_free(&l);
	}
}

static void abi_masks(void)
{
	const char *rw[] = { "/home/u/proj" }, *sock[] = { "/run/agent/s.sock", "/run/agent/" };
	const char *later[] = { "/run/later/" };
	const uint64_t abi1 = HANDLED7 & ~(LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE);
	struct sbx_fsr_input in = { .rw = rw, .n_rw = 1, .unix_allow = sock, .n_unix_allow = 2 };
	struct sbx_fsr_list l = { 0 };
	size_t i;
	bool only = true;

	in.handled = abi1;
	is(sbx_fsr_build(&in, &ops, NULL, &l), 0, "ABI 1: built");
	for (i = 0; i < l.n; i++)
		only = only && !(l.v[i].access & ~abi1);
	ok(only, "ABI 1: no rule carries a right the ruleset does not handle");
	check_access(&l, "/home/u/proj/src", abi1, "ABI 1: rw without REFER and TRUNCATE");
	ok(!(sbx_fsr_access(&l, "/run/agent/s.sock") & LANDLOCK_ACCESS_FS_RESOLVE_UNIX),
	   "ABI 1: no RESOLVE_UNIX anywhere");
	sbx_fsr_free(&l);

	/* ABI 9 (Linux 7.1): the allowlisted sockets become a second lock */
	in.handled = HANDLED7 | LANDLOCK_ACCESS_FS_RESOLVE_UNIX;
	is(sbx_fsr_build(&in, &ops, NULL, &l), 0, "ABI 9: built");
	ok(sbx_fsr_access(&l, "/run/agent/s.sock") & LANDLOCK_ACCESS_FS_RESOLVE_UNIX,
	   "ABI 9: the allowlisted socket gets RESOLVE_UNIX");
	ok(sbx_fsr_access(&l, "/run/agent/other.sock") & LANDLOCK_ACCESS_FS_RESOLVE_UNIX,
	   "ABI 9: below an allowlisted DIR/ too");
	ok(!(sbx_fsr_access(&l, "/home/u/proj/x.sock") & LANDLOCK_ACCESS_FS_RESOLVE_UNIX),
	   "ABI 9: other sockets do not (those bound inside are the kernel's exception)");
	ok(!(sbx_fsr_access(&l, "/") & LANDLOCK_ACCESS_FS_RESOLVE_UNIX),
	   "ABI 9: not granted at the root");
	for (i = 0, only = true; i < l.n; i++)
		if (!l.v[i].dir && (l.v[i].access & ~SBX_FS_FILE))
			only = false;
	ok(only, "ABI 9: file rules carry file rights only");
	sbx_fsr_free(&l);

	in.unix_allow = later;
	in.n_unix_allow = 1;
	is(sbx_fsr_build(&in, &ops, NULL, &l), 0, "ABI 9, a DIR/ not there yet: built");
	ok(!has_rule(&l, "/run/later") && !has_rule(&l, "/run"),
	   "ABI 9: a missing DIR/ grants nothing (not even to its parent)");
	sbx_fsr_free(&l);
}

/* The same construction through the real lister on a temp tree. */
static void real_tree(void)
{
	char root[] = "/tmp/sbx-t-fsrules-XXXXXX", p[4][256], cmd[512];
	const char *rw[1], *ro[1];
	struct sbx_fsr_input in = { .handled = HANDLED7 };
	struct sbx_fsr_list l = { 0 };
	FILE *f;

	if (!mkdtemp(root))
		bail_out("mkdtemp: %s", strerror(errno));
	snprintf(p[0], sizeof(p[0]), "%s/w", root);
	snprintf(p[1], sizeof(p[1]), "%s/w/hooks", root);
	snprintf(p[2], sizeof(p[2]), "%s/w/src", root);
	snprintf(p[3], sizeof(p[3]), "%s/w/link", root);
	if (mkdir(p[0], 0755) || mkdir(p[1], 0755) || mkdir(p[2], 0755) || symlink("/etc", p[3]))
		bail_out("temp tree: %s", strerror(errno));
	snprintf(cmd, sizeof(cmd), "%s/w/file", root);
	f = fopen(cmd, "we");
	if (f)
		fclose(f);
	rw[0] = p[0];
	ro[0] = p[1];
	in.rw = rw;
	in.n_rw = 1;
	in.ro = ro;
	in.n_ro = 1;
	is(sbx_fsr_build(&in, &sbx_ll_fs_ops, NULL, &l), 0, "real tree: built");
	check_access(&l, p[2], RW, "real tree: sibling directory rw");
	check_access(&l, cmd, SBX_FS_READ | (SBX_FS_WRITE & SBX_FS_FILE),
		     "real tree: sibling file, file rights");
	check_access(&l, p[1], SBX_FS_READ, "real tree: --ro read only");
	ok(!has_rule(&l, p[3]), "real tree: the symlink to /etc gets no rule");
	check_access(&l, "/etc", SBX_FS_READ, "real tree: its target stays read-only");
	sbx_fsr_free(&l);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
}

int main(void)
{
	char buf[200];

	defaults();
	rw_ro();
	deny();
	abi_masks();
	real_tree();
	ok(!strcmp(sbx_fsr_describe(SBX_FS_READ, buf, sizeof(buf)), "read,readdir,exec"),
	   "describe: %s", buf);
	return done_testing();
}
