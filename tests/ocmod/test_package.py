"""The OCMOD package: well-formed install.xml, PHP that parses, the installer's zip layout."""
import os
import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OCMOD = os.path.join(REPO, "ocmod")
ZIP = os.path.join(REPO, "dist", "reverb.ocmod.zip")
# admin/controller/marketplace/install.php (3.0.5.1): where the installer lets files go
ALLOWED = ("admin/controller/extension/", "admin/language/", "admin/model/extension/",
           "admin/view/image/", "admin/view/javascript/", "admin/view/stylesheet/",
           "admin/view/template/extension/", "catalog/controller/extension/", "catalog/language/",
           "catalog/model/extension/", "catalog/view/javascript/", "catalog/view/theme/",
           "system/config/", "system/library/", "image/catalog/")


def test_install_xml_is_well_formed_ocmod():
    root = ET.parse(os.path.join(OCMOD, "install.xml")).getroot()
    assert root.tag == "modification"
    for tag in ("name", "code", "version", "author", "link"):
        assert root.find(tag) is not None and root.find(tag).text, tag
    files = {f.get("path"): f for f in root.findall("file")}
    form = files["admin/view/template/catalog/product_form.twig"]
    ops = form.findall("operation")
    searches = [(o.find("search").text.strip(), o.find("add").get("position")) for o in ops]
    # the two anchors known to be unique in 3.0.2.0 .. 3.0.5.1 (notes/opencart.md §e)
    assert ('<li><a href="#tab-design" data-toggle="tab">{{ tab_design }}</a></li>', "after") in searches
    assert ('<div class="tab-pane" id="tab-design">', "before") in searches
    assert "admin/view/template/sale/order_info.twig" in files


def test_php_files_pass_php_lint():
    php = []
    for d, _, names in os.walk(os.path.join(OCMOD, "upload")):
        php += [os.path.join(d, n) for n in names if n.endswith(".php")]
    assert len(php) >= 2
    for f in php:
        r = subprocess.run(["php", "-l", f], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert r.returncode == 0, r.stdout


def test_every_string_the_ui_uses_is_in_the_language_file():
    lang = open(os.path.join(OCMOD, "upload/admin/language/en-gb/extension/module/reverb.php")).read()
    keys = set(re.findall(r"\$_\['(\w+)'\]", lang))
    js = open(os.path.join(REPO, "assets", "reverb-admin.js")).read()
    used = set(re.findall(r"s\('(\w+)'\)", js))
    used |= {"text_field_" + f for f in ("title", "description", "price", "stock", "images")}
    # the Products tab: every 'prod_...' key it names, and one label per Reverb state
    used |= set(re.findall(r"'(prod_\w+)'", js)) - {"prod_state_", "prod_date_locale"}
    used |= {"prod_state_" + st for st in ("not_enabled", "enabled", "queued", "draft", "live",
                                           "ended", "sold", "error")}
    # the order panel: one word for each Reverb order status (anchors §9.8)
    used |= {"text_order_status_" + st for st in ("unpaid", "payment_pending", "pending_review", "blocked",
                                                 "partially_paid", "paid", "shipped", "picked_up", "received",
                                                 "refunded", "cancelled")}
    # the field mapping: one label per field, source and preview note
    used |= {"fm_field_" + f for f in ("make", "model", "finish", "year", "handedness",
                                       "number_of_strings")}
    used |= {"fm_src_" + f for f in ("manufacturer", "model", "mpn", "sku", "attribute", "none")}
    used |= {"fm_note_" + n for n in ("sync_off", "not_in_category", "oc_disabled",
                                      "year_left_out", "strings_left_out")}
    assert used <= keys, sorted(used - keys)


def test_every_log_kind_status_and_reverb_order_status_has_words():
    """Issue 11 item 6: the sync log and the order status mapping show words, never codes."""
    lang = open(os.path.join(OCMOD, "upload/admin/language/en-gb/extension/module/reverb.php")).read()
    keys = set(re.findall(r"\$_\['(\w+)'\]", lang))
    want = {"log_kind_" + k for k in ("listing", "pull", "order", "tracking", "webhook")}
    want |= {"log_status_success", "log_status_error", "log_direction_push", "log_direction_pull"}
    want |= {"text_reverb_status_" + st for st in ("paid", "shipped", "received", "cancelled", "refunded")}
    want |= {"error_code_" + c for c in ("no_token", "reverb_unauthorized", "reverb_unreachable",
                                         "reverb_unavailable")}
    want |= {"log_datetime_format", "error_field"}
    assert want <= keys, sorted(want - keys)
def js_function(js, name):
    """The text of `App.prototype.<name> = function` up to the next App.prototype or function."""
    start = js.index("App.prototype." + name + " = function")
    rest = js[start + 1:]
    ends = [i for i in (rest.find("\n  App.prototype."), rest.find("\n  function ")) if i >= 0]
    return js[start:start + 1 + min(ends)]


def test_product_tab_and_order_panel_have_no_english_in_the_js():
    """Issue 11: every word the product tab and the order panel show comes from the
    language file (data-strings), none is written into the JS."""
    js = open(os.path.join(REPO, "assets", "reverb-admin.js")).read()
    shown = re.compile(r"(?:text|value|placeholder|title|'aria-label'|label):\s*'([^']*[A-Za-z][^']*)'")
    for name in ("api", "alert", "product", "order", "orderStatus", "orderAlert", "orderRender"):
        body = js_function(js, name)
        assert not shown.findall(body), (name, shown.findall(body))
        # words in plain string literals: a capitalised word and a space ('Australia Post', 'HTTP ')
        sentences = [t for t in re.findall(r"'([^'\n]*)'", body) if re.search(r"[A-Z][A-Za-z]* ", t)]
        assert sentences == [], (name, sentences)


def test_zip_layout_for_the_extension_installer():
    subprocess.run([os.path.join(REPO, "scripts", "build-ocmod.sh")], check=True)
    with zipfile.ZipFile(ZIP) as z:
        names = [n for n in z.namelist() if not n.endswith("/")]
    assert "install.xml" in names
    uploads = [n for n in names if n != "install.xml"]
    assert uploads and all(n.startswith("upload/") for n in uploads), names
    for n in uploads:
        assert n[len("upload/"):].startswith(ALLOWED), n
    for needed in ("upload/admin/controller/extension/module/reverb.php",
                   "upload/admin/language/en-gb/extension/module/reverb.php",
                   "upload/admin/view/template/extension/module/reverb.twig",
                   "upload/admin/view/template/extension/module/reverb_product.twig"):
        assert needed in names
