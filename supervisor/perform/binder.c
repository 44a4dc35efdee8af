/* Owns the supervisor's Landlock-confined bind thread. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../shim/confine.h"
#include "binder.h"
#include "../base/creds.h"
#include "../base/thread.h"

static struct {
	pthread_mutex_t serial; /* one request at a time */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state; /* 0 not started, 1 running, -errno failed to start */
	bool pending, done;
	const struct sbx_ll_plan *ll;
	int ruleset; /* built by sbx_binder_prepare(), -1 for none; entered by the thread */
	bool prepared;
	int sock, cwd;
	mode_t mask;
	const void *addr;
	size_t len;
	long result;
} sbx_binder = {
	.serial = PTHREAD_MUTEX_INITIALIZER,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void *sbx_binder_main(void *arg)
{
	char what[64];
	int r = 0;

	(void)arg;
	/* The command's capabilities (creds.h); own cwd and umask; no_new_privs and the
	 * domain are this thread's alone. */
	r = sbx_creds_enter();
	if (r == 0 && (unshare(CLONE_FS) == -1 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1))
		r = -errno;
	if (r == 0)
		r = sbx_confine_enter(sbx_binder.ll, sbx_binder.ruleset, what, sizeof(what));
	pthread_mutex_lock(&sbx_binder.lock);
	sbx_binder.state = r < 0 ? r : 1;
	pthread_cond_broadcast(&sbx_binder.cond);
	/* Serve binds for as long as the supervisor lives; a failed start serves none. */
	if (r < 0) {
		pthread_mutex_unlock(&sbx_binder.lock);
		return NULL;
	}
	for (;;) {
		while (!sbx_binder.pending)
			pthread_cond_wait(&sbx_binder.cond, &sbx_binder.lock);
		sbx_binder.pending = false;
		if (fchdir(sbx_binder.cwd) == -1) {
			sbx_binder.result = -EPERM;
		} else {
			umask(sbx_binder.mask);
			sbx_binder.result = bind(sbx_binder.sock, sbx_binder.addr,
						 (socklen_t)sbx_binder.len) == -1
						    ? -errno
						    : 0;
		}
		sbx_binder.done = true;
		pthread_cond_broadcast(&sbx_binder.cond);
	}
}

int sbx_binder_prepare(const struct sbx_ll_plan *ll)
{
	char what[64];
	int r;

	if (sbx_binder.prepared)
		return 0;
	sbx_binder.ll = ll;
	r = sbx_confine_ruleset_only(ll, LANDLOCK_ACCESS_FS_MAKE_SOCK, &sbx_binder.ruleset, what,
				     sizeof(what));
	if (r < 0)
		return r;
	sbx_binder.prepared = true;
	return 0;
}

/* The thread, at the first bind: most sandboxes never bind a path, and every thread costs
 * start-up and exit time. */
static int sbx_binder_start(void)
{
	pthread_attr_t attr;
	pthread_t th;
	int r;

	if (sbx_binder.state != 0)
		return sbx_binder.state < 0 ? sbx_binder.state : 0;
	if (!sbx_binder.prepared)
		return -EINVAL;
	sbx_thread_attr(&attr, 64 * 1024);
	r = pthread_create(&th, &attr, sbx_binder_main, NULL);
	pthread_attr_destroy(&attr);
	if (r)
		return -r;
	pthread_mutex_lock(&sbx_binder.lock);
	while (sbx_binder.state == 0)
		pthread_cond_wait(&sbx_binder.cond, &sbx_binder.lock);
	r = sbx_binder.state < 0 ? sbx_binder.state : 0;
	pthread_mutex_unlock(&sbx_binder.lock);
	return r;
}

long sbx_binder_bind(int sock, int cwd, mode_t mask, const void *addr, size_t len)
{
	long r = 0;

	pthread_mutex_lock(&sbx_binder.serial);
	r = sbx_binder_start();
	if (r < 0) {
		pthread_mutex_unlock(&sbx_binder.serial);
		return -EACCES; /* fail closed: no confined thread, no socket file */
	}
	pthread_mutex_lock(&sbx_binder.lock);
	sbx_binder.sock = sock;
	sbx_binder.cwd = cwd;
	sbx_binder.mask = mask;
	sbx_binder.addr = addr;
	sbx_binder.len = len;
	sbx_binder.done = false;
	sbx_binder.pending = true;
	pthread_cond_broadcast(&sbx_binder.cond);
	while (!sbx_binder.done)
		pthread_cond_wait(&sbx_binder.cond, &sbx_binder.lock);
	r = sbx_binder.result;
	pthread_mutex_unlock(&sbx_binder.lock);
	pthread_mutex_unlock(&sbx_binder.serial);
	return r;
}
