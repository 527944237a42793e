"""The module's admin views as OpenCart renders them: its twig templates with the
variables its controller fills (ControllerExtensionModuleReverb::common() on 3.0,
the 4.0 controller's on 4.0) and the strings of its language file.

Used by the browser tests' stand-in pages (tests/browser/run.py) and by
`make demo` (scripts/demo_admin.py). Both read the twig and the language file
each time they render, so they show what the package ships today, not a copy.
OpenCart renders twig with autoescape off; so does this (strings_json is
escaped by the controller, as htmlspecialchars(json_encode(...)) does).
"""
import html
import json
import os
import re

from . import REPO

LANG = os.path.join(REPO, "ocmod/upload/admin/language/en-gb/extension/module/reverb.php")
CONTROLLER3 = os.path.join(REPO, "ocmod/upload/admin/controller/extension/module/reverb.php")
TWIG3 = os.path.join(REPO, "ocmod/upload/admin/view/template/extension/module")
TWIG4 = os.path.join(REPO, "opencart4/admin/view/template/module")


def strings(lang=LANG):
    """The language file as the controller passes it to the twig: every $_['key'] = '...'."""
    text = open(lang, encoding="utf-8").read()
    return {k: re.sub(r"\\([\\'])", r"\1", v)
            for k, v in re.findall(r"\$_\['(\w+)'\]\s*=\s*'((?:[^'\\]|\\.)*)';", text)}


def version():
    """The controller's VERSION, which it puts on the asset URLs (?v=...)."""
    m = re.search(r"const VERSION = '([^']+)'", open(CONTROLLER3, encoding="utf-8").read())
    return m.group(1) if m else "0"


def common(token, base="/reverb", login_url="/login"):
    """What the controller's common() gives every Reverb view."""
    v = version()
    return {"reverb_base": base, "user_token": token, "login_url": login_url,
            "strings_json": html.escape(json.dumps(strings()), quote=True),
            "asset_js": base + "/admin/assets/reverb-admin.js?v=" + v,
            "asset_css": base + "/admin/assets/reverb-admin.css?v=" + v}


# ---------------------------------------------------------------- a small twig
# Enough of Twig for these templates: {{ name }}, {{ a.b }}, {{ x|default('y') }},
# {% for x in xs %}, {% if x %} / {% else %} / {% endif %}, {# comments #}. A tag it
# does not know is an error naming it, never silently dropped.

_TOKEN = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)


def _lookup(expr, scope, strict, missing):
    expr = expr.strip()
    default = None
    m = re.match(r"^(.*?)\|\s*default\(\s*'([^']*)'\s*\)$", expr)
    if m:
        expr, default = m.group(1).strip(), m.group(2)
    if re.match(r"^'[^']*'$", expr):
        return expr[1:-1]
    if not re.match(r"^\w+(\.\w+)*$", expr):
        raise ValueError("twig expression not understood here: {{ %s }}" % expr)
    parts = expr.split(".")
    value = scope
    for p in parts:
        if isinstance(value, dict) and p in value:
            value = value[p]
        else:
            value = None
            break
    if value is None or value == "":
        if default is not None:
            return default
        if value is None:
            if strict:
                raise KeyError("twig variable not filled: %s" % expr)
            missing.append(expr)
            return ""
    return value


def _parse(tokens, i, end):
    """A list of nodes up to one of the tags in `end`; returns (nodes, index, tag met)."""
    nodes = []
    while i < len(tokens):
        t = tokens[i]
        if t.startswith("{%"):
            tag = t[2:-2].strip()
            word = tag.split()[0] if tag else ""
            if word in end:
                return nodes, i, tag
            if word == "for":
                m = re.match(r"^for\s+(\w+)\s+in\s+([\w.]+)$", tag)
                if not m:
                    raise ValueError("twig tag not understood: {%% %s %%}" % tag)
                body, i, _ = _parse(tokens, i + 1, ("endfor",))
                nodes.append(("for", m.group(1), m.group(2), body))
            elif word == "if":
                yes, i, met = _parse(tokens, i + 1, ("else", "endif"))
                no = []
                if met == "else":
                    no, i, _ = _parse(tokens, i + 1, ("endif",))
                nodes.append(("if", tag[2:].strip(), yes, no))
            else:
                raise ValueError("twig tag not understood: {%% %s %%}" % tag)
        elif t.startswith("{{"):
            nodes.append(("var", t[2:-2]))
        elif not t.startswith("{#"):
            nodes.append(("text", t))
        i += 1
    if end:
        raise ValueError("twig: missing {%% %s %%}" % end[-1])
    return nodes, i, None


def _truthy(expr, scope):
    neg = expr.startswith("not ")
    v = _lookup(expr[4:] if neg else expr, scope, False, [])
    return (not v) if neg else bool(v)


def _run(nodes, scope, strict, missing, out):
    for n in nodes:
        if n[0] == "text":
            out.append(n[1])
        elif n[0] == "var":
            out.append(str(_lookup(n[1], scope, strict, missing)))
        elif n[0] == "for":
            for item in _lookup(n[2], scope, strict, missing) or []:
                _run(n[3], dict(scope, **{n[1]: item}), strict, missing, out)
        elif n[0] == "if":
            _run(n[2] if _truthy(n[1], scope) else n[3], scope, strict, missing, out)


def render_text(text, values, strict=False):
    """Render twig source. strict: a variable nobody filled is an error (the tests
    want to know); otherwise it renders empty, as OpenCart's twig does."""
    nodes, _, _ = _parse(_TOKEN.split(text), 0, ())
    out, missing = [], []
    _run(nodes, values, strict, missing, out)
    return "".join(out)


def twig(directory, name, strict=False, **values):
    """One of the package's twigs (read now) with its variables filled."""
    with open(os.path.join(directory, name), encoding="utf-8") as f:
        return render_text(f.read(), values, strict=strict)


def twig3(name, token, strict=False, **values):
    """An OpenCart 3 view of the module: ocmod/.../extension/module/<name>."""
    vals = common(token, base=values.pop("reverb_base", "/reverb"),
                  login_url=values.pop("login_url", "/login"))
    vals.update(values)
    return twig(TWIG3, name, strict=strict, **vals)


def app_container(rendered):
    """The <div class="reverb-admin" ...></div> element of a rendered view, the part
    reverb-admin.js fills (without the view's own <link>/<script>)."""
    m = re.search(r'<div\b[^>]*\bclass="reverb-admin"[^>]*>\s*</div>', rendered, re.S)
    if not m:
        raise ValueError("no reverb-admin container in the rendered view")
    return m.group(0)
