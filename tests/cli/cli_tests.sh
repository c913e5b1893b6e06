#!/usr/bin/env bash
# Command-line tests: the real binary on good and bad inputs, exit codes and messages asserted.
# Usage: cli_tests.sh SIMULATE SOURCE_DIR
set -u
sim="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fixtures="$src/tests/regression/scenarios"
cp "$fixtures/small_model.yaml" "$work/"
passed=0
failed=0

# expect NAME EXPECTED_EXIT EXPECTED_TEXT -- COMMAND...
expect() {
    local name="$1" want_rc="$2" want_text="$3"
    shift 4
    local out rc
    out="$("$@" 2>&1 </dev/null)"
    rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        echo "FAIL $name: exit $rc, wanted $want_rc"
        echo "$out" | head -20 | sed 's/^/    /'
        failed=$((failed + 1))
        return
    fi
    if [ -n "$want_text" ] && ! grep -qF -- "$want_text" <<<"$out"; then
        echo "FAIL $name: output lacks: $want_text"
        echo "$out" | head -20 | sed 's/^/    /'
        failed=$((failed + 1))
        return
    fi
    echo "ok   $name"
    passed=$((passed + 1))
}

scenario() {  # scenario FILE EXTRA_YAML
    printf 'name: cli\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\ntrials: 20\nseed: 1\n%s' "$2" > "$work/$1"
}

expect "help" 0 "Usage:" -- "$sim" --help
expect "version" 0 "simulate (chokepoint)" -- "$sim" --version
expect "no arguments" 2 "Usage:" -- "$sim"
expect "unknown option" 2 "unrecognised option" -- "$sim" "$fixtures/small_baseline.yaml" --bogus
expect "bad trials" 2 "--trials must be at least 1" -- "$sim" "$fixtures/small_baseline.yaml" --trials 0
expect "missing file" 2 "nope.yaml: error: cannot open file" -- "$sim" "$work/nope.yaml"

scenario good.yaml ""
expect "good run" 0 "Results written to $work/out/" -- "$sim" "$work/good.yaml" --output "$work/out" --quiet
expect "output with a trailing slash" 0 "Results written to $work/out2/ (summary.csv" -- "$sim" "$work/good.yaml" --output "$work/out2/" --quiet
for f in summary.csv buyers.csv run.json; do
    if [ -s "$work/out/$f" ]; then echo "ok   wrote $f"; passed=$((passed + 1)); else echo "FAIL missing $f"; failed=$((failed + 1)); fi
done
if head -1 "$work/out/summary.csv" | grep -qx 'metric,product,from,to,period,mean,sd,p05,p25,p50,p75,p95'; then
    echo "ok   summary header"; passed=$((passed + 1))
else
    echo "FAIL summary header"; failed=$((failed + 1))
fi
if grep -q '"partial": false' "$work/out/run.json" && grep -q '"sha256": "[0-9a-f]\{64\}"' "$work/out/run.json"; then
    echo "ok   run.json metadata"; passed=$((passed + 1))
else
    echo "FAIL run.json metadata"; failed=$((failed + 1))
fi
if ls -a "$work/out" | grep -q '\.tmp\.'; then
    echo "FAIL temporary files left behind"; failed=$((failed + 1))
else
    echo "ok   no temporary files left"; passed=$((passed + 1))
fi
expect "report table" 0 "magnet exports from Exportland" -- "$sim" "$work/good.yaml" --output "$work/out2"
expect "buyers by country" 0 "  Importland (magnet)" -- "$sim" "$work/good.yaml" --output "$work/out2"
expect "validate good" 0 "valid scenario 'cli'" -- "$sim" validate "$work/good.yaml"
expect "set override" 0 "valid scenario 'cli'" -- "$sim" validate "$work/good.yaml" --set trials=5
expect "set bad value" 2 "--set trials=x: error: trials: expected a whole number" -- "$sim" validate "$work/good.yaml" --set trials=x
expect "set malformed" 2 "--set needs path=value" -- "$sim" validate "$work/good.yaml" --set trials
expect "set unknown parameter" 2 "no parameter 'magnet_shar' in the scenario or its model (did you mean 'magnet_share'?)" -- "$sim" validate "$work/good.yaml" --set parameters.magnet_shar=0.5
expect "set parameter out of range" 2 "parameter 'magnet_share' ranges from 1.3 to 1.3" -- "$sim" validate "$work/good.yaml" --set parameters.magnet_share=1.3

printf 'name: bad\nmodel: [small_model.yaml\n' > "$work/malformed.yaml"
expect "malformed YAML" 2 "malformed.yaml:3:1: error: malformed YAML" -- "$sim" "$work/malformed.yaml"

scenario unknown_key.yaml "trails: 4
"
expect "unknown key" 2 "unknown_key.yaml:7:1: error: trails: unknown key 'trails' (did you mean 'trials'?)" -- "$sim" "$work/unknown_key.yaml"

scenario unknown_node.yaml "events:
  - id: cut
    kind: supply_disruption
    nodes: [mines]
    factor: 0.5
    start: 2025-02-01
"
expect "unknown node" 2 "unknown_node.yaml:10:13: error: events.cut.nodes[0]: unknown node 'mines' (did you mean 'mine'?)" -- "$sim" "$work/unknown_node.yaml"

scenario outside.yaml "events:
  - id: cut
    kind: supply_disruption
    nodes: [mine]
    factor: 0.5
    start: 2027-02-01
"
expect "date outside horizon" 2 "outside.yaml:12:12: error: events.cut.start: date outside the scenario's horizon 2025-01-01 to 2025-06-30: 2027-02-01" -- "$sim" "$work/outside.yaml"

sed 's/capacity: 3200/capacity: -3200/' "$fixtures/small_model.yaml" > "$work/negative_model.yaml"
printf 'name: neg\nmodel: negative_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\n' > "$work/negative.yaml"
expect "negative capacity" 2 "a capacity (t/month) must be >= 0, found -3200" -- "$sim" "$work/negative.yaml"
expect "nothing written on error" 2 "" -- "$sim" "$work/negative.yaml" --output "$work/never"
if [ -e "$work/never" ]; then echo "FAIL output written for invalid input"; failed=$((failed + 1)); else echo "ok   no output for invalid input"; passed=$((passed + 1)); fi

expect "graph dot" 0 "digraph" -- "$sim" graph "$fixtures/small_model.yaml" --format dot
expect "graph graphml" 0 "<graphml" -- "$sim" graph "$work/good.yaml" --format graphml
expect "graph bad format" 2 "--format must be dot or graphml" -- "$sim" graph "$work/good.yaml" --format png

# compare and calibrate on a tiny reported file (the model's own baseline figures).
cat > "$work/reported.csv" <<'CSV'
series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,mom_pct,source,source_date,url,note
magnet_exports_total,Exportland,World,magnet,2025-02,2025-02,1380,t,,,test,2025,,
magnet_exports_total,Exportland,World,magnet,2025-03,2025-03,1528,t,,,test,2025,,
magnet_exports_total,Exportland,World,magnet,2025-01,2025-03,4500,t,,,test,2025,,
price,Exportland,,magnet,2025-01,2025-01,50,USD/kg,,,test,2025,,
CSV
expect "compare" 0 "Results written to $work/cmp/" -- "$sim" compare "$work/good.yaml" --reported "$work/reported.csv" --output "$work/cmp"
for f in comparison.csv scores.json index.html; do
    if [ -s "$work/cmp/$f" ]; then echo "ok   compare wrote $f"; passed=$((passed + 1)); else echo "FAIL compare missing $f"; failed=$((failed + 1)); fi
done
expect "compare lists unmapped rows" 0 "1 reported row was not compared" -- "$sim" compare "$work/good.yaml" --reported "$work/reported.csv" --output "$work/cmp2"
expect "compare bad month" 2 "--from needs a month YYYY-MM" -- "$sim" compare "$work/good.yaml" --from 2025
printf 'series,region_from\nx,y\n' > "$work/bad_reported.csv"
expect "compare malformed reported" 2 "bad_reported.csv:1:1: error: expected the header" -- "$sim" compare "$work/good.yaml" --reported "$work/bad_reported.csv"
expect "calibrate needs --fit" 2 "calibrate needs --fit" -- "$sim" calibrate "$work/good.yaml"
expect "calibrate unknown parameter" 2 "no parameter 'magnet_shar'" -- "$sim" calibrate "$work/good.yaml" --fit magnet_shar --reported "$work/reported.csv"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
