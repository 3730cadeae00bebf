/* policy_keys.c - the registry of the services' policy keys. */
#include "daemon/policy_keys.h"
#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct owner {
    const char *service;
    const struct policy_key *keys;
    policy_check_fn *check;
};

struct policy_keys {
    struct owner *owners;           /* owned array */
    size_t n;
};

struct policy_keys *policy_keys_new(void)
{
    return calloc(1, sizeof(struct policy_keys));
}

void policy_keys_free(struct policy_keys *r)
{
    if (!r)
        return;
    free(r->owners);
    free(r);
}

const struct policy_key *policy_keys_find(const struct policy_keys *r,
                                          const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        for (const struct policy_key *k = r->owners[i].keys; k->name; k++)
            if (strcmp(k->name, name) == 0 ||
                (k->legacy && strcmp(k->legacy, name) == 0))
                return k;
    return NULL;
}

int policy_keys_add(struct policy_keys *r, const char *service,
                    const struct policy_key *keys, policy_check_fn *check,
                    struct xn_msg *msg)
{
    struct owner *grown;

    for (const struct policy_key *k = keys; k->name; k++)
        if (policy_keys_find(r, k->name) ||
            (k->legacy && policy_keys_find(r, k->legacy)))
            return xn_msg_set(msg, XN_EEXIST, "service %s: policy setting "
                              "\"%s\" belongs to another service", service,
                              k->name);
    grown = realloc(r->owners, (r->n + 1) * sizeof(*grown));
    if (!grown)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    r->owners = grown;
    r->owners[r->n++] = (struct owner){service, keys, check};
    return 0;
}

/* "balloon.min, balloon.max or sched.class" */
static void known_keys(const struct policy_keys *r, char *buf, size_t len)
{
    size_t total = 0, seen = 0, o = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < r->n; i++)
        for (const struct policy_key *k = r->owners[i].keys; k->name; k++)
            total++;
    for (size_t i = 0; i < r->n; i++) {
        for (const struct policy_key *k = r->owners[i].keys; k->name; k++) {
            int n = snprintf(buf + o, len - o, "%s%s",
                             seen == 0 ? ""
                             : seen + 1 == total ? " or " : ", ", k->name);
            if (n < 0 || (size_t)n >= len - o)
                return;
            o += (size_t)n;
            seen++;
        }
    }
}

int policy_keys_lookup(const struct policy_keys *r, const char *name,
                       const struct policy_key **k_r, struct xn_msg *msg)
{
    char known[400], q[80];

    *k_r = policy_keys_find(r, name);
    if (*k_r)
        return 0;
    known_keys(r, known, sizeof(known));
    return xn_msg_set(msg, XN_EINVAL, "policy setting \"%s\" is unknown (%s)",
                      xn_quote(name, strlen(name), 40, q, sizeof(q)),
                      known[0] ? known : "no service takes any");
}

int policy_keys_parse(const struct policy_keys *r, const char *name,
                      const char *text, const struct policy_key **k_r,
                      char out[POLICY_VALUE_MAX], struct xn_msg *msg)
{
    int rc = policy_keys_lookup(r, name, k_r, msg);
    return rc < 0 ? rc : (*k_r)->parse(*k_r, text, out, msg);
}

void policy_keys_canonicalize(const struct policy_keys *r, struct policy *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct policy_key *k = policy_keys_find(r, p->e[i].key);
        if (!k || strcmp(k->name, p->e[i].key) == 0)
            continue;
        /* The new name wins when a file somehow holds both. */
        if (policy_get(p, k->name)) {
            p->e[i] = p->e[--p->n];
            i--;
            continue;
        }
        snprintf(p->e[i].key, sizeof(p->e[i].key), "%s", k->name);
    }
}

int policy_keys_check(const struct policy_keys *r, const struct policy *p,
                      struct xn_msg *msg)
{
    for (size_t i = 0; i < r->n; i++) {
        int rc = r->owners[i].check ? r->owners[i].check(p, msg) : 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

void policy_keys_each(const struct policy_keys *r, policy_key_visit_fn *fn,
                      void *arg)
{
    for (size_t i = 0; i < r->n; i++)
        for (const struct policy_key *k = r->owners[i].keys; k->name; k++)
            fn(arg, r->owners[i].service, k);
}

static void key_json(void *arg, const char *service,
                     const struct policy_key *k)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(k->name));
    json_object_object_add(o, "service", json_object_new_string(service));
    json_object_object_add(o, "help", json_object_new_string(k->help));
    if (k->unit)
        json_object_object_add(o, "unit", json_object_new_string(k->unit));
    if (k->legacy)
        json_object_object_add(o, "legacy",
                               json_object_new_string(k->legacy));
    json_object_array_add(arg, o);
}

struct json_object *policy_keys_json(const struct policy_keys *r)
{
    struct json_object *a = json_object_new_array();
    policy_keys_each(r, key_json, a);
    return a;
}

/* --- parsers --- */

static int invalid(const struct policy_key *k, const char *text,
                   struct xn_msg *msg)
{
    char q[80];
    return xn_msg_set(msg, XN_EINVAL, "%s \"%s\" is not valid: it takes %s",
                      k->name, xn_quote(text, strlen(text), 40, q, sizeof(q)),
                      k->help);
}

int policy_parse_choice(const struct policy_key *k, const char *text,
                        char out[POLICY_VALUE_MAX], struct xn_msg *msg)
{
    for (const char *const *c = k->choices; c && *c; c++) {
        if (strcmp(*c, text) == 0) {
            snprintf(out, POLICY_VALUE_MAX, "%s", text);
            return 0;
        }
    }
    return invalid(k, text, msg);
}

int policy_parse_int(const struct policy_key *k, const char *text,
                     char out[POLICY_VALUE_MAX], struct xn_msg *msg)
{
    long long v;
    char *end;

    if (!isdigit((unsigned char)text[0]) && text[0] != '-')
        return invalid(k, text, msg);
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno || *end || v < k->lo || v > k->hi)
        return invalid(k, text, msg);
    snprintf(out, POLICY_VALUE_MAX, "%lld", v);
    return 0;
}

int policy_parse_mib(const struct policy_key *k, const char *text,
                     char out[POLICY_VALUE_MAX], struct xn_msg *msg)
{
    unsigned long long v;
    char *end;

    if (!isdigit((unsigned char)text[0]))
        return invalid(k, text, msg);
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno || (*end && end[1]))
        return invalid(k, text, msg);
    switch (tolower((unsigned char)*end)) {
    case '\0':
    case 'm': break;
    case 'g': v *= 1024; break;
    case 't': v *= 1024 * 1024; break;
    default: return invalid(k, text, msg);
    }
    if (v == 0 || v > (1ULL << 30))
        return invalid(k, text, msg);
    snprintf(out, POLICY_VALUE_MAX, "%llu", v);
    return 0;
}
