/*
 * domname.h - what a domain name may be.  One rule for every way a name
 * arrives (an xl.cfg file, a rename, a restored image, a migration), checked
 * above the drivers and by config-check alike.
 */
#ifndef XENITH_DOMNAME_H
#define XENITH_DOMNAME_H

#include <stddef.h>

#include "err.h"

/*
 * 0, or XN_EINVAL with a sentence quoting the name: empty, too long
 * (HV_NAME_MAX), a NUL inside its `len` bytes, not UTF-8, all digits (it
 * would read as a domain id), or holding '/', white space or a control
 * character.  Other UTF-8 ("café") is fine: xenstore and libxl take it.
 */
int dom_name_check(const char *name, size_t len, struct xn_msg *msg);

/* The same for a NUL-terminated name. */
int dom_name_check_str(const char *name, struct xn_msg *msg);

#endif
