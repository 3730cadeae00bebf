/*
 * xlcfg_write_emit.c - the syntax of the xl.cfg writer: settings, strings
 * quoted so that libxlutil reads them back byte for byte, lists, and the
 * "key=value,..." specs of devices.
 *
 * libxlutil's strings: between double quotes, a backslash escapes ", ', \
 * and a b f n r t v (as in C).  Its numeric escapes (\x41, \101) are not
 * usable: libxlutil 4.17 drops the character.  Every other byte, non-ASCII
 * included, stands for itself; only a newline may not appear raw.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_write_int.h"

/* Lists up to this width go on one line. */
#define ONE_LINE 72

int xlw_fail(struct xlw *w, const char *fmt, ...)
{
    va_list ap;

    if (w->rc == 0) {
        w->rc = XN_EINVAL;
        if (w->msg) {
            va_start(ap, fmt);
            vsnprintf(w->msg->text, sizeof(w->msg->text), fmt, ap);
            va_end(ap);
        }
    }
    return XN_EINVAL;
}

static void oom(struct xlw *w)
{
    if (w->rc == 0) {
        w->rc = XN_ENOMEM;
        xn_msg_set(w->msg, XN_ENOMEM, "out of memory");
    }
}

char *xlw_quote(const char *s)
{
    static const char esc[] = "\a\b\f\n\r\t\v\"\\";
    static const char letter[] = "abfnrtv\"\\";
    size_t n = strlen(s);
    char *q = malloc(2 * n + 3), *p = q;

    if (!q)
        return NULL;
    *p++ = '"';
    for (; *s; s++) {
        const char *e = *s ? strchr(esc, *s) : NULL;
        if (e) {
            *p++ = '\\';
            *p++ = letter[e - esc];
        } else {
            *p++ = *s;
        }
    }
    *p++ = '"';
    *p = '\0';
    return q;
}

void xlw_str(struct xlw *w, const char *key, const char *value)
{
    char *q;

    if (!value)
        return;
    q = xlw_quote(value);
    if (!q)
        return oom(w);
    fprintf(w->out, "%s = %s\n", key, q);
    free(q);
}

void xlw_num(struct xlw *w, const char *key, long long value)
{
    if (value < 0)
        fprintf(w->out, "%s = \"%lld\"\n", key, value);
    else
        fprintf(w->out, "%s = %lld\n", key, value);
}

void xlw_bool(struct xlw *w, const char *key, libxl_defbool b)
{
    if (!libxl_defbool_is_default(b))
        fprintf(w->out, "%s = %d\n", key, libxl_defbool_val(b) ? 1 : 0);
}

void xlw_comment(struct xlw *w, const char *text)
{
    fprintf(w->out, "# %s\n", text);
}

void xlw_blank(struct xlw *w)
{
    /* One blank line at most, and none at the top. */
    fflush(w->out);
    if (w->len && !(w->len >= 2 && w->buf[w->len - 2] == '\n'))
        fputc('\n', w->out);
}

/* ---- lists ---- */

void xlw_list_start(struct xlw *w, struct xlw_list *l)
{
    l->w = w;
    l->items = NULL;
    l->n = 0;
}

void xlw_list_add_raw(struct xlw_list *l, const char *text)
{
    char **v = realloc(l->items, sizeof(*v) * (size_t)(l->n + 1));

    if (!v)
        return oom(l->w);
    l->items = v;
    if (!(v[l->n] = strdup(text)))
        return oom(l->w);
    l->n++;
}

void xlw_list_add(struct xlw_list *l, const char *item)
{
    char *q;

    if (!item)
        return;
    if (!(q = xlw_quote(item)))
        return oom(l->w);
    xlw_list_add_raw(l, q);
    free(q);
}

static void list_free(struct xlw_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* The list's text after "KEY = ", indented by `indent` when split; split
 * only when it is wider than a line and !one_line. */
static char *list_format(struct xlw_list *l, size_t indent, bool one_line)
{
    size_t width = one_line ? 0 : indent + 4;
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    for (int i = 0; i < l->n; i++)
        width += strlen(l->items[i]) + 2;
    if (!(f = open_memstream(&text, &len)))
        return NULL;
    if (l->n == 0)
        fputs("[]", f);
    for (int i = 0; i < l->n; i++) {
        if (i == 0)
            fputs("[ ", f);
        else if (one_line || width <= ONE_LINE)
            fputs(", ", f);
        else
            fprintf(f, ",\n%*s", (int)indent + 2, "");
        fputs(l->items[i], f);
        if (i == l->n - 1)
            fputs(" ]", f);
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

char *xlw_list_text(struct xlw_list *l)
{
    char *text = list_format(l, 0, true);   /* nested: one line */

    if (!text)
        oom(l->w);
    list_free(l);
    return text;
}

void xlw_list_end(struct xlw_list *l, const char *key, bool always)
{
    char *text;

    if (l->n == 0 && !always) {
        list_free(l);
        return;
    }
    text = list_format(l, strlen(key) + 3, false);
    if (text)
        fprintf(l->w->out, "%s = %s\n", key, text);
    else
        oom(l->w);
    free(text);
    list_free(l);
}

/* ---- device specs ---- */

void xlw_spec_start(struct xlw *w, struct xlw_spec *s, const char *what,
                    int item, const char *join)
{
    memset(s, 0, sizeof(*s));
    s->w = w;
    s->what = what;
    s->item = item;
    s->join = join;
}

static void spec_append(struct xlw_spec *s, const char *a, const char *b,
                        const char *c)
{
    size_t need = strlen(s->join) + strlen(a) + strlen(b) + strlen(c) + 1;

    if (s->len + need > s->cap) {
        size_t cap = (s->len + need) * 2;
        char *buf = realloc(s->buf, cap);
        if (!buf)
            return oom(s->w);
        s->buf = buf;
        s->cap = cap;
    }
    s->len += (size_t)sprintf(s->buf + s->len, "%s%s%s%s",
                              s->len ? s->join : "", a, b, c);
}

void xlw_spec_raw(struct xlw_spec *s, const char *key, const char *value)
{
    if (value)
        spec_append(s, key, "=", value);
}

void xlw_spec_str(struct xlw_spec *s, const char *key, const char *value)
{
    if (!value)
        return;
    if (strchr(value, ',') || strchr(value, '\n')) {
        xlw_fail(s->w, "%s %d: %s \"%s\" holds a %s, which an xl.cfg %s "
                 "spec cannot carry", s->what, s->item, key, value,
                 strchr(value, ',') ? "comma" : "newline", s->what);
        return;
    }
    xlw_spec_raw(s, key, value);
}

void xlw_spec_num(struct xlw_spec *s, const char *key, long long value)
{
    char num[32];

    snprintf(num, sizeof(num), "%lld", value);
    xlw_spec_raw(s, key, num);
}

void xlw_spec_flag(struct xlw_spec *s, const char *word)
{
    spec_append(s, word, "", "");
}

const char *xlw_spec_text(struct xlw_spec *s)
{
    return s->buf ? s->buf : "";
}

void xlw_spec_done(struct xlw_spec *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}

/* ---- helpers ---- */

int xlw_bits(const libxl_bitmap *map)
{
    int n = 0;

    for (uint32_t i = 0; i < map->size * 8; i++)
        n += libxl_bitmap_test(map, (int)i);
    return n;
}

bool xlw_bitmap_equal(const libxl_bitmap *a, const libxl_bitmap *b)
{
    uint32_t bits = (a->size > b->size ? a->size : b->size) * 8;

    for (uint32_t i = 0; i < bits; i++)
        if (libxl_bitmap_test(a, (int)i) != libxl_bitmap_test(b, (int)i))
            return false;
    return true;
}

char *xlw_cpulist(const libxl_bitmap *map)
{
    int bits = (int)map->size * 8;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f)
        return NULL;
    for (int i = 0; i < bits; i++) {
        int j = i;
        if (!libxl_bitmap_test(map, i))
            continue;
        while (j + 1 < bits && libxl_bitmap_test(map, j + 1))
            j++;
        fprintf(f, "%s%d", len || ftell(f) ? "," : "", i);
        if (j > i)
            fprintf(f, "-%d", j);
        i = j;
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

bool xlw_mib(struct xlw *w, const char *key, uint64_t kb, long long *mib)
{
    if (kb % 1024 != 0 || kb / 1024 > (uint64_t)LLONG_MAX) {
        xlw_fail(w, "%s: %llu KiB is not a whole number of MiB, which "
                 "xl.cfg needs", key, (unsigned long long)kb);
        return false;
    }
    *mib = (long long)(kb / 1024);
    return true;
}
