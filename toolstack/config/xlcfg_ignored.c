/*
 * xlcfg_ignored.c - settings xl reads, warns about and then does not use:
 * accepted as xl accepts them, with a warning each.  (Names xl does not
 * know at all are ignored silently, as xl ignores them.)
 */
#include <string.h>

#include "config/xlcfg_int.h"

static const struct {
    const char *key;
    const char *why;
} ignored[] = {
    {"vncviewer", "is ignored, as xl ignores it; it is not a domain setting "
                  "(xl create -V starts a viewer)"},
    {"vif2", "is ignored, as xl ignores it: netchannel2 is not supported"},
};

int xlcfg_build_ignored(struct xlcfg *c)
{
    char v[200];

    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        if (xlcfg_is_set(c, ignored[i].key))
            xlcfg_warn(c, ignored[i].key, -1, "%s %s",
                       xlcfg_value_text(c, ignored[i].key, v, sizeof(v)),
                       ignored[i].why);
    return 0;
}
