#!/bin/sh
# SIGTERM / SIGINT during training: the run finishes its iteration, writes a checkpoint, exits
# with 128+signal and prints the command that resumes it; that command completes the run with
# weights bit-for-bit equal to an uninterrupted run's. A second signal right after the first
# may end the process at once; the run still resumes and ends the same.
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
T=$(mktemp -d /tmp/dcgan-signal-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { echo "ok   $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

"$TOOL" idx "$T/data/idx" 200 40 || { echo "FAIL: cannot make data"; exit 1; }
STEPS=120
# train NAME [extra flags]: in the background, call as `train NAME & pid=$!`: exec makes $!
# the pid of dcgan itself. SIGINT is reset to its default: sh ignores it in background jobs,
# and dcgan leaves an ignored signal ignored.
train() {
    name=$1; shift
    exec env --default-signal=INT "$D" train --data-dir "$T/data" --dataset idx --out-dir "$T/out" --out-name "$name" \
        --batch-size 8 --z-dim 8 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 \
        --max-steps $STEPS --sample-freq 0 --ckpt-freq 1000 --threads 1 --quiet "$@"
}
final() { echo "$T/out/$1/checkpoints/ckpt-$(printf %08d $STEPS).safetensors"; }
rows() { [ -f "$T/out/$1/log.csv" ] && wc -l <"$T/out/$1/log.csv" || echo 0; }
# wait_rows NAME N PID: until log.csv has N lines or the process ended
wait_rows() {
    i=0
    while [ "$(rows "$1")" -lt "$2" ] && kill -0 "$3" 2>/dev/null && [ $i -lt 600 ]; do
        sleep 0.05; i=$((i+1))
    done
}

(train straight 2>/dev/null) || bad "uninterrupted run failed"

# --- one SIGTERM
(train term 2>"$T/term.err") &
pid=$!
wait_rows term 6 $pid
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc -eq 0 ]; then
    echo "skip: the run finished before the signal arrived (machine too fast or too slow?)"
else
    [ $rc -eq 143 ] && ok "SIGTERM: exit 143" || { bad "SIGTERM: exit $rc, want 143"; cat "$T/term.err"; }
    line=$(grep "stopped by SIGTERM at iteration" "$T/term.err")
    if [ -n "$line" ] && echo "$line" | grep -q "resume with: "; then ok "message: $line"
    else bad "no 'stopped by SIGTERM ... resume with' line:"; cat "$T/term.err"; fi
    it=$(echo "$line" | sed -n 's/.*at iteration \([0-9]*\) of.*/\1/p')
    ck="$T/out/term/checkpoints/ckpt-$(printf %08d "${it:-0}").safetensors"
    [ -f "$ck" ] && ok "checkpoint of iteration $it written" || bad "$ck missing"
    [ "$(rows term)" -eq $((it + 1)) ] && ok "log.csv has $it rows" || bad "log.csv has $(rows term) lines, want $((it + 1))"
    cmd=$(echo "$line" | sed 's/.*resume with: //')
    if eval "$cmd" 2>"$T/resume.err"; then ok "the printed command resumed the run"
    else bad "the printed command failed:"; cat "$T/resume.err"; fi
    grep -q "resuming .* from iteration $it " "$T/resume.err" && ok "resumed from iteration $it" || { bad "did not resume from $it"; cat "$T/resume.err"; }
    "$TOOL" ckpt-diff "$(final straight)" "$(final term)" && ok "stopped + resumed == uninterrupted, bit for bit" || bad "weights differ"
fi

# --- two SIGINTs in a row: the second may kill the process mid-write; nothing is lost
(train twice 2>"$T/twice.err") &
pid=$!
wait_rows twice 6 $pid
kill -INT $pid 2>/dev/null; kill -INT $pid 2>/dev/null
wait $pid
rc=$?
echo "     two SIGINTs: exit $rc"
if (train twice 2>"$T/twice2.err"); then ok "after two SIGINTs the run resumes and completes"
else bad "resume after two SIGINTs failed:"; cat "$T/twice2.err"; fi
ls "$T/out/twice/checkpoints" | grep -q '\.tmp\.' && bad "temporary file left after the resumed run" || ok "no temporary file left"
"$TOOL" ckpt-diff "$(final straight)" "$(final twice)" && ok "two signals + resume == uninterrupted" || bad "weights differ"

echo "test_signal: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
