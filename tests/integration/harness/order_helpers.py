"""Helpers for the order, webhook, cron and pull tests (issue 4)."""
import contextlib
import time

from .apache import Apache
from .shop import reset, ensure_category, add_product, configure
from .util import wait_until

# Tables a refused request must leave alone (plus every reverb table, added at run time).
OC_TABLES = ["oc_setting", "oc_order", "oc_order_product", "oc_order_total", "oc_order_history",
             "oc_product"]


def order_server(db, fake, **kw):
    """An Apache for order tests: fast worker rounds, generous rate limit."""
    opts = dict(api_url=fake.api_url, rate_limit=1000, interval=200)
    opts.update(kw)
    a = Apache(db, **opts)
    a.start()
    return a


def clean_orders(db):
    db.execute("DELETE FROM oc_order WHERE user_agent = 'mod_reverb'")
    for t in ("oc_order_product", "oc_order_total", "oc_order_history"):
        db.execute("DELETE FROM %s WHERE order_id NOT IN (SELECT order_id FROM oc_order)" % t)
    db.execute("DELETE FROM oc_setting WHERE `key` IN ('module_reverb_order_last_sync',"
               " 'module_reverb_order_status_map')")


def fresh_shop(db, fake, server, admin, **settings):
    """Empty sync state, two products with stock, the module configured."""
    ensure_category(db)
    reset(db, fake)
    clean_orders(db)
    add_product(db, 5201, "Boss DS-1", "ORD-1", "100.0000", 10)
    add_product(db, 5202, "Boss DD-8", "ORD-2", "200.0000", 5)
    configure(admin, server, **settings)


def oc_orders(db):
    return db.query("SELECT order_id, total, order_status_id, currency_code FROM oc_order"
                    " WHERE user_agent = 'mod_reverb' ORDER BY order_id")


def qty(db, pid):
    return db.value("SELECT quantity FROM oc_product WHERE product_id = %s", (pid,))


def totals(db, oid):
    return {r[0]: float(r[1]) for r in db.query(
        "SELECT code, value FROM oc_order_total WHERE order_id = %s", (oid,))}


def history(db, oid):
    return [r[0] for r in db.query("SELECT order_status_id FROM oc_order_history WHERE order_id = %s"
                                   " ORDER BY order_history_id", (oid,))]


def lines(db, oid):
    return db.query("SELECT product_id, model, quantity, price, total FROM oc_order_product"
                    " WHERE order_id = %s ORDER BY order_product_id", (oid,))


def map_row(db, number):
    rows = db.query("SELECT order_id, import_state, stock_taken, reverb_status, product_id"
                    " FROM oc_reverb_order_map WHERE reverb_order_number = %s", (number,))
    return rows[0] if rows else None


def webhook(server, db, body, key=None, headers=None):
    return server.post("/reverb/webhook?key=" + (key if key is not None else db.setting("webhook_key")),
                       body, headers=headers)


def cron(server, db, key=None):
    return server.get("/reverb/cron?key=" + (key if key is not None else db.setting("cron_key")))


def import_now(admin, server):
    r = admin.post(server, "/reverb/admin/orders/import", {})
    assert r.status == 200, r
    return r.json


def queue(admin, server):
    return admin.get(server, "/reverb/admin/status").json["queue"]


def drained(admin, server):
    s = queue(admin, server)
    return s["pending"] == 0 and s["running"] == 0


def wait_drained(admin, server, timeout=30):
    wait_until(lambda: drained(admin, server), timeout=timeout, interval=0.1, what="queue drained")


def log_messages(admin, server, **query):
    q = "&".join("%s=%s" % kv for kv in query.items())
    return [e["message"] or "" for e in
            admin.get(server, "/reverb/admin/log?per_page=100" + ("&" + q if q else "")).json["entries"]]


def all_tables(db):
    return OC_TABLES + db.reverb_tables()


def api_requests(fake, method=None, prefix=None):
    out = []
    for r in fake.requests():
        if method and r["method"] != method:
            continue
        if prefix and not r["path"].startswith(prefix):
            continue
        out.append(r)
    return out


@contextlib.contextmanager
def global_sql_mode(db, mode):
    """Connections opened inside the block start with this sql_mode."""
    old = db.value("SELECT @@GLOBAL.sql_mode")
    db.execute("SET GLOBAL sql_mode = %s", (mode,))
    try:
        yield
    finally:
        db.execute("SET GLOBAL sql_mode = %s", (old,))


def elapsed(fn):
    t = time.monotonic()
    out = fn()
    return out, time.monotonic() - t
