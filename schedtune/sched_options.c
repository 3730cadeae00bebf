/* sched_options.c - the tuning service's settings, from `-o sched.NAME=V`
 * or the daemon's configuration file: the thresholds, the dwell times and
 * each class's weight, guaranteed share, overload cap and boost. */
#include "schedtune/schedtune.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct service_option sched_options[] = {
    {"sched.tune", "yes|no: tune weights and caps (default yes)"},
    {"sched.interval", "MS: between measurements and passes (default 1000)"},
    {"sched.smoothing", "MS: the CPU-use average's time constant "
     "(default 2000)"},
    {"sched.enter", "PCT: pool demand that starts an overload episode "
     "(default 95)"},
    {"sched.leave", "PCT: pool demand below which it ends (default 80)"},
    {"sched.enter-after", "SECS: above enter this long to throttle "
     "(default 3)"},
    {"sched.leave-after", "SECS: below leave this long to release "
     "(default 10)"},
    {"sched.class-dom0", "weight=N,guarantee=F,cap=F,boost=F: the dom0 "
     "class (F: a fraction of one pCPU per vCPU; cap 0 = never capped)"},
    {"sched.class-critical", "the same for class critical"},
    {"sched.class-high", "the same for class high"},
    {"sched.class-normal", "the same for class normal"},
    {"sched.class-low", "the same for class low"},
    {NULL, NULL},
};

/* A whole number in [lo, hi]. */
static int whole(const char *name, const char *text, long lo, long hi,
                 long *v, struct xn_msg *msg)
{
    char *end;

    errno = 0;
    *v = strtol(text, &end, 10);
    if (errno || end == text || *end || *v < lo || *v > hi)
        return xn_msg_set(msg, XN_EINVAL, "%s \"%s\" must be a whole number "
                          "from %ld to %ld", name, text, lo, hi);
    return 0;
}

static int number(struct schedtune *t, const char *name, long lo, long hi,
                  long def, long *v, struct xn_msg *msg)
{
    const char *text = daemon_option(t->d, name);

    *v = def;
    return text ? whole(name, text, lo, hi, v, msg) : 0;
}

/* One "key=value" of a class setting. */
static int class_field(const char *name, const char *all, char *field,
                       struct splan_class_params *c, struct xn_msg *msg)
{
    char *eq = strchr(field, '='), *end;
    double v;

    if (!eq)
        return xn_msg_set(msg, XN_EINVAL, "%s \"%s\": \"%s\" is not "
                          "KEY=VALUE", name, all, field);
    *eq++ = '\0';
    errno = 0;
    v = strtod(eq, &end);
    if (errno || end == eq || *end)
        return xn_msg_set(msg, XN_EINVAL, "%s \"%s\": %s \"%s\" is not a "
                          "number", name, all, field, eq);
    if (strcmp(field, "weight") == 0 && v >= 1 && v <= 65535 &&
        v == (int)v)
        c->weight = (int)v;
    else if (strcmp(field, "guarantee") == 0 && v >= 0 && v <= 1)
        c->guarantee = v;
    else if (strcmp(field, "cap") == 0 && v >= 0 && v <= 1)
        c->cap = v;
    else if (strcmp(field, "boost") == 0 && v >= 1 && v <= 64)
        c->boost = v;
    else if (strcmp(field, "weight") && strcmp(field, "guarantee") &&
             strcmp(field, "cap") && strcmp(field, "boost"))
        return xn_msg_set(msg, XN_EINVAL, "%s \"%s\": unknown field \"%s\" "
                          "(weight, guarantee, cap, boost)", name, all,
                          field);
    else
        return xn_msg_set(msg, XN_EINVAL, "%s \"%s\": %s %s is out of range "
                          "(weight 1-65535, guarantee and cap 0-1, boost "
                          "1-64)", name, all, field, eq);
    return 0;
}

static int class_option(struct schedtune *t, enum splan_class cls,
                        struct xn_msg *msg)
{
    struct splan_class_params *c = &t->params.cls[cls];
    char name[64], buf[256], *save = NULL;
    const char *text;
    int rc = 0;

    snprintf(name, sizeof(name), "sched.class-%s", splan_class_name(cls));
    if (!(text = daemon_option(t->d, name)))
        return 0;
    if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
        return xn_msg_set(msg, XN_EINVAL, "%s is too long", name);
    for (char *f = strtok_r(buf, ",", &save); f && rc == 0;
         f = strtok_r(NULL, ",", &save))
        rc = class_field(name, text, f, c, msg);
    if (rc == 0 && c->cap > 0 && c->cap < c->guarantee)
        rc = xn_msg_set(msg, XN_EINVAL, "%s \"%s\": the cap %.2f is below "
                        "the guarantee %.2f", name, text, c->cap,
                        c->guarantee);
    return rc;
}

int sched_read_options(struct schedtune *t, struct xn_msg *msg)
{
    const char *tune = daemon_option(t->d, "sched.tune");
    struct splan_params *p = &t->params;
    long interval, tau, enter, leave, enter_s, leave_s;
    int rc;

    splan_params_default(p);
    if (tune && strcmp(tune, "yes") && strcmp(tune, "no"))
        return xn_msg_set(msg, XN_EINVAL, "sched.tune \"%s\" must be yes or "
                          "no", tune);
    t->enabled = !tune || strcmp(tune, "yes") == 0;
    if ((rc = number(t, "sched.interval", 100, 60000, 1000, &interval,
                     msg)) < 0 ||
        (rc = number(t, "sched.smoothing", 0, 60000, 2000, &tau, msg)) < 0 ||
        (rc = number(t, "sched.enter", 10, 1000,
                     (long)(p->enter * 100 + 0.5), &enter, msg)) < 0 ||
        (rc = number(t, "sched.leave", 5, 1000,
                     (long)(p->leave * 100 + 0.5), &leave, msg)) < 0 ||
        (rc = number(t, "sched.enter-after", 0, 3600,
                     (long)(p->enter_ns / 1000000000ull), &enter_s,
                     msg)) < 0 ||
        (rc = number(t, "sched.leave-after", 0, 3600,
                     (long)(p->leave_ns / 1000000000ull), &leave_s,
                     msg)) < 0)
        return rc;
    if (leave >= enter)
        return xn_msg_set(msg, XN_EINVAL, "sched.leave %ld must be below "
                          "sched.enter %ld", leave, enter);
    t->interval_ns = (uint64_t)interval * 1000000ull;
    t->tau_ns = (uint64_t)tau * 1000000ull;
    p->enter = enter / 100.0;
    p->leave = leave / 100.0;
    p->enter_ns = (uint64_t)enter_s * 1000000000ull;
    p->leave_ns = (uint64_t)leave_s * 1000000000ull;
    for (int c = 0; c < SPLAN_NCLASS; c++)
        if ((rc = class_option(t, (enum splan_class)c, msg)) < 0)
            return rc;
    return 0;
}
