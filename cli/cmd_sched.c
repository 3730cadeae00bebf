/* cmd_sched.c - sched-credit, sched-credit2 and cpupool-list, as xl has them. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

struct sched_opts {
    const char *cmd;
    const char *sched;          /* "credit" or "credit2" */
    const char *dom;
    const char *pool;
    bool pool_mode;             /* -s */
    bool json;
    int64_t weight, cap, tslice, ratelimit;     /* -1: not given */
};

static int sched_opt(int c, const char *optarg, void *arg)
{
    struct sched_opts *o = arg;
    int64_t *target = NULL, min = 0, max = 0;
    const char *what = NULL;

    switch (c) {
    case 'd': o->dom = optarg; return 0;
    case 'p': o->pool = optarg; return 0;
    case 's': o->pool_mode = true; return 0;
    case 'j': o->json = true; return 0;
    case 'w': target = &o->weight; what = "weight"; min = 1; max = 65535;
        break;
    case 'c': target = &o->cap; what = "cap"; min = 0; max = 65535; break;
    case 't': target = &o->tslice; what = "tslice"; min = 1; max = 1000;
        break;
    case 'r': target = &o->ratelimit; what = "ratelimit"; min = 0;
        max = 500000; break;
    default: return 0;
    }
    *target = cli_parse_int(o->cmd, what, optarg, min, max);
    return *target < 0 ? EXIT_USAGE : 0;
}

static void print_doms(struct json_object *res)
{
    struct json_object *doms;
    json_object_object_get_ex(res, "domains", &doms);
    printf("%-32s %5s %6s %4s\n", "Name", "ID", "Weight", "Cap");
    for (size_t i = 0; i < json_object_array_length(doms); i++) {
        struct json_object *d = json_object_array_get_idx(doms, i);
        printf("%-32s %5lld %6lld %4lld\n", jstr(d, "name"),
               (long long)jint(d, "domid"), (long long)jint(d, "weight"),
               (long long)jint(d, "cap"));
    }
}

static void print_pool(struct json_object *p)
{
    struct json_object *v;
    printf("Cpupool %s:", jstr(p, "name"));
    if (json_object_object_get_ex(p, "tslice_ms", &v))
        printf(" tslice=%lldms", (long long)json_object_get_int64(v));
    if (json_object_object_get_ex(p, "ratelimit_us", &v))
        printf(" ratelimit=%lldus", (long long)json_object_get_int64(v));
    putchar('\n');
}

static int pool_mode(struct sched_opts *o)
{
    struct json_object *args = json_object_new_object(), *res;
    bool set = o->tslice >= 0 || o->ratelimit >= 0;
    int status;

    json_object_object_add(args, "sched", json_object_new_string(o->sched));
    if (o->pool)
        json_object_object_add(args, "pool", json_object_new_string(o->pool));
    if (o->tslice >= 0)
        json_object_object_add(args, "tslice_ms",
                               json_object_new_int64(o->tslice));
    if (o->ratelimit >= 0)
        json_object_object_add(args, "ratelimit_us",
                               json_object_new_int64(o->ratelimit));
    status = cli_call(set ? "pool.sched_set" : "pool.sched_get", args, &res);
    if (status)
        return status;
    if (o->json)
        cli_print_json(res);
    else if (!set)
        print_pool(res);
    json_object_put(res);
    return 0;
}

static int sched(int argc, char **argv, const char *cmd, const char *name,
                 bool has_tslice)
{
    static const struct option longopts[] = {
        {"domain", required_argument, NULL, 'd'},
        {"weight", required_argument, NULL, 'w'},
        {"cap", required_argument, NULL, 'c'},
        {"cpupool", required_argument, NULL, 'p'},
        {"schedparam", no_argument, NULL, 's'},
        {"tslice_ms", required_argument, NULL, 't'},
        {"ratelimit_us", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct sched_opts o = {.cmd = cmd, .sched = name, .weight = -1,
                           .cap = -1, .tslice = -1, .ratelimit = -1};
    struct json_object *args, *res;
    int status;

    if (cli_getopt(argc, argv, cmd, has_tslice ? "d:w:c:p:st:r:"
                                               : "d:w:c:p:sr:",
                   longopts, sched_opt, &o, &status))
        return status;
    if ((status = cli_nargs(argc, argv, cmd, 0, 0)))
        return status;
    if (!has_tslice && o.tslice >= 0)
        return cli_usage_error(cmd, "credit2 has no tslice");
    if (!o.pool_mode && (o.tslice >= 0 || o.ratelimit >= 0))
        return cli_usage_error(cmd, "-t and -r set pool parameters: add -s");
    if (!o.pool_mode && o.pool)
        return cli_usage_error(cmd, "-p POOL goes with -s");
    if (o.pool_mode && (o.dom || o.weight >= 0 || o.cap >= 0))
        return cli_usage_error(cmd, "-s sets pool parameters; -d, -w and "
                               "-c set a domain's");
    if (o.pool_mode)
        return pool_mode(&o);
    if (!o.dom && (o.weight >= 0 || o.cap >= 0))
        return cli_usage_error(cmd, "-w and -c need -d DOMAIN");

    args = json_object_new_object();
    json_object_object_add(args, "sched", json_object_new_string(name));
    if (o.dom)
        json_object_object_add(args, "dom", json_object_new_string(o.dom));
    if (o.weight >= 0 || o.cap >= 0) {
        if (o.weight >= 0)
            json_object_object_add(args, "weight",
                                   json_object_new_int64(o.weight));
        if (o.cap >= 0)
            json_object_object_add(args, "cap", json_object_new_int64(o.cap));
        return cli_call("sched.set", args, NULL);
    }
    if ((status = cli_call("sched.get", args, &res)))
        return status;
    if (o.json)
        cli_print_json(res);
    else
        print_doms(res);
    json_object_put(res);
    return 0;
}

int cmd_sched_credit(int argc, char **argv)
{
    return sched(argc, argv, "sched-credit", "credit", true);
}

int cmd_sched_credit2(int argc, char **argv)
{
    return sched(argc, argv, "sched-credit2", "credit2", false);
}

int cmd_cpupool_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct json_object *res, *pools;
    bool json = false;
    int status;

    if (cli_getopt(argc, argv, "cpupool-list", "", longopts, cli_opt_flag,
                   &json, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "cpupool-list", 0, 0)))
        return status;
    if ((status = cli_call("pool.list", NULL, &res)))
        return status;
    json_object_object_get_ex(res, "pools", &pools);
    if (json) {
        cli_print_json(pools);
    } else {
        printf("%-20s %5s %-9s %-12s %s\n", "Name", "CPUs", "Sched", "CPU list",
               "Domain count");
        for (size_t i = 0; i < json_object_array_length(pools); i++) {
            struct json_object *p = json_object_array_get_idx(pools, i);
            printf("%-20s %5lld %-9s %-12s %lld\n", jstr(p, "name"),
                   (long long)jint(p, "n_cpus"), jstr(p, "scheduler"),
                   jstr(p, "cpus"), (long long)jint(p, "n_dom"));
        }
    }
    json_object_put(res);
    return 0;
}
