/*
 * memreport.c - the guest memory report's one-line text: formatter and
 * parser (see memreport.h for the format and the contract).
 *
 * Temporary copy written on the agent's branch while the real one is being
 * written on main; it implements memreport.h and nothing more.
 */
#include "memreport.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int memreport_format(const struct memreport *r, char *buf, size_t len)
{
    int n = snprintf(buf, len,
                     "v=%d seq=%" PRIu64 " every=%" PRIu32 " total=%" PRIu64
                     " avail=%" PRIu64 " swapin=%" PRIu64 " swapout=%" PRIu64
                     " refault=%" PRIu64 " some10=%" PRIu32 ".%02" PRIu32
                     " full10=%" PRIu32 ".%02" PRIu32 " some=%" PRIu64
                     " full=%" PRIu64,
                     MEMREPORT_VERSION, r->seq, r->every_s, r->total_kb,
                     r->avail_kb, r->swapin_ps, r->swapout_ps, r->refault_ps,
                     r->some10 / 100, r->some10 % 100, r->full10 / 100,
                     r->full10 % 100, r->some_us, r->full_us);
    if (n < 0 || (size_t)n >= len)
        return -1;
    return n;
}

/* A decimal number of at most 20 digits that fits in 64 bits. */
static int parse_u64(const char *s, size_t n, uint64_t *v_r)
{
    uint64_t v = 0;

    if (n == 0 || n > 20)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return -1;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *v_r = v;
    return 0;
}

/* A percentage with up to two decimals ("0.35", "12", "100.0") in
 * hundredths. */
static int parse_pct(const char *s, size_t n, uint64_t *v_r)
{
    const char *dot = memchr(s, '.', n);
    size_t ni = dot ? (size_t)(dot - s) : n;
    size_t nf = dot ? n - ni - 1 : 0;
    uint64_t ip, fp = 0;

    if (parse_u64(s, ni, &ip) < 0 || ip > UINT32_MAX)
        return -1;
    if (dot && (nf == 0 || nf > 2 || parse_u64(dot + 1, nf, &fp) < 0))
        return -1;
    if (nf == 1)
        fp *= 10;
    *v_r = ip * 100 + fp;
    return 0;
}

enum kind { K_U64, K_U32, K_KB, K_RATE, K_PCT };

static const struct field {
    const char *key;
    enum kind kind;
    size_t off;
} fields[] = {
    {"seq", K_U64, offsetof(struct memreport, seq)},
    {"every", K_U32, offsetof(struct memreport, every_s)},
    {"total", K_KB, offsetof(struct memreport, total_kb)},
    {"avail", K_KB, offsetof(struct memreport, avail_kb)},
    {"swapin", K_RATE, offsetof(struct memreport, swapin_ps)},
    {"swapout", K_RATE, offsetof(struct memreport, swapout_ps)},
    {"refault", K_RATE, offsetof(struct memreport, refault_ps)},
    {"some10", K_PCT, offsetof(struct memreport, some10)},
    {"full10", K_PCT, offsetof(struct memreport, full10)},
    {"some", K_U64, offsetof(struct memreport, some_us)},
    {"full", K_U64, offsetof(struct memreport, full_us)},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
#define TOTAL_OFF offsetof(struct memreport, total_kb)
#define AVAIL_OFF offsetof(struct memreport, avail_kb)

/* Store one field's value; 0, or -1 when it is not a number. */
static int set_field(struct memreport *r, const struct field *f,
                     const char *v, size_t n, int *clamped)
{
    uint64_t x;
    char *p = (char *)r + f->off;

    if (f->kind == K_PCT) {
        if (parse_pct(v, n, &x) < 0)
            return -1;
        if (x > 10000) {
            x = 10000;
            *clamped = 1;
        }
        *(uint32_t *)p = (uint32_t)x;
        return 0;
    }
    if (parse_u64(v, n, &x) < 0)
        return -1;
    if (f->kind == K_U32) {
        if (x > UINT32_MAX) {
            x = UINT32_MAX;
            *clamped = 1;
        }
        *(uint32_t *)p = (uint32_t)x;
        return 0;
    }
    if (f->kind == K_KB && x > MEMREPORT_KB_MAX) {
        x = MEMREPORT_KB_MAX;
        *clamped = 1;
    } else if (f->kind == K_RATE && x > MEMREPORT_RATE_MAX) {
        x = MEMREPORT_RATE_MAX;
        *clamped = 1;
    }
    *(uint64_t *)p = x;
    return 0;
}

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int memreport_parse(const char *text, size_t len, struct memreport *r,
                    int *clamped, struct xn_msg *msg)
{
    int have_total = 0, have_avail = 0, clamp = 0;
    size_t i = 0;

    memset(r, 0, sizeof(*r));
    if (clamped)
        *clamped = 0;
    if (len > MEMREPORT_TEXT_MAX)
        return xn_msg_set(msg, XN_EINVAL,
                          "memory report is %zu bytes long (at most %d)",
                          len, MEMREPORT_TEXT_MAX);
    if (memchr(text, '\0', len))
        return xn_msg_set(msg, XN_EINVAL, "memory report contains a NUL byte");

    while (i < len) {
        size_t start, n, klen;
        const char *tok, *eq;

        while (i < len && is_sep(text[i]))
            i++;
        if (i == len)
            break;
        start = i;
        while (i < len && !is_sep(text[i]))
            i++;
        tok = text + start;
        n = i - start;
        eq = memchr(tok, '=', n);
        if (!eq || eq == tok)
            return xn_msg_set(msg, XN_EINVAL,
                              "field \"%.*s\" is not key=value", (int)n, tok);
        klen = (size_t)(eq - tok);
        if (klen == 1 && tok[0] == 'v') {
            uint64_t v;
            if (parse_u64(eq + 1, n - 2, &v) < 0 || v == 0)
                return xn_msg_set(msg, XN_EINVAL,
                                  "field \"%.*s\" is not a version", (int)n,
                                  tok);
            continue;
        }
        for (size_t k = 0; k < NFIELDS; k++) {
            if (strlen(fields[k].key) != klen ||
                memcmp(fields[k].key, tok, klen) != 0)
                continue;
            if (set_field(r, &fields[k], eq + 1, n - klen - 1, &clamp) < 0)
                return xn_msg_set(msg, XN_EINVAL,
                                  "field \"%.*s\" is not a number", (int)n,
                                  tok);
            have_total |= fields[k].off == TOTAL_OFF;
            have_avail |= fields[k].off == AVAIL_OFF;
            break;
        }
    }
    if (!have_total || !have_avail)
        return xn_msg_set(msg, XN_EINVAL, "memory report \"%.*s\" has no %s",
                          (int)(len > 80 ? 80 : len), text,
                          have_total ? "avail" : "total");
    if (r->avail_kb > r->total_kb) {
        r->avail_kb = r->total_kb;
        clamp = 1;
    }
    if (clamped)
        *clamped = clamp;
    return 0;
}
