/* pace.c - see pace.h. */
#include "pace.h"

#define SAMPLE_SECS 0.2         /* the pace is measured over this long */
#define WAIT_SECS 0.2           /* what may wait: this long at the pace */
#define NEW_WEIGHT 0.5          /* of a sample in the smoothed pace */

size_t pace_bound(struct pace *p, uint64_t drained, double now)
{
    double span = now - p->at, bound;

    if (p->at == 0 || now < p->at || drained < p->drained) {
        p->at = now;                /* (re)start measuring */
        p->drained = drained;
    } else if (span >= SAMPLE_SECS) {
        double rate = (double)(drained - p->drained) / span;

        p->rate = p->known ? NEW_WEIGHT * rate + (1 - NEW_WEIGHT) * p->rate
                           : rate;
        p->known = true;
        p->at = now;
        p->drained = drained;
    }
    if (!p->known)
        return PACE_MAX;
    bound = p->rate * WAIT_SECS;
    if (bound < (double)PACE_MIN)
        return PACE_MIN;
    if (bound > (double)PACE_MAX)
        return PACE_MAX;
    return (size_t)bound;
}
