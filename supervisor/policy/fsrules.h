/*
 * fsrules: the filesystem policy (--rw, --ro, --deny-read, the writable devices, the socket
 * allowlist) turned into the list of Landlock path-beneath rules that enforces it. Pure: the
 * only view of the filesystem is a small lister the caller injects (the real one in llplan.c,
 * a fake tree in the unit test).
 *
 * Landlock rules only add rights, and a right granted on a directory holds for everything
 * below it. A tree that must have fewer rights than the tree around it (--ro inside --rw, or
 * --deny-read anywhere) is therefore built by granting nothing on the directories leading to
 * it and granting the outer rights on each of their other entries (its siblings), as they are
 * when the list is built.
 */
#ifndef SBX_FSRULES_H
#define SBX_FSRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/syscalls.h"

/* Reading: files, directories and execution. */
#define SBX_FS_READ \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* Everything that changes the filesystem. */
#define SBX_FS_WRITE                                                                              \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                          \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |                          \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |                              \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |                            \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER | \
	 LANDLOCK_ACCESS_FS_TRUNCATE)
/* The rights a rule on a non-directory may carry (the kernel refuses others, EINVAL). */
#define SBX_FS_FILE                                                   \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV | LANDLOCK_ACCESS_FS_RESOLVE_UNIX)
/* What the writable device files (/dev/null, the terminal) get on top of reading. */
#define SBX_FS_DEV_WRITE (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

enum sbx_fsr_type {
	SBX_FSR_DIR,
	SBX_FSR_FILE, /* anything that is neither a directory nor a symlink */
	SBX_FSR_SYMLINK,
};

/* One entry of a directory, handed to the lister's callback. Return 0 or -errno (stops). */
typedef int (*sbx_fsr_entry_fn)(void *arg, const char *name, enum sbx_fsr_type type);

/* The view of the filesystem the builder needs. Both return 0 / a type, or -errno. */
struct sbx_fsr_ops {
	/* call @fn for every entry of directory @dir except "." and ".." */
	int (*list)(void *ctx, const char *dir, sbx_fsr_entry_fn fn, void *arg);
	/* the type of @path itself (lstat) */
	int (*type)(void *ctx, const char *path);
};

/* What the builder is asked for; every path canonical and absolute. */
struct sbx_fsr_input {
	const char *const *rw; /* trees made writable */
	size_t n_rw;
	const char *const *ro; /* trees kept read-only, even inside an rw tree */
	size_t n_ro;
	const char *const *deny; /* trees made unreadable */
	size_t n_deny;
	const char *const *dev; /* files written to but not created (/dev/null, ttys) */
	size_t n_dev;
	const char *const *unix_allow; /* allowlisted sockets (a path, or "DIR/") */
	size_t n_unix_allow;
	uint64_t handled; /* the rights the ruleset handles; rules carry nothing else */
};

struct sbx_fsr_rule {
	char *path;
	uint64_t access;
	bool dir;
};

struct sbx_fsr_list {
	struct sbx_fsr_rule *v;
	size_t n;
	char *unlisted; /* the first directory that could not be listed (its siblings got
			 * nothing), or NULL */
	int unlisted_err;
};

/*
 * sbx_fsr_build() - compute the rules for @in into @out (zeroed by the caller): the whole
 * filesystem readable; rw trees readable and writable; ro trees only readable; deny trees
 * nothing; the dev files writable; the most specific path wins, and for one path the most
 * restrictive flag. With LANDLOCK_ACCESS_FS_RESOLVE_UNIX handled, the allowlisted sockets
 * (and DIR/ trees) also get that right, as a second lock behind the supervisor.
 * Symlinks met as siblings get no rule (a rule follows a symlink to its target).
 * A path of @in that does not exist is skipped. Return 0 or -ENOMEM.
 */
int sbx_fsr_build(const struct sbx_fsr_input *in, const struct sbx_fsr_ops *ops, void *ctx,
		  struct sbx_fsr_list *out);

/* sbx_fsr_access() - the rights the rules of @l grant at canonical path @path: the union of
 * the rules on it and on each of its ancestors, as Landlock computes them. */
uint64_t sbx_fsr_access(const struct sbx_fsr_list *l, const char *path);

/* sbx_fsr_describe() - "read,write,…" for @access, into @buf. Returns @buf. */
const char *sbx_fsr_describe(uint64_t access, char *buf, size_t n);

/* sbx_fsr_free() - release @l's rules and zero it. */
void sbx_fsr_free(struct sbx_fsr_list *l);

#endif
