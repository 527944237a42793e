/* test_order.c: Reverb order JSON -> rv_order_t, classification, money. */
#include "rv_test.h"
#include "rv_json.h"
#include "rv_order_parse.h"

#define MONEY(a, c, cur) "{\"amount\":\"" a "\",\"amount_cents\":" #c ",\"currency\":\"" cur "\","  \
                         "\"symbol\":\"$\",\"display\":\"$" a "\"}"

/* Shape of a captured v3 order (anchors §9.8), in AUD, part of a bundle. */
static const char *order_json =
    "{\"order_number\":\"24282217\",\"order_bundle_id\":\"22344980\",\"product_id\":\"92762008\","
    "\"uuid\":\"d6644962-0eb8-4939-91ae-9945fd869785\",\"sku\":\"FEN-001\","
    "\"title\":\"Fender Strat &amp; Case \\ud83c\\udfb8\",\"quantity\":2,\"status\":\"paid\","
    "\"amount_product\":" MONEY("599.50", 59950, "AUD") ","
    "\"amount_product_subtotal\":" MONEY("1199.00", 119900, "AUD") ","
    "\"shipping\":" MONEY("20.00", 2000, "AUD") ","
    "\"amount_tax\":" MONEY("121.90", 12190, "AUD") ","
    "\"total\":" MONEY("1340.90", 134090, "AUD") ","
    "\"presentment_amount_total\":" MONEY("880.00", 88000, "USD") ","
    "\"buyer_name\":\"Mark  Holman\",\"buyer_first_name\":\"Mark \",\"buyer_last_name\":\"Holman \","
    "\"buyer_email\":\"buyer_9p6r9w5@private-relay.reverb.com\","
    "\"shipping_address\":{\"name\":\"Jane O'Brien\",\"street_address\":\"1 George St\","
    "\"extended_address\":null,\"locality\":\"Sydney\",\"region\":\"NSW\",\"postal_code\":\"2000\","
    "\"country_code\":\"au\",\"phone\":\"\",\"unformatted_phone\":\"0291234567\"},"
    "\"created_at\":\"2025-11-07T18:39:41-05:00\",\"paid_at\":\"2025-11-07T18:40:48-05:00\","
    "\"updated_at\":\"2025-11-07T18:40:49-05:00\",\"tax_responsible_party\":\"reverb\","
    "\"shipping_method\":\"shipped\",\"local_pickup\":false,\"remaining_listing_inventory\":3}";

static json_object *parse(const char *s)
{
    json_object *o = rv_json_parse(s, strlen(s), NULL);
    assert_non_null(o);
    return o;
}

static int parse_order(apr_pool_t *p, const char *json, rv_order_t *out, const char **err)
{
    json_object *o = parse(json);
    int rc = rv_order_parse(p, o, out, err);
    json_object_put(o);
    return rc;
}

static void expect_rejected(apr_pool_t *p, const char *json, const char *err_part)
{
    rv_order_t ord;
    const char *err = NULL;
    if (parse_order(p, json, &ord, &err) == 0)
        fail_msg("accepted: %s", json);
    assert_non_null(err);
    if (!strstr(err, err_part))
        fail_msg("error '%s' lacks '%s'", err, err_part);
}

static void test_parse_full_order(void **state)
{
    rv_order_t o;
    const char *err = "unset";
    assert_int_equal(parse_order(RV_POOL, order_json, &o, &err), 0);
    assert_null(err);
    assert_string_equal(o.order_number, "24282217");
    assert_string_equal(o.bundle_id, "22344980");
    assert_string_equal(o.listing_id, "92762008");
    assert_string_equal(o.sku, "FEN-001");
    assert_string_equal(o.title, "Fender Strat &amp; Case \xF0\x9F\x8E\xB8");   /* raw, not decoded */
    assert_string_equal(o.status, "paid");
    assert_int_equal(o.quantity, 2);
    assert_string_equal(o.currency, "AUD");
    assert_string_equal(o.unit_price.amount, "599.50");
    assert_int_equal(o.unit_price.cents, 59950);
    assert_string_equal(o.unit_price.currency, "AUD");
    assert_string_equal(o.subtotal.amount, "1199.00");
    assert_int_equal(o.subtotal.cents, 119900);
    assert_string_equal(o.shipping.amount, "20.00");
    assert_string_equal(o.tax.amount, "121.90");
    assert_string_equal(o.total.amount, "1340.90");            /* amount_*, not presentment_* */
    assert_int_equal(o.total.cents, 134090);
    assert_string_equal(o.first_name, "Mark");                 /* trimmed */
    assert_string_equal(o.last_name, "Holman");
    assert_string_equal(o.ship_first_name, "Jane");
    assert_string_equal(o.ship_last_name, "O'Brien");
    assert_string_equal(o.email, "buyer_9p6r9w5@private-relay.reverb.com");
    assert_string_equal(o.phone, "0291234567");                /* unformatted_phone fallback */
    assert_string_equal(o.street, "1 George St");
    assert_string_equal(o.extended, "");                       /* null */
    assert_string_equal(o.city, "Sydney");
    assert_string_equal(o.region, "NSW");
    assert_string_equal(o.postcode, "2000");
    assert_string_equal(o.country_code, "AU");
    assert_string_equal(o.created_at, "2025-11-07T18:39:41-05:00");
    assert_string_equal(o.paid_at, "2025-11-07T18:40:48-05:00");
    assert_string_equal(o.updated_at, "2025-11-07T18:40:49-05:00");
    assert_string_equal(o.tax_responsible_party, "reverb");
    assert_string_equal(o.shipping_method, "shipped");
    assert_int_equal(o.local_pickup, 0);
    assert_int_equal(o.remaining_listing_inventory, 3);
}

static void test_minimal_cancelled_order(void **state)
{
    /* cancelled orders lack shipping_address, amount_tax, total, paid_at */
    rv_order_t o;
    const char *err = NULL;
    assert_int_equal(parse_order(RV_POOL,
        "{\"order_number\":7,\"product_id\":92762008,\"quantity\":\"1\",\"status\":\"cancelled\","
        "\"amount_product\":{\"amount\":\"75.00\",\"currency\":\"AUD\"},"
        "\"shipping\":{\"amount_cents\":2900,\"currency\":\"AUD\"},"
        "\"buyer_name\":\"Mr Ian J Duncan\"}", &o, &err), 0);
    assert_string_equal(o.order_number, "7");
    assert_string_equal(o.listing_id, "92762008");
    assert_string_equal(o.bundle_id, "");
    assert_int_equal(o.quantity, 1);
    assert_string_equal(o.subtotal.amount, "75.00");
    assert_string_equal(o.shipping.amount, "29.00");
    assert_string_equal(o.tax.amount, "0.00");
    assert_string_equal(o.tax.currency, "AUD");
    assert_string_equal(o.total.amount, "104.00");
    assert_string_equal(o.first_name, "Mr Ian J");              /* split at the last space */
    assert_string_equal(o.last_name, "Duncan");
    assert_string_equal(o.ship_first_name, "Mr Ian J");
    assert_string_equal(o.paid_at, "");
    assert_string_equal(o.street, "");
    assert_string_equal(o.email, "");
    assert_int_equal(o.remaining_listing_inventory, -1);
    assert_int_equal(rv_order_classify(o.status), RV_ORDER_CANCELLED);
}

static void test_names_from_shipping(void **state)
{
    rv_order_t o;
    assert_int_equal(parse_order(RV_POOL,
        "{\"order_number\":\"1\",\"quantity\":1,\"amount_product\":{\"amount\":\"1\",\"currency\":\"AUD\"},"
        "\"shipping_address\":{\"name\":\"Cher\"}}", &o, NULL), 0);
    assert_string_equal(o.first_name, "Cher");
    assert_string_equal(o.last_name, "");
    assert_string_equal(o.unit_price.amount, "1.00");
}

static void test_unit_price_derivation(void **state)
{
    rv_order_t o;
    /* no amount_product: unit = subtotal / quantity */
    assert_int_equal(parse_order(RV_POOL,
        "{\"order_number\":\"1\",\"quantity\":3,"
        "\"amount_product_subtotal\":{\"amount\":\"100.00\",\"currency\":\"AUD\"}}", &o, NULL), 0);
    assert_string_equal(o.unit_price.amount, "33.3333");
    assert_int_equal(o.unit_price.cents, 3333);
    assert_string_equal(o.subtotal.amount, "100.00");
    assert_string_equal(o.total.amount, "100.00");
    /* amount_product equal to the subtotal with qty 2: it was a line total */
    assert_int_equal(parse_order(RV_POOL,
        "{\"order_number\":\"1\",\"quantity\":2,"
        "\"amount_product\":{\"amount\":\"50.00\",\"currency\":\"AUD\"},"
        "\"amount_product_subtotal\":{\"amount\":\"50.00\",\"currency\":\"AUD\"}}", &o, NULL), 0);
    assert_string_equal(o.unit_price.amount, "25.00");
    /* no subtotal: unit x quantity */
    assert_int_equal(parse_order(RV_POOL,
        "{\"order_number\":\"1\",\"quantity\":2,\"amount_product\":{\"amount\":\"0.5\",\"currency\":\"AUD\"},"
        "\"amount_tax\":{\"amount\":\"0.10\",\"currency\":\"AUD\"}}", &o, NULL), 0);
    assert_string_equal(o.unit_price.amount, "0.50");
    assert_string_equal(o.subtotal.amount, "1.00");
    assert_string_equal(o.total.amount, "1.10");
}

static void test_wrapped_order(void **state)
{
    rv_order_t o;
    assert_int_equal(parse_order(RV_POOL,
        "{\"order\":{\"order_number\":\"55\",\"quantity\":1,"
        "\"amount_product\":{\"amount\":\"9.99\",\"currency\":\"AUD\"}}}", &o, NULL), 0);
    assert_string_equal(o.order_number, "55");
}

static void test_rejects(void **state)
{
    apr_pool_t *p = RV_POOL;
    rv_order_t o;
    const char *err = NULL;
    json_object *arr = parse("[1]");
    assert_int_equal(rv_order_parse(p, arr, &o, &err), -1);
    json_object_put(arr);
    assert_int_equal(rv_order_parse(p, NULL, &o, &err), -1);
    expect_rejected(p, "{\"quantity\":1,\"amount_product\":{\"amount\":\"1\",\"currency\":\"AUD\"}}",
                    "order_number");
    expect_rejected(p, "{\"order_number\":\"../../x\",\"quantity\":1,"
                       "\"amount_product\":{\"amount\":\"1\",\"currency\":\"AUD\"}}", "order_number");
    expect_rejected(p, "{\"order_number\":\"\",\"quantity\":1,"
                       "\"amount_product\":{\"amount\":\"1\",\"currency\":\"AUD\"}}", "order_number");
    expect_rejected(p, "{\"order_number\":\"1\",\"order_bundle_id\":\"a b\",\"quantity\":1,"
                       "\"amount_product\":{\"amount\":\"1\",\"currency\":\"AUD\"}}", "bundle");
    expect_rejected(p, "{\"order_number\":\"1\",\"quantity\":0,"
                       "\"amount_product\":{\"amount\":\"1\",\"currency\":\"AUD\"}}", "quantity");
    expect_rejected(p, "{\"order_number\":\"1\","
                       "\"amount_product\":{\"amount\":\"1\",\"currency\":\"AUD\"}}", "quantity");
    expect_rejected(p, "{\"order_number\":\"1\",\"quantity\":1,"
                       "\"amount_product\":{\"amount\":\"1.2.3\",\"currency\":\"AUD\"}}", "money");
    expect_rejected(p, "{\"order_number\":\"1\",\"quantity\":1,"
                       "\"amount_product\":{\"amount\":\"-1\",\"currency\":\"AUD\"}}", "money");
    expect_rejected(p, "{\"order_number\":\"1\",\"quantity\":1,\"amount_product\":\"12.00\"}", "money");
    expect_rejected(p, "{\"order_number\":\"1\",\"quantity\":1,"
                       "\"amount_product\":{\"amount\":\"1\",\"currency\":\"aud\"}}", "money");
    expect_rejected(p, "{\"order_number\":\"1\",\"quantity\":1,"
                       "\"amount_product\":{\"amount\":\"1\"}}", "currency");
    expect_rejected(p, "{\"order_number\":\"1\",\"quantity\":1,"
                       "\"amount_product\":{\"amount\":\"1\",\"currency\":\"AUD\"},"
                       "\"shipping\":{\"amount\":\"1\",\"currency\":\"USD\"}}", "currencies");
    expect_rejected(p, "{\"order_number\":\"1\",\"quantity\":1}", "product amount");
}

static void test_classify(void **state)
{
    (void)state;
    assert_int_equal(rv_order_classify("paid"), RV_ORDER_PAID);
    assert_int_equal(rv_order_classify("shipped"), RV_ORDER_PAID);
    assert_int_equal(rv_order_classify("picked_up"), RV_ORDER_PAID);
    assert_int_equal(rv_order_classify("received"), RV_ORDER_PAID);
    assert_int_equal(rv_order_classify("partially_paid"), RV_ORDER_PAID);
    assert_int_equal(rv_order_classify("unpaid"), RV_ORDER_WAIT);
    assert_int_equal(rv_order_classify("payment_pending"), RV_ORDER_WAIT);
    assert_int_equal(rv_order_classify("pending_review"), RV_ORDER_WAIT);
    assert_int_equal(rv_order_classify("blocked"), RV_ORDER_WAIT);
    assert_int_equal(rv_order_classify("cancelled"), RV_ORDER_CANCELLED);
    assert_int_equal(rv_order_classify("refunded"), RV_ORDER_CANCELLED);
    assert_int_equal(rv_order_classify("teleported"), RV_ORDER_UNKNOWN);
    assert_int_equal(rv_order_classify("PAID"), RV_ORDER_UNKNOWN);
    assert_int_equal(rv_order_classify(""), RV_ORDER_UNKNOWN);
    assert_int_equal(rv_order_classify(NULL), RV_ORDER_UNKNOWN);
}

static void test_oc_strings(void **state)
{
    rv_order_t o;
    rv_order_oc_t oc;
    assert_int_equal(parse_order(RV_POOL,
        "{\"order_number\":\"1\",\"quantity\":1,\"amount_product\":{\"amount\":\"1\",\"currency\":\"AUD\"},"
        "\"sku\":\"S<1>\",\"title\":\"Amp \\\"Deluxe\\\" \\ud83c\\udfb8\","
        "\"buyer_first_name\":\"Zo\\u00eb <script>\",\"buyer_last_name\":\"O'Brien & Sons Musical Instruments Pty\","
        "\"shipping_address\":{\"name\":\"Jane Doe\",\"postal_code\":\"SW1A 1AA-EXTRA\",\"region\":\"New South Wales\"}}",
        &o, NULL), 0);
    rv_order_oc_strings(RV_POOL, &o, 0, &oc);
    assert_string_equal(oc.firstname, "Zo\xC3\xAB &lt;script&gt;");
    assert_string_equal(oc.lastname, "O'Brien &amp; Sons Musical Instr");   /* 32 characters */
    assert_int_equal(strlen(oc.lastname), 32);
    assert_string_equal(oc.shipping_firstname, "Jane");
    assert_string_equal(oc.postcode, "SW1A 1AA-E");
    assert_string_equal(oc.zone, "New South Wales");
    assert_string_equal(oc.company, "");
    assert_string_equal(oc.model, "S&lt;1&gt;");
    assert_string_equal(oc.product_name, "Amp &quot;Deluxe&quot; \xF0\x9F\x8E\xB8");
    rv_order_oc_strings(RV_POOL, &o, 1, &oc);                   /* utf8mb3 shop */
    assert_string_equal(oc.product_name, "Amp &quot;Deluxe&quot; ");
    assert_string_equal(o.title, "Amp \"Deluxe\" \xF0\x9F\x8E\xB8");   /* the parsed value is untouched */
}

static void test_money_convert(void **state)
{
    char out[32];
    (void)state;
    assert_int_equal(rv_money_convert("1340.90", "1.00000000", "1", out), 0);
    assert_string_equal(out, "1340.9000");
    /* AUD order in a USD shop where AUD = 1.5: 150 AUD -> 100 USD */
    assert_int_equal(rv_money_convert("150.00", "1.50000000", "1", out), 0);
    assert_string_equal(out, "100.0000");
    /* GBP 0.6125 (OpenCart seed): 10 GBP -> 16.3265... USD */
    assert_int_equal(rv_money_convert("10.00", "0.61250000", "1.00000000", out), 0);
    assert_string_equal(out, "16.3265");
    assert_int_equal(rv_money_convert("0.1", "1", "0.78460000", out), 0);    /* no float noise */
    assert_string_equal(out, "0.0785");
    assert_int_equal(rv_money_convert("0.00005", "1", "1", out), 0);        /* half away from zero */
    assert_string_equal(out, "0.0001");
    assert_int_equal(rv_money_convert("2", "3", "1", out), 0);
    assert_string_equal(out, "0.6667");
    assert_int_equal(rv_money_convert("abc", "1", "1", out), -1);
    assert_int_equal(rv_money_convert("1", "0", "1", out), -1);
    assert_int_equal(rv_money_convert("1", "1", "-2", out), -1);
    assert_int_equal(rv_money_convert("9999999999", "0.00000001", "1", out), -1);   /* overflow */
    assert_int_equal(rv_money_convert(NULL, "1", "1", out), -1);
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_parse_full_order),
    RV_TEST(test_minimal_cancelled_order),
    RV_TEST(test_names_from_shipping),
    RV_TEST(test_unit_price_derivation),
    RV_TEST(test_wrapped_order),
    RV_TEST(test_rejects),
    RV_TEST(test_classify),
    RV_TEST(test_oc_strings),
    RV_TEST(test_money_convert),
};
RV_TEST_MAIN("rv_order", tests)
