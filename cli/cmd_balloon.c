/*
 * cmd_balloon.c - the memory ballooning service from the command line:
 * balloon status, balloon set (the balloon.* policy keys through
 * policy.set) and mem-reserve (balloon.reserve, balloon.release).
 *
 * Sizes on screen are MiB; a figure the daemon leaves out (or sends as
 * null), or one that means nothing for an unmanaged domain, shows as "-".
 */
#include "cli.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* --- formatting the status --- */

/* KiB as whole MiB ("-" when absent or !show). */
static const char *cell_mib(char *buf, struct json_object *o,
                            const char *key, bool show)
{
    double kb;

    if (!show || !jnum(o, key, &kb))
        return "-";
    snprintf(buf, CLI_CELL, "%lld", (long long)(kb / 1024));
    return buf;
}

static void print_host(struct json_object *res)
{
    struct json_object *h = NULL;
    char b[6][CLI_CELL], c[2][CLI_CELL];
    static const char *const keys[6] = {"free_kb", "reserve_kb",
        "reserved_kb", "reclaimable_kb", "need_kb", "short_kb"};
    const char *v[6];

    json_object_object_get_ex(res, "host", &h);
    for (int i = 0; i < 6; i++) {
        v[i] = cell_mib(b[i], h, keys[i], true);
        if (strcmp(v[i], "-") != 0)
            strcat(b[i], " MiB");
    }
    printf("host: free %s, reserve %s, reservations %s, reclaimable %s, "
           "need %s, short %s; stuck %s, uncooperative %s\n", v[0], v[1],
           v[2], v[3], v[4], v[5], cell_int(c[0], h, "stuck", "", true),
           cell_int(c[1], h, "uncooperative", "", true));
}

/* One domain's row; returns whether its need is the administrator's. */
static bool print_domain(struct json_object *d, int wname)
{
    bool m = jbool(d, "managed");
    bool admin = m && jint(d, "admin_need_kb") > 0;
    char b[10][CLI_CELL];
    const char *need = cell_mib(b[8], d, "need_kb", m);
    double psi;

    if (jnum(d, "pressure", &psi))
        snprintf(b[9], CLI_CELL, "%.1f%%", psi);
    else
        snprintf(b[9], CLI_CELL, "-");
    if (admin && need == b[8])
        strcat(b[8], "*");              /* a number: room to spare */
    printf("%-*s %5lld %-7s %-13s %7s %7s %6s %5s %7s %7s %8s %8s\n", wname,
           jstr(d, "name"), (long long)jint(d, "domid"), m ? "yes" : "no",
           m && *jstr(d, "state") ? jstr(d, "state") : "-",
           cell_mib(b[0], d, "min_kb", m), cell_mib(b[1], d, "max_kb", m),
           cell_int(b[2], d, "weight", "", m),
           cell_int(b[3], d, "buffer_pct", "%", m),
           cell_mib(b[4], d, "target_kb", true),
           cell_mib(b[5], d, "actual_kb", true), need, b[9]);
    return admin;
}

static void print_domains(struct json_object *res)
{
    struct json_object *a;
    size_t n = jarray(res, "domains", &a);
    int w = jwidth(a, n, "name", 4);
    bool admin = false;

    if (n == 0) {
        printf("no domains\n");
        return;
    }
    printf("%-*s %5s %-7s %-13s %7s %7s %6s %5s %7s %7s %8s %8s\n", w,
           "NAME", "ID", "MANAGED", "STATE", "MIN", "MAX", "WEIGHT", "BUF",
           "TARGET", "ACTUAL", "NEED", "PRESSURE");
    for (size_t i = 0; i < n; i++)
        admin |= print_domain(json_object_array_get_idx(a, i), w);
    if (admin)
        printf("* need set by the administrator (xenith balloon set DOMAIN "
               "--need auto gives it back to the balloon)\n");
}

static void print_reservations(struct json_object *res)
{
    struct json_object *a;
    size_t n = jarray(res, "reservations", &a);
    int w = jwidth(a, n, "for", 8);
    char b[4][CLI_CELL];

    if (n == 0) {
        printf("no reservations\n");
        return;
    }
    printf("%5s %8s %-*s %-7s %7s %7s\n", "ID", "SIZE", w, "FOR", "STATE",
           "AGE", "EXPIRES");
    for (size_t i = 0; i < n; i++) {
        struct json_object *r = json_object_array_get_idx(a, i);
        const char *who = jstr(r, "for");
        printf("%5lld %8s %-*s %-7s %7s %7s\n", (long long)jint(r, "id"),
               cell_mib(b[0], r, "kb", true), w, *who ? who : "(manual)",
               *jstr(r, "state") ? jstr(r, "state") : "-",
               cell_secs(b[1], r, "age_s"), cell_secs(b[2], r, "expires_s"));
    }
}

static int balloon_status(int argc, char **argv, bool json)
{
    struct json_object *res;
    int status;

    if ((status = cli_nargs(argc, argv, "balloon", 1, 1)))
        return status;
    if ((status = cli_call("balloon.status", NULL, &res)))
        return status;
    if (json) {
        cli_print_json(res);
    } else {
        print_host(res);
        printf("\n");
        print_domains(res);
        printf("\n");
        print_reservations(res);
    }
    json_object_put(res);
    return 0;
}

/* --- balloon set --- */

enum bkey { K_MANAGED, K_MIN, K_MAX, K_WEIGHT, K_BUFFER, K_NEED, K_COUNT };

static const char *const key_names[K_COUNT] = {
    "balloon.managed", "balloon.min", "balloon.max", "balloon.weight",
    "balloon.buffer", "balloon.need",
};

enum {
    OPT_JSON = 'j',
    OPT_MIN = 256, OPT_MAX, OPT_WEIGHT, OPT_BUFFER, OPT_NEED, OPT_MANAGED,
    OPT_UNMANAGED,
};

struct balloon_opts {
    bool json;
    const char *set_opt;            /* the first option of balloon set */
    char val[K_COUNT][CLI_CELL];    /* policy values; "" = not given */
    bool need_auto;                 /* --need auto: unset balloon.need */
};

/* A SIZE option as the whole MiB the policy keeps. */
static int opt_mib(const char *opt, const char *s, char *out)
{
    int64_t kb = cli_parse_size_kb("balloon", opt, s);

    if (kb < 0)
        return EXIT_USAGE;
    if (kb % 1024)
        return cli_usage_error("balloon", "%s \"%s\" is not a whole number "
                               "of MiB", opt, s);
    snprintf(out, CLI_CELL, "%lld", (long long)(kb / 1024));
    return 0;
}

static int opt_range(const char *opt, const char *s, int64_t min,
                     int64_t max, char *out)
{
    int64_t v = cli_parse_int("balloon", opt, s, min, max);

    if (v < 0)
        return EXIT_USAGE;
    snprintf(out, CLI_CELL, "%lld", (long long)v);
    return 0;
}

static int opt_managed(struct balloon_opts *o, const char *yes_no)
{
    if (o->val[K_MANAGED][0] && strcmp(o->val[K_MANAGED], yes_no) != 0)
        return cli_usage_error("balloon", "--managed and --unmanaged "
                               "exclude each other");
    snprintf(o->val[K_MANAGED], CLI_CELL, "%s", yes_no);
    return 0;
}

static int opt_need(struct balloon_opts *o, const char *s)
{
    o->need_auto = strcmp(s, "auto") == 0;
    o->val[K_NEED][0] = '\0';
    return o->need_auto ? 0 : opt_mib("--need", s, o->val[K_NEED]);
}

static int balloon_opt(int c, const char *optarg, void *arg)
{
    static const char *const names[] = {"--min", "--max", "--weight",
        "--buffer", "--need", "--managed", "--unmanaged"};
    struct balloon_opts *o = arg;

    if (c == OPT_JSON) {
        o->json = true;
        return 0;
    }
    if (!o->set_opt && c >= OPT_MIN && c <= OPT_UNMANAGED)
        o->set_opt = names[c - OPT_MIN];
    switch (c) {
    case OPT_MIN: return opt_mib("--min", optarg, o->val[K_MIN]);
    case OPT_MAX: return opt_mib("--max", optarg, o->val[K_MAX]);
    case OPT_WEIGHT:
        return opt_range("--weight", optarg, 1, 10000, o->val[K_WEIGHT]);
    case OPT_BUFFER:
        return opt_range("--buffer", optarg, 5, 2000, o->val[K_BUFFER]);
    case OPT_NEED: return opt_need(o, optarg);
    case OPT_MANAGED: return opt_managed(o, "yes");
    case OPT_UNMANAGED: return opt_managed(o, "no");
    }
    return 0;
}

/* The policy.set changes for the options given; false when none was. */
static bool set_changes(const struct balloon_opts *o,
                        struct json_object **set_r,
                        struct json_object **unset_r)
{
    *set_r = json_object_new_object();
    *unset_r = json_object_new_array();
    for (int k = 0; k < K_COUNT; k++)
        if (o->val[k][0])
            json_object_object_add(*set_r, key_names[k],
                                   json_object_new_string(o->val[k]));
    if (o->need_auto)
        json_object_array_add(*unset_r,
                              json_object_new_string("balloon.need"));
    if (json_object_object_length(*set_r) == 0 && !o->need_auto) {
        json_object_put(*set_r);
        json_object_put(*unset_r);
        return false;
    }
    return true;
}

static int balloon_set(int argc, char **argv, const struct balloon_opts *o)
{
    struct json_object *set, *unset;
    int status;

    if (argc - optind < 2)
        return cli_usage_error("balloon", "balloon set needs a DOMAIN");
    if ((status = cli_nargs(argc, argv, "balloon", 2, 2)))
        return status;
    if (!set_changes(o, &set, &unset))
        return cli_usage_error("balloon", "balloon set needs at least one "
                               "of --min, --max, --weight, --buffer, "
                               "--need, --managed or --unmanaged");
    return cli_policy_set(argv[optind + 1], set, unset, o->json);
}

int cmd_balloon(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"min", required_argument, NULL, OPT_MIN},
        {"max", required_argument, NULL, OPT_MAX},
        {"weight", required_argument, NULL, OPT_WEIGHT},
        {"buffer", required_argument, NULL, OPT_BUFFER},
        {"need", required_argument, NULL, OPT_NEED},
        {"managed", no_argument, NULL, OPT_MANAGED},
        {"unmanaged", no_argument, NULL, OPT_UNMANAGED},
        {NULL, 0, NULL, 0},
    };
    struct balloon_opts o = {0};
    const char *verb;
    int status;

    if (cli_getopt(argc, argv, "balloon", "", longopts, balloon_opt, &o,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "balloon", 1, -1)))
        return status;
    verb = argv[optind];
    if (strcmp(verb, "set") == 0)
        return balloon_set(argc, argv, &o);
    if (strcmp(verb, "status") != 0)
        return cli_usage_error("balloon", "unknown action \"%s\" (status "
                               "or set)", verb);
    if (o.set_opt)
        return cli_usage_error("balloon", "%s is an option of balloon set, "
                               "not of balloon status", o.set_opt);
    return balloon_status(argc, argv, o.json);
}

/* --- mem-reserve --- */

struct reserve_opts {
    bool json;
    int64_t for_s;                  /* -1: the daemon's default */
    int64_t release;                /* -1: reserve, not release */
};

static int reserve_opt(int c, const char *optarg, void *arg)
{
    struct reserve_opts *o = arg;

    if (c == 'j') {
        o->json = true;
    } else if (c == 'f') {
        o->for_s = cli_parse_int("mem-reserve", "--for", optarg, 1, 86400);
        if (o->for_s < 0)
            return EXIT_USAGE;
    } else if (c == 'r') {
        o->release = cli_parse_int("mem-reserve", "reservation id", optarg,
                                   1, INT64_MAX);
        if (o->release < 0)
            return EXIT_USAGE;
    }
    return 0;
}

/* KiB as MiB, with two decimals only when it is not whole. */
static void print_mib(double kb)
{
    if ((long long)kb % 1024 == 0)
        printf("%lld MiB", (long long)kb / 1024);
    else
        printf("%.2f MiB", kb / 1024);
}

static int reserve(const char *size, const struct reserve_opts *o)
{
    struct json_object *args, *res;
    int64_t kb = cli_parse_size_kb("mem-reserve", "SIZE", size);
    double v;
    int status;

    if (kb < 0)
        return EXIT_USAGE;
    args = json_object_new_object();
    json_object_object_add(args, "kb", json_object_new_int64(kb));
    if (o->for_s >= 0)
        json_object_object_add(args, "for_s",
                               json_object_new_int64(o->for_s));
    if ((status = cli_call("balloon.reserve", args, &res)))
        return status;
    if (o->json) {
        cli_print_json(res);
    } else {
        printf("reservation %lld: ", (long long)jint(res, "id"));
        print_mib(jnum(res, "kb", &v) ? v : (double)kb);
        if (jnum(res, "expires_s", &v))
            printf(" held for %.0f s", v);
        printf("\n");
    }
    json_object_put(res);
    return 0;
}

static int release(int64_t id, bool json)
{
    struct json_object *args = json_object_new_object(), *res;
    int status;

    json_object_object_add(args, "id", json_object_new_int64(id));
    if ((status = cli_call("balloon.release", args, &res)))
        return status;
    if (json)
        cli_print_json(res);
    json_object_put(res);
    return 0;
}

int cmd_mem_reserve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"for", required_argument, NULL, 'f'},
        {"release", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    struct reserve_opts o = {.for_s = -1, .release = -1};
    int status;

    if (cli_getopt(argc, argv, "mem-reserve", "", longopts, reserve_opt, &o,
                   &status))
        return status;
    if (o.release >= 0) {
        if (o.for_s >= 0)
            return cli_usage_error("mem-reserve", "--for does not go with "
                                   "--release");
        if ((status = cli_nargs(argc, argv, "mem-reserve", 0, 0)))
            return status;
        return release(o.release, o.json);
    }
    if ((status = cli_nargs(argc, argv, "mem-reserve", 1, 1)))
        return status;
    return reserve(argv[optind], &o);
}
