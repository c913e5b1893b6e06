#!/usr/bin/env python3
"""The JSON Schemas of docs/schemas/ against the shipped files and against the loader.

  check_schemas.py SIMULATE SOURCE_DIR WORK_DIR

1. Every shipped scenario, model, sweep and material file is valid under its schema.
2. The schema and the loader agree on the keys (and on required keys and the horizon's type): for each kind of mapping in each shipped file
   (the scenario's root, each event kind, a distribution, a node, a production line, ...), a copy
   with one unknown key added there is refused by the schema *and* by `simulate validate`
   (exit 2, "unknown key"). A schema that left a mapping open, or put an object's keys at the
   wrong place, fails here.
Needs python3-yaml and python3-jsonschema (Debian). Prints one line per check; exits 1 on a
failure.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 as yaml-cpp and editors read it: 2025-04-04 is text, not a timestamp."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

UNKNOWN = "zz_not_a_key"


def mappings(node, path=""):
    """(shape, path list) of every mapping: shape collapses list indices and parameter names."""
    out = []

    def walk(n, trail, shape):
        if isinstance(n, dict):
            out.append((shape, list(trail)))
            for k, v in n.items():
                if shape.endswith("parameters"):
                    step = "*"
                else:
                    step = str(k)
                walk(v, trail + [k], shape + "." + step)
        elif isinstance(n, list):
            for i, v in enumerate(n):
                kind = v.get("kind", "") if isinstance(v, dict) else ""
                walk(v, trail + [i], shape + "[" + str(kind) + "]")

    walk(node, [], "")
    return out


def with_unknown(doc, trail):
    d = copy.deepcopy(doc)
    target = d
    for step in trail:
        target = target[step]
    target[UNKNOWN] = 1
    return d


def main():
    sim, src, work = sys.argv[1:4]
    schemas = {
        k: json.load(open(os.path.join(src, "docs", "schemas", k + ".schema.json")))
        for k in ("scenario", "model", "sweep", "material")
    }
    files = []
    for name in sorted(os.listdir(os.path.join(src, "scenarios"))):
        if name.endswith(".yaml"):
            files.append(("scenario", os.path.join("scenarios", name)))
    for name in sorted(os.listdir(os.path.join(src, "scenarios", "sweeps"))):
        if name.endswith(".yaml"):
            files.append(("sweep", os.path.join("scenarios", "sweeps", name)))
    for name in sorted(os.listdir(os.path.join(src, "models"))):
        if name.endswith(".yaml"):
            files.append(("model", os.path.join("models", name)))
    for name in sorted(os.listdir(os.path.join(src, "models", "materials"))):
        if name.endswith(".yaml"):
            files.append(("material", os.path.join("models", "materials", name)))
    for name in sorted(os.listdir(os.path.join(src, "models", "gallium"))):
        if name.endswith(".yaml"):
            files.append(("model", os.path.join("models", "gallium", name)))

    # A copy of the tree, so mutated files resolve model:, extends: and scenario: as shipped.
    tree = os.path.join(work, "schema_tree")
    shutil.rmtree(tree, ignore_errors=True)
    for d in ("scenarios", "models"):
        shutil.copytree(os.path.join(src, d), os.path.join(tree, d))

    failed = 0
    checked_shapes = 0

    def report(good, message):
        nonlocal failed
        print(("ok   " if good else "FAIL ") + message)
        if not good:
            failed += 1

    for kind, rel in files:
        doc = yaml.load(open(os.path.join(src, rel)), Loader=Yaml12Loader)
        validator = jsonschema.Draft7Validator(schemas[kind])
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        report(not errors, "%s is valid under %s.schema.json%s" % (
            rel, kind, "" if not errors else ": " + "; ".join(
                "/".join(map(str, e.path)) + ": " + e.message[:200] for e in errors[:3])))
        seen = set()
        for shape, trail in mappings(doc):
            # Mappings of names (parameters, calendars, a sweep's set:, a trend's growth: by product,
            # a material's region aliases) are open
            # by design.
            if shape in seen or re.search(r"\.(parameters|working_calendars|set|demand_trend\.growth|region_aliases)$", shape):
                continue
            seen.add(shape)
            checked_shapes += 1
            where = "/".join(map(str, trail)) or "(root)"
            bad = with_unknown(doc, trail)
            schema_refuses = not validator.is_valid(bad)
            mutated = os.path.join(tree, os.path.dirname(rel), "zz_" + os.path.basename(rel))
            with open(mutated, "w") as f:
                yaml.safe_dump(bad, f, sort_keys=False, allow_unicode=True)
            run = subprocess.run([sim, "validate", mutated], capture_output=True, text=True)
            os.remove(mutated)
            loader_refuses = run.returncode == 2 and ("unknown key '" + UNKNOWN) in run.stderr
            report(schema_refuses and loader_refuses,
                   "%s: an unknown key at %s is refused by the schema (%s) and the loader (%s)"
                   % (rel, where, schema_refuses, loader_refuses) +
                   ("" if loader_refuses else ": exit %d %s" % (run.returncode,
                                                               run.stderr.strip()[:300])))
    # Required keys and types, the other way round: a whole scenario without one of its required
    # keys, or with a full date as its horizon (a month), is refused by both.
    def both_refuse(kind, rel, doc, what):
        nonlocal checked_shapes
        checked_shapes += 1
        schema_refuses = not jsonschema.Draft7Validator(schemas[kind]).is_valid(doc)
        mutated = os.path.join(tree, os.path.dirname(rel), "zz_" + os.path.basename(rel))
        with open(mutated, "w") as f:
            yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True)
        run = subprocess.run([sim, "validate", mutated], capture_output=True, text=True)
        os.remove(mutated)
        report(schema_refuses and run.returncode == 2,
               "%s %s is refused by the schema (%s) and the loader (exit %d)"
               % (rel, what, schema_refuses, run.returncode))

    for kind, rel in files:
        doc = yaml.load(open(os.path.join(src, rel)), Loader=Yaml12Loader)
        if kind == "scenario" and "extends" not in doc:
            for key in ("model", "start", "horizon"):
                bad = copy.deepcopy(doc)
                del bad[key]
                both_refuse(kind, rel, bad, "without %s:" % key)
            bad = copy.deepcopy(doc)
            bad["horizon"] = str(bad["horizon"]) + "-28"
            both_refuse(kind, rel, bad, "with a full date as horizon:")
        if kind == "sweep":
            for key in ("design", "outputs"):
                bad = copy.deepcopy(doc)
                del bad[key]
                both_refuse(kind, rel, bad, "without %s:" % key)
    print("%d mappings checked, %d failed" % (checked_shapes, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
