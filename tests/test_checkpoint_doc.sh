#!/bin/sh
# docs/checkpoints.md's Python loader, its code blocks as they stand in the file, against
# 'dcgan sample' on small checkpoints of each kind: conditional (the reference's placement and
# --cond-concat input), unconditional (28x28 and an odd-sized 20x20 colour one, with --g-ema),
# and an exported generator. numpy only: Debian's python3-numpy (scripts/install-deps).
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
PY=${PYTHON:-/usr/bin/python3}
if ! "$PY" -c "import numpy" 2>/dev/null; then
    echo "SKIP: $PY has no numpy (scripts/install-deps installs python3-numpy)"
    exit 0
fi
T=$(mktemp -d /tmp/dcgan-ckdoc-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
. tests/cli_expect.sh

"$TOOL" idx "$T/data/idx" 24 8 && "$TOOL" pngs "$T/data/pngs" 8 20 || { echo "FAIL: cannot make data"; exit 1; }
SMALL="--z-dim 5 --gf-dim 3 --df-dim 2 --gfc-dim 7 --dfc-dim 6 --batch-size 4 --max-steps 2 --sample-freq 0 --threads 1 --quiet"
# shellcheck disable=SC2086
train() { name=$1; shift; expect 0 "" -- "$D" train --data-dir "$T/data" --out-dir "$T/out" --out-name "$name" $SMALL "$@"; }
train cond --dataset idx
train cond_input --dataset idx --cond-concat input
train uncond --dataset idx --no-conditional --g-ema 0.9
train colour --dataset pngs --input-fname-pattern '*.png' --output-height 20 --c-dim 3
expect 0 "" -- "$D" export --run "$T/out/cond" --out "$T/cond_G.safetensors"
"$PY" -c "import numpy as np; np.save('$T/z.npy', np.random.default_rng(3).uniform(-1, 1, (12, 5)).astype(np.float32))"

# compare NAME CHECKPOINT [LABELS] [--example]
compare() {
    name=$1 ck=$2 labels=$3; shift 3
    if [ -n "$labels" ]; then
        "$D" sample --checkpoint "$ck" --z "$T/z.npy" --labels "$labels" --npy "$T/$name.npy" 2>/dev/null
    else
        "$D" sample --checkpoint "$ck" --z "$T/z.npy" --npy "$T/$name.npy" 2>/dev/null
    fi
    # shellcheck disable=SC2086
    check "docs loader = dcgan sample: $name" "$PY" tests/reference/check_checkpoint.py "$ck" "$T/z.npy" "$T/$name.npy" $labels "$@"
}
compare cond "$T/out/cond/checkpoints/ckpt-00000002.safetensors" 3,0,9,9 --example
compare cond_input "$T/out/cond_input/checkpoints/ckpt-00000002.safetensors" ""
compare uncond_ema "$T/out/uncond/checkpoints/ckpt-00000002.safetensors" ""
compare colour_20x20 "$T/out/colour/checkpoints/ckpt-00000002.safetensors" ""
compare exported "$T/cond_G.safetensors" 1,2

# a damaged file is refused by the doc's loader (its checksum), not read
cp "$T/out/cond/checkpoints/ckpt-00000002.safetensors" "$T/bad.safetensors"
"$TOOL" flip "$T/bad.safetensors" 4000 2>/dev/null
if "$PY" tests/reference/check_checkpoint.py "$T/bad.safetensors" "$T/z.npy" "$T/cond.npy" 2>&1 | grep -q "damaged (checksum mismatch)"; then
    echo "ok   the docs loader refuses a damaged file"; pass=$((pass+1))
else
    echo "FAIL: the docs loader read a damaged file"; fail=$((fail+1))
fi
echo "test_checkpoint_doc: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
