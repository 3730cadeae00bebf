/* cmd_domain.c - list, info (the host's, or a domain's), domid, create,
 * destroy, pause, unpause, rename. */
#include "cli.h"
#include "config/libvirt_xml.h"
#include "config/xlcfg_check.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct list_opts {
    bool json;
    bool longfmt;
};

static int list_opt(int c, const char *optarg, void *arg)
{
    struct list_opts *o = arg;
    if (c == 'j')
        o->json = true;
    else if (c == 'l')
        o->longfmt = true;
    return 0;
}

/* xl's six state letters: running, blocked, paused, shutdown, crashed,
 * dying. */
static void state_letters(struct json_object *d, char out[7])
{
    const char *st = jstr(d, "state"), *why = jstr(d, "shutdown_reason");
    bool down = strcmp(st, "shutdown") == 0;
    bool crashed = down && strcmp(why, "crash") == 0;

    snprintf(out, 7, "%c%c%c%c%c%c",
             strcmp(st, "running") == 0 ? 'r' : '-',
             strcmp(st, "blocked") == 0 ? 'b' : '-',
             strcmp(st, "paused") == 0 ? 'p' : '-',
             down && !crashed ? 's' : '-', crashed ? 'c' : '-',
             strcmp(st, "dying") == 0 ? 'd' : '-');
}

/* A domain's PCI devices, "0000:03:00.0,0000:04:00.0", or "-". */
static const char *pci_words(struct json_object *d, char *buf, size_t len)
{
    struct json_object *a;
    size_t n = jarray(d, "pci", &a), used = 0;

    snprintf(buf, len, "-");
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s",
                                 i ? "," : "",
                                 jstr(json_object_array_get_idx(a, i),
                                      "addr"));
    return buf;
}

static void print_list(struct json_object *doms, bool longfmt)
{
    size_t n = json_object_array_length(doms);
    char pci[256];

    if (longfmt)
        printf("%-24s %5s %-4s %7s %7s %7s %5s %-6s %9s %4s %6s %4s  "
               "%-36s  %s\n", "Name", "ID", "Type", "Mem", "Target", "MaxMem",
               "VCPUs", "State", "Time(s)", "Pool", "Weight", "Cap", "UUID",
               "PCI");
    else
        printf("%-40s %5s %5s %5s %10s %9s\n", "Name", "ID", "Mem", "VCPUs",
               "State", "Time(s)");
    for (size_t i = 0; i < n; i++) {
        struct json_object *d = json_object_array_get_idx(doms, i), *s;
        char st[7];
        double secs = (double)jint(d, "cpu_time_ns") / 1e9;

        state_letters(d, st);
        if (!longfmt) {
            printf("%-40s %5lld %5lld %5lld     %s %9.1f\n", jstr(d, "name"),
                   (long long)jint(d, "domid"),
                   (long long)(jint(d, "mem_kb") / 1024),
                   (long long)jint(d, "vcpus_online"), st, secs);
            continue;
        }
        json_object_object_get_ex(d, "sched", &s);
        printf("%-24s %5lld %-4s %7lld %7lld %7lld %2lld/%-2lld %-6s %9.1f "
               "%4lld %6lld %4lld  %-36s  %s\n", jstr(d, "name"),
               (long long)jint(d, "domid"), jstr(d, "type"),
               (long long)(jint(d, "mem_kb") / 1024),
               (long long)(jint(d, "target_kb") / 1024),
               (long long)(jint(d, "max_kb") / 1024),
               (long long)jint(d, "vcpus_online"),
               (long long)jint(d, "vcpus_max"), st, secs,
               (long long)jint(d, "poolid"), (long long)jint(s, "weight"),
               (long long)jint(s, "cap"), jstr(d, "uuid"),
               pci_words(d, pci, sizeof(pci)));
    }
}

int cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"long", no_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    struct list_opts o = {0};
    struct json_object *args = json_object_new_object(), *res, *doms;
    int status;

    if (cli_getopt(argc, argv, "list", "l", longopts, list_opt, &o,
                   &status)) {
        json_object_put(args);
        return status;
    }
    if (optind < argc) {
        struct json_object *refs = json_object_new_array();
        for (int i = optind; i < argc; i++)
            json_object_array_add(refs, json_object_new_string(argv[i]));
        json_object_object_add(args, "doms", refs);
    }
    if ((status = cli_call("domain.list", args, &res)))
        return status;
    json_object_object_get_ex(res, "domains", &doms);
    if (o.json)
        cli_print_json(doms);
    else
        print_list(doms, o.longfmt);
    json_object_put(res);
    return 0;
}

static const struct option json_longopts[] = {
    {"json", no_argument, NULL, 'j'},
    {NULL, 0, NULL, 0},
};

static void print_kv(const char *key, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void print_kv(const char *key, const char *fmt, ...)
{
    va_list ap;
    printf("%-22s : ", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* xenith info DOMAIN: the domain's record, one field a line. */
static int dom_info(const char *dom, bool json)
{
    struct json_object *d, *s, *a;
    char st[7];
    int status;
    size_t n;

    if ((status = cli_call("domain.info", cli_dom_args(dom), &d)))
        return status;
    if (json) {
        cli_print_json(d);
        json_object_put(d);
        return 0;
    }
    json_object_object_get_ex(d, "sched", &s);
    state_letters(d, st);
    print_kv("name", "%s", jstr(d, "name"));
    print_kv("domid", "%lld", (long long)jint(d, "domid"));
    print_kv("uuid", "%s", jstr(d, "uuid"));
    print_kv("type", "%s", jstr(d, "type"));
    print_kv("state", "%s", st);
    print_kv("memory", "%lld", (long long)(jint(d, "mem_kb") / 1024));
    print_kv("target", "%lld", (long long)(jint(d, "target_kb") / 1024));
    print_kv("maxmem", "%lld", (long long)(jint(d, "max_kb") / 1024));
    print_kv("vcpus", "%lld/%lld", (long long)jint(d, "vcpus_online"),
             (long long)jint(d, "vcpus_max"));
    print_kv("cpu_time", "%.1f", (double)jint(d, "cpu_time_ns") / 1e9);
    print_kv("pool", "%lld", (long long)jint(d, "poolid"));
    print_kv("weight", "%lld", (long long)jint(s, "weight"));
    print_kv("cap", "%lld", (long long)jint(s, "cap"));
    n = jarray(d, "pci", &a);
    if (n == 0)
        print_kv("pci", "-");
    for (size_t i = 0; i < n; i++) {
        struct json_object *p = json_object_array_get_idx(a, i), *v;
        if (json_object_object_get_ex(p, "vslot", &v) && v)
            print_kv("pci", "%s (vslot %02x)", jstr(p, "addr"),
                     (unsigned)json_object_get_int(v));
        else
            print_kv("pci", "%s", jstr(p, "addr"));
    }
    json_object_put(d);
    return 0;
}

int cmd_info(int argc, char **argv)
{
    struct json_object *host, *daemon;
    bool json = false;
    int status;

    if (cli_getopt(argc, argv, "info", "", json_longopts, cli_opt_flag, &json,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "info", 0, 1)))
        return status;
    if (optind < argc)
        return dom_info(argv[optind], json);
    if ((status = cli_call("host.info", NULL, &host)))
        return status;
    if ((status = cli_call("daemon.info", NULL, &daemon))) {
        json_object_put(host);
        return status;
    }
    if (json) {
        json_object_object_add(host, "daemon", json_object_get(daemon));
        cli_print_json(host);
    } else {
        print_kv("host", "%s", jstr(host, "host"));
        print_kv("uri", "%s", jstr(host, "uri"));
        print_kv("driver", "%s", jstr(host, "driver"));
        print_kv("xen_version", "%s", jstr(host, "xen_version"));
        print_kv("nr_cpus", "%lld", (long long)jint(host, "nr_cpus"));
        print_kv("cores_per_socket", "%lld",
                 (long long)jint(host, "cores_per_socket"));
        print_kv("threads_per_core", "%lld",
                 (long long)jint(host, "threads_per_core"));
        print_kv("cpu_mhz", "%lld", (long long)jint(host, "cpu_mhz"));
        print_kv("total_memory", "%lld",
                 (long long)(jint(host, "total_kb") / 1024));
        print_kv("free_memory", "%lld",
                 (long long)(jint(host, "free_kb") / 1024));
        print_kv("xen_scheduler", "%s", jstr(host, "xen_scheduler"));
        if (*jstr(host, "store"))
            print_kv("xenstore", "%s", jstr(host, "store"));
        print_kv("xenith_version", "%s", jstr(daemon, "version"));
        print_kv("xenithd_pid", "%lld", (long long)jint(daemon, "pid"));
    }
    json_object_put(host);
    json_object_put(daemon);
    return 0;
}

int cmd_domid(int argc, char **argv)
{
    struct json_object *res;
    int status;

    if (cli_getopt(argc, argv, "domid", "", NULL, cli_opt_none, NULL, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "domid", 1, 1)))
        return status;
    if ((status = cli_call("domain.info", cli_dom_args(argv[optind]), &res)))
        return status;
    printf("%lld\n", (long long)jint(res, "domid"));
    json_object_put(res);
    return 0;
}

/* Read a whole configuration file (bounded: xl.cfg files are small). */
int cmd_create(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"paused", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    struct json_object *args, *res;
    bool paused = false;
    struct xn_msg msg;
    char *text;
    size_t len;
    int status;

    if (cli_getopt(argc, argv, "create", "p", longopts, cli_opt_flag, &paused,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "create", 1, 1)))
        return status;
    if (xlcfg_read_file(argv[optind], &text, &len, &msg) < 0) {
        cli_error("%s", msg.text);
        return 1;
    }
    args = json_object_new_object();
    json_object_object_add(args, "config", json_object_new_string(text));
    json_object_object_add(args, "filename",
                           json_object_new_string(argv[optind]));
    /* libvirt domain XML is told from xl.cfg by its first byte. */
    json_object_object_add(args, "format", json_object_new_string(
                               libvirt_text_is_xml(text, len) ? "libvirt"
                                                              : "xl"));
    json_object_object_add(args, "paused", json_object_new_boolean(paused));
    free(text);
    if ((status = cli_call("domain.create", args, &res)))
        return status;
    cli_print_warnings(res);
    printf("Created domain %s (id %lld)%s\n", jstr(res, "name"),
           (long long)jint(res, "domid"), paused ? ", paused" : "");
    json_object_put(res);
    return 0;
}

/* destroy, pause, unpause: one domain argument, no options. */
static int simple_verb(int argc, char **argv, const char *cmd, const char *op)
{
    int status;
    if (cli_getopt(argc, argv, cmd, "", NULL, cli_opt_none, NULL, &status))
        return status;
    if ((status = cli_nargs(argc, argv, cmd, 1, 1)))
        return status;
    return cli_dom_call(op, argv[optind]);
}

int cmd_destroy(int argc, char **argv)
{
    return simple_verb(argc, argv, "destroy", "domain.destroy");
}

int cmd_pause(int argc, char **argv)
{
    return simple_verb(argc, argv, "pause", "domain.pause");
}

int cmd_unpause(int argc, char **argv)
{
    return simple_verb(argc, argv, "unpause", "domain.unpause");
}

int cmd_rename(int argc, char **argv)
{
    struct json_object *args;
    int status;

    if (cli_getopt(argc, argv, "rename", "", NULL, cli_opt_none, NULL, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "rename", 2, 2)))
        return status;
    args = cli_dom_args(argv[optind]);
    json_object_object_add(args, "name",
                           json_object_new_string(argv[optind + 1]));
    return cli_call("domain.rename", args, NULL);
}
