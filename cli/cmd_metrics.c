/* cmd_metrics.c - the daemon's counters and gauges: a table, JSON, or the
 * Prometheus text its HTTP endpoint serves. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct metrics_opts {
    bool json;
    bool prometheus;
};

static int metrics_opt(int c, const char *optarg, void *arg)
{
    struct metrics_opts *o = arg;
    if (c == 'j')
        o->json = true;
    else if (c == 'p')
        o->prometheus = true;
    return 0;
}

/* Append s to buf (cap bytes), with control characters and '\' escaped so
 * that a hostile domain name cannot drive the terminal. */
static void put_safe(char *buf, size_t cap, const char *s)
{
    size_t o = strlen(buf);
    for (; *s && o + 5 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\')
            o += (size_t)snprintf(buf + o, cap - o, "\\\\");
        else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = '\0';
}

/* "domid=1,name=web1,uuid=..." or "-" into buf. */
static void labels_text(struct json_object *series, char *buf, size_t cap)
{
    struct json_object *labels;
    bool first = true;

    buf[0] = '\0';
    if (json_object_object_get_ex(series, "labels", &labels)) {
        json_object_object_foreach(labels, key, val) {
            if (!first)
                put_safe(buf, cap, ",");
            put_safe(buf, cap, key);
            put_safe(buf, cap, "=");
            put_safe(buf, cap, json_object_get_string(val));
            first = false;
        }
    }
    if (first)
        snprintf(buf, cap, "-");
}

static void print_table(struct json_object *fams)
{
    size_t n = json_object_array_length(fams), wname = 4, wlab = 6;
    char lab[1024];

    /* Two passes: the widths, then the rows. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            printf("%-*s  %-*s  %s\n", (int)wname, "NAME", (int)wlab,
                   "LABELS", "VALUE");
        for (size_t i = 0; i < n; i++) {
            struct json_object *f = json_object_array_get_idx(fams, i), *ss;
            const char *name = jstr(f, "name");
            if (!json_object_object_get_ex(f, "series", &ss))
                continue;
            for (size_t j = 0; j < json_object_array_length(ss); j++) {
                struct json_object *s = json_object_array_get_idx(ss, j);
                labels_text(s, lab, sizeof(lab));
                if (pass == 0) {
                    wname = strlen(name) > wname ? strlen(name) : wname;
                    wlab = strlen(lab) > wlab ? strlen(lab) : wlab;
                } else {
                    printf("%-*s  %-*s  %s\n", (int)wname, name, (int)wlab,
                           lab, jstr(s, "value"));
                }
            }
        }
    }
}

int cmd_metrics(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"prometheus", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    struct metrics_opts o = {0};
    struct json_object *res, *v;
    int status;

    if (cli_getopt(argc, argv, "metrics", "", longopts, metrics_opt, &o,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "metrics", 0, 0)))
        return status;
    if (o.json && o.prometheus)
        return cli_usage_error("metrics", "--json and --prometheus do not "
                               "go together");
    if ((status = cli_call("metrics.get", NULL, &res)))
        return status;
    if (o.prometheus) {
        if (json_object_object_get_ex(res, "text", &v))
            fputs(json_object_get_string(v), stdout);
    } else if (!json_object_object_get_ex(res, "metrics", &v)) {
        cli_error("xenithd's reply to metrics.get has no \"metrics\"");
        status = 1;
    } else if (o.json) {
        cli_print_json(v);
    } else {
        print_table(v);
    }
    json_object_put(res);
    return status;
}
