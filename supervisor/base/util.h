/* Small helpers shared by every module: cleanup attributes and ownership hand-off. */
#ifndef SBX_UTIL_H
#define SBX_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f)  __attribute__((cleanup(f)))

/* Cleanup must not clobber errno: callers read it after a failed call. */
static inline void sbx_freep(void *p)
{
	int saved = errno;

	free(*(void **)p);
	errno = saved;
}

/* close() is never retried: on Linux the fd is gone even when it reports EINTR. */
static inline void sbx_closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

static inline void sbx_fclosep(FILE **f)
{
	int saved = errno;

	if (*f)
		fclose(*f);
	errno = saved;
}

#define _cleanup_free_	 _cleanup_(sbx_freep)
#define _cleanup_close_	 _cleanup_(sbx_closep)
#define _cleanup_fclose_ _cleanup_(sbx_fclosep)

/* Hand ownership to the caller: the cleanup of the local then does nothing. */
#define steal_ptr(p)                      \
	({                                \
		__typeof__(p) _tmp = (p); \
		(p) = NULL;               \
		_tmp;                     \
	})

/* Whether @fd is a socket: the kernel's ENOTSOCK, decided where sbx answers for it. */
static inline bool sbx_fd_is_sock(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static inline int steal_fd(int *fd)
{
	int tmp = *fd;

	*fd = -1;
	return tmp;
}

#endif
