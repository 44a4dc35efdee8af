/*
 * Filter tier: the programs compiled when sbx is built (filters/prebuilt.h). Each entry of the
 * table must be what libseccomp makes of its key now, and every policy's key must have one, so
 * start-up never compiles (and never installs a stale program).
 */
#include <string.h>

#include "../lib/tap.h"
#include "../../filters/filter.h"
#include "../../filters/prebuilt.h"

static const char *const nets[] = { "filtered", "isolated", "none", "host" };
static const char *const modes[] = { "notify", "bpf-only" };

/* Each entry against a fresh compile of its key. */
static void entries(void)
{
	size_t i;

	ok(sbx_filter_prebuilt_n > 0, "the table has %zu programs", sbx_filter_prebuilt_n);
	for (i = 0; i < sbx_filter_prebuilt_n; i++) {
		const struct sbx_filter_prebuilt *p = &sbx_filter_prebuilt[i];
		struct sbx_error err = { 0 };
		struct sbx_bpf b = { 0 };

		if (sbx_filter_compile(&p->key, &b, &err))
			bail_out("compile: %s", err.msg);
		ok(b.len == p->len && !memcmp(b.insns, p->insns, b.len * sizeof(*b.insns)),
		   "%s, tcp %d, udp %d, fs %d, %s: the table's %u instructions are libseccomp's %u",
		   nets[p->key.net], p->key.tcp, p->key.udp, p->key.fs, modes[p->key.mode], p->len,
		   b.len);
		sbx_bpf_free(&b);
	}
}

/* Policies of every shape the filter depends on: each finds its program in the table, and
 * sbx_filter_build() hands out that program. */
static void policies(void)
{
	static const char *const endpoints[][2] = {
		{ NULL, NULL },
		{ "127.0.0.1:3128", NULL },
		{ "udp:127.0.0.53:53", NULL },
		{ "127.0.0.1:3128", "udp:127.0.0.53:53" },
	};
	size_t n, e, m, fs;

	/* fs: Landlock enforces filesystem rules (explained, in the notify mode), or not */
	for (fs = 0; fs < 2; fs++)
		for (n = 0; n < sizeof(nets) / sizeof(nets[0]); n++)
			for (e = 0; e < sizeof(endpoints) / sizeof(endpoints[0]); e++)
				for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
					struct sbx_policy pol = { 0 };
					struct sbx_error err = { 0 };
					const struct sbx_filter_prebuilt *p;
					struct sbx_filter_key k;
					struct sbx_bpf b = { 0 };
					size_t i;

					pol.ll.fs_kernel = fs;
					if (sbx_pol_set_net(&pol, nets[n], &err))
						bail_out("--net %s: %s", nets[n], err.msg);
					for (i = 0; i < 2 && endpoints[e][i]; i++)
						if (sbx_pol_add_connect(&pol, endpoints[e][i],
									&err))
							bail_out("%s: %s", endpoints[e][i],
								 err.msg);
					sbx_filter_key(&pol, (enum sbx_filter_mode)m, &k);
					p = sbx_filter_find_prebuilt(&k);
					if (sbx_filter_build(&pol, (enum sbx_filter_mode)m, &b,
							     &err))
						bail_out("build: %s", err.msg);
					ok(p && b.len == p->len &&
						   !memcmp(b.insns, p->insns,
							   b.len * sizeof(*b.insns)),
					   "--net %s, endpoints %s %s, fs rules %zu, %s: built "
					   "from the table",
					   nets[n], endpoints[e][0] ? endpoints[e][0] : "-",
					   endpoints[e][1] ? endpoints[e][1] : "-", fs, modes[m]);
					sbx_bpf_free(&b);
					sbx_pol_free(&pol);
				}
}

int main(void)
{
	entries();
	policies();
	return done_testing();
}
