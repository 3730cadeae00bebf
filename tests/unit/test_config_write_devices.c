/*
 * test_config_write_devices.c - the xl.cfg writer (config/xlcfg_write.h)
 * on what has its parser outside xenith: pci specs, raw resources, cpuid,
 * the generation ID, vnuma and the PV devices.  What is written is read
 * back by libxlutil, libxl, or xenith's parser of the text xl 4.17 reads.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "config/xlcfg.h"
#include "config/xlcfg_write.h"
#include "config_write_check.h"

#include <libxl_json.h>

START_TEST(pci_specs)
{
    libxl_domain_config dc;
    libxl_device_pci *p;
    XLU_ConfigList *l;
    int n;

    cw_pv_config(&dc);
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

    char *text = cw_write_ok(&dc);
    ck_assert_ptr_nonnull(strstr(text, "\"0000:03:00.1,permissive=1\""));
    ck_assert_ptr_nonnull(strstr(text, "\"0010:ff:1f.*@05,msitranslate=1,"
                                       "seize=1,power_mgmt=1,"
                                       "rdm_policy=relaxed\""));
    ck_assert_ptr_nonnull(strstr(text, "\"name=gpu0\""));
    /* libxlutil reads each spec back into the same device. */
    XLU_Config *cfg = cw_read_list(text, "pci", &l, &n);
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

    cw_pv_config(&dc);
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

    char *text = cw_write_ok(&dc);
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

    cw_pv_config(&dc);
    ck_assert_int_eq(libxl_cpuid_parse_config(&dc.b_info.cpuid, "tm=0"), 0);
    ck_assert_int_eq(libxl_cpuid_parse_config(&dc.b_info.cpuid, "sse3=0"),
                     0);
    ck_assert_int_eq(libxl_cpuid_parse_config(&dc.b_info.cpuid, "vmx=k"), 0);
    ck_assert_int_eq(libxl_cpuid_parse_config_xend(&dc.b_info.cpuid,
                         "0x7,0:ebx=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0"), 0);

    char *text = cw_write_ok(&dc);
    XLU_Config *cfg = cw_read_list(text, "cpuid", &l, &n);
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

    char *text = cw_trip_text(CW_PV "cpuid = \"host,rdcl-no=1,tm=0,family=6,"
                           "model=0x3a,ssb-no=x,eibrs=k\"\n");
    ck_assert_msg(strstr(text, "cpuid = \"host,"), "%s", text);
    free(text);
    /* "rdcl-no=11" is refused by libxl after it made MSR 0x10a: an MSR
     * entry with no bit set. */
    text = cw_trip_text(CW_PV "cpuid = \"host,rdcl-no=11,sse3=0\"\n");
    free(text);

    cw_pv_config(&dc);
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

    ck_assert_int_eq(cw_parse("t.cfg", CW_HEAD "type = \"hvm\"\nmemory = 64\n"
                           "ms_vm_genid = \"generate\"\n", &dc, &msg), 0);
    text = xlcfg_write(&dc, &msg);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "ms_vm_genid = \"generate\"\n"), "%s", text);
    ck_assert_int_eq(cw_parse("t.cfg", text, &back, &msg), 0);
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
    char *text = cw_trip_text(CW_PV "cpus = [ \"1\" ]\n");
    ck_assert_msg(strstr(text, "cpus = [ \"all\" ]\n"), "%s", text);
    free(text);
    cw_write_fails(CW_PV "vcpus = 2\n", placement_off,
                "numa_placement: False with no affinity map for 2 vCPUs");
}
END_TEST

START_TEST(vnuma_nodes)
{
    libxl_domain_config dc;

    cw_pv_config(&dc);
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
    char *text = cw_write_ok(&dc);
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

    cw_pv_config(&dc);
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

    char *text = cw_write_ok(&dc);
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
    cw_write_fails(CW_PV "vif = [ 'bridge=br0' ]\n", comma_bridge,
                "vif 1: bridge \"br,0\" holds a comma");
    cw_write_fails(CW_PV, vtpm_no_backend, "vtpm 1: no backend");
    cw_write_fails(CW_PV "disk = [ 'vdev=xvda,target=/x' ]\n", disk_trusted,
                "disk 1: trusted cannot be written");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config_write_devices");
    TCase *tc = tcase_create("devices");

    tcase_add_test(tc, pci_specs);
    tcase_add_test(tc, raw_resources);
    tcase_add_test(tc, cpuid_list);
    tcase_add_test(tc, cpuid_msrs);
    tcase_add_test(tc, genid);
    tcase_add_test(tc, placement_without_maps);
    tcase_add_test(tc, vnuma_nodes);
    tcase_add_test(tc, pv_devices);
    tcase_add_test(tc, device_refusals);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
