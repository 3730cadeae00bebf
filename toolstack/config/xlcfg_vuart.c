/*
 * xlcfg_vuart.c - vuart = "sbsa_uart", the emulated PL011 UART of Arm
 * guests.  xl reads it on every architecture and for every domain type,
 * into b_info.arch_arm.vuart; on x86, libxl then only adds a console entry
 * for it to a PV or PVH guest, with no UART behind it.
 */
#include "config/xlcfg_int.h"

int xlcfg_build_vuart(struct xlcfg *c)
{
    libxl_domain_build_info *bi = &c->dc->b_info;
    const char *v;
    int rc = xlcfg_get_str(c, "vuart", &v);

    if (rc <= 0)
        return rc;
    if (libxl_vuart_type_from_string(v, &bi->arch_arm.vuart) != 0)
        return xlcfg_fail(c, "vuart", -1, "\"%s\" is not a virtual UART "
                          "(sbsa_uart)", v);
    return 0;
}
