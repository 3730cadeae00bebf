/*
 * memreport.h - the memory report a guest's agent (xenith-guest-agent)
 * writes into its own xenstore, and its one parser.
 *
 * The agent writes one node, /local/domain/N/data/xenith-memory (the
 * guest may write under its own data/), every few seconds: one line of
 * space-separated key=value fields, e.g.
 *
 *   v=1 seq=42 every=2 total=1015808 avail=612340 swapin=0 swapout=0
 *   refault=12 some10=0.35 full10=0.00 some=123456 full=789
 *
 *   v        format version (1)
 *   seq      counts reports; a repeated seq is not a new report
 *   every    the agent's interval, seconds
 *   total    MemTotal, KiB          avail    MemAvailable, KiB
 *   swapin   pages swapped in per second     swapout  ... out
 *   refault  workingset refaults per second
 *   some10   PSI memory "some" avg10, percent with 2 decimals
 *   full10   PSI memory "full" avg10
 *   some     PSI memory "some" total, microseconds     full  "full" total
 *
 * One node, written at once, so the daemon never sees half a report.
 * The text comes from a guest and is untrusted: memreport_parse checks
 * every field, ignores unknown keys (a newer agent), and clamps what is
 * merely out of range (avail above total) rather than refusing it.
 */
#ifndef XENITH_MEMREPORT_H
#define XENITH_MEMREPORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MEMREPORT_NODE "data/xenith-memory"     /* under /local/domain/N */
#define MEMREPORT_VERSION 1
#define MEMREPORT_TEXT_MAX 512                  /* longer is refused */
#define MEMREPORT_KB_MAX (1ull << 40)           /* 1 PiB: above is garbage */
#define MEMREPORT_RATE_MAX (1ull << 32)         /* pages per second */

struct memreport {
    uint64_t seq;
    uint32_t every_s;           /* 0 when not said */
    uint64_t total_kb;
    uint64_t avail_kb;          /* <= total_kb */
    uint64_t swapin_ps;
    uint64_t swapout_ps;
    uint64_t refault_ps;
    uint32_t some10;            /* hundredths of a percent, 0..10000 */
    uint32_t full10;
    uint64_t some_us;
    uint64_t full_us;
};

/* Write r as the one-line text (NUL-terminated) into buf.  Returns the
 * length, or -1 when it does not fit. */
int memreport_format(const struct memreport *r, char *buf, size_t len);

/* Parse `len` bytes of untrusted text.  0, or XN_EINVAL with msg saying
 * what is wrong, quoting it ("field \"total=12x\" is not a number").
 * total and avail are required; other fields default to 0.  Sets
 * *clamped (when not NULL) to 1 when a value was out of range and was
 * clamped. */
int memreport_parse(const char *text, size_t len, struct memreport *r,
                    int *clamped, struct xn_msg *msg);

#endif
