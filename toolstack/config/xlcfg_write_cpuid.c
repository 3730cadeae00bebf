/*
 * xlcfg_write_cpuid.c - the guest's CPUID policy (cpuid =).
 *
 * libxl keeps its policy opaque; its JSON form lists CPUID entries (leaf,
 * subleaf, the 32-character policy of each register set) and MSR entries
 * (index, a 64-character policy).  xl.cfg has two forms, never mixed:
 *   - xend's list, "leaf[,subleaf]:eax=...,ebx=...", one item an entry,
 *     sets any CPUID register to any policy but has no MSRs; it is used
 *     whenever the policy has no MSR entry;
 *   - libxl's string, "host,NAME=VALUE,...", the only one that reaches
 *     MSRs (feature names such as rdcl-no set bits of MSR 0x10a), but only
 *     through named features.  With MSR entries the policy is written this
 *     way: for each entry in order (so the entries are made in the same
 *     order), each set bit is given by a name that sets it, with the value
 *     that makes all the bits the name touches what they are.  What each
 *     name does is asked of libxl itself (xlw_cpuid_names lists them), and
 *     the string is parsed back and compared before it is written; a
 *     policy it cannot reproduce is refused, naming the bit.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "config/xlcfg_write_int.h"

#include <libxl_json.h>

static const char *const regs[] = {"eax", "ebx", "ecx", "edx"};

/* The policy as libxl's JSON text (malloc'd; NULL on failure). */
static char *policy_json(libxl_cpuid_policy_list *p)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    char *text = NULL;

    if (!g)
        return NULL;
    if (libxl_cpuid_policy_list_gen_json(g, p) == yajl_gen_status_ok &&
        yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        text = strndup((const char *)buf, len);
    yajl_gen_free(g);
    return text;
}

/* The same, parsed (yajl_tree_free it). */
static yajl_val policy_tree(libxl_cpuid_policy_list *p)
{
    char *text = policy_json(p);
    yajl_val tree = text ? yajl_tree_parse(text, NULL, 0) : NULL;

    free(text);
    return tree;
}

static long long get_int(yajl_val obj, const char *key, long long absent)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_number);

    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : absent;
}

static const char *get_str(yajl_val obj, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

static yajl_val get_array(yajl_val tree, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(tree, path, yajl_t_array);

    return v && YAJL_GET_ARRAY(v)->len ? v : NULL;
}

/* ---- xend's list form (no MSRs) ---- */

/* "leaf[,subleaf]:eax=...,ebx=..." of one entry of the JSON. */
static char *xend_entry(yajl_val e)
{
    long long leaf = get_int(e, "leaf", -1), sub = get_int(e, "subleaf", -1);
    char *text = NULL;
    size_t len = 0;
    FILE *f;
    bool any = false;

    if (leaf < 0 || !(f = open_memstream(&text, &len)))
        return NULL;
    fprintf(f, "%#llx", (unsigned long long)leaf);
    if (sub >= 0)
        fprintf(f, ",%#llx", (unsigned long long)sub);
    fputc(':', f);
    for (int r = 0; r < 4; r++) {
        const char *v = get_str(e, regs[r]);
        if (v) {
            fprintf(f, "%s%s=%s", any ? "," : "", regs[r], v);
            any = true;
        }
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void write_xend(struct xlw *w, yajl_val leaves)
{
    struct xlw_list l;

    xlw_list_start(w, &l);
    for (size_t i = 0; leaves && i < YAJL_GET_ARRAY(leaves)->len; i++) {
        char *entry = xend_entry(YAJL_GET_ARRAY(leaves)->values[i]);
        if (!entry)
            xlw_fail(w, "cpuid: entry %zu could not be read", i + 1);
        xlw_list_add(&l, entry);
        free(entry);
    }
    xlw_list_end(&l, "cpuid", false);
}

/* ---- libxl's string form (with MSRs) ---- */

/*
 * What one name sets, found by giving libxl "NAME=1" alone: the entry it
 * makes (a CPUID leaf/subleaf and register, or an MSR index) and the
 * register it leaves, whose characters other than 'x' are the bits the
 * name touches.
 */
struct cname {
    const char *name;
    bool msr;
    long long leaf, sub;    /* msr: leaf is the index; sub -1 */
    int reg;                /* 0-3 for eax-edx; msr: -1 */
    char touch[65];
};

/* libxl's policy after the items; NULL when libxl refuses one or is out of
 * memory.  The caller disposes of it. */
static libxl_cpuid_policy_list apply(char *const *items, int n)
{
    libxl_cpuid_policy_list p = NULL;

    for (int i = 0; i < n; i++)
        if (libxl_cpuid_parse_config(&p, items[i]) != 0) {
            libxl_cpuid_dispose(&p);
            return NULL;
        }
    return p;
}

/* The register string the single item `item` leaves in the one entry it
 * makes, into out (65 bytes) with where it is; false if none. */
static bool probe(const char *item, struct cname *c, char *out)
{
    char *it = (char *)item;
    libxl_cpuid_policy_list p = apply(&it, 1);
    yajl_val tree = p ? policy_tree(&p) : NULL, arr, e;
    bool ok = false;

    libxl_cpuid_dispose(&p);
    if (!tree)
        return false;
    if ((arr = get_array(tree, "msr"))) {
        e = YAJL_GET_ARRAY(arr)->values[0];
        c->msr = true;
        c->leaf = get_int(e, "index", -1);
        c->sub = -1;
        c->reg = -1;
        const char *s = get_str(e, "policy");
        if (s && strlen(s) == 64) {
            strcpy(out, s);
            ok = true;
        }
    } else if ((arr = get_array(tree, "cpuid"))) {
        e = YAJL_GET_ARRAY(arr)->values[0];
        c->msr = false;
        c->leaf = get_int(e, "leaf", -1);
        c->sub = get_int(e, "subleaf", -1);
        for (int r = 0; r < 4 && !ok; r++) {
            const char *s = get_str(e, regs[r]);
            if (s && strlen(s) == 32) {
                c->reg = r;
                strcpy(out, s);
                ok = true;
            }
        }
    }
    yajl_tree_free(tree);
    return ok;
}

/* Every name libxl knows, with what it sets (malloc'd array, *n_r). */
static struct cname *learn_names(int *n_r)
{
    struct cname *cs = calloc(xlw_ncpuid_names, sizeof(*cs));
    char item[64];
    int n = 0;

    for (size_t i = 0; cs && i < xlw_ncpuid_names; i++) {
        struct cname *c = &cs[n];
        snprintf(item, sizeof(item), "%s=1", xlw_cpuid_names[i]);
        c->name = xlw_cpuid_names[i];
        if (probe(item, c, c->touch))
            n++;
    }
    *n_r = n;
    return cs;
}

/* Does "NAME=val" leave target's characters on the bits c touches? */
static bool value_fits(const struct cname *c, const char *val,
                       const char *target)
{
    struct cname got;
    char item[96], reg[65];

    snprintf(item, sizeof(item), "%s=%s", c->name, val);
    if (!probe(item, &got, reg))
        return false;
    for (size_t i = 0; c->touch[i]; i++)
        if (c->touch[i] != 'x' && reg[i] != target[i])
            return false;
    return true;
}

/* The value for c that gives target on its bits, into val; false if none.
 * One character, else the number its bits spell when they are one run,
 * else (model, family: split fields) a search of the numbers. */
static bool find_value(const struct cname *c, const char *target,
                       char *val, size_t len)
{
    static const char *const chars[] = {"1", "0", "x", "k", "s"};
    int first = -1, last = -1, bits = 0;
    bool run = true;

    for (size_t i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
        if (value_fits(c, chars[i], target)) {
            snprintf(val, len, "%s", chars[i]);
            return true;
        }
    for (int i = 0; c->touch[i]; i++)
        if (c->touch[i] != 'x') {
            if (first >= 0 && last != i - 1)
                run = false;
            if (first < 0)
                first = i;
            last = i;
            bits++;
        }
    if (c->msr || bits < 2)
        return false;
    if (run) {
        unsigned long long v = 0;
        for (int i = first; i <= last; i++) {
            if (target[i] != '0' && target[i] != '1')
                return false;
            v = v << 1 | (unsigned long long)(target[i] - '0');
        }
        snprintf(val, len, "%llu", v);
        return value_fits(c, val, target);
    }
    for (int v = 0; v < 512; v++) {
        snprintf(val, len, "%d", v);
        if (value_fits(c, val, target))
            return true;
    }
    return false;
}

struct strform {
    struct xlw *w;
    struct cname *names;
    int nnames;
    char **items;   /* "NAME=VALUE", owned */
    int n;
};

static void add_item(struct strform *s, const char *name, const char *val)
{
    char **items = realloc(s->items, (size_t)(s->n + 1) * sizeof(*items));

    if (!items || asprintf(&items[s->n], "%s=%s", name, val) < 0) {
        if (items)
            s->items = items;
        xlw_fail(s->w, "out of memory");
        return;
    }
    s->items = items;
    s->n++;
}

/* Items that make one register (CPUID reg 0-3, or the MSR: reg -1) of the
 * entry at leaf/sub what target says; `what` names it in messages. */
static void write_register(struct strform *s, bool msr, long long leaf,
                           long long sub, int reg, const char *target,
                           const char *what)
{
    size_t len = strlen(target);
    char covered[65] = "", val[32];
    bool any = false;

    memset(covered, 0, sizeof(covered));
    for (size_t i = 0; i <= len; i++) {
        /* i == len: a register with no bit set still needs making. */
        if (i < len && (target[i] == 'x' || covered[i]))
            continue;
        if (i == len && any)
            break;
        bool done = false;
        for (int k = 0; k < s->nnames && !done; k++) {
            const struct cname *c = &s->names[k];
            if (c->msr != msr || c->leaf != leaf || c->sub != sub ||
                c->reg != reg || strlen(c->touch) != len ||
                (i < len && c->touch[i] == 'x') ||
                !find_value(c, target, val, sizeof(val)))
                continue;
            add_item(s, c->name, val);
            for (size_t j = 0; j < len; j++)
                if (c->touch[j] != 'x')
                    covered[j] = 1;
            done = any = true;
        }
        if (!done) {
            if (i < len)
                xlw_fail(s->w, "cpuid: %s bit %zu ('%c') is set by no "
                         "feature name, and the MSRs need libxl's string "
                         "form", what, len - 1 - i, target[i]);
            else
                xlw_fail(s->w, "cpuid: %s is set with no bit given, which "
                         "no feature name does", what);
            return;
        }
    }
}

static void cpuid_entries(struct strform *s, yajl_val leaves)
{
    char what[64];

    for (size_t i = 0; leaves && i < YAJL_GET_ARRAY(leaves)->len; i++) {
        yajl_val e = YAJL_GET_ARRAY(leaves)->values[i];
        long long leaf = get_int(e, "leaf", -1);
        long long sub = get_int(e, "subleaf", -1);
        bool any = false;

        for (int r = 0; r < 4; r++) {
            const char *t = get_str(e, regs[r]);
            if (!t)
                continue;
            if (sub >= 0)
                snprintf(what, sizeof(what), "leaf %#llx,%#llx %s", leaf,
                         sub, regs[r]);
            else
                snprintf(what, sizeof(what), "leaf %#llx %s", leaf, regs[r]);
            write_register(s, false, leaf, sub, r, t, what);
            any = true;
        }
        if (!any)
            xlw_fail(s->w, "cpuid: leaf %#llx has no register set, which "
                     "libxl's string form (needed for the MSRs) cannot "
                     "write", leaf);
    }
}

static void msr_entries(struct strform *s, yajl_val msrs)
{
    char what[64];

    for (size_t i = 0; i < YAJL_GET_ARRAY(msrs)->len; i++) {
        yajl_val e = YAJL_GET_ARRAY(msrs)->values[i];
        long long index = get_int(e, "index", -1);
        const char *t = get_str(e, "policy");

        snprintf(what, sizeof(what), "MSR %#llx", index);
        if (!t || strlen(t) != 64) {
            xlw_fail(s->w, "cpuid: %s could not be read", what);
            continue;
        }
        write_register(s, true, index, -1, -1, t, what);
    }
}

static void write_string(struct xlw *w, libxl_cpuid_policy_list *p,
                         yajl_val leaves, yajl_val msrs)
{
    struct strform s = {.w = w};
    char *want = NULL, *got = NULL, *text = NULL;
    libxl_cpuid_policy_list back = NULL;
    size_t len = 0;
    FILE *f;

    s.names = learn_names(&s.nnames);
    if (!s.names) {
        xlw_fail(w, "out of memory");
        return;
    }
    cpuid_entries(&s, leaves);
    msr_entries(&s, msrs);
    if (w->rc == 0) {
        /* What xl will make of it must be the policy. */
        back = apply(s.items, s.n);
        want = policy_json(p);
        got = back ? policy_json(&back) : NULL;
        if (!want || !got || strcmp(want, got) != 0)
            xlw_fail(w, "cpuid: the policy cannot be written in libxl's "
                     "string form (needed for the MSRs): it reads back "
                     "differently");
    }
    if (w->rc == 0 && (f = open_memstream(&text, &len))) {
        fputs("host", f);
        for (int i = 0; i < s.n; i++)
            fprintf(f, ",%s", s.items[i]);
        if (fclose(f) == 0)
            xlw_str(w, "cpuid", text);
        else
            xlw_fail(w, "out of memory");
    }
    free(text);
    free(want);
    free(got);
    libxl_cpuid_dispose(&back);
    for (int i = 0; i < s.n; i++)
        free(s.items[i]);
    free(s.items);
    free(s.names);
}

void xlw_cpuid(struct xlw *w)
{
    libxl_cpuid_policy_list p = w->dc->b_info.cpuid;
    yajl_val tree, leaves, msrs;

    if (!p)
        return;
    if (!(tree = policy_tree(&p))) {
        xlw_fail(w, "cpuid: the policy could not be read");
        return;
    }
    leaves = get_array(tree, "cpuid");
    msrs = get_array(tree, "msr");
    if (msrs)
        write_string(w, &p, leaves, msrs);
    else
        write_xend(w, leaves);
    yajl_tree_free(tree);
}
