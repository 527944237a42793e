"""Issue 11 item 5: the reconcile view. Every mapped product is compared with its
Reverb listing (price, stock, title, state) and the seller's listings with the shop
(unlinked SKUs, live listings of products at 0 stock or disabled); each finding has
both values, a link and a fix that does what it says; the run pages through the
listings within the rate limit, is resumable after a killed process, refuses bad
input and read-only users, and cron starts a weekly pass."""
import os
import tempfile
import urllib.parse

import pytest

from harness.apache import Apache
from harness.shop import reset, ensure_category, add_product, add_many_products, configure, \
    enable, by_sku, wait_idle
from harness.order_helpers import cron
from harness.util import wait_until
from conftest import Admin

FAULT = os.path.join(tempfile.mkdtemp(prefix="rv-fault-"), "reconcile-after-page")
os.chmod(os.path.dirname(FAULT), 0o777)     # Apache's children (www-data) create the marker

RC_TABLES = ["oc_reverb_reconcile_finding", "oc_reverb_reconcile_listing",
             "oc_reverb_reconcile_run"]


@pytest.fixture(scope="module")
def server(db, fake):
    open(FAULT, "w").close()                  # disarmed until a test removes it
    a = Apache(db, api_url=fake.api_url, rate_limit=1000, interval=200,
               env={"REVERB_TEST_FAULT": "reconcile:after-page=exit:" + FAULT})
    a.expect_errors(r"exit signal|AH00052")   # the child the resume test kills on purpose
    a.start()
    yield a
    a.stop()
    a.destroy()


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    ensure_category(db)
    reset(db, fake)
    for t in RC_TABLES:
        db.execute("DELETE FROM %s" % t)
    db.execute("DELETE FROM oc_reverb_meta WHERE name = 'reconcile_last_finished'")
    configure(admin, server)


def start(admin, server):
    r = admin.post(server, "/reverb/admin/reconcile", {})
    assert r.status == 202, r
    assert r.json["run"]["state"] == "running"
    return r.json["run"]


def finished(admin, server, timeout=60):
    def done():
        run = admin.get(server, "/reverb/admin/reconcile").json["run"]
        return run if run and run["state"] != "running" else None
    run = wait_until(done, timeout=timeout, interval=0.2, what="the reconcile run to finish")
    assert run["state"] == "finished", run
    return run


def report(admin, server, **q):
    qs = "&".join("%s=%s" % kv for kv in q.items())
    r = admin.get(server, "/reverb/admin/reconcile" + ("?" + qs if qs else ""))
    assert r.status == 200, r
    return r.json


def by_product(findings):
    return {(f["product_id"], f["kind"]): f for f in findings}


def listed_catalogue(db, fake, server, admin):
    """Nine products, seven of them listed by the module, then changed on Reverb or in the
    shop so that every kind of difference is there once (three unsellable)."""
    add_product(db, 5401, "Price Pedal", "RC-1", "100.0000", 5)
    add_product(db, 5402, "Stock Pedal", "RC-2", "100.0000", 5)
    add_product(db, 5403, "Title Pedal &amp; Co", "RC-3", "100.0000", 5)
    add_product(db, 5404, "State Pedal", "RC-4", "100.0000", 5)
    add_product(db, 5405, "Unlinked Pedal", "RC-5", "100.0000", 5)        # not enabled
    add_product(db, 5406, "Empty Pedal", "RC-6", "100.0000", 0)
    add_product(db, 5407, "Disabled Pedal", "RC-7", "100.0000", 5)
    add_product(db, 5408, "Empty Unlinked", "RC-8", "100.0000", 0)        # not enabled
    add_product(db, 5409, "Fine Pedal", "RC-9", "120.0000", 3, special="99.0000")
    for pid in (5401, 5402, 5403, 5404, 5406, 5407, 5409):
        enable(admin, server, pid)
        r = admin.post(server, "/reverb/admin/product/%d/sync" % pid, {})
        assert r.status == 202, r
    wait_idle(admin, server)
    ls = by_sku(fake.listings())
    assert set(ls) == {"RC-1", "RC-2", "RC-3", "RC-4", "RC-6", "RC-7", "RC-9"}
    fake.edit_listing(ls["RC-1"]["id"], price={"amount": "90.00", "currency": "AUD"})
    fake.edit_listing(ls["RC-2"]["id"], inventory=2)
    fake.edit_listing(ls["RC-3"]["id"], title="Renamed on Reverb")
    fake.edit_listing(ls["RC-4"]["id"], state="ended")
    fake.edit_listing(ls["RC-6"]["id"], state="live")
    fake.edit_listing(ls["RC-7"]["id"], state="live")
    db.execute("UPDATE oc_product SET status = 0 WHERE product_id = 5407")
    unlinked = fake.seed_listing(sku="RC-5", title="Old listing", state="draft",
                                 price={"amount": "80.00", "currency": "AUD"})
    empty = fake.seed_listing(sku="RC-8", title="Old live one", state="live", inventory=1)
    fake.seed_listing(sku="NOT-IN-SHOP", title="Someone else's SKU", state="live")
    fake.seed_listing(sku="RC-9", title="Sold long ago", state="sold_out")     # history
    ls = by_sku(fake.listings())
    ls["RC-5"], ls["RC-8"] = unlinked, empty
    return ls


def test_every_kind_of_difference_is_found_with_both_values(db, fake, server, admin):
    ls = listed_catalogue(db, fake, server, admin)
    fake.clear_requests()
    start(admin, server)
    run = finished(admin, server)
    # the comparison itself only reads
    assert {r["method"] for r in fake.requests() if r["path"].startswith("/api/")} == {"GET"}
    assert run["listings_total"] == 11 and run["listings_seen"] == 11 and run["pages_read"] == 1
    assert run["products_checked"] == 7 and run["findings"] == 8
    rep = report(admin, server)
    assert rep["counts"] == {"price": 1, "stock": 1, "title": 1, "state": 1, "unlinked": 1,
                             "unsellable": 3}
    assert rep["total"] == 8
    f = by_product(rep["findings"])
    assert set(f) == {(5401, "price"), (5402, "stock"), (5403, "title"), (5404, "state"),
                      (5405, "unlinked"), (5406, "unsellable"), (5407, "unsellable"),
                      (5408, "unsellable")}                    # the fine product: nothing
    price = f[(5401, "price")]
    assert (price["shop_value"], price["reverb_value"], price["fix"]) == ("100.00", "90.00", "push")
    assert price["listing_id"] == ls["RC-1"]["id"] and price["product_name"] == "Price Pedal"
    assert price["listing_url"].startswith("https://reverb.com/") and price["sku"] == "RC-1"
    assert (f[(5402, "stock")]["shop_value"], f[(5402, "stock")]["reverb_value"]) == ("5", "2")
    title = f[(5403, "title")]
    assert (title["shop_value"], title["reverb_value"]) == ("Title Pedal & Co", "Renamed on Reverb")
    state = f[(5404, "state")]
    assert (state["shop_value"], state["reverb_value"], state["fix"]) == ("draft", "ended", "push")
    unl = f[(5405, "unlinked")]
    assert (unl["listing_id"], unl["fix"], unl["reverb_value"]) == (unlinked_id(ls), "link", "Old listing")
    assert (f[(5406, "unsellable")]["reason"], f[(5406, "unsellable")]["fix"]) == ("out_of_stock", "end")
    assert f[(5407, "unsellable")]["reason"] == "disabled"
    assert f[(5408, "unsellable")]["reason"] == "out_of_stock"
    assert f[(5408, "unsellable")]["listing_id"] == ls["RC-8"]["id"]
    # one kind at a time, paged
    only = report(admin, server, kind="unsellable", per_page=2)
    assert only["total"] == 3 and len(only["findings"]) == 2
    assert len(report(admin, server, kind="unsellable", per_page=2, page=2)["findings"]) == 1


def unlinked_id(ls):
    return ls["RC-5"]["id"]


def test_each_fix_does_what_it_says(db, fake, server, admin):
    ls = listed_catalogue(db, fake, server, admin)
    start(admin, server)
    finished(admin, server)
    rep = report(admin, server)
    ids = [x["finding_id"] for x in rep["findings"]]
    fake.clear_requests()
    r = admin.post(server, "/reverb/admin/reconcile/fix", {"finding_ids": ids})
    assert r.status == 200, r
    outcomes = {x["finding_id"]: x["outcome"] for x in r.json["results"]}
    f = by_product(rep["findings"])
    assert outcomes[f[(5401, "price")]["finding_id"]] == "push_queued"
    assert outcomes[f[(5405, "unlinked")]["finding_id"]] == "linked"
    assert outcomes[f[(5406, "unsellable")]["finding_id"]] == "end_queued"
    assert r.json["queued"] == 7 and r.json["linked"] == 1
    wait_idle(admin, server)
    now = by_sku(fake.listings())
    assert now["RC-1"]["price"]["amount"] == "100.00"          # pushed again
    assert now["RC-2"]["inventory"] == 5
    assert now["RC-3"]["title"] == "Title Pedal & Co"
    assert now["RC-4"]["state"]["slug"] == "live"              # ended on Reverb, in stock: relisted
    assert now["RC-4"]["id"] == ls["RC-4"]["id"]               # the same listing
    for sku in ("RC-6", "RC-7", "RC-8"):                       # ended
        assert now[sku]["state"]["slug"] == "ended", sku
    # linked: the map row holds the listing, and the push updated it from the shop
    row = db.query("SELECT reverb_listing_id, sync_enabled FROM oc_reverb_product_map"
                   " WHERE product_id = 5405")[0]
    assert row == (unlinked_id(ls), 1)
    assert now["RC-5"]["title"] == "Unlinked Pedal"
    assert len([x for x in fake.listings() if x["sku"] == "RC-5"]) == 1     # no duplicate
    # the report tells how each fix went; fixing again does nothing more
    rep = report(admin, server)
    assert {x["fix_state"] for x in rep["findings"]} == {"done"}, rep["findings"]
    fake.clear_requests()
    r = admin.post(server, "/reverb/admin/reconcile/fix", {"finding_ids": ids})
    assert {x["outcome"] for x in r.json["results"]} == {"already"}
    wait_idle(admin, server)
    assert [x for x in fake.requests() if x["method"] != "GET"] == []
    # and a new comparison finds everything in sync
    start(admin, server)
    run = finished(admin, server)
    assert run["findings"] == 0, report(admin, server)["findings"]



def test_one_push_fixes_every_difference_it_sends(db, fake, server, admin):
    """Price and title differ for one product: fixing one pushes all the shop's values, so the
    other is fixed too, not left offering "Send the shop's values" (seen on a real OpenCart 3
    shop: the title row still offered the fix the price row's push had made)."""
    ls = listed_catalogue(db, fake, server, admin)
    fake.edit_listing(ls["RC-1"]["id"], title="Old title")
    start(admin, server)
    finished(admin, server)
    f = by_product(report(admin, server)["findings"])
    price, title = f[(5401, "price")], f[(5401, "title")]
    r = admin.post(server, "/reverb/admin/reconcile/fix", {"finding_ids": [price["finding_id"]]})
    assert r.status == 200 and r.json["queued"] == 1, r
    wait_idle(admin, server)
    f = by_product(report(admin, server)["findings"])
    assert f[(5401, "price")]["fix_state"] == "done"
    assert f[(5401, "title")]["fix_state"] == "done"
    assert by_sku(fake.listings())["RC-1"]["title"] == "Price Pedal"
    # a difference of another product is left alone
    assert f[(5402, "stock")]["fix_state"] not in ("queued", "done")


def test_pages_through_more_than_fifty_listings(db, fake, server, admin):
    ids = add_many_products(db, 5500, 120, "PAGE-", enabled=False)
    for pid in ids:
        fake.seed_listing(sku="PAGE-%d" % pid, title="Listed elsewhere", state="draft")
    fake.clear_requests()
    start(admin, server)
    run = finished(admin, server)
    assert (run["pages_read"], run["listings_seen"], run["listings_total"]) == (3, 120, 120)
    gets = [r for r in fake.requests() if r["method"] == "GET" and r["path"] == "/api/my/listings"]
    assert len(gets) == 3 and all("state=all" in g["query"] for g in gets)
    assert all("per_page=50" in g["query"] for g in gets)
    rep = report(admin, server, kind="unlinked", per_page=50, page=3)
    assert rep["counts"]["unlinked"] == 120 and rep["total"] == 120 and len(rep["findings"]) == 20
    seen = {f["product_id"] for p in (1, 2, 3)
            for f in report(admin, server, kind="unlinked", per_page=50, page=p)["findings"]}
    assert seen == set(ids)


def test_a_killed_run_goes_on_from_the_last_stored_page(db, fake, server, admin):
    ids = add_many_products(db, 5500, 120, "PAGE-", enabled=False)
    for pid in ids:
        fake.seed_listing(sku="PAGE-%d" % pid, title="Listed elsewhere", state="draft")
    fake.clear_requests()
    os.unlink(FAULT)                          # arm: the process dies after storing a page
    run = start(admin, server)
    wait_until(lambda: os.path.exists(FAULT), timeout=30, what="the run to be killed")
    row = db.query("SELECT pages_read, next_page, state FROM oc_reverb_reconcile_run"
                   " WHERE run_id = %s", (run["run_id"],))[0]
    assert row[0] == 1 and "page=2" in row[1] and row[2] == "running"
    # the job was left running by the dead process: let its lease end now
    db.execute("UPDATE oc_reverb_job SET lease_until = NOW(3) - INTERVAL 1 SECOND"
               " WHERE kind = 'reconcile' AND state = 'running'")
    run = finished(admin, server)
    assert (run["pages_read"], run["listings_seen"]) == (3, 120)
    assert run["findings"] == 120
    gets = [r for r in fake.requests() if r["method"] == "GET" and r["path"] == "/api/my/listings"]
    firsts = [g for g in gets if urllib.parse.parse_qs(g["query"]).get("page", ["1"]) == ["1"]]
    assert len(firsts) == 1, gets             # not from the start again
    assert len(gets) == 3, gets


def test_bad_input_is_refused_and_writes_nothing(db, fake, server, admin):
    listed_catalogue(db, fake, server, admin)
    start(admin, server)
    finished(admin, server)
    good = report(admin, server)["findings"][0]["finding_id"]
    wait_idle(admin, server)
    before = db.checksum()
    for body in ({}, {"finding_ids": "1"}, {"finding_ids": []}, {"finding_ids": [0]},
                 {"finding_ids": [-3]}, {"finding_ids": ["abc"]}, {"finding_ids": [good, 1.5]},
                 {"finding_ids": [good, None]}, {"finding_ids": list(range(1, 502))},
                 {"finding_ids": [good, 99999999]}):
        r = admin.post(server, "/reverb/admin/reconcile/fix", body)
        assert r.status == 400, (body, r)
        assert r.json["error"]["message"]
    r = admin.post(server, "/reverb/admin/reconcile/fix", b"not json")
    assert r.status == 400, r
    for q in ("kind=bogus", "page=0", "page=abc", "per_page=201"):
        r = admin.get(server, "/reverb/admin/reconcile?" + q)
        assert r.status == 400, (q, r)
    assert db.checksum() == before
    assert db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE state = 'pending'") == 0


def test_read_only_users_cannot_start_or_fix(db, fake, server, admin):
    listed_catalogue(db, fake, server, admin)
    start(admin, server)
    finished(admin, server)
    good = report(admin, server)["findings"][0]["finding_id"]
    wait_idle(admin, server)
    ro = Admin(db, user_id="4")               # the group may see the module, not change it
    before = db.checksum()
    r = ro.post(server, "/reverb/admin/reconcile", {})
    assert r.status == 403 and "permission" in r.json["error"]["message"], r
    r = ro.post(server, "/reverb/admin/reconcile/fix", {"finding_ids": [good]})
    assert r.status == 403, r
    assert db.checksum() == before
    r = ro.get(server, "/reverb/admin/reconcile")
    assert r.status == 200 and r.json["total"] == 8


def test_a_second_start_while_one_runs_is_refused(db, fake, server, admin):
    # the run's first page waits at the fake until the test lets it go
    fake.faults([{"kind": "hold", "method": "GET", "path_regex": "^/api/my/listings$"}])
    try:
        start(admin, server)
        wait_until(lambda: [r for r in fake.requests() if r["path"] == "/api/my/listings"],
                   timeout=30, what="the run's first page to be asked for")
        r = admin.post(server, "/reverb/admin/reconcile", {})
        assert r.status == 409 and r.json["error"]["code"] == "reconcile_running", r
    finally:
        fake.faults([])
        fake.release()
    finished(admin, server)


def test_cron_starts_the_weekly_pass(db, fake, server, admin):
    c = cron(server, db).json
    assert c["reconcile_started"] is False          # the first cron only sets the watermark
    assert db.value("SELECT COUNT(*) FROM oc_reverb_reconcile_run") == 0
    db.execute("UPDATE oc_reverb_meta SET value = DATE_FORMAT(NOW() - INTERVAL 6 DAY,"
               " '%Y-%m-%d %H:%i:%s') WHERE name = 'reconcile_last_finished'")
    assert cron(server, db).json["reconcile_started"] is False
    db.execute("UPDATE oc_reverb_meta SET value = DATE_FORMAT(NOW() - INTERVAL 8 DAY,"
               " '%Y-%m-%d %H:%i:%s') WHERE name = 'reconcile_last_finished'")
    assert cron(server, db).json["reconcile_started"] is True
    run = finished(admin, server)
    assert run["started_by"] == "cron"
    # finished: the watermark moved, no second pass
    assert cron(server, db).json["reconcile_started"] is False
    assert db.value("SELECT COUNT(*) FROM oc_reverb_reconcile_run") == 1
    assert db.value("SELECT value > NOW() - INTERVAL 1 MINUTE FROM oc_reverb_meta"
                    " WHERE name = 'reconcile_last_finished'") == 1


def test_no_start_without_a_token_or_with_the_module_off(db, fake, server, admin):
    wait_idle(admin, server)
    configure(admin, server, status=0)
    before = db.checksum()
    r = admin.post(server, "/reverb/admin/reconcile", {})
    assert r.status == 400 and r.json["error"]["code"] == "module_disabled", r
    configure(admin, server)
    db.execute("UPDATE oc_setting SET value = '' WHERE `key` = 'module_reverb_token'")
    before = db.checksum()
    r = admin.post(server, "/reverb/admin/reconcile", {})
    assert r.status == 400 and r.json["error"]["code"] == "no_token", r
    assert "token" in r.json["error"]["message"]
    assert db.checksum() == before
    assert db.value("SELECT COUNT(*) FROM oc_reverb_reconcile_run") == 0


def test_a_run_whose_job_is_gone_does_not_block_the_next(db, fake, server, admin):
    db.execute("INSERT INTO oc_reverb_reconcile_run (state, started_by) VALUES ('running', 'admin')")
    stale = db.value("SELECT MAX(run_id) FROM oc_reverb_reconcile_run")
    run = start(admin, server)
    assert run["run_id"] != stale
    assert db.value("SELECT state FROM oc_reverb_reconcile_run WHERE run_id = %s", (stale,)) == "failed"
    finished(admin, server)
