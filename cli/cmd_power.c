/* cmd_power.c - shutdown and reboot, with an optional wait. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

struct power_opts {
    const char *cmd;
    bool wait;
    bool force;
    int64_t timeout_s;
};

static int power_opt(int c, const char *optarg, void *arg)
{
    struct power_opts *o = arg;
    switch (c) {
    case 'w': o->wait = true; break;
    case 'f': o->force = true; break;
    case 't':
        o->timeout_s = cli_parse_int(o->cmd, "timeout", optarg, 1, 86400);
        if (o->timeout_s < 0)
            return EXIT_USAGE;
        o->wait = true;
        break;
    }
    return 0;
}

static int power(int argc, char **argv, const char *cmd, bool reboot)
{
    static const struct option longopts[] = {
        {"wait", no_argument, NULL, 'w'},
        {"timeout", required_argument, NULL, 't'},
        {"force", no_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    struct power_opts o = {.cmd = cmd, .timeout_s = 300};
    struct json_object *args, *res;
    int status;

    if (cli_getopt(argc, argv, cmd, "wt:", longopts, power_opt, &o,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, cmd, 1, 1)))
        return status;
    if (o.force && !o.wait)
        return cli_usage_error(cmd, "--force needs -w: the domain is "
                               "destroyed only after the wait times out");
    args = cli_dom_args(argv[optind]);
    json_object_object_add(args, "reboot", json_object_new_boolean(reboot));
    json_object_object_add(args, "wait", json_object_new_boolean(o.wait));
    json_object_object_add(args, "force", json_object_new_boolean(o.force));
    json_object_object_add(args, "timeout_ms",
                           json_object_new_int64(o.timeout_s * 1000));
    if ((status = cli_call("domain.shutdown", args, &res)))
        return status;
    if (jbool(res, "forced"))
        printf("Domain %s (id %lld) did not %s in %lld s: destroyed\n",
               jstr(res, "name"), (long long)jint(res, "domid"),
               reboot ? "reboot" : "shut down", (long long)o.timeout_s);
    json_object_put(res);
    return 0;
}

int cmd_shutdown(int argc, char **argv)
{
    return power(argc, argv, "shutdown", false);
}

int cmd_reboot(int argc, char **argv)
{
    return power(argc, argv, "reboot", true);
}
