/*
 * libvirt_xml.h - libvirt domain XML for the CLI (config-convert, and
 * create telling XML from xl.cfg).  This header does not include libxl.
 */
#ifndef XENITH_CONFIG_LIBVIRT_XML_H
#define XENITH_CONFIG_LIBVIRT_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "config/xlcfg_warn.h"

/* Is this configuration text libvirt XML (first non-space byte '<')? */
bool libvirt_text_is_xml(const char *text, size_t len);

/* The formats config-convert writes. */
enum convert_format {
    CONVERT_TO_LIBVIRT,  /* libvirt domain XML */
    CONVERT_TO_XL,       /* xl.cfg */
};

/*
 * Read the configuration file at `path`, an xl.cfg file or libvirt XML
 * (told apart by libvirt_text_is_xml), check it as create would, and write
 * it in format `to` to *out_r (malloc'd, the caller frees it):
 *   libvirt: the libvirt domain XML of the domain it makes (from XML too:
 *            the XML normalised);
 *   xl:      from XML, the xl.cfg settings libvirt's Xen driver writes for
 *            it; from xl.cfg, the file normalised (parsed, then written by
 *            xlcfg_write).
 * *warn: the reading's warnings, then the writing's.  0 or a negative XN_*
 * code with msg filled.
 */
int libvirt_convert_file(const char *path, enum convert_format to,
                         char **out_r, struct xlcfg_warnings *warn,
                         struct xn_msg *msg);

#endif
