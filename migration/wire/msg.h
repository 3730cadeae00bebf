/*
 * msg.h - the control messages of xenith's migration protocol: what a
 * control frame's JSON object means (frame.h has the framing).
 *
 * Each message is a JSON object; the fields are listed in docs/protocol.md
 * ("Migration") and below.  Decoding is strict: the frame's type decides
 * the message, every required field must be there with its type and
 * range, unknown fields are ignored (a newer peer may add some), strings
 * must be valid UTF-8 without control characters and within their bound.
 * A message that fails gets XN_EPROTO and one sentence naming the message
 * and the field, quoting the bad value (xn_quote).
 *
 * Ranges: integers are JSON integers (not 1.0), counters and times from 0
 * to INT64_MAX, memory_kb from 1 to 2^40, domid from 1 to 32751, hello's
 * versions from 1 to 1000; names and reasons within their arrays below
 * (the NUL included) and not empty, except a reason and a policy value.
 * The payload is one JSON object (white space around it is fine), nested
 * at most 32 deep, without NUL bytes or "\u0000".
 *
 * The decoders face network peers (through the relay, which decodes every
 * control frame before handing it on) and are fuzzed
 * (tests/fuzz/fuzz_migmsg.c).
 */
#ifndef XENITH_MIG_MSG_H
#define XENITH_MIG_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MIG_HOST_MAX 256        /* a host name, with NUL */
#define MIG_NAME_MAX 128        /* a domain name, with NUL (HV_NAME_MAX) */
#define MIG_REASON_MAX 480      /* a refusal's or abort's sentence */
#define MIG_POLICY_MAX 64       /* policy entries in a prepare */
#define MIG_POLICY_LEN 256      /* a policy key or value, with NUL */

/* Capabilities a relay offers in its hello. */
#define MIG_CAP_ZSTD 0x1u

/* hello: {"versions":[MIN,MAX], "host":"NAME", "caps":["zstd"]} */
struct mig_hello {
    uint32_t vmin, vmax;            /* 1 <= vmin <= vmax */
    char host[MIG_HOST_MAX];        /* the sender's own name (its cert's) */
    unsigned caps;                  /* MIG_CAP_*; unknown names ignored */
};

/* A policy entry the domain carries along ("sched.class" = "high"). */
struct mig_policy_entry {
    char key[MIG_POLICY_LEN];
    char value[MIG_POLICY_LEN];
};

/* prepare: {"name":"web1", "uuid":"...", "memory_kb":N, "config":{libxl
 * JSON object}, "policy":{"k":"v",...}, "live":true, "paused":false,
 * "stream":"xen"|"sim"}, all required (policy may be {}).  A "vcpus" a
 * sender adds is ignored like any unknown field: the config has them.
 * `config` is kept as its JSON text (owned, NUL-terminated), re-serialised
 * from the parsed object, for the receiver's driver to parse. */
struct mig_prepare {
    char name[MIG_NAME_MAX];
    uint8_t uuid[16];
    uint64_t memory_kb;             /* host memory the domain needs there */
    char *config_json;              /* owned; freed by mig_msg_dispose */
    size_t npolicy;
    struct mig_policy_entry policy[MIG_POLICY_MAX];
    bool live;
    bool paused;                    /* leave it paused at the end */
    char stream[16];                /* the driver's stream kind: "xen" or
                                       "sim"; a receiver refuses another
                                       (decoded: any word of [a-z0-9_-]) */
};

/* ready: {"domname":"web1--incoming"}  (the name it restores under) */
struct mig_ready {
    char domname[MIG_NAME_MAX];
};

/* refuse and abort: {"code":"ENOMEM", "reason":"..."}  (code: xn_errname) */
struct mig_refuse {
    int code;                       /* enum xn_err, < 0 (unknown names and
                                       "OK": EFAIL) */
    char reason[MIG_REASON_MAX];
};

/* end: {"bytes":N}  the stream's raw bytes, for the receiver to check */
struct mig_end {
    uint64_t bytes;
};

/* restored: {"domid":N} */
struct mig_restored {
    uint32_t domid;
};

/* go: {"suspended_for_ms":N}  how long the source had been suspended when
 * it sent go (0: unknown), for the receiver's downtime figure; a duration,
 * so the two hosts' clocks need not agree */
struct mig_go {
    uint64_t suspended_for_ms;
};

/* confirm: {"running":true, "domid":N, "downtime_ms":N} */
struct mig_confirm {
    bool running;                   /* false: left paused, as asked */
    uint32_t domid;
    uint64_t downtime_ms;
};

/* progress: {"bytes":N, "iteration":N, "remaining":N, "rate":N}
 * (remaining: an estimate of the bytes still to send, 0 when unknown;
 * rate: bytes per second) */
struct mig_progress {
    uint64_t bytes;
    uint32_t iteration;
    uint64_t remaining;
    uint64_t rate;
};

struct mig_msg {
    unsigned type;                  /* enum mig_ftype, a control type */
    union {
        struct mig_hello hello;
        struct mig_prepare prepare;
        struct mig_ready ready;
        struct mig_refuse refuse;   /* MIG_F_REFUSE and MIG_F_ABORT */
        struct mig_end end;
        struct mig_restored restored;
        struct mig_go go;
        struct mig_confirm confirm;
        struct mig_progress progress;
    } u;
};

/* Zero *m, of `type`. */
void mig_msg_init(struct mig_msg *m, unsigned type);
void mig_msg_dispose(struct mig_msg *m);        /* frees config_json */

/* Decode a control frame's payload (type from its header).  On success *m
 * is filled (mig_msg_dispose it); on failure it holds nothing to free.
 * XN_EINVAL for a type that carries no message (DATA, DATA_Z, unknown). */
int mig_msg_decode(unsigned type, const uint8_t *buf, size_t len,
                   struct mig_msg *m, struct xn_msg *msg);

/* Encode `m` as its JSON payload: *buf_r (malloc'd, not NUL-terminated
 * for the wire; *len_r bytes, at most MIG_CTRL_MAX) is the caller's.
 * XN_EINVAL when a field is out of range (the same checks as decode: the
 * payload is decoded before it is handed out, and the decoder's sentence
 * says what is wrong), or for two policy entries of one key. */
int mig_msg_encode(const struct mig_msg *m, uint8_t **buf_r, size_t *len_r,
                   struct xn_msg *msg);

/* Whether s is a host name as hello carries it and the relay checks
 * certificates against: 1 to 253 characters of [A-Za-z0-9.:-] (a DNS name
 * or an IPv4 or IPv6 address; not checked any further). */
bool mig_host_valid(const char *s);

/* A whole control frame (header + payload) in one malloc'd buffer. */
int mig_msg_frame(const struct mig_msg *m, uint8_t **buf_r, size_t *len_r,
                  struct xn_msg *msg);

#endif
