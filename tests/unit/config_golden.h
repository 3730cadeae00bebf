/*
 * config_golden.h - reading the golden files of tests/config/ for the
 * Check suites of the xl.cfg parser and writer (test_config.c,
 * test_config_write.c).  Linked into every test binary, so each name it
 * defines starts with cgold_.
 */
#ifndef XENITH_TEST_CONFIG_GOLDEN_H
#define XENITH_TEST_CONFIG_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>

#include "config/xlcfg.h"

/* $XENITH_SRCDIR, or "." when unset or empty. */
const char *cgold_srcdir(void);

/* Whole file, NUL-terminated (malloc'd, the caller frees it); NULL if it
 * does not exist.  *len_r (when not NULL) gets its length. */
char *cgold_slurp(const char *path, size_t *len_r);

/* Room for the host facts of one golden file (cpu_node points into it). */
#define CGOLD_MAX_CPUS 64
struct cgold_host {
    unsigned nodes[CGOLD_MAX_CPUS];
};

/*
 * tests/config/NAME.host, when present: "KEY = VALUE" lines (# starts a
 * comment) setting max_cpus, nr_nodes, online_cpus (numbers) and cpu_node
 * (node of each CPU, comma separated) in *opts; cpu_node then points into
 * host, which must outlive the parse.  Without the file opts is unchanged
 * and false is returned.  A line it cannot read fails the test.
 */
bool cgold_read_host(const char *name, struct xlcfg_opts *opts,
                     struct cgold_host *host);

#endif
