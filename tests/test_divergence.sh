#!/bin/sh
# Divergence: a huge learning rate (a real trigger, no debug switch) makes a weight or loss
# non-finite; training stops in that very iteration with one line naming the iteration and the
# tensor, exits 1, and writes nothing for it: the last good checkpoint stays the newest and
# log.csv ends before the bad iteration. Resuming with the original learning rate then ends
# bit for bit where an uninterrupted run ends.
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
T=$(mktemp -d /tmp/dcgan-diverge-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { echo "ok   $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

"$TOOL" idx "$T/data/idx" 60 20 || { echo "FAIL: cannot make data"; exit 1; }
train() { # NAME STEPS [flags]
    name=$1; steps=$2; shift 2
    "$D" train --data-dir "$T/data" --dataset idx --out-dir "$T/out" --out-name "$name" \
        --batch-size 8 --z-dim 8 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 \
        --max-steps "$steps" --sample-freq 0 --ckpt-freq 5 --threads 1 --quiet "$@"
}
ck() { printf '%s/out/%s/checkpoints/ckpt-%08d.safetensors' "$T" "$1" "$2"; }

train straight 15 2>/dev/null || bad "uninterrupted run failed"
train run 5 2>/dev/null || bad "first part failed"
train run 15 --learning-rate 1e30 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && ok "exit 1" || bad "exit $rc, want 1"
line=$(grep "error:" "$T/err")
if [ "$(grep -c "error:" "$T/err")" -eq 1 ] &&
    echo "$line" | grep -q "training diverged at iteration 6: [a-z]*/[a-z0-9_]*/[a-z_]* is not finite"; then
    ok "one line naming the iteration and the tensor: $line"
else bad "want 'training diverged at iteration 6: <net>/<layer>/<tensor> is not finite', got:"; cat "$T/err"; fi
newest=$(ls "$T/out/run/checkpoints" | grep '^ckpt-[0-9]*\.safetensors$' | tail -1)
[ "$newest" = "ckpt-00000005.safetensors" ] && ok "the last good checkpoint (iteration 5) is the newest" || bad "newest checkpoint: $newest"
[ "$(wc -l <"$T/out/run/log.csv")" -eq 6 ] && ok "log.csv ends at iteration 5" || bad "log.csv has $(wc -l <"$T/out/run/log.csv") lines"
train run 15 2>"$T/err2" && grep -q "resuming .*ckpt-00000005" "$T/err2" && ok "resumes from iteration 5 with the original learning rate" || { bad "resume failed"; cat "$T/err2"; }
"$TOOL" ckpt-diff "$(ck straight 15)" "$(ck run 15)" && ok "and ends bit for bit equal to an uninterrupted run" || bad "weights differ"
# from the first iteration: nothing at all is written
train fresh 15 --learning-rate 1e30 2>"$T/err3"
[ $? -eq 1 ] && grep -q "diverged at iteration 1:" "$T/err3" && ! ls "$T/out/fresh/checkpoints" | grep -q ckpt &&
    ok "diverging in iteration 1: exit 1, no checkpoint" || { bad "first-iteration divergence"; cat "$T/err3"; }

echo "test_divergence: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
