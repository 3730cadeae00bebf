/* daemon_harness.c - start a xenithd --sim on a private socket and talk to
 * it with raw protocol lines, for the daemon's Check suites. */
#include "daemon_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static char sock[100];
static pid_t pid = -1;

const char *harness_socket(void)
{
    return sock;
}

bool harness_valgrind(void)
{
    const char *v = getenv("VALGRIND");
    return v && strcmp(v, "1") == 0;
}

void harness_start(const char *scenario)
{
    const char *bin = getenv("XENITH_BIN");
    char path[512];

    signal(SIGPIPE, SIG_IGN);       /* the daemon may hang up on us */
    snprintf(dir, sizeof(dir), "/tmp/xenith-ut.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(sock, sizeof(sock), "%s/xenithd.sock", dir);
    snprintf(path, sizeof(path), "%s/xenithd", bin ? bin : "build");
    pid = fork();
    if (pid == 0) {
        char sim[600];
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        snprintf(sim, sizeof(sim), "--sim%s%s", scenario ? "=" : "",
                 scenario ? scenario : "");
        char state[128];
        snprintf(state, sizeof(state), "%s/state", dir);
        if (harness_valgrind()) {
            char log[128];
            snprintf(log, sizeof(log), "--log-file=%s/valgrind.log", dir);
            execlp("valgrind", "valgrind", "-q", "--error-exitcode=99",
                   "--leak-check=full", "--errors-for-leak-kinds=definite",
                   log, path, sim, "--socket", sock, "--state-dir", state,
                   (char *)NULL);
        } else {
            execl(path, "xenithd", sim, "--socket", sock, "--state-dir",
                  state, (char *)NULL);
        }
        _exit(127);
    }
    /* Valgrind takes its time to start; a loaded machine too (4 s was
     * seen to be too short). */
    for (int i = 0; i < (harness_valgrind() ? 6000 : 3000); i++) {
        if (access(sock, F_OK) == 0)
            return;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "xenithd (%s) did not come up\n", path);
    abort();
}

bool harness_alive(void)
{
    return pid > 0 && waitpid(pid, NULL, WNOHANG) == 0;
}

int harness_stop(void)
{
    int status = -1;
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
        pid = -1;
    }
    if (status != 0) {              /* valgrind's findings, if any */
        char log[128], line[512];
        snprintf(log, sizeof(log), "%s/valgrind.log", dir);
        FILE *f = fopen(log, "r");
        while (f && fgets(line, sizeof(line), f))
            fputs(line, stderr);
        if (f)
            fclose(f);
    }
    unlink(sock);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return status;
}

int harness_connect(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memcpy(sa.sun_path, sock, strlen(sock) + 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        abort();
    return fd;
}

void harness_send(int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return;         /* the daemon may close on us: tests check */
        off += (size_t)n;
    }
}

void harness_sendline(int fd, const char *line)
{
    harness_send(fd, line, strlen(line));
    harness_send(fd, "\n", 1);
}

char *harness_readline(int fd, int timeout_ms)
{
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);

    if (harness_valgrind())
        timeout_ms *= 10;           /* a daemon under valgrind is slow */
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char c;
        if (poll(&p, 1, timeout_ms) <= 0)
            break;
        ssize_t n = read(fd, &c, 1);
        if (n <= 0)
            break;
        if (c == '\n') {
            buf[used] = '\0';
            return buf;
        }
        if (used + 2 >= cap)
            buf = realloc(buf, cap *= 2);
        buf[used++] = c;
    }
    free(buf);
    return NULL;
}

struct json_object *harness_call(int fd, const char *line)
{
    harness_sendline(fd, line);
    char *reply = harness_readline(fd, 10000);
    struct json_object *o = reply ? json_tokener_parse(reply) : NULL;
    free(reply);
    return o;
}

const char *harness_errcode(struct json_object *reply)
{
    struct json_object *e, *c;
    if (json_object_object_get_ex(reply, "error", &e) &&
        json_object_object_get_ex(e, "code", &c))
        return json_object_get_string(c);
    return "";
}

const char *harness_errmsg(struct json_object *reply)
{
    struct json_object *e, *c;
    if (json_object_object_get_ex(reply, "error", &e) &&
        json_object_object_get_ex(e, "message", &c))
        return json_object_get_string(c);
    return "";
}
