"""Stock moves across MyISAM and InnoDB: one statement moves OpenCart's quantity (MyISAM)
and mod_reverb's flag (InnoDB). A statement that fails late leaves the MyISAM row moved
and the flag rolled back; the next attempt must find that out and record the move, never
make it a second time. The late failure is forced with a trigger on the merge-base row,
which the statement updates after OpenCart's product row."""
import pytest

from harness import OC_VERSION
from harness.order_helpers import fresh_shop, qty, map_row, webhook, wait_drained, log_messages
from harness.util import wait_until

TRIGGER = ("CREATE TRIGGER rv_test_late_failure BEFORE UPDATE ON oc_reverb_product_map"
           " FOR EACH ROW BEGIN IF NEW.synced_quantity <> OLD.synced_quantity THEN"
           " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'forced late failure'; END IF; END")


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    fresh_shop(db, fake, server, admin)
    server.expect_errors(r"forced late failure")
    db.execute("DROP TRIGGER IF EXISTS rv_test_late_failure")
    yield
    db.execute("DROP TRIGGER IF EXISTS rv_test_late_failure")


def merge_base(db, pid, n):
    db.execute("INSERT INTO oc_reverb_product_map (product_id, sync_enabled, synced_quantity)"
               " VALUES (%s, 0, %s) ON DUPLICATE KEY UPDATE synced_quantity = VALUES(synced_quantity)",
               (pid, n))


def test_a_sale_whose_flag_rolled_back_is_recorded_not_repeated(db, fake, server, admin):
    merge_base(db, 5201, 10)
    assert qty(db, 5201) == 10
    db.execute(TRIGGER)
    fake.seed_order(order_number="7301", sku="ORD-1", quantity=1)
    assert webhook(server, db, {"order_number": "7301"}).status == 202
    # the statement failed late (the job is back in the queue, its move written down)
    wait_until(lambda: db.value("SELECT attempts FROM oc_reverb_job WHERE kind = 'order'"
                                " AND ref = '7301' AND state = 'pending'"), timeout=30,
               what="the late failure")
    assert map_row(db, "7301")[2] == 0                     # the flag rolled back
    if OC_VERSION == 4:
        # 4.0's product table is InnoDB: the statement rolled back whole
        assert qty(db, 5201) == 10
    else:
        # 3.0's is MyISAM: OpenCart's stock moved all the same - the split
        assert qty(db, 5201) == 9
    assert db.value("SELECT COUNT(*) FROM oc_reverb_stock_move WHERE reverb_order_number = '7301'"
                    " AND state = 'pending'") == 1
    db.execute("DROP TRIGGER rv_test_late_failure")
    # the retry settles it: recorded, not applied a second time
    wait_until(lambda: map_row(db, "7301")[1:3] == ("imported", 1), timeout=60, interval=0.2,
               what="the import to finish")
    wait_drained(admin, server)
    assert qty(db, 5201) == 9
    assert db.value("SELECT synced_quantity FROM oc_reverb_product_map WHERE product_id = 5201") == 9
    if OC_VERSION != 4:
        msgs = log_messages(admin, server)
        assert any("already reached OpenCart" in m and "not applied again" in m for m in msgs), msgs
        assert db.value("SELECT state FROM oc_reverb_stock_move WHERE reverb_order_number = '7301'") \
            == "reconciled"


def test_a_move_that_never_ran_is_made_once(db, fake, server, admin):
    """A pending move whose quantity is as before (nothing ran) is simply made."""
    fake.seed_order(order_number="7302", sku="ORD-2", quantity=2)
    db.execute("INSERT INTO oc_reverb_order_map (reverb_order_number, order_bundle_id, reverb_status,"
               " quantity, import_state, claimed_at, product_id) VALUES ('7302', '7302', 'paid', 2,"
               " 'claimed', NOW(3) - INTERVAL 10 MINUTE, 5202)")
    db.execute("INSERT INTO oc_reverb_stock_move (reverb_order_number, product_id, take, quantity,"
               " quantity_before) VALUES ('7302', 5202, 1, 2, 5)")
    assert webhook(server, db, {"order_number": "7302"}).status == 202
    wait_until(lambda: map_row(db, "7302")[1:3] == ("imported", 1), timeout=60, interval=0.2,
               what="the import")
    wait_drained(admin, server)
    assert qty(db, 5202) == 3
    assert db.value("SELECT COUNT(*) FROM oc_reverb_stock_move WHERE reverb_order_number = '7302'") == 0


def test_an_unclear_sale_takes_the_stock_and_asks_the_owner(db, fake, server, admin):
    """Other sales moved the stock meanwhile: the sale is made (less stock, never a double
    sale) and the sync log says what to check."""
    fake.seed_order(order_number="7303", sku="ORD-1", quantity=1)
    db.execute("INSERT INTO oc_reverb_order_map (reverb_order_number, order_bundle_id, reverb_status,"
               " quantity, import_state, claimed_at, product_id) VALUES ('7303', '7303', 'paid', 1,"
               " 'claimed', NOW(3) - INTERVAL 10 MINUTE, 5201)")
    db.execute("INSERT INTO oc_reverb_stock_move (reverb_order_number, product_id, take, quantity,"
               " quantity_before) VALUES ('7303', 5201, 1, 1, 14)")      # 10 now: neither 14 nor 13
    assert webhook(server, db, {"order_number": "7303"}).status == 202
    wait_until(lambda: map_row(db, "7303")[1:3] == ("imported", 1), timeout=60, interval=0.2,
               what="the import")
    wait_drained(admin, server)
    assert qty(db, 5201) == 9
    msgs = log_messages(admin, server)
    assert any("Check the stock of product 5201" in m for m in msgs), msgs


def test_a_failed_statement_is_logged_at_error_with_its_label(db, fake, server, admin):
    """RV0245: a statement that fails for good is an ERROR line naming the statement by its
    first words; the values it carried (the order number here) are not in the line."""
    merge_base(db, 5201, 10)
    db.execute(TRIGGER)
    fake.seed_order(order_number="7309", sku="ORD-1", quantity=1)
    assert webhook(server, db, {"order_number": "7309"}).status == 202
    wait_until(lambda: [ln for ln in server.error_log().splitlines()
                        if "RV0245" in ln and "forced late failure" in ln],
               timeout=30, what="the failed statement's log line")
    line = [ln for ln in server.error_log().splitlines()
            if "RV0245" in ln and "forced late failure" in ln][0]
    assert "[reverb:error]" in line and "statement failed (UPDATE {P}" in line, line
    assert "7309" not in line, line
    db.execute("DROP TRIGGER rv_test_late_failure")
    wait_until(lambda: map_row(db, "7309")[1:3] == ("imported", 1), timeout=60, interval=0.2,
               what="the import to finish")
    wait_drained(admin, server)
