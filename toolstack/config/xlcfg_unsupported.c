/*
 * xlcfg_unsupported.c - settings xl acts on that xenith does not map.
 *
 * Ignoring them would create a domain different from the one xl creates
 * (a missing PCI device, a missing TPM), so each one is an error.  Settings
 * xl itself ignores with only a warning are accepted with a warning.  Names
 * xl does not know at all are ignored, as xl ignores them.
 */
#include <string.h>

#include "config/xlcfg_int.h"

static const char *const unsupported[] = {
    /* devices and passthrough */
    "p9", "vtpm", "vdispl", "pvcalls", "vsnd", "channel", "usbctrl",
    "usbdev", "vkb",
    /* CPU and memory layout */
    "cpuid", "vnuma", "mca_caps", "ms_vm_genid",
    /* Arm */
    "vuart", "gic_version", "tee",
};

/* Settings xl reads, warns about and then does not use. */
static const struct {
    const char *key;
    const char *why;
} ignored[] = {
    {"device_model", "is ignored, as xl ignores it; use "
                     "device_model_override for another device model"},
    {"vncviewer", "is ignored, as xl ignores it; it is not a domain setting "
                  "(xl create -V starts a viewer)"},
    {"vif2", "is ignored, as xl ignores it: netchannel2 is not supported"},
};

int xlcfg_check_unsupported(struct xlcfg *c)
{
    char v[200];

    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
        if (xlcfg_is_set(c, unsupported[i]))
            return xlcfg_fail(c, unsupported[i], -1, "%s is not supported "
                              "by xenith",
                              xlcfg_value_text(c, unsupported[i], v,
                                               sizeof(v)));
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        if (xlcfg_is_set(c, ignored[i].key))
            xlcfg_warn(c, ignored[i].key, -1, "%s %s",
                       xlcfg_value_text(c, ignored[i].key, v, sizeof(v)),
                       ignored[i].why);
    return 0;
}
