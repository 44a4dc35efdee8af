/* Owns judging a call that writes to the filesystem against the Landlock plan, to explain a
 * refusal: which rights the rules lack, where, and the --rw that would grant them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decide.h"
#include "fsjudge.h"
#include "../base/util.h"

/* The canonical home directory, for the hints about caches below it ("" without one). */
static char sbx_home[PATH_MAX];

void sbx_fs_judge_init(void)
{
	const char *h = getenv("HOME");

	if (!h || !realpath(h, sbx_home) || !strcmp(sbx_home, "/"))
		sbx_home[0] = '\0';
}

/* A path argument split into its directory, pinned, and its last component. */
struct sbx_fs_node {
	int dir; /* O_PATH fd of the directory the entry is in */
	char dir_canon[PATH_MAX];
	char name[NAME_MAX + 1];
	bool exists;
	mode_t type; /* the entry's own (S_IFMT, not following a symlink) */
};

static void sbx_fs_node_release(struct sbx_fs_node *n)
{
	if (n->dir >= 0)
		close(n->dir);
	n->dir = -1;
}

#define _cleanup_node_ _cleanup_(sbx_fs_node_release)

/* "@dir/@name" into @out; false when it does not fit (then nothing is refused). */
static bool sbx_fs_join(const char *dir, const char *name, char *out, size_t n)
{
	size_t d = strlen(dir), l = strlen(name), slash = strcmp(dir, "/") ? 1 : 0;

	if (d + slash + l >= n)
		return false;
	memcpy(out, dir, d);
	out[d] = '/';
	memcpy(out + d + slash, name, l + 1);
	return true;
}

/*
 * Pin the directory of @a and look at its last component, as the kernel's own walk would
 * (symlinks on the way followed, the last one not). A path ending in '/' names a directory:
 * only @dir_ok calls (mkdir, rmdir) are judged then. -errno when there is nothing to explain.
 */
static int sbx_fs_node(const struct sbx_fs_arg *a, bool dir_ok, struct sbx_fs_node *n)
{
	char parent[PATH_MAX], *slash;
	const char *name;
	size_t len = strlen(a->path);
	struct stat st;

	n->dir = -1;
	n->exists = false;
	while (len > 1 && a->path[len - 1] == '/')
		len--;
	if (len == 0 || (len < strlen(a->path) && !dir_ok))
		return -EINVAL;
	memcpy(parent, a->path, len);
	parent[len] = '\0';
	slash = strrchr(parent, '/');
	name = slash ? slash + 1 : parent;
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || strlen(name) > NAME_MAX)
		return -EINVAL;
	memcpy(n->name, name, strlen(name) + 1); /* at most NAME_MAX, checked above */
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else
		slash[slash == parent ? 1 : 0] = '\0';
	if (parent[0] != '/' && a->base < 0)
		return -EBADF;
	n->dir = openat(parent[0] == '/' ? AT_FDCWD : a->base, parent,
			O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (n->dir < 0)
		return -errno;
	if (sbx_fd_canon(n->dir, n->dir_canon, sizeof(n->dir_canon)) < 0)
		return -EINVAL;
	if (fstatat(n->dir, n->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		n->exists = true;
		n->type = st.st_mode & S_IFMT;
	} else if (errno != ENOENT) {
		return -errno;
	}
	return 0;
}

/* The rights of @need that the ruleset handles and its rules do not grant at @path. */
static uint64_t sbx_fs_missing(const struct sbx_ll_plan *ll, const char *path, uint64_t need)
{
	need &= ll->handled_fs;
	if (!need)
		return 0;
	return need & ~sbx_fsr_access(&ll->fs, path);
}

static uint64_t sbx_fs_make_right(mode_t type)
{
	switch (type) {
	case 0:
	case S_IFREG:
		return LANDLOCK_ACCESS_FS_MAKE_REG;
	case S_IFDIR:
		return LANDLOCK_ACCESS_FS_MAKE_DIR;
	case S_IFLNK:
		return LANDLOCK_ACCESS_FS_MAKE_SYM;
	case S_IFCHR:
		return LANDLOCK_ACCESS_FS_MAKE_CHAR;
	case S_IFBLK:
		return LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	case S_IFIFO:
		return LANDLOCK_ACCESS_FS_MAKE_FIFO;
	case S_IFSOCK:
		return LANDLOCK_ACCESS_FS_MAKE_SOCK;
	}
	return 0; /* the kernel refuses the type itself (EINVAL) */
}

static uint64_t sbx_fs_remove_right(mode_t type)
{
	return type == S_IFDIR ? LANDLOCK_ACCESS_FS_REMOVE_DIR : LANDLOCK_ACCESS_FS_REMOVE_FILE;
}

/*
 * Whether the user's own permissions (this worker's ids and capabilities, the command's) let
 * it write @fd: when they do not, the kernel would refuse natively too, with the same EACCES,
 * and no --rw could help, so there is nothing to explain. A kernel without faccessat2 (before
 * 5.8) cannot say: explain.
 */
static bool sbx_fs_user_may(int fd)
{
	return faccessat(fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) == 0 || errno == EINVAL ||
	       errno == ENOSYS;
}

/* Known caches directly in the home directory: one --rw for all a tool writes there. */
static const char *const sbx_home_caches[] = { ".cache", ".cargo", ".rustup",
					       ".npm",	 ".m2",	   ".gradle" };

/*
 * The tree a --rw would have to name: @dir, the directory written into, or the cache below
 * $HOME it lies in (~/.cache/pip for ~/.cache/pip/http/a/b, ~/.cargo for
 * ~/.cargo/registry/cache), which a tool writes all over with time. Never /: a write to a
 * file there names the file (@file), a new entry gets a reason and no hint.
 */
static void sbx_fs_hint(struct sbx_fs_verdict *v, const char *dir, const char *file)
{
	size_t h = strlen(sbx_home), i;

	if (h && !strncmp(dir, sbx_home, h) && dir[h] == '/') {
		const char *rest = dir + h + 1;

		for (i = 0; i < ARRAY_SIZE(sbx_home_caches); i++) {
			size_t c = strlen(sbx_home_caches[i]), keep;

			if (strncmp(rest, sbx_home_caches[i], c) || (rest[c] && rest[c] != '/'))
				continue;
			keep = h + 1 + c;
			/* ~/.cache itself holds one tree per tool: name the tool's. */
			if (i == 0 && rest[c] == '/')
				keep += 1 + strcspn(rest + c + 1, "/");
			snprintf(v->hint, sizeof(v->hint), "--rw %.*s", (int)keep, dir);
			return;
		}
	}
	if (strcmp(dir, "/")) {
		snprintf(v->hint, sizeof(v->hint), "--rw %s", dir);
	} else if (file) {
		snprintf(v->hint, sizeof(v->hint), "--rw %s", file);
	} else {
		v->hint[0] = '\0';
		v->reason = "it would need --rw /, which sbx does not suggest";
	}
}

/* The inodes of the plan's rules, looked up at the first refusal (not at start-up, which
 * every run pays): what Landlock attached the rules to when the shim opened their paths. */
static struct {
	pthread_once_t once;
	const struct sbx_ll_plan *ll;
	struct stat *st; /* one per rule; st_nlink 0: not found */
} sbx_rule_inodes = { .once = PTHREAD_ONCE_INIT };

static void sbx_rule_inodes_load(void)
{
	const struct sbx_ll_plan *ll = sbx_rule_inodes.ll;
	size_t i;

	sbx_rule_inodes.st = calloc(ll->fs.n ? ll->fs.n : 1, sizeof(struct stat));
	for (i = 0; sbx_rule_inodes.st && i < ll->fs.n; i++)
		if (stat(ll->fs.v[i].path, &sbx_rule_inodes.st[i]) == -1)
			sbx_rule_inodes.st[i].st_nlink = 0;
}

static uint64_t sbx_rules_at(const struct sbx_ll_plan *ll, const struct stat *st)
{
	uint64_t acc = 0;
	size_t i;

	for (i = 0; i < ll->fs.n; i++)
		if (sbx_rule_inodes.st[i].st_nlink && sbx_rule_inodes.st[i].st_ino == st->st_ino &&
		    sbx_rule_inodes.st[i].st_dev == st->st_dev)
			acc |= ll->fs.v[i].access;
	return acc;
}

/*
 * The rights the rules grant where @dirfd (and @filefd, an entry in it, or -1) lead, found as
 * Landlock finds them: the rules of each inode from there up to the root, through "..", which
 * crosses mounts as the kernel's walk does. The canonical path alone can mislead: a rule
 * holds on its inode under every name (a bind mount of a --rw tree elsewhere), and a refusal
 * Landlock would not make must never be answered. 0 on any failure: then nothing is refused.
 */
static uint64_t sbx_fs_walk_access(const struct sbx_ll_plan *ll, int dirfd, int filefd, bool *ok)
{
	_cleanup_close_ int cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	uint64_t acc = 0;
	struct stat st, up;
	int depth;

	*ok = false;
	sbx_rule_inodes.ll = ll;
	pthread_once(&sbx_rule_inodes.once, sbx_rule_inodes_load);
	if (!sbx_rule_inodes.st || cur < 0 || fstat(cur, &st) == -1)
		return 0;
	if (filefd >= 0) {
		struct stat f;

		if (fstat(filefd, &f) == -1)
			return 0;
		acc |= sbx_rules_at(ll, &f);
	}
	for (depth = 0; depth < PATH_MAX / 2; depth++) {
		int parent;

		acc |= sbx_rules_at(ll, &st);
		parent = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up) == -1) {
			if (parent >= 0)
				close(parent);
			return 0;
		}
		close(cur);
		cur = parent;
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) {
			*ok = true; /* the root: its own parent */
			return acc;
		}
		st = up;
	}
	return 0;
}

/*
 * Refuse @need at @target, unless the checks that make the explanation right fail: the name
 * judged, @canon, leads to @checkfd (the file written, or the directory) in sbx's own mount
 * namespace; the user may write @checkfd; and the walk Landlock makes confirms that rights
 * are missing. Otherwise nothing is refused and Landlock decides alone.
 */
static void sbx_fs_refuse(const struct sbx_ll_plan *ll, struct sbx_fs_verdict *v, int err,
			  uint64_t need, const char *verb, int which, const char *target, int dirfd,
			  int filefd, const char *canon, const char *dir, const char *file)
{
	int checkfd = filefd >= 0 ? filefd : dirfd;
	uint64_t missing;
	bool ok;

	if (!sbx_path_here(checkfd, canon) || !sbx_fs_user_may(checkfd))
		return;
	missing = need & ll->handled_fs & ~sbx_fs_walk_access(ll, dirfd, filefd, &ok);
	if (!ok || !missing)
		return;
	v->refused = true;
	v->err = err;
	v->missing = missing;
	v->verb = verb;
	v->which = which;
	snprintf(v->target, sizeof(v->target), "%s", target);
	sbx_fs_hint(v, dir, file);
}

/* A new entry of @type in @n's directory. */
static void sbx_fs_judge_make(const struct sbx_ll_plan *ll, struct sbx_fs_node *n, mode_t type,
			      struct sbx_fs_verdict *v)
{
	char target[PATH_MAX];
	uint64_t missing;

	if (n->exists)
		return; /* EEXIST, before any Landlock check */
	missing = sbx_fs_missing(ll, n->dir_canon, sbx_fs_make_right(type));
	if (!missing)
		return;
	if (sbx_fs_join(n->dir_canon, n->name, target, sizeof(target)))
		sbx_fs_refuse(ll, v, EACCES, missing, "create", 0, target, n->dir, -1, n->dir_canon,
			      n->dir_canon, NULL);
}

/* Writing (@need: WRITE_FILE, TRUNCATE) the existing file @n names, through a symlink unless
 * @nofollow. */
static void sbx_fs_judge_file(const struct sbx_ll_plan *ll, struct sbx_fs_node *n, bool nofollow,
			      uint64_t need, struct sbx_fs_verdict *v)
{
	_cleanup_close_ int fd = -1, dirfd = -1;
	char canon[PATH_MAX], dir[PATH_MAX], *slash;
	uint64_t missing;
	mode_t type = n->type;
	struct stat st;

	if (type == S_IFLNK) {
		if (nofollow)
			return; /* ELOOP */
		fd = openat(n->dir, n->name, O_PATH | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) == -1 || sbx_fd_canon(fd, canon, sizeof(canon)) < 0)
			return; /* a dangling link, a loop: the kernel answers alone */
		type = st.st_mode & S_IFMT;
	} else if (!sbx_fs_join(n->dir_canon, n->name, canon, sizeof(canon))) {
		return;
	}
	if (type == S_IFDIR)
		return; /* EISDIR */
	if (type != S_IFREG)
		need &= ~LANDLOCK_ACCESS_FS_TRUNCATE; /* O_TRUNC truncates regular files only */
	missing = sbx_fs_missing(ll, canon, need);
	if (!missing)
		return;
	if (fd < 0)
		fd = openat(n->dir, n->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	snprintf(dir, sizeof(dir), "%s", canon);
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	/* The walk starts in the directory the file is in, which for a link is not n->dir. */
	dirfd = type == n->type ? -1 : open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && (type == n->type || dirfd >= 0))
		sbx_fs_refuse(ll, v, EACCES, missing, "write to", 0, canon,
			      dirfd >= 0 ? dirfd : n->dir, fd, canon, dir, canon);
}

/* O_TMPFILE: an unnamed file in the directory @n names, written (Landlock checks WRITE_FILE
 * on it, with the rights of that directory; no MAKE_REG). */
static void sbx_fs_judge_tmpfile(const struct sbx_ll_plan *ll, struct sbx_fs_node *n,
				 struct sbx_fs_verdict *v)
{
	_cleanup_close_ int fd = openat(n->dir, n->name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char canon[PATH_MAX];
	uint64_t missing;

	if (fd < 0 || sbx_fd_canon(fd, canon, sizeof(canon)) < 0)
		return;
	missing = sbx_fs_missing(ll, canon, LANDLOCK_ACCESS_FS_WRITE_FILE);
	if (missing)
		sbx_fs_refuse(ll, v, EACCES, missing, "create", 0, canon, fd, -1, canon, canon,
			      NULL);
}

static void sbx_fs_judge_open(const struct sbx_ll_plan *ll, const struct sbx_fs_req *req,
			      struct sbx_fs_verdict *v)
{
	_cleanup_node_ struct sbx_fs_node n = { .dir = -1 };
	const int flags = req->flags, acc = flags & O_ACCMODE;
	uint64_t need = 0;

	/* O_TMPFILE includes O_DIRECTORY: its path may end in '/'. */
	if (sbx_fs_node(&req->arg[0], (flags & O_TMPFILE) == O_TMPFILE, &n) < 0)
		return;
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		sbx_fs_judge_tmpfile(ll, &n, v);
		return;
	}
	if (!n.exists) {
		if (flags & O_CREAT)
			sbx_fs_judge_make(ll, &n, S_IFREG, v);
		return; /* ENOENT */
	}
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return; /* EEXIST */
	/* O_ACCMODE 3 opens for ioctls only: Landlock asks for no write right then. */
	if (acc == O_WRONLY || acc == O_RDWR)
		need |= LANDLOCK_ACCESS_FS_WRITE_FILE;
	if (flags & O_TRUNC)
		need |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (need)
		sbx_fs_judge_file(ll, &n, flags & O_NOFOLLOW, need, v);
}

static void sbx_fs_judge_remove(const struct sbx_ll_plan *ll, const struct sbx_fs_arg *a,
				bool rmdir, struct sbx_fs_verdict *v)
{
	_cleanup_node_ struct sbx_fs_node n = { .dir = -1 };
	char target[PATH_MAX];
	uint64_t missing;

	if (sbx_fs_node(a, rmdir, &n) < 0 || !n.exists || (n.type == S_IFDIR) != rmdir)
		return; /* ENOENT, EISDIR, ENOTDIR */
	missing = sbx_fs_missing(ll, n.dir_canon, sbx_fs_remove_right(n.type));
	if (!missing)
		return;
	if (sbx_fs_join(n.dir_canon, n.name, target, sizeof(target)))
		sbx_fs_refuse(ll, v, EACCES, missing, "remove", 0, target, n.dir, -1, n.dir_canon,
			      n.dir_canon, NULL);
}

/*
 * rename and link: the entry leaves its directory (rename: REMOVE_*) and a new one of its type
 * is made in the other (MAKE_*); between two directories both also need REFER, whose lack
 * alone Landlock answers with EXDEV (so that programs copy instead). What Landlock adds on
 * top (the moved file may not gain rights; exchanges; a replaced target) is left to it.
 */
static void sbx_fs_judge_move(const struct sbx_ll_plan *ll, const struct sbx_fs_req *req,
			      struct sbx_fs_verdict *v)
{
	_cleanup_node_ struct sbx_fs_node from = { .dir = -1 }, to = { .dir = -1 };
	const bool rename = req->op == SBX_FSOP_RENAME;
	char target[PATH_MAX];
	uint64_t m_from = 0, m_to, refer = LANDLOCK_ACCESS_FS_REFER;
	mode_t type;
	struct stat st;

	if (rename && (req->flags & ~RENAME_NOREPLACE))
		return; /* RENAME_EXCHANGE, RENAME_WHITEOUT */
	if (!rename && (req->flags & AT_EMPTY_PATH))
		return; /* the old file is an fd, its directory unknown */
	if (sbx_fs_node(&req->arg[0], rename, &from) < 0 || !from.exists ||
	    sbx_fs_node(&req->arg[1], rename, &to) < 0)
		return;
	if (to.exists && (!rename || (req->flags & RENAME_NOREPLACE)))
		return; /* EEXIST */
	type = from.type;
	if (!rename && type == S_IFLNK && (req->flags & AT_SYMLINK_FOLLOW)) {
		if (fstatat(from.dir, from.name, &st, 0) == -1)
			return;
		type = st.st_mode & S_IFMT;
	}
	if (!rename && type == S_IFDIR)
		return; /* EPERM */
	if (rename)
		m_from = sbx_fs_missing(ll, from.dir_canon, sbx_fs_remove_right(type));
	m_to = sbx_fs_missing(ll, to.dir_canon, sbx_fs_make_right(type));
	if (m_to) {
		if (sbx_fs_join(to.dir_canon, to.name, target, sizeof(target)))
			sbx_fs_refuse(ll, v, EACCES, m_to, "create", 1, target, to.dir, -1,
				      to.dir_canon, to.dir_canon, NULL);
	} else if (m_from) {
		if (sbx_fs_join(from.dir_canon, from.name, target, sizeof(target)))
			sbx_fs_refuse(ll, v, EACCES, m_from, "remove", 0, target, from.dir, -1,
				      from.dir_canon, from.dir_canon, NULL);
	} else if (strcmp(from.dir_canon, to.dir_canon)) {
		/* Without REFER handled (ABI 1) Landlock refuses every such move: no --rw helps. */
		if ((m_to = sbx_fs_missing(ll, to.dir_canon, refer))) {
			if (sbx_fs_join(to.dir_canon, to.name, target, sizeof(target)))
				sbx_fs_refuse(ll, v, EXDEV, m_to, rename ? "move" : "link", 1,
					      target, to.dir, -1, to.dir_canon, to.dir_canon, NULL);
		} else if ((m_from = sbx_fs_missing(ll, from.dir_canon, refer))) {
			if (sbx_fs_join(from.dir_canon, from.name, target, sizeof(target)))
				sbx_fs_refuse(ll, v, EXDEV, m_from, rename ? "move" : "link", 0,
					      target, from.dir, -1, from.dir_canon, from.dir_canon,
					      NULL);
		}
	}
}

void sbx_fs_judge(const struct sbx_ll_plan *ll, const struct sbx_fs_req *req,
		  struct sbx_fs_verdict *v)
{
	_cleanup_node_ struct sbx_fs_node n = { .dir = -1 };

	v->refused = false;
	v->reason = NULL;
	v->hint[0] = v->target[0] = '\0';
	if (!ll->fs_kernel)
		return;
	switch (req->op) {
	case SBX_FSOP_OPEN:
		sbx_fs_judge_open(ll, req, v);
		break;
	case SBX_FSOP_MKNOD:
	case SBX_FSOP_MKDIR:
	case SBX_FSOP_SYMLINK:
		if (sbx_fs_node(&req->arg[0], req->op == SBX_FSOP_MKDIR, &n) == 0)
			sbx_fs_judge_make(ll, &n,
					  req->op == SBX_FSOP_MKDIR	? S_IFDIR
					  : req->op == SBX_FSOP_SYMLINK ? S_IFLNK
									: req->mode & S_IFMT,
					  v);
		break;
	case SBX_FSOP_UNLINK:
	case SBX_FSOP_RMDIR:
		sbx_fs_judge_remove(ll, &req->arg[0], req->op == SBX_FSOP_RMDIR, v);
		break;
	case SBX_FSOP_RENAME:
	case SBX_FSOP_LINK:
		sbx_fs_judge_move(ll, req, v);
		break;
	case SBX_FSOP_TRUNCATE:
		if (sbx_fs_node(&req->arg[0], false, &n) == 0 && n.exists)
			sbx_fs_judge_file(ll, &n, false, LANDLOCK_ACCESS_FS_TRUNCATE, v);
		break;
	}
}

const char *sbx_fs_blockers(uint64_t missing, char *buf, size_t n)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ LANDLOCK_ACCESS_FS_WRITE_FILE, "fs.write_file" },
		{ LANDLOCK_ACCESS_FS_TRUNCATE, "fs.truncate" },
		{ LANDLOCK_ACCESS_FS_MAKE_REG, "fs.make_reg" },
		{ LANDLOCK_ACCESS_FS_MAKE_DIR, "fs.make_dir" },
		{ LANDLOCK_ACCESS_FS_MAKE_SYM, "fs.make_sym" },
		{ LANDLOCK_ACCESS_FS_MAKE_CHAR, "fs.make_char" },
		{ LANDLOCK_ACCESS_FS_MAKE_BLOCK, "fs.make_block" },
		{ LANDLOCK_ACCESS_FS_MAKE_FIFO, "fs.make_fifo" },
		{ LANDLOCK_ACCESS_FS_MAKE_SOCK, "fs.make_sock" },
		{ LANDLOCK_ACCESS_FS_REMOVE_FILE, "fs.remove_file" },
		{ LANDLOCK_ACCESS_FS_REMOVE_DIR, "fs.remove_dir" },
		{ LANDLOCK_ACCESS_FS_REFER, "fs.refer" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names) && len < n; i++)
		if (missing & names[i].bit)
			len += snprintf(buf + len, n - len, "%s%s", len ? "," : "", names[i].name);
	return buf;
}
