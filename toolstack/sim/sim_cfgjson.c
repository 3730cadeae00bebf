/*
 * sim_cfgjson.c - a libxl_domain_config back from libxl's JSON, without a
 * libxl ctx (libxl_domain_config_from_json needs one), read with json-c.
 *
 * Rebuilt: c_info type, name, uuid, pool_name; b_info type, max_vcpus,
 * avail_vcpus, cpumap, per-vCPU hard and soft affinity, max/target/video/
 * shadow memory, sched_params, kernel, cmdline, ramdisk, bootloader and its
 * arguments; disks (paths, vdev, backend, format, script, flags); nics
 * (devid, mtu, model, mac, ip, bridge, ifname, script, type, rate,
 * gateway); the on_* actions.  Everything else keeps libxl's defaults.
 * A field of the wrong JSON type is an error; an unknown field is ignored.
 */
#include "sim/sim_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#define BITMAP_BITS_MAX 4096

struct jctx {
    struct xn_msg *msg;
};

static int bad(struct jctx *j, const char *path, const char *why)
{
    return xn_msg_set(j->msg, XN_ECORRUPT, "the saved configuration is not "
                      "valid: %s %s", path, why);
}

static struct json_object *field(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (!o || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

static int get_str(struct jctx *j, struct json_object *o, const char *key,
                   const char *path, char **dst)
{
    struct json_object *v = field(o, key);

    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return bad(j, path, "is not a string");
    free(*dst);
    *dst = strdup(json_object_get_string(v));
    return *dst ? 0 : xn_msg_set(j->msg, XN_ENOMEM, "out of memory");
}

static int get_i64(struct jctx *j, struct json_object *o, const char *key,
                   const char *path, int64_t lo, int64_t hi, int64_t *dst)
{
    struct json_object *v = field(o, key);
    int64_t x;

    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return bad(j, path, "is not an integer");
    x = json_object_get_int64(v);
    if (x < lo || x > hi)
        return bad(j, path, "is out of range");
    *dst = x;
    return 0;
}

/* Integers into fields of any integer type. */
#define GET_INT(j, o, key, path, lo, hi, lval)                             \
    ({                                                                     \
        int64_t v_ = (int64_t)(lval);                                      \
        int r_ = get_i64((j), (o), (key), (path), (lo), (hi), &v_);        \
        if (r_ == 0)                                                       \
            (lval) = (typeof(lval))v_;                                     \
        r_;                                                                \
    })

/* An enum by its libxl name, via libxl's generated _from_string. */
static int get_enum(struct jctx *j, struct json_object *o, const char *key,
                    const char *path, int (*from)(const char *, void *),
                    void *dst)
{
    struct json_object *v = field(o, key);

    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_string) ||
        from(json_object_get_string(v), dst) != 0)
        return bad(j, path, "is not a known value");
    return 0;
}

#define GET_ENUM(j, o, key, path, fn, dst)                                 \
    get_enum((j), (o), (key), (path),                                      \
             (int (*)(const char *, void *))(fn), (dst))

/* A bitmap is the array of its set bits. */
static int to_bitmap(struct jctx *j, struct json_object *v, const char *path,
                     libxl_bitmap *b)
{
    size_t n;
    int64_t top = -1;

    if (!json_object_is_type(v, json_type_array))
        return bad(j, path, "is not a list of numbers");
    n = json_object_array_length(v);
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(v, i);
        int64_t x = json_object_get_int64(e);
        if (!json_object_is_type(e, json_type_int) || x < 0 ||
            x >= BITMAP_BITS_MAX)
            return bad(j, path, "holds something other than a bit number");
        if (x > top)
            top = x;
    }
    libxl_bitmap_dispose(b);
    libxl_bitmap_init(b);
    b->size = (uint32_t)(top + 8) / 8;
    if (b->size == 0)
        b->size = 1;
    b->map = calloc(b->size, 1);
    if (!b->map) {
        b->size = 0;
        return xn_msg_set(j->msg, XN_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        int64_t x = json_object_get_int64(json_object_array_get_idx(v, i));
        b->map[x / 8] |= (uint8_t)(1u << (x % 8));
    }
    return 0;
}

static int get_bitmap(struct jctx *j, struct json_object *o, const char *key,
                      const char *path, libxl_bitmap *b)
{
    struct json_object *v = field(o, key);
    return v ? to_bitmap(j, v, path, b) : 0;
}

static int get_affinity(struct jctx *j, struct json_object *o,
                        const char *key, const char *path,
                        libxl_bitmap **list, int *n)
{
    struct json_object *v = field(o, key);
    size_t len;

    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_array))
        return bad(j, path, "is not a list of CPU lists");
    len = json_object_array_length(v);
    if (len == 0 || len > 4096)
        return 0;
    *list = calloc(len, sizeof(**list));
    if (!*list)
        return xn_msg_set(j->msg, XN_ENOMEM, "out of memory");
    *n = (int)len;
    for (size_t i = 0; i < len; i++) {
        int rc = to_bitmap(j, json_object_array_get_idx(v, i), path,
                           &(*list)[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int get_strv(struct jctx *j, struct json_object *o, const char *key,
                    const char *path, char ***dst)
{
    struct json_object *v = field(o, key);
    size_t n;

    if (!v)
        return 0;
    if (!json_object_is_type(v, json_type_array))
        return bad(j, path, "is not a list of strings");
    n = json_object_array_length(v);
    *dst = calloc(n + 1, sizeof(char *));
    if (!*dst)
        return xn_msg_set(j->msg, XN_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(v, i);
        if (!json_object_is_type(e, json_type_string))
            return bad(j, path, "holds something other than a string");
        if (!((*dst)[i] = strdup(json_object_get_string(e))))
            return xn_msg_set(j->msg, XN_ENOMEM, "out of memory");
    }
    return 0;
}

static int c_info(struct jctx *j, struct json_object *o,
                  libxl_domain_create_info *c)
{
    struct json_object *u = field(o, "uuid");
    int rc = GET_ENUM(j, o, "type", "c_info.type",
                      libxl_domain_type_from_string, &c->type);

    if (rc == 0)
        rc = get_str(j, o, "name", "c_info.name", &c->name);
    if (rc == 0)
        rc = get_str(j, o, "pool_name", "c_info.pool_name", &c->pool_name);
    if (rc == 0 && u && (!json_object_is_type(u, json_type_string) ||
                         libxl_uuid_from_string(&c->uuid,
                                                json_object_get_string(u))))
        rc = bad(j, "c_info.uuid", "is not a UUID");
    return rc;
}

static int b_info(struct jctx *j, struct json_object *o,
                  libxl_domain_build_info *b, libxl_domain_type type)
{
    struct json_object *sp = field(o, "sched_params");
    int rc;

    libxl_domain_build_info_init_type(b, type);
    rc = GET_INT(j, o, "max_vcpus", "b_info.max_vcpus", 0, 4096,
                 b->max_vcpus);
    if (rc == 0)
        rc = get_bitmap(j, o, "avail_vcpus", "b_info.avail_vcpus",
                        &b->avail_vcpus);
    if (rc == 0)
        rc = get_bitmap(j, o, "cpumap", "b_info.cpumap", &b->cpumap);
    if (rc == 0)
        rc = get_affinity(j, o, "vcpu_hard_affinity",
                          "b_info.vcpu_hard_affinity",
                          &b->vcpu_hard_affinity, &b->num_vcpu_hard_affinity);
    if (rc == 0)
        rc = get_affinity(j, o, "vcpu_soft_affinity",
                          "b_info.vcpu_soft_affinity",
                          &b->vcpu_soft_affinity, &b->num_vcpu_soft_affinity);
    if (rc == 0)
        rc = get_i64(j, o, "max_memkb", "b_info.max_memkb", 0, INT64_MAX,
                     (int64_t *)&b->max_memkb);
    if (rc == 0)
        rc = get_i64(j, o, "target_memkb", "b_info.target_memkb", 0,
                     INT64_MAX, (int64_t *)&b->target_memkb);
    if (rc == 0)
        rc = get_i64(j, o, "video_memkb", "b_info.video_memkb", 0,
                     INT64_MAX, (int64_t *)&b->video_memkb);
    if (rc == 0)
        rc = get_i64(j, o, "shadow_memkb", "b_info.shadow_memkb", 0,
                     INT64_MAX, (int64_t *)&b->shadow_memkb);
    if (rc == 0)
        rc = GET_ENUM(j, sp, "sched", "b_info.sched_params.sched",
                      libxl_scheduler_from_string, &b->sched_params.sched);
    if (rc == 0)
        rc = GET_INT(j, sp, "weight", "b_info.sched_params.weight", -1,
                     65535, b->sched_params.weight);
    if (rc == 0)
        rc = GET_INT(j, sp, "cap", "b_info.sched_params.cap", -1, 65535,
                     b->sched_params.cap);
    if (rc == 0)
        rc = get_str(j, o, "kernel", "b_info.kernel", &b->kernel);
    if (rc == 0)
        rc = get_str(j, o, "cmdline", "b_info.cmdline", &b->cmdline);
    if (rc == 0)
        rc = get_str(j, o, "ramdisk", "b_info.ramdisk", &b->ramdisk);
    if (rc == 0)
        rc = get_str(j, o, "bootloader", "b_info.bootloader",
                     &b->bootloader);
    if (rc == 0)
        rc = get_strv(j, o, "bootloader_args", "b_info.bootloader_args",
                      &b->bootloader_args);
    return rc;
}

static int disk(struct jctx *j, struct json_object *o, libxl_device_disk *d)
{
    int rc = get_str(j, o, "pdev_path", "disks[].pdev_path", &d->pdev_path);

    if (rc == 0)
        rc = get_str(j, o, "vdev", "disks[].vdev", &d->vdev);
    if (rc == 0)
        rc = get_str(j, o, "script", "disks[].script", &d->script);
    if (rc == 0)
        rc = get_str(j, o, "backend_domname", "disks[].backend_domname",
                     &d->backend_domname);
    if (rc == 0)
        rc = GET_INT(j, o, "backend_domid", "disks[].backend_domid", 0,
                     0x7FEF, d->backend_domid);
    if (rc == 0)
        rc = GET_ENUM(j, o, "backend", "disks[].backend",
                      libxl_disk_backend_from_string, &d->backend);
    if (rc == 0)
        rc = GET_ENUM(j, o, "format", "disks[].format",
                      libxl_disk_format_from_string, &d->format);
    if (rc == 0)
        rc = GET_INT(j, o, "removable", "disks[].removable", 0, 1,
                     d->removable);
    if (rc == 0)
        rc = GET_INT(j, o, "readwrite", "disks[].readwrite", 0, 1,
                     d->readwrite);
    if (rc == 0)
        rc = GET_INT(j, o, "is_cdrom", "disks[].is_cdrom", 0, 1,
                     d->is_cdrom);
    return rc;
}

static int parse_mac(const char *s, libxl_mac mac)
{
    unsigned b[6];
    char end;

    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
               &b[4], &b[5], &end) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)b[i];
    return 0;
}

static int nic(struct jctx *j, struct json_object *o, libxl_device_nic *n)
{
    struct json_object *mac = field(o, "mac");
    int rc = GET_INT(j, o, "devid", "nics[].devid", -1, 65535, n->devid);

    if (rc == 0)
        rc = GET_INT(j, o, "mtu", "nics[].mtu", 0, 65535, n->mtu);
    if (rc == 0)
        rc = GET_INT(j, o, "backend_domid", "nics[].backend_domid", 0,
                     0x7FEF, n->backend_domid);
    if (rc == 0)
        rc = get_str(j, o, "backend_domname", "nics[].backend_domname",
                     &n->backend_domname);
    if (rc == 0)
        rc = get_str(j, o, "model", "nics[].model", &n->model);
    if (rc == 0)
        rc = get_str(j, o, "ip", "nics[].ip", &n->ip);
    if (rc == 0)
        rc = get_str(j, o, "bridge", "nics[].bridge", &n->bridge);
    if (rc == 0)
        rc = get_str(j, o, "ifname", "nics[].ifname", &n->ifname);
    if (rc == 0)
        rc = get_str(j, o, "script", "nics[].script", &n->script);
    if (rc == 0)
        rc = get_str(j, o, "gatewaydev", "nics[].gatewaydev",
                     &n->gatewaydev);
    if (rc == 0)
        rc = GET_ENUM(j, o, "nictype", "nics[].nictype",
                      libxl_nic_type_from_string, &n->nictype);
    if (rc == 0)
        rc = get_i64(j, o, "rate_bytes_per_interval",
                     "nics[].rate_bytes_per_interval", 0, INT64_MAX,
                     (int64_t *)&n->rate_bytes_per_interval);
    if (rc == 0)
        rc = GET_INT(j, o, "rate_interval_usecs",
                     "nics[].rate_interval_usecs", 0, UINT32_MAX,
                     n->rate_interval_usecs);
    if (rc == 0 && mac && (!json_object_is_type(mac, json_type_string) ||
                           parse_mac(json_object_get_string(mac), n->mac)))
        rc = bad(j, "nics[].mac", "is not a MAC address");
    return rc;
}

static int devices(struct jctx *j, struct json_object *root,
                   libxl_domain_config *cfg)
{
    struct json_object *dl = field(root, "disks"), *nl = field(root, "nics");
    int rc = 0;

    if ((dl && !json_object_is_type(dl, json_type_array)) ||
        (nl && !json_object_is_type(nl, json_type_array)))
        return bad(j, "disks or nics", "is not a list");
    if (dl && json_object_array_length(dl) > 0) {
        size_t n = json_object_array_length(dl);
        cfg->disks = calloc(n, sizeof(*cfg->disks));
        if (!cfg->disks)
            return xn_msg_set(j->msg, XN_ENOMEM, "out of memory");
        cfg->num_disks = (int)n;
        for (size_t i = 0; i < n; i++)
            libxl_device_disk_init(&cfg->disks[i]);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = disk(j, json_object_array_get_idx(dl, i), &cfg->disks[i]);
    }
    if (rc == 0 && nl && json_object_array_length(nl) > 0) {
        size_t n = json_object_array_length(nl);
        cfg->nics = calloc(n, sizeof(*cfg->nics));
        if (!cfg->nics)
            return xn_msg_set(j->msg, XN_ENOMEM, "out of memory");
        cfg->num_nics = (int)n;
        for (size_t i = 0; i < n; i++)
            libxl_device_nic_init(&cfg->nics[i]);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = nic(j, json_object_array_get_idx(nl, i), &cfg->nics[i]);
    }
    return rc;
}

int simcfg_from_json(const char *json, libxl_domain_config *cfg,
                     struct xn_msg *msg)
{
    static const struct {
        const char *key;
        size_t off;
    } actions[] = {
        { "on_poweroff", offsetof(libxl_domain_config, on_poweroff) },
        { "on_reboot", offsetof(libxl_domain_config, on_reboot) },
        { "on_watchdog", offsetof(libxl_domain_config, on_watchdog) },
        { "on_crash", offsetof(libxl_domain_config, on_crash) },
        { "on_soft_reset", offsetof(libxl_domain_config, on_soft_reset) },
    };
    struct jctx j = { msg };
    struct json_object *root = json_tokener_parse(json), *ci, *bi;
    libxl_domain_type type = LIBXL_DOMAIN_TYPE_INVALID;
    int rc;

    if (!root || !json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return xn_msg_set(msg, XN_ECORRUPT, "the saved configuration is "
                          "not a JSON object");
    }
    ci = field(root, "c_info");
    bi = field(root, "b_info");
    rc = ci && bi ? c_info(&j, ci, &cfg->c_info)
                  : bad(&j, "c_info or b_info", "is missing");
    /* libxl writes b_info's type as the key of its union, "type.pvh" */
    if (field(bi, "type.pv"))
        type = LIBXL_DOMAIN_TYPE_PV;
    else if (field(bi, "type.pvh"))
        type = LIBXL_DOMAIN_TYPE_PVH;
    else if (field(bi, "type.hvm"))
        type = LIBXL_DOMAIN_TYPE_HVM;
    else
        type = cfg->c_info.type;
    if (rc == 0)
        rc = b_info(&j, bi, &cfg->b_info, type);
    if (rc == 0)
        rc = devices(&j, root, cfg);
    for (size_t i = 0; rc == 0 && i < sizeof(actions) / sizeof(actions[0]);
         i++)
        rc = GET_ENUM(&j, root, actions[i].key, actions[i].key,
                      libxl_action_on_shutdown_from_string,
                      (char *)cfg + actions[i].off);
    json_object_put(root);
    return rc;
}
