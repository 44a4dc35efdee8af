/*
 * One fuzz target per file: each defines LLVMFuzzerTestOneInput(). Built with clang and
 * libFuzzer by `make fuzz`, and with gcc and replay.c (a TAP main that feeds every file of
 * tests/fuzz/corpus/<target>/ to the target) by `make check`.
 */
#ifndef SBX_FUZZ_H
#define SBX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* LLVMFuzzerTestOneInput() - run one input; returns 0 (libFuzzer's convention). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sbx_fuzz_text() - @data as a NUL-terminated string the caller frees, or NULL when @size is
 * over @max (text parsers gain nothing from longer inputs) or memory runs out. */
static inline char *sbx_fuzz_text(const uint8_t *data, size_t size, size_t max)
{
	char *text = size > max ? NULL : malloc(size + 1);

	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
	}
	return text;
}

#endif
