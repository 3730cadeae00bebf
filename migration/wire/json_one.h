/* json_one.h - (private to migration/wire) reading exactly one JSON object
 * from untrusted bytes: a control frame's payload, a control channel's
 * packet. */
#ifndef XENITH_MIG_JSON_ONE_H
#define XENITH_MIG_JSON_ONE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"

/* How deeply values may nest, as json-c counts: the message is 1, a value
 * in it 2, and so on ({"a":[[]]} is 3 deep, {"a":[[1]]} is 4). */
#define MIG_JSON_DEPTH 32

/* Parse buf[0..len) as one JSON object, nested at most MIG_JSON_DEPTH
 * deep, with nothing after it but white space, no NUL byte and no escaped
 * NUL ("\u0000", which json-c would cut a key at).  0 and *o_r (the
 * caller's: json_object_put it), or XN_EPROTO with a sentence that starts
 * with `what` ("prepare: ..."). */
int mig_json_one(const char *what, const uint8_t *buf, size_t len,
                 struct json_object **o_r, struct xn_msg *msg);

#endif
