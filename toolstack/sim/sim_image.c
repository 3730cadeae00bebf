/*
 * sim_image.c - encoding and checking the save image of a simulated domain
 * (format in sim_image.h and docs/sim-host.md).
 */
#include "sim/sim_image.h"

#include <ctype.h>
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sim/sim_host.h"

#define REC_HDR 16u
#define IDX_ENT 16u
#define DIGEST 32u
#define REC_PAGES 1u
#define REC_END 2u
#define REC_CONFIG 3u
#define BATCH_BYTES (REC_HDR + SIM_IMG_BATCH * (IDX_ENT + SIM_IMG_PAGE))
#define PAGES_MAX (UINT64_C(1) << 32)   /* 16 TiB: beyond is nonsense */

_Static_assert(BATCH_BYTES >= SIM_IMG_HDR_LEN + REC_HDR + SIM_IMG_CONFIG_MAX,
               "the buffer holds the header and the configuration");

/* Header offsets. */
enum {
    H_MAGIC = 0, H_VERSION = 8, H_HDRLEN = 12, H_PAGESIZE = 16, H_TYPE = 20,
    H_PAGES = 24, H_MEM = 32, H_TARGET = 40, H_MAX = 48, H_SEED = 56,
    H_VCPUS_MAX = 64, H_VCPUS = 68, H_DOMID = 72, H_UUID = 80, H_NAME = 96,
};

static void put32(uint8_t *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, 8);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return le64toh(v);
}

static uint64_t mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void sim_page_fill(uint64_t seed, uint64_t pfn, uint32_t gen, uint8_t *page)
{
    uint64_t x = mix64(seed ^ mix64(pfn * 0x9e3779b97f4a7c15ull + gen));

    for (unsigned i = 0; i < SIM_IMG_PAGE; i += 8) {
        x += 0x9e3779b97f4a7c15ull;
        put64(page + i, mix64(x));
    }
}

/* --- writer --- */

enum wstate { W_HEADER, W_PAGES, W_END, W_DONE };

struct sim_img_writer {
    struct sim_img_info info;
    char *config;
    enum wstate state;
    uint64_t next_pfn;
    uint64_t sent;              /* page records */
    uint64_t offset;
    EVP_MD_CTX *md;
    uint8_t *buf;               /* BATCH_BYTES */
    uint64_t *pfns;             /* SIM_IMG_BATCH: the record's pages */
};

int sim_img_writer_new(const struct sim_img_info *info, const char *config,
                       struct sim_img_writer **w_r)
{
    struct sim_img_writer *w;

    *w_r = NULL;
    if (strlen(config) > SIM_IMG_CONFIG_MAX)
        return XN_EINVAL;
    w = calloc(1, sizeof(*w));
    if (!w)
        return XN_ENOMEM;
    w->info = *info;
    w->config = strdup(config);
    w->buf = malloc(BATCH_BYTES);
    w->pfns = malloc(SIM_IMG_BATCH * sizeof(*w->pfns));
    w->md = EVP_MD_CTX_new();
    if (!w->config || !w->buf || !w->pfns || !w->md ||
        EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1) {
        sim_img_writer_free(w);
        return XN_ENOMEM;
    }
    *w_r = w;
    return 0;
}

void sim_img_writer_free(struct sim_img_writer *w)
{
    if (!w)
        return;
    EVP_MD_CTX_free(w->md);
    free(w->config);
    free(w->buf);
    free(w->pfns);
    free(w);
}

static size_t write_header(const struct sim_img_info *in, uint8_t *b)
{
    memset(b, 0, SIM_IMG_HDR_LEN);
    memcpy(b + H_MAGIC, SIM_IMG_MAGIC, 8);
    put32(b + H_VERSION, SIM_IMG_VERSION);
    put32(b + H_HDRLEN, SIM_IMG_HDR_LEN);
    put32(b + H_PAGESIZE, SIM_IMG_PAGE);
    put32(b + H_TYPE, (uint32_t)in->type);
    put64(b + H_PAGES, in->pages);
    put64(b + H_MEM, in->mem_kb);
    put64(b + H_TARGET, in->target_kb);
    put64(b + H_MAX, in->max_kb);
    put64(b + H_SEED, in->seed);
    put32(b + H_VCPUS_MAX, in->vcpus_max);
    put32(b + H_VCPUS, in->vcpus_online);
    put32(b + H_DOMID, in->domid);
    memcpy(b + H_UUID, in->uuid, 16);
    snprintf((char *)b + H_NAME, HV_NAME_MAX, "%s", in->name);
    return SIM_IMG_HDR_LEN;
}

/* A PAGES record of the n pages in w->pfns, at their generations now. */
static size_t write_pages(struct sim_img_writer *w, uint32_t n,
                          const uint32_t *gens)
{
    uint8_t *idx = w->buf + REC_HDR, *data = idx + (size_t)n * IDX_ENT;

    put32(w->buf, REC_PAGES);
    put32(w->buf + 4, n);
    put64(w->buf + 8, 0);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t pfn = w->pfns[i];
        uint32_t gen = gens ? gens[pfn] : 0;
        put64(idx + (size_t)i * IDX_ENT, pfn);
        put32(idx + (size_t)i * IDX_ENT + 8, gen);
        put32(idx + (size_t)i * IDX_ENT + 12, 0);
        sim_page_fill(w->info.seed, pfn, gen, data + (size_t)i * SIM_IMG_PAGE);
    }
    w->sent += n;
    return REC_HDR + (size_t)n * (IDX_ENT + SIM_IMG_PAGE);
}

/* The first pass: the next pages in order. */
static size_t write_batch(struct sim_img_writer *w, const uint32_t *gens)
{
    uint64_t left = w->info.pages - w->next_pfn;
    uint32_t n = left < SIM_IMG_BATCH ? (uint32_t)left : SIM_IMG_BATCH;

    for (uint32_t i = 0; i < n; i++)
        w->pfns[i] = w->next_pfn + i;
    w->next_pfn += n;
    return write_pages(w, n, gens);
}

int sim_img_writer_next(struct sim_img_writer *w, const uint32_t *gens,
                        const uint8_t **buf_r, size_t *len_r)
{
    size_t len = 0;
    unsigned dlen = 0;

    switch (w->state) {
    case W_HEADER: {
        /* the header and the configuration record */
        size_t clen = strlen(w->config);
        len = write_header(&w->info, w->buf);
        put32(w->buf + len, REC_CONFIG);
        put32(w->buf + len + 4, (uint32_t)clen);
        put64(w->buf + len + 8, 0);
        memcpy(w->buf + len + REC_HDR, w->config, clen);
        len += REC_HDR + clen;
        w->state = w->info.pages ? W_PAGES : W_END;
        break;
    }
    case W_PAGES:
        len = write_batch(w, gens);
        if (w->next_pfn >= w->info.pages)
            w->state = W_END;
        break;
    case W_END:
        put32(w->buf, REC_END);
        put32(w->buf + 4, 0);
        put64(w->buf + 8, w->sent);
        if (EVP_DigestUpdate(w->md, w->buf, REC_HDR) != 1 ||
            EVP_DigestFinal_ex(w->md, w->buf + REC_HDR, &dlen) != 1 ||
            dlen != DIGEST)
            return XN_EFAIL;
        len = REC_HDR + DIGEST;
        w->state = W_DONE;
        *buf_r = w->buf;
        *len_r = len;
        w->offset += len;
        return 0;
    case W_DONE:
        break;
    }
    if (len && EVP_DigestUpdate(w->md, w->buf, len) != 1)
        return XN_EFAIL;
    *buf_r = w->buf;
    *len_r = len;
    w->offset += len;
    return 0;
}

bool sim_img_writer_at_end(const struct sim_img_writer *w)
{
    return w->state == W_END;
}

int sim_img_writer_pass(struct sim_img_writer *w, const uint64_t *map,
                        uint64_t *pfn_r, const uint32_t *gens,
                        const uint8_t **buf_r, size_t *len_r)
{
    uint64_t pfn = *pfn_r, pages = w->info.pages;
    uint32_t n = 0;
    size_t len;

    *buf_r = w->buf;
    *len_r = 0;
    if (w->state != W_END)
        return XN_ESTATE;
    while (pfn < pages && n < SIM_IMG_BATCH) {
        uint64_t word = map[pfn / 64] >> (pfn % 64);
        if (!word) {                        /* the rest of this word */
            pfn = (pfn / 64 + 1) * 64;
            continue;
        }
        pfn += (uint64_t)__builtin_ctzll(word);
        if (pfn >= pages)
            break;
        w->pfns[n++] = pfn++;
    }
    *pfn_r = pfn < pages ? pfn : pages;
    if (n == 0)
        return 0;
    len = write_pages(w, n, gens);
    if (EVP_DigestUpdate(w->md, w->buf, len) != 1)
        return XN_EFAIL;
    *len_r = len;
    w->offset += len;
    return 0;
}

uint64_t sim_img_writer_sent(const struct sim_img_writer *w)
{
    return w->sent;
}

uint64_t sim_img_writer_offset(const struct sim_img_writer *w)
{
    return w->offset;
}

/* --- reader --- */

enum rstate {
    R_MAGIC, R_HEADER, R_REC, R_CONFIG, R_INDEX, R_DATA, R_DIGEST, R_DONE,
    R_FAILED
};

struct sim_img_reader {
    enum rstate state;
    size_t need;                /* bytes of the current unit */
    size_t got;
    uint64_t offset;            /* bytes committed */
    uint64_t unit_start;        /* offset of the current unit */
    struct sim_img_info info;
    bool have_info;
    char *config;               /* NULL until its record is read */
    uint32_t batch;             /* pages in the current record */
    uint64_t *bpfn;             /* SIM_IMG_BATCH entries */
    uint32_t *bgen;
    uint64_t *seen;             /* bitmap of pages received */
    uint32_t *gens;             /* NULL while all 0 */
    uint8_t *buf;               /* BATCH_BYTES */
    uint8_t page[SIM_IMG_PAGE];
    EVP_MD_CTX *md;
};

int sim_img_reader_new(struct sim_img_reader **r_r)
{
    struct sim_img_reader *r = calloc(1, sizeof(*r));

    *r_r = NULL;
    if (!r)
        return XN_ENOMEM;
    r->state = R_MAGIC;
    r->need = 8;
    r->buf = malloc(BATCH_BYTES);
    r->bpfn = malloc(SIM_IMG_BATCH * sizeof(*r->bpfn));
    r->bgen = malloc(SIM_IMG_BATCH * sizeof(*r->bgen));
    r->md = EVP_MD_CTX_new();
    if (!r->buf || !r->bpfn || !r->bgen || !r->md ||
        EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1) {
        sim_img_reader_free(r);
        return XN_ENOMEM;
    }
    *r_r = r;
    return 0;
}

void sim_img_reader_free(struct sim_img_reader *r)
{
    if (!r)
        return;
    EVP_MD_CTX_free(r->md);
    free(r->buf);
    free(r->bpfn);
    free(r->bgen);
    free(r->seen);
    free(r->gens);
    free(r->config);
    free(r);
}

void sim_img_reader_space(struct sim_img_reader *r, uint8_t **buf_r,
                          size_t *len_r)
{
    size_t at = r->state == R_HEADER ? 8 + r->got : r->got;

    *buf_r = r->buf + at;
    *len_r = (r->state == R_DONE || r->state == R_FAILED) ? 0
                                                          : r->need - r->got;
}

static int corrupt(struct sim_img_reader *r, struct xn_msg *msg,
                   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int corrupt(struct sim_img_reader *r, struct xn_msg *msg,
                   const char *fmt, ...)
{
    r->state = R_FAILED;
    if (msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg->text, sizeof(msg->text), fmt, ap);
        va_end(ap);
    }
    return XN_ECORRUPT;
}

static void next_unit(struct sim_img_reader *r, enum rstate s, size_t need)
{
    r->state = s;
    r->need = need;
    r->got = 0;
    r->unit_start = r->offset;
}

static int check_magic(struct sim_img_reader *r, struct xn_msg *msg)
{
    char shown[9];

    if (memcmp(r->buf, SIM_IMG_MAGIC, 8) == 0) {
        next_unit(r, R_HEADER, SIM_IMG_HDR_LEN - 8);
        return 0;
    }
    for (int i = 0; i < 8; i++)
        shown[i] = isprint(r->buf[i]) ? (char)r->buf[i] : '.';
    shown[8] = '\0';
    return corrupt(r, msg, "the stream is not a xenith sim image: bad magic "
                   "\"%s\" (expected \"%s\")", shown, SIM_IMG_MAGIC);
}

static int parse_header(struct sim_img_reader *r, struct xn_msg *msg)
{
    const uint8_t *b = r->buf;
    struct sim_img_info *in = &r->info;
    uint32_t v = get32(b + H_VERSION), type = get32(b + H_TYPE);

    if (v != SIM_IMG_VERSION)
        return corrupt(r, msg, "the image has unsupported format version %u "
                       "(this host reads version %u)", v, SIM_IMG_VERSION);
    if (get32(b + H_HDRLEN) != SIM_IMG_HDR_LEN ||
        get32(b + H_PAGESIZE) != SIM_IMG_PAGE)
        return corrupt(r, msg, "the image header is corrupt: header length "
                       "%u and page size %u (expected %u and %u)",
                       get32(b + H_HDRLEN), get32(b + H_PAGESIZE),
                       SIM_IMG_HDR_LEN, SIM_IMG_PAGE);
    memset(in, 0, sizeof(*in));
    in->pages = get64(b + H_PAGES);
    in->mem_kb = get64(b + H_MEM);
    in->target_kb = get64(b + H_TARGET);
    in->max_kb = get64(b + H_MAX);
    in->seed = get64(b + H_SEED);
    in->vcpus_max = get32(b + H_VCPUS_MAX);
    in->vcpus_online = get32(b + H_VCPUS);
    in->domid = get32(b + H_DOMID);
    in->type = (enum hv_domtype)type;
    memcpy(in->uuid, b + H_UUID, 16);
    memcpy(in->name, b + H_NAME, HV_NAME_MAX);
    in->name[HV_NAME_MAX - 1] = '\0';
    if (in->pages == 0 || in->pages > PAGES_MAX ||
        in->mem_kb != in->pages * SIM_PAGE_KB || in->max_kb < in->mem_kb ||
        in->max_kb < in->target_kb)
        return corrupt(r, msg, "the image header is corrupt: %llu pages do "
                       "not fit memory %llu KiB (target %llu, max %llu)",
                       (unsigned long long)in->pages,
                       (unsigned long long)in->mem_kb,
                       (unsigned long long)in->target_kb,
                       (unsigned long long)in->max_kb);
    if (in->vcpus_max == 0 || in->vcpus_max > SIM_VCPUS_MAX ||
        in->vcpus_online > in->vcpus_max || type < HV_TYPE_PV ||
        type > HV_TYPE_HVM)
        return corrupt(r, msg, "the image header is corrupt: %u of %u vCPUs "
                       "online, domain type %u", in->vcpus_online,
                       in->vcpus_max, type);
    r->seen = calloc((in->pages + 63) / 64, sizeof(*r->seen));
    if (!r->seen)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory for an image of "
                          "%llu pages", (unsigned long long)in->pages);
    r->have_info = true;
    next_unit(r, R_REC, REC_HDR);
    return 0;
}

static int parse_record(struct sim_img_reader *r, struct xn_msg *msg)
{
    uint32_t type = get32(r->buf), count = get32(r->buf + 4);

    if ((type == REC_CONFIG) == (r->config != NULL))
        return corrupt(r, msg, "the image is corrupt: %s configuration "
                       "record at byte %llu", r->config ? "a second" : "no",
                       (unsigned long long)r->unit_start);
    if (type == REC_CONFIG) {
        if (count > SIM_IMG_CONFIG_MAX)
            return corrupt(r, msg, "the image is corrupt: its configuration "
                           "claims %u bytes (at most %u)", count,
                           SIM_IMG_CONFIG_MAX);
        next_unit(r, R_CONFIG, count);
        if (count == 0)
            return corrupt(r, msg, "the image is corrupt: its configuration "
                           "is empty");
        return 0;
    }
    if (type == REC_END && count == 0) {
        unsigned dlen = 0;
        if (EVP_DigestFinal_ex(r->md, r->page, &dlen) != 1 || dlen != DIGEST)
            return xn_msg_set(msg, XN_EFAIL, "SHA-256 failed");
        next_unit(r, R_DIGEST, DIGEST);
        return 0;
    }
    if (type != REC_PAGES)
        return corrupt(r, msg, "the image is corrupt: unknown record type %u "
                       "at byte %llu", type,
                       (unsigned long long)r->unit_start);
    if (count == 0 || count > SIM_IMG_BATCH)
        return corrupt(r, msg, "the image is corrupt: the record at byte "
                       "%llu holds %u pages (1-%u allowed)",
                       (unsigned long long)r->unit_start, count,
                       SIM_IMG_BATCH);
    r->batch = count;
    next_unit(r, R_INDEX, (size_t)count * IDX_ENT);
    return 0;
}

static int take_config(struct sim_img_reader *r, struct xn_msg *msg)
{
    if (memchr(r->buf, '\0', r->need))
        return corrupt(r, msg, "the image is corrupt: its configuration "
                       "holds a NUL byte");
    r->config = malloc(r->need + 1);
    if (!r->config)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    memcpy(r->config, r->buf, r->need);
    r->config[r->need] = '\0';
    next_unit(r, R_REC, REC_HDR);
    return 0;
}

static int parse_index(struct sim_img_reader *r, struct xn_msg *msg)
{
    for (uint32_t i = 0; i < r->batch; i++) {
        r->bpfn[i] = get64(r->buf + (size_t)i * IDX_ENT);
        r->bgen[i] = get32(r->buf + (size_t)i * IDX_ENT + 8);
        if (r->bpfn[i] >= r->info.pages)
            return corrupt(r, msg, "the image is corrupt: it sends page "
                           "%llu but holds only %llu pages",
                           (unsigned long long)r->bpfn[i],
                           (unsigned long long)r->info.pages);
    }
    next_unit(r, R_DATA, (size_t)r->batch * SIM_IMG_PAGE);
    return 0;
}

static int check_pages(struct sim_img_reader *r, struct xn_msg *msg)
{
    for (uint32_t i = 0; i < r->batch; i++) {
        uint64_t pfn = r->bpfn[i];
        sim_page_fill(r->info.seed, pfn, r->bgen[i], r->page);
        if (memcmp(r->page, r->buf + (size_t)i * SIM_IMG_PAGE,
                   SIM_IMG_PAGE) != 0)
            return corrupt(r, msg, "the image is corrupt: page %llu content "
                           "mismatch (generation %u, at byte %llu)",
                           (unsigned long long)pfn, r->bgen[i],
                           (unsigned long long)(r->unit_start +
                                                (uint64_t)i * SIM_IMG_PAGE));
        if (r->bgen[i] && !r->gens) {
            r->gens = calloc(r->info.pages, sizeof(*r->gens));
            if (!r->gens)
                return xn_msg_set(msg, XN_ENOMEM, "out of memory");
        }
        if (r->gens)
            r->gens[pfn] = r->bgen[i];
        r->seen[pfn / 64] |= UINT64_C(1) << (pfn % 64);
    }
    next_unit(r, R_REC, REC_HDR);
    return 0;
}

static int check_digest(struct sim_img_reader *r, struct xn_msg *msg)
{
    if (memcmp(r->page, r->buf, DIGEST) != 0)
        return corrupt(r, msg, "the image is corrupt: SHA-256 checksum "
                       "mismatch over its %llu bytes",
                       (unsigned long long)r->unit_start);
    for (uint64_t pfn = 0; pfn < r->info.pages; pfn++)
        if (!(r->seen[pfn / 64] >> (pfn % 64) & 1))
            return corrupt(r, msg, "the image is corrupt: page %llu is "
                           "missing", (unsigned long long)pfn);
    r->state = R_DONE;
    r->need = r->got = 0;
    return 0;
}

int sim_img_reader_commit(struct sim_img_reader *r, size_t n,
                          struct xn_msg *msg)
{
    uint8_t *at;
    size_t room;

    sim_img_reader_space(r, &at, &room);
    if (n > room)
        return xn_msg_set(msg, XN_EINVAL, "image reader: %zu bytes "
                          "committed, %zu expected", n, room);
    if (r->state != R_DIGEST && EVP_DigestUpdate(r->md, at, n) != 1)
        return xn_msg_set(msg, XN_EFAIL, "SHA-256 failed");
    r->got += n;
    r->offset += n;
    if (r->got < r->need)
        return 0;
    switch (r->state) {
    case R_MAGIC: return check_magic(r, msg);
    case R_HEADER: return parse_header(r, msg);
    case R_REC: return parse_record(r, msg);
    case R_CONFIG: return take_config(r, msg);
    case R_INDEX: return parse_index(r, msg);
    case R_DATA: return check_pages(r, msg);
    case R_DIGEST: return check_digest(r, msg);
    case R_DONE:
    case R_FAILED:
        break;
    }
    return 0;
}

int sim_img_reader_eof(const struct sim_img_reader *r, struct xn_msg *msg)
{
    static const char *const where[] = {
        [R_MAGIC] = "in the header", [R_HEADER] = "in the header",
        [R_REC] = "at a record header", [R_CONFIG] = "in the configuration",
        [R_INDEX] = "in a page index",
        [R_DATA] = "in the page data", [R_DIGEST] = "in the checksum",
        [R_DONE] = "after the end", [R_FAILED] = "after an error",
    };
    return xn_msg_set(msg, XN_ECORRUPT, "the image is truncated after %llu "
                      "bytes (%s)", (unsigned long long)r->offset,
                      where[r->state]);
}

const char *sim_img_reader_config(const struct sim_img_reader *r)
{
    return r->config;
}

const struct sim_img_info *sim_img_reader_info(const struct sim_img_reader *r)
{
    return r->have_info ? &r->info : NULL;
}

bool sim_img_reader_done(const struct sim_img_reader *r)
{
    return r->state == R_DONE;
}

const uint32_t *sim_img_reader_gens(const struct sim_img_reader *r)
{
    return r->gens;
}

uint64_t sim_img_reader_offset(const struct sim_img_reader *r)
{
    return r->offset;
}
