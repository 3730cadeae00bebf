/* hv_names.c - the names of hv_types.h's enums, for output and the wire,
 * and the questions asked of a state everywhere. */
#include "hv_types.h"

#include <string.h>

const char *hv_state_name(enum hv_state s)
{
    switch (s) {
    case HV_STATE_RUNNING: return "running";
    case HV_STATE_BLOCKED: return "blocked";
    case HV_STATE_PAUSED: return "paused";
    case HV_STATE_SHUTDOWN: return "shutdown";
    case HV_STATE_DYING: return "dying";
    }
    return "unknown";
}

bool hv_state_runs(enum hv_state s)
{
    return s == HV_STATE_RUNNING || s == HV_STATE_BLOCKED;
}

bool hv_dom_suspended(const struct hv_dominfo *info)
{
    return info->state == HV_STATE_SHUTDOWN &&
           info->shutdown_reason == HV_SHUTDOWN_SUSPEND;
}

const char *hv_shutdown_name(enum hv_shutdown r)
{
    switch (r) {
    case HV_SHUTDOWN_NONE: return "none";
    case HV_SHUTDOWN_POWEROFF: return "poweroff";
    case HV_SHUTDOWN_REBOOT: return "reboot";
    case HV_SHUTDOWN_SUSPEND: return "suspend";
    case HV_SHUTDOWN_CRASH: return "crash";
    case HV_SHUTDOWN_WATCHDOG: return "watchdog";
    case HV_SHUTDOWN_SOFT_RESET: return "soft_reset";
    }
    return "unknown";
}

static const char *const sched_names[] = {
    [HV_SCHED_UNKNOWN] = "unknown",
    [HV_SCHED_CREDIT] = "credit",
    [HV_SCHED_CREDIT2] = "credit2",
    [HV_SCHED_RTDS] = "rtds",
    [HV_SCHED_ARINC653] = "arinc653",
    [HV_SCHED_NULL] = "null",
};

const char *hv_sched_name(enum hv_sched s)
{
    if ((size_t)s < sizeof(sched_names) / sizeof(sched_names[0]))
        return sched_names[s];
    return "unknown";
}

enum hv_sched hv_sched_parse(const char *name)
{
    for (size_t i = 1; name && i < sizeof(sched_names) / sizeof(sched_names[0]);
         i++)
        if (strcmp(sched_names[i], name) == 0)
            return (enum hv_sched)i;
    return HV_SCHED_UNKNOWN;
}

const char *hv_domtype_name(enum hv_domtype t)
{
    switch (t) {
    case HV_TYPE_PV: return "pv";
    case HV_TYPE_PVH: return "pvh";
    case HV_TYPE_HVM: return "hvm";
    case HV_TYPE_UNKNOWN: break;
    }
    return "unknown";
}
