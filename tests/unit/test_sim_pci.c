/*
 * test_sim_pci.c - the simulated host's PCI devices: the scenario's <pci>
 * and the built-in accelerators, the model (bind, assign, slots, release
 * on death, rebind), and the driver through hv.h (assignable add/remove,
 * create with pcidevs, attach and detach on the loop, the configuration,
 * save refused, death releases) with hv_pci.c's sentences.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv.h"

#include "sim_testlib.h"

static struct hv_pci_addr A(const char *text)
{
    struct hv_pci_addr a;
    struct xn_msg msg;

    ck_assert_msg(hv_pci_addr_parse(text, &a, &msg) == 0, "%s", msg.text);
    return a;
}

static const struct sim_pcidev *dev(struct sim_host *h, const char *text)
{
    struct hv_pci_addr a = A(text);
    const struct sim_pcidev *p = sim_pci_get(h, &a);

    ck_assert_msg(p != NULL, "no device %s", text);
    return p;
}

START_TEST(scenario_devices)
{
    struct sim_host *h = simt_load("pci.xml");
    char s[HV_PCI_ADDR_LEN];

    ck_assert_uint_eq(sim_pci_count(h), 5);
    /* sorted by address, whatever the document's order */
    hv_pci_addr_str(&sim_pci_at(h, 0)->addr, s);
    ck_assert_str_eq(s, "0000:03:00.0");
    hv_pci_addr_str(&sim_pci_at(h, 1)->addr, s);
    ck_assert_str_eq(s, "0000:03:00.1");
    hv_pci_addr_str(&sim_pci_at(h, 4)->addr, s);
    ck_assert_str_eq(s, "0000:81:00.0");
    ck_assert_str_eq(dev(h, "03:00.0")->driver, "nvidia");
    ck_assert_str_eq(dev(h, "03:00.0")->name, "NVIDIA A100");
    ck_assert_str_eq(dev(h, "05:00.0")->driver, "pciback");
    ck_assert_str_eq(dev(h, "06:00.0")->driver, "");
    ck_assert_uint_eq(dev(h, "03:00.0")->domid, HV_NO_DOMAIN);
    ck_assert_int_eq(dev(h, "03:00.0")->vslot, -1);
    sim_host_free(h);

    h = simt_load(NULL);
    ck_assert_uint_eq(sim_pci_count(h), 3);
    ck_assert_str_eq(dev(h, "03:00.0")->driver, "nvidia");
    ck_assert_str_eq(dev(h, "04:00.0")->driver, "nvidia");
    ck_assert_str_eq(dev(h, "81:00.0")->driver, "xclmgmt");
    sim_host_free(h);
}
END_TEST

START_TEST(model_bind_assign_release)
{
    struct sim_host *h = simt_load("pci.xml");
    struct sim_dom *ml1 = simt_named(h, "ml1");
    struct hv_pci_addr gpu = A("03:00.0"), snd = A("03:00.1");
    struct sim_event ev;
    struct xn_msg msg;
    int slot = -9;

    /* not bound to pciback: no domain may have it */
    ck_assert_int_eq(sim_pci_assign(h, &gpu, ml1->domid, -1, &slot, &msg),
                     XN_ESTATE);
    ck_assert_str_eq(msg.text, "PCI device 0000:03:00.0 is not bound to "
                     "pciback");
    ck_assert_int_eq(sim_pci_bind(h, &gpu, &msg), 0);
    ck_assert_str_eq(dev(h, "03:00.0")->driver, "pciback");
    ck_assert_str_eq(dev(h, "03:00.0")->was, "nvidia");
    ck_assert_int_eq(sim_pci_bind(h, &gpu, &msg), 0);     /* again: no-op */
    ck_assert_str_eq(dev(h, "03:00.0")->was, "nvidia");

    /* slots: the first free one, or the one asked for */
    ck_assert_int_eq(sim_pci_assign(h, &gpu, ml1->domid, -1, &slot, &msg),
                     0);
    ck_assert_int_eq(slot, 0);
    ck_assert_uint_eq(dev(h, "03:00.0")->domid, ml1->domid);
    ck_assert_int_eq(sim_pci_assign(h, &gpu, ml1->domid, -1, &slot, &msg),
                     XN_EBUSY);
    ck_assert_str_eq(msg.text, "PCI device 0000:03:00.0 is assigned to "
                     "domain 1 (ml1)");
    ck_assert_int_eq(sim_pci_bind(h, &snd, &msg), 0);
    ck_assert_int_eq(sim_pci_assign(h, &snd, ml1->domid, 0, &slot, &msg),
                     XN_EBUSY);
    ck_assert_str_eq(msg.text, "virtual slot 00 of domain 1 (ml1) is taken");
    ck_assert_int_eq(sim_pci_assign(h, &snd, ml1->domid, 5, &slot, &msg),
                     0);
    ck_assert_int_eq(slot, 5);
    ck_assert_uint_eq(sim_pci_dom_count(h, ml1->domid), 2);

    /* assigned: neither unbound nor bound elsewhere */
    ck_assert_int_eq(sim_pci_unbind(h, &gpu, true, &msg), XN_EBUSY);
    ck_assert_int_eq(sim_pci_release(h, &gpu, 7, &msg), XN_ENOENT);
    ck_assert_int_eq(sim_pci_release(h, &gpu, ml1->domid, &msg), 0);
    ck_assert_uint_eq(dev(h, "03:00.0")->domid, HV_NO_DOMAIN);
    ck_assert_int_eq(dev(h, "03:00.0")->vslot, -1);

    /* death gives back what is left, still bound to pciback */
    ck_assert_int_eq(sim_dom_destroy(h, ml1, &msg), 0);
    ck_assert_int_eq(sim_pci_assign(h, &gpu, 1, -1, &slot, &msg),
                     XN_ESTATE);                        /* dying */
    simt_fake_now += SEC;
    ck_assert(sim_host_step(h, &ev));
    ck_assert_int_eq(ev.type, SIM_EV_DEATH);
    ck_assert_uint_eq(dev(h, "03:00.1")->domid, HV_NO_DOMAIN);
    ck_assert_str_eq(dev(h, "03:00.1")->driver, "pciback");
    ck_assert_uint_eq(sim_pci_dom_count(h, 1), 0);

    /* unbind: with rebind the old driver comes back, else none */
    ck_assert_int_eq(sim_pci_unbind(h, &gpu, true, &msg), 0);
    ck_assert_str_eq(dev(h, "03:00.0")->driver, "nvidia");
    ck_assert_int_eq(sim_pci_unbind(h, &snd, false, &msg), 0);
    ck_assert_str_eq(dev(h, "03:00.1")->driver, "");
    ck_assert_int_eq(sim_pci_unbind(h, &snd, false, &msg), XN_ESTATE);
    ck_assert_str_eq(msg.text, "PCI device 0000:03:00.1 is not bound to "
                     "pciback");
    sim_host_free(h);
}
END_TEST

/* A config with the devices given ("03:00.0" ...). */
static libxl_domain_config *cfg_pci(const char *name, const char *a,
                                    const char *b)
{
    libxl_domain_config *c = simt_mkcfg(name, 256, 1);
    const char *addrs[2] = {a, b};

    c->pcidevs = calloc(2, sizeof(*c->pcidevs));
    for (int i = 0; i < 2 && addrs[i]; i++) {
        struct hv_pci_addr x = A(addrs[i]);
        libxl_device_pci_init(&c->pcidevs[i]);
        c->pcidevs[i].domain = x.seg;
        c->pcidevs[i].bus = x.bus;
        c->pcidevs[i].dev = x.dev;
        c->pcidevs[i].func = x.fn;
        c->num_pcidevs++;
    }
    return c;
}

/* The devices of domid hv_pci_list reports. */
static size_t devs_of(struct simt *t, uint32_t domid)
{
    struct hv_pcidev *list;
    struct xn_msg msg;
    size_t n, k = 0;

    ck_assert_int_eq(hv_pci_list(t->hv, &list, &n, &msg), 0);
    for (size_t i = 0; i < n; i++)
        k += list[i].domid == domid;
    free(list);
    return k;
}

START_TEST(driver_assignable)
{
    struct simt t;
    struct hv_pcidev *list, d;
    struct hv_pci_addr gpu = A("03:00.0"), none = A("09:00.0");
    struct xn_msg msg;
    size_t n;

    simt_open(&t, "sim:///", NULL);
    ck_assert_int_eq(hv_pci_list(t.hv, &list, &n, &msg), 0);
    ck_assert_uint_eq(n, 0);                /* none bound to pciback */
    free(list);
    ck_assert_int_eq(hv_pci_info(t.hv, &none, &d, &msg), XN_ENOENT);
    ck_assert_str_eq(msg.text, "this host has no PCI device 0000:09:00.0");
    ck_assert_int_eq(hv_pci_assignable_remove(t.hv, &gpu, false, &msg),
                     XN_ESTATE);
    ck_assert_str_eq(msg.text, "PCI device 0000:03:00.0 is not assignable "
                     "(nvidia)");
    ck_assert_int_eq(hv_pci_assignable_add(t.hv, &gpu, &msg), 0);
    ck_assert_int_eq(hv_pci_list(t.hv, &list, &n, &msg), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert(list[0].assignable);
    ck_assert_str_eq(list[0].driver, "pciback");
    ck_assert_uint_eq(list[0].domid, HV_NO_DOMAIN);
    free(list);
    ck_assert_int_eq(hv_pci_assignable_remove(t.hv, &gpu, true, &msg), 0);
    ck_assert_int_eq(hv_pci_info(t.hv, &gpu, &d, &msg), 0);
    ck_assert_str_eq(d.driver, "nvidia");
    ck_assert(!d.assignable);
    simt_close(&t);
}
END_TEST

START_TEST(driver_create_save_destroy)
{
    struct simt t;
    struct hv_pci_addr gpu = A("03:00.0"), gpu2 = A("04:00.0");
    libxl_domain_config cfg;
    struct xn_msg msg;
    char want[XN_MSG_MAX];
    uint32_t id;
    int fd;

    simt_open(&t, "sim:///", NULL);
    /* not assignable yet: refused before the driver, nothing made */
    ck_assert_int_eq(hv_create(t.hv, cfg_pci("ml1", "03:00.0", NULL), false,
                               simt_on_done, &t, &msg), XN_ESTATE);
    ck_assert_str_eq(msg.text, "PCI device 0000:03:00.0 is not assignable "
                     "(nvidia); make it so with `xenith pci-assignable-add "
                     "0000:03:00.0`");
    ck_assert_int_eq(hv_pci_assignable_add(t.hv, &gpu, &msg), 0);
    ck_assert_int_eq(hv_pci_assignable_add(t.hv, &gpu2, &msg), 0);
    /* the same device twice in one config: the model refuses the second */
    ck_assert_int_eq(hv_create(t.hv, cfg_pci("ml1", "03:00.0", "03:00.0"),
                               false, simt_on_done, &t, &msg), XN_EBUSY);
    ck_assert_uint_eq(devs_of(&t, HV_NO_DOMAIN), 2);

    id = simt_create(&t, cfg_pci("ml1", "03:00.0", "04:00.0"), false);
    ck_assert_uint_eq(devs_of(&t, id), 2);
    libxl_domain_config_init(&cfg);
    ck_assert_int_eq(hv_dom_config(t.hv, id, &cfg, &msg), 0);
    ck_assert_int_eq(cfg.num_pcidevs, 2);
    ck_assert_uint_eq(cfg.pcidevs[1].bus, 4);
    ck_assert_uint_eq(cfg.pcidevs[1].vdevfn, 1u << 3);
    libxl_domain_config_dispose(&cfg);
    ck_assert_int_eq(hv_create(t.hv, cfg_pci("ml2", "04:00.0", NULL), false,
                               simt_on_done, &t, &msg), XN_EBUSY);
    snprintf(want, sizeof(want), "PCI device 0000:04:00.0 is already "
             "assigned to domain %u (ml1); detach it there first", id);
    ck_assert_str_eq(msg.text, want);

    fd = simt_tmpfile_fd();
    ck_assert_int_eq(hv_save(t.hv, id, fd, 0, simt_on_done, &t, &msg),
                     XN_ENOTSUP);
    snprintf(want, sizeof(want), "domain %u (ml1) has PCI passthrough "
             "devices (0000:03:00.0, 0000:04:00.0); a domain with PCI "
             "devices cannot be saved", id);
    ck_assert_str_eq(msg.text, want);
    close(fd);

    simt_destroy(&t, id);
    ck_assert_uint_eq(devs_of(&t, id), 0);
    ck_assert_uint_eq(devs_of(&t, HV_NO_DOMAIN), 2);
    simt_close(&t);
}
END_TEST

START_TEST(driver_attach_detach)
{
    struct simt t;
    struct hv_pci_addr gpu = A("03:00.0");
    libxl_device_pci p;
    struct xn_msg msg;
    struct hv_pcidev d;

    simt_open(&t, "sim:///", NULL);
    ck_assert_int_eq(hv_pci_assignable_add(t.hv, &gpu, &msg), 0);
    libxl_device_pci_init(&p);
    p.bus = 3;
    p.vdevfn = 4u << 3;                     /* "03:00.0@04" */
    ck_assert_int_eq(hv_pci_attach(t.hv, 0, &p, simt_on_done, &t, &msg),
                     XN_EPERM);
    ck_assert_int_eq(hv_pci_attach(t.hv, 1, &p, simt_on_done, &t, &msg), 0);
    /* taken at once: another domain is refused while it completes */
    ck_assert_int_eq(hv_pci_attach(t.hv, 2, &p, simt_on_done, &t, &msg),
                     XN_EBUSY);
    ck_assert_int_eq(t.n_done, 0);          /* never from inside */
    ck_assert(simt_run_until(&t, &t.n_done, 1, 2000));
    ck_assert_int_eq(t.rc, 0);
    ck_assert_int_eq(hv_pci_info(t.hv, &gpu, &d, &msg), 0);
    ck_assert_uint_eq(d.domid, 1);
    ck_assert_int_eq(d.vslot, 4);

    ck_assert_int_eq(hv_pci_detach(t.hv, 2, &gpu, false, simt_on_done, &t,
                                   &msg), XN_ENOENT);
    ck_assert_str_eq(msg.text, "PCI device 0000:03:00.0 is not attached to "
                     "domain 2 (db1)");
    ck_assert_int_eq(hv_pci_detach(t.hv, 1, &gpu, false, simt_on_done, &t,
                                   &msg), 0);
    ck_assert_int_eq(t.n_done, 1);
    ck_assert(simt_run_until(&t, &t.n_done, 2, 2000));
    ck_assert_int_eq(t.rc, 0);
    ck_assert_int_eq(hv_pci_info(t.hv, &gpu, &d, &msg), 0);
    ck_assert_uint_eq(d.domid, HV_NO_DOMAIN);
    ck_assert(d.assignable);

    /* a domain destroyed while the attach completes: the attach fails */
    ck_assert_int_eq(hv_pci_attach(t.hv, 1, &p, simt_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_destroy(t.hv, 1, simt_on_done, &t, &msg), 0);
    ck_assert(simt_run_until(&t, &t.n_done, 4, 2000));
    ck_assert_int_eq(hv_pci_info(t.hv, &gpu, &d, &msg), 0);
    ck_assert_uint_eq(d.domid, HV_NO_DOMAIN);
    libxl_device_pci_dispose(&p);
    simt_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim_pci");
    TCase *model = tcase_create("model");
    TCase *driver = tcase_create("driver");

    tcase_add_test(model, scenario_devices);
    tcase_add_test(model, model_bind_assign_release);
    tcase_add_test(driver, driver_assignable);
    tcase_add_test(driver, driver_create_save_destroy);
    tcase_add_test(driver, driver_attach_detach);
    suite_add_tcase(s, model);
    suite_add_tcase(s, driver);
    return simt_run(s);
}
