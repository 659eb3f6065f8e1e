#!/bin/sh
# Crash test: `dcgan train` killed with SIGKILL KILLS times (default 25), resumed after each
# kill; the final weights must equal an uninterrupted run's bit for bit. WRITE_KILLS of the
# kills (default half) are aimed inside a checkpoint write: the process is paused (SIGSTOP)
# again and again until its temporary checkpoint file exists, then killed there; the others
# come at random moments. A tiny model with a checkpoint every iteration (--ckpt-freq 1, each
# one fsync'ed) keeps writes frequent. A kill inside a write is counted by the killed
# process's temporary file, still there. The test fails if fewer kills than asked landed, or
# fewer inside a write (a run that finishes first fails: raise STEPS). After every kill the run
# must resume without error and without finding a damaged checkpoint. At the end: every
# tensor and the run state, log.csv (without its timing column) and every sample grid equal
# the reference's.
#
#   sh tests/crash_test.sh [KILLS [STEPS [WRITE_KILLS]]]
#                                              (BUILD=build-san for the sanitizer build;
#                                              CRASH_SEED=N repeats a sequence of sleeps;
#                                              CRASH_MAX_SLEEP=S, default 0.5)
# Each sleep before a kill is drawn between half the start-up time of the program (measured
# on the reference run: until its first checkpoint) and the start-up time plus S seconds.
# `make crash-test` runs the long variant; tests/test_crash.sh a short one inside `make test`.
BUILD=${BUILD:-build}
KILLS=${1:-25}
STEPS=${2:-1000}
WRITE_KILLS=${3:-$((KILLS / 2))}
SEED=${CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
MAXSLEEP=${CRASH_MAX_SLEEP:-0.5}
T=$(mktemp -d /tmp/dcgan-crash-XXXXXX)
trap 'rm -rf "$T"' EXIT
# private copies: a rebuild during a long run must not change the program under test
cp "$BUILD/dcgan" "$BUILD/tests/tools/testtool" "$T/" || exit 1
D="$T/dcgan"
TOOL="$T/testtool"
echo "crash test: $KILLS kills ($WRITE_KILLS inside a checkpoint write), $STEPS iterations, seed $SEED, $BUILD/dcgan"

"$TOOL" idx "$T/data/idx" 120 24 || { echo "FAIL: cannot make data"; exit 1; }
# run NAME: exec, so that in the background $! is dcgan itself
run() {
    exec "$D" train --data-dir "$T/data" --dataset idx --out-dir "$T/out" --out-name "$1" \
        --batch-size 8 --z-dim 8 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 \
        --epoch 100000 --max-steps "$STEPS" --sample-freq 7 --ckpt-freq 1 --max-to-keep 2 --threads 1 --quiet
}
start=$(date +%s)
# the reference run, timing its start-up (until the first checkpoint) on the way
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms)
(run reference 2>"$T/ref.err") &
ref=$!
# any checkpoint: with --max-to-keep 2 the first is gone two iterations later, and a poll that
# missed it timed the whole run (its kills then came too late for a fast build)
while ! ls "$T/out/reference/checkpoints" 2>/dev/null | grep -q '^ckpt-' && kill -0 $ref 2>/dev/null; do
    sleep 0.01
done
startup=$(( $(ms) - t0 ))
wait $ref || { echo "FAIL: the uninterrupted run failed:"; cat "$T/ref.err"; exit 1; }
echo "reference run: $(( $(date +%s) - start )) s, $startup ms to its first checkpoint"

# the sleeps, from the seed: from half the start-up time (some kills before any checkpoint)
# to the start-up time plus MAXSLEEP
awk -v s="$SEED" -v n=$((KILLS * 4 + 100)) -v m="$MAXSLEEP" -v st="$startup" \
    'BEGIN { srand(s); lo = st / 2000; hi = st / 1000 + m;
             for (i = 0; i < n; i++) printf "%.3f\n", lo + rand() * (hi - lo) }' >"$T/sleeps"

CK="$T/out/crashed/checkpoints"
# kill_in_write PID: pauses PID until it is inside a checkpoint write (its temporary file
# exists), then kills it there. 1 if it ended first.
ended() { [ ! -e "/proc/$1" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }
kill_in_write() {
    while ! ended "$1" && kill -STOP "$1" 2>/dev/null; do
        if ls "$CK" 2>/dev/null | grep -q "\.tmp\.$1\$"; then
            kill -KILL "$1"
            return 0
        fi
        kill -CONT "$1"
        sleep 0.002
    done
    return 1
}
kills=0; in_write=0; starts=0; fail=0; done=0
exec 3<"$T/sleeps"
while [ $kills -lt "$KILLS" ]; do
    read -r nap <&3 || break
    starts=$((starts + 1))
    (run crashed 2>"$T/start$starts.err") &
    pid=$!
    # aim inside a write while the kills left are needed for that, and every other kill
    if [ $in_write -lt "$WRITE_KILLS" ] &&
        { [ $((kills % 2)) -eq 1 ] || [ $((KILLS - kills)) -le $((WRITE_KILLS - in_write)) ]; }; then
        aimed=1
        kill_in_write $pid
        killed=$?
    else
        aimed=0
        sleep "$nap"
        ! ended $pid && kill -KILL $pid 2>/dev/null
        killed=$?
    fi
    if [ $killed -eq 0 ]; then
        wait $pid 2>/dev/null
        kills=$((kills + 1))
        tmp=$(ls "$CK" 2>/dev/null | grep "\.tmp\.$pid\$")
        [ -n "$tmp" ] && in_write=$((in_write + 1))
        last=$(ls "$CK" 2>/dev/null | grep '^ckpt-[0-9]*\.safetensors$' | tail -1)
        printf '  kill %2d %s: newest %s%s\n' $kills \
            "$([ $aimed -eq 1 ] && echo "aimed at a write" || echo "after ${nap}s")" \
            "${last:-(none yet)}" "${tmp:+, inside a checkpoint write ($tmp)}"
    else
        wait $pid
        rc=$?
        if [ $rc -eq 0 ]; then
            done=1
            echo "FAIL: the run finished before kill $((kills + 1)) of $KILLS (raise STEPS)"
            fail=1
            break
        fi
        echo "FAIL: start $starts exited with $rc (a kill left a run that cannot resume?):"
        cat "$T/start$starts.err"; fail=1; break
    fi
    if grep -q "damaged" "$T/start$starts.err"; then
        echo "FAIL: start $starts found a damaged checkpoint:"; grep damaged "$T/start$starts.err"; fail=1
    fi
done
if [ $fail -eq 0 ] && [ $done -eq 0 ]; then
    starts=$((starts + 1))
    if ! (run crashed 2>"$T/final.err"); then
        echo "FAIL: the final resume failed:"; cat "$T/final.err"; fail=1
    fi
    grep -q "damaged" "$T/final.err" && { echo "FAIL: the final resume found a damaged checkpoint"; fail=1; }
fi
if [ $fail -eq 0 ] && [ $kills -lt "$KILLS" ]; then
    echo "FAIL: $kills kills landed, $KILLS asked"
    fail=1
fi
if [ $fail -eq 0 ] && [ $in_write -lt "$WRITE_KILLS" ]; then
    echo "FAIL: $in_write kills inside a checkpoint write, $WRITE_KILLS asked"
    fail=1
fi
resumes=$(cat "$T"/start*.err "$T/final.err" 2>/dev/null | grep -c "resuming ")
cleaned=$(cat "$T"/start*.err "$T/final.err" 2>/dev/null | grep -c "temporary file")
final=$(printf 'ckpt-%08d.safetensors' "$STEPS")
if [ $fail -eq 0 ]; then
    "$TOOL" ckpt-diff "$T/out/reference/checkpoints/$final" "$CK/$final" || fail=1
    cut -d, -f1-3,5- "$T/out/reference/log.csv" >"$T/ref.csv"
    cut -d, -f1-3,5- "$T/out/crashed/log.csv" >"$T/crash.csv"
    if cmp -s "$T/ref.csv" "$T/crash.csv"; then echo "  log.csv: $(($(wc -l <"$T/ref.csv") - 1)) rows equal to the reference's (timing column aside)"
    else echo "FAIL: log.csv differs from the reference's"; diff "$T/ref.csv" "$T/crash.csv" | head -5; fail=1; fi
    nsamp=0
    for f in "$T/out/reference/samples/"*.png; do
        b=$(basename "$f")
        if cmp -s "$f" "$T/out/crashed/samples/$b"; then nsamp=$((nsamp + 1))
        else echo "FAIL: samples/$b differs or is missing"; fail=1; fi
    done
    echo "  samples: $nsamp grids byte-for-byte equal"
    left=$(ls "$CK" | grep -c '\.tmp\.')
    [ "$left" -eq 0 ] || { echo "FAIL: $left temporary files left"; fail=1; }
fi
echo "crash test: $kills SIGKILLs ($in_write inside a checkpoint write), $starts starts, $resumes resumes, $cleaned temp-file cleanups, $(( $(date +%s) - start )) s: $([ $fail -eq 0 ] && echo "PASS, final weights bit-for-bit equal" || echo FAIL)"
[ $fail -eq 0 ]
