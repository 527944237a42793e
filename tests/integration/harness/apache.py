"""A private Apache httpd with mod_reverb, from a generated config on a free loopback port."""
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from . import REPO
from .util import free_port, wait_until, request

MODULE = os.environ.get("REVERB_MODULE", os.path.join(REPO, ".libs", "mod_reverb.so"))
PRELOAD = os.environ.get("REVERB_LD_PRELOAD", "")

# Lines that mean something went wrong, whatever the test did.
# Apache writes a module's lines as [module:level] ("[reverb:error]",
# "[dbd:error]"), the core's as [level]; both count.
BAD_LINE = re.compile(r"\[(?:[a-z_]+:)?(error|crit|alert|emerg)\]|AddressSanitizer|runtime error:|"
                      r"Segmentation fault|exit signal|LeakSanitizer")

# A statement that failed because the test took MariaDB away (RV0245 is logged
# at ERROR): tests that stop or kill the database expect these.
DB_AWAY_ERRORS = (r"RV0245: .*(Can't connect|Lost connection|server has gone away"
                  r"|Connection was killed)")

TEMPLATE = """
ServerRoot        "{root}"
DefaultRuntimeDir "{root}/run"
PidFile           "{root}/run/httpd.pid"
ErrorLog          "{root}/logs/error.log"
LogLevel          warn reverb:debug
Listen            127.0.0.1:{port}
ServerName        127.0.0.1
User  www-data
Group www-data
Timeout 60
GracefulShutdownTimeout 15
LoadModule mpm_{mpm}_module /usr/lib/apache2/modules/mod_mpm_{mpm}.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dbd_module /usr/lib/apache2/modules/mod_dbd.so
LoadModule reverb_module {module}
TypesConfig /etc/mime.types
{mpm_conf}
DBDriver   mysql
DBDParams  "sock={socket} user=oc pass=ocpass dbname=opencart{dbd_extra}"
DBDPersist On
DBDMin     1
DBDKeep    2
DBDMax     10
DBDExptime 60
ReverbEngine        {engine}
ReverbTablePrefix   oc_
ReverbStoreId       0
ReverbApiUrl        {api_url}
ReverbRateLimit     {rate_limit}
ReverbWorker        {worker}
ReverbHttpTimeout   {http_timeout}
ReverbWorkerInterval {interval}
ReverbFullScanInterval {full_scan}
DocumentRoot "{root}/htdocs"
<Directory "{root}/htdocs">
    Require all granted
</Directory>
<Location />
    Require all granted
</Location>
<Location /reverb>
    SetHandler reverb
</Location>
{extra}
"""

MPM_CONF = {
    "event": "StartServers 2\nServerLimit 4\nThreadsPerChild 25\nMaxRequestWorkers 100\n"
             "MinSpareThreads 25\nMaxSpareThreads 75",
    "prefork": "StartServers 3\nMinSpareServers 2\nMaxSpareServers 6\nMaxRequestWorkers 40",
}


class Apache:
    def __init__(self, db, api_url="http://127.0.0.1:9/api/", mpm="event", extra_conf="",
                 engine="On", worker="On", rate_limit=100, http_timeout=5, interval=300,
                 module=None, root=None, env=None, dbd_extra="", full_scan=0):
        self.db = db
        self.extra_env = dict(env or {})   # e.g. REVERB_TEST_FAULT (src/rv_fault.h)
        self.root = root or tempfile.mkdtemp(prefix="rv-httpd-")
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.mpm = mpm
        self.settings = dict(api_url=api_url, extra=extra_conf, engine=engine, worker=worker,
                             dbd_extra=dbd_extra,
                             rate_limit=rate_limit, http_timeout=http_timeout, interval=interval,
                             # 0: every cron cycle reads the whole catalogue, as every test
                             # written before the incremental check expects; the detection
                             # tests (test_detect.py) and the bench pass 3600
                             full_scan=full_scan)
        self.module = module or MODULE
        self.conf = os.path.join(self.root, "httpd.conf")
        self.allowed_errors = []
        for d in ("logs", "run", "htdocs", "asan"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        os.chmod(os.path.join(self.root, "asan"), 0o777)
        with open(os.path.join(self.root, "htdocs", "static.txt"), "w") as f:
            f.write("static file for benchmarks\n")
        self.write_conf()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def write_conf(self, **changes):
        self.settings.update(changes)
        if not os.path.exists(self.module):
            raise RuntimeError("module not built: %s (run make build first)" % self.module)
        with open(self.conf, "w") as f:
            f.write(TEMPLATE.format(root=self.root, port=self.port, mpm=self.mpm,
                                    mpm_conf=MPM_CONF[self.mpm], module=self.module,
                                    socket=self.db.socket, **self.settings))

    def _env(self):
        env = dict(os.environ)
        env.update(self.extra_env)
        if PRELOAD:
            env["LD_PRELOAD"] = PRELOAD
            env["ASAN_OPTIONS"] = ("detect_leaks=0:abort_on_error=0:log_path=%s/asan/asan"
                                   % self.root)
            env["UBSAN_OPTIONS"] = "print_stacktrace=1:log_path=%s/asan/ubsan" % self.root
        return env

    def _ctl(self, *args):
        return subprocess.run(["/usr/sbin/apache2", "-f", self.conf] + list(args),
                              env=self._env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)

    def configtest(self):
        r = self._ctl("-t")
        return r.returncode, r.stdout

    def start(self):
        for _ in range(5):
            r = self._ctl("-k", "start")
            # free_port() only found a port free a moment ago; `make test` runs three
            # suites at once, and another one's server or client may have taken it since
            if r.returncode == 0 or "Address already in use" not in r.stdout + self.error_log():
                break
            self.port = free_port()
            self.write_conf()
            open(os.path.join(self.root, "logs", "error.log"), "w").close()  # that refusal
        if r.returncode != 0:
            raise RuntimeError("apache2 did not start:\n" + r.stdout + self.error_log())
        wait_until(lambda: request("GET", self.url + "/static.txt", timeout=2).status == 200,
                   timeout=15, what="Apache to answer")
        # A route that needs the database makes the module apply its schema and
        # create its keys now, before the test measures anything.
        request("POST", self.url + "/reverb/webhook?key=-", body=b"{}", timeout=10)
        return self

    def pid(self):
        try:
            with open(os.path.join(self.root, "run", "httpd.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def stop(self, check=True):
        """Graceful stop (SIGWINCH, what `apachectl graceful-stop` sends), bounded by
        GracefulShutdownTimeout. Not SIGTERM: on a hard stop the event MPM's main
        thread closes the worker threads' sockets while a worker may be freeing its
        connection (close_worker_sockets in server/mpm/event/event.c, 2.4.62), and
        the child dies of a segmentation fault now and then (seen 1 stop in 52
        with no request in flight). That is Apache's race, not the module's, and
        the error-log guard would blame every test for it."""
        pid = self.pid()
        if pid:
            try:
                children = self.child_pids()
                os.kill(pid, signal.SIGWINCH)
                # the children stop at once; the parent would only notice a second
                # later (it sleeps between checks), so once they are gone it is told
                # to stop outright: with no child left that skips the sweep above
                wait_until(lambda: not any(_running(c) for c in children), timeout=20,
                           what="Apache's children to stop")
                os.kill(pid, signal.SIGTERM)
                wait_until(lambda: not _alive(pid), timeout=30, what="Apache to stop")
            except ProcessLookupError:
                pass
        if check:
            self.check_log()

    def graceful(self):
        pid = self.pid()
        os.kill(pid, signal.SIGUSR1)
        time.sleep(1.5)

    def child_pids(self):
        parent = self.pid()
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], stdout=subprocess.PIPE,
                             text=True).stdout
        return [int(x) for x in out.split()]

    def error_log(self):
        try:
            with open(os.path.join(self.root, "logs", "error.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def expect_errors(self, regex):
        """Declare error lines this test provokes on purpose (e.g. the database going away),
        by the module's message id where it is the module's ("RV0010") or by the other
        module's tag ("\\[dbd:error\\]")."""
        self.allowed_errors.append(re.compile(regex))

    def bad_lines(self):
        bad = []
        for line in self.error_log().splitlines():
            if BAD_LINE.search(line) and not any(a.search(line) for a in self.allowed_errors):
                bad.append(line)
        for path in glob.glob(os.path.join(self.root, "asan", "*")):
            with open(path, errors="replace") as f:
                bad.append("sanitizer report %s:\n%s" % (path, f.read()[:4000]))
        return bad

    def check_log(self):
        bad = self.bad_lines()
        if bad:
            shutil.copy(os.path.join(self.root, "logs", "error.log"),
                        os.path.join(tempfile.gettempdir(), "rv-failed-error.log"))
            raise AssertionError("unexpected lines in Apache's error log:\n" + "\n".join(bad[:40]))

    def destroy(self):
        self.stop(check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- requests ------------------------------------------------------------
    def get(self, path, **kw):
        return request("GET", self.url + path, **kw)

    def post(self, path, body=None, **kw):
        return request("POST", self.url + path, body=body if body is not None else b"", **kw)


def _running(pid):
    """Alive and not a zombie waiting for its parent."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
