/* cmd_convert.c - config-convert: a domain's configuration (xl.cfg or
 * libvirt XML) written as libvirt domain XML or as xl.cfg, with no daemon. */
#include "cli.h"
#include "config/libvirt_xml.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int opt_to(int c, const char *arg, void *opaque)
{
    const char **to = opaque;

    if (c == 't')
        *to = arg;
    return 0;
}

int cmd_config_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"to", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    struct xlcfg_warnings warn;
    struct xn_msg msg;
    const char *to = NULL;
    enum convert_format format;
    char *out = NULL;
    int status;

    if (cli_getopt(argc, argv, "config-convert", "t:", longopts, opt_to, &to,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "config-convert", 1, 1)))
        return status;
    if (to && strcmp(to, "libvirt") == 0) {
        format = CONVERT_TO_LIBVIRT;
    } else if (to && strcmp(to, "xl") == 0) {
        format = CONVERT_TO_XL;
    } else {
        cli_error("config-convert: --to %s: the formats are: libvirt, xl",
                  to ? to : "(missing)");
        return 2;
    }
    if (libvirt_convert_file(argv[optind], format, &out, &warn, &msg) < 0) {
        cli_error("%s", msg.text);
        return 1;
    }
    cli_print_xlcfg_warnings(&warn);
    fputs(out, stdout);
    free(out);
    return 0;
}
