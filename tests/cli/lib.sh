# Shared by the command-line test scripts (sourced): counters and the `expect` helper.
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

# expect NAME EXPECTED_EXIT EXPECTED_TEXT -- COMMAND...: runs COMMAND with no standard input and
# checks its exit code and that its output (stdout and stderr) holds EXPECTED_TEXT.
expect() {
    local name="$1" want_rc="$2" want_text="$3"
    shift 4
    local out rc
    out="$("$@" 2>&1 </dev/null)"
    rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        bad "$name: exit $rc, wanted $want_rc"
        echo "$out" | head -20 | sed 's/^/    /'
        return
    fi
    if [ -n "$want_text" ] && ! grep -qF -- "$want_text" <<<"$out"; then
        bad "$name: output lacks: $want_text"
        echo "$out" | head -20 | sed 's/^/    /'
        return
    fi
    ok "$name"
}
