#!/bin/sh
# Hostile input: every broken data file, image or checkpoint gives a one-line error naming it
# and a non-zero exit (never a crash); bad images in a folder are skipped with a count by
# default (--on-bad-image skip) or stop the run (--on-bad-image fail).
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
T=$(mktemp -d /tmp/dcgan-hostile-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

# expect CODE PATTERN -- command...: exit CODE, stderr matching PATTERN; a non-zero exit must
# come with exactly one error line (warnings may come before it) and never from a signal
expect() {
    code=$1; pat=$2; shift 3
    "$@" >"$T/.stdout" 2>"$T/.stderr"
    rc=$?
    if [ "$rc" -ne "$code" ]; then
        echo "FAIL (exit $rc, want $code): $*"; sed 's/^/    /' "$T/.stderr" | tail -5; fail=$((fail+1)); return
    fi
    if [ -n "$pat" ] && ! grep -q -- "$pat" "$T/.stderr"; then
        echo "FAIL (stderr lacks '$pat'): $*"; sed 's/^/    /' "$T/.stderr" | tail -5; fail=$((fail+1)); return
    fi
    if [ "$code" -ne 0 ] && [ "$(grep -c 'error:' "$T/.stderr")" -ne 1 ]; then
        echo "FAIL (not one error line): $*"; sed 's/^/    /' "$T/.stderr" | tail -5; fail=$((fail+1)); return
    fi
    if [ "$code" -ne 0 ]; then echo "ok   $(grep 'error:' "$T/.stderr" | cut -c1-150)"
    else echo "ok   (exit 0) $(echo "$*" | sed "s|$T/||g" | cut -c1-140)"; fi
    pass=$((pass+1))
}
# check DESCRIPTION COMMAND...: passes if the command succeeds
check() {
    d=$1; shift
    if "$@"; then echo "ok   $d"; pass=$((pass+1)); else echo "FAIL: $d"; fail=$((fail+1)); fi
}
TINY="--batch-size 4 --z-dim 4 --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 --max-steps 2 --sample-freq 0 --threads 1 --quiet"
train() { # DATASET [flags]
    ds=$1; shift
    "$D" train --data-dir "$T/data" --dataset "$ds" --out-dir "$T/out" $TINY "$@"
}

# ---------------------------------------------------------------- IDX files
idx() { rm -rf "$T/data/$1"; "$TOOL" idx "$T/data/$1" 20 8; }
idx good
expect 0 "" -- train good
idx missing; rm "$T/data/missing/t10k-labels-idx1-ubyte"
expect 1 "missing/: missing t10k-labels-idx1-ubyte\|missing: missing t10k-labels-idx1-ubyte" -- train missing
idx empty; : >"$T/data/empty/train-images-idx3-ubyte"
expect 1 "empty/train-images-idx3-ubyte: empty file" -- train empty
idx trunc; head -c 5000 "$T/data/good/train-images-idx3-ubyte" >"$T/data/trunc/train-images-idx3-ubyte"
expect 1 "trunc/train-images-idx3-ubyte: truncated" -- train trunc
idx hdr; head -c 6 "$T/data/good/train-images-idx3-ubyte" >"$T/data/hdr/train-images-idx3-ubyte"
expect 1 "hdr/train-images-idx3-ubyte: truncated header" -- train hdr
idx magic; "$TOOL" flip "$T/data/magic/train-labels-idx1-ubyte" 3
expect 1 "magic/train-labels-idx1-ubyte: bad magic" -- train magic
idx swapped; cp "$T/data/good/train-labels-idx1-ubyte" "$T/data/swapped/train-images-idx3-ubyte"
expect 1 "swapped/train-images-idx3-ubyte: bad magic .* this is IDX labels" -- train swapped
idx count; "$TOOL" idx "$T/data/other" 21 8; cp "$T/data/other/train-labels-idx1-ubyte" "$T/data/count/"
expect 1 "count/train-labels-idx1-ubyte: 21 labels, but .*train-images-idx3-ubyte has 20 images" -- train count
idx gz; gzip "$T/data/gz/train-images-idx3-ubyte"
expect 0 "" -- train gz
f="$T/data/gz/train-images-idx3-ubyte.gz"; n=$(wc -c <"$f"); head -c $((n / 2)) "$f" >"$f.x"; mv "$f.x" "$f"
expect 1 "gz/train-images-idx3-ubyte.gz: \(truncated gzip\|corrupt gzip\|truncated or forged gzip\)" -- train gz
idx gzbad; gzip "$T/data/gzbad/train-images-idx3-ubyte"; "$TOOL" flip "$T/data/gzbad/train-images-idx3-ubyte.gz" 200
expect 1 "gzbad/train-images-idx3-ubyte.gz: corrupt gzip" -- train gzbad
# a gzip bomb: 1 MiB of zeros (1 KiB of gzip) under a header announcing 20,000,000 images, and
# a header that disagrees with the gzip trailer: both refused before inflating anything
idx bomb; rm "$T/data/bomb/train-images-idx3-ubyte"
{ printf '\000\000\010\003\001\061\055\000\000\000\000\034\000\000\000\034'; head -c 1048576 /dev/zero; } |
    gzip >"$T/data/bomb/train-images-idx3-ubyte.gz"
expect 1 "bomb/train-images-idx3-ubyte.gz: truncated or forged gzip: the header announces 15680000000 data bytes, more than .* bytes of gzip can hold" -- train bomb
idx isize; { cat "$T/data/good/train-images-idx3-ubyte"; head -c 784 /dev/zero; } | gzip >"$T/data/isize/train-images-idx3-ubyte.gz"
rm "$T/data/isize/train-images-idx3-ubyte"
expect 1 "isize/train-images-idx3-ubyte.gz: truncated or forged gzip: its trailer records 16480 bytes uncompressed, the header announces 15696" -- train isize
idx label
printf '\014' | dd of="$T/data/label/train-labels-idx1-ubyte" bs=1 seek=8 conv=notrunc 2>/dev/null
expect 1 "label/train-labels-idx1-ubyte: label 12 of item 0 is outside 0..9" -- train label
idx small
expect 1 "small: 28 images, fewer than one batch (--batch-size 32)" -- train small --batch-size 32

# ---------------------------------------------------------------- image folders
P="--input-fname-pattern *.img --output-height 16"
mkdir -p "$T/data/mixed"
"$TOOL" pngs "$T/data/pngs" 8 16
for i in 0 1 2 3 4 5 6 7; do cp "$T/data/pngs/img00$i.png" "$T/data/mixed/good$i.img"; done
echo "just some text" >"$T/data/mixed/text.img"
: >"$T/data/mixed/empty.img"
"$TOOL" jpeg "$T/data/big.jpg" 64 64
head -c 300 "$T/data/big.jpg" >"$T/data/mixed/truncated-jpeg.img"
head -c 30 "$T/data/pngs/img000.png" >"$T/data/mixed/truncated-png-header.img"
"$TOOL" png-header "$T/data/mixed/bomb.img" 100000 100000
# default: skip, with a warning line per file and a count, and the run goes on
expect 0 "skipped 5 of 13 files that are not usable images" -- train mixed $P
grep -q "text.img: not a JPEG, PNG or WebP image" "$T/.stderr" && grep -q "bomb.img: image is 100000x100000" "$T/.stderr" &&
    grep -q "truncated-jpeg.img: " "$T/.stderr" && grep -q "empty.img: empty file" "$T/.stderr" &&
    { echo "ok   a warning names each skipped file"; pass=$((pass+1)); } ||
    { echo "FAIL skipped files not named:"; cat "$T/.stderr"; fail=$((fail+1)); }
expect 1 "mixed/bomb.img: image is 100000x100000 = 10000000000 pixels, more than the limit" -- train mixed $P --on-bad-image fail
mkdir -p "$T/data/notimages"; for i in 1 2 3; do echo "hello $i" >"$T/data/notimages/f$i.img"; done
expect 1 "notimages: none of its 3 matching files is a usable image" -- train notimages $P
expect 1 "notimages/f1.img: not a JPEG, PNG or WebP image" -- train notimages $P --on-bad-image fail
mkdir -p "$T/data/jpegcut"; head -c 400 "$T/data/big.jpg" >"$T/data/jpegcut/a.img"
expect 1 "jpegcut/a.img: not a valid JPEG\|jpegcut/a.img: .*truncated\|jpegcut: none" -- train jpegcut $P --on-bad-image fail
mkdir -p "$T/data/few"; cp "$T/data/pngs/img000.png" "$T/data/pngs/img001.png" "$T/data/pngs/img002.png" "$T/data/few/"
expect 1 "few: 3 images, fewer than one batch (--batch-size 4)" -- train few --input-fname-pattern '*.png' --output-height 16
mkdir -p "$T/data/fewbad"; cp "$T/data/few/"*.png "$T/data/fewbad/"; cp "$T/data/pngs/img003.png" "$T/data/fewbad/"; echo x >"$T/data/fewbad/z.png"
expect 1 "fewbad: 4 usable images, fewer than one batch (--batch-size 8)" -- train fewbad --input-fname-pattern '*.png' --output-height 16 --batch-size 8
# pixels cut short: the header is fine, so only decoding finds it, mid-run
mkdir -p "$T/data/cut"; cp "$T/data/pngs/"*.png "$T/data/cut/"
f="$T/data/cut/img003.png"; n=$(wc -c <"$f"); head -c $((n - 300)) "$f" >"$f.x"; mv "$f.x" "$f"
expect 0 "img003.png: truncated PNG file.*the next image takes its place" -- train cut --input-fname-pattern '*.png' --output-height 16 --max-steps 4 --out-name cut-skip
grep -q "1 bad image skipped (0 when the folder was opened, 1 while training)" "$T/.stderr" &&
    { echo "ok   the count at the end"; pass=$((pass+1)); } || { echo "FAIL no count at the end"; cat "$T/.stderr"; fail=$((fail+1)); }
expect 1 "cut/img003.png: truncated PNG file" -- train cut --input-fname-pattern '*.png' --output-height 16 --max-steps 4 --out-name cut-fail --on-bad-image fail
# output sizes the model cannot build
expect 1 "\-\-output-height/--output-width 8x8: must be 16..8192" -- train pngs --input-fname-pattern '*.png' --output-height 8
expect 1 "\-\-output-height/--output-width 16x12: must be 16..8192" -- train pngs --input-fname-pattern '*.png' --output-height 16 --output-width 12

# ---------------------------------------------------------------- checkpoints
R="$T/out/ckpt"
train good --out-name ckpt --max-steps 4 --ckpt-freq 2 --max-to-keep 2 2>/dev/null
C4="$R/checkpoints/ckpt-00000004.safetensors"
cp "$C4" "$T/c4"
"$TOOL" flip "$C4" -10
expect 1 "ckpt-00000004.safetensors: checksum mismatch" -- "$D" sample --checkpoint "$C4"
expect 0 "ckpt-00000004.safetensors: checksum mismatch.*using the previous checkpoint" -- "$D" sample --run "$R" --grid "$T/g.png"
# every command that opens a run finds its checkpoint the same way (it used to fail here)
expect 0 "ckpt-00000004.safetensors: checksum mismatch.*using the previous checkpoint" -- "$D" visualize --run "$R" --option 0 --out "$T/vis"
expect 0 "ckpt-00000004.safetensors: checksum mismatch.*using the previous checkpoint" -- "$D" export --run "$R" --out "$T/G.safetensors"
head -c 20000 "$T/c4" >"$C4"
expect 1 "ckpt-00000004.safetensors: .*truncated" -- "$D" sample --checkpoint "$C4"
expect 0 "ckpt-00000004.safetensors: .*; renamed to .*ckpt-00000004.safetensors.damaged, resuming from an older checkpoint" -- train good --out-name ckpt --max-steps 6 --ckpt-freq 2 --max-to-keep 2
grep -q "resuming .*ckpt-00000002" "$T/.stderr" && { echo "ok   resumed from the previous checkpoint"; pass=$((pass+1)); } ||
    { echo "FAIL did not resume from ckpt-00000002"; cat "$T/.stderr"; fail=$((fail+1)); }
printf 'not a checkpoint' >"$T/x.safetensors"
expect 1 "x.safetensors: not a safetensors file" -- "$D" sample --checkpoint "$T/x.safetensors"
expect 1 "$T/nothing: no checkpoints folder" -- "$D" sample --run "$T/nothing"

# ---------------------------------------------------------------- outputs
# an output that is not a regular file is written in place, never renamed over
train good --out-name outs --max-steps 2 --ckpt-freq 2 2>/dev/null
O="$T/out/outs"; OC="$O/checkpoints/ckpt-00000002.safetensors"
expect 0 "" -- "$D" sample --run "$O" --grid /dev/null
check "/dev/null is still a character device" test -c /dev/null
mkfifo "$T/fifo"; cat "$T/fifo" >"$T/fifo.out" & reader=$!
expect 0 "" -- "$D" sample --run "$O" --grid "$T/fifo"
wait $reader
check "a FIFO output stays a FIFO and its reader gets the PNG" \
    sh -c "test -p '$T/fifo' && head -c 8 '$T/fifo.out' | od -c | grep -q 'P   N   G'"
expect 1 "$T/out: is a folder, not a file" -- "$D" sample --run "$O" --grid "$T/out"
[ -c /dev/full ] && expect 1 "/dev/full: write failed: No space left on device" -- "$D" export --run "$O" --out /dev/full
ln -s "$T/nowhere.png" "$T/dangling.png"
expect 1 "dangling.png: a dangling symbolic link" -- "$D" sample --run "$O" --grid "$T/dangling.png"
# an output may not replace an input, nor land in a run's checkpoints folder
cp "$OC" "$T/c.safetensors"
expect 1 "\-\-out $T/c.safetensors: is also an input" -- "$D" export --checkpoint "$T/c.safetensors" --out "$T/c.safetensors"
expect 1 "\-\-npy $T/c.safetensors: is also an input" -- "$D" sample --checkpoint "$T/c.safetensors" --npy "$T/c.safetensors"
expect 1 "\-\-out $OC: is also an input" -- "$D" export --run "$O" --out "$OC"
expect 1 "is in a run's checkpoints folder" -- "$D" export --run "$O" --out "$O/checkpoints/G.safetensors"
# plot writes only .png and .jpg: its inputs (log.csv, metrics.jsonl) are refused by their name
check "plot --out log.csv: a usage error (exit 2) asking for .png or .jpg" sh -c \
    "'$D' plot --run '$O' --out '$O/log.csv' 2>'$T/plot.err'; [ \$? -eq 2 ] && grep -q 'write .png or .jpg' '$T/plot.err'"
check "log.csv is unchanged" test -s "$O/log.csv"
expect 1 "\-\-out $O/config.json: is also an input" -- "$D" report --run "$O" --out "$O/config.json"
check "the checkpoint is unchanged" cmp -s "$OC" "$T/c.safetensors"
expect 0 "" -- train good --out-name outs --max-steps 3 --ckpt-freq 2

# ---------------------------------------------------------------- model sizes
# sizes each flag accepts that together overflow an int, or need more memory than any machine
PNG16="pngs --input-fname-pattern *.png --output-height"
train $PNG16 8192 --gf-dim 512 --no-conditional 2>"$T/size.err"; rc=$?
check "a usage error (exit $rc) naming the layer and the memory: $(cut -c1-100 "$T/size.err")" \
    sh -c "[ $rc -eq 2 ] && grep -q \"g_h3's output per image would have 8589934592 values .* GiB of memory\" '$T/size.err'"
expect 1 "output per image would have .* GiB of memory" -- train $PNG16 8192 --gf-dim 4096
expect 1 "this model needs at least .* GiB of memory .* more than this machine's .* lower --batch-size" -- train $PNG16 4096 --gf-dim 1 --df-dim 500 --batch-size 8
cp "$T/c.safetensors" "$T/huge.safetensors"
"$TOOL" ckpt-sub "$T/huge.safetensors" '\"gf_dim\":2' '\"gf_dim\":4096'
"$TOOL" ckpt-sub "$T/huge.safetensors" '\"output_height\":28,\"output_width\":28' '\"output_height\":8192,\"output_width\":8192'
expect 1 "huge.safetensors: stored model is invalid: .*weight would have .* GiB of memory" -- "$D" sample --checkpoint "$T/huge.safetensors"
case "$BUILD" in *san*) ;; *) # (AddressSanitizer needs more address space than the limit)
expect 1 "out of memory allocating .* MiB (a smaller --batch-size, --gf-dim/--df-dim or image size" -- \
    sh -c "ulimit -v 1500000; exec $D train --data-dir $T/data --dataset pngs --input-fname-pattern '*.png' --output-height 512 --out-dir $T/out --out-name oom $TINY --batch-size 8 --gf-dim 64 --df-dim 64"
esac

# ---------------------------------------------------------------- a long log.csv
# 200,000 rows (25 epochs of CelebA at batch 64 are 79,000): drawn decimated to the pixels, so
# it takes a moment, where point-by-point stroking took minutes (no timing asserted here)
mkdir -p "$T/long"
awk 'BEGIN { print "iteration,epoch,batch,seconds,d_loss,d_loss_real,d_loss_fake,g_loss,d_real,d_fake";
             for (i = 1; i <= 200000; i++) printf "%d,%d,%d,%.3f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n",
                 i, i / 3000, i % 3000, i * 0.1, 1.4 - i / 4e5 + (i % 7) / 20, 0.7, 0.7, 0.7 + i / 2e5 + (i % 5) / 10, 0.6, 0.3 }' >"$T/long/log.csv"
expect 0 "" -- "$D" plot --run "$T/long" --out "$T/long.png"
check "the long log's chart is a 1000x700 PNG" sh -c "head -c 24 '$T/long.png' | od -An -tx1 | tr -d ' \n' | grep -q '000003e8000002bc$'"

# ---------------------------------------------------------------- non-finite and forged values
cp "$T/c.safetensors" "$T/nan.safetensors"
"$TOOL" ckpt-nan "$T/nan.safetensors" generator/g_h0_lin/Matrix
expect 1 "nan.safetensors: tensor 'generator/g_h0_lin/Matrix' holds a non-finite value (NaN or Inf)" -- "$D" sample --checkpoint "$T/nan.safetensors"
zd=$("$TOOL" ckpt-meta "$T/c.safetensors" model | sed 's/.*"z_dim":\([0-9]*\).*/\1/')
"$TOOL" npy "$T/nanz.npy" 3 "$zd" nan
expect 1 "nanz.npy: latent vector 0 has a non-finite value" -- "$D" sample --checkpoint "$T/c.safetensors" --z "$T/nanz.npy"
train good --out-name forge --max-steps 2 --ckpt-freq 2 2>/dev/null
F="$T/out/forge/checkpoints/ckpt-00000002.safetensors"; cp "$F" "$T/forge.safetensors"
"$TOOL" ckpt-sub "$F" '"iteration":"2"' '"iteration":"999999"'
expect 1 "forged or inconsistent metadata: iteration 999999 (the file name says 2)" -- train good --out-name forge --max-steps 3
cp "$T/forge.safetensors" "$F"; "$TOOL" ckpt-sub "$F" '"iteration":"2"' '"iteration":"99999999999999999999"'
expect 1 "ckpt-00000002.safetensors: metadata 'iteration' missing or bad" -- train good --out-name forge --max-steps 3
cp "$T/forge.safetensors" "$F"; "$TOOL" ckpt-sub "$F" '"g_steps":"4"' '"g_steps":"1"'
expect 1 "Adam steps D 2 and G 1" -- train good --out-name forge --max-steps 3
cp "$T/forge.safetensors" "$F"
expect 0 "resuming .*ckpt-00000002" -- train good --out-name forge --max-steps 3

# ---------------------------------------------------------------- messages that name the cause
expect 1 "diverged at iteration 1: .*no checkpoint was written before it" -- train good --out-name div1 --learning-rate 1e30
expect 1 "\-\-train-size 1: fewer items per epoch than one batch of 4" -- train good --out-name ts --train-size 1
expect 1 "\-\-cols 100000: a grid row of 100000 images" -- "$D" sample --checkpoint "$T/c.safetensors" --cols 100000 --grid "$T/wide.png"
expect 1 "long.png: not a safetensors file: it is a PNG image" -- "$D" sample --checkpoint "$T/long.png"
expect 1 "nanz.npy: not a safetensors file: it is a NumPy .npy array" -- "$D" export --checkpoint "$T/nanz.npy" --out "$T/e.safetensors"
"$D" arithmetic --checkpoint "$T/c.safetensors" --sheet-z "$T/nanz.npy" --expr 99999999999999999999 2>"$T/expr.err"; rc=$?
check "--expr 99999999999999999999: a usage error (exit $rc) calling it too large" \
    sh -c "[ $rc -eq 2 ] && grep -q \"index '99999999999999999999' is far too large\" '$T/expr.err'"
for f in --out-dir --data-dir --dataset --out-name; do
    "$D" train $f '' 2>"$T/empty.err"; rc=$?
    check "train $f '': exit $rc, $(cat "$T/empty.err")" sh -c "[ $rc -eq 2 ] && grep -q -- '^dcgan train: $f: an empty value' '$T/empty.err'"
done
"$D" sample --run= 2>"$T/empty.err"; rc=$?
check "sample --run=: exit $rc" sh -c "[ $rc -eq 2 ] && grep -q -- '--run: an empty value' '$T/empty.err'"
mkdir -p "$T/data/nothing"
expect 1 "data/nothing: an empty folder (no files match '\*.jpg')" -- train nothing
expect 1 "data/pngs: no files match '\*.jpg' among its 8 files (the first: 'img000.png'; see --input-fname-pattern)" -- train pngs

# ---------------------------------------------------------------- names with control characters
mkdir -p "$T/data/evil"; cp "$T/data/pngs/"*.png "$T/data/evil/"
echo x >"$T/data/evil/$(printf 'bad\ndcgan: error: forged')"
echo x >"$T/data/evil/$(printf 'esc\033[2J\033[31mred')"
expect 0 "evil/bad\\\\ndcgan: error: forged: not a JPEG" -- train evil --input-fname-pattern '*' --output-height 16
check "no forged line, no escape byte on stderr" sh -c "! grep -q '^dcgan: error: forged' '$T/.stderr' && ! grep -q \"\$(printf '\\033')\" '$T/.stderr' && grep -q 'esc\\\\x1b\\[2J' '$T/.stderr'"
"$D" sample --run "$(printf "$T/no\nsuch")" 2>"$T/nl.err"
check "a run folder name with a newline stays on the error's line" sh -c "[ \$(wc -l <'$T/nl.err') -eq 1 ] && grep -q 'no\\\\nsuch: no checkpoints folder' '$T/nl.err'"

# ---------------------------------------------------------------- a stop during dcgan sample
# (SIGTERM: a script's background job ignores SIGINT; both take the same path)
"$D" sample --checkpoint "$T/c.safetensors" -n 1000000 --out "$T/many" 2>"$T/many.err" & pid=$!
i=0; while [ $i -lt 300 ] && [ "$(ls "$T/many" 2>/dev/null | wc -l)" -lt 10 ]; do sleep 0.1; i=$((i+1)); done
kill -TERM $pid; wait $pid; rc=$?
check "SIGTERM during sample --out: exit $rc, $(tail -1 "$T/many.err" | cut -c1-80)" \
    sh -c "[ $rc -eq 143 ] && ! ls '$T/many' | grep -q tmp && grep -q 'stopped by SIGTERM: [0-9]* of 1000000 images written to .*many/, each whole' '$T/many.err'"
sh -c 'exit 0' & dead=$!; wait $dead
echo x >"$T/many/sample_00003.png.tmp.$dead" # what a second signal (or SIGKILL) leaves
expect 0 "many: removed 1 temporary files a stopped sample left" -- "$D" sample --checkpoint "$T/c.safetensors" -n 2 --out "$T/many"
check "no temporary file left" sh -c "! ls '$T/many' | grep -q tmp"

# ---------------------------------------------------------------- the data changes between runs
mkdir -p "$T/data/grow"; cp "$T/data/pngs/"*.png "$T/data/grow/"
G="grow --input-fname-pattern *.png --output-height 16 --out-name grow"
expect 0 "" -- train $G --max-steps 2
check "config.json records the data's fingerprint" grep -q '"data_fingerprint":.*"8 files, fnv1a64 ' "$T/out/grow/config.json"
cp "$T/data/pngs/img000.png" "$T/data/grow/img100.png"
expect 1 "the data's files changed since (a file added, removed or replaced: 8 files, .* then, 9 files, .* now)" -- train $G --max-steps 3
expect 0 "the data's files changed since .*--accept-changed-data asks" -- train $G --max-steps 3 --accept-changed-data
expect 0 "resuming" -- train $G --max-steps 4
cp "$T/data/pngs/img001.png" "$T/data/grow/img003.png" # replaced: same name, another size or time
expect 1 "the data's files changed since" -- train $G --max-steps 5
rm "$T/data/grow/img100.png"
expect 1 "the data's files changed since (a file added, removed or replaced: 9 files, .* then, 8 files" -- train $G --max-steps 5
expect 0 "was trained with --conv-backend auto, this command uses im2col: .* not bit for bit" -- train $G --max-steps 5 --accept-changed-data --conv-backend im2col

# ---------------------------------------------------------------- what used to pass silently
mkdir -p "$T/data/links"; cp "$T/data/pngs/"*.png "$T/data/links/"
ln -s nowhere.png "$T/data/links/dangling.png"; ln -s loop.png "$T/data/links/loop.png"
expect 0 "links/dangling.png: a symbolic link to nothing (dangling); skipped" -- train links --input-fname-pattern '*.png' --output-height 16 --crop --input-height 108
grep -q "links/loop.png: a symbolic link to itself (a loop); skipped" "$T/.stderr" &&
    grep -q "8 of 8 images are smaller than the --input-height/--input-width crop 108x108 (the first: .*img000.png, 16x16): the crop is clamped" "$T/.stderr" &&
    { echo "ok   the loop and the clamped crop are said"; pass=$((pass+1)); } || { echo "FAIL:"; cat "$T/.stderr"; fail=$((fail+1)); }
mkdir -p "$T/data/cls/a" "$T/data/cls/b" "$T/data/cls/c"
cp "$T"/data/pngs/img00[0-3].png "$T/data/cls/a/"; cp "$T"/data/pngs/img00[4-7].png "$T/data/cls/c/"; echo x >"$T/data/cls/b/x.png"
expect 0 "cls/b: no usable image in this class folder; the class is left out" -- train cls --input-fname-pattern '*.png' --output-height 16 --out-name cls
check "the model has 2 classes, a and c" grep -q '"class_names":.*\["a", "c"\]' "$T/out/cls/config.json"
for f in "--output-height 64" "--crop" "--c-dim 3"; do
    train good $f --out-name idxflag 2>"$T/idx.err"; rc=$?
    check "IDX data with $f: exit $rc, $(cut -c1-90 "$T/idx.err")" sh -c "[ $rc -eq 2 ] && grep -q 'IDX data' '$T/idx.err'"
done
expect 0 "" -- train good --output-height 28 --out-name idx28

echo "test_hostile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
