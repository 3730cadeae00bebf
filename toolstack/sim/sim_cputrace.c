/*
 * sim_cputrace.c - a simulated guest's CPU demand over time: the
 * "KIND:k=v,..." text of a scenario's cpu-trace= read into a struct
 * sim_cpu_trace, and the demand as a pure function of (trace, time).
 * The shapes are in sim_host.h; the syntax in docs/sim-host.md.
 *
 * Raw shapes have exact edges; the noise is constant through each step
 * (step k covers [k step, (k + 1) step)) and comes from a hash of (seed,
 * k), so any time can be asked in any order, for thousands of domains.
 */
#include "sim/sim_host_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1e9
#define SECONDS_MAX 1e7             /* about 4 months: times and periods */
#define STEP_MS_MAX 3600000u        /* an hour */
#define TEXT_MAX 1024

void sim_cpu_trace_init(struct sim_cpu_trace *t)
{
    memset(t, 0, sizeof(*t));
    t->kind = SIM_CT_NONE;
    t->step_ns = SIM_CT_STEP_DEFAULT;
}

/* --- the demand --- */

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* u in [-1, 1] for step k. */
static double noise_u(uint64_t seed, uint64_t k)
{
    uint64_t x = mix64(seed ^ mix64(k ^ 0x43505554ull));  /* "CPUT" */

    return (double)(x >> 11) * 0x1p-52 - 1.0;
}

/* Where t lies in the burst cycle: 0 at a burst's start. */
static uint64_t cycle_pos(const struct sim_cpu_trace *t, uint64_t t_ns)
{
    uint64_t p = t->period_ns, ph = t->phase_ns % p;

    return (t_ns % p + p - ph) % p;
}

static double raw_demand(const struct sim_cpu_trace *t, uint64_t t_ns)
{
    double d = 0;

    switch (t->kind) {
    case SIM_CT_STEADY:
        return t->base;
    case SIM_CT_BURSTS:
    case SIM_CT_EPISODES:
        return cycle_pos(t, t_ns) < t->on_ns ? t->peak : t->base;
    case SIM_CT_STEPS:
        for (uint32_t i = 0; i < t->n_steps && t->steps[i].at_ns <= t_ns; i++)
            d = t->steps[i].demand;
        return d;
    case SIM_CT_NONE:
        break;
    }
    return 0;
}

/* The first time after t_ns at which the raw shape changes. */
static uint64_t raw_next(const struct sim_cpu_trace *t, uint64_t t_ns)
{
    uint64_t pos, edge;

    switch (t->kind) {
    case SIM_CT_BURSTS:
    case SIM_CT_EPISODES:
        if (t->on_ns == 0 || t->on_ns >= t->period_ns)
            return UINT64_MAX;          /* never, or always, in a burst */
        pos = cycle_pos(t, t_ns);
        edge = pos < t->on_ns ? t->on_ns - pos : t->period_ns - pos;
        return t_ns > UINT64_MAX - edge ? UINT64_MAX : t_ns + edge;
    case SIM_CT_STEPS:
        for (uint32_t i = 0; i < t->n_steps; i++)
            if (t->steps[i].at_ns > t_ns)
                return t->steps[i].at_ns;
        return UINT64_MAX;
    case SIM_CT_STEADY:
    case SIM_CT_NONE:
        break;
    }
    return UINT64_MAX;
}

double sim_cpu_trace_demand(const struct sim_cpu_trace *t, uint64_t t_ns)
{
    double d = raw_demand(t, t_ns);

    if (t->noise > 0 && d > 0)
        d *= 1 + t->noise * noise_u(t->seed, t_ns / t->step_ns);
    return d > 0 ? d : 0;
}

uint64_t sim_cpu_trace_next(const struct sim_cpu_trace *t, uint64_t t_ns)
{
    uint64_t next = raw_next(t, t_ns);

    if (t->kind != SIM_CT_NONE && t->noise > 0) {
        uint64_t k = t_ns / t->step_ns;
        uint64_t step_end = k + 1 > UINT64_MAX / t->step_ns
                                ? UINT64_MAX : (k + 1) * t->step_ns;
        if (step_end < next)
            next = step_end;
    }
    return next;
}

/* --- reading "KIND:k=v,..." --- */

struct parse {
    char *why;
    size_t len;
};

static int bad(struct parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int bad(struct parse *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->why, p->len, fmt, ap);
    va_end(ap);
    return XN_EINVAL;
}

/* A plain decimal number (digits, an optional fraction), all of v. */
static bool number(const char *v, double *out)
{
    char *end;

    if (!isdigit((unsigned char)*v) && !(*v == '.' &&
                                         isdigit((unsigned char)v[1])))
        return false;
    errno = 0;
    *out = strtod(v, &end);
    return !*end && errno == 0 && isfinite(*out);
}

static int cpus_value(struct parse *p, const char *k, const char *v,
                      double *out)
{
    if (number(v, out) && *out <= SIM_VCPUS_MAX)
        return 0;
    return bad(p, "%s \"%s\" is not a number of CPUs from 0 to %d (e.g. "
               "1.5)", k, v, SIM_VCPUS_MAX);
}

static int seconds_value(struct parse *p, const char *k, const char *v,
                         bool positive, uint64_t *ns)
{
    double s;

    if (number(v, &s) && s <= SECONDS_MAX && (!positive || s > 0)) {
        *ns = (uint64_t)(s * NS_PER_S + 0.5);     /* no libm */
        if (!positive || *ns > 0)
            return 0;
    }
    return bad(p, "%s \"%s\" is not a number of seconds %s %.0f (e.g. "
               "60 or 0.5)", k, v, positive ? "above 0, up to" : "from 0 to",
               SECONDS_MAX);
}

static int option(struct parse *p, struct sim_cpu_trace *t, const char *k,
                  const char *v)
{
    double x;
    uint64_t n;
    char *end;

    if (!strcmp(k, "noise")) {
        if (number(v, &x) && x <= 1) {
            t->noise = x;
            return 0;
        }
        return bad(p, "noise \"%s\" is not a number from 0 to 1", v);
    }
    if (!strcmp(k, "seed")) {
        errno = 0;
        n = strtoull(v, &end, 10);
        if (isdigit((unsigned char)*v) && !*end && errno == 0) {
            t->seed = n;
            t->has_seed = true;
            return 0;
        }
        return bad(p, "seed \"%s\" is not a number from 0 to "
                   "18446744073709551615", v);
    }
    /* step */
    errno = 0;
    n = strtoull(v, &end, 10);
    if (isdigit((unsigned char)*v) && !*end && errno == 0 && n >= 1 &&
        n <= STEP_MS_MAX) {
        t->step_ns = n * SIM_MS;
        return 0;
    }
    return bad(p, "step \"%s\" is not a whole number of milliseconds from "
               "1 to %u", v, STEP_MS_MAX);
}

/* One T=D of a steps trace. */
static int step_value(struct parse *p, struct sim_cpu_trace *t,
                      const char *k, const char *v)
{
    struct sim_ct_step *s;
    int rc;

    if (t->n_steps == SIM_CT_STEPS_MAX)
        return bad(p, "a steps trace has at most %d steps",
                   SIM_CT_STEPS_MAX);
    s = &t->steps[t->n_steps];
    rc = seconds_value(p, "step time", k, false, &s->at_ns);
    if (rc == 0)
        rc = cpus_value(p, "demand", v, &s->demand);
    if (rc == 0 && t->n_steps > 0 && s->at_ns <= s[-1].at_ns)
        return bad(p, "step time \"%s\" is not after the one before it", k);
    if (rc == 0)
        t->n_steps++;
    return rc;
}

static const char *const kind_names[] = {
    [SIM_CT_STEADY] = "steady", [SIM_CT_BURSTS] = "bursts",
    [SIM_CT_EPISODES] = "episodes", [SIM_CT_STEPS] = "steps",
};

/* Shape parameters of steady, bursts and episodes. */
static const char *const shape_keys[] = {
    "base", "peak", "period", "on", "phase", NULL,
};

static int param(struct parse *p, struct sim_cpu_trace *t, unsigned *seen,
                 const char *k, const char *v)
{
    unsigned bit;
    size_t i;

    if (t->kind == SIM_CT_STEPS && isdigit((unsigned char)*k))
        return step_value(p, t, k, v);
    if (!strcmp(k, "noise") || !strcmp(k, "seed") || !strcmp(k, "step")) {
        bit = !strcmp(k, "noise") ? 1u << 8 : !strcmp(k, "seed") ? 1u << 9
                                                                  : 1u << 10;
        if (*seen & bit)
            return bad(p, "%s is given twice", k);
        *seen |= bit;
        return option(p, t, k, v);
    }
    for (i = 0; shape_keys[i] && strcmp(shape_keys[i], k); i++)
        ;
    if (!shape_keys[i] || t->kind == SIM_CT_STEPS ||
        (t->kind == SIM_CT_STEADY && i > 0))
        return bad(p, "\"%s\" is not a parameter of %s (%s)", k,
                   kind_names[t->kind],
                   t->kind == SIM_CT_STEADY ? "base, noise, seed, step"
                   : t->kind == SIM_CT_STEPS
                       ? "SECONDS=CPUS pairs, noise, seed, step"
                       : "base, peak, period, on, phase, noise, seed, step");
    bit = 1u << i;
    if (*seen & bit)
        return bad(p, "%s is given twice", k);
    *seen |= bit;
    switch (i) {
    case 0:
        return cpus_value(p, k, v, &t->base);
    case 1:
        return cpus_value(p, k, v, &t->peak);
    case 2:
        return seconds_value(p, k, v, true, &t->period_ns);
    case 3:
        return seconds_value(p, k, v, false, &t->on_ns);
    default:
        return seconds_value(p, k, v, false, &t->phase_ns);
    }
}

/* What every kind needs, once all parameters are in. */
static int complete(struct parse *p, struct sim_cpu_trace *t, unsigned seen)
{
    switch (t->kind) {
    case SIM_CT_STEADY:
        if (!(seen & 1))
            return bad(p, "steady needs base=CPUS");
        break;
    case SIM_CT_BURSTS:
    case SIM_CT_EPISODES:
        if ((seen & 0xf) != 0xf)
            return bad(p, "%s needs base=, peak=, period= and on=",
                       kind_names[t->kind]);
        if (t->on_ns > t->period_ns)
            return bad(p, "on (%.9g s) is longer than period (%.9g s)",
                       (double)t->on_ns / NS_PER_S,
                       (double)t->period_ns / NS_PER_S);
        break;
    case SIM_CT_STEPS:
        if (t->n_steps == 0)
            return bad(p, "steps needs at least one SECONDS=CPUS pair");
        break;
    case SIM_CT_NONE:
        break;
    }
    return 0;
}

int sim_cpu_trace_parse(const char *text, struct sim_cpu_trace *t,
                        char *why, size_t len)
{
    struct parse p = { why, len };
    char buf[TEXT_MAX], *colon, *item, *save = NULL;
    unsigned seen = 0;
    int rc = 0;

    sim_cpu_trace_init(t);
    if (strlen(text) >= sizeof(buf))
        return bad(&p, "is longer than %zu characters", sizeof(buf) - 1);
    snprintf(buf, sizeof(buf), "%s", text);
    colon = strchr(buf, ':');
    if (colon)
        *colon = '\0';
    for (int k = SIM_CT_STEADY; k <= SIM_CT_STEPS; k++)
        if (!strcmp(buf, kind_names[k]))
            t->kind = (enum sim_cpu_trace_kind)k;
    if (t->kind == SIM_CT_NONE)
        return bad(&p, "kind \"%s\" is not steady, bursts, episodes or "
                   "steps", buf);
    for (item = colon ? strtok_r(colon + 1, ",", &save) : NULL;
         item && rc == 0; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item)
            return bad(&p, "\"%s\" is not NAME=VALUE", item);
        *eq = '\0';
        rc = param(&p, t, &seen, item, eq + 1);
    }
    if (rc == 0)
        rc = complete(&p, t, seen);
    return rc;
}
