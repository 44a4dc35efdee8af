/*
 * bound: what processes inside the sandbox have bound, so that they may connect to it.
 * Pathname sockets are kept by inode, with an O_PATH pin so the inode number cannot be
 * reused while the entry exists; abstract names by name plus the socket that holds them,
 * re-checked with sock_diag on every lookup (a released name could be taken by an outside
 * process).
 *
 * Lifecycle: sbx_bound_init(); add/has from any thread (internally locked).
 */
#ifndef SBX_BOUND_H
#define SBX_BOUND_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SBX_BOUND_MAX 4096

enum sbx_bound_kind {
	SBX_BOUND_PATH,
	SBX_BOUND_ABSTRACT,
	SBX_BOUND_INET, /* a loopback port bound inside, in the supervisor's own namespace */
};

struct sbx_bound_entry {
	enum sbx_bound_kind kind;
	dev_t dev;
	ino_t ino;
	int pin;
	uint64_t sock_ino;
	unsigned char name[108];
	size_t name_len;
	int proto, family; /* INET: IPPROTO_TCP/UDP, the socket's AF_INET/AF_INET6 */
	uint16_t port;
};

struct sbx_bound {
	pthread_mutex_t lock;
	struct sbx_bound_entry *v;
	size_t n;
};

/* sbx_bound_init() - an empty set. */
void sbx_bound_init(struct sbx_bound *b);

/*
 * sbx_bound_add_path() - record the socket file that @sockfd was just bound to at @path
 * (relative to directory @dirfd, the caller's cwd). The file is verified to be the socket's own
 * bound inode (sock_diag), so a name swapped in after the bind is not recorded. Return 0, -ESTALE
 * when the name no longer leads to that socket, -ENOSPC when full.
 */
int sbx_bound_add_path(struct sbx_bound *b, int sockfd, int dirfd, const char *path);

/* sbx_bound_add_abstract() - record that @sockfd holds the abstract name it is bound to now
 * (explicit or autobind). Return 0 or -errno. */
int sbx_bound_add_abstract(struct sbx_bound *b, int sockfd);

/* sbx_bound_has_paths() - whether the sandbox has bound any socket file (a path). */
bool sbx_bound_has_paths(struct sbx_bound *b);

/* sbx_bound_has_inode() - whether a socket file (st_dev, st_ino) was bound inside. */
bool sbx_bound_has_inode(struct sbx_bound *b, dev_t dev, ino_t ino);

/* sbx_bound_has_abstract() - whether @name is held right now by a socket bound inside. */
bool sbx_bound_has_abstract(struct sbx_bound *b, const void *name, size_t len);

/* sbx_bound_add_inet() - record the port @sockfd (TCP or UDP) is now bound to. */
int sbx_bound_add_inet(struct sbx_bound *b, int sockfd);

/*
 * sbx_bound_has_inet() - whether traffic to @ip:@port (@family, IPv4-mapped already
 * unmapped) can only reach sockets bound inside the sandbox: see
 * sbx_diag_inet_only_ours().
 */
bool sbx_bound_has_inet(struct sbx_bound *b, int proto, int family, const unsigned char *ip,
			uint16_t port);

#endif
