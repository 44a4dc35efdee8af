/*
 * synth: the synthetic addresses sbx's DNS responder gives out under --net isolated, one per
 * name asked and allowed, from 198.18.0.0/15 (RFC 2544's benchmarking block, never routed on
 * the Internet), and the way back from an address to the name. A name keeps its address for
 * the whole run.
 */
#ifndef SBX_SYNTH_H
#define SBX_SYNTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "../policy/hostname.h"

#define SBX_SYNTH_MAX 4096 /* names one run may be given addresses for */

struct sbx_synth {
	pthread_mutex_t lock;
	char (*names)[SBX_HOSTNAME_MAX + 1]; /* index i has 198.18.0.0 + 1 + i */
	size_t n;
};

/* sbx_synth_init() - an empty table. */
void sbx_synth_init(struct sbx_synth *s);

/* sbx_synth_get() - @name's address into @ip (4 bytes), given now if it has none.
 * Return 0, or -ENOSPC/-ENOMEM. */
int sbx_synth_get(struct sbx_synth *s, const char *name, unsigned char ip[4]);

/* sbx_synth_is() - whether @ip (4 bytes) lies in the synthetic block. */
bool sbx_synth_is(const unsigned char ip[4]);

/* sbx_synth_name() - the name @ip was given to, copied into @name; false if none. */
bool sbx_synth_name(struct sbx_synth *s, const unsigned char ip[4],
		    char name[SBX_HOSTNAME_MAX + 1]);

#endif
