/* Owns the copy of a performed send's data, one chunk at a time (payload.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"

int sbx_payload_init(struct sbx_payload *p, const struct iovec *uiov, size_t n)
{
	size_t i, total = 0;

	for (i = 0; i < n; i++) {
		if ((ssize_t)uiov[i].iov_len < 0 || total + uiov[i].iov_len < total)
			return -EINVAL;
		total += uiov[i].iov_len;
	}
	p->uiov = uiov;
	p->n = n;
	p->total = total;
	p->buf = NULL;
	p->cap = 0;
	return 0;
}

long sbx_payload_first(const struct sbx_payload *p, int stream)
{
	if (stream)
		return (long)(p->total < SBX_CHUNK ? p->total : SBX_CHUNK);
	return p->total <= SBX_DGRAM_MAX ? (long)p->total : -EMSGSIZE;
}

int sbx_payload_copy(struct sbx_task *t, struct sbx_payload *p, size_t off, size_t len)
{
	size_t i, got = 0;

	if (len > p->cap) {
		free(p->buf);
		p->buf = malloc(len ? len : 1);
		p->cap = p->buf ? len : 0;
		if (!p->buf)
			return -ENOMEM;
	}
	for (i = 0; i < p->n && got < len; i++) {
		size_t l = p->uiov[i].iov_len, n;
		int r;

		if (off >= l) {
			off -= l;
			continue;
		}
		n = l - off < len - got ? l - off : len - got;
		r = sbx_task_read(t, (uintptr_t)p->uiov[i].iov_base + off, p->buf + got, n);
		if (r < 0)
			return r;
		got += n;
		off = 0;
	}
	return got == len ? 0 : -EFAULT;
}

void sbx_payload_release(struct sbx_payload *p)
{
	free(p->buf);
	p->buf = NULL;
	p->cap = 0;
}
