/*
 * hv_types.h - what the hypervisor interface says about hosts, domains,
 * vCPUs and pools, as plain C types.  It does not include libxl, so the CLI
 * and the protocol code share these types without pulling libxl in; hv.h
 * adds the calls.
 */
#ifndef XENITH_HV_TYPES_H
#define XENITH_HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"
#include "err.h"

#define HV_NAME_MAX 128          /* longest domain or pool name, with NUL */
#define HV_VERSION_MAX 64

enum hv_domtype {
    HV_TYPE_UNKNOWN = 0,
    HV_TYPE_PV,
    HV_TYPE_PVH,
    HV_TYPE_HVM,
};

/* Xen's run states.  "shutdown" carries a reason; "dying" is the short
 * time between destroy and the domain disappearing. */
enum hv_state {
    HV_STATE_RUNNING = 0,
    HV_STATE_BLOCKED,
    HV_STATE_PAUSED,
    HV_STATE_SHUTDOWN,
    HV_STATE_DYING,
};

enum hv_shutdown {
    HV_SHUTDOWN_NONE = 0,
    HV_SHUTDOWN_POWEROFF,
    HV_SHUTDOWN_REBOOT,
    HV_SHUTDOWN_SUSPEND,
    HV_SHUTDOWN_CRASH,
    HV_SHUTDOWN_WATCHDOG,
    HV_SHUTDOWN_SOFT_RESET,
};

enum hv_sched {
    HV_SCHED_UNKNOWN = 0,
    HV_SCHED_CREDIT,
    HV_SCHED_CREDIT2,
    HV_SCHED_RTDS,
    HV_SCHED_ARINC653,
    HV_SCHED_NULL,
};

/* Per-domain scheduler parameters.  In a set request a field of -1 is left
 * unchanged; `sched` names the scheduler the caller means and the call fails
 * with XN_ENOTSUP when the domain's pool runs another one. */
struct hv_sched_params {
    enum hv_sched sched;
    int weight;     /* 1..65535, Xen's default 256 */
    int cap;        /* % of one pCPU, 0 = no cap */
};

/* Per-pool scheduler parameters; -1 means "not applicable" or "unchanged". */
struct hv_pool_sched {
    enum hv_sched sched;
    int tslice_ms;      /* credit only: 1..1000 */
    int ratelimit_us;   /* credit and credit2: 100..500000 (0 = off) */
};

struct hv_dominfo {
    uint32_t domid;
    char name[HV_NAME_MAX];
    uint8_t uuid[16];
    enum hv_domtype type;
    enum hv_state state;
    enum hv_shutdown shutdown_reason;   /* valid when state is SHUTDOWN */
    uint64_t mem_kb;        /* memory the domain holds now */
    uint64_t target_kb;     /* balloon target (memory/target) */
    uint64_t max_kb;        /* hypervisor maximum (maxmem) */
    uint32_t vcpus_online;
    uint32_t vcpus_max;
    uint64_t cpu_time_ns;
    /* Time its vCPUs were runnable but not running (waiting for a pCPU,
     * or parked by a cap), summed over vCPUs, when the driver can tell
     * (wait_known: the sim); Xen's toolstack interface cannot. */
    uint64_t wait_ns;
    bool wait_known;
    uint32_t poolid;
    struct hv_sched_params sched;
    bool foreign;           /* made by another toolstack (xl), whose own
                             * monitor handles its shutdown actions */
    bool building;          /* its toolstack has not finished making it
                             * (Xen: no memory/target in the store yet, as
                             * while xl migrate-receive restores it) */
};

/* A PCI function of the host: segment:bus:device.function. */
struct hv_pci_addr {
    uint16_t seg;
    uint8_t bus;
    uint8_t dev;            /* 0..31 */
    uint8_t fn;             /* 0..7 */
};

#define HV_PCI_ADDR_LEN 13      /* "0000:03:00.0" and its NUL */
#define HV_NO_DOMAIN UINT32_MAX

/* A host PCI device as passthrough sees it. */
struct hv_pcidev {
    struct hv_pci_addr addr;
    char driver[32];        /* the host driver bound to it, "" when none */
    bool assignable;        /* bound to xen-pciback: it may go to a guest */
    uint32_t domid;         /* the domain it is assigned to, or
                             * HV_NO_DOMAIN */
    int vslot;              /* its slot in that domain, -1 when unknown */
};

struct hv_vcpuinfo {
    uint32_t vcpu;
    int32_t cpu;            /* pCPU it last ran on, -1 when offline */
    bool online;
    bool running;
    bool blocked;
    uint64_t time_ns;
    struct cpuset hard;     /* hard affinity */
    struct cpuset soft;     /* soft affinity */
};

struct hv_poolinfo {
    uint32_t poolid;
    char name[HV_NAME_MAX];
    enum hv_sched sched;
    uint32_t n_dom;
    struct cpuset cpus;
};

struct hv_hostinfo {
    char hostname[HV_NAME_MAX];
    char driver[16];                    /* "xen" or "sim" */
    char xen_version[HV_VERSION_MAX];   /* "4.17.5" */
    uint32_t nr_cpus;
    uint32_t nr_nodes;                  /* NUMA nodes */
    uint16_t cpu_node[CPUSET_MAX];      /* the node of each CPU < nr_cpus */
    uint32_t threads_per_core;
    uint32_t cores_per_socket;
    uint32_t cpu_mhz;
    uint64_t total_kb;
    uint64_t free_kb;
    enum hv_sched sched;                /* scheduler of pool 0 */
    char store_path[108];               /* the xenstore socket clients of
                                         * this host use; "" = libxenstore's
                                         * default (a real Xen host) */
};

/* Events a driver reports about domains. */
enum hv_event_type {
    HV_EV_NEW = 1,      /* a domain the driver had not seen (e.g. made by xl) */
    HV_EV_SHUTDOWN,     /* the guest shut down; reason in `reason` */
    HV_EV_DEATH,        /* the domain is gone */
};

struct hv_event {
    enum hv_event_type type;
    uint32_t domid;
    char name[HV_NAME_MAX];
    uint8_t uuid[16];
    enum hv_shutdown reason;
};

/* Called from the event loop for each domain event.  `ev` lives for the
 * duration of the call only. */
typedef void hv_event_fn(void *opaque, const struct hv_event *ev);

/* Names for enums, for output and the wire.  Static storage. */
const char *hv_state_name(enum hv_state s);
/* Running, or blocked (waiting for work: an idle guest, to Xen). */
bool hv_state_runs(enum hv_state s);
/* Shut down with reason suspend: a save (or a migration) stopped it. */
bool hv_dom_suspended(const struct hv_dominfo *info);
/* "0000:03:00.0" into out. */
void hv_pci_addr_str(const struct hv_pci_addr *a, char out[HV_PCI_ADDR_LEN]);
/* Parse "SSSS:BB:DD.F" or "BB:DD.F" (hex; segment 0 when left out).
 * 0, or XN_EINVAL with msg: "\"TEXT\" is not a PCI address (...)". */
int hv_pci_addr_parse(const char *text, struct hv_pci_addr *a,
                      struct xn_msg *msg);
bool hv_pci_addr_eq(const struct hv_pci_addr *a, const struct hv_pci_addr *b);
const char *hv_shutdown_name(enum hv_shutdown r);
const char *hv_sched_name(enum hv_sched s);
const char *hv_domtype_name(enum hv_domtype t);
/* Parse a scheduler name; returns HV_SCHED_UNKNOWN when not one. */
enum hv_sched hv_sched_parse(const char *name);

#endif
