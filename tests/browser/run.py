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

LANG = os.path.join(REPO, "ocmod/upload/admin/language/en-gb/extension/module/reverb.php")


def strings():
    """The language file as the controller passes it to the twig."""
    text = open(LANG, encoding="utf-8").read()
    return {k: v.replace("\\'", "'") for k, v in re.findall(r"\$_\['(\w+)'\]\s*=\s*'((?:[^'\\]|\\.)*)';", text)}


def render(page_dir, name, container, token):
    tpl = open(os.path.join(HERE, "fixtures", "page.html"), encoding="utf-8").read()
    attrs = ('data-base="/reverb" data-token="%s" data-login="/login" data-strings="%s"'
             % (token, html.escape(json.dumps(strings()), quote=True)))
    out = (tpl.replace("{{ asset_css }}", "/reverb/admin/assets/reverb-admin.css?v=0.1.0")
              .replace("{{ asset_js }}", "/reverb/admin/assets/reverb-admin.js?v=0.1.0")
              .replace("{{ body }}", container.replace("ATTRS", attrs)))
    with open(os.path.join(page_dir, name), "w", encoding="utf-8") as f:
        f.write(out)


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
        cookie, token = db.session()
        ro_cookie, ro_token = db.session(user_id="3")     # a group without Reverb access
        web = Apache(db, api_url=fake.api_url, rate_limit=1000, interval=200,
                     extra_conf='Alias /pages "%s/pages"\n<Directory "%s/pages">\n Require all granted\n</Directory>'
                     % (HERE, HERE))
        pages = os.path.join(HERE, "pages")
        os.makedirs(pages, exist_ok=True)
        os.chmod(pages, 0o755)
        render(pages, "module.html", '<div id="reverb-admin" class="reverb-admin" data-view="module" ATTRS></div>', token)
        render(pages, "module-refused.html", '<div id="reverb-admin" class="reverb-admin" data-view="module" ATTRS></div>',
               ro_token)
        render(pages, "product.html", '<div class="tab-pane active" id="tab-reverb"><div class="reverb-admin" '
               'data-view="product" data-product-id="6000" ATTRS></div></div>', token)
        web.start()
        env = dict(os.environ, BASE_URL=web.url, OCSESSID=cookie.split("=", 1)[1], TOKEN=token,
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
