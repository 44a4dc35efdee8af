/*
 * fsjudge: whether the Landlock rules the command was given refuse a call that writes to the
 * filesystem, and if so what would allow it, as a value (struct sbx_fs_verdict). It asks the
 * same rule plan Landlock enforces (policy/llplan.h) and touches nothing: the caller records
 * the verdict and answers the call.
 *
 * The judgement only explains. Landlock enforces the rules in the kernel whatever this says,
 * so every call that is not certainly refused is let through to it ("unsure" is a pass), and
 * a caller that changes its memory or the filesystem meanwhile can at worst get a wrong
 * explanation, never more access (doc/design.md, "Filesystem refusals explained").
 */
#ifndef SBX_FSJUDGE_H
#define SBX_FSJUDGE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../policy/llplan.h"

enum sbx_fs_op {
	SBX_FSOP_OPEN,	   /* open, creat, openat, openat2: flags, mode */
	SBX_FSOP_MKNOD,	   /* mode: the file type */
	SBX_FSOP_MKDIR,	   /* */
	SBX_FSOP_SYMLINK,  /* the link's own path */
	SBX_FSOP_UNLINK,   /* */
	SBX_FSOP_RMDIR,	   /* */
	SBX_FSOP_RENAME,   /* two paths; flags: renameat2's */
	SBX_FSOP_LINK,	   /* two paths; flags: linkat's */
	SBX_FSOP_TRUNCATE, /* */
};

/* One path argument as the supervisor reaches it. */
struct sbx_fs_arg {
	int base; /* where a relative @path starts: the caller's cwd or dirfd (ours), or -1 */
	char path[PATH_MAX];
};

struct sbx_fs_req {
	enum sbx_fs_op op;
	int flags;
	mode_t mode;
	struct sbx_fs_arg arg[2]; /* the path; for rename and link, the old one and the new */
};

struct sbx_fs_verdict {
	bool refused;
	int err;	       /* refused: the errno Landlock answers, EACCES (EXDEV: only REFER) */
	uint64_t missing;      /* refused: the rights the rules do not grant there */
	const char *verb;      /* "write to", "create", "remove" */
	int which;	       /* the argument refused (0 or 1) */
	char target[PATH_MAX]; /* the canonical path refused */
	char hint[PATH_MAX + 8]; /* "--rw DIR", or "" when no flag sbx suggests would do */
	const char *reason;	 /* when @hint is empty: why */
};

/*
 * sbx_fs_judge() - judge @req against @ll into @v: refused only when the rules certainly
 * refuse it and the user's own permissions (those of the calling worker, which holds the
 * command's) would allow it, so that a --rw is what is missing. Needs the home directory
 * read once (sbx_fs_judge_init()).
 */
void sbx_fs_judge(const struct sbx_ll_plan *ll, const struct sbx_fs_req *req,
		  struct sbx_fs_verdict *v);

/* sbx_fs_judge_init() - remember the canonical $HOME for cache hints; call before workers. */
void sbx_fs_judge_init(void);

/* sbx_fs_blockers() - Landlock's names of @missing ("fs.make_reg,fs.refer") into @buf. */
const char *sbx_fs_blockers(uint64_t missing, char *buf, size_t n);

#endif
