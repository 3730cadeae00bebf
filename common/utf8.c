/* utf8.c - UTF-8 validation and safe quoting of untrusted text. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* Length of the well-formed sequence at s (at most `left` bytes), or 0. */
static size_t seq_len(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp, min;

    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

bool xn_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        size_t n = seq_len(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

char *xn_quote(const char *s, size_t len, size_t max, char *out,
               size_t outlen)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;

    if (outlen == 0)
        return out;
    while (i < len && i < max) {
        size_t n = seq_len(p + i, len - i);
        if (n == 0 || p[i] < 0x20 || p[i] == 0x7f || p[i] == '"' ||
            i + n > max) {
            n = n ? n : 1;
            if (i + n > max)
                break;
            if (o + 1 >= outlen)
                break;
            out[o++] = '?';
        } else {
            if (o + n >= outlen)
                break;
            memcpy(out + o, p + i, n);
            o += n;
        }
        i += n;
    }
    if (i < len && o + 3 < outlen) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

int xn_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
