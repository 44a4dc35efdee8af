/*
 * sockaddr: classify the bytes of a socket address the supervisor copied out of the child.
 * Pure: no syscalls, so the decoder can be fuzzed and unit-tested on any input.
 */
#ifndef SBX_SOCKADDR_H
#define SBX_SOCKADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define SBX_SUN_PATH_MAX 108

enum sbx_addr_kind {
	SBX_ADDR_NONE,		/* fewer than 2 bytes: no family, nothing to reach */
	SBX_ADDR_UNSPEC,	/* AF_UNSPEC: dissolves an association */
	SBX_ADDR_UNIX_UNNAMED,	/* AF_UNIX with an empty path: autobind on bind() */
	SBX_ADDR_UNIX_PATH,	/* AF_UNIX pathname */
	SBX_ADDR_UNIX_ABSTRACT, /* AF_UNIX abstract name (leading NUL) */
	SBX_ADDR_NETLINK,
	SBX_ADDR_INET,
	SBX_ADDR_INET6,
	SBX_ADDR_OTHER,
};

struct sbx_addr {
	enum sbx_addr_kind kind;
	int family;
	char path[SBX_SUN_PATH_MAX + 1]; /* UNIX_PATH: NUL-terminated, as the kernel reads it */
	unsigned char name[SBX_SUN_PATH_MAX]; /* UNIX_ABSTRACT: bytes after the NUL */
	size_t name_len;
	uint32_t nl_pid, nl_groups; /* NETLINK */
	unsigned char ip[16];	    /* INET (4 bytes) / INET6 (16) */
	uint16_t port;		    /* host order */
	int valid_len;		    /* INET/INET6: the address is long enough */
};

/*
 * sbx_addr_decode() - classify @len bytes at @buf (len <= sizeof(struct sockaddr_storage)).
 * Never fails: malformed addresses are classified so the kernel rejects them when the call
 * is performed with the same bytes.
 */
void sbx_addr_decode(const void *buf, size_t len, struct sbx_addr *out);

/*
 * sbx_addr_format() - human-readable target for messages: "/path", "@name" (non-printable
 * bytes as \xNN), "1.2.3.4:80", "[::1]:80", "netlink:PID", "family N".
 */
void sbx_addr_format(const struct sbx_addr *a, char *out, size_t n);

/* sbx_bytes_escape() - copy @len bytes to @out with non-printables, '\\' and '"' as \xNN. */
void sbx_bytes_escape(const unsigned char *s, size_t len, char *out, size_t n);

/*
 * sbx_path_plain() - @p is absolute, not "/", and has no empty, "." or ".." component: a
 * walk of it that meets no symlink ends where readlink of the result would name.
 */
bool sbx_path_plain(const char *p);

#endif
