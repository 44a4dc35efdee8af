/* Owns the filesystem part of the policy: --rw, --ro, --deny-read and --landlock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "../base/util.h"

int sbx_pol_add_fs(struct sbx_policy *pol, enum sbx_fs_kind kind, const char *flag,
		   const char *path, struct sbx_error *err)
{
	_cleanup_free_ char *real = NULL;
	struct sbx_fs_path *grown;

	if (!*path)
		return sbx_error_set(err, EINVAL, "%s needs a path", flag);
	real = realpath(path, NULL);
	if (!real) {
		sbx_error_set(err, errno, "%s %s", flag, path);
		/* A missing --rw tree is an error too, as for --allow-unix-socket PATH: a typo
		 * would otherwise leave the command without the tree it was meant to write. */
		if (err && err->code == ENOENT)
			sbx_error_hint(err, "%s",
				       kind == SBX_FS_RW
					       ? "create it first (mkdir -p)"
					       : "nothing to protect there; drop the flag");
		return -(err ? err->code : ENOENT);
	}
	grown = realloc(pol->fs_paths, (pol->n_fs + 1) * sizeof(*grown));
	if (!grown)
		return sbx_error_set(err, ENOMEM, "%s %s", flag, path);
	pol->fs_paths = grown;
	pol->fs_paths[pol->n_fs++] = (struct sbx_fs_path){ kind, steal_ptr(real) };
	return 0;
}

int sbx_pol_set_landlock(struct sbx_policy *pol, const char *mode, struct sbx_error *err)
{
	static const char *const names[] = {
		[SBX_LL_AUTO] = "auto",
		[SBX_LL_REQUIRE] = "require",
		[SBX_LL_OFF] = "off",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(mode, names[i])) {
			pol->landlock = (enum sbx_ll_mode)i;
			return 0;
		}
	}
	sbx_error_set(err, 0, "--landlock %s: not a mode", mode);
	sbx_error_hint(err, "use --landlock=auto, --landlock=require or --landlock=off");
	return -(err ? err->code = EINVAL : EINVAL);
}
