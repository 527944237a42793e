"""A private MariaDB for tests: own datadir, socket and port; never a system service."""
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile

import pymysql

from . import SHARED, OC_VERSION
from .util import free_port, wait_until

OPENCART_SQL = os.environ.get("OPENCART_SQL", os.path.join(
    SHARED, "opencart-4.0" if OC_VERSION == 4 else "opencart-3.0", "opencart.sql"))
DB_NAME = "opencart"
DB_USER, DB_PASS = "oc", "ocpass"

# The route key mod_reverb checks: 3.0 extension/module/reverb; 4.0
# extension/<folder>/module/reverb, the folder being the package's (reverb).
REVERB_ROUTE = "extension/reverb/module/reverb" if OC_VERSION == 4 else "extension/module/reverb"
# ... written the way PHP's json_encode does (escaped slashes).
REVERB_ROUTE_ESCAPED = REVERB_ROUTE.replace("/", "\\/")


def _perm(access, modify):
    def lst(routes):
        return "[" + ",".join('"%s"' % r for r in routes) + "]"
    return '{"access":%s,"modify":%s}' % (lst(access), lst(modify))


class MariaDB:
    """start() initialises a datadir once, then starts mariadbd on it; stop()/start() keep the data."""

    def __init__(self, root=None):
        self.root = root or tempfile.mkdtemp(prefix="rv-mariadb-")
        os.makedirs(self.root, exist_ok=True)
        os.chmod(self.root, 0o755)
        self.datadir = os.path.join(self.root, "data")
        self.rundir = os.path.join(self.root, "run")
        self.socket = os.path.join(self.rundir, "mysqld.sock")
        self.pidfile = os.path.join(self.rundir, "mysqld.pid")
        self.port = free_port()
        self.proc = None

    # -- lifecycle ---------------------------------------------------------
    def start(self):
        os.makedirs(self.rundir, exist_ok=True)
        os.makedirs(os.path.join(self.root, "tmp"), exist_ok=True)
        os.chmod(self.rundir, 0o777)   # Apache's children (www-data) reach the socket
        fresh = not os.path.isdir(os.path.join(self.datadir, "mysql"))
        if fresh:
            subprocess.run(["mariadb-install-db", "--no-defaults", "--user=root",
                            "--datadir=" + self.datadir, "--auth-root-authentication-method=normal",
                            "--skip-test-db"], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        log = open(os.path.join(self.root, "mysqld.out"), "ab")
        self.proc = subprocess.Popen(
            ["/usr/sbin/mariadbd", "--no-defaults", "--user=root", "--datadir=" + self.datadir,
             "--socket=" + self.socket, "--pid-file=" + self.pidfile, "--port=%d" % self.port,
             "--bind-address=127.0.0.1", "--tmpdir=" + os.path.join(self.root, "tmp"),
             "--log-error=" + os.path.join(self.root, "mysqld.err"), "--skip-name-resolve",
             "--innodb-buffer-pool-size=64M", "--max-connections=500"],
            stdout=log, stderr=log, start_new_session=True)
        wait_until(lambda: subprocess.run(
            ["mariadb-admin", "--no-defaults", "--socket=" + self.socket, "-uroot", "ping"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0,
            timeout=30, what="mariadbd to answer")
        if fresh:
            self._load_opencart()
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def destroy(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- setup -------------------------------------------------------------
    def root_sql(self, sql, db=None):
        args = ["mariadb", "--no-defaults", "--socket=" + self.socket, "-uroot"]
        if db:
            args.append(db)
        subprocess.run(args, input=sql.encode("utf-8"), check=True)

    def _load_opencart(self):
        if not os.path.exists(OPENCART_SQL):
            raise RuntimeError("OpenCart schema not found at %s (set OPENCART_SQL)" % OPENCART_SQL)
        self.root_sql(
            "CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;\n"
            "CREATE USER '%s'@'localhost' IDENTIFIED BY '%s';\n"
            "CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY '%s';\n"
            "GRANT ALL PRIVILEGES ON %s.* TO '%s'@'localhost';\n"
            "GRANT ALL PRIVILEGES ON %s.* TO '%s'@'127.0.0.1';\n"
            % (DB_NAME, DB_USER, DB_PASS, DB_USER, DB_PASS, DB_NAME, DB_USER, DB_NAME, DB_USER))
        with open(OPENCART_SQL, "rb") as f:
            subprocess.run(["mariadb", "--no-defaults", "--socket=" + self.socket, "-uroot", DB_NAME],
                           stdin=f, check=True)
        self._add_admins()
        self.root_sql("CREATE DATABASE pristine_marker;")  # marks a loaded datadir

    def _add_admins(self):
        """Users for the auth matrix. Group 1 (seed Administrator) gets the Reverb route."""
        c = self.connect()
        with c.cursor() as cur:
            cur.execute("SELECT permission FROM oc_user_group WHERE user_group_id = 1")
            perm = json.loads(cur.fetchone()[0])
            for k in ("access", "modify"):
                perm[k].append(REVERB_ROUTE)
            # json.dumps escapes like PHP's json_encode does not; write PHP's form by hand
            php = json.dumps(perm, separators=(",", ":")).replace("/", "\\/")
            cur.execute("UPDATE oc_user_group SET permission = %s WHERE user_group_id = 1", (php,))
            cur.execute("INSERT INTO oc_user_group (user_group_id, name, permission) VALUES "
                        "(20, 'No Reverb', %s), (21, 'Reverb read-only', %s)",
                        (_perm(["catalog\\/product"], ["catalog\\/product"]),
                         _perm(["catalog\\/product", REVERB_ROUTE_ESCAPED], ["catalog\\/product"])))
            users = [(1, 1, "admin", 1), (2, 1, "disabled", 0), (3, 20, "noreverb", 1),
                     (4, 21, "readonly", 1)]
            salt = "" if OC_VERSION == 4 else " salt,"        # 4.0's oc_user has no salt
            for uid, gid, name, status in users:
                cur.execute(
                    "INSERT INTO oc_user (user_id, user_group_id, username, password,%s firstname,"
                    " lastname, email, image, code, ip, status, date_added)"
                    " VALUES (%%s, %%s, %%s, '',%s %%s, 'Test', %%s, '', '', '', %%s, NOW())"
                    % (salt, " ''," if salt else ""),
                    (uid, gid, name, name.title(), name + "@example.com", status))
            if OC_VERSION == 4:
                # what 4.0's Extensions > Modules > Install writes for the package
                cur.execute("INSERT INTO oc_extension (extension, type, code)"
                            " VALUES ('reverb', 'module', 'reverb')")
        c.commit()
        c.close()

    # -- access ------------------------------------------------------------
    def connect(self, autocommit=True):
        return pymysql.connect(unix_socket=self.socket, user="root", database=DB_NAME,
                               charset="utf8mb4", autocommit=autocommit)

    def query(self, sql, args=None):
        c = self.connect()
        try:
            with c.cursor() as cur:
                cur.execute(sql, args)
                return cur.fetchall()
        finally:
            c.close()

    def execute(self, sql, args=None):
        c = self.connect()
        try:
            with c.cursor() as cur:
                n = cur.execute(sql, args)
            return n
        finally:
            c.close()

    def value(self, sql, args=None):
        rows = self.query(sql, args)
        return rows[0][0] if rows else None

    def reverb_tables(self):
        return [r[0] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
            " AND table_name LIKE 'oc\\_reverb\\_%%' ORDER BY table_name", (DB_NAME,))]

    def checksum(self, tables=None):
        """A digest of every row of the given tables (default: oc_setting, all reverb tables,
        orders and products), to prove that a refused request wrote nothing."""
        tables = tables or (["oc_setting", "oc_order", "oc_order_product", "oc_order_history",
                             "oc_product"] + self.reverb_tables())
        h = hashlib.sha256()
        c = self.connect()
        with c.cursor() as cur:
            for t in tables:
                # the worker's heartbeat row changes every round by design
                where = " WHERE name <> 'worker'" if t.endswith("reverb_lock") else ""
                cur.execute("SELECT * FROM `%s`%s" % (t, where))
                for row in sorted(cur.fetchall(), key=repr):
                    h.update(repr(row).encode())
        c.close()
        return h.hexdigest()

    def session(self, user_id="1", data=None, expired=False, token=None):
        """An OpenCart admin session row; returns (cookie header, user_token)."""
        sid = secrets.token_hex(13)
        token = token or secrets.token_urlsafe(24).replace("-", "a").replace("_", "b")[:32]
        if data is None:
            data = json.dumps({"user_id": user_id, "user_token": token})
        expire = "UTC_TIMESTAMP() - INTERVAL 1 MINUTE" if expired else "UTC_TIMESTAMP() + INTERVAL 1 HOUR"
        self.execute("INSERT INTO oc_session (session_id, data, expire) VALUES (%s, %s, " + expire + ")",
                     (sid, data))
        return "OCSESSID=" + sid, token

    def set_setting(self, key, value, serialized=0, store_id=0):
        self.execute("DELETE FROM oc_setting WHERE store_id=%s AND code='module_reverb' AND `key`=%s",
                     (store_id, "module_reverb_" + key))
        self.execute("INSERT INTO oc_setting (store_id, code, `key`, value, serialized)"
                     " VALUES (%s, 'module_reverb', %s, %s, %s)",
                     (store_id, "module_reverb_" + key, value, serialized))

    def setting(self, key, store_id=0):
        return self.value("SELECT value FROM oc_setting WHERE store_id=%s AND `key`=%s",
                          (store_id, "module_reverb_" + key))
