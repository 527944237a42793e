"""Fixtures: one private MariaDB per session, Apache servers per module or test,
the fake Reverb. Everything is torn down even when a test fails."""
import atexit
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from harness.mariadb import MariaDB          # noqa: E402
from harness.apache import Apache, MODULE   # noqa: E402

_cleanup = []


def _teardown_all():
    while _cleanup:
        fn = _cleanup.pop()
        try:
            fn()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


atexit.register(_teardown_all)


def pytest_sessionstart(session):
    if not os.path.exists(MODULE):
        raise pytest.UsageError("mod_reverb is not built (%s): run `make build` first" % MODULE)


@pytest.fixture(scope="session")
def db():
    d = MariaDB().start()
    _cleanup.append(d.destroy)
    yield d
    d.destroy()


@pytest.fixture(scope="session")
def fake():
    from harness.fake import FakeReverb
    f = FakeReverb().start()
    _cleanup.append(f.stop)
    yield f
    f.stop()


def _apache(db, request, **kw):
    a = Apache(db, **kw)
    _cleanup.append(a.destroy)
    a.start()
    return a


@pytest.fixture(scope="module")
def apache(db):
    a = Apache(db)
    _cleanup.append(a.destroy)
    a.start()
    yield a
    a.stop()          # fails the module's last test on unexpected error-log lines
    a.destroy()


# Function scope: a module-scoped parametrised server outlives its test (pytest
# keeps the last parameter's instance until the module ends), and one still
# running when a later test stops MariaDB logs mod_dbd errors it was not told
# to expect.
@pytest.fixture(params=["prefork", "event"])
def apache_mpm(db, request):
    a = Apache(db, mpm=request.param)
    _cleanup.append(a.destroy)
    a.start()
    yield a
    a.stop()
    a.destroy()


@pytest.fixture(scope="module")
def server(db, fake):
    """Apache with the module talking to the fake Reverb; a fast worker."""
    a = Apache(db, api_url=fake.api_url, rate_limit=1000, interval=200)
    _cleanup.append(a.destroy)
    a.start()
    yield a
    a.stop()
    a.destroy()


class Admin:
    """A logged-in OpenCart admin: the session cookie and the user_token."""

    def __init__(self, db, user_id="1"):
        self.cookie, self.token = db.session(user_id=user_id)

    def path(self, path):
        sep = "&" if "?" in path else "?"
        return "%s%suser_token=%s" % (path, sep, self.token)

    def get(self, server, path, **kw):
        return server.get(self.path(path), cookie=self.cookie, **kw)

    def post(self, server, path, body=None, **kw):
        return server.post(self.path(path), body=body, cookie=self.cookie, **kw)


@pytest.fixture
def admin(db):
    return Admin(db)
