/*
 * test_sim_scenario.c - scenario files of the simulated host: the built-in
 * scenario, files of tests/sim/ loaded into the model, every bad-*.xml
 * failing with exactly the sentence of its bad-*.err, a missing file.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv.h"
#include "sim/sim_host.h"
#include "sim/sim_scenario.h"

#include "sim_testlib.h"

START_TEST(default_scenario)
{
    struct sim_host *h = simt_load(NULL);
    const struct sim_host_spec *s = sim_host_spec(h);
    struct sim_dom *d0 = sim_dom_get(h, 0), *web = sim_dom_get(h, 1),
                   *db = sim_dom_get(h, 2);
    static const uint8_t web_uuid[16] = {
        0x5e, 0x1a, 0x0c, 0x3e, 0x7b, 0x2d, 0x4d, 0x1e,
        0x9f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    };

    ck_assert_str_eq(s->name, "default");
    ck_assert_uint_eq(s->nr_cpus, 8);
    ck_assert_uint_eq(s->threads_per_core, 2);
    ck_assert_uint_eq(s->cores_per_socket, 4);
    ck_assert_uint_eq(s->total_kb, 16 * GiB);
    ck_assert_str_eq(s->version, "4.17.0-sim");
    ck_assert_int_eq(sim_pool_get(h, 0)->sched, HV_SCHED_CREDIT2);
    ck_assert_int_eq(sim_pool_get(h, 0)->ratelimit_us, 1000);
    ck_assert_int_eq(sim_pool_get(h, 0)->tslice_ms, -1);
    ck_assert_uint_eq(sim_pool_count(h), 1);
    ck_assert_uint_eq(sim_pool_get(h, 0)->n_dom, 3);
    ck_assert_uint_eq(sim_host_n_dom(h), 3);

    ck_assert_str_eq(d0->name, "Domain-0");
    ck_assert_uint_eq(d0->mem_kb, 2 * GiB);
    ck_assert_uint_eq(d0->vcpus_online, 2);
    ck_assert_int_eq(d0->type, HV_TYPE_PV);
    ck_assert_str_eq(web->name, "web1");
    ck_assert_int_eq(web->type, HV_TYPE_PVH);
    ck_assert_uint_eq(web->mem_kb, 1 * GiB);
    ck_assert_uint_eq(web->vcpus_max, 2);
    ck_assert_mem_eq(web->uuid, web_uuid, 16);
    ck_assert_str_eq(db->name, "db1");
    ck_assert_int_eq(db->type, HV_TYPE_PV);
    ck_assert_uint_eq(db->mem_kb, 2 * GiB);
    ck_assert_uint_eq(db->vcpus_online, 4);
    ck_assert_int_eq(sim_dom_state(db), HV_STATE_RUNNING);
    /* 16 GiB - 128 MiB overhead - 5 GiB of domains */
    ck_assert_uint_eq(sim_host_free_kb(h), (16384 - 128 - 5120) * MiB);
    ck_assert_ptr_null(sim_dom_get(h, 3));
    sim_host_free(h);
}
END_TEST

START_TEST(scenario_file)
{
    struct sim_host *h = simt_load("two-pools.xml");
    const struct sim_host_spec *s = sim_host_spec(h);
    struct sim_pool *p0 = sim_pool_get(h, 0), *batch;
    struct sim_dom *d;
    struct cpuset want;
    char buf[64];

    ck_assert_str_eq(s->name, "lab");
    ck_assert_uint_eq(s->cpu_mhz, 3000);
    ck_assert_str_eq(s->version, "4.17.3-sim");
    ck_assert_uint_eq(sim_pool_count(h), 2);
    batch = sim_pool_by_name(h, "batch");
    ck_assert_ptr_nonnull(batch);
    ck_assert_uint_eq(batch->id, 1);
    ck_assert_int_eq(batch->sched, HV_SCHED_CREDIT);
    ck_assert_int_eq(batch->tslice_ms, 10);
    ck_assert_int_eq(batch->ratelimit_us, 500);
    ck_assert_str_eq(cpuset_format(&batch->cpus, 0, buf, sizeof(buf)),
                     "6-7");
    ck_assert_str_eq(cpuset_format(&p0->cpus, 0, buf, sizeof(buf)), "0-5");
    ck_assert_int_eq(p0->ratelimit_us, 2000);
    ck_assert_uint_eq(batch->n_dom, 1);

    ck_assert_uint_eq(sim_dom_get(h, 0)->mem_kb, 1 * GiB);
    ck_assert_uint_eq(sim_dom_get(h, 0)->vcpus_online, 1);
    d = simt_named(h, "idle");
    ck_assert_uint_eq(d->domid, 1);
    ck_assert_int_eq(d->type, HV_TYPE_HVM);
    ck_assert_int_eq(d->state, HV_STATE_PAUSED);
    ck_assert_uint_eq(d->max_kb, 1 * GiB);
    ck_assert(simt_named(h, "stubborn")->ignore_shutdown);
    ck_assert_uint_eq(simt_named(h, "slow")->shutdown_delay_ns, 50000000ull);
    d = simt_named(h, "batch1");
    ck_assert_uint_eq(d->poolid, 1);
    ck_assert_int_eq(d->weight, 512);
    ck_assert_int_eq(d->cap, 50);
    ck_assert_uint_eq(d->vcpus_online, 2);
    ck_assert_uint_eq(d->vcpus_max, 4);
    ck_assert(d->vcpus[0].cpu == 6 || d->vcpus[0].cpu == 7);
    ck_assert_int_eq(d->vcpus[3].cpu, -1);
    d = simt_named(h, "crashed");
    ck_assert_int_eq(d->state, HV_STATE_SHUTDOWN);
    ck_assert_int_eq(d->reason, HV_SHUTDOWN_CRASH);
    d = simt_named(h, "pinned");
    cpuset_clear(&want);
    cpuset_add(&want, 0);
    cpuset_add(&want, 1);
    ck_assert(cpuset_equal(&d->vcpus[1].hard, &want));
    ck_assert(d->vcpus[0].cpu == 0 || d->vcpus[0].cpu == 1);
    ck_assert(cpuset_has(&d->vcpus[0].soft, 1));
    ck_assert_uint_eq(cpuset_count(&d->vcpus[0].soft), 1);
    sim_host_free(h);

    h = simt_load("minimal.xml");
    ck_assert_uint_eq(sim_host_n_dom(h), 1);
    ck_assert_uint_eq(sim_dom_get(h, 0)->mem_kb, 2 * GiB);
    sim_host_free(h);
}
END_TEST

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 4096);
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    n = fread(buf, 1, 4095, f);
    fclose(f);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return buf;
}

/* Every tests/sim/bad-*.xml fails with exactly the sentence in its .err
 * (where FILE stands for the fixture's path). */
START_TEST(scenario_errors)
{
    char pattern[512];
    glob_t g;

    snprintf(pattern, sizeof(pattern), "%s/tests/sim/bad-*.xml",
             simt_srcdir());
    ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
    ck_assert_uint_ge(g.gl_pathc, 15);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *xml = g.gl_pathv[i];
        char errpath[512], want[XN_MSG_MAX * 2], *tmpl, *at;
        struct sim_host *h = NULL;
        struct xn_msg msg;
        int rc;

        snprintf(errpath, sizeof(errpath), "%.*s.err",
                 (int)(strlen(xml) - 4), xml);
        tmpl = slurp(errpath);
        at = strstr(tmpl, "FILE");
        ck_assert_msg(at != NULL, "%s has no FILE", errpath);
        snprintf(want, sizeof(want), "%.*s%s%s", (int)(at - tmpl), tmpl, xml,
                 at + 4);
        rc = sim_scenario_load(xml, NULL, NULL, NULL, &h, &msg);
        ck_assert_msg(rc == XN_EINVAL, "%s: rc %d", xml, rc);
        ck_assert_ptr_null(h);
        ck_assert_str_eq(msg.text, want);
        free(tmpl);
    }
    globfree(&g);
}
END_TEST

START_TEST(scenario_missing_file)
{
    struct sim_host *h = NULL;
    struct xn_msg msg;

    ck_assert_int_eq(sim_scenario_load("/nonexistent/x.xml", NULL, NULL,
                                       NULL, &h, &msg), XN_ENOENT);
    ck_assert_str_eq(msg.text, "cannot read scenario /nonexistent/x.xml: No "
                     "such file or directory");
}
END_TEST

/* A scenario in a temporary file: <host> holding `domain`'s element;
 * the path into path[len] (the caller unlinks it). */
static void scenario_tmp(const char *domain, char *path, size_t len)
{
    FILE *f;
    int fd;

    snprintf(path, len, "/tmp/test_sim_scenario.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "<host name=\"h\">\n  %s\n</host>\n", domain);
    fclose(f);
}

START_TEST(scenario_dirty_rate)
{
    static const struct {
        const char *attrs;
        uint64_t rate_kb_s;
        double set;
    } good[] = {
        { "", 0, 1 },
        { "dirty-rate=\"64MiB/s\"", 64 * MiB, 1 },
        { "dirty-rate=\"64M\" dirty-set=\"25%\"", 64 * MiB, 0.25 },
        { "dirty-rate=\"1GiB\" dirty-set=\"12.5%\"", GiB, 0.125 },
        { "dirty-rate=\"0\" dirty-set=\"100%\"", 0, 1 },
    };
    char path[64], elem[256];

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct sim_host *h = NULL;
        struct sim_dom *d;
        struct xn_msg msg;

        snprintf(elem, sizeof(elem), "<domain name=\"w\" memory=\"64MiB\" "
                 "%s/>", good[i].attrs);
        scenario_tmp(elem, path, sizeof(path));
        ck_assert_msg(sim_scenario_load(path, NULL, NULL, NULL, &h,
                                        &msg) == 0, "%s", msg.text);
        unlink(path);
        d = simt_named(h, "w");
        ck_assert_uint_eq(d->dirty.rate_kb_s, good[i].rate_kb_s);
        ck_assert_double_eq(d->dirty.set, good[i].set);
        sim_host_free(h);
    }
}
END_TEST

START_TEST(scenario_dirty_rate_bad)
{
    static const struct {
        const char *attr;
        const char *why;
    } bad[] = {
        { "dirty-rate=\"fast\"", "dirty-rate \"fast\" is not a write rate "
          "(use a size per second up to 1TiB/s, e.g. 64MiB/s; 0 = none)" },
        { "dirty-rate=\"2TiB/s\"", "dirty-rate \"2TiB/s\" is not a write "
          "rate (use a size per second up to 1TiB/s, e.g. 64MiB/s; 0 = "
          "none)" },
        { "dirty-rate=\"-1M\"", "dirty-rate \"-1M\" is not a write rate "
          "(use a size per second up to 1TiB/s, e.g. 64MiB/s; 0 = none)" },
        { "dirty-set=\"0%\"", "dirty-set \"0%\" is not a percentage above 0 "
          "and up to 100 (e.g. 25%)" },
        { "dirty-set=\"150%\"", "dirty-set \"150%\" is not a percentage "
          "above 0 and up to 100 (e.g. 25%)" },
        { "dirty-set=\"25\"", "dirty-set \"25\" is not a percentage above 0 "
          "and up to 100 (e.g. 25%)" },
    };
    char path[64], elem[256], want[512];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sim_host *h = NULL;
        struct xn_msg msg;

        snprintf(elem, sizeof(elem), "<domain name=\"w\" memory=\"64MiB\" "
                 "%s/>", bad[i].attr);
        scenario_tmp(elem, path, sizeof(path));
        ck_assert_int_eq(sim_scenario_load(path, NULL, NULL, NULL, &h, &msg),
                         XN_EINVAL);
        ck_assert_ptr_null(h);
        snprintf(want, sizeof(want), "%s:2: domain \"w\": %s", path,
                 bad[i].why);
        ck_assert_str_eq(msg.text, want);
        unlink(path);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim_scenario");
    TCase *scenario = tcase_create("scenario");

    tcase_add_test(scenario, default_scenario);
    tcase_add_test(scenario, scenario_file);
    tcase_add_test(scenario, scenario_errors);
    tcase_add_test(scenario, scenario_missing_file);
    tcase_add_test(scenario, scenario_dirty_rate);
    tcase_add_test(scenario, scenario_dirty_rate_bad);
    suite_add_tcase(s, scenario);
    return simt_run(s);
}
