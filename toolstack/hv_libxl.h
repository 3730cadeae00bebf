/*
 * hv_libxl.h - libxl's names for what hv.h names: domain types and
 * schedulers.  Both drivers speak libxl_domain_config, so both need these.
 */
#ifndef XENITH_HV_LIBXL_H
#define XENITH_HV_LIBXL_H

#include "hv.h"

enum hv_domtype hv_domtype_from_libxl(libxl_domain_type t);
/* LIBXL_DOMAIN_TYPE_INVALID for HV_TYPE_UNKNOWN. */
libxl_domain_type hv_domtype_to_libxl(enum hv_domtype t);
enum hv_sched hv_sched_from_libxl(libxl_scheduler s);
/* LIBXL_SCHEDULER_UNKNOWN for HV_SCHED_UNKNOWN. */
libxl_scheduler hv_sched_to_libxl(enum hv_sched s);

#endif
