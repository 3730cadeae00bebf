/*
 * cmd_cert.c - the pool's certificates: cert init-ca, issue, list and
 * revoke.  They work on local directories with migration/cert/ and need
 * no daemon.
 */
#include "cli.h"
#include "migration/cert/cert.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    OPT_CN = 256, OPT_DAYS, OPT_CA, OPT_OUT, OPT_FORCE, OPT_JSON,
};

/* The verbs, as bits: which takes which option. */
enum { V_INIT = 1, V_ISSUE = 2, V_LIST = 4, V_REVOKE = 8 };

struct cert_opts {
    const char *cn, *ca, *out, *days_text;
    bool force, json;
    unsigned given;                 /* the options seen, as OPT_ bits */
};

static const struct {
    int opt;
    const char *name;
    unsigned verbs;
} opt_verbs[] = {
    {OPT_CN, "--cn", V_INIT},
    {OPT_DAYS, "--days", V_INIT | V_ISSUE},
    {OPT_CA, "--ca", V_ISSUE | V_REVOKE},
    {OPT_OUT, "--out", V_ISSUE},
    {OPT_FORCE, "--force", V_ISSUE},
    {OPT_JSON, "--json", V_LIST},
};
#define N_OPT_VERBS (sizeof(opt_verbs) / sizeof(opt_verbs[0]))

static int cert_opt(int c, const char *optarg, void *arg)
{
    struct cert_opts *o = arg;

    switch (c) {
    case OPT_CN: o->cn = optarg; break;
    case OPT_DAYS: o->days_text = optarg; break;
    case OPT_CA: o->ca = optarg; break;
    case OPT_OUT: o->out = optarg; break;
    case OPT_FORCE: o->force = true; break;
    case OPT_JSON: o->json = true; break;
    }
    o->given |= 1u << (c - OPT_CN);
    return 0;
}

/* An option given to a verb that does not take it: a usage error. */
static int check_opts(const struct cert_opts *o, const char *verb,
                      unsigned bit)
{
    for (size_t i = 0; i < N_OPT_VERBS; i++)
        if ((o->given & (1u << (opt_verbs[i].opt - OPT_CN))) &&
            !(opt_verbs[i].verbs & bit))
            return cli_usage_error("cert", "cert %s takes no %s", verb,
                                   opt_verbs[i].name);
    return 0;
}

static int fail(const char *verb, const struct xn_msg *msg)
{
    cli_error("cert %s: %s", verb, msg->text);
    return 1;
}

static const char *date(char buf[CLI_CELL], time_t t)
{
    struct tm tm;

    if (!gmtime_r(&t, &tm) || !strftime(buf, CLI_CELL, "%Y-%m-%d", &tm))
        snprintf(buf, CLI_CELL, "-");
    return buf;
}

static const char *state(const struct cert_info *c)
{
    return c->revoked ? "revoked" : c->expired ? "expired" : c->is_ca ? "CA"
           : "valid";
}

/* The certificate `file` of dir, for a line after init-ca and issue:
 * false when it cannot be read back (nothing printed). */
static bool find_cert(const char *dir, const char *file,
                      struct cert_info *info_r)
{
    struct cert_info *list;
    size_t n;
    bool found = false;

    if (cert_list(dir, &list, &n, NULL) < 0)
        return false;
    for (size_t i = 0; i < n && !found; i++)
        if (strcmp(list[i].file, file) == 0) {
            *info_r = list[i];
            found = true;
        }
    free(list);
    return found;
}

/* --- init-ca, issue, revoke --- */

static int days_of(const struct cert_opts *o, int *days_r)
{
    int64_t v;

    *days_r = 0;
    if (!o->days_text)
        return 0;
    if ((v = cli_parse_int("cert", "--days", o->days_text, 1, 36500)) < 0)
        return EXIT_USAGE;
    *days_r = (int)v;
    return 0;
}

static int init_ca(int argc, char **argv, const struct cert_opts *o)
{
    const char *dir = argv[optind + 1];
    struct cert_info c;
    struct xn_msg msg;
    char b[CLI_CELL];
    int days, status;

    if ((status = check_opts(o, "init-ca", V_INIT)) ||
        (status = cli_nargs(argc, argv, "cert", 2, 2)) ||
        (status = days_of(o, &days)))
        return status;
    if (cert_init_ca(dir, o->cn, days, &msg) < 0)
        return fail("init-ca", &msg);
    if (find_cert(dir, "ca.crt", &c))
        printf("%s: CA \"%s\" (serial %" PRIu64 "), valid until %s\n", dir,
               c.subject, c.serial, date(b, c.not_after));
    return 0;
}

static int issue(int argc, char **argv, const struct cert_opts *o)
{
    const char *host = argv[optind + 1];
    struct cert_info c;
    struct xn_msg msg;
    char b[CLI_CELL];
    int days, status;

    if ((status = check_opts(o, "issue", V_ISSUE)) ||
        (status = cli_nargs(argc, argv, "cert", 2, 2)) ||
        (status = days_of(o, &days)))
        return status;
    if (!o->ca)
        return cli_usage_error("cert", "cert issue needs --ca DIR");
    if (!o->out)
        return cli_usage_error("cert", "cert issue needs --out DIR");
    if (cert_issue(o->ca, host, o->out, days, o->force, &msg) < 0)
        return fail("issue", &msg);
    if (find_cert(o->out, "host.crt", &c))
        printf("%s/host.crt: %s (serial %" PRIu64 "), valid until %s, "
               "signed by \"%s\"\n", o->out, c.names, c.serial,
               date(b, c.not_after), c.issuer);
    return 0;
}

/* A serial number: digits only, 1 to 2^63-1.  0 when `s` is no number
 * (a file then), -1 after a usage error. */
static int64_t serial_of(const char *s)
{
    unsigned long long v;
    char *end;

    if (!*s || strspn(s, "0123456789") != strlen(s))
        return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || v == 0 || v > INT64_MAX) {
        cli_usage_error("cert", "\"%s\" is not a serial number (1 to "
                        "2^63-1)", s);
        return -1;
    }
    return (int64_t)v;
}

static int revoke(int argc, char **argv, const struct cert_opts *o)
{
    const char *what = argv[optind + 1];
    struct xn_msg msg;
    int64_t serial;
    int status;

    if ((status = check_opts(o, "revoke", V_REVOKE)) ||
        (status = cli_nargs(argc, argv, "cert", 2, 2)))
        return status;
    if (!o->ca)
        return cli_usage_error("cert", "cert revoke needs --ca DIR");
    if ((serial = serial_of(what)) < 0)
        return EXIT_USAGE;
    if (cert_revoke(o->ca, (uint64_t)serial, serial ? NULL : what, &msg) < 0)
        return fail("revoke", &msg);
    printf("%s revoked: copy %s/crl.pem to every host's certificate "
           "directory\n", what, o->ca);
    return 0;
}

/* --- list --- */

static void list_json(const struct cert_info *v, size_t n)
{
    struct json_object *a = json_object_new_array();
    char b[2][CLI_CELL];

    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();
        struct json_object *names = json_object_new_array();
        char buf[CERT_NAME_MAX], *save = NULL;
        struct tm tm;

        snprintf(buf, sizeof(buf), "%s", v[i].names);
        for (char *t = strtok_r(buf, ",", &save); t;
             t = strtok_r(NULL, ",", &save))
            json_object_array_add(names, json_object_new_string(t));
        json_object_object_add(o, "file", json_object_new_string(v[i].file));
        json_object_object_add(o, "subject",
                               json_object_new_string(v[i].subject));
        json_object_object_add(o, "names", names);
        json_object_object_add(o, "issuer",
                               json_object_new_string(v[i].issuer));
        json_object_object_add(o, "serial",
                               json_object_new_int64((int64_t)v[i].serial));
        gmtime_r(&v[i].not_before, &tm);
        strftime(b[0], CLI_CELL, "%Y-%m-%dT%H:%M:%SZ", &tm);
        gmtime_r(&v[i].not_after, &tm);
        strftime(b[1], CLI_CELL, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_object_add(o, "not_before", json_object_new_string(b[0]));
        json_object_object_add(o, "not_after", json_object_new_string(b[1]));
        json_object_object_add(o, "state",
                               json_object_new_string(state(&v[i])));
        json_object_object_add(o, "ca", json_object_new_boolean(v[i].is_ca));
        json_object_object_add(o, "revoked",
                               json_object_new_boolean(v[i].revoked));
        json_object_object_add(o, "expired",
                               json_object_new_boolean(v[i].expired));
        json_object_array_add(a, o);
    }
    cli_print_json(a);
    json_object_put(a);
}

static int width(const struct cert_info *v, size_t n, size_t off, int min)
{
    int w = min;

    for (size_t i = 0; i < n; i++) {
        int len = (int)strlen((const char *)&v[i] + off);
        if (len > w)
            w = len;
    }
    return w;
}

static const char *cell(const char *s)
{
    return *s ? s : "-";
}

static void list_table(const struct cert_info *v, size_t n)
{
    int wf = width(v, n, offsetof(struct cert_info, file), 4);
    int ws = width(v, n, offsetof(struct cert_info, subject), 7);
    int wn = width(v, n, offsetof(struct cert_info, names), 5);
    char b[CLI_CELL];

    printf("%-*s %-*s %-*s %19s %-10s %s\n", wf, "FILE", ws, "SUBJECT", wn,
           "NAMES", "SERIAL", "NOT-AFTER", "STATE");
    for (size_t i = 0; i < n; i++)
        printf("%-*s %-*s %-*s %19" PRIu64 " %-10s %s\n", wf, v[i].file, ws,
               cell(v[i].subject), wn, cell(v[i].names), v[i].serial,
               date(b, v[i].not_after), state(&v[i]));
}

static int list(int argc, char **argv, const struct cert_opts *o)
{
    const char *dir = argc - optind > 1 ? argv[optind + 1] : CERT_DEFAULT_DIR;
    struct cert_info *v;
    struct xn_msg msg;
    size_t n;
    int status;

    if ((status = check_opts(o, "list", V_LIST)) ||
        (status = cli_nargs(argc, argv, "cert", 1, 2)))
        return status;
    if (cert_list(dir, &v, &n, &msg) < 0)
        return fail("list", &msg);
    if (o->json)
        list_json(v, n);
    else
        list_table(v, n);
    free(v);
    return 0;
}

int cmd_cert(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"cn", required_argument, NULL, OPT_CN},
        {"days", required_argument, NULL, OPT_DAYS},
        {"ca", required_argument, NULL, OPT_CA},
        {"out", required_argument, NULL, OPT_OUT},
        {"force", no_argument, NULL, OPT_FORCE},
        {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0},
    };
    struct cert_opts o = {0};
    const char *verb;
    int status;

    if (cli_getopt(argc, argv, "cert", "", longopts, cert_opt, &o, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "cert", 1, -1)))
        return status;
    verb = argv[optind];
    if (strcmp(verb, "list") == 0)
        return list(argc, argv, &o);
    if (strcmp(verb, "init-ca") != 0 && strcmp(verb, "issue") != 0 &&
        strcmp(verb, "revoke") != 0)
        return cli_usage_error("cert", "unknown action \"%s\" (init-ca, "
                               "issue, list or revoke)", verb);
    if (argc - optind < 2)
        return cli_usage_error("cert", "cert %s needs %s", verb,
                               strcmp(verb, "init-ca") == 0 ? "a DIR"
                               : strcmp(verb, "issue") == 0 ? "a HOSTNAME"
                               : "a SERIAL or a FILE.crt");
    if (strcmp(verb, "init-ca") == 0)
        return init_ca(argc, argv, &o);
    if (strcmp(verb, "issue") == 0)
        return issue(argc, argv, &o);
    return revoke(argc, argv, &o);
}
