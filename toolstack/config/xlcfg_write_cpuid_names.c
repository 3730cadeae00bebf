/*
 * xlcfg_write_cpuid_names.c - the names libxl_cpuid_parse_config knows in
 * Xen 4.17, for writing a CPUID policy in libxl's string form
 * (xlcfg_write_cpuid.c): its own fields (family, model, maxleaf ...) and
 * the featureset names of Xen's public cpufeatureset.h, lower case with
 * "-" for "_".  Only the names are kept here: what each one sets is asked
 * of the libxl linked in, so a name it does not know is merely unused.
 */
#include <stddef.h>

#include "config/xlcfg_write_int.h"

const char *const xlw_cpuid_names[] = {
    /* libxl's own fields and flags */
    "maxleaf", "stepping", "model", "family", "brandid", "clflush",
    "proccount", "localapicid", "est", "cntxid", "cmpxchg16", "sse4_1",
    "sse4.1", "sse4_2", "sse4.2", "aes", "cmpxchg8", "sysenter", "psn",
    "clfsh", "tm", "ia64", "pbe", "arat", "tsc_adjust", "cmt", "lahfsahf",
    "cmplegacy", "altmovcr8", "nodeid", "perfctr_core", "perfctr_nb",
    "procpkg", "invtsc", "ppin", "btc-no", "nc", "apicidsize", "svm_npt",
    "svm_lbrv", "svm_nrips", "svm_tscrate", "svm_vmcbclean", "svm_decode",
    "svm_pausefilt", "lfence+", "maxhvleaf",
    /* the featureset */
    "3dnow", "3dnowext", "3dnowprefetch", "abm", "acpi", "adx", "aesni",
    "amd-ppin", "amd-ssbd", "amd-stibp", "apic", "arch-caps", "auto-ibrs",
    "avx", "avx-vnni", "avx2", "avx512-4fmaps", "avx512-4vnniw",
    "avx512-bf16", "avx512-bitalg", "avx512-fp16", "avx512-ifma",
    "avx512-vbmi", "avx512-vbmi2", "avx512-vnni", "avx512-vp2intersect",
    "avx512-vpopcntdq", "avx512bw", "avx512cd", "avx512dq", "avx512er",
    "avx512f", "avx512pf", "avx512vl", "bhi-ctrl", "bhi-no", "bmi1",
    "bmi2", "cet-ibt", "cet-ss", "cet-sss", "cldemote", "clflushopt",
    "clwb", "clzero", "cmov", "cmp-legacy", "core-caps", "cpb",
    "cr8-legacy", "cx16", "cx8", "dbext", "dca", "de", "doitm", "ds",
    "dscpl", "dtes64", "efro", "eibrs", "eist", "energy-filtering",
    "enqcmd", "erms", "extapic", "f16c", "fb-clear", "fb-clear-ctrl",
    "fbsdp-no", "fdp-excp-only", "ffxsr", "fma", "fma4", "fpu", "fsgsbase",
    "fsrcs", "fsrm", "fsrs", "fxsr", "fzrm", "gds-ctrl", "gds-no", "gfni",
    "hle", "htt", "hw-pstate", "hybrid", "hypervisor", "ibpb",
    "ibpb-brtype", "ibpb-ret", "ibrs", "ibrs-always", "ibrs-fast",
    "ibrs-same-mode", "ibrsb", "ibs", "if-pschange-mc-no", "intel-ppin",
    "intel-psfd", "intel-ssb-no", "invpcid", "ipred-ctrl", "its-no",
    "itsc", "l1d-flush", "lahf-lm", "lfence-dispatch", "lm", "lwp", "mca",
    "mcdt-no", "mce", "mcu-ctrl", "md-clear", "mds-no", "misalignsse",
    "misc-pkg-ctrl", "mmx", "mmxext", "monitor", "monitorx", "movbe",
    "movdir64b", "movdiri", "mpx", "msr", "mtrr", "no-fpu-sel", "no-lmsl",
    "nodeid-msr", "nscb", "nx", "ospke", "osvw", "osxsave",
    "ovrclk-status", "pae", "page1gb", "pat", "pbrsb-no", "pcid",
    "pclmulqdq", "pdcm", "pge", "pku", "popcnt", "pqe", "pqm",
    "prefetchwt1", "proc-trace", "psdp-no", "pse", "pse36", "psfd",
    "rdcl-no", "rdpid", "rdrand", "rdseed", "rdtscp", "rfds-clear",
    "rfds-no", "rrsba", "rrsba-ctrl", "rsba", "rstr-fp-err-ptrs", "rtm",
    "rtm-always-abort", "sbdr-ssdp-no", "sbpb", "sep", "serialize", "sgx",
    "sha", "skinit", "skip-l1dfl", "smap", "smep", "smx", "srbds-ctrl",
    "srso-msr-fix", "srso-no", "srso-us-no", "ss", "ssb-no", "ssbd", "sse",
    "sse2", "sse3", "sse4-1", "sse4-2", "sse4a", "ssse3", "stibp",
    "stibp-always", "svm", "syscall", "taa-no", "tbm", "tm1", "tm2",
    "topoext", "tsa-l1-no", "tsa-sq-no", "tsc", "tsc-adjust",
    "tsc-deadline", "tsx-ctrl", "tsx-force-abort", "tsxldtrk", "umip",
    "vaes", "verw-clear", "virt-ssbd", "vme", "vmx", "vpclmulqdq",
    "wbnoinvd", "wdt", "x2apic", "xapic-status", "xgetbv1", "xop",
    "xsave", "xsavec", "xsaveopt", "xsaves", "xtpr",
};
const size_t xlw_ncpuid_names =
    sizeof(xlw_cpuid_names) / sizeof(xlw_cpuid_names[0]);
