/*
 * xlcfg_warn.h - the warnings of one xl.cfg parse: settings xl reads and
 * then ignores (device_model, extra beside cmdline ...), which xenith
 * accepts as xl does, saying so in one line each:
 *     web.cfg:7: device_model: "qemu-dm" is ignored, as xl ignores it; ...
 * Fixed-size, so that it can cross a pipe or a socket reply as it is.  This
 * header does not include libxl (the CLI uses it).
 */
#ifndef XENITH_CONFIG_XLCFG_WARN_H
#define XENITH_CONFIG_XLCFG_WARN_H

#include "err.h"

#define XLCFG_WARN_MAX 16

struct xlcfg_warnings {
    int n;                      /* lines in text[] */
    int dropped;                /* warnings beyond XLCFG_WARN_MAX, not kept */
    char text[XLCFG_WARN_MAX][XN_MSG_MAX];
};

#endif
