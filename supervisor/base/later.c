/* Owns the descriptors workers close after their reply (later.h). */
#include <errno.h>
#include <unistd.h>

#include "later.h"

#define SBX_LATER_MAX 16

static __thread int sbx_later[SBX_LATER_MAX];
static __thread int sbx_later_n;

void sbx_close_later(int fd)
{
	int saved = errno;

	if (sbx_later_n < SBX_LATER_MAX)
		sbx_later[sbx_later_n++] = fd;
	else
		close(fd);
	errno = saved;
}

void sbx_close_later_flush(void)
{
	int saved = errno;

	while (sbx_later_n > 0)
		close(sbx_later[--sbx_later_n]);
	errno = saved;
}
