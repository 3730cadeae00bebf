/*
 * report.h - a bench program's figures: the table it prints and the JSON
 * list it writes, one object per figure of xenith's:
 *
 *   {"area": "balloon", "figure": "guest memory shortfall",
 *    "value": 12.5, "unit": "GiB.s",
 *    "baseline": "reference: squeezed-style proportional",
 *    "baseline_value": 40.1, "ratio": 0.31, "goal": "<= 0.5 x baseline"}
 *
 * ratio is value / baseline_value, null when baseline_value is 0.
 * tests/bench/run.sh merges the lists of every bench program into
 * bench.json.  Every bench program (balloon, and later the scheduler and
 * migration ones) uses this file, so they all write the same format.
 */
#ifndef XENITH_BENCH_REPORT_H
#define XENITH_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct bench_figure {
    char *area, *figure, *unit, *baseline, *goal;   /* owned */
    double value, baseline_value;
};

struct bench_report {
    struct bench_figure *v;
    size_t n, cap;
};

void report_init(struct bench_report *r);
void report_dispose(struct bench_report *r);

/* Add a figure (the strings are copied; goal is a printf format).
 * 0, or -1 when out of memory. */
int report_add(struct bench_report *r, const char *area, const char *figure,
               double value, const char *unit, const char *baseline,
               double baseline_value, const char *goal_fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* The table: area, figure, xenith, baseline, ratio, goal. */
void report_print(const struct bench_report *r, FILE *f);

/* Write the JSON list to path.  0, or -1 with errno set. */
int report_write_json(const struct bench_report *r, const char *path);

/* A number for the table: whole numbers without decimals. */
const char *report_num(double v, char *buf, size_t len);

#endif
