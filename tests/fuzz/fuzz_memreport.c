/* fuzz_memreport.c - libFuzzer: whatever a guest writes as its memory
 * report.  The parser must accept or refuse with a message, never read
 * past the input, and what it accepts must be in range and survive a
 * round trip through the formatter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memreport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct memreport r, again;
    struct xn_msg msg;
    char buf[MEMREPORT_TEXT_MAX];
    char *copy = malloc(size ? size : 1);   /* exact size: ASan sees overreads */

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (memreport_parse(copy, size, &r, NULL, &msg) == 0) {
        if (r.avail_kb > r.total_kb || r.total_kb > MEMREPORT_KB_MAX ||
            r.some10 > 10000 || r.full10 > 10000 || r.every_s > 3600)
            abort();
        if (memreport_format(&r, buf, sizeof(buf)) < 0 ||
            memreport_parse(buf, strlen(buf), &again, NULL, &msg) != 0 ||
            memcmp(&r, &again, sizeof(r)) != 0)
            abort();
    }
    free(copy);
    return 0;
}
