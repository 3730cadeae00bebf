/* fuzz_xsd.c - libFuzzer: whatever a client sends the simulated host's
 * xenstore.  One store serves the whole run; each input is written down a
 * fresh connection, inside a transaction the harness opens first (id 1,
 * the connection's first) and commits last, and the loop turns until the
 * store has dealt with it.  The store must answer or hang up, never crash
 * or grow without bound: once the connection has gone, with it its
 * transactions, the store holds its own nodes and no other (transactions
 * share them, see xsd_node.c). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>
#include <xen/io/xs_wire.h>

#include "sim/xsd/xsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct event_base *base;
static struct xsd *store;
static char path[108];

static void start(void)
{
    struct xn_msg msg;
    signal(SIGPIPE, SIG_IGN);
    snprintf(path, sizeof(path), "/tmp/fuzz-xsd.%d.sock", (int)getpid());
    base = event_base_new();
    if (xsd_new(base, path, NULL, &store, &msg) < 0) {
        fprintf(stderr, "xsd_new: %s\n", msg.text);
        abort();
    }
    xsd_layout_dom0(store);
}

/* Send one request of the harness's own (req_id 0xfffffff0). */
static void send_req(int fd, uint32_t type, uint32_t tx_id, const char *arg)
{
    struct xsd_sockmsg h = {.type = type, .req_id = 0xfffffff0u,
                            .tx_id = tx_id, .len = (uint32_t)strlen(arg) + 1};

    if (write(fd, &h, sizeof(h)) < 0 || write(fd, arg, h.len) < 0) {
        /* the store may have hung up: fine */
    }
}

/* Once the connection is gone, the store must hold its own nodes only. */
static void check_store(void)
{
    struct xsd_stats st;

    for (int i = 0; i < 16; i++) {
        xsd_stats(store, &st);
        if (st.conns == 0)
            break;
        event_base_loop(base, EVLOOP_NONBLOCK);
    }
    if (st.conns == 0 && (st.txns != 0 || st.live_nodes != st.nodes)) {
        fprintf(stderr, "xsd: %zu node objects for %u nodes, %u "
                "transactions, no client\n", st.live_nodes, st.nodes,
                st.txns);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char sink[65536];
    int fd;

    if (!store)
        start();
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        abort();
    event_base_loop(base, EVLOOP_NONBLOCK);     /* accept */
    send_req(fd, XS_TRANSACTION_START, 0, "");
    if (write(fd, data, size) < 0) {
        /* a full socket buffer is fine: the store reads what it can */
    }
    send_req(fd, XS_TRANSACTION_END, 1, "T");
    for (int i = 0; i < 8; i++) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        while (read(fd, sink, sizeof(sink)) > 0)
            ;
    }
    close(fd);
    event_base_loop(base, EVLOOP_NONBLOCK);     /* see the hang-up */
    check_store();
    return 0;
}
