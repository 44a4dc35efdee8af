/*
 * Replays the seed corpus of fuzz_policy.c without libFuzzer (a gcc build): one TAP test per
 * file in corpus/ (or in the directories given), passing when the target returns, which under
 * the sanitizer build also means no error was reported.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replay_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	pid_t pid;
	int st = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		bail_out("open %s: %s", path, strerror(errno));
	buf = malloc(1 << 20);
	if (!buf)
		bail_out("out of memory");
	len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	/* In a child, so a crash or an abort is this file's failure, not the whole run's. */
	pid = fork();
	if (pid == 0)
		_exit(LLVMFuzzerTestOneInput((const uint8_t *)buf, len));
	free(buf);
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "%s replays cleanly", path);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void replay_dir(const char *dir)
{
	struct dirent **ents;
	char path[4096];
	int n, i;

	n = scandir(dir, &ents, NULL, by_name);
	if (n < 0)
		bail_out("scandir %s: %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			replay_file(path);
		}
		free(ents[i]);
	}
	free(ents);
}

int main(int argc, char **argv)
{
	const char *src = getenv("SBX_SRC");
	char dir[4096];
	int i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			replay_dir(argv[i]);
	} else {
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/policy/corpus", src ? src : ".");
		replay_dir(dir);
	}
	return done_testing();
}
