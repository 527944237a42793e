"""Shop fixtures shared by the sync tests: products, settings, resets."""
from . import OC_VERSION

# 4.0 dropped oc_product.viewed and added rating (NOT NULL, no default); both get 0 here
VIEWED = "rating" if OC_VERSION == 4 else "viewed"

NEW = "7c3f45de-2ae0-4c81-8400-fdb6b1d74890"
MINT = "ac5b9c1e-dc78-466d-b0b3-7cf712967a48"
GOOD = "f7a3f48c-972a-44c6-b01a-0cd27488d3f6"
GUITARS = "dfd39027-d134-4353-b9e4-57dc6be791b9"
CATEGORY = 100
# Reverb needs a make: products made here have this manufacturer unless a
# test passes manufacturer_id (0: none, the product cannot be listed)
MAKER, MAKER_NAME = 99, "Testmaker"

RESET_TABLES = ["oc_reverb_product_map", "oc_reverb_order_map", "oc_reverb_sync_log",
                "oc_reverb_job", "oc_reverb_sync_run", "oc_reverb_listing_seen", "oc_reverb_rate",
                "oc_reverb_webhook", "oc_reverb_cache", "oc_reverb_source",
                "oc_reverb_detect"]        # detection's watermarks: the next cycle is a first one


def reset(db, fake):
    fake.reset()
    present = set(db.reverb_tables())     # none yet before the module's first start
    for t in RESET_TABLES:
        if t in present:
            db.execute("DELETE FROM %s" % t)
    if "oc_reverb_lock" in present:
        db.execute("UPDATE oc_reverb_lock SET holder = NULL, `until` = NULL WHERE name <> 'worker'")
    db.execute("DELETE FROM oc_product WHERE product_id >= 5000")
    db.execute("DELETE FROM oc_product_description WHERE product_id >= 5000")
    db.execute("DELETE FROM oc_product_to_category WHERE product_id >= 5000")
    db.execute("DELETE FROM oc_product_image WHERE product_id >= 5000")
    db.execute("DELETE FROM oc_product_special WHERE product_id >= 5000")


def ensure_maker(db):
    if not db.value("SELECT COUNT(*) FROM oc_manufacturer WHERE manufacturer_id = %s", (MAKER,)):
        db.execute("INSERT INTO oc_manufacturer (manufacturer_id, name, image, sort_order)"
                   " VALUES (%s, %s, '', 0)", (MAKER, MAKER_NAME))


def ensure_category(db):
    ensure_maker(db)
    if not db.value("SELECT COUNT(*) FROM oc_category WHERE category_id = %s", (CATEGORY,)):
        db.execute("INSERT INTO oc_category (category_id, image, parent_id, top, `column`, sort_order,"
                   " status, date_added, date_modified) VALUES (%s, '', 0, 1, 1, 0, 1, NOW(), NOW())",
                   (CATEGORY,))
        db.execute("INSERT INTO oc_category_description (category_id, language_id, name, description,"
                   " meta_title, meta_description, meta_keyword) VALUES (%s, 1, 'Guitars', '', 'G', '', '')",
                   (CATEGORY,))
        db.execute("INSERT INTO oc_category_path (category_id, path_id, level) VALUES (%s, %s, 0)",
                   (CATEGORY, CATEGORY))
    if OC_VERSION == 4 and db.value("SELECT value FROM oc_setting WHERE `key` = 'config_currency'") != "AUD":
        # 4.0's seed has AUD (id 8) disabled at 1.26544 against USD: make it the
        # shop's default currency, as on an Australian shop
        db.execute("UPDATE oc_currency SET value = 1.0, status = 1 WHERE code = 'AUD'")
        db.execute("UPDATE oc_currency SET value = 0.66 WHERE code = 'USD'")
        db.execute("UPDATE oc_setting SET value = 'AUD' WHERE `key` = 'config_currency'")
    if not db.value("SELECT COUNT(*) FROM oc_currency WHERE code = 'AUD'"):
        db.execute("INSERT INTO oc_currency (title, code, symbol_left, symbol_right, decimal_place,"
                   " value, status, date_modified) VALUES ('Australian Dollar', 'AUD', '$', '', '2',"
                   " 1.0, 1, NOW())")
        db.execute("UPDATE oc_currency SET value = 0.66 WHERE code = 'USD'")
        db.execute("UPDATE oc_setting SET value = 'AUD' WHERE `key` = 'config_currency'")


def add_product(db, pid, name, sku, price="100.0000", quantity=5, description="",
                manufacturer_id=None, image="", images=(), special=None, status=1, model=None):
    if manufacturer_id is None:
        ensure_maker(db)
        manufacturer_id = MAKER
    db.execute(
        "INSERT INTO oc_product (product_id, model, sku, upc, ean, jan, isbn, mpn, location, quantity,"
        " stock_status_id, image, manufacturer_id, shipping, price, points, tax_class_id,"
        " date_available, weight, weight_class_id, length, width, height, length_class_id, subtract,"
        " minimum, sort_order, status, " + VIEWED + ", date_added, date_modified)"
        " VALUES (%s, %s, %s, '', '', '', '', '', '', %s, 7, %s, %s, 1, %s, 0, 0, '2020-01-01', 1, 1,"
        " 0, 0, 0, 1, 1, 1, 0, %s, 0, NOW(), NOW())",
        (pid, model or "M-%d" % pid, sku, quantity, image, manufacturer_id, price, status))
    db.execute("INSERT INTO oc_product_description (product_id, language_id, name, description, tag,"
               " meta_title, meta_description, meta_keyword) VALUES (%s, 1, %s, %s, '', 'x', '', '')",
               (pid, name, description))
    db.execute("INSERT INTO oc_product_to_category (product_id, category_id) VALUES (%s, %s)",
               (pid, CATEGORY))
    for i, img in enumerate(images):
        db.execute("INSERT INTO oc_product_image (product_id, image, sort_order) VALUES (%s, %s, %s)",
                   (pid, img, i + 1))
    if special:
        db.execute("INSERT INTO oc_product_special (product_id, customer_group_id, priority, price,"
                   " date_start, date_end) VALUES (%s, 1, 1, %s, '0000-00-00', '0000-00-00')",
                   (pid, special))


def configure(admin, server, **extra):
    body = {"token": "test-token", "status": 1, "sync_mode": "one_way", "categories": [CATEGORY],
            "default_condition": NEW, "store_url": "https://shop.example.com/", "use_special": 1,
            "auto_publish": 0, "sync_fields": {"title": 1, "description": 1, "price": 1,
                                               "stock": 1, "images": 1}}
    body.update(extra)
    r = admin.post(server, "/reverb/admin/settings", body)
    assert r.status == 200, r
    r = admin.post(server, "/reverb/admin/category-map", {"map": {str(CATEGORY): GUITARS}})
    assert r.status == 200, r


def enable(admin, server, pid, **fields):
    body = {"sync_enabled": 1}
    body.update(fields)
    r = admin.post(server, "/reverb/admin/product/%d" % pid, body)
    assert r.status == 200, r
    return r.json["product"]


def queue_idle(admin, server):
    q = admin.get(server, "/reverb/admin/status").json["queue"]
    return q["pending"] == 0 and q["running"] == 0


def wait_idle(admin, server, timeout=30):
    from .util import wait_until
    wait_until(lambda: queue_idle(admin, server), timeout=timeout, interval=0.2,
               what="the queue to drain")


def by_sku(listings):
    return {l["sku"]: l for l in listings}


def add_many_products(db, first, n, prefix="BULK-", enabled=True):
    """n products (ids first..first+n-1, SKU prefix+id) in CATEGORY, written
    set-wise with MariaDB's sequence engine: fast even for 100,000."""
    ensure_maker(db)
    db.execute("INSERT INTO oc_product (product_id, model, sku, upc, ean, jan, isbn, mpn, location,"
               " quantity, stock_status_id, image, manufacturer_id, shipping, price, points,"
               " tax_class_id, date_available, weight, weight_class_id, length, width, height,"
               " length_class_id, subtract, minimum, sort_order, status, " + VIEWED + ", date_added,"
               " date_modified) SELECT %d + seq, CONCAT('M-', seq), CONCAT(%%s, %d + seq),"
               " '', '', '', '', '', '', 1 + MOD(seq, 7), 7, '', %d, 1, 100 + MOD(seq, 900), 0, 0,"
               " '2020-01-01', 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, NOW(), NOW()"
               " FROM seq_0_to_%d" % (first, first, MAKER, n - 1), (prefix,))
    db.execute("INSERT INTO oc_product_description (product_id, language_id, name, description, tag,"
               " meta_title, meta_description, meta_keyword) SELECT %d + seq, 1,"
               " CONCAT('Guitar ', seq), '<p>A <b>fine</b> instrument &amp; case.</p>', '',"
               " 'x', '', '' FROM seq_0_to_%d" % (first, n - 1))
    db.execute("INSERT INTO oc_product_to_category (product_id, category_id) SELECT %d + seq, %d"
               " FROM seq_0_to_%d" % (first, CATEGORY, n - 1))
    if enabled:
        db.execute("INSERT INTO oc_reverb_product_map (product_id, sync_enabled) SELECT %d + seq, 1"
                   " FROM seq_0_to_%d" % (first, n - 1))
    return list(range(first, first + n))
