# Sourced by the command-line tests (after they set T, a scratch folder, and pass=0 fail=0).
# expect CODE PATTERN -- command...: exit code CODE and (if PATTERN non-empty) stderr matching
# it; a non-zero exit must come with exactly one line on stderr. Counts into pass/fail.
expect() {
    code=$1; pat=$2; shift 3
    "$@" >"$T/.stdout" 2>"$T/.stderr"
    rc=$?
    if [ "$rc" -ne "$code" ]; then
        echo "FAIL (exit $rc, want $code): $*"; sed 's/^/    /' "$T/.stderr" | head -5; fail=$((fail+1)); return
    fi
    if [ -n "$pat" ] && ! grep -q -- "$pat" "$T/.stderr"; then
        echo "FAIL (stderr lacks '$pat'): $*"; sed 's/^/    /' "$T/.stderr" | head -5; fail=$((fail+1)); return
    fi
    if [ "$code" -ne 0 ] && [ "$(wc -l <"$T/.stderr")" -ne 1 ]; then
        echo "FAIL (error is not one line): $*"; sed 's/^/    /' "$T/.stderr" | head -5; fail=$((fail+1)); return
    fi
    echo "ok   $*"; pass=$((pass+1))
}

# check DESCRIPTION COMMAND...: passes if the command succeeds. Counts into pass/fail.
check() {
    d=$1; shift
    if "$@"; then echo "ok   $d"; pass=$((pass+1)); else echo "FAIL: $d"; fail=$((fail+1)); fi
}
