/*
 * policy: what the sandbox may reach, as parsed from the command line. Pure data plus
 * matching; canonicalisation touches the filesystem only at start.
 *
 * Lifecycle: a zeroed struct sbx_policy is empty (everything denied); add rules with
 * sbx_pol_add_unix(); match with sbx_pol_match_*(); release with sbx_pol_free().
 */
#ifndef SBX_POLICY_H
#define SBX_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define SBX_UNIX_NAME_MAX 107 /* sun_path minus the leading NUL of an abstract name */

enum sbx_unix_kind {
	SBX_UNIX_PATH,	   /* one socket file, by canonical path */
	SBX_UNIX_DIR,	   /* any socket below a directory; path ends with '/' */
	SBX_UNIX_ABSTRACT, /* an abstract name, bytes after '@' */
};

struct sbx_unix_rule {
	enum sbx_unix_kind kind;
	char *arg;  /* as the user wrote it, for messages */
	char *path; /* canonical absolute path (SBX_UNIX_DIR: with trailing '/') */
	size_t path_len;
	unsigned char name[SBX_UNIX_NAME_MAX];
	size_t name_len;
};

struct sbx_policy {
	struct sbx_unix_rule *unix_rules;
	size_t n_unix;
};

/*
 * sbx_pol_add_unix() - parse one --allow-unix-socket argument and add it.
 * "PATH": must exist and be a socket; canonicalised with symlinks resolved.
 * "DIR/": canonicalised if it exists, else made absolute and normalised lexically.
 * "@NAME": an abstract name of 1..107 bytes.
 * Return: 0, or -errno with @err set (message and hint).
 */
int sbx_pol_add_unix(struct sbx_policy *pol, const char *arg, struct sbx_error *err);

/* sbx_pol_match_path() - the rule allowing canonical path @canon, or NULL. */
const struct sbx_unix_rule *sbx_pol_match_path(const struct sbx_policy *pol, const char *canon);

/* sbx_pol_match_abstract() - the rule allowing abstract name @name of @len bytes, or NULL. */
const struct sbx_unix_rule *sbx_pol_match_abstract(const struct sbx_policy *pol, const void *name,
						   size_t len);

/* sbx_pol_free() - release everything @pol owns and zero it. */
void sbx_pol_free(struct sbx_policy *pol);

#endif
