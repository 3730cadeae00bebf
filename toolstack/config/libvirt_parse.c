/*
 * libvirt_parse.c - libvirt domain XML into a libxl_domain_config: libxml2
 * reads the text (errors caught by a structured handler, nothing printed),
 * the mapping (libvirt_dom.c ...) turns the tree into xl.cfg settings, and
 * xenith's xl.cfg parser makes the domain configuration of them; its
 * messages are given the XML line of the setting they are about.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "config/libvirt_conv.h"
#include "config/libvirt_int.h"

/* The first error libxml2 reports. */
struct xml_error {
    bool seen;
    int line;
    char text[256];
};

static void on_xml_error(void *opaque, xmlErrorPtr e)
{
    struct xml_error *x = opaque;
    size_t n;

    if (x->seen || !e || e->level < XML_ERR_ERROR)
        return;
    x->seen = true;
    x->line = e->line;
    snprintf(x->text, sizeof(x->text), "%s",
             e->message ? e->message : "malformed XML");
    n = strlen(x->text);
    while (n && (x->text[n - 1] == '\n' || x->text[n - 1] == ' ' ||
                 x->text[n - 1] == '.'))
        x->text[--n] = '\0';
    for (char *p = x->text; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

/* Parse the text into a tree; msg says why not. */
static xmlDocPtr read_xml(const char *file, const char *data, size_t len,
                          struct xn_msg *msg)
{
    struct xml_error x = {0};
    xmlDocPtr doc;

    if (len > INT_MAX) {
        xn_msg_set(msg, XN_EINVAL, "%s: file too large", file);
        return NULL;
    }
    xmlSetStructuredErrorFunc(&x, on_xml_error);
    /* No network, no entity expansion, no DTD loading. */
    doc = xmlReadMemory(data, (int)len, file, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                        XML_PARSE_NOWARNING);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (doc && !x.seen)
        return doc;
    xmlFreeDoc(doc);
    if (x.seen)
        xn_msg_set(msg, XN_EINVAL, "%s:%d: malformed XML: %s", file, x.line,
                   x.text);
    else
        xn_msg_set(msg, XN_EINVAL, "%s: malformed XML", file);
    return NULL;
}

static int map_tree(struct lv *l, const char *data, size_t len)
{
    xmlNodePtr root;
    int rc;

    if (!(l->doc = read_xml(l->file, data, len, l->msg)))
        return XN_EINVAL;
    root = xmlDocGetRootElement(l->doc);
    if (!root || strcmp((const char *)root->name, "domain") != 0)
        return xn_msg_set(l->msg, XN_EINVAL, "%s:%d: %s: this is no libvirt "
                          "domain XML (its root element is not <domain>)",
                          l->file, lv_line(root),
                          root ? (const char *)root->name : "document");
    if ((rc = lv_read_domain(l, root)) < 0)
        return rc;
    lv_warn_untaken(l, root);
    return 0;
}

int libvirt_xml_to_xlcfg(const char *filename, const char *data, size_t len,
                         char **text_r, struct xlcfg_warnings *warn,
                         struct xn_msg *msg)
{
    struct lv l = {
        .file = filename ? filename : "<config>",
        .msg = msg,
        .warn = warn,
    };
    int *map = NULL, nlines, rc;

    *text_r = NULL;
    xn_msg_clear(msg);
    if (warn)
        memset(warn, 0, sizeof(*warn));
    rc = map_tree(&l, data, len);
    if (rc == 0 && (rc = lv_render(&l, text_r, &map, &nlines)) < 0)
        xn_msg_set(msg, rc, "%s: out of memory", l.file);
    free(map);
    lv_dispose(&l);
    xmlFreeDoc(l.doc);
    return rc;
}

/* "FILE:N: rest" with N a line of the generated text -> the XML's line. */
static void remap(char *text, size_t size, const char *file, const int *map,
                  int nlines)
{
    size_t flen = strlen(file);
    char *end, rest[XN_MSG_MAX];
    long n;

    if (strncmp(text, file, flen) != 0 || text[flen] != ':')
        return;
    n = strtol(text + flen + 1, &end, 10);
    if (end == text + flen + 1 || *end != ':')
        return;
    snprintf(rest, sizeof(rest), "%s", end);
    snprintf(text + flen, size - flen, ":%d%s",
             n >= 1 && n <= nlines ? map[n] : map[nlines > 0 ? nlines : 0],
             rest);
}

int libvirt_xml_parse(const char *filename, const char *data, size_t len,
                      const struct xlcfg_opts *opts,
                      libxl_domain_config *cfg, struct xn_msg *msg)
{
    struct xlcfg_warnings *warn = opts ? opts->warn : NULL;
    struct xlcfg_warnings more;
    struct xlcfg_opts o = {.max_cpus = opts ? opts->max_cpus : 0,
                           .warn = &more};
    struct lv l = {
        .file = filename ? filename : "<config>",
        .msg = msg,
        .warn = warn,
    };
    char *text = NULL;
    int *map = NULL, nlines = 0, rc;

    xn_msg_clear(msg);
    if (warn)
        memset(warn, 0, sizeof(*warn));
    rc = map_tree(&l, data, len);
    if (rc == 0 && (rc = lv_render(&l, &text, &map, &nlines)) < 0)
        xn_msg_set(msg, rc, "%s: out of memory", l.file);
    if (rc == 0) {
        rc = xlcfg_parse_opts(l.file, text, strlen(text), &o, cfg, msg);
        if (rc < 0 && msg)
            remap(msg->text, sizeof(msg->text), l.file, map, nlines);
        for (int i = 0; warn && i < more.n; i++) {
            if (warn->n == XLCFG_WARN_MAX) {
                warn->dropped++;
                continue;
            }
            memcpy(warn->text[warn->n], more.text[i], sizeof(more.text[i]));
            remap(warn->text[warn->n], sizeof(warn->text[0]), l.file, map,
                  nlines);
            warn->n++;
        }
        if (warn)
            warn->dropped += more.dropped;
    }
    free(text);
    free(map);
    lv_dispose(&l);
    xmlFreeDoc(l.doc);
    return rc;
}

bool libvirt_text_is_xml(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
            text[i] == '\r')
            continue;
        return text[i] == '<';
    }
    return false;
}

int libvirt_or_xlcfg_parse(const char *filename, const char *data,
                           size_t len, const struct xlcfg_opts *opts,
                           libxl_domain_config *cfg, struct xn_msg *msg)
{
    if (libvirt_text_is_xml(data, len))
        return libvirt_xml_parse(filename, data, len, opts, cfg, msg);
    return xlcfg_parse_opts(filename, data, len, opts, cfg, msg);
}
