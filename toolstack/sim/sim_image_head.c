/*
 * sim_image_head.c - how much of a simulated image hv_image_open reads:
 * the header and the configuration record that follows it (sim_image.h
 * has the layout).
 */
#include "sim/sim_image.h"

#include <string.h>

#define HEAD_REC 16u                /* a record's header */
#define HEAD_REC_CONFIG 3u          /* the configuration record's type */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

int sim_img_head(const uint8_t *buf, size_t len, size_t *need_r,
                 struct xn_msg *msg)
{
    const uint8_t *rec = buf + SIM_IMG_HDR_LEN;
    uint32_t count;

    *need_r = 0;
    if (len >= 8 && memcmp(buf, SIM_IMG_MAGIC, 8) != 0)
        return xn_msg_set(msg, XN_ECORRUPT, "the stream is not a simulated "
                          "domain's image");
    if (len < SIM_IMG_HDR_LEN + HEAD_REC)
        return 0;
    count = le32(rec + 4);
    if (le32(rec) != HEAD_REC_CONFIG || count == 0 ||
        count > SIM_IMG_CONFIG_MAX)
        return xn_msg_set(msg, XN_ECORRUPT, "the image does not start with "
                          "its configuration");
    *need_r = SIM_IMG_HDR_LEN + HEAD_REC + count;
    return 0;
}
