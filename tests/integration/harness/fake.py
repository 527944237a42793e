"""Starts the fake Reverb API (tests/fake_reverb) and talks to its control API."""
import os
import subprocess
import tempfile

from . import REPO
from .util import request, wait_until

SCRIPT = os.path.join(REPO, "tests", "fake_reverb", "fake_reverb.py")


class FakeReverb:
    def __init__(self, token="test-token"):
        self.token = token
        self.proc = None
        self.port = None

    def start(self):
        d = tempfile.mkdtemp(prefix="rv-fake-")
        port_file = os.path.join(d, "port")
        self.proc = subprocess.Popen(["/usr/bin/python3", SCRIPT, "--port", "0", "--port-file",
                                      port_file, "--token", self.token],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "err"), "w"))
        wait_until(lambda: os.path.exists(port_file), timeout=10, what="fake Reverb to start")
        with open(port_file) as f:
            self.port = int(f.read())
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def api_url(self):
        return self.url + "/api/"

    def _ctl(self, method, path, body=None):
        r = request(method, self.url + "/_fake/" + path, body=body)
        assert r.status < 300, r
        return r.json

    def reset(self):
        return self._ctl("POST", "reset", {})

    def config(self, **kw):
        return self._ctl("POST", "config", kw)

    def faults(self, rules):
        return self._ctl("POST", "faults", {"rules": rules})

    def release(self):
        """Lets every request held by a "hold" fault go on."""
        return self._ctl("POST", "release", {})

    def requests(self):
        return self._ctl("GET", "requests")["requests"]

    def clear_requests(self):
        return self._ctl("DELETE", "requests")

    def stats(self):
        return self._ctl("GET", "stats")

    def state(self):
        return self._ctl("GET", "state")

    def listings(self):
        return self.state()["listings"]

    def seed_listing(self, **fields):
        return self._ctl("POST", "listings", fields)

    def edit_listing(self, listing_id, **fields):
        return self._ctl("POST", "listings/%s" % listing_id, fields)

    def set_shipping_profiles(self, profiles):
        """The seller's shipping profiles GET /shop answers ([] = none)."""
        return self._ctl("POST", "shop", {"shipping_profiles": profiles})

    def seed_order(self, **fields):
        return self._ctl("POST", "orders", fields)

    def edit_order(self, order_number, **fields):
        return self._ctl("POST", "orders/%s" % order_number, fields)

    def api(self, method, path, body=None, token=None):
        return request(method, self.api_url + path, body=body,
                       headers={"Authorization": "Bearer " + (token or self.token),
                                "Accept-Version": "3.0"})
