/*
 * parse_guard.c - parse a client's xl.cfg text (or libvirt domain XML)
 * without trusting libxlutil or libxml2 with the daemon's life.
 *
 * libxlutil aborts on some malformed input and leaks memory on syntax
 * errors inside lists.  A configuration comes from a client, and the daemon
 * must neither crash nor grow on what a client sends, so the text is first
 * parsed in a short-lived child process: only text the child parsed cleanly
 * is parsed again in the daemon.  Parsing is fast (well under a
 * millisecond), so waiting for the child does not hold up the loop.
 */
#include "daemon/daemon.h"
#include "config/libvirt_conv.h"
#include "config/xlcfg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct verdict {
    int rc;
    struct xn_msg msg;
};

/* Parse in the format given. */
static int parse_as(enum config_format format, const char *filename,
                    const char *text, size_t len,
                    const struct xlcfg_opts *opts, libxl_domain_config *cfg,
                    struct xn_msg *msg)
{
    if (format == CONFIG_LIBVIRT)
        return libvirt_xml_parse(filename, text, len, opts, cfg, msg);
    return xlcfg_parse_opts(filename, text, len, opts, cfg, msg);
}

static void child_parse(int fd, const char *filename, const char *text,
                        size_t len, enum config_format format,
                        const struct xlcfg_opts *opts)
{
    struct verdict v;
    libxl_domain_config cfg;

    memset(&v, 0, sizeof(v));
    libxl_domain_config_init(&cfg);
    /* The verdict is all the child returns; the warnings come from the
     * daemon's own parse. */
    struct xlcfg_opts o = *opts;
    o.warn = NULL;
    v.rc = parse_as(format, filename, text, len, &o, &cfg, &v.msg);
    if (write(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
        _exit(1);
    _exit(0);
}

/* The child's verdict on the text: 0, or its error with msg set. */
static int verdict_of_child(const char *filename, const char *text,
                            size_t len, enum config_format format,
                            const struct xlcfg_opts *opts,
                            struct xn_msg *msg)
{
    struct verdict v;
    size_t got = 0;
    int p[2], status;
    pid_t pid;

    if (pipe2(p, O_CLOEXEC) < 0)
        return xn_msg_set(msg, XN_EFAIL, "cannot check %s: pipe: %s",
                          filename, strerror(errno));
    pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return xn_msg_set(msg, XN_EFAIL, "cannot check %s: fork: %s",
                          filename, strerror(errno));
    }
    if (pid == 0) {
        close(p[0]);
        child_parse(p[1], filename, text, len, format, opts);
    }
    close(p[1]);
    while (got < sizeof(v)) {
        ssize_t n = read(p[0], (char *)&v + got, sizeof(v) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(p[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got != sizeof(v))
        return xn_msg_set(msg, XN_EINVAL, "%s: the %s parser failed on "
                          "this file (%s)", filename,
                          format == CONFIG_LIBVIRT ? "libvirt XML" : "xl.cfg",
                          WIFSIGNALED(status) ? strsignal(WTERMSIG(status))
                                              : "no answer");
    v.msg.text[sizeof(v.msg.text) - 1] = '\0';
    if (v.rc < 0 && msg)
        *msg = v.msg;
    return v.rc;
}

int daemon_parse_config(struct daemon *d, const char *filename,
                        const char *text, size_t len,
                        enum config_format format, libxl_domain_config *cfg,
                        struct xlcfg_warnings *warn, struct xn_msg *msg)
{
    struct xlcfg_opts opts = {.warn = warn};
    static unsigned cpu_node[CPUSET_MAX];   /* read during the parse only */
    struct hv_hostinfo host;
    int rc;

    if (hv_host_info(d->hv, &host, NULL) == 0) {
        opts.max_cpus = (int)host.nr_cpus;
        opts.online_cpus = (int)host.nr_cpus;
        opts.nr_nodes = (int)host.nr_nodes;
        for (uint32_t i = 0; i < host.nr_cpus && i < CPUSET_MAX; i++)
            cpu_node[i] = host.cpu_node[i];
        opts.cpu_node = cpu_node;
        opts.ncpu_node = (int)(host.nr_cpus < CPUSET_MAX ? host.nr_cpus
                                                         : CPUSET_MAX);
    }
    if ((rc = verdict_of_child(filename, text, len, format, &opts, msg)) < 0)
        return rc;
    return parse_as(format, filename, text, len, &opts, cfg, msg);
}
