#!/usr/bin/env python3
"""Checks the engine's includes against the module table of docs/architecture.md.

Each row of the table names a module (a folder of engine/src and engine/include/chokepoint) and
the modules it "may use". A file of module M that includes a header of module N (by
"chokepoint/N/..." or "../N/...") is an edge M -> N; every edge must be M itself, core (the
foundation every module may use), or listed. Run by ctest (test `modules`); exit 1 lists each edge that is not in the table with a file that makes
it. Usage: tools/check_modules.py [ROOT]
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
doc = (root / "docs/architecture.md").read_text(encoding="utf-8")

# | module | owns | may use | third-party |
may_use = {}
for line in doc.splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) != 4 or cells[0] in ("module", "") or set(cells[0]) <= set("-"):
        continue
    module = cells[0]
    if not re.fullmatch(r"[a-z]+", module):
        continue
    uses = re.sub(r"\([^)]*\)", "", cells[2])  # "scenario (read-only)" is still scenario
    may_use[module] = {u.strip() for u in uses.split(",") if u.strip() and u.strip() != "std"}

if not may_use:
    sys.exit("modules: no module table found in docs/architecture.md")

include = re.compile(r'^\s*#\s*include\s+"(?:chokepoint/|\.\./)([a-z]+)/')
problems = {}
for base in (root / "engine/src", root / "engine/include/chokepoint"):
    for path in sorted(base.rglob("*")):
        if path.suffix not in (".cpp", ".hpp") or not path.is_file():
            continue
        module = path.relative_to(base).parts[0]
        if module not in may_use:
            problems.setdefault((module, "?"), str(path.relative_to(root)) + " (not in the table)")
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            m = include.match(line)
            if not m:
                continue
            other = m.group(1)
            if other not in (module, "core") and other not in may_use[module]:
                problems.setdefault((module, other), str(path.relative_to(root)))

if problems:
    print(f"modules: {len(problems)} edges are not in docs/architecture.md's module table:",
          file=sys.stderr)
    for (module, other), where in sorted(problems.items()):
        print(f"  {module} -> {other}: {where}", file=sys.stderr)
    sys.exit(1)
print(f"modules: every include of the {len(may_use)} modules is in the table")
