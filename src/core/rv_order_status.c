/* rv_order_status.c: see rv_order_status.h. */
#include "rv_order_status.h"

#include <stddef.h>
#include <string.h>

#define RV_ORDER_ITEM_(s) s
#define RV_ORDER_COMMA_ ,

static int rv_in(const char *s, const char *const *list, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

#define RV_IN(s, list) rv_in((s), (list), sizeof(list) / sizeof((list)[0]))

rv_order_class_t rv_order_classify(const char *status)
{
    static const char *const paid[] = { "paid", "shipped", "picked_up", "received", "partially_paid" };
    static const char *const wait[] = { "unpaid", "payment_pending", "pending_review", "blocked" };
    static const char *const cancelled[] = {
        RV_ORDER_CANCELLED_LIST(RV_ORDER_ITEM_, RV_ORDER_COMMA_)
    };
    if (!status)
        return RV_ORDER_UNKNOWN;
    if (RV_IN(status, paid))
        return RV_ORDER_PAID;
    if (RV_IN(status, wait))
        return RV_ORDER_WAIT;
    if (RV_IN(status, cancelled))
        return RV_ORDER_CANCELLED;
    return RV_ORDER_UNKNOWN;
}

int rv_order_is_shipped(const char *status)
{
    static const char *const shipped[] = { "shipped", "picked_up", "received" };
    return status && RV_IN(status, shipped);
}

const char *rv_order_status_words(const char *status)
{
    /* the language file's text_order_status_* words, lower case to sit in
     * a sentence */
    static const char *const words[][2] = {
        { "unpaid", "unpaid" }, { "payment_pending", "payment pending" },
        { "pending_review", "pending review by Reverb" }, { "blocked", "blocked by Reverb" },
        { "partially_paid", "partially paid" }, { "paid", "paid, waiting to be shipped" },
        { "shipped", "shipped" }, { "picked_up", "picked up" },
        { "received", "received by the buyer" }, { "refunded", "refunded" },
        { "cancelled", "cancelled" }, { "canceled", "cancelled" },
    };
    size_t i;
    if (!status)
        return "unknown";
    for (i = 0; i < sizeof(words) / sizeof(*words); i++)
        if (!strcmp(status, words[i][0]))
            return words[i][1];
    return status;
}

const char *rv_order_default_status(const char *reverb_status)
{
    rv_order_class_t cls = rv_order_classify(reverb_status);
    if (!reverb_status)
        return NULL;
    if (!strcmp(reverb_status, "shipped") || !strcmp(reverb_status, "picked_up"))
        return "3";     /* Shipped */
    if (!strcmp(reverb_status, "received"))
        return "5";     /* Complete */
    if (!strcmp(reverb_status, "refunded"))
        return "11";    /* Refunded */
    if (cls == RV_ORDER_CANCELLED)
        return "7";     /* Canceled */
    if (cls == RV_ORDER_PAID)
        return RV_OC_PAID_STATUS;
    return NULL;
}

int rv_oc_status_committed_default(const char *status_id)
{
    static const char *const committed[] = { "1", "2", "3", "5", "12" };
    return status_id && RV_IN(status_id, committed);
}
