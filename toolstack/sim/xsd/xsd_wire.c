/*
 * xsd_wire.c - framing of the xenstore wire protocol: a struct xsd_sockmsg
 * header (host byte order, as on xenstored's socket) then hdr.len bytes of
 * payload, at most XENSTORE_PAYLOAD_MAX.  Nothing the peer sends is
 * trusted: a header claiming more than the maximum is reported before any
 * payload is buffered for it.
 */
#include "xsd_int.h"

#include <event2/buffer.h>
#include <string.h>

enum xsd_wire_take xsd_wire_take(struct evbuffer *buf,
                                struct xsd_wire_msg *m)
{
    size_t have = evbuffer_get_length(buf);

    if (have < sizeof(m->hdr))
        return XSD_WIRE_MORE;
    if (evbuffer_copyout(buf, &m->hdr, sizeof(m->hdr)) !=
        (ev_ssize_t)sizeof(m->hdr))
        return XSD_WIRE_MORE;
    if (m->hdr.len > XENSTORE_PAYLOAD_MAX)
        return XSD_WIRE_TOO_BIG;
    if (have < sizeof(m->hdr) + m->hdr.len)
        return XSD_WIRE_MORE;
    evbuffer_drain(buf, sizeof(m->hdr));
    if (evbuffer_remove(buf, m->body, m->hdr.len) != (int)m->hdr.len)
        return XSD_WIRE_TOO_BIG;    /* cannot happen: we counted */
    m->body[m->hdr.len] = '\0';
    return XSD_WIRE_MSG;
}

unsigned xsd_wire_strings(const struct xsd_wire_msg *m, const char **vec,
                          unsigned max)
{
    unsigned n = 0;
    size_t off = 0;

    while (off < m->hdr.len) {
        const char *s = m->body + off;
        const char *nul = memchr(s, '\0', m->hdr.len - off);

        if (!nul)
            break;
        if (n < max)
            vec[n] = s;
        n++;
        off = (size_t)(nul - m->body) + 1;
    }
    return n;
}

const char *xsd_wire_onearg(const struct xsd_wire_msg *m)
{
    if (m->hdr.len == 0 || strlen(m->body) + 1 != m->hdr.len)
        return NULL;
    return m->body;
}

int xsd_wire_put2(struct evbuffer *buf, uint32_t type, uint32_t req_id,
                  uint32_t tx_id, const void *a, size_t alen, const void *b,
                  size_t blen)
{
    struct xsd_sockmsg hdr = {
        .type = type, .req_id = req_id, .tx_id = tx_id,
        .len = (uint32_t)(alen + blen),
    };

    if (alen + blen > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    if (evbuffer_add(buf, &hdr, sizeof(hdr)) < 0 ||
        (alen && evbuffer_add(buf, a, alen) < 0) ||
        (blen && evbuffer_add(buf, b, blen) < 0))
        return -ENOMEM;
    return 0;
}

int xsd_wire_put(struct evbuffer *out, uint32_t type, uint32_t req_id,
                 uint32_t tx_id, const void *data, size_t len)
{
    return xsd_wire_put2(out, type, req_id, tx_id, data, len, NULL, 0);
}

const char *xsd_wire_errname(int neg_errno)
{
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == -neg_errno)
            return xsd_errors[i].errstring;
    return "EINVAL";
}

const char *xsd_wire_typename(uint32_t type)
{
    static const char *const names[XS_TYPE_COUNT] = {
        [XS_CONTROL] = "CONTROL",
        [XS_DIRECTORY] = "DIRECTORY",
        [XS_READ] = "READ",
        [XS_GET_PERMS] = "GET_PERMS",
        [XS_WATCH] = "WATCH",
        [XS_UNWATCH] = "UNWATCH",
        [XS_TRANSACTION_START] = "TRANSACTION_START",
        [XS_TRANSACTION_END] = "TRANSACTION_END",
        [XS_INTRODUCE] = "INTRODUCE",
        [XS_RELEASE] = "RELEASE",
        [XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
        [XS_WRITE] = "WRITE",
        [XS_MKDIR] = "MKDIR",
        [XS_RM] = "RM",
        [XS_SET_PERMS] = "SET_PERMS",
        [XS_WATCH_EVENT] = "WATCH_EVENT",
        [XS_ERROR] = "ERROR",
        [XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
        [XS_RESUME] = "RESUME",
        [XS_SET_TARGET] = "SET_TARGET",
        [XS_RESET_WATCHES] = "RESET_WATCHES",
        [XS_DIRECTORY_PART] = "DIRECTORY_PART",
    };

    if (type < XS_TYPE_COUNT && names[type])
        return names[type];
    return "unknown";
}
