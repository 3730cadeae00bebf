/*
 * libvirt_conv.h - libvirt domain XML in and out of a libxl_domain_config,
 * for users of libvirt's Xen driver who bring their domains along.
 *
 * In: every element libvirt's Xen driver maps becomes the xl.cfg setting
 * libvirt itself writes for it, and that text goes through xenith's xl.cfg
 * parser (xlcfg.h): a domain from XML is exactly the domain of the
 * equivalent xl.cfg file, checked by the same rules.  Messages name the XML
 * file and the line of the element concerned:
 *     web.xml:14: disk: <target dev=...> is missing
 *     web.xml:30: watchdog: <watchdog> is not mapped to Xen by xenith ...
 * (a message of the xl.cfg parser keeps its wording and names the XML line
 * the setting came from).  Malformed XML is one sentence with its line.
 * Elements nothing maps are warnings, one line each.
 *
 * Out: the XML libvirt writes for the same domain (libvirt's xl.cfg import
 * as its model), so that reading it back gives the same configuration.
 *
 * Nothing here needs a libxl ctx, and nothing is printed.
 */
#ifndef XENITH_CONFIG_LIBVIRT_CONV_H
#define XENITH_CONFIG_LIBVIRT_CONV_H

#include <stddef.h>

#include "config/xlcfg.h"
#include "config/libvirt_xml.h"

/*
 * Parse libvirt domain XML into cfg (libxl_domain_config_init'ed by the
 * caller, disposed of by the caller whatever the result).  opts as for
 * xlcfg_parse_opts (its warnings: the XML's, then the xl.cfg parser's).
 * 0 or a negative XN_* code with msg filled.
 */
int libvirt_xml_parse(const char *filename, const char *data, size_t len,
                      const struct xlcfg_opts *opts,
                      libxl_domain_config *cfg, struct xn_msg *msg);

/*
 * Parse a configuration file's text, libvirt domain XML or xl.cfg (told
 * apart by libvirt_text_is_xml), with libvirt_xml_parse or
 * xlcfg_parse_opts; arguments and result as theirs.
 */
int libvirt_or_xlcfg_parse(const char *filename, const char *data,
                           size_t len, const struct xlcfg_opts *opts,
                           libxl_domain_config *cfg, struct xn_msg *msg);

/*
 * The xl.cfg text the XML maps to (malloc'd, the caller frees it), and the
 * XML's warnings.  0 or a negative XN_* code with msg filled.
 */
int libvirt_xml_to_xlcfg(const char *filename, const char *data, size_t len,
                         char **text_r, struct xlcfg_warnings *warn,
                         struct xn_msg *msg);

/*
 * The libvirt domain XML of cfg (malloc'd, the caller frees it; NULL when
 * out of memory).  What libvirt's domain XML cannot say is left out with a
 * warning in *warn (may be NULL).
 */
char *libvirt_xml_format(const libxl_domain_config *cfg,
                         struct xlcfg_warnings *warn);

#endif
