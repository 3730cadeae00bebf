/*
 * test_config_libvirt_golden.c - the parser against xl itself on libvirt's
 * xl.cfg test files.
 *
 * For each tests/libvirt/xlconfigdata/NAME.cfg, tests/libvirt/xl-golden/
 * holds NAME.json: what `xl -N create` printed for it on Xen 4.17
 * (recorded by tests/lab/xl-golden.sh; never written by hand), with
 * NAME.xl-stderr when xl printed anything; or NAME.err, the one-line
 * message xenith must give for a file xl refuses.  xlcfg_parse of the cfg
 * must print the .json byte for byte (c_info's uuid masked when the file
 * sets none), and warn where xl warned.  NAME.host, when present, gives
 * the lab host's facts the file is parsed with (as in tests/config; for
 * files whose fate depends on the host: vnuma's pnodes).  The lab compares
 * the same files, but those, with xl on every run (40-config-compare,
 * /lab/corpus/libvirt-NAME.cfg).
 * Files are found under $XENITH_SRCDIR (default: the current directory).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg.h"
#include "config/xlcfg_int.h"
#include "config_golden.h"
#include "golden_uuid.h"

static char **cfgs;     /* names of libvirt's .cfg files, sorted; owned */
static int ncfgs;

START_TEST(libvirt_golden)
{
    const char *name = cfgs[_i];
    char file[300];
    size_t len;
    libxl_domain_config dc;
    struct xlcfg_warnings warn;
    struct xlcfg_opts opts = {.warn = &warn};
    struct xn_msg msg;

    char *data = cgold_file("tests/libvirt/xlconfigdata", name, ".cfg", &len);
    ck_assert_ptr_nonnull(data);
    const char *gold = "tests/libvirt/xl-golden";
    char *want_json = cgold_file(gold, name, ".json", NULL);
    char *want_err = cgold_file(gold, name, ".err", NULL);
    char *xl_stderr = cgold_file(gold, name, ".xl-stderr", NULL);
    ck_assert_msg(want_json || want_err, "tests/libvirt/xl-golden has no "
                  "%s.json (xl's output) or %s.err", name, name);

    struct cgold_host host;
    cgold_read_host(gold, name, &opts, &host);

    snprintf(file, sizeof(file), "%s.cfg", name);
    libxl_domain_config_init(&dc);
    int rc = xlcfg_parse_opts(file, data, len, &opts, &dc, &msg);
    if (want_json) {
        ck_assert_msg(rc == 0, "%s.cfg: xl accepts it, xenith says: %s",
                      name, msg.text);
        ck_assert_msg(!xl_stderr || !strcasestr(xl_stderr, "warning") ||
                      warn.n > 0, "%s.cfg: xl warns (%s.xl-stderr), xenith "
                      "does not", name, name);
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
        ck_assert_msg(rc == XN_EINVAL, "%s.cfg: expected \"%s\", got %s",
                      name, want_err, rc == 0 ? "success" : msg.text);
        ck_assert_str_eq(msg.text, want_err);
    }
    libxl_domain_config_dispose(&dc);
    free(data);
    free(want_json);
    free(want_err);
    free(xl_stderr);
}
END_TEST

int main(void)
{
    char dir[1024];
    Suite *s = suite_create("config_libvirt_golden");
    TCase *tc = tcase_create("golden");

    snprintf(dir, sizeof(dir), "%s/tests/libvirt/xlconfigdata",
             cgold_srcdir());
    ncfgs = cgold_list(dir, ".cfg", NULL, &cfgs);
    if (ncfgs == 0) {
        fprintf(stderr, "test_config_libvirt_golden: no .cfg files in %s "
                "(set XENITH_SRCDIR)\n", dir);
        return EXIT_FAILURE;
    }
    tcase_add_loop_test(tc, libvirt_golden, 0, ncfgs);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cgold_free_names(cfgs, ncfgs);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
