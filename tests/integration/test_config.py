"""Bad directive values fail `apache2 -t` with a message that names the directive."""
import pytest

from harness.apache import Apache

BAD = [
    ("ReverbTablePrefix", '"oc-;"'),
    ("ReverbTablePrefix", "a_very_long_prefix_that_is_longer_than_32_chars_"),
    ("ReverbRateLimit", "0"),
    ("ReverbRateLimit", "abc"),
    ("ReverbHttpTimeout", "0"),
    ("ReverbApiUrl", "ftp://x"),
    ("ReverbEngine", "maybe"),
    ("ReverbStoreId", "-1"),
    ("ReverbWorkerInterval", "5"),
    ("ReverbOpenCart", "5"),
    ("ReverbOpenCart", "4.0"),
]


@pytest.fixture(scope="module")
def server(db):
    a = Apache(db)
    yield a
    a.destroy()


def test_valid_config_is_syntax_ok(server):
    rc, out = server.configtest()
    assert rc == 0 and "Syntax OK" in out, out


@pytest.mark.parametrize("directive,value", BAD)
def test_bad_value_names_directive(server, directive, value):
    server.write_conf(extra="%s %s" % (directive, value))
    try:
        rc, out = server.configtest()
        assert rc != 0, out
        assert directive in out, out
    finally:
        server.write_conf(extra="")


@pytest.mark.parametrize("value", ["3", "4", "auto", "AUTO"])
def test_opencart_version_values(server, value):
    server.write_conf(extra="ReverbOpenCart %s" % value)
    try:
        rc, out = server.configtest()
        assert rc == 0 and "Syntax OK" in out, out
    finally:
        server.write_conf(extra="")
