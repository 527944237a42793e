"""New products found by cron in a batch are matched with one prefetch of the seller's
listings, not one SKU lookup each (about one Reverb request per product on every first
sync). Its own module with ReverbWorker Off: cron runs the jobs, so the order of events
is the module's, not a race with a worker thread."""
import pytest

from harness.order_helpers import order_server, cron
from harness.shop import ensure_category, reset, add_many_products, configure, by_sku
from harness.util import wait_until


@pytest.fixture(scope="module")
def lone(db, fake):
    a = order_server(db, fake, worker="Off")
    yield a
    a.stop()
    a.destroy()


@pytest.fixture(autouse=True)
def clean(db, fake, lone, admin):
    ensure_category(db)
    reset(db, fake)
    configure(admin, lone)


def listing_gets(fake):
    return [r for r in fake.requests() if r["method"] == "GET" and r["path"] == "/api/my/listings"]


def run_cron_until_idle(db, lone):
    def idle():
        cron(lone, db)
        return db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE state IN ('pending', 'running')"
                        " AND run_after <= NOW(3)") == 0
    wait_until(idle, timeout=60, interval=0.2, what="the queue to drain by cron")


def test_a_batch_of_new_products_uses_one_prefetch(db, fake, lone, admin):
    ids = add_many_products(db, 5600, 20, "MATCH-")
    # three of them are on Reverb already (an earlier try, another tool)
    for pid in ids[:3]:
        fake.seed_listing(sku="MATCH-%d" % pid, title="old", state="draft")
    fake.clear_requests()
    run_cron_until_idle(db, lone)
    gets = listing_gets(fake)
    assert not [g for g in gets if "sku=" in g["query"]], gets          # no SKU lookups
    assert len(gets) == 1 and "state=all" in gets[0]["query"]            # one page of 50
    ls = by_sku(fake.listings())
    assert sorted(ls) == sorted("MATCH-%d" % p for p in ids)            # no duplicate
    posts = [r for r in fake.requests() if r["method"] == "POST" and r["path"] == "/api/listings"]
    assert len(posts) == 17
    api = [r for r in fake.requests() if r["path"].startswith("/api/")
           and "/orders" not in r["path"]]
    assert len(api) == 21          # 1 page + 17 creates + 3 updates: 1.05 per product
    # every product is mapped to its listing, the three adopted ones to theirs
    assert db.value("SELECT COUNT(*) FROM oc_reverb_product_map WHERE product_id BETWEEN 5600"
                    " AND 5619 AND reverb_listing_id IS NOT NULL") == 20
    # the match run is not a full sync: the admin's progress shows none
    assert admin.get(lone, "/reverb/admin/sync").json["run"] is None


def test_two_new_products_are_looked_up_one_by_one(db, fake, lone, admin):
    add_many_products(db, 5700, 2, "FEW-")
    fake.clear_requests()
    run_cron_until_idle(db, lone)
    gets = listing_gets(fake)
    assert len(gets) == 2 and all("sku=FEW-" in g["query"] for g in gets), gets
    assert sorted(by_sku(fake.listings())) == ["FEW-5700", "FEW-5701"]


def test_a_bulk_enable_uses_one_prefetch(db, fake, lone, admin):
    ids = add_many_products(db, 5800, 12, "BULKM-", enabled=False)
    fake.seed_listing(sku="BULKM-5800", title="old", state="draft")
    fake.clear_requests()
    r = admin.post(lone, "/reverb/admin/products/bulk",
                   {"product_ids": ids, "set": {"sync_enabled": 1}})
    assert r.status == 200 and r.json["queued"] == 12, r
    run_cron_until_idle(db, lone)
    gets = listing_gets(fake)
    assert not [g for g in gets if "sku=" in g["query"]], gets
    assert len(gets) == 1
    assert sorted(by_sku(fake.listings())) == sorted("BULKM-%d" % p for p in ids)
