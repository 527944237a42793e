/* rv_push_need.h: whether a product must be pushed, decided from what
 * change detection knows of it (no database, no Apache). */
#ifndef RV_PUSH_NEED_H
#define RV_PUSH_NEED_H

typedef struct {
    int eligible;               /* in the shop, sync on, allowed category, enabled */
    int listed;                 /* has a listing id whose listing is not ended */
    const char *hash;           /* the update body's hash now; NULL: cannot be mapped */
    const char *pushed_hash;    /* as last pushed (NULL: never, or forgotten) */
    const char *photos_now;     /* the photo list's hash now (NULL: none) */
    const char *photos_pushed;  /* as last pushed */
    int sync_images;            /* photos are synced */
    int end_sold_out;           /* a listed one-of-a-kind item sold out: end it */
} rv_push_need_in_t;

typedef enum {
    RV_NEED_NONE,               /* up to date: nothing to send */
    RV_NEED_PUSH,               /* create, update or relist */
    RV_NEED_UNMAPPABLE,         /* eligible but cannot be mapped: the push logs why */
    RV_NEED_END                 /* listed but no longer eligible: end the listing */
} rv_push_need_t;

rv_push_need_t rv_push_need(const rv_push_need_in_t *in);

/* The push job's own check: a listed product whose body and photos hash
 * as last pushed sends nothing. */
int rv_push_unchanged(int listed, const char *hash, const char *pushed_hash,
                      const char *photos_now, const char *photos_pushed);

#endif
