/* test_core_stream.c - streams out: each ending (destroy, resume, keep
 * suspended), and the failures: a write that fails or a commit that is
 * refused throws the stream away and lets the domain run again. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_testlib.h"
#include "daemon/stream.h"
#include "sim_testlib.h"

struct sink {
    int fd;
    int commits, aborts;
    int commit_rc;                  /* what commit answers */
    bool done;
    struct stream_outcome o;
};

static void sink_commit(void *arg, stream_commit_fn *done, void *done_arg)
{
    struct sink *s = arg;
    struct xn_msg m;

    s->commits++;
    xn_msg_set(&m, s->commit_rc, "the test sink refuses");
    done(done_arg, s->commit_rc, s->commit_rc < 0 ? &m : NULL);
}

static void sink_abort(void *arg)
{
    ((struct sink *)arg)->aborts++;
}

static void stream_done(void *arg, const struct stream_outcome *o)
{
    struct sink *s = arg;
    s->done = true;
    s->o = *o;
}

static int run(struct coret *t, struct sink *s, uint32_t domid,
               enum stream_end end)
{
    struct stream_sink sink = {
        .fd = s->fd, .commit = sink_commit, .abort = sink_abort, .arg = s,
    };
    struct xn_msg msg;
    int rc = stream_out(t->d, domid, &sink, 0, end, stream_done, s, &msg);

    if (rc < 0)
        return rc;
    ck_assert(!s->done);            /* never from inside */
    ck_assert(coret_wait(t, &s->done, 20000));
    return 0;
}

static struct hv_dominfo info_of(struct coret *t, uint32_t domid)
{
    struct hv_dominfo info;
    ck_assert_int_eq(hv_dom_info(t->d->hv, domid, &info, NULL), 0);
    return info;
}

/* The image written is a whole one: it opens, and names the domain. */
static void check_image(struct coret *t, int fd, const char *name)
{
    struct hv_image *img;
    struct xn_msg msg;

    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_msg(hv_image_open(t->d->hv, fd, &img, &msg) == 0, "%s",
                  msg.text);
    ck_assert_str_eq(hv_image_config(img)->c_info.name, name);
    hv_image_free(img);
}

START_TEST(end_destroy)
{
    struct coret t;
    struct sink s = {.fd = simt_tmpfile_fd()};
    uint32_t id;

    coret_open(&t, NULL);
    id = coret_create(&t, "st1", 32, NULL);
    ck_assert_int_eq(run(&t, &s, id, STREAM_DESTROY), 0);
    ck_assert_msg(s.o.rc == 0, "%s", s.o.msg.text);
    ck_assert(s.o.committed);
    ck_assert_int_eq(s.commits, 1);
    ck_assert_int_eq(s.aborts, 0);
    coret_spin(&t, 50);
    ck_assert(!coret_has(&t, "st1"));
    check_image(&t, s.fd, "st1");
    close(s.fd);
    coret_close(&t);
}
END_TEST

START_TEST(end_resume)
{
    struct coret t;
    struct sink s = {.fd = simt_tmpfile_fd()};
    uint32_t id;

    coret_open(&t, NULL);
    id = coret_create(&t, "st1", 32, NULL);
    ck_assert_int_eq(run(&t, &s, id, STREAM_RESUME), 0);
    ck_assert_msg(s.o.rc == 0, "%s", s.o.msg.text);
    ck_assert_int_eq(s.commits, 1);
    ck_assert_int_ne(info_of(&t, id).state, HV_STATE_SHUTDOWN);
    check_image(&t, s.fd, "st1");
    close(s.fd);
    coret_close(&t);
}
END_TEST

START_TEST(end_keep)
{
    struct coret t;
    struct sink s = {.fd = simt_tmpfile_fd()};
    struct hv_dominfo info;
    uint32_t id;

    coret_open(&t, NULL);
    id = coret_create(&t, "st1", 32, NULL);
    ck_assert_int_eq(run(&t, &s, id, STREAM_KEEP), 0);
    ck_assert_msg(s.o.rc == 0, "%s", s.o.msg.text);
    info = info_of(&t, id);
    ck_assert_int_eq(info.state, HV_STATE_SHUTDOWN);
    ck_assert_int_eq(info.shutdown_reason, HV_SHUTDOWN_SUSPEND);
    close(s.fd);
    coret_close(&t);
}
END_TEST

/* The reader goes away mid-stream: the write fails, the sink is told to
 * throw the stream away, and the domain runs on. */
START_TEST(write_fails)
{
    struct coret t;
    struct sink s = {0};
    int p[2];
    uint32_t id;

    coret_open(&t, NULL);
    id = coret_create(&t, "st1", 32, NULL);
    ck_assert_int_eq(pipe(p), 0);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    close(p[0]);
    s.fd = p[1];
    ck_assert_int_eq(run(&t, &s, id, STREAM_DESTROY), 0);
    ck_assert_int_lt(s.o.rc, 0);
    ck_assert(!s.o.committed);
    ck_assert(s.o.resumed);
    ck_assert_msg(strstr(s.o.msg.text, "the domain runs on"), "%s",
                  s.o.msg.text);
    ck_assert_int_eq(s.commits, 0);
    ck_assert_int_eq(s.aborts, 1);
    ck_assert_int_ne(info_of(&t, id).state, HV_STATE_SHUTDOWN);
    close(p[1]);
    coret_close(&t);
}
END_TEST

/* The stream was written but the sink could not make it safe: the same. */
START_TEST(commit_refused)
{
    struct coret t;
    struct sink s = {.fd = simt_tmpfile_fd(), .commit_rc = XN_EIO};
    uint32_t id;

    coret_open(&t, NULL);
    id = coret_create(&t, "st1", 32, NULL);
    ck_assert_int_eq(run(&t, &s, id, STREAM_DESTROY), 0);
    ck_assert_int_eq(s.o.rc, XN_EIO);
    ck_assert(!s.o.committed);
    ck_assert(s.o.resumed);
    ck_assert_msg(strstr(s.o.msg.text, "the test sink refuses"), "%s",
                  s.o.msg.text);
    ck_assert_int_eq(s.aborts, 1);
    ck_assert(coret_has(&t, "st1"));
    ck_assert_int_ne(info_of(&t, id).state, HV_STATE_SHUTDOWN);
    close(s.fd);
    coret_close(&t);
}
END_TEST

START_TEST(cannot_start)
{
    struct coret t;
    struct sink s = {.fd = simt_tmpfile_fd()};

    coret_open(&t, NULL);
    ck_assert_int_eq(run(&t, &s, 0, STREAM_DESTROY), XN_EPERM);
    ck_assert_int_eq(run(&t, &s, 4000, STREAM_DESTROY), XN_ENOENT);
    ck_assert_int_eq(s.commits + s.aborts, 0);
    close(s.fd);
    coret_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core_stream");
    TCase *tc = tcase_create("stream");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, end_destroy);
    tcase_add_test(tc, end_resume);
    tcase_add_test(tc, end_keep);
    tcase_add_test(tc, write_fails);
    tcase_add_test(tc, commit_refused);
    tcase_add_test(tc, cannot_start);
    suite_add_tcase(s, tc);
    return simt_run(s);
}
