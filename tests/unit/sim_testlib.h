/*
 * sim_testlib.h - what the sim Check suites (test_sim_*.c) share: the
 * scenario fixtures of tests/sim/, the model on a fake clock, a sim:///
 * driver on a libevent loop with waits for its callbacks, and a run of a
 * suite.  This file is linked into every test binary, so each name it
 * defines starts with simt_.
 */
#ifndef XENITH_TEST_SIM_TESTLIB_H
#define XENITH_TEST_SIM_TESTLIB_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "hv.h"
#include "sim/sim_host.h"

#define MiB 1024ull
#define GiB (1024ull * 1024)
#define SEC 1000000000ull

/* --- fixtures --- */

/* The source tree: $XENITH_SRCDIR, or ".". */
const char *simt_srcdir(void);
/* The path of tests/sim/<name>, into buf[len]; returns buf. */
char *simt_fixture(const char *name, char *buf, size_t len);

/* --- the model on a fake clock --- */

/* The model's clock, in ns; simt_load sets it to 1000 s. */
extern uint64_t simt_fake_now;
/* Load tests/sim/<file> (NULL: the built-in scenario) on the fake clock;
 * fails the test when it does not load.  The caller sim_host_free()s it. */
struct sim_host *simt_load(const char *file);
/* The domain of that name; fails the test when there is none. */
struct sim_dom *simt_named(struct sim_host *h, const char *name);

/* --- the driver on a libevent loop --- */

/* A driver, its loop, and what its callbacks reported. */
struct simt {
    struct event_base *base;
    struct hv *hv;
    struct hv_event ev[64];
    int n_ev;
    int n_done;
    int rc;
    uint32_t domid;
    struct xn_msg msg;
};

/* hv_event_fn and hv_done_fn that record into the struct simt opaque. */
void simt_on_event(void *opaque, const struct hv_event *ev);
void simt_on_done(void *opaque, int rc, const struct xn_msg *msg,
                  uint32_t domid);
/* A timer callback that sets the bool *arg. */
void simt_timeout_cb(evutil_socket_t fd, short what, void *arg);
/* Run the loop until *count reaches want or ms pass; true when it did. */
bool simt_run_until(struct simt *t, const int *count, int want, int ms);
/* Open uri on a new loop (scenario: a file of tests/sim/, or NULL). */
void simt_open(struct simt *t, const char *uri, const char *scenario);
void simt_close(struct simt *t);
/* What the store holds at `path` (directly, as the driver sees it), or
 * "(absent)".  Static storage, overwritten by the next call. */
const char *simt_store_get(struct simt *t, const char *path);
/* Run the loop until the store has a node at `path` or ms pass; true
 * when it appeared. */
bool simt_run_until_node(struct simt *t, const char *path, int ms);
/* Children of a node of the host's store. */
unsigned simt_store_count(struct simt *t, const char *path);
/* A heap config as hv_create takes it. */
libxl_domain_config *simt_mkcfg(const char *name, uint64_t mem_mib,
                                int vcpus);
/* hv_create, waited for; it must succeed.  Returns the domid. */
uint32_t simt_create(struct simt *t, libxl_domain_config *cfg, bool paused);
/* The host's free memory in KiB. */
uint64_t simt_host_free(struct simt *t);
/* hv_destroy, waited for; it must succeed. */
void simt_destroy(struct simt *t, uint32_t domid);
/* CLOCK_MONOTONIC in ms. */
uint64_t simt_now_ms(void);
/* A temporary file, already unlinked. */
int simt_tmpfile_fd(void);
/* hv_save into fd, waited for; it must succeed. */
void simt_save(struct simt *t, uint32_t domid, int fd, unsigned flags);
/* hv_restore from fd, waited for: its code (t->msg says why it failed). */
int simt_restore(struct simt *t, int fd, const char *name, bool paused);
/* Is there something to read on fd, now? */
bool simt_readable(int fd);

/* --- running a suite --- */

/* Run every test of s (SIGPIPE ignored: the store's clients may hang up);
 * EXIT_SUCCESS when none failed. */
int simt_run(Suite *s);

#endif
