/*
 * libvirt_cpu.c - <cpu>: host-passthrough with its features (nestedhvm and
 * cpuid, as libvirt's Xen driver writes them) and <numa> cells (vnuma),
 * with distances completed as libvirt completes them (a missing distance is
 * the reverse one when given, else 10 to itself and 20 to another node).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/libvirt_int.h"

/* libvirt's feature names where libxl's cpuid names differ. */
static const char *const feature_names[][2] = {
    {"cx16", "cmpxchg16"}, {"cid", "cntxid"}, {"ds_cpl", "dscpl"},
    {"pclmuldq", "pclmulqdq"}, {"pni", "sse3"}, {"ht", "htt"},
    {"pn", "psn"}, {"clflush", "clfsh"}, {"sep", "sysenter"},
    {"cx8", "cmpxchg8"}, {"nodeid_msr", "nodeid"},
    {"cr8legacy", "altmovcr8"}, {"lahf_lm", "lahfsahf"},
    {"cmp_legacy", "cmplegacy"}, {"fxsr_opt", "ffxsr"},
    {"pdpe1gb", "page1gb"}, {"spec-ctrl", "ibrsb"},
};
#define NFEATURES (sizeof(feature_names) / sizeof(feature_names[0]))

const char *lv_cpu_feature_to_xl(const char *name)
{
    for (size_t i = 0; i < NFEATURES; i++)
        if (strcmp(feature_names[i][0], name) == 0)
            return feature_names[i][1];
    return name;
}

const char *lv_cpu_feature_from_xl(const char *name)
{
    for (size_t i = 0; i < NFEATURES; i++)
        if (strcmp(feature_names[i][1], name) == 0)
            return feature_names[i][0];
    return name;
}

static int read_features(struct lv *l, xmlNodePtr cpu)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    bool hw_virt = true, any = false;
    xmlNodePtr first = NULL;
    int rc = 0;

    if (!f)
        return xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    fputs("host", f);
    for (xmlNodePtr n = lv_child(cpu, "feature"); n;
         n = lv_next(n, "feature")) {
        char *name = lv_attr(n, "name"), *policy = lv_attr(n, "policy");
        const char *v = NULL;
        lv_take(n);
        if (!name) {
            rc = lv_fail(l, n, "the feature has no name");
        } else if (!policy || strcmp(policy, "require") == 0 ||
                   strcmp(policy, "force") == 0) {
            v = "1";
        } else if (strcmp(policy, "optional") == 0) {
            v = "x";
        } else if (strcmp(policy, "disable") == 0 ||
                   strcmp(policy, "forbid") == 0) {
            v = "0";
        } else {
            rc = lv_fail(l, n, "policy \"%s\" is not force, require, "
                         "optional, disable or forbid", policy);
        }
        if (v && (strcmp(name, "vmx") == 0 || strcmp(name, "svm") == 0)) {
            /* Hardware virtualisation is nestedhvm, not a cpuid bit. */
            if (*v == '0')
                hw_virt = false;
        } else if (v) {
            fprintf(f, ",%s=%s", lv_cpu_feature_to_xl(name), v);
            any = true;
            if (!first)
                first = n;
        }
        xmlFree(name);
        xmlFree(policy);
        if (rc)
            break;
    }
    if (fclose(f) != 0 && rc == 0)
        rc = xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory", l->file);
    if (rc == 0 && l->hvm)
        rc = lv_set_num(l, "nestedhvm", cpu, hw_virt);
    if (rc == 0 && any)
        rc = lv_set_str(l, "cpuid", first, buf);
    free(buf);
    return rc;
}

struct cell {
    xmlNodePtr node;
    long id;
    char *cpus;         /* xmlFree */
    unsigned long long kib;
};

/* The distance from cell a to cell b, as libvirt completes it. */
static long distance(struct lv *l, struct cell *cells, int n, int a, int b,
                     int *rc)
{
    for (int pass = 0; pass < 2; pass++) {
        int from = pass ? b : a, to = pass ? a : b;
        xmlNodePtr d = lv_child(cells[from].node, "distances");
        lv_take(d);
        for (xmlNodePtr s = lv_child(d, "sibling"); s;
             s = lv_next(s, "sibling")) {
            char *id = lv_attr(s, "id"), *value = lv_attr(s, "value");
            long sid = -1, v = 0;
            lv_take(s);
            if (*rc == 0)
                *rc = lv_long(l, s, "sibling id", id, 0, n - 1, &sid);
            if (*rc == 0 && sid == cells[to].id)
                *rc = lv_long(l, s, "distance", value, 10, 255, &v);
            xmlFree(id);
            xmlFree(value);
            if (*rc)
                return 0;
            if (sid == cells[to].id)
                return v;
        }
    }
    return a == b ? 10 : 20;
}

static int read_numa(struct lv *l, xmlNodePtr numa)
{
    struct cell cells[64];
    int n = 0, rc = 0;

    lv_take(numa);
    for (xmlNodePtr c = lv_child(numa, "cell"); c; c = lv_next(c, "cell")) {
        char *id = lv_attr(c, "id"), *mem = lv_attr(c, "memory");
        char *unit = lv_attr(c, "unit");
        lv_take(c);
        if (n == 64)
            rc = lv_fail(l, c, "more than 64 NUMA cells");
        if (rc == 0) {
            cells[n].node = c;
            cells[n].cpus = lv_attr(c, "cpus");
            cells[n].id = n;
            n++;
            if (id)
                rc = lv_long(l, c, "id", id, n - 1, n - 1, &cells[n - 1].id);
        }
        if (rc == 0)
            rc = lv_size_kib(l, c, mem, unit, &cells[n - 1].kib);
        if (rc == 0 && !cells[n - 1].cpus)
            rc = lv_fail(l, c, "the cell has no cpus");
        xmlFree(id);
        xmlFree(mem);
        xmlFree(unit);
        if (rc)
            break;
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        char *item = NULL, *dist = NULL;
        size_t ilen = 0, dlen = 0;
        FILE *d = open_memstream(&dist, &dlen);
        if (!d)
            return xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory",
                              l->file);
        for (int j = 0; j < n && rc == 0; j++)
            fprintf(d, "%s%ld", j ? "," : "",
                    distance(l, cells, n, i, j, &rc));
        fclose(d);
        FILE *f = open_memstream(&item, &ilen);
        if (f) {
            fprintf(f, "[ \"pnode=%d\", \"size=%llu\", \"vcpus=%s\", "
                    "\"vdistances=%s\" ]", i, cells[i].kib / 1024,
                    cells[i].cpus, dist);
            fclose(f);
        }
        if (rc == 0)
            rc = item ? lv_add_raw(l, "vnuma", cells[i].node, item)
                      : xn_msg_set(l->msg, XN_ENOMEM, "%s: out of memory",
                                   l->file);
        free(item);
        free(dist);
    }
    for (int i = 0; i < n; i++)
        xmlFree(cells[i].cpus);
    return rc;
}

int lv_read_cpu(struct lv *l, xmlNodePtr cpu)
{
    char *mode = lv_attr(cpu, "mode");
    xmlNodePtr numa = lv_child(cpu, "numa");
    int rc = 0;

    lv_take(cpu);
    if (mode && strcmp(mode, "host-passthrough") == 0)
        rc = read_features(l, cpu);
    else if (mode || lv_child(cpu, "feature") || lv_child(cpu, "model"))
        lv_warn(l, cpu, "CPU mode \"%s\" is ignored: libvirt's Xen driver "
                "maps only host-passthrough (and its features)",
                mode ? mode : "custom");
    if (mode && strcmp(mode, "host-passthrough") != 0)
        for (xmlNodePtr n = lv_child(cpu, NULL); n; n = lv_next(n, NULL))
            if (n != numa)
                lv_take_all(n);
    if (rc == 0 && numa)
        rc = read_numa(l, numa);
    xmlFree(mode);
    return rc;
}
