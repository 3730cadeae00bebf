/*
 * bench_sched.c - the scheduler-tuning bench (docs/bench.md): the seeded
 * trace with overload episodes replayed under Xen's defaults, static class
 * weights, xenith's tuner and a naive tuner without hysteresis; the time
 * of one tuning pass at 1,000 domains.  Prints a table and, with --json,
 * writes the figures.
 *
 *   bench_sched [--json PATH] [--seed N] [--seconds N]
 *
 * Every simulated figure is the same on every run with the same seed; only
 * the timings vary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "sched_passtime.h"
#include "sched_replay.h"
#include "sched_trace.h"

#define SEED_DEFAULT 20240611u
#define SECONDS_DEFAULT 7200u
#define PASS_DOMAINS 1000
#define PASS_RUNS 201
#define REACT_GOAL_S 5          /* 1 s sample + smoothing + enter-after 3 s */

struct opts {
    const char *json;
    uint64_t seed;
    uint32_t seconds;
};

struct results {
    struct sched_replay_result run[SCHED_POL_N];
    struct sched_passtime pass;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){NULL, SEED_DEFAULT, SECONDS_DEFAULT};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--json") && i + 1 < argc) {
            o->json = argv[++i];
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            o->seed = strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(a, "--seconds") && i + 1 < argc) {
            o->seconds = (uint32_t)strtoul(argv[++i], NULL, 0);
            if (o->seconds < SCHED_TRACE_MIN_S) {
                fprintf(stderr, "bench_sched: --seconds: \"%s\" is "
                        "shorter than %u s\n", argv[i], SCHED_TRACE_MIN_S);
                return -1;
            }
        } else {
            fprintf(stderr, "usage: bench_sched [--json PATH] [--seed N] "
                    "[--seconds N]\n");
            return -1;
        }
    }
    return 0;
}

static void print_classes(const struct sched_trace *t)
{
    struct splan_params p;
    unsigned n[SPLAN_NCLASS] = {0}, v[SPLAN_NCLASS] = {0}, vall = 0;
    double guar = 0;

    splan_params_default(&p);
    for (size_t i = 0; i < t->n; i++) {
        n[t->doms[i].cls]++;
        v[t->doms[i].cls] += t->doms[i].vcpus;
        vall += t->doms[i].vcpus;
        guar += p.cls[t->doms[i].cls].guarantee * t->doms[i].vcpus;
    }
    printf("  one credit2 pool of %u pCPUs; %zu domains, %u vCPUs:",
           t->ncpus, t->n, vall);
    for (int c = 0; c < SPLAN_NCLASS; c++)
        printf("%s %s %u (%u vCPUs)", c ? "," : "", splan_class_name(c),
               n[c], v[c]);
    printf("\n  guarantees add up to %.1f pCPUs\n", guar);
}

static void print_trace(const struct sched_trace *t)
{
    double sum = 0, out = 0, in = 0, peak = 0;
    uint32_t n_out = 0, n_in = 0, above_out = 0;

    printf("scheduler bench: seed %llu, %u s simulated in 1 s steps\n",
           (unsigned long long)t->seed, t->seconds);
    print_classes(t);
    for (uint32_t s = 0; s < t->seconds; s++) {
        double d = t->total[s];

        sum += d;
        peak = d > peak ? d : peak;
        if (t->ep_of[s] >= 0) {
            in += d;
            n_in++;
        } else {
            out += d;
            n_out++;
            above_out += d > t->ncpus;
        }
    }
    printf("  demand (CPUs): mean %.1f (%.2fx the pool), outside episodes "
           "%.1f (%.2fx), in episodes %.1f (%.2fx), peak %.1f (%.2fx)\n",
           sum / t->seconds, sum / t->seconds / t->ncpus,
           n_out ? out / n_out : 0, n_out ? out / n_out / t->ncpus : 0,
           n_in ? in / n_in : 0, n_in ? in / n_in / t->ncpus : 0, peak,
           peak / t->ncpus);
    printf("  %zu overload episodes, %u s in all; %u s above capacity "
           "outside them\n", t->n_eps, n_in, above_out);
    for (size_t k = 0; k < t->n_eps; k++) {
        const struct sched_trace_ep *e = &t->eps[k];

        printf("    episode %zu: %02u:%02u:%02u, %u s above capacity, peak "
               "%.1f CPUs (%.2fx)\n", k + 1, e->begin_s / 3600,
               e->begin_s / 60 % 60, e->begin_s % 60, e->end_s - e->begin_s,
               e->peak, e->peak / t->ncpus);
    }
}

/* --- the derived figures --- */

static double throttle_changes(const struct sched_replay_result *r,
                               size_t n_eps)
{
    unsigned n = 0;

    for (size_t k = 0; k < n_eps; k++)
        n += r->ep[k].starts + r->ep[k].raises + r->ep[k].ends;
    return (double)n / (double)n_eps;
}

static double sets_per_ep(const struct sched_replay_result *r, size_t n_eps)
{
    unsigned n = 0;

    for (size_t k = 0; k < n_eps; k++)
        n += r->ep[k].sets;
    return (double)n / (double)n_eps;
}

/* Domains the tuner touched in an episode, on average. */
static double tuned_per_ep(const struct sched_replay_result *r, size_t n_eps)
{
    unsigned n = 0;

    for (size_t k = 0; k < n_eps; k++)
        n += (unsigned)__builtin_popcount(r->ep[k].tuned);
    return (double)n / (double)n_eps;
}

/* Mean over the episodes it reacted to; *missed_r those it did not. */
static double react_mean(const struct sched_replay_result *r, size_t n_eps,
                         unsigned *missed_r)
{
    unsigned n = 0, sum = 0;

    *missed_r = 0;
    for (size_t k = 0; k < n_eps; k++) {
        if (r->ep[k].reacted) {
            sum += r->ep[k].react_s;
            n++;
        } else {
            (*missed_r)++;
        }
    }
    return n ? (double)sum / n : 0;
}

/* The same from the episode's first second with someone to protect. */
static double react_busy_mean(const struct sched_replay_result *r,
                              const struct sched_trace *t)
{
    unsigned n = 0;
    double sum = 0;

    for (size_t k = 0; k < t->n_eps; k++) {
        unsigned late = t->eps[k].busy_s - t->eps[k].begin_s;

        if (!r->ep[k].reacted)
            continue;
        sum += r->ep[k].react_s > late ? r->ep[k].react_s - late : 0;
        n++;
    }
    return n ? sum / n : 0;
}

static double lowest_floor(const struct sched_replay_result *r,
                           const struct sched_trace *t)
{
    double lo = 1e9;

    for (int c = 0; c < SPLAN_NCLASS; c++) {
        double f = sched_replay_class_floor(r, t, c);

        lo = f < lo ? f : lo;
    }
    return lo;
}

static void print_runs(const struct results *res, const struct sched_trace *t)
{
    const struct sched_replay_result *r = res->run;
    unsigned miss[SCHED_POL_N] = {0};
    static const char *const labels[SCHED_POL_N] = {
        "Xen default", "static", "xenith", "naive"};

    printf("\n%-38s", "overload seconds, per policy");
    for (int p = 0; p < SCHED_POL_N; p++)
        printf(" %12s", labels[p]);
    printf("\n");
    printf("%-38s\n", "demand served (%)");
    for (int c = 0; c < SPLAN_NCLASS; c++) {
        printf("  %-36s", splan_class_name(c));
        for (int p = 0; p < SCHED_POL_N; p++)
            printf(" %12.1f", sched_replay_served(&r[p], t, c));
        printf("\n");
    }
    printf("%-38s\n", "guaranteed floor kept, lowest (%)");
    for (int c = 0; c < SPLAN_NCLASS; c++) {
        printf("  %-36s", splan_class_name(c));
        for (int p = 0; p < SCHED_POL_N; p++)
            printf(" %12.1f", sched_replay_class_floor(&r[p], t, c));
        printf("\n");
    }
    printf("%-38s", "throttle starts+rises+ends / episode");
    for (int p = 0; p < SCHED_POL_N; p++)
        printf(" %12.2f", throttle_changes(&r[p], t->n_eps));
    printf("\n%-38s", "weights/caps set / episode");
    for (int p = 0; p < SCHED_POL_N; p++)
        printf(" %12.2f", sets_per_ep(&r[p], t->n_eps));
    printf("\n%-38s", "  domains tuned / episode");
    for (int p = 0; p < SCHED_POL_N; p++)
        printf(" %12.2f", tuned_per_ep(&r[p], t->n_eps));
    printf("\n%-38s", "tuner episodes in all");
    for (int p = 0; p < SCHED_POL_N; p++)
        printf(" %12u", r[p].episodes);
    printf("\n%-38s", "  outside the trace's episodes");
    for (int p = 0; p < SCHED_POL_N; p++)
        printf(" %12u", r[p].outside.starts);
    printf("\n%-38s", "  weights/caps set outside them");
    for (int p = 0; p < SCHED_POL_N; p++)
        printf(" %12u", r[p].outside.sets);
    printf("\n%-38s", "time to react, mean (s)");
    for (int p = 0; p < SCHED_POL_N; p++) {
        double m = react_mean(&r[p], t->n_eps, &miss[p]);

        if (miss[p] < t->n_eps)
            printf(" %12.1f", m);
        else
            printf(" %12s", "-");
    }
    printf("\n%-38s", "  from someone to protect busy");
    for (int p = 0; p < SCHED_POL_N; p++) {
        if (miss[p] < t->n_eps)
            printf(" %12.1f", react_busy_mean(&r[p], t));
        else
            printf(" %12s", "-");
    }
    printf("\n%-38s", "  episodes not reacted to");
    for (int p = 0; p < SCHED_POL_N; p++)
        printf(" %12u", miss[p]);
    printf("\n%-38s", "replay time (s, wall clock)");
    for (int p = 0; p < SCHED_POL_N; p++)
        printf(" %12.2f", r[p].wall_s);
    printf("\n");
}

static void print_episodes(const struct results *res,
                           const struct sched_trace *t)
{
    const struct sched_replay_result *x = &res->run[SCHED_POL_XENITH];
    const struct sched_replay_result *nv = &res->run[SCHED_POL_NAIVE];

    printf("\nper episode, xenith/naive   starts  rises   ends    sets   "
           "react (s)  busy after (s)\n");
    for (size_t k = 0; k < t->n_eps; k++) {
        const struct sched_ep_result *a = &x->ep[k], *b = &nv->ep[k];

        char ra[16] = "-", rb[16] = "-";

        if (a->reacted)
            snprintf(ra, sizeof(ra), "%u", a->react_s);
        if (b->reacted)
            snprintf(rb, sizeof(rb), "%u", b->react_s);
        printf("  episode %zu %17s %3u/%-3u %3u/%-3u %3u/%-3u %3u/%-4u "
               "%4s/%-5s %u\n", k + 1, "", a->starts, b->starts, a->raises,
               b->raises, a->ends, b->ends, a->sets, b->sets, ra, rb,
               t->eps[k].busy_s - t->eps[k].begin_s);
    }
}

static int figures(const struct results *res, const struct sched_trace *t,
                   struct bench_report *rep)
{
    const struct sched_replay_result *xen = &res->run[SCHED_POL_XEN];
    const struct sched_replay_result *st = &res->run[SCHED_POL_STATIC];
    const struct sched_replay_result *x = &res->run[SCHED_POL_XENITH];
    const struct sched_replay_result *nv = &res->run[SCHED_POL_NAIVE];
    const char *bx = sched_policy_name(SCHED_POL_XEN);
    const char *bs = sched_policy_name(SCHED_POL_STATIC);
    const char *bn = sched_policy_name(SCHED_POL_NAIVE);
    unsigned mx, mn;
    int rc = 0;

    rc |= report_add(rep, "sched", "critical demand served",
                     sched_replay_served(x, t, SPLAN_CRITICAL), "%", bx,
                     sched_replay_served(xen, t, SPLAN_CRITICAL), ">= 95 %%");
    rc |= report_add(rep, "sched",
                     "critical demand served, vs static weights",
                     sched_replay_served(x, t, SPLAN_CRITICAL), "%", bs,
                     sched_replay_served(st, t, SPLAN_CRITICAL), ">= 95 %%");
    rc |= report_add(rep, "sched", "low class floor kept",
                     sched_replay_class_floor(x, t, SPLAN_LOW), "%", bx,
                     sched_replay_class_floor(xen, t, SPLAN_LOW),
                     ">= 100 %%");
    rc |= report_add(rep, "sched", "lowest class floor kept",
                     lowest_floor(x, t), "%", bx, lowest_floor(xen, t),
                     ">= 100 %%");
    rc |= report_add(rep, "sched", "throttle changes per episode",
                     throttle_changes(x, t->n_eps), "changes", bn,
                     throttle_changes(nv, t->n_eps),
                     "<= 2 (one throttle, one release)");
    rc |= report_add(rep, "sched", "throttles per episode, all told",
                     (double)x->episodes / (double)t->n_eps, "throttles", bn,
                     (double)nv->episodes / (double)t->n_eps,
                     "1 (%u outside the episodes)", x->outside.starts);
    rc |= report_add(rep, "sched", "domain parameter changes per episode",
                     sets_per_ep(x, t->n_eps), "sets", bn,
                     sets_per_ep(nv, t->n_eps),
                     "<= 2 per domain tuned (%.1f tuned per episode)",
                     tuned_per_ep(x, t->n_eps));
    rc |= report_add(rep, "sched", "time to react", react_mean(x, t->n_eps,
                     &mx), "s (simulated)", bn, react_mean(nv, t->n_eps, &mn),
                     "<= %d s (1 s sample + smoothing + enter-after 3 s)",
                     REACT_GOAL_S);
    rc |= report_add(rep, "sched", "tuning pass at 1000 domains",
                     (double)res->pass.pass_ns / 1e6, "ms",
                     "reading the 1000 domains' CPU counters",
                     (double)res->pass.sample_ns / 1e6, "< 5 ms");
    return rc ? -1 : 0;
}

/* Each goal, met or not, from the same numbers as the table. */
static void print_goals(const struct results *res,
                        const struct sched_trace *t)
{
    const struct sched_replay_result *x = &res->run[SCHED_POL_XENITH];
    unsigned missed;
    double react = react_mean(x, t->n_eps, &missed);
    struct {
        const char *what;
        bool met;
    } g[] = {
        {"critical demand served >= 95 %",
         sched_replay_served(x, t, SPLAN_CRITICAL) >= 95},
        {"low class floor kept >= 100 %",
         sched_replay_class_floor(x, t, SPLAN_LOW) >= 100},
        {"every class's floor kept >= 100 %", lowest_floor(x, t) >= 100},
        {"<= 2 throttle changes per episode",
         throttle_changes(x, t->n_eps) <= 2},
        {"one throttle per episode, all told", x->episodes <= t->n_eps},
        {"<= 2 sets per domain tuned per episode",
         sets_per_ep(x, t->n_eps) <= 2 * tuned_per_ep(x, t->n_eps)},
        {"reacts to every episode within 5 s",
         missed == 0 && react <= REACT_GOAL_S},
        {"pass at 1000 domains < 5 ms", res->pass.pass_ns < 5000000},
    };

    printf("\ngoals:\n");
    for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
        printf("  %-58s %s\n", g[i].what, g[i].met ? "met" : "MISSED");
}

static int run_all(const struct sched_trace *t, const struct opts *o,
                   struct results *res)
{
    for (int p = 0; p < SCHED_POL_N; p++) {
        if (sched_replay_run(t, p, &res->run[p]) < 0) {
            fprintf(stderr, "bench_sched: the %s replay failed\n",
                    sched_policy_name(p));
            return -1;
        }
    }
    if (sched_passtime_measure(PASS_DOMAINS, PASS_RUNS, o->seed,
                               &res->pass) < 0) {
        fprintf(stderr, "bench_sched: the pass at %d domains failed\n",
                PASS_DOMAINS);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct sched_trace t;
    struct results *res = NULL;
    struct bench_report rep;
    int rc = 1;

    report_init(&rep);
    memset(&t, 0, sizeof(t));
    if (parse_opts(argc, argv, &o) < 0)
        return 2;
    if (!(res = calloc(1, sizeof(*res))) ||
        sched_trace_make(&t, o.seed, o.seconds) < 0) {
        fprintf(stderr, "bench_sched: out of memory\n");
        goto out;
    }
    print_trace(&t);
    fflush(stdout);
    if (run_all(&t, &o, res) < 0)
        goto out;
    print_runs(res, &t);
    print_episodes(res, &t);
    printf("  pass at %d domains: %.3f ms (reading counters %.3f ms), "
           "%u of %d pools throttling\n", PASS_DOMAINS,
           (double)res->pass.pass_ns / 1e6,
           (double)res->pass.sample_ns / 1e6, res->pass.throttling,
           SCHED_PASSTIME_POOLS);
    if (figures(res, &t, &rep) < 0) {
        fprintf(stderr, "bench_sched: out of memory\n");
        goto out;
    }
    printf("\n");
    report_print(&rep, stdout);
    print_goals(res, &t);
    if (o.json && report_write_json(&rep, o.json) < 0) {
        fprintf(stderr, "bench_sched: %s: %s\n", o.json, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    report_dispose(&rep);
    sched_trace_dispose(&t);
    free(res);
    return rc;
}
