/*
 * xlcfg_vsnd.c - vsnd = [ [ "card, OPTIONS", "pcm, OPTIONS",
 * "stream, OPTIONS", ... ], ... ], virtual sound cards, for every domain
 * type, as xl reads them.  Each inner list is one card (devid: its place);
 * "pcm" starts a PCM device of the card, "stream" a stream of the last PCM
 * (making one if there is none), and the options of an item apply to what
 * it names.  Any of them takes sample-rates=R;R..., sample-formats=F;F...,
 * channels-min=, channels-max= and buffer-size=; a card also backend=,
 * short-name=, long-name=, a PCM name=, a stream unique-id= and type=p|c.
 *
 * xl stops reading a card at an item that is itself a list; that is an
 * error here.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/xlcfg_int.h"

enum vsnd_kind { V_CARD, V_PCM, V_STREAM };

/* The item being read: where its options go. */
struct vsnd_item {
    libxl_device_vsnd *vsnd;
    enum vsnd_kind kind;
    libxl_vsnd_params *params;
    char **name, **unique_id;    /* NULL when the kind has none */
    libxl_vsnd_stream_type *type;
};

static int set_str(struct xlcfg *c, char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : xlcfg_oom(c);
}

static int u32_list(struct xlcfg *c, int i, const char *opt, const char *v,
                    uint32_t **arr, int *num)
{
    struct xlcfg_kv kv;
    unsigned long l;
    int rc = 0;

    if (xlcfg_kv_split(v, ";", false, &kv) < 0)
        return xlcfg_oom(c);
    free(*arr);
    *arr = NULL;
    *num = 0;
    if (kv.n == 0)
        rc = xlcfg_fail(c, "vsnd", i, "%s \"%s\" holds no rate", opt, v);
    else if (!(*arr = calloc((size_t)kv.n, sizeof(**arr))))
        rc = xlcfg_oom(c);
    for (int k = 0; rc == 0 && k < kv.n; k++) {
        if (xlcfg_kv_ulong(kv.item[k], UINT32_MAX, &l) < 0)
            rc = xlcfg_fail(c, "vsnd", i, "%s: \"%s\" is not a number from 0 "
                            "to 4294967295", opt, kv.item[k]);
        else
            (*arr)[(*num)++] = (uint32_t)l;
    }
    xlcfg_kv_dispose(&kv);
    return rc;
}

static int format_list(struct xlcfg *c, int i, const char *v,
                       libxl_vsnd_params *p)
{
    struct xlcfg_kv kv;
    int rc = 0;

    if (xlcfg_kv_split(v, ";", false, &kv) < 0)
        return xlcfg_oom(c);
    free(p->sample_formats);
    p->sample_formats = NULL;
    p->num_sample_formats = 0;
    if (kv.n == 0)
        rc = xlcfg_fail(c, "vsnd", i, "sample-formats \"%s\" holds no "
                        "format", v);
    else if (!(p->sample_formats = calloc((size_t)kv.n,
                                          sizeof(*p->sample_formats))))
        rc = xlcfg_oom(c);
    for (int k = 0; rc == 0 && k < kv.n; k++) {
        if (libxl_vsnd_pcm_format_from_string(
                kv.item[k], &p->sample_formats[k]) != 0)
            rc = xlcfg_fail(c, "vsnd", i, "sample-formats: \"%s\" is not a "
                            "PCM format (s16_le, u8, mu_law ...)",
                            kv.item[k]);
        else
            p->num_sample_formats = k + 1;
    }
    xlcfg_kv_dispose(&kv);
    return rc;
}

static int number(struct xlcfg *c, int i, const char *opt, const char *v,
                  uint32_t *dst)
{
    unsigned long l;

    if (xlcfg_kv_ulong(v, UINT32_MAX, &l) < 0)
        return xlcfg_fail(c, "vsnd", i, "%s \"%s\" is not a number from 0 to "
                          "4294967295", opt, v);
    *dst = (uint32_t)l;
    return 0;
}

static int vsnd_option(struct xlcfg *c, int i, const char *spec, char *tok,
                       const struct vsnd_item *it)
{
    libxl_vsnd_params *p = it->params;
    char *v = xlcfg_kv_value(tok);

    if (!v)
        ;
    else if (strcmp(tok, "sample-rates") == 0)
        return u32_list(c, i, tok, v, &p->sample_rates, &p->num_sample_rates);
    else if (strcmp(tok, "sample-formats") == 0)
        return format_list(c, i, v, p);
    else if (strcmp(tok, "channels-min") == 0)
        return number(c, i, tok, v, &p->channels_min);
    else if (strcmp(tok, "channels-max") == 0)
        return number(c, i, tok, v, &p->channels_max);
    else if (strcmp(tok, "buffer-size") == 0)
        return number(c, i, tok, v, &p->buffer_size);
    else if (it->kind == V_CARD && strcmp(tok, "backend") == 0)
        return set_str(c, &it->vsnd->backend_domname, v);
    else if (it->kind == V_CARD && strcmp(tok, "short-name") == 0)
        return set_str(c, &it->vsnd->short_name, v);
    else if (it->kind == V_CARD && strcmp(tok, "long-name") == 0)
        return set_str(c, &it->vsnd->long_name, v);
    else if (it->name && strcmp(tok, "name") == 0)
        return set_str(c, it->name, v);
    else if (it->unique_id && strcmp(tok, "unique-id") == 0)
        return set_str(c, it->unique_id, v);
    else if (it->type && strcmp(tok, "type") == 0) {
        if (libxl_vsnd_stream_type_from_string(v, it->type) != 0)
            return xlcfg_fail(c, "vsnd", i, "stream type \"%s\" is not p "
                              "(playback) or c (capture)", v);
        return 0;
    }
    return xlcfg_fail(c, "vsnd", i, "unknown option \"%s\" in \"%s\"", tok,
                      spec);
}

static libxl_vsnd_pcm *add_pcm(libxl_device_vsnd *vsnd)
{
    libxl_vsnd_pcm *v = realloc(vsnd->pcms, sizeof(*v) *
                                            (size_t)(vsnd->num_vsnd_pcms + 1));

    if (!v)
        return NULL;
    vsnd->pcms = v;
    libxl_vsnd_pcm_init(&v[vsnd->num_vsnd_pcms]);
    return &v[vsnd->num_vsnd_pcms++];
}

static libxl_vsnd_stream *add_stream(libxl_vsnd_pcm *pcm)
{
    libxl_vsnd_stream *v = realloc(pcm->streams, sizeof(*v) *
                                   (size_t)(pcm->num_vsnd_streams + 1));

    if (!v)
        return NULL;
    pcm->streams = v;
    libxl_vsnd_stream_init(&v[pcm->num_vsnd_streams]);
    return &v[pcm->num_vsnd_streams++];
}

/* Start the item named by `word`: fill `it`.  0 or XN_E*. */
static int vsnd_start(struct xlcfg *c, int i, const char *spec,
                      const char *word, libxl_device_vsnd *vsnd,
                      struct vsnd_item *it)
{
    libxl_vsnd_pcm *pcm = NULL;
    libxl_vsnd_stream *st;

    memset(it, 0, sizeof(*it));
    it->vsnd = vsnd;
    if (strcasecmp(word, "card") == 0) {
        it->kind = V_CARD;
        it->params = &vsnd->params;
        return 0;
    }
    if (strcasecmp(word, "pcm") == 0) {
        if (!(pcm = add_pcm(vsnd)))
            return xlcfg_oom(c);
        it->kind = V_PCM;
        it->params = &pcm->params;
        it->name = &pcm->name;
        return 0;
    }
    if (strcasecmp(word, "stream") != 0)
        return xlcfg_fail(c, "vsnd", i, "\"%s\" does not start with card, "
                          "pcm or stream", spec);
    if (vsnd->num_vsnd_pcms)
        pcm = &vsnd->pcms[vsnd->num_vsnd_pcms - 1];
    else if (!(pcm = add_pcm(vsnd)))
        return xlcfg_oom(c);
    if (!(st = add_stream(pcm)))
        return xlcfg_oom(c);
    it->kind = V_STREAM;
    it->params = &st->params;
    it->unique_id = &st->unique_id;
    it->type = &st->type;
    return 0;
}

/* One "card, ...", "pcm, ..." or "stream, ..." item of card i. */
static int vsnd_item(struct xlcfg *c, int i, const char *spec,
                     libxl_device_vsnd *vsnd)
{
    struct vsnd_item it;
    struct xlcfg_kv kv;
    int rc = xlcfg_kv_split(spec, ",", true, &kv);

    if (rc < 0)
        return xlcfg_oom(c);
    if (kv.n)
        rc = vsnd_start(c, i, spec, kv.item[0], vsnd, &it);
    for (int k = 1; rc == 0 && k < kv.n; k++)
        rc = vsnd_option(c, i, spec, kv.item[k], &it);
    xlcfg_kv_dispose(&kv);
    return rc;
}

static int vsnd_card(struct xlcfg *c, int i, XLU_ConfigValue *val,
                     libxl_device_vsnd *vsnd)
{
    XLU_ConfigList *items;
    XLU_ConfigValue *v;
    char *spec;
    int rc = 0;

    if (xlu_cfg_value_type(val) != XLU_LIST ||
        xlu_cfg_value_get_list(c->xlu, val, &items, 1) != 0)
        return xlcfg_fail(c, "vsnd", i, "item %d is not a list (a card is "
                          "[ \"card, ...\", \"pcm, ...\", \"stream, ...\" ])",
                          i + 1);
    for (int j = 0; rc == 0 && (v = xlu_cfg_get_listitem2(items, j)); j++) {
        if (xlu_cfg_value_type(v) != XLU_STRING ||
            xlu_cfg_value_get_string(c->xlu, v, &spec, 1) != 0)
            return xlcfg_fail(c, "vsnd", i, "item %d of card %d is a list, "
                              "not a string (xl would ignore it and the rest "
                              "of the card)", j + 1, i + 1);
        rc = vsnd_item(c, i, spec, vsnd);
    }
    return rc;
}

int xlcfg_build_vsnds(struct xlcfg *c)
{
    libxl_domain_config *dc = c->dc;
    XLU_ConfigList *list;
    XLU_ConfigValue *val;
    const char *s;
    int n, rc;

    if (!xlcfg_is_set(c, "vsnd"))
        return 0;
    if (xlu_cfg_get_list(c->xlu, "vsnd", &list, &n, 1) != 0) {
        rc = xlcfg_get_str(c, "vsnd", &s);
        return rc < 0 ? rc : xlcfg_fail(c, "vsnd", -1, "\"%s\" should be a "
                                        "list of cards, as in [ [ \"%s\" ] ]",
                                        s, s);
    }
    if (n == 0)
        return 0;
    dc->vsnds = calloc((size_t)n, sizeof(*dc->vsnds));
    if (!dc->vsnds)
        return xlcfg_oom(c);
    for (int i = 0; i < n; i++) {
        val = xlu_cfg_get_listitem2(list, i);
        libxl_device_vsnd_init(&dc->vsnds[i]);
        dc->num_vsnds = i + 1;
        dc->vsnds[i].devid = i;
        rc = vsnd_card(c, i, val, &dc->vsnds[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}
