/* schedtune_service.h - the credit-scheduler tuning service. */
#ifndef XENITH_SCHEDTUNE_SERVICE_H
#define XENITH_SCHEDTUNE_SERVICE_H

#include "daemon/service.h"

extern const struct service schedtune_service;

#endif
