#!/bin/sh
# The command line as a user meets it: exit codes (0 ok, 1 runtime error, 2 usage error),
# one-line errors naming the flag or file, --help everywhere, the snake_case aliases, and a
# small train -> sample round trip on Fashion-MNIST (installed by scripts/install-deps).
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
T=$(mktemp -d /tmp/dcgan-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

. tests/cli_expect.sh

expect 2 "missing command" -- "$D"
expect 2 "unknown command 'bogus'" -- "$D" bogus
expect 0 "" -- "$D" --help
expect 0 "" -- "$D" train --help
expect 0 "" -- "$D" sample --help
expect 2 "unknown option '--bogus'" -- "$D" train --bogus
expect 2 "\-\-batch-size: bad value 'abc'" -- "$D" train --batch-size abc
expect 2 "\-\-batch-size: bad value '0'" -- "$D" train --batch_size 0
expect 2 "\-\-learning-rate: bad value 'nan'" -- "$D" train --learning-rate nan
expect 2 "\-\-z-dist: bad value 'gauss'" -- "$D" train --z-dist gauss
expect 2 "\-\-epoch needs a value" -- "$D" train --epoch
expect 2 "\-\-output-height: bad value '-5'" -- "$D" train --output-height -5
expect 2 "\-\-output-height/\-\-output-width 8x8: must be 16" -- "$D" train --no-conditional --output-height 8
expect 2 "\-\-out-name: bad value 'a/b'" -- "$D" train --out-name a/b
expect 2 "unexpected argument 'extra'" -- "$D" train extra
expect 2 "\-\-conv-backend: bad value 'cuda'" -- "$D" train --conv-backend cuda
expect 2 "\-\-conv-backend: bad value 'x'" -- "$D" bench --conv_backend x
# --precision bf16: refused where it cannot run, before any data is read (whatever the CPU)
expect 2 "\-\-precision: bad value 'fp16' (expected fp32 or bf16)" -- "$D" train --precision fp16
expect 2 "\-\-precision bf16 needs oneDNN's convolutions, not \-\-conv-backend im2col" -- "$D" train --precision bf16 --conv-backend im2col
expect 2 "\-\-precision bf16: only the CPU backend computes in bf16, not \-\-device cuda" -- "$D" bench --precision=bf16 --device cuda
expect 2 "\-\-precision bf16: this CPU has no bf16 instructions" -- env DNNL_MAX_CPU_ISA=AVX512_CORE "$D" train --precision bf16
expect 2 "\-\-precision bf16: this CPU has no bf16 instructions" -- env DNNL_MAX_CPU_ISA=AVX2 "$D" bench --precision bf16
expect 0 "" -- "$D" bench --help
expect 2 "\-\-cond-concat: bad value 'middle' (expected all, input, g-layers or d-layers)" -- "$D" train --cond-concat middle
expect 2 "\-\-cond-concat: bad value 'x'" -- "$D" train --cond_concat x
expect 2 "\-\-cond-concat: only the conditional model takes a label" -- "$D" train --no-conditional --cond-concat input
expect 2 "\-\-cond-concat: only the conditional model takes a label" -- "$D" train --cond-concat all --no-conditional
"$D" train --help | grep -q "^  --cond-concat all|input|g-layers|d-layers" && { echo "ok   train --help lists --cond-concat"; pass=$((pass+1)); } || { echo "FAIL: train --help lacks --cond-concat"; fail=$((fail+1)); }
# every flag with a value, given a bad one: usage error (2) naming the flag
long=$(printf '%01100d' 0)
while read -r flag value; do
    [ -z "$flag" ] && continue
    [ "$value" = LONG ] && value=$long
    expect 2 "\\$flag: " -- "$D" train "$flag" "$value"
done <<'FLAGS'
--dataset LONG
--data-dir LONG
--input-fname-pattern LONG
--epoch 0
--epoch 1e3
--train-size 0
--train-size -3
--batch-size 65537
--learning-rate -1
--learning-rate inf
--learning-rate 1e39
--beta1 1
--beta1 -0.1
--input-height 0
--input-width x
--output-height 8193
--output-width 0
--z-dim 0
--z-dim 100001
--z-dist uniform
--gf-dim 0
--df-dim 4097
--gfc-dim 0
--dfc-dim -1
--c-dim 2
--out-dir LONG
--out-name ..
--sample-freq -1
--ckpt-freq x
--max-to-keep 0
--max-steps 0
--seed -1
--seed 99999999999999999999999
--threads 0
--loader-threads 65
--background 1,2
--background 1,2,256
--on-bad-image ignore
--cond-concat layers
FLAGS
expect 2 "\-n: bad value '0'" -- "$D" sample --run "$T" -n 0
expect 2 "\-\-cols: bad value 'x'" -- "$D" sample --run "$T" --cols x
expect 2 "\-\-seed: bad value 'abc'" -- "$D" sample --run "$T" --seed abc
expect 2 "\-\-z-dist: bad value 'flat'" -- "$D" sample --run "$T" --z-dist flat
expect 2 "\-\-grid needs a value" -- "$D" sample --run "$T" --grid
expect 2 "unknown option '--bogus'" -- "$D" sample --bogus
expect 1 "$T/nodata/celebA: no such folder" -- "$D" train --data-dir "$T/nodata"
expect 1 "$T/nodata/celebA: no such folder" -- "$D" train --data_dir "$T/nodata" --batch_size 8
mkdir -p "$T/data/empty"
expect 1 "no files match" -- "$D" train --data-dir "$T/data" --dataset empty
expect 2 "give exactly one of" -- "$D" sample
expect 1 "$T/none.safetensors" -- "$D" sample --checkpoint "$T/none.safetensors"
printf 'garbage' >"$T/bad.safetensors"
expect 1 "$T/bad.safetensors" -- "$D" sample --checkpoint "$T/bad.safetensors"
expect 1 "no checkpoints folder" -- "$D" sample --run "$T"

# --device: its spelling is a usage error (2) before anything is opened; a device the build or
# the machine lacks is a one-line runtime error naming it (1); cpu is the default
expect 2 "\-\-device: bad value 'bogus' (expected cpu, cuda or cuda:N)" -- "$D" sample --run "$T" --device bogus
expect 2 "\-\-device: bad value 'cuda:x' (expected cpu, cuda or cuda:N)" -- "$D" sample --run "$T" --device cuda:x
expect 2 "\-\-device: bad value 'cuda:'" -- "$D" sample --run "$T" --device cuda:
expect 2 "\-\-device: bad value 'cuda:-1'" -- "$D" sample --run "$T" --device cuda:-1
expect 2 "\-\-device: bad value 'CPU'" -- "$D" sample --run "$T" --device CPU
expect 2 "\-\-device needs a value" -- "$D" sample --run "$T" --device
"$D" sample --help | grep -q "^  --device D " && { echo "ok   sample --help lists --device"; pass=$((pass+1)); } || { echo "FAIL: sample --help lacks --device"; fail=$((fail+1)); }
TOOL="$BUILD/tests/tools/testtool"
"$TOOL" idx "$T/data/idx" 20 8 || { echo "FAIL: cannot make data"; exit 1; }
expect 0 "" -- "$D" train --data-dir "$T/data" --dataset idx --out-dir "$T/out" --out-name tiny --batch-size 4 \
    --z-dim 4 --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 --max-steps 1 --sample-freq 0 --threads 1 --quiet
TR="$T/out/tiny"
expect 0 "" -- "$D" sample --run "$TR" -n 4 --grid "$T/dev0.png" --npy "$T/dev0.npy"
expect 0 "" -- "$D" sample --run "$TR" -n 4 --grid "$T/dev1.png" --npy "$T/dev1.npy" --device cpu
cmp -s "$T/dev0.npy" "$T/dev1.npy" && { echo "ok   --device cpu samples as the default does"; pass=$((pass+1)); } || { echo "FAIL: --device cpu differs from the default"; fail=$((fail+1)); }
expect 1 "device 'cuda:99': " -- "$D" sample --run "$TR" -n 4 --grid "$T/dev2.png" --device cuda:99
expect 1 "device 'cuda:99': " -- "$D" sample --checkpoint "$TR/checkpoints/ckpt-00000001.safetensors" --device cuda:99
# plain cuda: a one-line error in a build without CUDA (or on a machine without a GPU); a CUDA
# build on a GPU samples
if "$D" sample --run "$TR" -n 4 --grid "$T/dev3.png" --device cuda >/dev/null 2>&1 && [ -s "$T/dev3.png" ]; then
    echo "ok   sample --device cuda (a CUDA build on a GPU)"; pass=$((pass+1))
else
    expect 1 "device 'cuda': " -- "$D" sample --run "$TR" -n 4 --grid "$T/dev3.png" --device cuda
    [ -e "$T/dev3.png" ] && { echo "FAIL: $T/dev3.png written by a failed --device cuda"; fail=$((fail+1)); }
fi

# --cond-concat is part of the model: a default run folder of its own, which sample rebuilds;
# resuming with another placement is refused; unlabelled data (no conditional model) refuses it
expect 0 "" -- "$D" train --data-dir "$T/data" --dataset idx --out-dir "$T/out" --batch-size 4 --z-dim 4 \
    --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 --max-steps 1 --sample-freq 0 --threads 1 --quiet --cond-concat input
CCN=idx_cond_b4_28x28x1_z4_gf2_df2_gfc8_dfc8_cc-input
grep -q '"cond_concat":.*"input"' "$T/out/$CCN/config.json" && { echo "ok   $CCN/config.json says input"; pass=$((pass+1)); } || { echo "FAIL: $CCN/config.json lacks cond_concat input"; fail=$((fail+1)); }
expect 0 "" -- "$D" sample --run "$T/out/$CCN" -n 2 --labels 1 --grid "$T/cc.png"
expect 1 "\-\-cond-concat input (this command: g-layers); to continue it add \-\-cond-concat input," -- "$D" train --data-dir "$T/data" \
    --dataset idx --out-dir "$T/out" --out-name "$CCN" --batch-size 4 --z-dim 4 --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 \
    --max-steps 2 --sample-freq 0 --threads 1 --quiet --cond-concat g-layers
"$TOOL" pngs "$T/data/pngs" 8 16 || { echo "FAIL: cannot make data"; exit 1; }
expect 2 "pngs: \-\-cond-concat: only the conditional model takes a label, and this data has none" -- "$D" train \
    --data-dir "$T/data" --dataset pngs --input-fname-pattern '*.png' --output-height 16 --batch-size 4 --out-dir "$T/out" \
    --quiet --cond-concat d-layers
ls "$T/out" | grep -q "^pngs" && { echo "FAIL: the refused run made its folder"; fail=$((fail+1)); }

if [ -d /usr/share/datasets/fashion-mnist ]; then
    O="$T/out"
    expect 0 "" -- "$D" train --dataset fashion-mnist --data-dir "$T/data" --out-dir "$O" --out-name fm \
        --batch-size 16 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 3 --sample-freq 2 --quiet
    R="$O/fm"
    for f in config.json log.csv samples/train_00000002.png samples/train_00000003.png checkpoints/ckpt-00000003.safetensors; do
        if [ -s "$R/$f" ]; then echo "ok   $R/$f written"; pass=$((pass+1)); else echo "FAIL: $R/$f missing"; fail=$((fail+1)); fi
    done
    expect 0 "" -- "$D" sample --run "$R" -n 5 --out "$T/gen"
    n=$(ls "$T/gen" | grep -c '^sample_.*\.png$')
    if [ "$n" -eq 5 ]; then echo "ok   5 PNGs from sample -n 5"; pass=$((pass+1)); else echo "FAIL: $n PNGs"; fail=$((fail+1)); fi
    expect 0 "" -- "$D" sample --run "$R" --labels all --grid "$T/grid.png" --npy "$T/g.npy"
    expect 0 "" -- "$D" sample --run "$R" --labels sandal,3 -n 4 --grid "$T/g2.png"
    # the portable backend trains the same run further (3 -> 4 iterations)
    expect 0 "" -- "$D" train --dataset fashion-mnist --data-dir "$T/data" --out-dir "$O" --out-name fm \
        --batch-size 16 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 4 --quiet --conv-backend im2col
    expect 2 "\-\-labels: 'cat' is not a class" -- "$D" sample --run "$R" --labels cat
    # the data position counts items: another batch size continues the run, said once
    expect 0 "global batch of 16 (1 rank x 16); continuing with 8" -- "$D" train --dataset fashion-mnist --data-dir "$T/data" --out-dir "$O" --out-name fm \
        --batch-size 8 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 4 --quiet
    expect 1 "differs from this command's: \-\-gf-dim 4 (this command: 8); to continue it add \-\-gf-dim 4," -- "$D" train --dataset fashion-mnist --data-dir "$T/data" --out-dir "$O" --out-name fm \
        --batch-size 16 --gf-dim 8 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 4 --quiet
    expect 1 "trained with --seed 1, this command has --seed 2" -- "$D" train --dataset fashion-mnist --data-dir "$T/data" --out-dir "$O" --out-name fm \
        --batch-size 16 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 4 --quiet --seed 2
    expect 1 "$T/none.npy: cannot open" -- "$D" sample --run "$R" --z "$T/none.npy"
    printf 'garbage' >"$T/bad.npy"
    expect 1 "$T/bad.npy: not a .npy file" -- "$D" sample --run "$R" --z "$T/bad.npy"
    expect 1 "$T/no/such/dir/g.png: cannot create" -- "$D" sample --run "$R" --grid "$T/no/such/dir/g.png"
    expect 1 "$T/no/such/dir/x.npy: cannot create" -- "$D" sample --run "$R" --npy "$T/no/such/dir/x.npy"
    newest=$(ls "$R"/checkpoints/ckpt-*.safetensors | tail -1)
    head -c 1000 "$newest" >"$T/trunc.safetensors"
    expect 1 "$T/trunc.safetensors" -- "$D" sample --checkpoint "$T/trunc.safetensors"
    # one run folder, one trainer: a second is refused while the first runs
    "$D" train --dataset fashion-mnist --data-dir "$T/data" --out-dir "$O" --out-name locked \
        --batch-size 16 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 100000 \
        --sample-freq 0 --ckpt-freq 0 --quiet >/dev/null 2>&1 &
    first=$!
    i=0
    while [ $i -lt 300 ] && ! [ -s "$O/locked/log.csv" ]; do sleep 0.1; i=$((i+1)); done
    expect 1 "another dcgan train is using this run folder" -- "$D" train --dataset fashion-mnist --data-dir "$T/data" \
        --out-dir "$O" --out-name locked --batch-size 16 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 5 --quiet
    kill -TERM $first; wait $first
    # --precision bf16 is recorded in config.json and the checkpoint; another precision resumes
    # the run (fp32 master weights either way), said once
    if grep -q avx512_bf16 /proc/cpuinfo; then
        expect 0 "" -- "$D" train --dataset fashion-mnist --data-dir "$T/data" --out-dir "$O" --out-name fm16 \
            --batch-size 16 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 2 --quiet --precision bf16
        check "config.json: precision bf16" grep -q '"precision":.*"bf16"' "$O/fm16/config.json"
        check "the checkpoint records precision bf16" grep -aq 'precision[^,]*bf16' "$O/fm16/checkpoints/ckpt-00000002.safetensors"
        expect 0 "trained with \-\-precision bf16, this command uses fp32: the weights are kept in fp32" -- \
            "$D" train --dataset fashion-mnist --data-dir "$T/data" --out-dir "$O" --out-name fm16 \
            --batch-size 16 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 3 --quiet
        check "config.json: precision fp32 after the fp32 resume" grep -q '"precision":.*"fp32"' "$O/fm16/config.json"
        expect 0 "" -- "$D" sample --run "$O/fm16" -n 2 --out "$T/gen16"
    else
        echo "skip: --precision bf16 runs (this CPU has no avx512_bf16)"
    fi
else
    echo "skip: /usr/share/datasets/fashion-mnist not installed (scripts/install-deps installs it)"
fi

echo "test_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
