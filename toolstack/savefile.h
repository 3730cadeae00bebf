/*
 * savefile.h - the first line of a xenith save file.
 *
 * A save file is one text line that says what it holds, followed by the
 * driver's self-describing image (hv_save):
 *
 *   XENITH-SAVE 1 {"driver":"xen","name":"web1","uuid":"..."}\n
 *   <image>
 *
 * The line lets `xenith restore` refuse a file that is not a save file, or
 * was written by the other driver, before anything is created, and lets
 * an admin see with head(1) what a file holds.
 */
#ifndef XENITH_SAVEFILE_H
#define XENITH_SAVEFILE_H

#include <stdint.h>

#include "err.h"
#include "hv_types.h"

#define SAVEFILE_MAGIC "XENITH-SAVE"
#define SAVEFILE_VERSION 1
#define SAVEFILE_LINE_MAX 4096

struct savefile_header {
    char driver[16];
    char name[HV_NAME_MAX];
    uint8_t uuid[16];
};

/* Write the line to fd (blocking; it is small). */
int savefile_write_header(int fd, const struct savefile_header *h,
                          struct xn_msg *msg);

/* Read and check the line from fd, leaving the offset at the image.  It
 * reads byte by byte so it never consumes any of the image.  `path` names
 * the file in messages. */
int savefile_read_header(int fd, const char *path, struct savefile_header *h,
                         struct xn_msg *msg);

#endif
