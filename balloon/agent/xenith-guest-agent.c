/*
 * xenith-guest-agent.c - the guest side of xenith's memory ballooning.
 *
 * Runs in a Linux guest.  Every few seconds it reads the kernel's memory
 * figures (procstat.c), turns the counters into per-second rates, and
 * writes one memory report (common/memreport.h) into the guest's own
 * xenstore node data/xenith-memory (xsbus.c), where xenithd's ballooning
 * service reads it.  A static program: libc, memreport.c and err.c.
 *
 * After the start nothing is allocated: the samples, the report's text
 * and the bus's buffers are fixed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "memreport.h"
#include "procstat.h"
#include "xsbus.h"

#define PROG "xenith-guest-agent"
#define EVERY_MAX 3600
#define TIMEOUT_MAX 600

struct opts {
    unsigned every_s;           /* --every */
    unsigned long count;        /* --count, --once; 0: for ever */
    const char *proc;           /* --proc; NULL: /proc */
    const char *xenbus;         /* --xenbus; NULL: the devices */
    bool to_stdout;             /* --stdout */
    unsigned timeout_s;         /* --timeout: for xenstore's reply */
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " [--every SECS] [--once | --count N] [--stdout]\n"
            "       [--proc DIR] [--xenbus PATH] [--timeout SECS]\n"
            "Writes this guest's memory report to xenstore (data/xenith-memory)"
            "\nevery SECS seconds (default 2).  See xenith-guest-agent(8).\n");
}

/* A whole number in [lo, hi] for option `name`, or exit 2 saying why. */
static unsigned long opt_num(const char *name, const char *v, unsigned long lo,
                             unsigned long hi)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = strtoul(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end || errno || n < lo || n > hi) {
        fprintf(stderr, PROG ": %s: \"%s\" is not a whole number from %lu to "
                "%lu\n", name, v, lo, hi);
        exit(2);
    }
    return n;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"every", required_argument, NULL, 'e'},
        {"once", no_argument, NULL, '1'},
        {"count", required_argument, NULL, 'c'},
        {"proc", required_argument, NULL, 'p'},
        {"xenbus", required_argument, NULL, 'x'},
        {"stdout", no_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    *o = (struct opts){.every_s = 2, .timeout_s = 5};
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e': o->every_s = (unsigned)opt_num("--every", optarg, 1,
                                                 EVERY_MAX); break;
        case '1': o->count = 1; break;
        case 'c': o->count = opt_num("--count", optarg, 1, ULONG_MAX); break;
        case 'p': o->proc = optarg; break;
        case 'x': o->xenbus = optarg; break;
        case 's': o->to_stdout = true; break;
        case 't': o->timeout_s = (unsigned)opt_num("--timeout", optarg, 1,
                                                   TIMEOUT_MAX); break;
        case 'h': usage(stdout); exit(0);
        default:
            fprintf(stderr, PROG ": unknown option \"%s\" (see --help)\n",
                    argv[optind - 1]);
            exit(2);
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROG ": unexpected argument \"%s\" (see --help)\n",
                argv[optind]);
        exit(2);
    }
}

/* Pages (or events) per second between two counter readings cs 1/100 s
 * apart, rounded; 0 when the counter went back or no time passed. */
static uint64_t rate(uint64_t prev, uint64_t cur, uint64_t cs)
{
    uint64_t d, r;

    if (cs == 0 || cur < prev)
        return 0;
    d = cur - prev;
    r = d > UINT64_MAX / 100 ? d / cs * 100 : (d * 100 + cs / 2) / cs;
    return r > MEMREPORT_RATE_MAX ? MEMREPORT_RATE_MAX : r;
}

/* The report from this sample and the one before (NULL: the first one,
 * whose rates are 0). */
static void fill_report(struct memreport *r, uint64_t seq, unsigned every_s,
                        const struct procstat *prev, const struct procstat *cur)
{
    *r = (struct memreport){
        .seq = seq,
        .every_s = every_s,
        .total_kb = cur->total_kb,
        .avail_kb = cur->avail_kb > cur->total_kb ? cur->total_kb
                                                  : cur->avail_kb,
        .some10 = cur->some10,
        .full10 = cur->full10,
        .some_us = cur->some_us,
        .full_us = cur->full_us,
    };
    if (prev && cur->uptime_cs > prev->uptime_cs) {
        uint64_t cs = cur->uptime_cs - prev->uptime_cs;
        r->swapin_ps = rate(prev->pswpin, cur->pswpin, cs);
        r->swapout_ps = rate(prev->pswpout, cur->pswpout, cs);
        r->refault_ps = rate(prev->refault, cur->refault, cs);
    }
}

/* Say a failure to write xenstore once, until the writes work again. */
static void say_store(int ok, const struct xn_msg *msg)
{
    static char last[XN_MSG_MAX];
    static int written;

    if (ok) {
        if (last[0])
            fprintf(stderr, PROG ": writing \"%s\" works again\n",
                    MEMREPORT_NODE);
        else if (!written)
            fprintf(stderr, PROG ": the first report is in \"%s\"\n",
                    MEMREPORT_NODE);
        written = 1;
        last[0] = '\0';
        return;
    }
    if (strcmp(last, msg->text) == 0)
        return;
    snprintf(last, sizeof(last), "%s", msg->text);
    fprintf(stderr, PROG ": %s\n", msg->text);
}

static void sleep_until(struct timespec *next, unsigned every_s)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    next->tv_sec += every_s;
    /* Fell behind (paused, or a slow xenstore): start counting anew. */
    if (next->tv_sec < now.tv_sec ||
        (next->tv_sec == now.tv_sec && next->tv_nsec < now.tv_nsec)) {
        *next = now;
        next->tv_sec += every_s;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) ==
           EINTR)
        ;
}

int main(int argc, char **argv)
{
    static struct procstat samples[2];
    static struct xsbus bus;
    static char text[MEMREPORT_TEXT_MAX + 1];
    struct procstat_src src;
    struct opts o;
    struct timespec next;
    struct procstat *prev = NULL;
    uint64_t seq = 0;
    int failed = 0;

    parse_opts(argc, argv, &o);
    signal(SIGPIPE, SIG_IGN);   /* a closed socket is an error, not death */
    procstat_src_init(&src, o.proc);
    xsbus_init(&bus, o.xenbus);
    clock_gettime(CLOCK_MONOTONIC, &next);

    for (unsigned long n = 1;; n++) {
        struct procstat *cur = prev == &samples[0] ? &samples[1]
                                                   : &samples[0];
        struct memreport r;
        struct xn_msg msg;
        int ok;

        if (procstat_read(&src, cur) < 0) {
            failed = 1;
        } else {
            fill_report(&r, ++seq, o.every_s, prev, cur);
            prev = cur;
            if (memreport_format(&r, text, sizeof(text)) < 0) {
                fprintf(stderr, PROG ": the report does not fit in %d bytes\n",
                        MEMREPORT_TEXT_MAX);
                return 1;
            }
            if (o.to_stdout) {
                ok = printf("%s\n", text) > 0 && fflush(stdout) == 0;
                if (!ok) {
                    fprintf(stderr, PROG ": cannot write to stdout: %s\n",
                            strerror(errno));
                    return 1;
                }
            } else {
                ok = xsbus_write(&bus, MEMREPORT_NODE, text,
                                 (int)o.timeout_s * 1000, &msg) == 0;
                say_store(ok, &msg);
                failed |= !ok;
            }
        }
        if (o.count && n >= o.count)
            break;
        sleep_until(&next, o.every_s);
    }
    xsbus_close(&bus);
    return failed;
}
