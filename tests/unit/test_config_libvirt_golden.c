/*
 * test_config_libvirt_golden.c - the parser against xl itself on libvirt's
 * xl.cfg test files.
 *
 * For each tests/libvirt/xlconfigdata/NAME.cfg, tests/libvirt/xl-golden/
 * holds NAME.json: what `xl -N create` printed for it on Xen 4.17
 * (recorded by tests/lab/xl-golden.sh; never written by hand), with
 * NAME.xl-stderr when xl printed anything; or NAME.err, the one-line
 * message xenith must give for a file xl refuses.  xlcfg_parse of the cfg
 * must print the .json byte for byte (c_info's uuid masked when the file
 * sets none), and warn where xl warned.  NAME.host, when present, gives
 * the lab host's facts the file is parsed with (as in tests/config; for
 * files whose fate depends on the host: vnuma's pnodes).  The lab compares
 * the same files, but those, with xl on every run (40-config-compare,
 * /lab/corpus/libvirt-NAME.cfg).
 * Files are found under $XENITH_SRCDIR (default: the current directory).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg.h"
#include "config/xlcfg_int.h"
#include "golden_uuid.h"

static char **cfgs;     /* names of libvirt's .cfg files, sorted; owned */
static int ncfgs;

static const char *srcdir(void)
{
    const char *d = getenv("XENITH_SRCDIR");
    return d && *d ? d : ".";
}

/* Whole file, NUL-terminated, caller frees; NULL if it does not exist. */
static char *slurp(const char *path, size_t *len_r)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, n;

    if (!f)
        return NULL;
    do {
        buf = realloc(buf, len + 4097);
        ck_assert_ptr_nonnull(buf);
        n = fread(buf + len, 1, 4096, f);
        len += n;
    } while (n > 0);
    fclose(f);
    buf[len] = '\0';
    if (len_r)
        *len_r = len;
    return buf;
}

static int is_cfg(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, ".cfg") == 0;
}

static char *golden_file(const char *name, const char *ext)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/tests/libvirt/xl-golden/%s%s", srcdir(),
             name, ext);
    return slurp(path, NULL);
}

/*
 * NAME.host: "KEY = VALUE" lines (# starts a comment) setting max_cpus,
 * nr_nodes, online_cpus and cpu_node (each CPU's node, comma separated) in
 * *opts; cpu_node points into nodes[max].
 */
static void read_host(const char *name, struct xlcfg_opts *opts,
                      unsigned *nodes, int max)
{
    char *data = golden_file(name, ".host"), *line, *save = NULL;

    if (!data)
        return;
    for (line = strtok_r(data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char key[32];
        int val, off;

        if (line[0] == '#' || sscanf(line, " %31[a-z_] = %n", key, &off) != 1)
            continue;
        if (strcmp(key, "cpu_node") == 0) {
            opts->cpu_node = nodes;
            for (char *p = line + off; *p && opts->ncpu_node < max; p++) {
                nodes[opts->ncpu_node++] = (unsigned)strtoul(p, &p, 10);
                if (*p != ',')
                    break;
            }
            continue;
        }
        ck_assert_msg(sscanf(line + off, "%d", &val) == 1, "%s.host: bad "
                      "line %s", name, line);
        if (strcmp(key, "max_cpus") == 0)
            opts->max_cpus = val;
        else if (strcmp(key, "nr_nodes") == 0)
            opts->nr_nodes = val;
        else if (strcmp(key, "online_cpus") == 0)
            opts->online_cpus = val;
        else
            ck_abort_msg("%s.host: unknown fact %s", name, key);
    }
    free(data);
}

START_TEST(libvirt_golden)
{
    const char *name = cfgs[_i];
    char path[1024], file[300];
    size_t len;
    libxl_domain_config dc;
    struct xlcfg_warnings warn;
    struct xlcfg_opts opts = {.warn = &warn};
    struct xn_msg msg;

    snprintf(path, sizeof(path), "%s/tests/libvirt/xlconfigdata/%s.cfg",
             srcdir(), name);
    char *data = slurp(path, &len);
    ck_assert_ptr_nonnull(data);
    char *want_json = golden_file(name, ".json");
    char *want_err = golden_file(name, ".err");
    char *xl_stderr = golden_file(name, ".xl-stderr");
    ck_assert_msg(want_json || want_err, "tests/libvirt/xl-golden has no "
                  "%s.json (xl's output) or %s.err", name, name);

    unsigned host_nodes[64];
    read_host(name, &opts, host_nodes, 64);

    snprintf(file, sizeof(file), "%s.cfg", name);
    libxl_domain_config_init(&dc);
    int rc = xlcfg_parse_opts(file, data, len, &opts, &dc, &msg);
    if (want_json) {
        ck_assert_msg(rc == 0, "%s.cfg: xl accepts it, xenith says: %s",
                      name, msg.text);
        ck_assert_msg(!xl_stderr || !strcasestr(xl_stderr, "warning") ||
                      warn.n > 0, "%s.cfg: xl warns (%s.xl-stderr), xenith "
                      "does not", name, name);
        char *json = xlcfg_dryrun_json(&dc);
        ck_assert_ptr_nonnull(json);
        if (!golden_sets_uuid(data, len)) {
            golden_mask_uuid(json);
            golden_mask_uuid(want_json);
        }
        if (strcmp(json, want_json) != 0) {
            int line = 1;
            const char *w = want_json, *g = json;
            while (*w && *w == *g) {
                line += *w == '\n';
                w++, g++;
            }
            while (w > want_json && w[-1] != '\n')
                w--, g--;
            ck_abort_msg("%s.json differs at line %d:\n  xl:     %.*s\n  "
                         "xenith: %.*s", name, line, (int)strcspn(w, "\n"),
                         w, (int)strcspn(g, "\n"), g);
        }
        free(json);
    } else {
        want_err[strcspn(want_err, "\n")] = '\0';
        ck_assert_msg(rc == XN_EINVAL, "%s.cfg: expected \"%s\", got %s",
                      name, want_err, rc == 0 ? "success" : msg.text);
        ck_assert_str_eq(msg.text, want_err);
    }
    libxl_domain_config_dispose(&dc);
    free(data);
    free(want_json);
    free(want_err);
    free(xl_stderr);
}
END_TEST

int main(void)
{
    char dir[1024];
    struct dirent **ents;
    Suite *s = suite_create("config_libvirt_golden");
    TCase *tc = tcase_create("golden");

    snprintf(dir, sizeof(dir), "%s/tests/libvirt/xlconfigdata", srcdir());
    ncfgs = scandir(dir, &ents, is_cfg, alphasort);
    if (ncfgs <= 0) {
        fprintf(stderr, "test_config_libvirt_golden: no .cfg files in %s "
                "(set XENITH_SRCDIR)\n", dir);
        return EXIT_FAILURE;
    }
    cfgs = calloc((size_t)ncfgs, sizeof(char *));
    for (int i = 0; i < ncfgs; i++) {
        cfgs[i] = strndup(ents[i]->d_name, strlen(ents[i]->d_name) - 4);
        free(ents[i]);
    }
    free(ents);
    tcase_add_loop_test(tc, libvirt_golden, 0, ncfgs);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    for (int i = 0; i < ncfgs; i++)
        free(cfgs[i]);
    free(cfgs);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
