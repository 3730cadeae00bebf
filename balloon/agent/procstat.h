/*
 * procstat.h - what the guest agent reads from the guest kernel: one
 * sample of /proc/meminfo, /proc/vmstat, /proc/pressure/memory and
 * /proc/uptime (or the same files under another directory, for tests).
 *
 * Reading allocates nothing (fixed buffers) and complains on stderr once
 * per problem: a file that cannot be read or lacks a line is said once,
 * not at every sample, and said again only if it comes back after being
 * fixed.
 */
#ifndef XENITH_AGENT_PROCSTAT_H
#define XENITH_AGENT_PROCSTAT_H

#include <stdint.h>

/* One sample; counters are since the guest booted. */
struct procstat {
    uint64_t uptime_cs;         /* when: since boot, 1/100 s */
    uint64_t total_kb;          /* MemTotal */
    uint64_t avail_kb;          /* MemAvailable */
    uint64_t pswpin;            /* pages swapped in */
    uint64_t pswpout;
    uint64_t refault;           /* workingset refaults, anon + file */
    uint32_t some10;            /* PSI memory avg10, 1/100 percent */
    uint32_t full10;
    uint64_t some_us;           /* PSI memory total, microseconds */
    uint64_t full_us;
};

/* Where to read, and which complaints have been made. */
struct procstat_src {
    const char *dir;            /* "/proc" or a test's; not copied */
    unsigned said;              /* complaints on stderr, one bit each */
    unsigned seen;              /* complaints met during this sample */
};

/* dir: NULL for /proc; it must outlive src. */
void procstat_src_init(struct procstat_src *src, const char *dir);

/*
 * Read one sample into *s.  0; or -1 when meminfo cannot give MemTotal
 * and MemAvailable, without which there is no report (that was said on
 * stderr).  Problems with the other files leave their fields 0: without
 * PSI the pressure fields are 0; without /proc/uptime the sample's time
 * is the boot-time clock's.
 */
int procstat_read(struct procstat_src *src, struct procstat *s);

#endif
