/*
 * libxl_wrap.h - the one place that includes libxl's headers.
 *
 * The API version is pinned here so that a newer libxl keeps the calling
 * conventions this code was written against.  Every LIBXL_HAVE_* test the
 * project needs lives in this file too.
 */
#ifndef XENITH_LIBXL_WRAP_H
#define XENITH_LIBXL_WRAP_H

#define LIBXL_API_VERSION 0x041400

#include <libxl.h>
#include <libxl_utils.h>
#include <libxlutil.h>

/* Features the code relies on; fail the build early if libxl lacks them. */
#ifndef LIBXL_HAVE_MEMKB_64BITS
#error "xenith needs libxl with 64-bit memory sizes (Xen >= 4.8)"
#endif
#ifndef LIBXL_HAVE_SCHED_CREDIT2_PARAMS
#error "xenith needs libxl with credit2 pool parameters (Xen >= 4.8)"
#endif
#ifndef LIBXL_HAVE_CREATEINFO_PASSTHROUGH
#error "xenith needs libxl >= 4.13 (the pinned API version)"
#endif

#endif
