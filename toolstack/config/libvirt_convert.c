/*
 * libvirt_convert.c - config-convert --to libvirt: a configuration file
 * (xl.cfg or libvirt XML) read as create reads it, and written as libvirt
 * domain XML.  The CLI's way in: it sees no libxl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_conv.h"
#include "config/xlcfg_check.h"

int libvirt_convert_file(const char *path, char **xml_r,
                         struct xlcfg_warnings *warn, struct xn_msg *msg)
{
    struct xlcfg_opts opts = {.warn = warn};
    libxl_domain_config cfg;
    char *text = NULL;
    size_t len;
    int rc;

    *xml_r = NULL;
    libxl_domain_config_init(&cfg);
    if ((rc = xlcfg_read_file(path, &text, &len, msg)) < 0)
        goto out;
    if (libvirt_text_is_xml(text, len))
        rc = libvirt_xml_parse(path, text, len, &opts, &cfg, msg);
    else
        rc = xlcfg_parse_opts(path, text, len, &opts, &cfg, msg);
    if (rc < 0)
        goto out;
    /* The writer's warnings follow the reader's. */
    {
        struct xlcfg_warnings more = {0};
        *xml_r = libvirt_xml_format(&cfg, &more);
        for (int i = 0; warn && i < more.n; i++) {
            if (warn->n == XLCFG_WARN_MAX) {
                warn->dropped++;
                continue;
            }
            snprintf(warn->text[warn->n++], XN_MSG_MAX, "%s: %s", path,
                     more.text[i]);
        }
    }
    if (!*xml_r)
        rc = xn_msg_set(msg, XN_ENOMEM, "%s: out of memory", path);
out:
    free(text);
    libxl_domain_config_dispose(&cfg);
    return rc;
}
