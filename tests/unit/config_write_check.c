/*
 * config_write_check.c - what the Check suites of the xl.cfg writer share
 * (config_write_check.h): parse, write, parse back and compare.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg.h"
#include "config/xlcfg_write.h"
#include "config_golden.h"
#include "config_write_check.h"

int cw_parse_opts(const char *name, const char *text,
                  const struct xlcfg_opts *opts, libxl_domain_config *dc,
                  struct xn_msg *msg)
{
    libxl_domain_config_init(dc);
    return xlcfg_parse_opts(name, text, strlen(text), opts, dc, msg);
}

int cw_parse(const char *name, const char *text, libxl_domain_config *dc,
             struct xn_msg *msg)
{
    return cw_parse_opts(name, text, NULL, dc, msg);
}

char *cw_round_trip_opts(const char *name, libxl_domain_config *dc,
                         const struct xlcfg_opts *opts)
{
    struct xn_msg msg;
    libxl_domain_config back;
    char *json = xlcfg_dryrun_json(dc), *text, *json2;
    const char *at, *at2;
    int line;

    ck_assert_ptr_nonnull(json);
    text = xlcfg_write(dc, &msg);
    ck_assert_msg(text != NULL, "%s: xlcfg_write failed: %s", name,
                  msg.text);
    ck_assert_msg(cw_parse_opts(name, text, opts, &back, &msg) == 0,
                  "%s: the text written does not parse: %s\n%s", name,
                  msg.text, text);
    json2 = xlcfg_dryrun_json(&back);
    ck_assert_ptr_nonnull(json2);
    if (strcmp(json, json2) != 0) {
        line = cgold_diff_line(json, json2, &at, &at2);
        ck_abort_msg("%s: JSON differs after the round trip at line %d "
                     "(%.*s); the text written:\n%s", name, line,
                     (int)strcspn(at, "\n"), at, text);
    }
    free(json);
    free(json2);
    libxl_domain_config_dispose(&back);
    return text;
}

char *cw_round_trip(const char *name, libxl_domain_config *dc)
{
    return cw_round_trip_opts(name, dc, NULL);
}

char *cw_trip_text(const char *cfg)
{
    struct xn_msg msg;
    libxl_domain_config dc;
    char *text;

    ck_assert_msg(cw_parse("t.cfg", cfg, &dc, &msg) == 0, "%s", msg.text);
    text = cw_round_trip("t.cfg", &dc);
    libxl_domain_config_dispose(&dc);
    return text;
}

void cw_write_fails(const char *cfg, void (*edit)(libxl_domain_config *dc),
                    const char *want)
{
    struct xn_msg msg;
    libxl_domain_config dc;
    char *text;

    ck_assert_msg(cw_parse("t.cfg", cfg, &dc, &msg) == 0, "%s", msg.text);
    if (edit)
        edit(&dc);
    text = xlcfg_write(&dc, &msg);
    ck_assert_msg(text == NULL, "expected a failure (%s), got:\n%s", want,
                  text);
    ck_assert_msg(strstr(msg.text, want), "message \"%s\" lacks \"%s\"",
                  msg.text, want);
    libxl_domain_config_dispose(&dc);
}

void cw_pv_config(libxl_domain_config *dc)
{
    struct xn_msg msg;

    ck_assert_int_eq(cw_parse("t.cfg", CW_PV, dc, &msg), 0);
}

char *cw_write_ok(libxl_domain_config *dc)
{
    struct xn_msg msg;
    char *text = xlcfg_write(dc, &msg);

    ck_assert_msg(text != NULL, "xlcfg_write failed: %s", msg.text);
    return text;
}

XLU_Config *cw_read_list(const char *text, const char *key,
                         XLU_ConfigList **l, int *n)
{
    XLU_Config *cfg = xlu_cfg_init(stderr, "written");

    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(xlu_cfg_readdata(cfg, text, (int)strlen(text)), 0);
    ck_assert_msg(xlu_cfg_get_list(cfg, key, l, n, 0) == 0,
                  "no list %s in:\n%s", key, text);
    return cfg;
}

