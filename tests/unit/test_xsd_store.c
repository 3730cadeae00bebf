/*
 * test_xsd_store.c - the simulated host's xenstore (toolstack/sim/xsd): paths
 * and permission strings, what a guest domain may do in the tree, the
 * basic requests through libxenstore, large directories, many clients,
 * and the limits on values, watches, transactions, nodes and connections.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_testlib.h"

/* ---- paths and permissions, directly ---- */

START_TEST(paths)
{
    char out[XSD_PATH_BUF], big[XSD_PATH_BUF + 10];
    struct xsd_perm p;
    uint32_t d;

    ck_assert_int_eq(xsd_path_canon("/", 0, out), 0);
    ck_assert_str_eq(out, "/");
    ck_assert_int_eq(xsd_path_canon("/a-b/C_9/@x", 0, out), 0);
    ck_assert_int_eq(xsd_path_canon("name", 7, out), 0);
    ck_assert_str_eq(out, "/local/domain/7/name");
    ck_assert_int_eq(xsd_path_canon("a/b", 0, out), 0);
    ck_assert_str_eq(out, "/local/domain/0/a/b");
    static const char *const bad[] = {
        "", "//", "/a//b", "/a/", "/a b", "/a.b", "/ä", "@introduceDomain",
        "a/", "/a\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(xsd_path_canon(bad[i], 0, out) == -EINVAL,
                      "\"%s\" accepted", bad[i]);
    ck_assert_int_eq(xsd_path_canon(NULL, 0, out), -EINVAL);

    /* At most 2048 bytes, counted below /local/domain/N/ there. */
    memset(big, 'a', sizeof(big));
    big[0] = '/';
    big[XENSTORE_REL_PATH_MAX] = '\0';
    ck_assert_int_eq(xsd_path_canon(big, 0, out), 0);
    big[XENSTORE_REL_PATH_MAX] = 'a';
    big[XENSTORE_REL_PATH_MAX + 1] = '\0';
    ck_assert_int_eq(xsd_path_canon(big, 0, out), -EINVAL);
    ck_assert_int_eq(xsd_path_canon(big + 1, 3, out), 0);
    big[XENSTORE_REL_PATH_MAX + 1] = 'a';
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(xsd_path_canon(big, 0, out), -EINVAL);
    ck_assert_int_eq(xsd_path_canon(big + 1, 3, out), -EINVAL);

    ck_assert(xsd_path_is_child("/a/b", "/a"));
    ck_assert(xsd_path_is_child("/a", "/a"));
    ck_assert(xsd_path_is_child("/a", "/"));
    ck_assert(!xsd_path_is_child("/ab", "/a"));
    ck_assert(!xsd_path_is_child("/a", "/a/b"));

    ck_assert_int_eq(xsd_perm_parse("b12", &p), 0);
    ck_assert_uint_eq(p.domid, 12);
    ck_assert_uint_eq(p.perms, XSD_PERM_BOTH);
    ck_assert_int_eq(xsd_perm_parse("n0", &p), 0);
    ck_assert_uint_eq(p.perms, XSD_PERM_NONE);
    ck_assert_int_eq(xsd_perm_parse("x1", &p), -EINVAL);
    ck_assert_int_eq(xsd_perm_parse("r", &p), -EINVAL);
    ck_assert_int_eq(xsd_perm_parse("r1x", &p), -EINVAL);
    ck_assert_int_eq(xsd_perm_parse("r70000", &p), -EINVAL);
    ck_assert_int_eq(xsd_domid_parse("65535", &d), 0);
    ck_assert_int_eq(xsd_domid_parse("-1", &d), -EINVAL);
    ck_assert_int_eq(xsd_domid_parse("", &d), -EINVAL);
}
END_TEST

/* What a guest domain may do: the rules a dom0 socket never meets. */
START_TEST(guest_permissions)
{
    uint64_t gen = 0;
    struct xsd_tree t;
    struct xsd_caller dom0 = {.domid = 0}, g = {.domid = 5};
    struct xsd_perm n0[1] = {{0, XSD_PERM_NONE}};
    struct xsd_perm r5[2] = {{0, XSD_PERM_NONE}, {5, XSD_PERM_READ}};
    struct xsd_perm b5[2] = {{0, XSD_PERM_NONE}, {5, XSD_PERM_BOTH}};
    struct xsd_perm own5[1] = {{5, XSD_PERM_READ}};
    const struct xsd_node *n;
#define OP(k, p, ...) (&(struct xsd_op){.kind = (k), .path = (p), __VA_ARGS__})

    ck_assert_int_eq(xsd_tree_init(&t, &gen), 0);
    ck_assert_int_eq(xsd_tree_apply(&t, &dom0, OP(XSD_OP_WRITE, "/d/x",
                                    .value = "v", .len = 1)), 0);
    ck_assert_int_eq(xsd_tree_get(&t, &g, "/d/x", &n), -EACCES);
    ck_assert_int_eq(xsd_tree_get(&t, &g, "/d/nope", &n), -ENOENT);
    ck_assert_int_eq(xsd_tree_apply(&t, &dom0, OP(XSD_OP_PERMS, "/d/x",
                                    .perms = r5, .nperms = 2)), 0);
    ck_assert_int_eq(xsd_tree_get(&t, &g, "/d/x", &n), 0);
    ck_assert_int_eq(n->len, 1);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_WRITE, "/d/x",
                                    .value = "w", .len = 1)), -EACCES);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_RM, "/d/x")), -EACCES);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_PERMS, "/d/x",
                                    .perms = b5, .nperms = 2)), -EACCES);

    /* Creating needs write access to the parent; a guest owns what it
     * creates, and may not give it away. */
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_WRITE, "/d/y/z",
                                    .value = "", .len = 0)), -EACCES);
    ck_assert_int_eq(xsd_tree_apply(&t, &dom0, OP(XSD_OP_PERMS, "/d",
                                    .perms = b5, .nperms = 2)), 0);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_WRITE, "/d/y/z",
                                    .value = "g", .len = 1)), 0);
    n = xsd_tree_find(&t, "/d/y/z");
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(n->perms[0].domid, 5);
    ck_assert_uint_eq(n->nperms, 2);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_PERMS, "/d/y/z",
                                    .perms = n0, .nperms = 1)), -EPERM);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_PERMS, "/d/y/z",
                                    .perms = own5, .nperms = 1)), 0);
    ck_assert_int_eq(xsd_tree_get(&t, &g, "/d/y/z", &n), 0);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_RM, "/d/y")), 0);
    ck_assert_uint_eq(t.nnodes, 3);         /* /, /d, /d/x */
    xsd_tree_dispose(&t);
#undef OP
}
END_TEST

/* ---- libxenstore ---- */

START_TEST(libxs_basic)
{
    struct xs_handle *h;
    struct xs_permissions *perms, set[2] = {
        {.id = 0, .perms = XS_PERM_NONE}, {.id = 5, .perms = XS_PERM_READ},
    };
    unsigned n, len;
    char **dir, *v;

    xsdt_fork_start(NULL);
    h = xs_open(0);
    ck_assert_ptr_nonnull(h);

    /* The initial tree is xenstored's. */
    dir = xs_directory(h, XBT_NULL, "/", &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(dir[0], "tool");
    free(dir);
    xsdt_xs_expect(h, "/tool/xenstored", "");

    ck_assert(xs_write(h, XBT_NULL, "/a/b/c", "v1", 2));
    xsdt_xs_expect(h, "/a/b/c", "v1");
    xsdt_xs_expect(h, "/a/b", "");
    ck_assert(xs_write(h, XBT_NULL, "/a/b/d", "v2", 2));
    dir = xs_directory(h, XBT_NULL, "/a/b", &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(dir[0], "c");
    ck_assert_str_eq(dir[1], "d");
    free(dir);
    ck_assert(xs_write(h, XBT_NULL, "/a/b/c", "v3", 2));
    xsdt_xs_expect(h, "/a/b/c", "v3");

    /* Binary values keep their NULs. */
    ck_assert(xs_write(h, XBT_NULL, "/bin", "x\0y", 3));
    v = xs_read(h, XBT_NULL, "/bin", &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(memcmp(v, "x\0y", 3), 0);
    free(v);

    /* mkdir keeps what exists. */
    ck_assert(xs_mkdir(h, XBT_NULL, "/m/n"));
    xsdt_xs_expect(h, "/m/n", "");
    ck_assert(xs_mkdir(h, XBT_NULL, "/a/b/c"));
    xsdt_xs_expect(h, "/a/b/c", "v3");

    /* rm takes the subtree; a missing node is fine if its parent is
     * there; "/" cannot go. */
    ck_assert(xs_rm(h, XBT_NULL, "/a/b"));
    xsdt_xs_absent(h, XBT_NULL, "/a/b/c");
    xsdt_xs_absent(h, XBT_NULL, "/a/b");
    xsdt_xs_expect(h, "/a", "");
    ck_assert(xs_rm(h, XBT_NULL, "/a/zzz"));
    ck_assert(!xs_rm(h, XBT_NULL, "/q/zzz"));
    ck_assert_int_eq(errno, ENOENT);
    ck_assert(!xs_rm(h, XBT_NULL, "/"));
    ck_assert_int_eq(errno, EINVAL);

    /* Bad paths. */
    ck_assert(!xs_write(h, XBT_NULL, "/bad//path", "x", 1));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(!xs_write(h, XBT_NULL, "/bad/", "x", 1));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(!xs_read(h, XBT_NULL, "/sp ace", NULL));
    ck_assert_int_eq(errno, EINVAL);

    /* Relative paths are below /local/domain/0 for the socket. */
    ck_assert(xs_write(h, XBT_NULL, "rel/k", "r", 1));
    xsdt_xs_expect(h, "/local/domain/0/rel/k", "r");
    xsdt_xs_expect(h, "rel/k", "r");
    v = xs_get_domain_path(h, 7);
    ck_assert_str_eq(v, "/local/domain/7");
    free(v);

    /* Permissions: listed, set, inherited by new children. */
    perms = xs_get_permissions(h, XBT_NULL, "/a", &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(perms[0].id, 0);
    ck_assert_uint_eq(perms[0].perms, XS_PERM_NONE);
    free(perms);
    ck_assert(xs_set_permissions(h, XBT_NULL, "/a", set, 2));
    ck_assert(xs_write(h, XBT_NULL, "/a/child", "c", 1));
    perms = xs_get_permissions(h, XBT_NULL, "/a/child", &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(perms[1].id, 5);
    ck_assert_uint_eq(perms[1].perms, XS_PERM_READ);
    free(perms);
    ck_assert(!xs_set_permissions(h, XBT_NULL, "/nope", set, 2));
    ck_assert_int_eq(errno, ENOENT);

    /* CONTROL, as xenstore-control sends it. */
    v = xs_control_command(h, "check", NULL, 0);
    ck_assert_str_eq(v, "OK");
    free(v);
    ck_assert_ptr_null(xs_control_command(h, "no-such-command", NULL, 0));
    ck_assert_int_eq(errno, EINVAL);

    xs_close(h);
    xsdt_fork_stop();
}
END_TEST

/* A directory longer than one message comes in DIRECTORY_PART pieces. */
START_TEST(libxs_large_directory)
{
    struct xs_handle *h;
    char path[128], **dir;
    unsigned n;

    xsdt_fork_start(NULL);
    h = xs_open(0);
    ck_assert_ptr_nonnull(h);
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path),
                 "/big/child-with-a-rather-long-name-%04d", i);
        ck_assert(xs_write(h, XBT_NULL, path, "", 0));
    }
    dir = xs_directory(h, XBT_NULL, "/big", &n);
    ck_assert_ptr_nonnull(dir);
    ck_assert_uint_eq(n, 300);
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "child-with-a-rather-long-name-%04d", i);
        ck_assert_str_eq(dir[i], path);
    }
    free(dir);
    xs_close(h);
    xsdt_fork_stop();
}
END_TEST

START_TEST(libxs_many_clients)
{
    struct xs_handle *h[40];
    char path[64], val[16];

    xsdt_fork_start(NULL);
    for (int i = 0; i < 40; i++) {
        h[i] = xs_open(0);
        ck_assert_ptr_nonnull(h[i]);
    }
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof(path), "/many/%d", i);
        snprintf(val, sizeof(val), "%d", i * i);
        ck_assert(xs_write(h[i], XBT_NULL, path, val, strlen(val)));
    }
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof(path), "/many/%d", 39 - i);
        snprintf(val, sizeof(val), "%d", (39 - i) * (39 - i));
        xsdt_xs_expect(h[i], path, val);
        xs_close(h[i]);
    }
    xsdt_fork_stop();
}
END_TEST

/* ---- limits, on the wire ---- */

START_TEST(limits)
{
    struct xsd_limits lim;
    struct xsdt_cli *c, *extra[3];
    char value[80], tok[8], path[128];
    struct xsdt_rmsg m;

    xsd_limits_default(&lim);
    lim.max_value = 64;
    lim.max_watches_per_conn = 3;
    lim.max_txns_per_conn = 2;
    lim.max_nodes = 10;
    lim.max_conns = 4;
    xsdt_start(&lim);
    c = xsdt_cli_new();

    memset(value, 'v', sizeof(value));
    value[64] = '\0';
    ck_assert_str_eq(xsdt_wr(c, 0, "/v", value), "OK");
    value[65] = '\0';
    value[64] = 'v';
    ck_assert_str_eq(xsdt_wr(c, 0, "/v", value), "!ENOSPC");
    ck_assert_int_eq(strlen(xsdt_call1(c, XS_READ, 0, "/v")), 64);
    ck_assert_int_eq(xsd_write(xsdt_xs, "/v", value, 65), XN_EINVAL);

    for (int i = 0; i < 3; i++) {
        snprintf(tok, sizeof(tok), "t%d", i);
        ck_assert_str_eq(xsdt_call2(c, XS_WATCH, 0, "/v", tok), "OK");
    }
    ck_assert_str_eq(xsdt_call2(c, XS_WATCH, 0, "/v", "t0"), "!EEXIST");
    ck_assert_str_eq(xsdt_call2(c, XS_WATCH, 0, "/v", "t9"), "!E2BIG");
    c->nev = 0;

    ck_assert_str_ne(xsdt_call1(c, XS_TRANSACTION_START, 0, ""), "!ENOSPC");
    ck_assert_str_ne(xsdt_call1(c, XS_TRANSACTION_START, 0, ""), "!ENOSPC");
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_START, 0, ""), "!ENOSPC");

    /* 4 nodes now (/, /tool, /tool/xenstored, /v): 6 more fit, not 7. */
    ck_assert_str_eq(xsdt_call1(c, XS_MKDIR, 0, "/1/2/3/4/5/6/7"), "!ENOSPC");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/1"), "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_MKDIR, 0, "/1/2/3/4/5/6"), "OK");
    ck_assert_str_eq(xsdt_wr(c, 0, "/x", "1"), "!ENOSPC");
    ck_assert_int_eq(xsd_mkdir(xsdt_xs, "/y"), XN_EFAIL);
    ck_assert_str_eq(xsdt_call1(c, XS_RM, 0, "/1"), "OK");

    /* A transaction's new nodes must still fit when it commits. */
    {
        char tx[16];
        uint32_t t;

        ck_assert_str_eq(xsdt_call1(c, XS_RESET_WATCHES, 0, ""), "OK");
        snprintf(tx, sizeof(tx), "%s",
                 xsdt_call1(c, XS_TRANSACTION_START, 0, ""));
        t = (uint32_t)strtoul(tx, NULL, 10);
        ck_assert_str_eq(xsdt_call1(c, XS_MKDIR, t, "/tx/1/2"), "OK");
        ck_assert_str_eq(xsdt_call1(c, XS_MKDIR, 0, "/tool/a/b/c/d"), "OK");
        ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, t, "T"), "!ENOSPC");
        ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/tx"), "!ENOENT");
        ck_assert_str_eq(xsdt_call1(c, XS_RM, 0, "/tool/a/b/c"), "OK");
        snprintf(tx, sizeof(tx), "%s",
                 xsdt_call1(c, XS_TRANSACTION_START, 0, ""));
        t = (uint32_t)strtoul(tx, NULL, 10);
        ck_assert_str_eq(xsdt_call1(c, XS_MKDIR, t, "/tx/1/2"), "OK");
        ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, t, "T"), "OK");
        ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/tx/1/2"), "");
    }

    /* Connections over the limit are closed at once. */
    for (int i = 0; i < 3; i++)
        extra[i] = xsdt_cli_new();
    struct xsdt_cli *over = xsdt_cli_new();
    ck_assert_int_eq(xsdt_cli_next(over, &m, 1000), 0);
    xsdt_cli_free(over);
    ck_assert_uint_eq(xsdt_xs->nconns, 4);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "/tool/xenstored");
        ck_assert_str_eq(xsdt_call1(extra[i], XS_READ, 0, path), "");
        xsdt_cli_free(extra[i]);
    }
    xsdt_cli_free(c);
    xsdt_stop();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xsd_store");
    TCase *tc = tcase_create("xsd_store");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, paths);
    tcase_add_test(tc, guest_permissions);
    tcase_add_test(tc, libxs_basic);
    tcase_add_test(tc, libxs_large_directory);
    tcase_add_test(tc, libxs_many_clients);
    tcase_add_test(tc, limits);
    suite_add_tcase(s, tc);
    return xsdt_run(s);
}
