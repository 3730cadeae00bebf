/* utf8.h - checking untrusted text before it is used or echoed, and
 * reading it. */
#ifndef XENITH_UTF8_H
#define XENITH_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF).  NUL bytes are allowed here; callers
 * that want none compare strlen with the length. */
bool xn_utf8_valid(const char *s, size_t len);

/* Copy at most `max` bytes of untrusted text into out (outlen bytes, NUL
 * terminated) for quoting in a message: control characters, '"' and
 * invalid UTF-8 become '?', and "..." marks a cut.  Returns out. */
char *xn_quote(const char *s, size_t len, size_t max, char *out,
               size_t outlen);

/* The value of a hexadecimal digit, or -1. */
int xn_hex_digit(char c);

#endif
