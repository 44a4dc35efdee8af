/*
 * dnsd: sbx's DNS responder under --net isolated with host-name rules. It serves the UDP
 * socket the shim bound on 127.0.0.1:53 inside the command's network namespace, where the
 * command's /etc/resolv.conf points. A name some --allow-connect rule names (exactly or by a
 * wildcard) and that resolves on the host gets a synthetic address (synth.h), which the judge
 * maps back to the name at connect time; every other name is refused (REFUSED), with a denial
 * line, so nothing leaves through DNS either. AAAA and other types of an allowed name get an
 * empty answer: clients then use the A record.
 */
#ifndef SBX_DNSD_H
#define SBX_DNSD_H

#include <stdbool.h>

#include "../base/error.h"
#include "names.h"
#include "synth.h"

struct sbx_policy;

struct sbx_dnsd {
	int fd; /* the responder's socket, in the command's namespace */
	const struct sbx_policy *pol;
	struct sbx_names *names;
	struct sbx_synth *synth;
	bool quiet;
	/* --learn: a name no rule names is answered all the same (the connect that follows is
	 * judged, and learned, by name); otherwise refused and reported to @refused */
	bool permissive;
	void (*refused)(const char *name);
};

/* sbx_dnsd_start() - serve @d->fd from a thread of its own until sbx exits. */
int sbx_dnsd_start(struct sbx_dnsd *d, struct sbx_error *err);

#endif
