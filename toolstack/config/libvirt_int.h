/*
 * libvirt_int.h - shared by the files that read libvirt domain XML; not
 * public.
 *
 * Reading a domain is done in two steps.  The XML tree is walked element by
 * element (libvirt_dom.c, libvirt_dev.c) and every element that libvirt's
 * Xen driver maps becomes the xl.cfg setting libvirt itself writes for it
 * (the mapping of libvirt's xen_xl.c / xen_common.c, learnt from them and
 * written anew).  The settings are kept here, with the XML line each came
 * from; the resulting xl.cfg text is then handed to xenith's own xl.cfg
 * parser, so a domain from XML is exactly the domain the equivalent xl.cfg
 * file creates, checked by the same rules, and every message the parser
 * gives names the XML line the setting came from.
 *
 * Elements nobody took are reported once each, as warnings.
 */
#ifndef XENITH_CONFIG_LIBVIRT_INT_H
#define XENITH_CONFIG_LIBVIRT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "err.h"
#include "config/xlcfg_warn.h"

/* One value of a setting: the text as xl.cfg writes it (quoted or not). */
struct lv_item {
    char *text;     /* owned */
    int line;       /* XML line it came from */
};

/* One xl.cfg setting, scalar or list. */
struct lv_setting {
    char *key;          /* owned */
    bool list;
    struct lv_item *items;
    int n, cap;
};

/* One read of a domain. */
struct lv {
    const char *file;           /* names the XML in messages */
    xmlDocPtr doc;
    struct xn_msg *msg;
    struct xlcfg_warnings *warn;    /* may be NULL */
    bool hvm, pvh;              /* the domain's type, from <os><type> */
    long max_vcpus;             /* <vcpu> */
    struct lv_setting *set;
    int nset, capset;
    bool oom;
};

/* ---- settings (libvirt_emit.c) ---- */

/* Set scalar `key` to a quoted string / a number, from XML node `n` (for
 * its line).  A key set twice keeps its first value.  0 or XN_ENOMEM. */
int lv_set_str(struct lv *l, const char *key, xmlNodePtr n, const char *v);
int lv_set_num(struct lv *l, const char *key, xmlNodePtr n, long v);
/* Append a quoted string to list `key`.  0 or XN_ENOMEM. */
int lv_add_str(struct lv *l, const char *key, xmlNodePtr n, const char *v);
/* Append a raw item (an already written list "[ ... ]") to list `key`. */
int lv_add_raw(struct lv *l, const char *key, xmlNodePtr n, const char *raw);
/* Is `key` set? */
bool lv_is_set(const struct lv *l, const char *key);
/* The xl.cfg text of every setting, and map_r[LINE] = the XML line of each
 * of its lines (map_r[0] unused; *nlines_r lines).  Both malloc'd, the
 * caller frees them.  0 or XN_ENOMEM. */
int lv_render(const struct lv *l, char **text_r, int **map_r, int *nlines_r);
void lv_dispose(struct lv *l);

/* ---- the XML (libvirt_xml_util.c) ---- */

/* The element's line in the file (0 when unknown). */
int lv_line(xmlNodePtr n);
/* Mark an element as taken (mapped or knowingly left alone), with or
 * without its whole subtree. */
void lv_take(xmlNodePtr n);
void lv_take_all(xmlNodePtr n);
/* Element children named `name` (NULL: any), one after another:
 *     for (c = lv_child(n, "disk"); c; c = lv_next(c, "disk")) */
xmlNodePtr lv_child(xmlNodePtr n, const char *name);
xmlNodePtr lv_next(xmlNodePtr n, const char *name);
/* An attribute's value (malloc'd by libxml2: free with xmlFree), or NULL. */
char *lv_attr(xmlNodePtr n, const char *name);
/* Is attribute `name` equal to `v`?  Absent: false. */
bool lv_attr_is(xmlNodePtr n, const char *name, const char *v);
/* The text of an element, trimmed (malloc'd, free()), or NULL when empty;
 * the element is taken. */
char *lv_text(xmlNodePtr n);

/* Fail "FILE:LINE: WHAT: sentence" for element n; returns XN_EINVAL. */
int lv_fail(struct lv *l, xmlNodePtr n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Warn "FILE:LINE: WHAT: sentence" for element n. */
void lv_warn(struct lv *l, xmlNodePtr n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Warn, and take, every element below `n` (n included) nobody took. */
void lv_warn_untaken(struct lv *l, xmlNodePtr n);

/* A size element's value (text with attribute unit=, default KiB) in KiB.
 * 0 or XN_EINVAL (message set). */
int lv_size_kib(struct lv *l, xmlNodePtr n, const char *text,
                const char *unit, unsigned long long *kib_r);
/* A whole number in [min, max] from text; `what` names it in the message.
 * 0 or XN_EINVAL. */
int lv_long(struct lv *l, xmlNodePtr n, const char *what, const char *text,
            long min, long max, long *v_r);

/* ---- the mapping ---- */

int lv_read_domain(struct lv *l, xmlNodePtr dom);  /* libvirt_dom.c */
int lv_read_cpu(struct lv *l, xmlNodePtr cpu);     /* libvirt_cpu.c */
int lv_read_devices(struct lv *l, xmlNodePtr devs); /* libvirt_dev.c */
int lv_read_net(struct lv *l, xmlNodePtr nic);     /* libvirt_net.c */
int lv_read_graphics(struct lv *l, xmlNodePtr devs); /* libvirt_gfx.c */
int lv_read_chr(struct lv *l, xmlNodePtr devs);    /* libvirt_chr.c */

/* libvirt's CPU feature names and libxl's, where they differ. */
const char *lv_cpu_feature_to_xl(const char *libvirt_name);
const char *lv_cpu_feature_from_xl(const char *xl_name);

#endif
