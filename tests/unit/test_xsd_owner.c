/*
 * test_xsd_owner.c - the owner's API of the simulated host's xenstore
 * (xsd.h): its own reads, writes and watches, domains introduced and
 * released, domain trees as libxl lays them out, and the socket file.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "xsd_testlib.h"

struct seen {
    int n;
    char last[256];
};

static void record(void *opaque, const char *path, const char *token)
{
    struct seen *s = opaque;

    s->n++;
    snprintf(s->last, sizeof(s->last), "%.120s|%.120s", path, token);
}

static void settle(void)
{
    for (int i = 0; i < 5; i++)
        xsdt_pump();
}

START_TEST(owner_api)
{
    struct seen seen = {0};
    struct xsd_perm perms[2] = {{0, XSD_PERM_NONE}, {4, XSD_PERM_READ}};
    struct xsd_perm *got;
    struct xsdt_cli *c;
    char *v, **names;
    size_t len;
    unsigned n;

    xsdt_start(NULL);
    ck_assert_str_eq(xsd_socket_path(xsdt_xs), xsdt_sock);
    c = xsdt_cli_new();

    ck_assert_int_eq(xsd_write_str(xsdt_xs, "/o/a", "one"), 0);
    ck_assert_int_eq(xsd_read(xsdt_xs, "/o/a", &v, &len), 0);
    ck_assert_str_eq(v, "one");
    ck_assert_uint_eq(len, 3);
    free(v);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/o/a"), "one");
    ck_assert_str_eq(xsdt_wr(c, 0, "/o/b", "two"), "OK");
    ck_assert_int_eq(xsd_read(xsdt_xs, "/o/b", &v, NULL), 0);
    ck_assert_str_eq(v, "two");
    free(v);
    ck_assert_int_eq(xsd_read(xsdt_xs, "/o/c", &v, NULL), XN_ENOENT);
    ck_assert_int_eq(xsd_read(xsdt_xs, "bad//", &v, NULL), XN_EINVAL);
    ck_assert_int_eq(xsd_mkdir(xsdt_xs, "/o/d"), 0);
    ck_assert_int_eq(xsd_directory(xsdt_xs, "/o", &names, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(names[0], "a");
    ck_assert_str_eq(names[2], "d");
    ck_assert_ptr_null(names[3]);
    free(names);
    ck_assert_int_eq(xsd_set_perms(xsdt_xs, "/o/a", perms, 2), 0);
    ck_assert_int_eq(xsd_get_perms(xsdt_xs, "/o/a", &got, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(got[1].domid, 4);
    ck_assert_uint_eq(got[1].perms, XSD_PERM_READ);
    free(got);
    ck_assert_int_eq(xsd_set_perms(xsdt_xs, "/o/a", perms, 0), XN_EINVAL);
    ck_assert_int_eq(xsd_rm(xsdt_xs, "/o/d"), 0);
    ck_assert_int_eq(xsd_rm(xsdt_xs, "/o/d"), 0);
    ck_assert_int_eq(xsd_rm(xsdt_xs, "/zz/d"), XN_ENOENT);
    ck_assert_int_eq(xsd_rm(xsdt_xs, "/"), XN_EINVAL);
    ck_assert_int_eq(xsd_write_str(xsdt_xs, "rel", "0"), 0);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/0/rel"), "0");

    /* Owner watches fire from the loop, never inside the call. */
    ck_assert_int_eq(xsd_watch(xsdt_xs, "/o", "mine", record, &seen), 0);
    ck_assert_int_eq(xsd_watch(xsdt_xs, "/o", "mine", record, &seen),
                     XN_EEXIST);
    ck_assert_int_eq(seen.n, 0);
    settle();
    ck_assert_int_eq(seen.n, 1);
    ck_assert_str_eq(seen.last, "/o|mine");
    ck_assert_int_eq(xsd_write_str(xsdt_xs, "/o/a", "x"), 0);
    ck_assert_int_eq(seen.n, 1);
    settle();
    ck_assert_int_eq(seen.n, 2);
    ck_assert_str_eq(seen.last, "/o/a|mine");
    ck_assert_str_eq(xsdt_wr(c, 0, "/o/target", "512"), "OK");
    settle();
    ck_assert_int_eq(seen.n, 3);
    ck_assert_str_eq(seen.last, "/o/target|mine");
    ck_assert_int_eq(xsd_unwatch(xsdt_xs, "/o", "mine"), 0);
    ck_assert_int_eq(xsd_unwatch(xsdt_xs, "/o", "mine"), XN_ENOENT);
    ck_assert_int_eq(xsd_write_str(xsdt_xs, "/o/a", "y"), 0);
    settle();
    ck_assert_int_eq(seen.n, 3);

    /* An event queued for a watch removed before delivery is dropped. */
    ck_assert_int_eq(xsd_watch(xsdt_xs, "rel", "r", record, &seen), 0);
    ck_assert_int_eq(xsd_unwatch(xsdt_xs, "rel", "r"), 0);
    settle();
    ck_assert_int_eq(seen.n, 3);
    ck_assert_int_eq(xsd_watch(xsdt_xs, "rel", "r", record, &seen), 0);
    ck_assert_int_eq(xsd_write_str(xsdt_xs, "/local/domain/0/rel/z", "1"), 0);
    settle();
    ck_assert_int_eq(seen.n, 5);
    ck_assert_str_eq(seen.last, "rel/z|r");

    /* Domains: introduce fires once; release takes the domain's nodes. */
    ck_assert_str_eq(xsdt_call2(c, XS_WATCH, 0, "@introduceDomain", "i"),
                     "OK");
    ck_assert_str_eq(xsdt_call2(c, XS_WATCH, 0, "@releaseDomain", "r"), "OK");
    ck_assert_str_eq(xsdt_call2(c, XS_WATCH, 0, "/local/domain/9/data", "d"),
                     "OK");
    ck_assert_str_eq(xsdt_next_event(c), "@introduceDomain|i");
    ck_assert_str_eq(xsdt_next_event(c), "@releaseDomain|r");
    ck_assert_str_eq(xsdt_next_event(c), "/local/domain/9/data|d");
    ck_assert(!xsd_domain_is_introduced(xsdt_xs, 9));
    xsd_domain_introduced(xsdt_xs, 9);
    xsd_domain_introduced(xsdt_xs, 9);
    ck_assert(xsd_domain_is_introduced(xsdt_xs, 9));
    ck_assert_str_eq(xsdt_call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "9"), "T");
    ck_assert_str_eq(xsdt_next_event(c), "@introduceDomain|i");
    xsdt_no_event(c);
    ck_assert_int_eq(xsd_mkdir(xsdt_xs, "/local/domain/9"), 0);
    ck_assert_int_eq(xsd_mkdir(xsdt_xs, "/local/domain/9/data/x"), 0);
    ck_assert_int_eq(xsd_set_perms(xsdt_xs, "/local/domain/9/data",
                                   &(struct xsd_perm){9, XSD_PERM_NONE}, 1),
                     0);
    ck_assert_str_eq(xsdt_next_event(c), "/local/domain/9/data/x|d");
    ck_assert_str_eq(xsdt_next_event(c), "/local/domain/9/data|d");
    xsd_domain_released(xsdt_xs, 9);
    ck_assert_str_eq(xsdt_next_event(c), "/local/domain/9/data|d");
    ck_assert_str_eq(xsdt_next_event(c), "@releaseDomain|r");
    ck_assert(!xsd_domain_is_introduced(xsdt_xs, 9));
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/9/data"),
                     "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/9"), "");

    ck_assert_int_eq(xsd_unwatch(xsdt_xs, "rel", "r"), 0);
    xsdt_cli_free(c);
    xsdt_stop();
}
END_TEST

/* Domain trees as libxl lays them out, and their removal. */
START_TEST(layout)
{
    struct xsd_domain_info d = {
        .domid = 3, .name = "web1", .type = "hvm",
        .uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        .max_memkb = 1048576, .target_memkb = 1040384, .video_memkb = 8192,
        .max_vcpus = 2, .online_vcpus = 1, .store_port = 1,
        .store_mfn = 4096,
    };
    struct xsdt_cli *c;

    xsdt_start(NULL);
    c = xsdt_cli_new();
    ck_assert_int_eq(xsd_layout_dom0(xsdt_xs), 0);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/0/name"),
                     "Domain-0");
    ck_assert_str_eq(xsdt_call2(c, XS_WATCH, 0, "@introduceDomain", "i"),
                     "OK");
    ck_assert_str_eq(xsdt_call2(c, XS_WATCH, 0, "@releaseDomain", "r"), "OK");
    ck_assert_str_eq(xsdt_next_event(c), "@introduceDomain|i");
    ck_assert_str_eq(xsdt_next_event(c), "@releaseDomain|r");

    ck_assert_int_eq(xsd_layout_domain(xsdt_xs, &d), 0);
    ck_assert_str_eq(xsdt_next_event(c), "@introduceDomain|i");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/3/name"),
                     "web1");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/3/domid"), "3");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/3/vm"),
                     "/vm/6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/vm/6ba7b810-9dad-11d1-80b4-00c04fd430c8"
                                "/name"),
                     "web1");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/3/memory/target"),
                     "1040384");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/3/memory/static-max"),
                     "1048576");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/3/cpu/1/availability"),
                     "offline");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/libxl/3/type"), "hvm");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_PERMS, 0, "/local/domain/3"),
                     "n0|r3");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_PERMS, 0, "/local/domain/3/name"),
                     "n0|r3");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_PERMS, 0,
                                "/local/domain/3/memory/target"),
                     "n0|r3");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_PERMS, 0,
                                "/local/domain/3/control/shutdown"), "n3");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_PERMS, 0,
                                "/local/domain/3/control/feature-s4"), "n3");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_PERMS, 0, "/local/domain/3/data"),
                     "n3");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_PERMS, 0, "/libxl/3"), "n0");
    ck_assert_str_eq(xsdt_call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "3"), "T");

    /* The guest's own nodes elsewhere go when it is released. */
    ck_assert_int_eq(xsd_write_str(xsdt_xs,
                                   "/local/domain/0/backend/vif/3/0/x", "1"),
                     0);
    ck_assert_int_eq(xsd_set_perms(xsdt_xs, "/local/domain/0/backend/vif/3",
                                   &(struct xsd_perm){3, XSD_PERM_NONE}, 1),
                     0);
    xsd_domain_shutdown(xsdt_xs, 3);
    ck_assert_str_eq(xsdt_next_event(c), "@releaseDomain|r");
    xsd_layout_remove(xsdt_xs, 3);
    ck_assert_str_eq(xsdt_next_event(c), "@releaseDomain|r");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/3"), "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/libxl/3"), "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_DIRECTORY, 0, "/vm"), "");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/0/backend/vif/3"), "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_DIRECTORY, 0,
                                "/local/domain/0/backend/vif"), "");
    ck_assert_str_eq(xsdt_call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "3"), "F");
    d.domid = 0;
    ck_assert_int_eq(xsd_layout_domain(xsdt_xs, &d), XN_EINVAL);
    xsdt_cli_free(c);
    xsdt_stop();
}
END_TEST

/* A second server on a live socket is refused; a stale one is replaced. */
START_TEST(socket_reuse)
{
    struct event_base *b2 = event_base_new();
    struct xsd *x2;
    struct xn_msg msg;
    char file[160];
    int fd;

    xsdt_start(NULL);
    ck_assert_int_eq(xsd_new(b2, xsdt_sock, NULL, &x2, &msg), XN_EBUSY);
    ck_assert_ptr_nonnull(strstr(msg.text, xsdt_sock));
    snprintf(file, sizeof(file), "%s/plain", xsdt_tmpdir);
    fd = open(file, O_CREAT | O_WRONLY, 0600);
    close(fd);
    ck_assert_int_eq(xsd_new(b2, file, NULL, &x2, &msg), XN_EEXIST);
    unlink(file);
    xsdt_stop();

    /* A socket file nobody listens on. */
    xsdt_mktmp();
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, xsdt_sock);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
    ck_assert_int_eq(xsd_new(b2, xsdt_sock, NULL, &x2, &msg), 0);
    xsd_free(x2);
    ck_assert_int_ne(access(xsdt_sock, F_OK), 0);
    rmdir(xsdt_tmpdir);
    event_base_free(b2);
    xsd_free(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xsd_owner");
    TCase *tc = tcase_create("xsd_owner");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, owner_api);
    tcase_add_test(tc, layout);
    tcase_add_test(tc, socket_reuse);
    suite_add_tcase(s, tc);
    return xsdt_run(s);
}
