/*
 * sim_workload.c - the memory a simulated guest's workload wants over
 * time: a pure function of (kind, base, seed, time), cheap enough to call
 * for thousands of guests several times a second.  Randomness is a hash of
 * (seed, stream, minute); noise moves linearly from one minute's value to
 * the next, so demand has no jumps except at a burst's edges.
 *
 *   NONE    base
 *   IDLE    base x (0.33 + 0.04 n)          (about 0.35 base)
 *   STEADY  base x (0.95 + 0.10 n)          (base +-5 %)
 *   BURST   base x (0.48 + 0.04 n), or 2 x base during a burst: a burst
 *           starts in a given minute with probability 3/60 and lasts 2-6
 *           whole minutes (a few an hour)
 *   LEAK    base/2 + base x hours, without bound (the model kills it)
 *
 * n is the noise, in [0, 1).
 */
#include "sim/sim_host_int.h"

#define MINUTE_NS (60ull * 1000 * SIM_MS)
#define HOUR_NS (60 * MINUTE_NS)
#define BURST_CHANCE (3.0 / 60)     /* a burst starts in a minute */
#define BURST_MIN 2                 /* minutes */
#define BURST_MAX 6

enum stream { S_NOISE = 1, S_BURST, S_BURST_LEN };

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t hash(uint64_t seed, enum stream s, uint64_t minute)
{
    return mix64(seed ^ mix64(minute * 4 + (uint64_t)s));
}

/* A uniform number in [0, 1) for (seed, stream, minute). */
static double unit(uint64_t seed, enum stream s, uint64_t minute)
{
    return (double)(hash(seed, s, minute) >> 11) * 0x1p-53;
}

/* Noise at t: one value a minute, joined by straight lines. */
static double noise(uint64_t seed, uint64_t t_ns)
{
    uint64_t m = t_ns / MINUTE_NS;
    double f = (double)(t_ns % MINUTE_NS) / (double)MINUTE_NS;

    return unit(seed, S_NOISE, m) * (1 - f) + unit(seed, S_NOISE, m + 1) * f;
}

/* Is minute m inside a burst?  One that started up to BURST_MAX - 1
 * minutes before may still last. */
static bool in_burst(uint64_t seed, uint64_t m)
{
    for (uint64_t s = m >= BURST_MAX - 1 ? m - (BURST_MAX - 1) : 0; s <= m;
         s++) {
        uint64_t len;
        if (unit(seed, S_BURST, s) >= BURST_CHANCE)
            continue;
        len = BURST_MIN + hash(seed, S_BURST_LEN, s) %
                          (BURST_MAX - BURST_MIN + 1);
        if (s + len > m)
            return true;
    }
    return false;
}

static uint64_t kb(double x)
{
    if (x <= 0)
        return 0;
    if (x >= 0x1p62)
        return 1ull << 62;
    return (uint64_t)(x + 0.5);
}

uint64_t sim_workload_demand(const struct sim_guest_mem *gm, uint64_t t_ns)
{
    double base = (double)gm->base_kb;

    switch (gm->workload) {
    case SIM_WL_IDLE:
        return kb(base * (0.33 + 0.04 * noise(gm->wl_seed, t_ns)));
    case SIM_WL_STEADY:
        return kb(base * (0.95 + 0.10 * noise(gm->wl_seed, t_ns)));
    case SIM_WL_BURST:
        if (in_burst(gm->wl_seed, t_ns / MINUTE_NS))
            return kb(2 * base);
        return kb(base * (0.48 + 0.04 * noise(gm->wl_seed, t_ns)));
    case SIM_WL_LEAK:
        return kb(base / 2 + base * ((double)t_ns / (double)HOUR_NS));
    case SIM_WL_NONE:
        break;
    }
    return gm->base_kb;
}
