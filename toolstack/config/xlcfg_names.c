/*
 * xlcfg_names.c - xl.cfg's words for libxl values, shared by the parser
 * and the writer (xlcfg_names.h).
 */
#include "config/xlcfg_names.h"

#include <string.h>

#define COLO(f) {#f, offsetof(libxl_device_nic, f)}
const struct xlcfg_nic_opt xlcfg_nic_colo[] = {
    {"forwarddev", offsetof(libxl_device_nic, coloft_forwarddev)},
    COLO(colo_sock_mirror_id),
    COLO(colo_sock_mirror_ip),
    COLO(colo_sock_mirror_port),
    COLO(colo_sock_compare_pri_in_id),
    COLO(colo_sock_compare_pri_in_ip),
    COLO(colo_sock_compare_pri_in_port),
    COLO(colo_sock_compare_sec_in_id),
    COLO(colo_sock_compare_sec_in_ip),
    COLO(colo_sock_compare_sec_in_port),
    COLO(colo_sock_compare_notify_id),
    COLO(colo_sock_compare_notify_ip),
    COLO(colo_sock_compare_notify_port),
    COLO(colo_sock_redirector0_id),
    COLO(colo_sock_redirector0_ip),
    COLO(colo_sock_redirector0_port),
    COLO(colo_sock_redirector1_id),
    COLO(colo_sock_redirector1_ip),
    COLO(colo_sock_redirector1_port),
    COLO(colo_sock_redirector2_id),
    COLO(colo_sock_redirector2_ip),
    COLO(colo_sock_redirector2_port),
    COLO(colo_filter_mirror_queue),
    COLO(colo_filter_mirror_outdev),
    COLO(colo_filter_redirector0_queue),
    COLO(colo_filter_redirector0_indev),
    COLO(colo_filter_redirector0_outdev),
    COLO(colo_filter_redirector1_queue),
    COLO(colo_filter_redirector1_indev),
    COLO(colo_filter_redirector1_outdev),
    COLO(colo_compare_pri_in),
    COLO(colo_compare_sec_in),
    COLO(colo_compare_out),
    COLO(colo_compare_notify_dev),
    COLO(colo_sock_sec_redirector0_id),
    COLO(colo_sock_sec_redirector0_ip),
    COLO(colo_sock_sec_redirector0_port),
    COLO(colo_sock_sec_redirector1_id),
    COLO(colo_sock_sec_redirector1_ip),
    COLO(colo_sock_sec_redirector1_port),
    COLO(colo_filter_sec_redirector0_queue),
    COLO(colo_filter_sec_redirector0_indev),
    COLO(colo_filter_sec_redirector0_outdev),
    COLO(colo_filter_sec_redirector1_queue),
    COLO(colo_filter_sec_redirector1_indev),
    COLO(colo_filter_sec_redirector1_outdev),
    COLO(colo_filter_sec_rewriter0_queue),
    COLO(colo_checkpoint_host),
    COLO(colo_checkpoint_port),
};
#undef COLO

const size_t xlcfg_nic_ncolo = sizeof(xlcfg_nic_colo) /
                               sizeof(xlcfg_nic_colo[0]);

static const struct {
    const char *name;
    libxl_action_on_shutdown action;
} actions[] = {
    {"destroy", LIBXL_ACTION_ON_SHUTDOWN_DESTROY},
    {"restart", LIBXL_ACTION_ON_SHUTDOWN_RESTART},
    {"rename-restart", LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME},
    {"preserve", LIBXL_ACTION_ON_SHUTDOWN_PRESERVE},
    {"coredump-destroy", LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY},
    {"coredump-restart", LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART},
    {"soft-reset", LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET},
};

bool xlcfg_action_parse(const char *name, libxl_action_on_shutdown *a_r)
{
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (strcmp(name, actions[i].name) == 0) {
            *a_r = actions[i].action;
            return true;
        }
    return false;
}

const char *xlcfg_action_name(libxl_action_on_shutdown a)
{
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if (actions[i].action == a)
            return actions[i].name;
    return NULL;
}
