/*
 * pacer.h - when a service's passes run: soon after something happens
 * (several asks in a row make one pass, at the next turn of the loop, but
 * never closer than a gap to the last pass: events come in bursts, such
 * as a thousand domains created in a row), and otherwise when the pass
 * itself says the next one is due.  The balloon and scheduler-tuning
 * services pace their passes with one each.
 */
#ifndef XENITH_DAEMON_PACER_H
#define XENITH_DAEMON_PACER_H

#include <stdint.h>

struct event_base;
struct pacer;

/* One pass; returns the nanoseconds until the next one is due unless
 * something asks for one sooner. */
typedef uint64_t pacer_fn(void *arg);

/* NULL when out of memory.  The first pass comes with pacer_soon. */
struct pacer *pacer_new(struct event_base *base, uint64_t gap_ns,
                        pacer_fn *fn, void *arg);
void pacer_free(struct pacer *p);           /* NULL ok */
/* A pass soon (see above); NULL ok. */
void pacer_soon(struct pacer *p);

#endif
