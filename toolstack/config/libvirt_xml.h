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

/*
 * Read the configuration file at `path`, an xl.cfg file or libvirt XML
 * (told apart by libvirt_text_is_xml), check it as create would, and write
 * the libvirt domain XML of the domain it makes to *xml_r (malloc'd, the
 * caller frees it).  *warn: the reading's warnings, then the writing's.
 * 0 or a negative XN_* code with msg filled.
 */
int libvirt_convert_file(const char *path, char **xml_r,
                         struct xlcfg_warnings *warn, struct xn_msg *msg);

#endif
