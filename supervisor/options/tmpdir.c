/* Owns the sandbox's private temporary directory (tmpdir.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"
#include "tmpdir.h"

char *sbx_tmpdir_make(struct sbx_error *err)
{
	static const char *const vars[] = { "TMPDIR", "TMP", "TEMP" };
	const char *base = getenv("TMPDIR");
	char path[PATH_MAX];
	size_t i;

	if (!base || base[0] != '/' || access(base, W_OK | X_OK) == -1)
		base = "/tmp";
	snprintf(path, sizeof(path), "%s/sbx-tmp.XXXXXX", base);
	if (!mkdtemp(path)) {
		sbx_error_set(err, errno, "make the sandbox's temporary directory in %s", base);
		sbx_error_hint(err, "set TMPDIR to a directory you can write to");
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		if (setenv(vars[i], path, 1) == -1) {
			sbx_error_set(err, errno, "setenv %s", vars[i]);
			rmdir(path);
			return NULL;
		}
	}
	return strdup(path);
}

/* Empty the directory open at @dfd, depth first. */
static void sbx_tmpdir_empty(int dfd, int depth)
{
	DIR *d;
	struct dirent *e;
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);

	if (fd < 0 || depth > 256)
		goto out;
	d = fdopendir(fd);
	if (!d)
		goto out;
	fd = -1;
	while ((e = readdir(d))) {
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0)
			continue;
		sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		sbx_tmpdir_empty(sub, depth + 1);
		close(sub);
		(void)unlinkat(dfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
out:
	if (fd >= 0)
		close(fd);
}

void sbx_tmpdir_remove(const char *dir)
{
	int fd;

	/* Most commands leave it empty: one rmdir, which the caller waits for, instead of
	 * opening and listing it first. */
	if (rmdir(dir) == 0 || errno == ENOENT)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	sbx_tmpdir_empty(fd, 0);
	close(fd);
	if (rmdir(dir) == -1 && errno != ENOENT)
		sbx_log_warn("cannot remove the sandbox's temporary directory %s: %s", dir,
			     strerror(errno));
}
