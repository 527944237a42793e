"""The admin views as the browser tests and `make demo` render them
(harness/ocadmin.py): the package's own twigs, read when rendered, with what the
controller fills. No server needed."""
import html
import json
import re

import pytest

from harness import ocadmin


def data(rendered, attr):
    return html.unescape(re.search(r'%s="([^"]*)"' % attr, rendered).group(1))


@pytest.mark.parametrize("name,extra", [("reverb.twig", {}), ("reverb_product.twig", {"product_id": 7}),
                                        ("reverb_order.twig", {"order_id": 9})])
def test_every_oc3_view_renders_with_the_controllers_values(name, extra):
    out = ocadmin.twig3(name, "TOKEN123", strict=True, header="<header>", column_left="", footer="",
                        heading_title="Reverb", cancel="#back", breadcrumbs=[{"text": "Home", "href": "#h"}],
                        **extra)
    assert "{{" not in out and "{%" not in out
    box = ocadmin.app_container(out)
    assert data(box, "data-token") == "TOKEN123"
    assert data(box, "data-base") == "/reverb"
    # the strings are the language file's, as json_encode + htmlspecialchars hand them over
    assert json.loads(data(box, "data-strings")) == ocadmin.strings()
    assert "/reverb/admin/assets/reverb-admin.js?v=%s" % ocadmin.version() in out
    if name == "reverb.twig":
        assert '<li><a href="#h">Home</a></li>' in out and out.startswith("<header>")


def test_language_file_strings_unescape_as_php_does(tmp_path):
    lang = tmp_path / "l.php"
    lang.write_text("<?php\n$_['a'] = 'it\\'s';\n$_['b'] = 'back\\\\slash';\n")
    assert ocadmin.strings(str(lang)) == {"a": "it's", "b": "back\\slash"}


def test_small_twig():
    r = ocadmin.render_text
    assert r("{% for x in xs %}[{{ x.n }}]{% endfor %}", {"xs": [{"n": 1}, {"n": 2}]}) == "[1][2]"
    assert r("{% if a %}yes{% else %}no{% endif %}", {"a": ""}) == "no"
    assert r("{{ t|default('Reverb') }}", {}) == "Reverb"
    assert r("{{ missing }}", {}) == ""                     # as OpenCart's twig (strict_variables off)
    with pytest.raises(KeyError):
        r("{{ missing }}", {}, strict=True)
    with pytest.raises(ValueError):
        r("{% include 'x.twig' %}", {})                      # never silently dropped
