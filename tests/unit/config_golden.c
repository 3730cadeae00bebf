/*
 * config_golden.c - reading the golden files of tests/config/
 * (config_golden.h): the source directory, whole files, and the host
 * facts a golden file is parsed with (NAME.host).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_golden.h"

const char *cgold_srcdir(void)
{
    const char *d = getenv("XENITH_SRCDIR");
    return d && *d ? d : ".";
}

char *cgold_slurp(const char *path, size_t *len_r)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, n;

    if (!f)
        return NULL;
    for (;;) {
        buf = realloc(buf, len + 4097);
        ck_assert_ptr_nonnull(buf);
        n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    if (len_r)
        *len_r = len;
    return buf;
}

bool cgold_read_host(const char *name, struct xlcfg_opts *opts,
                     struct cgold_host *host)
{
    char path[1024], *data, *line, *save = NULL;

    snprintf(path, sizeof(path), "%s/tests/config/%s.host", cgold_srcdir(),
             name);
    if (!(data = cgold_slurp(path, NULL)))
        return false;
    for (line = strtok_r(data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char key[32];
        int val, off;

        if (line[0] == '#' || sscanf(line, " %31[a-z_] = %n", key, &off) != 1)
            continue;
        if (strcmp(key, "cpu_node") == 0) {
            opts->cpu_node = host->nodes;
            opts->ncpu_node = 0;
            for (char *p = line + off;
                 *p && opts->ncpu_node < CGOLD_MAX_CPUS; p++) {
                host->nodes[opts->ncpu_node++] =
                    (unsigned)strtoul(p, &p, 10);
                if (*p != ',')
                    break;
            }
            continue;
        }
        ck_assert_msg(sscanf(line + off, "%d", &val) == 1, "%s: bad line %s",
                      path, line);
        if (strcmp(key, "max_cpus") == 0)
            opts->max_cpus = val;
        else if (strcmp(key, "nr_nodes") == 0)
            opts->nr_nodes = val;
        else if (strcmp(key, "online_cpus") == 0)
            opts->online_cpus = val;
        else
            ck_abort_msg("%s: unknown fact %s", path, key);
    }
    free(data);
    return true;
}
