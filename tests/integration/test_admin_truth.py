"""Issue 11 item 6, the engine's side of "every action tells the truth": Test connection
without a token sends nothing; a wrong token, an unreachable Reverb and a failing Reverb
are told apart; a refused setting names its field; the sync log says what each row is,
when (shop time), which OpenCart order, and Reverb's errors as lines."""
import pytest

from conftest import Admin
from harness.apache import Apache
from harness.order_helpers import fresh_shop

TABLES = ["oc_setting"]


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    fresh_shop(db, fake, server, admin)
    yield
    fake.faults([])
    set_timezone(db, "UTC")


def set_timezone(db, zone):
    db.execute("DELETE FROM oc_setting WHERE store_id = 0 AND code = 'config'"
               " AND `key` = 'config_timezone'")
    db.execute("INSERT INTO oc_setting (store_id, code, `key`, value, serialized)"
               " VALUES (0, 'config', 'config_timezone', %s, 0)", (zone,))


def settings_rows(db):
    return db.query("SELECT `key`, value FROM oc_setting WHERE code = 'module_reverb' ORDER BY `key`")


# -- Test connection ------------------------------------------------------------------

def test_test_connection_without_any_token_sends_nothing(db, fake, server, admin):
    db.execute("DELETE FROM oc_setting WHERE `key` = 'module_reverb_token'")
    fake.clear_requests()
    for body in ({}, {"token": ""}):
        r = admin.post(server, "/reverb/admin/test-connection", body)
        assert r.status == 400 and r.error_code == "no_token", r
        assert "Enter your Reverb token first" in r.json["error"]["message"]
    assert fake.requests() == []


def test_wrong_token_unreachable_and_failing_reverb_are_three_answers(db, fake, server, admin):
    r = admin.post(server, "/reverb/admin/test-connection", {"token": "wrong-token-123"})
    assert r.status == 502 and r.error_code == "reverb_unauthorized", r
    assert "did not accept the token" in r.json["error"]["message"]
    assert "wrong-token-123" not in r.body.decode()

    fake.faults([{"path_regex": "my/account", "kind": "drop"}])
    r = admin.post(server, "/reverb/admin/test-connection", {})
    assert r.status == 502 and r.error_code == "reverb_unreachable", r
    assert "could not be reached" in r.json["error"]["message"]

    # no answer within ReverbHttpTimeout (5 s here): unreachable too, never a token problem
    fake.faults([{"path_regex": "my/account", "kind": "timeout", "delay_ms": 8000}])
    r = admin.post(server, "/reverb/admin/test-connection", {})
    assert r.status == 502 and r.error_code == "reverb_unreachable", r
    assert "no answer in time" in r.json["error"]["message"]

    fake.faults([{"path_regex": "my/account", "kind": "503"}])
    r = admin.post(server, "/reverb/admin/test-connection", {})
    assert r.status == 502 and r.error_code == "reverb_unavailable", r
    assert "HTTP 503" in r.json["error"]["message"]

    fake.faults([])
    r = admin.post(server, "/reverb/admin/test-connection", {})
    assert r.status == 200 and r.json["shop_name"], r


def test_connection_refused_is_unreachable_not_a_token_problem(db):
    web = Apache(db, api_url="http://127.0.0.1:9/api/")     # nothing listens on port 9
    web.start()
    try:
        r = Admin(db).post(web, "/reverb/admin/test-connection", {"token": "any-token"})
        assert r.status == 502 and r.error_code == "reverb_unreachable", r
        assert "did not accept" not in r.json["error"]["message"]
    finally:
        web.stop()
        web.destroy()


# -- a refused setting names its field -----------------------------------------------

@pytest.mark.parametrize("body,field", [
    ({"store_url": "ftp://shop.example.com/"}, "store_url"),
    ({"log_retention_days": 5000}, "log_retention_days"),
    ({"sync_mode": "sideways"}, "sync_mode"),
    ({"shipping_profile_id": "12a"}, "shipping_profile_id"),
])
def test_a_refused_setting_names_its_field_and_writes_nothing(db, server, admin, body, field):
    before = settings_rows(db)
    r = admin.post(server, "/reverb/admin/settings", dict({"use_special": 0}, **body))
    assert r.status == 400 and r.error_code == "invalid_request", r
    assert r.json["error"]["field"] == field
    assert settings_rows(db) == before


def test_a_good_save_has_no_error(server, admin):
    r = admin.post(server, "/reverb/admin/settings", {"store_url": "https://shop.example.com/"})
    assert r.status == 200 and "error" not in r.json


# -- the sync log ---------------------------------------------------------------------

def log_row(db, **f):
    cols = ", ".join(f)
    db.execute("INSERT INTO oc_reverb_sync_log (%s) VALUES (%s)" % (cols, ", ".join(["%s"] * len(f))),
               tuple(f.values()))


def test_log_rows_say_their_kind_shop_time_order_and_errors(db, fake, server, admin):
    set_timezone(db, "Australia/Sydney")
    db.execute("DELETE FROM oc_reverb_sync_log")
    db.execute("INSERT INTO oc_reverb_order_map (reverb_order_number, order_id, import_state)"
               " VALUES ('7701', 77, 'imported')")
    # 2026-01-15 23:30 UTC is 2026-01-16 10:30 in Sydney (summer time, +11)
    at = "2026-01-15 23:30:00.000"
    log_row(db, product_id=5201, direction="push", status="error", action="create", sku="ORD-1",
            message="Reverb refused the listing", http_status=412, created_at=at,
            errors='{"price": ["must be greater than 0"], "make": ["can\'t be blank"]}')
    log_row(db, direction="pull", status="success", action="order", reverb_order_number="7701",
            message="Order imported", created_at=at)
    log_row(db, direction="push", status="success", action="ship", reverb_order_number="7701",
            message="Tracking sent", created_at=at)
    log_row(db, direction="pull", status="success", action="listing", product_id=5202,
            message="Price changed on Reverb", created_at=at)
    # a real webhook registration writes its own rows
    assert admin.post(server, "/reverb/admin/webhooks", {}).status == 200

    r = admin.get(server, "/reverb/admin/log?per_page=50")
    assert r.status == 200, r
    assert r.json["timezone"] == "Australia/Sydney"
    rows = r.json["entries"]
    hooks = [e for e in rows if e["action"] == "webhook"]
    assert hooks and all(e["kind"] == "webhook" for e in hooks)
    by_action = {e["action"]: e for e in rows if e["action"] != "webhook"}
    assert by_action["create"]["kind"] == "listing"
    assert by_action["order"]["kind"] == "order"
    assert by_action["ship"]["kind"] == "tracking"
    assert by_action["listing"]["kind"] == "pull"
    for e in by_action.values():
        assert e["created_at"] == "2026-01-15T23:30:00Z"
        assert e["created_local"] == "2026-01-16 10:30:00"
    assert by_action["order"]["order_id"] == 77 and by_action["ship"]["order_id"] == 77
    assert by_action["create"]["order_id"] is None
    assert by_action["create"]["error_lines"] == ["price: must be greater than 0", "make: can't be blank"]
    assert by_action["order"]["error_lines"] is None
    # Perth has no summer time: +8
    set_timezone(db, "Australia/Perth")
    e = [x for x in admin.get(server, "/reverb/admin/log?per_page=50").json["entries"] if x["action"] == "order"][0]
    assert e["created_local"] == "2026-01-16 07:30:00"
