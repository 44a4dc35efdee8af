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

#include "../base/creds.h"
#include "../base/syscalls.h"
#include "task.h"
#include "../base/util.h"

static bool sbx_pidfd_thread;

/*
 * The thread pidfds of recent callers, shared by the workers: a program making a stream of
 * socket calls then costs no pidfd_open/close per call (~5 us here), however many workers and
 * callers take turns. This is safe because a pidfd names one struct pid, never reused: a
 * cached pidfd either reaches the very thread that has that tid now, or a dead one, and then
 * pidfd_getfd fails with ESRCH and the entry is marked stale (sbx_task_getfd). Only with
 * PIDFD_THREAD: a leader's pidfd, kept by tid, could outlive the thread's membership of that
 * process. An entry is closed only when no call holds it (refs), so a worker or the cancel
 * monitor never sees its pidfd closed under it. Fixed size: the fds it holds are bounded.
 */
#define SBX_PIDFD_CACHE 32

struct sbx_pidfd_slot {
	pid_t tid; /* 0: empty */
	int fd;
	unsigned int refs;  /* calls holding it now */
	bool stale;	    /* its thread died: closed at the last release, never handed out */
	unsigned long used; /* when it was last handed out: the least recent is replaced */
};

static struct {
	pthread_mutex_t lock;
	unsigned long tick;
	struct sbx_pidfd_slot s[SBX_PIDFD_CACHE];
} sbx_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Under the lock: the live entry for @tid, or -1. */
static int sbx_cache_find(pid_t tid)
{
	size_t i;

	for (i = 0; i < SBX_PIDFD_CACHE; i++)
		if (sbx_cache.s[i].tid == tid && !sbx_cache.s[i].stale)
			return (int)i;
	return -1;
}

/* Hand out the cached pidfd of @tid to @t; false on a miss. */
static bool sbx_cache_get(struct sbx_task *t, pid_t tid)
{
	int i;

	pthread_mutex_lock(&sbx_cache.lock);
	i = sbx_cache_find(tid);
	if (i >= 0) {
		sbx_cache.s[i].refs++;
		sbx_cache.s[i].used = ++sbx_cache.tick;
		t->pidfd = sbx_cache.s[i].fd;
		t->slot = i + 1;
	}
	pthread_mutex_unlock(&sbx_cache.lock);
	return i >= 0;
}

/* Under the lock: an empty entry, else the least recently used one no call holds, or -1. */
static int sbx_cache_victim(void)
{
	int i, victim = -1;

	for (i = 0; i < SBX_PIDFD_CACHE; i++) {
		const struct sbx_pidfd_slot *e = &sbx_cache.s[i];

		if (e->refs)
			continue;
		if (!e->tid)
			return i;
		if (victim < 0 || e->used < sbx_cache.s[victim].used)
			victim = i;
	}
	return victim;
}

/* Keep @t's fresh pidfd in the cache; when every entry is held, or another worker cached
 * @tid meanwhile, @t keeps it uncached. */
static void sbx_cache_add(struct sbx_task *t)
{
	int victim = -1, old = -1;

	pthread_mutex_lock(&sbx_cache.lock);
	if (sbx_cache_find(t->tid) < 0)
		victim = sbx_cache_victim();
	if (victim >= 0) {
		struct sbx_pidfd_slot *e = &sbx_cache.s[victim];

		if (e->tid)
			old = e->fd;
		*e = (struct sbx_pidfd_slot){
			.tid = t->tid, .fd = t->pidfd, .refs = 1, .used = ++sbx_cache.tick
		};
		t->slot = victim + 1;
	}
	pthread_mutex_unlock(&sbx_cache.lock);
	if (old >= 0)
		close(old);
}

/* Give back @t's entry; the last holder of a stale one closes it. */
static void sbx_cache_put(struct sbx_task *t, bool stale)
{
	struct sbx_pidfd_slot *e = &sbx_cache.s[t->slot - 1];
	int old = -1;

	pthread_mutex_lock(&sbx_cache.lock);
	e->stale |= stale;
	if (--e->refs == 0 && e->stale) {
		old = e->fd;
		*e = (struct sbx_pidfd_slot){ 0 };
	}
	pthread_mutex_unlock(&sbx_cache.lock);
	if (old >= 0)
		close(old);
	t->slot = 0;
	t->pidfd = -1;
}

bool sbx_task_probe(void)
{
	int fd = sys_pidfd_open(gettid(), PIDFD_THREAD);

	sbx_pidfd_thread = fd >= 0;
	if (fd >= 0)
		close(fd);
	return sbx_pidfd_thread;
}

int sbx_task_getfd_probe(void)
{
	int self = sys_pidfd_open(getpid(), 0), fd, e;

	if (self < 0)
		return -errno;
	/* Our own fd, from ourselves: only a seccomp profile or an old kernel refuses it. */
	fd = sys_pidfd_getfd(self, self, 0);
	e = errno;
	close(self);
	if (fd < 0)
		return -e;
	close(fd);
	return 0;
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
	t->tid = tid;
	t->slot = 0;
	if (sbx_pidfd_thread && tid > 0 && sbx_cache_get(t, tid))
		return 0;
	if (sbx_pidfd_thread) {
		t->pidfd = sys_pidfd_open(tid, PIDFD_THREAD);
		if (t->pidfd >= 0)
			sbx_cache_add(t);
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
	if (t->slot)
		sbx_cache_put(t, false);
	else if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = -1;
}

/*
 * process_vm_readv/writev, or /proc/TID/mem where a seccomp profile refuses them (Docker's
 * default before 23 does, without CAP_SYS_PTRACE): the same access check (ptrace
 * read/attach by the same user of a dumpable process), three calls instead of one.
 */
static bool sbx_vm_refused;

int sbx_task_mem_probe(void)
{
	char byte = 1, got = 0;
	struct iovec local = { &got, 1 }, remote = { &byte, 1 };
	int r = process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 1 ? 0 : -errno;

	sbx_vm_refused = r == -EPERM || r == -ENOSYS;
	return r;
}

static ssize_t sbx_mem_rw(pid_t tid, bool write, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", tid);
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES ? (errno = EPERM, -1) : -1;
	n = write ? pwrite(fd, buf, len, (off_t)addr) : pread(fd, buf, len, (off_t)addr);
	if (n < 0 && errno == EIO)
		errno = EFAULT; /* an unmapped page */
	close(fd);
	return n;
}

static ssize_t sbx_vm_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	if (sbx_vm_refused)
		return sbx_mem_rw(tid, false, addr, buf, len);
	return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

int sbx_task_read(struct sbx_task *t, uint64_t addr, void *buf, size_t len)
{
	ssize_t n;

	if (len == 0)
		return 0;
	n = sbx_vm_read(t->tid, addr, buf, len);
	SBX_PTRACE_RETRY(n, sbx_vm_read(t->tid, addr, buf, len));
	if (n < 0 && errno == EPERM) {
		t->unreadable = true;
		return -EPERM;
	}
	/* A short read means part of the range is unmapped: the kernel would fault too. */
	if (n != (ssize_t)len)
		return n < 0 && errno != EFAULT && errno != ENOMEM ? -errno : -EFAULT;
	return 0;
}

long sbx_task_read_str(struct sbx_task *t, uint64_t addr, char *buf, size_t size)
{
	const uint64_t page = 4096;
	size_t got = 0;

	while (got < size) {
		/* Never past the page that holds @addr + got: the next one may be unmapped. */
		size_t n = page - ((addr + got) & (page - 1));
		char *nul;
		int r;

		if (n > size - got)
			n = size - got;
		r = sbx_task_read(t, addr + got, buf + got, n);
		if (r < 0)
			return r;
		nul = memchr(buf + got, '\0', n);
		if (nul)
			return nul - buf;
		got += n;
	}
	return -ENAMETOOLONG;
}

static ssize_t sbx_vm_write(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)(uintptr_t)addr, len };

	if (sbx_vm_refused)
		return sbx_mem_rw(tid, true, addr, (void *)buf, len);
	return process_vm_writev(tid, &local, 1, &remote, 1, 0);
}

int sbx_task_write(const struct sbx_task *t, uint64_t addr, const void *buf, size_t len)
{
	ssize_t n = sbx_vm_write(t->tid, addr, buf, len);

	SBX_PTRACE_RETRY(n, sbx_vm_write(t->tid, addr, buf, len));
	if (n != (ssize_t)len)
		return -EFAULT;
	return 0;
}

/* Name the caller afresh after its pidfd answered ESRCH: a cached pidfd may be a dead
 * thread's that had the caller's tid. Drops the old one. Return 0, or -ESRCH when the caller is
 * gone too (or the kernel lacks PIDFD_THREAD). Opens by tid: only while the notification is
 * pending and with a NOTIF_ID_VALID check to follow, which proves the tid was the caller's. */
static int sbx_task_renew(struct sbx_task *t)
{
	if (t->slot)
		sbx_cache_put(t, true);
	else if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = sbx_pidfd_thread ? sys_pidfd_open(t->tid, PIDFD_THREAD) : -1;
	if (t->pidfd < 0)
		return -ESRCH;
	sbx_cache_add(t);
	return 0;
}

int sbx_task_verify(struct sbx_task *t)
{
	/* Signal 0 delivers nothing: it fails with ESRCH when no live thread has the pidfd's pid,
	 * so success means the pidfd names the thread that has the tid now. */
	if (sys_pidfd_send_signal(t->pidfd, 0, NULL, 0) == 0)
		return 0;
	if (errno != ESRCH || !t->slot)
		return -errno;
	return sbx_task_renew(t);
}

int sbx_task_getfd(struct sbx_task *t, int fd)
{
	int r;

	if (fd < 0)
		return -EBADF;
	r = sys_pidfd_getfd(t->pidfd, fd, 0);
	if (r < 0 && errno == ESRCH && t->slot) {
		if (sbx_task_renew(t) < 0)
			return -ESRCH;
		r = sys_pidfd_getfd(t->pidfd, fd, 0);
	}
	SBX_PTRACE_RETRY(r, sys_pidfd_getfd(t->pidfd, fd, 0));
	if (r < 0 && errno == EPERM)
		t->unreadable = true;
	return r >= 0 ? r : -errno;
}

int sbx_task_dirfd(const struct sbx_task *t, int fd)
{
	char path[64];
	int r;

	if (fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", t->tid, fd);
	r = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	SBX_PTRACE_RETRY(r, open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
	return r >= 0 ? r : errno == ENOENT ? -EBADF : -errno;
}

int sbx_task_cwd(const struct sbx_task *t)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cwd", t->tid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	SBX_PTRACE_RETRY(fd, open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
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
