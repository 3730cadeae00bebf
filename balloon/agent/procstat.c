/*
 * procstat.c - one sample of the guest kernel's memory figures (see
 * procstat.h).  Lines that are not the ones wanted are skipped, whatever
 * they hold; a wanted line whose value is not a number is said, quoted,
 * and counts as missing.
 */
#include "procstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "xenith-guest-agent"
#define QUOTE_MAX 80            /* of a line quoted in a complaint */

/* One bit per complaint. */
enum {
    C_MEMINFO_OPEN = 1u << 0,
    C_MEMINFO_LINE = 1u << 1,
    C_MEMINFO_BAD = 1u << 2,
    C_VMSTAT_OPEN = 1u << 3,
    C_VMSTAT_SWAP = 1u << 4,
    C_VMSTAT_REFAULT = 1u << 5,
    C_VMSTAT_BAD = 1u << 6,
    C_PSI_OPEN = 1u << 7,
    C_PSI_BAD = 1u << 8,
    C_UPTIME_OPEN = 1u << 9,
    C_UPTIME_BAD = 1u << 10,
};

void procstat_src_init(struct procstat_src *src, const char *dir)
{
    src->dir = dir ? dir : "/proc";
    src->said = 0;
    src->seen = 0;
}

/* Say a complaint on stderr unless it was said already. */
__attribute__((format(printf, 3, 4)))
static void complain(struct procstat_src *src, unsigned bit,
                     const char *fmt, ...)
{
    va_list ap;

    src->seen |= bit;
    if (src->said & bit)
        return;
    src->said |= bit;
    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- lines of a file, through one fixed buffer ---- */

typedef void line_fn(void *ctx, const char *line, size_t len);

/* Call fn for each line of the file (a line longer than the buffer is
 * skipped).  0, or -errno when it cannot be opened or read. */
static int each_line(const char *path, line_fn *fn, void *ctx)
{
    static char buf[4096];
    size_t have = 0;
    bool overlong = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof(buf) - have);
        size_t start = 0;
        char *nl;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (n == 0)
            break;
        have += (size_t)n;
        while ((nl = memchr(buf + start, '\n', have - start))) {
            size_t len = (size_t)(nl - (buf + start));
            if (!overlong)
                fn(ctx, buf + start, len);
            overlong = false;
            start += len + 1;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
        if (have == sizeof(buf)) {
            overlong = true;
            have = 0;
        }
    }
    if (have > 0 && !overlong)
        fn(ctx, buf, have);
    close(fd);
    return 0;
}

/* ---- numbers ---- */

/* Digits only, fitting in 64 bits. */
static bool num(const char *s, size_t n, uint64_t *v_r)
{
    uint64_t v = 0;

    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *v_r = v;
    return true;
}

/* "12.34" (or "12.3", "12") in hundredths. */
static bool hundredths(const char *s, size_t n, uint64_t *v_r)
{
    const char *dot = memchr(s, '.', n);
    size_t ni = dot ? (size_t)(dot - s) : n, nf = dot ? n - ni - 1 : 0;
    uint64_t ip, fp = 0;

    if (!num(s, ni, &ip) || ip > UINT32_MAX)
        return false;
    if (dot && (nf < 1 || nf > 2 || !num(dot + 1, nf, &fp)))
        return false;
    *v_r = ip * 100 + (nf == 1 ? fp * 10 : fp);
    return true;
}

static size_t skip_blank(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

static size_t word_end(const char *s, size_t i, size_t n)
{
    while (i < n && s[i] != ' ' && s[i] != '\t')
        i++;
    return i;
}

static int quote_len(size_t len)
{
    return (int)(len > QUOTE_MAX ? QUOTE_MAX : len);
}

/* ---- the files ---- */

struct file_ctx {
    struct procstat_src *src;
    const char *path;
    struct procstat *s;
    unsigned found;             /* bits of the wanted lines met */
    uint64_t rf_split;          /* workingset_refault_anon + _file */
    uint64_t rf_single;         /* workingset_refault, before 5.9 */
    bool bad;                   /* a wanted line was not a number */
};

enum { F_TOTAL = 1, F_AVAIL = 2 };

/* "MemTotal:     1015808 kB" */
static void meminfo_line(void *p, const char *l, size_t n)
{
    struct file_ctx *c = p;
    size_t i, e, rest;
    unsigned bit;
    uint64_t *dst;
    uint64_t v;

    if (n >= 9 && memcmp(l, "MemTotal:", 9) == 0) {
        bit = F_TOTAL, dst = &c->s->total_kb, i = 9;
    } else if (n >= 13 && memcmp(l, "MemAvailable:", 13) == 0) {
        bit = F_AVAIL, dst = &c->s->avail_kb, i = 13;
    } else {
        return;
    }
    i = skip_blank(l, i, n);
    e = word_end(l, i, n);
    rest = skip_blank(l, e, n);
    if (!num(l + i, e - i, &v) ||
        !(rest == n || (n - rest == 2 && memcmp(l + rest, "kB", 2) == 0))) {
        complain(c->src, C_MEMINFO_BAD,
                 "\"%s\": \"%.*s\" is not a number of kB", c->path,
                 quote_len(n), l);
        c->bad = true;
        return;
    }
    *dst = v;
    c->found |= bit;
}

enum { F_SWPIN = 1, F_SWPOUT = 2, F_RF_ANON = 4, F_RF_FILE = 8, F_RF = 16 };

/* "pswpin 123" */
static void vmstat_line(void *p, const char *l, size_t n)
{
    static const struct {
        const char *key;
        unsigned bit;
    } keys[] = {
        {"pswpin", F_SWPIN}, {"pswpout", F_SWPOUT},
        {"workingset_refault_anon", F_RF_ANON},
        {"workingset_refault_file", F_RF_FILE},
        {"workingset_refault", F_RF},
    };
    struct file_ctx *c = p;
    size_t e = word_end(l, 0, n), i, ve;
    uint64_t v;

    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        if (strlen(keys[k].key) != e || memcmp(keys[k].key, l, e) != 0)
            continue;
        i = skip_blank(l, e, n);
        ve = word_end(l, i, n);
        if (!num(l + i, ve - i, &v) || skip_blank(l, ve, n) != n) {
            complain(c->src, C_VMSTAT_BAD, "\"%s\": \"%.*s\" is not a number",
                     c->path, quote_len(n), l);
            return;
        }
        c->found |= keys[k].bit;
        switch (keys[k].bit) {
        case F_SWPIN: c->s->pswpin = v; break;
        case F_SWPOUT: c->s->pswpout = v; break;
        case F_RF: c->rf_single = v; break;
        default: c->rf_split += v; break;       /* anon + file */
        }
        return;
    }
}

/* "some avg10=0.35 avg60=0.10 avg300=0.02 total=123456" */
static void psi_line(void *p, const char *l, size_t n)
{
    struct file_ctx *c = p;
    size_t i = word_end(l, 0, n);
    uint32_t *avg;
    uint64_t *total, v;

    if (i == 4 && memcmp(l, "some", 4) == 0) {
        avg = &c->s->some10, total = &c->s->some_us;
    } else if (i == 4 && memcmp(l, "full", 4) == 0) {
        avg = &c->s->full10, total = &c->s->full_us;
    } else {
        return;
    }
    while ((i = skip_blank(l, i, n)) < n) {
        size_t e = word_end(l, i, n);
        bool ok = true;

        if (e - i > 6 && memcmp(l + i, "avg10=", 6) == 0) {
            ok = hundredths(l + i + 6, e - i - 6, &v);
            *avg = ok ? (uint32_t)(v > 10000 ? 10000 : v) : 0;
        } else if (e - i > 6 && memcmp(l + i, "total=", 6) == 0) {
            ok = num(l + i + 6, e - i - 6, &v);
            *total = ok ? v : 0;
        }
        if (!ok) {
            complain(c->src, C_PSI_BAD, "\"%s\": \"%.*s\" is not a number",
                     c->path, quote_len(e - i), l + i);
            return;
        }
        i = e;
    }
}

/* "12345.67 23456.78": seconds since boot, and idle seconds. */
static void uptime_line(void *p, const char *l, size_t n)
{
    struct file_ctx *c = p;
    size_t e = word_end(l, 0, n);
    uint64_t v;

    if (c->found)
        return;
    if (!hundredths(l, e, &v)) {
        complain(c->src, C_UPTIME_BAD, "\"%s\": \"%.*s\" is not a time",
                 c->path, quote_len(n), l);
        return;
    }
    c->s->uptime_cs = v;
    c->found = 1;
}

static uint64_t boottime_cs(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (uint64_t)ts.tv_sec * 100 + (uint64_t)ts.tv_nsec / 10000000;
}

/* Read DIR/name through fn; the context's found bits, or -errno. */
static int read_file(struct procstat_src *src, const char *name, line_fn *fn,
                     struct procstat *s, struct file_ctx *c, char *path,
                     size_t plen)
{
    snprintf(path, plen, "%s/%s", src->dir, name);
    *c = (struct file_ctx){.src = src, .path = path, .s = s};
    return each_line(path, fn, c);
}

/* MemTotal and MemAvailable: 0, or -1 (said). */
static int read_meminfo(struct procstat_src *src, struct procstat *s)
{
    char path[4096];
    struct file_ctx c;
    int r = read_file(src, "meminfo", meminfo_line, s, &c, path,
                      sizeof(path));

    if (r < 0) {
        complain(src, C_MEMINFO_OPEN, "cannot read \"%s\": %s", path,
                 strerror(-r));
        return -1;
    }
    if (c.bad)
        return -1;              /* said, quoting the line */
    if ((c.found & (F_TOTAL | F_AVAIL)) != (F_TOTAL | F_AVAIL)) {
        complain(src, C_MEMINFO_LINE, "\"%s\" has no %s line: no report",
                 path, (c.found & F_TOTAL) ? "MemAvailable" : "MemTotal");
        return -1;
    }
    return 0;
}

static void read_vmstat(struct procstat_src *src, struct procstat *s)
{
    char path[4096];
    struct file_ctx c;
    int r = read_file(src, "vmstat", vmstat_line, s, &c, path, sizeof(path));

    if (r < 0) {
        complain(src, C_VMSTAT_OPEN,
                 "cannot read \"%s\": %s; swapin, swapout and refault are "
                 "reported as 0", path, strerror(-r));
        return;
    }
    if ((c.found & (F_SWPIN | F_SWPOUT)) != (F_SWPIN | F_SWPOUT))
        complain(src, C_VMSTAT_SWAP,
                 "\"%s\" has no %s line; its rate is reported as 0", path,
                 (c.found & F_SWPIN) ? "pswpout" : "pswpin");
    /* Linux 5.9 split workingset_refault into _anon and _file. */
    s->refault = (c.found & (F_RF_ANON | F_RF_FILE)) ? c.rf_split
                                                     : c.rf_single;
    if (!(c.found & (F_RF_ANON | F_RF_FILE | F_RF)))
        complain(src, C_VMSTAT_REFAULT,
                 "\"%s\" has no workingset_refault_anon/_file or "
                 "workingset_refault line; refault is reported as 0", path);
}

int procstat_read(struct procstat_src *src, struct procstat *s)
{
    char path[4096];
    struct file_ctx c;
    int r;

    memset(s, 0, sizeof(*s));
    src->seen = 0;

    /* meminfo first: without it there is no report, and nothing more is
     * read or said (a test's fixture may also hold the sample back
     * there, as a FIFO). */
    if (read_meminfo(src, s) < 0) {
        src->said &= src->seen | ~(C_MEMINFO_OPEN | C_MEMINFO_LINE |
                                   C_MEMINFO_BAD);
        return -1;
    }

    r = read_file(src, "uptime", uptime_line, s, &c, path, sizeof(path));
    if (r < 0)
        complain(src, C_UPTIME_OPEN,
                 "cannot read \"%s\": %s; rates are timed with the boot-time "
                 "clock", path, strerror(-r));
    if (r < 0 || !c.found)
        s->uptime_cs = boottime_cs();

    read_vmstat(src, s);

    r = read_file(src, "pressure/memory", psi_line, s, &c, path,
                  sizeof(path));
    if (r < 0)
        complain(src, C_PSI_OPEN,
                 "no pressure stall information (cannot read \"%s\": %s); "
                 "some10, full10, some and full are reported as 0", path,
                 strerror(-r));

    src->said &= src->seen;     /* what is fixed may be said again */
    return 0;
}
