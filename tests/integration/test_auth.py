"""Issue 2 §6: the admin authentication matrix (contract §5). Every refusal writes nothing."""
import json

import pytest

from harness.util import request
from harness.mariadb import REVERB_ROUTE_ESCAPED

# (name, how to build the request) -> expected status and error code
CASES = ["no_cookie", "malformed_session_id", "unknown_session", "expired_session",
         "wrong_token", "token_of_other_session", "disabled_user", "group_without_access",
         "session_data_empty_array", "session_data_empty_string", "no_token", "user_id_zero"]


def build(case, db):
    """Returns (cookie, token) for a refused case."""
    if case == "no_cookie":
        _, tok = db.session()
        return None, tok
    if case == "malformed_session_id":
        _, tok = db.session()
        return "OCSESSID=../../etc/passwd", tok
    if case == "unknown_session":
        _, tok = db.session()
        return "OCSESSID=" + "a" * 26, tok
    if case == "expired_session":
        return db.session(expired=True)
    if case == "wrong_token":
        cookie, tok = db.session()
        return cookie, tok[:-1] + ("x" if tok[-1] != "x" else "y")
    if case == "token_of_other_session":
        cookie, _ = db.session()
        _, other = db.session()
        return cookie, other
    if case == "disabled_user":
        return db.session(user_id="2")
    if case == "group_without_access":
        return db.session(user_id="3")
    if case == "session_data_empty_array":
        cookie, tok = db.session(data="[]")
        return cookie, tok
    if case == "session_data_empty_string":      # OpenCart 4 stores an empty session as ''
        cookie, tok = db.session(data="")
        return cookie, tok
    if case == "no_token":
        cookie, _ = db.session()
        return cookie, None
    if case == "user_id_zero":
        return db.session(user_id="0")
    raise AssertionError(case)


EXPECTED = {"group_without_access": (403, "forbidden")}


def call(server, method, path, cookie, token, body=None, header=False):
    headers = {}
    if token is not None:
        if header:
            headers["X-OC-User-Token"] = token
        else:
            path += ("&" if "?" in path else "?") + "user_token=" + token
    return request(method, server.url + path, body=body if method == "POST" else None,
                   headers=headers, cookie=cookie)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_refused(apache, db, case, method):
    cookie, token = build(case, db)
    before = db.checksum()
    r = call(apache, method, "/reverb/admin/settings", cookie, token,
             body={"sync_mode": "both_ways", "status": 1})
    status, code = EXPECTED.get(case, (401, "not_authenticated"))
    assert (r.status, r.error_code) == (status, code), r
    assert db.checksum() == before


def test_read_only_group_can_get_but_not_post(apache, db):
    cookie, token = db.session(user_id="4")
    assert call(apache, "GET", "/reverb/admin/status", cookie, token).status == 200
    before = db.checksum()
    r = call(apache, "POST", "/reverb/admin/settings", cookie, token, body={"status": 1})
    assert r.status == 403 and r.error_code == "forbidden"
    assert db.checksum() == before


def test_valid_get_and_post(apache, db):
    cookie, token = db.session(user_id="1")
    assert call(apache, "GET", "/reverb/admin/status", cookie, token).status == 200
    r = call(apache, "POST", "/reverb/admin/settings", cookie, token,
             body={"sync_mode": "both_ways"})
    assert r.status == 200 and db.setting("sync_mode") == "both_ways"
    r = call(apache, "POST", "/reverb/admin/settings", cookie, token,
             body={"sync_mode": "one_way"}, header=True)
    assert r.status == 200 and db.setting("sync_mode") == "one_way"


@pytest.mark.parametrize("user_id", ["1", 1])
def test_user_id_string_or_number(apache, db, user_id):
    tok = "T" * 31 + str(len(str(user_id)))
    cookie, _ = db.session(data=json.dumps({"user_id": user_id, "user_token": tok}))
    assert call(apache, "GET", "/reverb/admin/status", cookie, tok).status == 200


def test_escaped_slashes_in_permission(db):
    perm = db.value("SELECT permission FROM oc_user_group WHERE user_group_id = 1")
    assert REVERB_ROUTE_ESCAPED in perm   # written the PHP way; the module decodes it


ROUTES = [("GET", "/reverb/admin/status"), ("GET", "/reverb/admin/settings"),
          ("POST", "/reverb/admin/settings"), ("POST", "/reverb/admin/test-connection"),
          ("GET", "/reverb/admin/categories"), ("GET", "/reverb/admin/conditions"),
          ("GET", "/reverb/admin/category-map"), ("POST", "/reverb/admin/category-map"),
          ("GET", "/reverb/admin/product/42"), ("POST", "/reverb/admin/product/42"),
          ("POST", "/reverb/admin/product/42/sync"), ("GET", "/reverb/admin/sync"),
          ("POST", "/reverb/admin/sync"), ("POST", "/reverb/admin/orders/import"),
          ("GET", "/reverb/admin/orders/1"), ("POST", "/reverb/admin/orders/1/ship"),
          ("GET", "/reverb/admin/webhooks"), ("POST", "/reverb/admin/webhooks"),
          ("GET", "/reverb/admin/log"), ("GET", "/reverb/admin/products"),
          ("POST", "/reverb/admin/products/bulk")]


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_admin_route_refuses_without_session(apache, db, method, path):
    """CSRF-style: a request with the victim's cookie but without the token is refused,
    and so is one without anything."""
    cookie, _ = db.session()
    before = db.checksum()
    for c in (None, cookie):
        r = call(apache, method, path, c, None, body={})
        assert r.status == 401 and r.error_code == "not_authenticated", (path, r)
    cookie3, tok3 = db.session(user_id="3")
    r = call(apache, method, path, cookie3, tok3, body={})
    assert r.status == 403, (path, r)
    # in plain words, for what was refused: seeing or changing
    assert ("permission to see" if method == "GET" else "permission to change") in \
        r.json["error"]["message"], r
    assert db.checksum() == before
