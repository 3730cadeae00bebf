/*
 * core_testlib.h - a whole daemon core in-process, for the Check suites of
 * the bus, jobs, the start path and streams out (test_core_*.c): daemon_open
 * on a simulated host with no control socket, a private state directory,
 * and the loop run until a condition holds.  Linked into every test binary,
 * so each name it defines starts with coret_.
 */
#ifndef XENITH_TEST_CORE_TESTLIB_H
#define XENITH_TEST_CORE_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/daemon.h"

struct coret {
    struct event_base *base;
    struct daemon *d;
    char state_dir[64];
};

/* Open a daemon on sim:///NAME (the built-in scenario: Domain-0, web1,
 * web2 ...) with the services given (NULL: none); fails the test when it
 * does not open. */
void coret_open(struct coret *t, const struct service *const *services);
/* The same on a scenario file (NULL: the built-in one) with service
 * options ("SERVICE.NAME=VALUE", NULL-terminated, static; NULL: none). */
void coret_open_with(struct coret *t, const struct service *const *services,
                     const char *scenario, const char *const *options);
void coret_close(struct coret *t);

/* Run the loop until *flag is true or ms pass; true when it became true. */
bool coret_wait(struct coret *t, const bool *flag, int ms);
/* The same for an int counter reaching `want`. */
bool coret_wait_count(struct coret *t, const int *count, int want, int ms);
/* Run the loop for about ms milliseconds. */
void coret_spin(struct coret *t, int ms);

/* Create a PVH domain of `mib` MiB through the start path and wait for it;
 * `cfg` (from simt_mkcfg, may be NULL for the default) is taken.  Fails the
 * test when it does not start.  Returns its id. */
uint32_t coret_create(struct coret *t, const char *name, uint64_t mib,
                      libxl_domain_config *cfg);

/* The domain of that name, or fails the test. */
struct hv_dominfo coret_dom(struct coret *t, const char *name);
/* Is there a domain of that name? */
bool coret_has(struct coret *t, const char *name);
/* Number of domains on the host. */
size_t coret_count(struct coret *t);

#endif
