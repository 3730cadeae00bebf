/*
 * xlcfg_pci_spec.c - the check of one pci = [...] item before libxlutil
 * reads it (xlu_pci_parse_spec_string, as xl does).
 *
 * The check walks the item the way libxlutil does: an optional leading
 * BDF ("[DDDD:]BB:DD.F" or "BB:DD.*") with an optional "@VSLOT", then
 * KEY=VALUE options.  It says why libxlutil would refuse an item, and
 * refuses too what libxlutil would read without complaint into something
 * the text does not say: a number scanf truncates to 32 bits, a BDF
 * without the "." (libxlutil then reads past an unset position), text
 * after a bdf= or vslot= value (ignored by libxlutil), and a flag whose
 * value is not a number (atoi makes it 0).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

enum scan {
    SCAN_OK,
    SCAN_BAD,   /* libxlutil refuses it */
    SCAN_ODD,   /* libxlutil reads it into something else, or undefined */
};

struct walk {
    char *why;
    size_t size;
};

static enum scan say(struct walk *w, enum scan r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum scan say(struct walk *w, enum scan r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(w->why, w->size, fmt, ap);
    va_end(ap);
    return r;
}

/*
 * One number as scanf's %x reads it: spaces, a sign, "0x", hex digits.
 * Returns the characters read (0: no number there).  *odd is set when
 * scanf's result is not the number written: more than 32 bits, or "0x"
 * with no digit after it.
 */
static size_t scan_hex(const char *s, unsigned *v, int *odd)
{
    const char *p = s;
    unsigned long long mag = 0;
    int neg = 0, digits = 0;

    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        if (!isxdigit((unsigned char)p[2]))
            *odd = 1;
        p += 2;
        digits = 1;
    }
    for (; isxdigit((unsigned char)*p); p++, digits++) {
        int d = isdigit((unsigned char)*p) ? *p - '0'
                                           : (*p | 0x20) - 'a' + 10;
        if (mag > 0xffffffffULL)
            continue;
        mag = mag * 16 + (unsigned)d;
    }
    if (!digits)
        return 0;
    if (mag > 0xffffffffULL)
        *odd = 1;
    *v = neg ? (unsigned)-(unsigned)mag : (unsigned)mag;
    return (size_t)(p - s);
}

/*
 * A BDF at the start of `s`, as libxlutil reads it: the number of ':'
 * before the first character that is neither a hex digit nor ':' says
 * whether a domain is there.  *end is where the BDF ends.
 */
static enum scan scan_bdf(struct walk *w, const char *s, const char **end)
{
    const char *p = s;
    unsigned part[3] = {0, 0, 0}, func;
    int colons = 0, odd = 0, nparts;
    size_t k;

    for (; isxdigit((unsigned char)*p) || *p == ':'; p++)
        colons += *p == ':';
    if (colons != 1 && colons != 2)
        return say(w, SCAN_BAD, "\"%s\" is not a BDF ([DDDD:]BB:DD.F)", s);
    nparts = colons + 1;
    p = s;
    for (int i = 3 - nparts; i < 3; i++) {
        k = scan_hex(p, &part[i], &odd);
        if (!k)
            return say(w, SCAN_BAD, "\"%s\" is not a BDF ([DDDD:]BB:DD.F)",
                       s);
        p += k;
        if (i < 2 && *p++ != ':')
            return say(w, SCAN_BAD, "\"%s\" is not a BDF ([DDDD:]BB:DD.F)",
                       s);
    }
    if (*p != '.')
        return say(w, SCAN_ODD, "\"%s\" has no \".\" after the device "
                   "number (xl's reading of it is undefined)", s);
    p++;
    if (odd)
        return say(w, SCAN_ODD, "a number in \"%s\" does not fit 32 bits "
                   "(xl would cut it)", s);
    if (part[0] > 0xffff)
        return say(w, SCAN_BAD, "domain %x is above ffff", part[0]);
    if (part[1] > 0xff)
        return say(w, SCAN_BAD, "bus %x is above ff", part[1]);
    if (part[2] > 0x1f)
        return say(w, SCAN_BAD, "device %x is above 1f", part[2]);
    if (*p == '*') {
        p++;
    } else {
        k = scan_hex(p, &func, &odd);
        if (!k)
            return say(w, SCAN_BAD, "\"%s\" has no function after the "
                       "\".\" (0 to 7, or *)", s);
        if (odd)
            return say(w, SCAN_ODD, "a number in \"%s\" does not fit 32 "
                       "bits (xl would cut it)", s);
        if (func > 7)
            return say(w, SCAN_BAD, "function %x is above 7", func);
        p += k;
    }
    *end = p;
    return SCAN_OK;
}

/* A virtual slot (0 to 1f) at the start of `s`. */
static enum scan scan_vslot(struct walk *w, const char *s, const char **end)
{
    unsigned v;
    int odd = 0;
    size_t k = scan_hex(s, &v, &odd);

    if (!k)
        return say(w, SCAN_BAD, "\"%s\" is not a slot (0 to 1f)", s);
    if (odd)
        return say(w, SCAN_ODD, "slot \"%.*s\" does not fit 32 bits (xl "
                   "would cut it)", (int)k, s);
    if (v > 0x1f)
        return say(w, SCAN_BAD, "slot %x is above 1f", v);
    *end = s + k;
    return SCAN_OK;
}

/* A flag's value: a whole number (non-zero = yes) that fits an int. */
static int flag_value_ok(const char *v)
{
    char *end;
    long l;

    while (isspace((unsigned char)*v))
        v++;
    if (!isdigit((unsigned char)v[*v == '-' || *v == '+']))
        return 0;
    errno = 0;
    l = strtol(v, &end, 10);
    return !*end && !errno && l >= INT_MIN && l <= INT_MAX;
}

static const char *const flags[] = {
    "permissive", "msitranslate", "seize", "power_mgmt",
};

/* One KEY=VALUE option.  *bdf / *name are set when it names the device. */
static enum scan option(struct walk *w, const char *key, const char *val,
                        int *bdf, int *name)
{
    const char *end;
    enum scan r;

    if (strcmp(key, "bdf") == 0) {
        r = scan_bdf(w, val, &end);
        if (r != SCAN_OK)
            return r;
        if (*end)
            return say(w, SCAN_ODD, "bdf \"%s\" has text after the BDF "
                       "(xl would ignore \"%s\")", val, end);
        *bdf = 1;
        return SCAN_OK;
    }
    if (strcmp(key, "vslot") == 0) {
        r = scan_vslot(w, val, &end);
        if (r == SCAN_OK && *end)
            return say(w, SCAN_ODD, "vslot \"%s\" has text after the slot "
                       "(xl would ignore \"%s\")", val, end);
        return r;
    }
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (strcmp(key, flags[i]) == 0)
            return flag_value_ok(val) ? SCAN_OK
                : say(w, SCAN_ODD, "%s \"%s\" is not a number (1 = yes, "
                      "0 = no)", key, val);
    if (strcmp(key, "rdm_policy") == 0) {
        libxl_rdm_reserve_policy p;
        if (libxl_rdm_reserve_policy_from_string(val, &p) != 0)
            return say(w, SCAN_BAD, "rdm_policy \"%s\" is not a policy "
                       "(strict or relaxed)", val);
        return SCAN_OK;
    }
    if (strcmp(key, "name") == 0) {
        *name = 1;
        return SCAN_OK;
    }
    return say(w, SCAN_BAD, "unknown option \"%s\"", key);
}

int xlcfg_pci_spec_check(const char *spec, char *why, size_t size)
{
    struct walk w = {why, size};
    const char *p = spec, *end;
    char bdf_why[160] = "";
    int bdf = 0, name = 0, looks_bdf = 0;
    enum scan r;

    why[0] = '\0';
    r = scan_bdf(&w, spec, &end);
    if (r == SCAN_ODD)
        return XN_EINVAL;
    if (r == SCAN_OK) {
        bdf = 1;
        p = end;
        if (*p == '@') {
            if (scan_vslot(&w, p + 1, &p) != SCAN_OK)
                return XN_EINVAL;
        }
        if (*p == ',')
            p++;
        else if (*p)
            return say(&w, SCAN_BAD, "unexpected \"%s\" after the BDF", p),
                   XN_EINVAL;
    } else {
        /* If the start is no option either, say why it is not a BDF. */
        snprintf(bdf_why, sizeof(bdf_why), "%s", why);
        looks_bdf = memchr(spec, ':', strspn(spec, "0123456789abcdefABCDEF:"))
                    != NULL;
    }
    while (*p) {
        const char *eq = strchr(p, '='), *comma;
        char key[64], *val;

        if (!eq) {
            if (p == spec)
                return say(&w, SCAN_BAD, "%s", bdf_why), XN_EINVAL;
            return say(&w, SCAN_BAD, "\"%s\" is not an option (KEY=VALUE)",
                       p), XN_EINVAL;
        }
        comma = strchr(eq + 1, ',');
        if (!comma)
            comma = eq + strlen(eq);
        snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
        val = strndup(eq + 1, (size_t)(comma - eq - 1));
        if (!val)
            return XN_ENOMEM;
        r = option(&w, key, val, &bdf, &name);
        free(val);
        if (r == SCAN_BAD && looks_bdf && p == spec)
            say(&w, SCAN_BAD, "%s", bdf_why);
        if (r != SCAN_OK)
            return XN_EINVAL;
        p = *comma ? comma + 1 : comma;
    }
    if (bdf && name)
        return say(&w, SCAN_BAD, "a device has a BDF or a name=, not both"),
               XN_EINVAL;
    if (!bdf && !name)
        return say(&w, SCAN_BAD, "it names no device: a BDF or name= is "
                   "needed"), XN_EINVAL;
    return 0;
}
