/* Owns the SCM_RIGHTS share of the supervisor's fd table (see fdbudget.h). */
#include <errno.h>
#include <stdatomic.h>
#include <sys/resource.h>

#include "fdbudget.h"

/* Until sbx_fdbudget_init: the usual default soft limit. */
static atomic_long sbx_fd_large = 1024 / 2, sbx_fd_small = 1024 / 8 * 5;
static atomic_long sbx_fd_held;

long sbx_fdbudget_init(void)
{
	struct rlimit rl;
	long limit = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		/* Our own table only: the command was forked with the limits it was given. */
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		limit = rl.rlim_cur > (1UL << 30) ? 1L << 30 : (long)rl.rlim_cur;
	}
	atomic_store(&sbx_fd_large, limit / 2);
	atomic_store(&sbx_fd_small, limit / 8 * 5);
	return limit;
}

int sbx_fdbudget_take(size_t n)
{
	long cap =
		n <= SBX_FDBUDGET_SMALL ? atomic_load(&sbx_fd_small) : atomic_load(&sbx_fd_large);
	long held = atomic_fetch_add(&sbx_fd_held, (long)n) + (long)n;

	if (held > cap) {
		atomic_fetch_sub(&sbx_fd_held, (long)n);
		return -ETOOMANYREFS;
	}
	return 0;
}

void sbx_fdbudget_give(size_t n)
{
	atomic_fetch_sub(&sbx_fd_held, (long)n);
}
