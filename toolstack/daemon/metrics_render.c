/* metrics_render.c - the registry as Prometheus' text format (0.0.4) and
 * as JSON: the same families, series and values. */
#include "metrics_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

/* --- rendering --- */

/* The shortest text that reads back as v ("3", "0.25", "1.5e+20"). */
static void value_text(double v, char buf[32])
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static int domid_cmp(const void *a, const void *b)
{
    const struct mdom *x = *(struct mdom *const *)a;
    const struct mdom *y = *(struct mdom *const *)b;
    if (x->domid != y->domid)
        return x->domid < y->domid ? -1 : 1;
    return memcmp(x->uuid, y->uuid, 16);
}

/* The domains by domid, malloc'd; NULL when none or out of memory (tell
 * them apart by m->n_doms). */
static struct mdom **doms_sorted(const struct metrics *m)
{
    struct mdom **v;
    if (m->n_doms == 0 || !(v = malloc(m->n_doms * sizeof(*v))))
        return NULL;
    memcpy(v, m->doms, m->n_doms * sizeof(*v));
    qsort(v, m->n_doms, sizeof(*v), domid_cmp);
    return v;
}

/* Text with '\\' and newline escaped, and '"' too in a label value. */
static void put_escaped(FILE *f, const char *s, bool label)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else if (*s == '"' && label)
            fputs("\\\"", f);
        else
            fputc(*s, f);
    }
}

static void render_family(FILE *out, const struct metric *f,
                          struct mdom *const *doms, size_t n_doms)
{
    char v[32];

    fprintf(out, "# HELP %s ", f->name);
    put_escaped(out, f->help, false);
    fprintf(out, "\n# TYPE %s %s\n", f->name, metrics_kind_name(f->kind));
    if (f->scope == METRIC_HOST) {
        if (f->has_value) {
            value_text(f->value, v);
            fprintf(out, "%s %s\n", f->name, v);
        }
        return;
    }
    for (size_t i = 0; i < n_doms; i++) {
        const struct dval *dv = metrics_dval_find(doms[i], f->index);
        if (!dv)
            continue;
        value_text(dv->value, v);
        fprintf(out, "%s{domid=\"%" PRIu32 "\",name=\"", f->name,
                doms[i]->domid);
        put_escaped(out, doms[i]->name, true);
        fprintf(out, "\",uuid=\"%s\"} %s\n", doms[i]->uuid_text, v);
    }
}

char *metrics_render_text(const struct metrics *m)
{
    struct mdom **doms = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *out = NULL;
    bool bad;

    if (!m || !(out = open_memstream(&text, &len)))
        return NULL;
    doms = doms_sorted(m);
    bad = m->n_doms && !doms;
    for (size_t i = 0; !bad && i < m->n_fams; i++)
        render_family(out, m->fams[i], doms, m->n_doms);
    bad = bad || ferror(out);
    if (fclose(out) != 0 || bad) {
        free(text);
        text = NULL;
    }
    free(doms);
    return text;
}

static struct json_object *json_value(double v)
{
    char t[32];
    value_text(v, t);
    return json_object_new_double_s(v, t);
}

/* One series: d's labels ({} when d is NULL) and the value. */
static struct json_object *json_series(const struct mdom *d, double v)
{
    struct json_object *s = json_object_new_object();
    struct json_object *labels = json_object_new_object();
    char id[16];

    if (d) {
        snprintf(id, sizeof(id), "%" PRIu32, d->domid);
        json_object_object_add(labels, "domid", json_object_new_string(id));
        json_object_object_add(labels, "name",
                               json_object_new_string(d->name));
        json_object_object_add(labels, "uuid",
                               json_object_new_string(d->uuid_text));
    }
    json_object_object_add(s, "labels", labels);
    json_object_object_add(s, "value", json_value(v));
    return s;
}

static struct json_object *json_family(const struct metric *f,
                                       struct mdom *const *doms,
                                       size_t n_doms)
{
    struct json_object *o = json_object_new_object();
    struct json_object *series = json_object_new_array();

    json_object_object_add(o, "name", json_object_new_string(f->name));
    json_object_object_add(o, "kind",
                           json_object_new_string(metrics_kind_name(f->kind)));
    json_object_object_add(o, "help", json_object_new_string(f->help));
    if (f->scope == METRIC_HOST && f->has_value)
        json_object_array_add(series, json_series(NULL, f->value));
    for (size_t i = 0; f->scope == METRIC_DOMAIN && i < n_doms; i++) {
        const struct dval *dv = metrics_dval_find(doms[i], f->index);
        if (dv)
            json_object_array_add(series, json_series(doms[i], dv->value));
    }
    json_object_object_add(o, "series", series);
    return o;
}

struct json_object *metrics_to_json(const struct metrics *m)
{
    struct json_object *list;
    struct mdom **doms;

    if (!m)
        return NULL;
    doms = doms_sorted(m);
    if (m->n_doms && !doms)
        return NULL;
    list = json_object_new_array();
    for (size_t i = 0; list && i < m->n_fams; i++)
        json_object_array_add(list, json_family(m->fams[i], doms, m->n_doms));
    free(doms);
    return list;
}
