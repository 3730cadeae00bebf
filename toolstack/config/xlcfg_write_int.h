/*
 * xlcfg_write_int.h - shared by the files of the xl.cfg writer; not public.
 *
 * One write is one `struct xlw`: the config being written, a config of the
 * same domain type as libxl initialises it (what "left out" means), and the
 * text so far.  The writer is split by subject, each part called in the
 * order a hand-written file has them (xlcfg_write.c):
 *   xlcfg_write.c       the domain: identity, memory, vCPUs, boot, actions
 *   xlcfg_write_misc.c  one-field settings (tables) and modes
 *   xlcfg_write_hvm.c   HVM-only settings and the emulated display
 *   xlcfg_write_dev.c   disk, vif, vfb
 *   xlcfg_write_pt.c    passthrough: pci, rdm, dtdev, iomem, ioports, irqs
 *   xlcfg_write_vdev.c  other PV devices: channel, usb, vtpm, p9, vkb ...
 *   xlcfg_write_numa.c  vnuma
 *   xlcfg_write_cpuid.c cpuid (xlcfg_write_cpuid_names.c: libxl's names)
 *   xlcfg_write_emit.c  quoting strings, lists and device specs
 * A part that meets a value xl.cfg cannot express calls xlw_fail and goes
 * on; the first failure is the one reported.
 */
#ifndef XENITH_CONFIG_XLCFG_WRITE_INT_H
#define XENITH_CONFIG_XLCFG_WRITE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/xlcfg_write.h"

struct xlw {
    const libxl_domain_config *dc;
    libxl_domain_config dflt;   /* defaults for dc's type (owned) */
    FILE *out;                  /* memory stream onto buf */
    char *buf;
    size_t len;
    struct xn_msg *msg;
    int rc;                     /* 0, or the first failure */
};

/* Record a failure "<fmt>" (the first one wins); returns XN_EINVAL. */
int xlw_fail(struct xlw *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- top-level settings (xlcfg_write_emit.c) ---- */

/* key = "value", quoted as libxlutil reads it back.  NULL: nothing. */
void xlw_str(struct xlw *w, const char *key, const char *value);
/* key = N (negative numbers quoted: libxlutil's numbers are unsigned). */
void xlw_num(struct xlw *w, const char *key, long long value);
/* key = 0 or 1, unless b is the default. */
void xlw_bool(struct xlw *w, const char *key, libxl_defbool b);
/* A comment line "# text" (text is one line). */
void xlw_comment(struct xlw *w, const char *text);
/* A blank line between groups of settings. */
void xlw_blank(struct xlw *w);

/* A list: key = [ "a", "b" ] on one line when short, else one per line. */
struct xlw_list {
    struct xlw *w;
    char **items;   /* quoted items, owned */
    int n;
};
void xlw_list_start(struct xlw *w, struct xlw_list *l);
/* Add an item, quoted; NULL adds nothing. */
void xlw_list_add(struct xlw_list *l, const char *item);
/* Add an item already in xl.cfg syntax (a nested list). */
void xlw_list_add_raw(struct xlw_list *l, const char *text);
/* Write `key = [...]` (nothing when empty and !always) and free. */
void xlw_list_end(struct xlw_list *l, const char *key, bool always);
/* A list in xl.cfg syntax as text, for nesting: [ "a", "b" ] (malloc'd). */
char *xlw_list_text(struct xlw_list *l);

/* The string xl.cfg syntax for `s`: "..." with escapes (malloc'd). */
char *xlw_quote(const char *s);

/* ---- device specs "k=v, k=v" (xlcfg_write_emit.c) ---- */

struct xlw_spec {
    struct xlw *w;
    const char *what;   /* for messages: "disk", "vif" ... */
    int item;           /* 1-based item number, for messages */
    char *buf;
    size_t len, cap;
    const char *join;   /* between options: "," or ", " */
};
void xlw_spec_start(struct xlw *w, struct xlw_spec *s, const char *what,
                    int item, const char *join);
/* key=value; NULL value: nothing.  A value holding a comma or a newline
 * cannot be written (the spec would split there): a failure. */
void xlw_spec_str(struct xlw_spec *s, const char *key, const char *value);
void xlw_spec_num(struct xlw_spec *s, const char *key, long long value);
/* A bare word ("trusted", "cdrom"). */
void xlw_spec_flag(struct xlw_spec *s, const char *word);
/* key=value with the value taken as is (no check for the separator). */
void xlw_spec_raw(struct xlw_spec *s, const char *key, const char *value);
/* The spec text (owned by s until xlw_spec_done). */
const char *xlw_spec_text(struct xlw_spec *s);
void xlw_spec_done(struct xlw_spec *s);

/* ---- helpers ---- */

/* CPU list text "0-3,6" of the bits set in map (malloc'd; "" if none). */
char *xlw_cpulist(const libxl_bitmap *map);
/* Number of bits set. */
int xlw_bits(const libxl_bitmap *map);
bool xlw_bitmap_equal(const libxl_bitmap *a, const libxl_bitmap *b);
/* KiB as a whole number of MiB; fails (naming key) when it is not. */
bool xlw_mib(struct xlw *w, const char *key, uint64_t kb, long long *mib);

/* ---- table-driven settings (xlcfg_write_misc.c) ---- */

enum xlw_kind {
    WK_STR,     /* char *: key = "value" */
    WK_BOOL,    /* libxl_defbool: key = 0 or 1 */
    WK_INT,     /* int */
    WK_U32,     /* uint32_t */
    WK_S32,     /* uint32_t written as a signed number */
    WK_MEMKB,   /* uint64_t KiB, written in MiB */
    WK_STRLIST, /* libxl_string_list: key = [ ... ] */
};

struct xlw_field {
    const char *key;
    enum xlw_kind kind;
    size_t off;         /* offsetof(libxl_domain_config, ...) */
    unsigned types;     /* 1 << libxl_domain_type the setting is for */
};

/* Write each field of `f` for the domain's type that is not a default. */
void xlw_fields(struct xlw *w, const struct xlw_field *f, size_t n);

/* The feature names libxl_cpuid_parse_config knows (static). */
extern const char *const xlw_cpuid_names[];
extern const size_t xlw_ncpuid_names;

/* ---- the parts, in the order they are written ---- */

void xlw_identity(struct xlw *w);   /* xlcfg_write.c */
void xlw_resources(struct xlw *w);
void xlw_boot(struct xlw *w);
void xlw_actions(struct xlw *w);
void xlw_misc(struct xlw *w);       /* xlcfg_write_misc.c */
void xlw_hvm(struct xlw *w);        /* xlcfg_write_hvm.c */
void xlw_numa(struct xlw *w);       /* xlcfg_write_numa.c: vnuma */
void xlw_cpuid(struct xlw *w);      /* xlcfg_write_cpuid.c: cpuid */
void xlw_disks(struct xlw *w);      /* xlcfg_write_dev.c */
void xlw_nics(struct xlw *w);
void xlw_vfbs(struct xlw *w);
void xlw_passthrough(struct xlw *w); /* xlcfg_write_pt.c */
void xlw_vdevs(struct xlw *w);      /* xlcfg_write_vdev.c */

#endif
