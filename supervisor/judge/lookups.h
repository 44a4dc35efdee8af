/*
 * lookups: in the filtered mode, the names under a wildcard rule (--allow-connect
 * *.DOMAIN:PORTS) that the command looks up. The command asks the host's resolver itself, and
 * its answers never pass through sbx; but its questions do when they are sent with an address
 * or with sendmsg/sendmmsg, which sbx performs (glibc's and musl's resolvers, and everything
 * built on them: curl, Python, git, ssh). A question for a name under an allowed wildcard
 * makes sbx resolve that name itself (resolve/names.h) before the query goes out, so that the
 * command's connect to the address it is given is judged as a connect to that name. sbx's own
 * answer decides, never the command's: a question only tells sbx which name to ask about.
 *
 * Not seen: a query written to a connected socket with write() or send() (Go's own resolver),
 * DNS over TCP or TLS. Their connects to names under a wildcard are refused as unknown
 * addresses; --net isolated, where sbx answers the command's DNS, sees every lookup.
 */
#ifndef SBX_LOOKUPS_H
#define SBX_LOOKUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "../sup.h"

/* sbx_lookups_wanted() - whether @pol has wildcard rules the filtered mode must learn for. */
bool sbx_lookups_wanted(const struct sbx_policy *pol);

/*
 * sbx_lookups_observe() - @len bytes at @payload are about to be sent by @c on datagram socket
 * @sock to @dest (NULL: the socket's peer). If that is port 53 and the bytes are a query for a
 * name under an allowed wildcard, resolve the name now. Costs nothing without such rules.
 */
void sbx_lookups_observe(struct sbx_call *c, int sock, const struct sockaddr *dest,
			 const void *payload, size_t len);

#endif
