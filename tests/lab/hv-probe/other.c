/*
 * other.c - hv-probe's steps on domains another toolstack made (xl), on a
 * PVH guest (live save, restore under another name) and on an HVM guest
 * (shutdown through the ACPI button).
 */
#include "probe.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool saw_acpi_trigger;

static bool xl_create(const char *name, char *log, size_t len)
{
    char cfg[256], cmd[700];
    FILE *f;
    int rc;

    begin();
    probe_path(cfg, sizeof(cfg), "xl.cfg");
    probe_path(log, len, "xl-create.log");
    f = fopen(cfg, "w");
    if (!f) {
        fail("xl_create", "cannot write %s", cfg);
        return false;
    }
    fprintf(f, "name = \"%s\"\ntype = \"pv\"\nkernel = \"%s\"\n"
            "ramdisk = \"%s\"\nmemory = 128\nmaxmem = 128\nvcpus = 1\n"
            "cpus = \"1\"\nextra = \"console=hvc0 quiet\"\n"
            "on_crash = \"preserve\"\non_reboot = \"preserve\"\n", name,
            P.kernel, P.ramdisk);
    fclose(f);
    fflush(stdout);
    snprintf(cmd, sizeof(cmd), "timeout -s KILL 60 xl create %s >%s 2>&1",
             cfg, log);
    rc = system(cmd);
    if (rc != 0) {
        fail("xl_create", "`xl create` exited %d (log: %s)", rc, log);
        return false;
    }
    pass("xl_create");
    return true;
}

/* The xl-made domain is listed as foreign, announced once (HV_EV_NEW). */
static bool foreign_list(uint32_t *id_r, int ev0)
{
    struct hv_dominfo info;
    int i;

    begin();
    if (!find_named(XLGUEST, &info)) {
        fail("foreign_list", "%s not in dom_list", XLGUEST);
        return false;
    }
    *id_r = info.domid;
    i = wait_event(ev0, HV_EV_NEW, *id_r, 15);
    if (i < 0 || strcmp(P.evs[i].name, XLGUEST) != 0) {
        fail("foreign_list", "no HV_EV_NEW for domain %u within 15s", *id_r);
        return false;
    }
    note("HV_EV_NEW %.2fs after xl create returned", step_time());
    if (!info.foreign) {
        fail("foreign_list", "domain %u not marked foreign", *id_r);
        return false;
    }
    find_named(XLGUEST, &info);
    run_for(0.5);
    for (int j = i + 1; j < P.nev; j++)
        if (P.evs[j].type == HV_EV_NEW && P.evs[j].domid == *id_r) {
            fail("foreign_list", "a second HV_EV_NEW");
            return false;
        }
    pass("foreign_list");
    return true;
}

void step_foreign(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    char log[256];
    int rc, ev0 = P.nev;
    uint32_t id = NO_DOMID;

    if (!xl_create(XLGUEST, log, sizeof(log)))
        return;
    if (!foreign_list(&id, ev0)) {
        if (id != NO_DOMID)
            quiet_destroy(id);
        return;
    }

    begin();
    rc = hv_pause(P.hv, id, &msg);
    if (rc < 0 || !info_of(id, &info) || info.state != HV_STATE_PAUSED) {
        fail("foreign_pause", "%s", rc < 0 ? msg.text : "not paused");
    } else if ((rc = hv_unpause(P.hv, id, &msg)) < 0) {
        fail("foreign_pause", "unpause: %s", msg.text);
    } else {
        pass("foreign_pause");
    }

    begin();
    rc = hv_mem_target(P.hv, id, 100 * 1024, &msg);
    if (rc < 0 || !info_of(id, &info) || info.target_kb != 100 * 1024)
        fail("foreign_mem", "%s", rc < 0 ? msg.text : "target not set");
    else
        pass("foreign_mem");
    do_destroy("foreign_destroy", id);
}

/* PVH: live save (log-dirty works for PVH on this Xen), then restore under
 * another name from the two-step restore. */
void step_pvh(void)
{
    struct hv_image *img;
    struct xn_msg msg;
    char path[256];
    uint32_t id;
    int rc, fd;
    bool ok;

    if (!boot_guest("pvh_create", PVHGUEST, LIBXL_DOMAIN_TYPE_PVH, 1, &id))
        return;
    probe_path(path, sizeof(path), "pvh.img");
    if (!do_save("pvh_save_live", id, path, HV_SAVE_LIVE)) {
        quiet_destroy(id);
        return;
    }
    if (!do_destroy("pvh_destroy_saved", id))
        return;

    begin();
    fd = open(path, O_RDONLY);
    if (fd < 0 || hv_image_open(P.hv, fd, &img, &msg) < 0) {
        fail("pvh_restore", "cannot open the image: %s",
             fd < 0 ? "open failed" : msg.text);
        if (fd >= 0)
            close(fd);
        return;
    }
    arm();
    rc = hv_restore(P.hv, img, PVHRESTORED, false, on_done, NULL, &msg);
    /* libxl reads the fd until the restore completes */
    ok = finish("pvh_restore", rc, &msg, 240);
    close(fd);
    unlink(path);
    if (!ok)
        return;
    id = P.domid;
    /* xenconsoled names the log after the domain's name: a new log, in
     * which the guest's heartbeats go on without a GUEST-UP. */
    if (!wait_console(PVHRESTORED, "GUEST-HEARTBEAT", 0, 60))
        fail("pvh_restore", "no heartbeat after restore");
    else if (console_count(PVHRESTORED, "GUEST-UP") != 0)
        fail("pvh_restore", "the guest booted again");
    else
        pass("pvh_restore");
    do_destroy("pvh_destroy", id);
}

/* An HVM guest without PV drivers: shutdown falls back to the ACPI power
 * button.  Needs the device model (xen-qemu-system-i386), hvmloader and
 * SeaBIOS in dom0, which the lab image has not; the guest kernel runs with
 * xen_nopv. */
void step_hvm(void)
{
    libxl_domain_config *cfg = guest_cfg(HVMGUEST, LIBXL_DOMAIN_TYPE_HVM, 1);
    libxl_domain_build_info *b = &cfg->b_info;
    struct xn_msg msg;
    uint32_t id;
    int rc, ev0;

    free(b->kernel);
    b->kernel = strdup(P.kernel_hvm);
    free(b->cmdline);
    b->cmdline = strdup("console=ttyS0 xen_nopv quiet");
    b->tsc_mode = LIBXL_TSC_MODE_NATIVE;
    b->u.hvm.serial = strdup("pty");
    libxl_defbool_set(&b->u.hvm.nographic, true);
    libxl_defbool_set(&b->u.hvm.vnc.enable, false);
    libxl_defbool_set(&b->u.hvm.sdl.enable, false);
    b->u.hvm.vga.kind = LIBXL_VGA_INTERFACE_TYPE_NONE;

    begin();
    arm();
    rc = hv_create(P.hv, cfg, false, on_done, NULL, &msg);
    if (!finish("hvm_create", rc, &msg, 240))
        return;
    id = P.domid;
    pass("hvm_create");
    if (wait_console(HVMGUEST, "GUEST-UP", 0, 180))
        note("HVM guest is up");
    else
        note("HVM guest did not print its marker within 180s");

    begin();
    ev0 = P.nev;
    saw_acpi_trigger = false;
    arm();
    rc = hv_shutdown(P.hv, id, false, on_done, NULL, &msg);
    if (finish("hvm_shutdown_fallback", rc, &msg, 90)) {
        if (!saw_acpi_trigger)
            fail("hvm_shutdown_fallback", "done, but not through the ACPI "
                 "trigger");
        else
            pass("hvm_shutdown_fallback");
    }
    if (wait_event(ev0, HV_EV_SHUTDOWN, id, 20) >= 0)
        note("the HVM guest shut down after the button press");
    else
        note("no shutdown after the button press (no acpid in the guest)");
    do_destroy("hvm_destroy", id);
}
