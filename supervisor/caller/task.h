/*
 * task: the thread that made a notified call, as the supervisor reaches it: its memory,
 * its fds, its cwd and ids. Every read must be followed by sbx_notif_id_valid() before the
 * bytes are trusted to belong to that thread (a dead thread's tid can be reused).
 */
#ifndef SBX_TASK_H
#define SBX_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sbx_task {
	pid_t tid;
	int pidfd;	 /* a thread pidfd where the kernel has PIDFD_THREAD, else the leader's */
	int slot;	 /* 1 + its entry in the shared pidfd cache, 0 when it is not cached */
	bool unreadable; /* the kernel refused us its memory or fds (it is not dumpable) */
};

struct sbx_task_ids {
	pid_t tgid;
	uid_t uid[3]; /* real, effective, saved */
	gid_t gid[3];
	mode_t umask;
};

/* sbx_task_probe() - detect PIDFD_THREAD once at start; return whether it is available. */
bool sbx_task_probe(void);

/* sbx_task_getfd_probe() - whether pidfd_getfd works here: 0, or the -errno it fails with
 * (EPERM under a container's default seccomp profile, ENOSYS before Linux 5.6). */
int sbx_task_getfd_probe(void);

/* sbx_task_mem_probe() - once at start: whether process_vm_readv works here (0, or the
 * -errno it fails with); refused, caller memory is read and written through /proc/TID/mem. */
int sbx_task_mem_probe(void);

/* sbx_task_open() - open a pidfd for @tid. Return 0 or -errno (ESRCH: it is gone). */
int sbx_task_open(struct sbx_task *t, pid_t tid);

/* sbx_task_close() - release the pidfd; safe to call twice. */
void sbx_task_close(struct sbx_task *t);

/* sbx_task_read() - copy exactly @len bytes at @addr. Return 0, or -EFAULT on any short read. */
int sbx_task_read(struct sbx_task *t, uint64_t addr, void *buf, size_t len);

/*
 * sbx_task_read_str() - copy the NUL-terminated string at @addr into @buf (@size bytes, the
 * NUL included), a page at a time so that a string ending just before an unmapped page reads
 * as the kernel's getname() would. Return its length, -EFAULT, or -ENAMETOOLONG when it does
 * not fit.
 */
long sbx_task_read_str(struct sbx_task *t, uint64_t addr, char *buf, size_t size);

/* sbx_task_write() - store exactly @len bytes at @addr. Return 0 or -EFAULT. */
int sbx_task_write(const struct sbx_task *t, uint64_t addr, const void *buf, size_t len);

/*
 * sbx_task_verify() - make sure @t's pidfd names the thread that has @t's tid now: a cached
 * pidfd may be a dead thread's that had it, and is then replaced by one opened by tid. Call it
 * while the notification is pending and follow it with sbx_notif_id_valid(): then the pidfd
 * names the caller for good, and a signal sent through it after the reply reaches the caller
 * or no one. Return 0, or -ESRCH when the caller is gone (or another -errno).
 */
int sbx_task_verify(struct sbx_task *t);

/* sbx_task_getfd() - duplicate the thread's fd @fd into the supervisor (O_CLOEXEC).
 * Return the new fd, or -EBADF when @fd is not open there, or another -errno. */
int sbx_task_getfd(struct sbx_task *t, int fd);

/* sbx_task_dirfd() - an O_PATH fd on the directory the thread's fd @fd is open on, opened
 * again through /proc (no pidfd_getfd): -EBADF, -ENOTDIR or another -errno. */
int sbx_task_dirfd(const struct sbx_task *t, int fd);

/* sbx_task_cwd() - an O_PATH fd on the thread's working directory, or -errno. */
int sbx_task_cwd(const struct sbx_task *t);

/* sbx_task_ids() - read tgid, uids, gids and umask from /proc. Return 0 or -errno. */
int sbx_task_ids(const struct sbx_task *t, struct sbx_task_ids *ids);

/* sbx_task_comm() - the thread's command name for messages ("?" when unreadable). */
void sbx_task_comm(pid_t tid, char *out, size_t n);

#endif
