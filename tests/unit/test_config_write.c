/*
 * test_config_write.c - the xl.cfg writer (config/xlcfg_write.h).
 *
 * The property that defines it: for every golden file F in tests/config/
 * that xl accepts (NAME.cfg with NAME.json),
 *     json(parse(write(parse(F)))) == json(parse(F))
 * byte for byte.  Beside it, values that are hard to write: strings with
 * quotes, backslashes and non-ASCII bytes, disk paths with commas, vif
 * rates, and settings xl.cfg cannot express.
 * Files are found under $XENITH_SRCDIR (default: the current directory).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "config/xlcfg.h"
#include "config/xlcfg_write.h"
#include "config_golden.h"

#include <libxl_json.h>

static char **goldens;   /* names of the accepted golden files, sorted */
static int ngoldens;

/* The .cfg files that have a .json beside them. */
static int list_goldens(const char *dir, char ***names)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort), k = 0;

    *names = calloc(n > 0 ? (size_t)n : 1, sizeof(char *));
    for (int i = 0; i < n; i++) {
        const char *e = ents[i]->d_name;
        size_t len = strlen(e);
        char path[1300];

        if (len > 5 && strcmp(e + len - 5, ".json") == 0) {
            snprintf(path, sizeof(path), "%s/%.*s.cfg", dir, (int)len - 5, e);
            FILE *f = fopen(path, "r");
            if (f) {
                fclose(f);
                (*names)[k++] = strndup(e, len - 5);
            }
        }
        free(ents[i]);
    }
    free(ents);
    return k;
}

/* Parse text into dc (init'ed here) with the host facts in opts (NULL:
 * none known); 0 or the code, message in msg. */
static int parse_opts(const char *name, const char *text,
                      const struct xlcfg_opts *opts, libxl_domain_config *dc,
                      struct xn_msg *msg)
{
    libxl_domain_config_init(dc);
    return xlcfg_parse_opts(name, text, strlen(text), opts, dc, msg);
}

static int parse(const char *name, const char *text, libxl_domain_config *dc,
                 struct xn_msg *msg)
{
    return parse_opts(name, text, NULL, dc, msg);
}

/* Line where two texts first differ, for messages. */
static int diff_line(const char *a, const char *b, const char **at)
{
    int line = 1;
    const char *p = a, *q = b;

    while (*p && *p == *q) {
        if (*p == '\n')
            line++;
        p++;
        q++;
    }
    while (p > a && p[-1] != '\n')
        p--;
    *at = p;
    return line;
}

/*
 * Write dc, parse the text back (with the host facts dc was parsed with,
 * opts; NULL: none) and compare the JSON documents.  Returns the text
 * written (caller frees); fails the test on a difference.
 */
static char *round_trip_opts(const char *name, libxl_domain_config *dc,
                             const struct xlcfg_opts *opts)
{
    struct xn_msg msg;
    libxl_domain_config back;
    char *json = xlcfg_dryrun_json(dc), *text, *json2;
    const char *at;
    int line;

    ck_assert_ptr_nonnull(json);
    text = xlcfg_write(dc, &msg);
    ck_assert_msg(text != NULL, "%s: xlcfg_write failed: %s", name,
                  msg.text);
    ck_assert_msg(parse_opts(name, text, opts, &back, &msg) == 0,
                  "%s: the text written does not parse: %s\n%s", name,
                  msg.text, text);
    json2 = xlcfg_dryrun_json(&back);
    ck_assert_ptr_nonnull(json2);
    if (strcmp(json, json2) != 0) {
        line = diff_line(json, json2, &at);
        ck_abort_msg("%s: JSON differs after the round trip at line %d "
                     "(%.*s); the text written:\n%s", name, line,
                     (int)strcspn(at, "\n"), at, text);
    }
    free(json);
    free(json2);
    libxl_domain_config_dispose(&back);
    return text;
}

static char *round_trip(const char *name, libxl_domain_config *dc)
{
    return round_trip_opts(name, dc, NULL);
}

START_TEST(golden_round_trip)
{
    const char *name = goldens[_i];
    char path[1024], file[300];
    struct xn_msg msg;
    libxl_domain_config dc;
    struct xlcfg_opts opts = {0};
    struct cgold_host host;
    char *data;

    snprintf(path, sizeof(path), "%s/tests/config/%s.cfg", cgold_srcdir(),
             name);
    data = cgold_slurp(path, NULL);
    ck_assert_ptr_nonnull(data);
    /* Parsed, and parsed back, with the host facts of NAME.host. */
    cgold_read_host(name, &opts, &host);
    snprintf(file, sizeof(file), "%s.cfg", name);
    ck_assert_msg(parse_opts(file, data, &opts, &dc, &msg) == 0, "%s: %s",
                  file, msg.text);
    free(round_trip_opts(file, &dc, &opts));
    libxl_domain_config_dispose(&dc);
    free(data);
}
END_TEST

/* Parse `cfg`, round-trip it and return the text written. */
static char *trip_text(const char *cfg)
{
    struct xn_msg msg;
    libxl_domain_config dc;
    char *text;

    ck_assert_msg(parse("t.cfg", cfg, &dc, &msg) == 0, "%s", msg.text);
    text = round_trip("t.cfg", &dc);
    libxl_domain_config_dispose(&dc);
    return text;
}

/* Parse `cfg`, change it with `edit`, and expect xlcfg_write to refuse
 * with a message containing `want`. */
static void write_fails(const char *cfg,
                        void (*edit)(libxl_domain_config *dc),
                        const char *want)
{
    struct xn_msg msg;
    libxl_domain_config dc;
    char *text;

    ck_assert_msg(parse("t.cfg", cfg, &dc, &msg) == 0, "%s", msg.text);
    if (edit)
        edit(&dc);
    text = xlcfg_write(&dc, &msg);
    ck_assert_msg(text == NULL, "expected a failure (%s), got:\n%s", want,
                  text);
    ck_assert_msg(strstr(msg.text, want), "message \"%s\" lacks \"%s\"",
                  msg.text, want);
    libxl_domain_config_dispose(&dc);
}

#define HEAD "name = \"t\"\nuuid = \"00000000-0000-4000-8000-0000000000aa\"\n"
#define PV HEAD "kernel = \"/k\"\nmemory = 64\n"

/* The file reads like a hand-written one, defaults left out. */
START_TEST(style)
{
    char *text = trip_text(HEAD "type = \"pv\"\nvcpus = 2\nmemory = 512\n"
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
        ck_assert_int_eq(parse("t.cfg", PV, &dc, &msg), 0);
        free(dc.b_info.cmdline);
        dc.b_info.cmdline = strdup(values[i]);
        free(dc.c_info.pool_name);
        dc.c_info.pool_name = strdup(values[i]);
        text = round_trip("escapes", &dc);
        ck_assert_int_eq(parse("t.cfg", text, &back, &msg), 0);
        ck_assert_str_eq(back.b_info.cmdline, values[i]);
        ck_assert_str_eq(back.c_info.pool_name, values[i]);
        libxl_domain_config_dispose(&back);
        libxl_domain_config_dispose(&dc);
        free(text);
    }
    /* The escapes are the readable ones. */
    ck_assert_int_eq(parse("t.cfg", PV "cmdline = 'a\"b\\\\c\\td\\ne'\n",
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
    char *text = trip_text(PV "disk = [ 'vdev=xvda,access=ro,"
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
    write_fails(PV "disk = [ 'vdev=xvda,target=/srv/a' ]\n", comma_target,
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
    write_fails(PV "disk = [ 'vdev=xvda,target=/x' ]\n", comma_vdev,
                "disk 1: vdev \"xvd,a\" holds a comma");
    write_fails(PV "disk = [ 'vdev=xvda,devtype=cdrom,target=/x' ]\n",
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
        snprintf(cfg, sizeof(cfg), PV "vif = [ 'rate=%s' ]\n", rates[i]);
        free(trip_text(cfg));
    }
    char *text = trip_text(PV "vif = [ 'mac=00:16:3E:0a:0B:ff,bridge=br0,"
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
    write_fails(PV, odd_memory, "memory: 1000 KiB is not a whole number "
                                "of MiB");
    write_fails(PV "vcpus = 3\n", bad_vcpus, "vcpus: the vCPUs online");
}
END_TEST

/* Affinity as a string stays a string; per-vCPU lists stay lists. */
START_TEST(affinity)
{
    char *text = trip_text(PV "vcpus = 4\ncpus = \"0-3,^2\"\n"
                           "cpus_soft = \"all\"\n");
    ck_assert_ptr_nonnull(strstr(text, "cpus = \"0-1,3\"\n"));
    free(text);
    text = trip_text(PV "vcpus = 2\ncpus = [ \"1\", \"1\" ]\n");
    ck_assert_ptr_nonnull(strstr(text, "cpus = [ \"1\", \"1\" ]\n"));
    free(text);
    free(trip_text(PV "vcpus = 3\ncpus = [ \"0\", \"2-5,7\" ]\n"));
}
END_TEST

START_TEST(hvm)
{
    free(trip_text(HEAD "type = \"hvm\"\nmemory = 1024\n"
                   "viridian = [ \"all\", \"!apic_assist\" ]\n"
                   "firmware = \"/usr/lib/ovmf.bin\"\n"
                   "rtc_timeoffset = \"-3600\"\nserial = \"pty\"\n"
                   "vnc = 1\nvncdisplay = 5\nspice = 1\nspiceport = 6000\n"));
    free(trip_text(HEAD "type = \"hvm\"\nviridian = [ \"defaults\", "
                   "\"!hcall_remote_tlb_flush\", \"time_ref_count\" ]\n"
                   "firmware_override = \"bios\"\n"));
}
END_TEST

/* ---- writers whose parsers are elsewhere: checked against libxlutil,
 * libxl, or the text xl 4.17 reads ---- */

/* A parsed PV config to add devices to. */
static void pv_config(libxl_domain_config *dc)
{
    struct xn_msg msg;

    ck_assert_int_eq(parse("t.cfg", PV, dc, &msg), 0);
}

/* The written text, which must not fail. */
static char *write_ok(libxl_domain_config *dc)
{
    struct xn_msg msg;
    char *text = xlcfg_write(dc, &msg);

    ck_assert_msg(text != NULL, "xlcfg_write failed: %s", msg.text);
    return text;
}

/* The items of list `key` in xl.cfg `text`, read by libxlutil. */
static XLU_Config *read_list(const char *text, const char *key,
                             XLU_ConfigList **l, int *n)
{
    XLU_Config *cfg = xlu_cfg_init(stderr, "written");

    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(xlu_cfg_readdata(cfg, text, (int)strlen(text)), 0);
    ck_assert_msg(xlu_cfg_get_list(cfg, key, l, n, 0) == 0,
                  "no list %s in:\n%s", key, text);
    return cfg;
}

START_TEST(pci_specs)
{
    libxl_domain_config dc;
    libxl_device_pci *p;
    XLU_ConfigList *l;
    int n;

    pv_config(&dc);
    dc.num_pcidevs = 3;
    dc.pcidevs = calloc(3, sizeof(*dc.pcidevs));
    for (int i = 0; i < 3; i++) {
        libxl_device_pci_init(&dc.pcidevs[i]);
        dc.pcidevs[i].rdm_policy = dc.b_info.u.hvm.rdm.policy;
    }
    p = &dc.pcidevs[0];
    p->bus = 3, p->func = 1, p->vfunc_mask = 1, p->permissive = true;
    p = &dc.pcidevs[1];
    p->domain = 0x10, p->bus = 0xff, p->dev = 0x1f, p->vdevfn = 5 << 3;
    p->vfunc_mask = LIBXL_PCI_FUNC_ALL;
    p->msitranslate = p->seize = p->power_mgmt = true;
    p->rdm_policy = LIBXL_RDM_RESERVE_POLICY_RELAXED;
    dc.pcidevs[2].name = strdup("gpu0");

    char *text = write_ok(&dc);
    ck_assert_ptr_nonnull(strstr(text, "\"0000:03:00.1,permissive=1\""));
    ck_assert_ptr_nonnull(strstr(text, "\"0010:ff:1f.*@05,msitranslate=1,"
                                       "seize=1,power_mgmt=1,"
                                       "rdm_policy=relaxed\""));
    ck_assert_ptr_nonnull(strstr(text, "\"name=gpu0\""));
    /* libxlutil reads each spec back into the same device. */
    XLU_Config *cfg = read_list(text, "pci", &l, &n);
    ck_assert_int_eq(n, 3);
    for (int i = 0; i < n; i++) {
        libxl_device_pci back;
        libxl_device_pci_init(&back);
        back.rdm_policy = dc.b_info.u.hvm.rdm.policy;
        ck_assert_int_eq(xlu_pci_parse_spec_string(cfg, &back,
                             xlu_cfg_get_listitem(l, i)), 0);
        char *a = libxl_device_pci_to_json(NULL, &dc.pcidevs[i]);
        char *b = libxl_device_pci_to_json(NULL, &back);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
        libxl_device_pci_dispose(&back);
    }
    xlu_cfg_destroy(cfg);
    free(text);
    libxl_domain_config_dispose(&dc);
}
END_TEST

START_TEST(raw_resources)
{
    libxl_domain_config dc;

    pv_config(&dc);
    dc.b_info.num_iomem = 2;
    dc.b_info.iomem = calloc(2, sizeof(*dc.b_info.iomem));
    libxl_iomem_range_init(&dc.b_info.iomem[0]);
    libxl_iomem_range_init(&dc.b_info.iomem[1]);
    dc.b_info.iomem[0].start = 0xfe000, dc.b_info.iomem[0].number = 16;
    dc.b_info.iomem[1].start = 0xa0, dc.b_info.iomem[1].number = 1;
    dc.b_info.iomem[1].gfn = 0xb0;
    dc.b_info.num_ioports = 2;
    dc.b_info.ioports = calloc(2, sizeof(*dc.b_info.ioports));
    dc.b_info.ioports[0].first = 0x3f8, dc.b_info.ioports[0].number = 8;
    dc.b_info.ioports[1].first = 0x80, dc.b_info.ioports[1].number = 1;
    dc.b_info.num_irqs = 2;
    dc.b_info.irqs = calloc(2, sizeof(*dc.b_info.irqs));
    dc.b_info.irqs[0] = 4, dc.b_info.irqs[1] = 17;
    dc.num_dtdevs = 1;
    dc.dtdevs = calloc(1, sizeof(*dc.dtdevs));
    dc.dtdevs[0].path = strdup("/soc/ethernet@ff0e0000");

    char *text = write_ok(&dc);
    ck_assert_ptr_nonnull(strstr(text, "dtdev = [ \"/soc/ethernet@ff0e0000\" ]\n"));
    ck_assert_ptr_nonnull(strstr(text, "iomem = [ \"fe000,10\", \"a0,1@b0\" ]\n"));
    ck_assert_ptr_nonnull(strstr(text, "ioports = [ \"3f8-3ff\", \"80\" ]\n"));
    ck_assert_ptr_nonnull(strstr(text, "irqs = [ \"4\", \"17\" ]\n"));
    free(text);
    libxl_domain_config_dispose(&dc);
}
END_TEST

/* The policy's JSON, to compare two policies. */
static char *cpuid_json(libxl_cpuid_policy_list *p)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    char *s;

    ck_assert_int_eq(libxl_cpuid_policy_list_gen_json(g, p), 0);
    yajl_gen_get_buf(g, &buf, &len);
    s = strndup((const char *)buf, len);
    yajl_gen_free(g);
    return s;
}

START_TEST(cpuid_list)
{
    libxl_domain_config dc;
    libxl_cpuid_policy_list back = NULL;
    XLU_ConfigList *l;
    int n;

    pv_config(&dc);
    ck_assert_int_eq(libxl_cpuid_parse_config(&dc.b_info.cpuid, "tm=0"), 0);
    ck_assert_int_eq(libxl_cpuid_parse_config(&dc.b_info.cpuid, "sse3=0"),
                     0);
    ck_assert_int_eq(libxl_cpuid_parse_config(&dc.b_info.cpuid, "vmx=k"), 0);
    ck_assert_int_eq(libxl_cpuid_parse_config_xend(&dc.b_info.cpuid,
                         "0x7,0:ebx=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0"), 0);

    char *text = write_ok(&dc);
    XLU_Config *cfg = read_list(text, "cpuid", &l, &n);
    ck_assert_int_eq(n, 2);   /* leaf 1 (tm, sse3, vmx) and leaf 7 */
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(libxl_cpuid_parse_config_xend(&back,
                             xlu_cfg_get_listitem(l, i)), 0);
    char *a = cpuid_json(&dc.b_info.cpuid), *b = cpuid_json(&back);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    libxl_cpuid_dispose(&back);
    xlu_cfg_destroy(cfg);
    free(text);
    libxl_domain_config_dispose(&dc);
}
END_TEST

/* With MSR entries only libxl's string form will do: named features, in
 * the order the entries were made; a bit no name sets is refused. */
START_TEST(cpuid_msrs)
{
    libxl_domain_config dc;

    char *text = trip_text(PV "cpuid = \"host,rdcl-no=1,tm=0,family=6,"
                           "model=0x3a,ssb-no=x,eibrs=k\"\n");
    ck_assert_msg(strstr(text, "cpuid = \"host,"), "%s", text);
    free(text);
    /* "rdcl-no=11" is refused by libxl after it made MSR 0x10a: an MSR
     * entry with no bit set. */
    text = trip_text(PV "cpuid = \"host,rdcl-no=11,sse3=0\"\n");
    free(text);

    pv_config(&dc);
    ck_assert_int_eq(libxl_cpuid_parse_config(&dc.b_info.cpuid,
                                              "rdcl-no=1"), 0);
    ck_assert_int_eq(libxl_cpuid_parse_config_xend(&dc.b_info.cpuid,
                         "0x5:eax=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0"), 0);
    struct xn_msg msg;
    ck_assert_ptr_null(xlcfg_write(&dc, &msg));
    ck_assert_msg(strstr(msg.text, "cpuid: leaf 0x5 eax bit 0 ('0') is "
                         "set by no feature name"), "%s", msg.text);
    libxl_domain_config_dispose(&dc);
}
END_TEST

/* The VM generation ID is random: written as "generate", it reads back
 * as a new one. */
START_TEST(genid)
{
    struct xn_msg msg;
    libxl_domain_config dc, back;
    char *text;

    ck_assert_int_eq(parse("t.cfg", HEAD "type = \"hvm\"\nmemory = 64\n"
                           "ms_vm_genid = \"generate\"\n", &dc, &msg), 0);
    text = xlcfg_write(&dc, &msg);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "ms_vm_genid = \"generate\"\n"), "%s", text);
    ck_assert_int_eq(parse("t.cfg", text, &back, &msg), 0);
    ck_assert(!libxl_ms_vm_genid_is_zero(&back.b_info.u.hvm.ms_vm_genid));
    free(text);
    libxl_domain_config_dispose(&back);
    libxl_domain_config_dispose(&dc);
}
END_TEST

static void placement_off(libxl_domain_config *dc)
{
    libxl_defbool_set(&dc->b_info.numa_placement, false);
}

/* A cpus list with no vCPU turns NUMA placement off and keeps no map: it
 * is written as a list of one unused item.  With vCPUs it cannot be. */
START_TEST(placement_without_maps)
{
    char *text = trip_text(PV "cpus = [ \"1\" ]\n");
    ck_assert_msg(strstr(text, "cpus = [ \"all\" ]\n"), "%s", text);
    free(text);
    write_fails(PV "vcpus = 2\n", placement_off,
                "numa_placement: False with no affinity map for 2 vCPUs");
}
END_TEST

START_TEST(vnuma_nodes)
{
    libxl_domain_config dc;

    pv_config(&dc);
    libxl_defbool_set(&dc.b_info.numa_placement, false);
    dc.b_info.num_vnuma_nodes = 2;
    dc.b_info.vnuma_nodes = calloc(2, sizeof(libxl_vnode_info));
    for (int i = 0; i < 2; i++) {
        libxl_vnode_info *v = &dc.b_info.vnuma_nodes[i];
        libxl_vnode_info_init(v);
        v->memkb = (uint64_t)(i + 1) * 512 * 1024;
        v->pnode = (uint32_t)i;
        v->num_distances = 2;
        v->distances = calloc(2, sizeof(uint32_t));
        v->distances[i] = 10;
        v->distances[1 - i] = 20;
        libxl_bitmap_init(&v->vcpus);
        v->vcpus.size = 1;
        v->vcpus.map = calloc(1, 1);
        libxl_bitmap_set(&v->vcpus, 2 * i);
        libxl_bitmap_set(&v->vcpus, 2 * i + 1);
    }
    char *text = write_ok(&dc);
    ck_assert_ptr_nonnull(strstr(text,
        "vnuma = [ [ \"pnode=0\", \"size=512\", \"vcpus=0-1\", "
        "\"vdistances=10,20\" ],\n"
        "          [ \"pnode=1\", \"size=1024\", \"vcpus=2-3\", "
        "\"vdistances=20,10\" ] ]\n"));
    free(text);
    libxl_domain_config_dispose(&dc);
}
END_TEST

/* Grow a device array of dc by one initialised element. */
#define ADD(arr, num, init) \
    (arr = realloc(arr, sizeof(*arr) * (size_t)(num + 1)), \
     init(&arr[num]), &arr[num++])

START_TEST(pv_devices)
{
    libxl_domain_config dc;
    libxl_device_channel *ch;
    libxl_device_vtpm *tpm;
    libxl_device_p9 *p9;
    libxl_device_pvcallsif *pvc;
    libxl_device_vkb *vkb;
    libxl_device_vdispl *vd;
    libxl_device_usbctrl *uc;
    libxl_device_usbdev *ud;
    libxl_device_vsnd *snd;

    pv_config(&dc);
    ch = ADD(dc.channels, dc.num_channels, libxl_device_channel_init);
    ch->name = strdup("org.qemu.guest_agent.0");
    ch->connection = LIBXL_CHANNEL_CONNECTION_SOCKET;
    ch->u.socket.path = strdup("/run/xen/qga.sock");
    ch = ADD(dc.channels, dc.num_channels, libxl_device_channel_init);
    ch->devid = 1;
    ch->name = strdup("console2");
    ch->connection = LIBXL_CHANNEL_CONNECTION_PTY;
    ch->backend_domname = strdup("dom0");
    tpm = ADD(dc.vtpms, dc.num_vtpms, libxl_device_vtpm_init);
    tpm->backend_domname = strdup("vtpmmgr");
    libxl_uuid_from_string(&tpm->uuid, "11111111-2222-4333-8444-555555555555");
    p9 = ADD(dc.p9s, dc.num_p9s, libxl_device_p9_init);
    p9->tag = strdup("share"), p9->path = strdup("/srv/share");
    p9->security_model = strdup("none");
    pvc = ADD(dc.pvcallsifs, dc.num_pvcallsifs, libxl_device_pvcallsif_init);
    pvc->backend_domname = strdup("net");
    vkb = ADD(dc.vkbs, dc.num_vkbs, libxl_device_vkb_init);
    vkb->backend_type = LIBXL_VKB_BACKEND_LINUX;
    vkb->unique_id = strdup("kbd0");
    vkb->feature_abs_pointer = true;
    vkb->width = 1024, vkb->height = 768;
    vkb->feature_multi_touch = true, vkb->multi_touch_num_contacts = 4;
    vd = ADD(dc.vdispls, dc.num_vdispls, libxl_device_vdispl_init);
    vd->backend_domname = strdup("disp");
    vd->be_alloc = true;
    vd->num_connectors = 2;
    vd->connectors = calloc(2, sizeof(*vd->connectors));
    vd->connectors[0].unique_id = strdup("c0");
    vd->connectors[0].width = 1920, vd->connectors[0].height = 1080;
    vd->connectors[1].unique_id = strdup("c1");
    vd->connectors[1].width = 800, vd->connectors[1].height = 600;
    uc = ADD(dc.usbctrls, dc.num_usbctrls, libxl_device_usbctrl_init);
    uc->type = LIBXL_USBCTRL_TYPE_QUSB, uc->version = 2, uc->ports = 4;
    ud = ADD(dc.usbdevs, dc.num_usbdevs, libxl_device_usbdev_init);
    ud->type = LIBXL_USBDEV_TYPE_HOSTDEV;
    ud->u.hostdev.hostbus = 1, ud->u.hostdev.hostaddr = 3;
    ud->ctrl = 0, ud->port = 2;
    snd = ADD(dc.vsnds, dc.num_vsnds, libxl_device_vsnd_init);
    snd->short_name = strdup("Card"), snd->long_name = strdup("Virtual card");
    snd->params.num_sample_rates = 2;
    snd->params.sample_rates = calloc(2, sizeof(uint32_t));
    snd->params.sample_rates[0] = 44100, snd->params.sample_rates[1] = 48000;
    snd->num_vsnd_pcms = 1;
    snd->pcms = calloc(1, sizeof(*snd->pcms));
    libxl_vsnd_pcm_init(&snd->pcms[0]);
    snd->pcms[0].name = strdup("pcm0");
    snd->pcms[0].num_vsnd_streams = 1;
    snd->pcms[0].streams = calloc(1, sizeof(libxl_vsnd_stream));
    libxl_vsnd_stream_init(&snd->pcms[0].streams[0]);
    snd->pcms[0].streams[0].unique_id = strdup("0");
    snd->pcms[0].streams[0].type = LIBXL_VSND_STREAM_TYPE_P;
    snd->pcms[0].streams[0].params.num_sample_formats = 1;
    snd->pcms[0].streams[0].params.sample_formats =
        calloc(1, sizeof(libxl_vsnd_pcm_format));
    snd->pcms[0].streams[0].params.sample_formats[0] =
        LIBXL_VSND_PCM_FORMAT_S16_LE;
    snd->pcms[0].streams[0].params.channels_max = 2;

    char *text = write_ok(&dc);
    static const char *const want[] = {
        "\"name=org.qemu.guest_agent.0,connection=socket,"
        "path=/run/xen/qga.sock\"",
        "\"name=console2,connection=pty,backend=dom0\"",
        "vtpm = [ \"backend=vtpmmgr,"
        "uuid=11111111-2222-4333-8444-555555555555\" ]\n",
        "p9 = [ \"tag=share,path=/srv/share,security_model=none\" ]\n",
        "pvcalls = [ \"backend=net\" ]\n",
        "vkb = [ \"backend-type=linux,unique-id=kbd0,feature-abs-pointer=1,"
        "width=1024,height=768,multi-touch-num-contacts=4\" ]\n",
        "vdispl = [ \"backend=disp,be-alloc=1,"
        "connectors=c0:1920x1080;c1:800x600\" ]\n",
        "usbctrl = [ \"type=qusb,version=2,ports=4\" ]\n",
        "usbdev = [ \"type=hostdev,hostbus=1,hostaddr=3,controller=0,"
        "port=2\" ]\n",
        "vsnd = [ [ \"card,short-name=Card,long-name=Virtual card,"
        "sample-rates=44100;48000\", \"pcm,name=pcm0\", "
        "\"stream,unique-id=0,type=p,sample-formats=s16_le,"
        "channels-max=2\" ] ]\n",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ck_assert_msg(strstr(text, want[i]), "missing %s in:\n%s", want[i],
                      text);
    free(text);
    libxl_domain_config_dispose(&dc);
}
END_TEST

static void vtpm_no_backend(libxl_domain_config *dc)
{
    libxl_device_vtpm *tpm = ADD(dc->vtpms, dc->num_vtpms,
                                 libxl_device_vtpm_init);
    (void)tpm;
}

static void disk_trusted(libxl_domain_config *dc)
{
    libxl_defbool_set(&dc->disks[0].trusted, true);
}

static void comma_bridge(libxl_domain_config *dc)
{
    free(dc->nics[0].bridge);
    dc->nics[0].bridge = strdup("br,0");
}

START_TEST(device_refusals)
{
    write_fails(PV "vif = [ 'bridge=br0' ]\n", comma_bridge,
                "vif 1: bridge \"br,0\" holds a comma");
    write_fails(PV, vtpm_no_backend, "vtpm 1: no backend");
    write_fails(PV "disk = [ 'vdev=xvda,target=/x' ]\n", disk_trusted,
                "disk 1: trusted cannot be written");
}
END_TEST

int main(void)
{
    char dir[1024];
    Suite *s = suite_create("config_write");
    TCase *tc = tcase_create("values");
    TCase *gold = tcase_create("golden");

    snprintf(dir, sizeof(dir), "%s/tests/config", cgold_srcdir());
    ngoldens = list_goldens(dir, &goldens);
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
    tcase_add_test(tc, pci_specs);
    tcase_add_test(tc, raw_resources);
    tcase_add_test(tc, cpuid_list);
    tcase_add_test(tc, cpuid_msrs);
    tcase_add_test(tc, genid);
    tcase_add_test(tc, placement_without_maps);
    tcase_add_test(tc, vnuma_nodes);
    tcase_add_test(tc, pv_devices);
    tcase_add_test(tc, device_refusals);
    tcase_add_loop_test(gold, golden_round_trip, 0, ngoldens);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, gold);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    for (int i = 0; i < ngoldens; i++)
        free(goldens[i]);
    free(goldens);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
