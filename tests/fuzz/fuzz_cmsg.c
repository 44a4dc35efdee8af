/*
 * Fuzz target: sbx_cmsg_walk() over a control buffer of any length and content, as copied
 * from a sendmsg() caller. Every message handed to the callback must lie wholly inside the
 * buffer (ASan checks the reads of an exact-size copy), and the fd count must fit in it.
 */
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/caller/cmsg.h"
#include "fuzz.h"

struct walk {
	const unsigned char *start;
	size_t len, seen;
};

static long visit(struct cmsghdr *cm, void *arg)
{
	struct walk *w = arg;
	const unsigned char *p = (const unsigned char *)cm;
	volatile unsigned char sink = 0;
	size_t i;

	if (p < w->start || cm->cmsg_len > w->len - (size_t)(p - w->start))
		abort();
	/* Touch every byte the supervisor may read or rewrite. */
	for (i = 0; i < cm->cmsg_len; i++)
		sink ^= p[i];
	(void)sink;
	if (cm->cmsg_type == SCM_RIGHTS && CMSG_LEN(sbx_cmsg_nfds(cm) * sizeof(int)) > cm->cmsg_len)
		abort();
	w->seen++;
	/* Stop the walk now and then, as a refused message does. */
	return cm->cmsg_type == 0x7fffffff ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk w = { .len = size };
	unsigned char *ctl;

	if (size > 65536)
		return 0;
	ctl = malloc(size ? size : 1); /* malloc's alignment, like the supervisor's copy */
	if (!ctl)
		return 0;
	memcpy(ctl, data, size);
	w.start = ctl;
	(void)sbx_cmsg_walk(ctl, size, visit, &w);
	if (w.seen > size / sizeof(struct cmsghdr))
		abort();
	free(ctl);
	return 0;
}
