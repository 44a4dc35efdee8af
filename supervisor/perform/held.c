/* Owns the sockets the replace mode keeps copies of (held.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "held.h"
#include "../base/log.h"
#include "../base/util.h"

struct sbx_held {
	ino_t ino;
	int fd;
	pid_t tgid;
};

#define SBX_CONNECTED_MAX 4096

static struct {
	pthread_mutex_t lock;
	struct sbx_held v[SBX_HELD_MAX];
	size_t n;
	ino_t connected[SBX_CONNECTED_MAX]; /* a ring */
	size_t next;
} sbx_held = { .lock = PTHREAD_MUTEX_INITIALIZER };

void sbx_held_note_connected(ino_t ino)
{
	pthread_mutex_lock(&sbx_held.lock);
	sbx_held.connected[sbx_held.next++ % SBX_CONNECTED_MAX] = ino;
	pthread_mutex_unlock(&sbx_held.lock);
}

bool sbx_held_connected(ino_t ino)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&sbx_held.lock);
	for (i = 0; i < SBX_CONNECTED_MAX && !found; i++)
		found = sbx_held.connected[i] == ino;
	pthread_mutex_unlock(&sbx_held.lock);
	return found;
}

/* Whether process @tgid has a descriptor on socket @ino (or cannot be read: keep it). */
static bool sbx_held_in_use(pid_t tgid, ino_t ino)
{
	char path[64], link[64], want[48];
	struct dirent *e;
	DIR *d;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/fd", tgid);
	d = opendir(path);
	if (!d)
		return errno != ENOENT && errno != ESRCH;
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)ino);
	while (!found && (e = readdir(d))) {
		ssize_t n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			found = !strcmp(link, want);
		}
	}
	closedir(d);
	return found;
}

/* Drop the copies nobody holds any more. Under the lock. */
static void sbx_held_prune(void)
{
	size_t i = 0;

	while (i < sbx_held.n) {
		if (sbx_held_in_use(sbx_held.v[i].tgid, sbx_held.v[i].ino)) {
			i++;
			continue;
		}
		close(sbx_held.v[i].fd);
		sbx_held.v[i] = sbx_held.v[--sbx_held.n];
	}
}

void sbx_held_add(int sock, ino_t ino, pid_t tgid)
{
	static atomic_int warned;
	size_t i;
	int fd;

	pthread_mutex_lock(&sbx_held.lock);
	for (i = 0; i < sbx_held.n && sbx_held.v[i].ino != ino; i++)
		;
	if (i < sbx_held.n) {
		pthread_mutex_unlock(&sbx_held.lock);
		return; /* kept already (a second connect of a datagram socket) */
	}
	if (sbx_held.n == SBX_HELD_MAX)
		sbx_held_prune();
	fd = sbx_held.n < SBX_HELD_MAX ? fcntl(sock, F_DUPFD_CLOEXEC, 3) : -1;
	if (fd >= 0)
		sbx_held.v[sbx_held.n++] = (struct sbx_held){ .ino = ino, .fd = fd, .tgid = tgid };
	pthread_mutex_unlock(&sbx_held.lock);
	if (fd < 0 && atomic_exchange(&warned, 1) == 0)
		sbx_log_warn("the command holds more than %d datagram or bound sockets sbx made: "
			     "sends and listens on the others are refused (pidfd_getfd lifts this)",
			     SBX_HELD_MAX);
}

int sbx_held_get(ino_t ino)
{
	int fd = -ENOENT;
	size_t i;

	pthread_mutex_lock(&sbx_held.lock);
	for (i = 0; i < sbx_held.n; i++)
		if (sbx_held.v[i].ino == ino) {
			fd = fcntl(sbx_held.v[i].fd, F_DUPFD_CLOEXEC, 3);
			if (fd < 0)
				fd = -errno;
			break;
		}
	pthread_mutex_unlock(&sbx_held.lock);
	return fd;
}
