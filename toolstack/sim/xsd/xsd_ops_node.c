/*
 * xsd_ops_node.c - the handlers of requests on nodes (READ, DIRECTORY,
 * DIRECTORY_PART, GET_PERMS, WRITE, MKDIR, RM, SET_PERMS) and on watches
 * (WATCH, UNWATCH, RESET_WATCHES).  They work on the request's
 * transaction when it has one, else on the main tree; xsd_ops.c
 * dispatches to them.
 */
#include "xsd_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tree a request works on, and who it is there. */
static struct xsd_tree *setup(struct xsd_req *r, struct xsd_caller *c)
{
    xsd_main_caller(r->x, r->conn->domid, c);
    if (!r->txn)
        return &r->x->tree;
    c->hooks = xsd_txn_hooks(r->txn);
    return xsd_txn_tree(r->txn);
}

static int canon(struct xsd_req *r, const char *in, char *out)
{
    return xsd_path_canon(in, r->conn->domid, out);
}

/* Run a modifying operation on the request's tree. */
static int apply(struct xsd_req *r, const struct xsd_op *op)
{
    struct xsd_caller c;
    struct xsd_tree *t = setup(r, &c);
    int rc;

    if (r->txn)
        rc = xsd_txn_apply(r->txn, &c, op);
    else
        rc = xsd_tree_apply(t, &c, op);
    return rc < 0 ? rc : xsd_req_ack(r);
}

/* Look a node up for reading in the request's tree. */
static int get(struct xsd_req *r, const char *arg, const struct xsd_node **n_r)
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

int xsd_req_read(struct xsd_req *r)
{
    const struct xsd_node *n;
    int rc = get(r, xsd_wire_onearg(r->m), &n);

    return rc < 0 ? rc : xsd_req_reply(r, n->value, n->len);
}

/* The children's names, each with its NUL, in a malloc'd buffer. */
static int children(const struct xsd_node *n, char **buf_r, size_t *len_r)
{
    size_t len = 0, off = 0;
    char *buf;

    for (unsigned i = 0; i < n->nchildren; i++)
        len += strlen(n->children[i]->name) + 1;
    buf = malloc(len + 1);
    if (!buf)
        return -ENOMEM;
    for (unsigned i = 0; i < n->nchildren; i++) {
        const char *name = n->children[i]->name;
        size_t l = strlen(name) + 1;

        memcpy(buf + off, name, l);
        off += l;
    }
    *buf_r = buf;
    *len_r = len;
    return 0;
}

int xsd_req_directory(struct xsd_req *r)
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
    rc = xsd_req_reply(r, list, len);
    free(list);
    return rc;
}

/*
 * DIRECTORY_PART <path>|<offset>| -> <generation>|<names from offset>...
 * Each part holds whole names; the last part ends with an empty string.
 */
int xsd_req_directory_part(struct xsd_req *r)
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
    rc = xsd_req_reply(r, out, genlen + take);
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

int xsd_req_get_perms(struct xsd_req *r)
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
    rc = xsd_req_reply(r, s, len);
    free(s);
    return rc;
}

int xsd_req_write(struct xsd_req *r)
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

static int do_path_op(struct xsd_req *r, enum xsd_op_kind kind)
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

int xsd_req_mkdir(struct xsd_req *r)
{
    return do_path_op(r, XSD_OP_MKDIR);
}

int xsd_req_rm(struct xsd_req *r)
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

int xsd_req_set_perms(struct xsd_req *r)
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
        return xsd_req_ack(r);
    }
    rc = canon(r, vec[0], path);
    return rc < 0 ? rc : apply(r, &op);
}

/* ---- watches ---- */

int xsd_req_watch(struct xsd_req *r)
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
    xsd_req_ack(r);
    xsd_watch_initial(r->x, w);
    return 0;
}

int xsd_req_unwatch(struct xsd_req *r)
{
    const char *vec[2];
    char path[XSD_PATH_BUF];
    int rc;

    if (xsd_wire_strings(r->m, vec, 2) < 2)
        return -EINVAL;
    if (vec[0][0] == '@' || canon(r, vec[0], path) < 0)
        snprintf(path, sizeof(path), "%s", vec[0]);
    rc = xsd_watch_del(r->x, r->conn, path, vec[1]);
    return rc < 0 ? rc : xsd_req_ack(r);
}

int xsd_req_reset_watches(struct xsd_req *r)
{
    xsd_watch_del_conn(r->x, r->conn);
    xsd_conn_drop_txns(r->conn);
    return xsd_req_ack(r);
}
