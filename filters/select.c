/* Owns choosing a policy's filter: its key, and the precompiled program of that key. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "prebuilt.h"

void sbx_filter_key(const struct sbx_policy *pol, enum sbx_filter_mode mode,
		    struct sbx_filter_key *k)
{
	/* For the compat ABIs (filter.h): outside the filtered mode inet sockets of either kind
	 * may be made, the namespace (or --net host) bounding them. */
	bool any = pol->net != SBX_NET_FILTERED;

	*k = (struct sbx_filter_key){
		.net = pol->net,
		.tcp = any || sbx_pol_has_proto(pol, SBX_PROTO_TCP),
		.udp = any || sbx_pol_has_proto(pol, SBX_PROTO_UDP),
		.fs = mode == SBX_FILTER_NOTIFY && !pol->explain_off && pol->ll.fs_kernel,
		.mode = mode,
	};
}

const struct sbx_filter_prebuilt *sbx_filter_find_prebuilt(const struct sbx_filter_key *k)
{
	size_t i;

	for (i = 0; i < sbx_filter_prebuilt_n; i++) {
		const struct sbx_filter_key *e = &sbx_filter_prebuilt[i].key;

		if (e->net == k->net && e->tcp == k->tcp && e->udp == k->udp && e->fs == k->fs &&
		    e->mode == k->mode)
			return &sbx_filter_prebuilt[i];
	}
	return NULL;
}

int sbx_filter_build(const struct sbx_policy *pol, enum sbx_filter_mode mode, struct sbx_bpf *out,
		     struct sbx_error *err)
{
	const struct sbx_filter_prebuilt *p;
	struct sbx_filter_key k;

	sbx_filter_key(pol, mode, &k);
	p = sbx_filter_find_prebuilt(&k);
	if (!p)
		return sbx_filter_compile(&k, out, err);
	out->insns = malloc(p->len * sizeof(*p->insns));
	if (!out->insns)
		return sbx_error_set(err, ENOMEM, "seccomp program");
	memcpy(out->insns, p->insns, p->len * sizeof(*p->insns));
	out->len = p->len;
	return 0;
}

void sbx_bpf_free(struct sbx_bpf *b)
{
	free(b->insns);
	b->insns = NULL;
	b->len = 0;
}
