/*
 * xlcfg_vkb.c - vkb = [ "backend-type=qemu|linux,backend=DOM,unique-id=ID,
 * feature-...=N,width=W,height=H,multi-touch-...=N" ], virtual keyboards
 * and pointers, for every domain type, as xl reads them.  They follow the
 * ones vfb and vnc made (xlcfg_display.c); each devid is its place among
 * all of them.  (vkb_device, the HVM switch, is in xlcfg_hvm.c.)
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

#define VKB(f) offsetof(libxl_device_vkb, f)

/* Number options: xl reads them with strtoul. */
static const struct {
    const char *key;
    size_t off;
    bool flag;          /* a bool (any number but 0 is true), else uint32 */
} vkb_numbers[] = {
    {"feature-disable-keyboard", VKB(feature_disable_keyboard), true},
    {"feature-disable-pointer", VKB(feature_disable_pointer), true},
    {"feature-abs-pointer", VKB(feature_abs_pointer), true},
    {"feature-raw-pointer", VKB(feature_raw_pointer), true},
    {"feature-multi-touch", VKB(feature_multi_touch), true},
    {"multi-touch-width", VKB(multi_touch_width), false},
    {"multi-touch-height", VKB(multi_touch_height), false},
    {"multi-touch-num-contacts", VKB(multi_touch_num_contacts), false},
    {"width", VKB(width), false},
    {"height", VKB(height), false},
};

static int set_str(struct xlcfg *c, char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : xlcfg_oom(c);
}

static int vkb_option(struct xlcfg *c, int i, const char *spec, char *tok,
                      void *dev)
{
    libxl_device_vkb *vkb = dev;
    char *v = xlcfg_kv_value(tok);
    unsigned long l;

    if (v && strcmp(tok, "backend") == 0)
        return set_str(c, &vkb->backend_domname, v);
    if (v && strcmp(tok, "unique-id") == 0)
        return set_str(c, &vkb->unique_id, v);
    if (v && strcmp(tok, "backend-type") == 0) {
        if (libxl_vkb_backend_from_string(v, &vkb->backend_type) != 0)
            return xlcfg_fail(c, "vkb", i, "backend-type \"%s\" is not a vkb "
                              "backend (qemu or linux)", v);
        return 0;
    }
    for (size_t k = 0; v && k < sizeof(vkb_numbers) / sizeof(vkb_numbers[0]);
         k++) {
        if (strcmp(tok, vkb_numbers[k].key) != 0)
            continue;
        if (xlcfg_kv_ulong(v, vkb_numbers[k].flag ? ULONG_MAX : UINT32_MAX,
                           &l) < 0)
            return xlcfg_fail(c, "vkb", i, "%s \"%s\" is not a number%s",
                              tok, v, vkb_numbers[k].flag ? "" :
                              " from 0 to 4294967295");
        if (vkb_numbers[k].flag)
            *(bool *)((char *)vkb + vkb_numbers[k].off) = l != 0;
        else
            *(uint32_t *)((char *)vkb + vkb_numbers[k].off) = (uint32_t)l;
        return 0;
    }
    return xlcfg_fail(c, "vkb", i, "unknown option \"%s\" in \"%s\"", tok,
                      spec);
}

/* xl's checks once an item is read. */
static int vkb_check(struct xlcfg *c, int i, const char *spec,
                     libxl_device_vkb *vkb)
{
    bool mt = vkb->multi_touch_width || vkb->multi_touch_height ||
              vkb->multi_touch_num_contacts;

    if (vkb->backend_type == LIBXL_VKB_BACKEND_UNKNOWN)
        return xlcfg_fail(c, "vkb", i, "\"%s\" needs backend-type=qemu or "
                          "backend-type=linux", spec);
    if (mt)
        vkb->feature_multi_touch = true;
    else if (vkb->feature_multi_touch)
        return xlcfg_fail(c, "vkb", i, "\"%s\" asks for multi-touch without "
                          "multi-touch-width, multi-touch-height or "
                          "multi-touch-num-contacts", spec);
    return 0;
}

int xlcfg_build_vkbs(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    libxl_device_vkb *vkbs;
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "vkb", &list, &n);

    if (rc <= 0 || n == 0)
        return rc < 0 ? rc : 0;
    vkbs = realloc(dc->vkbs, sizeof(*vkbs) * (size_t)(dc->num_vkbs + n));
    if (!vkbs)
        return xlcfg_oom(c);
    dc->vkbs = vkbs;
    for (int i = 0; i < n; i++) {
        const char *spec = xlu_cfg_get_listitem(list, i);
        libxl_device_vkb *vkb = &dc->vkbs[dc->num_vkbs];

        libxl_device_vkb_init(vkb);
        vkb->devid = dc->num_vkbs++;
        rc = xlcfg_kv_apply(c, i, spec, vkb_option, vkb);
        if (rc < 0 || (rc = vkb_check(c, i, spec, vkb)) < 0)
            return rc;
    }
    return 0;
}
