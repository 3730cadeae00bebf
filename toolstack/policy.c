/* policy.c - per-domain settings: what they may hold, and their files. */
#include "policy.h"
#include "uuid.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *name;
    const char *help;
    const char *const *choices;     /* NULL: a size in MiB */
} keys[POLICY_NKEYS] = {
    [POLICY_PRIORITY] = {"priority", "critical, high, normal or low",
                         (const char *const[]){"critical", "high", "normal",
                                               "low", NULL}},
    [POLICY_BALLOON_MIN] = {"balloon-min", "a memory size (e.g. 512, 2g)",
                            NULL},
    [POLICY_BALLOON_MAX] = {"balloon-max", "a memory size (e.g. 512, 2g)",
                            NULL},
    [POLICY_MIGRATE] = {"migrate", "allowed or never",
                        (const char *const[]){"allowed", "never", NULL}},
};

const char *policy_key_name(enum policy_key k)
{
    return k < POLICY_NKEYS ? keys[k].name : "?";
}

const char *policy_key_help(enum policy_key k)
{
    return k < POLICY_NKEYS ? keys[k].help : "";
}

int policy_key_parse(const char *name, enum policy_key *k_r,
                     struct xn_msg *msg)
{
    for (int k = 0; k < POLICY_NKEYS; k++) {
        if (strcmp(keys[k].name, name) == 0) {
            *k_r = (enum policy_key)k;
            return 0;
        }
    }
    return xn_msg_set(msg, XN_EINVAL, "policy setting \"%s\" is unknown "
                      "(priority, balloon-min, balloon-max or migrate)",
                      name);
}

/* A size as xl writes it, in MiB. */
static int parse_mib(const char *text, uint64_t *mib_r)
{
    char *end;
    unsigned long long v;

    if (!isdigit((unsigned char)text[0]))
        return -1;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno)
        return -1;
    switch (tolower((unsigned char)*end)) {
    case '\0':
    case 'm': break;
    case 'g': v *= 1024; break;
    case 't': v *= 1024 * 1024; break;
    default: return -1;
    }
    if (*end && end[1])
        return -1;
    if (v == 0 || v > (UINT64_C(1) << 30))
        return -1;
    *mib_r = v;
    return 0;
}

int policy_value_parse(enum policy_key k, const char *text,
                       char out[POLICY_VALUE_MAX], struct xn_msg *msg)
{
    if (k >= POLICY_NKEYS)
        return xn_msg_set(msg, XN_EINVAL, "no such policy setting");
    if (keys[k].choices) {
        for (const char *const *c = keys[k].choices; *c; c++) {
            if (strcmp(*c, text) == 0) {
                snprintf(out, POLICY_VALUE_MAX, "%s", text);
                return 0;
            }
        }
    } else {
        uint64_t mib;
        if (parse_mib(text, &mib) == 0) {
            snprintf(out, POLICY_VALUE_MAX, "%llu", (unsigned long long)mib);
            return 0;
        }
    }
    return xn_msg_set(msg, XN_EINVAL, "%s \"%s\" is not valid: it takes %s",
                      keys[k].name, text, keys[k].help);
}

int policy_check(const struct policy *p, struct xn_msg *msg)
{
    if (p->set[POLICY_BALLOON_MIN] && p->set[POLICY_BALLOON_MAX] &&
        strtoull(p->value[POLICY_BALLOON_MIN], NULL, 10) >
            strtoull(p->value[POLICY_BALLOON_MAX], NULL, 10))
        return xn_msg_set(msg, XN_EINVAL, "balloon-min %s MiB is above "
                          "balloon-max %s MiB", p->value[POLICY_BALLOON_MIN],
                          p->value[POLICY_BALLOON_MAX]);
    return 0;
}

struct json_object *policy_to_json(const struct policy *p)
{
    struct json_object *o = json_object_new_object();
    for (int k = 0; k < POLICY_NKEYS; k++)
        if (p->set[k])
            json_object_object_add(o, keys[k].name,
                                   json_object_new_string(p->value[k]));
    return o;
}

int policy_from_json(struct json_object *o, struct policy *p,
                     struct xn_msg *msg)
{
    memset(p, 0, sizeof(*p));
    if (!json_object_is_type(o, json_type_object))
        return xn_msg_set(msg, XN_EINVAL, "a policy must be a JSON object");
    json_object_object_foreach(o, key, val) {
        enum policy_key k = POLICY_NKEYS;
        int rc = policy_key_parse(key, &k, msg);
        if (rc < 0)
            return rc;
        if (!json_object_is_type(val, json_type_string))
            return xn_msg_set(msg, XN_EINVAL, "policy setting \"%s\" must be "
                              "a string", key);
        rc = policy_value_parse(k, json_object_get_string(val), p->value[k],
                                msg);
        if (rc < 0)
            return rc;
        p->set[k] = true;
    }
    return policy_check(p, msg);
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
