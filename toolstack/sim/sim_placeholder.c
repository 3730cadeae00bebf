/* TEMPORARY: replaced by the real sim driver; delete this file when
 * hv_sim_ops is defined elsewhere. */
#include "hv_driver.h"
const struct hv_ops hv_sim_ops = { .scheme = "sim" };
