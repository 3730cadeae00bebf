/* xsc_txn.c - transactions, run again when the commit meets a conflict. */
#include "xsc_int.h"

int xsc_transaction(struct xsc *x, xsc_txn_body *body, void *arg,
                    unsigned max_tries, struct xn_msg *msg)
{
    if (x->in_txn)
        return xn_msg_set(msg, XN_EINVAL, "xenstore: transactions do not "
                          "nest");
    if (max_tries == 0)
        max_tries = 1;
    for (unsigned try = 0; try < max_tries; try++) {
        int rc = x->ops->txn_begin(x->be, msg);
        if (rc < 0)
            return rc;
        x->in_txn = true;
        rc = body(x, arg, msg);
        if (rc < 0) {
            x->ops->txn_end(x->be, true, NULL);
            x->in_txn = false;
            return rc;
        }
        rc = x->ops->txn_end(x->be, false, msg);
        x->in_txn = false;
        if (rc != XN_EBUSY)
            return rc;
        x->conflicts++;
    }
    return xn_msg_set(msg, XN_EBUSY, "xenstore: a transaction met a "
                      "conflict %u times in a row; giving up", max_tries);
}

unsigned xsc_conflicts(const struct xsc *x)
{
    return x->conflicts;
}
