"""Issue 9 item 10: orders are never skipped. An order that cannot be read is
kept and retried by later polls and by "Import now"; the poll watermark never
moves past an order that was not handled; the page cap never skips orders."""
import datetime

from harness.order_helpers import fresh_shop, import_now, cron, wait_drained, map_row, qty


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


def start(db, fake, server, admin):
    fresh_shop(db, fake, server, admin)
    db.set_setting("order_last_sync", iso(utcnow() - datetime.timedelta(hours=3)))


def edit(fake, number, fields):
    return fake._ctl("POST", "orders/%s" % number, fields)


def old_unreadable(fake, number, **broken):
    """An order last updated two hours ago that the module cannot read."""
    fake.seed_order(order_number=number, sku="ORD-1", quantity=1, price="100.00")
    edit(fake, number, dict(broken, updated_at=iso(utcnow() - datetime.timedelta(hours=2))))


def repair(fake, number, shown_as=None, **fields):
    """Reverb's order becomes readable, without a newer updated_at. `shown_as`: the
    order_number the broken order carries now, when that is what is broken."""
    o = [x for x in fake.state()["orders"] if str(x.get("order_number")) == (shown_as or number)][0]
    edit(fake, number, dict(fields, updated_at=o["updated_at"]))


def imported(db):
    return db.value("SELECT COUNT(*) FROM oc_reverb_order_map WHERE import_state = 'imported'")


def test_unreadable_order_is_kept_and_imported_by_import_now(db, fake, server, admin):
    start(db, fake, server, admin)
    old_unreadable(fake, "7802", quantity="lots")
    fake.seed_order(order_number="7801", sku="ORD-2", quantity=1, price="200.00")   # newer
    r = import_now(admin, server)
    assert r["imported"] == 1 and r["failed"] == 1, r
    assert map_row(db, "7802")[1] == "waiting"
    repair(fake, "7802", quantity=1)
    r = import_now(admin, server)
    wait_drained(admin, server)
    assert map_row(db, "7802")[1] == "imported", map_row(db, "7802")
    assert qty(db, 5201) == 9 and qty(db, 5202) == 4
    assert imported(db) == 2


def test_unreadable_order_is_retried_by_a_later_cron_poll(db, fake, server, admin):
    start(db, fake, server, admin)
    old_unreadable(fake, "7812", quantity="lots")
    fake.seed_order(order_number="7811", sku="ORD-2", quantity=1, price="200.00")
    assert cron(server, db).status == 200
    wait_drained(admin, server)
    assert map_row(db, "7812")[1] == "waiting"
    repair(fake, "7812", quantity=1)
    # the automatic retry of a kept order is due after a few minutes: let them pass
    db.execute("UPDATE oc_reverb_order_map SET claimed_at = NOW(3) - INTERVAL 10 MINUTE"
               " WHERE reverb_order_number = '7812'")
    assert cron(server, db).status == 200
    wait_drained(admin, server)
    assert map_row(db, "7812")[1] == "imported", map_row(db, "7812")
    assert qty(db, 5201) == 9


def test_watermark_never_passes_an_order_that_could_not_be_kept(db, fake, server, admin):
    start(db, fake, server, admin)
    old_unreadable(fake, "7822", order_number="not a number!")     # not even its number is usable
    fake.seed_order(order_number="7821", sku="ORD-2", quantity=1, price="200.00")
    r = import_now(admin, server)
    assert r["imported"] == 1 and r["failed"] == 1, r
    last = db.setting("order_last_sync")
    assert last[:19] < iso(utcnow() - datetime.timedelta(hours=2))[:19], last
    repair(fake, "7822", shown_as="not a number!", order_number="7822")
    r = import_now(admin, server)
    wait_drained(admin, server)
    assert map_row(db, "7822")[1] == "imported"
    assert qty(db, 5201) == 9
    # handled now: the watermark moves on
    assert db.setting("order_last_sync")[:19] > iso(utcnow() - datetime.timedelta(hours=1))[:19]


def test_page_cap_never_skips_orders(db, fake, server, admin):
    start(db, fake, server, admin)
    fake.config(per_page_max=1)               # 1 order a page: 200 pages (the cap) hold 200 orders
    try:
        for i in range(2):                    # the oldest two, beyond the cap
            fake.seed_order(order_number=str(7900 + i), sku="ORD-1", quantity=1, price="100.00")
            fake.edit_order(str(7900 + i), updated_at=iso(utcnow() - datetime.timedelta(hours=2)))
        t0 = utcnow() - datetime.timedelta(minutes=30)
        for i in range(200):                  # changed one after the other, newest first
            fake.seed_order(order_number=str(8000 + i), sku="ORD-2", quantity=1, price="200.00")
            edit(fake, str(8000 + i), {"updated_at": iso(t0 + datetime.timedelta(seconds=5 * i))})
        import_now(admin, server)
        assert imported(db) == 200
        assert map_row(db, "7900") is None    # beyond this cycle's cap
        import_now(admin, server)             # the next cycle reads on from where the cap stopped
        wait_drained(admin, server)
        assert map_row(db, "7900")[1] == "imported" and map_row(db, "7901")[1] == "imported"
        assert imported(db) == 202
        assert qty(db, 5201) == 8
    finally:
        fake.config(per_page_max=50)
