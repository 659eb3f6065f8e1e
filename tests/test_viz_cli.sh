#!/bin/sh
# The visualisation commands as a user meets them: --help on each, one-line errors naming the
# flag or file with exit code 2 (usage) or 1 (runtime), dcgan plot's PNG and its size, and (with
# Fashion-MNIST installed) the errors that need a model.
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
T=$(mktemp -d /tmp/dcgan-vizcli-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

. tests/cli_expect.sh

# PNG width and height from the IHDR chunk
png_size() {
    od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'
}

expect 0 "" -- "$D" --help
for c in visualize interpolate arithmetic nearest plot export; do
    expect 0 "" -- "$D" "$c" --help
    "$D" --help | grep -q "^  $c " && { echo "ok   dcgan --help lists $c"; pass=$((pass+1)); } || { echo "FAIL: dcgan --help lacks $c"; fail=$((fail+1)); }
done
expect 2 "unknown option '--bogus'" -- "$D" visualize --bogus
expect 2 "give exactly one of" -- "$D" visualize --option 0
expect 2 "\-\-option: bad value '9'" -- "$D" visualize --run x --option 9
expect 2 "\-\-base: bad value 'half'" -- "$D" visualize --run x --option 1 --base half
expect 2 "\-\-progress takes --run" -- "$D" visualize --progress
expect 1 "$T/none: no samples folder" -- "$D" visualize --progress --run "$T/none"
expect 1 "$T/none: no checkpoints folder" -- "$D" visualize --run "$T/none" --option 0
expect 2 "\-\-steps: bad value '-1'" -- "$D" interpolate --run x --steps -1
expect 1 "$T/none.safetensors" -- "$D" interpolate --checkpoint "$T/none.safetensors"
expect 2 "\-\-expr: '1,,2': expected an index" -- "$D" arithmetic --run x --sheet-z z.npy --expr "1,,2"
expect 2 "\-\-expr: '1 \* 2': unexpected '\*'" -- "$D" arithmetic --run x --sheet-z z.npy --expr "1 * 2"
expect 2 "\-\-expr: '1,2 -': ends where an index" -- "$D" arithmetic --run x --sheet-z z.npy --expr "1,2 -"
expect 2 "\-\-expr needs --sheet-z" -- "$D" arithmetic --run x --expr "1 - 2"
expect 2 "give either --sheet" -- "$D" arithmetic --run x
expect 2 "\-\-run DIR is required" -- "$D" plot
expect 1 "$T/none/log.csv: cannot open" -- "$D" plot --run "$T/none"
expect 2 "\-\-smooth: bad value '1'" -- "$D" plot --run x --smooth 1
expect 2 "give \-\-out FILE (safetensors) and/or \-\-onnx FILE" -- "$D" export --run x
expect 2 "\-k: bad value '0'" -- "$D" nearest --run x -k 0
# --device on every command that runs G: a bad spelling is a usage error; a device this build
# or machine lacks a one-line runtime error naming it; cpu works (tiny run on synthetic digits)
"$BUILD/tests/tools/testtool" idx "$T/data/idx" 20 8 || { echo "FAIL: cannot make data"; exit 1; }
expect 0 "" -- "$D" train --data-dir "$T/data" --dataset idx --out-dir "$T/out" --out-name tiny --batch-size 4 \
    --z-dim 4 --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 --max-steps 1 --sample-freq 0 --threads 1 --quiet
TR="$T/out/tiny"
while read -r c args; do
    expect 2 "\-\-device: bad value 'gpu' (expected cpu, cuda or cuda:N)" -- "$D" $c --run "$TR" $args --device gpu
    expect 2 "\-\-device: bad value 'cuda:1x'" -- "$D" $c --run "$TR" $args --device cuda:1x
    expect 1 "device 'cuda:99': " -- "$D" $c --run "$TR" $args --out "$T/dev" --device cuda:99
    expect 0 "" -- "$D" $c --run "$TR" $args --out "$T/dev" --device cpu
    "$D" $c --help | grep -q "^  --device D " && { echo "ok   $c --help lists --device"; pass=$((pass+1)); } || { echo "FAIL: $c --help lacks --device"; fail=$((fail+1)); }
done <<'CMDS'
visualize --option 0 --batch-size 4
interpolate --steps 1
nearest -n 2 -k 2
arithmetic --sheet -n 4
CMDS

# plot: a hand-written log
R="$T/run"
mkdir -p "$R"
echo "iteration,epoch,batch,seconds,d_loss,d_loss_real,d_loss_fake,g_loss,d_real,d_fake" >"$R/log.csv"
i=1
while [ $i -le 120 ]; do
    echo "$i,$((i / 50)),$((i % 50)),$i.0,1.3$((i % 7)),0.6$((i % 5)),0.7$((i % 3)),0.9$((i % 9)),0.5$((i % 4)),0.4$((i % 6))" >>"$R/log.csv"
    i=$((i + 1))
done
expect 0 "" -- "$D" plot --run "$R"
s=$(png_size "$R/visualize/plot.png")
[ "$s" = "1000x700" ] && { echo "ok   plot.png is $s"; pass=$((pass+1)); } || { echo "FAIL: plot.png is $s, want 1000x700"; fail=$((fail+1)); }
expect 0 "" -- "$D" plot --run "$R" --out "$T/p.png" --width 640 --height 480 --smooth 0
s=$(png_size "$T/p.png")
[ "$s" = "640x480" ] && { echo "ok   --width 640 --height 480 gives $s"; pass=$((pass+1)); } || { echo "FAIL: $s, want 640x480"; fail=$((fail+1)); }
echo "iteration,epoch" >"$R/log.csv"
expect 1 "log.csv: no 'd_loss' column" -- "$D" plot --run "$R"

if [ -d /usr/share/datasets/fashion-mnist ]; then
    O="$T/out"
    expect 0 "" -- "$D" train --dataset fashion-mnist --data-dir "$T/data" --out-dir "$O" --out-name fm \
        --batch-size 16 --gf-dim 4 --df-dim 4 --gfc-dim 16 --dfc-dim 16 --z-dim 6 --max-steps 3 --sample-freq 0 --quiet
    R="$O/fm"
    expect 2 "\-\-labels: 'cat' is not a class" -- "$D" visualize --run "$R" --option 0 --labels cat
    expect 2 "\-\-dims: '7': 7 is out of range" -- "$D" visualize --run "$R" --option 1 --dims 7
    expect 1 "no train_\*.png samples" -- "$D" visualize --progress --run "$R"
    expect 0 "" -- "$D" arithmetic --run "$R" --sheet -n 10
    expect 2 "index 10 is out of range (the sheet has 10" -- "$D" arithmetic --run "$R" --sheet-z "$R/visualize/sheet_z.npy" --expr "1 - 10"
    expect 0 "" -- "$D" arithmetic --run "$R" --sheet-z "$R/visualize/sheet_z.npy" --expr "1,2 - 3 + 4" --label sandal
    expect 2 "\-\-labels: 'cat' is not a class" -- "$D" arithmetic --run "$R" --sheet --labels cat
    expect 2 "\-\-labels: one class" -- "$D" arithmetic --run "$R" --sheet --labels sandal,bag
    expect 2 "\-\-points and --z" -- "$D" interpolate --run "$R" --z "$R/visualize/sheet_z.npy" --points 2
    expect 0 "" -- "$D" interpolate --run "$R" --z "$R/visualize/sheet_z.npy" --steps 1 --slerp
    expect 0 "" -- "$D" export --run "$R" --out "$T/G.safetensors"
    expect 0 "" -- "$D" sample --checkpoint "$T/G.safetensors" --labels all --grid "$T/g.png"
    expect 0 "" -- "$D" visualize --checkpoint "$T/G.safetensors" --option 4 --batch-size 4
    [ -s "$T/visualize/option4_it3_b4/test_gif_merged.gif" ] && { echo "ok   visualize beside the export"; pass=$((pass+1)); } || { echo "FAIL: $T/visualize/option4_it3_b4/test_gif_merged.gif missing"; fail=$((fail+1)); }
else
    echo "skip: /usr/share/datasets/fashion-mnist not installed (scripts/install-deps installs it)"
fi

echo "test_viz_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
