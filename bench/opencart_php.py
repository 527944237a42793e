"""OpenCart 3.0's own PHP, run by mod_php on the bench's prefork Apache, for a yardstick:
its lightest route (index.php?route=api/login with a wrong key: the framework's startup,
settings, session and one API-key lookup, then an empty JSON answer).

OpenCart's code is never part of this repository: it is exported at bench time from the
local git mirror (OPENCART_MIRROR, a tag 3.0.x, OPENCART_TAG) into the Apache's document
root, and a config.php is written that points it at the bench's MariaDB, which holds
OpenCart 3.0's real schema (../shared/opencart-3.0/opencart.sql, as in the tests).
setup() answers (url, None) or (None, why it cannot run)."""
import os
import shutil
import subprocess
import tarfile
import io

from harness.util import request

MIRROR = os.environ.get("OPENCART_MIRROR", "/work/.mirror/opencart+opencart/repo")
TAG = os.environ.get("OPENCART_TAG", "3.0.5.1")
PHP_MODULE = "/usr/lib/apache2/modules/libphp8.2.so"

# mod_php is not thread-safe: Debian runs it (and so OpenCart) under the prefork MPM
APACHE_CONF = """
LoadModule php_module %s
<FilesMatch "\\.php$">
    SetHandler application/x-httpd-php
</FilesMatch>
""" % PHP_MODULE

CONFIG = """<?php
// written by bench/opencart_php.py for one bench run
ini_set('mysqli.default_socket', '{socket}');
ini_set('display_errors', '0');
define('HTTP_SERVER', '{url}/');
define('HTTPS_SERVER', '{url}/');
define('DIR_APPLICATION', '{root}/catalog/');
define('DIR_SYSTEM', '{root}/system/');
define('DIR_IMAGE', '{root}/image/');
define('DIR_STORAGE', DIR_SYSTEM . 'storage/');
define('DIR_LANGUAGE', DIR_APPLICATION . 'language/');
define('DIR_TEMPLATE', DIR_APPLICATION . 'view/theme/');
define('DIR_CONFIG', DIR_SYSTEM . 'config/');
define('DIR_CACHE', DIR_STORAGE . 'cache/');
define('DIR_DOWNLOAD', DIR_STORAGE . 'download/');
define('DIR_LOGS', DIR_STORAGE . 'logs/');
define('DIR_MODIFICATION', DIR_STORAGE . 'modification/');
define('DIR_SESSION', DIR_STORAGE . 'session/');
define('DIR_UPLOAD', DIR_STORAGE . 'upload/');
define('DB_DRIVER', 'mysqli');
define('DB_HOSTNAME', 'localhost');
define('DB_USERNAME', 'oc');
define('DB_PASSWORD', 'ocpass');
define('DB_DATABASE', 'opencart');
define('DB_PORT', '3306');
define('DB_PREFIX', 'oc_');
"""


def available():
    """None when mod_php and the mirror are there, else why not."""
    if not os.path.exists(PHP_MODULE):
        return "mod_php is not installed (%s; scripts/deps.sh installs libapache2-mod-php)" % PHP_MODULE
    if not os.path.isdir(MIRROR):
        return "no OpenCart git mirror at %s (set OPENCART_MIRROR)" % MIRROR
    return None


def setup(web, db):
    why = available()
    if why:
        return None, why
    root = os.path.join(web.root, "htdocs", "shop")
    out = subprocess.run(["git", "--git-dir=" + MIRROR, "archive", TAG, "upload"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if out.returncode != 0:
        return None, "git archive %s failed: %s" % (TAG, out.stderr.decode(errors="replace")[:200])
    tmp = os.path.join(web.root, "oc-export")
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as t:
        t.extractall(tmp)
    shutil.move(os.path.join(tmp, "upload"), root)
    shutil.rmtree(tmp, ignore_errors=True)
    url = web.url + "/shop"
    with open(os.path.join(root, "config.php"), "w") as f:
        f.write(CONFIG.format(socket=db.socket, url=url, root=root))
    for d, _, _ in os.walk(os.path.join(root, "system", "storage")):
        os.chmod(d, 0o777)
    shutil.rmtree(os.path.join(root, "install"), ignore_errors=True)
    route = url + "/index.php?route=api/login"
    r = request("POST", route, body=b"key=wrong", timeout=30,
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    # a wrong key finds no API user: OpenCart answers an empty JSON list
    if r.status != 200 or (r.body or b"").strip() != b"[]":
        return None, "OpenCart %s did not answer api/login as expected: %s %r" % (
            TAG, r.status, (r.body or b"")[:200])
    return route, None
