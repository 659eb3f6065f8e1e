#!/bin/sh
# The recipe options as a user meets them: bad values and combinations refused in one line
# (exit 2), each departure recorded in config.json and the run folder's name, a resume or a
# sampler with other model-changing settings refused naming both (exit 1), the average of G
# stored beside it in checkpoints and used by sample and export alike.
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
T=$(mktemp -d /tmp/dcgan-recipe-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

. tests/cli_expect.sh

"$TOOL" idx "$T/data/idx" 60 40 || { echo "FAIL: cannot make data"; exit 1; }
TINY="--data-dir $T/data --dataset idx --out-dir $T/out --batch-size 4 --z-dim 4 --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 --sample-freq 0 --threads 1 --quiet --no-tensorboard"

expect 2 "\-\-loss: bad value 'wasserstein' (expected bce or hinge)" -- "$D" train $TINY --loss wasserstein
expect 2 "\-\-g-ema: bad value '1'" -- "$D" train $TINY --g-ema 1
expect 2 "\-\-label-smoothing: bad value '0.7'" -- "$D" train $TINY --label-smoothing 0.7
expect 2 "\-\-label-smoothing: the hinge loss has no target to smooth" -- "$D" train $TINY --loss hinge --label-smoothing 0.1
expect 2 "\-\-d-first-channels 8: only the conditional model's D has that layer" -- "$D" train $TINY --no-conditional --d-first-channels 8
expect 2 "\-\-d-learning-rate: bad value 'fast'" -- "$D" train $TINY --d-learning-rate fast
check "train --help lists the departures" sh -c "\"$D\" train --help | grep -q -- '--spectral-norm'"

# every departure at once: the model trains, config.json and the folder name say so
ALL="--spectral-norm --loss hinge --g-ema 0.9 --d-learning-rate 0.0004 --g-learning-rate 0.0001 --d-first-channels 6"
expect 0 "" -- "$D" train $TINY $ALL --max-steps 3
R=$(ls -d "$T"/out/idx_cond_*_sn_hinge_ema0.9_dlr0.0004_glr0.0001_d0c6 2>/dev/null)
check "the run folder is named by its departures" test -d "$R"
for kv in '"recipe":	"custom"' '"loss":	"hinge"' '"g_ema":	0.9' '"spectral_norm":	true' \
          '"d_learning_rate":	0.0004' '"g_learning_rate":	0.0001' '"d_first_channels":	6' \
          '"learning_rate":	0.0002'; do
    check "config.json records $kv" grep -qF "$kv" "$R/config.json"
done
CK="$R/checkpoints/ckpt-00000003.safetensors"
check "the checkpoint holds the average of G" grep -qa '"generator_ema/g_h0_lin/Matrix"' "$CK"
check "the checkpoint holds spectral norm's vectors" grep -qa '"discriminator/d_h0_conv/sn_u"' "$CK"

# the same run resumed without the model-changing flags: refused, naming both settings
N=$(basename "$R")
expect 1 "differs from this command's: \-\-spectral-norm on (this command: off), \-\-d-first-channels 6 (this command: 0), \-\-g-ema 0.9 (this command: 0); to continue it add \-\-spectral-norm \-\-d-first-channels 6 \-\-g-ema 0.9, or start" -- \
    "$D" train $TINY --out-name "$N" --max-steps 4
expect 1 "trained with \-\-loss hinge, this command has \-\-loss bce" -- \
    "$D" train $TINY --out-name "$N" --max-steps 4 --spectral-norm --g-ema 0.9 --d-first-channels 6
expect 0 "" -- "$D" train $TINY $ALL --max-steps 4
check "the resumed run went on" test -f "$R/checkpoints/ckpt-00000004.safetensors"

# sampling uses the average; an export writes it as the generator: the same grid both ways
expect 0 "" -- "$D" sample --run "$R" --labels all --grid "$T/run.png"
expect 0 "" -- "$D" export --run "$R" --out "$T/g.safetensors"
check "the export holds no second generator" sh -c "! grep -qa generator_ema \"$T/g.safetensors\""
expect 0 "" -- "$D" sample --checkpoint "$T/g.safetensors" --labels all --grid "$T/export.png"
CK4="$R/checkpoints/ckpt-00000004.safetensors"
W=g_h0_lin/Matrix
check "the export's generator is the run's average" "$TOOL" tensor-eq "$T/g.safetensors" "generator/$W" "$CK4" "generator_ema/$W"
check "... which is not the trained G" sh -c "\"$TOOL\" tensor-eq \"$CK4\" generator/$W \"$CK4\" generator_ema/$W; [ \$? -eq 1 ]"
check "sample and the export's sample draw the same grid (the average)" cmp -s "$T/run.png" "$T/export.png"

# resumed bit for bit with every departure (the average, its statistics, spectral norm's
# vectors): 2 + 2 iterations against 4 in one go
expect 0 "" -- "$D" train $TINY $ALL --out-name straight --max-steps 4 --ckpt-freq 2 --max-to-keep 2
expect 0 "" -- "$D" train $TINY $ALL --out-name split --max-steps 2
expect 0 "" -- "$D" train $TINY $ALL --out-name split --max-steps 4
check "a resumed run ends where an uninterrupted one does" "$TOOL" ckpt-diff \
    "$T/out/straight/checkpoints/ckpt-00000004.safetensors" "$T/out/split/checkpoints/ckpt-00000004.safetensors"

echo "test_recipe_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
