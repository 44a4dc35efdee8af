/*
 * Replays a fuzz target's seed corpus without libFuzzer, as a TAP test: every file of
 * $SBX_SRC/tests/fuzz/corpus/SBX_FUZZ_NAME/ is fed to LLVMFuzzerTestOneInput() in a child,
 * so a crash fails that file's test instead of the whole run.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/tap.h"
#include "fuzz.h"

#ifndef SBX_FUZZ_NAME
#error "build with -DSBX_FUZZ_NAME=\"target\""
#endif

static int run_one(const char *path)
{
	struct stat st;
	unsigned char *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1 || fstat(fd, &st) == -1)
		return 1;
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		return 1;
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size)
		return 1;
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	const char *src = getenv("SBX_SRC") ? getenv("SBX_SRC") : ".";
	char dir[4096], path[8192];
	struct dirent **ents;
	int n, i, st;

	/* With arguments: run those files directly (for reproducing a crash). */
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			ok(run_one(argv[i]) == 0, "%s", argv[i]);
		return done_testing();
	}
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", src, SBX_FUZZ_NAME);
	n = scandir(dir, &ents, NULL, cmp);
	if (n < 0)
		bail_out("no corpus at %s", dir);
	for (i = 0; i < n; i++) {
		pid_t pid;

		if (ents[i]->d_name[0] == '.') {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(run_one(path));
		if (pid == -1 || waitpid(pid, &st, 0) == -1)
			bail_out("fork/wait");
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: %s replays cleanly", SBX_FUZZ_NAME,
		   ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return done_testing();
}
