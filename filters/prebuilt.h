/*
 * prebuilt: the program of every filter key, compiled when sbx is built. libseccomp takes
 * ~0.4 ms to compile one at start-up on the VM of doc/performance.md, and the program is a
 * function of its key alone (filter.h), of which there are a handful. The table is generated
 * by gen/prebuilt.c into the build directory, never written by hand; t-filter checks that each
 * entry is what sbx_filter_compile() makes of its key now.
 */
#ifndef SBX_PREBUILT_H
#define SBX_PREBUILT_H

#include <stddef.h>

#include "filter.h"

struct sbx_filter_prebuilt {
	struct sbx_filter_key key;
	const struct sock_filter *insns;
	unsigned short len;
};

extern const struct sbx_filter_prebuilt sbx_filter_prebuilt[];
extern const size_t sbx_filter_prebuilt_n;

/* sbx_filter_find_prebuilt() - the table's entry for @k, or NULL. */
const struct sbx_filter_prebuilt *sbx_filter_find_prebuilt(const struct sbx_filter_key *k);

#endif
