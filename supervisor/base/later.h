/*
 * later: descriptors a worker closes after it has answered the call, not before. The caller
 * waits for the reply only: a close (about a microsecond here) of the socket duplicate or the
 * pinned path that a handler is done with adds to its latency if it comes first. A handler
 * hands them over with _cleanup_close_later_; the worker calls sbx_close_later_flush() once
 * the reply is sent. Per thread; a full list closes at once.
 */
#ifndef SBX_LATER_H
#define SBX_LATER_H

/* sbx_close_later() - close @fd (>= 0) at the calling thread's next flush. */
void sbx_close_later(int fd);

/* sbx_close_later_flush() - close what the calling thread handed over. */
void sbx_close_later_flush(void);

static inline void sbx_close_laterp(int *fd)
{
	if (*fd >= 0)
		sbx_close_later(*fd);
}

#define _cleanup_close_later_ __attribute__((cleanup(sbx_close_laterp)))

#endif
