/*
 * sbx-bench-order PROG [ARG...]: which of PROG's own instructions a run executes, in the order
 * they first run. PROG runs under ptrace, one instruction at a time, with the processes and
 * threads it starts until they execute another program; each new instruction address inside
 * PROG's mapping is printed as a hex offset from the mapping's start, one per line.
 *
 * bench/order.py turns these offsets into the function list of bench/startup.order, by which
 * the linker packs the code sbx-supervise runs at start-up into a few pages (Makefile, ORDER).
 * Any user can run it: PROG asks to be traced before it executes, so sbx-supervise making
 * itself non-dumpable later does not end the tracing (Yama's ptrace_scope 3 forbids it all).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/* Open addressing over offsets + 1 (0 marks a free slot); a start-up runs ~20 000 distinct
 * instructions. */
#define SEEN_SLOTS (1u << 20)

static unsigned long *seen;

static int first_time(unsigned long off)
{
	unsigned long h = (off * 0x9E3779B97F4A7C15ul) >> 44;

	while (seen[h]) {
		if (seen[h] == off + 1)
			return 0;
		h = (h + 1) & (SEEN_SLOTS - 1);
	}
	seen[h] = off + 1;
	return 1;
}

/* The start and end of @pid's mappings of @path (its text among them). */
static int prog_range(pid_t pid, const char *path, unsigned long *lo, unsigned long *hi)
{
	char maps[64], line[4096];
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	*lo = *hi = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		char *name = strchr(line, '/');

		if (!name || sscanf(line, "%lx-%lx", &a, &b) != 2)
			continue;
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, path))
			continue;
		if (!*lo)
			*lo = a;
		*hi = b;
	}
	fclose(f);
	return *lo ? 0 : -ENOENT;
}

int main(int argc, char **argv)
{
	unsigned long lo = 0, hi = 0;
	char *path;
	bool started = false;
	pid_t child;
	int st;

	if (argc < 2) {
		fprintf(stderr, "usage: sbx-bench-order PROG [ARG...]\n");
		return 2;
	}
	path = realpath(argv[1], NULL);
	seen = calloc(SEEN_SLOTS, sizeof(*seen));
	if (!path || !seen) {
		perror(argv[1]);
		return 2;
	}
	child = fork();
	if (child == -1) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execv(path, argv + 1);
		_exit(127);
	}
	if (waitpid(child, &st, 0) != child || !WIFSTOPPED(st)) {
		fprintf(stderr, "sbx-bench-order: the child did not stop\n");
		return 2;
	}
	ptrace(PTRACE_SETOPTIONS, child, NULL,
	       (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
			      PTRACE_O_TRACEVFORK | PTRACE_O_EXITKILL));
	ptrace(PTRACE_CONT, child, NULL, NULL);
	for (;;) {
		struct user_regs_struct regs;
		pid_t p = waitpid(-1, &st, __WALL);
		int sig = 0;

		if (p == -1)
			break; /* every tracee is gone */
		if (!WIFSTOPPED(st))
			continue;
		if (st >> 16 == PTRACE_EVENT_EXEC) {
			/* The first is PROG's own; any later one is the command it starts. */
			if (started) {
				ptrace(PTRACE_DETACH, p, NULL, NULL);
				continue;
			}
			if (prog_range(p, path, &lo, &hi) < 0) {
				fprintf(stderr, "sbx-bench-order: no mapping of %s\n", path);
				return 2;
			}
			started = true;
		} else if (st >> 16 == 0 && WSTOPSIG(st) != SIGTRAP && WSTOPSIG(st) != SIGSTOP) {
			sig = WSTOPSIG(st); /* a real signal: deliver it */
		}
		if (!started) {
			ptrace(PTRACE_CONT, p, NULL, (void *)(long)sig);
			continue;
		}
		if (ptrace(PTRACE_GETREGS, p, NULL, &regs) == 0 && regs.rip >= lo &&
		    regs.rip < hi && first_time(regs.rip - lo))
			printf("%lx\n", (unsigned long)(regs.rip - lo));
		ptrace(PTRACE_SINGLESTEP, p, NULL, (void *)(long)sig);
	}
	return started ? 0 : 2;
}
