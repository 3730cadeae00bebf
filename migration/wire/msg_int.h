/* msg_int.h - (private to migration/wire) what the control messages'
 * decoders and encoder share: the ranges of their fields, and the checks
 * that read one field of a JSON object with its type and range. */
#ifndef XENITH_MIG_MSG_INT_H
#define XENITH_MIG_MSG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "migration/wire/msg.h"

#define MIG_VERSIONS_CAP 1000           /* hello's versions: 1..1000 */
#define MIG_CAPS_MAX 32                 /* entries in hello's caps */
#define MIG_CAP_LEN 64                  /* a cap's name, with NUL */
#define MIG_ERRNAME_LEN 32              /* a refuse's code, with NUL */
#define MIG_MEMORY_KB_MAX (UINT64_C(1) << 40)  /* 1 PiB: beyond any host */
#define MIG_DOMID_MAX 0x7FEFu           /* below DOMID_FIRST_RESERVED */
#define MIG_U63_MAX ((uint64_t)INT64_MAX)   /* counters: what json-c holds */

/* A bad value, quoted for a sentence: xn_quote's (at most 64 bytes of it,
 * '?' for what is not printable) and '?' for the C1 controls too, which
 * xn_quote keeps.  Returns out (MIG_QUOTE_BUF bytes). */
#define MIG_QUOTE_BUF 72
char *mig_quote(const char *s, size_t len, char *out);

/* Each check names the message (`what`: "prepare") and the field in its
 * sentence, returns 0 or XN_EPROTO, and reads `key` of object `o`. */

/* The field, which must be there with json type `type`; `want` says what
 * it must be for the sentence ("a string", "true or false"). */
int mig_field_get(const char *what, struct json_object *o, const char *key,
                  enum json_type type, const char *want,
                  struct json_object **v_r, struct xn_msg *msg);

/* A string of 1 (0 when empty_ok) to size - 1 bytes, valid UTF-8 without
 * control characters, copied into out[size]. */
int mig_field_str(const char *what, struct json_object *o, const char *key,
                  bool empty_ok, char *out, size_t size, struct xn_msg *msg);

/* The same checks on text s[0..len) already taken out of the message;
 * `label` names it in the sentence (`"policy": "k"`, already quoted). */
int mig_field_text(const char *what, const char *label, const char *s,
                   size_t len, bool empty_ok, size_t size,
                   struct xn_msg *msg);

/* An integer from min to max (max <= INT64_MAX). */
int mig_field_uint(const char *what, struct json_object *o, const char *key,
                   uint64_t min, uint64_t max, uint64_t *val_r,
                   struct xn_msg *msg);

int mig_field_bool(const char *what, struct json_object *o, const char *key,
                   bool *val_r, struct xn_msg *msg);

#endif
