/*
 * xlcfg.h - xl.cfg domain configuration files.
 *
 * The syntax is parsed by libxlutil, the same parser xl uses; the settings
 * are then mapped onto a libxl_domain_config the way `xl create` maps them,
 * so that xlcfg_dryrun_json() of a parsed file is byte for byte the document
 * `xl -N create FILE` prints (Xen 4.17).
 *
 * What xl refuses is refused, and so is a value xl would silently turn
 * into something else (memory = "lots").  Every failure fills `msg` with
 * one sentence naming the file and line and quoting the value:
 *     web.cfg:12: memory: "lots" is not a number of MiB
 * Settings xl reads and then ignores with a warning (device_model, extra
 * beside cmdline ...) are accepted with a warning of the same form
 * (xlcfg_warn.h).  Settings xl does not know are ignored, as xl ignores
 * them.
 *
 * Nothing here needs a libxl ctx or a running Xen, and nothing is printed.
 */
#ifndef XENITH_CONFIG_XLCFG_H
#define XENITH_CONFIG_XLCFG_H

#include <stddef.h>

#include "err.h"
#include "libxl_wrap.h"
#include "config/xlcfg_warn.h"

/* Optional facts about the host that change how some settings map. */
struct xlcfg_opts {
    /*
     * Size of the host's CPU bitmaps in CPUs (physinfo max_cpu_id + 1), as
     * xl gets it from libxl.  It bounds CPU numbers in cpus=/cpus_soft= and
     * says what "all" covers.  0 = unknown: bitmaps then cover the CPUs the
     * file names, rounded up to a multiple of 8 (as xl does on any host with
     * at most 8 CPUs).
     */
    int max_cpus;
    /*
     * The host's NUMA layout, for vnuma = and "nodes:N" in cpus=/cpus_soft=
     * (a daemon fills them from libxl; config-check leaves them 0/NULL):
     *   nr_nodes     physinfo nr_nodes: a vnode's pnode must be below it;
     *   online_cpus  physinfo nr_cpus (libxl_get_online_cpus): without
     *                maxvcpus, vnuma may not name more vCPUs than this;
     *   cpu_node     cpu_node[i] is the node of CPU i for i < ncpu_node, as
     *                libxl_get_cpu_topology reports it (.node, or
     *                LIBXL_CPUTOPOLOGY_INVALID_ENTRY for no CPU); not kept
     *                beyond the parse.  "nodes:N" maps through it.
     * 0 / NULL = unknown: pnode and the vCPU count are then not checked
     * (one warning says so), and "nodes:N" is refused as unknowable.
     */
    int nr_nodes;
    int online_cpus;
    const unsigned *cpu_node;
    int ncpu_node;
    /* Where the parse's warnings go (cleared first); NULL: nowhere. */
    struct xlcfg_warnings *warn;
};

/*
 * Parse xl.cfg text.  `filename` names it in messages (shown as given).
 * `cfg` must have been libxl_domain_config_init'ed; on return, success or
 * not, it may hold allocations and the caller disposes of it with
 * libxl_domain_config_dispose.  `data` need not be NUL-terminated and is
 * not kept.  Returns 0 or a negative XN_E* code with `msg` filled.
 */
int xlcfg_parse(const char *filename, const char *data, size_t len,
                libxl_domain_config *cfg, struct xn_msg *msg);

/* As xlcfg_parse, with host facts; opts may be NULL. */
int xlcfg_parse_opts(const char *filename, const char *data, size_t len,
                     const struct xlcfg_opts *opts,
                     libxl_domain_config *cfg, struct xn_msg *msg);

/* Read and parse the file at `path`; messages name it as `path`. */
int xlcfg_parse_file(const char *path, libxl_domain_config *cfg,
                     struct xn_msg *msg);

/*
 * The JSON document `xl -N create` prints for cfg (ending in a newline).
 * Malloc'd, the caller frees it; NULL on failure.  Needs no libxl ctx.
 */
char *xlcfg_dryrun_json(libxl_domain_config *cfg);

#endif
