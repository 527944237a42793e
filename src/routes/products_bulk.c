/* POST /reverb/admin/products/bulk: one change for many products (the
 * Products tab's bulk actions).
 *
 *   {"product_ids": [...]} or {"filter": {the GET's keys}}
 *   "set": {sync_enabled, condition_uuid, reverb_category_uuid, handmade,
 *           upc_does_not_apply, offers_enabled}      and/or
 *   "action": "sync" | "end"
 *   -> {"matched", "changed", "queued"}
 *
 * Everything is validated before the first statement; the writes run in one
 * transaction, set-wise (the product ids travel as one JSON value through
 * JSON_TABLE), so enabling 5,000 products is a handful of statements.
 * "end" switches sync off and queues a push: the push engine ends the
 * listing of a product that is no longer synced, as when it is toggled off
 * on its product form. The pushes themselves run in the background. */
#include "rv_products.h"
#include "rv_queue.h"
#include "rv_change.h"
#include "rv_map.h"
#include "rv_json.h"
#include "rv_query.h"
#include "rv_shipping.h"

#include "http_log.h"
#include "http_protocol.h"
#include "apr_strings.h"
#include "apr_lib.h"

APLOG_USE_MODULE(reverb);

/* Up to this many products "sync" runs ahead of other listing work (the
 * admin waits for it), like the product form's "Sync now". */
#define RV_BULK_NOW_MAX 100

typedef struct {
    const char *key;        /* in "set", and the map column of the same name */
    int uuid;               /* a Reverb id (else a 0/1 flag) */
    int nullable;           /* null accepted: back to the shop's default */
    const char *dflt;       /* the value a product without a map row has (NULL = NULL) */
    int digits;             /* a Reverb shipping profile id (digits) */
} rv_set_key_t;

static const rv_set_key_t rv_set_keys[] = {
    { "sync_enabled",         0, 0, "0" },
    { "condition_uuid",       1, 1, NULL },
    { "reverb_category_uuid", 1, 1, NULL },
    { "handmade",             0, 0, "0" },
    { "upc_does_not_apply",   0, 0, "1" },
    { "offers_enabled",       0, 1, NULL },
    { "shipping_profile_id",  0, 1, NULL, 1 },      /* the product's shipping profile */
    { "local_pickup",         0, 1, NULL },
};
#define RV_NSET (sizeof(rv_set_keys) / sizeof(*rv_set_keys))

typedef struct {
    int given[RV_NSET];
    const char *value[RV_NSET];     /* NULL = SQL NULL */
} rv_set_t;

static const char *rv_parse_set(apr_pool_t *p, json_object *o, rv_set_t *set)
{
    memset(set, 0, sizeof(*set));
    if (!json_object_is_type(o, json_type_object))
        return "'set' must be an object of the fields to change.";
    json_object_object_foreach(o, key, val) {
        size_t i;
        const rv_set_key_t *k = NULL;
        for (i = 0; i < RV_NSET; i++)
            if (!strcmp(rv_set_keys[i].key, key)) {
                k = &rv_set_keys[i];
                break;
            }
        if (!k)
            return apr_psprintf(p, "'%s' cannot be set here (use sync_enabled, condition_uuid, "
                                   "reverb_category_uuid, handmade, upc_does_not_apply, "
                                   "offers_enabled, shipping_profile_id or local_pickup).", key);
        set->given[i] = 1;
        if (k->digits && val) {
            const char *s = json_object_is_type(val, json_type_string) ? json_object_get_string(val)
                          : json_object_is_type(val, json_type_int) ? json_object_to_json_string(val)
                          : NULL;
            if (!s || (*s && !rv_shipping_profile_id_ok(s)))
                return apr_psprintf(p, "'%s' must be the id of one of your Reverb shipping "
                                       "profiles (digits), or null.", key);
            set->value[i] = *s ? apr_pstrdup(p, s) : NULL;
        }
        else if (!val || (k->uuid && json_object_is_type(val, json_type_string)
                     && !*json_object_get_string(val))) {
            if (!k->nullable)
                return apr_psprintf(p, "'%s' must be 0 or 1.", key);
            set->value[i] = NULL;
        }
        else if (k->uuid) {
            const char *s = json_object_is_type(val, json_type_string)
                          ? json_object_get_string(val) : NULL;
            if (!s || !rv_uuid_valid(s))
                return apr_psprintf(p, "'%s' must be a Reverb id such as "
                                       "7c3f45de-2ae0-4c81-8400-fdb6b1d74890, or null.", key);
            set->value[i] = s;
        }
        else {
            json_object *wrap = json_object_new_object();
            int b, rc;
            json_object_object_add(wrap, "v", json_object_get(val));
            rc = rv_json_bool(wrap, "v", &b);
            json_object_put(wrap);
            if (rc)
                return apr_psprintf(p, k->nullable ? "'%s' must be 0, 1 or null."
                                                   : "'%s' must be 0 or 1.", key);
            set->value[i] = b ? "1" : "0";
        }
    }
    return NULL;
}

/* "[1,2,3]" from product_ids, validated; NULL with *err. */
static const char *rv_parse_ids(apr_pool_t *p, json_object *ids, const char **err, int *too_many)
{
    const char *text;
    *too_many = 0;
    if (!json_object_is_type(ids, json_type_array)) {
        *err = "'product_ids' must be a list of product ids.";
        return NULL;
    }
    if (json_object_array_length(ids) > RV_BULK_MAX) {
        *too_many = 1;
        return NULL;
    }
    if (!(text = rv_json_id_list(p, ids)))
        *err = "'product_ids' must be a list of product ids (positive whole numbers).";
    return text;
}

static int rv_too_many(request_rec *r, long long n)
{
    return rv_http_error(r, HTTP_REQUEST_ENTITY_TOO_LARGE, "too_many_products",
        n > 0 ? apr_psprintf(r->pool, "That selection has %s products; one change can cover at "
                             "most %d. Narrow the filter (for example by category or "
                             "manufacturer) and apply the change in parts.",
                             rv_i64(r->pool, n), RV_BULK_MAX)
              : apr_psprintf(r->pool, "One change can cover at most %d products. Select fewer "
                             "and apply the change in parts.", RV_BULK_MAX));
}

static int rv_db_failed(rv_req_t *q)
{
    rv_db_rollback(q->db);
    return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                         "Nothing was changed: the shop database could not complete the change. "
                         "Try again shortly.");
}

#define RV_IDS(alias) " JSON_TABLE(%s, '$[*]' COLUMNS (id BIGINT PATH '$')) " alias
#define RV_BULK_LISTED "(m.reverb_listing_id IS NOT NULL AND m.reverb_listing_id <> ''" \
                       " AND COALESCE(m.listing_state, '') <> 'ended')"

/* The request, validated. */
typedef struct {
    const char *ids_in;     /* product_ids as "[1,2,3]", or NULL: by filter */
    rv_pfilter_t f;
    rv_set_t set;
    int have_set;
    const char *action;     /* "sync", "end" or NULL */
} rv_bulk_req_t;

/* Everything is validated before the first statement: a refusal writes
 * nothing. 0, or 1 with *resp the refusal sent. */
#define RV_REFUSE(answer) do { *resp = (answer); return 1; } while (0)
static int rv_bulk_parse(request_rec *r, json_object *in, rv_bulk_req_t *b, int *resp)
{
    apr_pool_t *p = r->pool;
    json_object *v;
    const char *err = NULL;
    int too_many = 0;
    size_t i;
    memset(b, 0, sizeof(*b));
    json_object_object_foreach(in, key, val) {
        if (strcmp(key, "product_ids") && strcmp(key, "filter") && strcmp(key, "set")
            && strcmp(key, "action"))
            RV_REFUSE(rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request",
                apr_psprintf(p, "'%s' is not understood here (use product_ids or filter, "
                                "and set and/or action).", key)));
        (void)val;
    }
    if (json_object_object_get_ex(in, "product_ids", &v)
        == json_object_object_get_ex(in, "filter", NULL))
        RV_REFUSE(rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request",
                             "Send either 'product_ids' (a list) or 'filter' (the product list's "
                             "filters), not both and not neither."));
    if (v) {
        if (!(b->ids_in = rv_parse_ids(p, v, &err, &too_many)))
            RV_REFUSE(too_many ? rv_too_many(r, (long long)json_object_array_length(v))
                            : rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request", err));
    }
    else {
        json_object_object_get_ex(in, "filter", &v);
        if ((err = rv_pfilter_from_json(p, &b->f, v)))
            RV_REFUSE(rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request", err));
    }
    if (json_object_object_get_ex(in, "set", &v)) {
        if (!v || (err = rv_parse_set(p, v, &b->set)))
            RV_REFUSE(rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request",
                                 err ? err : "'set' must be an object of the fields to change."));
        for (i = 0; i < RV_NSET; i++)
            b->have_set |= b->set.given[i];
    }
    if (json_object_object_get_ex(in, "action", &v)) {
        b->action = v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        if (strcmp(b->action, "sync") && strcmp(b->action, "end"))
            RV_REFUSE(rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request",
                                 "'action' must be \"sync\" or \"end\"."));
    }
    if (!b->have_set && !b->action)
        RV_REFUSE(rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request",
                             "Nothing to do: send 'set' with at least one field, or an 'action'."));
    if (b->action && !strcmp(b->action, "end")) {
        /* ending a listing is switching its sync off (else the next sync relists it) */
        if (b->set.given[0] && !strcmp(b->set.value[0], "1"))
            RV_REFUSE(rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request",
                                 "Ending the listings switches their sync off: "
                                 "do not also set sync_enabled to 1."));
        b->set.given[0] = 1;
        b->set.value[0] = "0";
        b->have_set = 1;
    }
    *resp = 0;
    return 0;
}
#undef RV_REFUSE

/* The selection, inside the transaction: *matched products, *ids their
 * ids (NULL when more than RV_BULK_MAX). -1 on a database error. */
static int rv_bulk_select(rv_req_t *q, const rv_bulk_req_t *b, long long *matched,
                          const char **ids)
{
    apr_pool_t *p = q->r->pool;
    rv_rows_t *rows;
    if (!b->ids_in) {
        apr_array_header_t *args = apr_array_make(p, 12, sizeof(const char *));
        const char *from;
        APR_ARRAY_PUSH(args, const char *) = apr_itoa(p, RV_BULK_MAX);  /* the first %s */
        from = rv_pfilter_sql(p, &b->f, rv_products_language(q), args);
        if (rv_db_query(q->db, p, &rows, apr_pstrcat(p,
                "SELECT COUNT(*) AS n, IF(COUNT(*) <= %s, JSON_ARRAYAGG(p.product_id), NULL) AS ids",
                from, NULL), (const char **)args->elts, args->nelts) || rows->nrows != 1)
            return -1;
    }
    else if (rv_db_query(q->db, p, &rows,
            "SELECT COUNT(*) AS n, JSON_ARRAYAGG(p.product_id) AS ids FROM {P}product p"
            " WHERE p.product_id IN (SELECT j.id FROM" RV_IDS("j") ")",
            RV_ARGS(b->ids_in)) || rows->nrows != 1) {
        return -1;
    }
    *matched = rv_row_int(rows, 0, "n", 0);
    *ids = rv_row_get(rows, 0, "ids");
    return 0;
}

/* Which products really change (a missing map row has the defaults), and
 * their new flags. -1 on a database error. */
static int rv_bulk_apply_set(rv_req_t *q, const rv_set_t *set, const char *ids,
                             long long *changed, const char **changed_ids)
{
    apr_pool_t *p = q->r->pool;
    const char *diff = "", *keys[RV_NSET], *vals[RV_NSET];
    int nkeys = 0;
    apr_array_header_t *dargs = apr_array_make(p, 8, sizeof(const char *));
    rv_rows_t *rows;
    size_t i;
    APR_ARRAY_PUSH(dargs, const char *) = ids;
    for (i = 0; i < RV_NSET; i++) {
        const rv_set_key_t *k = &rv_set_keys[i];
        if (!set->given[i])
            continue;
        diff = apr_pstrcat(p, diff, *diff ? " OR " : "",
                           k->dflt ? apr_psprintf(p, "NOT (COALESCE(m.%s, %s) <=> %%s)",
                                                  k->key, k->dflt)
                                   : apr_psprintf(p, "NOT (m.%s <=> %%s)", k->key), NULL);
        APR_ARRAY_PUSH(dargs, const char *) = set->value[i];
        keys[nkeys] = k->key;
        vals[nkeys++] = set->value[i];
    }
    if (rv_db_query(q->db, p, &rows, apr_pstrcat(p,
            "SELECT COUNT(*) AS n, JSON_ARRAYAGG(j.id) AS ids FROM" RV_IDS("j"),
            " LEFT JOIN {P}reverb_product_map m ON m.product_id = j.id WHERE ", diff, NULL),
            (const char **)dargs->elts, dargs->nelts) || rows->nrows != 1)
        return -1;
    *changed = rv_row_int(rows, 0, "n", 0);
    *changed_ids = rv_row_get(rows, 0, "ids");
    if (*changed > 0 && rv_map_set_flags_many(q->db, p, *changed_ids, keys, vals, nkeys))
        return -1;
    return 0;
}

/* Pushes for the products in src (a JSON array of ids) that are synced or
 * still listed (the push creates, updates or ends); *fresh_ids: the ones
 * new on Reverb, held to be matched together after the commit. -1 on a
 * database error. */
static int rv_bulk_queue(rv_req_t *q, const char *action, const char *src, long long *queued,
                         const char **fresh_ids)
{
    apr_pool_t *p = q->r->pool;
    rv_rows_t *rows;
    const char *qids;
    if (rv_db_query(q->db, p, &rows,
            "SELECT COUNT(*) AS n, JSON_ARRAYAGG(m.product_id) AS ids"
            " FROM {P}reverb_product_map m JOIN" RV_IDS("j") " ON j.id = m.product_id"
            " WHERE m.sync_enabled = 1 OR " RV_BULK_LISTED, RV_ARGS(src))
        || rows->nrows != 1)
        return -1;
    *queued = rv_row_int(rows, 0, "n", 0);
    qids = rv_row_get(rows, 0, "ids");
    if (*queued > 0 && rv_queue_add_many(q->db, p, "push", qids,
            action && !strcmp(action, "sync") && *queued <= RV_BULK_NOW_MAX
            ? RV_PRIO_NOW : RV_PRIO_NORMAL))
        return -1;
    if (*queued > 0) {
        if (rv_db_query(q->db, p, &rows,
                "SELECT JSON_ARRAYAGG(CAST(m.product_id AS CHAR)) AS ids"
                " FROM {P}reverb_product_map m JOIN" RV_IDS("j") " ON j.id = m.product_id"
                " WHERE m.sync_enabled = 1 AND m.reverb_listing_id IS NULL",
                RV_ARGS(qids)) || rows->nrows != 1)
            return -1;
        *fresh_ids = rv_row_get(rows, 0, "ids");
        if (*fresh_ids && rv_queue_hold_for_run(q->db, p, "push", *fresh_ids, 0,
                                                RV_CHANGE_MATCH_HOLD_S) < 0)
            return -1;
    }
    return 0;
}

static void rv_bulk_match_fresh(rv_req_t *q, const char *fresh_ids)
{
    json_object *fresh = rv_json_parse(fresh_ids, strlen(fresh_ids), NULL);
    if (fresh && json_object_is_type(fresh, json_type_array))
        rv_change_match_new(q->db, q->r->server, q->r->pool, fresh);
    if (fresh)
        json_object_put(fresh);
}

int rv_route_products_bulk(rv_req_t *q)
{
    request_rec *r = q->r;
    apr_pool_t *p = r->pool;
    json_object *in, *out;
    const char *ids, *changed_ids = NULL, *fresh_ids = NULL, *src;
    rv_bulk_req_t b;
    int resp;
    long long matched, changed = 0, queued = 0;

    if (rv_http_read_json_object(r, &in))
        return OK;
    if (rv_bulk_parse(r, in, &b, &resp))
        return resp;
    /* id lists travel through JSON_ARRAYAGG, which obeys group_concat_max_len
     * (1 MiB by default, lower on some servers): 10,000 ids need ~120 KB */
    if (rv_db_plain(q->db, "SET SESSION group_concat_max_len = GREATEST(@@group_concat_max_len, 4194304)")
        || rv_db_begin(q->db)
        || rv_bulk_select(q, &b, &matched, &ids))
        return rv_db_failed(q);
    if (matched > RV_BULK_MAX) {
        rv_db_rollback(q->db);
        return rv_too_many(r, matched);
    }
    if (matched > 0 && b.have_set
        && rv_bulk_apply_set(q, &b.set, ids, &changed, &changed_ids))
        return rv_db_failed(q);
    /* pushes: for an action every matched product, else the changed ones */
    src = b.action ? (matched > 0 ? ids : NULL) : (changed > 0 ? changed_ids : NULL);
    if (src && rv_bulk_queue(q, b.action, src, &queued, &fresh_ids))
        return rv_db_failed(q);
    if (rv_db_commit(q->db))
        return rv_db_failed(q);
    if (fresh_ids)
        rv_bulk_match_fresh(q, fresh_ids);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, RVLOGNO(0040) "bulk change by user %s: %s matched, "
                  "%s changed, %s queued%s%s", rv_i64(p, q->user_id), rv_i64(p, matched),
                  rv_i64(p, changed), rv_i64(p, queued),
                  b.action ? ", action " : "", b.action ? b.action : "");
    out = json_object_new_object();
    json_object_object_add(out, "matched", json_object_new_int64(matched));
    json_object_object_add(out, "changed", json_object_new_int64(changed));
    json_object_object_add(out, "queued", json_object_new_int64(queued));
    return rv_http_json(r, HTTP_OK, out);
}
