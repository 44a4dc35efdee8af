/* Owns access to a notifying thread: pidfd, memory, fds, cwd, ids. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "syscalls.h"
#include "task.h"
#include "util.h"

static bool sbx_pidfd_thread;

/*
 * Each worker keeps the thread pidfds of the last callers it served: a program making a
 * stream of socket calls then costs no pidfd_open/close per call. This is safe because a
 * pidfd names one struct pid, never reused: a cached pidfd either reaches the very thread
 * that has that tid now, or a dead one, and then pidfd_getfd fails with ESRCH and the entry
 * is replaced (sbx_task_getfd). Only with PIDFD_THREAD: a leader's pidfd, kept by tid, could
 * outlive the thread's membership of that process. Small, because every worker holds its
 * own and workers may be many.
 */
#define SBX_PIDFD_CACHE 2

struct sbx_pidfd_cache {
	pid_t tid[SBX_PIDFD_CACHE]; /* 0: empty */
	int fd[SBX_PIDFD_CACHE];
	unsigned int next;
};

static __thread struct sbx_pidfd_cache sbx_cache;
static pthread_key_t sbx_cache_key;
static bool sbx_cache_on;

/* At a worker's exit: close what it cached. */
static void sbx_cache_release(void *p)
{
	struct sbx_pidfd_cache *c = p;
	size_t i;

	for (i = 0; i < SBX_PIDFD_CACHE; i++) {
		if (c->tid[i])
			close(c->fd[i]);
		c->tid[i] = 0;
	}
}

static int sbx_cache_find_tid(pid_t tid)
{
	size_t i;

	for (i = 0; i < SBX_PIDFD_CACHE; i++)
		if (sbx_cache.tid[i] == tid)
			return (int)i;
	return -1;
}

static bool sbx_cache_has_fd(int fd)
{
	size_t i;

	for (i = 0; i < SBX_PIDFD_CACHE; i++)
		if (sbx_cache.tid[i] && sbx_cache.fd[i] == fd)
			return true;
	return false;
}

static void sbx_cache_put(pid_t tid, int fd)
{
	unsigned int i = sbx_cache.next++ % SBX_PIDFD_CACHE;

	if (sbx_cache.tid[i])
		close(sbx_cache.fd[i]);
	else
		pthread_setspecific(sbx_cache_key, &sbx_cache); /* arms the destructor */
	sbx_cache.tid[i] = tid;
	sbx_cache.fd[i] = fd;
}

static void sbx_cache_drop(int slot)
{
	close(sbx_cache.fd[slot]);
	sbx_cache.tid[slot] = 0;
}

bool sbx_task_probe(void)
{
	int fd = sys_pidfd_open(gettid(), PIDFD_THREAD);

	sbx_pidfd_thread = fd >= 0;
	if (fd >= 0)
		close(fd);
	sbx_cache_on =
		sbx_pidfd_thread && pthread_key_create(&sbx_cache_key, sbx_cache_release) == 0;
	return sbx_pidfd_thread;
}

static pid_t sbx_task_tgid(pid_t tid)
{
	char path[64], line[256];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Tgid:", 5))
			return (pid_t)strtol(line + 5, NULL, 10);
	return -ESRCH;
}

int sbx_task_open(struct sbx_task *t, pid_t tid)
{
	int slot;

	t->tid = tid;
	if (sbx_cache_on && tid > 0 && (slot = sbx_cache_find_tid(tid)) >= 0) {
		t->pidfd = sbx_cache.fd[slot];
		return 0;
	}
	if (sbx_pidfd_thread) {
		t->pidfd = sys_pidfd_open(tid, PIDFD_THREAD);
		if (t->pidfd >= 0 && sbx_cache_on)
			sbx_cache_put(tid, t->pidfd);
	} else {
		/* Before Linux 6.9 a pidfd names a thread group: use the leader, whose fd
		 * table the thread shares unless it unshared CLONE_FILES (documented limit). */
		pid_t tgid = sbx_task_tgid(tid);

		if (tgid < 0)
			return tgid;
		t->pidfd = sys_pidfd_open(tgid, 0);
	}
	return t->pidfd >= 0 ? 0 : -errno;
}

void sbx_task_close(struct sbx_task *t)
{
	if (t->pidfd >= 0 && !(sbx_cache_on && sbx_cache_has_fd(t->pidfd)))
		close(t->pidfd);
	t->pidfd = -1;
}

int sbx_task_read(struct sbx_task *t, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (len == 0)
		return 0;
	n = process_vm_readv(t->tid, &local, 1, &remote, 1, 0);
	if (n < 0 && errno == EPERM) {
		t->unreadable = true;
		return -EPERM;
	}
	/* A short read means part of the range is unmapped: the kernel would fault too. */
	if (n != (ssize_t)len)
		return n < 0 && errno != EFAULT && errno != ENOMEM ? -errno : -EFAULT;
	return 0;
}

int sbx_task_write(const struct sbx_task *t, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)(uintptr_t)addr, len };

	if (process_vm_writev(t->tid, &local, 1, &remote, 1, 0) != (ssize_t)len)
		return -EFAULT;
	return 0;
}

int sbx_task_getfd(struct sbx_task *t, int fd)
{
	int r;

	if (fd < 0)
		return -EBADF;
	r = sys_pidfd_getfd(t->pidfd, fd, 0);
	if (r < 0 && errno == ESRCH && sbx_cache_on) {
		/* A cached pidfd of a dead thread whose tid is now the caller's: replace it. */
		int slot = sbx_cache_find_tid(t->tid);
		int fresh;

		if (slot >= 0 && sbx_cache.fd[slot] == t->pidfd) {
			sbx_cache_drop(slot);
			t->pidfd = -1;
			fresh = sys_pidfd_open(t->tid, PIDFD_THREAD);
			if (fresh < 0)
				return -ESRCH;
			t->pidfd = fresh;
			sbx_cache_put(t->tid, fresh);
			r = sys_pidfd_getfd(t->pidfd, fd, 0);
		}
	}
	if (r < 0 && errno == EPERM)
		t->unreadable = true;
	return r >= 0 ? r : -errno;
}

int sbx_task_cwd(const struct sbx_task *t)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cwd", t->tid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

static void sbx_parse_ids(const char *s, unsigned int out[3])
{
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		out[i] = (unsigned int)strtoul(s, &end, 10);
		s = end;
	}
}

int sbx_task_ids(const struct sbx_task *t, struct sbx_task_ids *ids)
{
	char path[64], line[256];
	_cleanup_fclose_ FILE *f = NULL;
	int seen = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", t->tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Umask:", 6)) {
			ids->umask = (mode_t)strtoul(line + 6, NULL, 8);
			seen |= 1;
		} else if (!strncmp(line, "Tgid:", 5)) {
			ids->tgid = (pid_t)strtol(line + 5, NULL, 10);
			seen |= 2;
		} else if (!strncmp(line, "Uid:", 4)) {
			sbx_parse_ids(line + 4, ids->uid);
			seen |= 4;
		} else if (!strncmp(line, "Gid:", 4)) {
			sbx_parse_ids(line + 4, ids->gid);
			seen |= 8;
		}
	}
	return seen == 15 ? 0 : -ESRCH;
}

void sbx_task_comm(pid_t tid, char *out, size_t n)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/%d/comm", tid);
	snprintf(out, n, "?");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || n < 2)
		return;
	r = read(fd, out, n - 1);
	if (r <= 0) {
		snprintf(out, n, "?");
		return;
	}
	out[r] = '\0';
	out[strcspn(out, "\n")] = '\0';
}
