/* cmd_config.c - config-check: an xl.cfg file (or libvirt domain XML)
 * checked as create would check it, with no daemon. */
#include "cli.h"
#include "config/xlcfg_check.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void summary(const char *path, const struct xlcfg_summary *s)
{
    printf("%s: domain %s, %s, %llu MiB", path, s->name,
           hv_domtype_name(s->type),
           (unsigned long long)(s->memory_kb / 1024));
    if (s->max_kb != s->memory_kb)
        printf(" (max %llu MiB)", (unsigned long long)(s->max_kb / 1024));
    printf(", %u vCPU%s, %u disk%s, %u network interface%s\n", s->vcpus,
           s->vcpus == 1 ? "" : "s", s->disks, s->disks == 1 ? "" : "s",
           s->nics, s->nics == 1 ? "" : "s");
}

int cmd_config_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct xlcfg_summary sum;
    struct xlcfg_warnings warn;
    struct xn_msg msg;
    char *doc = NULL;
    bool json = false;
    int status;

    if (cli_getopt(argc, argv, "config-check", "", longopts, cli_opt_flag,
                   &json, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "config-check", 1, 1)))
        return status;
    if (xlcfg_check_file(argv[optind], &sum, json ? &doc : NULL, &warn,
                         &msg) < 0) {
        cli_error("%s", msg.text);
        return 1;
    }
    cli_print_xlcfg_warnings(&warn);
    if (json)
        fputs(doc, stdout);
    else
        summary(argv[optind], &sum);
    free(doc);
    return 0;
}
