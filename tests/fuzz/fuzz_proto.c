/* fuzz_proto.c - libFuzzer: control messages as a client may send them.
 * Besides memory errors it checks what the decoder promises: an accepted
 * line is valid UTF-8 without NUL bytes, and an error text is safe to log
 * (valid UTF-8, no control characters). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *text)
{
    if (!xn_utf8_valid(text, strlen(text)))
        abort();
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            abort();
}

static void typed_args(struct json_object *args)
{
    struct xn_msg msg;

    json_object_object_foreach(args, key, val) {
        const char *s;
        int64_t v;
        bool b;
        (void)val;
        if (proto_arg_string(args, key, false, &s, &msg) == 0 && s &&
            strlen(s) != (size_t)json_object_get_string_len(val))
            abort();            /* a NUL got through */
        proto_arg_int(args, key, false, INT64_MIN, INT64_MAX, &v, &msg);
        proto_arg_bool(args, key, &b, &msg);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    struct proto_msg m;
    struct xn_msg msg;
    int rc = proto_decode(line, size, &m, &msg);

    if (rc < 0) {
        check_text(msg.text);
    } else {
        if (memchr(line, '\0', size) || !xn_utf8_valid(line, size))
            abort();
        if (m.kind == PROTO_REQUEST) {
            struct hv_dominfo d;
            typed_args(m.args);
            if (proto_dominfo_from_json(m.args, &d, &msg) < 0)
                check_text(msg.text);
        }
    }
    proto_msg_dispose(&m);
    return 0;
}
