/* mig_ssh.c - see mig_ssh.h. */
#include "mig_ssh.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

#define SSHD "/usr/sbin/sshd"
#define CHUNK (1u << 20)

static char cipher[64] = "?";

/* Run argv quietly: its exit status, or -1. */
static int run(char *const argv[])
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool on_path(const char *prog)
{
    char *argv[] = {"sh", "-c", NULL, NULL}, cmd[128];

    snprintf(cmd, sizeof(cmd), "command -v %s", prog);
    argv[2] = cmd;
    return run(argv) == 0;
}

static int free_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static bool accepting(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static int keygen(const char *dir, const char *name)
{
    char path[300];
    char *argv[] = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    path, NULL};

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return run(argv) == 0 ? 0 : -1;
}

static int copy_file(const char *from, const char *to)
{
    char buf[4096];
    int in = open(from, O_RDONLY | O_CLOEXEC), out;
    ssize_t m;

    if (in < 0)
        return -1;
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    while (out >= 0 && (m = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)m) != m)
            break;
    close(in);
    return out >= 0 && close(out) == 0 ? 0 : -1;
}

static int write_config(struct mig_sshd *d)
{
    char path[300];
    FILE *f;

    snprintf(path, sizeof(path), "%s/sshd_config", d->dir);
    if (!(f = fopen(path, "w")))
        return -1;
    fprintf(f, "Port %d\nListenAddress 127.0.0.1\nHostKey %s/host_key\n"
            "PidFile %s/sshd.pid\nAuthorizedKeysFile %s/authorized_keys\n"
            "PermitRootLogin yes\nStrictModes no\nUsePAM no\nUseDNS no\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "AllowUsers %s\nLogLevel ERROR\n", d->port, d->dir, d->dir,
            d->dir, d->user);
    return fclose(f) == 0 ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    return remove(path);
}

int mig_sshd_start(struct mig_sshd *d)
{
    struct passwd *pw = getpwuid(geteuid());
    char config[300], from[300], to[300];

    memset(d, 0, sizeof(*d));
    d->pid = -1;
    if (access(SSHD, X_OK) < 0 || !on_path("ssh") ||
        !on_path("ssh-keygen")) {
        fprintf(stderr, "bench_mig: no %s on this machine: the ssh figure "
                "is skipped (apt-get install openssh-client "
                "openssh-server)\n", access(SSHD, X_OK) < 0 ? SSHD :
                !on_path("ssh") ? "ssh" : "ssh-keygen");
        return -1;
    }
    if (!pw) {
        fprintf(stderr, "bench_mig: who am I? the ssh figure is skipped\n");
        return -1;
    }
    snprintf(d->user, sizeof(d->user), "%s", pw->pw_name);
    snprintf(d->dir, sizeof(d->dir), "/tmp/bench_mig_ssh.XXXXXX");
    mkdir("/run/sshd", 0755);           /* its privilege separation dir */
    if (!mkdtemp(d->dir)) {
        fprintf(stderr, "bench_mig: mkdtemp: %s: the ssh figure is "
                "skipped\n", strerror(errno));
        d->dir[0] = '\0';
        return -1;
    }
    snprintf(from, sizeof(from), "%s/client_key.pub", d->dir);
    snprintf(to, sizeof(to), "%s/authorized_keys", d->dir);
    if ((d->port = free_port()) < 0 || keygen(d->dir, "host_key") < 0 ||
        keygen(d->dir, "client_key") < 0 || copy_file(from, to) < 0 ||
        write_config(d) < 0) {
        fprintf(stderr, "bench_mig: cannot set up sshd in %s: the ssh "
                "figure is skipped\n", d->dir);
        mig_sshd_stop(d);
        return -1;
    }
    snprintf(config, sizeof(config), "%s/sshd_config", d->dir);
    snprintf(from, sizeof(from), "%s/sshd.log", d->dir);
    d->pid = fork();
    if (d->pid == 0) {
        int null = open("/dev/null", O_RDWR);
        int log = open(from, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(null, 0);
        dup2(null, 1);
        dup2(log >= 0 ? log : null, 2);
        execl(SSHD, SSHD, "-D", "-e", "-f", config, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; d->pid > 0 && i < 100; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        if (accepting(d->port))
            return 0;
        if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
            d->pid = -1;
            break;
        }
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "bench_mig: sshd did not start on 127.0.0.1:%d (see "
            "%s): the ssh figure is skipped\n", d->port, from);
    d->dir[0] = '\0';                   /* keep its log */
    mig_sshd_stop(d);
    return -1;
}

void mig_sshd_stop(struct mig_sshd *d)
{
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        waitpid(d->pid, NULL, 0);
    }
    d->pid = -1;
    if (d->dir[0])
        nftw(d->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    d->dir[0] = '\0';
}

/* The cipher from ssh -v's "kex: server->client cipher: NAME" line. */
static void find_cipher(int fd)
{
    FILE *f = fdopen(fd, "r");
    char line[512];

    while (f && fgets(line, sizeof(line), f)) {
        char *p = strstr(line, "client->server cipher: ");
        if (p) {
            p += strlen("client->server cipher: ");
            snprintf(cipher, sizeof(cipher), "%.*s", (int)strcspn(p, " \r\n"),
                     p);
        }
    }
    if (f)
        fclose(f);
    else
        close(fd);
}

int mig_ssh_push(struct mig_sshd *d, uint64_t bytes, mig_src_fn src,
                 void *arg, uint64_t *ns_r, const char **cipher_r)
{
    char port[16], key[300], dest[128];
    int in[2], err[2], status = 0;
    uint8_t *buf = malloc(CHUNK);
    uint64_t t0 = timing_now_ns(), off = 0;
    pid_t pid;

    *cipher_r = cipher;
    snprintf(port, sizeof(port), "%d", d->port);
    snprintf(key, sizeof(key), "%s/client_key", d->dir);
    snprintf(dest, sizeof(dest), "%s@127.0.0.1", d->user);
    if (!buf || pipe2(in, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(err, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        free(buf);
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(err[1], 2);
        execlp("ssh", "ssh", "-v", "-p", port, "-i", key, "-o",
               "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", dest,
               "cat > /dev/null", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(err[1]);
    while (pid > 0 && off < bytes) {
        size_t n = bytes - off < CHUNK ? bytes - off : CHUNK, done = 0;
        src(arg, off, buf, n);
        while (done < n) {
            ssize_t m = write(in[1], buf + done, n - done);
            if (m < 0 && errno == EINTR)
                continue;
            if (m < 0)
                break;
            done += (size_t)m;
        }
        if (done < n)
            break;
        off += n;
    }
    close(in[1]);
    free(buf);
    if (pid > 0) {
        find_cipher(err[0]);
        waitpid(pid, &status, 0);
    } else {
        close(err[0]);
    }
    *ns_r = timing_now_ns() - t0;
    if (pid < 0 || off < bytes || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_mig: ssh failed after %llu of %llu bytes "
                "(status 0x%x)\n", (unsigned long long)off,
                (unsigned long long)bytes, status);
        return -1;
    }
    return 0;
}
