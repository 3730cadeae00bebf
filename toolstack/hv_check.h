/*
 * hv_check.h - the checks hv.c makes above the drivers, once, with one
 * wording: a domain exists, its state allows an operation, domain 0 is not
 * touched.  Only hv.c includes this.
 */
#ifndef XENITH_HV_CHECK_H
#define XENITH_HV_CHECK_H

#include "hv_driver.h"

/* What an operation needs of its domain. */
enum hv_need {
    HV_NEED_EXISTS = 0,     /* queries, destroy */
    HV_NEED_ALIVE,          /* not being destroyed: resources, rename */
    HV_NEED_PAUSABLE,       /* running or blocked */
    HV_NEED_PAUSED,
    HV_NEED_UP,             /* alive and not shut down: shutdown requests */
    HV_NEED_SAVABLE,        /* running, blocked or paused */
    HV_NEED_SUSPENDED,      /* shut down by a suspend: resume */
};

/* The domain, in *info, if it exists and its state allows `need`; else
 * XN_ENOENT or XN_ESTATE with the sentence.  `what` names the operation
 * for messages ("paused", "saved"). */
int hv_check_dom(struct hv *hv, uint32_t domid, enum hv_need need,
                 const char *what, struct hv_dominfo *info,
                 struct xn_msg *msg);

/* Every device of cfg's pcidevs exists, is assignable and is assigned to
 * no domain (hv_pci.c); hv_create and hv_restore check it. */
int hv_pci_check_config(struct hv *hv, const libxl_domain_config *cfg,
                        struct xn_msg *msg);

/* XN_EPERM for domain 0, which is never destroyed, paused, saved ... */
int hv_check_not_dom0(uint32_t domid, const char *what, struct xn_msg *msg);

#endif
