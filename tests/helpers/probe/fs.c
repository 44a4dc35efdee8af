/* probe: fs ops (probe.h) */
#include "probe.h"

/* write PATH: create or truncate PATH and write "x" to it. */
int op_write(char **av, char *d, size_t dn)
{
	int fd = open(av[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd == -1)
		FAIL("open");
	if (write(fd, "x", 1) != 1)
		FAIL("write");
	close(fd);
	return 0;
}

/* read PATH: open PATH and read from it (a directory: list it). */
int op_read(char **av, char *d, size_t dn)
{
	int fd = open(av[0], O_RDONLY | O_CLOEXEC), n;
	DIR *dir;
	char buf[64];

	if (fd == -1)
		FAIL("open");
	n = (int)read(fd, buf, sizeof(buf));
	if (n == -1 && errno == EISDIR) {
		dir = fdopendir(fd);
		if (!dir)
			FAIL("opendir");
		errno = 0;
		while (readdir(dir))
			;
		n = errno ? -1 : 0;
		closedir(dir);
		if (n == -1)
			FAIL("readdir");
		return 0;
	}
	close(fd);
	if (n == -1)
		FAIL("read");
	return 0;
}

/* rename FROM TO | symlink TARGET LINK | mkdir DIR | unlink PATH | rmdir DIR */
int op_rename(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return rename(av[0], av[1]) == -1 ? errno : 0;
}

int op_symlink(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return symlink(av[0], av[1]) == -1 ? errno : 0;
}

int op_mkdir(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return mkdir(av[0], 0755) == -1 ? errno : 0;
}

int op_unlink(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return unlink(av[0]) == -1 ? errno : 0;
}

/* truncate PATH: truncate(2) to 0 bytes. */
int op_truncate(char **av, char *d, size_t dn)
{
	(void)d;
	(void)dn;
	return truncate(av[0], 0) == -1 ? errno : 0;
}

/* The parent's pid as /proc says it (field 4 of /proc/self/stat), not getppid(). */
pid_t proc_ppid(void)
{
	char buf[512], *p;
	FILE *f = fopen("/proc/self/stat", "re");
	long pp = 0;

	if (f && fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %ld", &pp);
	if (f)
		fclose(f);
	return (pid_t)pp;
}
