/*
 * xlcfg_write_vdev.c - PV devices other than disks, vifs and vfbs:
 * channel, usbctrl, usbdev, vtpm, p9, pvcalls, vkb, vdispl, vsnd, and the
 * Arm vuart.  Each is a list of "key=value,..." specs (vsnd: a list of
 * lists), in the syntax xl 4.17 reads; xl numbers most of them in order
 * (devid = position), so a devid elsewhere cannot be written.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_write_int.h"

/* What every PV device shares: a devid xl gives by position (devid < 0:
 * none), a backend written by name. */
static void common(struct xlw *w, const char *what, int i, int devid,
                   libxl_domid backend_domid)
{
    if (devid >= 0 && devid != i)
        xlw_fail(w, "%s %d: devid %d cannot be written (xl numbers them in "
                 "order)", what, i + 1, devid);
    if (backend_domid)
        xlw_fail(w, "%s %d: backend domain %u is given by id; xl.cfg names "
                 "it (backend=)", what, i + 1, backend_domid);
}

/* ---- channel ---- */

/* xl trims blanks around a channel's keys and values. */
static void trimmed(struct xlw_spec *s, const char *key, const char *v)
{
    size_t n = v ? strlen(v) : 0;

    if (n && (isspace((unsigned char)v[0]) ||
              isspace((unsigned char)v[n - 1])))
        xlw_fail(s->w, "%s %d: %s \"%s\" begins or ends with a blank, which "
                 "xl trims", s->what, s->item, key, v);
    xlw_spec_str(s, key, v);
}

static void channels(struct xlw *w)
{
    struct xlw_list l;
    struct xlw_spec s;

    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_channels; i++) {
        const libxl_device_channel *c = &w->dc->channels[i];

        common(w, "channel", i, c->devid, c->backend_domid);
        xlw_spec_start(w, &s, "channel", i + 1, ",");
        trimmed(&s, "name", c->name);
        if (c->connection == LIBXL_CHANNEL_CONNECTION_PTY) {
            xlw_spec_flag(&s, "connection=pty");
        } else if (c->connection == LIBXL_CHANNEL_CONNECTION_SOCKET) {
            xlw_spec_flag(&s, "connection=socket");
            if (!c->u.socket.path)
                xlw_fail(w, "channel %d: a socket needs a path", i + 1);
            trimmed(&s, "path", c->u.socket.path);
        } else {
            xlw_fail(w, "channel %d: no connection (pty or socket), which "
                     "xl needs", i + 1);
        }
        trimmed(&s, "backend", c->backend_domname);
        xlw_list_add(&l, xlw_spec_text(&s));
        xlw_spec_done(&s);
    }
    xlw_list_end(&l, "channel", false);
}

/* ---- USB ---- */

static void usb(struct xlw *w)
{
    libxl_device_usbctrl dc;
    libxl_device_usbdev dd;
    struct xlw_list l;
    struct xlw_spec s;

    libxl_device_usbctrl_init(&dc);
    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_usbctrls; i++) {
        const libxl_device_usbctrl *c = &w->dc->usbctrls[i];

        common(w, "usbctrl", i, c->devid, c->backend_domid);
        if (c->backend_domname)
            xlw_fail(w, "usbctrl %d: a backend cannot be written", i + 1);
        xlw_spec_start(w, &s, "usbctrl", i + 1, ",");
        if (c->type != dc.type)
            xlw_spec_str(&s, "type", libxl_usbctrl_type_to_string(c->type));
        if (c->version != dc.version)
            xlw_spec_num(&s, "version", c->version);
        if (c->ports != dc.ports)
            xlw_spec_num(&s, "ports", c->ports);
        xlw_list_add(&l, xlw_spec_text(&s));
        xlw_spec_done(&s);
    }
    xlw_list_end(&l, "usbctrl", false);
    libxl_device_usbctrl_dispose(&dc);

    libxl_device_usbdev_init(&dd);
    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_usbdevs; i++) {
        const libxl_device_usbdev *d = &w->dc->usbdevs[i];

        xlw_spec_start(w, &s, "usbdev", i + 1, ",");
        if (d->type != dd.type)
            xlw_spec_str(&s, "type", libxl_usbdev_type_to_string(d->type));
        if (d->type == LIBXL_USBDEV_TYPE_HOSTDEV) {
            if (d->u.hostdev.hostbus)
                xlw_spec_num(&s, "hostbus", d->u.hostdev.hostbus);
            if (d->u.hostdev.hostaddr)
                xlw_spec_num(&s, "hostaddr", d->u.hostdev.hostaddr);
        }
        if (d->ctrl != dd.ctrl)
            xlw_spec_num(&s, "controller", d->ctrl);
        if (d->port != dd.port)
            xlw_spec_num(&s, "port", d->port);
        xlw_list_add(&l, xlw_spec_text(&s));
        xlw_spec_done(&s);
    }
    xlw_list_end(&l, "usbdev", false);
    libxl_device_usbdev_dispose(&dd);
}

/* ---- vtpm, p9, pvcalls ---- */

static void simple(struct xlw *w)
{
    char uuid[LIBXL_UUID_FMTLEN + 1];
    struct xlw_list l;
    struct xlw_spec s;

    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_vtpms; i++) {
        const libxl_device_vtpm *v = &w->dc->vtpms[i];

        common(w, "vtpm", i, v->devid, v->backend_domid);
        if (!v->backend_domname)
            xlw_fail(w, "vtpm %d: no backend, which xl needs", i + 1);
        xlw_spec_start(w, &s, "vtpm", i + 1, ",");
        xlw_spec_str(&s, "backend", v->backend_domname);
        if (!libxl_uuid_is_nil(&v->uuid)) {
            snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT,
                     LIBXL_UUID_BYTES(v->uuid));
            xlw_spec_raw(&s, "uuid", uuid);
        }
        xlw_list_add(&l, xlw_spec_text(&s));
        xlw_spec_done(&s);
    }
    xlw_list_end(&l, "vtpm", false);

    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_p9s; i++) {
        const libxl_device_p9 *p = &w->dc->p9s[i];

        common(w, "p9", i, p->devid, p->backend_domid);
        if (!p->tag || !p->path || !p->security_model)
            xlw_fail(w, "p9 %d: xl needs a tag, a path and a security_model",
                     i + 1);
        xlw_spec_start(w, &s, "p9", i + 1, ",");
        xlw_spec_str(&s, "tag", p->tag);
        xlw_spec_str(&s, "path", p->path);
        xlw_spec_str(&s, "security_model", p->security_model);
        xlw_spec_str(&s, "backend", p->backend_domname);
        xlw_list_add(&l, xlw_spec_text(&s));
        xlw_spec_done(&s);
    }
    xlw_list_end(&l, "p9", false);

    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_pvcallsifs; i++) {
        const libxl_device_pvcallsif *p = &w->dc->pvcallsifs[i];

        common(w, "pvcalls", i, p->devid, p->backend_domid);
        xlw_spec_start(w, &s, "pvcalls", i + 1, ",");
        xlw_spec_str(&s, "backend", p->backend_domname);
        xlw_list_add(&l, xlw_spec_text(&s));
        xlw_spec_done(&s);
    }
    xlw_list_end(&l, "pvcalls", false);
}

/* ---- vkb: the keyboards after those of the vfbs ---- */

static void num_opt(struct xlw_spec *s, const char *key, unsigned long v)
{
    if (v)
        xlw_spec_num(s, key, (long long)v);
}

static void vkbs(struct xlw *w)
{
    struct xlw_list l;
    struct xlw_spec s;

    xlw_list_start(w, &l);
    for (int i = w->dc->num_vfbs; i < w->dc->num_vkbs; i++) {
        const libxl_device_vkb *k = &w->dc->vkbs[i];
        bool mt = k->multi_touch_width || k->multi_touch_height ||
                  k->multi_touch_num_contacts;

        common(w, "vkb", i, k->devid, k->backend_domid);
        if (k->backend_type == LIBXL_VKB_BACKEND_UNKNOWN)
            xlw_fail(w, "vkb %d: no backend-type, which xl needs", i + 1);
        if (mt != k->feature_multi_touch)
            xlw_fail(w, "vkb %d: multi-touch %s its sizes cannot be written "
                     "(xl turns it on exactly when they are given)", i + 1,
                     mt ? "off with" : "on without");
        xlw_spec_start(w, &s, "vkb", i + 1, ",");
        xlw_spec_str(&s, "backend-type",
                     libxl_vkb_backend_to_string(k->backend_type));
        xlw_spec_str(&s, "backend", k->backend_domname);
        xlw_spec_str(&s, "unique-id", k->unique_id);
        num_opt(&s, "feature-disable-keyboard", k->feature_disable_keyboard);
        num_opt(&s, "feature-disable-pointer", k->feature_disable_pointer);
        num_opt(&s, "feature-abs-pointer", k->feature_abs_pointer);
        num_opt(&s, "feature-raw-pointer", k->feature_raw_pointer);
        num_opt(&s, "width", k->width);
        num_opt(&s, "height", k->height);
        num_opt(&s, "multi-touch-width", k->multi_touch_width);
        num_opt(&s, "multi-touch-height", k->multi_touch_height);
        num_opt(&s, "multi-touch-num-contacts", k->multi_touch_num_contacts);
        xlw_list_add(&l, xlw_spec_text(&s));
        xlw_spec_done(&s);
    }
    xlw_list_end(&l, "vkb", false);
}

/* ---- vdispl ---- */

static void vdispls(struct xlw *w)
{
    struct xlw_list l;
    struct xlw_spec s;

    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_vdispls; i++) {
        const libxl_device_vdispl *v = &w->dc->vdispls[i];
        char *conn = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&conn, &len);

        common(w, "vdispl", i, v->devid, v->backend_domid);
        if (v->num_connectors == 0)
            xlw_fail(w, "vdispl %d: no connector, which xl needs", i + 1);
        for (int c = 0; f && c < v->num_connectors; c++) {
            const libxl_connector_param *p = &v->connectors[c];
            const char *id = p->unique_id ? p->unique_id : "";
            if (strpbrk(id, ":;,\n"))
                xlw_fail(w, "vdispl %d: connector \"%s\" holds a ':', ';' "
                         "or ',', which xl.cfg cannot carry", i + 1, id);
            fprintf(f, "%s%s:%ux%u", c ? ";" : "", id, p->width, p->height);
        }
        if (!f || fclose(f) != 0) {
            free(conn);
            xlw_fail(w, "vdispl %d: out of memory", i + 1);
            continue;
        }
        xlw_spec_start(w, &s, "vdispl", i + 1, ",");
        xlw_spec_str(&s, "backend", v->backend_domname);
        if (v->be_alloc)
            xlw_spec_flag(&s, "be-alloc=1");
        xlw_spec_raw(&s, "connectors", conn);
        xlw_list_add(&l, xlw_spec_text(&s));
        xlw_spec_done(&s);
        free(conn);
    }
    xlw_list_end(&l, "vdispl", false);
}

/* ---- vsnd: a list per card of "card, ...", "pcm, ...", "stream, ..." */

static void snd_params(struct xlw_spec *s, const libxl_vsnd_params *p)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    if (p->num_sample_rates > 0 && (f = open_memstream(&text, &len))) {
        for (int i = 0; i < p->num_sample_rates; i++)
            fprintf(f, "%s%u", i ? ";" : "", p->sample_rates[i]);
        if (fclose(f) == 0)
            xlw_spec_raw(s, "sample-rates", text);
        free(text);
        text = NULL;
    }
    if (p->num_sample_formats > 0 && (f = open_memstream(&text, &len))) {
        for (int i = 0; i < p->num_sample_formats; i++) {
            const char *name =
                libxl_vsnd_pcm_format_to_string(p->sample_formats[i]);
            if (!name)
                xlw_fail(s->w, "vsnd %d: sample format %d has no name",
                         s->item, (int)p->sample_formats[i]);
            fprintf(f, "%s%s", i ? ";" : "", name ? name : "?");
        }
        if (fclose(f) == 0)
            xlw_spec_raw(s, "sample-formats", text);
        free(text);
    }
    num_opt(s, "channels-min", p->channels_min);
    num_opt(s, "channels-max", p->channels_max);
    num_opt(s, "buffer-size", p->buffer_size);
}

/* One item of a card's list: its kind, then options (none: left out
 * unless `always`). */
static void snd_item(struct xlw_list *card, struct xlw_spec *s, bool always)
{
    if (always || strchr(xlw_spec_text(s), ','))
        xlw_list_add(card, xlw_spec_text(s));
    xlw_spec_done(s);
}

static void vsnds(struct xlw *w)
{
    struct xlw_list l, card;
    struct xlw_spec s;

    xlw_list_start(w, &l);
    for (int i = 0; i < w->dc->num_vsnds; i++) {
        const libxl_device_vsnd *v = &w->dc->vsnds[i];
        char *text;

        common(w, "vsnd", i, v->devid, v->backend_domid);
        xlw_list_start(w, &card);
        xlw_spec_start(w, &s, "vsnd", i + 1, ",");
        xlw_spec_flag(&s, "card");
        xlw_spec_str(&s, "backend", v->backend_domname);
        xlw_spec_str(&s, "short-name", v->short_name);
        xlw_spec_str(&s, "long-name", v->long_name);
        snd_params(&s, &v->params);
        snd_item(&card, &s, false);
        for (int p = 0; p < v->num_vsnd_pcms; p++) {
            const libxl_vsnd_pcm *pcm = &v->pcms[p];
            xlw_spec_start(w, &s, "vsnd", i + 1, ",");
            xlw_spec_flag(&s, "pcm");
            xlw_spec_str(&s, "name", pcm->name);
            snd_params(&s, &pcm->params);
            snd_item(&card, &s, true);
            for (int k = 0; k < pcm->num_vsnd_streams; k++) {
                const libxl_vsnd_stream *st = &pcm->streams[k];
                xlw_spec_start(w, &s, "vsnd", i + 1, ",");
                xlw_spec_flag(&s, "stream");
                xlw_spec_str(&s, "unique-id", st->unique_id);
                /* no name: unset (0) */
                xlw_spec_str(&s, "type",
                             libxl_vsnd_stream_type_to_string(st->type));
                snd_params(&s, &st->params);
                snd_item(&card, &s, true);
            }
        }
        text = xlw_list_text(&card);
        if (text)
            xlw_list_add_raw(&l, text);
        free(text);
    }
    xlw_list_end(&l, "vsnd", false);
}

void xlw_vdevs(struct xlw *w)
{
    const libxl_domain_build_info *bi = &w->dc->b_info;

    vkbs(w);
    channels(w);
    usb(w);
    simple(w);
    vdispls(w);
    vsnds(w);
    if (bi->arch_arm.vuart != w->dflt.b_info.arch_arm.vuart)
        xlw_str(w, "vuart", libxl_vuart_type_to_string(bi->arch_arm.vuart));
}
