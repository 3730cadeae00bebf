/*
 * sim_scenario_mem.c - a scenario's guest-memory attributes: the balloon
 * driver (balloon=, balloon-speed=), the guest agent (agent=,
 * report-every=) and the workload (workload=, workload-mem=, swap=,
 * workload-seed=); the guest's writes to memory (dirty-rate=, dirty-set=).
 * Errors as the other attributes': one sentence
 * "FILE:LINE: WHAT: NAME \"VALUE\" why".
 */
#include "sim/sim_scenario_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SPEED_TEXT_MAX 40

/* A value from a list of names (its index into *out); *out left alone
 * when absent. */
static int a_choice(struct sc *sc, const struct elem *e, const char *name,
                    const char *const *names, const char *why, int *out)
{
    const char *v = elem_get(e, name);

    if (!v)
        return 0;
    for (int i = 0; names[i]; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return 0;
        }
    return elem_bad(sc, e, name, v, why);
}

/* A size per second ("64MiB" or "64MiB/s", "0"); false when it is not. */
static bool parse_rate(const char *v, uint64_t *kb_s)
{
    char size[SPEED_TEXT_MAX];
    size_t n = strlen(v);

    if (strcmp(v, "0") == 0) {
        *kb_s = 0;
        return true;
    }
    if (n > 2 && strcmp(v + n - 2, "/s") == 0)
        n -= 2;
    if (n >= sizeof(size))
        return false;
    memcpy(size, v, n);
    size[n] = '\0';
    return sc_parse_size(size, kb_s);
}

int a_speed(struct sc *sc, const struct elem *e, uint64_t *kb_s)
{
    const char *v = elem_get(e, "balloon-speed");

    if (!v || parse_rate(v, kb_s))
        return 0;
    return elem_bad(sc, e, "balloon-speed", v, "is not a speed (use a size "
                    "per second, e.g. 64MiB or 64MiB/s; 0 = at once)");
}

/* dirty-set=: a percentage above 0 and up to 100, e.g. "25%" or "12.5%". */
static int a_percent(struct sc *sc, const struct elem *e, const char *name,
                     double *frac)
{
    const char *v = elem_get(e, name);
    char *end;
    double p;

    if (!v)
        return 0;
    errno = 0;
    p = strtod(v, &end);
    if (isdigit((unsigned char)*v) && errno == 0 && strcmp(end, "%") == 0 &&
        p > 0 && p <= 100) {
        *frac = p / 100;
        return 0;
    }
    return elem_bad(sc, e, name, v, "is not a percentage above 0 and up to "
                    "100 (e.g. 25%)");
}

int a_dirty(struct sc *sc, const struct elem *e, struct sim_dirty *w)
{
    const char *v = elem_get(e, "dirty-rate");

    if (v && (!parse_rate(v, &w->rate_kb_s) ||
              w->rate_kb_s > SIM_DIRTY_RATE_MAX))
        return elem_bad(sc, e, "dirty-rate", v, "is not a write rate (use "
                        "a size per second up to 1TiB/s, e.g. 64MiB/s; 0 = "
                        "none)");
    return a_percent(sc, e, "dirty-set", &w->set);
}

/* A size that may be 0 (swap=). */
static int a_size0(struct sc *sc, const struct elem *e, const char *name,
                   uint64_t *kb)
{
    const char *v = elem_get(e, name);

    if (v && strcmp(v, "0") == 0) {
        *kb = 0;
        return 0;
    }
    return a_size(sc, e, name, kb);
}

/* report-every=: whole seconds from 1 s to an hour. */
static int a_every(struct sc *sc, const struct elem *e, uint32_t *s)
{
    const char *v = elem_get(e, "report-every");
    struct xn_msg *keep = sc->msg, inner;
    uint64_t ns = 0;
    int rc;

    if (!v)
        return 0;
    sc->msg = &inner;
    rc = a_duration(sc, e, "report-every", &ns);
    sc->msg = keep;
    if (rc == 0 && ns % (1000 * SIM_MS) == 0 && ns >= 1000 * SIM_MS &&
        ns <= SIM_REPORT_EVERY_MAX * 1000 * SIM_MS) {
        *s = (uint32_t)(ns / (1000 * SIM_MS));
        return 0;
    }
    return elem_bad(sc, e, "report-every", v, "is not a whole number of "
                    "seconds from 1s to 3600s (e.g. 2s)");
}

/* workload-seed=: any unsigned 64-bit number. */
static int a_seed(struct sc *sc, const struct elem *e, uint64_t *seed,
                  bool *has)
{
    const char *v = elem_get(e, "workload-seed");
    char *end;

    if (!v)
        return 0;
    errno = 0;
    if (isdigit((unsigned char)*v)) {
        *seed = strtoull(v, &end, 10);
        if (errno == 0 && !*end) {
            *has = true;
            return 0;
        }
    }
    return elem_bad(sc, e, "workload-seed", v, "is not a number from 0 to "
                    "18446744073709551615");
}

int a_guest_mem(struct sc *sc, const struct elem *e, struct sim_dom_spec *s)
{
    static const char *const balloons[] = {
        "follow", "stuck", "absent", NULL,      /* enum sim_balloon */
    };
    static const char *const workloads[] = {
        "none", "idle", "steady", "burst", "leak", NULL,   /* sim_workload */
    };
    struct sim_guest_mem *gm = &s->gm;
    int balloon = (int)gm->balloon, wl = (int)gm->workload;
    int rc = a_choice(sc, e, "balloon", balloons, "is not follow, stuck or "
                      "absent", &balloon);

    if (rc == 0)
        rc = a_speed(sc, e, &gm->speed_kb_s);
    if (rc == 0)
        rc = a_bool(sc, e, "agent", &gm->agent);
    if (rc == 0)
        rc = a_every(sc, e, &gm->report_every_s);
    if (rc == 0)
        rc = a_choice(sc, e, "workload", workloads, "is not none, idle, "
                      "steady, burst or leak", &wl);
    if (rc == 0)
        rc = a_size(sc, e, "workload-mem", &gm->base_kb);
    if (rc == 0)
        rc = a_size0(sc, e, "swap", &gm->swap_kb);
    if (rc == 0)
        rc = a_seed(sc, e, &gm->wl_seed, &s->has_wl_seed);
    gm->balloon = (enum sim_balloon)balloon;
    gm->workload = (enum sim_workload)wl;
    /* workload-mem defaults to memory= when there is a workload
     * (sim_dom_add: base 0 with a workload is the memory) */
    return rc;
}
