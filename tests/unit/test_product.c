/* test_product.c: OpenCart product -> Reverb listing body. */
#include "rv_test.h"
#include "rv_json.h"
#include "rv_product.h"
#include "rv_text.h"

static const char *extra_images[] = { "catalog/demo/back view.jpg", "", NULL,
                                      "catalog/demo/main.jpg", "catalog/demo/side.jpg",
                                      "catalog/demo/side.jpg" };

static rv_product_t product(void)
{
    rv_product_t p;
    memset(&p, 0, sizeof(p));
    p.product_id = 42;
    p.name = "Fender &quot;Strat&quot; &amp; Case";
    p.description = "&lt;p&gt;Great &amp;amp; loud&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Maple&lt;/li&gt;&lt;/ul&gt;";
    p.model = "Stratocaster";
    p.sku = "FEN-001";
    p.manufacturer = "Fender";
    p.price = "1299.0000";
    p.quantity = 3;
    p.status = 1;
    p.image = "catalog/demo/main.jpg";
    p.images = extra_images;
    p.n_images = 6;
    p.condition_uuid = RV_COND_BRAND_NEW;
    p.category_uuid = "dfd39027-d134-4353-b9e4-57dc6be791b9";
    p.upc_does_not_apply = 1;
    return p;
}

static rv_push_opts_t options(void)
{
    rv_push_opts_t o;
    memset(&o, 0, sizeof(o));
    o.currency = "AUD";
    o.store_url = "https://shop.example.com";
    o.default_condition_uuid = RV_COND_EXCELLENT;
    o.shipping_profile_id = "15655";
    o.sync_title = o.sync_description = o.sync_price = o.sync_stock = o.sync_images = 1;
    return o;
}

static const char *str_at(json_object *o, const char *path)
{
    json_object *v = rv_json_path(o, path);
    return v ? json_object_get_string(v) : NULL;
}

static long long int_at(json_object *o, const char *path)
{
    json_object *v = rv_json_path(o, path);
    assert_non_null(v);
    return json_object_get_int64(v);
}

static int bool_at(json_object *o, const char *path)
{
    json_object *v = rv_json_path(o, path);
    assert_non_null(v);
    assert_true(json_object_is_type(v, json_type_boolean));
    return json_object_get_boolean(v);
}

static json_object *build(apr_pool_t *pool, const rv_product_t *p, const rv_push_opts_t *o, int create)
{
    const char *err = "unset";
    json_object *b = rv_listing_build(pool, p, o, create, &err);
    if (!b)
        fail_msg("build failed: %s", err);
    assert_null(err);
    return b;
}

static void test_create_body(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b = build(RV_POOL, &p, &o, 1);
    assert_string_equal(str_at(b, "title"), "Fender \"Strat\" & Case");
    assert_string_equal(str_at(b, "description"), "Great & loud\n- Maple");
    assert_string_equal(str_at(b, "price.amount"), "1299.00");
    assert_true(json_object_is_type(rv_json_path(b, "price.amount"), json_type_string));
    assert_string_equal(str_at(b, "price.currency"), "AUD");
    assert_string_equal(str_at(b, "condition.uuid"), RV_COND_BRAND_NEW);
    assert_string_equal(str_at(b, "categories.0.uuid"), "dfd39027-d134-4353-b9e4-57dc6be791b9");
    assert_string_equal(str_at(b, "make"), "Fender");
    assert_string_equal(str_at(b, "model"), "Stratocaster");
    assert_string_equal(str_at(b, "sku"), "FEN-001");
    assert_true(bool_at(b, "upc_does_not_apply"));
    assert_null(rv_json_path(b, "upc"));
    assert_false(bool_at(b, "handmade"));
    assert_true(bool_at(b, "has_inventory"));
    assert_int_equal(int_at(b, "inventory"), 3);
    assert_string_equal(str_at(b, "shipping_profile_id"), "15655");
    assert_null(rv_json_path(b, "shipping"));
    assert_false(bool_at(b, "publish"));                  /* drafts by default */
    assert_int_equal(json_object_array_length(rv_json_path(b, "photos")), 3);
    json_object_put(b);
}

static void test_photos_order_and_encoding(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *photos = rv_listing_photos(RV_POOL, &p, &o);
    assert_int_equal(json_object_array_length(photos), 3);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(photos, 0)),
                        "https://shop.example.com/image/catalog/demo/main.jpg");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(photos, 1)),
                        "https://shop.example.com/image/catalog/demo/back%20view.jpg");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(photos, 2)),
                        "https://shop.example.com/image/catalog/demo/side.jpg");
    json_object_put(photos);

    o.store_url = "https://shop.example.com/";            /* trailing slash: no double slash */
    p.image = "/catalog/caf\xC3\xA9 50%+x.jpg";
    p.n_images = 0;
    photos = rv_listing_photos(RV_POOL, &p, &o);
    assert_int_equal(json_object_array_length(photos), 1);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(photos, 0)),
                        "https://shop.example.com/image/catalog/caf%C3%A9%2050%25%2Bx.jpg");
    json_object_put(photos);
}

static void test_missing_images(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b, *photos;
    p.image = "";
    p.images = NULL;
    p.n_images = 0;
    photos = rv_listing_photos(RV_POOL, &p, &o);
    assert_int_equal(json_object_array_length(photos), 0);
    json_object_put(photos);
    b = build(RV_POOL, &p, &o, 1);
    assert_null(rv_json_path(b, "photos"));
    assert_int_equal(rv_listing_attach_photos(RV_POOL, b, &p, &o), 0);
    assert_null(rv_json_path(b, "photos"));
    json_object_put(b);
    p.image = NULL;                                        /* NULL main, one extra */
    p.images = extra_images + 4;
    p.n_images = 1;
    photos = rv_listing_photos(RV_POOL, &p, &o);
    assert_int_equal(json_object_array_length(photos), 1);
    json_object_put(photos);
}

static void test_photos_hash_and_attach(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    const char *h1 = rv_photos_hash(RV_POOL, &p, &o), *h2;
    json_object *b = build(RV_POOL, &p, &o, 0);
    assert_int_equal(strlen(h1), 64);
    assert_string_equal(h1, rv_photos_hash(RV_POOL, &p, &o));
    p.n_images = 5;                                        /* same list: duplicate dropped */
    assert_string_equal(h1, rv_photos_hash(RV_POOL, &p, &o));
    p.image = "catalog/demo/side.jpg";                     /* order changed */
    h2 = rv_photos_hash(RV_POOL, &p, &o);
    assert_string_not_equal(h1, h2);
    assert_null(rv_json_path(b, "photos"));                /* updates carry no photos */
    assert_int_equal(rv_listing_attach_photos(RV_POOL, b, &p, &o), 3);
    assert_string_equal(str_at(b, "photo_upload_method"), "override_position");
    assert_string_equal(str_at(b, "photos.0"), "https://shop.example.com/image/catalog/demo/side.jpg");
    json_object_put(b);
}

static void test_inventory_rules(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b;

    p.condition_uuid = RV_COND_VERY_GOOD;                  /* used: one of a kind */
    b = build(RV_POOL, &p, &o, 1);
    assert_false(bool_at(b, "has_inventory"));
    assert_int_equal(int_at(b, "inventory"), 1);
    json_object_put(b);

    p.condition_uuid = RV_COND_MINT;                       /* plain Mint is one of a kind too */
    assert_int_equal(rv_product_inventory(&p, p.condition_uuid), 1);
    p.condition_uuid = RV_COND_MINT_INVENTORY;
    assert_int_equal(rv_product_inventory(&p, p.condition_uuid), 3);
    p.condition_uuid = RV_COND_B_STOCK;
    assert_int_equal(rv_product_inventory(&p, p.condition_uuid), 3);
    p.condition_uuid = "7C3F45DE-2AE0-4C81-8400-FDB6B1D74890";  /* case-insensitive */
    assert_int_equal(rv_product_inventory(&p, p.condition_uuid), 3);

    p.condition_uuid = RV_COND_BRAND_NEW;
    p.quantity = 0;
    b = build(RV_POOL, &p, &o, 1);
    assert_true(bool_at(b, "has_inventory"));
    assert_int_equal(int_at(b, "inventory"), 0);
    json_object_put(b);

    p.quantity = -4;                                       /* oversold: 0, not negative */
    assert_int_equal(rv_product_inventory(&p, RV_COND_BRAND_NEW), 0);
    assert_int_equal(rv_product_inventory(&p, RV_COND_GOOD), 0);
}

static void test_default_condition(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b;
    p.condition_uuid = NULL;
    b = build(RV_POOL, &p, &o, 1);
    assert_string_equal(str_at(b, "condition.uuid"), RV_COND_EXCELLENT);
    assert_false(bool_at(b, "has_inventory"));
    assert_int_equal(int_at(b, "inventory"), 1);
    json_object_put(b);
}

static void test_price_formatting_and_special(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    assert_string_equal(rv_product_price(RV_POOL, &p, &o), "1299.00");
    p.price = "0.5";
    assert_string_equal(rv_product_price(RV_POOL, &p, &o), "0.50");
    p.price = "12.345";
    assert_string_equal(rv_product_price(RV_POOL, &p, &o), "12.35");
    p.price = "12.3449";
    assert_string_equal(rv_product_price(RV_POOL, &p, &o), "12.34");
    p.price = "1299.0000";
    p.special_price = "999.9900";
    assert_string_equal(rv_product_price(RV_POOL, &p, &o), "1299.00");   /* use_special off */
    o.use_special = 1;
    assert_string_equal(rv_product_price(RV_POOL, &p, &o), "999.99");
    p.special_price = "0.0000";                                        /* not a usable special */
    assert_string_equal(rv_product_price(RV_POOL, &p, &o), "1299.00");
    p.special_price = "junk";
    assert_string_equal(rv_product_price(RV_POOL, &p, &o), "1299.00");
    p.price = "-5";
    p.special_price = NULL;
    assert_null(rv_product_price(RV_POOL, &p, &o));
}

static void test_publish(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b;
    o.auto_publish = 1;
    b = build(RV_POOL, &p, &o, 1);
    assert_true(bool_at(b, "publish"));
    json_object_put(b);
    p.quantity = 0;                                        /* publishing at 0 fails on Reverb */
    b = build(RV_POOL, &p, &o, 1);
    assert_false(bool_at(b, "publish"));
    json_object_put(b);
    p.quantity = 2;
    p.status = 0;
    b = build(RV_POOL, &p, &o, 1);
    assert_false(bool_at(b, "publish"));
    json_object_put(b);
    p.status = 1;
    b = build(RV_POOL, &p, &o, 0);                         /* never on update */
    assert_null(rv_json_path(b, "publish"));
    json_object_put(b);
}

static void test_update_toggles(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b;
    o.sync_title = o.sync_description = o.sync_price = o.sync_stock = 0;
    b = build(RV_POOL, &p, &o, 0);
    assert_null(rv_json_path(b, "title"));
    assert_null(rv_json_path(b, "description"));
    assert_null(rv_json_path(b, "price"));
    assert_null(rv_json_path(b, "inventory"));
    assert_null(rv_json_path(b, "has_inventory"));
    assert_null(rv_json_path(b, "photos"));
    assert_string_equal(str_at(b, "sku"), "FEN-001");
    assert_string_equal(str_at(b, "condition.uuid"), RV_COND_BRAND_NEW);
    json_object_put(b);
    b = build(RV_POOL, &p, &o, 1);                         /* create ignores the toggles */
    assert_non_null(rv_json_path(b, "title"));
    assert_non_null(rv_json_path(b, "price"));
    assert_non_null(rv_json_path(b, "inventory"));
    json_object_put(b);
    o.sync_price = 1;
    b = build(RV_POOL, &p, &o, 0);
    assert_string_equal(str_at(b, "price.amount"), "1299.00");
    assert_null(rv_json_path(b, "title"));
    json_object_put(b);
}

static void test_unlistable(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    const char *err = NULL;

    p.sku = "  ";
    assert_null(rv_listing_build(RV_POOL, &p, &o, 1, &err));
    assert_non_null(strstr(err, "SKU"));
    p = product();
    p.sku = NULL;
    assert_null(rv_listing_build(RV_POOL, &p, &o, 0, &err));
    assert_non_null(strstr(err, "SKU"));

    p = product();
    p.price = NULL;
    assert_null(rv_listing_build(RV_POOL, &p, &o, 1, &err));
    assert_non_null(strstr(err, "price"));
    p.price = "0.0000";
    assert_null(rv_listing_build(RV_POOL, &p, &o, 1, &err));
    assert_non_null(strstr(err, "price"));

    p = product();
    p.condition_uuid = "";
    o.default_condition_uuid = NULL;
    assert_null(rv_listing_build(RV_POOL, &p, &o, 1, &err));
    assert_non_null(strstr(err, "condition"));

    p = product();
    o = options();
    p.name = " &nbsp; ";
    assert_null(rv_listing_build(RV_POOL, &p, &o, 1, &err));
    assert_non_null(strstr(err, "name"));

    p = product();
    o.shipping_profile_id = NULL;
    o.shipping_rates_json = "{\"not\":\"an array\"}";
    assert_null(rv_listing_build(RV_POOL, &p, &o, 1, &err));
    assert_non_null(strstr(err, "shipping"));
    assert_null(rv_listing_build(RV_POOL, NULL, &o, 1, &err));
    assert_null(rv_listing_build(RV_POOL, &p, &o, 1, NULL));   /* err may be NULL */
}

static void test_fallbacks_and_codes(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b;
    p.manufacturer = "Fender &amp; Co";
    p.model = "";
    p.mpn = "MPN-9";
    p.upc = "";
    p.ean = "4006381333931";
    p.handmade = 1;
    p.sku = " A&amp;B-1 ";
    p.category_uuid = NULL;
    o.shipping_profile_id = "";
    o.shipping_rates_json = "[{\"region_code\":\"AU\",\"rate\":{\"amount\":\"10.00\",\"currency\":\"AUD\"}}]";
    b = build(RV_POOL, &p, &o, 1);
    assert_string_equal(str_at(b, "make"), "Fender & Co");
    assert_string_equal(str_at(b, "model"), "MPN-9");
    assert_string_equal(str_at(b, "upc"), "4006381333931");
    assert_false(bool_at(b, "upc_does_not_apply"));
    assert_true(bool_at(b, "handmade"));
    assert_string_equal(str_at(b, "sku"), "A&B-1");
    assert_string_equal(rv_product_sku(RV_POOL, &p), "A&B-1");
    assert_null(rv_json_path(b, "categories"));
    assert_null(rv_json_path(b, "shipping_profile_id"));
    assert_string_equal(str_at(b, "shipping.rates.0.region_code"), "AU");
    assert_string_equal(str_at(b, "shipping.rates.0.rate.amount"), "10.00");
    json_object_put(b);
    p.mpn = NULL;
    p.upc = "012345678905";
    b = build(RV_POOL, &p, &o, 1);
    assert_null(rv_json_path(b, "model"));
    assert_string_equal(str_at(b, "upc"), "012345678905");
    json_object_put(b);
}

static void test_title_trim_and_limit(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    char name[700];
    json_object *b;
    size_t i, n = 1;
    name[0] = 'x';
    for (i = 0; i < 200; i++) {              /* "x" + 200 x "é " = 401 characters */
        memcpy(name + n, "\xC3\xA9 ", 3);
        n += 3;
    }
    name[n] = '\0';
    p.name = name;
    b = build(RV_POOL, &p, &o, 1);
    assert_int_equal(rv_utf8_length(str_at(b, "title")), 254);  /* 255th is a space: trimmed */
    assert_int_equal(strncmp(str_at(b, "title"), "x\xC3\xA9 \xC3\xA9", 6), 0);
    json_object_put(b);
    memset(name, 'a', 300);
    name[300] = '\0';
    b = build(RV_POOL, &p, &o, 1);
    assert_int_equal(strlen(str_at(b, "title")), RV_TITLE_MAX);
    json_object_put(b);
    p.name = "  Caf&eacute;\r\n  \xF0\x9F\x8E\xB8 \xE4\xB8\xAD\xE6\x96\x87  ";
    b = build(RV_POOL, &p, &o, 1);
    assert_string_equal(str_at(b, "title"), "Caf\xC3\xA9 \xF0\x9F\x8E\xB8 \xE4\xB8\xAD\xE6\x96\x87");
    json_object_put(b);
}

static void test_listing_hash(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *a = build(RV_POOL, &p, &o, 0), *b = build(RV_POOL, &p, &o, 0), *c;
    const char *ha = rv_listing_hash(RV_POOL, a);
    json_object *reordered = rv_json_parse("{\"b\":1,\"a\":2}", 13, NULL);
    json_object *sorted = rv_json_parse("{\"a\":2,\"b\":1}", 13, NULL);
    assert_int_equal(strlen(ha), 64);
    assert_string_equal(ha, rv_listing_hash(RV_POOL, b));
    p.price = "1300.0000";
    c = build(RV_POOL, &p, &o, 0);
    assert_string_not_equal(ha, rv_listing_hash(RV_POOL, c));
    assert_string_equal(rv_listing_hash(RV_POOL, reordered), rv_listing_hash(RV_POOL, sorted));
    /* SHA-256 of the canonical text {"a":2,"b":1} */
    assert_string_equal(rv_listing_hash(RV_POOL, sorted),
                        "d3626ac30a87e6f7a6428233b3c68299976865fa5508e4267c5415c76af7a772");
    json_object_put(a);
    json_object_put(b);
    json_object_put(c);
    json_object_put(reordered);
    json_object_put(sorted);
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_create_body),
    RV_TEST(test_photos_order_and_encoding),
    RV_TEST(test_missing_images),
    RV_TEST(test_photos_hash_and_attach),
    RV_TEST(test_inventory_rules),
    RV_TEST(test_default_condition),
    RV_TEST(test_price_formatting_and_special),
    RV_TEST(test_publish),
    RV_TEST(test_update_toggles),
    RV_TEST(test_unlistable),
    RV_TEST(test_fallbacks_and_codes),
    RV_TEST(test_title_trim_and_limit),
    RV_TEST(test_listing_hash),
};
RV_TEST_MAIN("rv_product", tests)
