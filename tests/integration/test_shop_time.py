"""Issue 9 item 11: OpenCart's dates are the shop's time (config_timezone), as
OpenCart writes them (its DB session runs SET time_zone with that offset):
imported orders and their history, status changes, and the product special
dates a push compares."""
import datetime
import time
import zoneinfo

import pytest

from harness.order_helpers import fresh_shop, oc_orders, import_now, wait_drained
from harness.shop import add_product, enable, by_sku, reset, ensure_category, configure
from harness.util import wait_until


def set_timezone(db, zone):
    db.execute("DELETE FROM oc_setting WHERE store_id = 0 AND code = 'config'"
               " AND `key` = 'config_timezone'")
    db.execute("INSERT INTO oc_setting (store_id, code, `key`, value, serialized)"
               " VALUES (0, 'config', 'config_timezone', %s, 0)", (zone,))


@pytest.fixture(autouse=True)
def utc_afterwards(db):
    yield
    set_timezone(db, "UTC")


def shop_now(zone):
    return datetime.datetime.now(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


def close_to(value, zone, what):
    want = shop_now(zone)
    assert abs((value - want).total_seconds()) < 600, \
        "%s is %s, the shop's time (%s) is %s" % (what, value, zone, want)


def test_imported_order_and_history_dates_are_the_shops_time(db, fake, server, admin):
    fresh_shop(db, fake, server, admin)
    set_timezone(db, "Australia/Sydney")
    fake.seed_order(order_number="7701", sku="ORD-1", quantity=1, price="100.00")
    assert import_now(admin, server)["imported"] == 1
    (oid, _, _, _), = oc_orders(db)
    added, modified = db.query("SELECT date_added, date_modified FROM oc_order"
                               " WHERE order_id = %s", (oid,))[0]
    close_to(added, "Australia/Sydney", "the order's date_added")
    close_to(modified, "Australia/Sydney", "the order's date_modified")
    close_to(db.value("SELECT date_added FROM oc_order_history WHERE order_id = %s", (oid,)),
             "Australia/Sydney", "the history's date_added")
    # a status change later: its history row and date_modified too
    fake.edit_order("7701", status="shipped")
    import_now(admin, server)
    wait_drained(admin, server)
    rows = db.query("SELECT order_status_id, date_added FROM oc_order_history WHERE order_id = %s"
                    " ORDER BY order_history_id", (oid,))
    assert [r[0] for r in rows] == [2, 3]
    close_to(rows[1][1], "Australia/Sydney", "the shipped history's date_added")
    close_to(db.value("SELECT date_modified FROM oc_order WHERE order_id = %s", (oid,)),
             "Australia/Sydney", "the order's date_modified after the status change")
    # and mod_reverb's own bookkeeping stays in UTC
    created = db.value("SELECT created_at FROM oc_reverb_order_map WHERE reverb_order_number = '7701'")
    utc = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert abs((created - utc).total_seconds()) < 600


def away_from_utc_midnight():
    """The zone choice below needs the UTC date to hold for the whole test."""
    now = datetime.datetime.now(datetime.timezone.utc)
    if now.hour == 23 and now.minute >= 57:
        time.sleep((60 - now.minute) * 60 - now.second + 5)


def test_special_dated_today_in_shop_time_prices_the_listing(db, fake, server, admin):
    away_from_utc_midnight()
    utc = datetime.datetime.now(datetime.timezone.utc)
    # a zone whose date differs from UTC's right now, far from its midnight:
    # a special that runs all of the shop's today has not begun in UTC
    # (Kiritimati, UTC+14) or is already over in UTC (Pago Pago, UTC-11)
    zone = "Pacific/Kiritimati" if utc.hour * 60 + utc.minute >= 10 * 60 + 30 else "Pacific/Pago_Pago"
    today = shop_now(zone).date()
    ensure_category(db)
    reset(db, fake)
    set_timezone(db, zone)
    add_product(db, 5361, "Klon", "SPECIAL-TZ", "150.0000", 3)
    db.execute("INSERT INTO oc_product_special (product_id, customer_group_id, priority, price,"
               " date_start, date_end) VALUES (5361, 1, 1, 99.0000, %s, %s)",
               (today, today + datetime.timedelta(days=1)))
    configure(admin, server, use_special=1)
    enable(admin, server, 5361)
    admin.post(server, "/reverb/admin/product/5361/sync", {})
    wait_until(lambda: "SPECIAL-TZ" in by_sku(fake.listings()), timeout=20, what="listing")
    assert by_sku(fake.listings())["SPECIAL-TZ"]["price"]["amount"] == "99.00", zone


def test_a_status_change_comment_says_the_status_in_words(db, fake, server, admin):
    """OpenCart's order history shows the store owner the comment as written:
    Reverb's status in words ("picked up"), not its code ("picked_up")."""
    fresh_shop(db, fake, server, admin)
    fake.seed_order(order_number="7702", sku="ORD-1", quantity=1, price="100.00")
    assert import_now(admin, server)["imported"] == 1
    (oid, _, _, _), = oc_orders(db)
    fake.edit_order("7702", status="picked_up")
    import_now(admin, server)
    wait_drained(admin, server)
    comments = [r[0] for r in db.query("SELECT comment FROM oc_order_history WHERE order_id = %s"
                                       " ORDER BY order_history_id", (oid,))]
    assert comments[-1] == "Reverb order #7702 is now picked up", comments
