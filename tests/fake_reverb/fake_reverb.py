#!/usr/bin/env python3
"""A fake Reverb API (v3) for mod_reverb's tests. Python stdlib only.

Faithful to the shapes in shared/notes/anchors-reverb.md §9 (README.md in
this directory lists each endpoint, the source of its shape and what is
still simplified): HAL JSON with absolute `_links`, pagination by
`_links.next` (per_page capped at 50), `/my/listings` filtered by `sku` and
`state` (default live), 412 with `message` and `errors` on invalid
listings, 429 + Retry-After over a requests-per-minute limit. Faults are
injected on demand (including answers of the wrong shape) and every API
request is recorded, with its arrival time, for assertions.

API under /api/ ; control under /_fake/ (never rate limited, never recorded).
Run: fake_reverb.py --port 0 --port-file FILE
"""
import argparse
import datetime
import json
import random
import re
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONDITIONS = [
    ("7c3f45de-2ae0-4c81-8400-fdb6b1d74890", "Brand New", "brand-new"),
    ("6db7df88-293b-4017-a1c1-cdb5e599fa1a", "Mint (with inventory)", "mint-inventory"),
    ("ac5b9c1e-dc78-466d-b0b3-7cf712967a48", "Mint", "mint"),
    ("df268ad1-c462-4ba6-b6db-e007e23922ea", "Excellent", "excellent"),
    ("ae4d9114-1bd7-4ec5-a4ba-6653af5ac84d", "Very Good", "very-good"),
    ("f7a3f48c-972a-44c6-b01a-0cd27488d3f6", "Good", "good"),
    ("98777886-76d0-44c8-865e-bb40e669e934", "Fair", "fair"),
    ("6a9dfcad-600b-46c8-9e08-ce6e5057921e", "Poor", "poor"),
    ("fbf35668-96a0-4baa-bcde-ab18d6b1b329", "Non Functioning", "non-functioning"),
    ("9225283f-60c2-4413-ad18-1f5eba7a856f", "B-Stock", "b-stock"),
]
# GET /shipping/providers: the tracking providers Reverb accepts, in the order
# of the v3 spec's enum (anchors §9.9, S; the endpoint C). The answer's shape is
# not documented (I): {"shipping_providers":[{"name"}]}; the module also reads
# a bare list, "providers", and plain strings.
SHIPPING_PROVIDERS = [
    "UPS", "USPS", "FedEx", "DHL Deutschland", "DHLExpress", "DHLGlobalMail", "DHL", "Canada Post",
    "CanPar", "Royal Mail", "PostNL", "Australia Post", "EMS", "La Poste - Colissimo", "China Post",
    "GLS", "Parcelforce", "Purolator", "Interlogistica", "Correos Espa\u00f1a", "Ukraine Post",
    "DPD Germany", "DPD UK", "DPD France", "Hermes", "TNT", "Other",
]
MULTI_QTY = {"7c3f45de-2ae0-4c81-8400-fdb6b1d74890", "6db7df88-293b-4017-a1c1-cdb5e599fa1a",
             "9225283f-60c2-4413-ad18-1f5eba7a856f"}
# (uuid, name, root uuid or None for a root). /categories/flat names a
# subcategory "Root / Sub" and links it to its root by root_uuid; a root has
# root_uuid == uuid (anchors §2.6, §9.12; reverb-magento-2 Remap.php).
CATEGORIES = [
    ("dfd39027-d134-4353-b9e4-57dc6be791b9", "Electric Guitars", None),
    ("e57deb7a-382b-4e18-a008-67d4fbcb2879", "Solid Body", "dfd39027-d134-4353-b9e4-57dc6be791b9"),
    ("ec5d2dc9-4b5b-47b4-b04b-1f1d2d6b0fbc", "Semi-Hollow", "dfd39027-d134-4353-b9e4-57dc6be791b9"),
    ("3ca3eb03-7eac-477d-b253-15ce603d2550", "Acoustic Guitars", None),
    ("630dc140-45e2-4371-b569-19405de321cc", "Dreadnought", "3ca3eb03-7eac-477d-b253-15ce603d2550"),
    ("fa10f97c-dd98-4a8f-933b-8cb55eb653dd", "Effects and Pedals", None),
    ("732e30f0-21cf-4960-a3d4-bb90c68081eb", "Distortion", "fa10f97c-dd98-4a8f-933b-8cb55eb653dd"),
    ("69a7e38f-0ce1-4b4d-8ce6-2a4e5ef8d0e7", "Delay", "fa10f97c-dd98-4a8f-933b-8cb55eb653dd"),
    ("10335451-31e5-418a-8ed8-f48cd738f17d", "Amps", None),
    ("19d53222-297d-4cb2-8c1f-1a2b5e2c5d2f", "Guitar Combos", "10335451-31e5-418a-8ed8-f48cd738f17d"),
    ("53a9c7d7-d73d-4e7f-905c-553503e50a90", "Bass Guitars", None),
    ("09055aa7-ed49-459d-9452-aa959f288dc2", "Keyboards and Synths", None),
    ("d002db05-ab63-4c79-999c-d49bbe8d7739", "Drums and Percussion", None),
    ("b3cb9f8e-4cb6-4325-8215-1efcd9999daf", "Pro Audio", None),
]
CATEGORY_NAMES = {u: n for u, n, _ in CATEGORIES}


def slugify(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def category_out(uuid):
    """One /categories/flat entry (the listing's categories carry uuid + full_name)."""
    u, n, root = next(c for c in CATEGORIES if c[0] == uuid)
    full = n if root is None else CATEGORY_NAMES[root] + " / " + n
    top = CATEGORY_NAMES[root or u]
    return {"uuid": u, "name": n, "full_name": full, "slug": slugify(full),
            "root_uuid": root or u, "product_type_slug": slugify(top)}


CATEGORY_IDS = {c[0] for c in CATEGORIES}
TOPICS = {"listings/update", "listings/publish", "orders/create", "orders/update",
          "payments/create", "payments/update", "app/uninstalled"}


# Reverb's timestamps carry a US-Central offset (anchors §9.5, §9.8)
REVERB_OFFSET_S = -5 * 3600


def now_iso(t=None):
    t = time.time() if t is None else t
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t + REVERB_OFFSET_S)) + "-05:00"


def parse_iso(s):
    """Epoch seconds of an ISO-8601 time (offset, Z, or none = UTC); None if unreadable."""
    s = str(s)
    if len(s) > 19 and s[19] == " ":      # an unescaped "+" arrives as a space
        s = s[:19] + "+" + s[20:]
    try:
        d = datetime.datetime.fromisoformat(s)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def money(amount, currency="AUD"):
    a = "%.2f" % float(amount)
    return {"amount": a, "amount_cents": int(round(float(a) * 100)), "currency": currency,
            "symbol": "$", "display": "$" + a}


def set_path(obj, dotted, value):
    """Sets obj[a][b]... ; "*" walks every element of a list; a missing key is created."""
    head, _, rest = dotted.partition(".")
    if isinstance(obj, list):
        targets = range(len(obj)) if head == "*" else [int(head)]
    elif isinstance(obj, dict):
        targets = [head]
    else:
        return
    for k in targets:
        if not rest:
            obj[k] = value
        elif isinstance(obj, dict) and k not in obj:
            obj[k] = {}
            set_path(obj[k], rest, value)
        else:
            set_path(obj[k], rest, value)


class State:
    """Everything the fake knows, under one lock."""

    def __init__(self, tokens):
        self.lock = threading.RLock()
        self.default_tokens = list(tokens)
        self.reset()

    def reset(self):
        with self.lock:
            self.listings = {}           # id -> listing dict (internal form)
            self.orders = {}             # order_number -> order
            self.webhooks = {}
            self.shipments = []
            self.requests = []
            self.faults = []
            self.next_id = 1000
            self.next_webhook = 1
            self.config = {"rate_limit": 0, "retry_after": 2, "tokens": list(self.default_tokens),
                           "shop_name": "Fake Music Shop AU", "latency_ms": 0}
            self.served_times = []       # arrival times of served (non-429) API requests
            # the seller's shipping profiles (GET /api/shop); POST /_fake/shop
            # replaces them ([] = an account with none)
            self.shipping_profiles = [{"id": "15655", "name": "Standard (Australia Post)"},
                                      {"id": "15656", "name": "Large instruments (courier)"}]
            if getattr(self, "hold", None):
                self.hold.set()          # nothing stays held across a reset
            self.hold = threading.Event()  # "hold" faults wait for POST /_fake/release


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeReverb/1.0"
    # headers and body go out in two writes: without TCP_NODELAY the body
    # waits for the client's delayed ACK (~40 ms a response on loopback)
    disable_nagle_algorithm = True
    state = None   # set by main()

    def log_message(self, fmt, *args):  # quiet
        pass

    # ---- plumbing -------------------------------------------------------
    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw:
            return None, raw
        try:
            return json.loads(raw), raw
        except ValueError:
            return ValueError("bad json"), raw

    def _send(self, status, obj=None, headers=None):
        if getattr(self, "_mute", False):
            return status          # an after_effect fault: the answer is lost
        shape = getattr(self, "_shape", None)
        if shape and status < 300:
            # a "shape" fault: the answer Reverb should not send
            self._shape = None
            if "body" in shape:
                obj = shape["body"]
            for k, v in (shape.get("set") or {}).items():
                set_path(obj, k, v)
            if "raw" in shape:
                data = shape["raw"].encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/hal+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return status
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/hal+json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data:
            self.wfile.write(data)
        return status

    def base(self):
        return "http://%s:%d" % self.server.server_address[:2]

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def _dispatch(self, method):
        t = time.time()
        self._shape = None
        u = urllib.parse.urlsplit(self.path)
        body, raw = self._body()
        if u.path.startswith("/_fake/"):
            self._control(method, u.path, body)
            return
        st = self.state
        # one handler per TCP connection: requests it served before this one
        reused = getattr(self, "_served", 0) > 0
        self._served = getattr(self, "_served", 0) + 1
        entry = {"t": t, "method": method, "path": u.path, "query": u.query,
                 "reused_connection": reused,
                 "body": body if not isinstance(body, Exception) else raw.decode("utf-8", "replace"),
                 "headers": {"authorization": self.headers.get("Authorization"),
                             "accept_version": self.headers.get("Accept-Version"),
                             "content_type": self.headers.get("Content-Type"),
                             "user_agent": self.headers.get("User-Agent"),
                             "x_reverb_app": self.headers.get("X-Reverb-App")},
                 "status": None}
        with st.lock:
            st.requests.append(entry)
            fault = self._pick_fault(method, u.path, reused)
            limit = st.config["rate_limit"]
            if limit:
                recent = [x for x in st.served_times if x > t - 60]
                st.served_times = recent
                if len(recent) >= limit:
                    entry["status"] = 429
                    ra = st.config["retry_after"]
                    self._send(429, {"message": "Too many requests"}, {"Retry-After": str(ra)})
                    return
                st.served_times.append(t)
            latency = st.config["latency_ms"]
        if latency:
            time.sleep(latency / 1000.0)
        if fault and self._apply_fault_before(fault, entry):
            return
        self._shape = fault if fault and fault["kind"] == "shape" else None
        status = self._api(method, u, body, entry, fault)
        entry["status"] = status

    # ---- faults -----------------------------------------------------------
    def _pick_fault(self, method, path, reused=False):
        for rule in self.state.faults:
            if rule.get("method") and rule["method"] != method:
                continue
            if rule.get("reused_only") and not reused:
                continue      # only on a keep-alive connection that served a request before
            if rule.get("path_regex") and not re.search(rule["path_regex"], path):
                continue
            if rule.get("times") is not None and rule["times"] <= 0:
                continue
            p = rule.get("probability", 1.0)
            if p < 1.0 and rule["_rng"].random() >= p:
                continue
            if rule.get("times") is not None:
                rule["times"] -= 1
            return dict(rule, _hold=self.state.hold)
        return None

    def _apply_fault_before(self, f, entry):
        kind = str(f["kind"])
        if kind in ("500", "502", "503", "429", "412") and not f.get("after_effect"):
            entry["status"] = int(kind)
            if kind == "429":
                return self._send(429, {"message": "Too many requests"},
                                  {"Retry-After": str(f.get("retry_after", 1))}) or True
            if kind == "412":
                return self._send(412, {"message": "Injected validation error",
                                        "errors": {"title": ["is invalid"]}}) or True
            return self._send(int(kind), {"message": "Internal server error"}) or True
        if kind == "timeout" and not f.get("after_effect"):
            entry["status"] = 0
            time.sleep(f.get("delay_ms", 15000) / 1000.0)
            self.close_connection = True
            return True
        if kind == "hold":
            # the request waits (recorded, unanswered) until the test releases it
            f["_hold"].wait(f.get("max_hold_s", 60))
            return False
        if kind == "drop" and not f.get("after_effect"):
            entry["status"] = 0
            self.close_connection = True
            self.connection.shutdown(2)
            return True
        return False

    # ---- control API --------------------------------------------------------
    def _control(self, method, path, body):
        st = self.state
        parts = path.strip("/").split("/")[1:]
        with st.lock:
            if parts == ["reset"]:
                st.reset()
                return self._send(200, {"ok": True})
            if parts == ["config"] and method == "POST":
                if "rate_limit" in (body or {}) and body["rate_limit"] != st.config["rate_limit"]:
                    st.served_times = []     # a new limit starts with an empty window
                st.config.update(body or {})
                return self._send(200, st.config)
            if parts == ["faults"] and method == "POST":
                rules = (body or {}).get("rules", [])
                for r in rules:
                    r["_rng"] = random.Random(r.get("seed", 1))
                st.faults = rules
                return self._send(200, {"ok": True})
            if parts == ["release"] and method == "POST":
                st.hold.set()
                st.hold = threading.Event()
                return self._send(200, {"ok": True})
            if parts == ["requests"]:
                if method == "DELETE":
                    st.requests = []
                    return self._send(200, {"ok": True})
                return self._send(200, {"requests": st.requests})
            if parts == ["stats"]:
                served = sorted(r["t"] for r in st.requests if r["status"] != 429)
                mx, j = 0, 0
                for i, t in enumerate(served):
                    while served[j] <= t - 60:
                        j += 1
                    mx = max(mx, i - j + 1)
                return self._send(200, {"requests_total": len(st.requests),
                                        "max_in_any_60s_window": mx})
            if parts == ["state"]:
                return self._send(200, {"listings": [self._listing_view(l) for l in st.listings.values()],
                                        "orders": list(st.orders.values()),
                                        "webhooks": list(st.webhooks.values()),
                                        "shipments": st.shipments})
            if parts == ["shop"] and method == "POST":
                st.shipping_profiles = list((body or {}).get("shipping_profiles", []))
                return self._send(200, {"shipping_profiles": st.shipping_profiles})
            if parts == ["listings"] and method == "POST":
                l = self._new_listing(body or {}, publish=False)
                l["state"] = (body or {}).get("state", l["state"])
                return self._send(201, self._listing_view(l))
            if len(parts) == 2 and parts[0] == "listings" and method in ("POST", "PATCH"):
                l = st.listings.get(parts[1])
                if not l:
                    return self._send(404, {"message": "not found"})
                self._apply_listing(l, body or {})
                if "state" in (body or {}):
                    l["state"] = body["state"]
                l["updated_at"] = now_iso()
                return self._send(200, self._listing_view(l))
            if parts == ["orders"] and method == "POST":
                o = self._seed_order(body or {})
                return self._send(201, o)
            if len(parts) == 2 and parts[0] == "orders" and method in ("POST", "PATCH"):
                o = st.orders.get(parts[1])
                if not o:
                    return self._send(404, {"message": "not found"})
                o.update(body or {})
                if "updated_at" not in (body or {}):    # a test may set it (an old order)
                    o["updated_at"] = now_iso()
                return self._send(200, o)
        return self._send(404, {"message": "unknown control path"})

    # ---- the API --------------------------------------------------------------
    def _api(self, method, u, body, entry, fault):
        st = self.state
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in st.config["tokens"]:
            return self._send(401, {"message": "The access token is invalid", "error": "invalid_token"})
        if self.headers.get("Accept-Version") != "3.0":
            return self._send(400, {"message": "Accept-Version: 3.0 is required"})
        if isinstance(body, Exception):
            return self._send(400, {"message": "Malformed JSON body"})
        path = u.path[len("/api"):] if u.path.startswith("/api/") else None
        if path is None:
            return self._send(404, {"message": "Not found"})
        q = dict(urllib.parse.parse_qsl(u.query))
        with st.lock:
            self._mute = bool(fault and fault.get("after_effect"))
            try:
                status = self._route(method, path, q, body or {})
            finally:
                self._mute = False
        if fault and fault.get("after_effect"):
            # the effect happened; the client never hears about it: not one
            # byte of the answer was written (libcurl, on a reused
            # connection, then re-sends the request by itself)
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return 0
        return status

    def _route(self, method, path, q, body):
        m = re.fullmatch(r"/listings/(\d+)(?:-[\w-]*)?", path)
        if path == "/my/account" and method == "GET":
            return self._send(200, {"shop": {"name": self.state.config["shop_name"], "slug": "fake-shop"},
                                    "first_name": "Fake", "email": "shop@example.com",
                                    "currency": "AUD", "shop_id": 42,
                                    "_links": {"self": {"href": self.base() + "/api/my/account"}}})
        if path == "/shop" and method == "GET":
            # anchors §9.12: the shop with its shipping_profiles [{name, id}] (C,
            # tommytoolman); the other keys are a guess, the module reads none
            return self._send(200, {"id": 42, "name": self.state.config["shop_name"],
                                    "slug": "fake-shop", "currency": "AUD",
                                    "shipping_profiles": [dict(p) for p in self.state.shipping_profiles],
                                    "_links": {"self": {"href": self.base() + "/api/shop"}}})
        if path == "/listings" and method == "POST":
            return self._create_listing(body)
        if m and method == "PUT":
            return self._update_listing(m.group(1), body)
        if m and method == "GET":
            l = self.state.listings.get(m.group(1))
            return self._send(200, self._listing_out(l)) if l else self._send(404, {"message": "Not found"})
        if m and method == "DELETE":
            l = self.state.listings.get(m.group(1))
            if not l:
                return self._send(404, {"message": "Not found"})
            if l["state"] != "draft":      # 406: a constraint is violated (anchors §9.11)
                return self._send(406, {"message": "Only drafts can be deleted"})
            del self.state.listings[m.group(1)]
            return self._send(200, {"message": "Listing deleted"})
        m = re.fullmatch(r"/my/listings/(\d+)/state/end", path)
        if m and method == "PUT":
            l = self.state.listings.get(m.group(1))
            if not l:
                return self._send(404, {"message": "Not found"})
            if body.get("reason") not in ("not_sold", "reverb_sale"):
                return self._send(412, {"message": "Invalid reason", "errors": {"reason": ["is invalid"]}})
            l["state"] = "ended"
            l["updated_at"] = now_iso()
            return self._send(200, {"listing": self._listing_out(l)})
        if path == "/my/listings" and method == "GET":
            state = q.get("state", "live")
            items = [l for l in self.state.listings.values()
                     if (state == "all" or l["state"] == state)
                     and ("sku" not in q or l.get("sku") == q["sku"])]
            items.sort(key=lambda l: -int(l["id"]))
            return self._paged("listings", [self._listing_out(l) for l in items], q, "/api/my/listings")
        if path == "/listing_conditions" and method == "GET":
            return self._send(200, {"conditions": [{"uuid": u, "display_name": n, "slug": s,
                                                    "description": "%s condition." % n}
                                                   for u, n, s in CONDITIONS]})
        if path == "/shipping/providers" and method == "GET":
            return self._send(200, {"shipping_providers": [{"name": n} for n in SHIPPING_PROVIDERS]})
        if path == "/categories/flat" and method == "GET":
            return self._send(200, {"categories": [category_out(c[0]) for c in CATEGORIES]})
        if path == "/my/orders/selling/all" and method == "GET":
            items = list(self.state.orders.values())
            if "updated_start_date" in q:
                start = parse_iso(q["updated_start_date"])
                if start is None:
                    return self._send(400, {"message": "updated_start_date is not a valid date"})
                items = [o for o in items if (parse_iso(o["updated_at"]) or 0) >= start]
            if "updated_end_date" in q:
                stop = parse_iso(q["updated_end_date"])
                if stop is None:
                    return self._send(400, {"message": "updated_end_date is not a valid date"})
                items = [o for o in items if (parse_iso(o["updated_at"]) or 0) <= stop]
            items.sort(key=lambda o: parse_iso(o["updated_at"]) or 0, reverse=True)
            return self._paged("orders", [self._order_out(o) for o in items], q,
                               "/api/my/orders/selling/all")
        m = re.fullmatch(r"/my/orders/selling/([\w-]+)", path)
        if m and method == "GET":
            o = self.state.orders.get(m.group(1))
            return self._send(200, self._order_out(o)) if o \
                else self._send(404, {"message": "Order not found"})
        m = re.fullmatch(r"/my/orders/selling/([\w-]+)/ship", path)
        if m and method == "POST":
            o = self.state.orders.get(m.group(1))
            if not o:
                return self._send(404, {"message": "Order not found"})
            if not body.get("provider") or not body.get("tracking_number"):
                return self._send(412, {"message": "Tracking is incomplete",
                                        "errors": {"tracking_number": ["can't be blank"]}})
            self.state.shipments.append({"order_number": m.group(1), **body})
            o["status"] = "shipped"
            o["updated_at"] = now_iso()
            return self._send(200, {"message": "Order marked shipped"})
        if path == "/webhooks/registrations" and method == "GET":
            return self._send(200, {"registrations": list(self.state.webhooks.values())})
        if path == "/webhooks/registrations" and method == "POST":
            if body.get("topic") not in TOPICS or not body.get("url"):
                return self._send(412, {"message": "Invalid webhook",
                                        "errors": {"topic": ["is not included in the list"]}})
            for w in self.state.webhooks.values():
                if w["url"] == body["url"] and w["topic"] == body["topic"]:
                    return self._send(422, {"message": "Webhook already registered"})
            wid = str(self.state.next_webhook)
            self.state.next_webhook += 1
            w = {"id": wid, "url": body["url"], "topic": body["topic"]}
            self.state.webhooks[wid] = w
            return self._send(201, w)
        m = re.fullmatch(r"/webhooks/registrations/(\d+)", path)
        if m and method == "DELETE":
            return self._send(200, {}) if self.state.webhooks.pop(m.group(1), None) \
                else self._send(404, {"message": "Not found"})
        return self._send(404, {"message": "Not found"})

    def _paged(self, key, items, q, path):
        try:
            per = max(1, min(int(self.state.config.get("per_page_max", 50)),
                             int(q.get("per_page", 24))))
            page = max(1, int(q.get("page", 1)))
        except ValueError:
            return self._send(400, {"message": "Bad paging"})
        total = len(items)
        pages = max(1, (total + per - 1) // per)
        out = {"total": total, "current_page": page, "total_pages": pages,
               key: items[(page - 1) * per: page * per], "_links": {}}
        def link(p):
            qq = dict(q, page=str(p), per_page=str(per))
            return {"href": self.base() + path + "?" + urllib.parse.urlencode(qq)}
        if page < pages:
            out["_links"]["next"] = link(page + 1)
        if page > 1:
            out["_links"]["prev"] = link(page - 1)
        return self._send(200, out)

    # ---- listings ---------------------------------------------------------
    def _validate(self, body, creating, current=None):
        errors = {}
        merged = dict(current or {})
        merged.update(body)
        if creating or "title" in body:
            if not str(merged.get("title") or "").strip():
                errors["title"] = ["can't be blank"]
        if creating or "price" in body:
            p = merged.get("price")
            ok = isinstance(p, dict) and isinstance(p.get("amount"), str)
            try:
                ok = ok and float(p["amount"]) > 0
            except ValueError:
                ok = False
            if not ok:
                errors["price"] = ["must be an amount string greater than 0"]
        if creating or "condition" in body:
            c = merged.get("condition")
            if not isinstance(c, dict) or c.get("uuid") not in {x[0] for x in CONDITIONS}:
                errors["condition"] = ["is not a valid condition"]
        if creating and not merged.get("make"):
            errors["make"] = ["can't be blank"]
        if body.get("year") not in (None, "") and not (isinstance(body["year"], str)
                                                     and len(body["year"]) == 4
                                                     and body["year"].isdigit()):
            errors["year"] = ["must be 4 digits"]       # anchors-reverb: 4 digits or empty
        if "categories" in body:
            for c in body["categories"] or []:
                if not isinstance(c, dict) or c.get("uuid") not in CATEGORY_IDS:
                    errors["categories"] = ["contains an unknown category"]
        if body.get("shipping_profile_id") is not None:
            if str(body["shipping_profile_id"]) not in {str(p.get("id")) for p in self.state.shipping_profiles}:
                errors["shipping_profile_id"] = ["is not one of your shipping profiles"]
        if "shipping" in body:
            s = body["shipping"]
            rates = s.get("rates") if isinstance(s, dict) else None
            ok = isinstance(s, dict) and (rates is None or isinstance(rates, list))
            for r in rates or []:
                m = r.get("rate") if isinstance(r, dict) else None
                ok = ok and isinstance(m, dict) and isinstance(m.get("amount"), str) \
                    and isinstance(m.get("currency"), str) and isinstance(r.get("region_code"), str)
            if not ok:
                errors["shipping"] = ["rates must be [{rate:{amount,currency}, region_code}]"]
        inv = merged.get("inventory", 1)
        cond = (merged.get("condition") or {}).get("uuid")
        if isinstance(inv, int) and inv > 1 and cond not in MULTI_QTY:
            errors["inventory"] = ["can only be more than 1 for Brand New, B-Stock and Mint items"]
        if errors:
            return self._send(412, {"message": "Your listing could not be saved.", "errors": errors})
        return None

    def _new_listing(self, body, publish):
        lid = str(self.state.next_id)
        self.state.next_id += 1
        l = {"id": lid, "state": "draft", "created_at": now_iso(), "photos": []}
        self._apply_listing(l, body)
        l["updated_at"] = now_iso()
        self.state.listings[lid] = l
        return l

    def _apply_listing(self, l, body):
        for k, v in body.items():
            if k in ("publish", "photo_upload_method", "state"):
                continue
            l[k] = v

    def _create_listing(self, body):
        bad = self._validate(body, True)
        if bad:
            return bad
        if body.get("publish") and int(body.get("inventory", 1) or 0) <= 0 and body.get("has_inventory"):
            return self._send(422, {"message": "A listing must have inventory to be published"})
        l = self._new_listing(body, body.get("publish"))
        if body.get("publish"):
            l["state"] = "live"
        return self._send(201, {"listing": self._listing_out(l), "message": "Listing created"})

    def _update_listing(self, lid, body):
        l = self.state.listings.get(lid)
        if not l:
            return self._send(404, {"message": "Not found"})
        bad = self._validate(body, False, l)
        if bad:
            return bad
        self._apply_listing(l, body)
        if body.get("publish"):
            if l.get("has_inventory") and int(l.get("inventory", 0) or 0) <= 0:
                return self._send(422, {"message": "A listing must have inventory to be published"})
            l["state"] = "live"
        l["updated_at"] = now_iso()
        return self._send(200, {"listing": self._listing_out(l), "message": "Listing updated"})

    def _listing_out(self, l):
        """A listing as Reverb v3 answers it (captured GET /api/listings/{id}, anchors §9.5)."""
        cond = (l.get("condition") or {}).get("uuid")
        names = {u: (n, sl) for u, n, sl in CONDITIONS}
        price = l.get("price") or {}
        out = {k: v for k, v in l.items() if k not in ("photos", "shipping_profile_id")}
        lid = int(l["id"])
        slug = "%s-%s" % (lid, slugify(str(l.get("title") or "listing"))[:60] or "listing")
        cur = price.get("currency", "AUD")
        out["id"] = lid                                  # an integer, as Reverb sends it
        out["condition"] = {"uuid": cond, "display_name": names.get(cond, (None, None))[0],
                            "slug": names.get(cond, (None, None))[1]}
        out["price"] = dict(money(price.get("amount", "0"), cur), tax_included=False)
        out["buyer_price"] = dict(out["price"])
        out["listing_currency"] = cur
        out["state"] = {"slug": l["state"], "description": l["state"].replace("_", " ").title()}
        out["draft"] = l["state"] == "draft"
        out["live"] = l["state"] == "live"
        for k, v in (("has_inventory", False), ("inventory", 1), ("description", ""),
                     ("offers_enabled", True), ("handmade", False), ("upc_does_not_apply", False),
                     ("finish", ""), ("year", ""), ("sold_as_is", False),
                     ("local_pickup_only", False), ("shop_name", self.state.config["shop_name"])):
            out.setdefault(k, v)
        out["categories"] = [category_out(c["uuid"]) for c in (l.get("categories") or [])
                             if isinstance(c, dict) and c.get("uuid") in CATEGORY_NAMES]
        out["categories"] = [{"uuid": c["uuid"], "full_name": c["full_name"]} for c in out["categories"]]
        if l.get("shipping_profile_id") is not None:
            names = {str(p.get("id")): p.get("name") for p in self.state.shipping_profiles}
            out["shipping_profile"] = {"name": names.get(str(l["shipping_profile_id"]),
                                                         "Profile %s" % l["shipping_profile_id"]),
                                       "id": str(l["shipping_profile_id"])}
        # photos only as image variants; the URLs sent are not given back
        out["photos"] = [{"_links": {v: {"href": "https://rvb-img.reverb.com/image/upload/%s/%d-%d.jpg"
                                         % (v, lid, i)}
                                     for v in ("large_crop", "small_crop", "full", "thumbnail")}}
                         for i, _ in enumerate(l.get("photos", []))]
        out["cloudinary_photos"] = [{"id": i + 1, "public_id": "%d-%d" % (lid, i), "format": "jpg"}
                                    for i, _ in enumerate(l.get("photos", []))]
        out.setdefault("published_at", l["created_at"] if l["state"] != "draft" else None)
        api = self.base() + "/api"
        out["_links"] = {"self": {"href": api + "/listings/" + slug},
                         "update": {"href": api + "/listings/" + slug, "method": "PUT"},
                         "edit": {"href": api + "/listings/" + slug + "/edit"},
                         "end": {"href": api + "/my/listings/%d/state/end" % lid, "method": "PUT"},
                         "web": {"href": "https://reverb.com/au/item/" + slug}}
        return out

    def _listing_view(self, l):
        """The control API's view: the API shape plus what tests assert on (the
        id as text, the photo URLs the module sent)."""
        out = self._listing_out(l)
        out["id"] = l["id"]
        out["photo_urls"] = list(l.get("photos", []))
        return out

    # ---- orders -------------------------------------------------------------
    def _seed_order(self, b):
        cur = b.get("currency", "AUD")
        qty = int(b.get("quantity", 1))
        unit = float(b.get("price", "100.00"))
        ship = float(b.get("shipping_amount", "15.00"))
        tax = float(b.get("tax_amount", "0"))
        num = str(b.get("order_number") or (len(self.state.orders) + 90000001))
        o = {"order_number": num, "order_bundle_id": str(b.get("order_bundle_id", num)),
             "product_id": str(b.get("product_id", "8%s" % num[-6:])), "sku": b.get("sku", ""),
             "title": b.get("title", "Item"), "quantity": qty, "status": b.get("status", "paid"),
             "amount_product": money(unit, cur), "amount_product_subtotal": money(unit * qty, cur),
             "shipping": money(ship, cur), "amount_tax": money(tax, cur),
             "total": money(unit * qty + ship + tax, cur),
             "buyer_first_name": b.get("buyer_first_name", "Alex"),
             "buyer_last_name": b.get("buyer_last_name", "Buyer"),
             "buyer_email": b.get("buyer_email", "alex@example.com"),
             "shipping_address": b.get("shipping_address", {
                 "name": "Alex Buyer", "street_address": "1 George St", "extended_address": "",
                 "locality": "Sydney", "region": "NSW", "postal_code": "2000",
                 "country_code": "AU", "phone": "0400 000 000"}),
             "created_at": now_iso(), "updated_at": now_iso(), "paid_at": now_iso()}
        for k, v in b.items():
            if k not in ("price", "shipping_amount", "tax_amount", "currency"):
                o.setdefault(k, v)
        self.state.orders[num] = o
        return self._order_out(o)

    def _order_out(self, o):
        """An order as Reverb v3 answers it (50 captured orders, anchors §9.8)."""
        out = dict(o)
        num = str(o["order_number"])
        api = self.base() + "/api"
        cur = (o.get("amount_product") or {}).get("currency", "AUD")
        out.setdefault("uuid", "fake-order-uuid-" + num)
        out.setdefault("order_type", "instant")
        out.setdefault("order_source", "reverb")
        out.setdefault("shipping_method", "shipped")
        out.setdefault("local_pickup", False)
        out.setdefault("shipment_status", "unknown")
        out.setdefault("buyer_id", 4242)
        out.setdefault("buyer_name", ("%s %s" % (o.get("buyer_first_name", ""),
                                                 o.get("buyer_last_name", ""))).strip())
        out.setdefault("tax_rate", 0.0)
        out.setdefault("tax_responsible_party", "seller")
        out.setdefault("shipping_taxed", False)
        out.setdefault("payment_method", "direct_checkout")
        out.setdefault("needs_feedback_for_buyer", False)
        out.setdefault("needs_feedback_for_seller", False)
        out.setdefault("order_notes", [])
        out.setdefault("photos", [])
        for k, pk in (("amount_product", "presentment_amount_product"),
                      ("amount_product_subtotal", "presentment_amount_product_subtotal"),
                      ("shipping", "presentment_shipping"), ("amount_tax", "presentment_tax"),
                      ("total", "presentment_total")):
            if isinstance(o.get(k), dict):       # the buyer's currency; the same here
                out.setdefault(pk, dict(o[k]))
        addr = o.get("shipping_address")
        if isinstance(addr, dict):
            a = dict(addr)
            a.setdefault("unformatted_phone", a.get("phone", ""))
            a.setdefault("display_location", ", ".join(x for x in (a.get("locality"), a.get("region"),
                                                                  a.get("country_code")) if x))
            a.setdefault("id", 777)
            a.setdefault("uuid", "addr-" + num)
            a.setdefault("primary", True)
            a.setdefault("complete_shipping_address", True)
            a.setdefault("_links", {"self": {"href": api + "/my/addresses/777"}})
            out["shipping_address"] = a
        status = o.get("status")
        if status in ("cancelled", "canceled"):
            # cancelled orders carried none of these (8 of 8 captured)
            for k in ("shipping_address", "amount_tax", "total", "paid_at", "payment_method",
                      "presentment_tax", "presentment_total"):
                out.pop(k, None)
        links = {"self": {"href": api + "/my/orders/selling/" + num},
                 "listing": {"href": api + "/listings/" + str(o.get("product_id", ""))},
                 "web": {"href": "https://reverb.com/au/my/selling/orders/" + num},
                 "web_listing": {"href": "https://reverb.com/au/item/" + str(o.get("product_id", ""))},
                 "mark_picked_up": {"href": api + "/my/orders/selling/%s/mark_picked_up" % num},
                 "payments": {"href": api + "/my/orders/selling/%s/payments" % num}}
        if status == "paid":       # only orders still to ship carried a ship link (7 of 50)
            links["ship"] = {"href": api + "/my/orders/selling/%s/ship" % num}
        out["_links"] = links
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--rate-limit", type=int, default=0)
    ap.add_argument("--token", action="append", default=None)
    args = ap.parse_args()
    Handler.state = State(args.token or ["test-token"])
    Handler.state.config["rate_limit"] = args.rate_limit
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        import os
        os.rename(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *a: (srv.shutdown(), sys.exit(0)))
    print("fake_reverb listening on http://%s:%d" % (args.host, port), flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    signal.pause() if hasattr(signal, "pause") else time.sleep(1e9)


if __name__ == "__main__":
    main()
