/*
 * xlcfg_write_numa.c - cpuid and vnuma.
 */
#include "config/xlcfg_write_int.h"

void xlw_numa(struct xlw *w)
{
    (void)w;
}

void xlw_cpuid(struct xlw *w)
{
    (void)w;
}
