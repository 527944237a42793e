#!/usr/bin/env python3
"""Browser tests: starts MariaDB, the fake Reverb and Apache with mod_reverb,
serves test pages that host the same markup and JS as the twig templates,
and drives them with headless Chromium (Debian's /usr/bin/chromium through
playwright-core). Screenshots go to tests/browser/artifacts/."""
import html
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from harness.apache import Apache                      # noqa: E402
from harness.fake import FakeReverb                    # noqa: E402
from harness.mariadb import MariaDB                    # noqa: E402
from harness.shop import ensure_category, add_product  # noqa: E402

from harness.ocadmin import strings, twig, twig3, app_container, TWIG4  # noqa: E402,F401


def render(page_dir, name, container, token):
    """An OpenCart 3 stand-in page around `container`: the <div class="reverb-admin"> of one
    of the module's twigs (twig3_container below), or markup with ATTRS for its data-*."""
    tpl = open(os.path.join(HERE, "fixtures", "page.html"), encoding="utf-8").read()
    attrs = ('data-base="/reverb" data-token="%s" data-login="/login" data-strings="%s"'
             % (token, html.escape(json.dumps(strings()), quote=True)))
    out = (tpl.replace("{{ asset_css }}", "/reverb/admin/assets/reverb-admin.css?v=0.1.0")
              .replace("{{ asset_js }}", "/reverb/admin/assets/reverb-admin.js?v=0.1.0")
              .replace("{{ body }}", container.replace("ATTRS", attrs)))
    with open(os.path.join(page_dir, name), "w", encoding="utf-8") as f:
        f.write(out)


def twig3_container(name, token, **values):
    """The app's container as ocmod/'s twig <name> renders it (read now, not a copy)."""
    return app_container(twig3(name, token, strict=True, header="", column_left="", footer="",
                               heading_title="Reverb", cancel="#", breadcrumbs=[], **values))


ADMIN4 = "/admin/reverb"       # OpenCart 4: mod_reverb below the admin folder (cookie path /admin/)


def twig4(name, **values):
    """One of opencart4/'s twigs with its variables filled as the controller fills them."""
    values.setdefault("asset_js", ADMIN4 + "/admin/assets/reverb-admin.js?v=0.1.0")
    values.setdefault("asset_css", ADMIN4 + "/admin/assets/reverb-admin.css?v=0.1.0")
    values.setdefault("reverb_base", ADMIN4)
    values.setdefault("login_url", "/login")
    values.setdefault("strings_json", html.escape(json.dumps(strings()), quote=True))
    return twig(TWIG4, name, strict=True, **values)


def render4(page_dir, name, title, body):
    tpl = open(os.path.join(HERE, "fixtures", "page4.html"), encoding="utf-8").read()
    with open(os.path.join(page_dir, name), "w", encoding="utf-8") as f:
        f.write(tpl.replace("{{ title }}", title).replace("{{ body }}", body))


def pages4(page_dir, token):
    """OpenCart 4.0.2.x stand-ins: the module page, the product form with the Reverb tab
    where the view event puts it (after Report), the order page's tabs card."""
    module = twig4("reverb.twig", header="", column_left="", footer="", back="#", breadcrumbs="",
                   heading_title="Reverb", user_token=token)
    module = module[module.index('<link rel="stylesheet"'):module.index("</script>") + 9]
    render4(page_dir, "module.html", "Reverb", module)
    tab = ('<li class="nav-item"><a href="#tab-%s" data-bs-toggle="tab" class="nav-link%s">%s</a></li>')
    product = twig4("reverb_product.twig", product_id=6002, user_token=token)
    render4(page_dir, "product.html", "Products",
            '<form id="form-product" action="#" method="post" data-oc-toggle="ajax">\n'
            '<ul class="nav nav-tabs">' + tab % ("general", " active", "General") + tab % ("data", "", "Data")
            + tab % ("report", "", "Report") + tab % ("reverb", "", "Reverb") + '</ul>\n'
            '<div class="tab-content">\n<div id="tab-general" class="tab-pane active"><input name="x" class="form-control"></div>\n'
            '<div id="tab-data" class="tab-pane"></div>\n'
            '<div id="tab-reverb" class="tab-pane">' + product + '</div>\n'
            '<div id="tab-report" class="tab-pane"></div>\n</div>\n'
            '<input type="hidden" name="product_id" value="6002" id="input-product-id"/>\n</form>')
    order = twig4("reverb_order.twig", order_id=1, user_token=token)
    render4(page_dir, "order.html", "Orders",
            '<div class="card"><div class="card-header">History</div><div class="card-body">'
            '<ul class="nav nav-tabs">' + tab % ("history", " active", "History")
            + tab % ("additional", "", "Additional") + tab % ("reverb", "", "Reverb") + '</ul>'
            '<div class="tab-content"><div id="tab-history" class="tab-pane active"></div>'
            '<div id="tab-additional" class="tab-pane"></div>'
            '<div id="tab-reverb" class="tab-pane">' + order + '</div></div></div></div>')


def product_forms(page_dir, page4_dir, token):
    """The product form's whole tab row, OpenCart 3 and 4, with the Reverb tab as the
    OCMOD (3.0) and the view event (4.0) insert it, for the "fits at 1366 px" tests."""
    title = strings()["heading_title"]
    xml = open(os.path.join(REPO, "ocmod/install.xml"), encoding="utf-8").read()
    li3 = re.search(r'<add position="after"><!\[CDATA\[(<li><a href="#tab-reverb".*?)\]\]>', xml, re.S).group(1)
    li3 = re.sub(r"\{\{ reverb_tab_title\|default\('[^']*'\) \}\}", html.escape(title), li3)
    pane3 = ('<link rel="stylesheet" href="/reverb/admin/assets/reverb-admin.css?v=0.1.0"><div class="reverb-admin" '
             'data-view="product" data-product-id="6003" data-base="/reverb" data-token="%s" data-login="/login" '
             'data-strings="%s"></div><script src="/reverb/admin/assets/reverb-admin.js?v=0.1.0"></script>'
             % (token, html.escape(json.dumps(strings()), quote=True)))
    tpl = open(os.path.join(HERE, "fixtures", "product3-form.html"), encoding="utf-8").read()
    with open(os.path.join(page_dir, "product-form.html"), "w", encoding="utf-8") as f:
        f.write(tpl.replace("{{ tab_li }}", li3).replace("{{ pane }}", pane3))
    php = open(os.path.join(REPO, "opencart4/admin/controller/module/reverb.php"), encoding="utf-8").read()
    li4 = re.search(r"'(<li class=\"nav-item\"><a href=\"#tab-reverb\".*?</li>)'", php).group(1)
    li4 = li4.replace("{{ reverb_tab_title }}", html.escape(title))
    tpl = open(os.path.join(HERE, "fixtures", "product4-form.html"), encoding="utf-8").read()
    with open(os.path.join(page4_dir, "product-form.html"), "w", encoding="utf-8") as f:
        f.write(tpl.replace("{{ tab_li }}", li4)
                   .replace("{{ pane }}", twig4("reverb_product.twig", product_id=6003, user_token=token)))
def seed_field_mapping(db):
    """The field mapping's preview (issue 11 item 2): shop attributes, a guitar
    that has them, a bass with no manufacturer."""
    for aid, name in ((951, "Brand"), (952, "Finish"), (953, "Year made")):
        db.execute("INSERT INTO oc_attribute (attribute_id, attribute_group_id, sort_order)"
                   " VALUES (%s, 6, 0)", (aid,))
        db.execute("INSERT INTO oc_attribute_description (attribute_id, language_id, name)"
                   " VALUES (%s, 1, %s)", (aid, name))
    add_product(db, 6300, "Mapping Guitar Jazzmaster", "MAP-1", "2100.0000", 1)
    add_product(db, 6301, "Mapping Bass Without Make", "MAP-2", "900.0000", 1, manufacturer_id=0)
    for aid, text in ((951, "Fender &amp; Co"), (952, "Sonic Blue"), (953, "1962")):
        db.execute("INSERT INTO oc_product_attribute (product_id, attribute_id, language_id, text)"
                   " VALUES (6300, %s, 1, %s)", (aid, text))


def main():
    if not os.path.exists("/usr/bin/chromium"):
        raise SystemExit("browser tests need Debian's chromium: run `make deps`")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True)
    db = MariaDB().start()
    fake = FakeReverb().start()
    web = None
    try:
        ensure_category(db)
        for i in range(30):
            add_product(db, 6000 + i, "Browser Pedal %d" % i, "BR-%d" % i, "%d.0000" % (40 + i), 3)
        for i in range(40):         # the Products tab's grid: half of them out of stock
            add_product(db, 6100 + i, "Browser Amp %02d" % i, "AMP-%d" % i, "%d.0000" % (300 + i),
                        0 if i % 2 else 2)
        add_product(db, 6200, "Pedal Without SKU", "", "50.0000", 2)
        seed_field_mapping(db)
        cookie, token = db.session()
        ro_cookie, ro_token = db.session(user_id="3")     # a group without Reverb access
        # a Reverb order of BR-1, imported by the 'sync all' test: OpenCart order 1
        fake.seed_order(order_number="9001", sku="BR-1", quantity=1, price="41.00")
        # the shop is in Australia (the order panel offers Australia Post first)
        db.execute("UPDATE oc_setting SET value = '13' WHERE `key` = 'config_country_id'")
        web = Apache(db, api_url=fake.api_url, rate_limit=1000, interval=200,
                     extra_conf='Alias /pages "%s/pages"\n<Directory "%s/pages">\n Require all granted\n</Directory>\n'
                     'Alias /admin/pages4 "%s/pages4"\n<Directory "%s/pages4">\n Require all granted\n</Directory>\n'
                     '<Location /admin/reverb>\n SetHandler reverb\n</Location>' % (HERE, HERE, HERE, HERE))
        pages4dir = os.path.join(HERE, "pages4")
        os.makedirs(pages4dir, exist_ok=True)
        os.chmod(pages4dir, 0o755)
        pages4(pages4dir, token)
        pages = os.path.join(HERE, "pages")
        os.makedirs(pages, exist_ok=True)
        os.chmod(pages, 0o755)
        render(pages, "module.html", twig3_container("reverb.twig", token), token)
        render(pages, "module-refused.html", twig3_container("reverb.twig", ro_token), ro_token)
        render(pages, "product.html", '<div class="tab-pane active" id="tab-reverb">'
               + twig3_container("reverb_product.twig", token, product_id=6000) + '</div>', token)
        render(pages, "product-nosku.html", '<div class="tab-pane active" id="tab-reverb">'
               + twig3_container("reverb_product.twig", token, product_id=6200) + '</div>', token)
        product_forms(pages, pages4dir, token)
        for oid in (1, 2):      # the Reverb orders 9001 and 9002 (the order panel test seeds it)
            render(pages, "order-%d.html" % oid, '<div class="reverb-admin" data-view="order" data-order-id="%d" ATTRS>'
                   '</div>' % oid, token)
        web.start()
        shop_sid = "0123456789abcdef0123456789"      # the storefront's own, empty session (4.0 writes '')
        db.execute("INSERT INTO oc_session (session_id, data, expire) VALUES (%s, '',"
                   " UTC_TIMESTAMP() + INTERVAL 1 HOUR)", (shop_sid,))
        env = dict(os.environ, BASE_URL=web.url, OCSESSID=cookie.split("=", 1)[1], TOKEN=token,
                   SHOP_OCSESSID=shop_sid,
                   ARTIFACTS=os.path.join(HERE, "artifacts"), FAKE_URL=fake.url,
                   RO_OCSESSID=ro_cookie.split("=", 1)[1])
        r = subprocess.run(["node", os.path.join(HERE, "admin.test.js")], cwd=HERE, env=env)
        web.stop()
        if r.returncode:
            raise SystemExit(r.returncode)
    finally:
        if web:
            web.destroy()
        fake.stop()
        db.destroy()


if __name__ == "__main__":
    main()
