/* test_daemon.c - xenithd's request handling through its socket: whatever a
 * client sends, the daemon answers clearly or hangs up, and keeps running. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon_harness.h"
#include "utf8.h"

static void setup(void)
{
    harness_start(NULL);
}

static void teardown(void)
{
    ck_assert_msg(harness_alive(), "xenithd died during the test");
    int status = harness_stop();
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "xenithd exited with status %d", status);
}

#define REQ(id, op, args) \
    "{\"xenith\":1,\"id\":" #id ",\"op\":\"" op "\",\"args\":" args "}"

static void expect_error(int fd, const char *line, const char *code,
                         const char *text)
{
    struct json_object *r = harness_call(fd, line);
    ck_assert_msg(r != NULL, "no reply to %s", line);
    ck_assert_str_eq(harness_errcode(r), code);
    ck_assert_msg(strstr(harness_errmsg(r), text) != NULL,
                  "reply to %s: \"%s\" lacks \"%s\"", line, harness_errmsg(r),
                  text);
    json_object_put(r);
}

static void expect_ok(int fd, const char *line)
{
    struct json_object *r = harness_call(fd, line), *ok;
    ck_assert_msg(r != NULL, "no reply to %s", line);
    ck_assert_msg(json_object_object_get_ex(r, "ok", &ok) &&
                  json_object_get_boolean(ok), "%s failed: %s", line,
                  harness_errmsg(r));
    json_object_put(r);
}

START_TEST(bad_requests_get_errors)
{
    int fd = harness_connect();
    expect_error(fd, "this is not json", "EPROTO", "is not one JSON object");
    expect_error(fd, "{\"xenith\":9,\"id\":1,\"op\":\"host.info\"}",
                 "EPROTO", "protocol version 9 is not supported");
    expect_error(fd, REQ(2, "no.such.op", "{}"), "EINVAL",
                 "unknown operation \"no.such.op\"");
    expect_error(fd, REQ(3, "domain.pause", "{}"), "EINVAL",
                 "argument \"dom\" is missing");
    expect_error(fd, REQ(4, "domain.pause", "{\"dom\":7}"), "EINVAL",
                 "argument \"dom\" must be a string");
    expect_error(fd, REQ(5, "memory.target", "{\"dom\":\"0\",\"kb\":-5}"),
                 "EINVAL", "out of range");
    expect_error(fd, REQ(6, "domain.create", "{\"config\":\"name=\"}"),
                 "EINVAL", "");
    expect_error(fd, REQ(7, "domain.pause", "{\"dom\":\"nosuch\"}"),
                 "ENOENT", "no domain named \"nosuch\"");
    /* The same connection still works. */
    expect_ok(fd, REQ(8, "host.info", "{}"));
    close(fd);
}
END_TEST

START_TEST(garbage_bytes)
{
    int fd = harness_connect();
    static const char junk[] = "\x01\x02\xff\xfe{\"\x00\x00]]]\n";
    harness_send(fd, junk, sizeof(junk) - 1);
    char *line = harness_readline(fd, 5000);
    ck_assert_ptr_nonnull(line);
    ck_assert_ptr_nonnull(strstr(line, "EPROTO"));
    free(line);
    expect_ok(fd, REQ(1, "domain.list", "{}"));
    close(fd);
}
END_TEST

START_TEST(oversized_line_closes)
{
    int fd = harness_connect();
    size_t n = 2 * 1024 * 1024;
    char *big = malloc(n);
    memset(big, 'a', n);
    harness_send(fd, big, n);
    free(big);
    char *line = harness_readline(fd, 5000);
    ck_assert_ptr_nonnull(line);
    ck_assert_ptr_nonnull(strstr(line, "without a newline"));
    free(line);
    ck_assert_ptr_null(harness_readline(fd, 5000));    /* closed */
    close(fd);
    fd = harness_connect();                             /* others fine */
    expect_ok(fd, REQ(1, "host.info", "{}"));
    close(fd);
}
END_TEST

START_TEST(pipelined_requests)
{
    int fd = harness_connect();
    const char *three = REQ(11, "host.info", "{}") "\n"
                        REQ(12, "domain.list", "{}") "\n"
                        REQ(13, "pool.list", "{}") "\n";
    harness_send(fd, three, strlen(three));
    for (int id = 11; id <= 13; id++) {
        char *line = harness_readline(fd, 5000);
        struct json_object *r = json_tokener_parse(line), *v;
        ck_assert(json_object_object_get_ex(r, "id", &v));
        ck_assert_int_eq(json_object_get_int(v), id);
        json_object_put(r);
        free(line);
    }
    close(fd);
}
END_TEST

/* Operations on one domain take turns: an unpause sent while a save of the
 * same domain runs waits for it, and then finds the domain gone. */
START_TEST(jobs_serialise)
{
    int fd = harness_connect();
    char path[256], line[1024];
    snprintf(path, sizeof(path), "%s.img", harness_socket());
    expect_ok(fd, REQ(1, "domain.create", "{\"config\":\"name='j1'\\n"
                      "type='pvh'\\nkernel='/k'\\nmemory=256\\n\"}"));
    snprintf(line, sizeof(line),
             REQ(2, "domain.save", "{\"dom\":\"j1\",\"path\":\"%s\"}") "\n"
             REQ(3, "domain.unpause", "{\"dom\":\"j1\"}") "\n", path);
    harness_send(fd, line, strlen(line));
    char *first = harness_readline(fd, 20000);
    char *second = harness_readline(fd, 20000);
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(second);
    ck_assert_msg(strstr(first, "\"id\":2") && strstr(first, "\"ok\":true"),
                  "save should answer first: %s", first);
    ck_assert_msg(strstr(second, "\"id\":3") && strstr(second, "ENOENT"),
                  "unpause should come after and fail: %s", second);
    free(first);
    free(second);
    unlink(path);
    close(fd);
}
END_TEST

/* The state of a domain as domain.info tells it. */
static char *dom_state(int fd, const char *dom)
{
    char line[256];
    struct json_object *r, *res, *st;
    char *state = NULL;

    snprintf(line, sizeof(line), REQ(90, "domain.info", "{\"dom\":\"%s\"}"),
             dom);
    r = harness_call(fd, line);
    if (r && json_object_object_get_ex(r, "result", &res) &&
        json_object_object_get_ex(res, "state", &st))
        state = strdup(json_object_get_string(st));
    json_object_put(r);
    return state;
}

START_TEST(client_vanishes)
{
    for (int i = 0; i < 50; i++) {
        int fd = harness_connect();
        harness_sendline(fd, REQ(1, "domain.list", "{}"));
        close(fd);                      /* before reading the answer */
    }
    int fd = harness_connect();
    harness_sendline(fd, REQ(1, "domain.create", "{\"config\":\"name='v1'\\n"
                              "type='pvh'\\nkernel='/k'\\nmemory=64\\n\"}"));
    close(fd);
    /* The create goes on without its client (through the start gate, so
     * not at once): v1 appears. */
    fd = harness_connect();
    char *state = NULL;
    for (int i = 0; i < 200 && !state; i++) {
        if (!(state = dom_state(fd, "v1")))
            usleep(50 * 1000);
    }
    ck_assert_msg(state != NULL, "v1 was not created after its client left");
    free(state);
    close(fd);
}
END_TEST

/* Strings with a NUL in them are refused, not cut short: web1\0x is not
 * web1.  Invalid UTF-8 is refused and never sent back as it came. */
START_TEST(nul_and_bad_utf8)
{
    int fd = harness_connect();
    char *state;

    expect_error(fd, REQ(1, "domain.pause", "{\"dom\":\"web1\\u0000x\"}"),
                 "EINVAL", "argument \"dom\" contains a NUL character");
    expect_error(fd, REQ(2, "domain.pause", "{\"dom\\u0000x\":\"web1\"}"),
                 "EINVAL", "argument name \"dom\\u0000x\" contains a NUL");
    expect_error(fd, REQ(3, "domain.list", "{\"doms\":[\"web1\\u0000x\"]}"),
                 "EINVAL", "argument \"doms\" contains a NUL character");
    expect_error(fd, REQ(4, "domain.pause\\u0000x", "{\"dom\":\"web1\"}"),
                 "EPROTO", "operation name \"domain.pause\\u0000x\" "
                 "contains a NUL");
    state = dom_state(fd, "web1");
    ck_assert_ptr_nonnull(state);
    ck_assert_str_ne(state, "paused");
    free(state);

    harness_sendline(fd, REQ(5, "domain.pause", "{\"dom\":\"\xc0\xaf\x1b[2J\xff\"}"));
    char *line = harness_readline(fd, 10000);
    ck_assert_ptr_nonnull(line);
    ck_assert_msg(xn_utf8_valid(line, strlen(line)), "reply is not UTF-8");
    ck_assert_msg(strstr(line, "\"EPROTO\"") && strstr(line, "is not valid "
                  "UTF-8"), "reply: %s", line);
    ck_assert_msg(!strstr(line, "\\u001b"), "reply echoes ESC: %s", line);
    free(line);
    expect_ok(fd, REQ(6, "host.info", "{}"));
    close(fd);
}
END_TEST

/* Integers beyond int64 are refused as sent, not clamped and obeyed. */
START_TEST(huge_integers)
{
    int fd = harness_connect();
    struct json_object *r, *id;

    r = harness_call(fd, "{\"xenith\":1,\"id\":18446744073709551616,"
                     "\"op\":\"host.info\"}");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(harness_errcode(r), "EPROTO");
    ck_assert_ptr_nonnull(strstr(harness_errmsg(r), "message id "
                                 "18446744073709551616 is out of range"));
    ck_assert(json_object_object_get_ex(r, "id", &id));
    ck_assert_int_eq(json_object_get_int64(id), -1);
    json_object_put(r);
    expect_error(fd, REQ(2, "memory.target", "{\"dom\":\"web1\","
                         "\"kb\":18446744073709551616}"), "EINVAL",
                 "argument \"kb\" = 18446744073709551616 is out of the "
                 "64-bit integer range");
    expect_error(fd, REQ(3, "sched.set", "{\"sched\":\"credit2\",\"dom\":"
                         "\"web1\",\"weight\":-9223372036854775809}"),
                 "EINVAL", "argument \"weight\" = -9223372036854775809");
    expect_ok(fd, REQ(4, "host.info", "{}"));
    close(fd);
}
END_TEST

START_TEST(deep_nesting)
{
    int fd = harness_connect();
    char line[512];
    int o = snprintf(line, sizeof(line), "{\"xenith\":1,\"id\":1,\"op\":"
                     "\"host.info\",\"args\":{\"a\":");
    for (int i = 0; i < 40; i++)
        line[o++] = '[';
    for (int i = 0; i < 40; i++)
        line[o++] = ']';
    memcpy(line + o, "}}", 3);
    expect_error(fd, line, "EPROTO", "is nested more than 32 levels deep");
    expect_ok(fd, REQ(2, "host.info", "{}"));
    close(fd);
}
END_TEST

/* A client that pipelines requests and never reads the replies: once a few
 * MiB of replies wait for it the daemon reads no more of its requests, so
 * its writes block; others are served meanwhile; and once it reads, every
 * request it sent is answered. */
START_TEST(unread_replies_push_back)
{
    /* Far more than the daemon's high-water mark (4 MiB) and the two
     * sockets' buffers together: sending this much unanswered means the
     * daemon is not pushing back. */
    const size_t cap = 16 * 1024 * 1024;
    int fd = harness_connect(), other;
    char req[512];
    size_t len, off = 0, sent = 0, lines = 0, got = 0;

    /* domain.list answers with about 1 KiB: requests of half that. */
    len = (size_t)snprintf(req, sizeof(req), "%s", REQ(1, "domain.list", "{}"));
    memset(req + len, ' ', sizeof(req) - len - 1);
    req[sizeof(req) - 1] = '\n';
    len = sizeof(req);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    while (sent < cap) {
        ssize_t n = write(fd, req + off, len - off);
        if (n > 0) {
            sent += (size_t)n;
            off += (size_t)n;
            if (off == len) {
                off = 0;
                lines++;
            }
            continue;
        }
        ck_assert_msg(n < 0 && (errno == EAGAIN || errno == EINTR),
                      "write: %s", strerror(errno));
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 2000) == 0)
            break;                  /* the daemon stopped reading us */
    }
    ck_assert_msg(sent < cap, "xenithd took %zu bytes of requests whose "
                  "replies nobody read", sent);

    other = harness_connect();
    expect_ok(other, REQ(2, "host.info", "{}"));
    close(other);

    /* Read it all; finish the line cut short meanwhile. */
    while (got < lines + (off ? 1 : 0)) {
        struct pollfd p = {.fd = fd, .events = POLLIN | (off ? POLLOUT : 0)};
        char buf[65536];
        ck_assert_msg(poll(&p, 1, 20000) > 0, "replies stopped after %zu of "
                      "%zu", got, lines + (off ? 1 : 0));
        if (p.revents & POLLOUT) {
            ssize_t n = write(fd, req + off, len - off);
            if (n > 0 && (off += (size_t)n) == len) {
                off = 0;
                lines++;
            }
        }
        if (p.revents & POLLIN) {
            ssize_t n = read(fd, buf, sizeof(buf));
            ck_assert_msg(n > 0, "xenithd hung up after %zu replies", got);
            for (ssize_t i = 0; i < n; i++)
                got += buf[i] == '\n';
        }
    }
    ck_assert_uint_eq(got, lines);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    expect_ok(fd, REQ(3, "host.info", "{}"));
    close(fd);
}
END_TEST

/* The event stream: a subscriber sees what another client does, in order;
 * a client that never subscribed sees no events. */
START_TEST(event_stream)
{
    int sub = harness_connect(), other = harness_connect();
    struct json_object *ev, *e, *t;
    char *line;

    expect_ok(sub, REQ(1, "events.subscribe", "{}"));
    expect_ok(other, REQ(2, "domain.pause", "{\"dom\":\"web1\"}"));
    expect_ok(other, REQ(3, "domain.unpause", "{\"dom\":\"web1\"}"));
    for (int i = 0; i < 2; i++) {
        const char *want = i == 0 ? "paused" : "unpaused";
        line = harness_readline(sub, 5000);
        ck_assert_ptr_nonnull(line);
        ev = json_tokener_parse(line);
        ck_assert(json_object_object_get_ex(ev, "event", &e));
        ck_assert(json_object_object_get_ex(e, "type", &t));
        ck_assert_str_eq(json_object_get_string(t), want);
        ck_assert(json_object_object_get_ex(e, "name", &t));
        ck_assert_str_eq(json_object_get_string(t), "web1");
        json_object_put(ev);
        free(line);
    }
    /* Only replies on the other connection: nothing more to read. */
    ck_assert_ptr_null(harness_readline(other, 300));
    close(sub);
    close(other);
}
END_TEST

/* --- with a guest that ignores shutdown requests --- */

static char scenario[64];

static void setup_stubborn(void)
{
    static const char xml[] =
        "<host cpus=\"4\" memory=\"8GiB\">\n"
        "  <domain name=\"stubborn\" memory=\"256MiB\" "
        "ignore-shutdown=\"yes\"/>\n"
        "</host>\n";
    snprintf(scenario, sizeof(scenario), "/tmp/xenith-ut-scn.XXXXXX");
    int fd = mkstemp(scenario);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, xml, sizeof(xml) - 1), (ssize_t)sizeof(xml) - 1);
    close(fd);
    harness_start(scenario);
}

static void teardown_stubborn(void)
{
    teardown();
    unlink(scenario);
}

/* At most 64 requests of one connection are worked on at once: the next
 * is read only when one of them is answered. */
START_TEST(requests_in_flight_bounded)
{
    int fd = harness_connect(), other = harness_connect();
    bool seen[101] = {false};
    char line[256];

    for (int id = 1; id <= 70; id++) {
        snprintf(line, sizeof(line), "{\"xenith\":1,\"id\":%d,\"op\":"
                 "\"domain.shutdown\",\"args\":{\"dom\":\"stubborn\","
                 "\"wait\":true,\"timeout_ms\":3600000}}", id);
        harness_sendline(fd, line);
    }
    harness_sendline(fd, REQ(100, "host.info", "{}"));
    /* 64 waits in flight: the rest, host.info too, are not read yet. */
    ck_assert_ptr_null(harness_readline(fd, 500));
    expect_ok(other, REQ(1, "domain.destroy", "{\"dom\":\"stubborn\"}"));
    for (int i = 0; i < 71; i++) {
        char *reply = harness_readline(fd, 20000);
        struct json_object *r, *v;
        ck_assert_msg(reply != NULL, "only %d of 71 replies", i);
        r = json_tokener_parse(reply);
        ck_assert(json_object_object_get_ex(r, "id", &v));
        int id = json_object_get_int(v);
        ck_assert_msg(id >= 1 && id <= 100 && !seen[id], "reply %s", reply);
        ck_assert_msg(i > 0 || id != 100, "host.info was answered while "
                      "64 requests were in flight");
        /* The waits end with the guest; those read after it went find
         * no guest. */
        ck_assert_msg(json_object_object_get_ex(r, "ok", &v) &&
                      (json_object_get_boolean(v) ||
                       (id != 100 && !strcmp(harness_errcode(r), "ENOENT"))),
                      "reply %s", reply);
        seen[id] = true;
        json_object_put(r);
        free(reply);
    }
    close(fd);
    close(other);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("daemon");
    TCase *tc = tcase_create("requests");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bad_requests_get_errors);
    tcase_add_test(tc, garbage_bytes);
    tcase_add_test(tc, oversized_line_closes);
    tcase_add_test(tc, pipelined_requests);
    tcase_add_test(tc, jobs_serialise);
    tcase_add_test(tc, client_vanishes);
    tcase_add_test(tc, event_stream);
    tcase_add_test(tc, nul_and_bad_utf8);
    tcase_add_test(tc, huge_integers);
    tcase_add_test(tc, deep_nesting);
    tcase_add_test(tc, unread_replies_push_back);
    suite_add_tcase(s, tc);
    tc = tcase_create("stubborn guest");
    tcase_add_checked_fixture(tc, setup_stubborn, teardown_stubborn);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, requests_in_flight_bounded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
