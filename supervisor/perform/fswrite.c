/*
 * Owns the calls that write to the filesystem (notified with the filter key's fs bit): read
 * their paths from the caller, have them judged against the Landlock plan (fsjudge.h), and
 * answer a certain refusal with Landlock's own errno and an explanation; every other call
 * continues in the kernel, where Landlock enforces the same rules.
 *
 * This is the one place sbx continues a call after reading the caller's memory (doc/design.md,
 * "Filesystem refusals explained"): nothing is performed here, the judgement only explains,
 * and what the kernel then does is decided by Landlock alone. A caller that rewrites its path
 * after the read gets at worst a wrong explanation, or its own call refused; never more
 * access.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../judge/decide.h"
#include "../judge/fsjudge.h"
#include "../base/syscalls.h"
#include "../base/util.h"
#include "fswrite.h"

static void sbx_fs_req_release(struct sbx_fs_req *r)
{
	if (r->arg[0].base >= 0)
		close(r->arg[0].base);
	if (r->arg[1].base >= 0)
		close(r->arg[1].base);
}

#define _cleanup_req_ _cleanup_(sbx_fs_req_release)

/* Read path argument @i at @addr, relative to the caller's @dirfd (AT_FDCWD: its cwd). */
static int sbx_fs_read_arg(struct sbx_call *c, struct sbx_fs_req *r, int i, uint64_t addr,
			   int dirfd)
{
	struct sbx_fs_arg *a = &r->arg[i];
	char raw[PATH_MAX];
	long n;
	int e;

	n = sbx_task_read_str(&c->task, addr, raw, sizeof(raw));
	if (n < 0)
		return (int)n;
	e = sbx_path_proc_self(c, raw, a->path, sizeof(a->path));
	if (e < 0)
		return e;
	if (a->path[0] == '/')
		return 0;
	/* The replace mode has no pidfd_getfd: the directory is opened again by its link. */
	a->base = dirfd == AT_FDCWD ? sbx_task_cwd(&c->task)
		  : c->sup->replace ? sbx_task_dirfd(&c->task, dirfd)
				    : sbx_task_getfd(&c->task, dirfd);
	return a->base < 0 ? a->base : 0;
}

/* The request of the notified call, in the x86_64 argument order; -errno when it cannot be
 * read (nothing to explain: the kernel answers it). */
static int sbx_fs_decode(struct sbx_call *c, struct sbx_fs_req *r)
{
	const __u64 *a = c->n->data.args;
	const int at = AT_FDCWD;
	struct sbx_open_how how = { 0 };
	int e;

	switch (c->n->data.nr) {
	case __NR_open:
		r->op = SBX_FSOP_OPEN;
		r->flags = (int)a[1];
		return sbx_fs_read_arg(c, r, 0, a[0], at);
	case __NR_creat:
		r->op = SBX_FSOP_OPEN;
		r->flags = O_CREAT | O_WRONLY | O_TRUNC;
		return sbx_fs_read_arg(c, r, 0, a[0], at);
	case __NR_openat:
		r->op = SBX_FSOP_OPEN;
		r->flags = (int)a[2];
		return sbx_fs_read_arg(c, r, 0, a[1], (int)a[0]);
	case __NR_openat2:
		/* flags come first in every size of struct open_how; resolve flags change
		 * what a path means (RESOLVE_IN_ROOT): then nothing is judged */
		if (a[3] < sizeof(how) ||
		    (e = sbx_task_read(&c->task, a[2], &how, sizeof(how))) < 0)
			return -EINVAL;
		if (how.resolve || how.flags > INT32_MAX)
			return -EINVAL;
		r->op = SBX_FSOP_OPEN;
		r->flags = (int)how.flags;
		return sbx_fs_read_arg(c, r, 0, a[1], (int)a[0]);
	case __NR_mkdir:
		r->op = SBX_FSOP_MKDIR;
		return sbx_fs_read_arg(c, r, 0, a[0], at);
	case __NR_mkdirat:
		r->op = SBX_FSOP_MKDIR;
		return sbx_fs_read_arg(c, r, 0, a[1], (int)a[0]);
	case __NR_mknod:
		r->op = SBX_FSOP_MKNOD;
		r->mode = (mode_t)a[1];
		return sbx_fs_read_arg(c, r, 0, a[0], at);
	case __NR_mknodat:
		r->op = SBX_FSOP_MKNOD;
		r->mode = (mode_t)a[2];
		return sbx_fs_read_arg(c, r, 0, a[1], (int)a[0]);
	case __NR_symlink:
		r->op = SBX_FSOP_SYMLINK;
		return sbx_fs_read_arg(c, r, 0, a[1], at);
	case __NR_symlinkat:
		r->op = SBX_FSOP_SYMLINK;
		return sbx_fs_read_arg(c, r, 0, a[2], (int)a[1]);
	case __NR_unlink:
		r->op = SBX_FSOP_UNLINK;
		return sbx_fs_read_arg(c, r, 0, a[0], at);
	case __NR_rmdir:
		r->op = SBX_FSOP_RMDIR;
		return sbx_fs_read_arg(c, r, 0, a[0], at);
	case __NR_unlinkat:
		if (a[2] & ~(uint64_t)AT_REMOVEDIR)
			return -EINVAL;
		r->op = a[2] ? SBX_FSOP_RMDIR : SBX_FSOP_UNLINK;
		return sbx_fs_read_arg(c, r, 0, a[1], (int)a[0]);
	case __NR_truncate:
		r->op = SBX_FSOP_TRUNCATE;
		return sbx_fs_read_arg(c, r, 0, a[0], at);
	case __NR_rename:
	case __NR_link:
		r->op = c->n->data.nr == __NR_rename ? SBX_FSOP_RENAME : SBX_FSOP_LINK;
		e = sbx_fs_read_arg(c, r, 0, a[0], at);
		return e < 0 ? e : sbx_fs_read_arg(c, r, 1, a[1], at);
	case __NR_renameat:
	case __NR_renameat2:
	case __NR_linkat:
		r->op = c->n->data.nr == __NR_linkat ? SBX_FSOP_LINK : SBX_FSOP_RENAME;
		r->flags = c->n->data.nr == __NR_renameat ? 0 : (int)a[4];
		e = sbx_fs_read_arg(c, r, 0, a[1], (int)a[0]);
		return e < 0 ? e : sbx_fs_read_arg(c, r, 1, a[3], (int)a[2]);
	}
	return -ENOSYS;
}

static const char *sbx_fs_name(int nr)
{
	switch (nr) {
	case __NR_open:
		return "open";
	case __NR_creat:
		return "creat";
	case __NR_openat:
		return "openat";
	case __NR_openat2:
		return "openat2";
	case __NR_mkdir:
		return "mkdir";
	case __NR_mkdirat:
		return "mkdirat";
	case __NR_mknod:
		return "mknod";
	case __NR_mknodat:
		return "mknodat";
	case __NR_symlink:
		return "symlink";
	case __NR_symlinkat:
		return "symlinkat";
	case __NR_unlink:
		return "unlink";
	case __NR_unlinkat:
		return "unlinkat";
	case __NR_rmdir:
		return "rmdir";
	case __NR_rename:
		return "rename";
	case __NR_renameat:
		return "renameat";
	case __NR_renameat2:
		return "renameat2";
	case __NR_link:
		return "link";
	case __NR_linkat:
		return "linkat";
	case __NR_truncate:
		return "truncate";
	}
	return NULL;
}

bool sbx_fs_is_write_call(int nr)
{
	return sbx_fs_name(nr) != NULL;
}

long sbx_emu_fs(struct sbx_call *c)
{
	_cleanup_req_ struct sbx_fs_req r = { .arg = { { .base = -1 }, { .base = -1 } } };
	struct sbx_fs_verdict v;
	long ret;

	c->name = sbx_fs_name(c->n->data.nr);
	if (sbx_fs_decode(c, &r) < 0)
		return sbx_call_valid(c) ? SBX_CONTINUE : SBX_NO_REPLY;
	/* Everything read (path, cwd, dirfd) is the caller's only while it still waits. */
	if (!sbx_call_valid(c))
		return SBX_NO_REPLY;
	sbx_fs_judge(&c->sup->pol->ll, &r, &v);
	if (!v.refused)
		return SBX_CONTINUE;
	c->fs = &v;
	c->fs_path = r.arg[v.which].path;
	ret = sbx_deny_fs(c, &v);
	c->fs = NULL;
	return ret;
}
