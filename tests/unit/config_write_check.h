/*
 * config_write_check.h - what the Check suites of the xl.cfg writer
 * (test_config_write.c, test_config_write_devices.c) share: parse, write,
 * parse back and compare.  Linked into every test binary, so each name it
 * defines starts with cw_ (CW_ for macros).  Each fails the running test
 * on what it does not expect.
 */
#ifndef XENITH_TEST_CONFIG_WRITE_CHECK_H
#define XENITH_TEST_CONFIG_WRITE_CHECK_H

#include <libxlutil.h>

#include "config/xlcfg.h"

/* The start of every test file, and a PV domain's. */
#define CW_HEAD "name = \"t\"\nuuid = \"00000000-0000-4000-8000-0000000000aa\"\n"
#define CW_PV CW_HEAD "kernel = \"/k\"\nmemory = 64\n"

/* Parse text into dc (init'ed here) with the host facts in opts (NULL:
 * none known); 0 or the code, message in msg. */
int cw_parse_opts(const char *name, const char *text,
                  const struct xlcfg_opts *opts, libxl_domain_config *dc,
                  struct xn_msg *msg);
int cw_parse(const char *name, const char *text, libxl_domain_config *dc,
             struct xn_msg *msg);

/* Write dc, parse the text back (with the host facts dc was parsed with,
 * opts; NULL: none) and compare the JSON documents.  Returns the text
 * written (caller frees); fails the test on a difference. */
char *cw_round_trip_opts(const char *name, libxl_domain_config *dc,
                         const struct xlcfg_opts *opts);
char *cw_round_trip(const char *name, libxl_domain_config *dc);

/* Parse cfg, round-trip it and return the text written (caller frees). */
char *cw_trip_text(const char *cfg);

/* Parse cfg, change it with edit (NULL: none), and expect xlcfg_write to
 * refuse with a message containing want. */
void cw_write_fails(const char *cfg, void (*edit)(libxl_domain_config *dc),
                    const char *want);

/* CW_PV parsed into dc (init'ed here), to add devices to. */
void cw_pv_config(libxl_domain_config *dc);

/* dc written, which must not fail (caller frees). */
char *cw_write_ok(libxl_domain_config *dc);

/* The items of list key in the xl.cfg text, read by libxlutil into *l
 * (*n of them); the caller disposes of the config returned. */
XLU_Config *cw_read_list(const char *text, const char *key,
                         XLU_ConfigList **l, int *n);

#endif
