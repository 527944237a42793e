"""Issue 11 items 3 and 4: shipping from the seller's Reverb account (profile picker,
per-product profile, local pickup, per-region rates without a profile), "accept offers"
globally and per product, the stock buffer, and the order import switch - each reaching
the listing body (create and update) or the importer."""
import time

import pytest

from harness.shop import (NEW, GOOD, reset, ensure_category, add_product, configure, enable,
                          by_sku, wait_idle)
from harness.order_helpers import clean_orders, oc_orders, qty, webhook, log_messages
from harness.util import wait_until

SETTINGS = ["shipping_profile_id", "local_pickup", "shipping_rate_au", "shipping_rate_xx",
            "offers_enabled", "stock_buffer", "order_import", "order_last_sync",
            "order_poll_resume"]


def forget_settings(db):
    for k in SETTINGS:
        db.execute("DELETE FROM oc_setting WHERE `key` = %s", ("module_reverb_" + k,))


@pytest.fixture(autouse=True)
def clean(db, fake):
    ensure_category(db)
    reset(db, fake)
    forget_settings(db)
    yield
    fake.faults([])
    forget_settings(db)      # other test files share the database


def hour_ago():
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600))


def cron(server, db):
    r = server.get("/reverb/cron?key=" + db.setting("cron_key"))
    assert r.status == 200, r
    return r.json


def cycle(server, db, admin):
    c = cron(server, db)
    wait_idle(admin, server)
    return c


def bodies(fake, sku, method=None):
    """The listing bodies sent for one SKU, oldest first."""
    return [r["body"] for r in fake.requests()
            if r["path"].startswith("/api/listings") and r["method"] in ("POST", "PUT")
            and (method is None or r["method"] == method)
            and isinstance(r["body"], dict) and r["body"].get("sku") == sku]


def pushed(db, pid, timeout=30):
    return wait_until(lambda: db.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                       " WHERE product_id = %s", (pid,)),
                      timeout=timeout, what="product %d pushed" % pid)


def listed(db, fake, server, admin, pid, sku, qty=3, **fields):
    add_product(db, pid, "Guitar %d" % pid, sku, "900.0000", qty)
    enable(admin, server, pid, **fields)
    lid = pushed(db, pid)
    wait_idle(admin, server)
    return lid


def bulk(admin, server, ids, **set_):
    r = admin.post(server, "/reverb/admin/products/bulk", {"product_ids": ids, "set": set_})
    assert r.status == 200, r
    return r.json


# ---- the picker ---------------------------------------------------------------------------

def test_profile_list_with_profiles_with_none_and_reverb_errors(db, fake, server, admin):
    configure(admin, server)
    r = admin.get(server, "/reverb/admin/shipping-profiles")
    assert r.status == 200, r
    assert r.json == {"profiles": [{"id": "15655", "name": "Standard (Australia Post)"},
                                   {"id": "15656", "name": "Large instruments (courier)"}],
                      "currency": "AUD"}
    assert [q["path"] for q in fake.requests()] == ["/api/shop"]
    # numeric ids (the notes do not say which Reverb sends) and entries without a usable id
    fake.set_shipping_profiles([{"id": 77, "name": "Pickup only"}, {"id": "x"}, {"name": "n"}])
    assert admin.get(server, "/reverb/admin/shipping-profiles").json["profiles"] == \
        [{"id": "77", "name": "Pickup only"}]
    # an account without profiles: an empty list (the admin then asks for rates)
    fake.set_shipping_profiles([])
    r = admin.get(server, "/reverb/admin/shipping-profiles")
    assert r.status == 200 and r.json["profiles"] == [] and r.json["currency"] == "AUD"
    # Reverb down: 502 in plain words; a wrong answer: 502 reverb_bad_answer
    fake.faults([{"path_regex": "^/api/shop$", "kind": "503", "times": 5}])
    r = admin.get(server, "/reverb/admin/shipping-profiles")
    assert r.status == 502 and r.json["error"]["code"] == "reverb_unreachable", r
    assert "shipping profiles" in r.json["error"]["message"]
    fake.faults([{"path_regex": "^/api/shop$", "kind": "shape",
                  "body": {"shipping_profiles": {"id": 1}}, "times": 1}])
    r = admin.get(server, "/reverb/admin/shipping-profiles")
    assert r.status == 502 and r.json["error"]["code"] == "reverb_bad_answer", r
    fake.faults([])
    # a token Reverb refuses, and no token at all (nothing is asked of Reverb then)
    fake.config(tokens=["another"])
    r = admin.get(server, "/reverb/admin/shipping-profiles")
    assert r.status == 502 and r.json["error"]["code"] == "reverb_unauthorized", r
    db.execute("DELETE FROM oc_setting WHERE `key` = 'module_reverb_token'")
    fake.clear_requests()
    r = admin.get(server, "/reverb/admin/shipping-profiles")
    assert r.status == 400 and r.json["error"]["code"] == "no_token", r
    assert fake.requests() == []


# ---- shipping in the listing body ----------------------------------------------------------

def test_profile_setting_and_per_product_override_reach_create_and_update(db, fake, server,
                                                                          admin):
    configure(admin, server, shipping_profile_id="15655")
    listed(db, fake, server, admin, 5401, "SHIP-1")
    listed(db, fake, server, admin, 5402, "SHIP-2", shipping_profile_id="15656")
    (c1,), (c2,) = bodies(fake, "SHIP-1", "POST"), bodies(fake, "SHIP-2", "POST")
    assert c1["shipping_profile_id"] == "15655" and "shipping" not in c1
    assert c2["shipping_profile_id"] == "15656"
    assert by_sku(fake.listings())["SHIP-2"]["shipping_profile"]["name"] == \
        "Large instruments (courier)"
    p = admin.get(server, "/reverb/admin/product/5402").json["product"]
    assert p["shipping_profile_id"] == "15656" and p["local_pickup"] is None
    assert admin.get(server, "/reverb/admin/product/5401").json["product"][
        "shipping_profile_id"] is None
    # the product tab sets an override: the update carries it
    fake.clear_requests()
    enable(admin, server, 5401, shipping_profile_id="15656")
    wait_idle(admin, server)
    assert [b["shipping_profile_id"] for b in bodies(fake, "SHIP-1", "PUT")] == ["15656"]
    # the bulk change back to the shop's profile (null), then the shop's setting changes
    fake.clear_requests()
    assert bulk(admin, server, [5401, 5402], shipping_profile_id=None)["changed"] == 2
    cycle(server, db, admin)
    assert [b["shipping_profile_id"] for b in bodies(fake, "SHIP-1", "PUT")] == ["15655"]
    assert [b["shipping_profile_id"] for b in bodies(fake, "SHIP-2", "PUT")] == ["15655"]
    fake.clear_requests()
    configure(admin, server, shipping_profile_id="15656")
    assert cycle(server, db, admin)["products_queued"] == 2
    assert [b["shipping_profile_id"] for b in bodies(fake, "SHIP-1", "PUT")] == ["15656"]
    # settled: nothing more is sent
    fake.clear_requests()
    cycle(server, db, admin)
    assert bodies(fake, "SHIP-1") == [] and bodies(fake, "SHIP-2") == []
    assert admin.get(server, "/reverb/admin/log?status=error").json["total"] == 0


def test_rates_and_local_pickup_when_the_account_has_no_profile(db, fake, server, admin):
    fake.set_shipping_profiles([])
    configure(admin, server, shipping_rate_au="12.5", shipping_rate_xx="60", local_pickup=1)
    s = admin.get(server, "/reverb/admin/settings").json["settings"]
    assert (s["shipping_rate_au"], s["shipping_rate_xx"], s["local_pickup"]) == ("12.50", "60.00", 1)
    listed(db, fake, server, admin, 5411, "RATE-1")
    (c,) = bodies(fake, "RATE-1", "POST")
    assert "shipping_profile_id" not in c
    assert c["shipping"] == {"rates": [
        {"rate": {"amount": "12.50", "currency": "AUD"}, "region_code": "AU"},
        {"rate": {"amount": "60.00", "currency": "AUD"}, "region_code": "XX"}], "local": True}
    # per product: no local pickup for this one
    fake.clear_requests()
    enable(admin, server, 5411, local_pickup=0)
    wait_idle(admin, server)
    (u,) = bodies(fake, "RATE-1", "PUT")
    assert u["shipping"]["local"] is False and len(u["shipping"]["rates"]) == 2
    assert admin.get(server, "/reverb/admin/product/5411").json["product"]["local_pickup"] == 0
    # a new rate in the settings reaches the listing by the next cycle
    fake.clear_requests()
    configure(admin, server, shipping_rate_au="15", shipping_rate_xx="")
    assert cycle(server, db, admin)["products_queued"] == 1
    (u,) = bodies(fake, "RATE-1", "PUT")
    assert u["shipping"] == {"rates": [{"rate": {"amount": "15.00", "currency": "AUD"},
                                        "region_code": "AU"}], "local": False}
    # back to the shop's pickup setting by a bulk change
    fake.clear_requests()
    bulk(admin, server, [5411], local_pickup=None)
    cycle(server, db, admin)
    (u,) = bodies(fake, "RATE-1", "PUT")
    assert u["shipping"]["local"] is True


# ---- offers --------------------------------------------------------------------------------

def test_offers_global_and_per_product(db, fake, server, admin):
    configure(admin, server, offers_enabled=0)
    listed(db, fake, server, admin, 5421, "OFF-1")
    listed(db, fake, server, admin, 5422, "OFF-2", offers_enabled=1)
    assert bodies(fake, "OFF-1", "POST")[0]["offers_enabled"] is False
    assert bodies(fake, "OFF-2", "POST")[0]["offers_enabled"] is True
    assert by_sku(fake.listings())["OFF-1"]["offers_enabled"] is False
    assert admin.get(server, "/reverb/admin/product/5422").json["product"]["offers_enabled"] == 1
    # the shop's setting turns on: only the product that follows it changes
    fake.clear_requests()
    configure(admin, server, offers_enabled=1)
    assert cycle(server, db, admin)["products_queued"] == 1
    assert [b["offers_enabled"] for b in bodies(fake, "OFF-1", "PUT")] == [True]
    assert bodies(fake, "OFF-2") == []
    # a bulk "offers off" reaches the listing
    fake.clear_requests()
    bulk(admin, server, [5422], offers_enabled=0)
    cycle(server, db, admin)
    assert [b["offers_enabled"] for b in bodies(fake, "OFF-2", "PUT")] == [False]
    assert by_sku(fake.listings())["OFF-2"]["offers_enabled"] is False


# ---- stock buffer --------------------------------------------------------------------------

def test_stock_buffer_never_below_zero_and_ends_a_one_of_a_kind_listing(db, fake, server, admin):
    configure(admin, server, stock_buffer=2, auto_publish=1)
    assert admin.get(server, "/reverb/admin/settings").json["settings"]["stock_buffer"] == 2
    listed(db, fake, server, admin, 5431, "BUF-1", qty=5, condition_uuid=NEW)
    lid = listed(db, fake, server, admin, 5432, "BUF-2", qty=3, condition_uuid=GOOD)
    assert bodies(fake, "BUF-1", "POST")[0]["inventory"] == 3      # 5 - 2
    one = by_sku(fake.listings())["BUF-2"]
    assert one["state"]["slug"] == "live" and one["inventory"] == 1
    # a buffer larger than the stock: 0 on Reverb, never below
    fake.clear_requests()
    configure(admin, server, stock_buffer=9)
    cycle(server, db, admin)
    assert [b["inventory"] for b in bodies(fake, "BUF-1", "PUT")] == [0]
    # the one-of-a-kind item has nothing left to list: ended as a sale would end it
    ends = [r for r in fake.requests() if r["path"] == "/api/my/listings/%s/state/end" % lid]
    assert len(ends) == 1 and ends[0]["body"] == {"reason": "not_sold"}
    assert by_sku(fake.listings())["BUF-2"]["state"]["slug"] == "ended"
    assert db.value("SELECT listing_state FROM oc_reverb_product_map WHERE product_id = 5432") \
        == "ended"
    assert any("stock buffer (9)" in m for m in log_messages(admin, server, direction="push"))
    assert qty(db, 5432) == 3 and qty(db, 5431) == 5     # OpenCart's stock is untouched
    # settled at 0: nothing more is sent
    fake.clear_requests()
    cycle(server, db, admin)
    assert [r for r in fake.requests() if "/orders/" not in r["path"]] == []
    # the buffer comes down: the same listing is relisted, stock back on the other
    configure(admin, server, stock_buffer=1)
    cycle(server, db, admin)
    (u,) = bodies(fake, "BUF-2", "PUT")
    assert u["publish"] is True and u["inventory"] == 1
    ls = [x for x in fake.listings() if x["sku"] == "BUF-2"]
    assert len(ls) == 1 and ls[0]["id"] == lid and ls[0]["state"]["slug"] == "live"
    assert [b["inventory"] for b in bodies(fake, "BUF-1", "PUT")] == [4]
    assert admin.get(server, "/reverb/admin/log?status=error").json["total"] == 0


def test_stock_buffer_both_ways_a_sale_on_reverb_is_pulled_and_not_pushed_back(db, fake, server,
                                                                             admin):
    """Both ways with a buffer: Reverb holds OpenCart's stock less the buffer. A sale on
    Reverb lowers OpenCart's stock by one, and Reverb, already right, is sent nothing."""
    configure(admin, server, sync_mode="both_ways", stock_buffer=2)
    lid = listed(db, fake, server, admin, 5435, "BUF-3", qty=5, condition_uuid=NEW)
    assert by_sku(fake.listings())["BUF-3"]["inventory"] == 3
    fake.clear_requests()
    fake.edit_listing(lid, inventory=2)          # one sold on Reverb
    cycle(server, db, admin)
    cycle(server, db, admin)
    assert qty(db, 5435) == 4
    assert bodies(fake, "BUF-3") == []
    assert by_sku(fake.listings())["BUF-3"]["inventory"] == 2


# ---- order import switch -------------------------------------------------------------------

def test_order_import_off_imports_nothing_and_says_so_once(db, fake, server, admin):
    clean_orders(db)
    add_product(db, 5441, "Boss DS-1", "ORD-OFF-1", "100.0000", 10)
    configure(admin, server, order_import=0)
    assert admin.get(server, "/reverb/admin/settings").json["settings"]["order_import"] == 0
    fake.seed_order(order_number="8801", sku="ORD-OFF-1", quantity=2, price="100.00")
    fake.seed_order(order_number="8802", sku="ORD-OFF-1", quantity=1, price="100.00")
    for n in ("8801", "8802"):          # sold an hour ago, while the switch was off
        fake.edit_order(n, updated_at=hour_ago())
    for n in ("8801", "8802"):
        r = webhook(server, db, {"order": {"order_number": n}}, headers={"X-Reverb-Topic":
                                                                          "orders/create"})
        assert r.status == 202 and r.json["queued"] is False, r
    c = cycle(server, db, admin)
    assert c["order_import"] is False and c["orders"]["imported"] == 0
    cycle(server, db, admin)
    assert oc_orders(db) == () and qty(db, 5441) == 10
    assert db.value("SELECT COUNT(*) FROM oc_reverb_order_map") == 0
    assert db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE kind = 'order'") == 0
    assert not [q for q in fake.requests() if "/orders/" in q["path"]]    # Reverb not asked
    said = [m for m in log_messages(admin, server) if "Order import is off" in m]
    assert len(said) == 1, log_messages(admin, server)
    r = admin.post(server, "/reverb/admin/orders/import", {})
    assert r.status == 409 and r.json["error"]["code"] == "order_import_off", r
    # on again: the orders of the time it was off are left alone (their stock went
    # through the listings); a new order is imported as usual
    configure(admin, server, order_import=1)
    assert cycle(server, db, admin)["orders"]["imported"] == 0
    assert oc_orders(db) == () and qty(db, 5441) == 10
    fake.seed_order(order_number="8803", sku="ORD-OFF-1", quantity=3, price="100.00")
    r = webhook(server, db, {"order": {"order_number": "8803"}},
                headers={"X-Reverb-Topic": "orders/create"})
    assert r.status == 202, r
    wait_until(lambda: qty(db, 5441) == 7, timeout=20, what="order 8803 imported")
    assert len(oc_orders(db)) == 1
    # turned off once more: said once more
    configure(admin, server, order_import=0)
    cycle(server, db, admin)
    cycle(server, db, admin)
    assert len([m for m in log_messages(admin, server) if "Order import is off" in m]) == 2
    clean_orders(db)


def test_order_import_off_still_pulls_stock_from_the_listing(db, fake, server, admin):
    """Both ways: with orders not imported, a sale on Reverb still lowers OpenCart's stock
    through the listing's inventory."""
    clean_orders(db)
    configure(admin, server, sync_mode="both_ways", order_import=0)
    lid = listed(db, fake, server, admin, 5451, "ORD-OFF-2", qty=5, condition_uuid=NEW)
    fake.edit_listing(lid, inventory=3)
    cycle(server, db, admin)
    assert qty(db, 5451) == 3 and oc_orders(db) == ()


# ---- refused input -------------------------------------------------------------------------

BAD_SETTINGS = [("shipping_rate_au", "12.345"), ("shipping_rate_au", "abc"),
                ("shipping_rate_xx", "-1"), ("shipping_rate_xx", 12.5),
                ("shipping_rate_au", "100000.01"), ("stock_buffer", -1), ("stock_buffer", "x"),
                ("stock_buffer", 100001), ("stock_buffer", 1.5), ("offers_enabled", 2),
                ("local_pickup", "yes"), ("order_import", 3), ("order_import", None)]


@pytest.mark.parametrize("key,value", BAD_SETTINGS)
def test_bad_settings_are_400_naming_the_field_and_write_nothing(db, server, admin, key, value):
    configure(admin, server)
    before = db.checksum()
    r = admin.post(server, "/reverb/admin/settings", {"stock_buffer": 3, key: value}
                   if key != "stock_buffer" else {"offers_enabled": 0, key: value})
    assert r.status == 400 and r.json["error"]["code"] == "invalid_request", r
    assert key in r.json["error"]["message"]
    assert db.checksum() == before


def test_bad_product_and_bulk_values_are_400_and_write_nothing(db, fake, server, admin):
    configure(admin, server)
    add_product(db, 5461, "Guitar", "BAD-1", "900.0000", 1)
    enable(admin, server, 5461)
    wait_idle(admin, server)
    before = db.checksum()
    for body, field in [({"sync_enabled": 0, "shipping_profile_id": "12a"}, "shipping_profile_id"),
                        ({"shipping_profile_id": {"id": 1}}, "shipping_profile_id"),
                        ({"handmade": 1, "local_pickup": 2}, "local_pickup"),
                        ({"offers_enabled": "maybe"}, "offers_enabled")]:
        r = admin.post(server, "/reverb/admin/product/5461", body)
        assert r.status == 400 and field in r.json["error"]["message"], (body, r)
    for set_ in ({"shipping_profile_id": "12a"}, {"shipping_profile_id": 1.5},
                 {"local_pickup": 2}, {"sync_enabled": 0, "shipping_profile_id": "x"}):
        r = admin.post(server, "/reverb/admin/products/bulk", {"product_ids": [5461], "set": set_})
        assert r.status == 400 and r.json["error"]["code"] == "invalid_request", (set_, r)
    assert db.checksum() == before
