/* uuid.c - UUID text. */
#include "uuid.h"
#include "utf8.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

char *xn_uuid_format(const uint8_t u[16], char *buf)
{
    snprintf(buf, XN_UUID_TEXT,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
             u[10], u[11], u[12], u[13], u[14], u[15]);
    return buf;
}

int xn_uuid_parse(const char *text, uint8_t uuid[16])
{
    int n = 0;
    if (!text || strlen(text) != 36)
        return XN_EINVAL;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return XN_EINVAL;
            continue;
        }
        int h = xn_hex_digit(text[i]), l = xn_hex_digit(text[i + 1]);
        if (h < 0 || l < 0)
            return XN_EINVAL;
        uuid[n++] = (uint8_t)(h << 4 | l);
        i++;
    }
    return 0;
}
