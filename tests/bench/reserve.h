/*
 * reserve.h - how long a reservation that needs other guests ballooned
 * takes to be satisfied, in simulated seconds: a host whose memory the
 * guests hold (after a warm-up under the policy), then a new domain's
 * memory is asked for; the clock runs until free memory covers it and the
 * reserve.
 */
#ifndef XENITH_BENCH_RESERVE_H
#define XENITH_BENCH_RESERVE_H

#include <stdint.h>

#include "policies.h"

#define RESERVE_GUESTS 16
#define RESERVE_SPEED_KB_S (128ull * 1024)  /* every balloon driver */
#define RESERVE_NEED_KB (8ull * 1024 * 1024)
#define RESERVE_LIMIT_S 600                 /* give up after this */

struct reserve_result {
    uint64_t to_free_kb;        /* need + reserve - free when asked */
    double ideal_s;             /* to_free / (guests x driver speed) */
    uint32_t seconds;           /* until satisfied; RESERVE_LIMIT_S + 1:
                                 * never */
};

/* 0, or -1 when out of memory or the sim refused the set-up. */
int reserve_measure(const struct policy_ops *pol, uint64_t reserve_kb,
                    struct reserve_result *r);

#endif
