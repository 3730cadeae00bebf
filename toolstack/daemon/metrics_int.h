/* metrics_int.h - the registry's insides, shared by metrics.c (the
 * registry) and metrics_render.c (its text and JSON); not for others. */
#ifndef XENITH_DAEMON_METRICS_INT_H
#define XENITH_DAEMON_METRICS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "uuid.h"

/* One series of a domain: the family's index and the value. */
struct dval {
    uint32_t fam;
    double value;
};

/* A domain with at least one series, and the labels of all of them. */
struct mdom {
    uint8_t uuid[16];
    char uuid_text[XN_UUID_TEXT];
    uint32_t domid;
    char *name;                 /* owned; valid UTF-8, <= METRICS_LABEL_MAX */
    struct dval *vals;          /* owned; sorted by fam */
    size_t n_vals, cap_vals;
    size_t pos;                 /* index in metrics.doms */
};

struct metric {
    struct metrics *m;          /* the registry that holds it */
    uint32_t index;             /* in metrics.fams */
    char *name, *help;          /* owned */
    enum metric_kind kind;
    enum metric_scope scope;
    double value;               /* host families */
    bool has_value;
};

struct collector {
    metrics_collect_fn *fn;     /* NULL: removed while collecting */
    void *arg;
};

struct metrics {
    struct metric **fams;       /* owned; in the order declared */
    size_t n_fams, cap_fams;
    struct mdom **doms;         /* owned; any order */
    size_t n_doms, cap_doms;
    void *dom_tree;             /* tsearch tree of the same, by UUID */
    size_t n_series;            /* domain series, all families */
    uint64_t refused;
    struct collector *colls;    /* owned */
    size_t n_colls, cap_colls;
    bool collecting;
};

/* Where family `fam` is, or would go, in d->vals; and its value there,
 * or NULL (metrics.c). */
size_t metrics_dval_pos(const struct mdom *d, uint32_t fam);
const struct dval *metrics_dval_find(const struct mdom *d, uint32_t fam);

/* "counter" or "gauge", as Prometheus names them. */
const char *metrics_kind_name(enum metric_kind k);

#endif
