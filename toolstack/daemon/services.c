/* services.c - the services running in the daemon (service.h). */
#include "daemon/service.h"
#include "daemon/metrics.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct running {
    const struct service *svc;
    void *self;
    struct metric *policy_domains;  /* in d->metrics; NULL without keys */
};

struct services {
    struct daemon *d;
    struct running *list;           /* owned array */
    size_t n;
};

/* A key or an op of the service: "SERVICE.something". */
static bool its_own(const struct service *svc, const char *name)
{
    size_t len = strlen(svc->name);
    return strncmp(name, svc->name, len) == 0 && name[len] == '.' &&
           name[len + 1];
}

static int register_keys(struct daemon *d, const struct service *svc,
                         struct xn_msg *msg)
{
    for (const struct service_op *op = svc->ops; op && op->op; op++)
        if (!its_own(svc, op->op))
            return xn_msg_set(msg, XN_EINVAL, "service %s: operation "
                              "\"%s\" is not named \"%s.VERB\"", svc->name,
                              op->op, svc->name);
    if (!svc->keys)
        return 0;
    for (const struct policy_key *k = svc->keys; k->name; k++)
        if (!its_own(svc, k->name))
            return xn_msg_set(msg, XN_EINVAL, "service %s: policy setting "
                              "\"%s\" is not named \"%s.KEY\"", svc->name,
                              k->name, svc->name);
    return policy_keys_add(d->keys, svc->name, svc->keys, svc->check_policy,
                           msg);
}

/* How many domains set one of each service's settings, into counts[] (one
 * per running service; the caller's array of s->n): one pass over the
 * domains, each policy file read once, whatever the number of services. */
static void count_policies(struct services *s, int64_t *counts)
{
    struct hv_dominfo *list;
    size_t n;

    memset(counts, 0, s->n * sizeof(*counts));
    if (hv_dom_list(s->d->hv, &list, &n, NULL) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        struct policy p;
        if (daemon_policy_load(s->d, list[i].uuid, &p, NULL) < 0 || !p.n)
            continue;
        for (size_t j = 0; j < s->n; j++) {
            const struct policy_key *k = s->list[j].svc->keys;
            while (k && k->name && !policy_get(&p, k->name))
                k++;
            if (k && k->name)
                counts[j]++;
        }
    }
    free(list);
}

/* Each service with settings: how many domains set one, as
 * xenith_SERVICE_policy_domains. */
static void collect(struct metrics *m, void *arg)
{
    struct services *s = arg;
    int64_t *counts = calloc(s->n ? s->n : 1, sizeof(*counts));

    (void)m;
    if (!counts)
        return;
    count_policies(s, counts);
    for (size_t i = 0; i < s->n; i++)
        if (s->list[i].policy_domains)
            metric_set(s->list[i].policy_domains, (double)counts[i]);
    free(counts);
}

static int declare_metrics(struct services *s, struct running *r,
                           struct xn_msg *msg)
{
    char name[METRICS_NAME_MAX], help[160];

    if (!r->svc->keys || !s->d->metrics)
        return 0;
    snprintf(name, sizeof(name), "xenith_%s_policy_domains", r->svc->name);
    snprintf(help, sizeof(help), "Domains whose policy sets one of the %s "
             "service's settings.", r->svc->name);
    return metrics_declare(s->d->metrics, name, help, METRIC_GAUGE,
                           METRIC_HOST, &r->policy_domains, msg);
}

const char *daemon_option(const struct daemon *d, const char *name)
{
    const char *val = NULL;
    size_t len = strlen(name);

    for (size_t i = 0; d->options && d->options[i]; i++)
        if (strncmp(d->options[i], name, len) == 0 &&
            d->options[i][len] == '=')
            val = d->options[i] + len + 1;
    return val;
}

/* Every option given is NAME=VALUE and names an option of a service. */
static int check_options(struct daemon *d, const struct service *const *table,
                         size_t n, struct xn_msg *msg)
{
    for (size_t i = 0; d->options && d->options[i]; i++) {
        const char *o = d->options[i], *eq = strchr(o, '=');
        bool known = false;

        for (size_t j = 0; eq && j < n && !known; j++)
            for (const struct service_option *so = table[j]->options;
                 so && so->name && !known; so++)
                known = strlen(so->name) == (size_t)(eq - o) &&
                        strncmp(so->name, o, (size_t)(eq - o)) == 0;
        if (!eq)
            return xn_msg_set(msg, XN_EINVAL, "option \"%s\" is not "
                              "NAME=VALUE", o);
        if (!known)
            return xn_msg_set(msg, XN_EINVAL, "option \"%.*s\" is no "
                              "service's (xenithd --help lists them)",
                              (int)(eq - o), o);
    }
    return 0;
}

int services_open(struct daemon *d, const struct service *const *table,
                  struct services **s_r, struct xn_msg *msg)
{
    struct services *s = calloc(1, sizeof(*s));
    size_t n = 0;
    int rc;

    *s_r = NULL;
    if (!s)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    s->d = d;
    while (table && table[n])
        n++;
    if (n && !(s->list = calloc(n, sizeof(*s->list)))) {
        free(s);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    if ((rc = check_options(d, table, n, msg)) < 0)
        goto fail;
    /* Keys first: a service may read policies while it opens. */
    for (size_t i = 0; i < n; i++)
        if ((rc = register_keys(d, table[i], msg)) < 0)
            goto fail;
    for (size_t i = 0; i < n; i++) {
        const struct service *svc = table[i];
        void *self = NULL;
        if (svc->open && (rc = svc->open(d, &self, msg)) < 0) {
            char why[XN_MSG_MAX];
            snprintf(why, sizeof(why), "%s", msg->text);
            xn_msg_set(msg, rc, "service %s: %s", svc->name, why);
            goto fail;
        }
        s->list[s->n++] = (struct running){svc, self, NULL};
        if ((rc = declare_metrics(s, &s->list[s->n - 1], msg)) < 0)
            goto fail;
        xn_log(XN_LOG_DEBUG, "service %s: open", svc->name);
    }
    if (d->metrics && metrics_add_collector(d->metrics, collect, s) < 0) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    *s_r = s;
    return 0;
fail:
    services_close(s);
    return rc;
}

void services_close(struct services *s)
{
    if (!s)
        return;
    if (s->d->metrics)
        metrics_remove_collector(s->d->metrics, collect, s);
    while (s->n > 0) {
        struct running *r = &s->list[--s->n];
        if (r->svc->close)
            r->svc->close(r->self);
    }
    free(s->list);
    free(s);
}

bool services_dispatch(struct services *s, struct request *r)
{
    for (size_t i = 0; s && i < s->n; i++) {
        const struct service_op *op = s->list[i].svc->ops;
        for (; op && op->op; op++) {
            if (strcmp(op->op, r->op) == 0) {
                op->handler(s->list[i].self, r);
                return true;
            }
        }
    }
    return false;
}

/* Domains whose policy sets one of the service's keys. */
struct json_object *services_json(struct services *s)
{
    struct json_object *out = json_object_new_array();
    int64_t *counts = s ? calloc(s->n ? s->n : 1, sizeof(*counts)) : NULL;

    if (counts)
        count_policies(s, counts);
    for (size_t i = 0; s && i < s->n; i++) {
        const struct service *svc = s->list[i].svc;
        struct json_object *o = json_object_new_object(), *a;

        json_object_object_add(o, "name", json_object_new_string(svc->name));
        json_object_object_add(o, "summary",
                               json_object_new_string(svc->summary));
        a = json_object_new_array();
        for (const struct service_op *op = svc->ops; op && op->op; op++)
            json_object_array_add(a, json_object_new_string(op->op));
        json_object_object_add(o, "ops", a);
        a = json_object_new_array();
        for (const struct policy_key *k = svc->keys; k && k->name; k++)
            json_object_array_add(a, json_object_new_string(k->name));
        json_object_object_add(o, "keys", a);
        a = svc->status ? svc->status(s->list[i].self)
                        : json_object_new_object();
        json_object_object_add(a, "domains_with_policy",
                               json_object_new_int64(
                                   counts ? counts[i] : 0));
        json_object_object_add(o, "status", a);
        json_object_array_add(out, o);
    }
    free(counts);
    return out;
}
