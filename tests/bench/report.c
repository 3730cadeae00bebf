/* report.c - a bench program's table and JSON list (see report.h). */
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

void report_init(struct bench_report *r)
{
    memset(r, 0, sizeof(*r));
}

static void figure_dispose(struct bench_figure *f)
{
    free(f->area);
    free(f->figure);
    free(f->unit);
    free(f->baseline);
    free(f->goal);
}

void report_dispose(struct bench_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        figure_dispose(&r->v[i]);
    free(r->v);
    report_init(r);
}

int report_add(struct bench_report *r, const char *area, const char *figure,
               double value, const char *unit, const char *baseline,
               double baseline_value, const char *goal_fmt, ...)
{
    struct bench_figure f = {0};
    va_list ap;
    int rc;

    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        struct bench_figure *v = realloc(r->v, cap * sizeof(*v));

        if (!v)
            return -1;
        r->v = v;
        r->cap = cap;
    }
    va_start(ap, goal_fmt);
    rc = vasprintf(&f.goal, goal_fmt, ap);
    va_end(ap);
    f.area = strdup(area);
    f.figure = strdup(figure);
    f.unit = strdup(unit);
    f.baseline = strdup(baseline);
    f.value = value;
    f.baseline_value = baseline_value;
    if (rc < 0 || !f.area || !f.figure || !f.unit || !f.baseline) {
        if (rc < 0)
            f.goal = NULL;
        figure_dispose(&f);
        return -1;
    }
    r->v[r->n++] = f;
    return 0;
}

const char *report_num(double v, char *buf, size_t len)
{
    double a = v < 0 ? -v : v;

    if (a < 1e12 && v == (double)(long long)v)
        snprintf(buf, len, "%.0f", v);
    else if (a >= 100)
        snprintf(buf, len, "%.1f", v);
    else
        snprintf(buf, len, "%.3g", v);
    return buf;
}

/* The baselines, numbered in order of first use, for the footnotes. */
static size_t baseline_no(const struct bench_report *r, size_t i)
{
    size_t no = 0;

    for (size_t j = 0; j <= i; j++) {
        bool first = true;

        for (size_t k = 0; k < j && first; k++)
            first = strcmp(r->v[k].baseline, r->v[j].baseline) != 0;
        no += first;
        if (strcmp(r->v[j].baseline, r->v[i].baseline) == 0)
            return no;
    }
    return no;
}

void report_print(const struct bench_report *r, FILE *f)
{
    char a[32], b[32], x1[64], x2[64], c[32];
    size_t shown = 0;

    fprintf(f, "%-8s %-42s %-20s %-24s %6s  %s\n", "area", "figure",
            "xenith", "baseline", "ratio", "goal");
    for (size_t i = 0; i < r->n; i++) {
        const struct bench_figure *x = &r->v[i];

        if (x->baseline_value != 0)
            snprintf(c, sizeof(c), "%.2f", x->value / x->baseline_value);
        else
            snprintf(c, sizeof(c), "-");
        snprintf(x1, sizeof(x1), "%s %s", report_num(x->value, a, sizeof(a)),
                 x->unit);
        snprintf(x2, sizeof(x2), "%s %s [%zu]",
                 report_num(x->baseline_value, b, sizeof(b)), x->unit,
                 baseline_no(r, i));
        fprintf(f, "%-8s %-42s %-20s %-24s %6s  %s\n", x->area, x->figure, x1,
                x2, c, x->goal);
    }
    for (size_t i = 0; i < r->n; i++)
        if (baseline_no(r, i) > shown)
            fprintf(f, "[%zu] %s\n", ++shown, r->v[i].baseline);
}

static json_object *figure_json(const struct bench_figure *x)
{
    json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    json_object_object_add(o, "area", json_object_new_string(x->area));
    json_object_object_add(o, "figure", json_object_new_string(x->figure));
    json_object_object_add(o, "value", json_object_new_double(x->value));
    json_object_object_add(o, "unit", json_object_new_string(x->unit));
    json_object_object_add(o, "baseline",
                           json_object_new_string(x->baseline));
    json_object_object_add(o, "baseline_value",
                           json_object_new_double(x->baseline_value));
    json_object_object_add(o, "ratio",
                           x->baseline_value != 0
                               ? json_object_new_double(x->value /
                                                        x->baseline_value)
                               : NULL);
    json_object_object_add(o, "goal", json_object_new_string(x->goal));
    return o;
}

int report_write_json(const struct bench_report *r, const char *path)
{
    json_object *list = json_object_new_array();
    int rc = -1;

    if (!list) {
        errno = ENOMEM;
        return -1;
    }
    json_c_set_serialization_double_format("%.6g", JSON_C_OPTION_THREAD);
    for (size_t i = 0; i < r->n; i++) {
        json_object *o = figure_json(&r->v[i]);

        if (!o || json_object_array_add(list, o) < 0) {
            json_object_put(o);
            errno = ENOMEM;
            goto out;
        }
    }
    if (json_object_to_file_ext(path, list, JSON_C_TO_STRING_PRETTY |
                                JSON_C_TO_STRING_SPACED) < 0)
        goto out;
    rc = 0;
out:
    json_object_put(list);
    return rc;
}
