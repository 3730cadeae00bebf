/* fuzz_xsd.c - libFuzzer: whatever a client sends the simulated host's
 * xenstore.  One store serves the whole run; each input is written down a
 * fresh connection and the loop turns until the store has dealt with it.
 * The store must answer or hang up, never crash or grow without bound. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

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
    if (write(fd, data, size) < 0) {
        /* a full socket buffer is fine: the store reads what it can */
    }
    for (int i = 0; i < 8; i++) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        while (read(fd, sink, sizeof(sink)) > 0)
            ;
    }
    close(fd);
    event_base_loop(base, EVLOOP_NONBLOCK);     /* see the hang-up */
    return 0;
}
