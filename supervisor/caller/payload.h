/*
 * payload: the data of a send sbx performs, copied from the caller a chunk at a time.
 *
 * A stream send is performed in chunks of at most SBX_CHUNK bytes, each copied just before it
 * is sent, so a blocked send holds one chunk, not the whole payload: memory is bounded per
 * worker, whatever the caller asks to send (300 blocked 4 MiB sends once held 1.2 GB). The
 * data is not judged, so reading it piecewise changes nothing the policy depends on; the
 * kernel itself copies a blocking send's data as room appears. A datagram is copied whole.
 */
#ifndef SBX_PAYLOAD_H
#define SBX_PAYLOAD_H

#include <stddef.h>
#include <sys/uio.h>

#include "task.h"

/* One chunk of a stream send (the kernel's default send buffer is about 208 KiB). */
#define SBX_CHUNK (256u << 10)
/* Largest datagram copied: larger ones fail with EMSGSIZE, as past any sane SO_SNDBUF. */
#define SBX_DGRAM_MAX (4u << 20)

struct sbx_payload {
	/* the caller's iovecs (addresses in its memory), in an array of the handler's that
	 * outlives the payload: not copied, and nothing here to zero on every send */
	const struct iovec *uiov;
	size_t n;	    /* entries in @uiov */
	size_t total;	    /* bytes in all of them */
	unsigned char *buf; /* the supervisor's copy of the current chunk */
	size_t cap;	    /* bytes allocated at @buf */
};

/* sbx_payload_init() - the caller's @n iovecs at @uiov (kept by reference): -EINVAL when a
 * length is negative or they overflow, as the kernel checks. */
int sbx_payload_init(struct sbx_payload *p, const struct iovec *uiov, size_t n);

/*
 * sbx_payload_first() - how many bytes the first send copies: a stream's first chunk, or a
 * whole datagram; -EMSGSIZE for a datagram past SBX_DGRAM_MAX. @stream: the socket's type.
 */
long sbx_payload_first(const struct sbx_payload *p, int stream);

/*
 * sbx_payload_copy() - copy bytes [@off, @off + @len) of the payload into p->buf. Return 0 or
 * -EFAULT (-ENOMEM). The caller must check the call is still valid before using them.
 */
int sbx_payload_copy(struct sbx_task *t, struct sbx_payload *p, size_t off, size_t len);

/* sbx_payload_release() - free the chunk buffer; safe twice. */
void sbx_payload_release(struct sbx_payload *p);

#endif
