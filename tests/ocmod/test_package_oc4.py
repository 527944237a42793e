"""The OpenCart 4.0.2.x package (opencart4/ -> dist/opencart4/reverb.ocmod.zip): the layout
4.0's Extension Installer accepts (install.json at the zip root, no install.xml/upload),
PHP that parses, and the view events that add the product tab and the order panel
(notes/opencart4.md §b, §e)."""
import json
import os
import re
import subprocess
import zipfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PKG = os.path.join(REPO, "opencart4")
ZIP = os.path.join(REPO, "dist", "opencart4", "reverb.ocmod.zip")
CONTROLLER = os.path.join(PKG, "admin", "controller", "module", "reverb.php")

# product_form.twig at 4.0.2.3, lines 38 and 1443 (unique, present in every 4.0 tag)
TAB_ANCHOR = ('<li class="nav-item"><a href="#tab-report" data-bs-toggle="tab" class="nav-link">'
              '{{ tab_report }}</a></li>')
PANE_ANCHOR = '<div id="tab-report" class="tab-pane">'


def build():
    subprocess.run([os.path.join(REPO, "scripts", "build-ocmod.sh")], check=True,
                   stdout=subprocess.DEVNULL)
    with zipfile.ZipFile(ZIP) as z:
        return z, [n for n in z.namelist() if not n.endswith("/")]


def test_zip_layout_for_the_4_0_installer():
    z, names = build()
    assert os.path.basename(ZIP) == "reverb.ocmod.zip"      # folder = the zip's basename
    assert "install.json" in names and "install.xml" not in names
    assert all(n == "install.json" or n.startswith(("admin/", "catalog/", "system/"))
               for n in names), names
    for needed in ("admin/controller/module/reverb.php", "admin/language/en-gb/module/reverb.php",
                   "admin/view/template/module/reverb.twig",
                   "admin/view/template/module/reverb_product.twig",
                   "admin/view/template/module/reverb_order.twig"):
        assert needed in names, needed
    with zipfile.ZipFile(ZIP) as zz:
        info = json.loads(zz.read("install.json"))
    # installer.upload refuses a package without these four (installer.php:245-262)
    assert all(isinstance(info.get(k), str) and info[k] for k in ("name", "version", "author", "link"))


def test_namespace_matches_the_folder():
    """4.0 autoloads Opencart\\Admin\\Controller\\Extension\\<Folder> from extension/<folder>/,
    Folder = ucwords(folder, '_/') without '_' (startup/extension.php)."""
    folder = os.path.basename(ZIP)[:-len(".ocmod.zip")]
    assert re.fullmatch(r"[A-Za-z0-9_]+", folder)
    ns = "".join(p[:1].upper() + p[1:] for p in folder.split("_"))
    src = open(CONTROLLER).read()
    assert "namespace Opencart\\Admin\\Controller\\Extension\\%s\\Module;" % ns in src
    assert re.search(r"^class Reverb extends \\Opencart\\System\\Engine\\Controller", src, re.M)
    assert "const ROUTE = 'extension/%s/module/reverb';" % folder in src


def test_php_files_pass_php_lint():
    php = []
    for d, _, names in os.walk(PKG):
        php += [os.path.join(d, n) for n in names if n.endswith(".php")]
    assert len(php) >= 2
    for f in php:
        r = subprocess.run(["php", "-l", f], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        assert r.returncode == 0, r.stdout


def test_language_file_is_the_3_0_one():
    with zipfile.ZipFile(ZIP) as z:
        a = z.read("admin/language/en-gb/module/reverb.php").decode()
    b = open(os.path.join(REPO, "ocmod/upload/admin/language/en-gb/extension/module/reverb.php")).read()
    assert a == b


def test_twigs_are_bootstrap_5_and_drive_the_shared_js():
    d = os.path.join(PKG, "admin/view/template/module")
    for n in ("reverb.twig", "reverb_product.twig", "reverb_order.twig"):
        t = open(os.path.join(d, n)).read()
        assert 'data-ui="bs5"' in t and "{{ asset_js }}" in t, n
        for bs3 in ("pull-right", "panel-", "btn-default", 'class="breadcrumb">\n        {% for breadcrumb in breadcrumbs %}\n        <li>'):
            assert bs3 not in t, (n, bs3)


HARNESS = r"""<?php
namespace Opencart\System\Engine { class Controller {
  public $load, $language, $config, $session, $request, $url;
  public function __construct() {
    $this->session = (object)['data' => ['user_token' => 'tok']];
    $this->request = (object)['get' => ['product_id' => '42', 'order_id' => '7']];
    $this->load = new class { public function language($r, $p = '') {}
      public function view($r, $d) { return '[' . $r . ':' . ($d['product_id'] ?? $d['order_id']) . ':' . $d['reverb_base'] . ']'; } };
    $this->language = new class { public function all($p = '') { return ['heading_title' => 'Reverb', 'x' => 'y']; }
      public function get($k) { return $k; } };
    $this->config = new class { public function get($k) { return null; } };
    $this->url = new class { public function link($r, $a = '') { return 'index.php?route=' . $r; } };
  } } }
namespace {
  define('HTTP_SERVER', 'http://shop.example/admin/');
  define('HTTP_CATALOG', 'http://shop.example/');
  define('DIR_TEMPLATE', getenv('RV_TPL'));
  require getenv('RV_CONTROLLER');
  $c = new \Opencart\Admin\Controller\Extension\Reverb\Module\Reverb();
  $route = 'catalog/product_form'; $data = []; $code = '';
  $c->eventProductForm($route, $data, $code);
  $again = $code; $c->eventProductForm($route, $data, $again);
  $oroute = 'sale/order_info'; $odata = ['tabs' => [['code' => 'cod', 'title' => 'COD', 'content' => '']]];
  $c->eventOrderInfo($oroute, $odata);
  echo json_encode(['code' => $code, 'again' => $again, 'data' => $data, 'tabs' => $odata['tabs']]);
}
"""


def run_events(tmp_path, form):
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "product_form.twig").write_text(form)
    script = tmp_path / "h.php"
    script.write_text(HARNESS)
    r = subprocess.run(["php", str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, env=dict(os.environ, RV_TPL=str(tmp_path) + "/",
                                           RV_CONTROLLER=CONTROLLER))
    assert r.returncode == 0, r.stdout
    return json.loads(r.stdout)


def test_product_tab_and_order_panel_by_view_events(tmp_path):
    form = ('<ul class="nav nav-tabs">\n  ' + TAB_ANCHOR + '\n</ul>\n<div class="tab-content">\n'
            '  <div id="tab-design" class="tab-pane"></div>\n  ' + PANE_ANCHOR + '</div>\n</div>\n')
    out = run_events(tmp_path, form)
    code = out["code"]
    li = code.index('href="#tab-reverb"')
    assert code.index(TAB_ANCHOR) < li < code.index("</ul>")        # the tab after Report
    # an icon (the row is full at 1366 px), its name in the tooltip and for screen readers
    assert ('data-bs-toggle="tab" class="nav-link" title="{{ reverb_tab_title }}"><i class="fa-solid fa-right-left">'
            '</i><span class="visually-hidden">{{ reverb_tab_title }}</span>') in code
    pane = code.index('<div id="tab-reverb" class="tab-pane">{{ reverb_tab }}</div>')
    assert code.index('id="tab-design"') < pane < code.index(PANE_ANCHOR)
    assert out["again"] == code                                     # a second run adds nothing
    assert out["data"]["reverb_tab_title"] == "Reverb"
    # the pane's view is told the product and mod_reverb's base below the admin folder
    assert out["data"]["reverb_tab"] == "[extension/reverb/module/reverb_product:42:/admin/reverb]"
    assert out["tabs"][0]["code"] == "cod"
    assert out["tabs"][1] == {"code": "reverb", "title": "Reverb",
                              "content": "[extension/reverb/module/reverb_order:7:/admin/reverb]"}


def test_product_form_without_the_anchors_is_left_alone(tmp_path):
    out = run_events(tmp_path, "<div>another theme's form</div>")
    assert out["code"] == "<div>another theme's form</div>" and out["data"] == []


def test_events_use_4_0_actions_and_triggers():
    src = open(CONTROLLER).read()
    assert "'action'      => self::ROUTE . '.' . $event[1]" in src    # '.' before the method
    for trig in ("admin/view/catalog/product_form/before", "admin/view/sale/order_info/before",
                 "admin/model/catalog/product/addProduct/after",
                 "admin/model/catalog/product/editProduct/after",
                 "admin/model/catalog/product/deleteProduct/after"):
        assert "'%s'" % trig in src, trig
    assert "'description'" in src          # oc_event.description has no default


def test_the_storefront_sale_event_is_packaged():
    src = open(CONTROLLER).read()
    assert "'catalog/model/checkout/order/addHistory/after', 'eventOrderHistory'" in src
    z, names = None, None
    with zipfile.ZipFile(ZIP) as z:
        names = z.namelist()
        cat = z.read("catalog/controller/module/reverb.php").decode()
    assert "namespace Opencart\\Catalog\\Controller\\Extension\\Reverb\\Module;" in cat
    assert "function eventOrderHistory" in cat and "/stock-changed" in cat
    assert "X-Reverb-Cron-Key" in cat
