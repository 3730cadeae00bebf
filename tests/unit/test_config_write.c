/*
 * test_config_write.c - the xl.cfg writer (config/xlcfg_write.h).
 *
 * The property that defines it: for every golden file F in tests/config/
 * that xl accepts (NAME.cfg with NAME.json),
 *     json(parse(write(parse(F)))) == json(parse(F))
 * byte for byte.  Beside it, values that are hard to write: strings with
 * quotes, backslashes and non-ASCII bytes, disk paths with commas, vif
 * rates, and settings xl.cfg cannot express.  The devices and settings
 * whose parsers are outside xenith: test_config_write_devices.c.
 * Files are found under $XENITH_SRCDIR (default: the current directory).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg.h"
#include "config/xlcfg_write.h"
#include "config_golden.h"
#include "config_write_check.h"

static char **goldens;   /* names of the accepted golden files, sorted */
static int ngoldens;

START_TEST(golden_round_trip)
{
    const char *name = goldens[_i];
    char file[300];
    struct xn_msg msg;
    libxl_domain_config dc;
    struct xlcfg_opts opts = {0};
    struct cgold_host host;
    char *data;

    data = cgold_file("tests/config", name, ".cfg", NULL);
    ck_assert_ptr_nonnull(data);
    /* Parsed, and parsed back, with the host facts of NAME.host. */
    cgold_read_host("tests/config", name, &opts, &host);
    snprintf(file, sizeof(file), "%s.cfg", name);
    ck_assert_msg(cw_parse_opts(file, data, &opts, &dc, &msg) == 0, "%s: %s",
                  file, msg.text);
    free(cw_round_trip_opts(file, &dc, &opts));
    libxl_domain_config_dispose(&dc);
    free(data);
}
END_TEST

/* The file reads like a hand-written one, defaults left out. */
START_TEST(style)
{
    char *text = cw_trip_text(CW_HEAD "type = \"pv\"\nvcpus = 2\nmemory = 512\n"
                           "kernel = \"/boot/vmlinuz\"\n"
                           "cmdline = \"root=/dev/xvda1 ro\"\n"
                           "on_crash = \"preserve\"\n"
                           "disk = [ 'phy:/dev/vg/t,xvda,w' ]\n"
                           "vif = [ 'bridge=xenbr0' ]\n");

    ck_assert_str_eq(text,
                     "name = \"t\"\n"
                     "uuid = \"00000000-0000-4000-8000-0000000000aa\"\n"
                     "type = \"pv\"\n"
                     "\n"
                     "memory = 512\n"
                     "vcpus = 2\n"
                     "\n"
                     "kernel = \"/boot/vmlinuz\"\n"
                     "cmdline = \"root=/dev/xvda1 ro\"\n"
                     "\n"
                     "on_crash = \"preserve\"\n"
                     "\n"
                     "disk = [ \"vdev=xvda, target=/dev/vg/t\" ]\n"
                     "vif = [ \"bridge=xenbr0\" ]\n");
    free(text);
}
END_TEST

/* Quotes, backslashes, control characters and UTF-8 come back intact. */
START_TEST(escapes)
{
    static const char *const values[] = {
        "plain", "say \"hi\"", "back\\slash\\", "it's", "tab\there",
        "new\nline", "cr\rbell\a\b\f\v", "caf\xc3\xa9 \xe2\x82\xac",
        "raw \x01\x1f\x7f\xff bytes", "", " lead and trail ", "#not a comment;",
    };
    struct xn_msg msg;
    libxl_domain_config dc, back;

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char *text;
        ck_assert_int_eq(cw_parse("t.cfg", CW_PV, &dc, &msg), 0);
        free(dc.b_info.cmdline);
        dc.b_info.cmdline = strdup(values[i]);
        free(dc.c_info.pool_name);
        dc.c_info.pool_name = strdup(values[i]);
        text = cw_round_trip("escapes", &dc);
        ck_assert_int_eq(cw_parse("t.cfg", text, &back, &msg), 0);
        ck_assert_str_eq(back.b_info.cmdline, values[i]);
        ck_assert_str_eq(back.c_info.pool_name, values[i]);
        libxl_domain_config_dispose(&back);
        libxl_domain_config_dispose(&dc);
        free(text);
    }
    /* The escapes are the readable ones. */
    ck_assert_int_eq(cw_parse("t.cfg", CW_PV "cmdline = 'a\"b\\\\c\\td\\ne'\n",
                           &dc, &msg), 0);
    char *text = xlcfg_write(&dc, &msg);
    ck_assert_ptr_nonnull(strstr(text, "cmdline = \"a\\\"b\\\\c\\td\\ne\"\n"));
    free(text);
    libxl_domain_config_dispose(&dc);
}
END_TEST

static void comma_target(libxl_domain_config *dc)
{
    free(dc->disks[0].pdev_path);
    dc->disks[0].pdev_path = strdup("/srv/a,");
}

/* A target with commas goes last (target= takes the rest of the spec). */
START_TEST(disk_paths)
{
    char *text = cw_trip_text(CW_PV "disk = [ 'vdev=xvda,access=ro,"
                           "target=/srv/a,b,c.img', "
                           "'format=qcow2,vdev=xvdb,target=/srv/x=y z' , "
                           "'vdev=hdc,devtype=cdrom,target=', "
                           "',hdd:cdrom,r', 'vdev=xvdc,backendtype=qdisk,"
                           "discard,target=iqn.x:1,2' ]\n");

    ck_assert_ptr_nonnull(strstr(text, "\"vdev=xvda, access=ro, "
                                       "target=/srv/a,b,c.img\""));
    ck_assert_ptr_nonnull(strstr(text, "\"format=qcow2, vdev=xvdb, "
                                       "target=/srv/x=y z\""));
    free(text);
    cw_write_fails(CW_PV "disk = [ 'vdev=xvda,target=/srv/a' ]\n", comma_target,
                "disk 1: target \"/srv/a,\" ends in a comma");
}
END_TEST

static void comma_vdev(libxl_domain_config *dc)
{
    free(dc->disks[0].vdev);
    dc->disks[0].vdev = strdup("xvd,a");
}

static void writable_cdrom(libxl_domain_config *dc)
{
    dc->disks[0].readwrite = 1;
}

START_TEST(disk_refusals)
{
    cw_write_fails(CW_PV "disk = [ 'vdev=xvda,target=/x' ]\n", comma_vdev,
                "disk 1: vdev \"xvd,a\" holds a comma");
    cw_write_fails(CW_PV "disk = [ 'vdev=xvda,devtype=cdrom,target=/x' ]\n",
                writable_cdrom, "disk 1: a writable cdrom");
}
END_TEST

/* vif options, rates included, come back as they were. */
START_TEST(vif_options)
{
    static const char *const rates[] = {
        "1000000B/s@1s", "5KB/s", "2Gb/s@10ms", "7B/s@3us", "1B/s@7s",
        "4294967295B/s", "100Mb/s@20ms", "3B/s@1500000us",
    };
    char cfg[512];

    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        snprintf(cfg, sizeof(cfg), CW_PV "vif = [ 'rate=%s' ]\n", rates[i]);
        free(cw_trip_text(cfg));
    }
    char *text = cw_trip_text(CW_PV "vif = [ 'mac=00:16:3E:0a:0B:ff,bridge=br0,"
                           "type=ioemu,model=e1000,vifname=web0,"
                           "ip=10.0.0.1 10.0.0.2,gatewaydev=eth0,"
                           "backend=net,mtu=9000,untrusted,devid=5', "
                           "'', 'trusted,script=vif-nat' ]\n");
    ck_assert_ptr_nonnull(strstr(text, "mac=00:16:3e:0a:0b:ff,bridge=br0,"
                                       "ip=10.0.0.1 10.0.0.2,model=e1000,"
                                       "type=ioemu,vifname=web0"));
    ck_assert_ptr_nonnull(strstr(text, "devid=5\""));
    free(text);
}
END_TEST

static void odd_memory(libxl_domain_config *dc)
{
    dc->b_info.target_memkb = 1000;
}

static void bad_vcpus(libxl_domain_config *dc)
{
    libxl_bitmap_reset(&dc->b_info.avail_vcpus, 0);
}

START_TEST(refusals)
{
    cw_write_fails(CW_PV, odd_memory, "memory: 1000 KiB is not a whole number "
                                "of MiB");
    cw_write_fails(CW_PV "vcpus = 3\n", bad_vcpus, "vcpus: the vCPUs online");
}
END_TEST

/* Affinity as a string stays a string; per-vCPU lists stay lists. */
START_TEST(affinity)
{
    char *text = cw_trip_text(CW_PV "vcpus = 4\ncpus = \"0-3,^2\"\n"
                           "cpus_soft = \"all\"\n");
    ck_assert_ptr_nonnull(strstr(text, "cpus = \"0-1,3\"\n"));
    free(text);
    text = cw_trip_text(CW_PV "vcpus = 2\ncpus = [ \"1\", \"1\" ]\n");
    ck_assert_ptr_nonnull(strstr(text, "cpus = [ \"1\", \"1\" ]\n"));
    free(text);
    free(cw_trip_text(CW_PV "vcpus = 3\ncpus = [ \"0\", \"2-5,7\" ]\n"));
}
END_TEST

START_TEST(hvm)
{
    free(cw_trip_text(CW_HEAD "type = \"hvm\"\nmemory = 1024\n"
                   "viridian = [ \"all\", \"!apic_assist\" ]\n"
                   "firmware = \"/usr/lib/ovmf.bin\"\n"
                   "rtc_timeoffset = \"-3600\"\nserial = \"pty\"\n"
                   "vnc = 1\nvncdisplay = 5\nspice = 1\nspiceport = 6000\n"));
    free(cw_trip_text(CW_HEAD "type = \"hvm\"\nviridian = [ \"defaults\", "
                   "\"!hcall_remote_tlb_flush\", \"time_ref_count\" ]\n"
                   "firmware_override = \"bios\"\n"));
}
END_TEST

int main(void)
{
    char dir[1024];
    Suite *s = suite_create("config_write");
    TCase *tc = tcase_create("values");
    TCase *gold = tcase_create("golden");

    snprintf(dir, sizeof(dir), "%s/tests/config", cgold_srcdir());
    ngoldens = cgold_list(dir, ".json", ".cfg", &goldens);
    if (ngoldens == 0) {
        fprintf(stderr, "test_config_write: no golden files in %s "
                "(set XENITH_SRCDIR)\n", dir);
        return EXIT_FAILURE;
    }
    tcase_add_test(tc, style);
    tcase_add_test(tc, escapes);
    tcase_add_test(tc, disk_paths);
    tcase_add_test(tc, disk_refusals);
    tcase_add_test(tc, vif_options);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, affinity);
    tcase_add_test(tc, hvm);
    tcase_add_loop_test(gold, golden_round_trip, 0, ngoldens);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, gold);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cgold_free_names(goldens, ngoldens);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
