"""make demo: the module's admin pages in an OpenCart 3 admin stand-in.

A small page server (in scripts/demo.py's process) answers /admin/index.php?route=...
behind the demo's Apache (mod_proxy), so the pages, mod_reverb's /reverb/ routes and
the OCSESSID cookie share one origin, as in a real shop. It renders the module's
own twig templates (ocmod/.../view/template/extension/module/*.twig) with the
variables its controller fills and the strings of its language file, read at every
request (tests/integration/harness/ocadmin.py, shared with the browser tests), inside
a page in OpenCart 3's look: Bootstrap 3 and Font Awesome 4.7 from Debian's packages
(no CDN: nothing is loaded from the network) and scripts/demo_admin.css.

The login is OpenCart's: a row in oc_session holding the user_id and a fresh
user_token, the OCSESSID cookie, and the user_token in every admin URL. A page whose
user_token does not match the session's goes to the login page, as in OpenCart.
"""
import html
import json
import os
import re
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness.ocadmin import twig3
from harness.util import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
CSS = os.path.join(HERE, "demo_admin.css")
BOOTSTRAP = "/usr/share/javascript/bootstrap"
JQUERY = "/usr/share/javascript/jquery"
FONT_AWESOME = "/usr/share/fonts-font-awesome"
ROUTE_MODULE = "extension/module/reverb"
USER_ID = "1"                     # the seed's administrator (group 1 has the Reverb permission)


def missing_assets():
    """Debian packages the look needs (scripts/deps.sh installs them)."""
    need = {"libjs-bootstrap": BOOTSTRAP + "/css/bootstrap.min.css",
            "libjs-jquery": JQUERY + "/jquery.min.js",
            "fonts-font-awesome": FONT_AWESOME + "/css/font-awesome.min.css"}
    return [pkg for pkg, path in need.items() if not os.path.exists(path)]


def apache_conf(port):
    """The demo's Apache: /admin/index.php and the stylesheet from the page server,
    Bootstrap, jQuery and Font Awesome from Debian's files."""
    return """
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
ProxyPass /admin/index.php http://127.0.0.1:{port}/admin/index.php
ProxyPass /admin/view/stylesheet/ http://127.0.0.1:{port}/admin/view/stylesheet/
ProxyPassReverse /admin/ http://127.0.0.1:{port}/admin/
Alias /admin/view/javascript/bootstrap "{bootstrap}"
Alias /admin/view/javascript/jquery "{jquery}"
Alias /admin/view/javascript/font-awesome "{fa}"
<Directory "{bootstrap}">
    Require all granted
</Directory>
<Directory "{jquery}">
    Require all granted
</Directory>
<Directory "{fa}">
    Require all granted
</Directory>
""".format(port=port, bootstrap=BOOTSTRAP, jquery=JQUERY, fa=FONT_AWESOME)


def link(route, token=None, **args):
    q = [("route", route)] + ([("user_token", token)] if token else []) + sorted(args.items())
    return "index.php?" + urllib.parse.urlencode(q, safe="/")


HEAD = """<!DOCTYPE html>
<html dir="ltr" lang="en">
<head>
<meta charset="UTF-8" />
<title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0, minimum-scale=1.0, maximum-scale=1.0" />
<script src="view/javascript/jquery/jquery.min.js"></script>
<link href="view/javascript/bootstrap/css/bootstrap.min.css" rel="stylesheet" media="screen" />
<script src="view/javascript/bootstrap/js/bootstrap.min.js"></script>
<link href="view/javascript/font-awesome/css/font-awesome.min.css" type="text/css" rel="stylesheet" />
<link href="view/stylesheet/demo.css" type="text/css" rel="stylesheet" />
</head>
<body{body_attr}>
<div id="container">
<header id="header" class="navbar navbar-static-top">
  <div class="navbar-header">{menu_button}<a href="{home}" class="navbar-brand"><i class="fa fa-opencart"></i>opencart</a></div>
  {user_nav}
</header>
"""

USER_NAV = """<ul class="nav navbar-nav navbar-right">
    <li><a href="{reverb}"><span class="img-circle">A</span> Admin Test <small class="text-muted">(demo)</small></a></li>
    <li><a href="{logout}" id="demo-logout"><span class="hidden-xs hidden-sm hidden-md">Logout</span> <i class="fa fa-sign-out fa-lg"></i></a></li>
  </ul>"""

# route, icon, text, children (route, text)
MENU = [("common/dashboard", "fa-dashboard", "Dashboard", []),
        ("catalog", "fa-tags", "Catalog", [("catalog/product", "Products")]),
        ("extension", "fa-puzzle-piece", "Extensions", [("marketplace/extension", "Extensions"),
                                                         (ROUTE_MODULE, "Reverb")]),
        ("sale", "fa-shopping-cart", "Sales", [("sale/order", "Orders")]),
        ("system", "fa-cog", "System", [])]
ACTIVE = {ROUTE_MODULE: "extension", "marketplace/extension": "extension", "catalog/product": "catalog",
          "catalog/product/edit": "catalog", "sale/order": "sale", "sale/order/info": "sale",
          "common/dashboard": "common/dashboard"}

FOOTER = """<footer id="footer">mod_reverb demo: the Reverb module's own pages in an OpenCart 3.0 admin
stand-in (not OpenCart's code).<br />Reverb here is the project's fake Reverb on this machine.</footer></div>
</body></html>
"""


class Pages:
    """Renders one admin page; the handler below only speaks HTTP."""

    def __init__(self, db, fake_url=None):
        self.db = db
        self.fake_url = fake_url

    # -- the session, as OpenCart 3 keeps it --------------------------------
    def session(self, sid):
        if not sid or not re.match(r"^[0-9A-Za-z]{10,64}$", sid):
            return None
        rows = self.db.query("SELECT data FROM oc_session WHERE session_id = %s AND expire > UTC_TIMESTAMP()",
                             (sid,))
        try:
            return json.loads(rows[0][0]) if rows else None
        except ValueError:
            return None

    def login(self):
        """A new admin session: (session id for the cookie, user_token)."""
        sid = secrets.token_hex(13)
        token = secrets.token_hex(16)
        self.db.execute("INSERT INTO oc_session (session_id, data, expire) VALUES (%s, %s,"
                        " UTC_TIMESTAMP() + INTERVAL 1 DAY)",
                        (sid, json.dumps({"user_id": USER_ID, "user_token": token})))
        return sid, token

    def logout(self, sid):
        self.db.execute("DELETE FROM oc_session WHERE session_id = %s", (sid,))

    # -- chrome ----------------------------------------------------------------
    def head(self, title, token=None, route=None):
        if not token:
            return HEAD.format(title=title, body_attr=' id="login-page"', menu_button="", home=link("common/login"),
                               user_nav="")
        return HEAD.format(title=title, body_attr="", home=link(ROUTE_MODULE, token),
                           menu_button='<a id="button-menu"><i class="fa fa-dedent fa-lg"></i></a>',
                           user_nav=USER_NAV.format(reverb=link(ROUTE_MODULE, token),
                                                    logout=link("common/logout", token)))

    def column_left(self, token, route):
        active = ACTIVE.get(route, "")
        items = []
        for r, icon, text, children in MENU:
            cls = ' class="active"' if r == active else ""
            if children:
                sub = "".join('<li%s><a href="%s">%s</a></li>' % (' class="active"' if c == route else "",
                                                                    link(c, token), t) for c, t in children)
                items.append('<li%s><a href="%s"><i class="fa %s fw"></i> %s</a><ul>%s</ul></li>'
                             % (cls, link(children[0][0], token), icon, text, sub))
            else:
                items.append('<li%s><a href="%s"><i class="fa %s fw"></i> %s</a></li>'
                             % (cls, link(r, token), icon, text))
        return ('<nav id="column-left"><div id="profile"><div class="img-circle">A</div><div><h4>Admin Test</h4>'
                '<small>Administrator</small></div></div><div id="navigation"><span class="fa fa-bars"></span> '
                'Navigation</div><ul id="menu">%s</ul></nav>' % "".join(items))

    def page(self, title, token, route, body, breadcrumbs=(), buttons=""):
        crumbs = "".join('<li><a href="%s">%s</a></li>' % (h, t) for t, h in
                         [("Home", link("common/dashboard", token))] + list(breadcrumbs))
        return (self.head(title, token, route) + self.column_left(token, route)
                + '<div id="content"><div class="page-header"><div class="container-fluid">'
                + '<div class="pull-right">%s</div><h1>%s</h1><ul class="breadcrumb">%s</ul></div></div>'
                % (buttons, title, crumbs)
                + '<div class="container-fluid">%s</div></div>' % body + FOOTER)

    def view_values(self, token):
        return {"login_url": link("common/login"), "reverb_base": "/reverb"}

    # -- routes ----------------------------------------------------------------
    def login_page(self, redirect, error=""):
        return (self.head("Administration") + """<div id="content"><div class="container-fluid"><div class="row">
<div class="col-sm-offset-4 col-sm-4"><div class="panel panel-default">
<div class="panel-heading"><h1 class="panel-title"><i class="fa fa-lock"></i> Please enter your login details.</h1></div>
<div class="panel-body">%s
<p class="demo-note">Demo: one click logs you in as the shop's administrator (a real OpenCart admin session:
a row in <code>oc_session</code>, the <code>OCSESSID</code> cookie and the <code>user_token</code>).</p>
<form action="%s" method="post" id="form-login">
<div class="form-group"><label for="input-username">Username</label>
<div class="input-group"><span class="input-group-addon"><i class="fa fa-user"></i></span>
<input type="text" name="username" value="admin" id="input-username" class="form-control" readonly /></div></div>
<div class="form-group"><label for="input-password">Password</label>
<div class="input-group"><span class="input-group-addon"><i class="fa fa-lock"></i></span>
<input type="password" name="password" value="demo" id="input-password" class="form-control" readonly /></div></div>
<div class="text-right"><button type="submit" class="btn btn-primary" id="demo-login"><i class="fa fa-key"></i>
Log in to the demo</button></div>
<input type="hidden" name="redirect" value="%s" />
</form></div></div></div></div></div></div>""" % (
            '<div class="alert alert-danger"><i class="fa fa-exclamation-circle"></i> %s</div>' % error if error else "",
            html.escape(link("common/login"), quote=True), html.escape(redirect or "", quote=True)) + FOOTER)

    def module_page(self, token):
        return twig3("reverb.twig", token, header=self.head("Reverb", token, ROUTE_MODULE),
                     column_left=self.column_left(token, ROUTE_MODULE), footer=FOOTER,
                     heading_title="Reverb", cancel=link("marketplace/extension", token, type="module"),
                     breadcrumbs=[{"text": "Home", "href": link("common/dashboard", token)},
                                  {"text": "Extensions", "href": link("marketplace/extension", token, type="module")},
                                  {"text": "Reverb", "href": link(ROUTE_MODULE, token)}],
                     **self.view_values(token))

    def product_form(self, token, product_id):
        rows = self.db.query("SELECT pd.name, p.model, p.sku, p.quantity, p.price FROM oc_product p"
                             " LEFT JOIN oc_product_description pd ON pd.product_id = p.product_id"
                             " AND pd.language_id = 1 WHERE p.product_id = %s", (product_id,))
        if not rows:
            return None
        name, model, sku, qty, price = rows[0]
        tabs = ["General", "Data", "Links", "Attribute", "Option", "Recurring", "Discount", "Special", "Image",
                "Reward Points", "SEO", "Design"]
        nav = "".join('<li%s><a href="#tab-%s" data-toggle="tab">%s</a></li>'
                      % (' class="active"' if i == 0 else "", t.lower().replace(" ", "-"), t) for i, t in enumerate(tabs))
        nav += '<li><a href="#tab-reverb" data-toggle="tab" id="demo-tab-reverb">Reverb</a></li>'   # what install.xml adds
        field = ('<div class="form-group"><label class="col-sm-2 control-label">%s</label><div class="col-sm-10">'
                 '<input class="form-control" value="%s" readonly /></div></div>')
        panes = ('<div class="tab-pane active" id="tab-general">%s</div>' % (field % ("Product Name", name or ""))
                 + '<div class="tab-pane" id="tab-data">%s%s%s%s</div>' % (
                     field % ("Model", html.escape(model or "")), field % ("SKU", html.escape(sku or "")),
                     field % ("Quantity", qty), field % ("Price", price))
                 + "".join('<div class="tab-pane" id="tab-%s"></div>' % t.lower().replace(" ", "-") for t in tabs[2:])
                 + '<div class="tab-pane" id="tab-reverb">%s</div>'
                 % twig3("reverb_product.twig", token, product_id=product_id, **self.view_values(token)))
        body = ('<div class="panel panel-default"><div class="panel-heading"><h3 class="panel-title">'
                '<i class="fa fa-pencil"></i> Edit Product</h3></div><div class="panel-body">'
                '<p class="demo-note">Demo: OpenCart\'s own product form is not part of the demo; its Reverb tab is.</p>'
                '<form class="form-horizontal" onsubmit="return false"><ul class="nav nav-tabs">%s</ul>'
                '<div class="tab-content">%s</div></form></div></div>' % (nav, panes))
        return self.page("Products", token, "catalog/product/edit", body,
                         [("Products", link("catalog/product", token))],
                         '<a href="%s" class="btn btn-default"><i class="fa fa-reply"></i></a>'
                         % link("catalog/product", token))

    def product_list(self, token):
        rows = self.db.query("SELECT p.product_id, pd.name, p.model, p.sku, p.quantity, p.status FROM oc_product p"
                             " LEFT JOIN oc_product_description pd ON pd.product_id = p.product_id"
                             " AND pd.language_id = 1 ORDER BY pd.name LIMIT 200")
        trs = "".join('<tr><td>%s</td><td>%s</td><td>%s</td><td class="text-right">%s</td><td>%s</td>'
                      '<td class="text-right"><a href="%s" class="btn btn-primary"><i class="fa fa-pencil"></i></a>'
                      '</td></tr>' % (n or "", html.escape(m or ""), html.escape(s or ""), q,
                                      "Enabled" if st else "Disabled", link("catalog/product/edit", token, product_id=i))
                      for i, n, m, s, q, st in rows)
        body = ('<div class="panel panel-default"><div class="panel-heading"><h3 class="panel-title"><i class="fa fa-list">'
                '</i> Product List</h3></div><div class="panel-body"><table class="table table-bordered table-hover">'
                '<thead><tr><td>Product Name</td><td>Model</td><td>SKU</td><td class="text-right">Quantity</td>'
                '<td>Status</td><td class="text-right">Action</td></tr></thead><tbody>%s</tbody></table></div></div>' % trs)
        return self.page("Products", token, "catalog/product", body, [("Products", link("catalog/product", token))])

    def order_info(self, token, order_id):
        rows = self.db.query("SELECT firstname, lastname, total, currency_code, date_added FROM oc_order"
                             " WHERE order_id = %s", (order_id,))
        if not rows:
            return None
        first, last, total, cur, added = rows[0]
        body = ('<div class="panel panel-default"><div class="panel-heading"><h3 class="panel-title">'
                '<i class="fa fa-shopping-cart"></i> Order (#%d)</h3></div><div class="panel-body">'
                '<p class="demo-note">Demo: OpenCart\'s own order page is not part of the demo; the Reverb panel is.</p>'
                '<table class="table"><tr><td>Customer</td><td>%s %s</td></tr><tr><td>Date Added</td><td>%s</td></tr>'
                '<tr><td>Total</td><td>%s %s</td></tr></table></div></div>%s'
                % (order_id, html.escape(first or ""), html.escape(last or ""), added, total, cur,
                   twig3("reverb_order.twig", token, order_id=order_id, **self.view_values(token))))
        return self.page("Orders", token, "sale/order/info", body, [("Orders", link("sale/order", token))])

    def order_list(self, token):
        rows = self.db.query("SELECT order_id, firstname, lastname, total, currency_code, date_added FROM oc_order"
                             " ORDER BY order_id DESC LIMIT 100")
        trs = "".join('<tr><td class="text-right">%d</td><td>%s %s</td><td class="text-right">%s %s</td><td>%s</td>'
                      '<td class="text-right"><a href="%s" class="btn btn-info"><i class="fa fa-eye"></i></a></td></tr>'
                      % (i, html.escape(f or ""), html.escape(la or ""), t, c, d, link("sale/order/info", token, order_id=i))
                      for i, f, la, t, c, d in rows) or '<tr><td class="text-center" colspan="5">No results!</td></tr>'
        body = ('<div class="panel panel-default"><div class="panel-heading"><h3 class="panel-title"><i class="fa fa-list">'
                '</i> Order List</h3></div><div class="panel-body"><table class="table table-bordered table-hover">'
                '<thead><tr><td class="text-right">Order ID</td><td>Customer</td><td class="text-right">Total</td>'
                '<td>Date Added</td><td class="text-right">Action</td></tr></thead><tbody>%s</tbody></table></div></div>'
                % trs)
        return self.page("Orders", token, "sale/order", body, [("Orders", link("sale/order", token))])

    def other(self, token, route):
        body = ('<div class="panel panel-default"><div class="panel-body"><p class="demo-note">This demo shows the Reverb'
                ' module\'s pages of the admin; the rest of OpenCart is not here.</p><ul>'
                '<li><a href="%s">Extensions &gt; Modules &gt; Reverb</a> (Products, Settings, Sync, Sync log)</li>'
                '<li><a href="%s">Catalog &gt; Products</a> (each product\'s Reverb tab)</li>'
                '<li><a href="%s">Sales &gt; Orders</a> (the Reverb panel of an order)</li></ul></div></div>'
                % (link(ROUTE_MODULE, token), link("catalog/product", token), link("sale/order", token)))
        return self.page("Dashboard" if route == "common/dashboard" else "Extensions", token, route, body)


def _safe_redirect(url):
    """Only this admin's own pages (OpenCart keeps the redirect within the admin too)."""
    return url if url and re.match(r"^index\.php\?route=[\w/]+(&[\w%=.\-]*)*$", url) else ""


def _with_token(url, token):
    parts = [p for p in url.split("?", 1)[1].split("&") if not p.startswith("user_token=")]
    return "index.php?" + "&".join(parts[:1] + ["user_token=" + token] + parts[1:])


class Handler(BaseHTTPRequestHandler):
    pages = None          # set by serve()
    server_version = "demo-admin"

    def log_message(self, fmt, *args):     # quiet: the terminal shows the demo's summary
        pass

    def send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, url, headers=()):
        self.send(302, "", headers=[("Location", url)] + list(headers))

    def cookie_sid(self):
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == "OCSESSID":
                return v
        return None

    def do_GET(self):
        try:
            self.route("GET")
        except Exception as e:        # a page error is shown, and the demo goes on
            self.send(500, "<pre>demo admin: %s</pre>" % html.escape(repr(e)))

    def do_POST(self):
        try:
            self.route("POST")
        except Exception as e:
            self.send(500, "<pre>demo admin: %s</pre>" % html.escape(repr(e)))

    def route(self, method):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/admin/view/stylesheet/demo.css":
            with open(CSS, "rb") as f:
                return self.send(200, f.read(), "text/css")
        if url.path != "/admin/index.php":
            return self.send(404, "not found")
        q = dict(urllib.parse.parse_qsl(url.query))
        route = q.get("route", "common/dashboard")
        P = self.pages
        sid = self.cookie_sid()
        sess = P.session(sid)
        if route == "common/login":
            if method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode("utf-8", "replace")))
                new_sid, token = P.login()
                target = _safe_redirect(form.get("redirect") or q.get("redirect", ""))
                target = _with_token(target, token) if target else link(ROUTE_MODULE, token)
                return self.redirect(target, [("Set-Cookie", "OCSESSID=%s; Path=/; HttpOnly; SameSite=Lax" % new_sid)])
            if sess and sess.get("user_token") and not q.get("redirect"):
                return self.redirect(link(ROUTE_MODULE, sess["user_token"]))
            return self.send(200, P.login_page(_safe_redirect(q.get("redirect", ""))))
        token = q.get("user_token", "")
        if not sess or not token or sess.get("user_token") != token:
            back = link(route, **{k: v for k, v in q.items() if k not in ("route", "user_token")})
            return self.redirect(link("common/login", redirect=back))
        if route == "common/logout":
            P.logout(sid)
            return self.redirect(link("common/login"), [("Set-Cookie", "OCSESSID=; Path=/; Max-Age=0")])
        if route == ROUTE_MODULE:
            return self.send(200, P.module_page(token))
        if route == "catalog/product":
            return self.send(200, P.product_list(token))
        if route == "sale/order":
            return self.send(200, P.order_list(token))
        if route in ("catalog/product/edit", "sale/order/info"):
            key = "product_id" if route == "catalog/product/edit" else "order_id"
            if not re.match(r"^\d{1,10}$", q.get(key, "")):
                return self.send(404, P.other(token, route))
            out = (P.product_form if key == "product_id" else P.order_info)(token, int(q[key]))
            return self.send(200 if out else 404, out or P.other(token, route))
        return self.send(200, P.other(token, route))


def serve(db, fake_url=None):
    """Start the page server on a free loopback port in a thread; returns (server, port)."""
    port = free_port()
    handler = type("DemoHandler", (Handler,), {"pages": Pages(db, fake_url)})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="demo-admin", daemon=True).start()
    return server, port
