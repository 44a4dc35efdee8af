/*
 * Fuzz target: sbx_pol_add_unix() on any argument text ("PATH", "DIR/", "@NAME"), then
 * matching against what it added. Real paths are only looked up (realpath, stat), never
 * created. An accepted abstract rule matches its own name.
 */
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/policy/policy.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_policy pol = { 0 };
	struct sbx_error err = { 0 };
	char *text;
	int r;

	text = sbx_fuzz_text(data, size, 8192);
	if (!text)
		return 0;
	r = sbx_pol_add_unix(&pol, text, &err);
	if (r < 0 && (pol.n_unix != 0 || !err.msg[0]))
		abort();
	if (r == 0) {
		const struct sbx_unix_rule *u = &pol.unix_rules[0];

		if (pol.n_unix != 1)
			abort();
		if (u->kind == SBX_UNIX_ABSTRACT) {
			if (u->name_len == 0 || u->name_len > SBX_UNIX_NAME_MAX)
				abort();
			if (sbx_pol_match_abstract(&pol, u->name, u->name_len) != u)
				abort();
		} else {
			if (!u->path || u->path[0] != '/' || strlen(u->path) != u->path_len)
				abort();
			if (u->kind == SBX_UNIX_DIR && u->path[u->path_len - 1] != '/')
				abort();
		}
	}
	sbx_pol_free(&pol);
	free(text);
	return 0;
}
