/*
 * config_golden.c - reading the golden files (config_golden.h): the source
 * directory, listings, whole files, the host facts a golden file is parsed
 * with (NAME.host), and where two JSON documents differ.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

char *cgold_file(const char *dir, const char *name, const char *ext,
                 size_t *len_r)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s/%s%s", cgold_srcdir(), dir, name,
             ext);
    return cgold_slurp(path, len_r);
}

static bool ends_with(const char *s, size_t len, const char *end)
{
    size_t n = strlen(end);
    return len > n && strcmp(s + len - n, end) == 0;
}

int cgold_list(const char *dir, const char *ext, const char *beside,
               char ***names)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort), k = 0;

    *names = calloc(n > 0 ? (size_t)n : 1, sizeof(char *));
    if (!*names)
        abort();                /* called from main, outside any test */
    for (int i = 0; i < n; i++) {
        const char *e = ents[i]->d_name;
        size_t len = strlen(e), stem = len - strlen(ext);
        char path[1300];

        if (ends_with(e, len, ext)) {
            if (beside)
                snprintf(path, sizeof(path), "%s/%.*s%s", dir, (int)stem, e,
                         beside);
            if (!beside || access(path, R_OK) == 0)
                (*names)[k++] = strndup(e, stem);
        }
        free(ents[i]);
    }
    if (n > 0)
        free(ents);
    return k;
}

void cgold_free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int cgold_diff_line(const char *a, const char *b, const char **at_a,
                    const char **at_b)
{
    int line = 1;
    const char *p = a, *q = b;

    while (*p && *p == *q) {
        line += *p == '\n';
        p++;
        q++;
    }
    while (p > a && p[-1] != '\n')
        p--, q--;
    *at_a = p;
    *at_b = q;
    return line;
}

void cgold_assert_json(const char *name, const char *want, const char *got)
{
    const char *w, *g;
    int line;

    if (strcmp(want, got) == 0)
        return;
    line = cgold_diff_line(want, got, &w, &g);
    ck_abort_msg("%s.json differs at line %d:\n  xl:     %.*s\n  xenith: %.*s",
                 name, line, (int)strcspn(w, "\n"), w, (int)strcspn(g, "\n"),
                 g);
}

bool cgold_read_host(const char *dir, const char *name,
                     struct xlcfg_opts *opts, struct cgold_host *host)
{
    char *data, *line, *save = NULL;

    if (!(data = cgold_file(dir, name, ".host", NULL)))
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
        ck_assert_msg(sscanf(line + off, "%d", &val) == 1, "%s/%s.host: bad "
                      "line %s", dir, name, line);
        if (strcmp(key, "max_cpus") == 0)
            opts->max_cpus = val;
        else if (strcmp(key, "nr_nodes") == 0)
            opts->nr_nodes = val;
        else if (strcmp(key, "online_cpus") == 0)
            opts->online_cpus = val;
        else
            ck_abort_msg("%s/%s.host: unknown fact %s", dir, name, key);
    }
    free(data);
    return true;
}
