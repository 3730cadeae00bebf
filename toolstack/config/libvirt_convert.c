/*
 * libvirt_convert.c - config-convert: a configuration file (xl.cfg or
 * libvirt XML) read as create reads it, and written as libvirt domain XML
 * or as xl.cfg.  The CLI's way in: it sees no libxl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_conv.h"
#include "config/xlcfg_check.h"
#include "config/xlcfg_write.h"

/* Append the writer's warnings (`more`, named by nothing) to *warn,
 * naming the file. */
static void add_warnings(struct xlcfg_warnings *warn, const char *path,
                         const struct xlcfg_warnings *more)
{
    for (int i = 0; warn && i < more->n; i++) {
        if (warn->n == XLCFG_WARN_MAX) {
            warn->dropped++;
            continue;
        }
        snprintf(warn->text[warn->n++], XN_MSG_MAX, "%s: %s", path,
                 more->text[i]);
    }
}

/* The output in format `to` of the parsed cfg (from `text`, `xml` says
 * whether it is XML).  0 or a negative XN_* code with msg filled. */
static int write_out(const char *path, const char *text, size_t len,
                     bool xml, enum convert_format to,
                     const libxl_domain_config *cfg, char **out_r,
                     struct xlcfg_warnings *warn, struct xn_msg *msg)
{
    struct xlcfg_warnings more = {0};

    switch (to) {
    case CONVERT_TO_LIBVIRT:
        *out_r = libvirt_xml_format(cfg, &more);
        add_warnings(warn, path, &more);
        break;
    case CONVERT_TO_XL:
        /* The XML's warnings were given by the parse: not twice. */
        if (xml)
            return libvirt_xml_to_xlcfg(path, text, len, out_r, &more, msg);
        if (!(*out_r = xlcfg_write(cfg, msg))) {
            char why[XN_MSG_MAX];
            snprintf(why, sizeof(why), "%s", msg->text);
            return xn_msg_set(msg, XN_EINVAL, "%s: %s", path, why);
        }
        return 0;
    }
    if (!*out_r)
        return xn_msg_set(msg, XN_ENOMEM, "%s: out of memory", path);
    return 0;
}

int libvirt_convert_file(const char *path, enum convert_format to,
                         char **out_r, struct xlcfg_warnings *warn,
                         struct xn_msg *msg)
{
    struct xlcfg_opts opts = {.warn = warn};
    libxl_domain_config cfg;
    char *text = NULL;
    size_t len;
    int rc;

    *out_r = NULL;
    libxl_domain_config_init(&cfg);
    if ((rc = xlcfg_read_file(path, &text, &len, msg)) < 0)
        goto out;
    rc = libvirt_or_xlcfg_parse(path, text, len, &opts, &cfg, msg);
    if (rc == 0)
        rc = write_out(path, text, len, libvirt_text_is_xml(text, len), to,
                       &cfg, out_r, warn, msg);
out:
    free(text);
    libxl_domain_config_dispose(&cfg);
    return rc;
}
