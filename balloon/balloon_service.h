/* balloon_service.h - the memory ballooning service, as xenithd lists it. */
#ifndef XENITH_BALLOON_SERVICE_H
#define XENITH_BALLOON_SERVICE_H

#include "daemon/service.h"

extern const struct service balloon_service;

#endif
