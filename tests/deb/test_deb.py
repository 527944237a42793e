"""The Debian package: `make deb` builds it (lintian clean, see scripts/build-deb.sh),
its layout is Debian's for an Apache module, and Apache accepts the packaged files
in a copy of Debian's /etc/apache2 layout after `a2enmod reverb`."""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import zipfile

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PKG = "libapache2-mod-reverb"
SO = "/usr/lib/apache2/modules/mod_reverb.so"


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    assert r.returncode == 0, "%s failed:\n%s" % (" ".join(cmd), r.stdout)
    return r.stdout


def version():
    with open(os.path.join(REPO, "src", "rv_conf.h")) as f:
        return re.search(r'^#define RV_VERSION "([^"]+)"', f.read(), re.M).group(1)


@pytest.fixture(scope="module")
def deb():
    # make deb fails when dpkg-buildpackage fails or lintian reports an error or a warning
    run(["make", "-s", "--no-print-directory", "deb"], cwd=REPO)
    arch = run(["dpkg", "--print-architecture"]).strip()
    path = os.path.join(REPO, "dist", "%s_%s_%s.deb" % (PKG, version(), arch))
    assert os.path.isfile(path), os.listdir(os.path.join(REPO, "dist"))
    root = tempfile.mkdtemp(prefix="reverb-deb-")
    run(["dpkg-deb", "-x", path, os.path.join(root, "pkg")])
    yield path, root
    shutil.rmtree(root, ignore_errors=True)


def field(path, name):
    return run(["dpkg-deb", "-f", path, name]).strip()


def test_control_fields_and_depends(deb):
    path, _ = deb
    assert field(path, "Package") == PKG
    assert field(path, "Version") == version()
    assert field(path, "Section") == "httpd"
    depends = [d.strip().split(" ")[0] for d in field(path, "Depends").split(",")]
    for need in ("libcurl4", "libjson-c5", "libaprutil1-dbd-mysql"):
        assert need in depends, depends
    # dh_apache2's dependency on the module API the .so was built against
    assert any(d.startswith("apache2-api-") for d in depends), depends


def test_layout(deb):
    path, root = deb
    pkg = os.path.join(root, "pkg")
    files = sorted(os.path.relpath(os.path.join(d, n), pkg)
                   for d, _, names in os.walk(pkg) for n in names)
    share = "usr/share/" + PKG
    zips = sorted(os.path.basename(z) for z in glob.glob(os.path.join(REPO, "dist", "*.ocmod.zip")))
    assert "reverb.ocmod.zip" in zips
    want = {SO.lstrip("/"), "etc/apache2/mods-available/reverb.load",
            "etc/apache2/mods-available/reverb.conf",
            share + "/sql/install.sql", share + "/sql/uninstall.sql",
            "usr/share/doc/%s/copyright" % PKG, "usr/share/doc/%s/changelog.gz" % PKG}
    want |= {share + "/ocmod/" + z for z in zips}
    assert want <= set(files), sorted(want - set(files))
    for name in ("install.sql", "uninstall.sql"):
        with open(os.path.join(pkg, share, "sql", name)) as a, open(os.path.join(REPO, "sql", name)) as b:
            assert a.read() == b.read(), name
    for z in zips:  # same members (dh_strip_nondeterminism sorts them and resets timestamps)
        with zipfile.ZipFile(os.path.join(pkg, share, "ocmod", z)) as a, \
                zipfile.ZipFile(os.path.join(REPO, "dist", z)) as b:
            assert sorted(a.namelist()) == sorted(b.namelist()), z
            assert all(a.read(n) == b.read(n) for n in a.namelist()), z
    with open(os.path.join(pkg, "etc/apache2/mods-available/reverb.load")) as f:
        load = f.read().splitlines()
    # a2enmod reads "# Depends:" (like authn_dbd.load); mod_watchdog is built into Debian's apache2
    assert load[0] == "# Depends: dbd"
    assert "LoadModule reverb_module " + SO in load
    ctrl = os.path.join(root, "ctrl")
    run(["dpkg-deb", "-e", path, ctrl])
    with open(os.path.join(ctrl, "conffiles")) as f:
        cf = f.read().split()
    assert {"/etc/apache2/mods-available/reverb.load", "/etc/apache2/mods-available/reverb.conf"} <= set(cf)
    # not enabled on install (it needs the shop's DBDParams first); never enabled behind the admin's back
    assert not os.path.exists(os.path.join(ctrl, "postinst")) or \
        "apache2_invoke enmod" not in open(os.path.join(ctrl, "postinst")).read()


def uncomment_examples(text):
    # conf/reverb.conf: "#Directive" lines are examples, "# text" lines are prose
    return re.sub(r"^(\s*)#(?=[A-Za-z<])", r"\1", text, flags=re.M)


def test_apache_accepts_the_packaged_files_in_debians_layout(deb):
    _, root = deb
    pkg = os.path.join(root, "pkg")
    conf = os.path.join(root, "apache2")
    os.makedirs(conf)
    for name in ("apache2.conf", "envvars", "ports.conf"):
        shutil.copy("/etc/apache2/" + name, conf)
    for d in ("mods", "conf", "sites"):
        shutil.copytree("/etc/apache2/%s-available" % d, os.path.join(conf, d + "-available"))
        os.makedirs(os.path.join(conf, d + "-enabled"))
    avail = os.path.join(conf, "mods-available")
    # the packaged files, as dpkg would place them; only the .so path points into the unpacked tree
    with open(os.path.join(pkg, "etc/apache2/mods-available/reverb.load")) as f:
        load = f.read()
    with open(os.path.join(avail, "reverb.load"), "w") as f:
        f.write(load.replace(SO, pkg + SO))
    shutil.copy(os.path.join(pkg, "etc/apache2/mods-available/reverb.conf"), avail)
    env = dict(os.environ, APACHE_CONFDIR=conf, APACHE_STATE_DIRECTORY=os.path.join(root, "state"),
               LANG="C")
    run(["a2enmod", "-q", "mpm_event", "authz_core"], env=env)
    run(["a2enmod", "-q", "reverb"], env=env)
    enabled = os.listdir(os.path.join(conf, "mods-enabled"))
    assert {"reverb.load", "reverb.conf", "dbd.load"} <= set(enabled), enabled  # dbd from "# Depends"
    out = run(["apache2ctl", "-t"], env=env)
    assert "Syntax OK" in out
    mods = run(["apache2ctl", "-t", "-D", "DUMP_MODULES"], env=env)
    assert "reverb_module (shared)" in mods and "dbd_module (shared)" in mods, mods
    # every example in the packaged reverb.conf is valid as it stands once uncommented
    with open(os.path.join(avail, "reverb.conf")) as f:
        text = f.read()
    examples = uncomment_examples(text)
    assert "ReverbRateLimit 100" in examples and "SetHandler reverb" in examples
    with open(os.path.join(avail, "reverb.conf"), "w") as f:
        f.write(examples)
    assert "Syntax OK" in run(["apache2ctl", "-t"], env=env)
