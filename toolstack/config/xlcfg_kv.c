/*
 * xlcfg_kv.c - the "key=value,key=value" device specifications of xl.cfg
 * (usbctrl, vtpm, p9, vkb, vdispl, vsnd ...): splitting one at its commas
 * the way xl splits it, and reading numbers in its options the way xl reads
 * them (C's strtoul or atoi), refusing what those would silently turn
 * into another number.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

int xlcfg_kv_split(const char *spec, const char *delims, bool strip,
                   struct xlcfg_kv *kv)
{
    char *tok, *save = NULL;
    size_t max = 1;

    memset(kv, 0, sizeof(*kv));
    for (const char *p = spec; *p; p++)
        max += strchr(delims, *p) != NULL;
    kv->buf = strdup(spec);
    kv->item = calloc(max, sizeof(*kv->item));
    if (!kv->buf || !kv->item) {
        xlcfg_kv_dispose(kv);
        return XN_ENOMEM;
    }
    /* As strtok: empty items between delimiters do not count. */
    for (tok = strtok_r(kv->buf, delims, &save); tok;
         tok = strtok_r(NULL, delims, &save)) {
        while (strip && *tok == ' ')
            tok++;
        kv->item[kv->n++] = tok;
    }
    return 0;
}

void xlcfg_kv_dispose(struct xlcfg_kv *kv)
{
    free(kv->buf);
    free(kv->item);
    memset(kv, 0, sizeof(*kv));
}

char *xlcfg_kv_value(char *item)
{
    char *eq = strchr(item, '=');

    if (!eq)
        return NULL;
    *eq = '\0';
    return eq + 1;
}

int xlcfg_kv_apply(struct xlcfg *c, int i, const char *spec,
                   xlcfg_kv_option_fn *fn, void *dev)
{
    struct xlcfg_kv kv;
    int rc = xlcfg_kv_split(spec, ",", true, &kv);

    if (rc < 0)
        return xlcfg_oom(c);
    for (int k = 0; rc == 0 && k < kv.n; k++)
        rc = fn(c, i, spec, kv.item[k], dev);
    xlcfg_kv_dispose(&kv);
    return rc;
}

/* Trailing blanks after a number: C's conversions stop there too. */
static bool only_blanks(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return *p == '\0';
}

int xlcfg_kv_ulong(const char *v, unsigned long max, unsigned long *out)
{
    const char *p = v;
    char *end;
    unsigned long l;

    while (isspace((unsigned char)*p))
        p++;
    /* strtoul takes "-1" as ULONG_MAX: no signs. */
    if (!isdigit((unsigned char)*p))
        return XN_EINVAL;
    errno = 0;
    l = strtoul(p, &end, 0);
    if (errno || !only_blanks(end) || l > max)
        return XN_EINVAL;
    *out = l;
    return 0;
}

int xlcfg_kv_int(const char *v, int *out)
{
    const char *p = v;
    char *end;
    long l;

    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)p[*p == '-' || *p == '+']))
        return XN_EINVAL;
    errno = 0;
    l = strtol(p, &end, 10);
    if (errno || !only_blanks(end) || l < INT_MIN || l > INT_MAX)
        return XN_EINVAL;
    *out = (int)l;
    return 0;
}
