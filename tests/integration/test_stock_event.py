"""A storefront sale reaches Reverb without waiting for cron: OpenCart's order event tells
mod_reverb which products moved (POST /reverb/stock-changed with the cron key), and the
worker pushes the new stock at once; the decision what to send stays in the module."""
import pytest

from harness.shop import (NEW, ensure_category, reset, add_product, configure, enable, by_sku,
                          wait_idle)
from harness.order_helpers import api_requests
from harness.util import wait_until


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    ensure_category(db)
    reset(db, fake)
    configure(admin, server)


def listed(db, fake, admin, server, pid, sku, qty):
    add_product(db, pid, "Boss RC-30 Loop Station", sku, "450.0000", qty)
    enable(admin, server, pid)
    wait_until(lambda: sku in by_sku(fake.listings()), timeout=20, what="the listing")
    wait_idle(admin, server)
    return by_sku(fake.listings())[sku]


def stock_changed(server, db, ids, key=None):
    return server.post("/reverb/stock-changed", {"product_ids": ids},
                       headers={"X-Reverb-Cron-Key": key or db.setting("cron_key")})


def test_a_sale_is_pushed_without_cron(db, fake, server, admin):
    listing = listed(db, fake, admin, server, 5401, "EVT-5401", 3)
    fake.clear_requests()
    # what OpenCart's checkout does: quantity down, date_modified untouched
    db.execute("UPDATE oc_product SET quantity = quantity - 1 WHERE product_id = 5401")
    r = stock_changed(server, db, [5401, 999999])
    assert r.status == 202 and r.json == {"received": 2, "queued": 1}, r
    wait_until(lambda: [q for q in api_requests(fake, "PUT") if str(listing["id"]) in q["path"]],
               timeout=20, interval=0.1, what="the stock push")
    wait_idle(admin, server)
    assert by_sku(fake.listings())["EVT-5401"]["inventory"] == 2
    # no cron cycle ran: the order list was never polled
    assert not api_requests(fake, "GET", "/api/my/orders")


def test_an_unchanged_product_costs_no_reverb_request(db, fake, server, admin):
    listed(db, fake, admin, server, 5402, "EVT-5402", 2)
    fake.clear_requests()
    r = stock_changed(server, db, [5402])
    assert r.status == 202 and r.json["queued"] == 1
    wait_idle(admin, server)
    assert [q for q in fake.requests() if q["method"] in ("PUT", "POST")] == []


def test_products_not_synced_are_ignored(db, fake, server, admin):
    add_product(db, 5403, "Not on Reverb", "EVT-5403", "10.0000", 1)
    r = stock_changed(server, db, [5403])
    assert r.status == 202 and r.json["queued"] == 0
    assert db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE ref = '5403'") == 0


@pytest.mark.parametrize("body", [{}, {"product_ids": "5401"}, {"product_ids": [1, "x"]},
                                  {"product_ids": [0]}, {"product_ids": [-3]}, [5401],
                                  {"product_ids": [{"id": 1}]}])
def test_bad_bodies_are_400_and_write_nothing(db, server, body):
    before = db.checksum()
    r = server.post("/reverb/stock-changed", body,
                    headers={"X-Reverb-Cron-Key": db.setting("cron_key")})
    assert r.status == 400 and r.error_code == "invalid_request", r
    assert db.checksum() == before


def test_too_many_ids_is_413(db, server):
    r = stock_changed(server, db, list(range(1, 1002)))
    assert r.status == 413 and "At most 1000" in r.json["error"]["message"]


def test_the_cron_key_is_required(db, server):
    before = db.checksum()
    assert stock_changed(server, db, [5401], key="0" * 32).status == 403
    assert server.post("/reverb/stock-changed", {"product_ids": [5401]}).status == 403
    assert db.checksum() == before


def test_the_storefront_event_is_registered_by_install():
    import os
    from harness import REPO
    admin_php = open(os.path.join(REPO, "ocmod/upload/admin/controller/extension/module/reverb.php")).read()
    assert "'catalog/model/checkout/order/addOrderHistory/after'" in admin_php
    assert "'reverb_order_history'" in admin_php.split("function uninstall")[1]
    cat = open(os.path.join(REPO, "ocmod/upload/catalog/controller/extension/module/reverb.php")).read()
    assert "function eventOrderHistory" in cat and "/stock-changed" in cat and "X-Reverb-Cron-Key" in cat
