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

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
