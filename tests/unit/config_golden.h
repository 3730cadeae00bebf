/*
 * config_golden.h - reading the golden files (tests/config/,
 * tests/libvirt/) for the Check suites of the xl.cfg parser and writer and
 * of libvirt XML (test_config.c, test_config_write.c,
 * test_config_libvirt_golden.c, test_libvirt.c): listing them, reading
 * them, the host facts a file is parsed with, and saying where two JSON
 * documents differ.
 * Linked into every test binary, so each name it defines starts with
 * cgold_.
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

/* SRCDIR/dir/NAME+ext, as cgold_slurp (NULL if it does not exist). */
char *cgold_file(const char *dir, const char *name, const char *ext,
                 size_t *len_r);

/*
 * The names (without ext) of the files NAME+ext in dir, sorted; with
 * beside (another ending, or NULL), only those that have NAME+beside in
 * dir too.  *names and each name are malloc'd: cgold_free_names.
 * Returns how many (0 when dir cannot be read).
 */
int cgold_list(const char *dir, const char *ext, const char *beside,
               char ***names);
void cgold_free_names(char **names, int n);

/* The line (from 1) where a and b first differ; *at_a and *at_b get the
 * start of that line in each. */
int cgold_diff_line(const char *a, const char *b, const char **at_a,
                    const char **at_b);

/* Fails the test when xl's JSON (want) and xenith's (got) differ, naming
 * NAME.json and quoting the first line that differs in each. */
void cgold_assert_json(const char *name, const char *want, const char *got);

/* Room for the host facts of one golden file (cpu_node points into it). */
#define CGOLD_MAX_CPUS 64
struct cgold_host {
    unsigned nodes[CGOLD_MAX_CPUS];
};

/*
 * DIR/NAME.host (DIR under the source directory: "tests/config" or
 * "tests/libvirt/xl-golden"), when present: "KEY = VALUE" lines (# starts a
 * comment) setting max_cpus, nr_nodes, online_cpus (numbers) and cpu_node
 * (node of each CPU, comma separated) in *opts; cpu_node then points into
 * host, which must outlive the parse.  Without the file opts is unchanged
 * and false is returned.  A line it cannot read fails the test.
 */
bool cgold_read_host(const char *dir, const char *name,
                     struct xlcfg_opts *opts, struct cgold_host *host);

#endif
