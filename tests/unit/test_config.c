/*
 * test_config.c - the xl.cfg parser.
 *
 * Golden files in tests/config/: NAME.cfg with NAME.json (the document
 * `xl -N create NAME.cfg` printed on Xen 4.17) or NAME.err (the one-line
 * message xlcfg_parse must give for NAME.cfg), and NAME.warn: the warnings
 * it must give, one per line (none without the file).  Where xl's stderr
 * (NAME.xl-stderr, recorded with the .json) has a warning, so must xenith.  The lab corpus
 * (tests/lab/corpus/X.cfg) has its golden pair as tests/config/lab-X.*.
 * NAME.host, when present, gives the host facts the file is parsed with
 * (struct xlcfg_opts; see cgold_read_host in config_golden.h), for
 * goldens that depend on the host.
 * Files are found under $XENITH_SRCDIR (default: the current directory).
 * Where NAME.cfg sets no uuid (real-world files), c_info's random uuid is
 * masked on both sides (golden_uuid.h).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/xlcfg.h"
#include "config/xlcfg_int.h"
#include "config_golden.h"
#include "golden_uuid.h"

static char **cfgs;     /* names of the golden .cfg files, sorted */
static int ncfgs;

START_TEST(golden)
{
    const char *name = cfgs[_i];
    char file[300];
    char *data, *want_json, *want_err, *want_warn;
    size_t len;
    libxl_domain_config dc;
    struct xlcfg_warnings warn;
    struct xlcfg_opts opts = {.warn = &warn};
    struct xn_msg msg;
    int rc;

    data = cgold_file("tests/config", name, ".cfg", &len);
    ck_assert_ptr_nonnull(data);
    want_json = cgold_file("tests/config", name, ".json", NULL);
    want_err = cgold_file("tests/config", name, ".err", NULL);
    want_warn = cgold_file("tests/config", name, ".warn", NULL);
    /* Where xl warned (its stderr, NAME.xl-stderr), xenith warns too. */
    char *xl_stderr = cgold_file("tests/config", name, ".xl-stderr", NULL);
    ck_assert_msg(!xl_stderr || !strcasestr(xl_stderr, "warning") ||
                  want_warn, "%s.cfg: xl warns (%s.xl-stderr), but there "
                  "is no %s.warn", name, name, name);
    free(xl_stderr);
    ck_assert_msg(want_json || want_err, "%s.cfg has no .json or .err", name);
    ck_assert_msg(!(want_json && want_err), "%s has both .json and .err",
                  name);

    struct cgold_host host;
    cgold_read_host("tests/config", name, &opts, &host);

    snprintf(file, sizeof(file), "%s.cfg", name);
    libxl_domain_config_init(&dc);
    rc = xlcfg_parse_opts(file, data, len, &opts, &dc, &msg);
    if (want_json) {
        /* NAME.warn: the warnings, one per line; none without the file. */
        char got_warn[XLCFG_WARN_MAX * XN_MSG_MAX + 1] = "";
        for (int i = 0; i < warn.n; i++) {
            strcat(got_warn, warn.text[i]);
            strcat(got_warn, "\n");
        }
        ck_assert_msg(strcmp(got_warn, want_warn ? want_warn : "") == 0,
                      "%s.cfg: warnings differ:\n  want: %s\n  got:  %s",
                      name, want_warn ? want_warn : "(none)",
                      warn.n ? got_warn : "(none)");
        ck_assert_msg(rc == 0, "%s.cfg: expected success, got: %s", name,
                      msg.text);
        char *json = xlcfg_dryrun_json(&dc);
        ck_assert_ptr_nonnull(json);
        if (!golden_sets_uuid(data, len)) {
            golden_mask_uuid(json);
            golden_mask_uuid(want_json);
        }
        cgold_assert_json(name, want_json, json);
        free(json);
    } else {
        want_err[strcspn(want_err, "\n")] = '\0';
        ck_assert_msg(rc == XN_EINVAL, "%s.cfg: expected \"%s\", got %s", name,
                      want_err, rc == 0 ? "success" : msg.text);
        ck_assert_msg(strcmp(msg.text, want_err) == 0,
                      "%s.cfg: message differs:\n  want: %s\n  got:  %s", name,
                      want_err, msg.text);
    }
    libxl_domain_config_dispose(&dc);
    free(data);
    free(want_json);
    free(want_err);
    free(want_warn);
}
END_TEST

/* Each corpus file has an identical golden copy, so `make check` covers
 * what the lab compares against real xl. */
START_TEST(corpus_has_golden_copies)
{
    char dir[1024], a[1100], b[1100];
    char **names = NULL;
    int n;

    snprintf(dir, sizeof(dir), "%s/tests/lab/corpus", cgold_srcdir());
    n = cgold_list(dir, ".cfg", NULL, &names);
    ck_assert_int_ge(n, 10);
    for (int i = 0; i < n; i++) {
        snprintf(a, sizeof(a), "%s/%s.cfg", dir, names[i]);
        snprintf(b, sizeof(b), "%s/tests/config/lab-%s.cfg",
                 cgold_srcdir(), names[i]);
        char *x = cgold_slurp(a, NULL), *y = cgold_slurp(b, NULL);
        ck_assert_msg(y != NULL, "tests/config/lab-%s.cfg is missing",
                      names[i]);
        ck_assert_msg(strcmp(x, y) == 0, "tests/config/lab-%s.cfg differs "
                      "from the corpus file", names[i]);
        free(x);
        free(y);
        /* xl's output, or xenith's sentence where xl refuses the file */
        snprintf(b, sizeof(b), "%s/tests/config/lab-%s.json",
                 cgold_srcdir(), names[i]);
        if (access(b, R_OK) != 0)
            snprintf(b, sizeof(b), "%s/tests/config/lab-%s.err",
                     cgold_srcdir(), names[i]);
        ck_assert_msg(access(b, R_OK) == 0, "%s (or .json) is missing", b);
    }
    cgold_free_names(names, n);
}
END_TEST

/* ---- helpers ---- */

static void expect_bits(const libxl_bitmap *m, const char *want)
{
    char got[256] = "";
    size_t n = 0;

    for (unsigned i = 0; i < m->size * 8; i++)
        if (libxl_bitmap_test(m, (int)i))
            n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%u",
                                  n ? "," : "", i);
    ck_assert_str_eq(got, want);
}

START_TEST(cpumaps)
{
    libxl_bitmap m;
    const char *why = NULL;

    libxl_bitmap_init(&m);
    ck_assert_int_eq(xlcfg_cpumap_parse("0-3,^1", 0, &m, &why), 0);
    expect_bits(&m, "0,2,3");
    ck_assert_int_eq(m.size, 1);
    ck_assert_int_eq(xlcfg_cpumap_parse("all,^0", 0, &m, &why), 0);
    expect_bits(&m, "1,2,3,4,5,6,7");
    ck_assert_int_eq(xlcfg_cpumap_parse("^1,0-2", 0, &m, &why), 0);
    expect_bits(&m, "0,1,2");
    ck_assert_int_eq(xlcfg_cpumap_parse(" 9,,2", 0, &m, &why), 0);
    expect_bits(&m, "2,9");
    ck_assert_int_eq(m.size, 2);
    ck_assert_int_eq(xlcfg_cpumap_parse("all", 20, &m, &why), 0);
    ck_assert_int_eq(m.size, 3);
    expect_bits(&m, "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,"
                    "21,22,23");
    ck_assert_int_eq(xlcfg_cpumap_parse("4095", 0, &m, &why), 0);
    ck_assert_int_eq(m.size, 512);

    static const char *const bad[] = {
        "", ",", "x", "1-", "-1", "+1", "3-1", "1 ", "^all", "nodes:0",
        "node:1", "4096", "0-99999999999999999999", "0,^0", "^3",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        ck_assert_msg(xlcfg_cpumap_parse(bad[i], 0, &m, &why) == XN_EINVAL,
                      "\"%s\" accepted", bad[i]);
        ck_assert_ptr_nonnull(why);
    }
    ck_assert_int_eq(xlcfg_cpumap_parse("4", 4, &m, &why), XN_EINVAL);
    ck_assert_str_eq(why, "names a CPU the host does not have");
    libxl_bitmap_dispose(&m);
}
END_TEST

START_TEST(macs)
{
    libxl_mac mac;

    ck_assert_int_eq(xlcfg_mac_parse("00:16:3E:0a:b:ff", mac), 0);
    ck_assert_int_eq(mac[0], 0x00);
    ck_assert_int_eq(mac[2], 0x3e);
    ck_assert_int_eq(mac[4], 0x0b);
    ck_assert_int_eq(mac[5], 0xff);
    static const char *const bad[] = {
        "", "00:16:3e:00:00", "00:16:3e:00:00:01:02", "00:16:3e:00:00:1g",
        "00-16-3e-00-00-01", "001:16:3e:00:00:01", "00:16:3e:00:00:01 ",
        ":16:3e:00:00:01",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(xlcfg_mac_parse(bad[i], mac) == XN_EINVAL,
                      "\"%s\" accepted", bad[i]);
}
END_TEST

START_TEST(setting_lines)
{
    static const char text[] =
        "name = \"a\" # [ not a list\n"          /* 1 */
        "memory = 1; vcpus = 2\n"                /* 2 */
        "disk = [ 'x,[y', \"z\\\"]\",\n"         /* 3 */
        "\n"                                     /* 4 */
        "   [ 'nested', 'list' ], 'w' ]\n"       /* 5 */
        "disk += [\n"                            /* 6 */
        "  'v' ]\n"                              /* 7 */
        "memory = 2\n";                          /* 8 */
    struct xlcfg_lines l;
    const struct xlcfg_setting *s;

    ck_assert_int_eq(xlcfg_lines_scan(&l, text, sizeof(text) - 1), 0);
    ck_assert_int_eq(l.last_line, 8);
    s = xlcfg_lines_find(&l, "name");
    ck_assert_int_eq(s->line, 1);
    ck_assert(!s->list);
    ck_assert_int_eq(xlcfg_lines_find(&l, "vcpus")->line, 2);
    ck_assert_int_eq(xlcfg_lines_find(&l, "memory")->line, 8);
    s = xlcfg_lines_find(&l, "disk");
    ck_assert_int_eq(s->line, 6);
    ck_assert(s->list && s->append);
    ck_assert_int_eq(s->nitems, 5);
    ck_assert_int_eq(s->item_lines[0], 3);
    ck_assert_int_eq(s->item_lines[1], 3);
    ck_assert_int_eq(s->item_lines[2], 5);
    ck_assert_int_eq(s->item_lines[3], 5);
    ck_assert_int_eq(s->item_lines[4], 7);
    ck_assert_ptr_null(xlcfg_lines_find(&l, "nope"));
    xlcfg_lines_dispose(&l);

    ck_assert_int_eq(xlcfg_lines_scan(&l, "", 0), 0);
    ck_assert_int_eq(l.last_line, 1);
    xlcfg_lines_dispose(&l);
    ck_assert_int_eq(xlcfg_lines_scan(&l, "a = 1\nb = 2", 11), 0);
    ck_assert_int_eq(l.last_line, 2);
    xlcfg_lines_dispose(&l);
}
END_TEST

static int parse_str(const char *text, libxl_domain_config *dc,
                     struct xn_msg *msg)
{
    libxl_domain_config_init(dc);
    return xlcfg_parse("t.cfg", text, strlen(text), dc, msg);
}

START_TEST(messages)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"name = 'x'\nkernel = '/k'\nvif = [ 'bridge=a',\n 'mac=1' ]\n",
         "t.cfg:4: vif: mac \"1\" is not a MAC address (xx:xx:xx:xx:xx:xx)"},
        {"name = 'x'\nkernel = '/k'\nmemory = 'a\\nb'\n",
         "t.cfg:3: memory: \"a?b\" is not a number of MiB"},
        {"name = 'x'\nkernel = '/k'\nmemory = 4\nmemory = 'x'\n",
         "t.cfg:4: memory: \"x\" is not a number of MiB"},
        {"name = 'x'\nkernel = '/k'\nmaxvcpus = 0x10000\n",
         "t.cfg:3: maxvcpus: \"0x10000\" must be at most 4096"},
        {"kernel = '/k'\n",
         "t.cfg:1: name: missing; every domain needs a name"},
        {"name = 'x'\nkernel = '/k'\nvif = [ [ 'a' ] ]\n",
         "t.cfg:3: vif: item 1 is a list, not a string"},
        {"name = 'x'\nbuilder = 'hvm'\nserial = [ 'pty', [ 'x' ] ]\n",
         "t.cfg:3: serial: item 2 is a list, not a string"},
        {"name = 'x'\n\n  ]\n", "t.cfg:3: syntax error near \"]\": "
                                "unexpected ']', expecting end of file or "
                                "name or end of line or ';'"},
        {"name = 'x'\nmemory = \n", "t.cfg:2: syntax error at end of line: "
                                    "unexpected end of line, expecting "
                                    "string or number or '['"},
        {"name = 'x' # c\nmemory = # c\n", "t.cfg:2: syntax error near "
                                           "\"# c\": unexpected end of line, "
                                           "expecting string or number or "
                                           "'['"},
    };
    libxl_domain_config dc;
    struct xn_msg msg;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_int_eq(parse_str(cases[i].text, &dc, &msg), XN_EINVAL);
        ck_assert_str_eq(msg.text, cases[i].want);
        libxl_domain_config_dispose(&dc);
    }
    /* libxlutil would abort on a NUL in a string. */
    static const char nul[] = "name = 'x'\nkernel = \"/k\0\"\n";
    libxl_domain_config_init(&dc);
    ck_assert_int_eq(xlcfg_parse("t.cfg", nul, sizeof(nul) - 1, &dc, &msg),
                     XN_EINVAL);
    ck_assert_str_eq(msg.text, "t.cfg:2: syntax error: the file contains a "
                               "NUL byte");
    libxl_domain_config_dispose(&dc);
    /* A NULL msg is allowed. */
    libxl_domain_config_init(&dc);
    ck_assert_int_eq(xlcfg_parse("t.cfg", "x", 1, &dc, NULL), XN_EINVAL);
    libxl_domain_config_dispose(&dc);
}
END_TEST

START_TEST(not_nul_terminated)
{
    char buf[64];
    libxl_domain_config dc;
    struct xn_msg msg;
    const char *text = "name = 'n'\nkernel = '/k'\nmemory = 8";

    memset(buf, '!', sizeof(buf));
    memcpy(buf, text, strlen(text));
    libxl_domain_config_init(&dc);
    ck_assert_int_eq(xlcfg_parse("t.cfg", buf, strlen(text), &dc, &msg), 0);
    ck_assert_int_eq(dc.b_info.target_memkb, 8 * 1024);
    libxl_domain_config_dispose(&dc);
}
END_TEST

START_TEST(uuid_generated)
{
    libxl_domain_config a, b;
    struct xn_msg msg;
    const char *text = "name = 'n'\nkernel = '/k'\n";

    ck_assert_int_eq(parse_str(text, &a, &msg), 0);
    ck_assert_int_eq(parse_str(text, &b, &msg), 0);
    ck_assert(!libxl_uuid_is_nil(&a.c_info.uuid));
    ck_assert(libxl_uuid_compare(&a.c_info.uuid, &b.c_info.uuid) != 0);
    libxl_domain_config_dispose(&a);
    libxl_domain_config_dispose(&b);
}
END_TEST

START_TEST(host_cpus_option)
{
    static const char text[] = "name = 'n'\nkernel = '/k'\nvcpus = 2\n"
                               "cpus = 'all'\ncpus_soft = '9'\n";
    struct xlcfg_opts opts = {.max_cpus = 16};
    libxl_domain_config dc;
    struct xn_msg msg;

    libxl_domain_config_init(&dc);
    ck_assert_int_eq(xlcfg_parse_opts("t.cfg", text, sizeof(text) - 1, &opts,
                                      &dc, &msg), 0);
    ck_assert_int_eq(dc.b_info.num_vcpu_hard_affinity, 2);
    ck_assert_int_eq(dc.b_info.vcpu_hard_affinity[1].size, 2);
    ck_assert_int_eq(libxl_bitmap_count_set(&dc.b_info.vcpu_hard_affinity[1]),
                     16);
    expect_bits(&dc.b_info.vcpu_soft_affinity[0], "9");
    libxl_domain_config_dispose(&dc);

    opts.max_cpus = 8;
    libxl_domain_config_init(&dc);
    ck_assert_int_eq(xlcfg_parse_opts("t.cfg", text, sizeof(text) - 1, &opts,
                                      &dc, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "t.cfg:5: cpus_soft: \"9\" names a CPU the "
                               "host does not have");
    libxl_domain_config_dispose(&dc);
}
END_TEST

START_TEST(files)
{
    char dir[] = "/tmp/xlcfg-test.XXXXXX", path[64];
    libxl_domain_config dc;
    struct xn_msg msg;
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/web.cfg", dir);

    libxl_domain_config_init(&dc);
    ck_assert_int_eq(xlcfg_parse_file(path, &dc, &msg), XN_ENOENT);
    char open_err[128];
    snprintf(open_err, sizeof(open_err), "cannot open %s: ", path);
    ck_assert_ptr_nonnull(strstr(msg.text, open_err));
    libxl_domain_config_dispose(&dc);

    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("name = \"web\"\nkernel = \"/k\"\n\nmemory = \"lots\"\n", f);
    fclose(f);
    libxl_domain_config_init(&dc);
    ck_assert_int_eq(xlcfg_parse_file(path, &dc, &msg), XN_EINVAL);
    char want[128];
    snprintf(want, sizeof(want), "%s:4: memory: \"lots\" is not a number "
             "of MiB", path);
    ck_assert_str_eq(msg.text, want);
    libxl_domain_config_dispose(&dc);

    f = fopen(path, "w");
    fputs("name = \"web\"\nkernel = \"/k\"\nmemory = 64\n", f);
    fclose(f);
    libxl_domain_config_init(&dc);
    ck_assert_int_eq(xlcfg_parse_file(path, &dc, &msg), 0);
    ck_assert_str_eq(dc.c_info.name, "web");
    libxl_domain_config_dispose(&dc);

    unlink(path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    char dir[1024];
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("helpers");
    TCase *gold = tcase_create("golden");

    snprintf(dir, sizeof(dir), "%s/tests/config", cgold_srcdir());
    ncfgs = cgold_list(dir, ".cfg", NULL, &cfgs);
    if (ncfgs == 0) {
        fprintf(stderr, "test_config: no golden files in %s "
                "(set XENITH_SRCDIR)\n", dir);
        return EXIT_FAILURE;
    }
    tcase_add_test(tc, cpumaps);
    tcase_add_test(tc, macs);
    tcase_add_test(tc, setting_lines);
    tcase_add_test(tc, messages);
    tcase_add_test(tc, not_nul_terminated);
    tcase_add_test(tc, uuid_generated);
    tcase_add_test(tc, host_cpus_option);
    tcase_add_test(tc, files);
    tcase_add_test(tc, corpus_has_golden_copies);
    tcase_add_loop_test(gold, golden, 0, ncfgs);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, gold);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cgold_free_names(cfgs, ncfgs);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
