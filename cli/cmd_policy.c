/* cmd_policy.c - show and change a domain's policy. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* Every setting the daemon's services take, set or "(default)", in the
 * order the daemon lists them; then any the file holds that no running
 * service takes. */
static void print_policy(struct json_object *res)
{
    struct json_object *pol = NULL, *keys = NULL, *v;
    size_t n;

    json_object_object_get_ex(res, "policy", &pol);
    json_object_object_get_ex(res, "keys", &keys);
    printf("%s (id %lld, uuid %s)\n", jstr(res, "name"),
           (long long)jint(res, "domid"), jstr(res, "uuid"));
    n = keys ? json_object_array_length(keys) : 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *k = json_object_array_get_idx(keys, i);
        const char *name = jstr(k, "name"), *unit = jstr(k, "unit");
        bool set = json_object_object_get_ex(pol, name, &v);
        printf("  %-16s %s%s%s\n", name,
               set ? json_object_get_string(v) : "(default)",
               set && *unit ? " " : "", set ? unit : "");
    }
    json_object_object_foreach(pol, key, val) {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(jstr(json_object_array_get_idx(keys, i), "name"),
                           key) == 0;
        if (!known)
            printf("  %-16s %s (no service takes it)\n", key,
                   json_object_get_string(val));
    }
}

int cmd_policy(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct json_object *set, *unset, *res;
    bool json = false, change = false;
    int status;

    if (cli_getopt(argc, argv, "policy", "", longopts, cli_opt_flag, &json,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "policy", 1, -1)))
        return status;
    set = json_object_new_object();
    unset = json_object_new_array();
    for (int i = optind + 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
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
    if (change)
        return cli_policy_set(argv[optind], set, unset, json);
    json_object_put(set);
    json_object_put(unset);
    if ((status = cli_call("policy.get", cli_dom_args(argv[optind]), &res)))
        return status;
    if (json)
        cli_print_json(res);
    else
        print_policy(res);
    json_object_put(res);
    return 0;
}

int cli_policy_set(const char *dom, struct json_object *take_set,
                   struct json_object *take_unset, bool json)
{
    struct json_object *args = cli_dom_args(dom), *res;
    int status;

    json_object_object_add(args, "set",
                           take_set ? take_set : json_object_new_object());
    json_object_object_add(args, "unset",
                           take_unset ? take_unset : json_object_new_array());
    if ((status = cli_call("policy.set", args, &res)))
        return status;
    if (json)
        cli_print_json(res);
    json_object_put(res);
    return 0;
}
