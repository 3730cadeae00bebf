/* mig_image.c - see mig_image.h. */
#include "mig_image.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEXT_MAX (16u << 20)            /* text corpus, bytes */
#define ELF_MAX (48u << 20)             /* binary corpus, bytes */

enum { K_ZERO, K_TEXT, K_BIN, K_RAND };

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void fill_random(uint8_t *p, size_t n, uint64_t *s)
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t v = next(s);
        memcpy(p + i, &v, 8);
    }
}

int mig_image_random(struct mig_image *im, size_t len, uint64_t seed)
{
    uint64_t s = seed | 1;

    memset(im, 0, sizeof(*im));
    if (!(im->buf = malloc(len)))
        return -1;
    im->len = len;
    fill_random(im->buf, len, &s);
    im->pages[K_RAND] = len / MIG_PAGE;
    return 0;
}

struct corpus {
    uint8_t *buf;
    size_t len, cap, pos;
};

/* Append the file at path, when it starts with the 4 bytes of magic
 * (any file when NULL). */
static void corpus_add(struct corpus *c, const char *path, const char *magic)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t m;

    if (fd < 0)
        return;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 64) {
        close(fd);
        return;
    }
    if (magic) {
        char h[4];
        if (read(fd, h, 4) != 4 || memcmp(h, magic, 4) != 0) {
            close(fd);
            return;
        }
        lseek(fd, 0, SEEK_SET);
    }
    while (c->len < c->cap &&
           (m = read(fd, c->buf + c->len, c->cap - c->len)) > 0)
        c->len += (size_t)m;
    close(fd);
}

/* Every regular file of dir (and, with depth, of its subdirectories)
 * whose name passes `want`, in name order. */
static void corpus_dir(struct corpus *c, const char *dir, int depth,
                       const char *magic, int (*want)(const char *))
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    char path[1024];

    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (name[0] != '.' && c->len < c->cap) {
            snprintf(path, sizeof(path), "%s/%s", dir, name);
            if (ents[i]->d_type == DT_DIR && depth > 0)
                corpus_dir(c, path, depth - 1, magic, want);
            else if (!want || want(name))
                corpus_add(c, path, magic);
        }
        free(ents[i]);
    }
    free(ents);
}

/* Plain text: not compressed (.gz, .xz...) nor HTML. */
static int text_name(const char *name)
{
    const char *dot = strrchr(name, '.');

    return !dot || (strcmp(dot, ".gz") && strcmp(dot, ".xz") &&
                    strcmp(dot, ".bz2") && strcmp(dot, ".zst") &&
                    strcmp(dot, ".png") && strcmp(dot, ".jpg"));
}

static int corpus_init(struct corpus *c, size_t cap)
{
    memset(c, 0, sizeof(*c));
    c->cap = cap;
    return (c->buf = malloc(cap)) ? 0 : -1;
}

/* The next page of the corpus, cycled (random bytes when empty). */
static void corpus_page(struct corpus *c, uint8_t *p, uint64_t *s)
{
    if (c->len < MIG_PAGE) {
        fill_random(p, MIG_PAGE, s);
        return;
    }
    if (c->pos + MIG_PAGE > c->len)
        c->pos = 0;
    memcpy(p, c->buf + c->pos, MIG_PAGE);
    c->pos += MIG_PAGE;
}

int mig_image_guest(struct mig_image *im, size_t len, uint64_t seed)
{
    static const unsigned cumul[] = {45, 70, 90, 100};  /* % by kind */
    struct corpus text, bin;
    uint64_t s = seed | 1;
    size_t npages = len / MIG_PAGE, pg = 0;
    int rc = -1;

    memset(im, 0, sizeof(*im));
    if (corpus_init(&text, TEXT_MAX) < 0 || corpus_init(&bin, ELF_MAX) < 0)
        goto out;
    corpus_dir(&text, "/usr/share/common-licenses", 0, NULL, text_name);
    corpus_dir(&text, "/usr/share/doc", 2, NULL, text_name);
    corpus_dir(&bin, "/usr/bin", 0, "\177ELF", NULL);
    if (!(im->buf = calloc(npages, MIG_PAGE)))
        goto out;
    im->len = npages * MIG_PAGE;
    while (pg < npages) {
        unsigned r = (unsigned)(next(&s) % 100), kind = 0;
        size_t run = 1 + next(&s) % 64;
        while (r >= cumul[kind])
            kind++;
        for (; run > 0 && pg < npages; run--, pg++) {
            uint8_t *p = im->buf + pg * MIG_PAGE;
            if (kind == K_TEXT)
                corpus_page(&text, p, &s);
            else if (kind == K_BIN)
                corpus_page(&bin, p, &s);
            else if (kind == K_RAND)
                fill_random(p, MIG_PAGE, &s);
            im->pages[kind]++;
        }
    }
    rc = 0;
out:
    free(text.buf);
    free(bin.buf);
    return rc;
}

void mig_image_dispose(struct mig_image *im)
{
    free(im->buf);
    memset(im, 0, sizeof(*im));
}

void mig_image_src(void *arg, uint64_t off, uint8_t *buf, size_t n)
{
    const struct mig_image *im = arg;
    size_t at = (size_t)(off % im->len);

    while (n > 0) {
        size_t k = im->len - at < n ? im->len - at : n;
        memcpy(buf, im->buf + at, k);
        buf += k;
        n -= k;
        at = 0;
    }
}
