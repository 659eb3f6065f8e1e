#!/bin/sh
# dcgan features as a user meets it: --help, one-line usage errors (exit 2) naming the flag, a
# conditional model and a generator-only export refused with a reason, a missing data folder
# (exit 1), and a small end-to-end run (a 2-iteration unconditional model, a tiny synthetic
# IDX set and CIFAR-10-format set) whose table and JSON have every row.
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
T=$(mktemp -d /tmp/dcgan-featcli-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

. tests/cli_expect.sh

expect 0 "" -- "$D" features --help
check "dcgan --help lists features" sh -c "\"$D\" --help | grep -q '^  features '"
expect 2 "give exactly one of --run DIR, --checkpoint FILE and --random-d" -- "$D" features --dataset x
expect 2 "give exactly one of" -- "$D" features --run a --random-d --dataset x
expect 2 "\-\-dataset is required" -- "$D" features --random-d
expect 2 "\-\-draws: bad value '-1'" -- "$D" features --random-d --dataset x --draws -1
expect 2 "\-\-labels-per-class: bad value '0'" -- "$D" features --random-d --dataset x --labels-per-class 0
expect 2 "\-\-c-grid: values must ascend" -- "$D" features --random-d --dataset x --c-grid 1,0.1
expect 2 "\-\-c-grid: bad value 'abc'" -- "$D" features --random-d --dataset x --c-grid 0.1,abc
expect 2 "\-\-solver: bad value 'newton'" -- "$D" features --random-d --dataset x --solver newton
expect 2 "\-\-rows: bad value 'gan'" -- "$D" features --random-d --dataset x --rows pixels,gan
expect 2 "\-\-rows trained needs --run or --checkpoint" -- "$D" features --random-d --dataset x --rows trained
expect 2 "\-\-df-dim is for --random-d" -- "$D" features --run x --dataset x --df-dim 8
expect 2 "\-\-device: bad value 'gpu'" -- "$D" features --random-d --dataset x --device gpu
expect 2 "unexpected argument 'extra'" -- "$D" features --random-d --dataset x extra
expect 1 "$T/nodata/none: no such folder" -- "$D" features --random-d --data-dir "$T/nodata" --dataset none
expect 1 "$T/none: no checkpoints folder" -- "$D" features --run "$T/none" --data-dir "$T/data" --dataset idx

"$TOOL" idx "$T/data/idx" 60 40 || { echo "FAIL: cannot make data"; exit 1; }
mkdir -p "$T/data/empty"
expect 1 "neither MNIST-format IDX files" -- "$D" features --random-d --data-dir "$T/data" --dataset empty
TINY="--batch-size 4 --z-dim 4 --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 --max-steps 2 --sample-freq 0 --threads 1 --quiet --no-tensorboard"
# the labelled set trains the conditional model by default: its D needs a label
expect 0 "" -- "$D" train --data-dir "$T/data" --dataset idx --out-dir "$T/out" --out-name cond $TINY
expect 2 "a conditional model (10 classes): its D needs a label" -- "$D" features --run "$T/out/cond" --data-dir "$T/data" --dataset idx
expect 0 "" -- "$D" train --data-dir "$T/data" --dataset idx --out-dir "$T/out" --out-name uncond --no-conditional $TINY
expect 0 "" -- "$D" export --run "$T/out/uncond" --out "$T/g.safetensors"
expect 2 "holds the generator alone" -- "$D" features --checkpoint "$T/g.safetensors" --data-dir "$T/data" --dataset idx

# end to end: 4 per class, 2 draws, every row (the tiny set has a few of each class)
FEW="--labels-per-class 2 --draws 2 --c-grid 0.01,1 --threads 1 --quiet"
expect 0 "" -- "$D" features --run "$T/out/uncond" --data-dir "$T/data" --dataset idx $FEW
cp "$T/.stdout" "$T/table.txt"
for row in "trained D" "raw pixels" "random D"; do
    check "the table has a '$row' row" grep -q "^$row " "$T/table.txt"
done
expect 0 "" -- "$D" features --run "$T/out/uncond" --data-dir "$T/data" --dataset idx $FEW --json --rows pixels
check "--json: one line with the pixels row" sh -c "grep -c '\"features\":\"pixels\"' \"$T/.stdout\" | grep -qx 1"
check "--json: 784 raw-pixel features" grep -q '"dim":784' "$T/.stdout"
# the random D's width on its own, and CIFAR-10's format (32x32 RGB) beside a 28x28 model
expect 0 "" -- "$D" features --random-d --df-dim 2 --data-dir "$T/data" --dataset idx $FEW --rows random
if [ "$pass" -gt 0 ]; then
    mkdir -p "$T/data/cifar"
    for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
        for k in 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9; do
            printf "\\$(printf '%03o' "$k")"; head -c 3072 /dev/urandom
        done >"$T/data/cifar/$f.bin"
    done
    expect 2 "images are 32x32x3 (HxWxC), but the model" -- "$D" features --run "$T/out/uncond" --data-dir "$T/data" --dataset cifar
    expect 0 "" -- "$D" features --random-d --df-dim 2 --data-dir "$T/data" --dataset cifar $FEW
    check "CIFAR-10: 100 training, 20 test items" grep -q "100 training, 20 test items" "$T/.stdout"
    head -c 3000 /dev/zero >>"$T/data/cifar/data_batch_2.bin"
    expect 1 "data_batch_2.bin: 64460 bytes is not a whole number of 3073-byte records" -- "$D" features --random-d --data-dir "$T/data" --dataset "$T/data/cifar"
fi

echo "test_features_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
