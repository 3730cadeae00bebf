/*
 * sim_image.h - the byte stream a simulated domain is saved to and restored
 * from.  Encoding and decoding only: no file descriptors, no event loop (the
 * driver pumps the bytes, sim_save.c).
 *
 * Layout (integers little-endian; docs/sim-host.md has the full table):
 *   header   256 bytes: magic "XNSIMIMG", version, page size, page count,
 *            memory (current, target, max), content seed, vCPUs, type,
 *            source domid, uuid, name
 *   records  16-byte record header {u32 type, u32 count, u64 aux}
 *            CONFIG (first, once): count bytes of the domain's
 *                   configuration, libxl's JSON (as `xl -N create`)
 *            PAGES: count index entries {u64 pfn, u32 generation, u32 0},
 *                   then count pages of 4096 bytes
 *            END:   count 0, aux = number of page copies sent
 *   trailer  SHA-256 of every byte before it
 * A page's content is a function of (seed, pfn, generation), so a reader
 * checks every page as well as the checksum.  The first PAGES records send
 * every page once, in order; a live save then sends again, in more PAGES
 * records before END, the pages the guest dirtied meanwhile (its later
 * passes, sim_img_writer_pass): a pfn may come more than once, and the
 * last copy counts.
 */
#ifndef XENITH_SIM_IMAGE_H
#define XENITH_SIM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "hv.h"

#define SIM_IMG_MAGIC "XNSIMIMG"
#define SIM_IMG_VERSION 1u
#define SIM_IMG_PAGE 4096u
#define SIM_IMG_HDR_LEN 256u
#define SIM_IMG_BATCH 512u          /* pages per PAGES record, at most */
#define SIM_IMG_CONFIG_MAX (1u << 20)   /* bytes of configuration */

/* What the header says about the domain. */
struct sim_img_info {
    uint64_t pages;
    uint64_t mem_kb;
    uint64_t target_kb;
    uint64_t max_kb;
    uint64_t seed;
    uint32_t vcpus_max;
    uint32_t vcpus_online;
    enum hv_domtype type;
    uint32_t domid;
    uint8_t uuid[16];
    char name[HV_NAME_MAX];
};

/* The content of a page. */
void sim_page_fill(uint64_t seed, uint64_t pfn, uint32_t gen, uint8_t *page);

/* --- writing --- */
struct sim_img_writer;

/* `config` (copied) is the domain's configuration as JSON, at most
 * SIM_IMG_CONFIG_MAX bytes.  *w_r is owned by the caller:
 * sim_img_writer_free() it. */
int sim_img_writer_new(const struct sim_img_info *info, const char *config,
                       struct sim_img_writer **w_r);
/*
 * The next piece of the stream in *buf_r and *len_r (owned by the writer,
 * valid until the next call).  `gens` are the domain's page generations at
 * this moment (info->pages entries, or NULL for all 0).  *len_r is 0 once
 * the whole image was handed out.
 */
int sim_img_writer_next(struct sim_img_writer *w, const uint32_t *gens,
                        const uint8_t **buf_r, size_t *len_r);
/* True once every page went out and only the end record is left: where a
 * live save sends the pages the guest dirtied meanwhile (writer_pass), in
 * as many passes as it likes, before it asks writer_next for the end. */
bool sim_img_writer_at_end(const struct sim_img_writer *w);
/*
 * A later pass, once at_end: the next PAGES record, holding up to
 * SIM_IMG_BATCH of the pages whose bits are set in `map` (info->pages bits:
 * bit pfn % 64 of word pfn / 64, not changed) from *pfn_r on, with their
 * generations in `gens` now (NULL: all 0).  *pfn_r moves past them; *len_r
 * is 0 when no set bit is left from *pfn_r on.  The buffer as writer_next's.
 * XN_ESTATE before at_end or after the end.
 */
int sim_img_writer_pass(struct sim_img_writer *w, const uint64_t *map,
                        uint64_t *pfn_r, const uint32_t *gens,
                        const uint8_t **buf_r, size_t *len_r);
/* Page copies handed out so far (the first pass and later ones). */
uint64_t sim_img_writer_sent(const struct sim_img_writer *w);
/* Bytes handed out so far. */
uint64_t sim_img_writer_offset(const struct sim_img_writer *w);
void sim_img_writer_free(struct sim_img_writer *w);

/* --- reading --- */
struct sim_img_reader;

int sim_img_reader_new(struct sim_img_reader **r_r);
/* Where the next bytes go and how many at most: never past the end of the
 * image, so a caller reading exactly that leaves its fd just past it.
 * *len_r is 0 once the image is complete. */
void sim_img_reader_space(struct sim_img_reader *r, uint8_t **buf_r,
                          size_t *len_r);
/* n bytes were put where space said.  XN_ECORRUPT (with the sentence) on a
 * foreign, corrupt or inconsistent stream; the reader is then unusable. */
int sim_img_reader_commit(struct sim_img_reader *r, size_t n,
                          struct xn_msg *msg);
/* The stream ended early: the XN_ECORRUPT sentence saying where. */
int sim_img_reader_eof(const struct sim_img_reader *r, struct xn_msg *msg);
/* The configuration (NUL-terminated, owned by the reader), once read
 * (NULL before); it comes right after the header. */
const char *sim_img_reader_config(const struct sim_img_reader *r);
/* The header, once read (NULL before). */
const struct sim_img_info *sim_img_reader_info(const struct sim_img_reader *r);
bool sim_img_reader_done(const struct sim_img_reader *r);
/* Generations of the pages read (info->pages entries), NULL when all 0.
 * Owned by the reader. */
const uint32_t *sim_img_reader_gens(const struct sim_img_reader *r);
uint64_t sim_img_reader_offset(const struct sim_img_reader *r);
void sim_img_reader_free(struct sim_img_reader *r);

/* How many bytes opening an image reads: the header and the configuration
 * (sim_image_head.c; hv_image_head). */
int sim_img_head(const uint8_t *buf, size_t len, size_t *need_r,
                 struct xn_msg *msg);

#endif
