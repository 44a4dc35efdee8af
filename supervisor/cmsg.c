/* Owns the walk over control messages copied from the caller. Pure functions over bytes. */
#include <errno.h>

#include "cmsg.h"

long sbx_cmsg_walk(unsigned char *ctl, size_t len, sbx_cmsg_fn fn, void *arg)
{
	size_t off = 0;
	long r;

	/* cmsg_nxthdr: another header follows while one whole struct cmsghdr fits. */
	while (off + sizeof(struct cmsghdr) <= len) {
		struct cmsghdr *cm = (struct cmsghdr *)(void *)(ctl + off);

		if (cm->cmsg_len < sizeof(struct cmsghdr) || cm->cmsg_len > len - off)
			return -EINVAL; /* !CMSG_OK */
		if (cm->cmsg_level == SOL_SOCKET) {
			r = fn(cm, arg);
			if (r < 0)
				return r;
		}
		/* cmsg_len <= len - off, so this neither overflows nor skips past len + 7. */
		off += CMSG_ALIGN(cm->cmsg_len);
	}
	return 0;
}

size_t sbx_cmsg_nfds(const struct cmsghdr *cm)
{
	return (cm->cmsg_len - sizeof(struct cmsghdr)) / sizeof(int);
}
