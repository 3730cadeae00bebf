/*
 * test_config_vnuma.c - the xl.cfg settings that depend on the host's NUMA
 * layout (struct xlcfg_opts nr_nodes, online_cpus, cpu_node): vnuma's
 * pnode and vCPU count, "nodes:N" in cpus=/cpus_soft=, the warning given
 * when those facts are unknown; and ms_vm_genid = "generate" (random, so
 * it has no golden file).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "config/xlcfg.h"
#include "config/xlcfg_int.h"

/* Two nodes of two CPUs each: CPUs 0,2 on node 0 and 1,3 on node 1. */
static const unsigned two_nodes[] = {0, 1, 0, 1};

static struct xlcfg_warnings warn;
static struct xn_msg msg;
static libxl_domain_config dc;

static int parse(const char *text, const struct xlcfg_opts *host)
{
    struct xlcfg_opts o = host ? *host : (struct xlcfg_opts){0};

    o.warn = &warn;
    libxl_domain_config_dispose(&dc);
    libxl_domain_config_init(&dc);
    return xlcfg_parse_opts("t.cfg", text, strlen(text), &o, &dc, &msg);
}

static void teardown(void)
{
    libxl_domain_config_dispose(&dc);
}

static void setup(void)
{
    libxl_domain_config_init(&dc);
}

#define HEAD "name = \"v\"\ntype = \"hvm\"\nmemory = 1024\n"
#define TWO_VNODES \
    "vnuma = [ [ \"pnode=%d\", \"size=512\", \"vcpus=0-1\", " \
    "\"vdistances=10,20\" ],\n" \
    "          [ \"pnode=%d\", \"size=512\", \"vcpus=2-3\", " \
    "\"vdistances=20,10\" ] ]\n"

static const char *vnuma_cfg(const char *extra, int p0, int p1)
{
    static char buf[1024];

    snprintf(buf, sizeof(buf), HEAD "%s" TWO_VNODES, extra, p0, p1);
    return buf;
}

START_TEST(pnode_checked_when_nodes_known)
{
    struct xlcfg_opts host = {.nr_nodes = 2, .online_cpus = 4};

    ck_assert_int_eq(parse(vnuma_cfg("", 0, 1), &host), 0);
    ck_assert_int_eq(warn.n, 0);
    ck_assert_int_eq(dc.b_info.num_vnuma_nodes, 2);
    ck_assert_int_eq(dc.b_info.vnuma_nodes[1].pnode, 1);
    ck_assert_int_eq(dc.b_info.max_vcpus, 4);
    ck_assert_uint_eq(dc.b_info.max_memkb, 1024 * 1024);
    ck_assert(libxl_defbool_is_default(dc.b_info.numa_placement) == false);

    host.nr_nodes = 1;
    ck_assert_int_eq(parse(vnuma_cfg("", 0, 1), &host), XN_EINVAL);
    ck_assert_str_eq(msg.text, "t.cfg:5: vnuma: vnode 1: \"pnode=1\" names "
                     "a NUMA node the host does not have (it has 1)");
}
END_TEST

START_TEST(vcpus_checked_against_online_cpus)
{
    struct xlcfg_opts host = {.nr_nodes = 2, .online_cpus = 3};

    ck_assert_int_eq(parse(vnuma_cfg("", 0, 0), &host), XN_EINVAL);
    ck_assert_str_eq(msg.text, "t.cfg:4: vnuma: the vnodes name 4 vCPUs, "
                     "more than the host's 3 CPUs (set maxvcpus to allow "
                     "that)");
    /* maxvcpus lifts the check, as in xl. */
    ck_assert_int_eq(parse(vnuma_cfg("maxvcpus = 4\n", 0, 0), &host), 0);
    ck_assert_int_eq(warn.n, 0);
}
END_TEST

START_TEST(unknown_facts_warn_once)
{
    /* Nothing known: one warning naming both checks. */
    ck_assert_int_eq(parse(vnuma_cfg("", 0, 1), NULL), 0);
    ck_assert_int_eq(warn.n, 1);
    ck_assert_str_eq(warn.text[0], "t.cfg:4: vnuma: not checked, as the host "
                     "is not known here (no daemon): whether it has NUMA "
                     "node 1 (a pnode); whether it has 4 CPUs for the "
                     "vnodes' 4 vCPUs (xl checks this without maxvcpus)");
    /* Only pnode 0 (always there) and maxvcpus: nothing to warn about. */
    ck_assert_int_eq(parse(vnuma_cfg("maxvcpus = 4\n", 0, 0), NULL), 0);
    ck_assert_int_eq(warn.n, 0);
    /* Only the node count unknown. */
    struct xlcfg_opts host = {.online_cpus = 8};
    ck_assert_int_eq(parse(vnuma_cfg("", 0, 1), &host), 0);
    ck_assert_int_eq(warn.n, 1);
    ck_assert_ptr_nonnull(strstr(warn.text[0], "NUMA node 1"));
    ck_assert_ptr_null(strstr(warn.text[0], "CPUs"));
    /* No vnuma: no warning. */
    ck_assert_int_eq(parse(HEAD "vnuma = [ ]\n", NULL), 0);
    ck_assert_int_eq(warn.n, 0);
}
END_TEST

START_TEST(nodes_map_through_topology)
{
    struct xlcfg_opts host = {.max_cpus = 4, .nr_nodes = 2,
                              .cpu_node = two_nodes, .ncpu_node = 4};
    libxl_bitmap m;
    const char *why = NULL;

    libxl_bitmap_init(&m);
    ck_assert_int_eq(xlcfg_cpumap_parse_host("nodes:1", &host, &m, &why), 0);
    ck_assert(!libxl_bitmap_test(&m, 0) && libxl_bitmap_test(&m, 1) &&
              !libxl_bitmap_test(&m, 2) && libxl_bitmap_test(&m, 3));
    ck_assert_int_eq(xlcfg_cpumap_parse_host("all,^node:0", &host, &m, &why),
                     0);
    ck_assert(!libxl_bitmap_test(&m, 0) && libxl_bitmap_test(&m, 1) &&
              !libxl_bitmap_test(&m, 2) && libxl_bitmap_test(&m, 3));
    ck_assert_int_eq(xlcfg_cpumap_parse_host("nodes:0-1,^3", &host, &m,
                                             &why), 0);
    ck_assert_int_eq(libxl_bitmap_count_set(&m), 3);
    /* A node without CPUs adds none; alone it selects nothing. */
    ck_assert_int_eq(xlcfg_cpumap_parse_host("nodes:5", &host, &m, &why),
                     XN_EINVAL);
    ck_assert_str_eq(why, "selects no CPU");

    /* Unknown layout: refused, except "nodes:all", which is "all". */
    host.cpu_node = NULL;
    ck_assert_int_eq(xlcfg_cpumap_parse_host("0,nodes:1", &host, &m, &why),
                     XN_EINVAL);
    ck_assert_ptr_nonnull(strstr(why, "NUMA layout is not known"));
    ck_assert_int_eq(xlcfg_cpumap_parse_host("nodes:all", &host, &m, &why),
                     0);
    ck_assert_int_eq(libxl_bitmap_count_set(&m), 8);
    libxl_bitmap_dispose(&m);

    /* In a file, each vCPU gets the node's CPUs. */
    host.cpu_node = two_nodes;
    ck_assert_int_eq(parse("name = \"n\"\nkernel = \"/k\"\nvcpus = 2\n"
                           "cpus = \"nodes:0\"\n", &host), 0);
    ck_assert_int_eq(dc.b_info.num_vcpu_hard_affinity, 2);
    ck_assert(libxl_bitmap_test(&dc.b_info.vcpu_hard_affinity[1], 2));
    ck_assert(!libxl_bitmap_test(&dc.b_info.vcpu_hard_affinity[1], 1));
}
END_TEST

START_TEST(ms_vm_genid_generate)
{
    const char *cfg = "name = \"g\"\ntype = \"hvm\"\n"
                      "ms_vm_genid = \"generate\"\n";
    libxl_ms_vm_genid first;

    ck_assert_int_eq(parse(cfg, NULL), 0);
    ck_assert(!libxl_ms_vm_genid_is_zero(&dc.b_info.u.hvm.ms_vm_genid));
    first = dc.b_info.u.hvm.ms_vm_genid;
    ck_assert_int_eq(parse(cfg, NULL), 0);
    ck_assert(memcmp(first.bytes, dc.b_info.u.hvm.ms_vm_genid.bytes,
                     sizeof(first.bytes)) != 0);
    /* PV: ignored, as xl ignores it. */
    ck_assert_int_eq(parse("name = \"g\"\nkernel = \"/k\"\n"
                           "ms_vm_genid = \"generate\"\n", NULL), 0);
    ck_assert(libxl_ms_vm_genid_is_zero(&dc.b_info.u.hvm.ms_vm_genid));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config_vnuma");
    TCase *t = tcase_create("host");

    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, pnode_checked_when_nodes_known);
    tcase_add_test(t, vcpus_checked_against_online_cpus);
    tcase_add_test(t, unknown_facts_warn_once);
    tcase_add_test(t, nodes_map_through_topology);
    tcase_add_test(t, ms_vm_genid_generate);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    int failed;

    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
