/*
 * xsd_ops.c - requests, one handler per type as docs/misc/xenstore.txt
 * describes them: the dispatch, the replies, and the handlers of
 * transactions, domains and CONTROL.  Those on nodes and watches are in
 * xsd_ops_node.c.  A handler returns 0 once it queued its reply, or a
 * negative errno that becomes an XS_ERROR reply ("ENOENT").  Replies carry
 * the request's type, req_id and tx_id.
 */
#include "xsd_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define DOMID_FIRST_RESERVED 0x7FF0u
#define DOMID_SELF 0x7FF0u

/* ---- replies ---- */

int xsd_req_reply(struct xsd_req *r, const void *data, size_t len)
{
    if (len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    xsd_conn_send(r->conn, r->m->hdr.type, r->m->hdr.req_id,
                  r->m->hdr.tx_id, data, len, NULL, 0);
    return 0;
}

int xsd_req_ack(struct xsd_req *r)
{
    return xsd_req_reply(r, "OK", 3);
}

/* ---- transactions ---- */

static struct xsd_txn *txn_find(struct xsd_conn *conn, uint32_t id)
{
    for (struct xsd_txn *t = conn->txns; t; t = xsd_txn_next(t))
        if (xsd_txn_id(t) == id)
            return t;
    return NULL;
}

void xsd_conn_drop_txns(struct xsd_conn *conn)
{
    while (conn->txns) {
        struct xsd_txn *t = conn->txns;

        conn->txns = xsd_txn_next(t);
        xsd_txn_free(t);
    }
    conn->ntxns = 0;
}

static int do_txn_start(struct xsd_req *r)
{
    struct xsd_conn *conn = r->conn;
    struct xsd_txn *txn;
    char id[16];
    uint32_t tid;
    int rc;

    if (r->txn)
        return -EBUSY;
    if (conn->ntxns >= r->x->lim.max_txns_per_conn)
        return -ENOSPC;
    do {
        tid = conn->next_txid++;
    } while (tid == 0 || txn_find(conn, tid));
    rc = xsd_txn_new(&r->x->tree, tid, &txn);
    if (rc < 0)
        return rc;
    xsd_txn_set_next(txn, conn->txns);
    conn->txns = txn;
    conn->ntxns++;
    snprintf(id, sizeof(id), "%u", (unsigned)tid);
    return xsd_req_reply(r, id, strlen(id) + 1);
}

static void txn_unlink(struct xsd_conn *conn, struct xsd_txn *txn)
{
    if (conn->txns == txn) {
        conn->txns = xsd_txn_next(txn);
    } else {
        struct xsd_txn *t = conn->txns;

        while (xsd_txn_next(t) != txn)
            t = xsd_txn_next(t);
        xsd_txn_set_next(t, xsd_txn_next(txn));
    }
    conn->ntxns--;
}

/* The transaction ends either way: committed, failed or abandoned. */
static int do_txn_end(struct xsd_req *r)
{
    const char *arg = xsd_wire_onearg(r->m);
    struct xsd_caller c;
    int rc = 0;

    if (!arg || (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0))
        return -EINVAL;
    if (!r->txn)
        return -ENOENT;
    txn_unlink(r->conn, r->txn);
    if (arg[0] == 'T') {
        xsd_main_caller(r->x, r->conn->domid, &c);
        rc = xsd_txn_commit(r->txn, &r->x->tree, &c);
    }
    xsd_txn_free(r->txn);
    r->txn = NULL;
    return rc < 0 ? rc : xsd_req_ack(r);
}

/* ---- domains ---- */

static int onearg_domid(struct xsd_req *r, uint32_t *domid_r)
{
    return xsd_domid_parse(xsd_wire_onearg(r->m), domid_r);
}

static int do_get_domain_path(struct xsd_req *r)
{
    char path[32];
    uint32_t domid;
    int rc = onearg_domid(r, &domid);

    if (rc < 0)
        return rc;
    return xsd_req_reply(r, path, xsd_path_domain(domid, path) + 1);
}

static int do_introduce(struct xsd_req *r)
{
    const char *vec[3];
    uint32_t domid;

    if (xsd_wire_strings(r->m, vec, 3) < 3 ||
        xsd_domid_parse(vec[0], &domid) < 0 || domid == 0 ||
        domid >= DOMID_FIRST_RESERVED || atoi(vec[2]) <= 0)
        return -EINVAL;
    xsd_domain_introduced(r->x, domid);
    return xsd_req_ack(r);
}

/* RELEASE and RESUME: a real, introduced domain. */
static int introduced_domid(struct xsd_req *r, uint32_t *domid_r)
{
    int rc = onearg_domid(r, domid_r);

    if (rc < 0 || *domid_r == 0)
        return -EINVAL;
    return xsd_domain_is_introduced(r->x, *domid_r) ? 0 : -ENOENT;
}

static int do_release(struct xsd_req *r)
{
    uint32_t domid;
    int rc = introduced_domid(r, &domid);

    if (rc < 0)
        return rc;
    xsd_domain_released(r->x, domid);
    return xsd_req_ack(r);
}

static int do_resume(struct xsd_req *r)
{
    uint32_t domid;
    int rc = introduced_domid(r, &domid);

    return rc < 0 ? rc : xsd_req_ack(r);
}

static int do_is_introduced(struct xsd_req *r)
{
    uint32_t domid;
    int rc = onearg_domid(r, &domid);

    if (rc < 0)
        return rc;
    if (domid == DOMID_SELF || xsd_domain_is_introduced(r->x, domid))
        return xsd_req_reply(r, "T", 2);
    return xsd_req_reply(r, "F", 2);
}

/* Every socket client is privileged, so a target changes nothing. */
static int do_set_target(struct xsd_req *r)
{
    const char *vec[2];
    uint32_t domid, target;

    if (xsd_wire_strings(r->m, vec, 2) < 2 ||
        xsd_domid_parse(vec[0], &domid) < 0 ||
        xsd_domid_parse(vec[1], &target) < 0)
        return -EINVAL;
    if (!xsd_domain_is_introduced(r->x, domid) ||
        !xsd_domain_is_introduced(r->x, target))
        return -ENOENT;
    return xsd_req_ack(r);
}

/* ---- CONTROL (xenstore-control) ---- */

static int do_control(struct xsd_req *r)
{
    static const char help[] =
        "check\t\n"
        "log\ton|off\n"
        "print\t<string>\n"
        "quota\t\n"
        "help\t\n";
    const char *vec[3];
    const struct xsd_limits *l = &r->x->lim;
    unsigned n = xsd_wire_strings(r->m, vec, 3);
    char buf[256];

    if (n < 1)
        return -EINVAL;
    if (strcmp(vec[0], "check") == 0 && n == 1)
        return xsd_req_ack(r);
    if (strcmp(vec[0], "log") == 0 && n == 2 &&
        (strcmp(vec[1], "on") == 0 || strcmp(vec[1], "off") == 0))
        return xsd_req_ack(r);
    if (strcmp(vec[0], "print") == 0 && n == 2) {
        xn_log(XN_LOG_INFO, "xenstore: %s", vec[1]);
        return xsd_req_ack(r);
    }
    if (strcmp(vec[0], "help") == 0 && n == 1)
        return xsd_req_reply(r, help, sizeof(help));
    if (strcmp(vec[0], "quota") == 0 && n == 1) {
        snprintf(buf, sizeof(buf),
                 "Nodes in store:            %u\n"
                 "Bytes in a value:          %u\n"
                 "Watches per connection:    %u\n"
                 "Transactions per connection: %u\n"
                 "Connections:               %u\n",
                 l->max_nodes, l->max_value, l->max_watches_per_conn,
                 l->max_txns_per_conn, l->max_conns);
        return xsd_req_reply(r, buf, strlen(buf) + 1);
    }
    return -EINVAL;
}

/* ---- dispatch ---- */

typedef int handler_fn(struct xsd_req *r);

static const struct {
    handler_fn *fn;
    bool notid;         /* the tx_id is ignored */
} handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {do_control, false},
    [XS_DIRECTORY] = {xsd_req_directory, false},
    [XS_READ] = {xsd_req_read, false},
    [XS_GET_PERMS] = {xsd_req_get_perms, false},
    [XS_WATCH] = {xsd_req_watch, true},
    [XS_UNWATCH] = {xsd_req_unwatch, true},
    [XS_TRANSACTION_START] = {do_txn_start, false},
    [XS_TRANSACTION_END] = {do_txn_end, false},
    [XS_INTRODUCE] = {do_introduce, false},
    [XS_RELEASE] = {do_release, false},
    [XS_GET_DOMAIN_PATH] = {do_get_domain_path, false},
    [XS_WRITE] = {xsd_req_write, false},
    [XS_MKDIR] = {xsd_req_mkdir, false},
    [XS_RM] = {xsd_req_rm, false},
    [XS_SET_PERMS] = {xsd_req_set_perms, false},
    [XS_IS_DOMAIN_INTRODUCED] = {do_is_introduced, false},
    [XS_RESUME] = {do_resume, false},
    [XS_SET_TARGET] = {do_set_target, false},
    [XS_RESET_WATCHES] = {xsd_req_reset_watches, false},
    [XS_DIRECTORY_PART] = {xsd_req_directory_part, false},
};

void xsd_ops_handle(struct xsd_conn *conn, const struct xsd_wire_msg *m)
{
    struct xsd_req r = {.x = conn->x, .conn = conn, .m = m};
    uint32_t type = m->hdr.type;
    const char *err;
    int rc;

    if (type >= XS_TYPE_COUNT || !handlers[type].fn) {
        rc = -ENOSYS;
    } else if (!handlers[type].notid && m->hdr.tx_id != 0 &&
               !(r.txn = txn_find(conn, m->hdr.tx_id))) {
        rc = -ENOENT;
    } else if (r.txn && type != XS_TRANSACTION_END && xsd_txn_full(r.txn)) {
        rc = -ENOSPC;
    } else {
        rc = handlers[type].fn(&r);
    }
    if (rc == 0)
        return;
    err = xsd_wire_errname(rc);
    xn_log(XN_LOG_DEBUG, "xenstore: connection %u: %s: %s", conn->id,
           xsd_wire_typename(type), err);
    xsd_conn_send(conn, XS_ERROR, m->hdr.req_id, m->hdr.tx_id, err,
                  strlen(err) + 1, NULL, 0);
}
