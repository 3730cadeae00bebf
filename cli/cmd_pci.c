/* cmd_pci.c - PCI passthrough: pci-assignable-list, pci-assignable-add,
 * pci-assignable-remove, pci-attach, pci-detach and pci-list, printed as
 * xl prints them.  Addresses are checked here (hv_pci_addr_parse); a PCI
 * spec string goes to the daemon as it is, which parses it as xl does. */
#include "cli.h"
#include "hv_types.h"

#include <getopt.h>
#include <stdio.h>

/* argv[i] as an address, in the canonical form into out; a usage error
 * quoting it otherwise. */
static int addr_arg(const char *cmd, const char *text,
                    char out[HV_PCI_ADDR_LEN])
{
    struct hv_pci_addr a;
    struct xn_msg msg;

    if (hv_pci_addr_parse(text, &a, &msg) < 0)
        return cli_usage_error(cmd, "%s", msg.text);
    hv_pci_addr_str(&a, out);
    return 0;
}

static const struct option json_opts[] = {
    {"json", no_argument, NULL, 'j'},
    {NULL, 0, NULL, 0},
};

/* xl prints the free devices, one address a line; those a domain has are
 * listed too, with the domain's name after the address. */
int cmd_pci_assignable_list(int argc, char **argv)
{
    struct json_object *res, *devs;
    bool json = false;
    size_t n;
    int status;

    if (cli_getopt(argc, argv, "pci-assignable-list", "", json_opts,
                   cli_opt_flag, &json, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "pci-assignable-list", 0, 0)))
        return status;
    if ((status = cli_call("pci.assignable_list", NULL, &res)))
        return status;
    n = jarray(res, "devices", &devs);
    if (json) {
        cli_print_json(devs);
    } else {
        for (size_t i = 0; i < n; i++) {
            struct json_object *d = json_object_array_get_idx(devs, i), *id;
            if (json_object_object_get_ex(d, "domid", &id) && id)
                printf("%s %s\n", jstr(d, "addr"), *jstr(d, "domain")
                       ? jstr(d, "domain") : json_object_get_string(id));
            else
                printf("%s\n", jstr(d, "addr"));
        }
    }
    json_object_put(res);
    return 0;
}

/* A command whose argument is one address: {"addr": ...} (+ "rebind"). */
static int addr_call(const char *cmd, const char *op, const char *text,
                     int rebind)
{
    char s[HV_PCI_ADDR_LEN];
    struct json_object *args, *res;
    int status = addr_arg(cmd, text, s);

    if (status)
        return status;
    args = json_object_new_object();
    json_object_object_add(args, "addr", json_object_new_string(s));
    if (rebind >= 0)
        json_object_object_add(args, "rebind",
                               json_object_new_boolean(rebind));
    if ((status = cli_call(op, args, &res)))
        return status;
    json_object_put(res);
    return 0;
}

int cmd_pci_assignable_add(int argc, char **argv)
{
    int status;

    if (cli_getopt(argc, argv, "pci-assignable-add", "", NULL, cli_opt_none,
                   NULL, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "pci-assignable-add", 1, 1)))
        return status;
    return addr_call("pci-assignable-add", "pci.assignable_add",
                     argv[optind], -1);
}

int cmd_pci_assignable_remove(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rebind", no_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    bool rebind = false;
    int status;

    if (cli_getopt(argc, argv, "pci-assignable-remove", "r", longopts,
                   cli_opt_flag, &rebind, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "pci-assignable-remove", 1, 1)))
        return status;
    return addr_call("pci-assignable-remove", "pci.assignable_remove",
                     argv[optind], rebind);
}

int cmd_pci_attach(int argc, char **argv)
{
    struct json_object *args, *res;
    int status;

    if (cli_getopt(argc, argv, "pci-attach", "", NULL, cli_opt_none, NULL,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "pci-attach", 2, 2)))
        return status;
    args = cli_dom_args(argv[optind]);
    json_object_object_add(args, "spec",
                           json_object_new_string(argv[optind + 1]));
    if ((status = cli_call("pci.attach", args, &res)))
        return status;
    json_object_put(res);
    return 0;
}

int cmd_pci_detach(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"force", no_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    char s[HV_PCI_ADDR_LEN];
    struct json_object *args, *res;
    bool force = false;
    int status;

    if (cli_getopt(argc, argv, "pci-detach", "f", longopts, cli_opt_flag,
                   &force, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "pci-detach", 2, 2)) ||
        (status = addr_arg("pci-detach", argv[optind + 1], s)))
        return status;
    args = cli_dom_args(argv[optind]);
    json_object_object_add(args, "addr", json_object_new_string(s));
    json_object_object_add(args, "force", json_object_new_boolean(force));
    if ((status = cli_call("pci.detach", args, &res)))
        return status;
    json_object_put(res);
    return 0;
}

/* xl's "Vdev Device" table; nothing at all when the domain has none. */
int cmd_pci_list(int argc, char **argv)
{
    struct json_object *res, *devs;
    bool json = false;
    size_t n;
    int status;

    if (cli_getopt(argc, argv, "pci-list", "", json_opts, cli_opt_flag,
                   &json, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "pci-list", 1, 1)))
        return status;
    if ((status = cli_call("pci.list", cli_dom_args(argv[optind]), &res)))
        return status;
    n = jarray(res, "pci", &devs);
    if (json)
        cli_print_json(res);
    else if (n > 0)
        printf("Vdev Device\n");
    for (size_t i = 0; !json && i < n; i++) {
        struct json_object *d = json_object_array_get_idx(devs, i), *v;
        if (json_object_object_get_ex(d, "vslot", &v) && v)
            printf("%02x.0 %s\n", (unsigned)json_object_get_int(v),
                   jstr(d, "addr"));
        else
            printf("--.- %s\n", jstr(d, "addr"));
    }
    json_object_put(res);
    return 0;
}
