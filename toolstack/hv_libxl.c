/* hv_libxl.c - domain types and schedulers between hv.h and libxl. */
#include "hv_libxl.h"

enum hv_domtype hv_domtype_from_libxl(libxl_domain_type t)
{
    switch (t) {
    case LIBXL_DOMAIN_TYPE_PV: return HV_TYPE_PV;
    case LIBXL_DOMAIN_TYPE_PVH: return HV_TYPE_PVH;
    case LIBXL_DOMAIN_TYPE_HVM: return HV_TYPE_HVM;
    default: return HV_TYPE_UNKNOWN;
    }
}

libxl_domain_type hv_domtype_to_libxl(enum hv_domtype t)
{
    switch (t) {
    case HV_TYPE_PV: return LIBXL_DOMAIN_TYPE_PV;
    case HV_TYPE_PVH: return LIBXL_DOMAIN_TYPE_PVH;
    case HV_TYPE_HVM: return LIBXL_DOMAIN_TYPE_HVM;
    case HV_TYPE_UNKNOWN: break;
    }
    return LIBXL_DOMAIN_TYPE_INVALID;
}

enum hv_sched hv_sched_from_libxl(libxl_scheduler s)
{
    switch (s) {
    case LIBXL_SCHEDULER_CREDIT: return HV_SCHED_CREDIT;
    case LIBXL_SCHEDULER_CREDIT2: return HV_SCHED_CREDIT2;
    case LIBXL_SCHEDULER_RTDS: return HV_SCHED_RTDS;
    case LIBXL_SCHEDULER_ARINC653: return HV_SCHED_ARINC653;
    case LIBXL_SCHEDULER_NULL: return HV_SCHED_NULL;
    default: return HV_SCHED_UNKNOWN;
    }
}

libxl_scheduler hv_sched_to_libxl(enum hv_sched s)
{
    switch (s) {
    case HV_SCHED_CREDIT: return LIBXL_SCHEDULER_CREDIT;
    case HV_SCHED_CREDIT2: return LIBXL_SCHEDULER_CREDIT2;
    case HV_SCHED_RTDS: return LIBXL_SCHEDULER_RTDS;
    case HV_SCHED_ARINC653: return LIBXL_SCHEDULER_ARINC653;
    case HV_SCHED_NULL: return LIBXL_SCHEDULER_NULL;
    case HV_SCHED_UNKNOWN: break;
    }
    return LIBXL_SCHEDULER_UNKNOWN;
}
