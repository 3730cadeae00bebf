/* frame.c - frame headers, and the packing of stream bytes into DATA_Z
 * payloads (zstd) and out of them. */
#include "migration/wire/frame.h"

#include <zstd.h>

_Static_assert(MIG_DATAZ_MAX >= 4u + ZSTD_COMPRESSBOUND(MIG_DATA_MAX),
               "a DATA_Z payload must hold any compressed DATA frame");

static const char *const type_names[] = {
    [MIG_F_HELLO] = "hello",
    [MIG_F_PREPARE] = "prepare",
    [MIG_F_READY] = "ready",
    [MIG_F_REFUSE] = "refuse",
    [MIG_F_DATA] = "data",
    [MIG_F_DATA_Z] = "data_z",
    [MIG_F_END] = "end",
    [MIG_F_RESTORED] = "restored",
    [MIG_F_GO] = "go",
    [MIG_F_CONFIRM] = "confirm",
    [MIG_F_ABORT] = "abort",
    [MIG_F_PROGRESS] = "progress",
};

const char *mig_ftype_name(unsigned type)
{
    if (type < MIG_F_MIN || type > MIG_F_MAX)
        return "unknown";
    return type_names[type];
}

uint32_t mig_ftype_max(unsigned type)
{
    if (type < MIG_F_MIN || type > MIG_F_MAX)
        return 0;
    if (type == MIG_F_DATA)
        return MIG_DATA_MAX;
    if (type == MIG_F_DATA_Z)
        return MIG_DATAZ_MAX;
    return MIG_CTRL_MAX;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void mig_frame_hdr_encode(uint8_t out[MIG_FRAME_HDR], unsigned type,
                          uint32_t len)
{
    out[0] = 'X';
    out[1] = 'M';
    out[2] = MIG_VERSION;
    out[3] = (uint8_t)type;
    put_be32(out + 4, len);
}

int mig_frame_hdr_decode(const uint8_t *buf, size_t n,
                         struct mig_frame_hdr *h, struct xn_msg *msg)
{
    uint32_t len, max;

    if (n < MIG_FRAME_HDR)
        return xn_msg_set(msg, XN_EPROTO, "frame: a header needs %d bytes, "
                          "not %zu", MIG_FRAME_HDR, n);
    if (buf[0] != 'X' || buf[1] != 'M')
        return xn_msg_set(msg, XN_EPROTO, "frame: bad magic 0x%02x%02x "
                          "(not \"XM\")", buf[0], buf[1]);
    if (buf[2] != MIG_VERSION)
        return xn_msg_set(msg, XN_EPROTO, "frame: version %u is not "
                          "supported (this host speaks %d)", buf[2],
                          MIG_VERSION);
    max = mig_ftype_max(buf[3]);
    if (max == 0)
        return xn_msg_set(msg, XN_EPROTO, "frame: unknown type %u", buf[3]);
    len = get_be32(buf + 4);
    if (len > max)
        return xn_msg_set(msg, XN_EPROTO, "frame: a \"%s\" frame of %u "
                          "bytes is over its maximum of %u",
                          mig_ftype_name(buf[3]), len, max);
    h->type = buf[3];
    h->len = len;
    return 0;
}

int mig_dataz_pack(void *cctx, int level, const uint8_t *raw, size_t len,
                   uint8_t *out, size_t *outlen_r, struct xn_msg *msg)
{
    size_t n;

    if (level < 1 || level > 19)
        return xn_msg_set(msg, XN_EINVAL, "data_z: compression level %d "
                          "is not from 1 to 19", level);
    if (len < 1 || len > MIG_DATA_MAX)
        return xn_msg_set(msg, XN_EINVAL, "data_z: %zu raw bytes is not "
                          "from 1 to %u", len, MIG_DATA_MAX);
    put_be32(out, (uint32_t)len);
    n = ZSTD_compressCCtx(cctx, out + 4, MIG_DATAZ_MAX - 4, raw, len, level);
    if (ZSTD_isError(n))
        return xn_msg_set(msg, XN_EFAIL, "data_z: compression failed: %s",
                          ZSTD_getErrorName(n));
    *outlen_r = 4 + n;
    return 0;
}

int mig_dataz_unpack(void *dctx, const uint8_t *payload, size_t len,
                     uint8_t *out, size_t *outlen_r, struct xn_msg *msg)
{
    const uint8_t *z = payload + 4;
    unsigned long long announced;
    size_t raw, zlen, n;

    if (len < 4)
        return xn_msg_set(msg, XN_EPROTO, "data_z: a payload of %zu bytes "
                          "is too short", len);
    raw = get_be32(payload);
    zlen = len - 4;
    if (raw < 1 || raw > MIG_DATA_MAX)
        return xn_msg_set(msg, XN_EPROTO, "data_z: a raw length of %zu "
                          "bytes is not from 1 to %u", raw, MIG_DATA_MAX);
    /* exactly one zstd frame, and nothing after it */
    n = ZSTD_findFrameCompressedSize(z, zlen);
    if (ZSTD_isError(n))
        return xn_msg_set(msg, XN_EPROTO, "data_z: corrupt zstd frame: %s",
                          ZSTD_getErrorName(n));
    if (n != zlen)
        return xn_msg_set(msg, XN_EPROTO, "data_z: %zu bytes follow the "
                          "zstd frame", zlen - n);
    /* a hint only: the decompression below is what counts */
    announced = ZSTD_getFrameContentSize(z, zlen);
    if (announced == ZSTD_CONTENTSIZE_ERROR)
        return xn_msg_set(msg, XN_EPROTO, "data_z: corrupt zstd frame "
                          "header");
    if (announced != ZSTD_CONTENTSIZE_UNKNOWN && announced != raw)
        return xn_msg_set(msg, XN_EPROTO, "data_z: the zstd frame holds "
                          "%llu bytes, not the %zu announced", announced,
                          raw);
    /* room for exactly the announced length: a frame that would give more
     * fails here instead of writing past it */
    n = ZSTD_decompressDCtx(dctx, out, raw, z, zlen);
    if (ZSTD_isError(n))
        return xn_msg_set(msg, XN_EPROTO, "data_z: corrupt zstd frame: %s",
                          ZSTD_getErrorName(n));
    if (n != raw)
        return xn_msg_set(msg, XN_EPROTO, "data_z: the zstd frame gave %zu "
                          "bytes, not the %zu announced", n, raw);
    *outlen_r = n;
    return 0;
}
