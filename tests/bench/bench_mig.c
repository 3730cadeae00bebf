/*
 * bench_mig.c - the migration channel bench (docs/bench.md, "Migration
 * channel"): two xenith-relay processes on loopback, A connecting to B,
 * carrying DATA frames from A's daemon side to B's.
 *
 *   bench_mig [--json PATH] [--size MIB] [--image MIB] [--runs N]
 *             [--no-ssh]
 *
 * Figures: the channel's throughput with TLS against the same relays in
 * plain mode and against ssh piping to cat (xl's transport), and the
 * bytes on the wire for a simulated guest image compressed with zstd 3.
 * The relays come from $XENITH_BIN, else the build directory this
 * program sits in (build/bench/..).  The relays' timings are the median
 * of --runs runs (default 3), ssh's one run; the data are seeded.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_image.h"
#include "mig_relay.h"
#include "mig_ssh.h"
#include "report.h"
#include "timing.h"

#define SEED 20240611u
#define SIZE_MIB 1024
#define IMAGE_MIB 256
#define RUNS 3
#define POOL (64u << 20)                /* incompressible bytes, cycled */
#define LEVEL 3                         /* zstd level of the image run */
#define GOAL_PLAIN 0.6
#define GOAL_SSH 5.0
#define GOAL_WIRE 25.0                  /* % of raw */

struct opts {
    const char *json;
    uint64_t size, image;               /* bytes */
    int runs;
    bool ssh;
};

struct results {
    double tls, plain, ssh;             /* MB/s; ssh 0 when skipped */
    const char *cipher;
    double image_plain, image_tls, image_z;     /* MB/s of raw bytes */
    double wire_pct;                    /* wire / raw frames, % */
    uint64_t wire, raw;
    struct mig_image im;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){NULL, (uint64_t)SIZE_MIB << 20,
                       (uint64_t)IMAGE_MIB << 20, RUNS, true};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json") && i + 1 < argc) {
            o->json = argv[++i];
        } else if (!strcmp(a, "--size") && i + 1 < argc) {
            o->size = strtoull(argv[++i], NULL, 0) << 20;
        } else if (!strcmp(a, "--image") && i + 1 < argc) {
            o->image = strtoull(argv[++i], NULL, 0) << 20;
        } else if (!strcmp(a, "--runs") && i + 1 < argc) {
            o->runs = atoi(argv[++i]);
        } else if (!strcmp(a, "--no-ssh")) {
            o->ssh = false;
        } else {
            fprintf(stderr, "usage: bench_mig [--json PATH] [--size MIB] "
                    "[--image MIB] [--runs N] [--no-ssh]\n");
            return -1;
        }
    }
    if (o->size == 0 || o->image == 0 || o->runs < 1 || o->runs > 99) {
        fprintf(stderr, "bench_mig: --size and --image must be at least 1 "
                "MiB, --runs within 1..99\n");
        return -1;
    }
    return 0;
}

static double mbps(uint64_t bytes, uint64_t ns)
{
    return ns ? (double)bytes / ((double)ns / 1e9) / 1e6 : 0;
}

/* The median of runs pushes through p: MB/s; *run_r the last run. */
static int push(struct mig_pair *p, int level, uint64_t bytes,
                mig_src_fn src, void *arg, int runs, double *mbps_r,
                struct mig_run *run_r)
{
    uint64_t ns[99];

    for (int i = 0; i < runs; i++) {
        if (mig_pair_push(p, level, bytes, src, arg, run_r) < 0)
            return -1;
        ns[i] = run_r->ns;
    }
    *mbps_r = mbps(bytes, timing_median(ns, (size_t)runs));
    return 0;
}

/* TLS and plain, each run alternating, on one pair of each. */
static int run_channel(const struct opts *o, struct results *res,
                       struct mig_image *pool)
{
    struct mig_pair tls, plain;
    struct mig_run run;
    uint64_t ns_t[99], ns_p[99];
    int rc = -1;

    if (mig_pair_start(&tls, false) < 0)
        return -1;
    if (mig_pair_start(&plain, true) < 0) {
        mig_pair_stop(&tls);
        return -1;
    }
    for (int i = 0; i < o->runs; i++) {
        if (mig_pair_push(&tls, 0, o->size, mig_image_src, pool, &run) < 0)
            goto out;
        ns_t[i] = run.ns;
        if (mig_pair_push(&plain, 0, o->size, mig_image_src, pool,
                          &run) < 0)
            goto out;
        ns_p[i] = run.ns;
        printf("  run %d: TLS %.0f MB/s, plain %.0f MB/s\n", i + 1,
               mbps(o->size, ns_t[i]), mbps(o->size, ns_p[i]));
        fflush(stdout);
    }
    res->tls = mbps(o->size, timing_median(ns_t, (size_t)o->runs));
    res->plain = mbps(o->size, timing_median(ns_p, (size_t)o->runs));
    rc = 0;
out:
    mig_pair_stop(&tls);
    mig_pair_stop(&plain);
    return rc;
}

/* One run: ssh is slow, and far from the goal's edge either way. */
static void run_ssh(const struct opts *o, struct results *res,
                    struct mig_image *pool)
{
    struct mig_sshd d;
    uint64_t t;

    if (!o->ssh || mig_sshd_start(&d) < 0)
        return;
    if (mig_ssh_push(&d, o->size, mig_image_src, pool, &t,
                     &res->cipher) < 0) {
        fprintf(stderr, "bench_mig: the ssh figure is skipped\n");
    } else {
        res->ssh = mbps(o->size, t);
        printf("  ssh: %.0f MB/s (%s)\n", res->ssh, res->cipher);
        fflush(stdout);
    }
    mig_sshd_stop(&d);
}

/* The guest image: plain, TLS, then TLS with zstd (its counters). */
static int run_image(const struct opts *o, struct results *res)
{
    struct mig_pair tls, plain;
    struct mig_run run;
    int rc = -1;

    if (mig_image_guest(&res->im, o->image, SEED) < 0) {
        fprintf(stderr, "bench_mig: out of memory for the image\n");
        return -1;
    }
    if (mig_pair_start(&plain, true) < 0)
        return -1;
    if (mig_pair_start(&tls, false) < 0) {
        mig_pair_stop(&plain);
        return -1;
    }
    if (push(&plain, 0, res->im.len, mig_image_src, &res->im, o->runs,
             &res->image_plain, &run) < 0 ||
        push(&tls, 0, res->im.len, mig_image_src, &res->im, o->runs,
             &res->image_tls, &run) < 0 ||
        push(&tls, LEVEL, res->im.len, mig_image_src, &res->im, o->runs,
             &res->image_z, &run) < 0)
        goto out;
    res->wire = run.wire;
    res->raw = run.frames;
    res->wire_pct = run.frames ? 100.0 * (double)run.wire /
                                 (double)run.frames : 0;
    rc = 0;
out:
    mig_pair_stop(&tls);
    mig_pair_stop(&plain);
    return rc;
}

static int figures(const struct results *res, struct bench_report *rep)
{
    int rc = 0;

    rc |= report_add(rep, "migration", "channel throughput, TLS", res->tls,
                     "MB/s", "plain TCP through the same relay", res->plain,
                     ">= %.1f x plain TCP", GOAL_PLAIN);
    if (res->ssh > 0)
        rc |= report_add(rep, "migration", "channel throughput, TLS vs ssh",
                         res->tls, "MB/s",
                         "ssh pipe (xl's transport, default cipher)",
                         res->ssh, ">= %.0f x ssh", GOAL_SSH);
    rc |= report_add(rep, "migration", "compressed bytes on the wire",
                     res->wire_pct, "% of raw", "raw (uncompressed)", 100,
                     "<= %.0f %%", GOAL_WIRE);
    return rc;
}

static void print_runs(const struct opts *o, const struct results *res)
{
    const struct mig_image *im = &res->im;
    double pages = (double)(im->len / MIG_PAGE);

    printf("\nchannel, %llu MiB of random bytes   TLS %.0f MB/s, plain TCP "
           "%.0f MB/s (%.2fx)", (unsigned long long)(o->size >> 20),
           res->tls, res->plain, res->plain ? res->tls / res->plain : 0);
    if (res->ssh > 0)
        printf(", ssh %.0f MB/s (%s; TLS is %.1fx)", res->ssh, res->cipher,
               res->tls / res->ssh);
    printf("\nguest image, %llu MiB: %.0f %% zero, %.0f %% text, %.0f %% "
           "binary, %.0f %% random pages\n",
           (unsigned long long)(im->len >> 20), 100 * im->pages[0] / pages,
           100 * im->pages[1] / pages, 100 * im->pages[2] / pages,
           100 * im->pages[3] / pages);
    printf("  plain TCP %.0f MB/s, TLS %.0f MB/s, TLS + zstd %d %.0f MB/s "
           "(raw bytes a second)\n", res->image_plain, res->image_tls,
           LEVEL, res->image_z);
    printf("  zstd %d: %llu bytes of frames became %llu on the wire "
           "(%.1f %%)\n\n", LEVEL, (unsigned long long)res->raw,
           (unsigned long long)res->wire, res->wire_pct);
}

static void print_goals(const struct results *res)
{
    printf("\ngoals:\n");
    printf("  %-58s %s\n", "TLS >= 0.6 x plain TCP through the same relay",
           res->tls >= GOAL_PLAIN * res->plain ? "met" : "MISSED");
    if (res->ssh > 0)
        printf("  %-58s %s\n", "TLS >= 5 x ssh",
               res->tls >= GOAL_SSH * res->ssh ? "met" : "MISSED");
    else
        printf("  %-58s %s\n", "TLS >= 5 x ssh", "skipped (no ssh)");
    printf("  %-58s %s\n", "guest image on the wire <= 25 % of raw",
           res->wire_pct <= GOAL_WIRE ? "met" : "MISSED");
}

int main(int argc, char **argv)
{
    struct opts o;
    struct results res = {.cipher = "?"};
    struct mig_image pool = {0};
    struct bench_report rep;
    int rc = 1;

    report_init(&rep);
    if (parse_opts(argc, argv, &o) < 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    printf("migration channel bench: two relays on 127.0.0.1, A -> B, "
           "DATA frames of 1 MiB, median of %d runs\n", o.runs);
    fflush(stdout);
    if (mig_image_random(&pool, POOL, SEED) < 0) {
        fprintf(stderr, "bench_mig: out of memory\n");
        goto out;
    }
    if (run_channel(&o, &res, &pool) < 0)
        goto out;
    run_ssh(&o, &res, &pool);
    if (run_image(&o, &res) < 0)
        goto out;
    print_runs(&o, &res);
    if (figures(&res, &rep) < 0) {
        fprintf(stderr, "bench_mig: out of memory\n");
        goto out;
    }
    report_print(&rep, stdout);
    print_goals(&res);
    if (o.json && report_write_json(&rep, o.json) < 0) {
        fprintf(stderr, "bench_mig: %s: %s\n", o.json, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    report_dispose(&rep);
    mig_image_dispose(&pool);
    mig_image_dispose(&res.im);
    return rc;
}
