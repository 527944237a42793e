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
