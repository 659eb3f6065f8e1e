#!/bin/sh
# valgrind --leak-check=full on short runs of dcgan: training (image folder with loader
# threads; conditional IDX), sampling, and the ways a run ends early (divergence, SIGTERM, a
# bad image with --on-bad-image fail). Passes when no run has a memcheck error or a
# definitely/indirectly lost block. libgomp's worker threads are never joined, so their
# thread-local storage shows as "possibly lost" (336 bytes) and OpenBLAS keeps a few blocks
# "still reachable": library internals, not reported as errors.
# Needs a build without -march=native (valgrind lacks AVX-512): `make valgrind` makes one in
# build-vg/ and runs this with BUILD=build-vg. tests/valgrind-onednn.supp suppresses the
# 32-byte vector over-reads of oneDNN's JIT code (see there). Each run must also exit with the
# code it is expected to (a run that cannot start is a failure, not a pass).
BUILD=${BUILD:-build-vg}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
T=$(mktemp -d /tmp/dcgan-valgrind-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
vg() { # NAME CODE args...: one run under valgrind that must exit with CODE; prints its leak
    # and error summary
    name=$1; want=$2; shift 2
    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        --suppressions=tests/valgrind-onednn.supp --log-file="$T/$name.vg" "$D" "$@" >/dev/null 2>"$T/$name.err"
    rc=$?
    s=$(grep -E '(definitely|indirectly|possibly) lost:|ERROR SUMMARY' "$T/$name.vg" |
        sed 's/==[0-9]*== *//; s/ in [0-9]* blocks//; s/ from [0-9]* contexts.*//' | tr '\n' ';')
    if [ $rc -eq 99 ]; then echo "FAIL $name: $s"; fail=1; cat "$T/$name.vg" | head -60
    elif [ $rc -ne "$want" ] || [ -z "$s" ]; then
        echo "FAIL $name: exit $rc, want $want; summary '$s'"; fail=1
        head -5 "$T/$name.err" "$T/$name.vg"
    else echo "ok   $name (exit $rc): $s"; fi
}
"$TOOL" pngs "$T/data/pngs" 12 16 && "$TOOL" idx "$T/data/idx" 40 8 || exit 1
PNG="train --data-dir $T/data --dataset pngs --input-fname-pattern *.png --output-height 16 --batch-size 4 --z-dim 8 --gf-dim 4 --df-dim 4 --out-dir $T/out --loader-threads 2 --threads 2 --quiet"
IDX="train --data-dir $T/data --dataset idx --batch-size 4 --z-dim 8 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --out-dir $T/out --out-name idx --threads 2 --quiet"
vg train-images 0 $PNG --out-name png --max-steps 6 --sample-freq 3 --ckpt-freq 2
vg train-idx 0 $IDX --max-steps 6 --sample-freq 3 --ckpt-freq 2
vg sample-grid 0 sample --run "$T/out/idx" --labels all --grid "$T/g.png" --npy "$T/g.npy"
vg sample-files 0 sample --run "$T/out/png" -n 10 --out "$T/gen"
vg diverged 1 $IDX --max-steps 9 --learning-rate 1e30
cp -r "$T/data/pngs" "$T/data/bad"; echo junk >"$T/data/bad/zz.png"
f="$T/data/bad/img003.png"; n=$(wc -c <"$f"); head -c $((n - 300)) "$f" >"$f.x"; mv "$f.x" "$f"
vg bad-images-skip 0 $PNG --dataset bad --out-name bad --max-steps 6
vg bad-images-fail 1 $PNG --dataset bad --out-name bad2 --max-steps 6 --on-bad-image fail
(exec valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    --suppressions=tests/valgrind-onednn.supp --log-file="$T/sigterm.vg" "$D" $PNG --out-name sig --max-steps 100000 2>/dev/null) &
pid=$!
while { [ ! -f "$T/out/sig/log.csv" ] || [ "$(wc -l <"$T/out/sig/log.csv")" -lt 4 ]; } && kill -0 $pid 2>/dev/null; do sleep 0.2; done
kill -TERM $pid; wait $pid; rc=$?
s=$(grep -E '(definitely|indirectly|possibly) lost:|ERROR SUMMARY' "$T/sigterm.vg" |
    sed 's/==[0-9]*== *//; s/ in [0-9]* blocks//; s/ from [0-9]* contexts.*//' | tr '\n' ';')
if [ $rc -eq 99 ]; then echo "FAIL sigterm: $s"; fail=1
elif [ $rc -ne 143 ] || [ -z "$s" ]; then echo "FAIL sigterm: exit $rc, want 143; summary '$s'"; fail=1
else echo "ok   sigterm (exit $rc): $s"; fi
[ $fail -eq 0 ] && echo "valgrind: no errors, nothing definitely or indirectly lost" || echo "valgrind: FAILED"
[ $fail -eq 0 ]
