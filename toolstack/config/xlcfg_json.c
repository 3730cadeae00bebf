/*
 * xlcfg_json.c - the document `xl -N create` prints.
 *
 * In Xen 4.17 that is libxl_domain_config_to_json() of the parsed config,
 * as it stands before libxl fills in its defaults: yajl "beautified" with a
 * four-space indent and a final newline, and no wrapper object.
 *
 * libxl_domain_config_to_json takes a ctx only to log a failure; with a
 * well-formed config the yajl generator cannot fail, so NULL is passed.
 */
#include "config/xlcfg.h"

char *xlcfg_dryrun_json(libxl_domain_config *cfg)
{
    return libxl_domain_config_to_json(NULL, cfg);
}
