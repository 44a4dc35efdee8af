/*
 * One fuzz target per file: each defines LLVMFuzzerTestOneInput(). Built with clang and
 * libFuzzer by `make fuzz`, and with gcc and replay.c (a TAP main that feeds every file of
 * tests/fuzz/corpus/<target>/ to the target) by `make check`.
 */
#ifndef SBX_FUZZ_H
#define SBX_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* LLVMFuzzerTestOneInput() - run one input; returns 0 (libFuzzer's convention). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
