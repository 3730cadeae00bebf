/*
 * fairshare.c - weighted max-min fair division ("water filling"): the
 * claimants whose limit lies below their weighted share take their limit,
 * lowest limit-per-weight first; the rest divide what is left by weight.
 */
#include "fairshare.h"

#include <stdlib.h>

/* qsort has no context argument: the keys travel through this. */
struct key {
    const double *weight, *limit;
};
static _Thread_local struct key sort_key;

static double level(size_t i)
{
    return sort_key.limit[i] / sort_key.weight[i];
}

static int by_level(const void *a, const void *b)
{
    double x = level(*(const size_t *)a), y = level(*(const size_t *)b);

    return x < y ? -1 : x > y;
}

void fairshare(size_t n, const double *weight, const double *limit,
               double capacity, double *out, size_t *order)
{
    double left = capacity > 0 ? capacity : 0, wsum = 0;

    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        wsum += weight[i];
    }
    sort_key = (struct key){weight, limit};
    qsort(order, n, sizeof(*order), by_level);
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        double share = wsum > 0 ? left * weight[i] / wsum : 0;
        double lim = limit[i] > 0 ? limit[i] : 0;

        out[i] = lim < share ? lim : share;
        left -= out[i];
        if (left < 0)
            left = 0;
        wsum -= weight[i];
    }
}
