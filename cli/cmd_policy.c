/* cmd_policy.c - show and change a domain's policy. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void print_policy(struct json_object *res)
{
    static const char *const keys[] = {"priority", "balloon-min",
                                       "balloon-max", "migrate"};
    struct json_object *pol, *v;

    json_object_object_get_ex(res, "policy", &pol);
    printf("%s (id %lld, uuid %s)\n", jstr(res, "name"),
           (long long)jint(res, "domid"), jstr(res, "uuid"));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        bool set = json_object_object_get_ex(pol, keys[i], &v);
        bool size = strncmp(keys[i], "balloon", 7) == 0;
        printf("  %-12s %s%s\n", keys[i],
               set ? json_object_get_string(v) : "(default)",
               set && size ? " MiB" : "");
    }
}

int cmd_policy(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct json_object *args, *set, *unset, *res;
    bool json = false, change = false;
    int status;

    if (cli_getopt(argc, argv, "policy", "", longopts, cli_opt_flag, &json,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "policy", 1, -1)))
        return status;
    args = cli_dom_args(argv[optind]);
    set = json_object_new_object();
    unset = json_object_new_array();
    for (int i = optind + 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            json_object_put(args);
            json_object_put(set);
            json_object_put(unset);
            return cli_usage_error("policy", "\"%s\" is not KEY=VALUE (or "
                                   "KEY= to unset)", argv[i]);
        }
        *eq = '\0';
        if (eq[1])
            json_object_object_add(set, argv[i],
                                   json_object_new_string(eq + 1));
        else
            json_object_array_add(unset, json_object_new_string(argv[i]));
        change = true;
    }
    json_object_object_add(args, "set", set);
    json_object_object_add(args, "unset", unset);
    if ((status = cli_call(change ? "policy.set" : "policy.get", args, &res)))
        return status;
    if (json)
        cli_print_json(res);
    else if (!change)
        print_policy(res);
    json_object_put(res);
    return 0;
}
