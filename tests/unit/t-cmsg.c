/* Unit tests: the control-message walk, against the kernel's rules (__scm_send, CMSG_OK). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../lib/tap.h"
#include "../../supervisor/cmsg.h"

struct seen {
	int n, types[8];
	size_t nfds[8];
};

static long visit(struct cmsghdr *cm, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->types[s->n] = cm->cmsg_type;
		s->nfds[s->n] = sbx_cmsg_nfds(cm);
	}
	s->n++;
	return cm->cmsg_type == 99 ? -EPERM : 0;
}

/* Put a header at @off of @buf; returns the offset of the next one. */
static size_t put(unsigned char *buf, size_t off, size_t len, int level, int type)
{
	struct cmsghdr h = { .cmsg_len = len, .cmsg_level = level, .cmsg_type = type };

	memcpy(buf + off, &h, sizeof(h));
	return off + CMSG_ALIGN(len);
}

int main(void)
{
	union {
		unsigned char b[512];
		struct cmsghdr align;
	} u;
	unsigned char *buf = u.b;
	struct seen s;
	size_t off;

	memset(&u, 0, sizeof(u));
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, 0, visit, &s), 0, "empty buffer: nothing to walk");
	is(sbx_cmsg_walk(buf, 15, visit, &s), 0, "shorter than a header: ignored");
	is(s.n, 0, "and no message seen");

	off = put(buf, 0, CMSG_LEN(3 * sizeof(int)), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off, visit, &s), 0, "one SCM_RIGHTS of three fds");
	is(s.n, 1, "seen once");
	is((long)s.nfds[0], 3, "three fds counted");

	put(buf, 0, CMSG_LEN(0), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, CMSG_SPACE(0), visit, &s), 0, "SCM_RIGHTS with no fd: walked");
	is((long)s.nfds[0], 0, "zero fds counted");

	put(buf, 0, CMSG_LEN(sizeof(int) + 2), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	sbx_cmsg_walk(buf, CMSG_SPACE(sizeof(int) + 2), visit, &s);
	is((long)s.nfds[0], 1, "a partial trailing int is not an fd");

	off = put(buf, 0, CMSG_LEN(4), IPPROTO_IP, 1);
	off = put(buf, off, CMSG_LEN(sizeof(int)), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off, visit, &s), 0, "another level, then SCM_RIGHTS");
	is(s.n, 1, "only the SOL_SOCKET one is handed on");

	put(buf, 0, 4096, SOL_SOCKET, SCM_RIGHTS);
	is(sbx_cmsg_walk(buf, 64, visit, &s), -EINVAL, "cmsg_len past the buffer: EINVAL");
	put(buf, 0, 8, SOL_SOCKET, SCM_RIGHTS);
	is(sbx_cmsg_walk(buf, 64, visit, &s), -EINVAL, "cmsg_len below a header: EINVAL");
	put(buf, 0, SIZE_MAX, SOL_SOCKET, SCM_RIGHTS);
	is(sbx_cmsg_walk(buf, 64, visit, &s), -EINVAL, "cmsg_len SIZE_MAX: EINVAL");

	off = put(buf, 0, CMSG_LEN(sizeof(int)), SOL_SOCKET, SCM_RIGHTS);
	put(buf, off, 1000, SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off + 16, visit, &s), -EINVAL,
	   "a good one, then a lying one: EINVAL");
	is(s.n, 1, "the good one was seen first (the kernel checks as it goes, too)");

	off = put(buf, 0, CMSG_LEN(sizeof(int)), SOL_SOCKET, SCM_RIGHTS);
	memset(buf + off, 0xff, 15);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off + 15, visit, &s), 0, "15 trailing bytes: no further header");
	is(s.n, 1, "one message");

	off = put(buf, 0, CMSG_LEN(0), SOL_SOCKET, 99);
	put(buf, off, CMSG_LEN(0), SOL_SOCKET, SCM_RIGHTS);
	memset(&s, 0, sizeof(s));
	is(sbx_cmsg_walk(buf, off * 2, visit, &s), -EPERM, "the callback's error stops the walk");
	is(s.n, 1, "nothing after it is visited");
	return done_testing();
}
