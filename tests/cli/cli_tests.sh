#!/usr/bin/env bash
# Command-line tests: the real binary on good and bad inputs, exit codes and messages asserted.
# Usage: cli_tests.sh SIMULATE SOURCE_DIR
set -u
sim="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
src="$2"
work="$(mktemp -d)"
trap 'umount "$work/full" 2>/dev/null; rm -rf "$work"' EXIT
fixtures="$src/tests/regression/scenarios"
cp "$fixtures/small_model.yaml" "$fixtures/small_material.yaml" "$work/"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario() {  # scenario FILE EXTRA_YAML
    printf 'name: cli\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\ntrials: 20\nseed: 1\n%s' "$2" > "$work/$1"
}

expect "help" 0 "Usage:" -- "$sim" --help
expect "version" 0 "simulate (chokepoint)" -- "$sim" --version
expect "no arguments" 2 "Usage:" -- "$sim"
expect "unknown option" 2 "unrecognised option" -- "$sim" "$fixtures/small_baseline.yaml" --bogus
expect "a misspelt option gets a guess" 2 "unrecognised option '--trails' (did you mean '--trials'?)" -- "$sim" "$fixtures/small_baseline.yaml" --trails 5
expect "bad trials" 2 "--trials must be at least 1" -- "$sim" "$fixtures/small_baseline.yaml" --trials 0
expect "missing file" 2 "nope.yaml: error: cannot open file" -- "$sim" "$work/nope.yaml"

scenario good.yaml ""
expect "good run" 0 "Results written to $work/out/" -- "$sim" "$work/good.yaml" --output "$work/out" --quiet
expect "output with a trailing slash" 0 "Results written to $work/out2/ (summary.csv" -- "$sim" "$work/good.yaml" --output "$work/out2/" --quiet
for f in summary.csv buyers.csv run.json; do
    if [ -s "$work/out/$f" ]; then echo "ok   wrote $f"; passed=$((passed + 1)); else echo "FAIL missing $f"; failed=$((failed + 1)); fi
done
if head -1 "$work/out/summary.csv" | grep -qx 'metric,product,from,to,period,mean,sd,p05,p25,p50,p75,p95,unit,partner_total,trials,partial'; then
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
out="$("$sim" validate "$work/good.yaml" --set magnet_share=0.5 2>&1)"; rc=$?
if [ "$rc" -eq 2 ] && [ "$(grep -c ": error:" <<<"$out")" -eq 1 ] && grep -qF -- "--set magnet_share=0.5: error: magnet_share: 'magnet_share' is a parameter: set it as --set parameters.magnet_share=0.5" <<<"$out"; then ok "set a model's parameter without parameters.: one error, saying how"; else bad "set a model's parameter without parameters. (exit $rc): $out"; fi
out="$("$sim" validate "$work/good.yaml" --set magnet_share=0.5 --set trials=x 2>&1)"; rc=$?
if [ "$rc" -eq 2 ] && [ "$(grep -c ": error:" <<<"$out")" -eq 2 ] && grep -qF -- "--set trials=x: error: trials: expected a whole number" <<<"$out"; then ok "a parameter set without parameters. hides no other error"; else bad "set without parameters. and a bad trials (exit $rc): $out"; fi
scenario own_parameter.yaml "parameters:
  rate: {dist: uniform, min: 0.2, max: 0.9}
"
out="$("$sim" validate "$work/own_parameter.yaml" --set rate=0.5 2>&1)"; rc=$?
if [ "$rc" -eq 2 ] && [ "$(grep -c ": error:" <<<"$out")" -eq 1 ] && grep -q "'rate' is a parameter: set it as --set parameters.rate=0.5" <<<"$out"; then ok "set a scenario's parameter without parameters.: one error, saying how"; else bad "set a scenario's parameter without parameters. (exit $rc): $out"; fi
expect "set unknown parameter" 2 "no parameter 'magnet_shar' in the scenario or its model (did you mean 'magnet_share'?)" -- "$sim" validate "$work/good.yaml" --set parameters.magnet_shar=0.5
expect "set parameter out of range" 2 "parameter 'magnet_share' ranges from 1.3 to 1.3" -- "$sim" validate "$work/good.yaml" --set parameters.magnet_share=1.3

printf 'name: bad\nmodel: [small_model.yaml\n' > "$work/malformed.yaml"
expect "malformed YAML" 2 "malformed.yaml:3:1: error: malformed YAML" -- "$sim" "$work/malformed.yaml"

scenario unknown_key.yaml "trails: 4
"
expect "unknown key" 2 "unknown_key.yaml:7:1: error: trails: unknown key 'trails' (did you mean 'trials'?)" -- "$sim" "$work/unknown_key.yaml"

# A misspelt key its kind needs: one slip, one error (the unknown key, with the guess), not also
# "needs 'approval_rate:'"; a key that is really missing is named with the kind and its article.
scenario misspelt_key.yaml "events:
  - id: control
    kind: export_control
    exporter: Exportland
    products: [magnet]
    approval_delay: {dist: fixed, value: 10}
    aproval_rate: 0.5
    start: 2025-02-01
"
out="$("$sim" validate "$work/misspelt_key.yaml" 2>&1)"; rc=$?
if [ "$rc" -eq 2 ] && grep -q "misspelt_key.yaml:13:5: error: events.control.aproval_rate: unknown key 'aproval_rate' (did you mean 'approval_rate'?)" <<<"$out" && ! grep -q "needs 'approval_rate:'" <<<"$out"; then ok "a misspelt key it needs: one error, with the guess"; else bad "a misspelt key it needs (exit $rc): $out"; fi
scenario missing_key.yaml "events:
  - id: control
    kind: export_control
    exporter: Exportland
    products: [magnet]
    approval_delay: {dist: fixed, value: 10}
    start: 2025-02-01
"
expect "a key an export control needs" 2 "missing_key.yaml:8:5: error: events.control: an export_control event needs 'approval_rate:'" -- "$sim" validate "$work/missing_key.yaml"

scenario duplicate_event.yaml "events:
  - {id: cut, kind: supply_disruption, nodes: [mine], factor: 0.5, start: 2025-02-01}
  - {id: cut, kind: supply_disruption, nodes: [mine], factor: 0.7, start: 2025-03-01}
"
expect "a duplicate event id names the first" 2 "duplicate_event.yaml:9:5: error: events.cut.id: duplicate event id 'cut' (first at $work/duplicate_event.yaml:8:5)" -- "$sim" validate "$work/duplicate_event.yaml"
sed 's/^  - id: buyer_y$/  - id: buyer_x/' "$work/small_model.yaml" > "$work/dup_model.yaml"
sed 's#small_model.yaml#dup_model.yaml#' "$work/good.yaml" > "$work/dup_node.yaml"
expect "a duplicate node names the first" 2 "dup_model.yaml:31:5: error: nodes[3].id: duplicate node 'buyer_x' (first at $work/dup_model.yaml:26:5)" -- "$sim" validate "$work/dup_node.yaml"
scenario unknown_node.yaml "events:
  - id: cut
    kind: supply_disruption
    nodes: [mines]
    factor: 0.5
    start: 2025-02-01
"
expect "unknown node" 2 "unknown_node.yaml:10:13: error: events.cut.nodes[0]: unknown node 'mines' (did you mean 'mine'?)" -- "$sim" "$work/unknown_node.yaml"

scenario bad_cuts.yaml "events:
  - id: border
    kind: supply_disruption
    nodes: [mine]
    cuts: shipment
    factor: 0.5
    start: 2025-02-01
"
expect "disruption cuts a typo" 2 "bad_cuts.yaml:11:11: error: events.border.cuts: expected 'production' (the nodes make less) or 'shipments' (less leaves the nodes; what they make waits in their stock), found 'shipment' (did you mean 'shipments'?)" -- "$sim" validate "$work/bad_cuts.yaml"

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
expect "graph bad format" 2 "--format must be dot, graphml, svg or png" -- "$sim" graph "$work/good.yaml" --format jpeg
expect "graph png needs --output" 2 "--format png needs --output FILE.png" -- "$sim" graph "$work/good.yaml" --format png
expect "graph drawing as SVG" 0 "<svg" -- "$sim" graph "$fixtures/small_model.yaml" --format svg
expect "graph drawing as PNG" 0 "" -- "$sim" graph "$fixtures/small_model.yaml" --format png --output "$work/net.png"
if head -c 8 "$work/net.png" | od -An -c | grep -q 'P   N   G'; then ok "graph PNG is a PNG"; else bad "graph PNG is not a PNG"; fi
# A node name with DOT's special characters is escaped, not interpreted.
sed 's|  - id: refinery|  - id: refinery\n    name: "Re\\\\fin\\" ery\\\\"|' "$fixtures/small_model.yaml" > "$work/quoted_model.yaml"
expect "graph drawing escapes names" 0 "<svg" -- "$sim" graph "$work/quoted_model.yaml" --format svg

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
# A figure two files give is scored once, from the first read; the other is named, not dropped silently.
mkdir -p "$work/rep2"; cp "$work/reported.csv" "$work/rep2/a.csv"
printf 'series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,mom_pct,source,source_date,url,note\nmagnet_exports_total,Exportland,World,magnet,2025-02,2025-02,1400,t,,,mine,2025,,\n' > "$work/rep2/b.csv"
expect "compare names a repeated figure it did not score" 0 "b.csv:2: exports magnet Exportland->World 2025-02: 1400 t (conflicts), not scored; scored 1380 t from $work/rep2/a.csv:2" -- "$sim" compare "$work/good.yaml" --reported "$work/rep2" --output "$work/cmp_rep"
expect "compare bad month" 2 "--from needs a month YYYY-MM" -- "$sim" compare "$work/good.yaml" --from 2025
printf 'series,region_from\nx,y\n' > "$work/bad_reported.csv"
expect "compare malformed reported" 2 "bad_reported.csv:1:1: error: expected the header" -- "$sim" compare "$work/good.yaml" --reported "$work/bad_reported.csv"
expect "compare --threads 0 refused like run" 2 "--threads must be at least 1" -- "$sim" compare "$work/good.yaml" --reported "$work/reported.csv" --threads 0
expect "compare --seed -3 refused like run" 2 "--seed must be >= 0" -- "$sim" compare "$work/good.yaml" --reported "$work/reported.csv" --seed -3
expect "calibrate needs --fit" 2 "calibrate needs --fit" -- "$sim" calibrate "$work/good.yaml"
expect "calibrate unknown parameter" 2 "no parameter 'magnet_shar'" -- "$sim" calibrate "$work/good.yaml" --fit magnet_shar --reported "$work/reported.csv"
out="$("$sim" calibrate "$work/good.yaml" --fit magnet_shar --reported "$work/reported.csv" 2>&1)"
if grep -q "^calibrating" <<<"$out"; then bad "calibrate announced its work before refusing --fit: $out"; else ok "calibrate refuses --fit before announcing anything"; fi

# --- Hostile names never become code, and output stays under its root (issue 10, section 1).
marker="$work/pwned"
evil_dir="$work/evil"
mkdir -p "$evil_dir"
cp "$work/small_model.yaml" "$work/small_material.yaml" "$evil_dir/"
printf 'name: evilfile\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\ntrials: 8\nseed: 1\n' > "$evil_dir/x';touch pwned;'.yaml"
sed '/^name:/d' "$evil_dir/x';touch pwned;'.yaml" > "$evil_dir/y';touch pwned;'.yaml"
printf 'name: evil\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\ntrials: 8\nseed: 1\n' > "$evil_dir/evil.yaml"
expect "hostile file name refused as a name" 2 "the file name does not make a usable scenario name" -- "$sim" compare "$evil_dir/y';touch pwned;'.yaml" --reported "$work/reported.csv"
expect "hostile file name with a name" 0 "Results written to" -- "$sim" compare "$evil_dir/x';touch pwned;'.yaml" --reported "$work/reported.csv" --output "$work/cmp_evil1"
expect "hostile --output" 0 "Results written to" -- "$sim" compare "$evil_dir/evil.yaml" --reported "$work/reported.csv" --output "$work/o';touch $marker;'"
# A country name that would close gnuplot's quoted title and call system().
gp_payload="Exportland' . system(\"touch pwned\") . '"
model_text="$(cat "$work/small_model.yaml")"
yaml_payload="${gp_payload//\"/\\\"}"
printf '%s\n' "${model_text//country: Exportland/country: \"$yaml_payload\"}" > "$evil_dir/quote_model.yaml"
if grep -qF "system(" "$evil_dir/quote_model.yaml"; then echo "ok   gnuplot payload planted"; passed=$((passed + 1)); else echo "FAIL payload not planted"; failed=$((failed + 1)); fi
csv_text="$(cat "$work/reported.csv")"
csv_payload="${gp_payload//\"/\"\"}"
printf '%s\n' "${csv_text//Exportland/\"$csv_payload\"}" > "$evil_dir/quote_reported.csv"
printf 'name: quote\nmodel: quote_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\ntrials: 8\nseed: 1\n' > "$evil_dir/quote.yaml"
expect "compare with a quote in a country" 0 "Charts:" -- "$sim" compare "$evil_dir/quote.yaml" --reported "$evil_dir/quote_reported.csv" --output "$work/cmp_quote"
if [ -e "$marker" ] || [ -n "$(find "$work" -name pwned)" ]; then echo "FAIL a name from a file ran a command"; failed=$((failed + 1)); else echo "ok   no payload ran (file name, --output, gnuplot title)"; passed=$((passed + 1)); fi
printf 'name: ".."\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\n' > "$evil_dir/dots.yaml"
expect "name .. refused" 2 "dots.yaml:1:7: error: name: a name starts with a letter or digit" -- "$sim" "$evil_dir/dots.yaml"
cp "$evil_dir/evil.yaml" "$evil_dir/...yaml"
sed -i '/^name:/d' "$evil_dir/...yaml"
expect "file ...yaml refused" 2 "the file name does not make a usable scenario name" -- "$sim" "$evil_dir/...yaml"
printf 'name: "a\\u001b[31mred"\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\n' > "$evil_dir/esc.yaml"
expect "control characters in a name refused" 2 "name: text with a control character" -- "$sim" "$evil_dir/esc.yaml"
printf 'name: ok\ndescription: "caf\xe9"\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\n' > "$evil_dir/latin1.yaml"
expect "invalid UTF-8 refused up front" 2 "latin1.yaml:2:14: error: text that is not valid UTF-8" -- "$sim" "$evil_dir/latin1.yaml" --output "$work/never_utf8"
if [ -e "$work/never_utf8" ]; then echo "FAIL output written for invalid UTF-8"; failed=$((failed + 1)); else echo "ok   nothing written for invalid UTF-8"; passed=$((passed + 1)); fi
sed 's/country: Exportland/country: "Ex<script>x<\/script>\\"port"/' "$work/small_model.yaml" > "$evil_dir/html_model.yaml"
printf 'name: q\nmodel: html_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\ntrials: 8\nseed: 1\n' > "$evil_dir/q.yaml"
sed 's/Exportland/"Ex<script>x<\/script>""port"/' "$work/reported.csv" > "$evil_dir/html_reported.csv"
"$sim" compare "$evil_dir/q.yaml" --reported "$evil_dir/html_reported.csv" --output "$work/cmp_html" >/dev/null 2>&1 </dev/null
if [ -f "$work/cmp_html/index.html" ] && grep -qF 'Ex&lt;script&gt;x&lt;/script&gt;&quot;port' "$work/cmp_html/index.html" && ! grep -q '<script>' "$work/cmp_html/index.html"; then echo "ok   page escapes user text"; passed=$((passed + 1)); else echo "FAIL page carries raw user text"; failed=$((failed + 1)); fi

# --- Whole after a crash (issue 10, section 2): a result set appears at once or not at all.
printf 'name: crash\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-12\ntrials: 40000\nseed: 1\n' > "$work/crash.yaml"
"$sim" "$work/crash.yaml" --output "$work/crash_a" --quiet >/dev/null 2>&1
"$sim" "$work/crash.yaml" --seed 2 --output "$work/crash_b" --quiet >/dev/null 2>&1
mixed=0
exec 3>&2 2>/dev/null  # bash reports each killed job on stderr: not a failure here
for i in $(seq 1 20); do
    rm -rf "$work/crash_dir"
    cp -r "$work/crash_a" "$work/crash_dir"
    (exec timeout -s KILL "$(awk -v i="$i" 'BEGIN { print 0.07 * i }')" "$sim" "$work/crash.yaml" --seed 2 --output "$work/crash_dir" --quiet >/dev/null 2>&1 </dev/null) 2>/dev/null
    set_a=1; set_b=1
    for f in summary.csv buyers.csv; do
        cmp -s "$work/crash_dir/$f" "$work/crash_a/$f" || set_a=0
        cmp -s "$work/crash_dir/$f" "$work/crash_b/$f" || set_b=0
    done
    grep -q '"seed": 1,' "$work/crash_dir/run.json" || set_a=0
    grep -q '"seed": 2,' "$work/crash_dir/run.json" || set_b=0
    if [ "$set_a" -eq 0 ] && [ "$set_b" -eq 0 ]; then mixed=$((mixed + 1)); fi
    if ls -a "$work/crash_dir" | grep -q 'tmp'; then mixed=$((mixed + 1)); fi
done
exec 2>&3 3>&-
if [ "$mixed" -eq 0 ]; then echo "ok   20 kills while running and writing: always the old or the new set, whole"; passed=$((passed + 1)); else echo "FAIL $mixed of 20 kills left a mixed or temporary result"; failed=$((failed + 1)); fi
mkdir -p "$work/.crash_dir.new.999999999"  # left by a run killed while writing (no such process)
touch "$work/.crash_dir.new.999999999/.chokepoint-staging"  # with the marker every staging directory carries
"$sim" "$work/crash.yaml" --trials 10 --output "$work/crash_dir" --quiet >/dev/null 2>&1
if ls -a "$work" | grep -q '^\.crash_dir\.new\.'; then echo "FAIL stale staging directory left after the next run: $(ls -a "$work" | grep '^\.crash_dir' | tr '\n' ' ')"; failed=$((failed + 1)); else echo "ok   stale staging directories removed"; passed=$((passed + 1)); fi
# A killed run's staging directory whose process id now belongs to a live process (this shell's):
# only a live run's lock keeps a staging directory, not a reused id.
mkdir -p "$work/.crash_dir.new.$$"; touch "$work/.crash_dir.new.$$/.chokepoint-staging"
"$sim" "$work/crash.yaml" --trials 10 --output "$work/crash_dir" --quiet >/dev/null 2>&1
if [ -e "$work/.crash_dir.new.$$" ]; then bad "a dead run's staging directory kept because its process id was reused"; else ok "a dead run's staging directory removed though its process id was reused"; fi
rm -rf "$work/crash_dir" "$work/crash_dir.partial"; cp -r "$work/crash_a" "$work/crash_dir"
timeout -s INT 0.25 "$sim" "$work/crash.yaml" --trials 400000 --seed 2 --output "$work/crash_dir" --quiet >/dev/null 2>&1 </dev/null
if cmp -s "$work/crash_dir/summary.csv" "$work/crash_a/summary.csv" && grep -q '"partial": true' "$work/crash_dir.partial/run.json"; then
    echo "ok   an interrupted run keeps the complete result and writes the partial one beside it"; passed=$((passed + 1))
else
    echo "FAIL an interrupted run replaced a complete result"; failed=$((failed + 1))
fi
mkdir -p "$work/userdir"; touch "$work/userdir/notes.txt"
expect "a directory with the user's files is refused before running" 2 "holds 'notes.txt', which \`simulate run\` does not write" -- "$sim" "$work/crash.yaml" --output "$work/userdir"
mkdir -p "$work/gitdir/.git"
expect "a directory with a dot-file such as .git is refused" 2 "holds '.git'" -- "$sim" "$work/crash.yaml" --output "$work/gitdir"
mkdir -p "$work/sweepdir"; touch "$work/sweepdir/points.csv"
expect "another command's results are not replaced" 2 "holds 'points.csv', which \`simulate run\` does not write" -- "$sim" "$work/crash.yaml" --output "$work/sweepdir"
# A run killed between the two renames of the fallback leaves the old result at .NAME.old.PID:
# the next run puts it back before writing.
rm -rf "$work/restore"; mkdir -p "$work/.restore.old.999999998"; cp "$work/crash_a/run.json" "$work/.restore.old.999999998/"
touch "$work/.restore.old.999999998/.chokepoint-staging"  # the marker a run puts there before the rename
"$sim" "$work/crash.yaml" --trials 10 --output "$work/restore" --quiet >/dev/null 2>&1
if [ ! -e "$work/.restore.old.999999998" ] && [ -f "$work/restore/summary.csv" ]; then ok "a result left by a killed exchange is taken back (not left beside the new one)"; else bad "the old result of a killed exchange was lost or left"; fi
if [ -f "$work/userdir/notes.txt" ]; then echo "ok   the user's file is kept"; passed=$((passed + 1)); else echo "FAIL the user's file is gone"; failed=$((failed + 1)); fi

# --- Never replace what is not ours (issue 25, section 1).
# A directory with a staging name that this program did not make (no marker, not empty) stays.
mkdir -p "$work/.crash_dir.new.999999997"; echo precious > "$work/.crash_dir.new.999999997/keep.txt"
"$sim" "$work/crash.yaml" --trials 10 --output "$work/crash_dir" --quiet >/dev/null 2>&1
if [ -f "$work/.crash_dir.new.999999997/keep.txt" ]; then ok "a staging-named directory without our marker is kept"; else bad "a directory we did not make was deleted"; fi
rm -rf "$work/.crash_dir.new.999999997"
mkdir -p "$work/.cache.new.999999995" "$work/.photos.old.999999994"  # empty, and not ours either
"$sim" "$work/crash.yaml" --trials 10 --output "$work/crash_dir" --quiet >/dev/null 2>&1
if [ -d "$work/.cache.new.999999995" ] && [ -d "$work/.photos.old.999999994" ] && [ ! -e "$work/photos" ]; then ok "empty staging-named directories without our marker are left alone"; else bad "an empty directory we did not make was removed or renamed"; fi
rm -rf "$work/.cache.new.999999995" "$work/.photos.old.999999994"
# A killed run's marked staging directory goes with the next run in that parent, whatever its output.
mkdir -p "$work/.elsewhere.new.999999996"; touch "$work/.elsewhere.new.999999996/.chokepoint-staging" "$work/.elsewhere.new.999999996/summary.csv"
"$sim" "$work/crash.yaml" --trials 10 --output "$work/crash_dir" --quiet >/dev/null 2>&1
if [ ! -e "$work/.elsewhere.new.999999996" ]; then ok "a killed run's staging directory goes with a run to another output beside it"; else bad "a killed run's staging directory stays beside other outputs"; fi
if ls -a "$work/crash_dir" | grep -q chokepoint-staging; then bad "the staging marker is left in a result"; else ok "no staging marker in a result"; fi
# A symbolic link given as --output is written through: the results reach its target, it stays.
rm -rf "$work/linked_target"; mkdir -p "$work/linked_target"; ln -sfn linked_target "$work/linked_out"
expect "a linked output directory" 0 "Results written" -- "$sim" "$work/crash.yaml" --trials 10 --output "$work/linked_out" --quiet
if [ -L "$work/linked_out" ] && [ -f "$work/linked_target/summary.csv" ]; then ok "results reach the link's target and the link stays"; else bad "a linked output was replaced by a directory"; fi
# Outputs that cannot take results are refused before the first trial, naming the path typed.
mkdir -p "$work/cwd/sub"
expect "--output . is refused at once" 2 "error: . is the current directory or holds it" -- timeout 60 bash -c 'cd "$1/cwd/sub" && exec "$2" "$3" --trials 400000 --output .' _ "$work" "$sim" "$work/crash.yaml"
expect "--output .. is refused at once" 2 "error: .. is the current directory or holds it" -- timeout 60 bash -c 'cd "$1/cwd/sub" && exec "$2" "$3" --trials 400000 --output ..' _ "$work" "$sim" "$work/crash.yaml"
expect "an output whose parent cannot hold it is refused at once" 2 "cannot write results to /proc/nope:" -- timeout 60 "$sim" "$work/crash.yaml" --trials 400000 --output /proc/nope
# Files named by graph, schema and calibrate: through a link, never over a FIFO or a device.
mkfifo "$work/out.fifo"
expect "graph --output FIFO" 2 "--output $work/out.fifo is a FIFO: this program only replaces regular files" -- timeout 20 "$sim" graph "$work/crash.yaml" --output "$work/out.fifo"
expect "schema --output device" 2 "--output /dev/null is a character device" -- "$sim" schema scenario --output /dev/null
expect "calibrate --write FIFO" 2 "--write $work/out.fifo is a FIFO" -- timeout 20 "$sim" calibrate "$work/crash.yaml" --fit x --write "$work/out.fifo"
if [ -p "$work/out.fifo" ]; then ok "the FIFO is still a FIFO"; else bad "the FIFO was replaced"; fi
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    # A link another user planted in a shared sticky directory is not followed (as the kernel's
    # fs.protected_symlinks would not): root can make one for nobody.
    mkdir -p "$work/sticky"; chmod 1777 "$work/sticky"; echo precious > "$work/precious.txt"
    ln -sfn "$work/precious.txt" "$work/sticky/g.dot"; chown -h nobody "$work/sticky/g.dot"
    expect "graph --output a link planted in a sticky directory" 2 "is a link another user made in a shared directory" -- "$sim" graph "$work/crash.yaml" --output "$work/sticky/g.dot"
    if grep -qx precious "$work/precious.txt"; then ok "the planted link's target is untouched"; else bad "a planted link's target was overwritten"; fi
fi
expect "graph --output - writes to standard output" 0 "digraph" -- "$sim" graph "$work/crash.yaml" --output -
if [ ! -e "$work/-" ] && [ ! -e "./-" ]; then ok "no file named '-'"; else bad "graph --output - wrote a file named '-'"; fi
echo old > "$work/graph_target.dot"; ln -sfn graph_target.dot "$work/graph_link.dot"
expect "graph --output a link" 0 "" -- "$sim" graph "$work/crash.yaml" --output "$work/graph_link.dot"
if [ -L "$work/graph_link.dot" ] && grep -q digraph "$work/graph_target.dot"; then ok "graph writes through the link it was given"; else bad "graph replaced the link or missed its target"; fi
# Paths are bytes: an output path that is not UTF-8 gets its results and a valid run.json.
badname="$work/$(printf 'r\xff\xfe')"
expect "an output path that is not UTF-8" 0 "Results written" -- "$sim" "$work/crash.yaml" --trials 10 --output "$badname" --quiet
if python3 -c 'import json,sys; json.load(open(sys.argv[1], "rb"))' "$badname/run.json" 2>/dev/null; then ok "run.json of a non-UTF-8 path is valid JSON"; else bad "run.json of a non-UTF-8 path is missing or invalid"; fi

# --- Bounded and located, always (issue 10, section 3).
hostile="$work/hostile"
mkdir -p "$hostile"
cp "$work/small_model.yaml" "$work/small_material.yaml" "$hostile/"
base_yaml='name: h\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\ntrials: 4\n'
{
    printf 'name: bomb\nmodel: small_model.yaml\nstart: 2025-01-01\nhorizon: 2025-06\n'
    printf 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n'
    for i in 1 2 3 4 5 6 7 8 9; do printf 'l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n' $i $i $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)); done
} > "$hostile/bomb.yaml"
expect "YAML alias bomb refused with a budget" 2 "more than 250,000 values" -- "$sim" validate "$hostile/bomb.yaml"
# Bounded before it is big (issue 25, section 2): values are counted from the parser's events,
# CSV rows as they are read, so a refused 16 MiB file stops at its first value over the limit. The
# memory limit holds the refusal to far less than the gigabytes a tree of it takes (not under a
# sanitizer, whose shadow memory needs terabytes of address space).
python3 -c 'import sys; sys.stdout.write("name: flow\nevents: [" + "1," * 8000000 + "1]\n")' > "$hostile/flow.yaml"
python3 -c 'import sys; sys.stdout.write("name: keys\n" + "".join("k%d: 1\n" % i for i in range(1200000)))' > "$hostile/keys.yaml"
python3 -c 'import sys; sys.stdout.write("series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,mom_pct,source,source_date,url,note\n" + "a\n" * 30000000)' > "$hostile/rows.csv"
python3 -c 'import sys; sys.stdout.write("series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,mom_pct,source,source_date,url,note\n" + "," * 60000000 + "\n")' > "$hostile/fields.csv"
bounded() { if ldd "$sim" | grep -qE 'lib(asan|tsan)'; then "$@"; else (ulimit -v 600000; exec "$@"); fi; }
expect "a 16 MiB YAML flow sequence is refused at its 250,001st value" 2 "flow.yaml:2:500000: error: more than 250,000 values" -- bounded "$sim" validate "$hostile/flow.yaml"
expect "16 MiB of keys are refused at the 250,001st value" 2 "keys.yaml:125000:10: error: more than 250,000 values" -- bounded "$sim" validate "$hostile/keys.yaml"
expect "a CSV of 30 million short rows is refused at its 100,001st row" 2 "rows.csv:100001: error: more than 100,000 rows" -- bounded "$sim" compare "$work/good.yaml" --reported "$hostile/rows.csv"
expect "a CSV row of 60 million fields is refused" 2 "fields.csv:2: error: more than 100,000 rows, or a row of more than 64 fields" -- bounded "$sim" compare "$work/good.yaml" --reported "$hostile/fields.csv"
rm -f "$hostile/flow.yaml" "$hostile/keys.yaml" "$hostile/rows.csv" "$hostile/fields.csv"
expect "--set extends= is refused, not ignored" 2 "--set cannot change 'extends:'" -- "$sim" "$work/good.yaml" --set extends=/etc/passwd
# An infinity is written as one (the CSV convention in README.md), never as an empty cell.
scenario overflow.yaml "$(printf 'events:\n  - {id: surge, kind: demand_shock, products: [magnet], factor: 1e308, start: 2025-02-01, end: 2025-03-01}\n')"
expect "a run whose values overflow" 0 "" -- "$sim" "$work/overflow.yaml" --output "$work/overflow_out" --quiet
if grep -q '^exports,magnet,.*,2025-02,inf,' "$work/overflow_out/summary.csv" && ! grep -q '^exports,magnet,[^,]*,[^,]*,2025-02,,' "$work/overflow_out/summary.csv"; then ok "an overflowed mean is written inf"; else bad "an overflowed value is not written inf: $(grep -m1 '2025-02' "$work/overflow_out/summary.csv")"; fi
printf "$base_yaml" | sed 's#model: small_model.yaml#model: /dev/zero#' > "$hostile/devzero_model.yaml"
expect "model: /dev/zero" 2 "devzero_model.yaml:2:8: error: model: /dev/zero is not a regular file (a device, FIFO or socket)" -- "$sim" validate "$hostile/devzero_model.yaml"
printf 'extends: /dev/zero\n' > "$hostile/devzero_extends.yaml"
expect "extends: /dev/zero" 2 "devzero_extends.yaml:1:10: error: extends: /dev/zero is not a regular file (a device, FIFO or socket)" -- "$sim" validate "$hostile/devzero_extends.yaml"
mkfifo "$hostile/fifo.yaml"
printf 'extends: fifo.yaml\n' > "$hostile/fifo_extends.yaml"
expect "extends: a FIFO does not block" 2 "fifo_extends.yaml:1:10: error: extends" -- timeout 20 "$sim" validate "$hostile/fifo_extends.yaml"
expect "a FIFO as the scenario does not block" 2 "is not a regular file" -- timeout 20 "$sim" validate "$hostile/fifo.yaml"
expect "--reported /dev/zero" 2 "/dev/zero: error: is not a regular file" -- "$sim" compare "$work/good.yaml" --reported /dev/zero
mkdir -p "$hostile/adir"
printf 'extends: /etc/passwd\n' > "$hostile/passwd_extends.yaml"
expect "extends: a text file that is no scenario is named as such" 2 "passwd_extends.yaml:1:10: error: extends: /etc/passwd is not a scenario file: its top level is plain text, not keys such as model: and events:" -- "$sim" validate "$hostile/passwd_extends.yaml"
printf 'extends: adir\n' > "$hostile/dir_extends.yaml"
expect "extends: a directory" 2 "dir_extends.yaml:1:10: error: extends: $hostile/adir is a directory, not a file" -- "$sim" validate "$hostile/dir_extends.yaml"
printf "$base_yaml" > "$hostile/c0.yaml"
for i in $(seq 1 40); do printf 'extends: c%d.yaml\nname: c%d\n' $((i - 1)) "$i" > "$hostile/c$i.yaml"; done
expect "a long extends: chain is limited, with a location" 2 "more than 32 files in an extends: chain" -- "$sim" validate "$hostile/c40.yaml"
printf 'extends: loop_b.yaml\n' > "$hostile/loop_a.yaml"; printf 'extends: loop_a.yaml\n' > "$hostile/loop_b.yaml"
expect "an extends: cycle names the line" 2 "loop_b.yaml:1:10: error: extends: scenario extends itself" -- "$sim" validate "$hostile/loop_a.yaml"
deep="$(printf 'a.%.0s' $(seq 1 2000))x"
expect "a 2,000-level --set path is refused" 2 "a --set path has at most 16 dots" -- "$sim" validate "$work/good.yaml" --set "$deep=1"
printf "${base_yaml}events:\n  - {id: u, kind: supply_disruption, nodes: [mine], start: 2025-02-01, factor: {dist: uniform, min: {dist: uniform, min: 0, max: 0.9}, max: 0.5}}\n" > "$hostile/uncertain_args.yaml"
expect "uncertain min above max refused at validation" 2 "uncertain_args.yaml:7:80: error: events.u.factor: uniform with uncertain arguments: min can exceed max" -- "$sim" validate "$hostile/uncertain_args.yaml"
printf "${base_yaml}parameters:\n  m: {dist: normal, mean: 10, sd: 5}\nevents:\n  - {id: u, kind: supply_disruption, nodes: [mine], start: 2025-02-01, factor: {dist: lognormal, median: \$m, spread: 0.2}}\n" > "$hostile/lognormal_param.yaml"
expect "a lognormal median that can be <= 0 refused" 2 "lognormal with uncertain arguments: the median can be zero or negative" -- "$sim" validate "$hostile/lognormal_param.yaml"
long="$(printf 'x%.0s' $(seq 1 300)).yaml"
expect "a path component over 255 bytes" 2 "the name is too long" -- "$sim" validate "$hostile/$long"
ln -sf self_a.yaml "$hostile/self_b.yaml"; ln -sf self_b.yaml "$hostile/self_a.yaml"
expect "a symlink loop" 2 "too many levels of symbolic links" -- "$sim" validate "$hostile/self_a.yaml"
# --reported and a sweep's scenario: the same names, located input errors (exit 1 with a
# filesystem_error before; the sweep's was a fuzz finding).
expect "--reported with a component over 255 bytes" 2 "the name is too long" -- "$sim" compare "$work/good.yaml" --reported "$hostile/$long.csv"
expect "--reported a symlink loop" 2 "too many levels of symbolic links" -- "$sim" compare "$work/good.yaml" --reported "$hostile/self_a.yaml"
printf "scenario: %s\n" "$long" > "$hostile/long_scenario.sweep.yaml"
expect "a sweep's scenario over 255 bytes" 2 "long_scenario.sweep.yaml:1:11: error: scenario: cannot open the scenario file: the name is too long" -- "$sim" sweep "$hostile/long_scenario.sweep.yaml"
printf "name: %s\nscenario: good.yaml\n" "$(printf 'n%.0s' $(seq 1 101))" > "$hostile/long_name.sweep.yaml"
expect "a sweep's name over 100 characters" 2 "long_name.sweep.yaml:1:7: error: name: a sweep name starts with a letter or digit, holds letters, digits, '_', '-' and '.' only and at most 100 of them" -- "$sim" sweep "$hostile/long_name.sweep.yaml"
mkdir -p "$hostile/reported_dir"; ln -sf nothere.csv "$hostile/reported_dir/gone.csv"
expect "--reported DIR with a dangling .csv link names it" 2 "reported_dir/gone.csv: error: cannot open file: no such file" -- "$sim" compare "$work/good.yaml" --reported "$hostile/reported_dir"
printf "${base_yaml}events:\n  - {id: c, kind: export_control, exporter: Exportland, products: [magnet], approval_rate: 0.5, approval_delay: {dist: fixed, value: 10}, start: {dist: normal, mean: 2025-03-01, sd: 5}}\n" > "$hostile/normal_start.yaml"
expect "an unbounded normal start date is checked (no undefined behaviour)" 2 "normal_start.yaml:7:" -- "$sim" validate "$hostile/normal_start.yaml"
printf "${base_yaml}description: \"oops\nevents:\n  - {id: u, kind: supply_disruption, nodes: [mine], start: 2025-02-01, factor: 0.5}\n" > "$hostile/open_quote.yaml"
expect "an unterminated quote is refused" 2 "open_quote.yaml:6:14: error: unterminated quoted text" -- "$sim" validate "$hostile/open_quote.yaml"
printf "${base_yaml}---\nname: second\n" > "$hostile/two_docs.yaml"
expect "a second YAML document is refused" 2 "two_docs.yaml:6:1: error: a second YAML document" -- "$sim" validate "$hostile/two_docs.yaml"
printf 'name: empty\nproducts: []\nnodes: []\nedges: []\n' > "$hostile/empty_model.yaml"
printf "$base_yaml" | sed 's#small_model.yaml#empty_model.yaml#' > "$hostile/empty.yaml"
expect "an empty model is refused" 2 "the model needs a 'products:' list with at least one product" -- "$sim" validate "$hostile/empty.yaml"
sed 's/,1380,t,/,-1380,t,/' "$work/reported.csv" > "$hostile/negative.csv"
expect "negative reported tonnes are refused" 2 "negative.csv:2: error: value: a reported figure cannot be negative" -- "$sim" compare "$work/good.yaml" --reported "$hostile/negative.csv"


# What the analyst sees: charts and a page for every run, the headline, --report, --from, files
# that join and numbers that round-trip.
expect "run draws charts" 0 "Charts: $work/seen/index.html" -- "$sim" "$work/good.yaml" --output "$work/seen"
if [ -s "$work/seen/index.html" ] && grep -q 'charts/exports_magnet_exportland_world.png' "$work/seen/index.html"; then ok "run page links the World chart"; else bad "run page lacks the World chart"; fi
for f in "$work"/seen/charts/*.png; do
    if tail -c 12 "$f" | od -An -tx1 | tr -d ' \n' | grep -q '0000000049454e44ae426082$'; then :; else bad "not a whole PNG: $f"; fi
done
pngs=$(ls "$work"/seen/charts/*.png 2>/dev/null | wc -l); svgs=$(ls "$work"/seen/charts/*.svg 2>/dev/null | wc -l)
if [ "$pngs" -ge 2 ] && [ "$pngs" -eq "$svgs" ]; then ok "run charts: $pngs PNG and SVG"; else bad "run charts: $pngs PNG, $svgs SVG"; fi
if grep -q 'scenario SHA-256' "$work/seen/index.html" && grep -q 'Reading the charts' "$work/seen/index.html"; then ok "page has provenance and glossary"; else bad "page lacks provenance or glossary"; fi
scenario page_events.yaml "events:
  - id: border
    kind: supply_disruption
    nodes: [mine]
    cuts: shipments
    factor: 0.5
    start: 2025-02-01
    end: 2025-04-01
    end_announced: 2025-03-15
  - id: rains
    kind: supply_disruption
    nodes: [mine]
    factor: 0.7
    start: 2025-03-01
    duration_days: 30
"
expect "run page of a scenario with events" 0 "Charts: $work/page_events/index.html" -- "$sim" "$work/page_events.yaml" --output "$work/page_events"
if grep -qF '<td class="l">supply_disruption (cuts shipments)</td><td class="l">2025-02-01</td><td class="l">2025-03-31 (known only from 2025-03-15; backtests before run it to the horizon)</td>' "$work/page_events/index.html" && grep -qF '<td class="l">supply_disruption (cuts production)</td><td class="l">2025-03-01</td><td class="l">after 30 days</td>' "$work/page_events/index.html"; then ok "run page's events table: what each cuts and when it ends"; else bad "run page's events table lacks cuts or ends"; fi
expect "headline says what short means" 0 "short: demand (the model's level and trend) that stock and deliveries from China cannot meet; no buyer moves its orders to another supplier, the makers in Japan, South Korea and Vietnam sell to buyers of their own (listed apart), and suppliers outside the model are not counted" -- "$sim" "$src/scenarios/april_controls.yaml" --trials 16 --output "$work/short_means"
if grep -qF 'shortage risk counted from 2025-04-04' "$work/short_means/charts/exports_magnet_china_world.svg" && grep -qF '<dt>shortage risk counted from</dt>' "$work/short_means/index.html"; then ok "run charts mark the day the risk is counted from"; else bad "run charts lack the counted-from line"; fi
printf 'series,region_from,region_to,product,period_start,period_end,value,unit,yoy_pct,mom_pct,source,source_date,url,note\nprice,Exportland,,NdPr oxide,2025-03,2025-03,5,CNY/t,,,A,x,u,\nmagnet_exports_total,Exportland,World,magnet,2031-03,2031-03,5,t,,,A,x,u,\n' > "$work/only_prices.csv"
expect "compare with nothing comparable says why, row by row" 2 "only_prices.csv:2: error: price: not compared: series 'price' has no counterpart in the model" -- "$sim" compare "$work/good.yaml" --reported "$work/only_prices.csv" --reported-only --trials 8 --output "$work/cmp_none"
expect "compare with nothing comparable counts the rows outside the period" 2 "1 of 2 rows fall outside that period; 1 row inside it cannot be compared (below)" -- "$sim" compare "$work/good.yaml" --reported "$work/only_prices.csv" --reported-only --trials 8 --output "$work/cmp_none" --to 2030-12
expect "headline before the table" 0 "Headline: magnet exports from Exportland to World" -- "$sim" "$work/good.yaml" --output "$work/seen2" --no-charts
if [ ! -e "$work/seen2/charts" ] && [ ! -e "$work/seen2/index.html" ]; then ok "--no-charts draws nothing"; else bad "--no-charts drew charts"; fi
expect "--report stock" 0 "magnet stock at buyers, tonnes at month end" -- "$sim" "$work/good.yaml" --output "$work/seen2" --no-charts --report stock
"$sim" "$work/good.yaml" --output "$work/seen_months" --no-charts --months 2025-03..2025-04 > "$work/months.out" 2>&1
if grep -q '^2025-03 ' "$work/months.out" && grep -q '^2025-04 ' "$work/months.out" && ! grep -q '^2025-02 ' "$work/months.out" && ! grep -q '^2025-05 ' "$work/months.out" && [ "$(grep -c '^exports,magnet' "$work/seen_months/summary.csv")" -gt 2 ]; then ok "--months limits the table, not the files"; else bad "--months did not limit the table to 2025-03..2025-04"; fi
expect "--months outside the scenario" 2 "--months 2031-01.. holds no month of the scenario" -- "$sim" "$work/good.yaml" --no-charts --months 2031-01.. --output "$work/seen_months2"
expect "--months reversed" 2 "--months 2025-04..2025-03: 2025-04 is after 2025-03" -- "$sim" "$work/good.yaml" --no-charts --months 2025-04..2025-03 --output "$work/seen_months4"
expect "--months malformed" 2 "'2025-3' is not a month YYYY-MM (month 01 to 12, with its leading zero)" -- "$sim" "$work/good.yaml" --no-charts --months 2025-3..2025-04 --output "$work/seen_months3"
expect "--report unknown metric" 2 "--report: no metric 'exprots'; choose one of exports" -- "$sim" "$work/good.yaml" --report exprots
expect "--report unknown product" 2 "no exports of 'oxide'; this scenario has exports of magnet" -- "$sim" "$work/good.yaml" --report exports/oxide
expect "--from moves the shortage count" 0 "probability of any shortage from 2025-03-01 (--from) to 2025-06" -- "$sim" "$work/good.yaml" --output "$work/seen2" --no-charts --from 2025-03-01
expect "--from outside the scenario" 2 "--from 2030-01-01 is outside the scenario" -- "$sim" "$work/good.yaml" --from 2030-01-01
PATH_NO_GNUPLOT="$work/nognuplot"; mkdir -p "$PATH_NO_GNUPLOT"
expect "no gnuplot is a warning" 0 "gnuplot not found: no charts" -- env PATH="$PATH_NO_GNUPLOT" "$sim" "$work/good.yaml" --output "$work/seen3"
if command -v python3 >/dev/null; then
    # summary.csv: units, partner totals, trials and partial on every row; numbers round-trip.
    if python3 - "$work/seen/summary.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["unit"] in ("t/month", "t", "days") for r in rows), "unit"
assert all((r["partner_total"] == "true") == ("World" in (r["from"], r["to"])) for r in rows)
assert all(r["trials"] == "20" and r["partial"] == "false" for r in rows)
assert any(r["metric"] == "days_short" and r["unit"] == "days" for r in rows)
for r in rows:
    for k in ("mean", "sd", "p05", "p50", "p95"):
        assert repr(float(r[k])) == r[k] or float(r[k]) == int(float(r[k])), (k, r[k])
PY
    then ok "summary.csv units, totals, trials, exact numbers"; else bad "summary.csv columns"; fi
    # comparison.csv joins summary.csv on metric, product, from, to, period.
    if python3 - "$work/cmp/comparison.csv" "$work/cmp_join/summary.csv" "$sim" "$work/good.yaml" "$work/cmp_join" <<'PY'
import csv, subprocess, sys
subprocess.run([sys.argv[3], sys.argv[4], "--output", sys.argv[5], "--quiet", "--no-charts"], check=True, stdout=subprocess.DEVNULL)
cmp = list(csv.DictReader(open(sys.argv[1])))
summ = {(r["metric"], r["product"], r["from"], r["to"], r["period"]): r for r in csv.DictReader(open(sys.argv[2]))}
single = [r for r in cmp if r["period"]]
assert single, "no single-month figure"
for r in single:
    key = (r["metric"], r["product"], r["from"], r["to"], r["period"])
    assert key in summ, key
    assert r["unit"] == "t" and r["series_count"] == "1"
total = [r for r in cmp if not r["period"]]
assert total and all(r["period_start"] == "2025-01" and r["period_end"] == "2025-03" for r in total)
PY
    then ok "comparison.csv joins summary.csv on keys"; else bad "comparison.csv does not join"; fi
else
    bad "python3 missing (tools/setup.sh installs it)"
fi

# Help that teaches: per-command help from the option tables, help COMMAND, run as an alias,
# unknown commands, log level.
for c in run validate graph compare calibrate parameters sweep diff; do
    out="$("$sim" "$c" --help 2>&1)"; rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^Usage: simulate" <<<"$out" && grep -q "^Example:" <<<"$out" && grep -q -- "--help" <<<"$out"; then ok "$c --help"; else bad "$c --help (exit $rc)"; fi
    if [ "$("$sim" help "$c" 2>&1)" = "$out" ]; then ok "help $c is $c --help"; else bad "help $c differs from $c --help"; fi
done
expect "run --help lists --report with its default" 0 "(default: exports/magnet)" -- "$sim" run --help
expect "compare --help lists --threads" 0 "--threads T" -- "$sim" compare --help
expect "run is an alias" 0 "Results written to $work/alias/" -- "$sim" run "$work/good.yaml" --output "$work/alias" --quiet --no-charts
expect "unknown command" 2 "unknown command or scenario 'bogus'. Commands: run, validate" -- "$sim" bogus
expect "help of an unknown command" 2 "no command 'nope'" -- "$sim" help nope
expect "bad log level" 2 "unknown log level 'loud'" -- "$sim" "$work/good.yaml" --log-level loud
out="$("$sim" "$work/good.yaml" --output "$work/alias" --quiet --no-charts --log-level off 2>&1 </dev/null)"
if ! grep -q "info:" <<<"$out"; then ok "--log-level off"; else bad "--log-level off still logs"; fi
out="$(NO_COLOR=1 CHOKEPOINT_LOG_LEVEL=info "$sim" "$work/good.yaml" --output "$work/alias" --trials 0 2>&1 </dev/null)"
if ! grep -q $'\033' <<<"$out"; then ok "NO_COLOR: no escape sequences"; else bad "NO_COLOR ignored"; fi

# validate: model files, overrides of the extended file, --resolved.
expect "validate a model file" 0 "small_model.yaml: valid model: " -- "$sim" validate "$work/small_model.yaml"
# A model's material file (docs/materials.md): checked alone and with the model, every problem
# located in the material file.
expect "validate a material file" 0 "small_material.yaml: valid material 'test magnets': unit t, 17 element symbols, 3 customs series, 2 region aliases, 0 region sums" -- "$sim" validate "$work/small_material.yaml"
mkdir -p "$work/mat"
cp "$work/small_model.yaml" "$work/mat/"
sed -e 's/^unit: t$/unit: tonnes/' -e 's/sum_of: \[concentrate\]/sum_of: [concentrat]/' -e 's/  IL: Importland/  IL: Israel/' "$work/small_material.yaml" > "$work/mat/small_material.yaml"
expect "material: a unit that is no mass unit" 2 "small_material.yaml:4:7: error: unit: expected t or kg" -- "$sim" validate "$work/mat/small_model.yaml"
expect "material: a product the model lacks" 2 "customs_series[2].products[0].sum_of: 'concentrat' is not a product of the model (did you mean 'concentrate'?)" -- "$sim" validate "$work/mat/small_model.yaml"
expect "material: an alias to no country of the model" 2 "region_aliases.IL: 'Israel' is not a country of the model" -- "$sim" validate "$work/mat/small_model.yaml"
rm "$work/mat/small_material.yaml"
expect "material: a file that is not there" 2 "small_model.yaml:41:11: error: material: " -- "$sim" validate "$work/mat/small_model.yaml"
scenario elements.yaml "events:
  - {id: c, kind: export_control, exporter: Exportland, products: [magnet], approval_delay: {dist: fixed, value: 10}, approval_rate: 0.5, start: 2025-02-01, elements: [Dy, Tx]}
"
expect "elements: a symbol the material does not list" 2 "'Tx' is not an element symbol of test magnets" -- "$sim" validate "$work/elements.yaml"
cat > "$work/child.yaml" <<'YAML'
name: child
extends: good.yaml
horizon: 2025-05
events:
  - id: halt
    kind: export_halt
    from: refinery
    start: 2025-02-01
    duration_days: 9
YAML
cat > "$work/grandchild.yaml" <<'YAML'
name: grandchild
extends: child.yaml
events:
  - id: halt
    start: 2025-04-01
YAML
expect "validate reports a redefined event" 0 "grandchild.yaml:4:5: notice: event 'halt' is also defined at" -- "$sim" validate "$work/grandchild.yaml"
expect "validate reports a replaced value" 0 "child.yaml:3:1: notice: horizon replaces the value at" -- "$sim" validate "$work/child.yaml"
expect "validate --resolved prints the merged scenario" 0 "start: 2025-04-01" -- "$sim" validate "$work/grandchild.yaml" --resolved
expect "validate --resolved on a model" 2 "is a model file" -- "$sim" validate "$work/small_model.yaml" --resolved
# A bare file name from the scenario's own directory, with extends: (the message must name a path).
out="$(cd "$work" && "$sim" validate grandchild.yaml 2>&1)"; rc=$?
if [ "$rc" -eq 0 ] && grep -q "grandchild.yaml: valid scenario" <<<"$out"; then ok "bare file name that extends"; else bad "bare file name (exit $rc): $out"; fi
out="$(cd "$work" && "$sim" validate nothere.yaml 2>&1)"
if grep -q "nothere.yaml" <<<"$out" && ! grep -q "not found: $" <<<"$out"; then ok "missing bare file named"; else bad "missing bare file: $out"; fi

# calibrate writes into its output directory, never beside the scenario, as a file that extends it.
cp "$src/tests/regression/scenarios/small_baseline.yaml" "$src/tests/regression/scenarios/small_controls.yaml" "$work/"
mkdir -p "$work/calsrc"; cp "$work/small_baseline.yaml" "$work/small_controls.yaml" "$work/small_model.yaml" "$work/small_material.yaml" "$work/calsrc/"
sed -i 's|model: .*|model: small_model.yaml|' "$work/calsrc/small_baseline.yaml"
before="$(ls "$work/calsrc" | sort)"
expect "calibrate runs" 0 "Calibrated scenario: $work/cal/calibrated.yaml" -- "$sim" calibrate "$work/calsrc/small_controls.yaml" --fit rate --reported "$work/reported.csv" --trials 16 --max-evaluations 5 --output "$work/cal"
if [ "$(ls "$work/calsrc" | sort)" = "$before" ]; then ok "calibrate wrote nothing beside the scenario"; else bad "calibrate wrote into the scenario's folder"; fi
if grep -q "^extends: '../calsrc/small_controls.yaml'" "$work/cal/calibrated.yaml" && grep -q "^  rate: " "$work/cal/calibrated.yaml" && [ "$(grep -c '^  ' "$work/cal/calibrated.yaml")" -eq 1 ]; then ok "calibrated file extends the original and sets only the fit"; else bad "calibrated file: $(cat "$work/cal/calibrated.yaml")"; fi
expect "calibrated file validates" 0 "valid scenario 'small_controls_calibrated'" -- "$sim" validate "$work/cal/calibrated.yaml"
expect "calibrate prints progress" 0 "evaluation 1: objective" -- "$sim" calibrate "$work/calsrc/small_controls.yaml" --fit rate --reported "$work/reported.csv" --trials 16 --max-evaluations 5 --output "$work/cal2"
# A prior of another family (beta): the calibrated triangular replaces it whole and loads.
sed 's|rate: {dist: triangular, min: 0.4, mode: 0.6, max: 0.8}|rate: {dist: beta, alpha: 6, beta: 4, description: approval rate}|' "$work/calsrc/small_controls.yaml" > "$work/calsrc/normal_prior.yaml"
expect "calibrate a beta prior" 0 "Calibrated scenario: $work/calnormal/calibrated.yaml" -- "$sim" calibrate "$work/calsrc/normal_prior.yaml" --fit rate --reported "$work/reported.csv" --trials 16 --max-evaluations 5 --output "$work/calnormal"
expect "its calibrated file validates" 0 "distribution replaces the parent's" -- "$sim" validate "$work/calnormal/calibrated.yaml"
# A parameter the figures cannot pin down (it acts only after them) keeps its prior.
printf 'extends: small_controls.yaml\nname: late\nparameters:\n  late: {dist: uniform, min: 1, max: 3}\nevents:\n  - {id: late_surge, kind: demand_shock, products: [magnet], factor: $late, start: 2025-11-01, end: 2025-12-01}\n' > "$work/calsrc/late.yaml"
expect "calibrate keeps an unidentified prior" 0 "late is not identified by these figures" -- "$sim" calibrate "$work/calsrc/late.yaml" --fit late,rate --reported "$work/reported.csv" --trials 16 --max-evaluations 8 --output "$work/cal_late"
if grep -q "^# late: not identified" "$work/cal_late/calibrated.yaml" && ! grep -q "^  late:" "$work/cal_late/calibrated.yaml" && grep -q "^  rate:" "$work/cal_late/calibrated.yaml" && grep -q '"identified": false' "$work/cal_late/calibration.json"; then ok "the unidentified prior is kept, the identified one fitted"; else bad "calibrated file: $(cat "$work/cal_late/calibrated.yaml")"; fi
expect "a calibrated file that keeps a prior validates" 0 "valid scenario 'late_calibrated'" -- "$sim" validate "$work/cal_late/calibrated.yaml"
expect "--reported-only needs --reported" 2 "--reported-only needs --reported" -- "$sim" compare "$work/good.yaml" --reported-only
expect "calibrate --write" 0 "Calibrated scenario: $work/fitted.yaml" -- "$sim" calibrate "$work/calsrc/small_controls.yaml" --fit rate --reported "$work/reported.csv" --trials 16 --max-evaluations 5 --output "$work/cal3" --write "$work/fitted.yaml"
# A calibrate killed before its rename left `.fitted.yaml.calibrating.PID.yaml`: the next one
# removes it when that process is gone, and keeps a live process's (this shell's).
dead_pid=$(sh -c 'echo $$')
echo "stale" > "$work/.fitted.yaml.calibrating.$dead_pid.yaml"
echo "live" > "$work/.fitted.yaml.calibrating.$$.yaml"
expect "calibrate --write again" 0 "Calibrated scenario: $work/fitted.yaml" -- "$sim" calibrate "$work/calsrc/small_controls.yaml" --fit rate --reported "$work/reported.csv" --trials 16 --max-evaluations 5 --output "$work/cal3" --write "$work/fitted.yaml"
if [ ! -e "$work/.fitted.yaml.calibrating.$dead_pid.yaml" ] && [ -e "$work/.fitted.yaml.calibrating.$$.yaml" ]; then ok "calibrate --write removes a killed run's temporary file, not a live one's"; else bad "calibrate --write temporaries: $(ls -A "$work" | grep calibrating | tr '\n' ' ')"; fi
rm -f "$work/.fitted.yaml.calibrating.$$.yaml"
if grep -q "\"calibrated_scenario_sha256\": \"$(sha256sum "$work/fitted.yaml" | cut -d' ' -f1)\"" "$work/cal3/calibration.json"; then ok "calibration.json holds the SHA-256 of the file --write wrote"; else bad "calibration.json: $(grep sha256 "$work/cal3/calibration.json")"; fi

# --write under a regular file, or naming a directory: a usage error before the first evaluation,
# and no result directory. --fit takes a name as simulate parameters lists it (parameters.NAME).
echo "not a directory" > "$work/plainfile"
expect "calibrate --write under a file" 2 "--write $work/plainfile/cal.yaml: '$work/plainfile' is a file, not a directory" -- "$sim" calibrate "$work/calsrc/small_controls.yaml" --fit rate --reported "$work/reported.csv" --trials 16 --max-evaluations 5 --output "$work/cal4" --write "$work/plainfile/cal.yaml"
expect "calibrate --write a directory" 2 "--write $work is a directory" -- "$sim" calibrate "$work/calsrc/small_controls.yaml" --fit rate --reported "$work/reported.csv" --trials 16 --max-evaluations 5 --output "$work/cal4" --write "$work"
if [ ! -e "$work/cal4" ]; then ok "a refused --write leaves no result directory"; else bad "a refused --write left $work/cal4"; fi
expect "calibrate --fit parameters.NAME" 0 "Calibrated scenario: $work/cal5/calibrated.yaml" -- "$sim" calibrate "$work/calsrc/small_controls.yaml" --fit parameters.rate --reported "$work/reported.csv" --trials 16 --max-evaluations 5 --quiet --output "$work/cal5"
if grep -q "^  rate: " "$work/cal5/calibrated.yaml"; then ok "calibrated file sets parameters.rate"; else bad "calibrated file: $(cat "$work/cal5/calibrated.yaml")"; fi

# cmake --install: the program, its man page (generated by help2man), bash completion and the
# scenarios; a scenario's name finds the installed file.
build_dir="$(cd "$(dirname "$sim")/.." && pwd)"
if cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null 2>&1; then ok "cmake --install"; else bad "cmake --install failed"; fi
for f in bin/simulate share/bash-completion/completions/simulate share/chokepoint/scenarios/april_controls.yaml share/chokepoint/models/rare_earths_2024.yaml share/chokepoint/docs/sources.md; do
    if [ -e "$work/prefix/$f" ]; then ok "installed $f"; else bad "not installed: $f"; fi
done
if command -v help2man >/dev/null; then
    if grep -q '^\.SS compare' "$work/prefix/share/man/man1/simulate.1" 2>/dev/null; then ok "man page with every command"; else bad "man page missing or without commands"; fi
else
    bad "help2man missing (tools/setup.sh installs it)"
fi
out="$(cd "$work" && "$work/prefix/bin/simulate" april_controls --trials 2 --threads 1 --quiet --no-charts --output "$work/byname" 2>&1)"
if grep -q "running $work/prefix/share/chokepoint/scenarios/april_controls.yaml" <<<"$out" && [ -s "$work/byname/summary.csv" ]; then ok "a scenario's name finds the installed file"; else bad "name lookup: $out"; fi
out="$(cd "$work" && "$work/prefix/bin/simulate" run april_controls --trials 2 --threads 1 --quiet --no-charts --output "$work/byname2" --log-level off 2>&1)"
if ! grep -q "running" <<<"$out" && [ -s "$work/byname2/summary.csv" ]; then ok "run NAME finds it too; --log-level off silences the notice"; else bad "run NAME or --log-level off: $out"; fi
out="$(bash -c 'source "$1/share/bash-completion/completions/simulate"; PATH="$1/bin:$PATH"; COMP_WORDS=(simulate compare --ori); COMP_CWORD=2; _simulate; echo "${COMPREPLY[*]}"' _ "$work/prefix")"
if [ "$out" = "--origin" ]; then ok "bash completion of compare's options"; else bad "bash completion gave '$out'"; fi

# backtest: errors, files, and the hand-written knowledge scenario it reproduces.
expect "backtest needs --origins" 2 "backtest needs --origins" -- "$sim" backtest "$src/scenarios/april_controls.yaml"
expect "backtest origins outside" 2 "origin 2030-01 is outside the scenario" -- "$sim" backtest "$src/scenarios/april_controls.yaml" --origins 2030-01
expect "backtest bad origins" 2 "the last origin is before the first" -- "$sim" backtest "$src/scenarios/april_controls.yaml" --origins 2025-03..2024-03
expect "backtest runs" 0 "Results written to $work/bt/" -- "$sim" backtest "$src/scenarios/april_controls.yaml" --origins 2025-03 --trials 60 --threads 2 --output "$work/bt"
expect "backtest names an event whose end is announced later" 0 "2025-02: 9 events known, 10 not yet announced, 42 figures; end announced later: myanmar_kia_2024 (expected duration drawn)" -- "$sim" backtest "$src/scenarios/april_controls.yaml" --origins 2025-02 --trials 20 --no-charts --output "$work/bt_open"
expect "backtest names the events sized after the origin" 0 "2025-04: 16 events known, 3 not yet announced, 50 figures; sized later (hindsight: run at a size measured after this origin): announcement_18, us_stricter_review" -- "$sim" backtest "$src/scenarios/april_controls.yaml" --origins 2025-04 --trials 20 --no-charts --output "$work/bt_sized"
mkdir -p "$work/open_end/scenarios" && cp -r "$src/models" "$work/open_end/"
grep -v '^    expected_duration_days:' "$src/scenarios/april_controls.yaml" > "$work/open_end/scenarios/april_controls.yaml"
expect "backtest: an open end without an expected duration runs to the horizon" 0 "end announced later: myanmar_kia_2024 (in force to the horizon)" -- "$sim" backtest "$work/open_end/scenarios/april_controls.yaml" --origins 2025-02 --trials 20 --no-charts --output "$work/bt_open2"
for f in backtest.csv figures.csv index.html charts/coverage_by_lead.png charts/pit_histogram.svg; do
    if [ -s "$work/bt/$f" ]; then ok "backtest wrote $f"; else bad "backtest missing $f"; fi
done
# The pooled rows carry intervals over resampled origins: a single origin has nothing to
# resample, so they are empty, as in the rows of one origin. Over two origins in blocks of one,
# each interval runs from below its score to above it (the skill's ends turned round from the
# CRPS ratio's would come out upside down).
"$sim" backtest "$src/scenarios/april_controls.yaml" --origins 2025-01,2025-02 --leads 1 --trials 20 --no-charts --output "$work/bt_two" >/dev/null 2>&1
if python3 - "$work/bt/backtest.csv" "$work/bt_two/backtest.csv" <<'PY'
import csv, sys
ends = [("coverage_90", "coverage_90_low", "coverage_90_high"),
        ("crps_skill_persistence", "crps_skill_persistence_low", "crps_skill_persistence_high"),
        ("crps_skill_seasonal", "crps_skill_seasonal_low", "crps_skill_seasonal_high")]
rows = list(csv.DictReader(open(sys.argv[1])))
pooled = [r for r in rows if r["origin"] == "all"]
assert pooled
for r in rows:
    assert all(r[low] == "" and r[high] == "" for _, low, high in ends), r
two = [r for r in csv.DictReader(open(sys.argv[2])) if r["origin"] == "all"]
assert len(two) == 1
moved = 0
for point, low, high in ends:
    if two[0][point]:
        assert float(two[0][low]) <= float(two[0][point]) <= float(two[0][high]), (point, two[0])
        moved += float(two[0][low]) < float(two[0][high])
assert moved >= 2, two[0]
PY
then ok "backtest.csv: the pooled rows' intervals (one origin: none; two: around the score)"; else bad "backtest.csv's intervals"; fi
# A chart's data travel inside its gnuplot script: charts/ holds the images and nothing else.
others=$(find "$work/seen/charts" "$work/bt/charts" -type f ! -name '*.png' ! -name '*.svg' 2>/dev/null)
if [ -z "$others" ]; then ok "charts/ holds only the images (run and backtest)"; else bad "charts/ holds other files: $others"; fi
if grep -qF '<h2>By lead</h2>' "$work/bt/index.html" && grep -qF '<tr><td>2025-03</td><td>11</td><td>8</td><td>46</td>' "$work/bt/index.html"; then ok "backtest page: the table by lead and what each origin knew"; else bad "backtest page lacks its tables"; fi
expect "compare of known_2025-03" 0 "Results written" -- "$sim" compare "$src/scenarios/known_2025-03.yaml" --origin 2025-03 --to 2025-09 --trials 60 --threads 2 --output "$work/btc" --quiet
# --quiet: the files only (a script's output stays one line).
out="$("$sim" compare "$src/scenarios/known_2025-03.yaml" --origin 2025-03 --to 2025-09 --trials 20 --no-charts --output "$work/cmpq" --quiet 2>&1 </dev/null)"
if [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "^Results written to $work/cmpq/" <<<"$out"; then ok "compare --quiet prints one line"; else bad "compare --quiet printed: $(head -3 <<<"$out")"; fi
if python3 - "$work/bt/figures.csv" "$work/btc/comparison.csv" <<'PY'
import csv, sys
key = lambda r: (r["label"], r["period_start"], r["period_end"], r["p05"], r["p50"], r["p95"])
b = sorted(map(key, csv.DictReader(open(sys.argv[1]))))
c = sorted(map(key, csv.DictReader(open(sys.argv[2]))))
assert b and b == c, (len(b), len(c))
PY
then ok "backtest at 2025-03 reproduces known_2025-03 exactly"; else bad "backtest differs from known_2025-03"; fi

# scores.json has one shape, described by docs/schemas/scores.schema.json (python3-jsonschema).
for d in cmp cmp2 btc; do
    if python3 - "$src/docs/schemas/scores.schema.json" "$work/$d/scores.json" <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
    then ok "$d/scores.json matches its schema"; else bad "$d/scores.json does not match its schema"; fi
done

# A real full disk (issue 10, section 2): a small tmpfs (needs root and mount; the CI machine
# has both). The CSVs fit, the charts do not: run, compare and backtest must fail (exit 1, "no space"),
# leave nothing behind (no result, no staging directory) and free what they wrote.
full="$work/full"
mkdir -p "$full"
if mount -t tmpfs -o size=1m tmpfs "$full" 2>/dev/null; then
    umount "$full"
    # Sizes in which each command's CSVs fit and its charts do not (20 trials: a run writes
    # 1.07 MB of CSV and 3.3 MB of charts, compare 63 KB and 1.5 MB, a backtest from one origin
    # 5 KB and 150 KB).
    for cmd_size in run:3m compare:1m backtest:64k; do
        cmd="${cmd_size%%:*}"
        more=()
        [ "$cmd" = backtest ] && more=(--origins 2025-03)
        if ! mount -t tmpfs -o "size=${cmd_size#*:}" tmpfs "$full"; then
            bad "cannot mount the tmpfs for $cmd"
            continue
        fi
        out="$("$sim" "$cmd" "$src/scenarios/april_controls.yaml" "${more[@]}" --trials 20 --quiet --output "$full/$cmd" 2>&1 </dev/null)"
        rc=$?
        left="$(ls -A "$full")"
        used="$(df --output=used -k "$full" | tail -1 | tr -d ' ')"
        if [ "$rc" -eq 1 ] && grep -qi "no space left" <<<"$out" && [ -z "$left" ] && [ "$used" -lt 64 ]; then
            ok "$cmd on a full disk: exit 1, no space left, nothing left behind"
        else
            bad "$cmd on a full disk: exit $rc, left: '$left', ${used} KiB used: $(tail -2 <<<"$out")"
        fi
        umount "$full" || umount -l "$full"
    done
    # calibrate --write FILE with its result directory on a full disk: FILE is left as it was
    # (it used to be replaced before calibration.json failed), and nothing temporary is left.
    mkdir -p "$work/calw"
    echo "# the user's earlier file" >"$work/calw/target.yaml"
    if mount -t tmpfs -o size=64k tmpfs "$full"; then
        dd if=/dev/zero of="$full/fill" bs=4k 2>/dev/null
        out="$("$sim" calibrate "$work/calsrc/small_controls.yaml" --fit rate --reported "$work/reported.csv" --trials 16 --max-evaluations 5 --quiet --write "$work/calw/target.yaml" --output "$full/cal" 2>&1 </dev/null)"
        rc=$?
        if [ "$rc" -eq 1 ] && grep -qi "no space left" <<<"$out" && [ "$(cat "$work/calw/target.yaml")" = "# the user's earlier file" ] && [ "$(ls -A "$work/calw")" = "target.yaml" ] && [ "$(ls -A "$full")" = "fill" ]; then
            ok "calibrate --write on a full disk: exit 1, FILE unchanged, nothing left behind"
        else
            bad "calibrate --write on a full disk: exit $rc, FILE: $(head -1 "$work/calw/target.yaml"), beside it: $(ls -A "$work/calw" | tr '\n' ' '), on the disk: $(ls -A "$full" | tr '\n' ' '): $(tail -2 <<<"$out")"
        fi
        umount "$full" || umount -l "$full"
    else
        bad "cannot mount the tmpfs for calibrate"
    fi
else
    echo "note full-disk tests skipped: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)"
fi

# JSON Schemas for editors: built from the loader's key tables, so the committed copies in
# docs/schemas/ must be what the program prints (regenerate: tools/update_schemas.sh); every
# shipped file is valid under them, and schema and loader refuse an unknown key at every kind of
# mapping the shipped files have (check_schemas.py).
for k in scenario model sweep material; do
    if "$sim" schema "$k" | cmp -s - "$src/docs/schemas/$k.schema.json"; then ok "docs/schemas/$k.schema.json is what simulate schema $k prints"; else bad "docs/schemas/$k.schema.json is stale: run tools/update_schemas.sh"; fi
done
expect "schema needs a known kind" 2 "the kind is scenario, model, sweep or material, found 'scenarios'" -- "$sim" schema scenarios
if python3 "$src/tests/cli/check_schemas.py" "$sim" "$src" "$work" > "$work/schemas.log" 2>&1; then ok "schemas: $(tail -1 "$work/schemas.log")"; else bad "schemas:"; grep -v '^ok' "$work/schemas.log" | head -20 | sed 's/^/    /'; fi
expect "validate a sweep file" 0 "valid sweep 'april_controls_oat': 9 factors, oat design, 19 points" -- "$sim" validate "$src/scenarios/sweeps/april_controls_oat.yaml"

# Every shipped scenario, model and material validates.
for f in "$src"/scenarios/*.yaml "$src"/scenarios/sweeps/*.yaml "$src"/models/*.yaml "$src"/models/*/*.yaml; do
    expect "shipped $(basename "$f") validates" 0 "valid" -- "$sim" validate "$f"
done

# Gallium, the second material (kilograms): run, compare and backtest at small size, the unit in
# every output.
expect "gallium: run" 0 "Headline: gallium exports from China to World (P50, kg/month)" -- "$sim" "$src/scenarios/gallium_current.yaml" --trials 40 --output "$work/ga_run"
if grep -q ',kg/month,' "$work/ga_run/summary.csv" && ! grep -q ',t/month,' "$work/ga_run/summary.csv"; then ok "gallium: summary.csv in kg/month"; else bad "gallium: summary.csv not in kg/month"; fi
expect "gallium: compare" 0 "CRPS" -- "$sim" compare "$src/scenarios/gallium_controls_2023.yaml" --trials 40 --output "$work/ga_cmp"
if grep -q 'exports gallium China->World' "$work/ga_cmp/comparison.csv" && grep -q ',kg,' "$work/ga_cmp/comparison.csv"; then ok "gallium: comparison.csv has China's exports, in kg"; else bad "gallium: comparison.csv"; fi
expect "gallium: backtest" 0 "CRPS (kg)" -- "$sim" backtest "$src/scenarios/gallium_controls_2023.yaml" --origins 2023-07..2023-09 --trials 20 --output "$work/ga_bt"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
