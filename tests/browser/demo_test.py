#!/usr/bin/env python3
"""`make demo` as a person runs it (part of `make browser`): starts scripts/demo.py as
`make demo` does, in a directory of its own and without a terminal, takes the first
URL it prints, drives it with headless Chromium (demo.test.js: the one-click login,
the Products grid with the demo products, Settings, the Sync log, a product's Reverb
tab; screenshots in tests/browser/artifacts/demo-*.png), checks that the demo is still
running, then presses Ctrl-C (SIGINT) and checks that it stopped what it started."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
READY = "The demo runs until Ctrl-C"


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie child of the demo counts as gone
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def main():
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True)
    tmp = tempfile.mkdtemp(prefix="rv-demo-test-")
    os.chmod(tmp, 0o755)            # Apache runs as www-data
    demo_dir = os.path.join(tmp, "demo")
    env = dict(os.environ, REVERB_DEMO_DIR=demo_dir, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(["/usr/bin/python3", os.path.join(REPO, "scripts", "demo.py")], cwd=REPO, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    out, ready = [], threading.Event()

    def read():
        for line in proc.stdout:
            out.append(line)
            sys.stdout.write("  | " + line)
            if READY in line:
                ready.set()
        ready.set()
    threading.Thread(target=read, daemon=True).start()
    failed = []
    try:
        # not a timing assertion: a demo that never gets ready must not hang `make test`
        ready.wait(600)
        text = "".join(out)
        if READY not in text:
            raise SystemExit("demo_test: the demo did not get ready:\n" + text)
        urls = re.findall(r"https?://\S+", text)
        if not urls or not urls[0].endswith("/admin/index.php?route=common/login"):
            raise SystemExit("demo_test: the first URL the demo prints is not its admin login: %r" % urls[:1])
        with open(os.path.join(demo_dir, "pids.json")) as f:
            pids = json.load(f)
        r = subprocess.run(["node", os.path.join(HERE, "demo.test.js")], cwd=HERE,
                           env=dict(os.environ, DEMO_URL=urls[0], ARTIFACTS=os.path.join(HERE, "artifacts")))
        if r.returncode:
            failed.append("demo.test.js")
        if proc.poll() is not None:
            failed.append("the demo exited before Ctrl-C (%s)" % proc.returncode)
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(120)
        left = [name for name, pid in pids.items() if alive(pid)]
        if rc != 0 or "demo: stopped" not in "".join(out):
            failed.append("Ctrl-C: the demo exited with %s" % rc)
        if left:
            failed.append("Ctrl-C left running: %s" % ", ".join(left))
        if os.path.exists(os.path.join(demo_dir, "pids.json")):
            failed.append("Ctrl-C left pids.json behind")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failed:
        print("FAIL " + f)
    print("%d passed, %d failed (demo start and Ctrl-C)" % (1 - bool(failed), bool(failed)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
