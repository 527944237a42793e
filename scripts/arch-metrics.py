#!/usr/bin/env python3
"""Architecture figures for docs/ARCHITECTURE.md: files, lines, functions over
60 lines, include cycles between engine files, route handlers outside
src/routes/, and whether docs/ARCHITECTURE.md names every source file (and
only files that exist). Reads the tree as text; `--check` fails (exit 1) on
any cycle, misplaced handler, or file the document and the tree disagree on."""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUNC_START = re.compile(r"^[A-Za-z_][\w \*]*\b(\w+)\s*\([^;]*$")


def sources():
    files = [os.path.join(ROOT, "mod_reverb.c")]
    for pat in ("src/*.c", "src/*/*.c", "src/*.h", "src/*/*.h"):
        files += sorted(p for p in glob.glob(os.path.join(ROOT, pat)) if "/gen/" not in p)
    return files


def rel(p):
    return os.path.relpath(p, ROOT)


def functions(path):
    """(name, length) for each function defined at column 0."""
    out, lines = [], open(path, errors="replace").read().splitlines()
    i = 0
    while i < len(lines):
        m = FUNC_START.match(lines[i])
        if m and not lines[i].startswith(("static const", "typedef", "#")):
            j = i
            while j < len(lines) and not lines[j].startswith("{") and ";" not in lines[j]:
                j += 1
            if j < len(lines) and lines[j].startswith("{"):
                k = j + 1
                while k < len(lines) and not lines[k].startswith("}"):
                    k += 1
                out.append((m.group(1), k - i + 1))
                i = k
        i += 1
    return out


def unit(path):
    """Files that make one unit: foo.c and foo.h are the same node."""
    return os.path.splitext(rel(path))[0]


def include_graph():
    graph = {}
    by_header = {}
    for p in sources():
        by_header.setdefault(os.path.basename(p).replace(".c", ".h"), unit(p))
    for p in sources():
        if "/core/" in p:
            continue                    # the core is its own layer, checked by its build
        u = unit(p)
        for inc in re.findall(r'^#include "([^"]+)"', open(p, errors="replace").read(), re.M):
            t = by_header.get(os.path.basename(inc))
            if t and t != u and "/core/" not in t:
                graph.setdefault(u, set()).add(t)
    return graph


def cycles(graph):
    found, seen = [], set()

    def dfs(n, stack):
        for t in sorted(graph.get(n, ())):
            if t in stack:
                cyc = stack[stack.index(t):]
                key = frozenset(cyc)
                if key not in seen:
                    seen.add(key)
                    found.append(cyc + [t])
            elif len(stack) < 12:
                dfs(t, stack + [t])
    for n in sorted(graph):
        dfs(n, [n])
    return found


def main():
    cfiles = [p for p in sources() if p.endswith(".c")]
    total = sum(len(open(p).read().splitlines()) for p in sources())
    longf = [(rel(p), n, ln) for p in cfiles for n, ln in functions(p) if ln > 60]
    cyc = cycles(include_graph())
    route_defs = []
    for p in cfiles:
        if "/routes/" in p or p.endswith("mod_reverb.c"):
            continue
        for name in re.findall(r"^int (rv_route_\w+)\(", open(p).read(), re.M):
            route_defs.append((rel(p), name))
    doc = open(os.path.join(ROOT, "docs", "ARCHITECTURE.md")).read()
    named = set(re.findall(r"`(?:routes/|core/|src/)?([a-z_0-9]+\.c)`", doc))
    on_disk = {os.path.basename(p) for p in cfiles}
    undocumented = sorted(rel(p) for p in cfiles if os.path.basename(p) not in named)
    stale = sorted(named - on_disk)
    biggest = sorted(((len(open(p).read().splitlines()), rel(p)) for p in cfiles), reverse=True)[:5]
    print("files (.c + .h): %d (%d .c)" % (len(sources()), len(cfiles)))
    print("lines: %d" % total)
    print("largest .c: " + ", ".join("%s %d" % (f, n) for n, f in biggest))
    print("functions over 60 lines: %d" % len(longf))
    for f, n, ln in sorted(longf, key=lambda x: -x[2]):
        print("  %s %s() %d" % (f, n, ln))
    print("include cycles between engine files: %d" % len(cyc))
    for c in cyc[:20]:
        print("  " + " -> ".join(c))
    print("route handlers outside src/routes/: %d" % len(route_defs))
    for f, n in route_defs:
        print("  %s %s" % (f, n))
    print("source files not in docs/ARCHITECTURE.md: %d" % len(undocumented))
    for f in undocumented:
        print("  " + f)
    print("files docs/ARCHITECTURE.md names that do not exist: %d" % len(stale))
    for f in stale:
        print("  " + f)
    if "--check" in sys.argv and (cyc or route_defs or undocumented or stale):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
