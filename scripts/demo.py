#!/usr/bin/env python3
"""make demo: a private MariaDB, Apache with mod_reverb and the fake Reverb on
loopback, a small Australian music-shop catalogue, one full sync, a summary, and
the module's admin pages in an OpenCart 3 admin stand-in (scripts/demo_admin.py)
with a one-click demo login. It prints the admin's URL first and keeps running
until Ctrl-C (or `make demo-stop` from another terminal).

    scripts/demo.py          start (or restart) the demo, run a sync, serve the admin
    scripts/demo.py stop     stop everything the demo started
Everything lives under .demo/ in the checkout (REVERB_DEMO_DIR elsewhere: the test
uses its own); nothing is a system service.
"""
import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
os.environ["OPENCART_VERSION"] = "3"       # the demo shop is an OpenCart 3.0.5.1 one

from harness.apache import Apache        # noqa: E402
from harness.fake import FakeReverb      # noqa: E402
from harness.mariadb import MariaDB      # noqa: E402
from harness.util import request, wait_until  # noqa: E402
import demo_admin                        # noqa: E402

DEMO = os.environ.get("REVERB_DEMO_DIR") or os.path.join(REPO, ".demo")
PIDS = os.path.join(DEMO, "pids.json")
GUITARS = "dfd39027-d134-4353-b9e4-57dc6be791b9"
NEW, MINT, GOOD = ("7c3f45de-2ae0-4c81-8400-fdb6b1d74890", "ac5b9c1e-dc78-466d-b0b3-7cf712967a48",
                   "f7a3f48c-972a-44c6-b01a-0cd27488d3f6")


def stop():
    if not os.path.exists(PIDS):
        print("demo: nothing running")
        return
    with open(PIDS) as f:
        pids = json.load(f)
    for name, pid in pids.items():
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, signal.SIGTERM)
            print("demo: stopped %s (pid %d)" % (name, pid))
        except ProcessLookupError:
            pass
    time.sleep(2)
    try:
        os.remove(PIDS)
    except FileNotFoundError:
        pass


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "stop":
        return stop()
    stop() if os.path.exists(PIDS) else None
    os.makedirs(DEMO, exist_ok=True)
    print("demo: starting a private MariaDB, the fake Reverb and Apache with mod_reverb ...")
    import shutil
    shutil.rmtree(os.path.join(DEMO, "mysql"), ignore_errors=True)
    shutil.rmtree(os.path.join(DEMO, "httpd"), ignore_errors=True)
    db = fake = web = pages = None
    try:
        db = MariaDB(root=os.path.join(DEMO, "mysql"))
        db.start()
        fake = FakeReverb()
        fake.start()
        with open(os.path.join(REPO, "scripts", "demo_catalogue.sql")) as f:
            db.root_sql(f.read(), db="opencart")
        os.makedirs(os.path.join(DEMO, "httpd"), exist_ok=True)
        pages, pages_port = demo_admin.serve(db, fake.url)
        web = Apache(db, api_url=fake.api_url, root=os.path.join(DEMO, "httpd"), rate_limit=60,
                     interval=200, extra_conf=demo_admin.apache_conf(pages_port))
        web.start()
        with open(PIDS, "w") as f:
            json.dump({"demo": os.getpid(), "apache": web.pid(), "fake-reverb": fake.proc.pid,
                       "mariadb": db.proc.pid}, f)
        print("demo: the admin: %s/admin/index.php?route=common/login (it works once the sync below has run)" % web.url,
              flush=True)
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))    # make demo-stop
        signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even if started with it ignored
        summary(db, fake, web)
        missing = demo_admin.missing_assets()
        if missing:
            print("demo: the admin pages look plain without %s (make deps installs them)" % ", ".join(missing))
        print("The demo runs until Ctrl-C (or `make demo-stop` from another terminal).", flush=True)
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        print("\ndemo: stopping ...", flush=True)
        if pages:
            pages.shutdown()
        for what in (web and (lambda: web.stop(check=False)), fake and fake.stop, db and db.stop):
            # (each object exists from before its start(): a start that failed half-way is stopped too)
            try:
                if what:
                    what()
            except Exception as e:            # already gone (Ctrl-C reaches the fake too)
                print("demo: %s" % e)
        try:
            os.remove(PIDS)
        except FileNotFoundError:
            pass
        print("demo: stopped", flush=True)


def summary(db, fake, web):
    cookie, token = db.session()
    def admin(method, path, body=None):
        sep = "&" if "?" in path else "?"
        r = request(method, web.url + "/reverb/admin/" + path + sep + "user_token=" + token,
                    body=body if method == "POST" else None, cookie=cookie)
        if r.status >= 300:
            raise SystemExit("demo: %s %s failed: %s" % (method, path, r.body.decode()))
        return r.json

    print("demo: configuring the module as a store owner would (admin routes) ...")
    admin("POST", "settings", {"token": "test-token", "status": 1, "sync_mode": "both_ways",
                               "categories": [100], "default_condition": NEW,
                               "store_url": web.url + "/", "use_special": 1})
    shop = admin("POST", "test-connection", {})
    admin("POST", "category-map", {"map": {"100": GUITARS}})
    conditions = {1001: NEW, 1002: MINT, 1003: NEW, 1004: GOOD, 1005: NEW}
    for pid, cond in conditions.items():
        admin("POST", "product/%d" % pid, {"sync_enabled": 1, "condition_uuid": cond})

    print("demo: running a full sync ...")
    try:
        admin("POST", "sync", {})
    except SystemExit as e:
        if "sync_running" not in str(e):
            raise
    def finished():
        run = admin("GET", "sync")["run"]
        return run if run and run["state"] == "finished" else None
    try:
        run = wait_until(finished, timeout=90, interval=0.5, what="the sync to finish")
    except TimeoutError:
        run = admin("GET", "sync")["run"]
    # a sale on Reverb: one DS-1 pedal, imported as an OpenCart order (both ways mode)
    fake.seed_order(order_number="70000001", sku="BOSS-DS1", title="Boss DS-1 Distortion Pedal",
                    quantity=1, price="79.00")
    imported = admin("POST", "orders/import", {})
    listings = fake.listings()
    log = admin("GET", "log?per_page=10")

    login = web.url + "/admin/index.php?route=common/login"
    print()
    print("=" * 72)
    print("The admin (OpenCart 3 look; one click logs you in):")
    print("  %s" % login)
    print("  Extensions > Modules > Reverb: Products, Settings, Category mapping, Sync, Sync log")
    print()
    print("mod_reverb demo: connected to the (fake) Reverb shop %r" % shop.get("shop_name"))
    print("sync run: %s" % json.dumps(run))
    print("listings on the fake Reverb:")
    for l in sorted(listings, key=lambda l: l["sku"]):
        print("  %-14s %-48.48s %9s %s  qty %-3s %s" % (
            l["sku"], l["title"], l["price"]["amount"], l["price"]["currency"],
            l.get("inventory"), l["state"]["slug"]))
    print("orders from Reverb: %d imported (Reverb order 70000001, one Boss DS-1: OpenCart's stock"
          " 12 -> 11)" % imported.get("imported", 0))
    print("latest sync log entries:")
    for e in log["entries"]:
        print("  %s %-5s %-7s %-8s %-14s %s" % (e["created_at"], e["direction"], e["status"],
                                                e["action"], e["sku"] or "", e["message"] or ""))
    print()
    print("Or try the routes by hand:")
    print("  admin status : curl -b '%s' '%s/reverb/admin/status?user_token=%s'" % (cookie, web.url, token))
    print("  sync log     : curl -b '%s' '%s/reverb/admin/log?user_token=%s'" % (cookie, web.url, token))
    print("  fake Reverb  : %s/_fake/state   (what Reverb now holds)" % fake.url)
    print("  cron         : curl '%s/reverb/cron?key=%s'" % (web.url, db.setting("cron_key")))
    print("  Apache log   : %s/httpd/logs/error.log" % DEMO)
    print("=" * 72, flush=True)


if __name__ == "__main__":
    main()
