#!/bin/sh
# Data-parallel throughput on this machine (issue 11): the 64x64 model, global batch 64,
#   A  1 process, 1 thread            (batch 64)
#   B  mpirun -np 2, 1 thread each    (batch 32 per rank)
#   C  1 process, 2 threads           (batch 64)
#   D  as B with --no-sync-bn         (how much of B's communication is batch norm's)
#   E  as B with --grad-bucket-mb 0   (gradients all-reduced after the backward pass, not
#                                      during it)
# alternated round by round; per configuration the median seconds per iteration (from
# log.csv, the first iteration left out as warm-up), images per second, and for B and D the
# time spent in MPI collectives per iteration (the run's own report). Prints a table and a
# JSON line per configuration. Nothing is asserted.
#
# usage: bench/mpi.sh [ROUNDS (3)] [ITERATIONS (8)]
# MPIRUN_ARGS: more mpirun options, e.g. "--mca btl self,tcp --mca btl_tcp_if_include lo"
set -e
ROUNDS=${1:-3}
ITERS=${2:-8}
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
[ -x "$D" ] && [ -x "$TOOL" ] || { echo "bench/mpi.sh: run 'make tests' first" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "bench/mpi.sh: no mpirun (openmpi-bin)" >&2; exit 1; }
T=$(mktemp -d /tmp/dcgan-bench-mpi-XXXXXX)
trap 'rm -rf "$T"' EXIT
"$TOOL" pngs "$T/data/px" 512 64
MPIRUN="mpirun --allow-run-as-root --oversubscribe --bind-to core ${MPIRUN_ARGS:-}"

run() { # run CONFIG ROUND
    cfg=$1 out="$T/out" name="$1_$2"
    set -- train --data-dir "$T/data" --dataset px --input-fname-pattern '*.png' --output-height 64 \
        --out-dir "$out" --out-name "$name" --max-steps "$ITERS" --epoch 1000 --sample-freq 0 \
        --ckpt-freq 0 --no-tensorboard --quiet --loader-threads 1
    case $cfg in
    A) OMP_NUM_THREADS=1 "$D" "$@" --batch-size 64 --threads 1 ;;
    B) $MPIRUN -np 2 "$D" "$@" --batch-size 32 --threads 1 ;;
    C) "$D" "$@" --batch-size 64 --threads 2 ;;
    D) $MPIRUN -np 2 "$D" "$@" --batch-size 32 --threads 1 --no-sync-bn ;;
    E) $MPIRUN -np 2 "$D" "$@" --batch-size 32 --threads 1 --grad-bucket-mb 0 ;;
    esac 2>"$T/$name.err" || { cat "$T/$name.err" >&2; exit 1; }
    # seconds per iteration over iterations 2..ITERS
    awk -F, 'NR == 2 { t1 = $4 } END { printf "%.4f", ($4 - t1) / (NR - 2) }' "$out/$name/log.csv" >"$T/$name.sec"
    sed -n 's/.*ranks: \([0-9.]*\) ms of.*/\1/p' "$T/$name.err" >"$T/$name.comm"
}

for r in $(seq 1 "$ROUNDS"); do
    for c in A B C D E; do run $c "$r"; done
    echo "round $r/$ROUNDS done" >&2
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-36s %10s %10s %10s %14s\n' configuration s/iter img/s "vs A" "comm ms/iter"
a=$(for f in "$T"/A_*.sec; do cat "$f"; echo; done | median)
for c in A B C D E; do
    s=$(for f in "$T"/${c}_*.sec; do cat "$f"; echo; done | median)
    comm=$(for f in "$T"/${c}_*.comm; do cat "$f"; done | median)
    case $c in
    A) what="1 process, 1 thread" ;;
    B) what="2 ranks x 1 thread (sync BN)" ;;
    C) what="1 process, 2 threads" ;;
    D) what="2 ranks x 1 thread, --no-sync-bn" ;;
    E) what="2 ranks x 1 thread, no overlap" ;;
    esac
    printf '%-36s %10.3f %10.1f %10.2f %14s\n' "$what" "$s" "$(awk -v s="$s" 'BEGIN { print 64 / s }')" \
        "$(awk -v s="$s" -v a="$a" 'BEGIN { print a / s }')" "${comm:--}"
    printf '{"config":"%s","what":"%s","sec_per_iter":%s,"comm_ms_per_iter":%s,"rounds":%s,"iters":%s}\n' \
        "$c" "$what" "$s" "${comm:-null}" "$ROUNDS" "$ITERS" >>"$T/json"
done
cat "$T/json"
