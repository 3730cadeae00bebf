/* test_proto.c - the control protocol: framing, validation, typed args,
 * domain records, error names; and CPU lists. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"
#include "proto.h"
#include "uuid.h"

static int decode(const char *line, struct proto_msg *m, struct xn_msg *msg)
{
    return proto_decode(line, strlen(line), m, msg);
}

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
