/*
 * libvirt_out_int.h - shared by libvirt_out.c and libvirt_out_dev.c, which
 * write a libxl_domain_config as libvirt domain XML; not public.
 */
#ifndef XENITH_CONFIG_LIBVIRT_OUT_INT_H
#define XENITH_CONFIG_LIBVIRT_OUT_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "config/libvirt_conv.h"

struct lvo {
    FILE *f;
    const libxl_domain_config *c;
    libxl_domain_build_info def;    /* a fresh build_info: what is unset */
    struct xlcfg_warnings *warn;    /* may be NULL */
    bool hvm;
};

/* Text or attribute value with & < > ' " escaped. */
void lvo_esc(struct lvo *o, const char *s);
/* printf with %s arguments NOT escaped: use lvo_attr / lvo_elem for data. */
void lvo_put(struct lvo *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* " name='value'" when value is not NULL. */
void lvo_attr(struct lvo *o, const char *name, const char *value);
/* "<indent><name>text</name>\n" when text is not NULL or empty. */
void lvo_elem(struct lvo *o, int indent, const char *name, const char *text);
void lvo_warn(struct lvo *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void lvo_devices(struct lvo *o);        /* libvirt_out_dev.c */
void lvo_chr_devices(struct lvo *o);    /* libvirt_out_dev.c */
/* The cpuid policy's <feature/> lines; how many were written. */
int lvo_cpuid_features(struct lvo *o);  /* libvirt_out_cpuid.c */

#endif
