"""Issue 9 (1-3): one-of-a-kind items end when sold out and relist on restock; a create is
never sent twice (libcurl's silent resend on a dead keep-alive connection, lost answers);
job leases that hold while a job runs."""
import re
import time
import urllib.parse

import pytest

from harness.apache import Apache
from harness.shop import (NEW, GOOD, reset, ensure_category, add_product, configure, enable,
                          by_sku, wait_idle)
from harness.util import wait_until


@pytest.fixture(autouse=True)
def clean(db, fake):
    ensure_category(db)
    reset(db, fake)
    yield
    fake.faults([])
    fake.release()
    fake.config(latency_ms=0)


def cron(server, db):
    r = server.get("/reverb/cron?key=" + db.setting("cron_key"))
    assert r.status == 200, r
    return r.json


def listing_requests(fake):
    return [r for r in fake.requests() if "/orders/" not in r["path"]]


def listing_id(db, pid):
    return db.value("SELECT reverb_listing_id FROM oc_reverb_product_map WHERE product_id = %s",
                    (pid,))


def pushed(db, pid, timeout=30):
    return wait_until(lambda: listing_id(db, pid), timeout=timeout, what="product %d pushed" % pid)


def creates(fake):
    return [r for r in fake.requests() if r["method"] == "POST" and r["path"] == "/api/listings"]


def run_full_sync(admin, server, timeout=60):
    r = admin.post(server, "/reverb/admin/sync", {})
    assert r.status == 202, r

    def finished():
        run = admin.get(server, "/reverb/admin/sync").json["run"]
        return run if run and run["state"] == "finished" else None
    return wait_until(finished, timeout=timeout, interval=0.3, what="full sync")


# ---- 1. one-of-a-kind items -------------------------------------------------------------

def test_one_of_a_kind_sold_in_the_store_is_ended_then_relisted_on_restock(db, fake, server,
                                                                          admin):
    """Reverb ignores `inventory` for used conditions: inventory 0 would leave the item for
    sale. A storefront sale (quantity changes, date_modified does not) ends the listing; a
    cancelled sale relists the same listing; nothing is ever created twice."""
    add_product(db, 5201, "Used Telecaster", "OOAK-5201", "900.0000", 1)
    configure(admin, server, auto_publish=1)
    enable(admin, server, 5201, condition_uuid=GOOD)
    lid = pushed(db, 5201)
    wait_idle(admin, server)
    l = by_sku(fake.listings())["OOAK-5201"]
    assert l["state"]["slug"] == "live" and l["has_inventory"] is False and l["inventory"] == 1

    fake.clear_requests()
    db.execute("UPDATE oc_product SET quantity = quantity - 1 WHERE product_id = 5201")
    assert cron(server, db)["products_queued"] == 1
    wait_idle(admin, server)
    ends = [r for r in listing_requests(fake) if r["path"] == "/api/my/listings/%s/state/end" % lid]
    assert len(ends) == 1 and ends[0]["method"] == "PUT" and ends[0]["body"] == {"reason": "not_sold"}
    assert by_sku(fake.listings())["OOAK-5201"]["state"]["slug"] == "ended"
    assert db.value("SELECT listing_state FROM oc_reverb_product_map WHERE product_id = 5201") \
        == "ended"
    # settled: the next cycles send nothing more
    fake.clear_requests()
    cron(server, db)
    wait_idle(admin, server)
    cron(server, db)
    wait_idle(admin, server)
    assert listing_requests(fake) == []

    # the sale is cancelled: the stock comes back and the same listing goes live again
    db.execute("UPDATE oc_product SET quantity = quantity + 1 WHERE product_id = 5201")
    assert cron(server, db)["products_queued"] == 1
    wait_idle(admin, server)
    reqs = listing_requests(fake)
    assert [(r["method"], r["path"]) for r in reqs] == [("PUT", "/api/listings/%s" % lid)]
    assert reqs[0]["body"]["publish"] is True
    ls = [x for x in fake.listings() if x["sku"] == "OOAK-5201"]
    assert len(ls) == 1 and ls[0]["id"] == lid and ls[0]["state"]["slug"] == "live"
    assert listing_id(db, 5201) == lid
    assert db.value("SELECT listing_state FROM oc_reverb_product_map WHERE product_id = 5201") \
        == "live"
    assert admin.get(server, "/reverb/admin/log?status=error").json["total"] == 0


def test_drafts_at_zero_stay_drafts_and_multi_quantity_items_are_not_ended(db, fake, server,
                                                                          admin):
    add_product(db, 5211, "Used Pedal", "OOAK-5211", "120.0000", 0)      # created at 0: a draft
    add_product(db, 5212, "New Pedal", "NEW-5212", "150.0000", 2)
    configure(admin, server, auto_publish=1)
    enable(admin, server, 5211, condition_uuid=GOOD)
    enable(admin, server, 5212, condition_uuid=NEW)
    pushed(db, 5211)
    pushed(db, 5212)
    wait_idle(admin, server)
    ls = by_sku(fake.listings())
    assert ls["OOAK-5211"]["state"]["slug"] == "draft" and ls["NEW-5212"]["state"]["slug"] == "live"
    fake.clear_requests()
    db.execute("UPDATE oc_product SET price = 110.0000 WHERE product_id = 5211")
    db.execute("UPDATE oc_product SET quantity = 0 WHERE product_id = 5212")
    assert cron(server, db)["products_queued"] == 2
    wait_idle(admin, server)
    reqs = listing_requests(fake)
    assert not [r for r in reqs if r["path"].endswith("/state/end")]
    assert sorted((r["method"], r["body"]["inventory"]) for r in reqs) == [("PUT", 0), ("PUT", 0)]
    assert by_sku(fake.listings())["OOAK-5211"]["state"]["slug"] == "draft"
    # stock for the draft: still a draft (publishing is the owner's choice)
    fake.clear_requests()
    db.execute("UPDATE oc_product SET quantity = 1 WHERE product_id = 5211")
    assert cron(server, db)["products_queued"] == 1
    wait_idle(admin, server)
    reqs = listing_requests(fake)
    assert len(reqs) == 1 and "publish" not in reqs[0]["body"]
    assert by_sku(fake.listings())["OOAK-5211"]["state"]["slug"] == "draft"


def test_sold_out_item_that_already_sold_on_reverb_is_not_an_error(db, fake, server, admin):
    """Reverb refuses to end a listing that sold there; the module reads the listing, sees
    it is no longer for sale, records that and stops asking."""
    add_product(db, 5215, "Used Amp", "OOAK-5215", "400.0000", 1)
    configure(admin, server, auto_publish=1)
    enable(admin, server, 5215, condition_uuid=GOOD)
    lid = pushed(db, 5215)
    wait_idle(admin, server)
    fake.edit_listing(lid, state="sold")
    fake.faults([{"path_regex": "/state/end$", "kind": "412", "times": 1}])
    db.execute("UPDATE oc_product SET quantity = 0 WHERE product_id = 5215")
    cron(server, db)
    wait_idle(admin, server)
    wait_until(lambda: db.value("SELECT listing_state FROM oc_reverb_product_map"
                                " WHERE product_id = 5215") == "sold", timeout=15,
               what="the listing's state read back")
    assert db.value("SELECT last_error FROM oc_reverb_product_map WHERE product_id = 5215") is None
    fake.clear_requests()
    cron(server, db)
    wait_idle(admin, server)
    assert listing_requests(fake) == []


# ---- 2. a create is never sent twice --------------------------------------------------------

def test_create_is_not_resent_when_a_reused_connection_dies(db, fake, server, admin):
    """Reverb creates the listing, then the reused keep-alive connection dies before one
    byte of the answer. libcurl would silently send the POST again on a fresh connection;
    a POST therefore never goes out on a reused connection."""
    add_product(db, 5221, "Strat", "DUP-5221", "1000.0000", 1)
    configure(admin, server)
    fake.faults([{"method": "POST", "path_regex": "^/api/listings$", "kind": "drop",
                  "after_effect": True, "reused_only": True}])
    enable(admin, server, 5221)
    lid = pushed(db, 5221)
    wait_idle(admin, server)
    posts = creates(fake)
    assert len(posts) == 1 and posts[0]["reused_connection"] is False
    ls = [x for x in fake.listings() if x["sku"] == "DUP-5221"]
    assert len(ls) == 1 and ls[0]["id"] == lid


def test_a_lost_create_answer_is_looked_up_before_any_retry(db, fake, server, admin):
    """In a full sync the prefetch saw no such SKU, and the create's answer is lost after
    Reverb made the listing: the next attempt looks the SKU up and adopts the listing."""
    add_product(db, 5222, "Les Paul", "LOST-5222", "2000.0000", 1)
    configure(admin, server)
    # enabled without queueing a push of its own: the full sync pushes it
    db.execute("INSERT INTO oc_reverb_product_map (product_id, sync_enabled) VALUES (5222, 1)")
    fake.faults([{"method": "POST", "path_regex": "^/api/listings$", "kind": "drop",
                  "after_effect": True, "times": 1}])
    run_full_sync(admin, server)
    wait_idle(admin, server)
    ls = [x for x in fake.listings() if x["sku"] == "LOST-5222"]
    assert len(ls) == 1 and listing_id(db, 5222) == ls[0]["id"]
    reqs = listing_requests(fake)
    posts = [i for i, r in enumerate(reqs) if r["method"] == "POST"]
    assert len(posts) == 1
    after = reqs[posts[0] + 1]
    assert after["method"] == "GET" and after["path"] == "/api/my/listings" \
        and "sku=LOST-5222" in after["query"] and "state=all" in after["query"]
    assert [(r["method"], r["path"]) for r in reqs[posts[0] + 2:]] == \
        [("PUT", "/api/listings/%s" % ls[0]["id"])]


# ---- 3. leases ---------------------------------------------------------------------------------

def running_owner(db, pid):
    return db.value("SELECT lease_owner FROM oc_reverb_job WHERE kind = 'push' AND ref = %s"
                    " AND state = 'running'", (str(pid),))


def lookup_arrived(fake, sku):
    return [r for r in fake.requests() if r["path"] == "/api/my/listings"
            and "sku=" + sku in r["query"]]


def test_every_claim_has_its_own_lease_owner(db, fake, server, admin):
    """The same process (the watchdog thread; cron's drain in another thread of the same
    child would be the same) claims twice: two different owners, neither the bare host:pid."""
    add_product(db, 5231, "A", "OWN-5231", "100.0000", 1)
    add_product(db, 5232, "B", "OWN-5232", "100.0000", 1)
    configure(admin, server)
    fake.faults([{"path_regex": "^/api/my/listings$", "kind": "hold"}])
    owners = []
    for pid, sku in ((5231, "OWN-5231"), (5232, "OWN-5232")):
        enable(admin, server, pid)
        wait_until(lambda: lookup_arrived(fake, sku), timeout=15, what="the lookup held")
        owners.append(running_owner(db, pid))
        fake.release()
        pushed(db, pid)
    holder = db.value("SELECT holder FROM oc_reverb_lock WHERE name = 'worker'")
    assert owners[0] and owners[1] and owners[0] != owners[1], owners
    assert holder not in owners
    assert all(o.startswith(holder + ":") for o in owners), (holder, owners)


def test_a_create_checks_its_lease_just_before_it_posts(db, fake, server, admin):
    """While the SKU lookup is under way another process takes the job over (as after an
    expired lease): the first one must not POST."""
    add_product(db, 5241, "Jazzmaster", "LEASE-5241", "1500.0000", 1)
    configure(admin, server)
    fake.faults([{"path_regex": "^/api/my/listings$", "kind": "hold", "times": 1}])
    enable(admin, server, 5241)
    wait_until(lambda: lookup_arrived(fake, "LEASE-5241"), timeout=15, what="the lookup held")
    assert running_owner(db, 5241)
    db.execute("UPDATE oc_reverb_job SET lease_owner = 'another-host:1:claim',"
               " lease_until = NOW(3) + INTERVAL 1 HOUR WHERE kind = 'push' AND ref = '5241'")
    fake.release()
    wait_until(lambda: re.search(r"push job for 5241 .*taken over", server.error_log()),
               timeout=15, what="the worker to notice it lost the job")
    assert creates(fake) == []
    assert listing_id(db, 5241) is None
    assert db.value("SELECT lease_owner FROM oc_reverb_job WHERE kind = 'push' AND ref = '5241'") \
        == "another-host:1:claim"
    assert admin.get(server, "/reverb/admin/log?status=error").json["total"] == 0
    # the POST's rate slot was given back: one slot per request Reverb saw, none in flight
    assert db.value("SELECT COUNT(*) FROM oc_reverb_rate") == len(fake.requests())
    assert db.value("SELECT COUNT(*) FROM oc_reverb_rate WHERE ts > NOW(6)") == 0


def test_a_rate_slot_counts_from_the_answer_and_in_flight_until_then(db, fake, server, admin):
    """The shared limiter counts Reverb's minute from each request's answer: while a request
    is in flight its slot lies in the future (it counts for the whole window whatever the
    request takes), and once the answer is in the slot is dated at the answer, not at the
    grant. So no server can send early, and none waits longer than the window."""
    add_product(db, 5245, "Jaguar", "RATE-5245", "1400.0000", 1)
    configure(admin, server)
    fake.faults([{"path_regex": "^/api/my/listings$", "kind": "hold", "times": 1}])
    enable(admin, server, 5245)
    wait_until(lambda: lookup_arrived(fake, "RATE-5245"), timeout=15, what="the lookup held")
    rows = db.query("SELECT id, TIMESTAMPDIFF(MICROSECOND, NOW(6), ts) / 1e6"
                    " FROM oc_reverb_rate WHERE ts > NOW(6) ORDER BY id DESC LIMIT 1")
    assert rows, "the held request's slot must count as in flight"
    slot_id, ahead = rows[0]
    # ReverbHttpTimeout 5 s + 10 s: the longest the request may take
    assert 12 <= float(ahead) <= 15.5, rows
    time.sleep(1.5)
    released_at = db.value("SELECT NOW(6)")
    fake.release()
    pushed(db, 5245)
    wait_idle(admin, server)
    answered = db.value("SELECT ts FROM oc_reverb_rate WHERE id = %s", (slot_id,))
    assert answered >= released_at, (answered, released_at)
    assert db.value("SELECT COUNT(*) FROM oc_reverb_rate WHERE ts > NOW(6)") == 0
    assert db.value("SELECT COUNT(*) FROM oc_reverb_rate") == len(fake.requests())


def test_a_prefetch_slower_than_its_lease_runs_once(db, fake, admin):
    """Two servers share the queue; Reverb is so slow that paging through the seller's
    listings takes longer than a job's lease. The running prefetch keeps extending its
    lease, so the other server never takes it over and it runs exactly once."""
    for i in range(1600):                                         # 32 pages of 50
        fake.seed_listing(sku="OTHER-%d" % i, title="Other %d" % i, state="live",
                          price={"amount": "10.00", "currency": "AUD"}, condition={"uuid": NEW})
    add_product(db, 5251, "Bass", "SLOW-5251", "700.0000", 1)
    # lease: 4 x ReverbHttpTimeout + 10 = 22 s; 32 pages at 1 s each take longer
    a = Apache(db, api_url=fake.api_url, rate_limit=6000, interval=200, http_timeout=3)
    b = Apache(db, api_url=fake.api_url, rate_limit=6000, interval=200, http_timeout=3,
               mpm="prefork")
    a.start()
    b.start()
    try:
        configure(admin, a)
        enable(admin, a, 5251)
        pushed(db, 5251)
        wait_idle(admin, a)
        fake.clear_requests()
        fake.config(latency_ms=1000)
        run_full_sync(admin, a, timeout=120)
        firsts = [r for r in fake.requests() if r["method"] == "GET"
                  and r["path"] == "/api/my/listings"
                  and "page" not in urllib.parse.parse_qs(r["query"])]
        assert len(firsts) == 1
        pages = [r for r in fake.requests() if r["path"] == "/api/my/listings"]
        assert len(pages) == 33                      # 1600 seeded + the product's own listing
        assert db.value("SELECT attempts FROM oc_reverb_job WHERE kind = 'prefetch'") == 1
        log = admin.get(a, "/reverb/admin/log?per_page=200").json["entries"]
        assert not [e for e in log if "stopped before it finished" in (e["message"] or "")]
    finally:
        fake.config(latency_ms=0)
        for s in (a, b):
            s.stop()
            s.destroy()
