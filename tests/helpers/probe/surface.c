/* probe: surface ops (probe.h) */
#include "probe.h"

/* io_uring: raw io_uring_setup(4, params). */
int op_io_uring(char **av, char *d, size_t dn)
{
	char params[120];
	long fd;

	(void)av;
	(void)d;
	(void)dn;
	memset(params, 0, sizeof(params));
	fd = syscall(__NR_io_uring_setup, 4, params);
	if (fd == -1)
		return errno;
	close((int)fd);
	return 0;
}

/* A page followed by an unmapped page: addresses near its end straddle into the hole. */
char *guard_page(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		usage("mmap: %s", strerror(errno));
	munmap(p + pg, (size_t)pg);
	return p;
}

void *unmapped(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	return guard_page() + pg;
}

/* tiocsti PTS [hi]: push a byte into the tty's input; "hi" sets the upper 32 bits of the
 * request, which the kernel ignores (the argument is an unsigned int). */
int op_tiocsti(char **av, char *d, size_t dn)
{
	unsigned long req = TIOCSTI;
	char c = '#';
	int fd = open(av[0], O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd == -1)
		FAIL("open");
	if (av[1] && !strcmp(av[1], "hi"))
		req |= 0xdead000000000000UL;
	if (syscall(SYS_ioctl, fd, req, &c) == -1)
		FAIL("");
	close(fd);
	return 0;
}

/* tioclinux PTS: TIOCLINUX subcode 2 (set selection), which copies into the console. */
int op_tioclinux(char **av, char *d, size_t dn)
{
	char arg[16] = { 2 };
	int fd = open(av[0], O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd == -1)
		FAIL("open");
	if (ioctl(fd, TIOCLINUX, arg) == -1)
		FAIL("");
	close(fd);
	return 0;
}

/* ---- int 0x80: the i386 ABI from a 64-bit process ---- */

long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/* int80 ADDR: socketcall(SYS_CONNECT) (102/3) and i386 connect (362) on a 64-bit socket, with
 * the arguments in MAP_32BIT memory. Runs in a forked child: without IA-32 emulation the
 * instruction raises SIGSEGV, reported as "unsupported". */
int op_int80(char **av, char *d, size_t dn)
{
	pid_t pid;
	int st, fd = -1;

	fflush(stdout);
	pid = fork();
	if (pid == -1)
		FAIL("fork");
	if (pid == 0) {
		char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		struct sockaddr_un *sun = (struct sockaddr_un *)m;
		uint32_t *args = (uint32_t *)(m + 512);
		long r1, r2;
		int s1, s2;

		if (m == MAP_FAILED)
			_exit(4);
		args[1] = (uint32_t)(uintptr_t)sun;
		args[2] = mkaddr(sun, av[0]);
		s1 = socket(AF_UNIX, SOCK_STREAM, 0);
		s2 = socket(AF_UNIX, SOCK_STREAM, 0);
		args[0] = (uint32_t)s1;
		r1 = int80(102, 3, (long)(uintptr_t)args, 0);
		r2 = int80(362, s2, (long)(uintptr_t)sun, args[2]);
		result("ok socketcall=%s i386=%s", r1 < 0 ? ename((int)-r1) : "0",
		       r2 < 0 ? ename((int)-r2) : "0");
		_exit(0);
	}
	if (waitpid(pid, &st, 0) == -1)
		FAIL("waitpid");
	if (WIFSIGNALED(st) &&
	    (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGILL || WTERMSIG(st) == SIGBUS)) {
		snprintf(d, dn, "unsupported signal=%s", sigabbrev_np(WTERMSIG(st)));
		return 0;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return -1; /* the child printed the line */
	snprintf(d, dn, "child status=0x%x", st);
	return EIO;
}
