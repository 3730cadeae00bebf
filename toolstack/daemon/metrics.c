/* metrics.c - the registry of counters and gauges (metrics_render.c shows
 * it as Prometheus text and as JSON).  No I/O. */
#include "metrics_int.h"
#include "utf8.h"

#include <inttypes.h>
#include <math.h>
#include <search.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

/* Room for one more element after the n used in p (capacity *cap, elements
 * of `size` bytes): the array, perhaps moved, or NULL when out of memory
 * (p is then untouched). */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    size_t ncap;
    void *np;

    if (n < *cap)
        return p;
    ncap = *cap ? *cap * 2 : 8;
    if (!(np = reallocarray(p, ncap, size)))
        return NULL;
    *cap = ncap;
    return np;
}

struct metrics *metrics_new(void)
{
    return calloc(1, sizeof(struct metrics));
}

static void mdom_free(void *p)
{
    struct mdom *d = p;
    if (!d)
        return;
    free(d->name);
    free(d->vals);
    free(d);
}

static void tree_node_keep(void *p)
{
    /* the domains are freed through metrics.doms */
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_fams; i++) {
        free(m->fams[i]->name);
        free(m->fams[i]->help);
        free(m->fams[i]);
    }
    free(m->fams);
    tdestroy(m->dom_tree, tree_node_keep);
    for (size_t i = 0; i < m->n_doms; i++)
        mdom_free(m->doms[i]);
    free(m->doms);
    free(m->colls);
    free(m);
}

/* --- families --- */

static bool name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n <= 7 || n > METRICS_NAME_MAX || strncmp(s, "xenith_", 7) != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == ':'))
            return false;
    }
    return true;
}

struct metric *metrics_find(const struct metrics *m, const char *name)
{
    for (size_t i = 0; m && name && i < m->n_fams; i++)
        if (strcmp(m->fams[i]->name, name) == 0)
            return m->fams[i];
    return NULL;
}

const char *metrics_kind_name(enum metric_kind k)
{
    return k == METRIC_COUNTER ? "counter" : "gauge";
}

int metrics_declare(struct metrics *m, const char *name, const char *help,
                    enum metric_kind kind, enum metric_scope scope,
                    struct metric **f_r, struct xn_msg *msg)
{
    struct metric *f, **fams;
    char q[120];

    *f_r = NULL;
    if (!m || !name || !help)
        return xn_msg_set(msg, XN_EINVAL, "a metric needs a registry, a "
                          "name and a help text");
    xn_quote(name, strlen(name), 80, q, sizeof(q));
    if (!name_valid(name))
        return xn_msg_set(msg, XN_EINVAL, "metric name \"%s\" is not "
                          "xenith_ and one or more letters, digits, '_' or ':' "
                          "(at most %d characters)", q, METRICS_NAME_MAX);
    if (strlen(help) > METRICS_HELP_MAX ||
        !xn_utf8_valid(help, strlen(help)))
        return xn_msg_set(msg, XN_EINVAL, "metric %s: the help text is not "
                          "UTF-8 of at most %d bytes", q, METRICS_HELP_MAX);
    if ((kind != METRIC_COUNTER && kind != METRIC_GAUGE) ||
        (scope != METRIC_HOST && scope != METRIC_DOMAIN))
        return xn_msg_set(msg, XN_EINVAL, "metric %s: unknown kind or "
                          "scope", q);
    if ((f = metrics_find(m, name))) {
        if (f->kind != kind || f->scope != scope)
            return xn_msg_set(msg, XN_EEXIST, "metric %s is already a %s "
                              "per %s", q, metrics_kind_name(f->kind),
                              f->scope == METRIC_HOST ? "host" : "domain");
        *f_r = f;
        return 0;
    }
    if (m->n_fams >= METRICS_MAX_FAMILIES)
        return xn_msg_set(msg, XN_ENOMEM, "metric %s: the registry already "
                          "holds %d families, the most it may", q,
                          METRICS_MAX_FAMILIES);
    if (!(fams = grow(m->fams, &m->cap_fams, m->n_fams, sizeof(*fams))))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    m->fams = fams;
    if (!(f = calloc(1, sizeof(*f))))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    f->name = strdup(name);
    f->help = strdup(help);
    if (!f->name || !f->help) {
        free(f->name);
        free(f->help);
        free(f);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    f->m = m;
    f->index = (uint32_t)m->n_fams;
    f->kind = kind;
    f->scope = scope;
    f->has_value = kind == METRIC_COUNTER;
    m->fams[m->n_fams++] = f;
    *f_r = f;
    return 0;
}

/* --- values --- */

int metric_set(struct metric *f, double v)
{
    if (!f || f->scope != METRIC_HOST || !isfinite(v) ||
        (f->kind == METRIC_COUNTER && v < 0))
        return XN_EINVAL;
    f->value = v;
    f->has_value = true;
    return 0;
}

int metric_add(struct metric *f, double v)
{
    if (!f || f->scope != METRIC_HOST || !isfinite(v) ||
        (f->kind == METRIC_COUNTER && v < 0) || !isfinite(f->value + v))
        return XN_EINVAL;
    f->value += v;
    f->has_value = true;
    return 0;
}

/* --- domains --- */

static int uuid_cmp(const void *a, const void *b)
{
    return memcmp(((const struct mdom *)a)->uuid,
                  ((const struct mdom *)b)->uuid, 16);
}

static struct mdom *dom_find(const struct metrics *m, const uint8_t uuid[16])
{
    struct mdom key;
    memcpy(key.uuid, uuid, 16);
    void *node = tfind(&key, &m->dom_tree, uuid_cmp);
    return node ? *(struct mdom **)node : NULL;
}

/* The length of the UTF-8 sequence that starts with byte c, 0 if none. */
static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

/* An untrusted name as a label value: valid UTF-8 (bad bytes become
 * U+FFFD), cut at a character to METRICS_LABEL_MAX bytes. */
static void label_clean(const char *s, char out[METRICS_LABEL_MAX + 1])
{
    size_t len = strlen(s), o = 0;

    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len((unsigned char)s[i]), take = n;
        const char *src = s + i;
        if (!n || n > len - i || !xn_utf8_valid(src, n)) {
            src = "\xef\xbf\xbd";
            take = 3;
            n = 1;
        }
        if (o + take > METRICS_LABEL_MAX)
            break;
        memcpy(out + o, src, take);
        o += take;
        i += n;
    }
    out[o] = '\0';
}

/* Give the domain these labels; XN_ENOMEM leaves the old ones. */
static int dom_label(struct mdom *d, uint32_t domid, const char *name)
{
    char clean[METRICS_LABEL_MAX + 1];

    label_clean(name, clean);
    if (!d->name || strcmp(d->name, clean) != 0) {
        char *copy = strdup(clean);
        if (!copy)
            return XN_ENOMEM;
        free(d->name);
        d->name = copy;
    }
    d->domid = domid;
    return 0;
}

static struct mdom *dom_add(struct metrics *m, const uint8_t uuid[16],
                            uint32_t domid, const char *name)
{
    struct mdom *d = calloc(1, sizeof(*d)), **doms;

    if (!d || dom_label(d, domid, name) < 0)
        goto fail;
    if (!(doms = grow(m->doms, &m->cap_doms, m->n_doms, sizeof(*doms))))
        goto fail;
    m->doms = doms;
    memcpy(d->uuid, uuid, 16);
    xn_uuid_format(uuid, d->uuid_text);
    if (!tsearch(d, &m->dom_tree, uuid_cmp))
        goto fail;
    d->pos = m->n_doms;
    m->doms[m->n_doms++] = d;
    return d;
fail:
    mdom_free(d);
    return NULL;
}

static void dom_remove(struct metrics *m, struct mdom *d)
{
    tdelete(d, &m->dom_tree, uuid_cmp);
    m->n_series -= d->n_vals;
    m->doms[d->pos] = m->doms[--m->n_doms];
    m->doms[d->pos]->pos = d->pos;
    mdom_free(d);
}

size_t metrics_dval_pos(const struct mdom *d, uint32_t fam)
{
    size_t lo = 0, hi = d->n_vals;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->vals[mid].fam < fam)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct dval *metrics_dval_find(const struct mdom *d, uint32_t fam)
{
    size_t i = metrics_dval_pos(d, fam);
    return i < d->n_vals && d->vals[i].fam == fam ? &d->vals[i] : NULL;
}

/* The value slot of f's series for the domain, made (at 0) if new. */
static int dom_series(struct metric *f, const uint8_t uuid[16],
                      uint32_t domid, const char *name, double **v_r)
{
    struct metrics *m = f->m;
    struct mdom *d = dom_find(m, uuid);
    struct dval *vals;
    size_t i;
    int rc;

    if (d && (rc = dom_label(d, domid, name)) < 0)
        return rc;
    if (d && (i = metrics_dval_pos(d, f->index)) < d->n_vals &&
        d->vals[i].fam == f->index) {
        *v_r = &d->vals[i].value;
        return 0;
    }
    if (m->n_series >= METRICS_MAX_SERIES)
        goto refuse;
    if (!d && !(d = dom_add(m, uuid, domid, name)))
        goto refuse;
    if (!(vals = grow(d->vals, &d->cap_vals, d->n_vals, sizeof(*vals)))) {
        if (d->n_vals == 0)
            dom_remove(m, d);
        goto refuse;
    }
    d->vals = vals;
    i = metrics_dval_pos(d, f->index);
    memmove(&d->vals[i + 1], &d->vals[i], (d->n_vals - i) * sizeof(*d->vals));
    d->vals[i] = (struct dval){.fam = f->index, .value = 0};
    d->n_vals++;
    m->n_series++;
    *v_r = &d->vals[i].value;
    return 0;
refuse:
    m->refused++;
    return XN_ENOMEM;
}

static int dom_update(struct metric *f, const uint8_t uuid[16],
                      uint32_t domid, const char *name, double v, bool add)
{
    double *slot;
    int rc;

    if (!f || f->scope != METRIC_DOMAIN || !uuid || !name || !isfinite(v) ||
        (f->kind == METRIC_COUNTER && v < 0))
        return XN_EINVAL;
    if ((rc = dom_series(f, uuid, domid, name, &slot)) < 0)
        return rc;
    if (add) {
        if (!isfinite(*slot + v))
            return XN_EINVAL;
        *slot += v;
    } else {
        *slot = v;
    }
    return 0;
}

int metric_dom_set(struct metric *f, const uint8_t uuid[16], uint32_t domid,
                   const char *name, double v)
{
    return dom_update(f, uuid, domid, name, v, false);
}

int metric_dom_add(struct metric *f, const uint8_t uuid[16], uint32_t domid,
                   const char *name, double v)
{
    return dom_update(f, uuid, domid, name, v, true);
}

void metrics_forget_domain(struct metrics *m, const uint8_t uuid[16])
{
    struct mdom *d = m && uuid ? dom_find(m, uuid) : NULL;
    if (d)
        dom_remove(m, d);
}

static int uuid_bytes_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

void metrics_forget_domains_except(struct metrics *m,
                                   const uint8_t (*uuids)[16], size_t n)
{
    uint8_t (*keep)[16] = NULL;

    if (!m || m->n_doms == 0)
        return;
    if (n > 0) {
        if (!(keep = malloc(n * 16)))
            return;             /* forget nothing rather than too much */
        memcpy(keep, uuids, n * 16);
        qsort(keep, n, 16, uuid_bytes_cmp);
    }
    /* Backwards: dom_remove moves the last domain into the hole. */
    for (size_t i = m->n_doms; i-- > 0;) {
        struct mdom *d = m->doms[i];
        if (!n || !bsearch(d->uuid, keep, n, 16, uuid_bytes_cmp))
            dom_remove(m, d);
    }
    free(keep);
}

uint64_t metrics_refused(const struct metrics *m)
{
    return m ? m->refused : 0;
}

/* --- collectors --- */

int metrics_add_collector(struct metrics *m, metrics_collect_fn *fn,
                          void *arg)
{
    struct collector *colls;

    if (!m || !fn)
        return XN_EINVAL;
    if (m->collecting)
        return XN_EBUSY;
    if (!(colls = grow(m->colls, &m->cap_colls, m->n_colls, sizeof(*colls))))
        return XN_ENOMEM;
    m->colls = colls;
    m->colls[m->n_colls++] = (struct collector){fn, arg};
    return 0;
}

void metrics_remove_collector(struct metrics *m, metrics_collect_fn *fn,
                              void *arg)
{
    for (size_t i = 0; m && i < m->n_colls; i++) {
        if (m->colls[i].fn != fn || m->colls[i].arg != arg)
            continue;
        if (m->collecting) {
            m->colls[i].fn = NULL;      /* dropped when the round ends */
        } else {
            memmove(&m->colls[i], &m->colls[i + 1],
                    (m->n_colls - i - 1) * sizeof(*m->colls));
            m->n_colls--;
        }
        return;
    }
}

void metrics_collect(struct metrics *m)
{
    size_t kept = 0;

    if (!m || m->collecting)
        return;
    m->collecting = true;
    for (size_t i = 0; i < m->n_colls; i++)
        if (m->colls[i].fn)
            m->colls[i].fn(m, m->colls[i].arg);
    m->collecting = false;
    for (size_t i = 0; i < m->n_colls; i++)
        if (m->colls[i].fn)
            m->colls[kept++] = m->colls[i];
    m->n_colls = kept;
}

