/*
 * The share of the supervisor's fd table that SCM_RIGHTS copies may hold.
 *
 * A sendmsg performed for the child holds a copy of every fd it passes until the send
 * returns, and a send on a full socket blocks. Without a cap, a child whose threads block in
 * 253-fd sends fills the supervisor's table and every later call of that sandbox (a connect
 * needs a pidfd, the caller's socket and a pinned path) fails. Large passes may hold half the
 * table, small ones five eighths; the rest is kept for the calls themselves.
 */
#ifndef SBX_FDBUDGET_H
#define SBX_FDBUDGET_H

#include <stddef.h>

/* A pass of at most this many fds may use the part of the budget kept for small passes. */
#define SBX_FDBUDGET_SMALL 16

/**
 * sbx_fdbudget_init() - raise the soft RLIMIT_NOFILE to the hard one and size the budget.
 *
 * Call in the supervisor once the command has started, so it keeps the limits it was given.
 * Returns the fd limit the budget was sized from.
 */
long sbx_fdbudget_init(void);

/**
 * sbx_fdbudget_take() - reserve @n fds for one message's SCM_RIGHTS copies.
 *
 * Returns 0, or -ETOOMANYREFS (the kernel's errno for too many fds in flight) when holding
 * them would eat into the part of the table kept for other calls.
 */
int sbx_fdbudget_take(size_t n);

/** sbx_fdbudget_give() - return @n fds reserved by sbx_fdbudget_take(). */
void sbx_fdbudget_give(size_t n);

#endif
