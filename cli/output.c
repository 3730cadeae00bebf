/* output.c - error lines, option parsing, numbers and sizes, JSON output. */
#include "cli.h"
#include "config/xlcfg_warn.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An error is one line on the terminal, whatever the daemon's sentence
 * quotes: control characters (a newline, escape sequences) become '?'. */
static void print_line(const char *prefix, const char *fmt, va_list ap)
{
    char line[2048];

    vsnprintf(line, sizeof(line), fmt, ap);
    for (unsigned char *p = (unsigned char *)line; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    fprintf(stderr, "%s%s\n", prefix, line);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_line("xenith: ", fmt, ap);
    va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_line("xenith: warning: ", fmt, ap);
    va_end(ap);
}

void cli_print_warnings(struct json_object *res)
{
    struct json_object *w;

    if (!json_object_object_get_ex(res, "warnings", &w) ||
        !json_object_is_type(w, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(w); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(w, i));
        if (s)
            cli_warning("%s", s);
    }
}

void cli_print_xlcfg_warnings(const struct xlcfg_warnings *warn)
{
    for (int i = 0; i < warn->n; i++)
        cli_warning("%s", warn->text[i]);
    if (warn->dropped)
        cli_warning("(%d more warnings)", warn->dropped);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "xenith %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see xenith %s -h)\n", cmd);
    return EXIT_USAGE;
}

void cli_cmd_help(const struct cmd *c)
{
    printf("Usage: xenith %s%s%s\n%s\n", c->name, c->usage[0] ? " " : "",
           c->usage, c->summary);
    if (c->help)
        printf("\n%s", c->help);
}

int cli_getopt(int argc, char **argv, const char *cmd, const char *shortopts,
               const struct option *longopts, cli_opt_fn *opt, void *arg,
               int *exit_r)
{
    struct option all[32];
    char shorts[64];
    size_t n = 0;
    int c;

    /* The command's long options plus --help. */
    for (; longopts && longopts[n].name && n < 30; n++)
        all[n] = longopts[n];
    all[n++] = (struct option){"help", no_argument, NULL, 'h'};
    all[n] = (struct option){NULL, 0, NULL, 0};
    snprintf(shorts, sizeof(shorts), ":h%s", shortopts);
    optind = 0;                     /* re-initialise getopt for this argv */
    opterr = 0;
    *exit_r = 0;
    while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
        if (c == 'h') {
            cli_cmd_help(cmd_find(cmd));
            return 1;
        }
        if (c == ':') {
            *exit_r = cli_usage_error(cmd, "option \"%s\" needs a value",
                                      argv[optind - 1]);
            return 1;
        }
        if (c == '?') {
            *exit_r = cli_usage_error(cmd, "unknown option \"%s\"",
                                      argv[optind - 1]);
            return 1;
        }
        if ((*exit_r = opt(c, optarg, arg)) != 0)
            return 1;
    }
    return 0;
}

int cli_opt_flag(int c, const char *optarg, void *arg)
{
    *(bool *)arg = true;
    return 0;
}

int cli_opt_none(int c, const char *optarg, void *arg)
{
    return 0;
}

int cli_nargs(int argc, char **argv, const char *cmd, int min, int max)
{
    int n = argc - optind;
    if (n < min) {
        const struct cmd *c = cmd_find(cmd);
        return cli_usage_error(cmd, "missing argument: usage: xenith %s %s",
                               cmd, c ? c->usage : "");
    }
    if (max >= 0 && n > max)
        return cli_usage_error(cmd, "unexpected argument \"%s\"",
                               argv[optind + max]);
    return 0;
}

int64_t cli_parse_size_kb(const char *cmd, const char *what, const char *s)
{
    char *end;
    long long v;
    int shift;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || errno || v <= 0)
        goto bad;
    switch (tolower((unsigned char)*end)) {
    case '\0':
    case 'm': shift = 10; break;
    case 'k': shift = 0; break;
    case 'g': shift = 20; break;
    case 't': shift = 30; break;
    default: goto bad;
    }
    if (*end && end[1])
        goto bad;
    if (v > (INT64_C(1) << 50) >> shift)
        goto bad;
    return (int64_t)v << shift;
bad:
    cli_usage_error(cmd, "%s \"%s\" is not a memory size (a positive "
                    "number with an optional k, m, g or t suffix; MiB when "
                    "none)", what, s);
    return -1;
}

int64_t cli_parse_int(const char *cmd, const char *what, const char *s,
                      int64_t min, int64_t max)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < min || v > max) {
        cli_usage_error(cmd, "%s \"%s\" is not a whole number from %lld to "
                        "%lld", what, s, (long long)min, (long long)max);
        return -1;
    }
    return v;
}

void cli_print_json(struct json_object *o)
{
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_SPACED |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
}

int64_t jint(struct json_object *o, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v)
                                                 : 0;
}

const char *jstr(struct json_object *o, const char *key)
{
    struct json_object *v;
    const char *s = json_object_object_get_ex(o, key, &v)
                        ? json_object_get_string(v) : NULL;
    return s ? s : "";
}

bool jbool(struct json_object *o, const char *key)
{
    struct json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

bool jnum(struct json_object *o, const char *key, double *v_r)
{
    struct json_object *v;

    if (!json_object_object_get_ex(o, key, &v) ||
        !(json_object_is_type(v, json_type_int) ||
          json_object_is_type(v, json_type_double)))
        return false;
    *v_r = json_object_get_double(v);
    return true;
}

size_t jarray(struct json_object *o, const char *key,
              struct json_object **a_r)
{
    if (!json_object_object_get_ex(o, key, a_r) ||
        !json_object_is_type(*a_r, json_type_array)) {
        *a_r = NULL;
        return 0;
    }
    return json_object_array_length(*a_r);
}

int jwidth(struct json_object *a, size_t n, const char *key, int min)
{
    int w = min;

    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(jstr(json_object_array_get_idx(a, i), key));
        if (l > w)
            w = l;
    }
    return w;
}

const char *cell_int(char buf[CLI_CELL], struct json_object *o,
                     const char *key, const char *suffix, bool show)
{
    double v;

    if (!show || !jnum(o, key, &v))
        return "-";
    snprintf(buf, CLI_CELL, "%lld%s", (long long)v, suffix);
    return buf;
}

const char *cell_secs(char buf[CLI_CELL], struct json_object *o,
                      const char *key)
{
    double v;
    long long s;

    if (!jnum(o, key, &v))
        return "-";
    s = v < 0 ? 0 : (long long)(v + 0.5);
    if (s < 60)
        snprintf(buf, CLI_CELL, "%llds", s);
    else if (s < 3600)
        snprintf(buf, CLI_CELL, "%lldm%02llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, CLI_CELL, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(buf, CLI_CELL, "%lldd%02lldh", s / 86400,
                 s % 86400 / 3600);
    return buf;
}
