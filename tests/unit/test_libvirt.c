/*
 * test_libvirt.c - libvirt domain XML in and out (toolstack/config/
 * libvirt_*.c), against libvirt's own pairs in tests/libvirt/xlconfigdata/
 * (NAME.cfg + NAME.xml: an xl.cfg file and the domain XML libvirt makes of
 * it, or writes it from).  For each pair (C, X):
 *   forward:    json(from_xml(X)) == json(xlcfg_parse(C))
 *   round trip: json(from_xml(to_xml(parse(C)))) == json(parse(C))
 *   XML:        every element and attribute of to_xml(parse(C)) is in X
 *               (libvirt adds defaults of its own: <address>, ide ...)
 * Pairs listed in `pending` use xl.cfg keys the xl.cfg parser does not
 * take yet; they are checked to still fail, so the list only shrinks.
 * Pairs in `one_way` are checked by libvirt only from xl.cfg to XML; the
 * XML differs from the cfg in a default libvirt fills in (named there).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "config/libvirt_conv.h"

/* xl.cfg keys other helpers are adding to the parser. */
static const char *const pending[] = {
    "test-channel-pty", "test-channel-unix",        /* channel */
    "test-fullvirt-cpuid",                          /* cpuid */
    "test-fullvirt-hypervisor-features",            /* passthrough */
    "test-paravirt-e820_host",                      /* passthrough */
    "test-fullvirt-pci",                            /* pci */
    "test-fullvirt-vnuma", "test-fullvirt-vnuma-autocomplete",
    "test-fullvirt-vnuma-nodistances", "test-fullvirt-vnuma-partialdist",
    "test-usb",                                     /* usbdev */
    "test-usbctrl",                                 /* usbctrl */
};

/* libvirt's parse of these cfg files fills in a default xl has not. */
static const char *const one_way[] = {
    "test-disk-positional-parms-full",     /* <driver name='qemu'> */
    "test-disk-positional-parms-partial",  /* <driver name='qemu'> */
    "test-paravirt-cmdline-bogus-extra-root", /* qemu; on_crash restart */
};

/* Elements in to_xml's output that libvirt writes differently. */
static const char *const xml_differs[] = {
    /* ovmf: libvirt's test writes /LIBXL_FIRMWARE_DIR/ovmf.bin */
    "test-fullvirt-ovmf",
    /* one-way pairs: libvirt's XML has its defaults (see one_way) */
    "test-disk-positional-parms-full", "test-disk-positional-parms-partial",
    "test-paravirt-cmdline-bogus-extra-root",
};

static char **names;
static int nnames;

static bool listed(const char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}
#define LISTED(l, name) listed(l, sizeof(l) / sizeof(l[0]), name)

static const char *srcdir(void)
{
    const char *d = getenv("XENITH_SRCDIR");
    return d && *d ? d : ".";
}

static char *slurp(const char *name, const char *ext, size_t *len_r)
{
    char path[1024];
    FILE *f;
    char *buf;
    long len;

    snprintf(path, sizeof(path), "%s/tests/libvirt/xlconfigdata/%s.%s",
             srcdir(), name, ext);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    buf = malloc((size_t)len + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    *len_r = (size_t)len;
    return buf;
}

/* json of a parse (xml or cfg), or NULL with msg set. */
static char *json_of(const char *file, const char *text, size_t len,
                     bool xml, struct xn_msg *msg)
{
    libxl_domain_config dc;
    char *json = NULL;
    int rc;

    libxl_domain_config_init(&dc);
    rc = xml ? libvirt_xml_parse(file, text, len, NULL, &dc, msg)
             : xlcfg_parse(file, text, len, &dc, msg);
    if (rc == 0)
        json = xlcfg_dryrun_json(&dc);
    libxl_domain_config_dispose(&dc);
    return json;
}

/* ---- semantic XML: elements as "path attr=v ... = text" ---- */

static void flatten(xmlNodePtr n, const char *path, char ***out, int *nout)
{
    for (; n; n = n->next) {
        char line[2048], p[1024];
        xmlChar *t;
        if (n->type != XML_ELEMENT_NODE ||
            strcmp((const char *)n->name, "address") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", path, n->name);
        snprintf(line, sizeof(line), "%s", p);
        for (xmlAttrPtr a = n->properties; a; a = a->next) {
            xmlChar *v = xmlGetProp(n, a->name);
            size_t l = strlen(line);
            snprintf(line + l, sizeof(line) - l, " %s=%s", a->name, v);
            xmlFree(v);
        }
        if (!n->children || (n->children->type == XML_TEXT_NODE &&
                             !n->children->next)) {
            size_t l = strlen(line);
            t = xmlNodeGetContent(n);
            snprintf(line + l, sizeof(line) - l, " = %s", t ? (char *)t : "");
            xmlFree(t);
        }
        *out = realloc(*out, (size_t)(*nout + 1) * sizeof(char *));
        (*out)[(*nout)++] = strdup(line);
        flatten(n->children, p, out, nout);
    }
}

static int flat(const char *text, char ***out)
{
    xmlDocPtr d = xmlReadMemory(text, (int)strlen(text), "x", NULL,
                                XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    int n = 0;

    ck_assert_ptr_nonnull(d);
    *out = NULL;
    flatten(xmlDocGetRootElement(d), "", out, &n);
    xmlFreeDoc(d);
    return n;
}

/* The first line of `mine` not in `theirs`, or NULL. */
static char *not_in(const char *mine, const char *theirs)
{
    char **a, **b, *miss = NULL;
    int na = flat(mine, &a), nb = flat(theirs, &b);

    for (int i = 0; i < na && !miss; i++) {
        bool found = false;
        for (int j = 0; j < nb && !found; j++)
            found = strcmp(a[i], b[j]) == 0;
        if (!found)
            miss = strdup(a[i]);
    }
    for (int i = 0; i < na; i++)
        free(a[i]);
    for (int i = 0; i < nb; i++)
        free(b[i]);
    free(a);
    free(b);
    return miss;
}

START_TEST(pair)
{
    const char *name = names[_i];
    size_t clen, xlen;
    char *cfg = slurp(name, "cfg", &clen), *xml = slurp(name, "xml", &xlen);
    char cfile[256], xfile[256];
    struct xn_msg msg;
    char *cj, *xj;
    bool same;

    snprintf(cfile, sizeof(cfile), "%s.cfg", name);
    snprintf(xfile, sizeof(xfile), "%s.xml", name);
    cj = json_of(cfile, cfg, clen, false, &msg);
    xj = json_of(xfile, xml, xlen, true, &msg);
    same = cj && xj && strcmp(cj, xj) == 0;
    if (LISTED(pending, name) || LISTED(one_way, name))
        ck_assert_msg(!same, "%s now passes: take it off the list", name);
    else
        ck_assert_msg(same, "%s: from_xml(X) differs from parse(C): %s",
                      name, !cj ? "the cfg fails" : !xj ? msg.text : "json");
    if (cj) {
        libxl_domain_config dc;
        struct xlcfg_warnings w;
        libxl_domain_config_init(&dc);
        ck_assert_int_eq(xlcfg_parse(cfile, cfg, clen, &dc, &msg), 0);
        char *out = libvirt_xml_format(&dc, &w);
        ck_assert_ptr_nonnull(out);
        char *rj = json_of("rt.xml", out, strlen(out), true, &msg);
        ck_assert_msg(rj != NULL, "%s: to_xml's XML is refused: %s", name,
                      msg.text);
        ck_assert_msg(strcmp(rj, cj) == 0, "%s: the round trip differs",
                      name);
        char *miss = not_in(out, xml);
        if (LISTED(xml_differs, name))
            ck_assert_msg(miss != NULL, "%s: to_xml now matches", name);
        else
            ck_assert_msg(miss == NULL, "%s: libvirt's XML has no \"%s\"",
                          name, miss);
        free(miss);
        free(rj);
        free(out);
        libxl_domain_config_dispose(&dc);
    }
    free(cj);
    free(xj);
    free(cfg);
    free(xml);
}
END_TEST

/* ---- messages ---- */

static int parse_text(const char *text, struct xlcfg_warnings *w,
                      struct xn_msg *msg)
{
    libxl_domain_config dc;
    struct xlcfg_opts o = {.warn = w};
    int rc;

    libxl_domain_config_init(&dc);
    rc = libvirt_xml_parse("t.xml", text, strlen(text), &o, &dc, msg);
    libxl_domain_config_dispose(&dc);
    return rc;
}

#define HEAD "<domain type='xen'>\n  <name>t</name>\n" \
    "  <uuid>c7a5fdb2-cdaf-9455-926a-d65c16db1809</uuid>\n" \
    "  <memory unit='MiB'>256</memory>\n" \
    "  <os><type>xen</type><kernel>/k</kernel></os>\n"

START_TEST(messages)
{
    struct xlcfg_warnings w;
    struct xn_msg msg;

    /* Malformed: one sentence with its line. */
    ck_assert_int_eq(parse_text(HEAD "  <devices>\n  </devic>\n</domain>\n",
                                &w, &msg), XN_EINVAL);
    ck_assert_msg(strncmp(msg.text, "t.xml:7: malformed XML: ", 24) == 0,
                  "%s", msg.text);
    ck_assert_ptr_null(strchr(msg.text, '\n'));
    /* Not a domain. */
    ck_assert_int_eq(parse_text("<network/>", &w, &msg), XN_EINVAL);
    ck_assert_msg(strstr(msg.text, "t.xml:1: network: this is no libvirt "
                         "domain XML") != NULL, "%s", msg.text);
    /* An element nothing maps: one warning naming its line. */
    ck_assert_int_eq(parse_text(HEAD "  <devices>\n    <watchdog "
                                "model='i6300esb'/>\n  </devices>\n"
                                "</domain>\n", &w, &msg), 0);
    ck_assert_int_eq(w.n, 1);
    ck_assert_msg(strncmp(w.text[0], "t.xml:7: watchdog: <watchdog> is not "
                          "mapped", 36) == 0, "%s", w.text[0]);
    /* A mapping error names the element's line. */
    ck_assert_int_eq(parse_text(HEAD "  <devices>\n    <disk type='file'>\n"
                                "      <source file='/x'/>\n    </disk>\n"
                                "  </devices>\n</domain>\n", &w, &msg),
                     XN_EINVAL);
    ck_assert_str_eq(msg.text, "t.xml:7: disk: <target dev=...> is "
                     "missing");
    /* An xl.cfg parser error names the XML line of the setting. */
    ck_assert_int_eq(parse_text(HEAD "  <devices>\n"
                                "    <interface type='ethernet'>\n"
                                "      <mac address='zz'/>\n"
                                "    </interface>\n  </devices>\n"
                                "</domain>\n", &w, &msg), XN_EINVAL);
    ck_assert_msg(strncmp(msg.text, "t.xml:7: vif: ", 14) == 0, "%s",
                  msg.text);
    /* A bad size. */
    ck_assert_int_eq(parse_text("<domain type='xen'>\n<name>t</name>\n"
                                "<memory unit='lots'>1</memory>\n"
                                "<os><type>hvm</type></os></domain>", &w,
                                &msg), XN_EINVAL);
    ck_assert_msg(strncmp(msg.text, "t.xml:3: memory: unit \"lots\"", 28)
                  == 0, "%s", msg.text);
}
END_TEST

static int is_xml(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, ".xml") == 0;
}

int main(void)
{
    char dir[1024];
    struct dirent **ents;
    Suite *s = suite_create("libvirt");
    TCase *tc = tcase_create("libvirt");

    snprintf(dir, sizeof(dir), "%s/tests/libvirt/xlconfigdata", srcdir());
    nnames = scandir(dir, &ents, is_xml, alphasort);
    if (nnames <= 0) {
        fprintf(stderr, "test_libvirt: no pairs in %s (set XENITH_SRCDIR)\n",
                dir);
        return EXIT_FAILURE;
    }
    names = calloc((size_t)nnames, sizeof(*names));
    for (int i = 0; i < nnames; i++) {
        names[i] = strndup(ents[i]->d_name, strlen(ents[i]->d_name) - 4);
        free(ents[i]);
    }
    free(ents);
    tcase_add_loop_test(tc, pair, 0, nnames);
    tcase_add_test(tc, messages);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    for (int i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
