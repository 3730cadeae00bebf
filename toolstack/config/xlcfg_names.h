/*
 * xlcfg_names.h - xl.cfg's words for libxl values, known to both the
 * parser (xlcfg_*.c, text to config) and the writer (xlcfg_write*.c,
 * config to text), so that the two read and write the same words.
 * Not public.
 */
#ifndef XENITH_CONFIG_XLCFG_NAMES_H
#define XENITH_CONFIG_XLCFG_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "libxl_wrap.h"

/* A vif option that stores its value as given in a char * field of
 * libxl_device_nic, at `off`. */
struct xlcfg_nic_opt {
    const char *key;
    size_t off;
};

/* The COLO fault-tolerance vif options (named as libxl's fields, but
 * forwarddev for coloft_forwarddev), in the order the writer gives them. */
extern const struct xlcfg_nic_opt xlcfg_nic_colo[];
extern const size_t xlcfg_nic_ncolo;

/* on_poweroff, on_reboot ...: the action xl.cfg names `name` in *a_r;
 * false when `name` is none of them. */
bool xlcfg_action_parse(const char *name, libxl_action_on_shutdown *a_r);
/* xl.cfg's name of action `a`, or NULL when it has none. */
const char *xlcfg_action_name(libxl_action_on_shutdown a);

#endif
