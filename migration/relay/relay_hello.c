/*
 * relay_hello.c - from a TCP socket to an authenticated peer: the TLS
 * handshake, then the hello exchange, under one deadline (handshake_ms).
 *
 * The client (the connecting relay) sends its hello first, once its
 * handshake is over; the server reads it and answers with its own
 * (relay_accept_hello).  Each side checks the other's hello: versions that
 * overlap ours, and a host name its certificate carries.  Until the hello
 * is taken, nothing but a hello (or, to a client, a refuse) may come.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/x509v3.h>

#include "migration/wire/frame.h"
#include "relay.h"
#include "utf8.h"

/* "hostb (127.0.0.1:8002)" or "connection from 127.0.0.1:40000". */
static void who(struct relay_conn *c, char *buf, size_t len)
{
    if (c->incoming)
        snprintf(buf, len, "connection from %s", c->addr);
    else
        snprintf(buf, len, "%s (%s)", c->host, c->addr);
}

int relay_hello_send(struct relay_conn *c, struct xn_msg *msg)
{
    struct mig_msg m;
    uint8_t *buf = NULL;
    size_t len;
    int rc;

    mig_msg_init(&m, MIG_F_HELLO);
    m.u.hello.vmin = MIG_VERSION;
    m.u.hello.vmax = MIG_VERSION;
    snprintf(m.u.hello.host, sizeof(m.u.hello.host), "%s", c->r->conf.host);
    m.u.hello.caps = MIG_CAP_ZSTD;
    rc = mig_msg_frame(&m, &buf, &len, msg);
    if (rc == 0 && bufferevent_write(c->hs, buf, len) < 0)
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
    if (rc == 0)
        c->wire_bytes += len;
    free(buf);
    mig_msg_dispose(&m);
    return rc;
}

/* Check the peer's hello; 0 or a code with the sentence's tail. */
static int hello_check(struct relay_conn *c, const struct mig_hello *h,
                       struct xn_msg *msg)
{
    char q[80];

    if (h->vmin > MIG_VERSION || h->vmax < MIG_VERSION)
        return xn_msg_set(msg, XN_EPROTO, "it speaks protocol versions "
                          "%u to %u, this relay only %d", h->vmin, h->vmax,
                          MIG_VERSION);
    if (!c->plain &&
        !relay_tls_names(c->ssl, h->host))
        return xn_msg_set(msg, XN_EPROTO, "its hello names it \"%s\", a "
                          "name its certificate does not carry",
                          xn_quote(h->host, strlen(h->host), 60, q,
                                   sizeof(q)));
    return 0;
}

/* One frame from the peer, when whole: 1 and *m (dispose it), 0 when more
 * must come, or a code. */
static int hello_frame(struct relay_conn *c, struct mig_msg *m,
                       struct xn_msg *msg)
{
    struct evbuffer *in = bufferevent_get_input(c->hs);
    struct mig_frame_hdr h;
    uint8_t hb[MIG_FRAME_HDR];
    unsigned char *p;
    int rc;

    if (evbuffer_copyout(in, hb, sizeof(hb)) < (ev_ssize_t)sizeof(hb))
        return 0;
    if ((rc = mig_frame_hdr_decode(hb, sizeof(hb), &h, msg)) < 0)
        return rc;
    if (h.type != MIG_F_HELLO && (c->incoming || h.type != MIG_F_REFUSE))
        return xn_msg_set(msg, XN_EPROTO, "it sent a %s frame before its "
                          "hello", mig_ftype_name(h.type));
    if (evbuffer_get_length(in) < MIG_FRAME_HDR + (size_t)h.len)
        return 0;
    p = evbuffer_pullup(in, MIG_FRAME_HDR + (ev_ssize_t)h.len);
    if (!p)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = mig_msg_decode(h.type, p + MIG_FRAME_HDR, h.len, m, msg);
    evbuffer_drain(in, MIG_FRAME_HDR + (size_t)h.len);
    c->wire_bytes += MIG_FRAME_HDR + (size_t)h.len;
    return rc < 0 ? rc : 1;
}

static void hs_read(struct bufferevent *bev, void *arg)
{
    struct relay_conn *c = arg;
    struct mig_msg m;
    struct xn_msg msg;
    char w[RELAY_ADDR_MAX + MIG_HOST_MAX + 32], q[MIG_REASON_MAX];
    int rc;

    xn_msg_clear(&msg);
    who(c, w, sizeof(w));
    rc = hello_frame(c, &m, &msg);
    if (rc == 0)
        return;
    if (rc < 0) {
        relay_conn_fail(c, rc, "%s: bad hello: %s", w, msg.text);
        return;
    }
    if (m.type == MIG_F_REFUSE) {
        xn_quote(m.u.refuse.reason, strlen(m.u.refuse.reason),
                 MIG_REASON_MAX - 4, q, sizeof(q));
        rc = m.u.refuse.code;
        mig_msg_dispose(&m);
        relay_conn_fail(c, rc, "%s: refused: %s", w, q);
        return;
    }
    if ((rc = hello_check(c, &m.u.hello, &msg)) < 0) {
        mig_msg_dispose(&m);
        relay_conn_fail(c, rc, "%s: bad hello: %s", w, msg.text);
        return;
    }
    struct mig_hello hello = m.u.hello;
    mig_msg_dispose(&m);
    if (c->incoming)
        relay_accept_hello(c, &hello);
    else
        relay_connect_hello(c, &hello);
}

static void hs_event(struct bufferevent *bev, short what, void *arg)
{
    struct relay_conn *c = arg;
    struct xn_msg msg;
    char w[RELAY_ADDR_MAX + MIG_HOST_MAX + 32], why[300];

    who(c, w, sizeof(w));
    if (what & BEV_EVENT_CONNECTED) {
        c->tls_done = true;
        xn_msg_clear(&msg);
        if (!c->incoming && relay_hello_send(c, &msg) < 0)
            relay_conn_fail(c, XN_EFAIL, "%s: %s", w, msg.text);
        return;
    }
    if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
        return;
    relay_tls_why(c, why, sizeof(why));
    if (c->plain)
        relay_conn_fail(c, XN_ECONNECT, "%s: no hello: %s", w, why);
    else
        relay_conn_fail(c, XN_ECONNECT, "%s: TLS handshake failed: %s", w,
                        why);
}

static void hs_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct relay_conn *c = arg;
    char w[RELAY_ADDR_MAX + MIG_HOST_MAX + 32];

    who(c, w, sizeof(w));
    if (c->tls_done || c->plain)
        relay_conn_fail(c, XN_ETIMEDOUT, "%s: no hello within %u ms", w,
                        c->r->conf.handshake_ms);
    else
        relay_conn_fail(c, XN_ETIMEDOUT, "%s: TLS handshake timed out "
                        "after %u ms", w, c->r->conf.handshake_ms);
}

/* The client's SSL: the server's certificate must name c->host. */
static SSL *client_ssl(struct relay_conn *c)
{
    SSL *ssl = SSL_new(c->r->ctx);
    X509_VERIFY_PARAM *vp;
    unsigned char a[16];
    bool ip;

    if (!ssl)
        return NULL;
    vp = SSL_get0_param(ssl);
    ip = inet_pton(AF_INET, c->host, a) == 1 ||
         inet_pton(AF_INET6, c->host, a) == 1;
    if (ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, c->host) != 1
           : (X509_VERIFY_PARAM_set1_host(vp, c->host, 0) != 1 ||
              SSL_set_tlsext_host_name(ssl, c->host) != 1)) {
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

void relay_hello_start(struct relay_conn *c)
{
    struct relay *r = c->r;
    struct timeval tv = {r->conf.handshake_ms / 1000,
                         (r->conf.handshake_ms % 1000) * 1000};
    char w[RELAY_ADDR_MAX + MIG_HOST_MAX + 32];
    struct xn_msg msg;

    who(c, w, sizeof(w));
    c->state = RC_HANDSHAKE;
    c->plain = r->conf.plain;
    /* The socket and the SSL stay c's: relay_net.c takes them over from
     * the bufferevent once the hello is done. */
    if (c->plain) {
        c->hs = bufferevent_socket_new(r->base, c->fd, 0);
    } else {
        c->ssl = c->incoming ? SSL_new(r->ctx) : client_ssl(c);
        if (c->ssl)
            c->hs = bufferevent_openssl_socket_new(
                r->base, c->fd, c->ssl, c->incoming ?
                BUFFEREVENT_SSL_ACCEPTING : BUFFEREVENT_SSL_CONNECTING, 0);
    }
    if (c->timer)
        event_free(c->timer);
    c->timer = evtimer_new(r->base, hs_timeout, c);
    if (!c->hs || !c->timer || evtimer_add(c->timer, &tv) < 0) {
        relay_conn_fail(c, XN_EFAIL, "%s: cannot set up the connection",
                        w);
        return;
    }
    bufferevent_set_max_single_read(c->hs, MIG_DATA_MAX);
    bufferevent_set_max_single_write(c->hs, MIG_DATA_MAX);
    bufferevent_setcb(c->hs, hs_read, NULL, hs_event, c);
    bufferevent_enable(c->hs, EV_READ | EV_WRITE);
    xn_msg_clear(&msg);
    if (c->plain && !c->incoming && relay_hello_send(c, &msg) < 0)
        relay_conn_fail(c, XN_EFAIL, "%s: %s", w, msg.text);
}
