/*
 * libvirt_xml_util.c - walking libvirt domain XML: children, attributes,
 * text, sizes and numbers, which elements were taken, and the messages
 * (FILE:LINE: ELEMENT: sentence) that name an element's line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_int.h"

/* The _private field of a node is ours: non-NULL once taken. */
static char taken_mark;

int lv_line(xmlNodePtr n)
{
    long line = n ? xmlGetLineNo(n) : 0;
    return line > 0 && line < 1000000000 ? (int)line : 0;
}

void lv_take(xmlNodePtr n)
{
    if (n)
        n->_private = &taken_mark;
}

void lv_take_all(xmlNodePtr n)
{
    if (!n)
        return;
    lv_take(n);
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            lv_take_all(c);
}

static bool named(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE &&
           (!name || strcmp((const char *)n->name, name) == 0);
}

xmlNodePtr lv_next(xmlNodePtr n, const char *name)
{
    for (n = n ? n->next : NULL; n; n = n->next)
        if (named(n, name))
            return n;
    return NULL;
}

xmlNodePtr lv_child(xmlNodePtr n, const char *name)
{
    if (!n || !n->children)
        return NULL;
    if (named(n->children, name))
        return n->children;
    return lv_next(n->children, name);
}

char *lv_attr(xmlNodePtr n, const char *name)
{
    return n ? (char *)xmlGetProp(n, (const xmlChar *)name) : NULL;
}

bool lv_attr_is(xmlNodePtr n, const char *name, const char *v)
{
    char *a = lv_attr(n, name);
    bool is = a && strcmp(a, v) == 0;

    xmlFree(a);
    return is;
}

char *lv_text(xmlNodePtr n)
{
    xmlChar *c;
    char *s, *e, *out;

    if (!n)
        return NULL;
    lv_take(n);
    c = xmlNodeGetContent(n);
    if (!c)
        return NULL;
    for (s = (char *)c; isspace((unsigned char)*s); s++)
        ;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    out = e > s ? strndup(s, (size_t)(e - s)) : NULL;
    xmlFree(c);
    return out;
}

/* Messages are one line: control characters become '?'. */
static void one_line(char *t)
{
    for (; *t; t++)
        if ((unsigned char)*t < 0x20 || *t == 0x7f)
            *t = '?';
}

static void format(struct lv *l, xmlNodePtr n, struct xn_msg *m,
                   const char *fmt, va_list ap)
{
    char text[XN_MSG_MAX];

    vsnprintf(text, sizeof(text), fmt, ap);
    xn_msg_set(m, XN_EINVAL, "%s:%d: %s: %s", l->file, lv_line(n),
               n ? (const char *)n->name : "domain", text);
    one_line(m->text);
}

int lv_fail(struct lv *l, xmlNodePtr n, const char *fmt, ...)
{
    struct xn_msg m;
    va_list ap;

    va_start(ap, fmt);
    format(l, n, &m, fmt, ap);
    va_end(ap);
    if (l->msg)
        *l->msg = m;
    return XN_EINVAL;
}

void lv_warn(struct lv *l, xmlNodePtr n, const char *fmt, ...)
{
    struct xn_msg m;
    va_list ap;

    if (!l->warn)
        return;
    if (l->warn->n == XLCFG_WARN_MAX) {
        l->warn->dropped++;
        return;
    }
    va_start(ap, fmt);
    format(l, n, &m, fmt, ap);
    va_end(ap);
    memcpy(l->warn->text[l->warn->n++], m.text, sizeof(m.text));
}

void lv_warn_untaken(struct lv *l, xmlNodePtr n)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return;
    if (!n->_private) {
        lv_warn(l, n, "<%s> is not mapped to Xen by xenith; it is ignored",
                (const char *)n->name);
        lv_take_all(n);
        return;
    }
    for (xmlNodePtr c = n->children; c; c = c->next)
        lv_warn_untaken(l, c);
}

int lv_long(struct lv *l, xmlNodePtr n, const char *what, const char *text,
            long min, long max, long *v_r)
{
    char *end;
    long v;

    if (!text || !*text)
        return lv_fail(l, n, "%s is missing", what);
    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < min || v > max)
        return lv_fail(l, n, "%s \"%s\" is not a whole number from %ld to "
                       "%ld", what, text, min, max);
    *v_r = v;
    return 0;
}

/* Multipliers of libvirt's units, in bytes. */
static const struct {
    const char *name;
    unsigned long long bytes;
} units[] = {
    {"b", 1}, {"bytes", 1},
    {"KB", 1000ULL}, {"k", 1024ULL}, {"KiB", 1024ULL},
    {"MB", 1000000ULL}, {"M", 1ULL << 20}, {"MiB", 1ULL << 20},
    {"GB", 1000000000ULL}, {"G", 1ULL << 30}, {"GiB", 1ULL << 30},
    {"TB", 1000000000000ULL}, {"T", 1ULL << 40}, {"TiB", 1ULL << 40},
};

int lv_size_kib(struct lv *l, xmlNodePtr n, const char *text,
                const char *unit, unsigned long long *kib_r)
{
    unsigned long long v, mul = 1024, bytes;
    char *end;

    if (!text || !*text)
        return lv_fail(l, n, "the size is missing");
    if (unit) {
        size_t i;
        for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (strcasecmp(unit, units[i].name) == 0 &&
                (strcmp(unit, units[i].name) == 0 || strlen(unit) == 1))
                break;
        if (i == sizeof(units) / sizeof(units[0]))
            return lv_fail(l, n, "unit \"%s\" is not one of b, KiB, MiB, "
                           "GiB, TiB, KB, MB, GB, TB", unit);
        mul = units[i].bytes;
    }
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno || *end || end == text || text[0] == '-' ||
        (v && mul > ~0ULL / v))
        return lv_fail(l, n, "\"%s\" is not a size", text);
    bytes = v * mul;
    /* libvirt rounds a size up to whole KiB. */
    *kib_r = bytes / 1024 + (bytes % 1024 != 0);
    return 0;
}
