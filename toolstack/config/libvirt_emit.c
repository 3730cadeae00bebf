/*
 * libvirt_emit.c - the xl.cfg settings a libvirt domain maps to, each with
 * the XML line it came from, and their text for xenith's xl.cfg parser.
 *
 * Every scalar is one line; every list item is on a line of its own, so a
 * message about any item names the XML element that made it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_int.h"

static struct lv_setting *find(const struct lv *l, const char *key)
{
    for (int i = 0; i < l->nset; i++)
        if (strcmp(l->set[i].key, key) == 0)
            return &l->set[i];
    return NULL;
}

bool lv_is_set(const struct lv *l, const char *key)
{
    return find(l, key) != NULL;
}

/* The setting `key`, created when new (NULL when out of memory). */
static struct lv_setting *get(struct lv *l, const char *key, bool list,
                              bool *fresh)
{
    struct lv_setting *s = find(l, key);

    *fresh = false;
    if (s)
        return s;
    if (l->nset == l->capset) {
        int cap = l->capset ? l->capset * 2 : 32;
        struct lv_setting *v = realloc(l->set, (size_t)cap * sizeof(*v));
        if (!v)
            return NULL;
        l->set = v;
        l->capset = cap;
    }
    s = &l->set[l->nset];
    memset(s, 0, sizeof(*s));
    if (!(s->key = strdup(key)))
        return NULL;
    s->list = list;
    l->nset++;
    *fresh = true;
    return s;
}

static int push(struct lv *l, struct lv_setting *s, char *text, int line)
{
    if (!text)
        goto oom;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 4;
        struct lv_item *v = realloc(s->items, (size_t)cap * sizeof(*v));
        if (!v)
            goto oom;
        s->items = v;
        s->cap = cap;
    }
    s->items[s->n].text = text;
    s->items[s->n].line = line;
    s->n++;
    return 0;
oom:
    free(text);
    l->oom = true;
    return xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
}

/* `v` as an xl.cfg string: quoted, with \ " and control characters
 * escaped as libxlutil reads them back. */
static char *quote(const char *v)
{
    size_t n = strlen(v);
    char *q = malloc(n * 4 + 3), *p = q;

    if (!q)
        return NULL;
    *p++ = '"';
    for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
        if (*s == '"' || *s == '\\') {
            *p++ = '\\';
            *p++ = (char)*s;
        } else if (*s < 0x20 || *s == 0x7f) {
            p += sprintf(p, "\\x%02x", *s);
        } else {
            *p++ = (char)*s;
        }
    }
    *p++ = '"';
    *p = '\0';
    return q;
}

static int set_text(struct lv *l, const char *key, xmlNodePtr n, char *text)
{
    bool fresh;
    struct lv_setting *s = get(l, key, false, &fresh);

    if (!s) {
        free(text);
        l->oom = true;
        return xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    }
    if (!fresh) {
        free(text);
        return 0;
    }
    return push(l, s, text, lv_line(n));
}

int lv_set_str(struct lv *l, const char *key, xmlNodePtr n, const char *v)
{
    return set_text(l, key, n, quote(v));
}

int lv_set_num(struct lv *l, const char *key, xmlNodePtr n, long v)
{
    char *t;

    if (asprintf(&t, "%ld", v) < 0)
        t = NULL;
    return set_text(l, key, n, t);
}

int lv_add_raw(struct lv *l, const char *key, xmlNodePtr n, const char *raw)
{
    bool fresh;
    struct lv_setting *s = get(l, key, true, &fresh);

    if (!s) {
        l->oom = true;
        return xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    }
    return push(l, s, strdup(raw), lv_line(n));
}

int lv_add_str(struct lv *l, const char *key, xmlNodePtr n, const char *v)
{
    char *q = quote(v);
    int rc;

    if (!q) {
        l->oom = true;
        return xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    }
    rc = lv_add_raw(l, key, n, q);
    free(q);
    return rc;
}

struct lines {
    int *map;
    int n, cap;
};

static int note_line(struct lines *m, int xml_line)
{
    if (m->n + 1 >= m->cap) {
        int cap = m->cap ? m->cap * 2 : 64;
        int *v = realloc(m->map, (size_t)cap * sizeof(*v));
        if (!v)
            return -1;
        m->map = v;
        m->cap = cap;
    }
    m->map[++m->n] = xml_line;
    return 0;
}

int lv_render(const struct lv *l, char **text_r, int **map_r, int *nlines_r)
{
    struct lines m = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int bad = 0;

    *text_r = NULL;
    *map_r = NULL;
    *nlines_r = 0;
    if (!f)
        return XN_ENOMEM;
    for (int i = 0; i < l->nset; i++) {
        const struct lv_setting *s = &l->set[i];
        if (!s->list) {
            fprintf(f, "%s = %s\n", s->key, s->items[0].text);
            bad |= note_line(&m, s->items[0].line);
            continue;
        }
        /* key = [ on the first item's line, one item a line, ] after. */
        fprintf(f, "%s = [\n", s->key);
        bad |= note_line(&m, s->items[0].line);
        for (int j = 0; j < s->n; j++) {
            fprintf(f, "    %s,\n", s->items[j].text);
            bad |= note_line(&m, s->items[j].line);
        }
        fprintf(f, "]\n");
        bad |= note_line(&m, s->items[s->n - 1].line);
    }
    if (fclose(f) != 0 || bad) {
        free(buf);
        free(m.map);
        return XN_ENOMEM;
    }
    if (!m.map && !(m.map = calloc(1, sizeof(int)))) {
        free(buf);
        return XN_ENOMEM;
    }
    *text_r = buf;
    *map_r = m.map;
    *nlines_r = m.n;
    return 0;
}

void lv_dispose(struct lv *l)
{
    for (int i = 0; i < l->nset; i++) {
        for (int j = 0; j < l->set[i].n; j++)
            free(l->set[i].items[j].text);
        free(l->set[i].items);
        free(l->set[i].key);
    }
    free(l->set);
    l->set = NULL;
    l->nset = l->capset = 0;
}
