/* fuzz_image.c - libFuzzer: a save file as a client may name one.  The
 * header line (savefile.c), then the simulated host's image stream: its
 * header, the configuration inside (as JSON, rebuilt into a libxl config)
 * and its records, fed in uneven pieces as a socket would deliver them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "savefile.h"
#include "sim/sim_config.h"
#include "sim/sim_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The header line through a real fd, as restore reads it. */
static size_t header(const uint8_t *data, size_t size)
{
    struct savefile_header h;
    int fd = memfd_create("fuzz", MFD_CLOEXEC);
    off_t off = 0;

    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size &&
        lseek(fd, 0, SEEK_SET) == 0 &&
        savefile_read_header(fd, "fuzz.img", &h, NULL) == 0)
        off = lseek(fd, 0, SEEK_CUR);
    close(fd);
    return off > 0 ? (size_t)off : 0;
}

static void image(const uint8_t *data, size_t size)
{
    struct sim_img_reader *r;
    size_t at = 0, piece = 1;
    bool made = false;

    if (sim_img_reader_new(&r) < 0)
        return;
    for (;;) {
        uint8_t *buf;
        size_t len;

        sim_img_reader_space(r, &buf, &len);
        if (len == 0)
            break;
        if (at == size) {
            sim_img_reader_eof(r, NULL);
            break;
        }
        if (len > piece)
            len = piece;
        if (len > size - at)
            len = size - at;
        memcpy(buf, data + at, len);
        at += len;
        piece = piece * 3 + 1;      /* 1, 4, 13, 40 ... bytes at a time */
        if (sim_img_reader_commit(r, len, NULL) < 0)
            break;
        if (!made && sim_img_reader_config(r)) {
            libxl_domain_config cfg;
            libxl_domain_config_init(&cfg);
            simcfg_from_json(sim_img_reader_config(r), &cfg, NULL);
            libxl_domain_config_dispose(&cfg);
            made = true;
        }
    }
    sim_img_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t skip = header(data, size);
    image(data + skip, size - skip);
    return 0;
}
