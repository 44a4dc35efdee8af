/*
 * libFuzzer target for the policy file parser: any bytes as a policy file, applied to an
 * empty policy and printed back. Build with clang (make fuzz-policy); without clang,
 * replay.c runs the seed corpus through the same entry point under `make check`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../../supervisor/options/cli.h"
#include "../../../supervisor/options/policy_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbx_opts o;
	struct sbx_error err;
	FILE *devnull;

	sbx_polfile_set_options(sbx_cli_options);
	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	/* Includes resolve next to this name: a directory that holds nothing. */
	if (sbx_polfile_parse(&o, "/nonexistent-sbx-fuzz/f.policy", (const char *)data, size,
			      &err) == 0) {
		devnull = fopen("/dev/null", "we");
		if (devnull) {
			sbx_polfile_print(&o, devnull);
			fclose(devnull);
		}
	}
	sbx_pol_free(&o.pol);
	return 0;
}
