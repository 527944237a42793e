"""Issue 9 items 5 and 6: both-ways pull applied exactly once (a process killed
between OpenCart's write and the merge-base update), pulled values validated
before anything is written, and the title pulled both ways."""
import os
import tempfile

import pytest

from harness.apache import Apache
from harness.shop import reset, ensure_category, add_product, configure, enable, by_sku
from harness.order_helpers import clean_orders, webhook, log_messages
from harness.util import wait_until

FAULT = os.path.join(tempfile.mkdtemp(prefix="rv-fault-"), "pull-after-merge")
os.chmod(os.path.dirname(FAULT), 0o777)     # Apache's children (www-data) create the marker


@pytest.fixture(scope="module")
def server(db, fake):
    open(FAULT, "w").close()                  # disarmed until a test removes it
    a = Apache(db, api_url=fake.api_url, rate_limit=1000, interval=200,
               env={"REVERB_TEST_FAULT": "pull:after-merge=exit:" + FAULT})
    a.expect_errors(r"exit signal|AH00052")   # the child the test kills on purpose
    a.start()
    yield a
    a.stop()
    a.destroy()


def settle(admin, server):
    def drained():
        q = admin.get(server, "/reverb/admin/status").json["queue"]
        return q["pending"] == 0 and q["running"] == 0
    wait_until(drained, timeout=30, interval=0.1, what="queue drained")


def listed(db, fake, server, admin, quantity=5, name="Tube Screamer"):
    ensure_category(db)
    reset(db, fake)
    clean_orders(db)
    add_product(db, 5351, name, "PULLS-1", "150.0000", quantity,
                "&lt;p&gt;Green overdrive.&lt;/p&gt;")
    configure(admin, server, sync_mode="both_ways")
    enable(admin, server, 5351)
    admin.post(server, "/reverb/admin/product/5351/sync", {})
    wait_until(lambda: db.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                " WHERE product_id = 5351"), timeout=15, what="listing")
    settle(admin, server)
    return by_sku(fake.listings())["PULLS-1"]["id"]


def cron(server, db):
    r = server.get("/reverb/cron?key=" + db.setting("cron_key"))
    assert r.status == 200, r
    return r.json


def hook(server, db, lid):
    r = webhook(server, db, {"listing": {"id": int(lid)}}, headers={"X-Reverb-Topic": "listings/update"})
    assert r.status == 202, r


def product(db):
    return db.query("SELECT p.price, p.quantity, pd.name, pd.description FROM oc_product p"
                    " JOIN oc_product_description pd USING (product_id) WHERE product_id = 5351")[0]


def base(db):
    return db.query("SELECT synced_price, synced_quantity, synced_title, synced_description"
                    " FROM oc_reverb_product_map WHERE product_id = 5351")[0]


def writes(fake):
    return [r for r in fake.requests() if r["method"] != "GET"]


# ---- item 5: exactly once ----------------------------------------------------

def test_stock_pull_applied_once_when_the_process_dies_before_the_base_update(db, fake, server, admin):
    lid = listed(db, fake, server, admin, quantity=5)
    assert product(db)[1] == 5 and base(db)[1] == 5
    os.unlink(FAULT)                          # arm: the next pull dies after its merge
    fake.edit_listing(lid, inventory=8)       # +3 on Reverb
    hook(server, db, lid)
    wait_until(lambda: os.path.exists(FAULT), timeout=30, what="the pull to be killed")
    # the job was left running by the dead process: let its lease end now
    db.execute("UPDATE oc_reverb_job SET lease_until = NOW(3) - INTERVAL 1 SECOND"
               " WHERE state = 'running'")
    settle(admin, server)
    hook(server, db, lid)                     # and Reverb tells us once more
    settle(admin, server)
    cron(server, db)
    settle(admin, server)
    assert product(db)[1] == 8, "Reverb's +3 was applied more than once"
    assert base(db)[1] == 8
    assert by_sku(fake.listings())["PULLS-1"]["inventory"] == 8


# ---- item 5: validation --------------------------------------------------------

@pytest.mark.parametrize("bad, words", [
    ({"price": {"amount": "-5.00", "currency": "AUD"}}, "not a valid amount"),
    ({"price": {"amount": "140.00", "currency": "USD"}}, "priced in USD"),
    ({"inventory": -2}, "not a whole number"),
    ({"inventory": "lots"}, "not a whole number"),
    ({"inventory": 2.5}, "not a whole number"),
])
def test_bad_pulled_values_write_nothing_and_are_logged(db, fake, server, admin, bad, words):
    lid = listed(db, fake, server, admin)
    before_p, before_b = product(db), base(db)
    edit = {"title": "Renamed on Reverb", "description": "New text."}
    edit.update(bad)
    fake.edit_listing(lid, **edit)
    hook(server, db, lid)
    settle(admin, server)
    cron(server, db)
    settle(admin, server)
    assert product(db) == before_p
    assert base(db) == before_b
    errors = log_messages(admin, server, status="error", direction="pull")
    assert any(words in m and lid in m for m in errors), errors


# ---- item 6: title both ways -----------------------------------------------------

def test_title_edited_on_reverb_reaches_opencart_entity_encoded_without_echo(db, fake, server, admin):
    lid = listed(db, fake, server, admin)
    fake.edit_listing(lid, title='Tube Screamer <TS9> & "Co" O\'Neil')
    c = cron(server, db)
    assert c["listings_to_pull"] == 1
    settle(admin, server)
    # stored as OpenCart stores posted text: & < > " encoded, ' not
    assert product(db)[2] == "Tube Screamer &lt;TS9&gt; &amp; &quot;Co&quot; O'Neil"
    assert base(db)[2] == 'Tube Screamer <TS9> & "Co" O\'Neil'
    fake.clear_requests()
    c = cron(server, db)
    settle(admin, server)
    assert c["products_queued"] == 0 and c["listings_to_pull"] == 0
    assert writes(fake) == []                 # never echoed back
    # and an OpenCart edit still goes the other way
    db.execute("UPDATE oc_product_description SET name = 'TS9 &amp; more' WHERE product_id = 5351")
    cron(server, db)
    settle(admin, server)
    assert by_sku(fake.listings())["PULLS-1"]["title"] == "TS9 & more"
    assert product(db)[2] == "TS9 &amp; more"


def test_title_changed_on_both_sides_keeps_opencart_and_logs(db, fake, server, admin):
    lid = listed(db, fake, server, admin)
    db.execute("UPDATE oc_product_description SET name = 'Shop title' WHERE product_id = 5351")
    fake.edit_listing(lid, title="Reverb title")
    hook(server, db, lid)
    settle(admin, server)
    cron(server, db)
    settle(admin, server)
    assert product(db)[2] == "Shop title"
    assert by_sku(fake.listings())["PULLS-1"]["title"] == "Shop title"
    assert any("Title changed on both sides" in m
               for m in log_messages(admin, server, status="error", direction="pull"))


def test_title_not_pulled_when_title_sync_is_off(db, fake, server, admin):
    lid = listed(db, fake, server, admin)
    configure(admin, server, sync_mode="both_ways",
              sync_fields={"title": 0, "description": 1, "price": 1, "stock": 1, "images": 1})
    fake.edit_listing(lid, title="Reverb only")
    hook(server, db, lid)
    settle(admin, server)
    assert product(db)[2] == "Tube Screamer"
