/* balloon_status.c - what the ballooning service shows: balloon.status,
 * its events on the bus, and its metrics. */
#include "balloon/balloon.h"

#include <stdio.h>
#include <string.h>

#include "uuid.h"

#define SEC 1e9

struct family {
    const char *name, *help;
    enum metric_kind kind;
    enum metric_scope scope;
    size_t off;                     /* the pointer's place in b->m */
};

#define FAM(name, help, kind, scope, member)                                \
    {name, help, kind, scope, offsetof(struct balloon, m.member)}

static const struct family families[] = {
    FAM("xenith_balloon_target_bytes", "The balloon target the balancer "
        "last set or found", METRIC_GAUGE, METRIC_DOMAIN, target),
    FAM("xenith_balloon_need_bytes", "The domain's estimated need (reports, "
        "buffer, pressure; the admin's mem-set)", METRIC_GAUGE,
        METRIC_DOMAIN, need),
    FAM("xenith_balloon_pressure_percent", "PSI memory some avg10 the guest "
        "reported", METRIC_GAUGE, METRIC_DOMAIN, pressure),
    FAM("xenith_balloon_stuck_domains", "Managed domains whose balloon does "
        "not follow (stuck)", METRIC_GAUGE, METRIC_HOST, stuck),
    FAM("xenith_balloon_uncooperative_domains", "Domains stuck for long, "
        "left out", METRIC_GAUGE, METRIC_HOST, uncoop),
    FAM("xenith_balloon_reserved_bytes", "Memory reserved for starts and "
        "by mem-reserve", METRIC_GAUGE, METRIC_HOST, reserved),
    FAM("xenith_balloon_short_bytes", "Needs the balancer could not meet",
        METRIC_GAUGE, METRIC_HOST, short_kb),
    FAM("xenith_balloon_passes_total", "Balancer passes", METRIC_COUNTER,
        METRIC_HOST, passes),
    FAM("xenith_balloon_moved_bytes_total", "Sum of target changes made",
        METRIC_COUNTER, METRIC_HOST, moved),
    FAM("xenith_balloon_stuck_total", "Times a domain became stuck",
        METRIC_COUNTER, METRIC_HOST, became_stuck),
    FAM("xenith_balloon_bad_reports_total", "Guest reports refused or "
        "clamped", METRIC_COUNTER, METRIC_HOST, reports_bad),
    FAM("xenith_balloon_reservations_total", "Reservations granted",
        METRIC_COUNTER, METRIC_HOST, resv_made),
    FAM("xenith_balloon_reservations_refused_total", "Reservations refused",
        METRIC_COUNTER, METRIC_HOST, resv_refused),
};

int balloon_metrics_open(struct balloon *b, struct xn_msg *msg)
{
    if (!b->d->metrics)
        return 0;
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
        const struct family *f = &families[i];
        int rc = metrics_declare(b->d->metrics, f->name, f->help, f->kind,
                                 f->scope,
                                 (struct metric **)((char *)b + f->off), msg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void balloon_status_metrics(struct balloon *b, const struct bplan_dom *pd,
                            const size_t *owner, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct bdom *bd = &b->doms[owner[i]];

        if (!pd[i].managed)
            continue;
        metric_dom_set(b->m.target, bd->uuid, bd->domid, bd->name,
                       (double)pd[i].target_kb * 1024);
        metric_dom_set(b->m.need, bd->uuid, bd->domid, bd->name,
                       (double)pd[i].need_kb * 1024);
        if (bd->has_report)
            metric_dom_set(b->m.pressure, bd->uuid, bd->domid, bd->name,
                           pd[i].pressure / 100.0);
    }
    metric_set(b->m.stuck, b->sum.stuck);
    metric_set(b->m.uncoop, b->sum.uncoop);
    metric_set(b->m.reserved, (double)balloon_reserved_kb(b) * 1024);
    metric_set(b->m.short_kb, (double)b->sum.short_kb * 1024);
    metric_add(b->m.passes, 1);
    metric_add(b->m.moved, (double)(b->sum.lowered_kb + b->sum.raised_kb) *
               1024);
}

void balloon_publish(struct balloon *b, const struct bdom *bd,
                     const char *what, struct json_object *detail)
{
    struct bus_event ev;

    if (bd)
        bus_event_init_dom(&ev, BUS_SERVICE, bd->domid, bd->uuid, bd->name);
    else
        bus_event_init_dom(&ev, BUS_SERVICE, 0, NULL, "");
    snprintf(ev.service, sizeof(ev.service), "balloon");
    snprintf(ev.what, sizeof(ev.what), "%s", what);
    ev.detail = detail;
    bus_publish(b->d->bus, &ev);
}

static void add_kb(struct json_object *o, const char *key, uint64_t kb)
{
    json_object_object_add(o, key, json_object_new_int64((int64_t)kb));
}

static struct json_object *dom_json(const struct balloon *b,
                                    const struct bdom *bd, uint64_t now)
{
    struct json_object *o = json_object_new_object();
    const struct bplan_dom *l = &bd->last;
    char u[XN_UUID_TEXT];
    bool managed = bdom_managed(bd);

    json_object_object_add(o, "domid", json_object_new_int64(bd->domid));
    json_object_object_add(o, "name", json_object_new_string(bd->name));
    json_object_object_add(o, "uuid", json_object_new_string(
                               xn_uuid_format(bd->uuid, u)));
    json_object_object_add(o, "managed", json_object_new_boolean(managed));
    json_object_object_add(o, "state", json_object_new_string(
                               bplan_state_name(bd->memo.state)));
    add_kb(o, "min_kb", managed ? l->lo_kb : 0);
    add_kb(o, "max_kb", managed ? l->hi_kb : 0);
    json_object_object_add(o, "weight", json_object_new_int64(
                               bd->weight ? bd->weight
                                          : BPLAN_WEIGHT_DEFAULT));
    json_object_object_add(o, "buffer_pct", json_object_new_int64(
                               bd->buffer_pct ? bd->buffer_pct
                                              : BPLAN_BUFFER_DEFAULT));
    add_kb(o, "admin_need_kb", bd->need_kb);
    add_kb(o, "target_kb", l->target_kb);
    add_kb(o, "actual_kb", l->actual_kb);
    add_kb(o, "need_kb", managed ? l->need_kb : 0);
    add_kb(o, "goal_kb", managed ? l->goal_kb : 0);
    add_kb(o, "cfg_kb", bd->cfg_kb);
    add_kb(o, "static_max_kb", bd->static_max_kb);
    json_object_object_add(o, "agent", json_object_new_boolean(
                               bd->has_report));
    json_object_object_add(o, "pressure", bd->has_report
                           ? json_object_new_double(bd->report.some10 / 100.0)
                           : NULL);
    json_object_object_add(o, "report_age_s", bd->has_report
                           ? json_object_new_double(
                                 (double)(now - bd->report_ns) / SEC)
                           : NULL);
    (void)b;
    return o;
}

static struct json_object *resv_json(const struct resv *r, uint64_t now)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64((int64_t)r->id));
    add_kb(o, "kb", r->kb);
    json_object_object_add(o, "for", json_object_new_string(r->what));
    json_object_object_add(o, "state", json_object_new_string(
                               r->state == RESV_HELD ? "held" : "waiting"));
    json_object_object_add(o, "age_s", json_object_new_double(
                               (double)(now - r->asked_ns) / SEC));
    json_object_object_add(o, "expires_s", r->expires_ns
                           ? json_object_new_double(
                                 r->expires_ns > now
                                 ? (double)(r->expires_ns - now) / SEC : 0)
                           : NULL);
    return o;
}

struct json_object *balloon_status_json(struct balloon *b)
{
    struct json_object *o = json_object_new_object();
    struct json_object *host = json_object_new_object();
    struct json_object *doms = json_object_new_array();
    struct json_object *resv = json_object_new_array();
    uint64_t now = balloon_now();

    add_kb(host, "free_kb", b->free_kb);
    add_kb(host, "reserve_kb", b->params.reserve_kb);
    add_kb(host, "reserved_kb", balloon_reserved_kb(b));
    add_kb(host, "reclaimable_kb", b->sum.reclaimable_kb);
    add_kb(host, "need_kb", b->sum.need_kb);
    add_kb(host, "short_kb", b->sum.short_kb);
    json_object_object_add(host, "stuck", json_object_new_int64(b->sum.stuck));
    json_object_object_add(host, "uncooperative",
                           json_object_new_int64(b->sum.uncoop));
    for (size_t i = 0; i < b->n_doms; i++)
        if (!b->doms[i].gone)
            json_object_array_add(doms, dom_json(b, &b->doms[i], now));
    for (const struct resv *r = b->resv; r; r = r->next)
        json_object_array_add(resv, resv_json(r, now));
    json_object_object_add(o, "host", host);
    json_object_object_add(o, "domains", doms);
    json_object_object_add(o, "reservations", resv);
    return o;
}

void balloon_op_status(void *self, struct request *r)
{
    request_ok(r, balloon_status_json(self));
}
