/* migration_service.h - the live migration service. */
#ifndef XENITH_MIGRATION_SERVICE_H
#define XENITH_MIGRATION_SERVICE_H

#include "daemon/service.h"

extern const struct service migration_service;

#endif
