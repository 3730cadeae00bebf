/*
 * cmd_schedtune.c - the scheduler tuning service from the command line:
 * sched status (sched.status) and sched set (the sched.class policy key
 * through policy.set).  xl's own scheduler commands (sched-credit,
 * sched-credit2, cpupool-list) are in cmd_sched.c.
 *
 * Utilisation and pressure are shown in % of the pool's CPUs, use and
 * demand in CPUs' worth; a figure the daemon leaves out or sends as null,
 * a cap of 0 (none) and an administrator's value not chosen show as "-".
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* --- formatting the status --- */

/* A fraction as a whole percentage. */
static const char *cell_pct(char buf[CLI_CELL], struct json_object *o,
                            const char *key)
{
    double v;

    if (!jnum(o, key, &v))
        return "-";
    snprintf(buf, CLI_CELL, "%.0f%%", v * 100);
    return buf;
}

/* CPUs' worth with two decimals, and a mark after it when `mark`. */
static const char *cell_cpus(char buf[CLI_CELL], struct json_object *o,
                             const char *key, bool mark)
{
    double v;

    if (!jnum(o, key, &v))
        return "-";
    snprintf(buf, CLI_CELL, "%.2f%s", v, mark ? "*" : "");
    return buf;
}

/* A cap: percent of one CPU, 0 meaning none. */
static const char *cell_cap(char buf[CLI_CELL], struct json_object *o,
                            const char *key)
{
    double v;

    if (!jnum(o, key, &v) || v == 0)
        return "-";
    return cell_int(buf, o, key, "", true);
}

/* An array of strings joined with commas ("-" when empty). */
static const char *cell_list(char buf[CLI_CELL], struct json_object *o,
                             const char *key)
{
    struct json_object *a;
    size_t n = jarray(o, key, &a), len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(a,
                                                                         i));
        len += (size_t)snprintf(buf + len, len < CLI_CELL ? CLI_CELL - len
                                : 0, "%s%s", i ? "," : "", s ? s : "?");
        if (len >= CLI_CELL)
            break;
    }
    return buf[0] ? buf : "-";
}

/* A string member, "-" when absent, null or empty. */
static const char *cell_str(struct json_object *o, const char *key)
{
    const char *s = jstr(o, key);
    return *s ? s : "-";
}

static void print_pools(struct json_object *res)
{
    struct json_object *a;
    size_t n = jarray(res, "pools", &a);
    int w = jwidth(a, n, "name", 4);
    char b[7][CLI_CELL];

    if (n == 0) {
        printf("no pools\n");
        return;
    }
    printf("%-*s %4s %-8s %4s %5s %8s %-10s %7s %5s %s\n", w, "POOL", "ID",
           "SCHED", "CPUS", "UTIL", "PRESSURE", "STATE", "SINCE", "LEVEL",
           "THROTTLED");
    for (size_t i = 0; i < n; i++) {
        struct json_object *p = json_object_array_get_idx(a, i);
        printf("%-*s %4s %-8s %4s %5s %8s %-10s %7s %5s %s\n", w,
               cell_str(p, "name"), cell_int(b[0], p, "poolid", "", true),
               cell_str(p, "sched"), cell_int(b[1], p, "cpus", "", true),
               cell_pct(b[2], p, "util"), cell_pct(b[3], p, "pressure"),
               cell_str(p, "state"), cell_secs(b[4], p, "since_s"),
               cell_int(b[5], p, "level", "", true),
               cell_list(b[6], p, "throttled_classes"));
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *p = json_object_array_get_idx(a, i);
        if (*jstr(p, "note"))
            printf("%s: %s\n", cell_str(p, "name"), jstr(p, "note"));
    }
}

/* Whether the reply says outright that the demand is an estimate. */
static bool demand_guessed(struct json_object *d)
{
    struct json_object *v;

    return json_object_object_get_ex(d, "demand_known", &v) &&
           json_object_is_type(v, json_type_boolean) &&
           !json_object_get_boolean(v);
}

/* One domain's row; returns whether its demand is an estimate. */
static bool print_domain(struct json_object *d, int wname)
{
    bool guessed = demand_guessed(d);
    char b[11][CLI_CELL];

    printf("%-*s %5s %4s %-8s %5s %6s %7s %6s %4s %6s %8s %7s %9s %s\n",
           wname, cell_str(d, "name"), cell_int(b[0], d, "domid", "", true),
           cell_int(b[1], d, "pool", "", true), cell_str(d, "class"),
           cell_int(b[2], d, "vcpus", "", true),
           cell_cpus(b[3], d, "use", false),
           cell_cpus(b[4], d, "demand", guessed),
           cell_int(b[5], d, "weight", "", true), cell_cap(b[6], d, "cap"),
           cell_int(b[7], d, "base_weight", "", true),
           cell_cap(b[8], d, "base_cap"),
           cell_int(b[9], d, "admin_weight", "", true),
           cell_cap(b[10], d, "admin_cap"),
           jbool(d, "throttled") ? "throttled"
           : jbool(d, "protected") ? "protected" : "-");
    return guessed;
}

static void print_domains(struct json_object *res)
{
    struct json_object *a;
    size_t n = jarray(res, "domains", &a);
    int w = jwidth(a, n, "name", 4);
    bool guessed = false;

    if (n == 0) {
        printf("no domains\n");
        return;
    }
    printf("%-*s %5s %4s %-8s %5s %6s %7s %6s %4s %6s %8s %7s %9s %s\n", w,
           "NAME", "ID", "POOL", "CLASS", "VCPUS", "USE", "DEMAND", "WEIGHT",
           "CAP", "BASE_W", "BASE_CAP", "ADMIN_W", "ADMIN_CAP", "TUNER");
    for (size_t i = 0; i < n; i++)
        guessed |= print_domain(json_object_array_get_idx(a, i), w);
    if (guessed)
        printf("* demand estimated from use (the hypervisor does not say "
               "how long it waited to run)\n");
}

/* --- sched status --- */

/* Whether the domain list `known` (domain.list's records) has domid. */
static bool listed(struct json_object *known, size_t n, int64_t domid)
{
    for (size_t i = 0; i < n; i++)
        if (jint(json_object_array_get_idx(known, i), "domid") == domid)
            return true;
    return false;
}

/*
 * Keep only the domains named on the command line in the reply's
 * "domains".  The daemon resolves the names and ids (domain.list), so an
 * unknown one gets its usual error, printed once; returns the exit status.
 */
static int keep_named(struct json_object *res, int argc, char **argv)
{
    struct json_object *args = json_object_new_object();
    struct json_object *refs = json_object_new_array();
    struct json_object *found, *known, *doms, *kept;
    size_t nknown, n;
    int status;

    for (int i = optind + 1; i < argc; i++)
        json_object_array_add(refs, json_object_new_string(argv[i]));
    json_object_object_add(args, "doms", refs);
    if ((status = cli_call("domain.list", args, &found)))
        return status;
    nknown = jarray(found, "domains", &known);
    n = jarray(res, "domains", &doms);
    if (doms) {
        kept = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
            struct json_object *d = json_object_array_get_idx(doms, i);
            if (listed(known, nknown, jint(d, "domid")))
                json_object_array_add(kept, json_object_get(d));
        }
        json_object_object_add(res, "domains", kept);
    }
    json_object_put(found);
    return 0;
}

static int sched_status(int argc, char **argv, bool json)
{
    struct json_object *res;
    int status;

    if ((status = cli_call("sched.status", NULL, &res)))
        return status;
    if (argc - optind > 1 && (status = keep_named(res, argc, argv)) != 0)
        goto out;
    if (json) {
        cli_print_json(res);
    } else {
        printf("tuning: %s\n\n", jbool(res, "tuning") ? "yes" : "no");
        print_pools(res);
        printf("\n");
        print_domains(res);
    }
out:
    json_object_put(res);
    return status;
}

/* --- sched set --- */

enum { OPT_JSON = 'j', OPT_CLASS = 256 };

struct sched_opts {
    bool json;
    const char *cls;                /* --class; NULL: not given */
};

static int sched_opt(int c, const char *optarg, void *arg)
{
    struct sched_opts *o = arg;

    if (c == OPT_JSON)
        o->json = true;
    else if (c == OPT_CLASS)
        o->cls = optarg;
    return 0;
}

/* The class goes to the daemon as it is: the service says which it
 * takes. */
static int sched_set(int argc, char **argv, const struct sched_opts *o)
{
    struct json_object *set;
    int status;

    if (argc - optind < 2)
        return cli_usage_error("sched", "sched set needs a DOMAIN");
    if ((status = cli_nargs(argc, argv, "sched", 2, 2)))
        return status;
    if (!o->cls)
        return cli_usage_error("sched", "sched set needs --class CLASS");
    set = json_object_new_object();
    json_object_object_add(set, "sched.class",
                           json_object_new_string(o->cls));
    return cli_policy_set(argv[optind + 1], set, NULL, o->json);
}

int cmd_sched(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"class", required_argument, NULL, OPT_CLASS},
        {NULL, 0, NULL, 0},
    };
    struct sched_opts o = {0};
    const char *verb;
    int status;

    if (cli_getopt(argc, argv, "sched", "", longopts, sched_opt, &o,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "sched", 1, -1)))
        return status;
    verb = argv[optind];
    if (strcmp(verb, "set") == 0)
        return sched_set(argc, argv, &o);
    if (strcmp(verb, "status") != 0)
        return cli_usage_error("sched", "unknown action \"%s\" (status or "
                               "set)", verb);
    if (o.cls)
        return cli_usage_error("sched", "--class is an option of sched set, "
                               "not of sched status");
    return sched_status(argc, argv, o.json);
}
