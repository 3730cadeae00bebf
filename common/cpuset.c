/* cpuset.c - CPU sets and xl's CPU list syntax. */
#include "cpuset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cpuset_clear(struct cpuset *s)
{
    memset(s, 0, sizeof(*s));
}

void cpuset_fill(struct cpuset *s, unsigned n)
{
    cpuset_clear(s);
    for (unsigned i = 0; i < n && i < CPUSET_MAX; i++)
        cpuset_add(s, i);
}

void cpuset_add(struct cpuset *s, unsigned cpu)
{
    if (cpu < CPUSET_MAX)
        s->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

void cpuset_del(struct cpuset *s, unsigned cpu)
{
    if (cpu < CPUSET_MAX)
        s->bits[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
}

bool cpuset_has(const struct cpuset *s, unsigned cpu)
{
    return cpu < CPUSET_MAX && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned cpuset_count(const struct cpuset *s)
{
    unsigned n = 0;
    for (size_t i = 0; i < CPUSET_MAX / 64; i++)
        n += (unsigned)__builtin_popcountll(s->bits[i]);
    return n;
}

bool cpuset_empty(const struct cpuset *s)
{
    return cpuset_count(s) == 0;
}

unsigned cpuset_span(const struct cpuset *s)
{
    for (unsigned cpu = CPUSET_MAX; cpu > 0; cpu--)
        if (cpuset_has(s, cpu - 1))
            return cpu;
    return 0;
}

bool cpuset_equal(const struct cpuset *a, const struct cpuset *b)
{
    return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

/* Parse one decimal CPU number at *p, advancing it. */
static int parse_cpu(const char **p, unsigned limit, unsigned *cpu_r)
{
    char *end;
    if (**p < '0' || **p > '9')
        return -1;
    errno = 0;
    unsigned long v = strtoul(*p, &end, 10);
    if (errno || v >= limit)
        return -1;
    *p = end;
    *cpu_r = (unsigned)v;
    return 0;
}

int cpuset_parse(struct cpuset *s, const char *text, unsigned ncpus,
                 struct xn_msg *msg)
{
    unsigned limit = ncpus ? ncpus : CPUSET_MAX;
    const char *p = text;

    cpuset_clear(s);
    if (!text || !*text)
        return xn_msg_set(msg, XN_EINVAL, "CPU list \"\" is empty");
    if (strcmp(text, "all") == 0) {
        cpuset_fill(s, limit);
        return 0;
    }
    for (;;) {
        bool negate = false;
        unsigned lo, hi;
        if (*p == '^') {
            negate = true;
            p++;
        }
        if (parse_cpu(&p, limit, &lo) < 0)
            goto bad;
        hi = lo;
        if (*p == '-') {
            p++;
            if (parse_cpu(&p, limit, &hi) < 0 || hi < lo)
                goto bad;
        }
        for (unsigned c = lo; c <= hi; c++) {
            if (negate)
                cpuset_del(s, c);
            else
                cpuset_add(s, c);
        }
        if (*p == '\0')
            break;
        if (*p != ',')
            goto bad;
        p++;
    }
    if (cpuset_empty(s))
        return xn_msg_set(msg, XN_EINVAL, "CPU list \"%s\" selects no CPU",
                          text);
    return 0;
bad:
    if (ncpus)
        return xn_msg_set(msg, XN_EINVAL,
                          "CPU list \"%s\" is not valid (CPUs 0-%u, e.g. "
                          "\"0-3,^2\" or \"all\")", text, ncpus - 1);
    return xn_msg_set(msg, XN_EINVAL,
                      "CPU list \"%s\" is not valid (e.g. \"0-3,^2\" or "
                      "\"all\")", text);
}

char *cpuset_format(const struct cpuset *s, unsigned ncpus, char *buf,
                    size_t len)
{
    size_t used = 0;
    struct cpuset all;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (ncpus) {
        cpuset_fill(&all, ncpus);
        if (cpuset_equal(s, &all)) {
            snprintf(buf, len, "all");
            return buf;
        }
    }
    for (unsigned c = 0; c < CPUSET_MAX; c++) {
        if (!cpuset_has(s, c))
            continue;
        unsigned e = c;
        while (e + 1 < CPUSET_MAX && cpuset_has(s, e + 1))
            e++;
        int n = e == c ? snprintf(buf + used, len - used, "%s%u",
                                  used ? "," : "", c)
                       : snprintf(buf + used, len - used, "%s%u-%u",
                                  used ? "," : "", c, e);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
        c = e;
    }
    if (used == 0)
        snprintf(buf, len, "none");
    return buf;
}
