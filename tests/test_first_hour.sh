#!/bin/sh
# The first hour of a new user (issue 17): the reference's command line mapped onto ours, typo
# suggestions, class names in any case, where a missing data set comes from, what a resumed
# command that does not fit the run says, sample's per-image classes, visualize's outputs
# kept apart, grids, config.json and log.csv, and image formats by extension.
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
T=$(mktemp -d /tmp/dcgan-firsthour-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
. tests/cli_expect.sh

# has FILE PATTERN DESCRIPTION: FILE (stderr of the last command, say) holds PATTERN
has() {
    if grep -q -- "$2" "$1"; then echo "ok   $3"; pass=$((pass+1)); else echo "FAIL: $3"; sed 's/^/    /' "$1" | head -5; fail=$((fail+1)); fi
}
# rc_is CODE COMMAND...: the exit code alone (the command may print several lines)
rc_is() {
    want=$1; shift
    "$@" >"$T/.stdout" 2>"$T/.stderr"
    got=$?
    if [ "$got" -eq "$want" ]; then echo "ok   (exit $want) $*"; pass=$((pass+1)); else echo "FAIL (exit $got, want $want): $*"; sed 's/^/    /' "$T/.stderr" | head -5; fail=$((fail+1)); fi
}

"$TOOL" idx "$T/data/idx" 24 8 || { echo "FAIL: cannot make data"; exit 1; }
SMALL="--z-dim 4 --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 --max-steps 1 --sample-freq 0 --threads 1 --quiet"

# --- the reference's command line (point 3)
rc_is 1 "$D" --dataset mnist --input_height=28 --output_height=28 --train --data_dir "$T/data"
has "$T/.stderr" "running: dcgan train --dataset mnist --input-height 28 --output-height 28 --data-dir $T/data" "the reference's --train runs dcgan train, said as typed here"
has "$T/.stderr" "data/mnist: no such folder: put MNIST's four IDX files there" "a missing ./data/mnist says where MNIST goes"
has "$T/.stderr" "\-\-dataset fashion-mnist" "... and names Fashion-MNIST's package instead"
# shellcheck disable=SC2086
rc_is 0 "$D" --dataset=idx -data_dir "$T/data" --out_dir="$T/out" --train=True --crop=False --nocrop \
    --checkpoint_dir=checkpoint --sample_dir samples --G_img_sum --batch_size=4 $SMALL
has "$T/.stderr" "running: dcgan train --dataset idx --data-dir $T/data --out-dir $T/out --no-crop --no-crop --batch-size 4" "main.py's spellings (=value, -flag, =True/False, --noX) map onto train"
has "$T/.stderr" "\-\-checkpoint_dir: left out: a run keeps its checkpoints in OUT_DIR/OUT_NAME/checkpoints/" "--checkpoint_dir says where checkpoints go"
RUN=$(ls -d "$T"/out/idx_cond_* 2>/dev/null | head -1)
check "the reference's --train made a run folder" test -s "$RUN/checkpoints/ckpt-00000001.safetensors"
rc_is 0 "$D" --dataset idx --out_dir "$T/out" --export
has "$T/.stderr" "running: dcgan export --run $RUN --out $RUN/generator.safetensors" "--export without --train exports the run's generator"
check "--export wrote the generator" test -s "$RUN/generator.safetensors"
rc_is 0 "$D" --dataset idx --out_dir "$T/out" --freeze=true
has "$T/.stderr" "running: dcgan export --run $RUN --onnx $RUN/generator.onnx" "--freeze exports the generator as a standalone graph (ONNX)"
check "--freeze wrote the ONNX model" test -s "$RUN/generator.onnx"
rc_is 0 "$D" --dataset idx --out_dir "$T/out" --batch_size 4
has "$T/.stderr" "running: dcgan visualize --run $RUN --option 1 --batch-size 4" "test mode visualises (the reference's option 1)"
expect 2 "unknown option '--visualise'; did you mean '--visualize'?" -- "$D" --dataset idx --out_dir "$T/out" --visualise
expect 1 "no trained run of \-\-dataset celebA" -- "$D" --out_dir "$T/out" --visualize
# shellcheck disable=SC2086
"$D" train --dataset idx --data-dir "$T/data" --out-dir "$T/out" --batch-size 4 $SMALL --z-dim 5 2>/dev/null
expect 1 "2 runs of \-\-dataset idx (.*): choose one with \-\-out_name NAME" -- "$D" --dataset idx --out_dir "$T/out" --freeze
expect 2 "\-\-visualize is the reference's test mode: 'dcgan visualize" -- "$D" train --visualize
expect 2 "\-\-crop: bad value 'maybe' (expected True or False)" -- "$D" train --crop=maybe
expect 2 "\-\-progress takes no value" -- "$D" visualize --progress=True
"$TOOL" pngs "$T/data/pngs" 8 16 || { echo "FAIL: cannot make data"; exit 1; }
# shellcheck disable=SC2086
expect 0 "" -- "$D" train --dataset pngs --data-dir "$T/data" --input_fname_pattern='*.png' --crop=True --input_height=16 \
    --output-height 16 --batch-size 4 --out-dir "$T/out" --out-name crop $SMALL
has "$T/out/crop/config.json" '"crop":.*true' "train --crop=True crops"
expect 0 "" -- "$D" train --dataset pngs --data-dir "$T/data" --input-fname-pattern '*.png' --nocrop --output-height 16 \
    --batch-size 4 --out-dir "$T/out" --out-name nocrop $SMALL
has "$T/out/nocrop/config.json" '"crop":.*false' "train --nocrop does not"

# --- typos and class names (point 4)
expect 2 "unknown option '\-\-epochs'; did you mean '\-\-epoch'?" -- "$D" train --epochs 5
expect 2 "unknown option '\-\-batchsize'; did you mean '\-\-batch-size'?" -- "$D" train --batchsize 5
expect 2 "unknown option '\-\-smoth'; did you mean '\-\-smooth'?" -- "$D" plot --run x --smoth 0.5
expect 2 "unknown option '\\-\\-lables'; did you mean '\\-\\-labels'?" -- "$D" sample --run x --lables 3
expect 2 "'\-\-eval' is ambiguous: \-\-eval-every, \-\-eval-samples, \-\-eval-classifier" -- "$D" train --eval 5
expect 2 "unknown option '\-\-zzzzzz' (see" -- "$D" train --zzzzzz
expect 2 "unknown command 'trian'; did you mean 'train'?" -- "$D" trian
mkdir -p "$T/data/pets/Cat" "$T/data/pets/dog"
"$TOOL" pngs "$T/data/pets/Cat" 4 16 && "$TOOL" pngs "$T/data/pets/dog" 4 16 || { echo "FAIL: cannot make data"; exit 1; }
# shellcheck disable=SC2086
expect 0 "" -- "$D" train --dataset pets --data-dir "$T/data" --input-fname-pattern '*.png' --output-height 16 \
    --batch-size 4 --out-dir "$T/out" --out-name pets $SMALL
expect 0 "" -- "$D" sample --run "$T/out/pets" --labels CAT,Dog -n 2 --grid "$T/pets.png"
expect 2 "'do' is not a class of .* (did you mean 'dog'?); classes: Cat, dog (or 0..1)" -- "$D" sample --run "$T/out/pets" --labels do
expect 2 "'cow' is not a class of .*; classes: Cat, dog (or 0..1)" -- "$D" visualize --run "$T/out/pets" --option 0 --labels cow

# --- a resumed command that builds another model says what differs, and what fits (point 2)
R2="$T/out/fit"
# shellcheck disable=SC2086
expect 0 "" -- "$D" train --dataset idx --data-dir "$T/data" --out-dir "$T/out" --out-name fit --batch-size 4 $SMALL --gfc-dim 12 --dfc-dim 10
# shellcheck disable=SC2086
expect 1 "differs from this command's: \-\-gfc-dim 12 (this command: 8), \-\-dfc-dim 10 (this command: 8); to continue it add \-\-gfc-dim 12 \-\-dfc-dim 10, or start a new run" -- \
    "$D" train --dataset idx --data-dir "$T/data" --out-dir "$T/out" --out-name fit --batch-size 4 $SMALL --max-steps 2
# shellcheck disable=SC2086
expect 0 "" -- "$D" train --dataset idx --data-dir "$T/data" --out-dir "$T/out" --out-name fit --batch-size 4 $SMALL --gfc-dim 12 --dfc-dim 10 --max-steps 2
check "the flags it named continued the run" test -s "$R2/checkpoints/ckpt-00000002.safetensors"

# --- config.json and log.csv (point 8)
has "$R2/config.json" '"learning_rate":.0.0002,' "config.json: 0.0002 as given"
has "$R2/config.json" '"data_format":.*"idx"' "config.json: the data's format"
has "$R2/config.json" '"threads":.1,' "config.json: the thread count"
has "$R2/config.json" '"conv_backend":.*"auto"' "config.json: the convolution backend"
if grep -q 'input_fname_pattern\|"crop"\|input_height\|background\|on_bad_image' "$R2/config.json"; then
    echo "FAIL: config.json of IDX data records image-folder settings"; fail=$((fail+1))
else echo "ok   config.json of IDX data records no image-folder settings"; pass=$((pass+1)); fi
# seconds go on across the resume: never less than the row before
check "log.csv: seconds go on across a resume" awk -F, 'NR > 2 && $4 + 0 < prev { exit 1 } NR > 1 { prev = $4 + 0 }' "$R2/log.csv"
check "log.csv: batch counts from 0" awk -F, 'NR == 2 && $1 == 1 && $3 == 0 { ok = 1 } END { exit !ok }' "$R2/log.csv"
# shellcheck disable=SC2086
rc_is 0 "$D" train --dataset idx --data-dir "$T/data" --out-dir "$T/out" --out-name fit --batch-size 4 $SMALL --gfc-dim 12 --dfc-dim 10 --max-steps 3 --threads 2 --conv-backend im2col
has "$T/.stderr" "trained on 1 thread with \\-\\-device cpu; this command has 2 on cpu: it goes on, but not bit for bit" "another thread count resumes, with a warning"
has "$T/.stderr" "trained with \\-\\-conv-backend auto, this command uses im2col" "... and another --conv-backend too"
# an older run's config.json without the new keys still resumes, silently
sed -i '/"threads"\|"conv_backend"\|"device"\|"data_format"/d' "$R2/config.json"
# shellcheck disable=SC2086
rc_is 0 "$D" train --dataset idx --data-dir "$T/data" --out-dir "$T/out" --out-name fit --batch-size 4 $SMALL --gfc-dim 12 --dfc-dim 10 --max-steps 4 --threads 1
check "the resume rewrote config.json with them" grep -q '"threads"' "$R2/config.json"

# --- sample's per-image classes, grids, formats (points 5, 7, 9)
expect 0 "" -- "$D" sample --run "$R2" -n 12 --out "$T/gen"
check "sample --out names each image's class" test -f "$T/gen/sample_00003_3.png"
check "sample --out writes labels.csv" grep -qx "sample_00011_1.png,1" "$T/gen/labels.csv"
expect 0 "" -- "$D" sample --run "$T/out/pets" -n 3 --labels dog,CAT --out "$T/pets"
check "labels.csv with class names" grep -qx "sample_00001_Cat.png,Cat" "$T/pets/labels.csv"
head -1 "$T/pets/labels.csv" | grep -qx "file,class" && { echo "ok   labels.csv is a labels file (file,class)"; pass=$((pass+1)); } || { echo "FAIL: labels.csv header"; fail=$((fail+1)); }
expect 0 "" -- "$D" sample --run "$R2" --labels all --grid "$T/grid.png" --scale 2
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }
# 8 columns of 28x28 cells, 2 px gaps, x2; 10 rows; a margin on the left for the names
sz=$(png_size "$T/grid.png")
w=${sz%x*}; h=${sz#*x}
[ "$h" -eq $(( (10 * 30 - 2) * 2 )) ] && [ "$w" -gt $(( (8 * 30 - 2) * 2 )) ] && { echo "ok   --labels all grid: x2 cells, gaps, a name margin ($sz)"; pass=$((pass+1)); } || { echo "FAIL: grid size $sz"; fail=$((fail+1)); }
expect 0 "" -- "$D" sample --run "$R2" -n 4 --grid "$T/grid.JPG"
check "--grid x.JPG writes JPEG" sh -c "head -c 3 '$T/grid.JPG' | od -An -tx1 | grep -q 'ff d8 ff'"
expect 2 "\-\-grid: '$T/x.gif': write .png or .jpg" -- "$D" sample --run "$R2" --grid "$T/x.gif"
expect 2 "\-\-out: 'p.bmp': write .png or .jpg" -- "$D" plot --run "$R2" --out p.bmp
expect 0 "" -- "$D" plot --run "$R2" --out "$T/plot.jpg"
check "plot --out x.jpg writes JPEG" sh -c "head -c 3 '$T/plot.jpg' | od -An -tx1 | grep -q 'ff d8 ff'"
# training's grids: enlarged (28 -> 84) with 2 px gaps, 8 per row, a row per class
# shellcheck disable=SC2086
expect 0 "" -- "$D" train --dataset idx --data-dir "$T/data" --out-dir "$T/out" --out-name grids --batch-size 4 $SMALL --sample-freq 1
sz=$(png_size "$T/out/grids/samples/train_00000001.png")
[ "$sz" = "$(( 8 * 84 + 7 * 2 ))x$(( 10 * 84 + 9 * 2 ))" ] && { echo "ok   training grid $sz"; pass=$((pass+1)); } || { echo "FAIL: training grid $sz"; fail=$((fail+1)); }
[ "$(png_size "$T/out/grids/samples/real.png")" = "$sz" ] && { echo "ok   real.png in the same layout"; pass=$((pass+1)); } || { echo "FAIL: real.png $(png_size "$T/out/grids/samples/real.png")"; fail=$((fail+1)); }
expect 0 "" -- "$D" arithmetic --run "$R2" --sheet -n 4 --labels 3 --out "$T/ar"
expect 0 "" -- "$D" arithmetic --run "$R2" --sheet -n 4 --label 3 --out "$T/ar"

# --- visualize: each option and its settings in a folder of its own (point 6)
V="$R2/visualize"
expect 0 "" -- "$D" visualize --run "$R2" --option 3 --batch-size 4 --dims 0,1
expect 0 "" -- "$D" visualize --run "$R2" --option 4 --batch-size 4 --dims 0,1
check "option 3 and option 4 apart" test -f "$V/option3_it4_b4_dims-0+1/test_gif_0.gif" -a -f "$V/option4_it4_b4_dims-0+1/test_gif_0.gif" -a -f "$V/option4_it4_b4_dims-0+1/test_gif_merged.gif"
expect 0 "" -- "$D" visualize --run "$R2" --option 1 --batch-size 4 --dims 3
cp "$V/option1_it4_b4_dims-3/test_arange_3.png" "$T/arange_before.png"
expect 0 "" -- "$D" visualize --run "$R2" --option 1 --batch-size 4 --dims 3 --base random --seed 5
check "another --base writes elsewhere" test -f "$V/option1_it4_b4_seed5_base-random_dims-3/test_arange_3.png"
check "... and leaves the first one's file as it was" cmp -s "$T/arange_before.png" "$V/option1_it4_b4_dims-3/test_arange_3.png"
expect 0 "" -- "$D" visualize --run "$R2" --option 0 --batch-size 4 --out "$T/vis"
check "--out DIR: the files in DIR itself" test -f "$T/vis/test_seed1.png"

# --- every --help ends with examples, whose flags its option list names (point 9)
for c in train sample visualize interpolate arithmetic nearest plot eval classifier features export bench; do
    "$D" "$c" --help >"$T/help.txt" 2>&1
    sed '/^examples:/,$d' "$T/help.txt" >"$T/options.txt"
    sed -n '/^examples:/,$p' "$T/help.txt" | grep "^  dcgan $c" >"$T/examples.txt"
    check "$c --help has examples" test -s "$T/examples.txt"
    for w in $(tr ' ' '\n' <"$T/examples.txt" | grep '^-'); do
        grep -q -- "$w\b" "$T/options.txt" || { echo "FAIL: $c --help's example uses $w, which its options do not list"; fail=$((fail+1)); }
    done
done
"$D" --help | grep -q "^  dcgan train --dataset fashion-mnist --epoch 5" && { echo "ok   dcgan --help has examples"; pass=$((pass+1)); } || { echo "FAIL: dcgan --help lacks examples"; fail=$((fail+1)); }

echo "test_first_hour: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
