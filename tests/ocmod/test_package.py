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
    # the field mapping: one label per field, source and preview note
    used |= {"fm_field_" + f for f in ("make", "model", "finish", "year", "handedness",
                                       "number_of_strings")}
    used |= {"fm_src_" + f for f in ("manufacturer", "model", "mpn", "sku", "attribute", "none")}
    used |= {"fm_note_" + n for n in ("sync_off", "not_in_category", "oc_disabled",
                                      "year_left_out", "strings_left_out")}
    assert used <= keys, sorted(used - keys)


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
