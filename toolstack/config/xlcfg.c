/*
 * xlcfg.c - parse an xl.cfg file: libxlutil for the syntax, then the
 * mapping steps of xlcfg_*.c, in the order xl applies them.
 *
 * libxlutil writes its complaints to the FILE it is given; here that is a
 * memory stream, from which a syntax error is turned into one message.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

typedef int xlcfg_step(struct xlcfg *c);

static xlcfg_step *const steps[] = {
    xlcfg_build_identity,
    xlcfg_build_resources,
    xlcfg_build_cpus,
    xlcfg_build_actions,
    xlcfg_build_boot,
    xlcfg_build_misc,
    xlcfg_build_hvm,
    xlcfg_build_disks,
    xlcfg_build_nics,
    xlcfg_build_display,
    xlcfg_check_unsupported,
};

/* ---- messages ---- */

/* Messages are one line: control characters in values become '?'. */
static void one_line(struct xn_msg *msg)
{
    if (!msg)
        return;
    for (char *p = msg->text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

static int line_of(struct xlcfg *c, const char *key, int item)
{
    const struct xlcfg_setting *set = xlcfg_lines_find(&c->lines, key);

    if (!set)
        return c->lines.last_line;
    if (item >= 0 && item < set->nitems)
        return set->item_lines[item];
    return set->line;
}

int xlcfg_fail(struct xlcfg *c, const char *key, int item,
               const char *fmt, ...)
{
    char text[XN_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    xn_msg_set(c->msg, XN_EINVAL, "%s:%d: %s: %s", c->file,
               line_of(c, key, item), key, text);
    one_line(c->msg);
    return XN_EINVAL;
}

size_t xlcfg_report_mark(struct xlcfg *c)
{
    fflush(c->report);
    return c->report_len;
}

const char *xlcfg_report_since(struct xlcfg *c, size_t mark, char *buf,
                               size_t size)
{
    const char *p;
    size_t flen = strlen(c->file), n;

    buf[0] = '\0';
    if (fflush(c->report) != 0 || !c->report_buf || mark >= c->report_len)
        return buf;
    p = c->report_buf + mark;
    /* libxlutil starts its lines with "FILE: " */
    if (strncmp(p, c->file, flen) == 0 && p[flen] == ':' &&
        p[flen + 1] == ' ')
        p += flen + 2;
    n = strcspn(p, "\n");
    if (n > size - 1)
        n = size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* Bison's token names, as a reader would say them. */
static const struct {
    const char *from, *to;
} tokens[] = {
    {"IDENT", "name"}, {"STRING", "string"}, {"NUMBER", "number"},
    {"NEWLINE", "end of line"}, {"$end", "end of file"},
};

static void say_tokens(const char *what, int len, char *out, size_t size)
{
    size_t n = 0;

    for (int i = 0; i < len && n + 1 < size;) {
        size_t k;
        for (k = 0; k < sizeof(tokens) / sizeof(tokens[0]); k++) {
            size_t fl = strlen(tokens[k].from);
            if ((size_t)(len - i) >= fl &&
                strncmp(what + i, tokens[k].from, fl) == 0)
                break;
        }
        if (k == sizeof(tokens) / sizeof(tokens[0])) {
            out[n++] = what[i++];
            continue;
        }
        n += (size_t)snprintf(out + n, size - n, "%s", tokens[k].to);
        if (n >= size)
            n = size - 1;
        i += (int)strlen(tokens[k].from);
    }
    out[n] = '\0';
}

/*
 * libxlutil reports a syntax error as
 *     FILE:LINE: config parsing error near `TEXT': WHAT
 * (or "near <newline>: WHAT", or "near : WHAT" at the end of the file).
 * Say it as  FILE:LINE: syntax error near "TEXT": WHAT.
 */
static int syntax_error(struct xlcfg *c, int err)
{
    static const char lead[] = ": config parsing error near ";
    size_t flen = strlen(c->file);
    const char *p = NULL, *near = "", *what, *q;
    char *line_end, said[256];
    int nearlen = 0;
    long line;

    if (fflush(c->report) == 0 && c->report_buf &&
        strncmp(c->report_buf, c->file, flen) == 0 &&
        c->report_buf[flen] == ':')
        p = c->report_buf + flen + 1;
    if (!p)
        return xn_msg_set(c->msg, xn_from_errno(err),
                          "%s: cannot parse: %s", c->file, strerror(err));
    line = strtol(p, &line_end, 10);
    what = line_end;
    if (strncmp(what, lead, sizeof(lead) - 1) == 0) {
        what += sizeof(lead) - 1;
        if (*what == '`' && (q = strstr(what, "': "))) {
            near = what + 1;
            nearlen = (int)(q - near);
            what = q + 3;
        } else if (strncmp(what, "<newline>: ", 11) == 0) {
            near = "end of line";
            nearlen = -1;
            what += 11;
        } else if (strncmp(what, ": ", 2) == 0) {
            near = "end of file";
            nearlen = -1;
            what += 2;
        }
    }
    if (strncmp(what, "syntax error, ", 14) == 0)
        what += 14;
    /* libxlutil counts a newline token's line twice back: undo one. */
    if (strncmp(what, "unexpected NEWLINE", 18) == 0)
        line++;
    bool quoted = nearlen > 0 && (near[0] == '"' || near[0] == '\'');
    if (strncmp(what, "lexical error", 13) == 0)
        what = quoted ? "unterminated string"
             : nearlen > 0 && near[0] == '#' ? "a comment must end with a newline"
                                             : "unexpected character";
    say_tokens(what, (int)strcspn(what, "\n"), said, sizeof(said));
    if (nearlen < 0)
        xn_msg_set(c->msg, XN_EINVAL, "%s:%ld: syntax error at %s: %s",
                   c->file, line, near, said);
    else if (quoted)
        xn_msg_set(c->msg, XN_EINVAL, "%s:%ld: syntax error near %.*s: %s",
                   c->file, line, nearlen, near, said);
    else
        xn_msg_set(c->msg, XN_EINVAL, "%s:%ld: syntax error near \"%.*s\": "
                   "%s", c->file, line, nearlen, near, said);
    one_line(c->msg);
    return XN_EINVAL;
}

/* ---- getters ---- */

int xlcfg_get_str(struct xlcfg *c, const char *key, const char **v)
{
    int e = xlu_cfg_get_string(c->xlu, key, v, 1);

    if (e == ESRCH)
        return 0;
    if (e)
        return xlcfg_fail(c, key, -1, "expected a single value, not a list");
    return 1;
}

int xlcfg_get_strdup(struct xlcfg *c, const char *key, char **dst)
{
    const char *v;
    int rc = xlcfg_get_str(c, key, &v);

    if (rc <= 0)
        return rc;
    free(*dst);
    *dst = strdup(v);
    if (!*dst)
        return xn_msg_set(c->msg, XN_ENOMEM, "%s: out of memory", c->file);
    return 1;
}

int xlcfg_get_long(struct xlcfg *c, const char *key, long min, long max,
                   const char *what, long *v)
{
    const struct xlcfg_setting *set;
    const char *s;
    long l;
    int rc = xlcfg_get_str(c, key, &s);

    if (rc <= 0)
        return rc;
    if (xlu_cfg_get_long(c->xlu, key, &l, 1) != 0) {
        set = xlcfg_lines_find(&c->lines, key);
        if (set && set->append)
            return xlcfg_fail(c, key, -1, "+= cannot be used with a number "
                              "(the joined value is \"%s\")", s);
        return xlcfg_fail(c, key, -1, "\"%s\" is not %s", s, what);
    }
    if (l < min)
        return xlcfg_fail(c, key, -1, "\"%s\" must be at least %ld", s,
                          min);
    if (l > max)
        return xlcfg_fail(c, key, -1, "\"%s\" must be at most %ld", s,
                          max);
    *v = l;
    return 1;
}

int xlcfg_get_bool(struct xlcfg *c, const char *key, libxl_defbool *b)
{
    long l;
    int rc = xlcfg_get_long(c, key, LONG_MIN, LONG_MAX,
                            "a number (1 = yes, 0 = no)", &l);

    if (rc == 1)
        libxl_defbool_set(b, l != 0);
    return rc;
}

int xlcfg_get_list(struct xlcfg *c, const char *key, XLU_ConfigList **l,
                   int *n)
{
    const char *s;
    int e = xlu_cfg_get_list(c->xlu, key, l, n, 1);

    if (e == ESRCH)
        return 0;
    if (e) {
        xlu_cfg_get_string(c->xlu, key, &s, 1);
        return xlcfg_fail(c, key, -1, "\"%s\" should be a list, "
                          "as in [ \"%s\" ]", s, s);
    }
    for (int i = 0; i < *n; i++)
        if (!xlu_cfg_get_listitem(*l, i))
            return xlcfg_fail(c, key, i, "item %d is a list, not a string",
                              i + 1);
    return 1;
}

const char *xlcfg_value_text(struct xlcfg *c, const char *key, char *buf,
                             size_t size)
{
    XLU_ConfigList *l;
    const char *s;
    int n;

    buf[0] = '\0';
    if (xlu_cfg_get_string(c->xlu, key, &s, 1) == 0) {
        snprintf(buf, size, "\"%s\"", s);
    } else if (xlu_cfg_get_list(c->xlu, key, &l, &n, 1) == 0) {
        s = xlu_cfg_get_listitem(l, 0);
        if (n == 0)
            snprintf(buf, size, "[]");
        else
            snprintf(buf, size, "[ %s%s%s%s ]", s ? "\"" : "",
                     s ? s : "[...]", s ? "\"" : "", n > 1 ? ", ..." : "");
    }
    return buf;
}

bool xlcfg_is_list(struct xlcfg *c, const char *key)
{
    return xlu_cfg_get_list(c->xlu, key, NULL, NULL, 1) == 0;
}

bool xlcfg_is_set(struct xlcfg *c, const char *key)
{
    return xlcfg_lines_find(&c->lines, key) != NULL;
}

static int strlist_add(libxl_string_list *sl, int *n, const char *s)
{
    char **v = realloc(*sl, sizeof(*v) * (size_t)(*n + 2));

    if (!v)
        return XN_ENOMEM;
    *sl = v;
    v[*n] = strdup(s);
    if (!v[*n])
        return XN_ENOMEM;
    v[++*n] = NULL;
    return 0;
}

int xlcfg_get_strlist(struct xlcfg *c, const char *key, bool split,
                      libxl_string_list *sl)
{
    XLU_ConfigList *list;
    const char *s;
    char *copy, *tok, *save = NULL;
    int n = 0, rc = 0;

    libxl_string_list_dispose(sl);
    if (!split || xlcfg_is_list(c, key)) {
        rc = xlcfg_get_list(c, key, &list, &n);
        if (rc <= 0)
            return rc;
        *sl = calloc((size_t)n + 1, sizeof(char *));
        for (int i = 0; *sl && i < n; i++)
            if (!((*sl)[i] = strdup(xlu_cfg_get_listitem(list, i))))
                break;
        if (!*sl || (n && !(*sl)[n - 1]))
            return xn_msg_set(c->msg, XN_ENOMEM, "%s: out of memory",
                              c->file);
        return 1;
    }
    rc = xlcfg_get_str(c, key, &s);
    if (rc <= 0)
        return rc;
    rc = 0;
    copy = strdup(s);
    if (!copy)
        return xn_msg_set(c->msg, XN_ENOMEM, "%s: out of memory", c->file);
    for (tok = strtok_r(copy, " \t\n", &save); tok && rc == 0;
         tok = strtok_r(NULL, " \t\n", &save))
        rc = strlist_add(sl, &n, tok);
    free(copy);
    if (rc < 0)
        return xn_msg_set(c->msg, XN_ENOMEM, "%s: out of memory", c->file);
    if (n == 0)
        return xlcfg_fail(c, key, -1, "\"%s\" holds no argument", s);
    return 1;
}

/* ---- entry points ---- */

int xlcfg_parse_opts(const char *filename, const char *data, size_t len,
                     const struct xlcfg_opts *opts,
                     libxl_domain_config *cfg, struct xn_msg *msg)
{
    struct xlcfg c = {
        .file = filename ? filename : "<config>",
        .dc = cfg,
        .msg = msg,
        .max_cpus = opts ? opts->max_cpus : 0,
    };
    int rc, e;

    xn_msg_clear(msg);
    if (len > INT_MAX)
        return xn_msg_set(msg, XN_EINVAL, "%s: file too large", c.file);
    c.report = open_memstream(&c.report_buf, &c.report_len);
    if (!c.report)
        return xn_msg_set(msg, XN_ENOMEM, "%s: out of memory", c.file);
    c.xlu = xlu_cfg_init(c.report, c.file);
    if (!c.xlu) {
        rc = xn_msg_set(msg, XN_ENOMEM, "%s: out of memory", c.file);
        goto out;
    }
    e = xlu_cfg_readdata(c.xlu, data, (int)len);
    if (e) {
        rc = syntax_error(&c, e);
        goto out;
    }
    rc = xlcfg_lines_scan(&c.lines, data, len);
    if (rc < 0) {
        xn_msg_set(msg, rc, "%s: out of memory", c.file);
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
        rc = steps[i](&c);
out:
    xlu_cfg_destroy(c.xlu);
    xlcfg_lines_dispose(&c.lines);
    fclose(c.report);
    free(c.report_buf);
    return rc;
}

int xlcfg_parse(const char *filename, const char *data, size_t len,
                libxl_domain_config *cfg, struct xn_msg *msg)
{
    return xlcfg_parse_opts(filename, data, len, NULL, cfg, msg);
}

int xlcfg_parse_file(const char *path, libxl_domain_config *cfg,
                     struct xn_msg *msg)
{
    FILE *f = fopen(path, "r");
    char *data = NULL;
    size_t len = 0, cap = 0, n;
    int rc;

    if (!f)
        return xn_msg_set(msg, xn_from_errno(errno), "%s: cannot open: %s",
                          path, strerror(errno));
    for (;;) {
        if (len == cap) {
            char *p = cap < (1u << 24) ? realloc(data, cap ? cap * 2 : 4096)
                                       : NULL;
            if (!p) {
                rc = xn_msg_set(msg, XN_EINVAL, "%s: file too large", path);
                goto out;
            }
            data = p;
            cap = cap ? cap * 2 : 4096;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        rc = xn_msg_set(msg, XN_EIO, "%s: cannot read: %s", path,
                        strerror(errno));
        goto out;
    }
    rc = xlcfg_parse(path, data, len, cfg, msg);
out:
    free(data);
    fclose(f);
    return rc;
}
