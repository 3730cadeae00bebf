/* TEMPORARY: replaced by the real xen driver; delete this file when
 * hv_xen_ops is defined elsewhere. */
#include "hv_driver.h"
const struct hv_ops hv_xen_ops = { .scheme = "xen" };
