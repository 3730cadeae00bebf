/*
 * xlcfg_lines.c - which line each setting of an xl.cfg file is on.
 *
 * libxlutil keeps a line number per setting but does not export it, so the
 * text is scanned again here, after libxlutil has accepted it, with the same
 * token rules (identifiers, numbers, quoted strings, comments to the end of
 * the line, [ ] , = += ;).  As in libxlutil, the last assignment of a name
 * is the one that counts, and `+=` on a list prepends the earlier items.
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

enum tok {
    T_END, T_NL, T_IDENT, T_ATOM, T_LBRACK, T_RBRACK, T_COMMA, T_EQ,
    T_ADD, T_SEMI, T_OTHER
};

struct scan {
    const char *p, *end;
    int line;
    const char *text;   /* start of the last T_IDENT */
    size_t textlen;
};

static bool is_ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_';
}

static void skip_quoted(struct scan *s)
{
    char quote = *s->p++;

    while (s->p < s->end && *s->p != quote && *s->p != '\n') {
        if (*s->p == '\\' && s->p + 1 < s->end)
            s->p++;
        s->p++;
    }
    if (s->p < s->end && *s->p == quote)
        s->p++;
}

/* Next token; s->line is the line it starts on (T_NL: the line it ends). */
static enum tok next(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
        s->p++;
    if (s->p >= s->end)
        return T_END;

    char ch = *s->p;
    if (ch == '#') {
        while (s->p < s->end && *s->p != '\n')
            s->p++;
        return next(s);
    }
    if (ch == '\n') {
        s->p++;
        s->line++;
        return T_NL;
    }
    if (ch >= 'a' && ch <= 'z') {
        s->text = s->p;
        while (s->p < s->end && is_ident_char(*s->p))
            s->p++;
        s->textlen = (size_t)(s->p - s->text);
        return T_IDENT;
    }
    if (ch >= '0' && ch <= '9') {
        while (s->p < s->end && ((*s->p >= '0' && *s->p <= '9') ||
                                 (*s->p >= 'a' && *s->p <= 'f') ||
                                 *s->p == 'x'))
            s->p++;
        return T_ATOM;
    }
    if (ch == '"' || ch == '\'') {
        skip_quoted(s);
        return T_ATOM;
    }
    s->p++;
    switch (ch) {
    case '[': return T_LBRACK;
    case ']': return T_RBRACK;
    case ',': return T_COMMA;
    case '=': return T_EQ;
    case ';': return T_SEMI;
    case '+':
        if (s->p < s->end && *s->p == '=') {
            s->p++;
            return T_ADD;
        }
        return T_OTHER;
    default:
        return T_OTHER;
    }
}

static int add_item(struct xlcfg_setting *set, int line)
{
    int *v = realloc(set->item_lines, sizeof(*v) * (size_t)(set->nitems + 1));

    if (!v)
        return XN_ENOMEM;
    v[set->nitems++] = line;
    set->item_lines = v;
    return 0;
}

/* Read a list after its '['; record the line of each top-level item. */
static int scan_list(struct scan *s, struct xlcfg_setting *set)
{
    int depth = 1;
    bool want_item = true;

    while (depth > 0) {
        enum tok t = next(s);
        switch (t) {
        case T_END:
            return 0;
        case T_ATOM:
        case T_LBRACK:
            if (depth == 1 && want_item && add_item(set, s->line) < 0)
                return XN_ENOMEM;
            want_item = false;
            if (t == T_LBRACK)
                depth++;
            break;
        case T_RBRACK:
            depth--;
            break;
        case T_COMMA:
            if (depth == 1)
                want_item = true;
            break;
        default:
            break;
        }
    }
    return 0;
}

/* Prepend the items of the setting a `+=` extends, as libxlutil does. */
static int join_items(const struct xlcfg_setting *prev,
                      struct xlcfg_setting *set)
{
    int n = prev->nitems + set->nitems;
    int *v;

    if (!prev->list || !set->list || prev->nitems == 0)
        return 0;
    v = malloc(sizeof(*v) * (size_t)n);
    if (!v)
        return XN_ENOMEM;
    memcpy(v, prev->item_lines, sizeof(*v) * (size_t)prev->nitems);
    if (set->nitems)
        memcpy(v + prev->nitems, set->item_lines,
               sizeof(*v) * (size_t)set->nitems);
    free(set->item_lines);
    set->item_lines = v;
    set->nitems = n;
    return 0;
}

static int scan_value(struct scan *s, struct xlcfg_lines *l,
                      struct xlcfg_setting *set)
{
    enum tok t = next(s);
    int rc = 0;

    if (t == T_LBRACK) {
        set->list = true;
        rc = scan_list(s, set);
    }
    if (rc == 0 && set->append) {
        const struct xlcfg_setting *prev = xlcfg_lines_find(l, set->name);
        if (prev)
            rc = join_items(prev, set);
    }
    return rc;
}

static int add_setting(struct xlcfg_lines *l, struct scan *s)
{
    struct xlcfg_setting set = { .line = s->line };
    struct xlcfg_setting *v;
    enum tok t;
    int rc;

    set.name = strndup(s->text, s->textlen);
    if (!set.name)
        return XN_ENOMEM;
    t = next(s);
    if (t != T_EQ && t != T_ADD) {
        free(set.name);   /* not an assignment: libxlutil refused it */
        return 0;
    }
    set.append = t == T_ADD;
    rc = scan_value(s, l, &set);
    if (rc == 0) {
        v = realloc(l->v, sizeof(*v) * (size_t)(l->n + 1));
        if (v) {
            v[l->n++] = set;
            l->v = v;
            return 0;
        }
        rc = XN_ENOMEM;
    }
    free(set.name);
    free(set.item_lines);
    return rc;
}

int xlcfg_lines_scan(struct xlcfg_lines *l, const char *data, size_t len)
{
    struct scan s = { .p = data, .end = data + len, .line = 1 };
    enum tok t;
    int rc;

    memset(l, 0, sizeof(*l));
    while ((t = next(&s)) != T_END) {
        if (t != T_IDENT)
            continue;
        rc = add_setting(l, &s);
        if (rc < 0)
            return rc;
    }
    /* A final newline ends the last line rather than starting one. */
    l->last_line = s.line > 1 && len && data[len - 1] == '\n' ? s.line - 1
                                                              : s.line;
    return 0;
}

void xlcfg_lines_dispose(struct xlcfg_lines *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].item_lines);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

const struct xlcfg_setting *xlcfg_lines_find(const struct xlcfg_lines *l,
                                             const char *name)
{
    for (int i = l->n - 1; i >= 0; i--)
        if (strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}
