/*
 * test_libvirt.c - libvirt domain XML in and out (toolstack/config/
 * libvirt_*.c), against libvirt's own pairs in tests/libvirt/xlconfigdata/
 * (NAME.cfg + NAME.xml: an xl.cfg file and the domain XML libvirt makes of
 * it, or writes it from).  For each pair (C, X):
 *   forward:    json(from_xml(X)) == json(xlcfg_parse(C))
 *   round trip: json(from_xml(to_xml(parse(C)))) == json(parse(C))
 *   XML:        every element and attribute of to_xml(parse(C)) is in X
 *               (libvirt adds defaults of its own: <address>, ide ...)
 * Pairs in `refused` are refused by xl itself (both files, same message).
 * Pairs in `xml_differs` / `xml_to_cfg_only` differ from X in the lines
 * named there, for the reason given; each list is checked, so it only
 * shrinks.
 * Pairs in `one_way` are checked by libvirt only from xl.cfg to XML; the
 * XML differs from the cfg in a default libvirt fills in (named there).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "config/libvirt_conv.h"
#include "config_golden.h"

/* Pairs that xl refuses, from the cfg and so from the XML: the message
 * both must give.  autocomplete: six 2048 MiB vNUMA cells (12288 MiB) in a
 * domain of maxmem 8192; xl 4.17 stops with "maxmem and vnuma memory size
 * mismatch" (libvirt's test only writes the cfg from the XML, it never
 * starts it). */
static const struct {
    const char *name, *msg;
} refused[] = {
    {"test-fullvirt-vnuma-autocomplete", "vnuma: the vnodes' sizes add up "
     "to 12288 MiB, but maxmem is 8192"},
};

/* libvirt's parse of these cfg files fills in a default xl has not. */
static const char *const one_way[] = {
    "test-disk-positional-parms-full",     /* <driver name='qemu'> */
    "test-disk-positional-parms-partial",  /* <driver name='qemu'> */
    "test-paravirt-cmdline-bogus-extra-root", /* qemu; on_crash restart */
};

/* Where to_xml's output differs from libvirt's XML: exactly these lines of
 * it (as flatten() writes them) are not in X, for the reason given. */
static const struct {
    const char *name, *lines;
} xml_differs[] = {
    /* libvirt's test data says /LIBXL_FIRMWARE_DIR/ovmf.bin (a variable
     * its test replaces with its build's directory). */
    {"test-fullvirt-ovmf", "/domain/os/loader readonly=yes type=pflash = "
     "/usr/lib/xen/boot/ovmf.bin\n"},
    /* page1gb=x: x is libxl's default, so the compiled policy keeps only
     * that leaf 0x80000001 edx was named, not which bit; to_xml names the
     * register's lowest known bit (the policy read back is the same). */
    {"test-fullvirt-cpuid", "/domain/cpu/feature policy=optional "
     "name=syscall = \n"},
    /* one-way pairs: libvirt's XML has its defaults (see one_way) */
    {"test-disk-positional-parms-full", "/domain/devices/disk/driver "
     "type=qcow2 = \n/domain/devices/disk/driver type=raw = \n"},
    {"test-disk-positional-parms-partial", "/domain/devices/disk/driver "
     "type=raw = \n/domain/devices/disk/driver type=raw = \n"
     "/domain/devices/disk/driver type=raw = \n"},
    {"test-paravirt-cmdline-bogus-extra-root", "/domain/on_crash = destroy\n"
     "/domain/devices/disk/driver type=raw = \n"},
};

/* Pairs libvirt checks only from XML to cfg (DO_TEST_PARSE): their XML is
 * hand-written input, not what libvirt writes (it lacks the xenbus
 * controller and the balloon libvirt always adds, and leaves out distances
 * libvirt completes; libvirt writes every distance, as test-fullvirt-vnuma,
 * checked both ways, shows).  to_xml's lines missing from X may only be of
 * these kinds. */
static const char *const xml_to_cfg_only[] = {
    "test-fullvirt-vnuma-nodistances", "test-fullvirt-vnuma-partialdist",
};
static const char *const libvirt_writes[] = {
    "/domain/cpu/numa/cell ", "/domain/cpu/numa/cell/distances",
    "/domain/devices/controller type=xenbus index=0 = ",
    "/domain/devices/memballoon model=xen = ",
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

/* A pair's file NAME.ext, which must exist. */
static char *slurp(const char *name, const char *ext, size_t *len_r)
{
    char *buf = cgold_file("tests/libvirt/xlconfigdata", name, ext, len_r);

    ck_assert_msg(buf != NULL, "cannot read tests/libvirt/xlconfigdata/%s%s",
                  name, ext);
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

/* Every line of `mine` not in `theirs`, one a line ("" when none);
 * malloc'd. */
static char *not_in(const char *mine, const char *theirs)
{
    char **a, **b, *miss = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&miss, &len);
    int na = flat(mine, &a), nb = flat(theirs, &b);

    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < na; i++) {
        bool found = false;
        for (int j = 0; j < nb && !found; j++)
            found = strcmp(a[i], b[j]) == 0;
        if (!found)
            fprintf(f, "%s\n", a[i]);
    }
    fclose(f);
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
    char *cfg = slurp(name, ".cfg", &clen), *xml = slurp(name, ".xml", &xlen);
    char cfile[256], xfile[256];
    struct xn_msg msg;
    char *cj, *xj;
    bool same;

    snprintf(cfile, sizeof(cfile), "%s.cfg", name);
    snprintf(xfile, sizeof(xfile), "%s.xml", name);
    cj = json_of(cfile, cfg, clen, false, &msg);
    xj = json_of(xfile, xml, xlen, true, &msg);
    same = cj && xj && strcmp(cj, xj) == 0;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (strcmp(refused[i].name, name) != 0)
            continue;
        ck_assert_msg(!cj && !xj, "%s is no longer refused", name);
        /* The message names the file: the cfg's line, or the XML's. */
        json_of(cfile, cfg, clen, false, &msg);
        ck_assert_msg(strstr(msg.text, refused[i].msg), "%s", msg.text);
        json_of(xfile, xml, xlen, true, &msg);
        ck_assert_msg(strstr(msg.text, refused[i].msg), "%s", msg.text);
        goto out;
    }
    if (LISTED(one_way, name))
        ck_assert_msg(!same, "%s now passes: take it off the list", name);
    else
        ck_assert_msg(same, "%s: from_xml(X) differs from parse(C): %s",
                      name, !cj ? msg.text : !xj ? msg.text : "json");
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
        const char *want = "";
        for (size_t i = 0; i < sizeof(xml_differs) / sizeof(xml_differs[0]);
             i++)
            if (strcmp(xml_differs[i].name, name) == 0)
                want = xml_differs[i].lines;
        if (LISTED(xml_to_cfg_only, name)) {
            ck_assert_msg(*miss, "%s: to_xml now writes X", name);
            for (char *l = miss; *l; l = strchr(l, '\n') + 1) {
                bool ok = false;
                for (size_t i = 0; i < sizeof(libvirt_writes) /
                     sizeof(libvirt_writes[0]); i++)
                    ok |= strncmp(l, libvirt_writes[i],
                                  strlen(libvirt_writes[i])) == 0;
                ck_assert_msg(ok, "%s: libvirt's XML has no \"%.*s\"", name,
                              (int)(strchr(l, '\n') - l), l);
            }
        } else {
            ck_assert_msg(strcmp(miss, want) == 0, "%s: libvirt's XML has "
                          "no \"%s\" (expected to differ: \"%s\")", name,
                          miss, want);
        }
        free(miss);
        free(rj);
        free(out);
        libxl_domain_config_dispose(&dc);
    }
out:
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

int main(void)
{
    char dir[1024];
    Suite *s = suite_create("libvirt");
    TCase *tc = tcase_create("libvirt");

    snprintf(dir, sizeof(dir), "%s/tests/libvirt/xlconfigdata",
             cgold_srcdir());
    nnames = cgold_list(dir, ".xml", NULL, &names);
    if (nnames == 0) {
        fprintf(stderr, "test_libvirt: no pairs in %s (set XENITH_SRCDIR)\n",
                dir);
        return EXIT_FAILURE;
    }
    tcase_add_loop_test(tc, pair, 0, nnames);
    tcase_add_test(tc, messages);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cgold_free_names(names, nnames);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
