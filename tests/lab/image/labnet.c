/* labnet - the two-host lab's network helper, run in dom0 (static).
 *
 *   labnet serve PORT FILE        answer every connection with FILE's
 *                                 contents (a host's state log), for ever
 *   labnet get HOST PORT          print what HOST:PORT answers (2 s limit);
 *                                 exit 1 when it does not
 *   labnet tickserve PORT DIR     answer every connection with the highest
 *                                 "GUEST-TICK N" in DIR/guest-*.log
 *   labnet gapwatch HOST PORT DIR watch the highest tick here (DIR) and on
 *                                 HOST (its tickserve) every 20 ms until
 *                                 SIGTERM; then print "gap_ms=G ticks=A-B":
 *                                 G is the longest time no new tick was
 *                                 seen anywhere, measured on this host's
 *                                 clock alone
 *   labnet now                    CLOCK_MONOTONIC, in seconds (ms precision)
 *
 * A guest migrating between the hosts ticks on the source's console, then
 * on the destination's; its longest silence, seen from one clock, is the
 * downtime both xenith's and xl's migrations are measured by.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TAIL 8192           /* bytes read from the end of a console log */

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "labnet: %s: %s\n", what, strerror(errno));
    exit(2);
}

static int listener(const char *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)atoi(port))};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
        die(port);
    return fd;
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* The highest "GUEST-TICK N" near the end of the console logs in dir. */
static long max_tick(const char *dir)
{
    static char buf[TAIL + 1];
    struct dirent *e;
    long best = 0;
    DIR *d = opendir(dir);

    if (!d)
        return 0;
    while ((e = readdir(d))) {
        char path[512];
        off_t size;
        ssize_t n;
        int fd;

        if (strncmp(e->d_name, "guest-", 6))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if ((fd = open(path, O_RDONLY)) < 0)
            continue;
        size = lseek(fd, 0, SEEK_END);
        n = pread(fd, buf, TAIL, size > TAIL ? size - TAIL : 0);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        for (char *p = buf; (p = strstr(p, "GUEST-TICK ")); p++) {
            long t = strtol(p + 11, NULL, 10);
            if (t > best)
                best = t;
        }
    }
    closedir(d);
    return best;
}

/* Answer connections for ever: with the file's contents, or the tick. */
static _Noreturn void serve(const char *port, const char *path, int ticks)
{
    int lfd = listener(port);

    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        char buf[65536];
        int c = accept(lfd, NULL, NULL);

        if (c < 0)
            continue;
        if (ticks) {
            int n = snprintf(buf, sizeof(buf), "%ld\n", max_tick(path));
            write_all(c, buf, (size_t)n);
        } else {
            int fd = open(path, O_RDONLY);
            ssize_t n;
            while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
                write_all(c, buf, (size_t)n);
            if (fd >= 0)
                close(fd);
        }
        close(c);
    }
}

/* Connect with a time limit; -1 when the host does not answer. */
static int dial(const char *host, const char *port, int ms)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)atoi(port))};
    struct pollfd p;
    int err = 0;
    socklen_t len = sizeof(err);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

    if (fd < 0 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
        errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    p = (struct pollfd){.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, ms) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read the answer into buf (NUL-terminated); -1 on failure or time-out. */
static ssize_t fetch(const char *host, const char *port, char *buf,
                     size_t size, int ms)
{
    double end = now() + ms / 1e3;
    size_t got = 0;
    int fd = dial(host, port, ms);

    if (fd < 0)
        return -1;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)((end - now()) * 1e3);
        ssize_t n;

        if (left <= 0 || poll(&p, 1, left) != 1)
            break;
        n = read(fd, buf + got, size - 1 - got);
        if (n <= 0 || (got += (size_t)n) == size - 1) {
            close(fd);
            buf[got] = '\0';
            return n < 0 ? -1 : (ssize_t)got;
        }
    }
    close(fd);
    return -1;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static int gapwatch(const char *host, const char *port, const char *dir)
{
    long seen = 0, first = 0;
    double last = 0, gap = 0;
    char buf[64];

    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    while (!stop) {
        long t = max_tick(dir);
        double at;

        if (fetch(host, port, buf, sizeof(buf), 500) > 0) {
            long r = strtol(buf, NULL, 10);
            if (r > t)
                t = r;
        }
        at = now();
        if (t > seen) {
            if (seen && at - last > gap)
                gap = at - last;
            if (!first)
                first = t;
            seen = t;
            last = at;
        }
        usleep(20000);
    }
    /* A silence still going on counts too. */
    if (seen && now() - last > gap)
        gap = now() - last;
    printf("gap_ms=%ld ticks=%ld-%ld\n", (long)(gap * 1e3), first, seen);
    return seen ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    char buf[65536];

    if (!strcmp(cmd, "serve") && argc == 4)
        serve(argv[2], argv[3], 0);
    if (!strcmp(cmd, "tickserve") && argc == 4)
        serve(argv[2], argv[3], 1);
    if (!strcmp(cmd, "get") && argc == 4) {
        if (fetch(argv[2], argv[3], buf, sizeof(buf), 2000) < 0)
            return 1;
        fputs(buf, stdout);
        return 0;
    }
    if (!strcmp(cmd, "gapwatch") && argc == 5)
        return gapwatch(argv[2], argv[3], argv[4]);
    if (!strcmp(cmd, "now") && argc == 2) {
        printf("%.3f\n", now());
        return 0;
    }
    fprintf(stderr, "usage: labnet serve PORT FILE | get HOST PORT | "
            "tickserve PORT DIR | gapwatch HOST PORT DIR | now\n");
    return 2;
}
