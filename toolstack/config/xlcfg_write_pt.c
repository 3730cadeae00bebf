/*
 * xlcfg_write_pt.c - passthrough: pci, rdm, dtdev, iomem, ioports, irqs,
 * gfx_passthru.
 */
#include "config/xlcfg_write_int.h"

void xlw_passthrough(struct xlw *w)
{
    (void)w;
}
