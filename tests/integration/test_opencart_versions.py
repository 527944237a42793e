"""Issue 12: what differs between OpenCart 3.0.x and 4.0.2.x, checked on whichever schema
the suite runs against (OPENCART_VERSION=3|4; `make integration` runs both)."""
import json
import secrets

import pytest

from harness import OC_VERSION
from harness.apache import Apache
from harness.mariadb import REVERB_ROUTE, _perm
from harness.util import request

OTHER_ROUTE = "extension/module/reverb" if OC_VERSION == 4 else "extension/reverb/module/reverb"


def esc(route):
    return route.replace("/", "\\/")


def call(server, path, cookie, token, method="GET", body=None, prefix="/reverb"):
    sep = "&" if "?" in path else "?"
    return request(method, server.url + prefix + path + sep + "user_token=" + token,
                   body=body if method == "POST" else None, cookie=cookie)


@pytest.fixture
def group_user(db):
    """A user (id 40) in a group (id 40) with the given routes in access and modify."""
    def make(routes):
        db.execute("DELETE FROM oc_user_group WHERE user_group_id = 40")
        db.execute("DELETE FROM oc_user WHERE user_id = 40")
        r = [esc(x) for x in routes]
        db.execute("INSERT INTO oc_user_group (user_group_id, name, permission) VALUES (40, 'T', %s)",
                   (_perm(r, r),))
        salt = "" if OC_VERSION == 4 else " salt,"
        db.execute("INSERT INTO oc_user (user_id, user_group_id, username, password,%s firstname,"
                   " lastname, email, image, code, ip, status, date_added) VALUES (40, 40, 't40',"
                   " '',%s 'T', 'T', 't@example.com', '', '', '', 1, NOW())"
                   % (salt, " ''," if salt else ""))
        return db.session(user_id="40")
    yield make
    db.execute("DELETE FROM oc_user_group WHERE user_group_id = 40")
    db.execute("DELETE FROM oc_user WHERE user_id = 40")


def test_version_is_detected_and_logged(apache, db):
    cookie, tok = db.session()
    assert call(apache, "/admin/status", cookie, tok).status == 200
    want = "this database is OpenCart %s (detected" % ("4.0" if OC_VERSION == 4 else "3.0")
    assert want in apache.error_log()


def test_permission_key_of_this_version(apache, db, group_user):
    """3.0 grants extension/module/reverb, 4.0 extension/<folder>/module/reverb: only this
    version's key lets a user in."""
    cookie, tok = group_user(["catalog/product", OTHER_ROUTE])
    r = call(apache, "/admin/status", cookie, tok)
    assert r.status == 403 and r.error_code == "forbidden", r
    cookie, tok = group_user(["catalog/product", REVERB_ROUTE])
    assert call(apache, "/admin/status", cookie, tok).status == 200


def test_permission_folder_follows_the_installed_extension(apache, db, group_user):
    """4.0: the folder is the installed package's (oc_extension.extension); a shop that
    uploaded the package as mod_reverb.ocmod.zip grants extension/mod_reverb/module/reverb.
    3.0 has one key whatever the package is called."""
    if OC_VERSION == 4:
        db.execute("UPDATE oc_extension SET extension = 'mod_reverb' WHERE code = 'reverb'")
    try:
        cookie, tok = group_user([REVERB_ROUTE])
        r = call(apache, "/admin/status", cookie, tok)
        assert r.status == (403 if OC_VERSION == 4 else 200), r
        cookie, tok = group_user(["extension/mod_reverb/module/reverb"])
        r = call(apache, "/admin/status", cookie, tok)
        assert r.status == (200 if OC_VERSION == 4 else 403), r
    finally:
        if OC_VERSION == 4:
            db.execute("UPDATE oc_extension SET extension = 'reverb' WHERE code = 'reverb'")


def test_storefront_cookie_sent_first(apache, db):
    """A browser holding OpenCart 4's storefront cookie (path /) and admin cookie (path
    /admin/) sends both; whichever comes first, the admin's session is found."""
    shop = secrets.token_hex(13)
    db.execute("INSERT INTO oc_session (session_id, data, expire) VALUES (%s, %s,"
               " UTC_TIMESTAMP() + INTERVAL 1 HOUR)", (shop, '{"currency":"USD"}'))
    empty = secrets.token_hex(13)
    db.execute("INSERT INTO oc_session (session_id, data, expire) VALUES (%s, '',"
               " UTC_TIMESTAMP() + INTERVAL 1 HOUR)", (empty,))
    cookie, tok = db.session()
    for first in (shop, empty):
        both = "OCSESSID=%s; %s" % (first, cookie)
        assert call(apache, "/admin/status", both, tok).status == 200, first
        r = call(apache, "/admin/settings", both, tok, method="POST", body={"sync_mode": "one_way"})
        assert r.status == 200, r
    # two sessions, neither the token's: refused
    r = call(apache, "/admin/status", "OCSESSID=%s; OCSESSID=%s" % (shop, empty), tok)
    assert r.status == 401 and r.error_code == "not_authenticated"
    r = call(apache, "/admin/settings", "OCSESSID=%s; OCSESSID=%s" % (shop, empty), tok,
             method="POST", body={"sync_mode": "both_ways"})
    assert r.status == 401 and db.setting("sync_mode") == "one_way"


@pytest.fixture
def admin_path_server(db):
    """The 4.0 layout: the admin cookie's path is /admin/, so the admin routes live there."""
    a = Apache(db, extra_conf="<Location /admin/reverb>\n    SetHandler reverb\n</Location>")
    a.start()
    yield a
    a.stop()
    a.destroy()


def test_admin_routes_below_the_admin_path(admin_path_server, db):
    cookie, tok = db.session()
    r = call(admin_path_server, "/admin/status", cookie, tok, prefix="/admin/reverb")
    assert r.status == 200 and "queue" in r.json, r
    r = request("GET", admin_path_server.url + "/admin/reverb/admin/assets/reverb-admin.js")
    assert r.status == 200 and b"reverb-admin" in r.body
    # and the webhook/cron location still answers at /reverb
    assert request("POST", admin_path_server.url + "/reverb/webhook?key=-", body=b"{}").status == 403


def test_login_security_authorize_cookie(apache, db):
    """4.0's optional config_security step: an admin also needs the `authorize` cookie of an
    accepted oc_user_authorize row. 3.0 has no such step: the setting means nothing there."""
    db.execute("INSERT INTO oc_setting (store_id, code, `key`, value, serialized)"
               " VALUES (0, 'config', 'config_security', '1', 0)")
    try:
        cookie, tok = db.session()
        r = call(apache, "/admin/status", cookie, tok)
        if OC_VERSION == 3:
            assert r.status == 200, r
            return
        assert r.status == 401 and r.error_code == "not_authenticated", r
        good, pending = secrets.token_hex(16), secrets.token_hex(16)
        for t, status in ((good, 1), (pending, 0)):
            db.execute("INSERT INTO oc_user_authorize (user_id, token, total, ip, user_agent, status,"
                       " date_added) VALUES (1, %s, 0, '', '', %s, NOW())", (t, status))
        assert call(apache, "/admin/status", cookie + "; authorize=" + pending, tok).status == 401
        assert call(apache, "/admin/status", cookie + "; authorize=" + good, tok).status == 200
        cookie5, tok5 = db.session(user_id="4")     # another user: the token is user 1's
        assert call(apache, "/admin/status", cookie5 + "; authorize=" + good, tok5).status == 401
    finally:
        db.execute("DELETE FROM oc_setting WHERE `key` = 'config_security'")
        if OC_VERSION == 4:
            db.execute("DELETE FROM oc_user_authorize")


def test_own_tables_have_opencarts_collation(apache, db):
    """4.0's tables are utf8mb4_general_ci, 3.0.5's utf8mb4_unicode_ci: a join of a text
    column of ours with one of OpenCart's fails with 'Illegal mix of collations' unless
    ours match."""
    want = db.value("SELECT table_collation FROM information_schema.tables WHERE"
                    " table_schema = DATABASE() AND table_name = 'oc_product'")
    got = db.query("SELECT table_name, table_collation FROM information_schema.tables WHERE"
                   " table_schema = DATABASE() AND table_name LIKE 'oc\\_reverb\\_%%'")
    assert got and all(c == want for _, c in got), (want, got)
    # the join that fails on a mismatch
    db.value("SELECT COUNT(*) FROM oc_reverb_product_map m JOIN oc_product p"
             " ON p.sku = m.reverb_listing_id")


def test_variant_is_a_listing_of_its_own(db, fake, server, admin):
    """4.0 variants (oc_product.master_id > 0) are products with their own SKU, price and
    stock: each is its own Reverb listing, and a Reverb sale of one moves that row's stock
    only (oc_order_product.master_id 0, so OpenCart's own restock of a cancelled order
    mirrors it). On 3.0 the same two products are plain products."""
    from harness.order_helpers import fresh_shop, import_now, oc_orders, qty
    from harness.shop import enable, wait_idle
    from harness.shop import add_product
    fresh_shop(db, fake, server, admin)
    db.execute("DELETE FROM oc_product WHERE product_id IN (5401, 5402)")
    db.execute("DELETE FROM oc_product_description WHERE product_id IN (5401, 5402)")
    db.execute("DELETE FROM oc_product_to_category WHERE product_id IN (5401, 5402)")
    add_product(db, 5401, "Strat", "VAR-MASTER", "1000.0000", 7)
    add_product(db, 5402, "Strat (Green)", "VAR-GREEN", "1100.0000", 3)
    if OC_VERSION == 4:
        db.execute("UPDATE oc_product SET master_id = 5401, variant = '{\"226\":\"16\"}',"
                   " override = '{\"sku\":\"1\"}' WHERE product_id = 5402")
    try:
        enable(admin, server, 5401)
        enable(admin, server, 5402)
        for pid in (5401, 5402):
            assert admin.post(server, "/reverb/admin/product/%d/sync" % pid, {}).status in (200, 202)
        wait_idle(admin, server)
        ls = {l["sku"]: l for l in fake.listings()}
        assert ls["VAR-MASTER"]["inventory"] == 7 and ls["VAR-MASTER"]["price"]["amount"] == "1000.00"
        assert ls["VAR-GREEN"]["inventory"] == 3 and ls["VAR-GREEN"]["price"]["amount"] == "1100.00"
        fake.seed_order(order_number="7401", sku="VAR-GREEN", quantity=1, price="1100.00")
        r = import_now(admin, server)
        assert r["imported"] == 1, r
        (oid, _, _, _), = oc_orders(db)
        assert qty(db, 5402) == 2 and qty(db, 5401) == 7
        cols = "product_id, master_id" if OC_VERSION == 4 else "product_id, 0"
        assert db.query("SELECT %s FROM oc_order_product WHERE order_id = %%s" % cols,
                        (oid,)) == ((5402, 0),)
    finally:
        for t in ("oc_product", "oc_product_description", "oc_product_to_category",
                  "oc_reverb_product_map"):
            db.execute("DELETE FROM %s WHERE product_id IN (5401, 5402)" % t)
