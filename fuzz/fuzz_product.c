/* fuzz_product.c: rv_listing_build on product fields taken from the input
 * (newline-separated: name, description, sku, price, special, image, extra
 * image 1, extra image 2, manufacturer, condition, shipping rates JSON, Australia
 * rate, everywhere-else rate, the product's shipping profile, local pickup,
 * offers; the third byte is the stock buffer). */
#include "fuzz_util.h"
#include "rv_json.h"
#include "rv_product.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *f[16], *err = NULL, *images[2];
    rv_product_t prod;
    rv_push_opts_t o;
    json_object *body, *photos;
    int create;
    apr_pool_create(&p, NULL);
    fuzz_fields(p, fuzz_cstr(p, data, size), f, 16);
    memset(&prod, 0, sizeof(prod));
    memset(&o, 0, sizeof(o));
    prod.name = f[0];
    prod.description = f[1];
    prod.sku = f[2];
    prod.price = f[3];
    prod.special_price = f[4];
    prod.image = f[5];
    images[0] = f[6];
    images[1] = f[7];
    prod.images = images;
    prod.n_images = 2;
    prod.manufacturer = f[8];
    prod.condition_uuid = f[9];
    prod.quantity = size ? (long long)data[0] - 100 : 0;
    prod.status = 1;
    o.currency = "AUD";
    o.store_url = "https://shop.example.com";
    o.default_condition_uuid = RV_COND_GOOD;
    o.shipping_rates_json = f[10];
    o.shipping_rate_au = f[11];
    o.shipping_rate_xx = f[12];
    prod.shipping_profile_id = f[13];
    prod.local_pickup = f[14];
    prod.offers_enabled = f[15];
    o.offers_enabled = size > 1 && (data[1] & 2) ? "1" : NULL;
    prod.stock_buffer = size > 2 ? data[2] : 0;
    o.use_special = o.auto_publish = 1;
    o.sync_title = size > 1 && (data[1] & 1);
    o.sync_price = o.sync_stock = 1;
    for (create = 0; create <= 1; create++) {
        body = rv_listing_build(p, &prod, &o, create, &err);
        FUZZ_CHECK(body || err, "a rejection carries a reason");
        if (body) {
            json_object *inv = rv_json_path(body, "inventory");
            FUZZ_CHECK(inv && json_object_get_int64(inv) >= 0, "inventory is never negative");
            (void)rv_listing_hash(p, body);
            (void)rv_listing_attach_photos(p, body, &prod, &o);
            json_object_put(body);
        }
    }
    photos = rv_listing_photos(p, &prod, &o);
    FUZZ_CHECK(json_object_array_length(photos) <= 3, "at most one photo per image");
    json_object_put(photos);
    (void)rv_photos_hash(p, &prod, &o);
    apr_pool_destroy(p);
    return 0;
}
