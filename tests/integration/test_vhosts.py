"""Many stores on one Apache: two virtual hosts, each with its own OpenCart database
(DBDParams in the virtual host), each migrated, each with its own worker, both syncing."""

import pymysql
import pytest

from harness.apache import Apache
from harness.mariadb import MariaDB, OPENCART_SQL
from harness.shop import ensure_category, add_product, configure, enable, reset, by_sku
from harness.util import free_port, request, wait_until
from conftest import Admin

DB2 = "opencart_shop2"


class OtherDB(MariaDB):
    """The same running MariaDB, another shop's database: the harness's helpers on it."""

    def __init__(self, db, name):
        self.__dict__.update(db.__dict__)
        self.name = name

    def connect(self, autocommit=True):
        return pymysql.connect(unix_socket=self.socket, user="root", database=self.name,
                               charset="utf8mb4", autocommit=autocommit)


class Port:
    """The second virtual host, reached on its own port."""

    def __init__(self, port):
        self.url = "http://127.0.0.1:%d" % port

    def get(self, path, **kw):
        return request("GET", self.url + path, **kw)

    def post(self, path, body=None, **kw):
        return request("POST", self.url + path, body=body, **kw)


@pytest.fixture(scope="module")
def shop2(db):
    db.root_sql("DROP DATABASE IF EXISTS %s; CREATE DATABASE %s CHARACTER SET utf8mb4"
                " COLLATE utf8mb4_general_ci; GRANT ALL PRIVILEGES ON %s.* TO 'oc'@'localhost';"
                % (DB2, DB2, DB2))
    with open(OPENCART_SQL, "rb") as f:
        db.root_sql(f.read().decode("utf-8"), db=DB2)
    other = OtherDB(db, DB2)
    # the same admin users and groups as the first shop
    for t in ("oc_user_group", "oc_user"):
        other.execute("DELETE FROM %s" % t)
        other.execute("INSERT INTO %s.%s SELECT * FROM opencart.%s" % (DB2, t, t))
    yield other
    db.root_sql("DROP DATABASE IF EXISTS %s" % DB2)


@pytest.fixture(scope="module")
def two_hosts(db, fake, shop2):
    port2 = free_port()
    extra = """
Listen 127.0.0.1:{port}
<VirtualHost 127.0.0.1:{port}>
    ServerName shop2.test
    DBDParams "sock={sock} user=oc pass=ocpass dbname={name}"
    <Location /reverb>
        SetHandler reverb
    </Location>
</VirtualHost>
""".format(port=port2, sock=db.socket, name=DB2)
    a = Apache(db, api_url=fake.api_url, rate_limit=1000, interval=200, extra_conf=extra)
    a.start()
    yield a, Port(port2)
    a.stop()
    a.destroy()


def admin_of(db, other):
    """An admin session valid in both shops (the same row copied into the second)."""
    adm = Admin(db)
    sid = adm.cookie.split("=", 1)[1]
    other.execute("DELETE FROM oc_session WHERE session_id = %s", (sid,))
    other.execute("INSERT INTO %s.oc_session SELECT * FROM opencart.oc_session WHERE session_id = %%s"
                  % DB2, (sid,))
    return adm


def test_each_virtual_host_is_migrated_and_has_its_own_worker(db, fake, shop2, two_hosts):
    main, host2 = two_hosts
    ensure_category(db)
    reset(db, fake)
    ensure_category(shop2)
    # the second shop's tables are created by the module (nothing was installed by hand)
    try:
        wait_until(lambda: shop2.value("SELECT COUNT(*) FROM information_schema.tables WHERE"
                                       " table_schema = %s AND table_name = 'oc_reverb_meta'", (DB2,)) == 1
                   and shop2.setting("webhook_key"), timeout=20, what="the second shop's schema")
    except Exception:
        open("/tmp/vhost-fail.log", "w").write(main.error_log())
        raise
    assert shop2.setting("webhook_key") != db.setting("webhook_key")
    adm = admin_of(db, shop2)
    configure(adm, main)
    configure(adm, host2)
    add_product(db, 5301, "Shop One Telecaster", "ONE-5301", "900.0000", 1)
    add_product(shop2, 5302, "Shop Two Jazzmaster", "TWO-5302", "1100.0000", 1)
    enable(adm, main, 5301)
    enable(adm, host2, 5302)
    # no cron, no admin "sync now": each shop's own worker pushes its own product
    wait_until(lambda: {"ONE-5301", "TWO-5302"} <= set(by_sku(fake.listings())),
               timeout=30, interval=0.2, what="both shops' listings")
    ls = by_sku(fake.listings())
    assert ls["ONE-5301"]["title"] == "Shop One Telecaster"
    assert ls["TWO-5302"]["title"] == "Shop Two Jazzmaster"
    wait_until(lambda: shop2.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                   " WHERE product_id = 5302"), timeout=10, what="shop 2's map row")
    assert db.value("SELECT COUNT(*) FROM oc_reverb_product_map WHERE product_id = 5302") == 0
    assert shop2.value("SELECT COUNT(*) FROM oc_reverb_product_map WHERE product_id = 5301") == 0
    # each shop's worker beats in its own database
    for d in (db, shop2):
        wait_until(lambda: d.value("SELECT holder FROM oc_reverb_lock WHERE name = 'worker'"),
                   timeout=10, what="a worker heartbeat")
    # the shops' keys are their own: shop 1's cron key is refused by shop 2
    assert host2.get("/reverb/cron?key=" + db.setting("cron_key")).status == 403
    assert host2.get("/reverb/cron?key=" + shop2.setting("cron_key")).status == 200
