/*
 * bench_balloon.c - the ballooning bench (docs/bench.md): the seeded day
 * replayed under no ballooning, the reference squeezed-style proportional
 * policy and xenith's balancer; the time of one balancer pass at 1,000
 * domains; the time until a reservation that needs others ballooned is
 * satisfied.  Prints a table and, with --json, writes the figures.
 *
 *   bench_balloon [--json PATH] [--trace-dump] [--seed N] [--seconds N]
 *
 * Every simulated figure is the same on every run with the same seed; only
 * the timings vary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passtime.h"
#include "policies.h"
#include "replay.h"
#include "report.h"
#include "reserve.h"
#include "timing.h"
#include "trace.h"

#define MIB 1024ull
#define GIB (1024.0 * 1024.0)
#define DAY_S 86400u
#define SEED_DEFAULT 20240611u
#define RESERVE_KB (128 * MIB)
#define PASS_DOMAINS 1000
#define PASS_RUNS 301

struct opts {
    const char *json;
    bool dump;
    uint64_t seed;
    uint32_t seconds;
};

struct results {
    struct replay_result run[3];    /* static, reference, xenith */
    double run_wall_s[3];
    struct passtime pass;
    struct reserve_result res_xen, res_ref;
};

static const struct policy_ops *const policies[3] = {
    &policy_static, &policy_reference, &policy_xenith,
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){NULL, false, SEED_DEFAULT, DAY_S};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--json") && i + 1 < argc) {
            o->json = argv[++i];
        } else if (!strcmp(a, "--trace-dump")) {
            o->dump = true;
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            o->seed = strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(a, "--seconds") && i + 1 < argc) {
            o->seconds = (uint32_t)strtoul(argv[++i], NULL, 0);
            if (o->seconds < 24 * 60) {
                fprintf(stderr, "bench_balloon: --seconds: \"%s\" is "
                        "shorter than 1440 s\n", argv[i]);
                return -1;
            }
        } else {
            fprintf(stderr, "usage: bench_balloon [--json PATH] "
                    "[--trace-dump] [--seed N] [--seconds N]\n");
            return -1;
        }
    }
    return 0;
}

static void print_trace(const struct trace *t)
{
    uint64_t cfg = 0, smax = 0;
    unsigned count[REPLAY_WL_KINDS] = {0}, batch = 0;

    for (size_t i = 0; i < t->n; i++) {
        cfg += t->guests[i].cfg_kb;
        smax += t->guests[i].smax_kb;
        count[t->guests[i].gm.workload]++;
        batch += t->guests[i].start_s != 0;
    }
    printf("ballooning bench: seed %llu, %u s simulated in 1 s steps\n",
           (unsigned long long)t->seed, t->seconds);
    printf("  host %.1f GiB: %.1f GiB for guests, domain 0 %.1f GiB, "
           "Xen %.1f GiB, reserve %llu MiB\n",
           (double)t->host_total_kb / GIB, (double)t->guest_room_kb / GIB,
           (double)t->dom0_kb / GIB, (double)t->overhead_kb / GIB,
           (unsigned long long)(t->reserve_kb / MIB));
    printf("  %zu guests (%u batch VMs come and go): memory= %.1f GiB, "
           "maxmem= %.1f GiB (%.2fx the guests' room)\n",
           t->n, batch, (double)cfg / GIB, (double)smax / GIB,
           (double)smax / (double)t->guest_room_kb);
    printf("  workloads: %u idle, %u steady, %u burst, %u leak\n",
           count[SIM_WL_IDLE], count[SIM_WL_STEADY], count[SIM_WL_BURST],
           count[SIM_WL_LEAK]);
}

static int run_all(const struct trace *t, const struct opts *o,
                   struct results *res)
{
    for (int p = 0; p < 3; p++) {
        uint64_t t0 = timing_now_ns();

        if (replay_day(t, policies[p], &res->run[p],
                       o->dump ? stdout : NULL) < 0) {
            fprintf(stderr, "bench_balloon: the %s replay failed\n",
                    policies[p]->name);
            return -1;
        }
        res->run_wall_s[p] = (double)(timing_now_ns() - t0) / 1e9;
    }
    if (passtime_measure(PASS_DOMAINS, PASS_RUNS, o->seed, &res->pass) < 0 ||
        reserve_measure(&policy_xenith, RESERVE_KB, &res->res_xen) < 0 ||
        reserve_measure(&policy_reference, RESERVE_KB, &res->res_ref) < 0) {
        fprintf(stderr, "bench_balloon: out of memory\n");
        return -1;
    }
    return 0;
}

static double kills_not_leak(const struct replay_result *r)
{
    return (double)(r->oom_kills - r->kills_by_wl[SIM_WL_LEAK]);
}

/* What a ballooning policy can do something about: demand up to the
 * guests' maxima, kills of guests that did not hold their maximum. */
static double short_within_max(const struct replay_result *r)
{
    return r->short_gibs - r->beyond_max_gibs;
}

static double kills_below_max(const struct replay_result *r)
{
    return (double)(r->oom_kills - r->oom_at_max);
}

/* The three runs side by side, with the split by workload. */
static void print_runs(const struct results *res)
{
    static const char *const wl[] = {"none", "idle", "steady", "burst",
                                      "leak"};
    const struct replay_result *r = res->run;

    printf("\n%-34s %14s %14s %14s\n", "the day, per policy", "static",
           "reference", "xenith");
    printf("%-34s %14.1f %14.1f %14.1f\n", "shortfall (GiB.s)",
           r[0].short_gibs, r[1].short_gibs, r[2].short_gibs);
    for (int w = 1; w < REPLAY_WL_KINDS; w++)
        printf("  %-32s %14.1f %14.1f %14.1f\n", wl[w], r[0].short_by_wl[w],
               r[1].short_by_wl[w], r[2].short_by_wl[w]);
    printf("  %-32s %14.1f %14.1f %14.1f\n", "beyond the guests' maxima",
           r[0].beyond_max_gibs, r[1].beyond_max_gibs, r[2].beyond_max_gibs);
    printf("%-34s %14u %14u %14u\n", "OOM kills", r[0].oom_kills,
           r[1].oom_kills, r[2].oom_kills);
    printf("  %-32s %14u %14u %14u\n", "of guests at their maximum",
           r[0].oom_at_max, r[1].oom_at_max, r[2].oom_at_max);
    for (int w = 1; w < REPLAY_WL_KINDS; w++)
        printf("  %-32s %14u %14u %14u\n", wl[w], r[0].kills_by_wl[w],
               r[1].kills_by_wl[w], r[2].kills_by_wl[w]);
    printf("%-34s %14.1f %14.1f %14.1f\n", "memory moved (GiB)",
           r[0].moved_gib, r[1].moved_gib, r[2].moved_gib);
    for (int w = 1; w < REPLAY_WL_KINDS; w++)
        printf("  %-32s %14.1f %14.1f %14.1f\n", wl[w], r[0].moved_by_wl[w],
               r[1].moved_by_wl[w], r[2].moved_by_wl[w]);
    printf("%-34s %14u %14u %14u\n", "reserve violated (s)",
           r[0].reserve_violation_s, r[1].reserve_violation_s,
           r[2].reserve_violation_s);
    printf("%-34s %14u %14u %14u\n", "batch VMs' wait for memory (s)",
           r[0].start_wait_s, r[1].start_wait_s, r[2].start_wait_s);
    printf("%-34s %14u %14u %14u\n", "batch VMs never started",
           r[0].not_started, r[1].not_started, r[2].not_started);
    printf("%-34s %14.2f %14.2f %14.2f\n", "replay time (s, wall clock)",
           res->run_wall_s[0], res->run_wall_s[1], res->run_wall_s[2]);
}

static int figures(const struct results *res, struct bench_report *rep)
{
    const char *ref = policy_reference.label;
    const struct replay_result *r = &res->run[1], *x = &res->run[2];
    const struct reserve_result *rx = &res->res_xen, *rr = &res->res_ref;
    int rc = 0;

    rc |= report_add(rep, "balloon", "guest memory shortfall", x->short_gibs,
                     "GiB.s", ref, r->short_gibs, "<= 0.5 x baseline");
    rc |= report_add(rep, "balloon", "guest memory shortfall within maxmem",
                     short_within_max(x), "GiB.s", ref, short_within_max(r),
                     "<= 0.5 x baseline");
    rc |= report_add(rep, "balloon", "guest OOM kills below maxmem",
                     kills_below_max(x), "kills", ref, kills_below_max(r),
                     "0 where the baseline has any");
    rc |= report_add(rep, "balloon", "guest OOM kills", x->oom_kills,
                     "kills", ref, r->oom_kills,
                     "0 where the baseline has any");
    rc |= report_add(rep, "balloon", "guest OOM kills, leaking guests aside",
                     kills_not_leak(x), "kills", ref, kills_not_leak(r),
                     "0 where the baseline has any");
    rc |= report_add(rep, "balloon", "memory moved", x->moved_gib, "GiB", ref,
                     r->moved_gib, "<= baseline");
    rc |= report_add(rep, "balloon", "host reserve violated",
                     x->reserve_violation_s, "s", ref,
                     r->reserve_violation_s, "0");
    rc |= report_add(rep, "balloon", "batch VMs' wait for memory",
                     x->start_wait_s, "s (simulated)", ref, r->start_wait_s,
                     "<= baseline");
    rc |= report_add(rep, "balloon", "balancer pass at 1000 domains",
                     (double)res->pass.xenith_ns / 1e6, "ms", ref,
                     (double)res->pass.reference_ns / 1e6, "< 5 ms");
    rc |= report_add(rep, "balloon", "reservation satisfied after",
                     rx->seconds, "s (simulated)", ref, rr->seconds,
                     "~ %.1f s (%.1f GiB to free / %d drivers x %llu MiB/s)",
                     rx->ideal_s, (double)rx->to_free_kb / GIB,
                     RESERVE_GUESTS,
                     (unsigned long long)(RESERVE_SPEED_KB_S / MIB));
    return rc ? -1 : 0;
}

/* Each goal, met or not, from the same numbers as the table. */
static void print_goals(const struct results *res)
{
    const struct replay_result *r = &res->run[1], *x = &res->run[2];
    const struct reserve_result *rx = &res->res_xen;
    struct {
        const char *what;
        bool met;
    } g[] = {
        {"shortfall <= 0.5 x reference", x->short_gibs <= 0.5 * r->short_gibs},
        {"  (within the guests' maxima)",
         short_within_max(x) <= 0.5 * short_within_max(r)},
        {"no more memory moved than the reference",
         x->moved_gib <= r->moved_gib},
        {"zero reserve violations", x->reserve_violation_s == 0},
        /* the reference has some in any trace with a leak, so: none */
        {"zero OOM kills where the reference has any", x->oom_kills == 0},
        {"  (leaking guests aside)", kills_not_leak(x) == 0},
        {"  (of guests below their maximum)", kills_below_max(x) == 0 ||
                                              kills_below_max(r) == 0},
        {"pass at 1000 domains < 5 ms", res->pass.xenith_ns < 5000000},
        {"reservation within 2 x (to free / drivers' speed) + 2 s",
         rx->seconds <= 2 * rx->ideal_s + 2},
    };

    printf("\ngoals:\n");
    for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
        printf("  %-58s %s\n", g[i].what, g[i].met ? "met" : "MISSED");
}

int main(int argc, char **argv)
{
    struct opts o;
    struct trace t = {0};
    struct results res;
    struct bench_report rep;
    int rc = 1;

    report_init(&rep);
    if (parse_opts(argc, argv, &o) < 0)
        return 2;
    if (trace_day(&t, o.seed, o.seconds, RESERVE_KB) < 0) {
        fprintf(stderr, "bench_balloon: out of memory\n");
        goto out;
    }
    print_trace(&t);
    fflush(stdout);
    if (run_all(&t, &o, &res) < 0)
        goto out;
    print_runs(&res);
    if (figures(&res, &rep) < 0) {
        fprintf(stderr, "bench_balloon: out of memory\n");
        goto out;
    }
    printf("\n");
    report_print(&rep, stdout);
    print_goals(&res);
    if (o.json && report_write_json(&rep, o.json) < 0) {
        fprintf(stderr, "bench_balloon: %s: %s\n", o.json, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    report_dispose(&rep);
    trace_dispose(&t);
    return rc;
}
