/*
 * test_sim_image.c - the sim's save image codec (sim_image.c), no I/O: a
 * round trip fed in uneven pieces, and damaged or truncated images.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"
#include "sim/sim_image.h"

#include "sim_testlib.h"

struct blob {
    uint8_t *data;
    size_t len;
};

static void image_write(const struct sim_img_info *info, const char *config,
                        const uint32_t *gens, struct blob *out)
{
    struct sim_img_writer *w;
    const uint8_t *buf;
    size_t len;

    out->data = NULL;
    out->len = 0;
    ck_assert_int_eq(sim_img_writer_new(info, config, &w), 0);
    for (;;) {
        ck_assert_int_eq(sim_img_writer_next(w, gens, &buf, &len), 0);
        if (!len)
            break;
        out->data = realloc(out->data, out->len + len);
        memcpy(out->data + out->len, buf, len);
        out->len += len;
    }
    sim_img_writer_free(w);
}

/* Feed in uneven pieces; returns the code and leaves the reader to free. */
static int image_read(const struct blob *b, size_t limit,
                      struct sim_img_reader **r_r, struct xn_msg *msg)
{
    size_t off = 0, piece = 1;
    int rc;

    ck_assert_int_eq(sim_img_reader_new(r_r), 0);
    for (;;) {
        uint8_t *at;
        size_t room, n;
        sim_img_reader_space(*r_r, &at, &room);
        if (room == 0)
            return 0;
        if (off >= limit)
            return sim_img_reader_eof(*r_r, msg);
        n = room < piece ? room : piece;
        if (n > limit - off)
            n = limit - off;
        memcpy(at, b->data + off, n);
        off += n;
        piece = piece * 3 + 7;
        rc = sim_img_reader_commit(*r_r, n, msg);
        if (rc < 0)
            return rc;
    }
}

static void sample_info(struct sim_img_info *in, uint64_t pages)
{
    memset(in, 0, sizeof(*in));
    in->pages = pages;
    in->mem_kb = pages * 4;
    in->target_kb = pages * 4;
    in->max_kb = pages * 8;
    in->seed = 0x1234567890abcdefull;
    in->vcpus_max = 4;
    in->vcpus_online = 2;
    in->type = HV_TYPE_PVH;
    in->domid = 7;
    snprintf(in->name, sizeof(in->name), "img");
}

START_TEST(image_round_trip)
{
    struct sim_img_info in;
    struct sim_img_reader *r;
    const struct sim_img_info *got;
    uint32_t gens[1500] = { 0 };
    struct xn_msg msg;
    struct blob b;

    sample_info(&in, 1500);
    gens[3] = 2;
    gens[1499] = 7;
    image_write(&in, "{\"c_info\":{}}", gens, &b);
    ck_assert_int_eq(image_read(&b, b.len, &r, &msg), 0);
    ck_assert(sim_img_reader_done(r));
    ck_assert_uint_eq(sim_img_reader_offset(r), b.len);
    got = sim_img_reader_info(r);
    ck_assert_uint_eq(got->pages, 1500);
    ck_assert_uint_eq(got->seed, in.seed);
    ck_assert_uint_eq(got->max_kb, 12000);
    ck_assert_uint_eq(got->vcpus_online, 2);
    ck_assert_int_eq(got->type, HV_TYPE_PVH);
    ck_assert_str_eq(got->name, "img");
    ck_assert_str_eq(sim_img_reader_config(r), "{\"c_info\":{}}");
    ck_assert_ptr_nonnull(sim_img_reader_gens(r));
    ck_assert_uint_eq(sim_img_reader_gens(r)[3], 2);
    ck_assert_uint_eq(sim_img_reader_gens(r)[1499], 7);
    ck_assert_uint_eq(sim_img_reader_gens(r)[4], 0);
    sim_img_reader_free(r);
    free(b.data);

    image_write(&in, "{}", NULL, &b);
    ck_assert_int_eq(image_read(&b, b.len, &r, &msg), 0);
    ck_assert_ptr_null(sim_img_reader_gens(r));
    sim_img_reader_free(r);
    free(b.data);
}
END_TEST

static void expect_corrupt(const struct blob *b, size_t limit,
                           const char *want)
{
    struct sim_img_reader *r;
    struct xn_msg msg;

    ck_assert_int_eq(image_read(b, limit, &r, &msg), XN_ECORRUPT);
    ck_assert_msg(strstr(msg.text, want) != NULL, "\"%s\" lacks \"%s\"",
                  msg.text, want);
    sim_img_reader_free(r);
}

START_TEST(image_damage)
{
    struct sim_img_info in;
    struct blob b;

    sample_info(&in, 1500);
    image_write(&in, "{}", NULL, &b);

    b.data[b.len / 2] ^= 0x40;
    expect_corrupt(&b, b.len, "content mismatch");
    b.data[b.len / 2] ^= 0x40;

    b.data[0] = 'Y';
    expect_corrupt(&b, b.len, "bad magic \"YNSIMIMG\"");
    b.data[0] = 'X';

    b.data[8] = 9;
    expect_corrupt(&b, b.len, "unsupported format version 9");
    b.data[8] = 1;

    b.data[b.len - 1] ^= 1;                 /* the checksum itself */
    expect_corrupt(&b, b.len, "SHA-256 checksum mismatch");
    b.data[b.len - 1] ^= 1;

    b.data[200] ^= 1;                       /* inside the name: unchecked */
    expect_corrupt(&b, b.len, "SHA-256 checksum mismatch");
    b.data[200] ^= 1;

    expect_corrupt(&b, 100, "truncated after 100 bytes (in the header)");
    expect_corrupt(&b, b.len - 10, "truncated after");
    expect_corrupt(&b, b.len / 3, "(in the page data)");
    free(b.data);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim_image");
    TCase *image = tcase_create("image");

    tcase_add_test(image, image_round_trip);
    tcase_add_test(image, image_damage);
    tcase_set_timeout(image, 60);
    suite_add_tcase(s, image);
    return simt_run(s);
}
