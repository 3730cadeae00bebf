/*
 * xsd_testlib.h - what the Check suites of the simulated host's xenstore
 * (test_xsd_*.c, toolstack/sim/xsd) share.  They come in three ways:
 *  - libxenstore (xs_open with XENSTORED_PATH) against a server running in
 *    a forked child, as the toolstack and the xenstore-* tools use it;
 *  - raw wire messages against a server on this process's own loop, pumped
 *    by the test between reads, for malformed input, limits and the
 *    owner's API;
 *  - the path and tree layers directly (xsd_int.h), for what a socket
 *    client (always dom0) cannot reach: other domains' permissions.
 * This file is linked into every test binary, so each name it defines
 * starts with xsdt_.
 */
#ifndef XENITH_TEST_XSD_TESTLIB_H
#define XENITH_TEST_XSD_TESTLIB_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#include "sim/xsd/xsd.h"
#include "sim/xsd/xsd_int.h"

/* ---- a server on this process's loop ---- */

/* The directory of the server's socket, the socket, and the server, while
 * one runs (xsdt_start to xsdt_stop). */
extern char xsdt_tmpdir[64];
extern char xsdt_sock[128];
extern struct xsd *xsdt_xs;

/* Make a fresh xsdt_tmpdir and name xsdt_sock in it. */
void xsdt_mktmp(void);
/* Start a server on a new loop (lim NULL: the defaults). */
void xsdt_start(const struct xsd_limits *lim);
/* Free it and its loop; its socket must be gone. */
void xsdt_stop(void);
/* Run the loop once, without waiting. */
void xsdt_pump(void);

/* Lay out domains first .. first + n - 1 on that server with
 * xsd_layout_domain(): PV guests of 2 vCPUs named "dom<N>", uuids made
 * from N. */
void xsdt_layout_domains(uint32_t first, unsigned n);

/* ---- a raw wire client of that server ---- */

struct xsdt_rmsg {
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1];
};

struct xsdt_cli {
    int fd;
    uint32_t req;
    bool eof;
    size_t have;
    char buf[1 << 16];
    unsigned nev;
    char ev[32][256];       /* watch events seen, "path|token" */
};

/* Connect to xsdt_sock (non-blocking); free closes and frees. */
struct xsdt_cli *xsdt_cli_new(void);
void xsdt_cli_free(struct xsdt_cli *c);
/* Write all of p, pumping the loop while the socket is full. */
void xsdt_cli_raw(struct xsdt_cli *c, const void *p, size_t len);
/* Send one message. */
void xsdt_cli_send(struct xsdt_cli *c, uint32_t type, uint32_t req,
                   uint32_t tx, const void *p, size_t len);
/* The next message: 1, or 0 at end of file, -1 after timeout_ms. */
int xsdt_cli_next(struct xsdt_cli *c, struct xsdt_rmsg *m, int timeout_ms);

/*
 * Send one request and return its reply as text: "!ENOENT" for an error,
 * else the payload with NULs shown as '|' (one final NUL dropped).  Watch
 * events met on the way are kept.  The reply must echo req_id and tx_id.
 * Static storage, overwritten by the next call.
 */
const char *xsdt_call(struct xsdt_cli *c, uint32_t type, uint32_t tx,
                      const void *p, size_t len);

/* A string literal with its final NUL, as a payload. */
#define LIT(s) (s), sizeof(s)

/* Requests whose payload is one or two strings, or a path and a value. */
const char *xsdt_call1(struct xsdt_cli *c, uint32_t type, uint32_t tx,
                       const char *a);
const char *xsdt_call2(struct xsdt_cli *c, uint32_t type, uint32_t tx,
                       const char *a, const char *b);
const char *xsdt_wr(struct xsdt_cli *c, uint32_t tx, const char *path,
                    const char *value);

/* The next watch event, "path|token", waiting for it if need be. */
const char *xsdt_next_event(struct xsdt_cli *c);
/* No event pending: events are sent before any later reply, so after a
 * round trip anything due has arrived. */
void xsdt_no_event(struct xsdt_cli *c);

/* ---- a server in a forked child, for libxenstore ---- */

/* Start it and point XENSTORED_PATH at its socket. */
void xsdt_fork_start(const struct xsd_limits *lim);
/* Stop it; it must exit 0 and remove its socket. */
void xsdt_fork_stop(void);

/* What a libxenstore client reads at path must be `want` / be missing. */
void xsdt_xs_expect(struct xs_handle *h, const char *path,
                    const char *want);
void xsdt_xs_absent(struct xs_handle *h, xs_transaction_t t,
                    const char *path);
/* The next watch event (path, token), waiting up to 3 seconds. */
void xsdt_xs_event(struct xs_handle *h, const char *path,
                   const char *token);
/* No watch event pending, after a round trip. */
void xsdt_xs_no_event(struct xs_handle *h);

/* ---- running a suite ---- */

/* Run every test of s (SIGPIPE ignored); EXIT_SUCCESS when none failed. */
int xsdt_run(Suite *s);

#endif
