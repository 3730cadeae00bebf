/* cmd_save.c - save a domain to a file, restore it from one. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The daemon opens the file, so it needs a path that means the same from
 * its working directory: make it absolute through the real directory. */
static int absolute(const char *path, char out[PATH_MAX])
{
    char d[PATH_MAX], b[PATH_MAX], real[PATH_MAX];

    if (strlen(path) >= PATH_MAX || !*path) {
        cli_error("file name \"%s\" is not usable", path);
        return -1;
    }
    snprintf(d, sizeof(d), "%s", path);
    snprintf(b, sizeof(b), "%s", path);
    if (!realpath(dirname(d), real)) {
        cli_error("cannot use %s: %s", path, strerror(errno));
        return -1;
    }
    if (snprintf(out, PATH_MAX, "%s/%s", strcmp(real, "/") ? real : "",
                 basename(b)) >= PATH_MAX) {
        cli_error("file name \"%s\" is too long", path);
        return -1;
    }
    return 0;
}

int cmd_save(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"checkpoint", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    struct json_object *args;
    bool checkpoint = false;
    char path[PATH_MAX];
    int status;

    if (cli_getopt(argc, argv, "save", "c", longopts, cli_opt_flag,
                   &checkpoint, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "save", 2, 2)))
        return status;
    if (absolute(argv[optind + 1], path) < 0)
        return 1;
    args = cli_dom_args(argv[optind]);
    json_object_object_add(args, "path", json_object_new_string(path));
    json_object_object_add(args, "checkpoint",
                           json_object_new_boolean(checkpoint));
    return cli_call("domain.save", args, NULL);
}

struct restore_opts {
    bool paused;
    const char *name;
};

static int restore_opt(int c, const char *optarg, void *arg)
{
    struct restore_opts *o = arg;
    if (c == 'p')
        o->paused = true;
    else if (c == 'n')
        o->name = optarg;
    return 0;
}

int cmd_restore(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"paused", no_argument, NULL, 'p'},
        {"name", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    struct restore_opts o = {0};
    struct json_object *args, *res;
    char path[PATH_MAX];
    int status;

    if (cli_getopt(argc, argv, "restore", "pn:", longopts, restore_opt, &o,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "restore", 1, 1)))
        return status;
    if (absolute(argv[optind], path) < 0)
        return 1;
    args = json_object_new_object();
    json_object_object_add(args, "path", json_object_new_string(path));
    json_object_object_add(args, "paused", json_object_new_boolean(o.paused));
    if (o.name)
        json_object_object_add(args, "name", json_object_new_string(o.name));
    if ((status = cli_call("domain.restore", args, &res)))
        return status;
    printf("Restored domain %s (id %lld)%s\n", jstr(res, "name"),
           (long long)jint(res, "domid"), o.paused ? ", paused" : "");
    json_object_put(res);
    return 0;
}
