/* test_migwire.c - the migration's wire format: frame headers, DATA_Z
 * payloads, the control messages and the relay's control channel. */
#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zstd.h>

#include "migration/wire/ctl.h"
#include "migration/wire/frame.h"
#include "migration/wire/msg.h"
#include "utf8.h"

/* The code and the exact sentence of a failure; sentences are one line of
 * valid UTF-8. */
static void expect_err(int rc, int code, const struct xn_msg *msg,
                       const char *text)
{
    ck_assert_msg(rc == code, "rc %d, not %d (\"%s\")", rc, code, msg->text);
    ck_assert_str_eq(msg->text, text);
    ck_assert(xn_utf8_valid(msg->text, strlen(msg->text)));
    for (const char *p = msg->text; *p; p++)
        ck_assert((unsigned char)*p >= 0x20);
}

/* --- frame headers --- */

static int hdr_decode(const uint8_t *b, struct mig_frame_hdr *h,
                      struct xn_msg *msg)
{
    return mig_frame_hdr_decode(b, MIG_FRAME_HDR, h, msg);
}

START_TEST(frame_roundtrip)
{
    uint8_t b[MIG_FRAME_HDR];
    struct mig_frame_hdr h;

    mig_frame_hdr_encode(b, MIG_F_PREPARE, 0x10304);
    ck_assert_int_eq(memcmp(b, "XM\001\002\000\001\003\004", 8), 0);
    ck_assert_int_eq(hdr_decode(b, &h, NULL), 0);
    ck_assert_uint_eq(h.type, MIG_F_PREPARE);
    ck_assert_uint_eq(h.len, 0x10304);
    for (unsigned t = MIG_F_MIN; t <= MIG_F_MAX; t++) {
        mig_frame_hdr_encode(b, t, 0);
        ck_assert_int_eq(hdr_decode(b, &h, NULL), 0);
        ck_assert_uint_eq(h.type, t);
        ck_assert_uint_eq(h.len, 0);
        ck_assert_str_ne(mig_ftype_name(t), "unknown");
    }
    ck_assert_str_eq(mig_ftype_name(MIG_F_DATA_Z), "data_z");
    ck_assert_str_eq(mig_ftype_name(0), "unknown");
    ck_assert_str_eq(mig_ftype_name(MIG_F_MAX + 1), "unknown");
    ck_assert_uint_eq(mig_ftype_max(0), 0);
    ck_assert_uint_eq(mig_ftype_max(MIG_F_MAX + 1), 0);
}
END_TEST

START_TEST(frame_maxima)
{
    static const struct {
        unsigned type;
        uint32_t max;
    } want[] = {
        {MIG_F_HELLO, MIG_CTRL_MAX}, {MIG_F_PREPARE, MIG_CTRL_MAX},
        {MIG_F_READY, MIG_CTRL_MAX}, {MIG_F_REFUSE, MIG_CTRL_MAX},
        {MIG_F_DATA, MIG_DATA_MAX}, {MIG_F_DATA_Z, MIG_DATAZ_MAX},
        {MIG_F_END, MIG_CTRL_MAX}, {MIG_F_RESTORED, MIG_CTRL_MAX},
        {MIG_F_GO, MIG_CTRL_MAX}, {MIG_F_CONFIRM, MIG_CTRL_MAX},
        {MIG_F_ABORT, MIG_CTRL_MAX}, {MIG_F_PROGRESS, MIG_CTRL_MAX},
    };
    uint8_t b[MIG_FRAME_HDR];
    struct mig_frame_hdr h;
    struct xn_msg msg;
    char text[200];

    ck_assert_uint_eq(sizeof(want) / sizeof(want[0]), MIG_F_MAX);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ck_assert_uint_eq(mig_ftype_max(want[i].type), want[i].max);
        mig_frame_hdr_encode(b, want[i].type, want[i].max);
        ck_assert_int_eq(hdr_decode(b, &h, NULL), 0);
        ck_assert_uint_eq(h.len, want[i].max);
        mig_frame_hdr_encode(b, want[i].type, want[i].max + 1);
        snprintf(text, sizeof(text), "frame: a \"%s\" frame of %u bytes "
                 "is over its maximum of %u", mig_ftype_name(want[i].type),
                 want[i].max + 1, want[i].max);
        expect_err(hdr_decode(b, &h, &msg), XN_EPROTO, &msg, text);
    }
    mig_frame_hdr_encode(b, MIG_F_DATA, 0xffffffffu);
    expect_err(hdr_decode(b, &h, &msg), XN_EPROTO, &msg,
               "frame: a \"data\" frame of 4294967295 bytes is over its "
               "maximum of 1048576");
}
END_TEST

START_TEST(frame_bad)
{
    struct mig_frame_hdr h;
    struct xn_msg msg;

    expect_err(hdr_decode((const uint8_t *)"AB\001\001\000\000\000\000", &h,
                          &msg), XN_EPROTO, &msg,
               "frame: bad magic 0x4142 (not \"XM\")");
    expect_err(hdr_decode((const uint8_t *)"\377M\001\001\000\000\000\000",
                          &h, &msg), XN_EPROTO, &msg,
               "frame: bad magic 0xff4d (not \"XM\")");
    expect_err(hdr_decode((const uint8_t *)"XM\002\001\000\000\000\000", &h,
                          &msg), XN_EPROTO, &msg,
               "frame: version 2 is not supported (this host speaks 1)");
    expect_err(hdr_decode((const uint8_t *)"XM\000\001\000\000\000\000", &h,
                          &msg), XN_EPROTO, &msg,
               "frame: version 0 is not supported (this host speaks 1)");
    expect_err(hdr_decode((const uint8_t *)"XM\001\000\000\000\000\000", &h,
                          &msg), XN_EPROTO, &msg, "frame: unknown type 0");
    expect_err(hdr_decode((const uint8_t *)"XM\001\015\000\000\000\000", &h,
                          &msg), XN_EPROTO, &msg, "frame: unknown type 13");
    expect_err(hdr_decode((const uint8_t *)"XM\001\377\000\000\000\000", &h,
                          &msg), XN_EPROTO, &msg, "frame: unknown type 255");
    expect_err(mig_frame_hdr_decode((const uint8_t *)"XM\001\001\000\000\000",
                                    7, &h, &msg), XN_EPROTO, &msg,
               "frame: a header needs 8 bytes, not 7");
}
END_TEST

/* --- DATA_Z --- */

static ZSTD_CCtx *cctx;
static ZSTD_DCtx *dctx;
static uint8_t *zbuf, *rawbuf, *outbuf;

static void dataz_setup(void)
{
    cctx = ZSTD_createCCtx();
    dctx = ZSTD_createDCtx();
    zbuf = malloc(MIG_DATAZ_MAX);
    rawbuf = malloc(MIG_DATA_MAX + 1);
    outbuf = malloc(MIG_DATA_MAX);
    ck_assert(cctx && dctx && zbuf && rawbuf && outbuf);
}

static void dataz_teardown(void)
{
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
    free(zbuf);
    free(rawbuf);
    free(outbuf);
}

static void dataz_roundtrip(size_t len, int level)
{
    size_t zlen = 0, olen = 0;

    ck_assert_int_eq(mig_dataz_pack(cctx, level, rawbuf, len, zbuf, &zlen,
                                    NULL), 0);
    ck_assert_uint_le(zlen, MIG_DATAZ_MAX);
    ck_assert_uint_eq(((uint32_t)zbuf[0] << 24 | (uint32_t)zbuf[1] << 16 |
                       (uint32_t)zbuf[2] << 8 | zbuf[3]), len);
    memset(outbuf, 0xAA, MIG_DATA_MAX);
    ck_assert_int_eq(mig_dataz_unpack(dctx, zbuf, zlen, outbuf, &olen, NULL),
                     0);
    ck_assert_uint_eq(olen, len);
    ck_assert_int_eq(memcmp(outbuf, rawbuf, len), 0);
}

START_TEST(dataz_zeros_random_text)
{
    size_t zlen;

    memset(rawbuf, 0, MIG_DATA_MAX);
    dataz_roundtrip(MIG_DATA_MAX, 3);
    dataz_roundtrip(1, 1);
    mig_dataz_pack(cctx, 1, rawbuf, MIG_DATA_MAX, zbuf, &zlen, NULL);
    ck_assert_uint_lt(zlen, 1000);

    srand(42);      /* incompressible: the largest payloads */
    for (size_t i = 0; i < MIG_DATA_MAX; i++)
        rawbuf[i] = (uint8_t)(rand() >> 7);
    dataz_roundtrip(MIG_DATA_MAX, 1);
    dataz_roundtrip(MIG_DATA_MAX, 19);
    dataz_roundtrip(4097, 5);

    for (size_t i = 0; i < MIG_DATA_MAX; i++)
        rawbuf[i] = (uint8_t)"the quick brown fox jumps over a lazy dog\n"
                    [i % 42];
    dataz_roundtrip(MIG_DATA_MAX, 3);
    dataz_roundtrip(100000, 19);
}
END_TEST

START_TEST(dataz_pack_bad)
{
    struct xn_msg msg;
    size_t zlen;

    memset(rawbuf, 'a', MIG_DATA_MAX + 1);
    expect_err(mig_dataz_pack(cctx, 3, rawbuf, 0, zbuf, &zlen, &msg),
               XN_EINVAL, &msg,
               "data_z: 0 raw bytes is not from 1 to 1048576");
    expect_err(mig_dataz_pack(cctx, 3, rawbuf, MIG_DATA_MAX + 1, zbuf, &zlen,
                              &msg), XN_EINVAL, &msg,
               "data_z: 1048577 raw bytes is not from 1 to 1048576");
    expect_err(mig_dataz_pack(cctx, 0, rawbuf, 10, zbuf, &zlen, &msg),
               XN_EINVAL, &msg,
               "data_z: compression level 0 is not from 1 to 19");
    expect_err(mig_dataz_pack(cctx, 20, rawbuf, 10, zbuf, &zlen, &msg),
               XN_EINVAL, &msg,
               "data_z: compression level 20 is not from 1 to 19");
}
END_TEST

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int unpack(size_t zlen, struct xn_msg *msg)
{
    size_t olen = 12345;
    int rc = mig_dataz_unpack(dctx, zbuf, zlen, outbuf, &olen, msg);

    if (rc < 0)
        ck_assert_uint_eq(olen, 12345);
    return rc;
}

START_TEST(dataz_unpack_bad)
{
    struct xn_msg msg;
    size_t zlen, n;

    memset(rawbuf, 'x', 100);
    ck_assert_int_eq(mig_dataz_pack(cctx, 3, rawbuf, 100, zbuf, &zlen, NULL),
                     0);
    expect_err(unpack(3, &msg), XN_EPROTO, &msg,
               "data_z: a payload of 3 bytes is too short");
    put_be32(zbuf, 0);
    expect_err(unpack(zlen, &msg), XN_EPROTO, &msg,
               "data_z: a raw length of 0 bytes is not from 1 to 1048576");
    put_be32(zbuf, MIG_DATA_MAX + 1);
    expect_err(unpack(zlen, &msg), XN_EPROTO, &msg,
               "data_z: a raw length of 1048577 bytes is not from 1 to "
               "1048576");
    put_be32(zbuf, 99);
    expect_err(unpack(zlen, &msg), XN_EPROTO, &msg,
               "data_z: the zstd frame holds 100 bytes, not the 99 "
               "announced");
    put_be32(zbuf, 101);
    expect_err(unpack(zlen, &msg), XN_EPROTO, &msg,
               "data_z: the zstd frame holds 100 bytes, not the 101 "
               "announced");
    put_be32(zbuf, 100);
    ck_assert_int_eq(unpack(zlen, NULL), 0);
    /* no zstd frame at all, or only its start */
    expect_err(unpack(4, &msg), XN_EPROTO, &msg,
               "data_z: corrupt zstd frame: Src size is incorrect");
    expect_err(unpack(zlen - 1, &msg), XN_EPROTO, &msg,
               "data_z: corrupt zstd frame: Src size is incorrect");
    memcpy(zbuf + 4, "not zstd at all", 15);
    expect_err(unpack(19, &msg), XN_EPROTO, &msg,
               "data_z: corrupt zstd frame: Unknown frame descriptor");

    /* two frames, or bytes after one */
    ck_assert_int_eq(mig_dataz_pack(cctx, 3, rawbuf, 50, zbuf, &zlen, NULL),
                     0);
    memcpy(zbuf + zlen, zbuf + 4, zlen - 4);
    put_be32(zbuf, 100);
    expect_err(unpack(zlen + zlen - 4, &msg), XN_EPROTO, &msg,
               "data_z: 17 bytes follow the zstd frame");

    /* a frame that does not say its size: only decompressing tells */
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
    n = ZSTD_compress2(cctx, zbuf + 4, MIG_DATAZ_MAX - 4, rawbuf, 100);
    ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
    ck_assert(!ZSTD_isError(n));
    ck_assert_uint_eq(ZSTD_getFrameContentSize(zbuf + 4, n),
                      ZSTD_CONTENTSIZE_UNKNOWN);
    put_be32(zbuf, 100);
    ck_assert_int_eq(unpack(4 + n, NULL), 0);
    ck_assert_int_eq(memcmp(outbuf, rawbuf, 100), 0);
    put_be32(zbuf, 99);
    expect_err(unpack(4 + n, &msg), XN_EPROTO, &msg,
               "data_z: corrupt zstd frame: Destination buffer is too "
               "small");
    put_be32(zbuf, 101);
    expect_err(unpack(4 + n, &msg), XN_EPROTO, &msg,
               "data_z: the zstd frame gave 100 bytes, not the 101 "
               "announced");

    /* a frame header of the right size, and garbage blocks after it (the
     * frames carry no checksum: ZSTD_compressCCtx takes a level only, and
     * TLS guards the bytes; corruption that keeps the size goes unseen) */
    for (size_t i = 0; i < 100; i++)
        rawbuf[i] = (uint8_t)(i * 7 + i / 3);
    ck_assert_int_eq(mig_dataz_pack(cctx, 3, rawbuf, 100, zbuf, &zlen, NULL),
                     0);
    memset(zbuf + 4 + 6, 0xff, zlen - 4 - 6);
    ck_assert_int_eq(unpack(zlen, &msg), XN_EPROTO);
    ck_assert_msg(strncmp(msg.text, "data_z: corrupt zstd frame: ", 28) == 0,
                  "%s", msg.text);
}
END_TEST

/* --- the control channel --- */

static int sp[2] = {-1, -1};

static void ctl_setup(void)
{
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
                                sp), 0);
}

static void ctl_teardown(void)
{
    if (sp[0] >= 0)
        close(sp[0]);
    if (sp[1] >= 0)
        close(sp[1]);
    sp[0] = sp[1] = -1;
}

/* Send raw bytes with descriptors fds[0..nfd) beside them. */
static void send_raw(const void *buf, size_t len, const int *fds, int nfd)
{
    union {
        char buf[CMSG_SPACE(4 * sizeof(int))];
        struct cmsghdr align;
    } cbuf;
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

    if (nfd > 0) {
        struct cmsghdr *c;
        memset(&cbuf, 0, sizeof(cbuf));
        mh.msg_control = cbuf.buf;
        mh.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfd * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfd * sizeof(int));
    }
    ck_assert_int_eq(sendmsg(sp[0], &mh, 0), (ssize_t)len);
}

/* Whether every write end of the pipe whose read end is rfd is closed. */
static bool writers_gone(int rfd)
{
    char c;
    int fl = fcntl(rfd, F_GETFL);

    fcntl(rfd, F_SETFL, fl | O_NONBLOCK);
    return read(rfd, &c, 1) == 0;
}

START_TEST(ctl_roundtrip_fd)
{
    struct json_object *o = json_object_new_object(), *r = NULL;
    struct xn_msg msg;
    int p[2], fd = -2;
    char c = 0;

    json_object_object_add(o, "op", json_object_new_string("connect"));
    json_object_object_add(o, "id", json_object_new_int64(2));
    json_object_object_add(o, "host", json_object_new_string("b.example/x"));
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(mig_ctl_send(sp[0], o, p[1], &msg), 0);
    close(p[1]);    /* not closed by send: the one in flight is a copy */
    ck_assert_int_eq(mig_ctl_recv(sp[1], &r, &fd, &msg), 0);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    ck_assert_str_eq(mig_ctl_str(r, "op"), "connect");
    ck_assert_str_eq(mig_ctl_str(r, "host"), "b.example/x");
    ck_assert_int_eq(mig_ctl_int(r, "id", -1), 2);
    ck_assert_int_eq(write(fd, "z", 1), 1);
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    ck_assert_int_eq(c, 'z');
    close(fd);
    ck_assert(writers_gone(p[0]));
    close(p[0]);
    json_object_put(r);

    /* without a descriptor */
    ck_assert_int_eq(mig_ctl_send(sp[1], o, -1, &msg), 0);
    ck_assert_int_eq(mig_ctl_recv(sp[0], &r, &fd, &msg), 0);
    ck_assert_int_eq(fd, -1);
    ck_assert_str_eq(json_object_to_json_string_ext(r,
                     JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                     "{\"op\":\"connect\",\"id\":2,\"host\":\"b.example/x\"}");
    json_object_put(r);
    json_object_put(o);
}
END_TEST

/* {"a":[[...]]} nested `depth` deep (the object is 1) into buf. */
static size_t nest(char *buf, int depth)
{
    size_t n = 0;

    n += (size_t)sprintf(buf, "{\"a\":");
    for (int i = 1; i < depth; i++)
        buf[n++] = '[';
    for (int i = 1; i < depth; i++)
        buf[n++] = ']';
    buf[n++] = '}';
    buf[n] = '\0';
    return n;
}

START_TEST(ctl_bad_packets)
{
    char deep[200];
    struct json_object *r = (void *)1;
    struct xn_msg msg;
    int p[2], q[2], fd = -2;

    /* not JSON, with a descriptor: refused and the descriptor closed */
    ck_assert_int_eq(pipe(p), 0);
    send_raw("hello", 5, &p[1], 1);
    close(p[1]);
    expect_err(mig_ctl_recv(sp[1], &r, &fd, &msg), XN_EPROTO, &msg,
               "control channel: invalid JSON at byte 0: unexpected "
               "character");
    ck_assert_ptr_null(r);
    ck_assert_int_eq(fd, -1);
    ck_assert(writers_gone(p[0]));
    close(p[0]);

    send_raw("[1,2]", 5, NULL, 0);
    expect_err(mig_ctl_recv(sp[1], &r, &fd, &msg), XN_EPROTO, &msg,
               "control channel: the payload is a JSON array, not an "
               "object");
    send_raw("{\"op\":\"x\"}{}", 12, NULL, 0);
    expect_err(mig_ctl_recv(sp[1], &r, &fd, &msg), XN_EPROTO, &msg,
               "control channel: something follows the JSON object");
    send_raw("{\"op\":\"x\0\"}", 11, NULL, 0);
    expect_err(mig_ctl_recv(sp[1], &r, &fd, &msg), XN_EPROTO, &msg,
               "control channel: the payload holds a NUL byte");
    send_raw("{\"op\":\"x", 8, NULL, 0);
    expect_err(mig_ctl_recv(sp[1], &r, &fd, &msg), XN_EPROTO, &msg,
               "control channel: the JSON object is cut short");

    /* nested 32 deep (the object and 31 arrays), and 33 */
    send_raw(deep, nest(deep, 32), NULL, 0);
    ck_assert_int_eq(mig_ctl_recv(sp[1], &r, &fd, &msg), 0);
    json_object_put(r);
    send_raw(deep, nest(deep, 33), NULL, 0);
    expect_err(mig_ctl_recv(sp[1], &r, &fd, &msg), XN_EPROTO, &msg,
               "control channel: the JSON is nested deeper than 32 levels");

    /* two descriptors: the first is kept, the other closed */
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(pipe(q), 0);
    send_raw("{}", 2, (int[]){p[1], q[1]}, 2);
    close(p[1]);
    close(q[1]);
    ck_assert_int_eq(mig_ctl_recv(sp[1], &r, &fd, &msg), 0);
    ck_assert_int_ge(fd, 0);
    ck_assert(writers_gone(q[0]));
    ck_assert(!writers_gone(p[0]));
    close(fd);
    ck_assert(writers_gone(p[0]));
    close(p[0]);
    close(q[0]);
    json_object_put(r);
}
END_TEST

START_TEST(ctl_sizes)
{
    struct json_object *o = json_object_new_object(), *r = NULL;
    struct xn_msg msg;
    size_t big = MIG_CTL_MAX - 8;   /* {"s":"..."} is 8 bytes more */
    char *s = malloc(MIG_CTL_MAX + 2);
    int fd;

    memset(s, 'a', MIG_CTL_MAX + 1);
    json_object_object_add(o, "s", json_object_new_string_len(s, (int)big));
    ck_assert_int_eq(mig_ctl_send(sp[0], o, -1, &msg), 0);
    ck_assert_int_eq(mig_ctl_recv(sp[1], &r, &fd, &msg), 0);
    ck_assert_uint_eq(strlen(mig_ctl_str(r, "s")), big);
    json_object_put(r);

    json_object_object_add(o, "s", json_object_new_string_len(s,
                                                              (int)big + 1));
    expect_err(mig_ctl_send(sp[0], o, -1, &msg), XN_EINVAL, &msg,
               "control channel: a message of 262145 bytes is over the "
               "maximum of 262144");

    /* a packet over the maximum (not from mig_ctl_send) */
    s[0] = '{';
    send_raw(s, MIG_CTL_MAX + 1, NULL, 0);
    expect_err(mig_ctl_recv(sp[1], &r, &fd, &msg), XN_EPROTO, &msg,
               "control channel: a message over the maximum of 262144 "
               "bytes");
    free(s);
    json_object_put(o);
}
END_TEST

START_TEST(ctl_busy_and_closed)
{
    struct json_object *o = json_object_new_object(), *r = NULL;
    struct xn_msg msg;
    int fd;

    fcntl(sp[1], F_SETFL, O_NONBLOCK);
    expect_err(mig_ctl_recv(sp[1], &r, &fd, &msg), XN_EBUSY, &msg,
               "control channel: nothing to read yet");
    close(sp[0]);
    sp[0] = -1;
    expect_err(mig_ctl_recv(sp[1], &r, &fd, &msg), XN_EIO, &msg,
               "control channel: the channel was closed");
    ck_assert_ptr_null(r);
    ck_assert_int_eq(fd, -1);
    /* no SIGPIPE */
    expect_err(mig_ctl_send(sp[1], o, -1, &msg), XN_EIO, &msg,
               "control channel: the channel was closed");
    json_object_put(o);
}
END_TEST

START_TEST(ctl_fields)
{
    struct json_object *o = json_tokener_parse(
        "{\"s\":\"x\",\"n\":5,\"neg\":-1,\"f\":1.5,\"big\":"
        "99999999999999999999,\"max\":9223372036854775807,\"t\":true}");

    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(mig_ctl_str(o, "s"), "x");
    ck_assert_ptr_null(mig_ctl_str(o, "n"));
    ck_assert_ptr_null(mig_ctl_str(o, "absent"));
    ck_assert_int_eq(mig_ctl_int(o, "n", -1), 5);
    ck_assert_int_eq(mig_ctl_int(o, "neg", -7), -7);
    ck_assert_int_eq(mig_ctl_int(o, "f", -7), -7);
    ck_assert_int_eq(mig_ctl_int(o, "big", -7), -7);
    ck_assert_int_eq(mig_ctl_int(o, "max", -7), INT64_MAX);
    ck_assert_int_eq(mig_ctl_int(o, "t", -7), -7);
    ck_assert_int_eq(mig_ctl_int(o, "s", -7), -7);
    ck_assert_int_eq(mig_ctl_int(o, "absent", 9), 9);
    json_object_object_add(o, "nul", json_object_new_string_len("a\0b", 3));
    ck_assert_ptr_null(mig_ctl_str(o, "nul"));
    json_object_put(o);
}
END_TEST


/* --- control messages --- */

static int decode(unsigned type, const char *json, struct mig_msg *m,
                  struct xn_msg *msg)
{
    return mig_msg_decode(type, (const uint8_t *)json, strlen(json), m, msg);
}

/* Refused with this sentence, and nothing left to free. */
static void expect_bad(unsigned type, const char *json, const char *text)
{
    struct mig_msg m;
    struct xn_msg msg;

    expect_err(decode(type, json, &m, &msg), XN_EPROTO, &msg, text);
    ck_assert_uint_eq(m.type, type);
    if (type == MIG_F_PREPARE)
        ck_assert_ptr_null(m.u.prepare.config_json);
}

/* Encoded to exactly `json`, and decoded back into *back. */
static void roundtrip(const struct mig_msg *m, const char *json,
                      struct mig_msg *back)
{
    struct mig_frame_hdr h;
    struct xn_msg msg;
    uint8_t *buf;
    size_t len;

    ck_assert_int_eq(mig_msg_encode(m, &buf, &len, &msg), 0);
    ck_assert_msg(len == strlen(json) && memcmp(buf, json, len) == 0,
                  "encoded %.*s", (int)len, buf);
    free(buf);
    ck_assert_int_eq(mig_msg_frame(m, &buf, &len, &msg), 0);
    ck_assert_uint_eq(len, MIG_FRAME_HDR + strlen(json));
    ck_assert_int_eq(mig_frame_hdr_decode(buf, len, &h, &msg), 0);
    ck_assert_uint_eq(h.type, m->type);
    ck_assert_uint_eq(h.len, strlen(json));
    ck_assert_int_eq(mig_msg_decode(h.type, buf + MIG_FRAME_HDR, h.len, back,
                                    &msg), 0);
    ck_assert_uint_eq(back->type, m->type);
    free(buf);
}

static const uint8_t uuid1[16] = {
    0x5e, 0x1a, 0x0c, 0x3e, 0x7b, 0x2d, 0x4d, 0x1e,
    0x9f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};

static void prepare_sample(struct mig_msg *m)
{
    struct mig_prepare *p = &m->u.prepare;

    mig_msg_init(m, MIG_F_PREPARE);
    strcpy(p->name, "web1");
    memcpy(p->uuid, uuid1, 16);
    p->memory_kb = 1048576;
    p->config_json = strdup("{ \"c_info\": {\"name\": \"web1\"}, "
                            "\"b_info\": {\"disks\": [\"/x.img\"]} }");
    p->npolicy = 2;
    strcpy(p->policy[0].key, "sched.class");
    strcpy(p->policy[0].value, "high");
    strcpy(p->policy[1].key, "balloon.min");
    strcpy(p->policy[1].value, "");
    p->live = true;
    p->paused = false;
    strcpy(p->stream, "xen");
}

START_TEST(msg_roundtrip_prepare)
{
    struct mig_msg m, b;
    uint8_t *buf;
    size_t len;

    prepare_sample(&m);
    roundtrip(&m, "{\"name\":\"web1\",\"uuid\":\"5e1a0c3e-7b2d-4d1e-9f00-"
              "000000000001\",\"memory_kb\":1048576,\"config\":{\"c_info\":"
              "{\"name\":\"web1\"},\"b_info\":{\"disks\":[\"/x.img\"]}},"
              "\"policy\":{\"sched.class\":\"high\",\"balloon.min\":\"\"},"
              "\"live\":true,\"paused\":false,\"stream\":\"xen\"}", &b);
    ck_assert_str_eq(b.u.prepare.name, "web1");
    ck_assert_int_eq(memcmp(b.u.prepare.uuid, uuid1, 16), 0);
    ck_assert_uint_eq(b.u.prepare.memory_kb, 1048576);
    ck_assert_str_eq(b.u.prepare.config_json, "{\"c_info\":{\"name\":"
                     "\"web1\"},\"b_info\":{\"disks\":[\"/x.img\"]}}");
    ck_assert_uint_eq(b.u.prepare.npolicy, 2);
    ck_assert_str_eq(b.u.prepare.policy[0].key, "sched.class");
    ck_assert_str_eq(b.u.prepare.policy[0].value, "high");
    ck_assert_str_eq(b.u.prepare.policy[1].key, "balloon.min");
    ck_assert_str_eq(b.u.prepare.policy[1].value, "");
    ck_assert(b.u.prepare.live);
    ck_assert(!b.u.prepare.paused);
    ck_assert_str_eq(b.u.prepare.stream, "xen");
    mig_msg_dispose(&b);
    ck_assert_ptr_null(b.u.prepare.config_json);
    mig_msg_dispose(&b);        /* twice is fine */

    /* the largest values, UTF-8, no policy */
    m.u.prepare.memory_kb = UINT64_C(1) << 40;
    m.u.prepare.npolicy = 0;
    memset(m.u.prepare.name, 'n', MIG_NAME_MAX - 3);
    strcpy(m.u.prepare.name + MIG_NAME_MAX - 3, "\xc3\xa9");   /* 127 */
    m.u.prepare.paused = true;
    strcpy(m.u.prepare.stream, "sim");
    ck_assert_int_eq(mig_msg_frame(&m, &buf, &len, NULL), 0);
    ck_assert_int_eq(mig_msg_decode(MIG_F_PREPARE, buf + MIG_FRAME_HDR,
                                    len - MIG_FRAME_HDR, &b, NULL), 0);
    ck_assert_str_eq(b.u.prepare.name, m.u.prepare.name);
    ck_assert_uint_eq(b.u.prepare.memory_kb, UINT64_C(1) << 40);
    ck_assert(b.u.prepare.paused);
    free(buf);
    mig_msg_dispose(&b);
    mig_msg_dispose(&m);
}
END_TEST

START_TEST(msg_roundtrip_small)
{
    struct mig_msg m, b;

    mig_msg_init(&m, MIG_F_HELLO);
    m.u.hello.vmin = 1;
    m.u.hello.vmax = 1000;
    strcpy(m.u.hello.host, "fe80::1");
    m.u.hello.caps = MIG_CAP_ZSTD;
    roundtrip(&m, "{\"versions\":[1,1000],\"host\":\"fe80::1\",\"caps\":"
              "[\"zstd\"]}", &b);
    ck_assert_uint_eq(b.u.hello.vmin, 1);
    ck_assert_uint_eq(b.u.hello.vmax, 1000);
    ck_assert_str_eq(b.u.hello.host, "fe80::1");
    ck_assert_uint_eq(b.u.hello.caps, MIG_CAP_ZSTD);
    m.u.hello.caps = 0;
    m.u.hello.vmax = 1;
    roundtrip(&m, "{\"versions\":[1,1],\"host\":\"fe80::1\",\"caps\":[]}",
              &b);
    ck_assert_uint_eq(b.u.hello.caps, 0);

    mig_msg_init(&m, MIG_F_READY);
    strcpy(m.u.ready.domname, "web1--incoming");
    roundtrip(&m, "{\"domname\":\"web1--incoming\"}", &b);
    ck_assert_str_eq(b.u.ready.domname, "web1--incoming");

    mig_msg_init(&m, MIG_F_REFUSE);
    m.u.refuse.code = XN_ENOMEM;
    strcpy(m.u.refuse.reason, "web1 needs 1048576 KiB; 524288 KiB free");
    roundtrip(&m, "{\"code\":\"ENOMEM\",\"reason\":\"web1 needs 1048576 "
              "KiB; 524288 KiB free\"}", &b);
    ck_assert_int_eq(b.u.refuse.code, XN_ENOMEM);
    ck_assert_str_eq(b.u.refuse.reason, m.u.refuse.reason);

    m.type = MIG_F_ABORT;
    m.u.refuse.code = XN_ECANCELED;
    m.u.refuse.reason[0] = '\0';
    roundtrip(&m, "{\"code\":\"ECANCELED\",\"reason\":\"\"}", &b);
    ck_assert_int_eq(b.u.refuse.code, XN_ECANCELED);
    ck_assert_str_eq(b.u.refuse.reason, "");

    mig_msg_init(&m, MIG_F_END);
    m.u.end.bytes = INT64_MAX;
    roundtrip(&m, "{\"bytes\":9223372036854775807}", &b);
    ck_assert_uint_eq(b.u.end.bytes, INT64_MAX);

    mig_msg_init(&m, MIG_F_RESTORED);
    m.u.restored.domid = 32751;
    roundtrip(&m, "{\"domid\":32751}", &b);
    ck_assert_uint_eq(b.u.restored.domid, 32751);

    mig_msg_init(&m, MIG_F_GO);
    m.u.go.suspended_for_ms = UINT64_C(1764600000123456789);
    roundtrip(&m, "{\"suspended_for_ms\":1764600000123456789}", &b);
    ck_assert_uint_eq(b.u.go.suspended_for_ms, UINT64_C(1764600000123456789));

    mig_msg_init(&m, MIG_F_CONFIRM);
    m.u.confirm.running = true;
    m.u.confirm.domid = 7;
    m.u.confirm.downtime_ms = 42;
    roundtrip(&m, "{\"running\":true,\"domid\":7,\"downtime_ms\":42}", &b);
    ck_assert(b.u.confirm.running);
    ck_assert_uint_eq(b.u.confirm.domid, 7);
    ck_assert_uint_eq(b.u.confirm.downtime_ms, 42);

    mig_msg_init(&m, MIG_F_PROGRESS);
    m.u.progress.bytes = 1 << 30;
    m.u.progress.iteration = UINT32_MAX;
    m.u.progress.remaining = 0;
    m.u.progress.rate = 123456789;
    roundtrip(&m, "{\"bytes\":1073741824,\"iteration\":4294967295,"
              "\"remaining\":0,\"rate\":123456789}", &b);
    ck_assert_uint_eq(b.u.progress.bytes, 1 << 30);
    ck_assert_uint_eq(b.u.progress.iteration, UINT32_MAX);
    ck_assert_uint_eq(b.u.progress.remaining, 0);
    ck_assert_uint_eq(b.u.progress.rate, 123456789);
}
END_TEST

START_TEST(msg_decode_lenient)
{
    struct mig_msg m;
    struct xn_msg msg;

    /* unknown fields (of any depth and type), white space, any order */
    ck_assert_int_eq(decode(MIG_F_PREPARE, " {\"stream\":\"sim\", "
                            "\"vcpus\":2, \"future\":{\"x\":[1,{}]}, "
                            "\"paused\":true, \"live\":false, \"policy\":{}, "
                            "\"config\":{}, \"memory_kb\":1, \"uuid\":"
                            "\"5E1A0C3E-7B2D-4D1E-9F00-000000000001\", "
                            "\"name\":\"caf\xc3\xa9\"}\n", &m, &msg), 0);
    ck_assert_str_eq(m.u.prepare.name, "caf\xc3\xa9");
    ck_assert_int_eq(memcmp(m.u.prepare.uuid, uuid1, 16), 0);
    ck_assert_str_eq(m.u.prepare.config_json, "{}");
    ck_assert_uint_eq(m.u.prepare.npolicy, 0);
    mig_msg_dispose(&m);

    /* unknown caps and error names */
    ck_assert_int_eq(decode(MIG_F_HELLO, "{\"versions\":[2,3],\"host\":"
                            "\"10.0.0.1\",\"caps\":[\"lz4\",\"zstd\","
                            "\"zstd\"]}", &m, &msg), 0);
    ck_assert_uint_eq(m.u.hello.caps, MIG_CAP_ZSTD);
    ck_assert_int_eq(decode(MIG_F_HELLO, "{\"versions\":[1,1],\"host\":"
                            "\"a\",\"caps\":[\"lz4\"]}", &m, &msg), 0);
    ck_assert_uint_eq(m.u.hello.caps, 0);
    ck_assert_int_eq(decode(MIG_F_REFUSE, "{\"code\":\"ENEWER\",\"reason\":"
                            "\"x\"}", &m, &msg), 0);
    ck_assert_int_eq(m.u.refuse.code, XN_EFAIL);
    ck_assert_int_eq(decode(MIG_F_ABORT, "{\"code\":\"OK\",\"reason\":"
                            "\"x\"}", &m, &msg), 0);
    ck_assert_int_eq(m.u.refuse.code, XN_EFAIL);
    ck_assert_int_eq(decode(MIG_F_ABORT, "{\"code\":\"EIO\",\"reason\":"
                            "\"x\",\"reason2\":1}", &m, &msg), 0);
    ck_assert_int_eq(m.u.refuse.code, XN_EIO);
}
END_TEST

#define PREP_HEAD "{\"name\":\"web1\",\"uuid\":\"5e1a0c3e-7b2d-4d1e-9f00-" \
                  "000000000001\",\"config\":{},\"policy\":{},\"live\":" \
                  "true,\"paused\":false,\"stream\":\"xen\""

START_TEST(msg_refused_fields)
{
    static const char mem_range[] = "prepare: \"memory_kb\" must be an "
                                     "integer from 1 to 1099511627776";
    char json[4096], name[200];
    struct mig_msg m;

    expect_bad(MIG_F_PREPARE, PREP_HEAD "}",
               "prepare: \"memory_kb\" is missing");
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":\"1\"}", mem_range);
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":0}", mem_range);
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":-1}", mem_range);
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":1.5}", mem_range);
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":1e3}", mem_range);
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":null}", mem_range);
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":1099511627777}",
               mem_range);
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":"
               "18446744073709551615}", mem_range);
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":"
               "99999999999999999999999}", mem_range);
    expect_bad(MIG_F_PREPARE, PREP_HEAD ",\"memory_kb\":"
               "-99999999999999999999999}", mem_range);

    /* strings: type, empty, UTF-8, controls, length */
#define NAMED(v) "{\"name\":" v ",\"uuid\":\"5e1a0c3e-7b2d-4d1e-9f00-" \
                 "000000000001\",\"memory_kb\":1,\"config\":{},\"policy\":" \
                 "{},\"live\":true,\"paused\":false,\"stream\":\"xen\"}"
    expect_bad(MIG_F_PREPARE, NAMED("1"), "prepare: \"name\" must be a "
               "string");
    expect_bad(MIG_F_PREPARE, NAMED("[\"web1\"]"), "prepare: \"name\" must "
               "be a string");
    expect_bad(MIG_F_PREPARE, NAMED("\"\""), "prepare: \"name\" is empty");
    expect_bad(MIG_F_PREPARE, NAMED("\"a\xff" "b\""), "prepare: \"name\": "
               "\"a?b\" is not valid UTF-8");
    expect_bad(MIG_F_PREPARE, NAMED("\"a\xc0\x80" "b\""), "prepare: "
               "\"name\": \"a??b\" is not valid UTF-8");
    expect_bad(MIG_F_PREPARE, NAMED("\"a\\u0001b\""), "prepare: \"name\": "
               "\"a?b\" holds a control character");
    expect_bad(MIG_F_PREPARE, NAMED("\"a\tb\""), "prepare: \"name\": "
               "\"a?b\" holds a control character");
    expect_bad(MIG_F_PREPARE, NAMED("\"a\\u007fb\""), "prepare: \"name\": "
               "\"a?b\" holds a control character");
    expect_bad(MIG_F_PREPARE, NAMED("\"a\\u009bb\""), "prepare: \"name\": "
               "\"a?b\" holds a control character");
    expect_bad(MIG_F_PREPARE, NAMED("\"a\\u0000b\""), "prepare: a JSON "
               "string holds \"\\u0000\"");
    memset(name, 'a', 128);
    name[0] = '"';
    strcpy(name + 129, "\"");
    name[128] = 'b';
    expect_bad(MIG_F_PREPARE, (snprintf(json, sizeof(json), NAMED("%s"),
                                        name), json),
               "prepare: \"name\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
               "aaaaaaaaaaaaaaaaaaaaaaaa...\" is longer than 127 bytes");
    name[128] = '"';
    name[129] = '\0';
    snprintf(json, sizeof(json), NAMED("%s"), name);
    ck_assert_int_eq(decode(MIG_F_PREPARE, json, &m, NULL), 0);
    ck_assert_uint_eq(strlen(m.u.prepare.name), 127);
    mig_msg_dispose(&m);

    expect_bad(MIG_F_PREPARE, NAMED("\"web1\"") "x", "prepare: something "
               "follows the JSON object");
    expect_bad(MIG_F_PREPARE, NAMED("\"web1\"") NAMED("\"web2\""),
               "prepare: something follows the JSON object");
#undef NAMED
}
END_TEST

START_TEST(msg_refused_prepare)
{
    char json[8192];
    size_t n;

#define PREP(fields) "{\"name\":\"web1\",\"memory_kb\":1," fields "}"
#define UUID "\"uuid\":\"5e1a0c3e-7b2d-4d1e-9f00-000000000001\""
#define REST "\"live\":true,\"paused\":false,\"stream\":\"xen\""
    expect_bad(MIG_F_PREPARE, PREP("\"uuid\":\"5e1a0c3e7b2d4d1e9f0000000000"
                                   "0001\",\"config\":{},\"policy\":{}," REST),
               "prepare: \"uuid\": \"5e1a0c3e7b2d4d1e9f00000000000001\" is "
               "not a UUID");
    expect_bad(MIG_F_PREPARE, PREP("\"uuid\":\"5e1a0c3e-7b2d-4d1e-9f00-"
                                   "00000000000g\",\"config\":{},\"policy\""
                                   ":{}," REST),
               "prepare: \"uuid\": \"5e1a0c3e-7b2d-4d1e-9f00-00000000000g\" "
               "is not a UUID");
    expect_bad(MIG_F_PREPARE, PREP("\"uuid\":7,\"config\":{},\"policy\":{},"
                                   REST), "prepare: \"uuid\" must be a "
               "string");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":\"{}\",\"policy\":{},"
                                   REST), "prepare: \"config\" must be a "
               "JSON object");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":[],\"policy\":{},"
                                   REST), "prepare: \"config\" must be a "
               "JSON object");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{\"x\":\"\xe9\"},"
                                   "\"policy\":{}," REST),
               "prepare: \"config\" is not valid UTF-8");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":[],"
                                   REST), "prepare: \"policy\" must be an "
               "object of strings");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":{\"k\":"
                                   "1}," REST), "prepare: \"policy\": \"k\" "
               "must be a string");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":{\"\":"
                                   "\"v\"}," REST), "prepare: \"policy\" key "
               "is empty");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":{\"a\\tb"
                                   "\":\"v\"}," REST), "prepare: \"policy\" "
               "key: \"a?b\" holds a control character");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":{\"k\":"
                                   "\"\xff\"}," REST), "prepare: \"policy\": "
               "\"k\": \"?\" is not valid UTF-8");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":{\"k"
                                   "\\u0000\":\"v\"}," REST), "prepare: a "
               "JSON string holds \"\\u0000\"");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":{},"
                                   "\"live\":1,\"paused\":false,\"stream\":"
                                   "\"xen\""), "prepare: \"live\" must be "
               "true or false");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":{},"
                                   "\"live\":true,\"stream\":\"xen\""),
               "prepare: \"paused\" is missing");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":{},"
                                   "\"live\":true,\"paused\":false,"
                                   "\"stream\":\"Xen\""), "prepare: "
               "\"stream\": \"Xen\" is not a stream kind");
    expect_bad(MIG_F_PREPARE, PREP(UUID ",\"config\":{},\"policy\":{},"
                                   "\"live\":true,\"paused\":false,"
                                   "\"stream\":\"xen-with-a-long-name\""),
               "prepare: \"stream\": \"xen-with-a-long-name\" is longer than "
               "15 bytes");

    /* policy: 64 entries are fine, 65 are not; a value of 255 bytes is
     * fine, 256 is not */
#undef PREP
#define PREP(fields) "{\"name\":\"web1\",\"memory_kb\":1," fields
    n = (size_t)sprintf(json, PREP(UUID ",\"config\":{}," REST ",\"policy\":"
                                   "{"));
    for (int i = 0; i < 64; i++)
        n += (size_t)sprintf(json + n, "%s\"k%d\":\"v\"", i ? "," : "", i);
    strcpy(json + n, "}}");
    struct mig_msg m;
    ck_assert_int_eq(decode(MIG_F_PREPARE, json, &m, NULL), 0);
    ck_assert_uint_eq(m.u.prepare.npolicy, 64);
    ck_assert_str_eq(m.u.prepare.policy[63].key, "k63");
    mig_msg_dispose(&m);
    strcpy(json + n, ",\"k64\":\"v\"}}");
    expect_bad(MIG_F_PREPARE, json, "prepare: \"policy\" has more than 64 "
               "entries");
    n = (size_t)sprintf(json, PREP(UUID ",\"config\":{}," REST ",\"policy\":"
                                   "{\"k\":\""));
    memset(json + n, 'v', 255);
    strcpy(json + n + 255, "\"}}");
    ck_assert_int_eq(decode(MIG_F_PREPARE, json, &m, NULL), 0);
    ck_assert_uint_eq(strlen(m.u.prepare.policy[0].value), 255);
    mig_msg_dispose(&m);
    memset(json + n, 'v', 256);
    strcpy(json + n + 256, "\"}}");
    expect_bad(MIG_F_PREPARE, json, "prepare: \"policy\": \"k\": \"vvvvvvvvvv"
               "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv...\" "
               "is longer than 255 bytes");
#undef PREP
#undef UUID
#undef REST
}
END_TEST

START_TEST(msg_refused_others)
{
    static const char versions[] = "hello: \"versions\" must be [MIN, MAX] "
                                   "with 1 <= MIN <= MAX <= 1000";
    static const char caps[] = "hello: \"caps\" must be an array of at most "
                               "32 strings";
    char json[2048];
    size_t n;

#define HELLO(v, h, c) "{\"versions\":" v ",\"host\":" h ",\"caps\":" c "}"
    expect_bad(MIG_F_HELLO, HELLO("[2,1]", "\"a\"", "[]"), versions);
    expect_bad(MIG_F_HELLO, HELLO("[0,1]", "\"a\"", "[]"), versions);
    expect_bad(MIG_F_HELLO, HELLO("[1,1001]", "\"a\"", "[]"), versions);
    expect_bad(MIG_F_HELLO, HELLO("[1]", "\"a\"", "[]"), versions);
    expect_bad(MIG_F_HELLO, HELLO("[1,2,3]", "\"a\"", "[]"), versions);
    expect_bad(MIG_F_HELLO, HELLO("[1,\"2\"]", "\"a\"", "[]"), versions);
    expect_bad(MIG_F_HELLO, HELLO("[1,2.0]", "\"a\"", "[]"), versions);
    expect_bad(MIG_F_HELLO, HELLO("{}", "\"a\"", "[]"), versions);
    expect_bad(MIG_F_HELLO, HELLO("[1,18446744073709551617]", "\"a\"", "[]"),
               versions);
    expect_bad(MIG_F_HELLO, HELLO("[1,1]", "\"a?b\"", "[]"),
               "hello: \"host\": \"a?b\" is not a valid host name");
    expect_bad(MIG_F_HELLO, HELLO("[1,1]", "\"a/b\"", "[]"),
               "hello: \"host\": \"a/b\" is not a valid host name");
    expect_bad(MIG_F_HELLO, HELLO("[1,1]", "\"a\\\"b\"", "[]"),
               "hello: \"host\": \"a?b\" is not a valid host name");
    expect_bad(MIG_F_HELLO, HELLO("[1,1]", "\"a\\nb\"", "[]"),
               "hello: \"host\": \"a?b\" holds a control character");
    expect_bad(MIG_F_HELLO, HELLO("[1,1]", "\"\"", "[]"),
               "hello: \"host\" is empty");
    expect_bad(MIG_F_HELLO, HELLO("[1,1]", "\"a\"", "{}"), caps);
    expect_bad(MIG_F_HELLO, HELLO("[1,1]", "\"a\"", "[\"zstd\",1]"), caps);
    expect_bad(MIG_F_HELLO, HELLO("[1,1]", "\"a\"", "[\"\"]"),
               "hello: \"caps\" is empty");
    expect_bad(MIG_F_HELLO, "{\"versions\":[1,1],\"host\":\"a\"}",
               "hello: \"caps\" is missing");
    n = (size_t)sprintf(json, "{\"versions\":[1,1],\"host\":\"a\",\"caps\":[");
    for (int i = 0; i < 33; i++)
        n += (size_t)sprintf(json + n, "%s\"c%d\"", i ? "," : "", i);
    strcpy(json + n, "]}");
    expect_bad(MIG_F_HELLO, json, caps);
#undef HELLO

    expect_bad(MIG_F_READY, "{}", "ready: \"domname\" is missing");
    expect_bad(MIG_F_READY, "{\"domname\":null}", "ready: \"domname\" must "
               "be a string");
    expect_bad(MIG_F_REFUSE, "{\"reason\":\"x\"}", "refuse: \"code\" is "
               "missing");
    expect_bad(MIG_F_ABORT, "{\"code\":\"EIO\"}", "abort: \"reason\" is "
               "missing");
    expect_bad(MIG_F_ABORT, "{\"code\":\"EIO\",\"reason\":\"a\\u001b[2J\"}",
               "abort: \"reason\": \"a?[2J\" holds a control character");
    expect_bad(MIG_F_REFUSE, "{\"code\":\"EIOEIOEIOEIOEIOEIOEIOEIOEIOEIOEIO"
               "EIO\",\"reason\":\"\"}", "refuse: \"code\": \"EIOEIOEIOEIOEIO"
               "EIOEIOEIOEIOEIOEIOEIO\" is longer than 31 bytes");
    expect_bad(MIG_F_END, "{\"bytes\":-1}", "end: \"bytes\" must be an "
               "integer from 0 to 9223372036854775807");
    expect_bad(MIG_F_END, "{\"bytes\":9223372036854775808}", "end: \"bytes\" "
               "must be an integer from 0 to 9223372036854775807");
    expect_bad(MIG_F_RESTORED, "{\"domid\":0}", "restored: \"domid\" must be "
               "an integer from 1 to 32751");
    expect_bad(MIG_F_RESTORED, "{\"domid\":32752}", "restored: \"domid\" "
               "must be an integer from 1 to 32751");
    expect_bad(MIG_F_GO, "{\"suspended_for_ms\":true}", "go: \"suspended_for_ms\" "
               "must be an integer from 0 to 9223372036854775807");
    expect_bad(MIG_F_CONFIRM, "{\"running\":\"true\",\"domid\":1,"
               "\"downtime_ms\":0}", "confirm: \"running\" must be true or "
               "false");
    expect_bad(MIG_F_CONFIRM, "{\"running\":false,\"domid\":1}",
               "confirm: \"downtime_ms\" is missing");
    expect_bad(MIG_F_PROGRESS, "{\"bytes\":0,\"iteration\":4294967296,"
               "\"remaining\":0,\"rate\":0}", "progress: \"iteration\" must "
               "be an integer from 0 to 4294967295");
}
END_TEST

START_TEST(msg_refused_payloads)
{
    struct mig_msg m;
    struct xn_msg msg;
    char deep[200];

    expect_bad(MIG_F_END, "", "end: a payload of 0 bytes is not a JSON "
               "object");
    expect_bad(MIG_F_END, "  ", "end: the JSON object is cut short");
    expect_bad(MIG_F_END, "{\"bytes\":1", "end: the JSON object is cut "
               "short");
    expect_bad(MIG_F_END, "[{\"bytes\":1}]", "end: the payload is a JSON "
               "array, not an object");
    expect_bad(MIG_F_END, "1", "end: the JSON object is cut short");
    expect_bad(MIG_F_END, "1 ", "end: the payload is a JSON int, not an "
               "object");
    expect_bad(MIG_F_END, "{\"bytes\":1,}", "end: invalid JSON at byte 11: "
               "unexpected character");
    expect_bad(MIG_F_END, "{\"bytes\":01}", "end: invalid JSON at byte 11: "
               "number expected");
    expect_bad(MIG_F_END, "{\"bytes\":1}garbage", "end: something follows "
               "the JSON object");
    expect_bad(MIG_F_END, "{\"bytes\":1} {\"bytes\":2}", "end: something "
               "follows the JSON object");
    expect_bad(MIG_F_END, "{\"bytes\":1}\n}", "end: something follows the "
               "JSON object");
    expect_bad(MIG_F_END, "{\"bytes\\u0000\":1}", "end: a JSON string holds "
               "\"\\u0000\"");
    ck_assert_int_eq(decode(MIG_F_END, "{\"x\":\"\\\\u0000\",\"bytes\":1}",
                            &m, NULL), 0);
    expect_err(mig_msg_decode(MIG_F_END, (const uint8_t *)"{\"bytes\":1}\0",
                              12, &m, &msg), XN_EPROTO, &msg,
               "end: the payload holds a NUL byte");
    expect_err(mig_msg_decode(MIG_F_END, (const uint8_t *)"{}", MIG_CTRL_MAX +
                              1, &m, &msg), XN_EPROTO, &msg,
               "end: a message of 262145 bytes is over the maximum of "
               "262144");

    /* nesting: 32 levels in an unknown field are fine, 33 are not */
    nest(deep, 32);
    deep[strlen(deep) - 1] = ',';
    strcat(deep, "\"bytes\":5}");
    ck_assert_int_eq(decode(MIG_F_END, deep, &m, NULL), 0);
    ck_assert_uint_eq(m.u.end.bytes, 5);
    nest(deep, 33);
    expect_bad(MIG_F_END, deep, "end: the JSON is nested deeper than 32 "
               "levels");

    /* no JSON in data frames, and no such type */
    expect_err(decode(MIG_F_DATA, "{}", &m, &msg), XN_EINVAL, &msg,
               "frame type 5 (data) carries no message");
    expect_err(decode(MIG_F_DATA_Z, "{}", &m, &msg), XN_EINVAL, &msg,
               "frame type 6 (data_z) carries no message");
    expect_err(decode(0, "{}", &m, &msg), XN_EINVAL, &msg,
               "frame type 0 (unknown) carries no message");
    expect_err(decode(99, "{}", &m, &msg), XN_EINVAL, &msg,
               "frame type 99 (unknown) carries no message");
}
END_TEST

static void expect_enc_bad(const struct mig_msg *m, const char *text)
{
    struct xn_msg msg;
    uint8_t *buf = (uint8_t *)"x";
    size_t len = 9;

    expect_err(mig_msg_encode(m, &buf, &len, &msg), XN_EINVAL, &msg, text);
    ck_assert_ptr_null(buf);
    ck_assert_uint_eq(len, 0);
    expect_err(mig_msg_frame(m, &buf, &len, &msg), XN_EINVAL, &msg, text);
    ck_assert_ptr_null(buf);
}

START_TEST(msg_encode_refused)
{
    struct mig_msg m;
    char *cfg;

    mig_msg_init(&m, MIG_F_HELLO);
    strcpy(m.u.hello.host, "a.example");
    expect_enc_bad(&m, "hello: \"versions\" must be [MIN, MAX] with 1 <= "
                   "MIN <= MAX <= 1000");
    m.u.hello.vmin = m.u.hello.vmax = 1;
    m.u.hello.caps = 0x6;
    expect_enc_bad(&m, "hello: unknown caps 0x6");
    m.u.hello.caps = MIG_CAP_ZSTD;
    strcpy(m.u.hello.host, "a b");
    expect_enc_bad(&m, "hello: \"host\": \"a b\" is not a valid host name");
    memset(m.u.hello.host, 'h', sizeof(m.u.hello.host));   /* no NUL */
    expect_enc_bad(&m, "hello: \"host\": \"hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
                   "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhh...\" is longer than 255 "
                   "bytes");

    prepare_sample(&m);
    cfg = m.u.prepare.config_json;
    m.u.prepare.config_json = NULL;
    expect_enc_bad(&m, "prepare: \"config\" is missing");
    m.u.prepare.config_json = "[]";
    expect_enc_bad(&m, "prepare: \"config\": the payload is a JSON array, "
                   "not an object");
    m.u.prepare.config_json = "{\"a\":}";
    expect_enc_bad(&m, "prepare: \"config\": invalid JSON at byte 5: "
                   "unexpected character");
    m.u.prepare.config_json = cfg;
    m.u.prepare.memory_kb = 0;
    expect_enc_bad(&m, "prepare: \"memory_kb\" must be an integer from 1 to "
                   "1099511627776");
    m.u.prepare.memory_kb = UINT64_MAX;
    expect_enc_bad(&m, "prepare: \"memory_kb\" must be an integer from 1 to "
                   "1099511627776");
    m.u.prepare.memory_kb = 1;
    m.u.prepare.npolicy = MIG_POLICY_MAX + 1;
    expect_enc_bad(&m, "prepare: \"policy\" has more than 64 entries");
    m.u.prepare.npolicy = 3;
    strcpy(m.u.prepare.policy[2].key, "sched.class");
    expect_enc_bad(&m, "prepare: \"policy\": \"sched.class\" is there twice");
    strcpy(m.u.prepare.policy[2].key, "");
    expect_enc_bad(&m, "prepare: \"policy\" key is empty");
    m.u.prepare.npolicy = 2;
    m.u.prepare.name[0] = '\0';
    expect_enc_bad(&m, "prepare: \"name\" is empty");
    strcpy(m.u.prepare.name, "web1");
    strcpy(m.u.prepare.stream, "x y");
    expect_enc_bad(&m, "prepare: \"stream\": \"x y\" is not a stream kind");
    mig_msg_dispose(&m);

    mig_msg_init(&m, MIG_F_REFUSE);
    expect_enc_bad(&m, "refuse: 0 is not an error code");
    m.u.refuse.code = XN_ERR_MIN - 1;
    expect_enc_bad(&m, "refuse: -16 is not an error code");
    m.u.refuse.code = XN_EPERM;
    strcpy(m.u.refuse.reason, "bad\x01");
    expect_enc_bad(&m, "refuse: \"reason\": \"bad?\" holds a control "
                   "character");

    mig_msg_init(&m, MIG_F_RESTORED);
    expect_enc_bad(&m, "restored: \"domid\" must be an integer from 1 to "
                   "32751");
    mig_msg_init(&m, MIG_F_END);
    m.u.end.bytes = UINT64_MAX;
    expect_enc_bad(&m, "end: \"bytes\" must be an integer from 0 to "
                   "9223372036854775807");
    mig_msg_init(&m, MIG_F_DATA);
    expect_enc_bad(&m, "frame type 5 (data) carries no message");
    mig_msg_init(&m, 200);
    expect_enc_bad(&m, "frame type 200 (unknown) carries no message");
}
END_TEST

START_TEST(msg_host_names)
{
    char h[300];

    ck_assert(mig_host_valid("a"));
    ck_assert(mig_host_valid("b.example.org"));
    ck_assert(mig_host_valid("host-1.Example.ORG."));
    ck_assert(mig_host_valid("10.0.0.1"));
    ck_assert(mig_host_valid("::1"));
    ck_assert(mig_host_valid("fe80::1:2ff:fe3a:b0c1"));
    ck_assert(!mig_host_valid(""));
    ck_assert(!mig_host_valid(NULL));
    ck_assert(!mig_host_valid("a b"));
    ck_assert(!mig_host_valid("a/b"));
    ck_assert(!mig_host_valid("a_b"));
    ck_assert(!mig_host_valid("[::1]"));
    ck_assert(!mig_host_valid("caf\xc3\xa9"));
    memset(h, 'a', sizeof(h));
    h[253] = '\0';
    ck_assert(mig_host_valid(h));
    h[253] = 'a';
    h[254] = '\0';
    ck_assert(!mig_host_valid(h));
    h[299] = '\0';
    ck_assert(!mig_host_valid(h));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("migwire");
    TCase *tc = tcase_create("frame");

    tcase_add_test(tc, frame_roundtrip);
    tcase_add_test(tc, frame_maxima);
    tcase_add_test(tc, frame_bad);
    suite_add_tcase(s, tc);

    tc = tcase_create("dataz");
    tcase_add_checked_fixture(tc, dataz_setup, dataz_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, dataz_zeros_random_text);
    tcase_add_test(tc, dataz_pack_bad);
    tcase_add_test(tc, dataz_unpack_bad);
    suite_add_tcase(s, tc);

    tc = tcase_create("ctl");
    tcase_add_checked_fixture(tc, ctl_setup, ctl_teardown);
    tcase_add_test(tc, ctl_roundtrip_fd);
    tcase_add_test(tc, ctl_bad_packets);
    tcase_add_test(tc, ctl_sizes);
    tcase_add_test(tc, ctl_busy_and_closed);
    tcase_add_test(tc, ctl_fields);
    suite_add_tcase(s, tc);

    tc = tcase_create("msg");
    tcase_add_test(tc, msg_roundtrip_prepare);
    tcase_add_test(tc, msg_roundtrip_small);
    tcase_add_test(tc, msg_decode_lenient);
    tcase_add_test(tc, msg_refused_fields);
    tcase_add_test(tc, msg_refused_prepare);
    tcase_add_test(tc, msg_refused_others);
    tcase_add_test(tc, msg_refused_payloads);
    tcase_add_test(tc, msg_encode_refused);
    tcase_add_test(tc, msg_host_names);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
