/* proto_int.h - what proto.c and proto_decode.c share; not for others. */
#ifndef XENITH_PROTO_INT_H
#define XENITH_PROTO_INT_H

#include "proto.h"
#include "utf8.h"

/* Bytes of untrusted text quoted in an error message. */
#define QUOTE_MAX 60

/* A quoted piece of untrusted text: control characters, '"' and invalid
 * UTF-8 shown as '?', cut at QUOTE_MAX bytes. */
struct quote {
    char s[QUOTE_MAX + 8];
};

static inline const char *quote(struct quote *q, const char *s, size_t len)
{
    return xn_quote(s, len, QUOTE_MAX, q->s, sizeof(q->s));
}

#define INT64_RANGE "out of the 64-bit integer range"

#endif
