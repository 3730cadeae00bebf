/*
 * xlcfg_write.h - xl.cfg text from a libxl_domain_config: the reverse of
 * xlcfg_parse, for `xenith config-convert --to xl`.
 *
 * The text reads like a hand-written file: the domain (name, uuid, type),
 * its memory and vCPUs, how it boots, then its devices as lists, one
 * setting per line.  Settings at their default (libxl_defbool default, 0,
 * NULL) are left out.  What xlcfg_parse makes of the text is the config
 * written: xlcfg_dryrun_json(parse(write(cfg))) == xlcfg_dryrun_json(cfg)
 * for every config xlcfg_parse produces.
 */
#ifndef XENITH_CONFIG_XLCFG_WRITE_H
#define XENITH_CONFIG_XLCFG_WRITE_H

#include "err.h"
#include "libxl_wrap.h"

/*
 * xl.cfg text for cfg: malloc'd, the caller frees it.  NULL with msg
 * filled when a setting has no xl.cfg form, naming it:
 *     disk 2: vdev "xvd,a" holds a comma, which a disk spec cannot carry
 * cfg is not changed.
 */
char *xlcfg_write(const libxl_domain_config *cfg, struct xn_msg *msg);

#endif
