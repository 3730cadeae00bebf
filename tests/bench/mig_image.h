/*
 * mig_image.h - the migration bench's data: incompressible bytes, and a
 * simulated guest image of realistic content (docs/bench.md, "Migration
 * channel").
 */
#ifndef XENITH_BENCH_MIG_IMAGE_H
#define XENITH_BENCH_MIG_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define MIG_PAGE 4096

struct mig_image {
    uint8_t *buf;               /* owned */
    size_t len;
    /* pages of each kind: zero, text, binary, random */
    size_t pages[4];
};

/* len bytes (a multiple of MIG_PAGE) from a seeded xorshift generator. */
int mig_image_random(struct mig_image *im, size_t len, uint64_t seed);

/* A guest image of len bytes, in runs of 1-64 pages: about 45 % zero
 * pages, 25 % text (files of /usr/share/common-licenses and
 * /usr/share/doc, cycled), 20 % binary (ELF files of /usr/bin, cycled),
 * 10 % random.  Seeded: the same on every run of one machine. */
int mig_image_guest(struct mig_image *im, size_t len, uint64_t seed);

void mig_image_dispose(struct mig_image *im);

/* A mig_src_fn (mig_relay.h) over the image (arg), cycled. */
void mig_image_src(void *arg, uint64_t off, uint8_t *buf, size_t n);

#endif
