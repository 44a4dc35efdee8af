/* Owns the set of sockets bound inside the sandbox. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <netinet/in.h>
#include <unistd.h>

#include "bound.h"
#include "../base/diag.h"
#include "../base/util.h"

void sbx_bound_init(struct sbx_bound *b)
{
	pthread_mutex_init(&b->lock, NULL);
	b->v = NULL;
	b->n = 0;
}

static void sbx_bound_drop(struct sbx_bound *b, size_t i)
{
	if (b->v[i].kind == SBX_BOUND_PATH && b->v[i].pin >= 0)
		close(b->v[i].pin);
	b->v[i] = b->v[--b->n];
}

/* Called with the lock held when the table is full: forget what can no longer be reached. */
static void sbx_bound_sweep(struct sbx_bound *b)
{
	struct sbx_diag_unix d;
	struct stat st;
	size_t i = 0;

	while (i < b->n) {
		bool gone;

		if (b->v[i].kind == SBX_BOUND_ABSTRACT)
			gone = sbx_diag_unix_lookup(b->v[i].sock_ino, &d) == -ENOENT;
		else if (b->v[i].kind == SBX_BOUND_INET)
			gone = !sbx_diag_inet_holds(b->v[i].proto, b->v[i].family, b->v[i].port,
						    b->v[i].sock_ino);
		else
			gone = fstat(b->v[i].pin, &st) == 0 && st.st_nlink == 0;
		if (gone)
			sbx_bound_drop(b, i);
		else
			i++;
	}
}

static int sbx_bound_insert(struct sbx_bound *b, const struct sbx_bound_entry *e)
{
	int r = 0;

	pthread_mutex_lock(&b->lock);
	if (!b->v) {
		b->v = calloc(SBX_BOUND_MAX, sizeof(*b->v));
		if (!b->v)
			r = -ENOMEM;
	}
	/* An abstract name has one holder at a time: a new bind means the old one is gone. */
	for (size_t i = 0; r == 0 && e->kind == SBX_BOUND_ABSTRACT && i < b->n; i++)
		if (b->v[i].kind == SBX_BOUND_ABSTRACT && b->v[i].name_len == e->name_len &&
		    !memcmp(b->v[i].name, e->name, e->name_len))
			sbx_bound_drop(b, i--);
	if (r == 0 && b->n == SBX_BOUND_MAX)
		sbx_bound_sweep(b);
	if (r == 0 && b->n == SBX_BOUND_MAX)
		r = -ENOSPC;
	if (r == 0)
		b->v[b->n++] = *e;
	pthread_mutex_unlock(&b->lock);
	return r;
}

static int sbx_sock_ino(int sockfd, uint64_t *ino)
{
	struct stat st;

	if (fstat(sockfd, &st) == -1)
		return -errno;
	*ino = st.st_ino;
	return 0;
}

/* What the kernel says @sockfd is bound to: its socket inode and sock_diag's answer. */
static int sbx_bound_describe(int sockfd, uint64_t *sock_ino, struct sbx_diag_unix *d)
{
	int r = sbx_sock_ino(sockfd, sock_ino);

	return r < 0 ? r : sbx_diag_unix_lookup(*sock_ino, d);
}

int sbx_bound_add_path(struct sbx_bound *b, int sockfd, int dirfd, const char *path)
{
	struct sbx_bound_entry e = { .kind = SBX_BOUND_PATH };
	_cleanup_close_ int pin = -1;
	struct sbx_diag_unix d;
	struct stat st;
	int r;

	r = sbx_bound_describe(sockfd, &e.sock_ino, &d);
	if (r < 0)
		return r;
	pin = openat(dirfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pin < 0)
		return -errno;
	if (fstat(pin, &st) == -1)
		return -errno;
	/* The socket itself says which inode it is bound to; the name must still lead there. */
	if (!d.has_vfs || (uint32_t)st.st_ino != d.vfs_ino ||
	    st.st_dev != makedev(d.vfs_dev >> 20, d.vfs_dev & 0xfffff))
		return -ESTALE;
	e.dev = st.st_dev;
	e.ino = st.st_ino;
	e.pin = pin;
	r = sbx_bound_insert(b, &e);
	if (r == 0)
		pin = -1;
	return r;
}

int sbx_bound_add_abstract(struct sbx_bound *b, int sockfd)
{
	struct sbx_bound_entry e = { .kind = SBX_BOUND_ABSTRACT, .pin = -1 };
	struct sbx_diag_unix d;
	int r;

	r = sbx_bound_describe(sockfd, &e.sock_ino, &d);
	if (r < 0)
		return r;
	if (!d.has_name || d.name_len < 1 || d.name[0] != '\0')
		return -EINVAL;
	e.name_len = d.name_len - 1;
	memcpy(e.name, d.name + 1, e.name_len);
	return sbx_bound_insert(b, &e);
}

bool sbx_bound_has_paths(struct sbx_bound *b)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->n && !found; i++)
		found = b->v[i].kind == SBX_BOUND_PATH;
	pthread_mutex_unlock(&b->lock);
	return found;
}

bool sbx_bound_has_inode(struct sbx_bound *b, dev_t dev, ino_t ino)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->n && !found; i++)
		found = b->v[i].kind == SBX_BOUND_PATH && b->v[i].dev == dev && b->v[i].ino == ino;
	pthread_mutex_unlock(&b->lock);
	return found;
}

bool sbx_bound_has_abstract(struct sbx_bound *b, const void *name, size_t len)
{
	uint64_t sock_ino = 0;
	struct sbx_diag_unix d;
	bool found = false;
	size_t i;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->n; i++) {
		if (b->v[i].kind == SBX_BOUND_ABSTRACT && b->v[i].name_len == len &&
		    !memcmp(b->v[i].name, name, len)) {
			sock_ino = b->v[i].sock_ino;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&b->lock);
	if (!found)
		return false;
	/* Abstract names are released when their socket closes: make sure ours still holds it. */
	if (sbx_diag_unix_lookup(sock_ino, &d) < 0 || !d.has_name || d.name_len != len + 1 ||
	    d.name[0] != '\0' || memcmp(d.name + 1, name, len))
		return false;
	return true;
}

int sbx_bound_add_inet(struct sbx_bound *b, int sockfd)
{
	struct sbx_bound_entry e = { .kind = SBX_BOUND_INET, .pin = -1 };
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss), il = sizeof(int);
	int type;
	int r;

	r = sbx_sock_ino(sockfd, &e.sock_ino);
	if (r < 0)
		return r;
	if (getsockname(sockfd, (struct sockaddr *)&ss, &sl) == -1 ||
	    getsockopt(sockfd, SOL_SOCKET, SO_TYPE, &type, &il) == -1)
		return -errno;
	e.family = ss.ss_family;
	e.proto = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	if (e.family == AF_INET)
		e.port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (e.family == AF_INET6)
		e.port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return -EAFNOSUPPORT;
	return sbx_bound_insert(b, &e);
}

bool sbx_bound_has_inet(struct sbx_bound *b, int proto, int family, const unsigned char *ip,
			uint16_t port)
{
	uint64_t inos[64];
	size_t i, n = 0;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->n && n < ARRAY_SIZE(inos); i++) {
		const struct sbx_bound_entry *e = &b->v[i];

		if (e->kind == SBX_BOUND_INET && e->proto == proto && e->port == port)
			inos[n++] = e->sock_ino;
	}
	pthread_mutex_unlock(&b->lock);
	/* Holding the port is not enough: with SO_REUSEPORT, or a more specific address bound
	 * beside a wildcard one, the kernel may deliver to a program outside. Every socket that
	 * could receive ip:port must be one the sandbox bound (and still holds). */
	return n > 0 && sbx_diag_inet_only_ours(proto, family, ip, port, inos, n);
}
