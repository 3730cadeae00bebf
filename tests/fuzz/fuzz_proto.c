/* fuzz_proto.c - libFuzzer: control messages as a client may send them. */
#include <stdint.h>
#include <stdlib.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proto_msg m;
    struct xn_msg msg;

    if (proto_decode((const char *)data, size, &m, &msg) == 0 &&
        m.kind == PROTO_REQUEST) {
        const char *s;
        int64_t v;
        bool b;
        struct hv_dominfo d;
        proto_arg_string(m.args, "dom", false, &s, &msg);
        proto_arg_int(m.args, "kb", false, 1, INT64_MAX, &v, &msg);
        proto_arg_bool(m.args, "wait", &b, &msg);
        proto_dominfo_from_json(m.args, &d, &msg);
    }
    proto_msg_dispose(&m);
    return 0;
}
