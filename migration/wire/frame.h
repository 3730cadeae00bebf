/*
 * frame.h - the frames of xenith's migration protocol.
 *
 * Everything a migration sends travels in frames: between two relays over
 * TLS, and between a relay and its daemon in the clear over a local socket.
 * A frame is an 8-byte header and a payload:
 *
 *   offset 0  'X' 'M'        magic
 *          2  version        MIG_VERSION (1)
 *          3  type           enum mig_ftype
 *          4  length         payload bytes, u32 big-endian
 *
 * Control frames (every type but DATA and DATA_Z) carry one JSON object
 * (msg.h), at most MIG_CTRL_MAX bytes.  DATA carries raw stream bytes, at
 * most MIG_DATA_MAX.  DATA_Z carries the same bytes compressed: a u32
 * big-endian raw length (1..MIG_DATA_MAX) then one zstd frame; relays
 * compress and decompress, so a daemon only ever sees DATA.
 *
 * Pure code: no I/O, no allocation except where a function says so.  The
 * decoders face network peers and are fuzzed (tests/fuzz/fuzz_migframe.c).
 */
#ifndef XENITH_MIG_FRAME_H
#define XENITH_MIG_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MIG_VERSION 1
#define MIG_FRAME_HDR 8
#define MIG_CTRL_MAX (256u * 1024u)     /* a control frame's JSON */
#define MIG_DATA_MAX (1024u * 1024u)    /* a DATA frame's bytes, raw */
/* A DATA_Z payload: 4 bytes of raw length and the zstd frame, whose size
 * is at most ZSTD_compressBound(MIG_DATA_MAX). */
#define MIG_DATAZ_MAX (4u + MIG_DATA_MAX + MIG_DATA_MAX / 128u + 1024u)

enum mig_ftype {
    MIG_F_HELLO = 1,        /* relay <-> relay: versions, name, caps */
    MIG_F_PREPARE = 2,      /* sender -> receiver: the domain to come */
    MIG_F_READY = 3,        /* receiver: memory reserved, send the stream */
    MIG_F_REFUSE = 4,       /* either side: no, with a reason */
    MIG_F_DATA = 5,         /* stream bytes */
    MIG_F_DATA_Z = 6,       /* stream bytes, zstd (relay <-> relay only) */
    MIG_F_END = 7,          /* sender: the stream is complete */
    MIG_F_RESTORED = 8,     /* receiver: restored, paused */
    MIG_F_GO = 9,           /* sender: source renamed, unpause it */
    MIG_F_CONFIRM = 10,     /* receiver: it runs (or stays paused) there */
    MIG_F_ABORT = 11,       /* either side, before GO: give up */
    MIG_F_PROGRESS = 12,    /* sender -> receiver: stream figures */
};
#define MIG_F_MIN MIG_F_HELLO
#define MIG_F_MAX MIG_F_PROGRESS

struct mig_frame_hdr {
    uint8_t type;           /* enum mig_ftype */
    uint32_t len;           /* payload bytes */
};

/* The type's name ("hello", "data"...), or "unknown".  Static storage. */
const char *mig_ftype_name(unsigned type);

/* The largest payload a frame of `type` may carry (0 for an unknown type). */
uint32_t mig_ftype_max(unsigned type);

/* Write a header for `type` and `len` into out[0..7]. */
void mig_frame_hdr_encode(uint8_t out[MIG_FRAME_HDR], unsigned type,
                          uint32_t len);

/* Read the header at buf[0..7] (n >= MIG_FRAME_HDR).  XN_EPROTO, with a
 * sentence quoting what was wrong (bad magic shown as hex, version, type,
 * a length over the type's maximum), when it is not a valid header. */
int mig_frame_hdr_decode(const uint8_t *buf, size_t n,
                         struct mig_frame_hdr *h, struct xn_msg *msg);

/* Compress `len` raw bytes (1..MIG_DATA_MAX) at `level` (1..19) into a
 * DATA_Z payload at out (room: MIG_DATAZ_MAX).  *outlen_r gets its size.
 * `cctx` is a ZSTD_CCtx * the caller keeps across calls (void * so callers
 * need not include zstd.h). */
int mig_dataz_pack(void *cctx, int level, const uint8_t *raw, size_t len,
                   uint8_t *out, size_t *outlen_r, struct xn_msg *msg);

/* Decompress a DATA_Z payload into out (room: MIG_DATA_MAX): XN_EPROTO
 * when the raw length is 0 or over MIG_DATA_MAX, the zstd frame is
 * corrupt, or it does not give exactly the raw length.  `dctx` is a
 * ZSTD_DCtx * the caller keeps. */
int mig_dataz_unpack(void *dctx, const uint8_t *payload, size_t len,
                     uint8_t *out, size_t *outlen_r, struct xn_msg *msg);

#endif
