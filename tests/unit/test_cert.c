/* test_cert.c - the pool's certificates: a CA made, hosts' certificates
 * issued, revoked, listed and loaded (and refused) as xenithd loads
 * them. */
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "migration/cert/cert.h"
#include "migration/cert/cert_int.h"

static char tmp[64];

static void setup(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/test_cert.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    return remove(path);
}

static void teardown(void)
{
    nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* tmp/a/b... into a static buffer (one of four, in turn). */
static const char *p(const char *fmt, ...) __attribute__((format(printf, 1,
                                                                  2)));
static const char *p(const char *fmt, ...)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    int n = snprintf(b, 512, "%s/", tmp);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(b + n, 512 - (size_t)n, fmt, ap);
    va_end(ap);
    return b;
}

static mode_t mode_of(const char *path)
{
    struct stat st;

    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static X509 *load_crt(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x;

    ck_assert_ptr_nonnull(f);
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    ck_assert_ptr_nonnull(x);
    return x;
}

static void copy(const char *from, const char *to)
{
    char *text;
    size_t len;

    ck_assert_int_eq(cert_file_read(from, &text, &len, NULL), 0);
    ck_assert_int_eq(cert_file_write(to, text, len, 0644, true, NULL), 0);
    free(text);
}

static void make_ca(const char *name)
{
    struct xn_msg msg;

    ck_assert_msg(cert_init_ca(p("%s", name), NULL, 0, &msg) == 0, "%s",
                  msg.text);
}

static void issue(const char *ca, const char *host, const char *out)
{
    struct xn_msg msg;

    ck_assert_msg(cert_issue(p("%s", ca), host, p("%s", out), 0, false,
                             &msg) == 0, "%s", msg.text);
}

static uint64_t serial_of(const char *path)
{
    X509 *x = load_crt(path);
    uint64_t s = cert_x509_serial(x);

    X509_free(x);
    return s;
}

/* cert_host_load fails with a message holding `want`. */
static void load_fails(const char *dir, const char *want)
{
    struct cert_host h;
    struct xn_msg msg;
    int rc = cert_host_load(p("%s", dir), &h, &msg);

    ck_assert_msg(rc < 0, "%s loaded", dir);
    ck_assert_msg(strstr(msg.text, want), "message \"%s\" lacks \"%s\"",
                  msg.text, want);
    ck_assert_ptr_null(h.key_pem);
    ck_assert_ptr_null(h.crl_pem);
}

START_TEST(init_ca_files)
{
    struct xn_msg msg;
    char *text;

    make_ca("ca");
    ck_assert_int_eq(mode_of(p("ca")), 0700);
    ck_assert_int_eq(mode_of(p("ca/ca.key")), 0600);
    ck_assert_int_eq(mode_of(p("ca/ca.crt")), 0644);
    ck_assert_int_eq(mode_of(p("ca/crl.pem")), 0644);
    ck_assert_int_eq(mode_of(p("ca/issued")), 0700);
    ck_assert_int_eq(cert_file_read(p("ca/serial"), &text, NULL, NULL), 0);
    ck_assert_uint_eq(strtoull(text, NULL, 10),
                      serial_of(p("ca/ca.crt")) + 1);
    free(text);
    /* Never over a CA. */
    ck_assert_int_eq(cert_init_ca(p("ca"), "other", 0, &msg), XN_EEXIST);
    ck_assert_msg(strstr(msg.text, "holds a CA already"), "%s", msg.text);
    ck_assert_int_eq(cert_init_ca(p("ca2"), "", 0, &msg), XN_EINVAL);
    ck_assert_int_eq(cert_init_ca(p("ca2"), "a\nb", 0, &msg), XN_EINVAL);
    /* A name. */
    ck_assert_int_eq(cert_init_ca(p("ca3"), "lab pool", 30, &msg), 0);
    X509 *x = load_crt(p("ca3/ca.crt"));
    struct cert_info info = {0};
    cert_x509_info(x, &info);
    ck_assert_str_eq(info.subject, "lab pool");
    ck_assert_str_eq(info.issuer, "lab pool");
    ck_assert(info.is_ca);
    ck_assert_int_le(info.not_after, time(NULL) + 31 * 86400);
    X509_free(x);
}
END_TEST

/* The certificate verifies against the CA by itself, with the names and
 * usages asked for. */
static void check_issued(const char *dir, const char *host, bool ip)
{
    X509 *ca = load_crt(p("ca/ca.crt"));
    X509 *x = load_crt(p("%s/host.crt", dir));
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    struct cert_info info = {0};

    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX_init(ctx, store, x, NULL);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
    ck_assert_int_eq(X509_verify_cert(ctx), 1);
    ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 1);
    ck_assert_int_eq(X509_check_ca(x), 0);
    if (ip)
        ck_assert_int_eq(X509_check_ip_asc(x, host, 0), 1);
    else
        ck_assert_int_eq(X509_check_host(x, host, 0, 0, NULL), 1);
    cert_x509_info(x, &info);
    ck_assert_str_eq(info.names, host);
    ck_assert_str_eq(info.subject, host);
    ck_assert_int_eq(mode_of(p("%s", dir)), 0700);
    ck_assert_int_eq(mode_of(p("%s/host.key", dir)), 0600);
    ck_assert_int_eq(mode_of(p("%s/host.crt", dir)), 0644);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    X509_free(x);
    X509_free(ca);
}

START_TEST(issue_dns_and_ip)
{
    struct cert_host h;
    struct xn_msg msg;

    make_ca("ca");
    issue("ca", "node1.example.com", "h1");
    issue("ca", "10.1.2.3", "h2");
    issue("ca", "fd00::7", "deep/er/h3");
    check_issued("h1", "node1.example.com", false);
    check_issued("h2", "10.1.2.3", true);
    check_issued("deep/er/h3", "fd00::7", true);
    ck_assert_msg(cert_host_load(p("h1"), &h, &msg) == 0, "%s", msg.text);
    ck_assert_str_eq(h.host, "node1.example.com");
    ck_assert(strstr(h.key_pem, "PRIVATE KEY"));
    ck_assert(strstr(h.cert_pem, "BEGIN CERTIFICATE"));
    ck_assert(strstr(h.ca_pem, "BEGIN CERTIFICATE"));
    ck_assert(strstr(h.crl_pem, "BEGIN X509 CRL"));
    ck_assert_int_gt(h.not_after, time(NULL) + 800 * 86400L);
    cert_host_dispose(&h);
    cert_host_dispose(&h);          /* twice is fine */
    /* Without crl.pem: loaded, crl_pem "". */
    ck_assert_int_eq(unlink(p("h2/crl.pem")), 0);
    ck_assert_msg(cert_host_load(p("h2"), &h, &msg) == 0, "%s", msg.text);
    ck_assert_str_eq(h.host, "10.1.2.3");
    ck_assert_str_eq(h.crl_pem, "");
    cert_host_dispose(&h);
}
END_TEST

START_TEST(serial_increments)
{
    uint64_t ca, a, b;

    make_ca("ca");
    issue("ca", "a", "ha");
    issue("ca", "b", "hb");
    ca = serial_of(p("ca/ca.crt"));
    a = serial_of(p("ha/host.crt"));
    b = serial_of(p("hb/host.crt"));
    ck_assert_uint_eq(a, ca + 1);
    ck_assert_uint_eq(b, a + 1);
    ck_assert_uint_lt(b, UINT64_C(1) << 63);
    ck_assert(cert_file_exists(p("ca/issued/%" PRIu64 ".crt", a)));
    ck_assert(cert_file_exists(p("ca/issued/%" PRIu64 ".crt", b)));
}
END_TEST

START_TEST(refuses_to_overwrite)
{
    struct xn_msg msg;
    uint64_t first;

    make_ca("ca");
    make_ca("ca2");
    issue("ca", "a", "h");
    first = serial_of(p("h/host.crt"));
    ck_assert_int_eq(cert_issue(p("ca"), "a", p("h"), 0, false, &msg),
                     XN_EEXIST);
    ck_assert_msg(strstr(msg.text, "host.crt exists already") ||
                  strstr(msg.text, "host.key exists already"), "%s",
                  msg.text);
    ck_assert_uint_eq(serial_of(p("h/host.crt")), first);
    /* Another CA's ca.crt is not replaced either. */
    ck_assert_int_eq(unlink(p("h/host.key")), 0);
    ck_assert_int_eq(unlink(p("h/host.crt")), 0);
    ck_assert_int_eq(cert_issue(p("ca2"), "a", p("h"), 0, false, &msg),
                     XN_EEXIST);
    ck_assert_msg(strstr(msg.text, "ca.crt exists already and is not"),
                  "%s", msg.text);
    /* The same CA's are. */
    issue("ca", "a", "h");
    check_issued("h", "a", false);
}
END_TEST

/* --force replaces all four files, another CA's too. */
START_TEST(force_takes_the_new_ca)
{
    struct cert_host h;
    struct xn_msg msg;

    make_ca("ca");
    make_ca("ca2");
    issue("ca2", "a", "h");
    ck_assert_int_eq(cert_issue(p("ca"), "a", p("h"), 0, true, &msg), 0);
    ck_assert_msg(cert_host_load(p("h"), &h, &msg) == 0, "%s", msg.text);
    cert_host_dispose(&h);
    check_issued("h", "a", false);
}
END_TEST

START_TEST(revoke_then_refused)
{
    struct cert_info *list;
    struct cert_host h;
    struct xn_msg msg;
    uint64_t a, b;
    size_t n;

    make_ca("ca");
    issue("ca", "a.example", "ha");
    issue("ca", "b.example", "hb");
    a = serial_of(p("ha/host.crt"));
    b = serial_of(p("hb/host.crt"));
    ck_assert_msg(cert_revoke(p("ca"), 0, p("ha/host.crt"), &msg) == 0, "%s",
                  msg.text);
    ck_assert_msg(cert_revoke(p("ca"), b, NULL, &msg) == 0, "%s", msg.text);
    ck_assert_msg(cert_revoke(p("ca"), b, NULL, &msg) == 0, "%s", msg.text);
    /* The host's crl.pem is still the old one... */
    ck_assert_int_eq(cert_host_load(p("ha"), &h, &msg), 0);
    cert_host_dispose(&h);
    /* ...until the CA's is copied there. */
    copy(p("ca/crl.pem"), p("ha/crl.pem"));
    copy(p("ca/crl.pem"), p("hb/crl.pem"));
    load_fails("ha", "is revoked by");
    load_fails("hb", "is revoked by");
    ck_assert_int_eq(cert_host_load(p("hb"), &h, &msg), XN_EPERM);
    ck_assert_msg(strstr(msg.text, p("hb/host.crt")), "%s", msg.text);
    /* The CA's list says so. */
    ck_assert_int_eq(cert_list(p("ca"), &list, &n, &msg), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(list[0].file, "ca.crt");
    ck_assert(list[0].is_ca && !list[0].revoked);
    ck_assert_uint_eq(list[1].serial, a);
    ck_assert(list[1].revoked);
    ck_assert_uint_eq(list[2].serial, b);
    ck_assert(list[2].revoked);
    free(list);
    /* What cannot be revoked. */
    ck_assert_int_eq(cert_revoke(p("ca"), 12345, NULL, &msg), XN_ENOENT);
    ck_assert_msg(strstr(msg.text, "no certificate with serial 12345"), "%s",
                  msg.text);
    ck_assert_int_eq(cert_revoke(p("ca"), serial_of(p("ca/ca.crt")), NULL,
                                 &msg), XN_EINVAL);
    make_ca("other");
    issue("other", "x", "hx");
    ck_assert_int_eq(cert_revoke(p("ca"), 0, p("hx/host.crt"), &msg),
                     XN_EINVAL);
    ck_assert_msg(strstr(msg.text, "was not issued by this CA"), "%s",
                  msg.text);
    ck_assert_int_eq(cert_revoke(p("ca"), 0, p("nosuch.crt"), &msg),
                     XN_ENOENT);
}
END_TEST

START_TEST(other_ca_refused)
{
    make_ca("ca");
    make_ca("other");
    issue("other", "a", "h");
    copy(p("ca/ca.crt"), p("h/ca.crt"));
    ck_assert_int_eq(unlink(p("h/crl.pem")), 0);
    load_fails("h", "host.crt is not signed by");
    /* Another CA's revocation list. */
    issue("ca", "b", "h2");
    copy(p("other/crl.pem"), p("h2/crl.pem"));
    load_fails("h2", "crl.pem is not the revocation list of");
}
END_TEST

START_TEST(key_mismatch_refused)
{
    make_ca("ca");
    issue("ca", "a", "ha");
    issue("ca", "b", "hb");
    copy(p("hb/host.key"), p("ha/host.key"));
    load_fails("ha", "host.key is not the key of");
    load_fails("nosuch", "nosuch/host.key");
    ck_assert_int_eq(unlink(p("hb/ca.crt")), 0);
    load_fails("hb", "hb/ca.crt");
    copy(p("hb/host.crt"), p("hb/ca.crt"));
    load_fails("hb", "host.crt is not signed by");
}
END_TEST

START_TEST(list_marks_states)
{
    struct cert_info *list;
    struct xn_msg msg;
    size_t n;

    make_ca("ca");
    issue("ca", "ok.example", "h1");
    ck_assert_msg(cert_issue_at(p("ca"), "old.example", p("h2"), 1, false,
                                time(NULL) - 10 * 86400, &msg) == 0, "%s",
                  msg.text);
    ck_assert_msg(cert_issue_at(p("ca"), "gone.example", p("h3"), -2, false,
                                time(NULL), &msg) == 0, "%s", msg.text);
    load_fails("h2", "h2/host.crt expired on");
    load_fails("h3", "expired on");
    ck_assert_int_eq(cert_revoke(p("ca"), serial_of(p("h1/host.crt")), NULL,
                                 &msg), 0);
    ck_assert_int_eq(cert_list(p("ca"), &list, &n, &msg), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert(list[0].is_ca && !list[0].expired);
    ck_assert_str_eq(list[1].subject, "ok.example");
    ck_assert(list[1].revoked && !list[1].expired && !list[1].is_ca);
    ck_assert_str_eq(list[2].subject, "old.example");
    ck_assert(list[2].expired && !list[2].revoked);
    ck_assert_str_eq(list[3].names, "gone.example");
    ck_assert(list[3].expired);
    ck_assert_str_eq(list[3].issuer, "xenith pool CA");
    free(list);
    /* A host's directory: host.crt, then ca.crt. */
    ck_assert_int_eq(cert_list(p("h1"), &list, &n, &msg), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(list[0].file, "host.crt");
    ck_assert(!list[0].revoked);    /* its crl.pem predates the revoke */
    ck_assert_str_eq(list[1].file, "ca.crt");
    free(list);
    ck_assert_int_eq(cert_list(p("nosuch"), &list, &n, &msg), XN_ENOENT);
    ck_assert_int_eq(cert_list(p("ca/issued"), &list, &n, &msg), XN_ENOENT);
    ck_assert_msg(strstr(msg.text, "holds no certificates"), "%s", msg.text);
}
END_TEST

START_TEST(host_names)
{
    static const char *const good[] = {
        "a", "node-1.example.com", "10.0.0.1", "::1", "fe80::1:2",
        "0123", "A.B.C",
    };
    static const char *const bad[] = {
        "", "a b", "-a", "a-", "a..b", ".a", "a.", "a_b", "a.-b.c",
        "1.2.3.4/24", "caf\xc3\xa9", "a\nb", "x\"y",
    };
    char label[80], name[300];
    struct xn_msg msg;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ck_assert_msg(cert_host_valid(good[i], NULL, NULL, NULL), "%s",
                      good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!cert_host_valid(bad[i], NULL, NULL, NULL), "%s",
                      bad[i]);
    memset(label, 'a', 63);
    label[63] = '\0';
    ck_assert(cert_host_valid(label, NULL, NULL, NULL));
    strcat(label, "a");
    ck_assert(!cert_host_valid(label, NULL, NULL, NULL));
    /* 253 characters: 4 labels of 63 and a dot between each ... */
    snprintf(name, sizeof(name), "%.63s.%.63s.%.63s.%.61s", label, label,
             label, label);
    ck_assert_uint_eq(strlen(name), 253);
    ck_assert(cert_host_valid(name, NULL, NULL, NULL));
    strcat(name, "b");
    ck_assert(!cert_host_valid(name, NULL, NULL, NULL));

    make_ca("ca");
    ck_assert_int_eq(cert_issue(p("ca"), "a b", p("h"), 0, false, &msg),
                     XN_EINVAL);
    ck_assert_str_eq(msg.text, "\"a b\" is not a host name or an IP "
                     "address");
    ck_assert(!cert_file_exists(p("h")));
    /* A name too long for a CN is the certificate's by its SAN. */
    name[253] = '\0';
    issue("ca", name, "long");
    struct cert_host h;
    ck_assert_msg(cert_host_load(p("long"), &h, &msg) == 0, "%s", msg.text);
    ck_assert_str_eq(h.host, name);
    cert_host_dispose(&h);
}
END_TEST

/* The entries of tmp, . and .. aside. */
static size_t entries(void)
{
    DIR *d = opendir(tmp);
    struct dirent *e;
    size_t n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

START_TEST(atomic_files)
{
    struct xn_msg msg;
    char *text;
    size_t len;

    ck_assert_int_eq(cert_file_write(p("f"), "one", 3, 0600, false, &msg),
                     0);
    ck_assert_int_eq(cert_file_write(p("f"), "two", 3, 0600, false, &msg),
                     XN_EEXIST);
    ck_assert_int_eq(cert_file_read(p("f"), &text, &len, &msg), 0);
    ck_assert_str_eq(text, "one");
    free(text);
    ck_assert_int_eq(cert_file_write(p("f"), "three", 5, 0644, true, &msg),
                     0);
    ck_assert_int_eq(mode_of(p("f")), 0644);
    ck_assert_int_eq(cert_file_read(p("f"), &text, &len, &msg), 0);
    ck_assert_str_eq(text, "three");
    ck_assert_uint_eq(len, 5);
    free(text);
    ck_assert_uint_eq(entries(), 1);    /* no temporary file left */
    ck_assert_int_eq(symlink(p("f"), p("link")), 0);
    ck_assert_int_lt(cert_file_read(p("link"), &text, &len, &msg), 0);
    ck_assert_msg(strstr(msg.text, "symbolic link"), "%s", msg.text);
    ck_assert_int_eq(cert_file_read(p("."), &text, &len, &msg), XN_EINVAL);
    ck_assert_int_eq(cert_file_read(p("none"), &text, &len, &msg),
                     XN_ENOENT);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cert");
    TCase *tc = tcase_create("cert");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, init_ca_files);
    tcase_add_test(tc, issue_dns_and_ip);
    tcase_add_test(tc, serial_increments);
    tcase_add_test(tc, refuses_to_overwrite);
    tcase_add_test(tc, force_takes_the_new_ca);
    tcase_add_test(tc, revoke_then_refused);
    tcase_add_test(tc, other_ca_refused);
    tcase_add_test(tc, key_mismatch_refused);
    tcase_add_test(tc, list_marks_states);
    tcase_add_test(tc, host_names);
    tcase_add_test(tc, atomic_files);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
