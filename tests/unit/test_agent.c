/*
 * test_agent.c - xenith-guest-agent through its command line: fixture
 * /proc directories (--proc) in, the report (--stdout, or the node a store
 * server holds) out, read back with memreport_parse.
 *
 * Rates need two samples a known time apart.  The agent times samples by
 * the uptime file it reads beside the counters, and reads meminfo first;
 * so a test makes meminfo a FIFO, feeds it once per report, and changes
 * vmstat and uptime while the agent waits on it: the rates are exact, and
 * nothing depends on how fast anything runs.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "memreport.h"
#include "xsd_testlib.h"

static char dir[64];            /* the fixture's /proc */
static char errfile[128];       /* the agent's stderr */
static char out[4096];          /* and its stdout */

static const char meminfo[] =
    "MemTotal:         262144 kB\n"
    "MemFree:          100000 kB\n"
    "MemAvailable:     150000 kB\n"
    "Buffers:            1000 kB\n";
static const char vmstat_split[] =
    "nr_free_pages 25000\n"
    "pswpin 1000\n"
    "pswpout 0\n"
    "workingset_refault_anon 10\n"
    "workingset_refault_file 20\n"
    "workingset_activate_anon 0\n";
static const char psi[] =
    "some avg10=0.35 avg60=0.10 avg300=0.02 total=123456\n"
    "full avg10=12.50 avg60=1.00 avg300=0.00 total=789\n";

static void put(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write a fixture file (through a rename: whole or not at all). */
static void put(const char *name, const char *fmt, ...)
{
    char path[256], tmp[300];
    va_list ap;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    f = fopen(tmp, "w");
    ck_assert_ptr_nonnull(f);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(rename(tmp, path), 0);
}

static void setup(void)
{
    char path[128];

    signal(SIGPIPE, SIG_IGN);
    snprintf(dir, sizeof(dir), "/tmp/agent-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
    snprintf(path, sizeof(path), "%s/pressure", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    put("meminfo", "%s", meminfo);
    put("vmstat", "%s", vmstat_split);
    put("uptime", "100.00 50.00\n");
    put("pressure/memory", "%s", psi);
}

static void teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Start the agent with these arguments (NULL-terminated), its stdout on
 * a pipe (*fd_r), its stderr in errfile. */
static pid_t spawn(int *fd_r, const char *arg, ...)
{
    const char *bin = getenv("XENITH_BIN");
    char path[512];
    char *argv[16];
    int n = 0, p[2];
    va_list ap;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/xenith-guest-agent", bin ? bin : "build");
    argv[n++] = path;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 15; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    ck_assert_int_eq(pipe(p), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int e = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(p[1], 1);
        dup2(e, 2);
        close(p[0]);
        execv(path, argv);
        _exit(127);
    }
    close(p[1]);
    *fd_r = p[0];
    return pid;
}

/* Read the agent's stdout to its end into `out`; its exit status. */
static int finish(pid_t pid, int fd)
{
    size_t have = 0;
    ssize_t n;
    int status;

    while ((n = read(fd, out + have, sizeof(out) - 1 - have)) > 0)
        have += (size_t)n;
    out[have] = '\0';
    close(fd);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status), "the agent died of a signal");
    return WEXITSTATUS(status);
}

/* Run the agent to its end; its exit status (stdout in `out`). */
#define RUN(...) ({ int fd_; pid_t p_ = spawn(&fd_, __VA_ARGS__, NULL); \
                    finish(p_, fd_); })

/* The agent's stderr: its lines, and how many. */
static const char *err_text(int *lines_r)
{
    static char buf[4096];
    FILE *f = fopen(errfile, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

    if (f)
        fclose(f);
    buf[n] = '\0';
    *lines_r = 0;
    for (size_t i = 0; i < n; i++)
        *lines_r += buf[i] == '\n';
    return buf;
}

static void expect_no_err(void)
{
    int lines;
    const char *e = err_text(&lines);
    ck_assert_msg(lines == 0, "stderr: %s", e);
}

/* Exactly one line on stderr, containing `want`. */
static void expect_err(const char *want)
{
    int lines;
    const char *e = err_text(&lines);
    ck_assert_msg(lines == 1 && strstr(e, want), "stderr (want one line "
                  "with \"%s\"): %s", want, e);
}

/* Parse one line of text as a report. */
static struct memreport parse(const char *line, size_t len)
{
    struct memreport r;
    struct xn_msg msg;
    int clamped;

    ck_assert_msg(memreport_parse(line, len, &r, &clamped, &msg) == 0,
                  "\"%.*s\": %s", (int)len, line, msg.text);
    ck_assert_int_eq(clamped, 0);
    return r;
}

/* `out` is exactly one line; its report. */
static struct memreport one_report(void)
{
    size_t len = strlen(out);

    ck_assert_msg(len > 0 && out[len - 1] == '\n' &&
                  strchr(out, '\n') == out + len - 1, "stdout: %s", out);
    return parse(out, len - 1);
}

START_TEST(psi_kernel)
{
    struct memreport r;

    ck_assert_int_eq(RUN("--once", "--stdout", "--proc", dir), 0);
    expect_no_err();
    r = one_report();
    ck_assert_uint_eq(r.seq, 1);
    ck_assert_uint_eq(r.every_s, 2);
    ck_assert_uint_eq(r.total_kb, 262144);
    ck_assert_uint_eq(r.avail_kb, 150000);
    ck_assert_uint_eq(r.swapin_ps, 0);        /* the first report: no rates */
    ck_assert_uint_eq(r.refault_ps, 0);
    ck_assert_uint_eq(r.some10, 35);
    ck_assert_uint_eq(r.full10, 1250);
    ck_assert_uint_eq(r.some_us, 123456);
    ck_assert_uint_eq(r.full_us, 789);
    ck_assert_ptr_nonnull(strstr(out, "v=1 "));
}
END_TEST

START_TEST(no_psi)
{
    char path[128];
    struct memreport r;

    snprintf(path, sizeof(path), "%s/pressure/memory", dir);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(RUN("--once", "--stdout", "--proc", dir, "--every",
                         "5"), 0);
    expect_err("no pressure stall information");
    r = one_report();
    ck_assert_uint_eq(r.total_kb, 262144);
    ck_assert_uint_eq(r.every_s, 5);
    ck_assert_uint_eq(r.some10, 0);
    ck_assert_uint_eq(r.full10, 0);
    ck_assert_uint_eq(r.some_us, 0);
    ck_assert_uint_eq(r.full_us, 0);
}
END_TEST

/* Without PSI, three reports: the absence is said once, not each time. */
START_TEST(said_once)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/pressure/memory", dir);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(RUN("--count", "3", "--every", "1", "--stdout", "--proc",
                         dir), 0);
    expect_err("pressure/memory");
    ck_assert_ptr_nonnull(strstr(out, "seq=3 "));
}
END_TEST

START_TEST(garbage_lines)
{
    char *longline = malloc(6001);
    struct memreport r;

    memset(longline, 'x', 6000);
    longline[6000] = '\0';
    put("meminfo", "garbage\n\n%s\n:::\nMemTotal:\t  524288 kB\n"
        "MemFree 12 13 14\nBuffers: many kB\n\x01\x02\x7f\n"
        "MemAvailable: 1000", longline);     /* no final newline */
    put("vmstat", "pswpin\nnonsense 1 2 3\n%s\npswpin 7\npswpout 9\n"
        "workingset_refault 3\n=\n", longline);
    put("pressure/memory", "bogus\nsome avg10=1.5 total=42\n");
    free(longline);
    ck_assert_int_eq(RUN("--once", "--stdout", "--proc", dir), 0);
    /* Only a wanted line without its number is said. */
    expect_err("\"pswpin\" is not a number");
    r = one_report();
    ck_assert_uint_eq(r.total_kb, 524288);
    ck_assert_uint_eq(r.avail_kb, 1000);
    ck_assert_uint_eq(r.some10, 150);
    ck_assert_uint_eq(r.some_us, 42);
    ck_assert_uint_eq(r.full10, 0);
    ck_assert_uint_eq(r.swapin_ps, 0);
}
END_TEST

/* A wanted line that is not a number: one line quoting it, no report. */
START_TEST(bad_meminfo)
{
    put("meminfo", "MemTotal: 12x kB\nMemAvailable: 10 kB\n");
    ck_assert_int_eq(RUN("--once", "--stdout", "--proc", dir), 1);
    expect_err("\"MemTotal: 12x kB\" is not a number of kB");
    ck_assert_str_eq(out, "");

    put("meminfo", "MemTotal: 100 kB\n");
    ck_assert_int_eq(RUN("--once", "--stdout", "--proc", dir), 1);
    expect_err("has no MemAvailable line");

    ck_assert_int_eq(RUN("--once", "--stdout", "--proc", "/nonexistent"), 1);
    expect_err("cannot read \"/nonexistent/meminfo\"");
}
END_TEST

START_TEST(bad_psi)
{
    struct memreport r;

    put("pressure/memory", "some avg10=0.3x5 avg60=0.10 total=12\n");
    ck_assert_int_eq(RUN("--once", "--stdout", "--proc", dir), 0);
    expect_err("\"avg10=0.3x5\" is not a number");
    r = one_report();
    ck_assert_uint_eq(r.some10, 0);
}
END_TEST

START_TEST(bad_options)
{
    ck_assert_int_eq(RUN("--every", "0"), 2);
    expect_err("--every: \"0\" is not a whole number");
    ck_assert_int_eq(RUN("--count", "x"), 2);
    expect_err("--count: \"x\"");
    ck_assert_int_eq(RUN("--frobnicate"), 2);
    expect_err("unknown option \"--frobnicate\"");
    ck_assert_int_eq(RUN("--once", "extra"), 2);
    expect_err("unexpected argument \"extra\"");
}
END_TEST

/* Feed the meminfo FIFO once: wait (without a time limit on the agent)
 * until it opens it, or fail if it exits first. */
static void feed(pid_t pid, const char *text)
{
    char path[128];
    int fd;

    snprintf(path, sizeof(path), "%s/meminfo", dir);
    while ((fd = open(path, O_WRONLY | O_NONBLOCK)) < 0) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        ck_assert_int_eq(errno, ENXIO);     /* no reader yet */
        ck_assert_msg(waitpid(pid, NULL, WNOHANG) == 0,
                      "the agent exited before reading meminfo");
        nanosleep(&ts, NULL);
    }
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* One line of the agent's stdout. */
static struct memreport next_report(int fd)
{
    char line[1024];
    size_t n = 0;

    while (n < sizeof(line) - 1) {
        ck_assert_int_eq(read(fd, line + n, 1), 1);
        if (line[n] == '\n')
            return parse(line, n);
        n++;
    }
    ck_abort_msg("no end of line from the agent");
}

/* Two reports; between them vmstat becomes vm2 and uptime up2. */
static struct memreport two_reports(const char *vm2, const char *up2)
{
    struct memreport r1, r2;
    char path[128];
    pid_t pid;
    int fd;

    snprintf(path, sizeof(path), "%s/meminfo", dir);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(mkfifo(path, 0644), 0);
    pid = spawn(&fd, "--count", "2", "--every", "1", "--stdout", "--proc",
                dir, NULL);
    feed(pid, meminfo);
    r1 = next_report(fd);
    ck_assert_uint_eq(r1.seq, 1);
    ck_assert_uint_eq(r1.swapin_ps, 0);
    put("vmstat", "%s", vm2);
    put("uptime", "%s", up2);
    feed(pid, meminfo);
    r2 = next_report(fd);
    ck_assert_int_eq(finish(pid, fd), 0);
    ck_assert_uint_eq(r2.seq, 2);
    ck_assert_uint_eq(r2.every_s, 1);
    return r2;
}

START_TEST(rates)
{
    struct memreport r;

    /* 2 s later: 800 pages in, 50 out, 200 + 100 refaults. */
    r = two_reports("pswpin 1800\npswpout 50\nworkingset_refault_anon 210\n"
                    "workingset_refault_file 120\n", "102.00 51.00\n");
    expect_no_err();
    ck_assert_uint_eq(r.swapin_ps, 400);
    ck_assert_uint_eq(r.swapout_ps, 25);
    ck_assert_uint_eq(r.refault_ps, 150);
}
END_TEST

START_TEST(rates_old_kernel)
{
    struct memreport r;

    put("vmstat", "pswpin 5\npswpout 5\nworkingset_refault 500\n");
    /* 0.5 s later (rounded to 1/100 s, as /proc/uptime is). */
    r = two_reports("pswpin 5\npswpout 4\nworkingset_refault 700\n",
                    "100.50 50.20\n");
    expect_no_err();
    ck_assert_uint_eq(r.refault_ps, 400);
    ck_assert_uint_eq(r.swapin_ps, 0);
    ck_assert_uint_eq(r.swapout_ps, 0);       /* went back: no rate */
}
END_TEST

/* ---- through a store server: the sim's xenstored on a unix socket ---- */

START_TEST(writes_store)
{
    struct xs_handle *h;
    struct memreport r;
    unsigned len;
    char *v;

    xsdt_fork_start(NULL);
    ck_assert_int_eq(RUN("--once", "--proc", dir, "--xenbus", xsdt_sock), 0);
    expect_err("the first report is in \"data/xenith-memory\"");
    ck_assert_str_eq(out, "");
    h = xs_open(0);
    ck_assert_ptr_nonnull(h);
    /* A socket client is dom0: the relative path is under its home. */
    v = xs_read(h, XBT_NULL, "/local/domain/0/" MEMREPORT_NODE, &len);
    ck_assert_msg(v != NULL, "no report in the store: %s", strerror(errno));
    r = parse(v, len);
    ck_assert_uint_eq(r.seq, 1);
    ck_assert_uint_eq(r.total_kb, 262144);
    free(v);

    /* Three more, one connection: the last one stays. */
    ck_assert_int_eq(RUN("--count", "3", "--every", "1", "--proc", dir,
                         "--xenbus", xsdt_sock), 0);
    expect_err("the first report is in");
    v = xs_read(h, XBT_NULL, "/local/domain/0/" MEMREPORT_NODE, &len);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(parse(v, len).seq, 3);
    free(v);
    xs_close(h);
    xsdt_fork_stop();
}
END_TEST

/* A listening socket; serve_once answers the next request with a message
 * of this type and body, or (type 0) hangs up without an answer. */
static int listen_at(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int s = socket(AF_UNIX, SOCK_STREAM, 0);

    ck_assert_int_ge(s, 0);
    ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
    memcpy(sa.sun_path, path, strlen(path) + 1);
    ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(s, 4), 0);
    return s;
}

/* Serve one connection: answer its first request (see above).  0, or 1
 * when something failed. */
static int serve_conn(int s, uint32_t type, const char *body, size_t blen)
{
    uint32_t h[4];
    char req[4200];
    int c = accept(s, NULL, NULL), rc = 1;

    if (c < 0)
        return 1;
    if (read(c, h, sizeof(h)) != sizeof(h) || h[3] > 4096 ||
        read(c, req, h[3]) != (ssize_t)h[3])
        goto out;
    rc = 0;
    if (type == 0)
        goto out;               /* hang up */
    h[0] = type;
    h[3] = (uint32_t)blen;
    if (write(c, h, sizeof(h)) != sizeof(h) ||
        write(c, body, blen) != (ssize_t)blen)
        rc = 1;
out:
    close(c);
    return rc;
}

static pid_t serve_once(int s, uint32_t type, const char *body, size_t blen)
{
    pid_t pid = fork();

    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(serve_conn(s, type, body, blen));
    return pid;
}

START_TEST(store_errors)
{
    char sock[128];
    int s, status;
    pid_t srv;

    ck_assert_int_eq(RUN("--once", "--proc", dir, "--xenbus",
                         "/nonexistent/xenbus"), 1);
    expect_err("cannot open \"/nonexistent/xenbus\"");

    snprintf(sock, sizeof(sock), "%s/sock", dir);
    s = listen_at(sock);

    /* Refused: one line quoting xenstored's error. */
    srv = serve_once(s, 16, "EACCES", 7);
    ck_assert_int_eq(RUN("--once", "--proc", dir, "--xenbus", sock), 1);
    expect_err("xenstore refused to write \"data/xenith-memory\": EACCES");
    ck_assert_int_eq(waitpid(srv, &status, 0), srv);

    /* Not "OK". */
    srv = serve_once(s, 11, "KO", 3);
    ck_assert_int_eq(RUN("--once", "--proc", dir, "--xenbus", sock), 1);
    expect_err("with \"KO\"");
    ck_assert_int_eq(waitpid(srv, &status, 0), srv);

    /* Hung up without an answer. */
    srv = serve_once(s, 0, NULL, 0);
    ck_assert_int_eq(RUN("--once", "--proc", dir, "--xenbus", sock), 1);
    expect_err("closed the connection");
    ck_assert_int_eq(waitpid(srv, &status, 0), srv);

    /* Never answers (connected, but nobody reads): the time limit. */
    ck_assert_int_eq(RUN("--once", "--proc", dir, "--xenbus", sock,
                         "--timeout", "1"), 1);
    expect_err("did not answer a write of \"data/xenith-memory\" within "
               "1000 ms");
    close(s);
}
END_TEST

/* After a failure the next report connects again: the server hangs up on
 * the first connection and answers on the second. */
START_TEST(reconnects)
{
    char sock[128];
    int s, status, lines;
    const char *e;
    pid_t srv;

    snprintf(sock, sizeof(sock), "%s/sock", dir);
    s = listen_at(sock);
    srv = fork();
    ck_assert_int_ge(srv, 0);
    if (srv == 0)
        _exit(serve_conn(s, 0, NULL, 0) || serve_conn(s, 11, "OK", 3));
    ck_assert_int_eq(RUN("--count", "2", "--every", "1", "--proc", dir,
                         "--xenbus", sock), 1);
    e = err_text(&lines);
    ck_assert_msg(lines == 2 && strstr(e, "closed the connection") &&
                  strstr(e, "works again"), "stderr: %s", e);
    ck_assert_int_eq(waitpid(srv, &status, 0), srv);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent");
    TCase *proc = tcase_create("proc");
    TCase *store = tcase_create("store");

    tcase_add_checked_fixture(proc, setup, teardown);
    tcase_add_test(proc, psi_kernel);
    tcase_add_test(proc, no_psi);
    tcase_add_test(proc, said_once);
    tcase_add_test(proc, garbage_lines);
    tcase_add_test(proc, bad_meminfo);
    tcase_add_test(proc, bad_psi);
    tcase_add_test(proc, bad_options);
    tcase_add_test(proc, rates);
    tcase_add_test(proc, rates_old_kernel);
    tcase_set_timeout(proc, 30);
    suite_add_tcase(s, proc);
    tcase_add_checked_fixture(store, setup, teardown);
    tcase_add_test(store, writes_store);
    tcase_add_test(store, store_errors);
    tcase_add_test(store, reconnects);
    tcase_set_timeout(store, 30);
    suite_add_tcase(s, store);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
