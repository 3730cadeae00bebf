/*
 * xlcfg_get.c - reading settings from libxlutil's config, with the checks
 * xl leaves out: a list where a value belongs, or a value that is not a
 * number, is an error rather than a warning.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

int xlcfg_get_str(struct xlcfg *c, const char *key, const char **v)
{
    int e = xlu_cfg_get_string(c->xlu, key, v, 1);

    if (e == ESRCH)
        return 0;
    if (e)
        return xlcfg_fail(c, key, -1, "expected a single value, not a list");
    return 1;
}

int xlcfg_get_strdup(struct xlcfg *c, const char *key, char **dst)
{
    const char *v;
    int rc = xlcfg_get_str(c, key, &v);

    if (rc <= 0)
        return rc;
    free(*dst);
    *dst = strdup(v);
    if (!*dst)
        return xlcfg_oom(c);
    return 1;
}

int xlcfg_get_long(struct xlcfg *c, const char *key, long min, long max,
                   const char *what, long *v)
{
    const struct xlcfg_setting *set;
    const char *s;
    long l;
    int rc = xlcfg_get_str(c, key, &s);

    if (rc <= 0)
        return rc;
    if (xlu_cfg_get_long(c->xlu, key, &l, 1) != 0) {
        set = xlcfg_lines_find(&c->lines, key);
        if (set && set->append)
            return xlcfg_fail(c, key, -1, "+= cannot be used with a number "
                              "(the joined value is \"%s\")", s);
        return xlcfg_fail(c, key, -1, "\"%s\" is not %s", s, what);
    }
    if (l < min)
        return xlcfg_fail(c, key, -1, "\"%s\" must be at least %ld", s,
                          min);
    if (l > max)
        return xlcfg_fail(c, key, -1, "\"%s\" must be at most %ld", s,
                          max);
    *v = l;
    return 1;
}

int xlcfg_get_bool(struct xlcfg *c, const char *key, libxl_defbool *b)
{
    long l;
    int rc = xlcfg_get_long(c, key, LONG_MIN, LONG_MAX,
                            "a number (1 = yes, 0 = no)", &l);

    if (rc == 1)
        libxl_defbool_set(b, l != 0);
    return rc;
}

int xlcfg_get_list(struct xlcfg *c, const char *key, XLU_ConfigList **l,
                   int *n)
{
    const char *s;
    int e = xlu_cfg_get_list(c->xlu, key, l, n, 1);

    if (e == ESRCH)
        return 0;
    if (e) {
        xlu_cfg_get_string(c->xlu, key, &s, 1);
        return xlcfg_fail(c, key, -1, "\"%s\" should be a list, "
                          "as in [ \"%s\" ]", s, s);
    }
    for (int i = 0; i < *n; i++)
        if (!xlu_cfg_get_listitem(*l, i))
            return xlcfg_fail(c, key, i, "item %d is a list, not a string",
                              i + 1);
    return 1;
}

const char *xlcfg_value_text(struct xlcfg *c, const char *key, char *buf,
                             size_t size)
{
    XLU_ConfigList *l;
    const char *s;
    int n;

    buf[0] = '\0';
    if (xlu_cfg_get_string(c->xlu, key, &s, 1) == 0) {
        snprintf(buf, size, "\"%s\"", s);
    } else if (xlu_cfg_get_list(c->xlu, key, &l, &n, 1) == 0) {
        s = xlu_cfg_get_listitem(l, 0);
        if (n == 0)
            snprintf(buf, size, "[]");
        else
            snprintf(buf, size, "[ %s%s%s%s ]", s ? "\"" : "",
                     s ? s : "[...]", s ? "\"" : "", n > 1 ? ", ..." : "");
    }
    return buf;
}

bool xlcfg_is_list(struct xlcfg *c, const char *key)
{
    return xlu_cfg_get_list(c->xlu, key, NULL, NULL, 1) == 0;
}

bool xlcfg_is_set(struct xlcfg *c, const char *key)
{
    return xlcfg_lines_find(&c->lines, key) != NULL;
}

static int strlist_add(libxl_string_list *sl, int *n, const char *s)
{
    char **v = realloc(*sl, sizeof(*v) * (size_t)(*n + 2));

    if (!v)
        return XN_ENOMEM;
    *sl = v;
    v[*n] = strdup(s);
    if (!v[*n])
        return XN_ENOMEM;
    v[++*n] = NULL;
    return 0;
}

int xlcfg_get_strlist(struct xlcfg *c, const char *key, bool split,
                      libxl_string_list *sl)
{
    XLU_ConfigList *list;
    const char *s;
    char *copy, *tok, *save = NULL;
    int n = 0, rc = 0;

    libxl_string_list_dispose(sl);
    if (!split || xlcfg_is_list(c, key)) {
        rc = xlcfg_get_list(c, key, &list, &n);
        if (rc <= 0)
            return rc;
        *sl = calloc((size_t)n + 1, sizeof(char *));
        for (int i = 0; *sl && i < n; i++)
            if (!((*sl)[i] = strdup(xlu_cfg_get_listitem(list, i))))
                break;
        if (!*sl || (n && !(*sl)[n - 1]))
            return xlcfg_oom(c);
        return 1;
    }
    rc = xlcfg_get_str(c, key, &s);
    if (rc <= 0)
        return rc;
    rc = 0;
    copy = strdup(s);
    if (!copy)
        return xlcfg_oom(c);
    for (tok = strtok_r(copy, " \t\n", &save); tok && rc == 0;
         tok = strtok_r(NULL, " \t\n", &save))
        rc = strlist_add(sl, &n, tok);
    free(copy);
    if (rc < 0)
        return xlcfg_oom(c);
    if (n == 0)
        return xlcfg_fail(c, key, -1, "\"%s\" holds no argument", s);
    return 1;
}
