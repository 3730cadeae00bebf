/*
 * xlcfg_check.h - check an xl.cfg file (or libvirt domain XML) as
 * `xenith create` would, for `xenith config-check`.  This header does not
 * include libxl, so the CLI, which must not see libxl's types, can use it.
 */
#ifndef XENITH_CONFIG_XLCFG_CHECK_H
#define XENITH_CONFIG_XLCFG_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "hv_types.h"
#include "config/xlcfg_warn.h"

/* The largest xl.cfg text create takes (the CLI reads at most this much,
 * the daemon refuses more). */
#define XLCFG_TEXT_MAX (512 * 1024)

/* What a checked file would create. */
struct xlcfg_summary {
    char name[HV_NAME_MAX];
    enum hv_domtype type;
    uint64_t memory_kb;
    uint64_t max_kb;
    unsigned vcpus;         /* as created: 1 when the file sets none */
    unsigned disks;
    unsigned nics;
};

/* Read a file of at most XLCFG_TEXT_MAX bytes.  *text_r (NUL-terminated,
 * malloc'd, the caller frees it) and *len_r on success. */
int xlcfg_read_file(const char *path, char **text_r, size_t *len_r,
                    struct xn_msg *msg);

/*
 * Read and parse `path`, an xl.cfg file or libvirt domain XML (told apart
 * by libvirt_text_is_xml), as create does (the same parser, limits and name
 * rule; the host's CPU count is not known without a daemon, so CPU numbers
 * are bounded only by the file).  On success fills *sum, and *json_r (when
 * json_r is not NULL) with the document `xl -N create` prints (malloc'd,
 * the caller frees it), and *warn with the parse's warnings.
 */
int xlcfg_check_file(const char *path, struct xlcfg_summary *sum,
                     char **json_r, struct xlcfg_warnings *warn,
                     struct xn_msg *msg);

#endif
