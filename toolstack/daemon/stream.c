/* stream.c - suspend, write the stream, then end (stream.h). */
#include "daemon/stream.h"
#include "daemon/daemon.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stream {
    struct daemon *d;
    uint32_t domid;
    char subj[HV_NAME_MAX + 32];    /* "domain 7 (web1)" */
    struct stream_sink sink;
    enum stream_end end;
    stream_done_fn *done;
    void *arg;
    struct stream_outcome o;
};

static void finish(struct stream *s)
{
    s->done(s->arg, &s->o);
    free(s);
}

static void resumed(void *arg, int rc, const struct xn_msg *msg,
                    uint32_t domid)
{
    struct stream *s = arg;
    char why[XN_MSG_MAX];

    (void)domid;
    snprintf(why, sizeof(why), "%s", s->o.msg.text);
    if (rc < 0) {
        xn_log(XN_LOG_ERR, "%s stays suspended: resume failed: %s", s->subj,
               msg->text);
        xn_msg_set(&s->o.msg, s->o.rc, "%.300s; resuming the domain failed "
                   "too (%.150s)", why, msg->text);
    } else {
        s->o.resumed = true;
        xn_msg_set(&s->o.msg, s->o.rc, "%.450s; the domain runs on", why);
    }
    finish(s);
}

/* The stream failed before it was safe: drop it, let the domain run. */
static void failed(struct stream *s, int rc, const struct xn_msg *msg)
{
    struct hv_dominfo info;
    struct xn_msg m;

    s->o.rc = rc;
    s->o.msg = *msg;
    if (s->sink.abort)
        s->sink.abort(s->sink.arg);
    xn_log(XN_LOG_ERR, "stream of %s failed: %s", s->subj, msg->text);
    if (hv_dom_info(s->d->hv, s->domid, &info, NULL) == 0 &&
        hv_dom_suspended(&info) &&
        hv_resume(s->d->hv, s->domid, resumed, s, &m) == 0)
        return;
    finish(s);
}

static void ended(void *arg, int rc, const struct xn_msg *msg,
                  uint32_t domid)
{
    struct stream *s = arg;
    static const char *const words[] = {
        [STREAM_DESTROY] = "destroying the domain",
        [STREAM_RESUME] = "resuming the domain",
        [STREAM_KEEP] = "",
    };

    (void)domid;
    if (rc < 0) {
        s->o.rc = rc;
        xn_msg_set(&s->o.msg, rc, "the stream is safe, but %s failed: %s",
                   words[s->end], msg->text);
    }
    finish(s);
}

static void committed(void *arg, int rc, const struct xn_msg *msg)
{
    struct stream *s = arg;
    struct xn_msg m;

    if (rc < 0) {
        if (!msg || !msg->text[0])
            xn_msg_set(&m, rc, "%s", xn_strerror(rc));
        failed(s, rc, msg && msg->text[0] ? msg : &m);
        return;
    }
    s->o.committed = true;
    switch (s->end) {
    case STREAM_DESTROY:
        rc = hv_destroy(s->d->hv, s->domid, ended, s, &m);
        break;
    case STREAM_RESUME:
        rc = hv_resume(s->d->hv, s->domid, ended, s, &m);
        break;
    case STREAM_KEEP:
        finish(s);
        return;
    }
    if (rc < 0)
        ended(s, rc, &m, s->domid);
}

static void written(void *arg, int rc, const struct xn_msg *msg,
                    uint32_t domid)
{
    struct stream *s = arg;

    (void)domid;
    if (rc < 0) {
        failed(s, rc, msg);
        return;
    }
    if (s->sink.commit)
        s->sink.commit(s->sink.arg, committed, s);
    else
        committed(s, 0, NULL);
}

int stream_out(struct daemon *d, uint32_t domid, const struct stream_sink *sink,
               unsigned flags, enum stream_end end, stream_done_fn *done,
               void *arg, struct xn_msg *msg)
{
    struct stream *s = calloc(1, sizeof(*s));
    struct hv_dominfo info;
    int rc;

    if (!s)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    if ((rc = hv_dom_info(d->hv, domid, &info, msg)) < 0) {
        free(s);
        return rc;
    }
    s->d = d;
    s->domid = domid;
    snprintf(s->subj, sizeof(s->subj), "domain %u (%s)", domid, info.name);
    s->sink = *sink;
    s->end = end;
    s->done = done;
    s->arg = arg;
    rc = hv_save(d->hv, domid, sink->fd, flags, written, s, msg);
    if (rc < 0)
        free(s);
    return rc;
}
