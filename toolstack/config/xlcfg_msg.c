/*
 * xlcfg_msg.c - the parser's messages: FILE:LINE: KEY: sentence, and
 * libxlutil's own complaints, which it writes to the memory stream
 * xlcfg_parse gives it, turned into that form.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_int.h"

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

void xlcfg_warn(struct xlcfg *c, const char *key, int item,
                const char *fmt, ...)
{
    struct xn_msg m;
    char text[XN_MSG_MAX];
    va_list ap;

    if (!c->warn)
        return;
    if (c->warn->n == XLCFG_WARN_MAX) {
        c->warn->dropped++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    xn_msg_set(&m, XN_EINVAL, "%s:%d: %s: %s", c->file,
               line_of(c, key, item), key, text);
    one_line(&m);
    memcpy(c->warn->text[c->warn->n++], m.text, sizeof(m.text));
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
int xlcfg_syntax_error(struct xlcfg *c, int err)
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
    if (strncmp(what, "lexical error", 13) == 0 && quoted)
        what = "unterminated string";
    else if (strncmp(what, "lexical error", 13) == 0 && near[0] == '#')
        what = "a comment must end with a newline";
    else if (strncmp(what, "lexical error", 13) == 0)
        what = "unexpected character";
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

int xlcfg_oom(struct xlcfg *c)
{
    return xn_msg_set(c->msg, XN_ENOMEM, "%s: out of memory", c->file);
}
