/*
 * tmpdir: the sandbox's own temporary directory. Build tools, compilers and test runners write
 * temporary files, and /tmp is not writable under the default rules: sbx makes a private
 * directory, writable by the command, exports TMPDIR, TMP and TEMP to it, and removes it when
 * the command is done (--keep-tmp keeps it; so does --leave-running, whose processes may still
 * use it).
 */
#ifndef SBX_TMPDIR_H
#define SBX_TMPDIR_H

#include "../base/error.h"

/*
 * sbx_tmpdir_make() - make the directory under $TMPDIR (or /tmp), mode 0700, and export it.
 * Return its path (owned by the caller, passed to sbx_tmpdir_remove()) or NULL with @err set.
 */
char *sbx_tmpdir_make(struct sbx_error *err);

/*
 * sbx_tmpdir_remove() - remove @dir and everything in it, never following a symlink the
 * sandbox may have left there: every step is relative to an fd of a directory opened with
 * O_NOFOLLOW, so nothing outside can be reached through a name swapped meanwhile.
 */
void sbx_tmpdir_remove(const char *dir);

#endif
