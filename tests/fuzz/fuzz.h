/* fuzz.h -- what every fuzz target of tests/fuzz/ shares: the libFuzzer entry points.
 *
 * Each fuzz_TARGET.c defines LLVMFuzzerTestOneInput (one input, any bytes, never kept past
 * the call) and may define LLVMFuzzerInitialize (once, before the first input). The same
 * file links either with libFuzzer (clang -fsanitize=fuzzer, GS_FUZZ=ON) or with
 * replay.c, whose main() feeds it the corpus and the regression inputs in the normal and
 * the sanitizer builds, so CI replays them without clang. A target reports a bug by
 * crashing (abort), as libFuzzer expects; memory errors and leaks are the sanitizers'. */
#ifndef GS_FUZZ_H
#define GS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Largest input a target reads; longer inputs are cut (libFuzzer's -max_len is set to
 * the same by run.sh). */
#define GS_FUZZ_MAX_INPUT (256u * 1024)

#endif
