/*
 * xlcfg.c - parse an xl.cfg file: libxlutil for the syntax, then the
 * mapping steps of xlcfg_*.c, in the order xl applies them.
 *
 * libxlutil writes its complaints to the FILE it is given; here that is a
 * memory stream (see xlcfg_msg.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg_check.h"
#include "config/xlcfg_int.h"

typedef int xlcfg_step(struct xlcfg *c);

static const struct xlcfg_opts no_facts;

static xlcfg_step *const steps[] = {
    xlcfg_build_identity,
    xlcfg_build_resources,
    xlcfg_build_vnuma,
    xlcfg_build_cpus,
    xlcfg_build_cpuid,
    xlcfg_build_arch,
    xlcfg_build_actions,
    xlcfg_build_boot,
    xlcfg_build_misc,
    xlcfg_build_pci,
    xlcfg_build_passthru,
    xlcfg_build_hvm,
    xlcfg_build_disks,
    xlcfg_build_nics,
    xlcfg_build_display,
    xlcfg_build_vuart,
    xlcfg_build_vtpm_p9,
    xlcfg_build_vdispls,
    xlcfg_build_vsnds,
    xlcfg_build_channels,
    xlcfg_build_usb,
    xlcfg_build_vkbs,
    xlcfg_build_ignored,
};

/* ---- entry points ---- */

int xlcfg_parse_opts(const char *filename, const char *data, size_t len,
                     const struct xlcfg_opts *opts,
                     libxl_domain_config *cfg, struct xn_msg *msg)
{
    struct xlcfg c = {
        .file = filename ? filename : "<config>",
        .dc = cfg,
        .msg = msg,
        .max_cpus = opts ? opts->max_cpus : 0,
        .host = opts ? opts : &no_facts,
        .warn = opts ? opts->warn : NULL,
    };
    int rc, e;

    xn_msg_clear(msg);
    if (c.warn)
        memset(c.warn, 0, sizeof(*c.warn));
    if (len > INT_MAX)
        return xn_msg_set(msg, XN_EINVAL, "%s: file too large", c.file);
    /* libxlutil aborts on a NUL inside a quoted string: refuse any NUL. */
    const char *nul = memchr(data, '\0', len);
    if (nul) {
        int line = 1;
        for (const char *p = data; p < nul; p++)
            line += *p == '\n';
        return xn_msg_set(msg, XN_EINVAL, "%s:%d: syntax error: the file "
                          "contains a NUL byte", c.file, line);
    }
    c.report = open_memstream(&c.report_buf, &c.report_len);
    if (!c.report)
        return xlcfg_oom(&c);
    c.xlu = xlu_cfg_init(c.report, c.file);
    if (!c.xlu) {
        rc = xlcfg_oom(&c);
        goto out;
    }
    e = xlu_cfg_readdata(c.xlu, data, (int)len);
    if (e) {
        rc = xlcfg_syntax_error(&c, e);
        goto out;
    }
    rc = xlcfg_lines_scan(&c.lines, data, len);
    if (rc < 0) {
        rc = xlcfg_oom(&c);
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < sizeof(steps) / sizeof(steps[0]); i++)
        rc = steps[i](&c);
out:
    xlu_cfg_destroy(c.xlu);
    xlcfg_lines_dispose(&c.lines);
    fclose(c.report);
    free(c.report_buf);
    return rc;
}

int xlcfg_parse(const char *filename, const char *data, size_t len,
                libxl_domain_config *cfg, struct xn_msg *msg)
{
    return xlcfg_parse_opts(filename, data, len, NULL, cfg, msg);
}

int xlcfg_parse_file(const char *path, libxl_domain_config *cfg,
                     struct xn_msg *msg)
{
    char *data;
    size_t len;
    int rc = xlcfg_read_file(path, &data, &len, msg);

    if (rc < 0)
        return rc;
    rc = xlcfg_parse(path, data, len, cfg, msg);
    free(data);
    return rc;
}
