/*
 * libvirt_out_cpuid.c - the domain's CPUID policy (b_info.cpuid) as the
 * <feature policy=... name=.../> elements of a host-passthrough <cpu>, the
 * way libvirt's Xen driver carries xl's cpuid = "host,NAME=VALUE,...".
 *
 * libxl keeps the policy opaque; its JSON gives, per CPUID leaf (and
 * subleaf) and register, 32 characters, one per bit: '1' set, '0' clear,
 * 'x' default, 'k'/'s' the host's value (likewise 64 per feature MSR).  Which
 * feature name stands for which bit is asked of libxl itself: each name it
 * may know (its own single-bit names, then Xen's featureset names from
 * <xen/arch-x86/cpufeatureset.h>) is parsed as "NAME=1" into a fresh
 * policy, and the one bit it sets is read from that policy's JSON.  The
 * name written is libvirt's (lv_cpu_feature_from_xl), kept only if libvirt's
 * name leads back to the same libxl name.
 *
 * Bits:  '1' -> force, '0' -> disable, 'k'/'s' -> optional (libvirt reads
 * optional back as 'x': a warning says so).  A register present with every
 * bit 'x' (what "NAME=x" leaves: x is the default, so the bit itself is not
 * kept) is written as its lowest named bit, optional: the policy read back
 * is the same.  vmx/svm are left out (libvirt reads them as nestedhvm), as
 * are bits no single-bit name covers (family, model ...): a warning each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "config/libvirt_int.h"
#include "config/libvirt_out_int.h"

#include <libxl_json.h>

/* libxl's own single-bit names (its table of legacy names), preferred over
 * the featureset's for the same bit: libvirt's translation table is written
 * against these. */
static const char *const legacy_names[] = {
    "est", "cntxid", "cmpxchg16", "sse4.1", "sse4.2", "aes", "cmpxchg8",
    "sysenter", "psn", "clfsh", "tm", "ia64", "pbe", "arat", "tsc_adjust",
    "cmt", "lahfsahf", "cmplegacy", "altmovcr8", "nodeid", "perfctr_core",
    "perfctr_nb", "invtsc", "ppin", "btc-no", "svm_npt", "svm_lbrv",
    "svm_nrips", "svm_tscrate", "svm_vmcbclean", "svm_decode",
    "svm_pausefilt", "lfence+",
};

/* Xen's featureset names as the header spells them (upper case, '_'):
 * libxl knows them in lower case with '-' for '_'. */
static const char *const featureset_names[] = {
#define XEN_CPUFEATURE(name, value) #name,
#include <xen/arch-x86/cpufeatureset.h>
#undef XEN_CPUFEATURE
};

/* Where a bit is: a CPUID leaf/subleaf/register, or a feature MSR. */
struct where {
    bool msr;
    long long leaf;     /* or the MSR's index */
    long long sub;      /* -1: no subleaf */
    int reg;            /* 0..3 = eax..edx; -1 for an MSR */
};

struct feature {
    struct where at;
    int bit;
    char lv[48];        /* libvirt's name */
};

struct table {
    struct feature *f;
    int n;
};

static bool same_where(const struct where *a, const struct where *b)
{
    return a->msr == b->msr && a->leaf == b->leaf && a->sub == b->sub &&
           a->reg == b->reg;
}

/* The policy's JSON, parsed (yajl_tree_free), or NULL. */
static yajl_val policy_tree(libxl_cpuid_policy_list *p)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    yajl_val tree = NULL;
    char *copy;

    if (!g)
        return NULL;
    if (libxl_cpuid_policy_list_gen_json(g, p) == yajl_gen_status_ok &&
        yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok &&
        (copy = strndup((const char *)buf, len))) {
        tree = yajl_tree_parse(copy, NULL, 0);
        free(copy);
    }
    yajl_gen_free(g);
    return tree;
}

/* Calls fn for every register string of the policy, in libxl's order. */
typedef void (*reg_fn)(void *ctx, const struct where *at, const char *bits,
                       int len);

static void each_register(yajl_val tree, reg_fn fn, void *ctx)
{
    static const char *const regs[] = {"eax", "ebx", "ecx", "edx"};
    const char *cp[] = {"cpuid", NULL}, *mp[] = {"msr", NULL};
    const char *lp[] = {"leaf", NULL}, *sp[] = {"subleaf", NULL};
    const char *ip[] = {"index", NULL}, *pp[] = {"policy", NULL};
    yajl_val list = yajl_tree_get(tree, cp, yajl_t_array), v;

    for (size_t i = 0; list && i < YAJL_GET_ARRAY(list)->len; i++) {
        yajl_val e = YAJL_GET_ARRAY(list)->values[i];
        struct where at = {.sub = -1};
        if (!(v = yajl_tree_get(e, lp, yajl_t_number)))
            continue;
        at.leaf = YAJL_GET_INTEGER(v);
        if ((v = yajl_tree_get(e, sp, yajl_t_number)))
            at.sub = YAJL_GET_INTEGER(v);
        for (at.reg = 0; at.reg < 4; at.reg++) {
            const char *rp[] = {regs[at.reg], NULL};
            const char *bits;
            if ((v = yajl_tree_get(e, rp, yajl_t_string)) &&
                (bits = YAJL_GET_STRING(v)))
                fn(ctx, &at, bits, (int)strlen(bits));
        }
    }
    list = yajl_tree_get(tree, mp, yajl_t_array);
    for (size_t i = 0; list && i < YAJL_GET_ARRAY(list)->len; i++) {
        yajl_val e = YAJL_GET_ARRAY(list)->values[i];
        struct where at = {.msr = true, .sub = -1, .reg = -1};
        yajl_val pol = yajl_tree_get(e, pp, yajl_t_string);
        const char *bits = pol ? YAJL_GET_STRING(pol) : NULL;
        if (!(v = yajl_tree_get(e, ip, yajl_t_number)) || !bits)
            continue;
        at.leaf = YAJL_GET_INTEGER(v);
        fn(ctx, &at, bits, (int)strlen(bits));
    }
}

/* The one bit "NAME=1" sets. */
struct probe {
    int ones;
    struct where at;
    int bit;
};

static void probe_reg(void *ctx, const struct where *at, const char *bits,
                      int len)
{
    struct probe *p = ctx;

    for (int k = 0; k < len; k++) {
        if (bits[k] == 'x')
            continue;
        if (bits[k] == '1' && p->ones++ == 0) {
            p->at = *at;
            p->bit = len - 1 - k;
        } else if (bits[k] != '1') {
            p->ones = 2;    /* a field wider than one bit */
        }
    }
}

static const struct feature *find(const struct table *t,
                                  const struct where *at, int bit)
{
    for (int i = 0; i < t->n; i++)
        if (t->f[i].bit == bit && same_where(&t->f[i].at, at))
            return &t->f[i];
    return NULL;
}

/* Learn the bit of libxl name `xl` and add it (first name per bit wins). */
static void learn(struct table *t, const char *xl)
{
    libxl_cpuid_policy_list p = NULL;
    struct probe pr = {0};
    char spec[64];
    const char *lv = lv_cpu_feature_from_xl(xl);
    yajl_val tree;

    /* libvirt's vmx/svm are nestedhvm; a name libvirt would read as
     * another libxl name would not come back as this bit. */
    if (strcmp(lv, "vmx") == 0 || strcmp(lv, "svm") == 0 ||
        strcmp(lv_cpu_feature_to_xl(lv), xl) != 0 ||
        strlen(lv) >= sizeof(t->f[0].lv))
        return;
    snprintf(spec, sizeof(spec), "%s=1", xl);
    if (libxl_cpuid_parse_config(&p, spec) == 0 && (tree = policy_tree(&p))) {
        each_register(tree, probe_reg, &pr);
        yajl_tree_free(tree);
    }
    libxl_cpuid_dispose(&p);
    if (pr.ones != 1 || find(t, &pr.at, pr.bit))
        return;
    struct feature *f = realloc(t->f, (size_t)(t->n + 1) * sizeof(*f));
    if (!f)
        return;
    t->f = f;
    f[t->n].at = pr.at;
    f[t->n].bit = pr.bit;
    snprintf(f[t->n].lv, sizeof(f[t->n].lv), "%s", lv);
    t->n++;
}

static void learn_all(struct table *t)
{
    size_t nl = sizeof(legacy_names) / sizeof(legacy_names[0]);
    size_t nf = sizeof(featureset_names) / sizeof(featureset_names[0]);

    for (size_t i = 0; i < nl; i++)
        learn(t, legacy_names[i]);
    for (size_t i = 0; i < nf; i++) {
        char name[48];
        size_t j;
        for (j = 0; featureset_names[i][j] && j + 1 < sizeof(name); j++) {
            char ch = featureset_names[i][j];
            name[j] = ch == '_' ? '-' :
                      ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
        }
        name[j] = '\0';
        learn(t, name);
    }
}

/* ---- writing ---- */

struct writer {
    struct lvo *o;
    struct table t;
    int written;
};

static const char *reg_name(const struct where *at)
{
    static const char *const regs[] = {"eax", "ebx", "ecx", "edx"};
    return at->msr ? "" : regs[at->reg];
}

static void describe(char *buf, size_t size, const struct where *at)
{
    if (at->msr)
        snprintf(buf, size, "MSR %#llx", at->leaf);
    else if (at->sub >= 0)
        snprintf(buf, size, "leaf %#llx subleaf %#llx %s", at->leaf,
                 at->sub, reg_name(at));
    else
        snprintf(buf, size, "leaf %#llx %s", at->leaf, reg_name(at));
}

static void feature(struct writer *w, const char *policy, const char *name)
{
    lvo_put(w->o, "    <feature policy='%s'", policy);
    lvo_attr(w->o, "name", name);
    lvo_put(w->o, "/>\n");
    w->written++;
}

static void write_reg(void *ctx, const struct where *at, const char *bits,
                      int len)
{
    struct writer *w = ctx;
    char where[96], lost[256] = "", host[256] = "";
    bool any = false;

    describe(where, sizeof(where), at);
    for (int k = 0; k < len; k++) {
        int bit = len - 1 - k;
        const struct feature *f;
        if (bits[k] == 'x')
            continue;
        any = true;
        f = find(&w->t, at, bit);
        if (!f) {
            size_t l = strlen(lost);
            snprintf(lost + l, sizeof(lost) - l, "%s%d", l ? ", " : "", bit);
            continue;
        }
        if (bits[k] == '1' || bits[k] == '0') {
            feature(w, bits[k] == '1' ? "force" : "disable", f->lv);
        } else {
            size_t l = strlen(host);
            feature(w, "optional", f->lv);
            snprintf(host + l, sizeof(host) - l, "%s%s", l ? ", " : "",
                     f->lv);
        }
    }
    if (!any) {
        /* Every bit at its default: the register's presence is all
         * there is to keep. */
        for (int bit = 0; bit < len; bit++) {
            const struct feature *f = find(&w->t, at, bit);
            if (f) {
                feature(w, "optional", f->lv);
                return;
            }
        }
        lvo_warn(w->o, "cpuid: %s is given with every bit at its default "
                 "and is not written: no feature name libvirt knows is in "
                 "it", where);
    }
    if (lost[0])
        lvo_warn(w->o, "cpuid: %s bit(s) %s are not written: no feature name "
                 "libvirt knows stands for them", where, lost);
    if (host[0])
        lvo_warn(w->o, "cpuid: %s (the host's value, 'k' or 's') are written "
                 "as optional, which libvirt reads back as 'x' (the "
                 "default)", host);
}

int lvo_cpuid_features(struct lvo *o)
{
    libxl_cpuid_policy_list p = o->c->b_info.cpuid;
    struct writer w = {.o = o};
    yajl_val tree;

    if (!p)
        return 0;
    if (!(tree = policy_tree(&p))) {
        lvo_warn(o, "cpuid: the policy could not be read; it is not "
                 "written");
        return 0;
    }
    learn_all(&w.t);
    each_register(tree, write_reg, &w);
    yajl_tree_free(tree);
    free(w.t.f);
    return w.written;
}
