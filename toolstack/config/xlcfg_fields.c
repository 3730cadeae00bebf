/*
 * xlcfg_fields.c - settings that map one to one onto a field of the
 * domain config, described by tables (struct xlcfg_field) elsewhere.
 */
#include <stdint.h>

#include "config/xlcfg_int.h"

static int apply_number(struct xlcfg *c, const struct xlcfg_field *f,
                        void *p)
{
    const char *what = f->kind == XK_MEMKB ? "a number of MiB" : "a number";
    long l;
    int rc = xlcfg_get_long(c, f->key, f->min, f->max, what, &l);

    if (rc <= 0)
        return rc;
    switch (f->kind) {
    case XK_INT:
        *(int *)p = (int)l;
        break;
    case XK_U32:
        *(uint32_t *)p = (uint32_t)l;
        break;
    case XK_MEMKB:
        *(uint64_t *)p = (uint64_t)l * 1024;
        break;
    default:
        break;
    }
    return 1;
}

int xlcfg_apply_fields(struct xlcfg *c, const struct xlcfg_field *f,
                       size_t n)
{
    unsigned type = 1u << c->dc->c_info.type;

    for (size_t i = 0; i < n; i++) {
        void *p = (char *)c->dc + f[i].off;
        int rc;

        if (!(f[i].types & type))
            continue;
        switch (f[i].kind) {
        case XK_STR:
            rc = xlcfg_get_strdup(c, f[i].key, p);
            break;
        case XK_BOOL:
            rc = xlcfg_get_bool(c, f[i].key, p);
            break;
        case XK_STRLIST:
            rc = xlcfg_get_strlist(c, f[i].key, false, p);
            break;
        default:
            rc = apply_number(c, &f[i], p);
            break;
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}
