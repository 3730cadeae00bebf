/* test_pci_addr.c - PCI addresses as admins write them
 * (toolstack/hv_pci_addr.c): the forms accepted, their canonical text,
 * and every malformed one refused with the sentence quoting it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv_types.h"

static struct hv_pci_addr parse_ok(const char *text)
{
    struct hv_pci_addr a;
    struct xn_msg msg;

    memset(&a, 0xee, sizeof(a));
    ck_assert_msg(hv_pci_addr_parse(text, &a, &msg) == 0,
                  "\"%s\" refused: %s", text, msg.text);
    return a;
}

static void parse_bad(const char *text)
{
    struct hv_pci_addr a;
    struct xn_msg msg;
    char want[200];

    ck_assert_int_eq(hv_pci_addr_parse(text, &a, &msg), XN_EINVAL);
    snprintf(want, sizeof(want), "\"%s\" is not a PCI address (", text);
    ck_assert_msg(strncmp(msg.text, want, strlen(want)) == 0,
                  "\"%s\": message \"%s\"", text, msg.text);
}

static void canonical(const char *text, const char *want)
{
    struct hv_pci_addr a = parse_ok(text);
    char s[HV_PCI_ADDR_LEN];

    hv_pci_addr_str(&a, s);
    ck_assert_str_eq(s, want);
}

START_TEST(full_form)
{
    struct hv_pci_addr a = parse_ok("0000:03:00.0");

    ck_assert_uint_eq(a.seg, 0);
    ck_assert_uint_eq(a.bus, 3);
    ck_assert_uint_eq(a.dev, 0);
    ck_assert_uint_eq(a.fn, 0);
    a = parse_ok("abcd:ef:1f.7");
    ck_assert_uint_eq(a.seg, 0xabcd);
    ck_assert_uint_eq(a.bus, 0xef);
    ck_assert_uint_eq(a.dev, 0x1f);
    ck_assert_uint_eq(a.fn, 7);
}
END_TEST

START_TEST(short_form_is_segment_0)
{
    struct hv_pci_addr a = parse_ok("81:02.3");

    ck_assert_uint_eq(a.seg, 0);
    ck_assert_uint_eq(a.bus, 0x81);
    ck_assert_uint_eq(a.dev, 2);
    ck_assert_uint_eq(a.fn, 3);
}
END_TEST

START_TEST(canonical_text)
{
    canonical("03:00.0", "0000:03:00.0");
    canonical("0000:03:00.0", "0000:03:00.0");
    canonical("ABCD:EF:1F.7", "abcd:ef:1f.7");
    canonical("1:2:3.4", "0001:02:03.4");     /* fewer digits, as lspci -s */
    canonical("0:0.0", "0000:00:00.0");
}
END_TEST

START_TEST(malformed_refused)
{
    static const char *const bad[] = {
        "", "zz", "03", "03:00", "03:00.", "03:00.8", "03:20.0",
        "03:00.0.0", "03:00.00", "003:00.0", "00000:03:00.0", "0000:03:00:0",
        "0000:03:000.0", "g3:00.0", "03:00.0 ", " 03:00.0", "03:00.0@04",
        "03:00.0,permissive=1", "-3:00.0", "0000::00.0", ":03:00.0",
        "0000:03:00.*",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        parse_bad(bad[i]);
}
END_TEST

START_TEST(equality)
{
    struct hv_pci_addr a = parse_ok("03:00.0"), b = parse_ok("0000:03:00.0"),
                       c = parse_ok("0000:03:00.1"),
                       d = parse_ok("0001:03:00.0");

    ck_assert(hv_pci_addr_eq(&a, &b));
    ck_assert(!hv_pci_addr_eq(&a, &c));
    ck_assert(!hv_pci_addr_eq(&a, &d));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pci_addr");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, full_form);
    tcase_add_test(tc, short_form_is_segment_0);
    tcase_add_test(tc, canonical_text);
    tcase_add_test(tc, malformed_refused);
    tcase_add_test(tc, equality);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
