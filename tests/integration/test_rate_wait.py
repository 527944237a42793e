"""Issue 13 item 4: at the rate-limit floor. When the shared window is full the worker
waits for the next free slot instead of claiming jobs only to defer them, and a create
our own limiter held back (nothing was sent) needs no SKU lookup afterwards: a wait for
the limit costs no Reverb request, the fake (enforcing the same limit) answers no 429,
and no 60 s window ever holds more than the limit."""
import pytest

from harness.apache import Apache
from harness.shop import ensure_category, reset, add_many_products, configure, by_sku
from harness.util import wait_until

LIMIT = 4


@pytest.fixture(scope="module")
def tight(db, fake):
    a = Apache(db, api_url=fake.api_url, rate_limit=LIMIT, interval=100)
    a.start()
    yield a
    a.stop()
    a.destroy()


@pytest.fixture(autouse=True)
def clean(db, fake, tight, admin):
    ensure_category(db)
    reset(db, fake)
    configure(admin, tight)
    fake.config(rate_limit=LIMIT)
    yield
    fake.config(rate_limit=0)


def test_a_full_window_costs_no_extra_request(db, fake, tight, admin):
    ids = add_many_products(db, 5800, 3, "RATE-")
    # the window is nearly full with requests sent 50 s ago (as by another server):
    # one slot for the prefetch, then nothing for about 11 s, longer than a call
    # may wait for a slot, so every create is held back by our own limiter first
    db.execute("INSERT INTO oc_reverb_rate (ts) SELECT NOW(6) - INTERVAL 50 SECOND"
               " FROM seq_1_to_%d" % (LIMIT - 1))
    fake.clear_requests()
    r = admin.post(tight, "/reverb/admin/sync", {})
    assert r.status in (200, 202), r

    def lookups():
        return [q for q in fake.requests() if q["method"] == "GET" and "sku=" in q["query"]]

    def listed():
        return all("RATE-%d" % i in by_sku(fake.listings()) for i in ids)
    # every product listed, or (the failure this guards against) an SKU lookup sent
    wait_until(lambda: listed() or lookups(), timeout=100, interval=0.2,
               what="every product listed")
    assert lookups() == []                  # a held-back create sent nothing: nothing to look up
    assert listed()
    api = [q for q in fake.requests() if q["path"].startswith("/api/")]
    assert sorted(q["method"] for q in api) == ["GET", "POST", "POST", "POST"], api
    assert [q for q in api if q["status"] == 429] == []
    assert fake.stats()["max_in_any_60s_window"] <= LIMIT
    # and nobody sees an error for a wait
    assert db.value("SELECT COUNT(*) FROM oc_reverb_sync_log WHERE status = 'error'") == 0
