/* test_proto.c - the control protocol: framing, validation, typed args,
 * domain records, error names; and CPU lists. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"
#include "proto.h"
#include "utf8.h"
#include "uuid.h"

static int decode(const char *line, struct proto_msg *m, struct xn_msg *msg)
{
    return proto_decode(line, strlen(line), m, msg);
}

/* An error text is safe to log and to show: valid UTF-8 without control
 * characters. */
static void assert_safe_text(const char *text, const char *input)
{
    ck_assert_msg(xn_utf8_valid(text, strlen(text)),
                  "for %s: message is not valid UTF-8", input);
    for (const char *p = text; *p; p++)
        ck_assert_msg((unsigned char)*p >= 0x20 && *p != 0x7f,
                      "for %s: message has control character %#x", input,
                      (unsigned char)*p);
}

/* Decode a line that must fail with `code` and a message holding `why`. */
static void expect_refused(const char *line, int code, const char *why)
{
    struct proto_msg m;
    struct xn_msg msg;
    int rc = decode(line, &m, &msg);

    ck_assert_msg(rc == code, "%s: got %d, wanted %d (%s)", line, rc, code,
                  rc ? msg.text : "accepted");
    ck_assert_msg(strstr(msg.text, why) != NULL,
                  "for %s: message \"%s\" lacks \"%s\"", line, msg.text,
                  why);
    assert_safe_text(msg.text, line);
    proto_msg_dispose(&m);
}

#define REQ(args) "{\"xenith\":1,\"id\":4,\"op\":\"domain.pause\"," \
                  "\"args\":" args "}"

START_TEST(request_roundtrip)
{
    struct json_object *args = json_object_new_object();
    json_object_object_add(args, "dom", json_object_new_string("web1"));
    struct json_object *req = proto_request(42, "domain.pause", args);
    size_t len;
    char *line = proto_encode(req, &len);
    struct proto_msg m;
    struct xn_msg msg;
    const char *dom;

    ck_assert_int_eq(line[len - 1], '\n');
    ck_assert_ptr_null(memchr(line, '\n', len - 1));
    ck_assert_int_eq(proto_decode(line, len - 1, &m, &msg), 0);
    ck_assert_int_eq(m.kind, PROTO_REQUEST);
    ck_assert_int_eq(m.id, 42);
    ck_assert_str_eq(m.op, "domain.pause");
    ck_assert_int_eq(proto_arg_string(m.args, "dom", true, &dom, &msg), 0);
    ck_assert_str_eq(dom, "web1");
    proto_msg_dispose(&m);
    json_object_put(req);
    free(line);
}
END_TEST

START_TEST(reply_roundtrip)
{
    struct json_object *err = proto_reply_err(7, XN_ENOENT,
                                              "no domain named \"x\"");
    char *line = proto_encode(err, NULL);
    struct proto_msg m;
    struct xn_msg msg;

    line[strlen(line) - 1] = '\0';
    ck_assert_int_eq(decode(line, &m, &msg), 0);
    ck_assert_int_eq(m.kind, PROTO_REPLY);
    ck_assert(!m.ok);
    ck_assert_int_eq(m.err_code, XN_ENOENT);
    ck_assert_str_eq(m.err_message, "no domain named \"x\"");
    proto_msg_dispose(&m);
    json_object_put(err);
    free(line);
}
END_TEST

START_TEST(rejects_bad_messages)
{
    static const struct {
        const char *line;
        const char *why;
    } bad[] = {
        {"", "is not one JSON object"},
        {"{not json", "is not one JSON object"},
        {"[1,2]", "is not a JSON object"},
        {"{\"id\":1,\"op\":\"x\"}", "has no protocol version"},
        {"{\"xenith\":2,\"id\":1,\"op\":\"x\"}", "protocol version 2 is not"},
        {"{\"xenith\":1,\"id\":1}", "is neither a request"},
        {"{\"xenith\":1,\"op\":\"x\"}", "has no non-negative integer"},
        {"{\"xenith\":1,\"id\":3,\"op\":\"x\",\"args\":[]}",
         "\"args\" must be an object"},
        {"{\"xenith\":1,\"id\":1,\"op\":\"x\"} trailing", "not one JSON"},
        {"{\"xenith\":1,\"id\":1,\"ok\":false}", "without an \"error\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct proto_msg m;
        struct xn_msg msg;
        ck_assert_msg(decode(bad[i].line, &m, &msg) == XN_EPROTO,
                      "accepted: %s", bad[i].line);
        ck_assert_msg(strstr(msg.text, bad[i].why) != NULL,
                      "for %s: message \"%s\" lacks \"%s\"", bad[i].line,
                      msg.text, bad[i].why);
        proto_msg_dispose(&m);
    }
}
END_TEST

START_TEST(bad_message_keeps_id)
{
    struct proto_msg m;
    struct xn_msg msg;
    ck_assert_int_eq(decode("{\"xenith\":9,\"id\":5,\"op\":\"x\"}", &m, &msg),
                     XN_EPROTO);
    ck_assert_int_eq(m.id, 5);
    proto_msg_dispose(&m);
}
END_TEST

START_TEST(oversized_message)
{
    size_t n = PROTO_MAX_LINE + 10;
    char *big = malloc(n);
    struct proto_msg m;
    struct xn_msg msg;
    memset(big, ' ', n);
    ck_assert_int_eq(proto_decode(big, n, &m, &msg), XN_EPROTO);
    ck_assert_ptr_nonnull(strstr(msg.text, "longer than the limit"));
    proto_msg_dispose(&m);
    free(big);
}
END_TEST

START_TEST(typed_args)
{
    struct json_object *a = json_tokener_parse(
        "{\"w\":300,\"s\":\"x\",\"b\":true,\"big\":70000,\"str\":\"5\"}");
    struct xn_msg msg;
    int64_t v = -1;
    const char *s;
    bool b = false;

    ck_assert_int_eq(proto_arg_int(a, "w", true, 1, 65535, &v, &msg), 0);
    ck_assert_int_eq(v, 300);
    ck_assert_int_eq(proto_arg_int(a, "big", true, 1, 65535, &v, &msg),
                     XN_EINVAL);
    ck_assert_ptr_nonnull(strstr(msg.text, "\"big\" = 70000 is out of range"));
    ck_assert_int_eq(proto_arg_int(a, "str", true, 1, 9, &v, &msg),
                     XN_EINVAL);
    ck_assert_int_eq(proto_arg_int(a, "none", true, 1, 9, &v, &msg),
                     XN_EINVAL);
    ck_assert_ptr_nonnull(strstr(msg.text, "\"none\" is missing"));
    v = 77;
    ck_assert_int_eq(proto_arg_int(a, "none", false, 1, 9, &v, &msg), 0);
    ck_assert_int_eq(v, 77);
    ck_assert_int_eq(proto_arg_string(a, "s", true, &s, &msg), 0);
    ck_assert_str_eq(s, "x");
    ck_assert_int_eq(proto_arg_string(a, "w", true, &s, &msg), XN_EINVAL);
    ck_assert_int_eq(proto_arg_bool(a, "b", &b, &msg), 0);
    ck_assert(b);
    ck_assert_int_eq(proto_arg_bool(a, "s", &b, &msg), XN_EINVAL);
    json_object_put(a);
}
END_TEST

/* An escaped NUL would cut a C string short: "web1\u0000x" is not web1. */
START_TEST(nul_characters)
{
    expect_refused(REQ("{\"dom\":\"web1\\u0000x\"}"), XN_EINVAL,
                   "argument \"dom\" contains a NUL character");
    expect_refused(REQ("{\"dom\\u0000x\":\"web1\"}"), XN_EINVAL,
                   "argument name \"dom\\u0000x\" contains a NUL");
    expect_refused(REQ("{\"doms\":[\"a\",\"b\\u0000\"]}"), XN_EINVAL,
                   "argument \"doms\" contains a NUL character");
    expect_refused(REQ("{\"set\":{\"k\\u0000\":\"v\"}}"), XN_EINVAL,
                   "argument \"set\" has a key \"k\\u0000\"");
    expect_refused("{\"xenith\":1,\"id\":4,\"op\":\"domain.pause\\u0000x\"}",
                   XN_EPROTO, "operation name \"domain.pause\\u0000x\" "
                   "contains a NUL character");
    expect_refused("{\"xenith\":1,\"id\":4,\"o\\u0000p\":\"domain.pause\"}",
                   XN_EPROTO, "key \"o\\u0000p\" contains a NUL character");
    expect_refused("{\"xenith\":1,\"id\":4,\"ok\":true,\"result\":"
                   "{\"name\":\"a\\u0000\"}}", XN_EPROTO,
                   "\"result\" contains a NUL character");

    /* The id is kept for the reply; an escaped backslash is no NUL. */
    struct proto_msg m;
    struct xn_msg msg;
    const char *dom;
    ck_assert_int_eq(decode(REQ("{\"dom\":\"x\\u0000\"}"), &m, &msg),
                     XN_EINVAL);
    ck_assert_int_eq(m.id, 4);
    proto_msg_dispose(&m);
    ck_assert_int_eq(decode(REQ("{\"dom\":\"web1\\\\u0000x\"}"), &m, &msg),
                     0);
    ck_assert_int_eq(proto_arg_string(m.args, "dom", true, &dom, &msg), 0);
    ck_assert_str_eq(dom, "web1\\u0000x");
    proto_msg_dispose(&m);

    /* proto_arg_string refuses one however the object was made. */
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "dom", json_object_new_string_len("web1\0x",
                                                                 6));
    ck_assert_int_eq(proto_arg_string(a, "dom", true, &dom, &msg),
                     XN_EINVAL);
    ck_assert_str_eq(msg.text, "argument \"dom\" contains a NUL character "
                     "(\"web1?x\")");
    json_object_put(a);
}
END_TEST

/* Invalid UTF-8 anywhere in a line is refused, and never echoed. */
START_TEST(invalid_utf8)
{
    static const char *const bad[] = {
        REQ("{\"dom\":\"\xff\"}"),                /* not UTF-8 at all */
        REQ("{\"dom\xfe\":\"x\"}"),                /* in a key */
        REQ("{\"dom\":\"web1\"} \x80"),            /* after the object */
        REQ("{\"dom\":\"\xc0\xaf\"}"),            /* overlong '/' */
        REQ("{\"dom\":\"\xe0\x80\x80\"}"),        /* overlong NUL */
        REQ("{\"dom\":\"\xed\xa0\x80\"}"),        /* a surrogate */
        REQ("{\"dom\":\"\xf4\x90\x80\x80\"}"),    /* past U+10FFFF */
        REQ("{\"dom\":\"\xe2\x82\"}"),            /* cut short */
        "{\"xenith\":1,\"id\":4,\"op\":\"\x1b[2J\xff\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct proto_msg m;
        struct xn_msg msg;
        ck_assert_msg(decode(bad[i], &m, &msg) == XN_EPROTO, "accepted "
                      "line %zu", i);
        ck_assert_msg(strstr(msg.text, "is not valid UTF-8") != NULL,
                      "line %zu: %s", i, msg.text);
        assert_safe_text(msg.text, bad[i]);
        proto_msg_dispose(&m);
    }

    /* Good UTF-8 passes, and is quoted as it is. */
    struct proto_msg m;
    struct xn_msg msg;
    const char *dom;
    ck_assert_int_eq(decode(REQ("{\"dom\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}"),
                            &m, &msg), 0);
    ck_assert_int_eq(proto_arg_string(m.args, "dom", true, &dom, &msg), 0);
    ck_assert_str_eq(dom, "caf\xc3\xa9 \xf0\x9f\x98\x80");
    proto_msg_dispose(&m);
    expect_refused("[\"\xc3\xa9\"]", XN_EPROTO,
                   "message \"[?\xc3\xa9?]\" is not a JSON object");
}
END_TEST

/* json-c clamps integers beyond int64 without a word: they are refused,
 * quoted as sent. */
START_TEST(integers_beyond_int64)
{
    struct proto_msg m;
    struct xn_msg msg;
    int64_t v;

    expect_refused("{\"xenith\":1,\"id\":18446744073709551616,\"op\":\"x\"}",
                   XN_EPROTO, "message id 18446744073709551616 is out of "
                   "range");
    expect_refused("{\"xenith\":1,\"id\":9223372036854775808,\"op\":\"x\"}",
                   XN_EPROTO, "message id 9223372036854775808 is out of "
                   "range");
    expect_refused("{\"xenith\":1,\"\\u0069d\":9223372036854775808,"
                   "\"op\":\"x\"}", XN_EPROTO, "message id "
                   "9223372036854775808");
    expect_refused("{\"xenith\":18446744073709551617,\"id\":1,\"op\":\"x\"}",
                   XN_EPROTO, "\"xenith\" holds 18446744073709551617");
    expect_refused(REQ("{\"kb\":18446744073709551616}"), XN_EINVAL,
                   "argument \"kb\" = 18446744073709551616 is out of the "
                   "64-bit integer range");
    expect_refused(REQ("{\"kb\":9223372036854775808}"), XN_EINVAL,
                   "argument \"kb\" = 9223372036854775808 is out");
    expect_refused(REQ("{\"kb\":-9223372036854775809}"), XN_EINVAL,
                   "argument \"kb\" = -9223372036854775809 is out");
    expect_refused(REQ("{\"x\":[1,{\"y\":123456789012345678901234567890}]}"),
                   XN_EINVAL, "argument \"x\" holds "
                   "123456789012345678901234567890, which is out");

    /* The id of a reply to a bad id is unknown. */
    ck_assert_int_eq(decode("{\"xenith\":1,\"id\":18446744073709551616,"
                            "\"op\":\"x\"}", &m, &msg), XN_EPROTO);
    ck_assert_int_eq(m.id, -1);
    proto_msg_dispose(&m);

    /* The bounds themselves are fine; digits in strings are no numbers. */
    ck_assert_int_eq(decode("{\"xenith\":1,\"id\":9223372036854775807,"
                            "\"op\":\"x\",\"args\":{\"lo\":-9223372036854775808,"
                            "\"s\":\"99999999999999999999999\","
                            "\"99999999999999999999999\":1.5e300}}", &m, &msg),
                     0);
    ck_assert(m.id == INT64_MAX);
    ck_assert_int_eq(proto_arg_int(m.args, "lo", true, INT64_MIN, 0, &v,
                                   &msg), 0);
    ck_assert(v == INT64_MIN);
    proto_msg_dispose(&m);

    /* proto_arg_int refuses what json-c kept as unsigned. */
    struct json_object *a = json_tokener_parse("{\"kb\":9223372036854775808}");
    ck_assert_int_eq(proto_arg_int(a, "kb", true, 0, INT64_MAX, &v, &msg),
                     XN_EINVAL);
    ck_assert_str_eq(msg.text, "argument \"kb\" = 9223372036854775808 is "
                     "out of the 64-bit integer range");
    json_object_put(a);
}
END_TEST

static char *nested(int depth)
{
    /* The message is one level: depth-1 arrays inside its args. */
    size_t n = 64 + 2 * (size_t)depth;
    char *s = malloc(n);
    int o = snprintf(s, n, "{\"xenith\":1,\"id\":1,\"op\":\"x\",\"args\":{\"a\":");
    for (int i = 0; i < depth - 2; i++)
        s[o++] = '[';
    for (int i = 0; i < depth - 2; i++)
        s[o++] = ']';
    memcpy(s + o, "}}", 3);
    return s;
}

/* Valid JSON nested past the limit is not called "not JSON". */
START_TEST(nesting_limit)
{
    struct proto_msg m;
    struct xn_msg msg;
    char *ok = nested(PROTO_MAX_DEPTH), *deep = nested(PROTO_MAX_DEPTH + 1);
    char want[64];

    ck_assert_int_eq(decode(ok, &m, &msg), 0);
    proto_msg_dispose(&m);
    snprintf(want, sizeof(want), "is nested more than %d levels deep",
             PROTO_MAX_DEPTH);
    expect_refused(deep, XN_EPROTO, want);
    free(ok);
    free(deep);

    char big[4096];
    memset(big, '[', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    expect_refused(big, XN_EPROTO, want);
}
END_TEST

/* Each kind of syntax error says what it is. */
START_TEST(syntax_errors_say_what)
{
    expect_refused("", XN_EPROTO, "(the line is empty)");
    expect_refused("{\"xenith\":1", XN_EPROTO, "(it ends early)");
    expect_refused("{\"xenith\":1,}", XN_EPROTO,
                   "(unexpected character at byte 12)");
    expect_refused("{\"xenith\":1}{}", XN_EPROTO,
                   "(unexpected character at byte 12)");
    expect_refused("{\"a\":TRUE}", XN_EPROTO, "not one JSON object");
    expect_refused("{\"a\":1 /* x */}", XN_EPROTO, "not one JSON object");
}
END_TEST

/* Operation names are words: nothing to smuggle into a log or a reply. */
START_TEST(operation_names)
{
    char longop[200];

    expect_refused("{\"xenith\":1,\"id\":1,\"op\":\"x\\u001b[31m\"}",
                   XN_EPROTO, "operation name \"x?[31m\" is not a name");
    expect_refused("{\"xenith\":1,\"id\":1,\"op\":\"\"}", XN_EPROTO,
                   "operation name \"\" is not a name");
    snprintf(longop, sizeof(longop), "{\"xenith\":1,\"id\":1,\"op\":\"%0*d\"}",
             PROTO_MAX_OP + 1, 0);
    expect_refused(longop, XN_EPROTO, "is not a name");
}
END_TEST

START_TEST(dominfo_roundtrip)
{
    struct hv_dominfo d, back;
    memset(&d, 0, sizeof(d));   /* padding too: compared with memcmp */
    d.domid = 7;
    strcpy(d.name, "web1");
    d.type = HV_TYPE_PVH;
    d.state = HV_STATE_SHUTDOWN;
    d.shutdown_reason = HV_SHUTDOWN_CRASH;
    d.mem_kb = 1048576;
    d.target_kb = 786432;
    d.max_kb = 2097152;
    d.vcpus_online = 2;
    d.vcpus_max = 4;
    d.cpu_time_ns = 123456789012ULL;
    d.poolid = 1;
    d.sched = (struct hv_sched_params){HV_SCHED_CREDIT2, 512, 50};
    d.foreign = true;
    struct xn_msg msg;
    for (int i = 0; i < 16; i++)
        d.uuid[i] = (uint8_t)(i * 17);
    struct json_object *o = proto_dominfo_to_json(&d);
    ck_assert_int_eq(proto_dominfo_from_json(o, &back, &msg), 0);
    ck_assert_int_eq(memcmp(&d, &back, sizeof(d)), 0);
    json_object_put(o);

    o = json_tokener_parse("{\"domid\":\"x\"}");
    ck_assert_int_eq(proto_dominfo_from_json(o, &back, &msg), XN_EPROTO);
    ck_assert_ptr_nonnull(strstr(msg.text, "\"domid\""));
    json_object_put(o);
}
END_TEST

START_TEST(uuids)
{
    uint8_t u[16];
    char buf[37];
    ck_assert_int_eq(xn_uuid_parse("00112233-4455-6677-8899-aabbccddeeff",
                                      u), 0);
    ck_assert_str_eq(xn_uuid_format(u, buf),
                     "00112233-4455-6677-8899-aabbccddeeff");
    ck_assert_int_eq(xn_uuid_parse("0011223-34455-6677-8899-aabbccddeeff",
                                      u), XN_EINVAL);
    ck_assert_int_eq(xn_uuid_parse("zz112233-4455-6677-8899-aabbccddeeff",
                                      u), XN_EINVAL);
}
END_TEST

START_TEST(error_names)
{
    for (int c = 0; c >= XN_ERR_MIN; c--)
        ck_assert_int_eq(xn_errcode(xn_errname(c)), c);
    ck_assert_int_eq(xn_errcode("ENOSUCH"), XN_EFAIL);
}
END_TEST

START_TEST(cpu_lists)
{
    struct cpuset s;
    struct xn_msg msg;
    char buf[64];

    ck_assert_int_eq(cpuset_parse(&s, "0-3,^2", 8, &msg), 0);
    ck_assert_str_eq(cpuset_format(&s, 8, buf, sizeof(buf)), "0-1,3");
    ck_assert_int_eq(cpuset_parse(&s, "all", 4, &msg), 0);
    ck_assert_str_eq(cpuset_format(&s, 4, buf, sizeof(buf)), "all");
    ck_assert_str_eq(cpuset_format(&s, 0, buf, sizeof(buf)), "0-3");
    ck_assert_int_eq(cpuset_parse(&s, "5", 4, &msg), XN_EINVAL);
    ck_assert_ptr_nonnull(strstr(msg.text, "CPU list \"5\""));
    ck_assert_int_eq(cpuset_parse(&s, "3-1", 8, &msg), XN_EINVAL);
    ck_assert_int_eq(cpuset_parse(&s, "1,,2", 8, &msg), XN_EINVAL);
    ck_assert_int_eq(cpuset_parse(&s, "^1", 8, &msg), XN_EINVAL);
    ck_assert_int_eq(cpuset_parse(&s, "", 8, &msg), XN_EINVAL);
    ck_assert_int_eq(cpuset_parse(&s, "1,5-6", 0, &msg), 0);
    ck_assert_int_eq(cpuset_count(&s), 3);
    ck_assert_int_eq(cpuset_span(&s), 7);
    cpuset_clear(&s);
    ck_assert_str_eq(cpuset_format(&s, 8, buf, sizeof(buf)), "none");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("proto");
    TCase *tc = tcase_create("proto");
    tcase_add_test(tc, request_roundtrip);
    tcase_add_test(tc, reply_roundtrip);
    tcase_add_test(tc, rejects_bad_messages);
    tcase_add_test(tc, bad_message_keeps_id);
    tcase_add_test(tc, oversized_message);
    tcase_add_test(tc, typed_args);
    tcase_add_test(tc, nul_characters);
    tcase_add_test(tc, invalid_utf8);
    tcase_add_test(tc, integers_beyond_int64);
    tcase_add_test(tc, nesting_limit);
    tcase_add_test(tc, syntax_errors_say_what);
    tcase_add_test(tc, operation_names);
    tcase_add_test(tc, dominfo_roundtrip);
    tcase_add_test(tc, uuids);
    tcase_add_test(tc, error_names);
    tcase_add_test(tc, cpu_lists);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
