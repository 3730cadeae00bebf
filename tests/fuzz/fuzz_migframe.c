/* fuzz_migframe.c - libFuzzer: what a migration peer sends as a frame.
 * The header decoder must accept or refuse with a sentence; what it
 * accepts must encode back to the same bytes; a DATA_Z payload must unpack
 * to exactly its announced length or be refused, and what unpacks must
 * survive packing and unpacking again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "migration/wire/frame.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ZSTD_CCtx *cctx;
static ZSTD_DCtx *dctx;
static uint8_t *raw, *again, *packed;

static void check_sentence(const struct xn_msg *msg)
{
    size_t len = strlen(msg->text);

    if (len == 0 || !xn_utf8_valid(msg->text, len))
        abort();
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)msg->text[i] < 0x20)
            abort();
}

static void unpack(const uint8_t *payload, size_t len)
{
    struct xn_msg msg;
    size_t n = 0, zlen = 0, m = 0;
    uint32_t announced;

    if (mig_dataz_unpack(dctx, payload, len, raw, &n, &msg) < 0) {
        check_sentence(&msg);
        return;
    }
    announced = (uint32_t)payload[0] << 24 | (uint32_t)payload[1] << 16 |
                (uint32_t)payload[2] << 8 | payload[3];
    if (n < 1 || n > MIG_DATA_MAX || n != announced)
        abort();
    if (mig_dataz_pack(cctx, 1, raw, n, packed, &zlen, &msg) < 0 ||
        zlen > MIG_DATAZ_MAX ||
        mig_dataz_unpack(dctx, packed, zlen, again, &m, &msg) < 0 ||
        m != n || memcmp(raw, again, n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mig_frame_hdr h;
    struct xn_msg msg;
    uint8_t hdr[MIG_FRAME_HDR];
    uint8_t *copy;

    if (!cctx) {
        cctx = ZSTD_createCCtx();
        dctx = ZSTD_createDCtx();
        raw = malloc(MIG_DATA_MAX);
        again = malloc(MIG_DATA_MAX);
        packed = malloc(MIG_DATAZ_MAX);
        if (!cctx || !dctx || !raw || !again || !packed)
            abort();
    }
    copy = malloc(size ? size : 1);     /* exact size: ASan sees overreads */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (mig_frame_hdr_decode(copy, size, &h, &msg) < 0) {
        check_sentence(&msg);
        free(copy);
        return 0;
    }
    if (h.len > mig_ftype_max(h.type) ||
        strcmp(mig_ftype_name(h.type), "unknown") == 0)
        abort();
    mig_frame_hdr_encode(hdr, h.type, h.len);
    if (memcmp(hdr, copy, MIG_FRAME_HDR) != 0)
        abort();
    if (h.type == MIG_F_DATA_Z) {
        /* the payload as received: what follows the header */
        size_t len = size - MIG_FRAME_HDR;
        memmove(copy, copy + MIG_FRAME_HDR, len);
        unpack(copy, len);
    }
    free(copy);
    return 0;
}
