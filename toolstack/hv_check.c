/* hv_check.c - the checks common to every driver, with one wording. */
#include "hv_check.h"

#include <stdio.h>

/* "domain 7 (web1)" */
static const char *subject(const struct hv_dominfo *info, char *buf,
                           size_t len)
{
    snprintf(buf, len, "domain %u (%s)", info->domid, info->name);
    return buf;
}

/* "running", "paused", "shut down (poweroff)" ... */
static const char *state_words(const struct hv_dominfo *info, char *buf,
                               size_t len)
{
    if (info->state == HV_STATE_SHUTDOWN)
        snprintf(buf, len, "shut down (%s)",
                 hv_shutdown_name(info->shutdown_reason));
    else
        snprintf(buf, len, "%s", hv_state_name(info->state));
    return buf;
}

int hv_check_not_dom0(uint32_t domid, const char *what, struct xn_msg *msg)
{
    if (domid == 0)
        return xn_msg_set(msg, XN_EPERM, "domain 0 (the control domain) "
                          "cannot be %s", what);
    return 0;
}

int hv_check_dom(struct hv *hv, uint32_t domid, enum hv_need need,
                 const char *what, struct hv_dominfo *info,
                 struct xn_msg *msg)
{
    char subj[HV_NAME_MAX + 32], w[48];
    int rc = hv->ops->dom_info(hv, domid, info, msg);

    if (rc == XN_ENOENT)
        return xn_msg_set(msg, XN_ENOENT, "no domain with id %u", domid);
    if (rc < 0 || need == HV_NEED_EXISTS)
        return rc;
    subject(info, subj, sizeof(subj));
    state_words(info, w, sizeof(w));
    if (info->state == HV_STATE_DYING)
        return xn_msg_set(msg, XN_ESTATE, "%s is being destroyed", subj);
    switch (need) {
    case HV_NEED_PAUSABLE:
        if (info->state == HV_STATE_PAUSED)
            return xn_msg_set(msg, XN_ESTATE, "%s is already paused", subj);
        if (!hv_state_runs(info->state))
            return xn_msg_set(msg, XN_ESTATE, "%s has %s and cannot be %s",
                              subj, w, what);
        break;
    case HV_NEED_PAUSED:
        if (info->state != HV_STATE_PAUSED)
            return xn_msg_set(msg, XN_ESTATE, "%s is not paused (it is %s)",
                              subj, w);
        break;
    case HV_NEED_UP:
        if (info->state == HV_STATE_SHUTDOWN)
            return xn_msg_set(msg, XN_ESTATE, "%s has already %s", subj, w);
        break;
    case HV_NEED_SAVABLE:
        if (!hv_state_runs(info->state) && info->state != HV_STATE_PAUSED)
            return xn_msg_set(msg, XN_ESTATE, "%s has %s and cannot be %s",
                              subj, w, what);
        break;
    case HV_NEED_SUSPENDED:
        if (info->state != HV_STATE_SHUTDOWN ||
            info->shutdown_reason != HV_SHUTDOWN_SUSPEND)
            return xn_msg_set(msg, XN_ESTATE, "%s is not suspended (it is "
                              "%s)", subj, w);
        break;
    case HV_NEED_EXISTS:
    case HV_NEED_ALIVE:
        break;
    }
    return 0;
}
