/*
 * emulate: perform an allowed call for the caller, on its socket (taken with pidfd_getfd)
 * with the supervisor's own copy of the address and data, and return what the kernel said.
 * A checked call is never continued in the caller: its memory may have changed since.
 *
 * Every handler returns a result for struct sbx_call (see SBX_NO_REPLY in sup.h) and may
 * set c->post_signal for a signal to raise in the caller after the reply (SIGPIPE).
 */
#ifndef SBX_EMULATE_H
#define SBX_EMULATE_H

#include <stdint.h>

#include "../caller/payload.h"
#include "../sup.h"

/* Largest control buffer, as the kernel's default net.core.optmem_max. */
#define SBX_CTL_MAX (128u << 10)

long sbx_emu_connect(struct sbx_call *c);
long sbx_emu_bind(struct sbx_call *c);
long sbx_emu_sendto(struct sbx_call *c);
long sbx_emu_sendmsg(struct sbx_call *c);
long sbx_emu_sendmmsg(struct sbx_call *c);
long sbx_emu_listen(struct sbx_call *c);

/* sbx_emu_getsock() - sbx_perform_getsock() for the calls whose fd the kernel checks is a
 * socket first: 0 with *@sock, or -EBADF, -ENOTSOCK, another -errno. */
long sbx_emu_getsock(struct sbx_call *c, uint64_t fd, int *sock);

/*
 * sbx_emu_send_rest() - send the rest of a stream payload @p on @sock, chunk by chunk, after
 * its first @sent bytes went: until all is sent, a chunk goes short (a timeout, a signal the
 * monitor noticed, a nonblocking socket) or fails. Return the bytes sent in all, @sent
 * included: once some went, a failure is answered with the count, as the kernel does.
 */
size_t sbx_emu_send_rest(struct sbx_call *c, const struct sbx_blocking *b, int sock,
			 struct sbx_payload *p, size_t sent, int flags);

/* sbx_emu_finish_send() - map a performed send's result to the caller's, noting SIGPIPE; @b
 * is the call's cancel entry (an EINTR is answered by sbx_cancel_result()), or NULL. */
long sbx_emu_finish_send(struct sbx_call *c, const struct sbx_blocking *b, ssize_t r, int flags);

#endif
