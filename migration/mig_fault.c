/*
 * mig_fault.c - faults the tests inject (migration.fault =
 * SIDE:PHASE:KIND; never set in production): on entering PHASE, the next
 * migration on SIDE (send, receive) has its connection cut, sends a
 * corrupt frame, or stalls (stops reading and sending).  One shot.
 */
#include "migration/migration.h"
#include "log.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

static const char *const kinds[] = {
    [MIG_FAULT_CUT] = "cut",
    [MIG_FAULT_CORRUPT] = "corrupt",
    [MIG_FAULT_STALL] = "stall",
};

int mig_fault_parse(struct migration *m, const char *spec,
                    struct xn_msg *msg)
{
    char side[16], phase[16], kind[16], q[80];
    int p, k;

    xn_quote(spec, strlen(spec), 60, q, sizeof(q));
    if (sscanf(spec, "%15[a-z]:%15[a-z]:%15[a-z]", side, phase, kind) != 3 ||
        (strcmp(side, "send") && strcmp(side, "receive")))
        return xn_msg_set(msg, XN_EINVAL, "migration.fault \"%s\" is not "
                          "SIDE:PHASE:KIND (send or receive; a phase; cut, "
                          "corrupt or stall)", q);
    for (p = MIG_CONNECTING; p <= MIG_SWITCHING; p++)
        if (!strcmp(phase, mig_phase_name((enum mig_phase)p)))
            break;
    for (k = MIG_FAULT_CUT; k <= MIG_FAULT_STALL; k++)
        if (!strcmp(kind, kinds[k]))
            break;
    if (p > MIG_SWITCHING || k > MIG_FAULT_STALL)
        return xn_msg_set(msg, XN_EINVAL, "migration.fault \"%s\": unknown "
                          "phase or kind", q);
    m->fault_dir = strcmp(side, "send") ? MIG_IN : MIG_OUT;
    m->fault_phase = (enum mig_phase)p;
    m->fault_kind = (enum mig_fault_kind)k;
    return 0;
}

static void cut(struct mig *g, const char *why)
{
    mig_link_free(g->link);
    g->link = NULL;
    if (g->dir == MIG_OUT)
        mig_send_on_error(g, XN_EIO, why);
    else
        mig_recv_fail(g, XN_EIO, why);
}

bool mig_fault_inject(struct mig *g)
{
    static const uint8_t garbage[16] = "XM\x01\x05\xff\xff\xff\xffgarbage";
    struct migration *m = g->svc;
    enum mig_fault_kind kind = m->fault_kind;

    if (kind == MIG_FAULT_NONE || g->ended || m->fault_dir != g->dir ||
        m->fault_phase != g->phase || !g->link)
        return false;
    m->fault_kind = MIG_FAULT_NONE;
    xn_log(XN_LOG_WARNING, "migration %llu: injecting a fault: %s while %s",
           (unsigned long long)g->id, kinds[kind], mig_phase_name(g->phase));
    switch (kind) {
    case MIG_FAULT_CUT:
        cut(g, "the connection was cut (an injected fault)");
        break;
    case MIG_FAULT_CORRUPT:
        /* The relay checks what the daemon sends, refuses this frame and
         * closes the connection. */
        mig_link_send_raw(g->link, garbage, sizeof(garbage));
        break;
    case MIG_FAULT_STALL:
        mig_link_stall(g->link);
        g->stalled = true;
        mig_wait_peer(g);   /* a sender stalled while connecting has none */
        break;
    default:
        break;
    }
    return true;
}
