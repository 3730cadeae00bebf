/*
 * xlcfg_int.h - shared by the files of the xl.cfg parser; not public.
 *
 * One parse is one `struct xlcfg`: the libxlutil config, the map of which
 * line each setting is on, and the domain config being filled.  The mapping
 * is split by subject (xlcfg_build.c, xlcfg_cpus.c, xlcfg_devices.c,
 * xlcfg_hvm.c); each step returns 0 or XN_EINVAL with c->msg filled.
 */
#ifndef XENITH_CONFIG_XLCFG_INT_H
#define XENITH_CONFIG_XLCFG_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "config/xlcfg.h"

/* ---- where settings are (xlcfg_lines.c) ---- */

struct xlcfg_setting {
    char *name;
    int line;          /* line of the assignment */
    bool append;       /* written with += */
    bool list;         /* the value is a list */
    int nitems;        /* top-level items, when the value is a list */
    int *item_lines;   /* line of each item (after += concatenation) */
};

/* Every assignment in file order.  Owns its arrays. */
struct xlcfg_lines {
    struct xlcfg_setting *v;
    int n;
    int last_line;     /* number of the file's last line (at least 1) */
};

/* Scan text libxlutil has accepted.  0 or XN_ENOMEM. */
int xlcfg_lines_scan(struct xlcfg_lines *l, const char *data, size_t len);
void xlcfg_lines_dispose(struct xlcfg_lines *l);
/* The setting libxlutil uses for `name` (the last one), or NULL. */
const struct xlcfg_setting *xlcfg_lines_find(const struct xlcfg_lines *l,
                                             const char *name);

/* ---- one parse (xlcfg.c, xlcfg_msg.c, xlcfg_get.c) ---- */

struct xlcfg {
    const char *file;
    XLU_Config *xlu;
    struct xlcfg_lines lines;
    libxl_domain_config *dc;
    struct xn_msg *msg;
    int max_cpus;      /* struct xlcfg_opts max_cpus */
    const struct xlcfg_opts *host; /* host facts; never NULL (zeros) */
    long vcpus;        /* vcpus = N, or 0 when absent */
    struct xlcfg_warnings *warn; /* struct xlcfg_opts warn; may be NULL */
    FILE *report;      /* libxlutil's messages land here ... */
    char *report_buf;  /* ... and here */
    size_t report_len;
};

/*
 * Fail with "FILE:LINE: KEY: <fmt>".  The line is that of list item `item`
 * of `key` (item < 0: of the setting; key not set: the file's last line).
 * Returns XN_EINVAL.
 */
int xlcfg_fail(struct xlcfg *c, const char *key, int item,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Warn "FILE:LINE: KEY: <fmt>" (lines as xlcfg_fail) and go on. */
void xlcfg_warn(struct xlcfg *c, const char *key, int item,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The message for libxlutil's failure `err` to read the file. */
int xlcfg_syntax_error(struct xlcfg *c, int err);

/*
 * What libxlutil reported: take a mark before a call, then the first line
 * it wrote since (without "FILE: " and newline, truncated to size), or "".
 */
size_t xlcfg_report_mark(struct xlcfg *c);
const char *xlcfg_report_since(struct xlcfg *c, size_t mark, char *buf,
                               size_t size);

/* Getters: 1 = set (value stored), 0 = absent, XN_EINVAL = bad (msg set). */
int xlcfg_get_str(struct xlcfg *c, const char *key, const char **v);
int xlcfg_get_strdup(struct xlcfg *c, const char *key, char **dst);
/* A whole number in [min, max]; `what` ends "is not WHAT". */
int xlcfg_get_long(struct xlcfg *c, const char *key, long min, long max,
                   const char *what, long *v);
int xlcfg_get_bool(struct xlcfg *c, const char *key, libxl_defbool *b);
/* A list whose items are all strings. */
int xlcfg_get_list(struct xlcfg *c, const char *key, XLU_ConfigList **l,
                   int *n);
/* The value of `key` for a message: "text", [ "first", ... ] or "". */
const char *xlcfg_value_text(struct xlcfg *c, const char *key, char *buf,
                             size_t size);
/* Is `key` set to a list (as opposed to a single value or not at all)? */
bool xlcfg_is_list(struct xlcfg *c, const char *key);
bool xlcfg_is_set(struct xlcfg *c, const char *key);

/* A string list (NULL-terminated, malloc'd) from a list setting, or, when
 * `split` is set, from a single value split at spaces and tabs. */
int xlcfg_get_strlist(struct xlcfg *c, const char *key, bool split,
                      libxl_string_list *sl);

/* Fill msg with "FILE: out of memory"; returns XN_ENOMEM. */
int xlcfg_oom(struct xlcfg *c);

/* ---- table-driven simple settings (xlcfg_fields.c) ---- */

/* Largest size in MiB that fits a uint64 count of KiB from a long. */
#define XLCFG_MAX_MIB (LONG_MAX / 1024)

enum xlcfg_kind {
    XK_STR,     /* char *, replaced */
    XK_BOOL,    /* libxl_defbool from a number (non-zero = true) */
    XK_INT,     /* int */
    XK_U32,     /* uint32_t */
    XK_MEMKB,   /* uint64_t KiB, written in MiB */
    XK_STRLIST, /* libxl_string_list from a list */
};

#define XT_PV (1u << LIBXL_DOMAIN_TYPE_PV)
#define XT_PVH (1u << LIBXL_DOMAIN_TYPE_PVH)
#define XT_HVM (1u << LIBXL_DOMAIN_TYPE_HVM)
#define XT_ALL (XT_PV | XT_PVH | XT_HVM)

struct xlcfg_field {
    const char *key;
    enum xlcfg_kind kind;
    size_t off;         /* offsetof(libxl_domain_config, ...) */
    unsigned types;     /* domain types the setting applies to */
    long min, max;      /* XK_INT, XK_U32, XK_MEMKB */
};

/* Apply every field of `f` that applies to the domain's type. */
int xlcfg_apply_fields(struct xlcfg *c, const struct xlcfg_field *f,
                       size_t n);

/* ---- device specifications "key=value,..." (xlcfg_kv.c) ---- */

/* One specification cut into items.  Owns buf and item. */
struct xlcfg_kv {
    char *buf;      /* a copy of the specification, cut in place */
    char **item;    /* the items, pointing into buf */
    int n;
};

/*
 * Split `spec` at any of `delims` as strtok does (empty items do not
 * count); with `strip`, leading spaces of each item are dropped, as xl
 * drops them.  0 or XN_ENOMEM.
 */
int xlcfg_kv_split(const char *spec, const char *delims, bool strip,
                   struct xlcfg_kv *kv);
void xlcfg_kv_dispose(struct xlcfg_kv *kv);
/* Cut "key=value" at its first '=': the value, or NULL if it has none. */
char *xlcfg_kv_value(char *item);
/*
 * One option `tok` ("key=value" or a word) of item i of a list setting,
 * whose whole text is `spec`, applied to device `dev`.  0 or XN_EINVAL.
 */
typedef int xlcfg_kv_option_fn(struct xlcfg *c, int i, const char *spec,
                               char *tok, void *dev);
/* Split `spec` at commas as xl does (leading spaces dropped) and apply fn
 * to each option in turn, stopping at the first failure. */
int xlcfg_kv_apply(struct xlcfg *c, int i, const char *spec,
                   xlcfg_kv_option_fn *fn, void *dev);
/* A number as strtoul(v, NULL, 0) reads it (decimal, 0x hex, 0 octal), the
 * whole value, no sign, at most max.  0 or XN_EINVAL. */
int xlcfg_kv_ulong(const char *v, unsigned long max, unsigned long *out);
/* A decimal int as atoi reads it, the whole value.  0 or XN_EINVAL. */
int xlcfg_kv_int(const char *v, int *out);

/* ---- the mapping, in the order xlcfg_parse runs it ---- */

int xlcfg_build_identity(struct xlcfg *c);  /* name, uuid, type ... */
int xlcfg_build_resources(struct xlcfg *c); /* memory, vcpus, sched */
int xlcfg_build_vnuma(struct xlcfg *c);     /* vnuma (vnuma.c) */
int xlcfg_build_cpus(struct xlcfg *c);      /* cpus, cpus_soft */
int xlcfg_build_cpuid(struct xlcfg *c);     /* cpuid (cpuid.c) */
int xlcfg_build_arch(struct xlcfg *c);      /* mca_caps, gic_version ... */
int xlcfg_build_actions(struct xlcfg *c);   /* on_poweroff ... */
int xlcfg_build_boot(struct xlcfg *c);      /* kernel ... (boot.c) */
int xlcfg_build_misc(struct xlcfg *c);      /* the rest (misc.c) */
int xlcfg_build_pci(struct xlcfg *c);       /* pci, rdm (pci.c) */
int xlcfg_build_passthru(struct xlcfg *c);  /* iomem ... (passthru.c) */
int xlcfg_build_hvm(struct xlcfg *c);       /* HVM-only settings */
int xlcfg_build_disks(struct xlcfg *c);
int xlcfg_build_nics(struct xlcfg *c);
int xlcfg_build_display(struct xlcfg *c);   /* vfb, vnc, sdl */
int xlcfg_build_vuart(struct xlcfg *c);     /* vuart (vuart.c) */
int xlcfg_build_vtpm_p9(struct xlcfg *c);   /* vtpm, p9, pvcalls */
int xlcfg_build_vdispls(struct xlcfg *c);
int xlcfg_build_vsnds(struct xlcfg *c);
int xlcfg_build_channels(struct xlcfg *c);
int xlcfg_build_usb(struct xlcfg *c);       /* usbctrl, usbdev */
int xlcfg_build_vkbs(struct xlcfg *c);      /* vkb, after vfb's */
int xlcfg_build_ignored(struct xlcfg *c);

/* ---- helpers exposed for unit tests ---- */

/*
 * Parse an xl CPU list ("0-3,^1", "all,^0") into `map`, which is allocated
 * here (size: max_cpus bits if > 0, else enough for the CPUs named, rounded
 * up to whole bytes).  0 or XN_EINVAL; on failure *why_r says what is wrong
 * (static text).
 */
int xlcfg_cpumap_parse(const char *text, int max_cpus, libxl_bitmap *map,
                       const char **why_r);

/* As xlcfg_cpumap_parse, with the host's facts (max_cpus and the NUMA
 * layout for "nodes:N"); host may not be NULL. */
int xlcfg_cpumap_parse_host(const char *text, const struct xlcfg_opts *host,
                            libxl_bitmap *map, const char **why_r);

/* Allocate a zeroed bitmap of `bits` bits without a libxl ctx. */
int xlcfg_bitmap_alloc(libxl_bitmap *map, int bits);

/*
 * rdm = "strategy=host,...": *rdm as xl leaves it (untouched where xl
 * drops the setting).  0 or XN_EINVAL (xlcfg_rdm.c).
 */
int xlcfg_parse_rdm(struct xlcfg *c, libxl_rdm_reserve *rdm);

/*
 * Check one pci = [...] item before libxlutil reads it: 0, XN_EINVAL with
 * the reason in why (no file, line or key), or XN_ENOMEM.
 */
int xlcfg_pci_spec_check(const char *spec, char *why, size_t size);

/* Parse "xx:xx:xx:xx:xx:xx" (hex bytes).  0 or XN_EINVAL. */
int xlcfg_mac_parse(const char *text, libxl_mac mac);

#endif
