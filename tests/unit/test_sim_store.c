/*
 * test_sim_store.c - the simulated host's xenstore as libxenstore sees it:
 * its socket, the layout of domains as libxl writes it, @introduceDomain
 * and @releaseDomain, guests answering control/shutdown and ballooning to
 * memory/target.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <xenstore.h>

#include "hv.h"
#include "uuid.h"

#include "sim_testlib.h"

/* Run the loop a few times round, for queued watch events. */
static void settle(struct simt *t)
{
    for (int i = 0; i < 4; i++)
        event_base_loop(t->base, EVLOOP_NONBLOCK);
}

static char *uuid_of(struct simt *t, uint32_t domid, char *buf)
{
    struct hv_dominfo info;

    ck_assert_int_eq(hv_dom_info(t->hv, domid, &info, NULL), 0);
    return xn_uuid_format(info.uuid, buf);
}

/*
 * A libxenstore client in a child process: libxenstore blocks on its
 * socket, and the store is served by this process's loop, which must keep
 * running meanwhile.  The child runs fn and prints what it finds on a pipe;
 * the parent runs the loop while it waits for that output.
 */
typedef void xs_client_fn(struct xs_handle *h, FILE *out, void *arg);

struct xs_child {
    pid_t pid;
    int fd;
    char out[8192];
    size_t len;
    bool eof;
};

static void xs_child_start(struct simt *t, struct xs_child *c,
                           xs_client_fn *fn, void *arg)
{
    struct hv_hostinfo hi;
    int p[2];

    ck_assert_int_eq(hv_host_info(t->hv, &hi, NULL), 0);
    ck_assert_int_eq(setenv("XENSTORED_PATH", hi.store_path, 1), 0);
    ck_assert_int_eq(pipe(p), 0);
    memset(c, 0, sizeof(*c));
    c->pid = fork();
    ck_assert_int_ge(c->pid, 0);
    if (c->pid == 0) {
        FILE *out = fdopen(p[1], "w");
        struct xs_handle *h;

        close(p[0]);
        alarm(30);          /* never outlive a parent that failed */
        if (!out)
            _exit(2);
        setvbuf(out, NULL, _IOLBF, 0);
        h = xs_open(0);
        if (!h) {
            fprintf(out, "xs_open: %s\n", strerror(errno));
            _exit(1);
        }
        fn(h, out, arg);
        xs_close(h);
        fclose(out);
        _exit(0);
    }
    close(p[1]);
    c->fd = p[0];
    ck_assert_int_eq(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
}

static void xs_child_read(evutil_socket_t fd, short what, void *arg)
{
    struct xs_child *c = arg;
    ssize_t n = read(fd, c->out + c->len, sizeof(c->out) - 1 - c->len);

    (void)what;
    if (n > 0) {
        c->len += (size_t)n;
        c->out[c->len] = '\0';
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        c->eof = true;
    }
}

/* Run the loop until the child has printed `want`, or (want NULL) closed
 * its output. */
static void xs_child_wait(struct simt *t, struct xs_child *c, const char *want)
{
    struct event *ev = event_new(t->base, c->fd, EV_READ | EV_PERSIST,
                                 xs_child_read, c);
    struct event *to;
    bool timed_out = false;
    struct timeval tv = { 10, 0 };

    to = evtimer_new(t->base, simt_timeout_cb, &timed_out);
    event_add(ev, NULL);
    evtimer_add(to, &tv);
    while (!timed_out && !c->eof && !(want && strstr(c->out, want)))
        event_base_loop(t->base, EVLOOP_ONCE);
    event_free(to);
    event_free(ev);
    ck_assert_msg(want ? strstr(c->out, want) != NULL : c->eof,
                  "the xenstore client printed \"%s\", not \"%s\"", c->out,
                  want ? want : "(its end)");
}

/* Wait for the child to finish; it must succeed.  Returns its output. */
static const char *xs_child_end(struct simt *t, struct xs_child *c)
{
    int status;

    xs_child_wait(t, c, NULL);
    close(c->fd);
    ck_assert_int_eq(waitpid(c->pid, &status, 0), c->pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the xenstore client failed: %s", c->out);
    return c->out;
}

/* Child: print "path=value" (or "path absent") for each path of the
 * NULL-terminated array. */
static void xs_print_reads(struct xs_handle *h, FILE *out, void *arg)
{
    char **paths = arg;

    for (; *paths; paths++) {
        char *v = xs_read(h, XBT_NULL, *paths, NULL);

        if (v)
            fprintf(out, "%s=%s\n", *paths, v);
        else
            fprintf(out, "%s %s\n", *paths,
                    errno == ENOENT ? "absent" : strerror(errno));
        free(v);
    }
}

/* Child: "path=value" pairs to write, NULL-terminated. */
static void xs_writes(struct xs_handle *h, FILE *out, void *arg)
{
    char **kv = arg;

    for (; kv[0]; kv += 2)
        fprintf(out, "%s %s\n", kv[0],
                xs_write(h, XBT_NULL, kv[0], kv[1], strlen(kv[1]))
                    ? "written" : strerror(errno));
}

/* Read paths through libxenstore; the output. */
static const char *xs_reads(struct simt *t, char **paths)
{
    static struct xs_child c;

    xs_child_start(t, &c, xs_print_reads, paths);
    return xs_child_end(t, &c);
}

static void xs_write_one(struct simt *t, const char *path, const char *value)
{
    struct xs_child c;
    char *kv[3] = { (char *)path, (char *)value, NULL };
    char want[256];

    xs_child_start(t, &c, xs_writes, kv);
    snprintf(want, sizeof(want), "%s written\n", path);
    ck_assert_str_eq(xs_child_end(t, &c), want);
}

START_TEST(store_socket)
{
    struct hv_open_opts opts = { 0 };
    struct hv_hostinfo hi;
    struct xn_msg msg;
    struct stat st;
    struct hv *hv2;
    char dir[] = "/tmp/test_sim_store.XXXXXX", want[256], sub[128];
    char *slash;
    struct simt t;

    /* in a directory of its own, removed with it */
    simt_open(&t, "sim:///alpha", NULL);
    ck_assert_int_eq(hv_host_info(t.hv, &hi, &msg), 0);
    ck_assert_msg(strncmp(hi.store_path, "/tmp/xenith-sim.", 16) == 0, "%s",
                  hi.store_path);
    ck_assert_int_eq(stat(hi.store_path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    simt_close(&t);
    ck_assert_int_ne(stat(hi.store_path, &st), 0);
    slash = strrchr(hi.store_path, '/');
    *slash = '\0';
    ck_assert_int_ne(stat(hi.store_path, &st), 0);

    /* in the daemon's run directory (made if missing) */
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sub, sizeof(sub), "%s/run", dir);
    opts.run_dir = sub;
    memset(&t, 0, sizeof(t));
    t.base = event_base_new();
    ck_assert_int_eq(hv_open("sim:///alpha", t.base, &opts, simt_on_event, &t,
                             &t.hv, &msg), 0);
    ck_assert_int_eq(hv_host_info(t.hv, &hi, &msg), 0);
    snprintf(want, sizeof(want), "%s/sim-alpha-xenstore.sock", sub);
    ck_assert_str_eq(hi.store_path, want);
    ck_assert_int_eq(stat(want, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    /* another host of the same name there: that socket is taken, this
     * one goes elsewhere, and the other keeps its own */
    ck_assert_int_eq(hv_open("sim:///alpha", t.base, &opts, simt_on_event, &t,
                             &hv2, &msg), 0);
    ck_assert_int_eq(hv_host_info(hv2, &hi, &msg), 0);
    ck_assert_msg(strncmp(hi.store_path, "/tmp/xenith-sim.", 16) == 0, "%s",
                  hi.store_path);
    hv_close(hv2);
    ck_assert_int_eq(stat(want, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    /* one of another name is fine */
    ck_assert_int_eq(hv_open("sim:///beta", t.base, &opts, simt_on_event, &t,
                             &hv2, &msg), 0);
    hv_close(hv2);
    hv_close(t.hv);
    ck_assert_int_ne(stat(want, &st), 0);
    ck_assert_int_eq(rmdir(sub), 0);        /* nothing else left there */

    /* a socket path too long for a unix socket */
    memset(sub, 'd', sizeof(sub) - 1);
    sub[sizeof(sub) - 1] = '\0';
    memcpy(sub, dir, strlen(dir));
    sub[strlen(dir)] = '/';
    ck_assert_int_eq(hv_open("sim:///alpha", t.base, &opts, simt_on_event, &t,
                             &hv2, &msg), XN_EINVAL);
    ck_assert_msg(strstr(msg.text, "longer than 107 bytes") != NULL, "%s",
                  msg.text);
    rmdir(sub);
    ck_assert_int_eq(rmdir(dir), 0);
    event_base_free(t.base);
}
END_TEST

START_TEST(store_layout)
{
    struct simt t;
    struct xn_msg msg;
    char u[XN_UUID_TEXT], u1[XN_UUID_TEXT], vm[64], vmname[80], want[2048];
    uint32_t id;

    simt_open(&t, "sim:///", NULL);
    id = simt_create(&t, simt_mkcfg("web2", 512, 2), false);
    uuid_of(&t, id, u);
    uuid_of(&t, 1, u1);
    snprintf(vm, sizeof(vm), "/vm/%s", u);
    snprintf(vmname, sizeof(vmname), "/vm/%s/name", u);
    {
        char *paths[] = {
            "/local/domain/0/name", "/local/domain/0/domid",
            "/local/domain/0/memory/target", "/local/domain/1/name",
            "/local/domain/2/memory/static-max",
            "/local/domain/3/name", "/local/domain/3/domid",
            "/local/domain/3/vm", "/local/domain/3/memory/target",
            "/local/domain/3/memory/static-max",
            "/local/domain/3/cpu/1/availability",
            "/local/domain/3/control/shutdown", "/libxl/3/type", vmname,
            "/local/domain/4/name", NULL,
        };
        snprintf(want, sizeof(want),
                 "/local/domain/0/name=Domain-0\n"
                 "/local/domain/0/domid=0\n"
                 "/local/domain/0/memory/target=2097152\n"
                 "/local/domain/1/name=web1\n"
                 "/local/domain/2/memory/static-max=2097152\n"
                 "/local/domain/3/name=web2\n"
                 "/local/domain/3/domid=3\n"
                 "/local/domain/3/vm=%s\n"
                 "/local/domain/3/memory/target=524288\n"
                 "/local/domain/3/memory/static-max=524288\n"
                 "/local/domain/3/cpu/1/availability=online\n"
                 "/local/domain/3/control/shutdown=\n"
                 "/libxl/3/type=pvh\n"
                 "%s=web2\n"
                 "/local/domain/4/name absent\n", vm, vmname);
        ck_assert_str_eq(xs_reads(&t, paths), want);
    }
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/1/vm") + 4, u1);

    /* what the toolstack changes shows up where libxl writes it */
    ck_assert_int_eq(hv_rename(t.hv, id, "front", &msg), 0);
    ck_assert_int_eq(hv_mem_target(t.hv, id, 256 * MiB, &msg), 0);
    ck_assert_int_eq(hv_mem_max(t.hv, id, 768 * MiB, &msg), 0);
    ck_assert_int_eq(hv_vcpu_set(t.hv, id, 1, &msg), 0);
    {
        char *paths[] = {
            "/local/domain/3/name", vmname,
            "/local/domain/3/memory/target",
            "/local/domain/3/memory/static-max",
            "/local/domain/3/cpu/0/availability",
            "/local/domain/3/cpu/1/availability", NULL,
        };
        snprintf(want, sizeof(want),
                 "/local/domain/3/name=front\n"
                 "%s=front\n"
                 "/local/domain/3/memory/target=262144\n"
                 "/local/domain/3/memory/static-max=786432\n"
                 "/local/domain/3/cpu/0/availability=online\n"
                 "/local/domain/3/cpu/1/availability=offline\n", vmname);
        ck_assert_str_eq(xs_reads(&t, paths), want);
    }
    /* a refused change leaves the store as it was */
    ck_assert_int_eq(hv_mem_target(t.hv, id, 1024 * MiB, &msg), XN_EINVAL);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/3/memory/target"),
                     "262144");
    ck_assert_int_eq(hv_rename(t.hv, id, "db1", &msg), XN_EEXIST);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/3/name"), "front");

    /* destroy takes the domain's trees away */
    simt_destroy(&t, id);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/3"), "(absent)");
    ck_assert_str_eq(simt_store_get(&t, vm), "(absent)");
    ck_assert_str_eq(simt_store_get(&t, "/libxl/3"), "(absent)");
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/1/name"), "web1");
    simt_close(&t);
}
END_TEST

/* Child: watch @introduceDomain and @releaseDomain, say "ready", then
 * print the next *(int *)arg events. */
static void xs_domain_events(struct xs_handle *h, FILE *out, void *arg)
{
    int n = *(int *)arg;
    unsigned num;

    if (!xs_watch(h, "@introduceDomain", "intro") ||
        !xs_watch(h, "@releaseDomain", "release")) {
        fprintf(out, "xs_watch: %s\n", strerror(errno));
        return;
    }
    for (int i = 0; i < 2 + n; i++) {
        char **v = xs_read_watch(h, &num);

        if (!v) {
            fprintf(out, "xs_read_watch: %s\n", strerror(errno));
            return;
        }
        if (i >= 2)
            fprintf(out, "%s %s\n", v[XS_WATCH_PATH], v[XS_WATCH_TOKEN]);
        else if (i == 1)
            fprintf(out, "ready\n");    /* both first events are in */
        free(v);
    }
}

START_TEST(store_domain_events)
{
    struct simt t;
    struct xs_child c;
    struct xn_msg msg;
    int n = 5, fd = simt_tmpfile_fd();
    uint32_t id;

    simt_open(&t, "sim:///", NULL);
    xs_child_start(&t, &c, xs_domain_events, &n);
    xs_child_wait(&t, &c, "ready\n");
    id = simt_create(&t, simt_mkcfg("web2", 64, 1), false);
    xs_child_wait(&t, &c, "@introduceDomain intro\n");
    ck_assert_str_eq(c.out, "ready\n@introduceDomain intro\n");
    simt_destroy(&t, id);
    xs_child_wait(&t, &c, "@releaseDomain release\n");
    ck_assert_str_eq(c.out, "ready\n@introduceDomain intro\n"
                     "@releaseDomain release\n");
    /* a restored domain appears too */
    id = simt_create(&t, simt_mkcfg("s3", 16, 1), false);
    simt_save(&t, id, fd, 0);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(simt_restore(&t, fd, "s3b", false), 0);
    ck_assert_str_eq(xs_child_end(&t, &c),
                     "ready\n@introduceDomain intro\n"
                     "@releaseDomain release\n"
                     "@introduceDomain intro\n"     /* s3 created */
                     "@releaseDomain release\n"     /* s3 suspended */
                     "@introduceDomain intro\n");   /* s3b restored */
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/5/name"), "s3b");
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/4/name"), "s3");
    ck_assert_int_eq(hv_destroy(t.hv, 4, simt_on_done, &t, &msg), 0);
    close(fd);
    simt_close(&t);
}
END_TEST

/* Child: watch @releaseDomain, write control/shutdown of domain *arg, wait
 * for the event, print what control/shutdown holds then. */
static void xs_shutdown_guest(struct xs_handle *h, FILE *out, void *arg)
{
    const char *path = arg;
    unsigned num;
    char **v, *val;

    if (!xs_watch(h, "@releaseDomain", "r") ||
        !(v = xs_read_watch(h, &num)))
        return;
    free(v);
    if (!xs_write(h, XBT_NULL, path, "poweroff", 8))
        return;
    fprintf(out, "written\n");
    if (!(v = xs_read_watch(h, &num)))
        return;
    fprintf(out, "%s\n", v[XS_WATCH_PATH]);
    free(v);
    val = xs_read(h, XBT_NULL, path, NULL);
    fprintf(out, "control/shutdown=\"%s\"\n", val ? val : "(absent)");
    free(val);
}

START_TEST(store_guest_shutdown)
{
    struct simt t;
    struct xs_child c;
    struct hv_dominfo info;
    struct xn_msg msg;
    uint32_t id;

    simt_open(&t, "sim:///", NULL);
    /* a client's request: the guest acknowledges, then shuts down */
    xs_child_start(&t, &c, xs_shutdown_guest,
                   "/local/domain/1/control/shutdown");
    xs_child_wait(&t, &c, "written\n");
    ck_assert(simt_run_until(&t, &t.n_ev, 1, 2000));
    ck_assert_int_eq(t.ev[0].type, HV_EV_SHUTDOWN);
    ck_assert_uint_eq(t.ev[0].domid, 1);
    ck_assert_int_eq(t.ev[0].reason, HV_SHUTDOWN_POWEROFF);
    ck_assert_str_eq(xs_child_end(&t, &c), "written\n@releaseDomain\n"
                     "control/shutdown=\"\"\n");
    ck_assert_int_eq(hv_dom_info(t.hv, 1, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_SHUTDOWN);

    /* hv_shutdown goes through the store: a reboot */
    ck_assert_int_eq(hv_shutdown(t.hv, 2, true, simt_on_done, &t, &msg), 0);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/2/control/shutdown"),
                     "reboot");
    ck_assert(simt_run_until(&t, &t.n_done, 1, 1000));
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/2/control/shutdown"),
                     "");
    ck_assert(simt_run_until(&t, &t.n_ev, 2, 2000));
    ck_assert_int_eq(t.ev[1].reason, HV_SHUTDOWN_REBOOT);

    /* a paused guest answers once it runs again */
    id = simt_create(&t, simt_mkcfg("p", 16, 1), true);
    ck_assert_int_eq(hv_shutdown(t.hv, id, false, simt_on_done, &t, &msg), 0);
    ck_assert(simt_run_until(&t, &t.n_done, t.n_done + 1, 1000));
    settle(&t);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/3/control/shutdown"),
                     "poweroff");
    ck_assert(!simt_run_until(&t, &t.n_ev, 3, 300));
    ck_assert_int_eq(hv_unpause(t.hv, id, &msg), 0);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/3/control/shutdown"),
                     "");
    ck_assert(simt_run_until(&t, &t.n_ev, 3, 2000));
    ck_assert_uint_eq(t.ev[2].domid, id);

    /* a request the guest does not act on: acknowledged, nothing more */
    id = simt_create(&t, simt_mkcfg("q", 16, 1), false);
    ck_assert_uint_eq(id, 4);
    xs_write_one(&t, "/local/domain/4/control/shutdown", "suspend");
    settle(&t);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/4/control/shutdown"),
                     "");
    ck_assert(!simt_run_until(&t, &t.n_ev, 4, 300));
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);

    /* Domain-0 is the host: it does not answer */
    xs_write_one(&t, "/local/domain/0/control/shutdown", "poweroff");
    settle(&t);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/0/control/shutdown"),
                     "poweroff");
    ck_assert(!simt_run_until(&t, &t.n_ev, 4, 300));
    simt_close(&t);

    /* a guest that ignores requests never acknowledges them */
    simt_open(&t, "sim:///", "two-pools.xml");
    ck_assert_int_eq(hv_dom_lookup(t.hv, "stubborn", &id, &msg), 0);
    xs_write_one(&t, "/local/domain/2/control/shutdown", "poweroff");
    settle(&t);
    ck_assert_uint_eq(id, 2);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/2/control/shutdown"),
                     "poweroff");
    ck_assert(!simt_run_until(&t, &t.n_ev, 1, 400));
    simt_close(&t);
}
END_TEST

START_TEST(store_balloon)
{
    struct simt t;
    struct hv_dominfo info;
    struct xn_msg msg;
    libxl_domain_config *c;
    uint64_t free0;
    uint32_t id;

    simt_open(&t, "sim:///", NULL);
    free0 = simt_host_free(&t);
    /* a client sets the target: the balloon follows */
    xs_write_one(&t, "/local/domain/1/memory/target", "786432");
    settle(&t);
    ck_assert_int_eq(hv_dom_info(t.hv, 1, &info, &msg), 0);
    ck_assert_uint_eq(info.target_kb, 768 * MiB);
    ck_assert_uint_eq(info.mem_kb, 768 * MiB);
    ck_assert_uint_eq(simt_host_free(&t), free0 + 256 * MiB);

    /* above the maximum: refused, the store gets the model's target back */
    xs_write_one(&t, "/local/domain/1/memory/target", "2097152");
    settle(&t);
    ck_assert_int_eq(hv_dom_info(t.hv, 1, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 768 * MiB);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/1/memory/target"),
                     "786432");
    /* not a number: the same */
    xs_write_one(&t, "/local/domain/1/memory/target", "1G");
    settle(&t);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/1/memory/target"),
                     "786432");

    /* more than the host has free: refused */
    c = simt_mkcfg("grow", 256, 1);
    c->b_info.max_memkb = 15 * GiB;
    c->b_info.target_memkb = 256 * MiB;
    id = simt_create(&t, c, false);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 256 * MiB);
    xs_write_one(&t, "/local/domain/3/memory/target", "14680064");
    settle(&t);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 256 * MiB);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/3/memory/target"),
                     "262144");
    /* within what is free: fine */
    xs_write_one(&t, "/local/domain/3/memory/target", "1048576");
    settle(&t);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 1 * GiB);

    /* hv_mem_target: the store first, the same path */
    ck_assert_int_eq(hv_mem_target(t.hv, 2, 1 * GiB, &msg), 0);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/2/memory/target"),
                     "1048576");
    ck_assert_int_eq(hv_dom_info(t.hv, 2, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 1 * GiB);
    ck_assert_int_eq(hv_mem_target(t.hv, 2, 3 * GiB, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "cannot set the memory target of domain 2 "
                     "(db1) to 3072 MiB: its maximum is 2048 MiB");
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/2/memory/target"),
                     "1048576");
    /* and Domain-0's */
    ck_assert_int_eq(hv_mem_target(t.hv, 0, 1536 * MiB, &msg), 0);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/0/memory/target"),
                     "1572864");
    simt_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim_store");
    TCase *store = tcase_create("store");

    tcase_add_test(store, store_socket);
    tcase_add_test(store, store_layout);
    tcase_add_test(store, store_domain_events);
    tcase_add_test(store, store_guest_shutdown);
    tcase_add_test(store, store_balloon);
    tcase_set_timeout(store, 60);
    suite_add_tcase(s, store);
    return simt_run(s);
}
