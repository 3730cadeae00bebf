/*
 * test_xsd_share.c - the nodes a tree shares with others (xsd_node.c's
 * copy on write), on the tree layer: random operations on a tree and on
 * trees sharing its nodes must each give what a tree built apart with the
 * same operations gives, and sharing must leave no node behind.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_testlib.h"

/* Everything a tree shows, in order: "path=value owner:perms..." lines.
 * Generations are left out: trees built apart count them apart. */
static void dump_node(FILE *f, const struct xsd_node *n, char *path,
                      size_t len)
{
    fprintf(f, "%s=", len ? path : "/");
    if (n->len)
        fwrite(n->value, 1, n->len, f);
    for (unsigned i = 0; i < n->nperms; i++)
        fprintf(f, " %u:%u", (unsigned)n->perms[i].domid, n->perms[i].perms);
    fputc('\n', f);
    for (unsigned i = 0; i < n->nchildren; i++) {
        const char *name = n->children[i]->name;
        size_t l = strlen(name);

        path[len] = '/';
        memcpy(path + len + 1, name, l + 1);
        dump_node(f, n->children[i], path, len + 1 + l);
        path[len] = '\0';
    }
}

static char *dump(const struct xsd_tree *t)
{
    char path[XSD_PATH_BUF] = "", *buf = NULL;
    size_t size;
    FILE *f = open_memstream(&buf, &size);

    ck_assert_ptr_nonnull(f);
    dump_node(f, t->root, path, 0);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

/* Nodes of the subtree at n owned by domid. */
static unsigned count_owned(const struct xsd_node *n, uint32_t domid)
{
    unsigned count = n->perms[0].domid == domid;

    for (unsigned i = 0; i < n->nchildren; i++)
        count += count_owned(n->children[i], domid);
    return count;
}

struct logged_op {
    enum xsd_op_kind kind;
    char path[48];
    char value[8];
    struct xsd_perm perms[2];
};

/* One tree under test, and every operation it has seen since it was
 * created empty (a shared tree starts with its source's). */
struct ttree {
    struct xsd_tree t;
    struct logged_op *log;
    size_t nlog;
    bool live;
};

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
    rnd_state ^= rnd_state << 13;      /* xorshift64: fixed, repeatable */
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (unsigned)(rnd_state % n);
}

static struct xsd_op op_of(const struct logged_op *l)
{
    struct xsd_op op = {.kind = l->kind, .path = l->path};

    if (l->kind == XSD_OP_WRITE) {
        op.value = l->value;
        op.len = strlen(l->value);
    } else if (l->kind == XSD_OP_PERMS) {
        op.perms = l->perms;
        op.nperms = 2;
    }
    return op;
}

/* A random operation on paths that collide often; /n gets up to 40
 * children, past the size at which a node indexes them (32), and goes
 * seldom. */
static struct logged_op random_op(void)
{
    static const enum xsd_op_kind kinds[] = {
        XSD_OP_WRITE, XSD_OP_WRITE, XSD_OP_WRITE, XSD_OP_MKDIR, XSD_OP_RM,
        XSD_OP_PERMS,
    };
    struct logged_op l = {.kind = kinds[rnd(6)]};
    int len = snprintf(l.path, sizeof(l.path), "/%s", rnd(4) ? "n" : "m");
    unsigned depth = rnd(64) ? 1 + rnd(3) : 0;

    if (depth > 0)
        len += snprintf(l.path + len, sizeof(l.path) - (size_t)len, "/%u",
                        rnd(40));
    for (unsigned i = 1; i < depth; i++)
        len += snprintf(l.path + len, sizeof(l.path) - (size_t)len, "/%c",
                        'a' + rnd(3));
    snprintf(l.value, sizeof(l.value), "v%u", rnd(1000));
    l.perms[0] = (struct xsd_perm){rnd(4), XSD_PERM_NONE};
    l.perms[1] = (struct xsd_perm){rnd(4), XSD_PERM_READ};
    return l;
}

static int tt_apply(struct ttree *tt, const struct logged_op *l)
{
    struct xsd_caller dom0 = {.domid = 0};
    struct xsd_op op = op_of(l);

    tt->log = realloc(tt->log, (tt->nlog + 1) * sizeof(*tt->log));
    ck_assert_ptr_nonnull(tt->log);
    tt->log[tt->nlog++] = *l;
    return xsd_tree_apply(&tt->t, &dom0, &op);
}

/* The tree must show what a tree built apart from its log shows, and
 * each operation must have given the same result there. */
static void tt_check(const struct ttree *tt, const int *rcs)
{
    struct xsd_caller dom0 = {.domid = 0};
    struct xsd_tree ref;
    uint64_t gen = 0;
    char *a, *b;

    ck_assert_int_eq(xsd_tree_init(&ref, &gen), 0);
    for (size_t i = 0; i < tt->nlog; i++) {
        struct xsd_op op = op_of(&tt->log[i]);

        ck_assert_int_eq(xsd_tree_apply(&ref, &dom0, &op), rcs ? rcs[i] : 0);
    }
    a = dump(&tt->t);
    b = dump(&ref);
    ck_assert_str_eq(a, b);
    ck_assert_uint_eq(tt->t.nnodes, ref.nnodes);
    free(a);
    free(b);
    xsd_tree_dispose(&ref);
}

#define NTREES 4
#define NOPS 1200

/*
 * Random operations on a tree and on trees sharing its nodes (and one
 * sharing a sharing tree's): each must show exactly what a tree built
 * apart with the same operations shows; the store's tree counts its
 * owners right; once the sharing trees go, only the store's nodes are
 * left, and none once it goes too.
 */
START_TEST(tree_sharing)
{
    struct ttree tt[NTREES] = {0};
    int *rcs[NTREES] = {0};
    uint64_t gen = 0;
    size_t live = 0;

    ck_assert_int_eq(xsd_tree_init_counted(&tt[0].t, &gen, &live), 0);
    tt[0].live = true;
    for (int step = 0; step < NOPS; step++) {
        struct logged_op l = random_op();
        int which = (int)rnd(NTREES), rc;

        /* Trees come (sharing a live one's nodes) and go. */
        if (step % 150 == 75) {
            int to = 1 + (int)rnd(NTREES - 1), from = (int)rnd(NTREES);

            if (!tt[from].live || from == to)
                from = 0;
            if (tt[to].live)
                xsd_tree_dispose(&tt[to].t);
            xsd_tree_share(&tt[to].t, &tt[from].t);
            free(tt[to].log);
            free(rcs[to]);
            tt[to].nlog = tt[from].nlog;
            tt[to].log = malloc((tt[to].nlog + 1) * sizeof(*tt[to].log));
            rcs[to] = malloc((tt[to].nlog + 1) * sizeof(int));
            ck_assert(tt[to].log && rcs[to]);
            memcpy(tt[to].log, tt[from].log, tt[to].nlog * sizeof(*tt->log));
            memcpy(rcs[to], rcs[from], tt[to].nlog * sizeof(int));
            tt[to].live = true;
        }
        if (!tt[which].live)
            which = 0;
        rc = tt_apply(&tt[which], &l);
        rcs[which] = realloc(rcs[which], tt[which].nlog * sizeof(int));
        ck_assert_ptr_nonnull(rcs[which]);
        rcs[which][tt[which].nlog - 1] = rc;
        if (step % 100 == 99)
            for (int i = 0; i < NTREES; i++)
                if (tt[i].live)
                    tt_check(&tt[i], rcs[i]);
    }
    for (uint32_t d = 0; d < 4; d++)
        ck_assert_uint_eq(tt[0].t.owned[d], count_owned(tt[0].t.root, d));
    for (int i = 1; i < NTREES; i++)
        if (tt[i].live)
            xsd_tree_dispose(&tt[i].t);
    ck_assert_uint_eq(live, tt[0].t.nnodes);
    tt_check(&tt[0], rcs[0]);
    xsd_tree_dispose(&tt[0].t);
    ck_assert_uint_eq(live, 0);
    for (int i = 0; i < NTREES; i++) {
        free(tt[i].log);
        free(rcs[i]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xsd_share");
    TCase *tc = tcase_create("xsd_share");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tree_sharing);
    suite_add_tcase(s, tc);
    return xsdt_run(s);
}
