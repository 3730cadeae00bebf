/*
 * ctl.h - the control channel between xenithd and its relay
 * (xenith-relay, the unprivileged process that speaks TLS to other hosts).
 *
 * A SOCK_SEQPACKET socketpair: one JSON object per packet (at most
 * MIG_CTL_MAX bytes), and at most one file descriptor beside it
 * (SCM_RIGHTS).  The daemon starts the relay with its end as fd 3.
 *
 * daemon -> relay
 *   {"op":"config", "host":NAME, "key":PEM, "cert":PEM, "ca":PEM,
 *    "crl":PEM or "", "max_incoming":N, "handshake_ms":N,
 *    "plain":false}
 *        First, and again to reload certificates.  "plain" (bench only:
 *        no TLS, same relay) is never set by xenithd.
 *   {"op":"listen", "addr":"ADDR:PORT"}  + fd: a bound, listening TCP
 *        socket (the daemon binds it: the port may be privileged).
 *   {"op":"connect", "id":N, "host":NAME, "addr":"IP", "port":P,
 *    "compress":LEVEL (0 off, 1..19), "bandwidth":BYTES_PER_S (0 none)}
 *        + fd: the relay's end of a SOCK_STREAM socketpair.  The relay
 *        connects to addr:port, does the TLS handshake, checks the peer's
 *        certificate against `host` (a DNS name or an IP address), and
 *        exchanges hellos.  Then frames written to the socketpair go to
 *        the peer, and frames from the peer come out of it.
 *   {"op":"cancel", "id":N}   close that connection now.
 *
 * relay -> daemon
 *   {"op":"ready"}                         after a good config
 *   {"op":"error", "error":"..."}          a config or listen it cannot use
 *   {"op":"listening", "addr":"ADDR:PORT"}
 *   {"op":"connected", "id":N, "peer":NAME, "caps":["zstd"]}
 *   {"op":"failed", "id":N, "code":"ECONNECT", "error":"..."}
 *        the connection could not be made (nothing was sent).
 *   {"op":"incoming", "id":N, "peer":NAME, "addr":"IP:PORT",
 *    "caps":[...]}  + fd: the daemon's end of a socketpair carrying an
 *        authenticated peer's frames (ids of incoming connections are the
 *        relay's own, odd numbers; the daemon's connect ids are even).
 *   {"op":"refused", "addr":"IP:PORT", "error":"..."}
 *        a peer refused at the handshake or hello (the daemon logs it).
 *   {"op":"closed", "id":N, "error":"..." or "", "wire_bytes":N,
 *    "raw_bytes":N}   the connection ended (error "" when cleanly).
 *   {"op":"stats", "id":N, "wire_bytes":N, "raw_bytes":N}   about once a
 *        second while data flows.
 *
 * Frames between the relay and the daemon are frame.h's, already checked
 * by the relay: headers valid, control payloads decoded by msg.h, DATA_Z
 * turned into DATA.  HELLO never reaches the daemon.
 */
#ifndef XENITH_MIG_CTL_H
#define XENITH_MIG_CTL_H

#include <json-c/json.h>

#include "err.h"

#define MIG_CTL_MAX (256 * 1024)

/* Send `o` (not consumed) and, when fd >= 0, the descriptor (not closed).
 * Blocking is the caller's choice: the sockets are non-blocking in the
 * daemon, where a full channel gives XN_EAGAIN-like XN_EBUSY. */
int mig_ctl_send(int sock, struct json_object *o, int fd,
                 struct xn_msg *msg);

/* Receive one packet: *o_r (json_object_put it) and *fd_r (-1 when none;
 * the caller owns it).  0 on success; XN_EBUSY when nothing is there yet
 * (non-blocking socket); XN_EIO at end of channel (msg says "closed");
 * XN_EPROTO for a packet that is not one JSON object (any fd that came
 * with it is closed). */
int mig_ctl_recv(int sock, struct json_object **o_r, int *fd_r,
                 struct xn_msg *msg);

/* Field helpers: the string (NULL when absent or not a string), the
 * integer (def when absent or not an integer >= 0). */
const char *mig_ctl_str(struct json_object *o, const char *key);
long long mig_ctl_int(struct json_object *o, const char *key, long long def);

#endif
