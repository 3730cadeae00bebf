/*
 * relay.h - xenith-relay's parts, shared among its files.
 *
 * The relay is one process with one libevent loop.  xenithd drives it over
 * the control channel (migration/wire/ctl.h); each migration is one
 * struct relay_conn, which goes through these states:
 *
 *   CONNECTING  (outgoing only) the TCP connect is under way
 *   HANDSHAKE   the TLS handshake and the hello exchange, under one
 *               deadline (handshake_ms); a failure here is reported once,
 *               as `failed` (outgoing) or `refused` (incoming)
 *   PIPE        authenticated: frames flow between the peer and the
 *               daemon's socketpair (relay_pipe.c)
 *   LINGER      our close_notify is sent: what the peer still sends is
 *               read and dropped until it closes too, so that closing our
 *               socket never resets theirs (the connection is already
 *               reported closed; nothing refers to it but the list)
 *
 * Files: relay_main.c (arguments, privileges, the loop), relay_ctl.c (the
 * control channel), relay_tls.c (the TLS context and error texts),
 * relay_conn.c (a connection's life and reports), relay_io.c (reading a
 * socket in large pieces), relay_hello.c (the handshake and the hello
 * exchange, on a libevent bufferevent), relay_accept.c (listeners,
 * incoming peers), relay_connect.c (outgoing connections), relay_net.c
 * (the peer's side once the hello is done: TLS driven by the relay
 * itself, batched, rate-limited), relay_pipe.c (the authenticated data
 * path).
 */
#ifndef XENITH_RELAY_H
#define XENITH_RELAY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <event2/event.h>
#include <json-c/json.h>
#include <openssl/ssl.h>

#include "err.h"
#include "migration/wire/msg.h"
#include "pace.h"

#define RELAY_HANDSHAKE_MS 10000        /* default of config's handshake_ms */
#define RELAY_MAX_INCOMING 4            /* default of config's max_incoming */
#define RELAY_MAX_PENDING 32            /* incoming handshakes at once */
#define RELAY_HIGH (4u << 20)           /* an output buffer's bound, bytes
                                         * (toward the peer: less on a
                                         * slow link, pace.h) */
#define RELAY_LINGER_MS 5000            /* wait for the peer's close */
#define RELAY_ADDR_MAX 64               /* "[v6addr]:port" with NUL */
#define RELAY_NET_RBUF (256u * 1024u)   /* records read ahead of OpenSSL
                                           (relay_net.c's read BIO) */
/* A sentence for the daemon: a host, an address and an xn_msg's text. */
#define RELAY_TEXT_MAX (MIG_HOST_MAX + RELAY_ADDR_MAX + XN_MSG_MAX + \
                        MIG_REASON_MAX)

/* The config op's settings.  The PEM texts live only as long as the op:
 * they become the SSL_CTX. */
struct relay_conf {
    char host[MIG_HOST_MAX];            /* our own name, sent in hellos */
    unsigned max_incoming;
    unsigned handshake_ms;
    bool plain;                         /* bench only: no TLS */
};

struct relay_listener;
struct relay_conn;

/* A socket read in large pieces (relay_io.c): into buf, until it holds
 * `high` bytes; cb after each batch, at EOF (eof) and on an error (err,
 * an errno value).  The descriptor is not the reader's. */
struct relay_rd {
    struct event *ev;
    struct evbuffer *buf;               /* owned */
    int fd;
    size_t high;
    bool eof;
    int err;
    void (*cb)(void *arg);
    void *arg;
};

/* The peer's side in PIPE and LINGER (relay_net.c): plaintext both ways
 * through TLS (or plain), driven by the relay.  cb runs after data moved
 * either way, at the peer's clean end (eof) and on an error (err, with
 * the sentence's tail in why).  fd and ssl are the connection's. */
struct relay_net {
    struct event *rev, *wev, *tick;     /* read, write, the bucket's wait */
    struct evbuffer *in;                /* from the peer, up to `high` */
    struct evbuffer *out;               /* to the peer (the caller bounds
                                           it) */
    uint8_t *wire;                      /* TLS records not yet sent */
    size_t wire_off, wire_len;
    int fd;
    SSL *ssl;                           /* NULL: plain */
    size_t high;
    uint64_t rate, burst, tokens;       /* bytes/s (0: no limit) */
    uint64_t filled_ns;                 /* tokens as of then */
    bool paused;                        /* in full: not reading */
    bool closing;                       /* after out: close our side */
    bool notified;                      /* close_notify queued */
    bool shut;                          /* our write side is closed */
    bool drop;                          /* lingering: drop what comes */
    bool eof;                           /* the peer's clean close */
    int err;                            /* errno-like, 0 none */
    char why[256];
    void (*cb)(void *arg);
    void *arg;
};

struct relay {
    struct event_base *base;            /* owned by main */
    int ctl_fd;                         /* owned: closed by relay_dispose */
    struct event *ctl_ev;
    bool configured;
    struct relay_conf conf;
    SSL_CTX *ctx;                       /* NULL in plain mode; each SSL
                                           holds its own reference */
    struct relay_listener *listeners;   /* owned list */
    struct relay_conn *conns;           /* owned list, every state */
    uint64_t next_in_id;                /* odd ids for incoming peers */
    unsigned pending;                   /* incoming conns in HANDSHAKE */
    time_t flood_logged;                /* last "too many handshakes" line */
};

enum relay_state {
    RC_CONNECTING,
    RC_HANDSHAKE,
    RC_PIPE,
    RC_LINGER,
};

struct relay_conn {
    struct relay_conn *next, **pprev;   /* in relay.conns */
    struct relay *r;
    uint64_t id;
    bool incoming;
    enum relay_state state;
    char addr[RELAY_ADDR_MAX];          /* the peer's "IP:PORT" */
    char host[MIG_HOST_MAX];            /* outgoing: the name asked for;
                                           after the hello: the peer's */
    int fd;                             /* the TCP socket (owned) */
    int loc_fd;                         /* the daemon's socketpair: ours
                                           until loc owns it */
    SSL *ssl;                           /* owned; NULL in plain mode */
    struct bufferevent *hs;             /* HANDSHAKE: TLS (or plain) to the
                                           peer, on fd and ssl (which it
                                           does not own) */
    struct relay_net net;               /* PIPE, LINGER: the peer */
    struct bufferevent *loc;            /* the daemon's socketpair */
    struct event *timer;                /* deadline, then stats */
    struct event *conn_ev;              /* CONNECTING: writable */
    int level;                          /* zstd level asked, 0 off */
    uint64_t bandwidth;                 /* bytes/s, 0 none */
    unsigned peer_caps;                 /* MIG_CAP_* of the peer's hello */
    bool zstd_out;                      /* pack DATA as DATA_Z */
    void *cctx, *dctx;                  /* ZSTD_CCtx / ZSTD_DCtx, lazily */
    uint64_t wire_bytes, raw_bytes;     /* frames on the net and loc sides,
                                           both directions */
    uint64_t shown_wire, shown_raw;     /* as of the last stats */
    /* What waits toward the peer (net.out, and the kernel's unsent bytes:
     * TCP_NOTSENT_LOWAT) is bounded by the pace it leaves at, so that a
     * migration's last round never waits behind seconds of older data on
     * a slow link (pace.h). */
    struct pace net_pace;
    uint64_t to_net;                    /* bytes put in net.out, in all */
    size_t net_bound;                   /* the bound now; 0: not set */
    struct relay_rd loc_rd;             /* PIPE: the daemon's frames */
    bool plain;                         /* no TLS on this one */
    bool pending;                       /* counted in relay.pending */
    bool tls_done;                      /* the TLS handshake is over */
    bool net_eof, loc_eof;
};

/* relay_ctl.c */
int relay_ctl_start(struct relay *r, struct xn_msg *msg);
/* Send a reply `o` (consumed) with fd (not closed; -1 for none).  A
 * failure is logged: the loop ends when the channel breaks. */
void relay_ctl_send(struct relay *r, struct json_object *o, int fd);

/* relay_tls.c */
/* A TLS 1.3 context for both sides from the config op's PEMs. */
int relay_tls_ctx_new(struct json_object *op, const char *host,
                      SSL_CTX **ctx_r, struct xn_msg *msg);
/* Why c's network side failed, into buf: OpenSSL's reason ("certificate
 * verify failed"), with the verification's when ours failed ("(certificate
 * has expired)"), or the system's, or "the peer closed the connection". */
void relay_tls_why(struct relay_conn *c, char *buf, size_t len);
/* True when the peer's certificate names `host` (DNS name or address). */
bool relay_tls_names(SSL *ssl, const char *host);

/* relay_conn.c */
/* A new connection in r's list (fd, loc_fd: -1, taken later). */
struct relay_conn *relay_conn_new(struct relay *r, uint64_t id,
                                  bool incoming);
/* Close and free everything of c (no report); NULL is fine. */
void relay_conn_free(struct relay_conn *c);
struct relay_conn *relay_conn_find(struct relay *r, uint64_t id);
/* Free c->hs (not the socket nor the SSL); NULL is fine. */
void relay_hs_free(struct relay_conn *c);
/* Before PIPE: report `failed` (outgoing, with xn_errname(code)) or
 * `refused` (incoming) with the sentence, then free c. */
void relay_conn_fail(struct relay_conn *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The report of relay_conn_fail without the free: for a refusal that
 * still has a frame to deliver before it lingers. */
void relay_conn_report(struct relay_conn *c, int code, const char *text);
/* In PIPE: report `closed` (error "" when NULL); the caller frees c or
 * lets it linger.  The id is forgotten (a cancel finds it no more). */
void relay_conn_closed(struct relay_conn *c, const char *error);
/* Report `stats` when the counters moved. */
void relay_conn_stats(struct relay_conn *c);
/* "IP:PORT" of a sockaddr into buf. */
void relay_addr_str(const struct sockaddr *sa, char *buf, size_t len);
/* A peer connection's TCP options: no Nagle delay. */
void relay_tcp_tune(int fd);
/* A JSON array of the capability names in caps (new reference). */
struct json_object *relay_caps_json(unsigned caps);
/* Free every connection and listener, then the context and channel. */
void relay_dispose(struct relay *r);

/* relay_hello.c */
/* Start the TLS handshake (or, plain, the hello) on c->fd; c->ssl made
 * here.  Failures are reported through relay_conn_fail. */
void relay_hello_start(struct relay_conn *c);
/* Queue our hello on c->hs. */
int relay_hello_send(struct relay_conn *c, struct xn_msg *msg);

/* relay_accept.c */
int relay_listen(struct relay *r, int fd, const char *addr,
                 struct xn_msg *msg);
void relay_listeners_free(struct relay *r);
/* The client's hello `h` is good: refuse (max_incoming) or answer and
 * hand the connection to the daemon. */
void relay_accept_hello(struct relay_conn *c, const struct mig_hello *h);

/* relay_connect.c */
void relay_connect_op(struct relay *r, struct json_object *op, int fd);
/* The server's hello `h` is good: report `connected` and start piping. */
void relay_connect_hello(struct relay_conn *c, const struct mig_hello *h);

/* relay_io.c */
int relay_rd_init(struct relay_rd *rd, struct event_base *base, int fd,
                  size_t high, void (*cb)(void *), void *arg);
/* Read again, unless full, at EOF or failed. */
void relay_rd_resume(struct relay_rd *rd);
void relay_rd_stop(struct relay_rd *rd);
/* Free the event and the buffer (what it holds is dropped); a zeroed or
 * disposed reader is fine. */
void relay_rd_dispose(struct relay_rd *rd);
/* One read of at most min(want, RELAY_RD_CHUNK) bytes from fd into buf's
 * own space: bytes read, 0 at EOF, -1 with errno. */
ssize_t relay_io_read(int fd, struct evbuffer *buf, size_t want);

/* relay_net.c */
/* Take over fd (and ssl, when not plain: its BIOs are replaced, reads go
 * through a buffer of RELAY_NET_RBUF) once the hello is done; reading
 * starts at once (OpenSSL may hold records already).  -1 when out of
 * memory (dispose it then). */
int relay_net_init(struct relay_net *n, struct event_base *base, int fd,
                   SSL *ssl, size_t high, uint64_t bandwidth,
                   void (*cb)(void *), void *arg);
/* out grew or in shrank: write and read again soon (never calls cb). */
void relay_net_kick(struct relay_net *n);
/* Once out is sent: close_notify (TLS) and shut our write side; with
 * drop, what the peer sends from now on is read and dropped. */
void relay_net_close(struct relay_net *n, bool drop);
/* Nothing left to send (out and the records). */
bool relay_net_flushed(const struct relay_net *n);
/* Free the events and buffers (not fd nor ssl); a zeroed or disposed one
 * is fine. */
void relay_net_dispose(struct relay_net *n);
/* Free what every connection shares (at exit). */
void relay_net_cleanup(void);

/* relay_pipe.c */
/* Frames flow from now on (c->hs and c->loc_fd set; c->hs's input may
 * already hold frames, its output our hello): c->hs is replaced by
 * c->net. */
void relay_pipe_start(struct relay_conn *c);
/* End a piping connection now (cancel): report closed with `error`. */
void relay_pipe_abort(struct relay_conn *c, const char *error);
/* Already reported: send what c->net (or, still in HANDSHAKE, c->hs)
 * holds, close our side of the TLS session, and drop what the peer still
 * sends until it closes (or RELAY_LINGER_MS), then free c.  c->loc is
 * closed now. */
void relay_pipe_linger(struct relay_conn *c);

#endif
