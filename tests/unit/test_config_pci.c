/*
 * test_config_pci.c - the check of pci = [...] items (xlcfg_pci_spec_check)
 * and the passthrough settings, item by item, beside the golden files of
 * tests/config/pci-*, pt-*, bad-pci-* and bad-pt-*.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg.h"
#include "config/xlcfg_int.h"

/* Items libxlutil reads as written. */
START_TEST(spec_accepted)
{
    static const char *const ok[] = {
        "01:00.0", "0000:01:00.0", "ffff:ff:1f.7", "1:2.3", "01:00.*",
        "01:00.0@3", "01:00.0@1f,permissive=1", "01:00.0,", "name=gpu",
        "name=", "bdf=01:00.0", "vslot=3,bdf=02:00.1", "01:0x1f.1",
        "01:00.0x7", "01: 00.0", "01:00.0,rdm_policy=STRICT",
        "01:00.0,rdm_policy=invalid", "01:00.0,seize=-2,power_mgmt= 1",
        "01:00.0,bdf=02:00.0", "name=a,name=b", "01:00.0,vslot=0x1f",
    };
    char why[256];

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        ck_assert_msg(xlcfg_pci_spec_check(ok[i], why, sizeof(why)) == 0,
                      "%s: %s", ok[i], why);
}
END_TEST

/* Items libxlutil refuses, or reads into what they do not say. */
START_TEST(spec_refused)
{
    static const struct {
        const char *spec, *why;
    } bad[] = {
        {"zz:00.0", "\"zz:00.0\" is not a BDF ([DDDD:]BB:DD.F)"},
        {"01:20.0", "device 20 is above 1f"},
        {"01:00.8", "function 8 is above 7"},
        {"100:00.0", "bus 100 is above ff"},
        {"10000:00:00.0", "domain 10000 is above ffff"},
        {"01:00.", "\"01:00.\" has no function after the \".\" (0 to 7, "
                   "or *)"},
        {"01:00", "\"01:00\" has no \".\" after the device number (xl's "
                  "reading of it is undefined)"},
        {"100000001:00.0", "a number in \"100000001:00.0\" does not fit 32 "
                           "bits (xl would cut it)"},
        {"01:0x.0", "a number in \"01:0x.0\" does not fit 32 bits (xl "
                    "would cut it)"},
        {"01:00.0@20", "slot 20 is above 1f"},
        {"01:00.0@", "\"\" is not a slot (0 to 1f)"},
        {"01:00.0@3x", "unexpected \"x\" after the BDF"},
        {"01:00.0,vslot=3zz", "vslot \"3zz\" has text after the slot (xl "
                              "would ignore \"zz\")"},
        {"bdf=01:00.0@3", "bdf \"01:00.0@3\" has text after the BDF (xl "
                          "would ignore \"@3\")"},
        {"01:00.0,permissive=yes", "permissive \"yes\" is not a number "
                                   "(1 = yes, 0 = no)"},
        {"01:00.0,seize=", "seize \"\" is not a number (1 = yes, 0 = no)"},
        {"01:00.0,msitranslate=99999999999", "msitranslate \"99999999999\" "
                                             "is not a number (1 = yes, "
                                             "0 = no)"},
        {"01:00.0,permissive", "\"permissive\" is not an option "
                               "(KEY=VALUE)"},
        {"01:00.0,foo=1", "unknown option \"foo\""},
        {"01:00.8,name=x", "function 8 is above 7"},
        {"01:00.0,rdm_policy=loose", "rdm_policy \"loose\" is not a policy "
                                     "(strict or relaxed)"},
        {"01:00.0,name=x", "a device has a BDF or a name=, not both"},
        {"permissive=1", "it names no device: a BDF or name= is needed"},
        {"", "it names no device: a BDF or name= is needed"},
    };
    char why[256];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(xlcfg_pci_spec_check(bad[i].spec, why, sizeof(why)) ==
                      XN_EINVAL, "%s: accepted", bad[i].spec);
        ck_assert_msg(strcmp(why, bad[i].why) == 0, "%s:\n  want: %s\n"
                      "  got:  %s", bad[i].spec, bad[i].why, why);
    }
}
END_TEST

static int parse(const char *text, libxl_domain_config *dc,
                 struct xn_msg *msg)
{
    libxl_domain_config_init(dc);
    return xlcfg_parse("t.cfg", text, strlen(text), dc, msg);
}

/* What libxlutil makes of accepted items, with the globals as defaults. */
START_TEST(devices)
{
    libxl_domain_config dc;
    struct xn_msg msg;
    const char *text =
        "name = 'x'\ntype = 'hvm'\npci_permissive = 1\npci_seize = 7\n"
        "pci = [ '0001:02:03.*@4', 'name=gpu,seize=0,rdm_policy=relaxed' ]\n";

    ck_assert_int_eq(parse(text, &dc, &msg), 0);
    ck_assert_int_eq(dc.num_pcidevs, 2);
    ck_assert_int_eq(dc.pcidevs[0].domain, 1);
    ck_assert_int_eq(dc.pcidevs[0].bus, 2);
    ck_assert_int_eq(dc.pcidevs[0].dev, 3);
    ck_assert_int_eq(dc.pcidevs[0].func, 0);
    ck_assert_uint_eq(dc.pcidevs[0].vfunc_mask, LIBXL_PCI_FUNC_ALL);
    ck_assert_uint_eq(dc.pcidevs[0].vdevfn, 4 << 3);
    ck_assert(dc.pcidevs[0].permissive && dc.pcidevs[0].seize);
    ck_assert(!dc.pcidevs[0].msitranslate && !dc.pcidevs[0].power_mgmt);
    ck_assert_int_eq(dc.pcidevs[0].rdm_policy,
                     LIBXL_RDM_RESERVE_POLICY_INVALID);
    ck_assert_str_eq(dc.pcidevs[1].name, "gpu");
    ck_assert(dc.pcidevs[1].permissive && !dc.pcidevs[1].seize);
    ck_assert_int_eq(dc.pcidevs[1].rdm_policy,
                     LIBXL_RDM_RESERVE_POLICY_RELAXED);
    libxl_domain_config_dispose(&dc);

    /* PV: strict by default (xl reads zeroed memory), and e820_host. */
    ck_assert_int_eq(parse("name = 'x'\nkernel = '/k'\ne820_host = 0\n"
                           "pci = [ '01:00.0' ]\n", &dc, &msg), 0);
    ck_assert_int_eq(dc.pcidevs[0].rdm_policy,
                     LIBXL_RDM_RESERVE_POLICY_STRICT);
    ck_assert(libxl_defbool_val(dc.b_info.u.pv.e820_host));
    libxl_domain_config_dispose(&dc);
}
END_TEST

START_TEST(ranges)
{
    libxl_domain_config dc;
    struct xn_msg msg;
    const char *text =
        "name = 'x'\nkernel = '/k'\n"
        "ioports = [ '3f8-3ff', '60' ]\nirqs = [ '5' ]\n"
        "iomem = [ 'fe000,2', 'a0,1@b0' ]\n";

    ck_assert_int_eq(parse(text, &dc, &msg), 0);
    ck_assert_int_eq(dc.b_info.num_ioports, 2);
    ck_assert_uint_eq(dc.b_info.ioports[0].first, 0x3f8);
    ck_assert_uint_eq(dc.b_info.ioports[0].number, 8);
    ck_assert_uint_eq(dc.b_info.ioports[1].number, 1);
    ck_assert_uint_eq(dc.b_info.irqs[0], 5);
    ck_assert_uint_eq(dc.b_info.iomem[0].start, 0xfe000);
    ck_assert_uint_eq(dc.b_info.iomem[0].number, 2);
    ck_assert_uint_eq(dc.b_info.iomem[0].gfn, ~(uint64_t)0); /* not given */
    ck_assert_uint_eq(dc.b_info.iomem[1].gfn, 0xb0);
    libxl_domain_config_dispose(&dc);

    ck_assert_int_eq(parse("name = 'x'\nkernel = '/k'\n"
                           "ioports = [ '2ff-2f8' ]\n", &dc, &msg),
                     XN_EINVAL);
    ck_assert_str_eq(msg.text, "t.cfg:3: ioports: \"2ff-2f8\" ends before "
                     "it starts (xl would make it 4294967290 ports)");
    libxl_domain_config_dispose(&dc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config_pci");
    TCase *tc = tcase_create("pci");

    tcase_add_test(tc, spec_accepted);
    tcase_add_test(tc, spec_refused);
    tcase_add_test(tc, devices);
    tcase_add_test(tc, ranges);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
