/*
 * mig_relay.h - the migration bench's relays: two xenith-relay processes
 * driven over their control channels as xenithd drives them
 * (migration/wire/ctl.h), certificates made with migration/cert's API,
 * and one stream of frames pushed from A's daemon side to B's.
 *
 * Errors are sentences on stderr; every function returns 0 or -1.
 */
#ifndef XENITH_BENCH_MIG_RELAY_H
#define XENITH_BENCH_MIG_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A source of DATA payloads: fill buf with the next n bytes (n at most
 * MIG_DATA_MAX); called from the writer thread. */
typedef void (*mig_src_fn)(void *arg, uint64_t off, uint8_t *buf, size_t n);

struct mig_pair {
    pid_t pid[2];               /* A (connects), B (listens) */
    int ctl[2];                 /* our ends of their control channels */
    bool plain;
    char dir[256];              /* temp dir of the certificates, or "" */
};

/* The relay binary: $XENITH_BIN/xenith-relay, else the one beside the
 * bench's own directory (build/bench/.. = build). */
int mig_relay_path(char *buf, size_t len);

/* Start A and B, configured (TLS with fresh certificates for hosta and
 * hostb in a temp dir, or plain).  mig_pair_stop ends them. */
int mig_pair_start(struct mig_pair *p, bool plain);
void mig_pair_stop(struct mig_pair *p);

struct mig_run {
    uint64_t raw;               /* payload bytes pushed */
    uint64_t ns;                /* first write to last byte read */
    uint64_t wire, frames;      /* A's closed: wire_bytes, raw_bytes */
};

/* Connect A to B (zstd `level`, 0 off) and push `bytes` of payload from
 * src as DATA frames of MIG_DATA_MAX; read them all on B's side; close;
 * A's counters from its `closed`. */
int mig_pair_push(struct mig_pair *p, int level, uint64_t bytes,
                  mig_src_fn src, void *arg, struct mig_run *run);

#endif
