/* policy.c - a domain's settings as named strings, and their files. */
#include "policy.h"
#include "utf8.h"
#include "uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void policy_init(struct policy *p)
{
    memset(p, 0, sizeof(*p));
}

static struct policy_entry *find(const struct policy *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->e[i].key, key) == 0)
            return (struct policy_entry *)&p->e[i];
    return NULL;
}

const char *policy_get(const struct policy *p, const char *key)
{
    const struct policy_entry *e = find(p, key);
    return e ? e->value : NULL;
}

int policy_set(struct policy *p, const char *key, const char *value,
               struct xn_msg *msg)
{
    struct policy_entry *e = find(p, key);
    char q[80];

    if (strlen(key) >= POLICY_KEY_MAX)
        return xn_msg_set(msg, XN_EINVAL, "policy setting \"%s\" has too "
                          "long a name", xn_quote(key, strlen(key), 40, q,
                                                  sizeof(q)));
    if (strlen(value) >= POLICY_VALUE_MAX)
        return xn_msg_set(msg, XN_EINVAL, "the value of policy setting "
                          "\"%s\" is longer than %d bytes", key,
                          POLICY_VALUE_MAX - 1);
    if (!e) {
        if (p->n >= POLICY_MAX)
            return xn_msg_set(msg, XN_EINVAL, "a policy holds at most %d "
                              "settings", POLICY_MAX);
        e = &p->e[p->n++];
        snprintf(e->key, sizeof(e->key), "%s", key);
    }
    snprintf(e->value, sizeof(e->value), "%s", value);
    return 0;
}

bool policy_unset(struct policy *p, const char *key)
{
    struct policy_entry *e = find(p, key);

    if (!e)
        return false;
    *e = p->e[--p->n];
    return true;
}

int policy_key_syntax(const char *key, struct xn_msg *msg)
{
    size_t n = strlen(key);
    char q[80];
    bool ok = n > 0 && n < POLICY_KEY_MAX && key[0] >= 'a' && key[0] <= 'z';

    for (size_t i = 0; ok && i < n; i++) {
        char c = key[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
             c == '_' || c == '-';
    }
    if (!ok)
        return xn_msg_set(msg, XN_EINVAL, "policy setting \"%s\" is not a "
                          "setting name (lower-case letters, digits, '.', "
                          "'_' and '-')", xn_quote(key, n, 40, q, sizeof(q)));
    return 0;
}

struct json_object *policy_to_json(const struct policy *p)
{
    struct json_object *o = json_object_new_object();
    for (size_t i = 0; i < p->n; i++)
        json_object_object_add(o, p->e[i].key,
                               json_object_new_string(p->e[i].value));
    return o;
}

int policy_from_json(struct json_object *o, struct policy *p,
                     struct xn_msg *msg)
{
    policy_init(p);
    if (!json_object_is_type(o, json_type_object))
        return xn_msg_set(msg, XN_EINVAL, "a policy must be a JSON object");
    json_object_object_foreach(o, key, val) {
        int rc = policy_key_syntax(key, msg);
        if (rc < 0)
            return rc;
        if (!json_object_is_type(val, json_type_string) ||
            strlen(json_object_get_string(val)) !=
                (size_t)json_object_get_string_len(val))
            return xn_msg_set(msg, XN_EINVAL, "policy setting \"%s\" must "
                              "be a string", key);
        if ((rc = policy_set(p, key, json_object_get_string(val), msg)) < 0)
            return rc;
    }
    return 0;
}

/* --- files --- */

static int policy_path(char *buf, size_t len, const char *dir,
                       const uint8_t uuid[16], const char *suffix)
{
    char u[XN_UUID_TEXT];
    int n = snprintf(buf, len, "%s/policy/%s.json%s", dir,
                     xn_uuid_format(uuid, u), suffix);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int make_dirs(const char *dir, struct xn_msg *msg)
{
    char sub[4096];
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot create %s: %s",
                          dir, strerror(errno));
    snprintf(sub, sizeof(sub), "%s/policy", dir);
    if (mkdir(sub, 0700) < 0 && errno != EEXIST)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot create %s: %s",
                          sub, strerror(errno));
    return 0;
}

static int write_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        s += n;
        len -= (size_t)n;
    }
    return 0;
}

int policy_save(const char *state_dir, const uint8_t uuid[16],
                const char *name, const struct policy *p,
                struct xn_msg *msg)
{
    char path[4096], tmp[4096 + 8], u[XN_UUID_TEXT];
    struct json_object *doc;
    const char *text;
    int fd, rc;

    if ((rc = make_dirs(state_dir, msg)) < 0)
        return rc;
    if (policy_path(path, sizeof(path), state_dir, uuid, "") < 0 ||
        policy_path(tmp, sizeof(tmp), state_dir, uuid, ".tmp") < 0)
        return xn_msg_set(msg, XN_EINVAL, "state directory \"%s\" is too "
                          "long", state_dir);
    doc = json_object_new_object();
    json_object_object_add(doc, "uuid", json_object_new_string(
                               xn_uuid_format(uuid, u)));
    json_object_object_add(doc, "name", json_object_new_string(name));
    json_object_object_add(doc, "policy", policy_to_json(p));
    text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = xn_msg_set(msg, xn_from_errno(errno), "cannot write %s: %s",
                        tmp, strerror(errno));
        json_object_put(doc);
        return rc;
    }
    rc = 0;
    if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0
        || fsync(fd) < 0)
        rc = xn_msg_set(msg, XN_EIO, "cannot write %s: %s", tmp,
                        strerror(errno));
    if (close(fd) < 0 && rc == 0)
        rc = xn_msg_set(msg, XN_EIO, "cannot write %s: %s", tmp,
                        strerror(errno));
    json_object_put(doc);
    if (rc == 0 && rename(tmp, path) < 0)
        rc = xn_msg_set(msg, XN_EIO, "cannot rename %s to %s: %s", tmp, path,
                        strerror(errno));
    if (rc < 0) {
        unlink(tmp);
        return rc;
    }
    /* The rename itself must reach the disk: sync the directory. */
    snprintf(tmp, sizeof(tmp), "%s/policy", state_dir);
    fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return 0;
}

int policy_load(const char *state_dir, const uint8_t uuid[16],
                struct policy *p, struct xn_msg *msg)
{
    char path[4096];
    struct json_object *doc, *pol;
    int rc;

    memset(p, 0, sizeof(*p));
    if (policy_path(path, sizeof(path), state_dir, uuid, "") < 0)
        return xn_msg_set(msg, XN_EINVAL, "state directory \"%s\" is too "
                          "long", state_dir);
    if (access(path, F_OK) < 0)
        return xn_msg_set(msg, XN_ENOENT, "no policy file %s", path);
    doc = json_object_from_file(path);
    if (!doc)
        return xn_msg_set(msg, XN_ECORRUPT, "%s is not valid JSON", path);
    if (!json_object_object_get_ex(doc, "policy", &pol)) {
        json_object_put(doc);
        return xn_msg_set(msg, XN_ECORRUPT, "%s has no \"policy\" object",
                          path);
    }
    rc = policy_from_json(pol, p, msg);
    if (rc < 0) {
        char why[XN_MSG_MAX];
        snprintf(why, sizeof(why), "%s", msg ? msg->text : "");
        rc = xn_msg_set(msg, XN_ECORRUPT, "%s: %s", path, why);
    }
    json_object_put(doc);
    return rc;
}
