/* fuzz_xlcfg.c - libFuzzer: xl.cfg text as a client may send it.  The
 * daemon parses such text in a child first (libxlutil leaks on some syntax
 * errors, so run this with -detect_leaks=0); what matters here is that the
 * mapping on top of libxlutil never crashes. */
#include <stdint.h>
#include <stdlib.h>

#include "config/xlcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    libxl_domain_config cfg;
    struct xn_msg msg;

    libxl_domain_config_init(&cfg);
    if (xlcfg_parse("fuzz.cfg", (const char *)data, size, &cfg, &msg) == 0) {
        char *json = xlcfg_dryrun_json(&cfg);
        free(json);
    }
    libxl_domain_config_dispose(&cfg);
    return 0;
}
