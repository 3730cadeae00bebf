/* fuzz_migmsg.c - libFuzzer: what a migration peer sends as a control
 * message.  The first byte picks the frame type, the rest is the payload.
 * The decoder must accept or refuse with a sentence; what it accepts must
 * encode, and decode again to the same message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration/wire/frame.h"
#include "migration/wire/msg.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sentence(const struct xn_msg *msg)
{
    size_t len = strlen(msg->text);

    if (len == 0 || !xn_utf8_valid(msg->text, len))
        abort();
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)msg->text[i] < 0x20)
            abort();
}

/* Whether a and b are the same message (config_json by its text). */
static int same(struct mig_msg *a, struct mig_msg *b)
{
    char *ca = NULL, *cb = NULL;
    int r;

    if (a->type != b->type)
        return 0;
    if (a->type == MIG_F_PREPARE) {
        ca = a->u.prepare.config_json;
        cb = b->u.prepare.config_json;
        if (!ca || !cb || strcmp(ca, cb) != 0)
            return 0;
        a->u.prepare.config_json = b->u.prepare.config_json = NULL;
    }
    /* both were zeroed by mig_msg_init before their fields were set */
    r = memcmp(a, b, sizeof(*a)) == 0;
    if (a->type == MIG_F_PREPARE) {
        a->u.prepare.config_json = ca;
        b->u.prepare.config_json = cb;
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mig_msg m, back;
    struct mig_frame_hdr h;
    struct xn_msg msg;
    uint8_t *copy, *buf = NULL;
    size_t len = 0;
    unsigned type;

    if (size < 1)
        return 0;
    type = data[0] % 16;    /* the control types, DATA, DATA_Z and others */
    copy = malloc(size > 1 ? size - 1 : 1);     /* exact: ASan sees past */
    if (!copy)
        return 0;
    memcpy(copy, data + 1, size - 1);
    if (mig_msg_decode(type, copy, size - 1, &m, &msg) < 0) {
        check_sentence(&msg);
        if (m.type == MIG_F_PREPARE && m.u.prepare.config_json)
            abort();
        free(copy);
        return 0;
    }
    if (mig_msg_frame(&m, &buf, &len, &msg) < 0 ||
        mig_frame_hdr_decode(buf, len, &h, &msg) < 0 || h.type != type ||
        h.len != len - MIG_FRAME_HDR ||
        mig_msg_decode(type, buf + MIG_FRAME_HDR, h.len, &back, &msg) < 0) {
        fprintf(stderr, "decoded, but not again: %s\n", msg.text);
        abort();
    }
    if (!same(&m, &back)) {
        fprintf(stderr, "decoded again differently: %.*s\n",
                (int)h.len, (const char *)buf + MIG_FRAME_HDR);
        abort();
    }
    free(buf);
    mig_msg_dispose(&back);
    mig_msg_dispose(&m);
    free(copy);
    return 0;
}
