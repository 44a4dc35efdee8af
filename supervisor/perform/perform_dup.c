/* Owns the default strategy: the call is performed on the caller's duplicate (perform.h). */
#include "perform.h"

static long sbx_dup_socket(struct sbx_call *c, int *sock, bool connect)
{
	(void)c;
	(void)sock;
	(void)connect;
	return 0; /* the duplicate is the caller's socket: nothing to make */
}

static long sbx_dup_complete(struct sbx_call *c, int sock, int fd, long r)
{
	(void)c;
	(void)sock;
	(void)fd;
	return r; /* nothing to hand over: the caller's socket did it */
}

const struct sbx_performer sbx_perform_dup = {
	.name = "dup",
	.socket = sbx_dup_socket,
	.complete = sbx_dup_complete,
};
