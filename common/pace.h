/*
 * pace.h - how much of a stream may wait in a queue: a fifth of a
 * second at the pace the queue has been draining, from 512 KiB to 8 MiB.
 *
 * A migration's last round (the pages written after the suspend) goes
 * through the same queues as everything before it.  Seconds of older data
 * waiting ahead of it are seconds of downtime: on a link of 2.5 MB/s (the
 * lab's) an 8 MiB queue costs more than three.  On loopback the same
 * fifth of a second is the whole 8 MiB, and the pace never limits
 * throughput: a queue drains at its pace only while something waits.
 *
 * Pure: the caller says how much has left the queue in all, and when.
 */
#ifndef XENITH_PACE_H
#define XENITH_PACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PACE_MIN ((size_t)512 << 10)
#define PACE_MAX ((size_t)8 << 20)

struct pace {
    double at;              /* when the last sample began; 0: not yet */
    uint64_t drained;       /* what had left the queue by then */
    double rate;            /* bytes a second, smoothed */
    bool known;             /* rate has been measured */
};

/* `drained` bytes have left the queue by `now` (seconds, any clock that
 * does not go back): returns how many may wait in it.  PACE_MAX until
 * the pace is known. */
size_t pace_bound(struct pace *p, uint64_t drained, double now);

#endif
