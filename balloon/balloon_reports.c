/*
 * balloon_reports.c - the memory reports guests write into their own
 * xenstore (common/memreport.h), read by one watch on /local/domain.
 *
 * A report is untrusted: it is parsed by memreport_parse, a bad one is
 * logged once (until a good one comes) and ignored, and a guest that
 * rewrites its node in a loop gets it read at most once a second: the
 * watch only marks the domain, and the next pass reads what was held
 * back.
 */
#include "balloon/balloon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "utf8.h"
#include "xsc.h"

#define READ_EVERY_NS 1000000000ull     /* at most one read a second */
#define PREFIX "/local/domain/"

void balloon_report_read(struct balloon *b, struct bdom *bd)
{
    char path[XSC_PATH_MAX], *text = NULL;
    struct memreport r;
    struct xn_msg msg;
    size_t len = 0;
    int clamped = 0, rc;

    if (!b->d->store)
        return;
    bd->read_ns = balloon_now();
    bd->report_dirty = false;
    rc = xsc_read(b->d->store, xsc_dom_path(path, bd->domid, MEMREPORT_NODE),
                  &text, &len, NULL);
    if (rc < 0)
        return;                     /* no agent (or not yet) */
    rc = memreport_parse(text, len, &r, &clamped, &msg);
    free(text);
    if (rc < 0 || clamped) {
        if (!bd->report_bad_logged)
            xn_log(XN_LOG_WARNING, "balloon: domain %u (%s): %s%s",
                   bd->domid, bd->name, rc < 0 ? "" : "values clamped in ",
                   rc < 0 ? msg.text : "its memory report");
        bd->report_bad_logged = true;
        metric_add(b->m.reports_bad, 1);
        if (rc < 0)
            return;
    } else {
        bd->report_bad_logged = false;
    }
    if (bd->has_report && r.seq == bd->report.seq &&
        memcmp(&r, &bd->report, sizeof(r)) == 0)
        return;
    bd->report = r;
    bd->has_report = true;
    bd->report_ns = bd->read_ns;
    balloon_pass_soon(b);
}

/* /local/domain/N/data/xenith-memory: N, or false. */
static bool report_domid(const char *path, uint32_t *domid)
{
    const char *p = path + strlen(PREFIX);
    char *end;
    unsigned long v;

    if (strncmp(path, PREFIX, strlen(PREFIX)) != 0 || *p < '0' || *p > '9')
        return false;
    v = strtoul(p, &end, 10);
    if (*end != '/' || strcmp(end + 1, MEMREPORT_NODE) != 0 || v > UINT32_MAX)
        return false;
    *domid = (uint32_t)v;
    return true;
}

static void on_change(void *opaque, const char *path)
{
    struct balloon *b = opaque;
    struct bdom *bd;
    uint32_t domid;

    if (!report_domid(path, &domid) || !(bd = bdom_find(b, domid)))
        return;
    if (balloon_now() - bd->read_ns < READ_EVERY_NS) {
        bd->report_dirty = true;    /* read by the next pass */
        balloon_pass_soon(b);
        return;
    }
    balloon_report_read(b, bd);
}

void balloon_reports_catch_up(struct balloon *b)
{
    uint64_t now = balloon_now();

    for (size_t i = 0; i < b->n_doms; i++) {
        struct bdom *bd = &b->doms[i];

        if (!bd->gone && bd->report_dirty &&
            now - bd->read_ns >= READ_EVERY_NS)
            balloon_report_read(b, bd);
    }
}

int balloon_reports_open(struct balloon *b, struct xn_msg *msg)
{
    if (!b->d->store)
        return 0;                   /* no store: policy alone */
    return xsc_watch(b->d->store, "/local/domain", on_change, b, &b->watch,
                     msg);
}

void balloon_reports_close(struct balloon *b)
{
    xsc_unwatch(b->watch);
    b->watch = NULL;
}
