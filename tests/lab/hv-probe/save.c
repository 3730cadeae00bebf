/*
 * save.c - hv-probe's steps on memory needs, save, the two-step restore,
 * checkpoints, live save of a PV guest, and shutdown.
 */
#include "probe.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uuid.h"

/* What the simulated host says the same configuration needs (it claims
 * libxl's formula), for comparison; 0 when the sim cannot say. */
static uint64_t sim_need(const libxl_domain_config *cfg)
{
    struct hv_open_opts opts = {.scenario = NULL, .run_dir = P.dir};
    struct hv *sim;
    struct xn_msg msg;
    uint64_t need = 0;

    if (hv_open("sim:///probe", P.base, &opts, NULL, NULL, &sim, &msg) < 0) {
        note("sim:///probe: %s", msg.text);
        return 0;
    }
    if (hv_need_memory(sim, cfg, &need, &msg) < 0)
        note("sim need_memory: %s", msg.text);
    hv_close(sim);
    return need;
}

static void need_of(const char *what, libxl_domain_config *cfg,
                    uint64_t *xen_r, uint64_t *sim_r)
{
    struct xn_msg msg;

    *xen_r = 0;
    if (hv_need_memory(P.hv, cfg, xen_r, &msg) < 0)
        note("need_memory %s: %s", what, msg.text);
    *sim_r = sim_need(cfg);
    note("need_memory %s (128 MiB): xen %llu KiB, sim %llu KiB%s", what,
         (unsigned long long)*xen_r, (unsigned long long)*sim_r,
         *xen_r == *sim_r ? "" : " (they differ)");
    libxl_domain_config_dispose(cfg);
    free(cfg);
}

/* libxl_domain_need_memory for the PV guest's configuration: the memory,
 * at least 1 MiB beside it, rounded to 2 MiB.  The PVH figure is noted. */
void step_need_memory(void)
{
    const uint64_t mem_kb = 128 * 1024;
    uint64_t pv, pv_sim, pvh, pvh_sim;

    begin();
    need_of("pv", guest_cfg(GUEST, LIBXL_DOMAIN_TYPE_PV, 2), &pv, &pv_sim);
    need_of("pvh", guest_cfg(PVHGUEST, LIBXL_DOMAIN_TYPE_PVH, 1), &pvh,
            &pvh_sim);
    if (pv < mem_kb + 1024)
        fail("need_memory", "%llu KiB for a %llu KiB PV guest, wanted at "
             "least %llu", (unsigned long long)pv,
             (unsigned long long)mem_kb, (unsigned long long)mem_kb + 1024);
    else if (pv % 2048)
        fail("need_memory", "%llu KiB is not a multiple of 2 MiB",
             (unsigned long long)pv);
    else
        pass("need_memory");
}

/* The image's description: the saved configuration names the guest and
 * carries its UUID.  On success *img_r is the open image. */
static bool image_open_step(const char *step, int fd, const char *name,
                            const uint8_t uuid[16], struct hv_image **img_r)
{
    const libxl_domain_config *cfg;
    char u1[XN_UUID_TEXT], u2[XN_UUID_TEXT];
    struct xn_msg msg;
    int rc;

    begin();
    rc = hv_image_open(P.hv, fd, img_r, &msg);
    if (rc < 0) {
        fail(step, "%s: %s", xn_errname(rc), msg.text);
        return false;
    }
    cfg = hv_image_config(*img_r);
    xn_uuid_format(cfg->c_info.uuid.uuid, u1);
    xn_uuid_format(uuid, u2);
    note("image: name %s uuid %s, %lld bytes of description",
         cfg->c_info.name, u1, (long long)lseek(fd, 0, SEEK_CUR));
    if (!cfg->c_info.name || strcmp(cfg->c_info.name, name) != 0 ||
        memcmp(cfg->c_info.uuid.uuid, uuid, 16) != 0 ||
        libxl_uuid_is_nil(&cfg->c_info.uuid)) {
        fail(step, "the image's configuration names %s (uuid %s), wanted %s "
             "(uuid %s)", cfg->c_info.name, u1, name, u2);
        hv_image_free(*img_r);
        *img_r = NULL;
        return false;
    }
    pass(step);
    return true;
}

/* Restore the saved guest; the fd ends just past the image and the guest
 * carries on (heartbeats go on, no second GUEST-UP). */
static bool restore_step(int fd, const char *path, struct hv_image *img,
                         uint32_t *domid)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc, b0, up0;
    off_t off;

    begin();
    b0 = console_count(GUEST, "GUEST-HEARTBEAT");
    up0 = console_count(GUEST, "GUEST-UP");
    arm();
    rc = hv_restore(P.hv, img, NULL, false, on_done, NULL, &msg);
    if (!finish("restore", rc, &msg, 180))
        return false;
    *domid = P.domid;
    off = lseek(fd, 0, SEEK_CUR);
    note("restored as domain %u; fd offset %lld of %lld", *domid,
         (long long)off, (long long)file_size(path));
    if (off != file_size(path)) {
        fail("restore", "fd offset %lld, image %lld bytes", (long long)off,
             (long long)file_size(path));
        return false;
    }
    if (!info_of(*domid, &info) || strcmp(info.name, GUEST) != 0 ||
        info.state == HV_STATE_PAUSED || info.foreign) {
        fail("restore", "wrong name, paused or foreign");
        return false;
    }
    if (!wait_console(GUEST, "GUEST-HEARTBEAT", b0, 40)) {
        fail("restore", "no heartbeat after restore");
        return false;
    }
    if (console_count(GUEST, "GUEST-UP") != up0) {
        fail("restore", "the guest booted again");
        return false;
    }
    pass("restore");
    return true;
}

static void by_uuid_step(const uint8_t uuid[16], uint32_t domid)
{
    static const uint8_t nobody[16] = {0x5e, 0x1f, 0, 0, 0, 0, 0x40, 0,
                                       0x80, 0, 0, 0, 0, 0, 0, 0x01};
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc;

    begin();
    rc = hv_dom_by_uuid(P.hv, uuid, &info, &msg);
    if (rc < 0) {
        fail("dom_by_uuid", "%s: %s", xn_errname(rc), msg.text);
        return;
    }
    if (info.domid != domid || strcmp(info.name, GUEST) != 0) {
        fail("dom_by_uuid", "found domain %u (%s), wanted %u (%s)",
             info.domid, info.name, domid, GUEST);
        return;
    }
    if (expect_err("dom_by_uuid", hv_dom_by_uuid(P.hv, nobody, &info, &msg),
                   XN_ENOENT, &msg, NULL))
        pass("dom_by_uuid");
}

/* The image again while its guest runs: refused before anything is made. */
static void restore_duplicate_step(const char *path, uint32_t domid)
{
    char want[160];
    struct hv_image *img;
    struct xn_msg msg;
    size_t n0;
    int fd, rc, ev0;

    begin();
    fd = open(path, O_RDONLY);
    if (fd < 0 || hv_image_open(P.hv, fd, &img, &msg) < 0) {
        fail("restore_duplicate", "cannot open the image again");
        if (fd >= 0)
            close(fd);
        return;
    }
    n0 = count_domains();
    ev0 = P.nev;
    arm();
    rc = hv_restore(P.hv, img, NULL, false, on_done, NULL, &msg);
    if (rc == 0 && wait_done(180) && P.rc == 0)
        quiet_destroy(P.domid);     /* it started after all: undo it */
    close(fd);
    snprintf(want, sizeof(want), "^a domain named \"" GUEST "\" already "
             "exists \\(domain %u\\)$", domid);
    if (!expect_err("restore_duplicate", rc, XN_EEXIST, &msg, want))
        return;
    run_for(1);
    if (P.done)
        fail("restore_duplicate", "done called after a refused restore");
    else if (count_domains() != n0 || P.nev != ev0)
        fail("restore_duplicate", "%zu domains before, %zu after, %d events",
             n0, count_domains(), P.nev - ev0);
    else
        pass("restore_duplicate");
}

/* Copy the driver's header line and configuration of `from` into `to`,
 * followed by `tail` (may be empty). */
static bool copy_header(const char *from, const char *to, const char *tail)
{
    char line[128], *json;
    size_t len;
    FILE *in = fopen(from, "r"), *out;
    bool ok = false;

    if (!in)
        return false;
    if (!fgets(line, sizeof(line), in) ||
        sscanf(line, "%*s %*u %zu", &len) != 1) {
        fclose(in);
        return false;
    }
    json = malloc(len);
    out = fopen(to, "w");
    if (json && out && fread(json, 1, len, in) == len) {
        fputs(line, out);
        fwrite(json, 1, len, out);
        fputs(tail, out);
        ok = true;
    }
    if (out)
        fclose(out);
    fclose(in);
    free(json);
    return ok;
}

/* hv_image_open of `path` fails with XN_ECORRUPT and a matching message. */
static void corrupt_step(const char *step, const char *path,
                         const char *pattern)
{
    struct hv_image *img = NULL;
    struct xn_msg msg;
    int fd = open(path, O_RDONLY), rc;

    if (fd < 0) {
        fail(step, "cannot open %s", path);
        return;
    }
    rc = hv_image_open(P.hv, fd, &img, &msg);
    close(fd);
    if (rc == 0)
        hv_image_free(img);
    if (expect_err(step, rc, XN_ECORRUPT, &msg, pattern))
        pass(step);
}

static void damaged_images(const char *img)
{
    char bad[256];
    FILE *f;

    probe_path(bad, sizeof(bad), "bad.img");
    begin();
    f = fopen(bad, "w");
    if (f) {
        fputs("hello, world\n", f);
        fclose(f);
    }
    corrupt_step("image_corrupt", bad, "is not a xen driver image");

    /* a good header and configuration, then no libxl stream */
    begin();
    if (!copy_header(img, bad, "this is not a libxl stream, not at all\n"))
        fail("image_bad_stream", "cannot build the image");
    else
        corrupt_step("image_bad_stream", bad, "not a libxl stream");

    begin();
    if (!copy_header(img, bad, ""))
        fail("image_truncated", "cannot build the image");
    else
        corrupt_step("image_truncated", bad, "truncated");
    unlink(bad);
}

bool step_save_restore(uint32_t *domid)
{
    struct hv_dominfo before;
    struct hv_image *img;
    char path[256];
    int fd;
    bool ok;

    probe_path(path, sizeof(path), "pv.img");
    if (!info_of(*domid, &before))
        return false;
    if (!do_save("save", *domid, path, 0))
        return false;
    if (!do_destroy("destroy_saved", *domid))
        return false;
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        fail("image_open", "cannot open %s", path);
        return false;
    }
    ok = image_open_step("image_open", fd, GUEST, before.uuid, &img) &&
         restore_step(fd, path, img, domid);
    close(fd);
    if (!ok)
        return false;
    by_uuid_step(before.uuid, *domid);
    restore_duplicate_step(path, *domid);
    damaged_images(path);
    unlink(path);
    return true;
}

bool step_checkpoint(uint32_t domid)
{
    char path[256], want[160];
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc, b0;

    begin();
    snprintf(want, sizeof(want), "^domain %u \\(" GUEST "\\) is not "
             "suspended \\(it is (running|blocked)\\)$", domid);
    arm();
    rc = hv_resume(P.hv, domid, on_done, NULL, &msg);
    if (rc == 0)
        wait_done(60);      /* it started after all: let it end */
    if (expect_err("resume_running", rc, XN_ESTATE, &msg, want))
        pass("resume_running");

    probe_path(path, sizeof(path), "pv.ckpt");
    if (!do_save("save_checkpoint", domid, path, 0))
        return false;
    unlink(path);
    begin();
    b0 = console_count(GUEST, "GUEST-HEARTBEAT");
    arm();
    rc = hv_resume(P.hv, domid, on_done, NULL, &msg);
    if (!finish("resume", rc, &msg, 60))
        return false;
    if (!info_of(domid, &info) || info.state == HV_STATE_SHUTDOWN ||
        info.state == HV_STATE_PAUSED) {
        fail("resume", "state %s", hv_state_name(info.state));
        return false;
    }
    if (!wait_console(GUEST, "GUEST-HEARTBEAT", b0, 40)) {
        fail("resume", "no heartbeat after resume");
        return false;
    }
    pass("resume");
    return true;
}

/* PV guests cannot be saved live on Debian's Xen (no shadow paging, so no
 * log-dirty): the save must fail cleanly (XN_ENOTSUP) and leave the guest
 * running. */
void step_live_pv(uint32_t domid)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    char path[256];
    int fd, rc, b0;

    begin();
    probe_path(path, sizeof(path), "pv-live.img");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    arm();
    rc = hv_save(P.hv, domid, fd, HV_SAVE_LIVE, on_done, NULL, &msg);
    if (rc < 0) {
        close(fd);
        fail("save_live_pv", "did not start: %s", msg.text);
        return;
    }
    if (!wait_done(180)) {
        close(fd);
        fail("save_live_pv", "no completion");
        return;
    }
    close(fd);
    unlink(path);
    note("live save of a PV guest: %s %s", xn_errname(P.rc), P.msg);
    if (P.rc == 0) {
        /* this Xen could do it after all: let the guest run on */
        arm();
        rc = hv_resume(P.hv, domid, on_done, NULL, &msg);
        if (rc < 0 || !wait_done(60) || P.rc < 0) {
            fail("save_live_pv", "resume after a live save failed");
            return;
        }
    } else if (P.rc != XN_ENOTSUP) {
        fail("save_live_pv", "failed with %s, wanted ENOTSUP: %s",
             xn_errname(P.rc), P.msg);
        return;
    }
    b0 = console_count(GUEST, "GUEST-HEARTBEAT");
    if (!info_of(domid, &info) || info.state == HV_STATE_SHUTDOWN ||
        !wait_console(GUEST, "GUEST-HEARTBEAT", b0, 40)) {
        fail("save_live_pv", "the guest did not keep running (%s)",
             hv_state_name(info.state));
        return;
    }
    pass("save_live_pv");
}

/* A domain that powered off is refused what needs it up, in the common
 * checks' words. */
static void shut_down_refusals(uint32_t domid)
{
    char subj[64], want[200];
    struct xn_msg msg;
    bool ok = true;

    begin();
    snprintf(subj, sizeof(subj), "^domain %u \\(" GUEST "\\) ", domid);
    snprintf(want, sizeof(want), "%shas shut down \\(poweroff\\) and cannot "
             "be paused$", subj);
    ok &= expect_err("shut_down_refusals", hv_pause(P.hv, domid, &msg),
                     XN_ESTATE, &msg, want);
    snprintf(want, sizeof(want), "%shas already shut down \\(poweroff\\)$",
             subj);
    arm();
    ok &= expect_err("shut_down_refusals",
                     hv_shutdown(P.hv, domid, false, on_done, NULL, &msg),
                     XN_ESTATE, &msg, want);
    snprintf(want, sizeof(want), "%sis not suspended \\(it is shut down "
             "\\(poweroff\\)\\)$", subj);
    ok &= expect_err("shut_down_refusals",
                     hv_resume(P.hv, domid, on_done, NULL, &msg), XN_ESTATE,
                     &msg, want);
    run_for(0.2);
    if (P.done) {
        fail("shut_down_refusals", "done called after a refused call");
        ok = false;
    }
    if (ok)
        pass("shut_down_refusals");
}

void step_shutdown(uint32_t domid)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc, i, ev0 = P.nev, off0;

    begin();
    off0 = console_count(GUEST, "GUEST-POWEROFF");
    arm();
    rc = hv_shutdown(P.hv, domid, false, on_done, NULL, &msg);
    if (!finish("shutdown", rc, &msg, 90))
        return;
    note("request delivered after %.2fs", step_time());
    i = wait_event(ev0, HV_EV_SHUTDOWN, domid, 90);
    if (i < 0 || P.evs[i].reason != HV_SHUTDOWN_POWEROFF) {
        fail("shutdown", "no SHUTDOWN (poweroff) event");
        return;
    }
    if (!info_of(domid, &info) || info.state != HV_STATE_SHUTDOWN ||
        info.shutdown_reason != HV_SHUTDOWN_POWEROFF) {
        fail("shutdown", "state %s", hv_state_name(info.state));
        return;
    }
    if (console_count(GUEST, "GUEST-POWEROFF") <= off0)
        note("the guest's console shows no GUEST-POWEROFF");
    pass("shutdown");
    shut_down_refusals(domid);
    do_destroy("destroy", domid);
}
