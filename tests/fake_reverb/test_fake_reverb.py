"""The fake Reverb behaves like the documented API (so tests against it mean something)."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness.fake import FakeReverb  # noqa: E402

NEW = "7c3f45de-2ae0-4c81-8400-fdb6b1d74890"
GOOD = "f7a3f48c-972a-44c6-b01a-0cd27488d3f6"


@pytest.fixture(scope="module")
def fake():
    f = FakeReverb().start()
    yield f
    f.stop()


@pytest.fixture(autouse=True)
def clean(fake):
    fake.reset()


def body(**kw):
    b = {"title": "Strat", "make": "Fender", "model": "Strat", "sku": "S1",
         "price": {"amount": "100.00", "currency": "AUD"}, "condition": {"uuid": NEW},
         "has_inventory": True, "inventory": 2}
    b.update(kw)
    return b


def test_auth_and_version_required(fake):
    assert fake.api("GET", "my/account", token="nope").status == 401
    r = fake.api("GET", "my/account")
    assert r.status == 200 and r.json["shop"]["name"]


def test_create_update_end_and_hal_links(fake):
    r = fake.api("POST", "listings", body())
    assert r.status == 201
    lid = r.json["listing"]["id"]
    assert r.json["listing"]["state"]["slug"] == "draft"
    assert r.json["listing"]["_links"]["self"]["href"].startswith("http://")
    r = fake.api("PUT", "listings/%s" % lid, {"price": {"amount": "90.00", "currency": "AUD"}})
    assert r.status == 200 and r.json["listing"]["price"]["amount"] == "90.00"
    assert r.json["listing"]["title"] == "Strat"          # partial update keeps the rest
    r = fake.api("PUT", "my/listings/%s/state/end" % lid, {"reason": "not_sold"})
    assert r.json["listing"]["state"]["slug"] == "ended"


def test_412_with_message_and_errors(fake):
    r = fake.api("POST", "listings", body(price={"amount": 5, "currency": "AUD"}, inventory=3,
                                         condition={"uuid": GOOD}))
    assert r.status == 412
    assert r.json["message"] and "price" in r.json["errors"] and "inventory" in r.json["errors"]


def test_sku_filter_state_and_pagination(fake):
    for i in range(60):
        fake.seed_listing(**body(sku="K%d" % i), state="live" if i % 2 else "draft")
    r = fake.api("GET", "my/listings?sku=K3")
    assert [l["sku"] for l in r.json["listings"]] == ["K3"]
    assert fake.api("GET", "my/listings?sku=K4").json["listings"] == []       # draft: not live
    assert len(fake.api("GET", "my/listings?sku=K4&state=all").json["listings"]) == 1
    r = fake.api("GET", "my/listings?state=all&per_page=500")
    assert len(r.json["listings"]) == 50 and r.json["total"] == 60
    nxt = r.json["_links"]["next"]["href"]
    r2 = fake.api("GET", nxt.split("/api/", 1)[1])
    assert len(r2.json["listings"]) == 10 and "next" not in r2.json["_links"]


def test_rate_limit_429_retry_after(fake):
    fake.config(rate_limit=3, retry_after=7)
    codes = [fake.api("GET", "my/account").status for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert fake.stats()["max_in_any_60s_window"] == 3


def test_faults(fake):
    fake.faults([{"path_regex": "account", "kind": "503", "times": 1},
                 {"path_regex": "listing_conditions", "kind": "drop"}])
    assert fake.api("GET", "my/account").status == 503
    assert fake.api("GET", "my/account").status == 200
    with pytest.raises(Exception):
        fake.api("GET", "listing_conditions")
    fake.faults([{"path_regex": "categories", "kind": "timeout", "delay_ms": 1500}])
    t = time.time()
    with pytest.raises(Exception):
        from harness.util import request
        request("GET", fake.api_url + "categories/flat", timeout=0.5,
                headers={"Authorization": "Bearer test-token", "Accept-Version": "3.0"})
    assert time.time() - t < 1.4


def test_orders_paginate_newest_first_and_ship(fake):
    for i in range(3):
        fake.seed_order(order_number="100%d" % i, price="10.00", quantity=2)
        time.sleep(1.05)
    r = fake.api("GET", "my/orders/selling/all?per_page=2")
    assert [o["order_number"] for o in r.json["orders"]] == ["1002", "1001"]
    assert r.json["orders"][0]["total"]["amount"] == "35.00"        # 2 x 10 + 15 shipping
    assert "next" in r.json["_links"]
    r = fake.api("POST", "my/orders/selling/1001/ship", {"provider": "Australia Post",
                                                        "tracking_number": "AP1"})
    assert r.status == 200 and fake.state()["shipments"][0]["tracking_number"] == "AP1"


def test_webhook_registration_no_duplicates(fake):
    b = {"url": "http://shop/reverb/webhook?key=k", "topic": "orders/create"}
    assert fake.api("POST", "webhooks/registrations", b).status == 201
    assert fake.api("POST", "webhooks/registrations", b).status == 422
    assert len(fake.api("GET", "webhooks/registrations").json["registrations"]) == 1


# ---- the shapes of shared/notes/anchors-reverb.md (README.md's table) ----------

LISTING_KEYS = {"_links", "categories", "condition", "created_at", "description", "draft",
                "has_inventory", "id", "inventory", "listing_currency", "live", "make", "model",
                "photos", "cloudinary_photos", "price", "buyer_price", "published_at", "state",
                "title", "sku"}
ORDER_KEYS = {"order_number", "uuid", "order_bundle_id", "product_id", "sku", "title", "quantity",
              "status", "order_type", "order_source", "shipping_method", "local_pickup",
              "shipment_status", "created_at", "updated_at", "paid_at", "buyer_id", "buyer_name",
              "buyer_first_name", "buyer_last_name", "buyer_email", "shipping_address",
              "amount_product", "amount_product_subtotal", "shipping", "amount_tax", "total",
              "presentment_amount_product", "tax_rate", "tax_responsible_party",
              "shipping_taxed", "payment_method", "order_notes", "photos", "_links"}
MONEY_KEYS = {"amount", "amount_cents", "currency", "symbol", "display"}


def test_categories_flat_names_subcategories_root_slash_sub_with_root_uuid(fake):
    cats = fake.api("GET", "categories/flat").json["categories"]
    by = {c["uuid"]: c for c in cats}
    for c in cats:
        assert set(c) >= {"uuid", "name", "full_name", "slug", "root_uuid", "product_type_slug"}
        root = by[c["root_uuid"]]
        assert root["root_uuid"] == root["uuid"]                      # a root is its own root
        if c["root_uuid"] == c["uuid"]:
            assert c["full_name"] == c["name"]
        else:
            assert c["full_name"] == root["name"] + " / " + c["name"]
    assert not any(" > " in c["full_name"] for c in cats)
    assert sum(c["root_uuid"] != c["uuid"] for c in cats) >= 5          # real subcategories


def test_conditions_shape(fake):
    conds = fake.api("GET", "listing_conditions").json["conditions"]
    assert all({"uuid", "display_name", "slug", "description"} <= set(c) for c in conds)
    assert ("df268ad1-c462-4ba6-b6db-e007e23922ea", "Excellent") in \
        [(c["uuid"], c["display_name"]) for c in conds]


def test_listing_shape_as_captured(fake):
    lid = fake.api("POST", "listings", body(categories=[{"uuid": "e57deb7a-382b-4e18-a008-67d4fbcb2879"}],
                                           photos=["https://shop/a.jpg"])).json["listing"]["id"]
    assert isinstance(lid, int)                                         # an integer id
    l = fake.api("GET", "listings/%d" % lid).json                       # the bare object
    assert LISTING_KEYS <= set(l), LISTING_KEYS - set(l)
    assert set(l["condition"]) == {"uuid", "display_name", "slug"}
    assert MONEY_KEYS | {"tax_included"} <= set(l["price"]) and isinstance(l["price"]["amount"], str)
    assert l["categories"] == [{"uuid": "e57deb7a-382b-4e18-a008-67d4fbcb2879",
                                "full_name": "Electric Guitars / Solid Body"}]
    assert l["state"] == {"slug": "draft", "description": "Draft"} and l["draft"] is True
    assert set(l["photos"][0]["_links"]) == {"large_crop", "small_crop", "full", "thumbnail"}
    assert "photo_urls" not in l and "https://shop/a.jpg" not in str(l["photos"])
    links = l["_links"]
    assert links["self"]["href"].endswith("/api/listings/%d-strat" % lid)      # <id>-<slug>
    assert links["update"]["method"] == "PUT" and links["end"]["method"] == "PUT"
    assert links["end"]["href"].endswith("/api/my/listings/%d/state/end" % lid)
    assert links["web"]["href"].startswith("https://reverb.com/")
    assert fake.api("PUT", "listings/%d-strat" % lid, {"title": "Strat 2"}).status == 200
    assert fake.api("DELETE", "listings/%d" % lid).status == 200       # drafts can be deleted
    live = fake.seed_listing(**body(sku="L1"), state="live")
    assert fake.api("DELETE", "listings/%s" % live["id"]).status == 406  # a constraint


def test_order_shape_as_captured(fake):
    fake.seed_order(order_number="2001", product_id="91978727")
    o = fake.api("GET", "my/orders/selling/2001").json
    assert ORDER_KEYS <= set(o), ORDER_KEYS - set(o)
    for k in ("order_number", "order_bundle_id", "product_id"):
        assert isinstance(o[k], str)
    assert isinstance(o["buyer_id"], int) and isinstance(o["quantity"], int)
    assert MONEY_KEYS <= set(o["amount_product"]) and isinstance(o["amount_product"]["amount"], str)
    assert o["created_at"].endswith("-05:00") and o["updated_at"].endswith("-05:00")
    assert {"name", "street_address", "locality", "postal_code", "country_code", "phone",
            "unformatted_phone", "display_location"} <= set(o["shipping_address"])
    assert o["_links"]["self"]["href"].endswith("/api/my/orders/selling/2001")
    assert "ship" in o["_links"] and "listing" in o["_links"] and "web" in o["_links"]
    fake.edit_order("2001", status="shipped")
    assert "ship" not in fake.api("GET", "my/orders/selling/2001").json["_links"]
    fake.edit_order("2001", status="cancelled")
    c = fake.api("GET", "my/orders/selling/2001").json
    assert not {"shipping_address", "amount_tax", "total", "paid_at", "payment_method"} & set(c)


def test_order_dates_are_compared_as_times(fake):
    fake.seed_order(order_number="2002")
    t = time.time()
    utc = lambda s: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))   # noqa: E731
    hit = fake.api("GET", "my/orders/selling/all?updated_start_date=%sZ" % utc(t - 60)).json
    miss = fake.api("GET", "my/orders/selling/all?updated_start_date=%s%%2B00:00" % utc(t + 60)).json
    assert [o["order_number"] for o in hit["orders"]] == ["2002"] and miss["orders"] == []


def test_pagination_keys(fake):
    fake.seed_order(order_number="2003")
    r = fake.api("GET", "my/orders/selling/all").json
    assert {"total", "current_page", "total_pages", "_links", "orders"} <= set(r)


def test_shape_fault_serves_the_wrong_shape(fake):
    fake.faults([{"kind": "shape", "path_regex": "categories", "body": {"categories": {"x": 1}}},
                 {"kind": "shape", "path_regex": "^/api/listings$", "method": "POST",
                  "set": {"listing.id": "1/../x", "listing._links.web.href": "javascript:1"}}])
    assert fake.api("GET", "categories/flat").json == {"categories": {"x": 1}}
    l = fake.api("POST", "listings", body()).json["listing"]
    assert l["id"] == "1/../x" and l["_links"]["web"]["href"] == "javascript:1"
    assert fake.api("GET", "my/account").json["shop"]["name"]           # others unchanged


def test_shipping_providers_shape(fake):
    names = [p["name"] for p in fake.api("GET", "shipping/providers").json["shipping_providers"]]
    assert len(names) == 27 and names[0] == "UPS" and names[-1] == "Other"      # anchors §9.9
    assert "Australia Post" in names and "Correos Espa\u00f1a" in names
def test_shop_shipping_profiles_and_their_use(fake):
    r = fake.api("GET", "shop")
    assert r.status == 200
    profiles = r.json["shipping_profiles"]
    assert profiles and all(set(p) == {"id", "name"} for p in profiles)
    pid = profiles[0]["id"]
    r = fake.api("POST", "listings", body(shipping_profile_id=pid))
    assert r.status == 201
    assert r.json["listing"]["shipping_profile"] == {"id": pid, "name": profiles[0]["name"]}
    r = fake.api("POST", "listings", body(sku="S2", shipping_profile_id="999"))
    assert r.status == 412 and "shipping_profile_id" in r.json["errors"]
    fake.set_shipping_profiles([])
    assert fake.api("GET", "shop").json["shipping_profiles"] == []
    rates = {"rates": [{"rate": {"amount": "12.50", "currency": "AUD"}, "region_code": "AU"}],
             "local": True}
    assert fake.api("POST", "listings", body(sku="S3", shipping=rates)).status == 201
    bad = {"rates": [{"rate": 12.5, "region_code": "AU"}]}
    r = fake.api("POST", "listings", body(sku="S4", shipping=bad))
    assert r.status == 412 and "shipping" in r.json["errors"]
