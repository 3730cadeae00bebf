/* ops_metrics.c - the daemon's figures for a client: metrics.get. */
#include "metrics.h"
#include "ops.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>

/* Room left in a reply line for the envelope around the result. */
#define ENVELOPE 256

void op_metrics_get(struct request *r)
{
    struct metrics *m = r->d->metrics;
    struct json_object *res = NULL, *list;
    char *text = NULL;
    size_t len = 0;

    if (!m) {
        request_fail(r, XN_ENOTSUP, "this daemon keeps no metrics");
        return;
    }
    metrics_collect(m);
    list = metrics_to_json(m);
    text = metrics_render_text(m);
    if (!list || !text || !(res = json_object_new_object())) {
        json_object_put(list);
        free(text);
        request_fail(r, XN_ENOMEM, "out of memory");
        return;
    }
    json_object_object_add(res, "metrics", list);
    json_object_object_add(res, "text", json_object_new_string(text));
    free(text);
    if (!json_object_to_json_string_length(res, JSON_C_TO_STRING_PLAIN |
                                           JSON_C_TO_STRING_NOSLASHESCAPE,
                                           &len) ||
        len + ENVELOPE > PROTO_MAX_LINE) {
        char m2[200];
        json_object_put(res);
        snprintf(m2, sizeof(m2), "the metrics take %zu bytes, more than one "
                 "reply may carry (%d); scrape them from xenithd --metrics "
                 "instead", len, PROTO_MAX_LINE);
        request_fail(r, XN_EFAIL, m2);
        return;
    }
    request_ok(r, res);
}
