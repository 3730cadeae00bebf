/*
 * memhog.c - the lab guests' memory hog (static; started by guest-init
 * when the kernel command line says memhog=MIB).
 *
 *   memhog [--grow MIB [--upto MIB]] MIB
 *
 * Takes MIB MiB of anonymous memory, writes every page, and then keeps
 * it resident by writing every page again once a second.  With --grow it
 * also takes MIB more each second, without end (or until it holds --upto
 * MiB): the guest comes to want more memory than it has (reclaim, then
 * pressure, then the OOM killer, unless its memory grows).
 * Prints "MEMHOG-HOLDING mib=N" on stdout when it first holds MIB, and at
 * each MiB count that is a multiple of 16 while growing; "MEMHOG-FULL
 * mib=N" once when the kernel refuses more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define PAGE 4096
#define MAX_CHUNKS 65536            /* 64 GiB */

static char *chunks[MAX_CHUNKS];
static unsigned long held;          /* MiB */

static unsigned long mib_arg(const char *v)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);

    if (v[0] < '0' || v[0] > '9' || *end || n > MAX_CHUNKS) {
        fprintf(stderr, "memhog: \"%s\" is not a number of MiB (0 to %d)\n",
                v, MAX_CHUNKS);
        exit(2);
    }
    return n;
}

/* Take one more MiB and write its pages; 0, or -1 when refused. */
static int take_one(unsigned char stamp)
{
    char *p;

    if (held >= MAX_CHUNKS)
        return -1;
    p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    if (p == MAP_FAILED)
        return -1;
    for (size_t off = 0; off < MIB; off += PAGE)
        p[off] = (char)stamp;
    chunks[held++] = p;
    return 0;
}

/* Write every page again (a different value each round), so none of it
 * looks idle to the guest's reclaim. */
static void touch_all(unsigned char stamp)
{
    for (unsigned long i = 0; i < held; i++)
        for (size_t off = 0; off < MIB; off += PAGE)
            chunks[i][off] = (char)(stamp + off / PAGE);
}

static void holding(void)
{
    printf("MEMHOG-HOLDING mib=%lu\n", held);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    unsigned long want, grow = 0, upto = MAX_CHUNKS;
    unsigned char stamp = 1;
    int full = 0;

    if (argc >= 4 && strcmp(argv[1], "--grow") == 0) {
        grow = mib_arg(argv[2]);
        argv += 2;
        argc -= 2;
        if (argc == 4 && strcmp(argv[1], "--upto") == 0) {
            upto = mib_arg(argv[2]);
            argv += 2;
            argc -= 2;
        }
    }
    if (argc != 2) {
        fprintf(stderr, "usage: memhog [--grow MIB [--upto MIB]] MIB\n");
        return 2;
    }
    want = mib_arg(argv[1]);
    while (held < want && !full)
        full = take_one(stamp) < 0;
    holding();
    for (;;) {
        sleep(1);
        touch_all(++stamp);
        for (unsigned long i = 0; i < grow && !full && held < upto; i++) {
            full = take_one(stamp) < 0;
            if (!full && held % 16 == 0)
                holding();
        }
        if (full == 1) {
            printf("MEMHOG-FULL mib=%lu\n", held);
            fflush(stdout);
            full = 2;
        }
    }
}
