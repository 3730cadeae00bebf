/* test_metrics.c - the metrics registry (metrics.c) on its own, its HTTP
 * endpoint (metrics_http.c) in-process on 127.0.0.1, and the metrics.get
 * operation of a real xenithd --sim. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <json.h>

#include "daemon_harness.h"
#include "daemon/metrics.h"

static const uint8_t U1[16] = {0x11, [15] = 1};
static const uint8_t U2[16] = {0x22, [15] = 2};
static const uint8_t U3[16] = {0x33, [15] = 3};

static struct metric *declare(struct metrics *m, const char *name,
                              enum metric_kind kind, enum metric_scope scope)
{
    struct metric *f = NULL;
    struct xn_msg msg = {{0}};
    int rc = metrics_declare(m, name, "Help.", kind, scope, &f, &msg);
    ck_assert_msg(rc == 0, "declare %s: %d %s", name, rc, msg.text);
    ck_assert_ptr_nonnull(f);
    return f;
}

/* The rendered text, checked against `want` line by line so a failure
 * names the first line that differs. */
static void expect_text(const struct metrics *m, const char *want)
{
    char *got = metrics_render_text(m);
    const char *g = got, *w = want;
    int line = 1;

    ck_assert_ptr_nonnull(got);
    while (*g || *w) {
        size_t gl = strcspn(g, "\n"), wl = strcspn(w, "\n");
        ck_assert_msg(gl == wl && memcmp(g, w, gl) == 0,
                      "line %d: got \"%.*s\", want \"%.*s\"", line, (int)gl,
                      g, (int)wl, w);
        ck_assert_msg(g[gl] == w[wl], "line %d: newline differs", line);
        g += gl + (g[gl] != '\0');
        w += wl + (w[wl] != '\0');
        line++;
    }
    free(got);
}

/* --- the registry --- */

START_TEST(declare_families)
{
    struct metrics *m = metrics_new();
    struct metric *f, *g;
    struct xn_msg msg = {{0}};
    static const char *bad[] = {
        "requests_total", "xenith_", "xenith_a-b", "xenith_a b",
        "xenith_\xc3\xa9", "Xenith_x", "",
    };

    f = declare(m, "xenith_a_total", METRIC_COUNTER, METRIC_HOST);
    g = declare(m, "xenith_a_total", METRIC_COUNTER, METRIC_HOST);
    ck_assert_ptr_eq(f, g);
    ck_assert_ptr_eq(metrics_find(m, "xenith_a_total"), f);
    ck_assert_ptr_null(metrics_find(m, "xenith_b"));
    declare(m, "xenith_ns:sub_x9", METRIC_GAUGE, METRIC_DOMAIN);

    ck_assert_int_eq(metrics_declare(m, "xenith_a_total", "Help.",
                                     METRIC_GAUGE, METRIC_HOST, &g, &msg),
                     XN_EEXIST);
    ck_assert_ptr_null(g);
    ck_assert_msg(strstr(msg.text, "xenith_a_total is already a counter "
                         "per host"), "%s", msg.text);
    ck_assert_int_eq(metrics_declare(m, "xenith_a_total", "Help.",
                                     METRIC_COUNTER, METRIC_DOMAIN, &g,
                                     NULL), XN_EEXIST);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(metrics_declare(m, bad[i], "Help.", METRIC_GAUGE,
                                         METRIC_HOST, &g, &msg), XN_EINVAL);
        ck_assert_ptr_null(g);
        ck_assert_msg(strstr(msg.text, "is not xenith_ and one or more"),
                      "%s: %s", bad[i], msg.text);
    }
    ck_assert_int_eq(metrics_declare(m, "xenith_h", "bad \xff help",
                                     METRIC_GAUGE, METRIC_HOST, &g, &msg),
                     XN_EINVAL);
    ck_assert_msg(strstr(msg.text, "help text"), "%s", msg.text);

    char longname[METRICS_NAME_MAX + 2];
    memset(longname, 'x', sizeof(longname) - 1);
    memcpy(longname, "xenith_", 7);
    longname[sizeof(longname) - 1] = '\0';
    ck_assert_int_eq(metrics_declare(m, longname, "Help.", METRIC_GAUGE,
                                     METRIC_HOST, &g, NULL), XN_EINVAL);
    longname[METRICS_NAME_MAX] = '\0';
    declare(m, longname, METRIC_GAUGE, METRIC_HOST);
    metrics_free(m);
    metrics_free(NULL);
}
END_TEST

START_TEST(host_values)
{
    struct metrics *m = metrics_new();
    struct metric *c = declare(m, "xenith_c_total", METRIC_COUNTER,
                               METRIC_HOST);
    struct metric *g = declare(m, "xenith_g", METRIC_GAUGE, METRIC_HOST);
    struct metric *d = declare(m, "xenith_d", METRIC_GAUGE, METRIC_DOMAIN);

    /* A counter shows from the start, a gauge once set. */
    expect_text(m, "# HELP xenith_c_total Help.\n"
                   "# TYPE xenith_c_total counter\n"
                   "xenith_c_total 0\n"
                   "# HELP xenith_g Help.\n"
                   "# TYPE xenith_g gauge\n"
                   "# HELP xenith_d Help.\n"
                   "# TYPE xenith_d gauge\n");
    ck_assert_int_eq(metric_add(c, 2), 0);
    ck_assert_int_eq(metric_add(c, 0.5), 0);
    ck_assert_int_eq(metric_add(c, -1), XN_EINVAL);      /* only up */
    ck_assert_int_eq(metric_set(c, -1), XN_EINVAL);
    ck_assert_int_eq(metric_add(c, NAN), XN_EINVAL);
    ck_assert_int_eq(metric_add(c, INFINITY), XN_EINVAL);
    ck_assert_int_eq(metric_add(c, 1.7e308), 0);
    ck_assert_int_eq(metric_add(c, 1.7e308), XN_EINVAL); /* would be inf */
    ck_assert_int_eq(metric_set(c, 7), 0);               /* a reset */
    ck_assert_int_eq(metric_set(g, 5), 0);
    ck_assert_int_eq(metric_add(g, -7.75), 0);
    ck_assert_int_eq(metric_set(g, NAN), XN_EINVAL);
    ck_assert_int_eq(metric_set(d, 1), XN_EINVAL);       /* per domain */
    ck_assert_int_eq(metric_add(NULL, 1), XN_EINVAL);
    ck_assert_int_eq(metric_dom_set(g, U1, 1, "a", 1), XN_EINVAL);
    expect_text(m, "# HELP xenith_c_total Help.\n"
                   "# TYPE xenith_c_total counter\n"
                   "xenith_c_total 7\n"
                   "# HELP xenith_g Help.\n"
                   "# TYPE xenith_g gauge\n"
                   "xenith_g -2.75\n"
                   "# HELP xenith_d Help.\n"
                   "# TYPE xenith_d gauge\n");
    metrics_free(m);
}
END_TEST

/* Values print as the shortest text that reads back the same. */
START_TEST(value_text)
{
    struct metrics *m = metrics_new();
    struct metric *g = declare(m, "xenith_v", METRIC_GAUGE, METRIC_HOST);
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0, "0"}, {3, "3"}, {0.1, "0.1"}, {1.0 / 3, "0.3333333333333333"},
        {17179869184.0, "17179869184"}, {1e21, "1e+21"},
        {9007199254740993.0, "9007199254740992"}, {-0.5, "-0.5"},
        {5.426075409, "5.426075409"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[128];
        metric_set(g, cases[i].v);
        snprintf(want, sizeof(want), "# HELP xenith_v Help.\n"
                 "# TYPE xenith_v gauge\nxenith_v %s\n", cases[i].text);
        expect_text(m, want);
    }
    metrics_free(m);
}
END_TEST

START_TEST(domain_series)
{
    struct metrics *m = metrics_new();
    struct metric *mem = declare(m, "xenith_mem_bytes", METRIC_GAUGE,
                                 METRIC_DOMAIN);
    struct metric *cpu = declare(m, "xenith_cpu_total", METRIC_COUNTER,
                                 METRIC_DOMAIN);
    struct metric *h = declare(m, "xenith_h", METRIC_GAUGE, METRIC_HOST);

    ck_assert_int_eq(metric_dom_set(mem, U2, 7, "db1", 2048), 0);
    ck_assert_int_eq(metric_dom_set(mem, U1, 3, "web1", 1024), 0);
    ck_assert_int_eq(metric_dom_add(mem, U1, 3, "web1", -24), 0);
    ck_assert_int_eq(metric_dom_add(cpu, U1, 3, "web1", 1.5), 0);
    ck_assert_int_eq(metric_dom_add(cpu, U1, 3, "web1", -1), XN_EINVAL);
    ck_assert_int_eq(metric_dom_set(cpu, U2, 7, "db1", -1), XN_EINVAL);
    ck_assert_int_eq(metric_dom_set(cpu, U2, 7, NULL, 1), XN_EINVAL);
    ck_assert_int_eq(metric_dom_set(h, U2, 7, "db1", 1), XN_EINVAL);
    ck_assert_int_eq(metric_dom_set(NULL, U2, 7, "db1", 1), XN_EINVAL);
    ck_assert_int_eq(metric_dom_set(mem, U2, 7, "db1", INFINITY),
                     XN_EINVAL);
    /* By domid, whatever the order they came in. */
    expect_text(m,
        "# HELP xenith_mem_bytes Help.\n"
        "# TYPE xenith_mem_bytes gauge\n"
        "xenith_mem_bytes{domid=\"3\",name=\"web1\",uuid=\"11000000-0000-"
        "0000-0000-000000000001\"} 1000\n"
        "xenith_mem_bytes{domid=\"7\",name=\"db1\",uuid=\"22000000-0000-"
        "0000-0000-000000000002\"} 2048\n"
        "# HELP xenith_cpu_total Help.\n"
        "# TYPE xenith_cpu_total counter\n"
        "xenith_cpu_total{domid=\"3\",name=\"web1\",uuid=\"11000000-0000-"
        "0000-0000-000000000001\"} 1.5\n"
        "# HELP xenith_h Help.\n"
        "# TYPE xenith_h gauge\n");

    /* web1 rebuilt as domain 9 and renamed: every series follows. */
    ck_assert_int_eq(metric_dom_set(cpu, U1, 9, "web2", 0.25), 0);
    expect_text(m,
        "# HELP xenith_mem_bytes Help.\n"
        "# TYPE xenith_mem_bytes gauge\n"
        "xenith_mem_bytes{domid=\"7\",name=\"db1\",uuid=\"22000000-0000-"
        "0000-0000-000000000002\"} 2048\n"
        "xenith_mem_bytes{domid=\"9\",name=\"web2\",uuid=\"11000000-0000-"
        "0000-0000-000000000001\"} 1000\n"
        "# HELP xenith_cpu_total Help.\n"
        "# TYPE xenith_cpu_total counter\n"
        "xenith_cpu_total{domid=\"9\",name=\"web2\",uuid=\"11000000-0000-"
        "0000-0000-000000000001\"} 0.25\n"
        "# HELP xenith_h Help.\n"
        "# TYPE xenith_h gauge\n");
    metrics_free(m);
}
END_TEST

START_TEST(forget_domains)
{
    struct metrics *m = metrics_new();
    struct metric *a = declare(m, "xenith_a", METRIC_GAUGE, METRIC_DOMAIN);
    struct metric *b = declare(m, "xenith_b", METRIC_GAUGE, METRIC_DOMAIN);
    const uint8_t keep[2][16] = {{0x33, [15] = 3}, {0x44, [15] = 4}};

    metric_dom_set(a, U1, 1, "one", 1);
    metric_dom_set(b, U1, 1, "one", 1);
    metric_dom_set(a, U2, 2, "two", 2);
    metric_dom_set(b, U3, 3, "three", 3);
    metrics_forget_domain(m, U1);
    metrics_forget_domain(m, U1);               /* unknown now: no-op */
    expect_text(m,
        "# HELP xenith_a Help.\n"
        "# TYPE xenith_a gauge\n"
        "xenith_a{domid=\"2\",name=\"two\",uuid=\"22000000-0000-0000-0000-"
        "000000000002\"} 2\n"
        "# HELP xenith_b Help.\n"
        "# TYPE xenith_b gauge\n"
        "xenith_b{domid=\"3\",name=\"three\",uuid=\"33000000-0000-0000-0000-"
        "000000000003\"} 3\n");
    /* Back again: a new series, starting from nothing. */
    metric_dom_add(b, U1, 5, "one", 1);
    metrics_forget_domains_except(m, keep, 2);
    expect_text(m,
        "# HELP xenith_a Help.\n"
        "# TYPE xenith_a gauge\n"
        "# HELP xenith_b Help.\n"
        "# TYPE xenith_b gauge\n"
        "xenith_b{domid=\"3\",name=\"three\",uuid=\"33000000-0000-0000-0000-"
        "000000000003\"} 3\n");
    metrics_forget_domains_except(m, NULL, 0);
    expect_text(m,
        "# HELP xenith_a Help.\n"
        "# TYPE xenith_a gauge\n"
        "# HELP xenith_b Help.\n"
        "# TYPE xenith_b gauge\n");
    metrics_free(m);
}
END_TEST

/* Domain names are untrusted: quotes, backslashes and newlines are escaped
 * in label values, bytes that are not UTF-8 replaced, long names cut; help
 * text has backslash and newline escaped. */
START_TEST(label_escaping)
{
    struct metrics *m = metrics_new();
    struct metric *f = NULL;
    char longname[METRICS_LABEL_MAX + 50];
    char *text;

    ck_assert_int_eq(metrics_declare(m, "xenith_e", "A \\ and a\nnewline.",
                                     METRIC_GAUGE, METRIC_DOMAIN, &f, NULL),
                     0);
    metric_dom_set(f, U1, 1, "a\"b\\c\nd} 9\n# x", 1);
    metric_dom_set(f, U2, 2, "caf\xc3\xa9 \xff\xc3", 2);
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    longname[METRICS_LABEL_MAX - 1] = '\xc3';     /* é across the cut */
    longname[METRICS_LABEL_MAX] = '\xa9';
    metric_dom_set(f, U3, 3, longname, 3);
    text = metrics_render_text(m);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "# HELP xenith_e A \\\\ and a\\nnewline.\n"),
                  "%s", text);
    ck_assert_msg(strstr(text, "xenith_e{domid=\"1\",name=\"a\\\"b\\\\c\\nd}"
                         " 9\\n# x\",uuid=\"11000000-0000-0000-0000-"
                         "000000000001\"} 1\n"), "%s", text);
    ck_assert_msg(strstr(text, "name=\"caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd"
                         "\","), "%s", text);
    /* The cut name: METRICS_LABEL_MAX - 1 bytes of 'n', no half é. */
    char want[METRICS_LABEL_MAX + 20];
    snprintf(want, sizeof(want), "name=\"%.*s\",", METRICS_LABEL_MAX - 1,
             longname);
    ck_assert_msg(strstr(text, want), "%s", text);
    /* Every line is a comment or a series: the name broke out of none. */
    for (char *l = text; *l; l = strchr(l, '\n') + 1)
        ck_assert_msg(*l == '#' || strncmp(l, "xenith_e{", 9) == 0,
                      "line \"%.40s\"", l);
    free(text);
    metrics_free(m);
}
END_TEST

START_TEST(json_rendering)
{
    struct metrics *m = metrics_new();
    struct metric *c = declare(m, "xenith_c_total", METRIC_COUNTER,
                               METRIC_HOST);
    struct metric *d = declare(m, "xenith_d", METRIC_GAUGE, METRIC_DOMAIN);
    struct json_object *j, *f, *s, *l, *v;

    metric_add(c, 0.1);
    metric_dom_set(d, U2, 2, "q\"uote", 2);
    metric_dom_set(d, U1, 1, "one", 1e21);
    j = metrics_to_json(m);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(json_object_array_length(j), 2);
    f = json_object_array_get_idx(j, 0);
    ck_assert(json_object_object_get_ex(f, "name", &v));
    ck_assert_str_eq(json_object_get_string(v), "xenith_c_total");
    ck_assert(json_object_object_get_ex(f, "kind", &v));
    ck_assert_str_eq(json_object_get_string(v), "counter");
    ck_assert(json_object_object_get_ex(f, "help", &v));
    ck_assert_str_eq(json_object_get_string(v), "Help.");
    ck_assert(json_object_object_get_ex(f, "series", &s));
    ck_assert_int_eq(json_object_array_length(s), 1);
    s = json_object_array_get_idx(s, 0);
    ck_assert(json_object_object_get_ex(s, "labels", &l));
    ck_assert_int_eq(json_object_object_length(l), 0);
    ck_assert(json_object_object_get_ex(s, "value", &v));
    ck_assert(json_object_get_double(v) == 0.1);
    ck_assert_str_eq(json_object_to_json_string(v), "0.1");

    f = json_object_array_get_idx(j, 1);
    ck_assert(json_object_object_get_ex(f, "kind", &v));
    ck_assert_str_eq(json_object_get_string(v), "gauge");
    ck_assert(json_object_object_get_ex(f, "series", &s));
    ck_assert_int_eq(json_object_array_length(s), 2);
    s = json_object_array_get_idx(s, 1);           /* by domid */
    ck_assert(json_object_object_get_ex(s, "labels", &l));
    ck_assert(json_object_object_get_ex(l, "domid", &v));
    ck_assert_str_eq(json_object_get_string(v), "2");
    ck_assert(json_object_object_get_ex(l, "name", &v));
    ck_assert_str_eq(json_object_get_string(v), "q\"uote");
    ck_assert(json_object_object_get_ex(l, "uuid", &v));
    ck_assert_str_eq(json_object_get_string(v),
                     "22000000-0000-0000-0000-000000000002");
    s = json_object_array_get_idx(json_object_object_get(f, "series"), 0);
    ck_assert(json_object_object_get_ex(s, "value", &v));
    ck_assert_str_eq(json_object_to_json_string(v), "1e+21");
    /* The whole thing reads back as JSON. */
    struct json_object *back = json_tokener_parse(
        json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
    ck_assert_ptr_nonnull(back);
    json_object_put(back);
    json_object_put(j);
    metrics_free(m);
}
END_TEST

/* The registry holds at most METRICS_MAX_FAMILIES families and
 * METRICS_MAX_SERIES domain series; past that it refuses new ones, counts
 * the refusals, and goes on updating those it has. */
START_TEST(caps)
{
    struct metrics *m = metrics_new();
    struct metric *a, *b, *f;
    struct xn_msg msg = {{0}};
    uint8_t u[16] = {0};
    char name[32];
    int i;

    for (i = 0; i < METRICS_MAX_FAMILIES - 2; i++) {
        snprintf(name, sizeof(name), "xenith_f%d", i);
        declare(m, name, METRIC_GAUGE, METRIC_HOST);
    }
    a = declare(m, "xenith_a", METRIC_GAUGE, METRIC_DOMAIN);
    b = declare(m, "xenith_b", METRIC_GAUGE, METRIC_DOMAIN);
    ck_assert_int_eq(metrics_declare(m, "xenith_one_more", "Help.",
                                     METRIC_GAUGE, METRIC_HOST, &f, &msg),
                     XN_ENOMEM);
    ck_assert_msg(strstr(msg.text, "already holds 1024 families"), "%s",
                  msg.text);
    ck_assert_ptr_eq(declare(m, "xenith_a", METRIC_GAUGE, METRIC_DOMAIN), a);

    /* 60000 domains in a, the first 40000 of them in b too. */
    for (i = 0; i < 60000; i++) {
        memcpy(u, &i, sizeof(i));
        ck_assert_int_eq(metric_dom_set(a, u, (uint32_t)i, "d", i), 0);
        if (i < 40000)
            ck_assert_int_eq(metric_dom_set(b, u, (uint32_t)i, "d", i), 0);
    }
    ck_assert_int_eq(metrics_refused(m), 0);
    i = 40000;
    memcpy(u, &i, sizeof(i));
    ck_assert_int_eq(metric_dom_set(b, u, 40000, "d", 1), XN_ENOMEM);
    i = 70000;
    memcpy(u, &i, sizeof(i));
    ck_assert_int_eq(metric_dom_add(a, u, 70000, "d", 1), XN_ENOMEM);
    ck_assert_int_eq(metrics_refused(m), 2);
    i = 5;
    memcpy(u, &i, sizeof(i));
    ck_assert_int_eq(metric_dom_set(b, u, 5, "renamed", 55), 0);
    /* A domain forgotten makes room for two. */
    metrics_forget_domain(m, u);
    i = 70000;
    memcpy(u, &i, sizeof(i));
    ck_assert_int_eq(metric_dom_set(a, u, 70000, "d", 1), 0);
    ck_assert_int_eq(metric_dom_set(b, u, 70000, "d", 1), 0);
    i = 70001;
    memcpy(u, &i, sizeof(i));
    ck_assert_int_eq(metric_dom_set(a, u, 70001, "d", 1), XN_ENOMEM);
    ck_assert_int_eq(metrics_refused(m), 3);
    metrics_free(m);
}
END_TEST

static void count_calls(struct metrics *m, void *arg)
{
    struct metric *f = metrics_find(m, "xenith_collections_total");
    metric_add(f, 1);
    (*(int *)arg)++;
}

static void remove_self(struct metrics *m, void *arg)
{
    metrics_remove_collector(m, remove_self, arg);
    (*(int *)arg) += 10;
}

START_TEST(collectors)
{
    struct metrics *m = metrics_new();
    int calls = 0, self = 0;

    declare(m, "xenith_collections_total", METRIC_COUNTER, METRIC_HOST);

    ck_assert_int_eq(metrics_add_collector(m, count_calls, &calls), 0);
    ck_assert_int_eq(metrics_add_collector(m, remove_self, &self), 0);
    metrics_collect(m);
    metrics_collect(m);
    ck_assert_int_eq(calls, 2);
    ck_assert_int_eq(self, 10);                 /* once, then gone */
    expect_text(m, "# HELP xenith_collections_total Help.\n"
                   "# TYPE xenith_collections_total counter\n"
                   "xenith_collections_total 2\n");
    /* Rendering alone does not collect. */
    expect_text(m, "# HELP xenith_collections_total Help.\n"
                   "# TYPE xenith_collections_total counter\n"
                   "xenith_collections_total 2\n");
    metrics_remove_collector(m, count_calls, &calls);
    metrics_remove_collector(m, count_calls, &calls);   /* not there */
    metrics_collect(m);
    ck_assert_int_eq(calls, 2);
    ck_assert_int_eq(metrics_add_collector(m, NULL, NULL), XN_EINVAL);
    metrics_free(m);
}
END_TEST

/* --- the HTTP endpoint, in-process --- */

struct http_reply {
    int status;
    char *head;         /* status line and headers */
    char *body;
    size_t body_len;
};

static void reply_free(struct http_reply *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

static int connect_to(int family, int port)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    int fd = socket(family, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    if (family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_addr = in6addr_loopback;
        s6->sin6_port = htons((uint16_t)port);
        len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s4->sin_port = htons((uint16_t)port);
        len = sizeof(*s4);
    }
    ck_assert_msg(connect(fd, (struct sockaddr *)&ss, len) == 0,
                  "connect to port %d: %s", port, strerror(errno));
    return fd;
}

static void send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        ck_assert_msg(n > 0, "write: %s", strerror(errno));
        data += n;
        len -= (size_t)n;
    }
}

/* Send `req` and run the loop until the server closes the connection; the
 * reply as read.  The requests say "Connection: close" (or are HTTP/1.0). */
static struct http_reply exchange(struct event_base *base, int family,
                                  int port, const char *req, size_t len)
{
    struct http_reply r = {0};
    size_t cap = 65536, used = 0;
    char *buf = malloc(cap), *sep;
    int fd = connect_to(family, port);
    bool eof = false;

    send_all(fd, req, len);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    /* Generous: a bound against a hang, not a timing check. */
    for (int i = 0; i < 6000 && !eof; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        event_base_loop(base, EVLOOP_NONBLOCK);
        if (poll(&p, 1, 10) <= 0)
            continue;
        for (;;) {
            if (used + 1 >= cap)
                buf = realloc(buf, cap *= 2);
            ssize_t n = read(fd, buf + used, cap - used - 1);
            if (n > 0) {
                used += (size_t)n;
                continue;
            }
            if (n == 0 || errno != EAGAIN)
                eof = true;
            break;
        }
    }
    close(fd);
    ck_assert_msg(eof, "the server did not finish its reply");
    buf[used] = '\0';
    sep = strstr(buf, "\r\n\r\n");
    ck_assert_msg(sep != NULL, "no end of headers in \"%s\"", buf);
    r.head = strndup(buf, (size_t)(sep - buf) + 2);
    r.body_len = used - (size_t)(sep + 4 - buf);
    r.body = malloc(r.body_len + 1);
    memcpy(r.body, sep + 4, r.body_len);
    r.body[r.body_len] = '\0';
    ck_assert_int_eq(sscanf(buf, "HTTP/1.%*d %d", &r.status), 1);
    free(buf);
    return r;
}

static struct http_reply get(struct event_base *base, int port,
                             const char *method, const char *path)
{
    char req[512];
    int n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: test\r\n"
                     "Connection: close\r\n\r\n", method, path);
    return exchange(base, AF_INET, port, req, (size_t)n);
}

/* The value of header `name` (a malloc'd copy), or NULL. */
static char *header(const struct http_reply *r, const char *name)
{
    size_t n = strlen(name);
    for (const char *l = strstr(r->head, "\r\n"); l && l[2];
         l = strstr(l + 2, "\r\n")) {
        const char *h = l + 2;
        if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
            h += n + 1;
            h += strspn(h, " ");
            return strndup(h, strcspn(h, "\r"));
        }
    }
    return NULL;
}

static struct event_base *base;
static struct metrics *reg;
static struct metrics_http *srv;
static int scrapes;

static void count_scrape(struct metrics *m, void *arg)
{
    metric_add(metrics_find(m, "xenith_scrapes_total"), 1);
    scrapes++;
}

static void http_setup(void)
{
    struct metric *f;
    struct xn_msg msg = {{0}};

    base = event_base_new();
    reg = metrics_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(reg);
    f = declare(reg, "xenith_scrapes_total", METRIC_COUNTER, METRIC_HOST);
    f = declare(reg, "xenith_dom", METRIC_GAUGE, METRIC_DOMAIN);
    metric_dom_set(f, U1, 1, "evil\"\\\nname", 42);
    metrics_add_collector(reg, count_scrape, NULL);
    scrapes = 0;
    ck_assert_msg(metrics_http_open(base, reg, "127.0.0.1:0", &srv, &msg)
                  == 0, "%s", msg.text);
    ck_assert_int_gt(metrics_http_port(srv), 0);
}

static void http_teardown(void)
{
    metrics_http_close(srv);
    srv = NULL;
    metrics_free(reg);
    event_base_free(base);
}

START_TEST(http_get)
{
    int port = metrics_http_port(srv);
    char addr[64];
    struct http_reply r;
    char *ct, *text;

    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    ck_assert_str_eq(metrics_http_address(srv), addr);
    for (int i = 1; i <= 2; i++) {
        r = get(base, port, "GET", "/metrics");
        ck_assert_int_eq(r.status, 200);
        ct = header(&r, "Content-Type");
        ck_assert_ptr_nonnull(ct);
        ck_assert_str_eq(ct, "text/plain; version=0.0.4; charset=utf-8");
        free(ct);
        /* The collectors ran first; the body is the registry's text. */
        ck_assert_int_eq(scrapes, i);
        text = metrics_render_text(reg);
        ck_assert_str_eq(r.body, text);
        ck_assert_uint_eq(strlen(text), r.body_len);
        ct = header(&r, "Content-Length");
        ck_assert_ptr_nonnull(ct);
        ck_assert_int_eq(atoi(ct), (int)r.body_len);
        free(ct);
        free(text);
        reply_free(&r);
    }
    /* A query string is no other path. */
    r = get(base, port, "GET", "/metrics?name[]=xenith_dom");
    ck_assert_int_eq(r.status, 200);
    reply_free(&r);

    /* HEAD: the headers, no body. */
    r = get(base, port, "HEAD", "/metrics");
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, 0);
    ct = header(&r, "Content-Length");
    ck_assert_ptr_nonnull(ct);
    text = metrics_render_text(reg);
    ck_assert_int_eq(atoi(ct), (int)strlen(text));
    free(text);
    free(ct);
    reply_free(&r);

    /* HTTP/1.0 without Host. */
    static const char old[] = "GET /metrics HTTP/1.0\r\n\r\n";
    r = exchange(base, AF_INET, port, old, sizeof(old) - 1);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "xenith_dom{domid=\"1\",name="
                                 "\"evil\\\"\\\\\\nname\""));
    reply_free(&r);
}
END_TEST

START_TEST(http_errors)
{
    int port = metrics_http_port(srv);
    static const char *paths[] = {"/", "/metrics/", "/metricsx", "/x",
                                  "/Metrics"};
    static const char *methods[] = {"POST", "PUT", "DELETE", "OPTIONS",
                                    "PATCH", "TRACE"};
    struct http_reply r;
    char *allow;

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        r = get(base, port, "GET", paths[i]);
        ck_assert_msg(r.status == 404, "GET %s: %d", paths[i], r.status);
        reply_free(&r);
    }
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        r = get(base, port, methods[i], "/metrics");
        ck_assert_msg(r.status == 405, "%s: %d", methods[i], r.status);
        allow = header(&r, "Allow");
        ck_assert_ptr_nonnull(allow);
        ck_assert_str_eq(allow, "GET, HEAD");
        free(allow);
        reply_free(&r);
    }
    ck_assert_int_eq(scrapes, 0);       /* none of them rendered */
}
END_TEST

/* Oversized headers and bodies are refused; a client that stops half-way
 * through a request does not hold up another. */
START_TEST(http_bounds)
{
    int port = metrics_http_port(srv);
    size_t big = 64 * 1024;
    char *req = malloc(big + 256);
    struct http_reply r;
    int n, stuck;

    n = snprintf(req, big + 256, "GET /metrics HTTP/1.1\r\nConnection: "
                 "close\r\nX-Big: ");
    memset(req + n, 'a', big);
    memcpy(req + n + big, "\r\n\r\n", 4);
    r = exchange(base, AF_INET, port, req, (size_t)n + big + 4);
    ck_assert_msg(r.status == 400 || r.status == 413, "%d", r.status);
    reply_free(&r);

    n = snprintf(req, big + 256, "POST /metrics HTTP/1.1\r\nConnection: "
                 "close\r\nContent-Length: 5000\r\n\r\n");
    memset(req + n, 'b', 5000);
    r = exchange(base, AF_INET, port, req, (size_t)n + 5000);
    ck_assert_msg(r.status == 413, "%d", r.status);
    reply_free(&r);
    free(req);

    stuck = connect_to(AF_INET, port);
    send_all(stuck, "GET /metr", 9);
    r = get(base, port, "GET", "/metrics");
    ck_assert_int_eq(r.status, 200);
    reply_free(&r);
    close(stuck);
    ck_assert_int_eq(scrapes, 1);
}
END_TEST

START_TEST(http_ipv6)
{
    struct metrics_http *h6 = NULL;
    struct xn_msg msg = {{0}};
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6,
                              .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    struct http_reply r;
    char want[64];
    int probe = socket(AF_INET6, SOCK_STREAM, 0), ok;

    /* Only where this host has IPv6 loopback at all. */
    ok = probe >= 0 && bind(probe, (struct sockaddr *)&s6, sizeof(s6)) == 0;
    if (probe >= 0)
        close(probe);
    if (!ok)
        return;
    ck_assert_msg(metrics_http_open(base, reg, "[::1]:0", &h6, &msg) == 0,
                  "%s", msg.text);
    snprintf(want, sizeof(want), "[::1]:%d", metrics_http_port(h6));
    ck_assert_str_eq(metrics_http_address(h6), want);
    static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
    r = exchange(base, AF_INET6, metrics_http_port(h6), req,
                 sizeof(req) - 1);
    ck_assert_int_eq(r.status, 200);
    reply_free(&r);
    metrics_http_close(h6);
}
END_TEST

START_TEST(http_bad_specs)
{
    static const struct {
        const char *spec, *says;
    } cases[] = {
        {"", "the port \"\" is not a number"},
        {"abc", "the port \"abc\" is not a number"},
        {"70000", "the port \"70000\" is not a number from 0 to 65535"},
        {"123456", "the port \"123456\""},
        {"-1", "the port \"-1\""},
        {"127.0.0.1:", "the port \"\""},
        {"127.0.0.1:+80", "the port \"+80\""},
        {"127.0.0.1:80x", "the port \"80x\""},
        {":80", "\"\" is not a numeric IPv4 address (write IPv6"},
        {"1.2.3:80", "\"1.2.3\" is not a numeric IPv4 address"},
        {"localhost:80", "\"localhost\" is not a numeric IPv4 address"},
        {"::1:80", "write an IPv6 address in brackets"},
        {"[::1]80", "no \":PORT\" after the ']'"},
        {"[::1", "no ']' after the IPv6 address"},
        {"[zz]:80", "\"zz\" is not a numeric IPv6 address"},
        {"[127.0.0.1]:80", "\"127.0.0.1\" is not a numeric IPv6"},
        {"[::1]:99999", "the port \"99999\""},
    };
    struct metrics_http *h = (struct metrics_http *)1;
    struct xn_msg msg;
    char quoted[80];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        msg.text[0] = '\0';
        ck_assert_int_eq(metrics_http_open(base, reg, cases[i].spec, &h,
                                           &msg), XN_EINVAL);
        ck_assert_ptr_null(h);
        snprintf(quoted, sizeof(quoted), "metrics address \"%s\": ",
                 cases[i].spec);
        ck_assert_msg(strncmp(msg.text, quoted, strlen(quoted)) == 0 &&
                      strstr(msg.text, cases[i].says), "%s: %s",
                      cases[i].spec, msg.text);
    }
}
END_TEST

/* A port in use: the error names the address. */
START_TEST(http_port_in_use)
{
    struct metrics_http *h = NULL;
    struct xn_msg msg;
    char spec[64], want[128];

    snprintf(spec, sizeof(spec), "127.0.0.1:%d", metrics_http_port(srv));
    ck_assert_int_lt(metrics_http_open(base, reg, spec, &h, &msg), 0);
    ck_assert_ptr_null(h);
    snprintf(want, sizeof(want), "cannot listen for metrics on %s: ", spec);
    ck_assert_msg(strncmp(msg.text, want, strlen(want)) == 0, "%s",
                  msg.text);
    metrics_http_close(NULL);
}
END_TEST

/* --- metrics.get on a real daemon --- */

#define REQ(id, op) "{\"xenith\":1,\"id\":" #id ",\"op\":\"" op "\"}"

static struct json_object *call_ok(int fd, const char *line)
{
    struct json_object *r = harness_call(fd, line), *ok, *res;
    ck_assert_msg(r != NULL, "no reply to %s", line);
    ck_assert_msg(json_object_object_get_ex(r, "ok", &ok) &&
                  json_object_get_boolean(ok), "%s: %s", line,
                  harness_errmsg(r));
    ck_assert(json_object_object_get_ex(r, "result", &res));
    json_object_get(res);
    json_object_put(r);
    return res;
}

/* The value of the host series `name` in a metrics.get result's JSON. */
static double host_value(struct json_object *res, const char *name)
{
    struct json_object *list, *v;
    ck_assert(json_object_object_get_ex(res, "metrics", &list));
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        struct json_object *f = json_object_array_get_idx(list, i), *s;
        if (strcmp(json_object_get_string(json_object_object_get(f, "name")),
                   name) != 0)
            continue;
        ck_assert(json_object_object_get_ex(f, "series", &s));
        ck_assert_int_eq(json_object_array_length(s), 1);
        ck_assert(json_object_object_get_ex(json_object_array_get_idx(s, 0),
                                            "value", &v));
        return json_object_get_double(v);
    }
    ck_abort_msg("no family %s", name);
    return -1;
}

static void op_setup(void)
{
    harness_start(NULL);
}

static void op_teardown(void)
{
    ck_assert_msg(harness_alive(), "xenithd died during the test");
    int status = harness_stop();
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "xenithd exited with status %d", status);
}

START_TEST(op_metrics_get)
{
    int fd = harness_connect();
    struct json_object *a, *b, *list, *doms, *t;
    char line[128];

    a = call_ok(fd, REQ(1, "metrics.get"));
    list = call_ok(fd, REQ(2, "domain.list"));
    b = call_ok(fd, REQ(3, "metrics.get"));
    /* Each request counts, this one too. */
    ck_assert(host_value(b, "xenith_requests_total") ==
              host_value(a, "xenith_requests_total") + 2);
    ck_assert(json_object_object_get_ex(list, "domains", &doms));
    ck_assert(host_value(b, "xenith_domains") ==
              (double)json_object_array_length(doms));
    /* The text carries the same figures. */
    ck_assert(json_object_object_get_ex(b, "text", &t));
    snprintf(line, sizeof(line), "\nxenith_domains %zu\n",
             json_object_array_length(doms));
    ck_assert_msg(strstr(json_object_get_string(t), line), "%s",
                  json_object_get_string(t));
    snprintf(line, sizeof(line), "\nxenith_requests_total %.0f\n",
             host_value(b, "xenith_requests_total"));
    ck_assert_msg(strstr(json_object_get_string(t), line), "%s",
                  json_object_get_string(t));
    ck_assert_ptr_nonnull(strstr(json_object_get_string(t),
                                 "xenith_domain_memory_bytes{domid=\"1\","
                                 "name=\"web1\","));
    json_object_put(a);
    json_object_put(b);
    json_object_put(list);
    close(fd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *reg_tc = tcase_create("registry");
    TCase *http_tc = tcase_create("http");
    TCase *op_tc = tcase_create("op");

    tcase_set_timeout(reg_tc, 120);
    tcase_add_test(reg_tc, declare_families);
    tcase_add_test(reg_tc, host_values);
    tcase_add_test(reg_tc, value_text);
    tcase_add_test(reg_tc, domain_series);
    tcase_add_test(reg_tc, forget_domains);
    tcase_add_test(reg_tc, label_escaping);
    tcase_add_test(reg_tc, json_rendering);
    tcase_add_test(reg_tc, caps);
    tcase_add_test(reg_tc, collectors);
    suite_add_tcase(s, reg_tc);

    tcase_add_checked_fixture(http_tc, http_setup, http_teardown);
    tcase_set_timeout(http_tc, 120);
    tcase_add_test(http_tc, http_get);
    tcase_add_test(http_tc, http_errors);
    tcase_add_test(http_tc, http_bounds);
    tcase_add_test(http_tc, http_ipv6);
    tcase_add_test(http_tc, http_bad_specs);
    tcase_add_test(http_tc, http_port_in_use);
    suite_add_tcase(s, http_tc);

    tcase_add_checked_fixture(op_tc, op_setup, op_teardown);
    tcase_set_timeout(op_tc, 60);
    tcase_add_test(op_tc, op_metrics_get);
    suite_add_tcase(s, op_tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
