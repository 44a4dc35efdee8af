/*
 * The least any supervising wrapper can cost at start-up: a static program that forks,
 * executes the command in the child and waits for it. sbx-supervise is such a wrapper (the
 * supervisor must be the command's parent), so this is its floor in the startup table.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: sbx-bench-wrap CMD [ARG...]\n");
		return 125;
	}
	pid = fork();
	if (pid == -1)
		return 125;
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
