"""Issue 9 item 13: an admin POST whose body is empty, or a JSON value that is
not an object, answers 400 JSON and writes nothing."""
import pytest

ROUTES = ["settings", "test-connection", "category-map", "product/40", "product/40/sync",
          "sync", "orders/import", "orders/1/ship", "webhooks"]
BODIES = [b"", b" \r\n\t", b"null", b" null ", b"[]", b"[{}]", b"1", b"-2.5", b'"x"', b"true",
          b"false"]


@pytest.mark.parametrize("route", ROUTES)
def test_empty_or_non_object_body_is_400_and_writes_nothing(server, db, admin, route):
    before = db.checksum()
    for body in BODIES:
        r = admin.post(server, "/reverb/admin/" + route, body,
                       headers={"Content-Type": "application/json"})
        assert r.status == 400, (route, body, r.status, r.body)
        assert r.headers["Content-Type"].startswith("application/json"), (route, body)
        assert r.json["error"]["code"] in ("invalid_request", "invalid_json"), (route, body, r.json)
        assert r.json["error"]["message"]
    assert db.checksum() == before, route


def test_an_object_is_still_accepted(server, db, admin):
    r = admin.post(server, "/reverb/admin/settings", b"{}",
                   headers={"Content-Type": "application/json"})
    assert r.status == 200, r
