/* rv_route.h: the request context every route handler receives, and the
 * handlers the route table in mod_reverb.c dispatches to. */
#ifndef RV_ROUTE_H
#define RV_ROUTE_H

#include "httpd.h"
#include "rv_conf.h"
#include "rv_db.h"
#include "rv_settings.h"
#include "rv_http.h"
#include <json-c/json.h>

typedef struct {
    request_rec *r;
    rv_conf_t *conf;
    rv_db_t *db;                /* NULL for routes that need no database */
    rv_settings_t *settings;    /* loaded before the handler runs (when db) */
    const char *base_url;       /* absolute URL of the <Location>, no trailing slash */
    long long id;               /* numeric path parameter ("#"), if any */
    const char *tail;           /* rest of the path for "*" routes */
    long long user_id;          /* admin routes: the OpenCart user */
    int can_modify;             /* admin routes: the user's group has modify permission */
    const char *base_path;      /* path of the <Location>, no trailing slash */
    const char *key;            /* key routes: the key the caller brought */
} rv_req_t;

typedef int (*rv_route_fn)(rv_req_t *q);

/* Every handler rv_route_X lives in src/routes/X.c: the table in mod_reverb.c
 * leads to the file in one hop (the order panel's two, rv_route_order_info and
 * rv_route_order_ship, share routes/orders.c). */
int rv_route_status(rv_req_t *q);
int rv_route_settings(rv_req_t *q);
int rv_route_test_connection(rv_req_t *q);
int rv_route_categories(rv_req_t *q);
int rv_route_conditions(rv_req_t *q);
int rv_route_category_map(rv_req_t *q);
int rv_route_product(rv_req_t *q);
int rv_route_log(rv_req_t *q);
int rv_route_keys_regenerate(rv_req_t *q);
int rv_route_asset(rv_req_t *q);
int rv_route_product_sync(rv_req_t *q);
int rv_route_sync(rv_req_t *q);
int rv_route_orders_import(rv_req_t *q);
int rv_route_order_info(rv_req_t *q);
int rv_route_order_ship(rv_req_t *q);
int rv_route_webhook(rv_req_t *q);
int rv_route_webhooks_admin(rv_req_t *q);
int rv_route_products(rv_req_t *q);
int rv_route_products_bulk(rv_req_t *q);
int rv_route_reconcile(rv_req_t *q);
int rv_route_reconcile_fix(rv_req_t *q);
int rv_route_shipping_providers(rv_req_t *q);
int rv_route_shipping_profiles(rv_req_t *q);
int rv_route_listing_preview(rv_req_t *q);
int rv_route_cron(rv_req_t *q);
int rv_route_stock_changed(rv_req_t *q);

#endif
