/*
 * conffile.h - xenithd's configuration file: the services' settings, one
 * per line, as `SERVICE.NAME = VALUE` (blank lines and lines starting with
 * # ignored).  Each setting becomes the same "SERVICE.NAME=VALUE" string
 * `-o` gives, read before the command line's so that -o wins.
 */
#ifndef XENITH_DAEMON_CONFFILE_H
#define XENITH_DAEMON_CONFFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define CONFFILE_DEFAULT "/etc/xenith/xenithd.conf"
#define CONFFILE_MAX (256 * 1024)

/* Read `path` and append its settings to the malloc'd, NULL-terminated
 * array *opts_r of *n_r malloc'd strings (the caller frees both).  A
 * missing file is no error when !must_exist.  On a bad line, msg quotes
 * it with the file and line number. */
int conffile_read(const char *path, bool must_exist, char ***opts_r,
                  size_t *n_r, struct xn_msg *msg);

#endif
