/*
 * test_config_kv.c - the splitter and number readers of xl.cfg device
 * specifications (toolstack/config/xlcfg_kv.c).
 */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

START_TEST(split_like_strtok)
{
    struct xlcfg_kv kv;

    ck_assert_int_eq(xlcfg_kv_split(",,a=1, b=2,,  ,c", ",", true, &kv), 0);
    ck_assert_int_eq(kv.n, 4);
    ck_assert_str_eq(kv.item[0], "a=1");
    ck_assert_str_eq(kv.item[1], "b=2");
    ck_assert_str_eq(kv.item[2], "");      /* "  ": spaces dropped */
    ck_assert_str_eq(kv.item[3], "c");
    xlcfg_kv_dispose(&kv);

    ck_assert_int_eq(xlcfg_kv_split(" x ;y", ";", false, &kv), 0);
    ck_assert_int_eq(kv.n, 2);
    ck_assert_str_eq(kv.item[0], " x ");
    xlcfg_kv_dispose(&kv);

    ck_assert_int_eq(xlcfg_kv_split("", ",", true, &kv), 0);
    ck_assert_int_eq(kv.n, 0);
    xlcfg_kv_dispose(&kv);
}
END_TEST

START_TEST(values)
{
    char a[] = "key=v=w", b[] = "flag", d[] = "k=";

    ck_assert_str_eq(xlcfg_kv_value(a), "v=w");
    ck_assert_str_eq(a, "key");
    ck_assert_ptr_null(xlcfg_kv_value(b));
    ck_assert_str_eq(xlcfg_kv_value(d), "");
}
END_TEST

START_TEST(numbers)
{
    unsigned long l;
    int i;

    ck_assert_int_eq(xlcfg_kv_ulong("0x10", ULONG_MAX, &l), 0);
    ck_assert_uint_eq(l, 16);
    ck_assert_int_eq(xlcfg_kv_ulong("010", ULONG_MAX, &l), 0);
    ck_assert_uint_eq(l, 8);                /* as strtoul(, , 0) */
    ck_assert_int_eq(xlcfg_kv_ulong(" 7 ", 7, &l), 0);
    ck_assert_int_eq(xlcfg_kv_ulong("8", 7, &l), XN_EINVAL);
    ck_assert_int_eq(xlcfg_kv_ulong("-1", ULONG_MAX, &l), XN_EINVAL);
    ck_assert_int_eq(xlcfg_kv_ulong("", ULONG_MAX, &l), XN_EINVAL);
    ck_assert_int_eq(xlcfg_kv_ulong("5x", ULONG_MAX, &l), XN_EINVAL);
    ck_assert_int_eq(xlcfg_kv_ulong("99999999999999999999", ULONG_MAX, &l),
                     XN_EINVAL);

    ck_assert_int_eq(xlcfg_kv_int("-3", &i), 0);
    ck_assert_int_eq(i, -3);
    ck_assert_int_eq(xlcfg_kv_int("+010", &i), 0);
    ck_assert_int_eq(i, 10);                /* as atoi: decimal */
    ck_assert_int_eq(xlcfg_kv_int("0x10", &i), XN_EINVAL);
    ck_assert_int_eq(xlcfg_kv_int("abc", &i), XN_EINVAL);
    ck_assert_int_eq(xlcfg_kv_int("2147483648", &i), XN_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config_kv");
    TCase *tc = tcase_create("kv");

    tcase_add_test(tc, split_like_strtok);
    tcase_add_test(tc, values);
    tcase_add_test(tc, numbers);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
