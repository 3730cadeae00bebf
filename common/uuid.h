/* uuid.h - UUIDs as 16 bytes and as their usual 36-character text. */
#ifndef XENITH_UUID_H
#define XENITH_UUID_H

#include <stdint.h>

#define XN_UUID_TEXT 37     /* 36 characters and the NUL */

/* Format into buf (XN_UUID_TEXT bytes); returns buf. */
char *xn_uuid_format(const uint8_t uuid[16], char *buf);
/* Parse "00112233-4455-6677-8899-aabbccddeeff"; 0 or XN_EINVAL. */
int xn_uuid_parse(const char *text, uint8_t uuid[16]);

#endif
