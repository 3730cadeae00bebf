/*
 * xsd_ops.c - one handler per request type, as docs/misc/xenstore.txt
 * describes them.  A handler returns 0 once it queued its reply, or a
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

struct req {
    struct xsd *x;
    struct xsd_conn *conn;
    const struct xsd_wire_msg *m;
    struct xsd_txn *txn;        /* the request's transaction, or NULL */
};

static int reply(struct req *r, const void *data, size_t len)
{
    if (len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    xsd_conn_send(r->conn, r->m->hdr.type, r->m->hdr.req_id,
                  r->m->hdr.tx_id, data, len, NULL, 0);
    return 0;
}

static int ack(struct req *r)
{
    return reply(r, "OK", 3);
}

/* The tree a request works on, and who it is there. */
static struct xsd_tree *setup(struct req *r, struct xsd_caller *c)
{
    xsd_main_caller(r->x, r->conn->domid, c);
    if (!r->txn)
        return &r->x->tree;
    c->hooks = xsd_txn_hooks(r->txn);
    return xsd_txn_tree(r->txn);
}

static int canon(struct req *r, const char *in, char *out)
{
    return xsd_path_canon(in, r->conn->domid, out);
}

/* Run a modifying operation on the request's tree. */
static int apply(struct req *r, const struct xsd_op *op)
{
    struct xsd_caller c;
    struct xsd_tree *t = setup(r, &c);
    int rc;

    if (r->txn)
        rc = xsd_txn_apply(r->txn, &c, op);
    else
        rc = xsd_tree_apply(t, &c, op);
    return rc < 0 ? rc : ack(r);
}

/* Look a node up for reading in the request's tree. */
static int get(struct req *r, const char *arg, const struct xsd_node **n_r)
{
    char path[XSD_PATH_BUF];
    struct xsd_caller c;
    struct xsd_tree *t = setup(r, &c);
    int rc;

    if (!arg)
        return -EINVAL;
    rc = canon(r, arg, path);
    if (rc < 0)
        return rc;
    return xsd_tree_get(t, &c, path, n_r);
}

/* ---- the database ---- */

static int do_read(struct req *r)
{
    const struct xsd_node *n;
    int rc = get(r, xsd_wire_onearg(r->m), &n);

    return rc < 0 ? rc : reply(r, n->value, n->len);
}

/* The children's names, each with its NUL, in a malloc'd buffer. */
static int children(const struct xsd_node *n, char **buf_r, size_t *len_r)
{
    size_t len = 0, off = 0;
    char *buf;

    for (const struct xsd_node *c = n->first; c; c = c->next)
        len += strlen(c->name) + 1;
    buf = malloc(len + 1);
    if (!buf)
        return -ENOMEM;
    for (const struct xsd_node *c = n->first; c; c = c->next) {
        size_t l = strlen(c->name) + 1;

        memcpy(buf + off, c->name, l);
        off += l;
    }
    *buf_r = buf;
    *len_r = len;
    return 0;
}

static int do_directory(struct req *r)
{
    const struct xsd_node *n;
    char *list;
    size_t len;
    int rc = get(r, xsd_wire_onearg(r->m), &n);

    if (rc < 0)
        return rc;
    rc = children(n, &list, &len);
    if (rc < 0)
        return rc;
    rc = reply(r, list, len);
    free(list);
    return rc;
}

/*
 * DIRECTORY_PART <path>|<offset>| -> <generation>|<names from offset>...
 * Each part holds whole names; the last part ends with an empty string.
 */
static int do_directory_part(struct req *r)
{
    const char *vec[2];
    const struct xsd_node *n;
    char gen[24], *list, *out;
    size_t len, off = 0, genlen, take = 0, maxlen;
    int rc;

    if (xsd_wire_strings(r->m, vec, 2) != 2)
        return -EINVAL;
    for (const char *p = vec[1]; *p; p++) {
        if (*p < '0' || *p > '9' || off > XENSTORE_PAYLOAD_MAX * 1024ul)
            return -EINVAL;
        off = off * 10 + (size_t)(*p - '0');
    }
    rc = get(r, vec[0], &n);
    if (rc < 0)
        return rc;
    genlen = (size_t)snprintf(gen, sizeof(gen), "%llu",
                              (unsigned long long)n->gen) + 1;
    rc = children(n, &list, &len);
    if (rc < 0)
        return rc;
    out = malloc(XENSTORE_PAYLOAD_MAX);
    if (!out) {
        free(list);
        return -ENOMEM;
    }
    memcpy(out, gen, genlen);
    if (off < len) {
        maxlen = XENSTORE_PAYLOAD_MAX - genlen - 1;
        while (off + take < len) {
            size_t l = strlen(list + off + take) + 1;

            if (take + l > maxlen)
                break;
            take += l;
        }
        memcpy(out + genlen, list + off, take);
    }
    if (off + take >= len)
        out[genlen + take++] = '\0';
    rc = reply(r, out, genlen + take);
    free(out);
    free(list);
    return rc;
}

static int perms_string(const struct xsd_perm *perms, unsigned n, char **s_r,
                        size_t *len_r)
{
    char *s = malloc((size_t)n * 16);
    size_t len = 0;

    if (!s)
        return -ENOMEM;
    for (unsigned i = 0; i < n; i++)
        len += xsd_perm_format(&perms[i], s + len) + 1;
    *s_r = s;
    *len_r = len;
    return 0;
}

static int do_get_perms(struct req *r)
{
    const struct xsd_node *n;
    char *s;
    size_t len;
    int rc = get(r, xsd_wire_onearg(r->m), &n);

    if (rc < 0)
        return rc;
    rc = perms_string(n->perms, n->nperms, &s, &len);
    if (rc < 0)
        return rc;
    rc = reply(r, s, len);
    free(s);
    return rc;
}

static int do_write(struct req *r)
{
    const char *vec[1];
    char path[XSD_PATH_BUF];
    struct xsd_op op = {.kind = XSD_OP_WRITE, .path = path};
    size_t off;
    int rc;

    if (xsd_wire_strings(r->m, vec, 1) < 1)
        return -EINVAL;
    rc = canon(r, vec[0], path);
    if (rc < 0)
        return rc;
    off = strlen(vec[0]) + 1;
    op.value = r->m->body + off;
    op.len = r->m->hdr.len - off;
    return apply(r, &op);
}

static int do_path_op(struct req *r, enum xsd_op_kind kind)
{
    const char *arg = xsd_wire_onearg(r->m);
    char path[XSD_PATH_BUF];
    struct xsd_op op = {.kind = kind, .path = path};
    int rc;

    if (!arg)
        return -EINVAL;
    rc = canon(r, arg, path);
    return rc < 0 ? rc : apply(r, &op);
}

static int do_mkdir(struct req *r)
{
    return do_path_op(r, XSD_OP_MKDIR);
}

static int do_rm(struct req *r)
{
    return do_path_op(r, XSD_OP_RM);
}

static int special_index(const char *path)
{
    if (strcmp(path, "@introduceDomain") == 0)
        return 0;
    if (strcmp(path, "@releaseDomain") == 0)
        return 1;
    return -1;
}

static int do_set_perms(struct req *r)
{
    const char *vec[XSD_PERMS_MAX + 1];
    struct xsd_perm perms[XSD_PERMS_MAX];
    char path[XSD_PATH_BUF];
    struct xsd_op op = {.kind = XSD_OP_PERMS, .path = path, .perms = perms};
    unsigned n = xsd_wire_strings(r->m, vec, XSD_PERMS_MAX + 1);
    int rc, sp;

    if (n < 2)
        return -EINVAL;
    if (n - 1 > XSD_PERMS_MAX)
        return -ENOSPC;
    op.nperms = n - 1;
    for (unsigned i = 0; i < op.nperms; i++)
        if (xsd_perm_parse(vec[i + 1], &perms[i]) < 0)
            return -EINVAL;
    if (vec[0][0] == '@') {
        sp = special_index(vec[0]);
        if (sp < 0)
            return -EINVAL;
        memcpy(r->x->special_perms[sp], perms, op.nperms * sizeof(*perms));
        r->x->special_nperms[sp] = op.nperms;
        return ack(r);
    }
    rc = canon(r, vec[0], path);
    return rc < 0 ? rc : apply(r, &op);
}

/* ---- watches ---- */

static int do_watch(struct req *r)
{
    const char *vec[2];
    char path[XSD_PATH_BUF], prefix[32];
    struct xsd_watch *w;
    size_t rel_len = 0;
    int rc;

    if (xsd_wire_strings(r->m, vec, 2) < 2)
        return -EINVAL;
    if (vec[0][0] == '@') {
        if (strlen(vec[0]) > XENSTORE_REL_PATH_MAX)
            return -EINVAL;
        strcpy(path, vec[0]);
    } else {
        rc = canon(r, vec[0], path);
        if (rc < 0)
            return rc;
        if (vec[0][0] != '/')
            rel_len = xsd_path_domain(r->conn->domid, prefix);
    }
    rc = xsd_watch_add(r->x, r->conn, path, vec[1], rel_len, NULL, NULL,
                       &w);
    if (rc < 0)
        return rc;
    ack(r);
    xsd_watch_initial(r->x, w);
    return 0;
}

static int do_unwatch(struct req *r)
{
    const char *vec[2];
    char path[XSD_PATH_BUF];
    int rc;

    if (xsd_wire_strings(r->m, vec, 2) < 2)
        return -EINVAL;
    if (vec[0][0] == '@' || canon(r, vec[0], path) < 0)
        snprintf(path, sizeof(path), "%s", vec[0]);
    rc = xsd_watch_del(r->x, r->conn, path, vec[1]);
    return rc < 0 ? rc : ack(r);
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

static int do_reset_watches(struct req *r)
{
    xsd_watch_del_conn(r->x, r->conn);
    xsd_conn_drop_txns(r->conn);
    return ack(r);
}

/* ---- transactions ---- */

static struct xsd_txn *txn_find(struct xsd_conn *conn, uint32_t id)
{
    for (struct xsd_txn *t = conn->txns; t; t = xsd_txn_next(t))
        if (xsd_txn_id(t) == id)
            return t;
    return NULL;
}

static int do_txn_start(struct req *r)
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
    return reply(r, id, strlen(id) + 1);
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
static int do_txn_end(struct req *r)
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
    return rc < 0 ? rc : ack(r);
}

/* ---- domains ---- */

static int onearg_domid(struct req *r, uint32_t *domid_r)
{
    return xsd_domid_parse(xsd_wire_onearg(r->m), domid_r);
}

static int do_get_domain_path(struct req *r)
{
    char path[32];
    uint32_t domid;
    int rc = onearg_domid(r, &domid);

    if (rc < 0)
        return rc;
    return reply(r, path, xsd_path_domain(domid, path) + 1);
}

static int do_introduce(struct req *r)
{
    const char *vec[3];
    uint32_t domid;

    if (xsd_wire_strings(r->m, vec, 3) < 3 ||
        xsd_domid_parse(vec[0], &domid) < 0 || domid == 0 ||
        domid >= DOMID_FIRST_RESERVED || atoi(vec[2]) <= 0)
        return -EINVAL;
    xsd_domain_introduced(r->x, domid);
    return ack(r);
}

/* RELEASE and RESUME: a real, introduced domain. */
static int introduced_domid(struct req *r, uint32_t *domid_r)
{
    int rc = onearg_domid(r, domid_r);

    if (rc < 0 || *domid_r == 0)
        return -EINVAL;
    return xsd_domain_is_introduced(r->x, *domid_r) ? 0 : -ENOENT;
}

static int do_release(struct req *r)
{
    uint32_t domid;
    int rc = introduced_domid(r, &domid);

    if (rc < 0)
        return rc;
    xsd_domain_released(r->x, domid);
    return ack(r);
}

static int do_resume(struct req *r)
{
    uint32_t domid;
    int rc = introduced_domid(r, &domid);

    return rc < 0 ? rc : ack(r);
}

static int do_is_introduced(struct req *r)
{
    uint32_t domid;
    int rc = onearg_domid(r, &domid);

    if (rc < 0)
        return rc;
    if (domid == DOMID_SELF || xsd_domain_is_introduced(r->x, domid))
        return reply(r, "T", 2);
    return reply(r, "F", 2);
}

/* Every socket client is privileged, so a target changes nothing. */
static int do_set_target(struct req *r)
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
    return ack(r);
}

/* ---- CONTROL (xenstore-control) ---- */

static int do_control(struct req *r)
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
        return ack(r);
    if (strcmp(vec[0], "log") == 0 && n == 2 &&
        (strcmp(vec[1], "on") == 0 || strcmp(vec[1], "off") == 0))
        return ack(r);
    if (strcmp(vec[0], "print") == 0 && n == 2) {
        xn_log(XN_LOG_INFO, "xenstore: %s", vec[1]);
        return ack(r);
    }
    if (strcmp(vec[0], "help") == 0 && n == 1)
        return reply(r, help, sizeof(help));
    if (strcmp(vec[0], "quota") == 0 && n == 1) {
        snprintf(buf, sizeof(buf),
                 "Nodes in store:            %u\n"
                 "Bytes in a value:          %u\n"
                 "Watches per connection:    %u\n"
                 "Transactions per connection: %u\n"
                 "Connections:               %u\n",
                 l->max_nodes, l->max_value, l->max_watches_per_conn,
                 l->max_txns_per_conn, l->max_conns);
        return reply(r, buf, strlen(buf) + 1);
    }
    return -EINVAL;
}

/* ---- dispatch ---- */

typedef int handler_fn(struct req *r);

static const struct {
    handler_fn *fn;
    bool notid;         /* the tx_id is ignored */
} handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {do_control, false},
    [XS_DIRECTORY] = {do_directory, false},
    [XS_READ] = {do_read, false},
    [XS_GET_PERMS] = {do_get_perms, false},
    [XS_WATCH] = {do_watch, true},
    [XS_UNWATCH] = {do_unwatch, true},
    [XS_TRANSACTION_START] = {do_txn_start, false},
    [XS_TRANSACTION_END] = {do_txn_end, false},
    [XS_INTRODUCE] = {do_introduce, false},
    [XS_RELEASE] = {do_release, false},
    [XS_GET_DOMAIN_PATH] = {do_get_domain_path, false},
    [XS_WRITE] = {do_write, false},
    [XS_MKDIR] = {do_mkdir, false},
    [XS_RM] = {do_rm, false},
    [XS_SET_PERMS] = {do_set_perms, false},
    [XS_IS_DOMAIN_INTRODUCED] = {do_is_introduced, false},
    [XS_RESUME] = {do_resume, false},
    [XS_SET_TARGET] = {do_set_target, false},
    [XS_RESET_WATCHES] = {do_reset_watches, false},
    [XS_DIRECTORY_PART] = {do_directory_part, false},
};

void xsd_ops_handle(struct xsd_conn *conn, const struct xsd_wire_msg *m)
{
    struct req r = {.x = conn->x, .conn = conn, .m = m};
    uint32_t type = m->hdr.type;
    const char *err;
    int rc;

    if (type >= XS_TYPE_COUNT || !handlers[type].fn) {
        rc = -ENOSYS;
    } else if (!handlers[type].notid && m->hdr.tx_id != 0 &&
               !(r.txn = txn_find(conn, m->hdr.tx_id))) {
        rc = -ENOENT;
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
