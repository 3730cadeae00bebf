/* cmd_config.c - config-check: parse an xl.cfg file as xl would, no daemon. */
#include "cli.h"
#include "config/xlcfg.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char *type_name(libxl_domain_type t)
{
    switch (t) {
    case LIBXL_DOMAIN_TYPE_PV: return "pv";
    case LIBXL_DOMAIN_TYPE_PVH: return "pvh";
    case LIBXL_DOMAIN_TYPE_HVM: return "hvm";
    default: return "unknown";
    }
}

static void summary(const char *path, const libxl_domain_config *c)
{
    const libxl_domain_build_info *b = &c->b_info;
    printf("%s: domain %s, %s, %llu MiB", path, c->c_info.name,
           type_name(c->c_info.type),
           (unsigned long long)(b->target_memkb / 1024));
    if (b->max_memkb != b->target_memkb)
        printf(" (max %llu MiB)", (unsigned long long)(b->max_memkb / 1024));
    printf(", %d vCPU%s, %d disk%s, %d network interface%s\n", b->max_vcpus,
           b->max_vcpus == 1 ? "" : "s", c->num_disks,
           c->num_disks == 1 ? "" : "s", c->num_nics,
           c->num_nics == 1 ? "" : "s");
}

int cmd_config_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    libxl_domain_config cfg;
    struct xn_msg msg;
    bool json = false;
    int status, rc;

    if (cli_getopt(argc, argv, "config-check", "", longopts, cli_opt_flag,
                   &json, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "config-check", 1, 1)))
        return status;
    libxl_domain_config_init(&cfg);
    rc = xlcfg_parse_file(argv[optind], &cfg, &msg);
    if (rc < 0) {
        cli_error("%s", msg.text);
        libxl_domain_config_dispose(&cfg);
        return 1;
    }
    if (json) {
        char *doc = xlcfg_dryrun_json(&cfg);
        if (!doc) {
            cli_error("%s: cannot render the configuration as JSON",
                      argv[optind]);
            libxl_domain_config_dispose(&cfg);
            return 1;
        }
        fputs(doc, stdout);
        free(doc);
    } else {
        summary(argv[optind], &cfg);
    }
    libxl_domain_config_dispose(&cfg);
    return 0;
}
