/* fuzz_libvirt_xml.c - libFuzzer: libvirt domain XML as a client may send
 * it to create.  The XML is mapped to xl.cfg settings and parsed by the
 * xl.cfg parser (libxlutil leaks on some syntax errors: run with
 * -detect_leaks=0); what matters is that neither libxml2's input nor the
 * mapping ever crashes, and that what is accepted can be written back. */
#include <stdint.h>
#include <stdlib.h>

#include "config/libvirt_conv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    libxl_domain_config cfg;
    struct xlcfg_warnings warn;
    struct xlcfg_opts opts = {.warn = &warn};
    struct xn_msg msg;

    libxl_domain_config_init(&cfg);
    if (libvirt_xml_parse("fuzz.xml", (const char *)data, size, &opts, &cfg,
                          &msg) == 0) {
        char *xml = libvirt_xml_format(&cfg, NULL);
        free(xml);
    }
    libxl_domain_config_dispose(&cfg);
    return 0;
}
