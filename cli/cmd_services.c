/* cmd_services.c - the daemon's services and what each does now; one
 * service's status through the operation it adds. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static void print_words(const char *label, struct json_object *a)
{
    size_t n = a ? json_object_array_length(a) : 0;

    printf("  %-8s", label);
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? ", " : "",
               json_object_get_string(json_object_array_get_idx(a, i)));
    printf("%s\n", n ? "" : "(none)");
}

static void print_service(struct json_object *s)
{
    struct json_object *v;

    printf("%s: %s\n", jstr(s, "name"), jstr(s, "summary"));
    json_object_object_get_ex(s, "ops", &v);
    print_words("ops", v);
    json_object_object_get_ex(s, "keys", &v);
    print_words("policy", v);
    if (json_object_object_get_ex(s, "status", &v)) {
        json_object_object_foreach(v, key, val)
            printf("  %s: %s\n", key, json_object_get_string(val));
    }
}

int cmd_services(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct json_object *res, *list;
    bool json = false;
    int status;

    if (cli_getopt(argc, argv, "services", "", longopts, cli_opt_flag, &json,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "services", 0, 1)))
        return status;
    if (optind < argc) {
        /* One service: its own status operation. */
        char op[128];
        snprintf(op, sizeof(op), "%.100s.status", argv[optind]);
        if ((status = cli_call(op, NULL, &res)))
            return status;
        if (json) {
            cli_print_json(res);
        } else {
            json_object_object_foreach(res, key, val)
                printf("%s: %s\n", key, json_object_get_string(val));
        }
        json_object_put(res);
        return 0;
    }
    if ((status = cli_call("services.list", NULL, &res)))
        return status;
    if (json) {
        cli_print_json(res);
    } else if (json_object_object_get_ex(res, "services", &list)) {
        for (size_t i = 0; i < json_object_array_length(list); i++)
            print_service(json_object_array_get_idx(list, i));
    }
    json_object_put(res);
    return 0;
}
