/*
 * xlcfg_display.c - graphical consoles: vfb = [...] (a framebuffer and
 * keyboard pair per item) and the top-level vnc/sdl settings, which
 * configure the emulated display of an HVM domain, or for a PV domain
 * without vfb = [...] stand for one framebuffer.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

static const char *const top_keys[] = {
    "vnc", "vnclisten", "vncpasswd", "vncdisplay", "vncunused",
    "sdl", "opengl", "display", "xauthority",
};

/* Append a framebuffer and its keyboard, both numbered like xl does. */
static libxl_device_vfb *add_vfb(libxl_domain_config *dc)
{
    libxl_device_vfb *vfbs;
    libxl_device_vkb *vkbs;

    vfbs = realloc(dc->vfbs, sizeof(*vfbs) * (size_t)(dc->num_vfbs + 1));
    if (!vfbs)
        return NULL;
    dc->vfbs = vfbs;
    vkbs = realloc(dc->vkbs, sizeof(*vkbs) * (size_t)(dc->num_vkbs + 1));
    if (!vkbs)
        return NULL;
    dc->vkbs = vkbs;
    libxl_device_vfb_init(&vfbs[dc->num_vfbs]);
    vfbs[dc->num_vfbs].devid = dc->num_vfbs;
    libxl_device_vkb_init(&vkbs[dc->num_vkbs]);
    vkbs[dc->num_vkbs].devid = dc->num_vkbs;
    dc->num_vkbs++;
    return &vfbs[dc->num_vfbs++];
}

static int top_level(struct xlcfg *c, libxl_vnc_info *vnc,
                     libxl_sdl_info *sdl)
{
    long l;
    int rc;

    if ((rc = xlcfg_get_bool(c, "vnc", &vnc->enable)) < 0 ||
        (rc = xlcfg_get_strdup(c, "vnclisten", &vnc->listen)) < 0 ||
        (rc = xlcfg_get_strdup(c, "vncpasswd", &vnc->passwd)) < 0 ||
        (rc = xlcfg_get_long(c, "vncdisplay", 0, INT_MAX, "a display number",
                             &l)) < 0)
        return rc;
    if (rc == 1)
        vnc->display = (int)l;
    if ((rc = xlcfg_get_bool(c, "vncunused", &vnc->findunused)) < 0 ||
        (rc = xlcfg_get_bool(c, "sdl", &sdl->enable)) < 0 ||
        (rc = xlcfg_get_bool(c, "opengl", &sdl->opengl)) < 0 ||
        (rc = xlcfg_get_strdup(c, "display", &sdl->display)) < 0 ||
        (rc = xlcfg_get_strdup(c, "xauthority", &sdl->xauthority)) < 0)
        return rc;
    return 0;
}

static int vfb_number(const char *v, int *out)
{
    char *end;
    long l;

    if (*v < '0' || *v > '9')
        return XN_EINVAL;
    errno = 0;
    l = strtol(v, &end, 10);
    if (*end || errno || l > INT_MAX)
        return XN_EINVAL;
    *out = (int)l;
    return 0;
}

/* One "key=value" option of vfb item `i`. */
static int vfb_option(struct xlcfg *c, int i, libxl_device_vfb *vfb,
                      char *tok)
{
    static const struct {
        const char *key;
        size_t off;
    } strings[] = {
        {"vnclisten", offsetof(libxl_device_vfb, vnc.listen)},
        {"vncpasswd", offsetof(libxl_device_vfb, vnc.passwd)},
        {"keymap", offsetof(libxl_device_vfb, keymap)},
        {"display", offsetof(libxl_device_vfb, sdl.display)},
        {"xauthority", offsetof(libxl_device_vfb, sdl.xauthority)},
    }, numbers[] = {
        {"vnc", offsetof(libxl_device_vfb, vnc.enable)},
        {"vncunused", offsetof(libxl_device_vfb, vnc.findunused)},
        {"sdl", offsetof(libxl_device_vfb, sdl.enable)},
        {"opengl", offsetof(libxl_device_vfb, sdl.opengl)},
        {"vncdisplay", offsetof(libxl_device_vfb, vnc.display)},
    };
    char *v = strchr(tok, '=');
    int n;

    if (!v)
        return xlcfg_fail(c, "vfb", i, "\"%s\" is not a vfb option", tok);
    *v++ = '\0';
    for (size_t k = 0; k < sizeof(strings) / sizeof(strings[0]); k++) {
        if (strcmp(tok, strings[k].key) == 0) {
            char **dst = (char **)((char *)vfb + strings[k].off);
            free(*dst);
            *dst = strdup(v);
            return *dst ? 0 : xlcfg_oom(c);
        }
    }
    for (size_t k = 0; k < sizeof(numbers) / sizeof(numbers[0]); k++) {
        if (strcmp(tok, numbers[k].key) != 0)
            continue;
        void *dst = (char *)vfb + numbers[k].off;
        if (vfb_number(v, &n) < 0)
            return xlcfg_fail(c, "vfb", i, "%s \"%s\" is not a number", tok,
                              v);
        if (numbers[k].off == offsetof(libxl_device_vfb, vnc.display))
            *(int *)dst = n;
        else
            libxl_defbool_set(dst, n != 0);
        return 0;
    }
    /* xm's "type=vnc", common in old files: xl ignores the option, and VNC
     * is what a vfb has anyway.  Any other type would silently become VNC
     * (and an unknown option, often a typo, be dropped): those are errors. */
    if (strcmp(tok, "type") == 0 && strcmp(v, "vnc") == 0) {
        xlcfg_warn(c, "vfb", i, "\"type=vnc\" is ignored, as xl ignores "
                   "it: a vfb is VNC unless it says vnc=0");
        return 0;
    }
    if (strcmp(tok, "type") == 0)
        return xlcfg_fail(c, "vfb", i, "\"type=%s\" would be ignored by xl, "
                          "leaving VNC on; write sdl=1 (and vnc=0) instead",
                          v);
    return xlcfg_fail(c, "vfb", i, "\"%s\" is not a vfb option", tok);
}

static int parse_vfbs(struct xlcfg *c)
{
    XLU_ConfigList *list;
    int n, rc = xlcfg_get_list(c, "vfb", &list, &n);

    for (int i = 0; rc > 0 && i < n; i++) {
        libxl_device_vfb *vfb = add_vfb(c->dc);
        char *copy = strdup(xlu_cfg_get_listitem(list, i)), *tok;
        char *save = NULL;

        if (!vfb || !copy) {
            free(copy);
            return xlcfg_oom(c);
        }
        for (tok = strtok_r(copy, ",", &save); tok && rc > 0;
             tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ')
                tok++;
            if (vfb_option(c, i, vfb, tok) < 0)
                rc = XN_EINVAL;
        }
        free(copy);
    }
    return rc < 0 ? rc : 0;
}

/* The first top-level display setting present, or NULL. */
static const char *top_level_key(struct xlcfg *c)
{
    for (size_t k = 0; k < sizeof(top_keys) / sizeof(top_keys[0]); k++)
        if (xlcfg_is_set(c, top_keys[k]))
            return top_keys[k];
    return NULL;
}

int xlcfg_build_display(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    libxl_domain_build_info *bi = &dc->b_info;
    libxl_device_vfb *vfb;
    const char *key;
    long vnc = 0;
    int rc = parse_vfbs(c);

    if (rc < 0)
        return rc;
    if (bi->type == LIBXL_DOMAIN_TYPE_HVM) {
        libxl_vnc_info *v = &bi->u.hvm.vnc;
        if ((rc = top_level(c, v, &bi->u.hvm.sdl)) < 0)
            return rc;
        if (v->listen && v->display && strchr(v->listen, ':'))
            return xlcfg_fail(c, "vncdisplay", -1, "\"%d\" conflicts with "
                              "the display in vnclisten \"%s\"", v->display,
                              v->listen);
        return 0;
    }
    if (bi->type == LIBXL_DOMAIN_TYPE_PV && dc->num_vfbs == 0) {
        /* Without vnc = 1 xl ignores the other display settings. */
        rc = xlcfg_get_long(c, "vnc", LONG_MIN, LONG_MAX,
                            "a number (1 = yes, 0 = no)", &vnc);
        if (rc <= 0 || vnc == 0)
            return rc < 0 ? rc : 0;
        if (!(vfb = add_vfb(dc)))
            return xlcfg_oom(c);
        if ((rc = top_level(c, &vfb->vnc, &vfb->sdl)) < 0 ||
            (rc = xlcfg_get_strdup(c, "keymap", &vfb->keymap)) < 0)
            return rc;
        return 0;
    }
    /* Here xl would write the settings into the HVM part of a union. */
    key = top_level_key(c);
    if (!key)
        return 0;
    char v[200];
    xlcfg_value_text(c, key, v, sizeof(v));
    if (bi->type == LIBXL_DOMAIN_TYPE_PV)
        return xlcfg_fail(c, key, -1, "%s cannot be combined with vfb = "
                          "[...] in a PV domain; put it in the vfb entry", v);
    return xlcfg_fail(c, key, -1, "%s cannot be used in a PVH domain, which "
                      "has no emulated display; use vfb = [...]", v);
}
