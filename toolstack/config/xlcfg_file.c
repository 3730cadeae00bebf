/* xlcfg_file.c - reading an xl.cfg file, with the limits create applies. */
#include "config/xlcfg_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int xlcfg_read_file(const char *path, char **text_r, size_t *len_r,
                    struct xn_msg *msg)
{
    FILE *f = fopen(path, "r");
    char *buf;
    size_t len;
    int rc = 0;

    *text_r = NULL;
    *len_r = 0;
    if (!f)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot open %s: %s",
                          path, strerror(errno));
    buf = malloc(XLCFG_TEXT_MAX + 1);
    if (!buf) {
        fclose(f);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    len = fread(buf, 1, XLCFG_TEXT_MAX + 1, f);
    if (ferror(f))
        rc = xn_msg_set(msg, XN_EIO, "cannot read %s: %s", path,
                        strerror(errno));
    else if (len > XLCFG_TEXT_MAX)
        rc = xn_msg_set(msg, XN_EINVAL, "%s is larger than %d KiB; that is "
                        "no xl.cfg file", path, XLCFG_TEXT_MAX / 1024);
    else if (memchr(buf, '\0', len)) {
        const char *nul = memchr(buf, '\0', len);
        int line = 1;
        for (const char *p = buf; p < nul; p++)
            line += *p == '\n';
        rc = xn_msg_set(msg, XN_EINVAL, "%s:%d: syntax error: the file "
                        "contains a NUL byte", path, line);
    }
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *text_r = buf;
    *len_r = len;
    return 0;
}
