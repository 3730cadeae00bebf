/*
 * mig_ssh.h - the migration bench's ssh baseline: a private sshd on
 * 127.0.0.1 (temporary host key, client key and configuration), and `ssh
 * HOST 'cat > /dev/null'` fed a stream, as xl migrates over ssh.
 */
#ifndef XENITH_BENCH_MIG_SSH_H
#define XENITH_BENCH_MIG_SSH_H

#include <stdint.h>
#include <sys/types.h>

#include "mig_relay.h"

struct mig_sshd {
    pid_t pid;
    int port;
    char dir[256];              /* keys, config, authorized_keys */
    char user[64];
};

/* Start the sshd: 0, or -1 with the reason on stderr (no sshd, ssh or
 * ssh-keygen on this machine, or it did not start). */
int mig_sshd_start(struct mig_sshd *d);
void mig_sshd_stop(struct mig_sshd *d);

/* Pipe `bytes` from src through ssh to `cat > /dev/null` there; *ns_r
 * is the whole command's time, its connection and login included.
 * *cipher_r names the cipher ssh chose (static storage, "?" unknown). */
int mig_ssh_push(struct mig_sshd *d, uint64_t bytes, mig_src_fn src,
                 void *arg, uint64_t *ns_r, const char **cipher_r);

#endif
