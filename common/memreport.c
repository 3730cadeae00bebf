/* memreport.c - the guest agent's memory report: its text and its parser. */
#include "memreport.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

int memreport_format(const struct memreport *r, char *buf, size_t len)
{
    int n = snprintf(buf, len,
                     "v=%d seq=%" PRIu64 " every=%u total=%" PRIu64
                     " avail=%" PRIu64 " swapin=%" PRIu64 " swapout=%" PRIu64
                     " refault=%" PRIu64 " some10=%u.%02u full10=%u.%02u"
                     " some=%" PRIu64 " full=%" PRIu64,
                     MEMREPORT_VERSION, r->seq, r->every_s, r->total_kb,
                     r->avail_kb, r->swapin_ps, r->swapout_ps, r->refault_ps,
                     r->some10 / 100, r->some10 % 100, r->full10 / 100,
                     r->full10 % 100, r->some_us, r->full_us);

    return n < 0 || (size_t)n >= len ? -1 : n;
}

/* --- parsing --- */

/* A field being parsed: its text (not NUL-terminated). */
struct field {
    const char *key;
    size_t klen;
    const char *val;
    size_t vlen;
};

static int bad(struct xn_msg *msg, const struct field *f, const char *why)
{
    char q[80];

    return xn_msg_set(msg, XN_EINVAL, "memory report field \"%s\" %s",
                      xn_quote(f->key, (size_t)(f->val - f->key) + f->vlen,
                               48, q, sizeof(q)), why);
}

/* A decimal number of at most 19 digits; false when not one. */
static bool parse_u64(const char *s, size_t n, uint64_t *v)
{
    uint64_t x = 0;

    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return true;
}

/* "12", "12.3" or "12.34" percent, as hundredths. */
static bool parse_pct(const char *s, size_t n, uint64_t *v)
{
    const char *dot = memchr(s, '.', n);
    uint64_t whole, frac = 0;
    size_t fl;

    if (!dot)
        return parse_u64(s, n, &whole) && (*v = whole * 100, true);
    fl = n - (size_t)(dot - s) - 1;
    if (!parse_u64(s, (size_t)(dot - s), &whole) || fl < 1 || fl > 2 ||
        !parse_u64(dot + 1, fl, &frac) || whole > 1000000)
        return false;
    *v = whole * 100 + (fl == 1 ? frac * 10 : frac);
    return true;
}

enum kind { K_U64, K_KB, K_RATE, K_PCT, K_EVERY, K_VERSION };

struct known {
    const char *key;
    enum kind kind;
    size_t off;             /* offsetof in struct memreport */
    bool u32;
    unsigned bit;           /* for the "given twice" and "required" checks */
};

#define F64(name, k, member, bit)                                           \
    {name, k, offsetof(struct memreport, member), false, bit}
#define F32(name, k, member, bit)                                           \
    {name, k, offsetof(struct memreport, member), true, bit}

static const struct known fields[] = {
    {"v", K_VERSION, 0, false, 1u << 0},
    F64("seq", K_U64, seq, 1u << 1),
    F32("every", K_EVERY, every_s, 1u << 2),
    F64("total", K_KB, total_kb, 1u << 3),
    F64("avail", K_KB, avail_kb, 1u << 4),
    F64("swapin", K_RATE, swapin_ps, 1u << 5),
    F64("swapout", K_RATE, swapout_ps, 1u << 6),
    F64("refault", K_RATE, refault_ps, 1u << 7),
    F32("some10", K_PCT, some10, 1u << 8),
    F32("full10", K_PCT, full10, 1u << 9),
    F64("some", K_U64, some_us, 1u << 10),
    F64("full", K_U64, full_us, 1u << 11),
};
#define REQUIRED ((1u << 3) | (1u << 4))

/* Store one known field's value, clamping what is only out of range. */
static int take(const struct known *k, const struct field *f,
                struct memreport *r, int *clamped, struct xn_msg *msg)
{
    uint64_t v, limit = UINT64_MAX;
    bool ok = k->kind == K_PCT ? parse_pct(f->val, f->vlen, &v)
                               : parse_u64(f->val, f->vlen, &v);

    if (!ok)
        return bad(msg, f, k->kind == K_PCT ? "is not a percentage"
                                            : "is not a number");
    switch (k->kind) {
    case K_VERSION:
        if (v != MEMREPORT_VERSION)
            return bad(msg, f, "is a version this daemon does not read");
        return 0;
    case K_KB:
        if (v > MEMREPORT_KB_MAX)
            return bad(msg, f, "is more memory than any host has");
        break;
    case K_RATE: limit = MEMREPORT_RATE_MAX; break;
    case K_PCT: limit = 10000; break;
    case K_EVERY: limit = 3600; break;
    case K_U64: break;
    }
    if (v > limit) {
        v = limit;
        *clamped = 1;
    }
    if (k->u32)
        *(uint32_t *)((char *)r + k->off) = (uint32_t)v;
    else
        *(uint64_t *)((char *)r + k->off) = v;
    return 0;
}

/* Split the next "key=value" off text[*pos..len). */
static bool next_field(const char *text, size_t len, size_t *pos,
                       struct field *f)
{
    size_t i = *pos, end;

    while (i < len && text[i] == ' ')
        i++;
    if (i >= len)
        return false;
    end = i;
    while (end < len && text[end] != ' ')
        end++;
    f->key = text + i;
    f->val = memchr(f->key, '=', end - i);
    f->klen = f->val ? (size_t)(f->val - f->key) : end - i;
    if (f->val) {
        f->val++;
        f->vlen = (size_t)(text + end - f->val);
    } else {
        f->val = text + end;
        f->vlen = 0;
    }
    *pos = end;
    return true;
}

int memreport_parse(const char *text, size_t len, struct memreport *r,
                    int *clamped_r, struct xn_msg *msg)
{
    unsigned seen = 0;
    int clamped = 0;
    size_t pos = 0;
    struct field f;
    char q[80];

    memset(r, 0, sizeof(*r));
    if (len > MEMREPORT_TEXT_MAX)
        return xn_msg_set(msg, XN_EINVAL, "memory report of %zu bytes is "
                          "longer than %d", len, MEMREPORT_TEXT_MAX);
    if (!xn_utf8_valid(text, len) || memchr(text, '\0', len) ||
        memchr(text, '\n', len))
        return xn_msg_set(msg, XN_EINVAL, "memory report \"%s\" is not one "
                          "line of text", xn_quote(text, len, 48, q,
                                                   sizeof(q)));
    while (next_field(text, len, &pos, &f)) {
        const struct known *k = NULL;
        int rc;

        if (f.klen == 0 || f.key + f.klen == f.val)  /* "=x" or "key" */
            return bad(msg, &f, "is not key=value");
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
            if (strlen(fields[i].key) == f.klen &&
                memcmp(fields[i].key, f.key, f.klen) == 0)
                k = &fields[i];
        if (!k)
            continue;                   /* a newer agent's field */
        if (seen & k->bit)
            return bad(msg, &f, "is given twice");
        seen |= k->bit;
        if ((rc = take(k, &f, r, &clamped, msg)) < 0)
            return rc;
    }
    if ((seen & REQUIRED) != REQUIRED)
        return xn_msg_set(msg, XN_EINVAL, "memory report \"%s\" lacks "
                          "total= or avail=", xn_quote(text, len, 48, q,
                                                       sizeof(q)));
    if (r->avail_kb > r->total_kb) {
        r->avail_kb = r->total_kb;
        clamped = 1;
    }
    if (clamped_r)
        *clamped_r = clamped;
    return 0;
}
