/*
 * xlcfg_write_vdev.c - PV devices other than disks, vifs and vfbs.
 */
#include "config/xlcfg_write_int.h"

void xlw_vdevs(struct xlw *w)
{
    (void)w;
}
