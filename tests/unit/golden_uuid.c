/*
 * golden_uuid.c - masking the random UUID of golden files whose config
 * sets no uuid (see golden_uuid.h).
 */
#include "golden_uuid.h"

#include <string.h>

int golden_sets_uuid(const char *cfg, size_t len)
{
    const char *p = cfg, *end = cfg + len;

    while (p < end) {
        const char *q = p;

        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if ((size_t)(end - q) > 4 && strncmp(q, "uuid", 4) == 0) {
            q += 4;
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
            if (q < end && *q == '=')
                return 1;
        }
        while (p < end && *p != '\n')
            p++;
        p++;
    }
    return 0;
}

void golden_mask_uuid(char *json)
{
    static const char key[] = "\"uuid\": \"";
    char *p = strstr(json, key);

    if (!p)
        return;
    for (p += sizeof(key) - 1; *p && *p != '"' && *p != '\n'; p++)
        *p = '0';
}
