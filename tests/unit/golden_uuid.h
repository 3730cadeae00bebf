/*
 * golden_uuid.h - masking the random UUID of golden files whose config
 * sets no uuid.
 *
 * Without `uuid` in the file, `xl -N create` prints a random UUID in
 * c_info (and xenith makes one too), so the golden documents of real-world
 * files (tests/lab/corpus, tests/libvirt) can only be compared with that
 * one value masked on both sides.
 */
#ifndef XENITH_TESTS_GOLDEN_UUID_H
#define XENITH_TESTS_GOLDEN_UUID_H

#include <stddef.h>

/* Whether the xl.cfg text (len bytes) has a line setting uuid. */
int golden_sets_uuid(const char *cfg, size_t len);

/* Overwrite, in place, the value of the first "uuid" of the JSON document
 * (c_info's, which libxl prints first) with zeros of the same length. */
void golden_mask_uuid(char *json);

#endif
