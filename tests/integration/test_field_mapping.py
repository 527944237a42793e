"""Issue 11 item 2: field mapping. make / model / finish / year / handedness /
number of strings come from the sources the settings choose (the
manufacturer, OpenCart's model, MPN, SKU, or an attribute by name) and reach
the listing body sent to Reverb on create and update; a product with no make
is refused in plain words and nothing is sent; an attribute edit and a
mapping change are both seen by change detection; GET admin/listing-preview
answers the body without asking Reverb; a bad mapping is 400 with nothing
written."""
import pytest

from conftest import Admin
from harness.shop import (CATEGORY, MAKER_NAME, reset, ensure_category, add_product, configure,
                          enable, wait_idle)

# attributes of the test shop (ids far from the seed's 1..11), group 6 of the seed
BRAND, FINISH, YEAR, HAND, STRINGS, MODELNAME, COLOUR = 901, 902, 903, 904, 905, 906, 907
ATTRS = {BRAND: "Brand", FINISH: "Finish", YEAR: "Year made", HAND: "Handedness",
         STRINGS: "Strings", MODELNAME: "Model name", COLOUR: "Colour &amp; trim"}

ALL_ATTRIBUTES = {"make": {"source": "attribute", "attribute": "Brand"},
                  "model": {"source": "attribute", "attribute": "model NAME "},   # any case, spaces
                  "finish": {"source": "attribute", "attribute": "Finish"},
                  "year": {"source": "attribute", "attribute": "Year made"},
                  "handedness": {"source": "attribute", "attribute": "Handedness"},
                  "number_of_strings": {"source": "attribute", "attribute": "Strings"}}


def clear_attributes(db):
    db.execute("DELETE FROM oc_product_attribute WHERE product_id >= 5000 OR attribute_id >= 900")
    db.execute("DELETE FROM oc_attribute_description WHERE attribute_id >= 900")
    db.execute("DELETE FROM oc_attribute WHERE attribute_id >= 900")


@pytest.fixture(autouse=True)
def clean(db, fake):
    ensure_category(db)
    reset(db, fake)
    clear_attributes(db)
    for aid, name in ATTRS.items():
        db.execute("INSERT INTO oc_attribute (attribute_id, attribute_group_id, sort_order)"
                   " VALUES (%s, 6, 0)", (aid,))
        db.execute("INSERT INTO oc_attribute_description (attribute_id, language_id, name)"
                   " VALUES (%s, 1, %s)", (aid, name))
    yield
    # the database lives for the whole session: leave no mapping to other modules
    db.execute("DELETE FROM oc_setting WHERE `key` = 'module_reverb_field_map'")
    clear_attributes(db)


def set_attr(db, pid, aid, text):
    db.execute("REPLACE INTO oc_product_attribute (product_id, attribute_id, language_id, text)"
               " VALUES (%s, %s, 1, %s)", (pid, aid, text))


def guitar(db, pid=5001, **kw):
    kw.setdefault("model", "ASAT-CL")
    add_product(db, pid, "G&amp;L ASAT Classic", "SKU-%d" % pid, "1500.0000", 2, **kw)
    db.execute("UPDATE oc_product SET mpn = 'MPN-77' WHERE product_id = %s", (pid,))
    set_attr(db, pid, BRAND, "G&amp;L")
    set_attr(db, pid, MODELNAME, "ASAT Classic Bluesboy")
    set_attr(db, pid, FINISH, "Butterscotch &quot;Blonde&quot;")
    set_attr(db, pid, YEAR, " 1998 ")
    set_attr(db, pid, HAND, "Left")
    set_attr(db, pid, STRINGS, "6")


def cron(server, db):
    r = server.get("/reverb/cron?key=" + db.setting("cron_key"))
    assert r.status == 200, r
    return r.json


def listing_requests(fake):
    return [r for r in fake.requests() if "/orders/" not in r["path"]
            and "/webhooks" not in r["path"]]


def writes(fake):
    """POST /listings and PUT /listings/N bodies sent to the fake."""
    return [(r["method"], r["body"]) for r in listing_requests(fake)
            if r["method"] in ("POST", "PUT") and r["path"].startswith("/api/listings")]


def sync_now(admin, server, pid):
    r = admin.post(server, "/reverb/admin/product/%d/sync" % pid, {})
    assert r.status == 202, r
    wait_idle(admin, server)


def settle(admin, server, db):
    """Cron until change detection skips every product (nothing left to look at)."""
    for _ in range(3):
        if cron(server, db)["products_checked"] == 0:
            return
        wait_idle(admin, server)
    raise AssertionError("change detection never settled")


def mapped(body):
    return {k: body.get(k) for k in ("make", "model", "finish", "year", "handedness",
                                     "number_of_strings")}


def test_every_field_from_an_attribute_on_create_and_update(db, fake, server, admin):
    guitar(db)
    configure(admin, server, field_map=ALL_ATTRIBUTES)
    enable(admin, server, 5001)
    sync_now(admin, server, 5001)
    sent = writes(fake)
    assert [m for m, _ in sent] == ["POST"], sent
    assert mapped(sent[0][1]) == {"make": "G&L", "model": "ASAT Classic Bluesboy",
                                  "finish": 'Butterscotch "Blonde"', "year": "1998",
                                  "handedness": "Left", "number_of_strings": 6}
    # an update carries them too
    fake.clear_requests()
    db.execute("UPDATE oc_product SET price = 1400.0000 WHERE product_id = 5001")
    assert cron(server, db)["products_queued"] == 1
    wait_idle(admin, server)
    sent = writes(fake)
    assert [m for m, _ in sent] == ["PUT"], sent
    assert mapped(sent[0][1]) == {"make": "G&L", "model": "ASAT Classic Bluesboy",
                                  "finish": 'Butterscotch "Blonde"', "year": "1998",
                                  "handedness": "Left", "number_of_strings": 6}


@pytest.mark.parametrize("source,model", [("model", "ASAT-CL"), ("mpn", "MPN-77"),
                                          ("sku", "SKU-5001")])
def test_model_sources_and_the_default_make(db, fake, server, admin, source, model):
    guitar(db)
    configure(admin, server, field_map={"model": {"source": source}})
    enable(admin, server, 5001)
    sync_now(admin, server, 5001)
    sent = writes(fake)
    assert len(sent) == 1 and sent[0][0] == "POST"
    # make from the manufacturer (the default), nothing unmapped sent
    assert mapped(sent[0][1]) == {"make": MAKER_NAME, "model": model, "finish": None,
                                  "year": None, "handedness": None, "number_of_strings": None}


def test_a_year_that_is_not_four_digits_and_odd_strings_are_left_out(db, fake, server, admin):
    guitar(db)
    set_attr(db, 5001, YEAR, "late 90s")
    set_attr(db, 5001, STRINGS, "six")
    configure(admin, server, field_map=ALL_ATTRIBUTES)
    enable(admin, server, 5001)
    sync_now(admin, server, 5001)
    sent = writes(fake)
    assert len(sent) == 1
    assert "year" not in sent[0][1] and "number_of_strings" not in sent[0][1]
    assert sent[0][1]["finish"] == 'Butterscotch "Blonde"'


def last_error(db, pid):
    return db.value("SELECT last_error FROM oc_reverb_product_map WHERE product_id = %s", (pid,))


def test_no_make_is_a_plain_error_and_nothing_is_sent(db, fake, server, admin):
    add_product(db, 5002, "Mystery Bass", "SKU-5002", manufacturer_id=0)
    configure(admin, server)
    enable(admin, server, 5002)
    sync_now(admin, server, 5002)
    assert writes(fake) == []
    err = last_error(db, 5002)
    assert '"Mystery Bass" has no make' in err and "manufacturer" in err
    assert "Field mapping" in err and "Unbranded" not in err and "Unknown" not in err
    log = admin.get(server, "/reverb/admin/log?product_id=5002&status=error").json
    assert log["total"] >= 1 and '"Mystery Bass" has no make' in log["entries"][0]["message"]
    # make from an attribute the product lacks: the attribute is named
    fake.clear_requests()
    guitar(db, 5003, manufacturer_id=0)
    db.execute("DELETE FROM oc_product_attribute WHERE product_id = 5003 AND attribute_id = %s",
               (BRAND,))
    configure(admin, server, field_map={"make": {"source": "attribute", "attribute": "Brand"}})
    enable(admin, server, 5003)
    sync_now(admin, server, 5003)
    assert writes(fake) == []
    err = last_error(db, 5003)
    assert '"G&L ASAT Classic" has no make' in err and '"Brand" attribute' in err
    # cron does not keep retrying it while nothing changes
    fake.clear_requests()
    settle(admin, server, db)
    assert writes(fake) == []


def test_an_attribute_edit_is_pushed(db, fake, server, admin):
    guitar(db)
    configure(admin, server, field_map=ALL_ATTRIBUTES)
    enable(admin, server, 5001)
    sync_now(admin, server, 5001)
    settle(admin, server, db)
    fake.clear_requests()
    # a mapped attribute edited in OpenCart (nothing else about the product moves)
    set_attr(db, 5001, FINISH, "Sunburst")
    assert cron(server, db)["products_queued"] == 1
    wait_idle(admin, server)
    sent = writes(fake)
    assert [m for m, _ in sent] == ["PUT"] and sent[0][1]["finish"] == "Sunburst"
    # an attribute no field reads is not a reason to send anything
    settle(admin, server, db)
    fake.clear_requests()
    set_attr(db, 5001, COLOUR, "Black binding")
    cron(server, db)
    wait_idle(admin, server)
    assert writes(fake) == []


def test_a_mapping_change_is_pushed(db, fake, server, admin):
    guitar(db)
    set_attr(db, 5001, COLOUR, "Blonde &amp; black")
    configure(admin, server, field_map=ALL_ATTRIBUTES)
    enable(admin, server, 5001)
    sync_now(admin, server, 5001)
    settle(admin, server, db)
    fake.clear_requests()
    r = admin.post(server, "/reverb/admin/settings", {"field_map": dict(
        ALL_ATTRIBUTES, finish={"source": "attribute", "attribute": "Colour & trim"})})
    assert r.status == 200, r
    assert r.json["settings"]["field_map"]["finish"] == {"source": "attribute",
                                                         "attribute": "Colour & trim"}
    assert cron(server, db)["products_queued"] == 1
    wait_idle(admin, server)
    sent = writes(fake)
    assert [m for m, _ in sent] == ["PUT"] and sent[0][1]["finish"] == "Blonde & black"
    # back to no finish: the update no longer carries one
    settle(admin, server, db)
    fake.clear_requests()
    r = admin.post(server, "/reverb/admin/settings",
                   {"field_map": dict(ALL_ATTRIBUTES, finish={"source": "none"})})
    assert r.status == 200, r
    assert cron(server, db)["products_queued"] == 1
    wait_idle(admin, server)
    sent = writes(fake)
    assert [m for m, _ in sent] == ["PUT"] and "finish" not in sent[0][1]


def test_a_mapping_change_between_product_columns_is_pushed(db, fake, server, admin):
    """No attribute is read before or after: only the settings' fingerprint moves."""
    guitar(db)
    configure(admin, server, field_map={"model": {"source": "mpn"}})
    enable(admin, server, 5001)
    sync_now(admin, server, 5001)
    assert writes(fake)[0][1]["model"] == "MPN-77"
    settle(admin, server, db)
    fake.clear_requests()
    r = admin.post(server, "/reverb/admin/settings", {"field_map": {"model": {"source": "sku"}}})
    assert r.status == 200, r
    assert cron(server, db)["products_queued"] == 1
    wait_idle(admin, server)
    sent = writes(fake)
    assert [m for m, _ in sent] == ["PUT"] and sent[0][1]["model"] == "SKU-5001"


def test_preview_answers_the_body_without_asking_reverb(db, fake, server, admin):
    guitar(db)
    add_product(db, 5002, "Mystery Bass", "SKU-5002", manufacturer_id=0)
    configure(admin, server, field_map=ALL_ATTRIBUTES)
    fake.clear_requests()
    reader = Admin(db, user_id="4")                  # the read-only group
    r = reader.get(server, "/reverb/admin/listing-preview?product_id=5001")
    assert r.status == 200, r
    pv = r.json
    assert pv["product"]["product_id"] == 5001 and pv["product"]["sku"] == "SKU-5001"
    assert pv["product"]["name"] == "G&L ASAT Classic" and pv["action"] == "create"
    assert pv["error"] is None and "sync_off" in pv["notes"]
    assert mapped(pv["listing"]) == {"make": "G&L", "model": "ASAT Classic Bluesboy",
                                     "finish": 'Butterscotch "Blonde"', "year": "1998",
                                     "handedness": "Left", "number_of_strings": 6}
    assert pv["listing"]["title"] == "G&L ASAT Classic"
    assert pv["listing"]["price"] == {"amount": "1500.00", "currency": "AUD"}
    assert pv["fields"]["year"] == "1998"
    # the body is the one the push then sends
    enable(admin, server, 5001)
    sync_now(admin, server, 5001)
    sent = writes(fake)
    assert len(sent) == 1 and sent[0][1] == dict(pv["listing"])
    # once listed: the update body, notes gone
    pv = admin.get(server, "/reverb/admin/listing-preview?product_id=5001").json
    assert pv["action"] == "update" and pv["product"]["listing_id"] and pv["notes"] == []
    # the per-product error
    pv = admin.get(server, "/reverb/admin/listing-preview?product_id=5002").json
    assert pv["listing"] is None and '"Mystery Bass" has no make' in pv["error"]
    # a year the preview leaves out says so
    set_attr(db, 5001, YEAR, "98")
    pv = admin.get(server, "/reverb/admin/listing-preview?product_id=5001").json
    assert "year" not in pv["listing"] and pv["fields"]["year"] == "98"
    assert "year_left_out" in pv["notes"]
    fake.clear_requests()
    for q, status in (("product_id=99999", 404), ("product_id=abc", 400), ("", 400),
                      ("product_id=0", 400), ("product_id=-3", 400)):
        r = admin.get(server, "/reverb/admin/listing-preview?" + q)
        assert r.status == status, (q, r)
        assert r.json["error"]["message"]
    assert admin.post(server, "/reverb/admin/listing-preview?product_id=5001", {}).status == 405
    assert listing_requests(fake) == []            # the preview never asks Reverb


def test_settings_offer_the_shops_attributes_and_the_mapping(db, server, admin):
    configure(admin, server)
    r = admin.get(server, "/reverb/admin/settings")
    assert r.status == 200
    names = r.json["oc_attributes"]
    assert {"Brand", "Finish", "Year made", "Colour & trim"} <= set(names)
    assert r.json["settings"]["field_map"]["make"] == {"source": "manufacturer"}
    assert r.json["settings"]["field_map"]["model"] == {"source": "model"}
    assert r.json["settings"]["field_map"]["year"] == {"source": "none"}


@pytest.mark.parametrize("field_map,field", [
    ({"make": {"source": "sku"}}, "field_map.make"),
    ({"model": {"source": "manufacturer"}}, "field_map.model"),
    ({"finish": {"source": "colour"}}, "field_map.finish"),
    ({"year": {"source": "attribute"}}, "field_map.year"),
    ({"year": {"source": "attribute", "attribute": ""}}, "field_map.year"),
    ({"handedness": "attribute"}, "field_map.handedness"),
    ({"number_of_strings": {"source": 3}}, "field_map.number_of_strings"),
    ({"colour": {"source": "none"}}, "colour"),
    ([], "field_map"),
])
def test_a_bad_mapping_is_400_and_nothing_is_written(db, server, admin, field_map, field):
    configure(admin, server)
    before = db.checksum()
    r = admin.post(server, "/reverb/admin/settings", {"status": 0, "field_map": field_map,
                                                      "store_url": "https://other.example/"})
    assert r.status == 400, r
    assert field in r.json["error"]["message"], r.json
    assert db.checksum() == before
