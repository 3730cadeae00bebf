/* xlcfg_check.c - config-check: a file checked as create checks it. */
#include "config/xlcfg_check.h"
#include "config/libvirt_conv.h"
#include "config/xlcfg.h"
#include "domname.h"
#include "hv_libxl.h"

#include <stdio.h>
#include <stdlib.h>

static void summarise(const libxl_domain_config *c, struct xlcfg_summary *s)
{
    const libxl_domain_build_info *b = &c->b_info;

    snprintf(s->name, sizeof(s->name), "%s", c->c_info.name);
    s->type = hv_domtype_from_libxl(c->c_info.type);
    s->memory_kb = b->target_memkb;
    s->max_kb = b->max_memkb;
    /* libxl gives a domain without "vcpus" one vCPU. */
    s->vcpus = b->max_vcpus > 0 ? (unsigned)b->max_vcpus : 1;
    s->disks = (unsigned)c->num_disks;
    s->nics = (unsigned)c->num_nics;
}

int xlcfg_check_file(const char *path, struct xlcfg_summary *sum,
                     char **json_r, struct xlcfg_warnings *warn,
                     struct xn_msg *msg)
{
    struct xlcfg_opts opts = {.warn = warn};
    libxl_domain_config cfg;
    char *text = NULL;
    size_t len;
    int rc;

    if (json_r)
        *json_r = NULL;
    libxl_domain_config_init(&cfg);
    if ((rc = xlcfg_read_file(path, &text, &len, msg)) < 0 ||
        (rc = libvirt_or_xlcfg_parse(path, text, len, &opts, &cfg,
                                     msg)) < 0)
        goto out;
    {
        struct xn_msg why;
        if ((rc = dom_name_check_str(cfg.c_info.name, &why)) < 0) {
            rc = xn_msg_set(msg, rc, "%s: name: %s", path, why.text);
            goto out;
        }
    }
    summarise(&cfg, sum);
    if (json_r && !(*json_r = xlcfg_dryrun_json(&cfg)))
        rc = xn_msg_set(msg, XN_ENOMEM, "%s: cannot render the "
                        "configuration as JSON", path);
out:
    free(text);
    libxl_domain_config_dispose(&cfg);
    return rc;
}
