#!/usr/bin/env python3
"""The module's Apache log messages and their stable ids (RVLOGNO).

  scripts/log-ids.py          write docs/LOG-MESSAGES.md
  scripts/log-ids.py --check  exit 1 when a call has no id, an id is used twice,
                              or docs/LOG-MESSAGES.md is not current
  scripts/log-ids.py --next   print the next free id
"""
import glob
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(REPO, "docs", "LOG-MESSAGES.md")
LEVELS = {"APLOG_EMERG": "emerg", "APLOG_ALERT": "alert", "APLOG_CRIT": "crit",
          "APLOG_ERR": "error", "APLOG_WARNING": "warn", "APLOG_NOTICE": "notice",
          "APLOG_INFO": "info", "APLOG_DEBUG": "debug"}


def sources():
    pats = ["mod_reverb.c", "src/*.c", "src/*/*.c"]
    return sorted(f for p in pats for f in glob.glob(os.path.join(REPO, p))
                  if "/core/" not in f and "/gen/" not in f)


def _call_args(text, start):
    """The text between the call's parentheses, strings and nesting respected."""
    depth, i, in_str = 1, start, False
    while i < len(text) and depth:
        c = text[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return text[start:i - 1]


def calls():
    """(id or None, level, file, line, message) for every ap_log_* call."""
    out = []
    for path in sources():
        text = open(path).read()
        for m in re.finditer(r"\bap_log_(?:r|c)?error\(", text):
            args = _call_args(text, m.end())
            line = text.count("\n", 0, m.start()) + 1
            level_arg = args.split(",", 2)[1] if args.count(",") >= 2 else ""
            level = "/".join(LEVELS[l] for l in re.findall(r"APLOG_[A-Z]+", level_arg)
                             if l in LEVELS) or "?"
            idm = re.search(r"RVLOGNO\((\d{4})\)\s*((?:\"(?:[^\"\\\\]|\\\\.)*\"\s*)+)", args)
            msg = "".join(re.findall(r'"((?:[^"\\\\]|\\\\.)*)"', idm.group(2))) if idm else args
            out.append((idm.group(1) if idm else None, level, os.path.relpath(path, REPO), line,
                        msg))
    return out


def render(rows):
    lines = ["# mod_reverb's messages in Apache's error log", "",
             "Every line the module writes starts with a stable id (`RVnnnn:`), after Apache's",
             "own `[reverb:level]` tag. Made by `scripts/log-ids.py`; a test checks that it is",
             "current. Levels: `error` needs a person (a statement failed, the schema cannot be",
             "applied); `warn` is a problem the module works around (it retries); `notice` and",
             "`info` report normal events; `debug` is every answer's detail.", "",
             "| id | level | where | message |", "|---|---|---|---|"]
    for i, level, f, line, msg in sorted(rows, key=lambda r: r[0] or ""):
        lines.append("| RV%s | %s | `%s` | %s |" % (i, level, f, msg.replace("|", "\\|")))
    return "\n".join(lines) + "\n"


def main():
    rows = calls()
    missing = [r for r in rows if not r[0]]
    ids = [r[0] for r in rows if r[0]]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if "--next" in sys.argv:
        print("%04d" % (max(map(int, ids)) + 1 if ids else 1))
        return 0
    bad = False
    for r in missing:
        print("no RVLOGNO: %s:%d %s" % (r[2], r[3], r[4]))
        bad = True
    for i in dup:
        print("id used twice: RV%s" % i)
        bad = True
    doc = render(rows)
    if "--check" in sys.argv:
        if not os.path.exists(DOC) or open(DOC).read() != doc:
            print("docs/LOG-MESSAGES.md is not current: run scripts/log-ids.py")
            bad = True
        return 1 if bad else 0
    with open(DOC, "w") as f:
        f.write(doc)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
