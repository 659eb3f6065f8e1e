#!/bin/sh
# libdcgan as a user meets it: `make install PREFIX=<temporary>` puts the program, header, shared
# and static libraries, pkg-config file, manual page and Python module there; examples/generate.c
# built against that installed copy (shared, then static) writes the same floats as
# `dcgan sample --npy` for the same seed and labels (conditional and unconditional models);
# python/dcgan.py gives the same array; errors come back as codes with one-line messages.
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
TOOL="$BUILD/tests/tools/testtool"
T=$(mktemp -d /tmp/dcgan-lib-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

. tests/cli_expect.sh

SAN=0; XFLAGS=""
if [ "$BUILD" = build-san ]; then
    SAN=1; XFLAGS="-fsanitize=address,undefined"
fi
P="$T/prefix"
if ! make --no-print-directory -s SAN=$SAN BUILD="$BUILD" PREFIX="$P" install >"$T/install.log" 2>&1; then
    cat "$T/install.log"; echo "FAIL: make install"; exit 1
fi
for f in bin/dcgan include/dcgan.h lib/libdcgan.a lib/libdcgan.so lib/libdcgan.so.0 \
         lib/pkgconfig/dcgan.pc share/man/man1/dcgan.1 share/dcgan/python/dcgan.py; do
    check "installed $f" test -e "$P/$f"
done
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
check "pkg-config knows dcgan at the header's version" sh -c \
    "[ \"\$(pkg-config --modversion dcgan)\" = \"\$(sed -n 's/^#define DCGAN_VERSION_STRING \"\\(.*\\)\"/\\1/p' include/dcgan.h)\" ]"
check "the shared library exports only dcgan_* functions" sh -c \
    "nm -D --defined-only '$P/lib/libdcgan.so' | awk '\$2 == \"T\" && \$3 !~ /^dcgan_/' | grep -q . && exit 1 || exit 0"
# the manual page has every command dcgan --help lists, and renders without warnings
# (the commands section ends at its blank line; the examples after it are not commands)
for c in $("$D" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }'); do
    check "dcgan(1) describes $c" grep -q "^.SS dcgan $c\$" "$P/share/man/man1/dcgan.1"
done
if command -v groff >/dev/null 2>&1; then
    check "dcgan(1) renders without warnings" sh -c \
        "groff -man -Tutf8 -ww -z '$P/share/man/man1/dcgan.1' 2>&1 | grep -q . && exit 1 || exit 0"
fi

# build the example against the installed copy only
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror $XFLAGS $(pkg-config --cflags dcgan) examples/generate.c \
    $(pkg-config --libs dcgan) -o "$T/generate" 2>"$T/cc.log"
check "examples/generate.c builds with pkg-config --libs dcgan" test -x "$T/generate"
cc -std=c11 -Wall -Wextra -Werror $XFLAGS $(pkg-config --cflags dcgan) examples/generate.c \
    "$P/lib/libdcgan.a" $(pkg-config --static --libs dcgan | sed 's/-ldcgan//') \
    -o "$T/generate-static" 2>>"$T/cc.log"
check "examples/generate.c builds with pkg-config --static --libs dcgan" test -x "$T/generate-static"
[ -s "$T/cc.log" ] && cat "$T/cc.log"
export LD_LIBRARY_PATH="$P/lib"
check "the example runs on the installed libdcgan.so" sh -c \
    "ldd '$T/generate' | grep -q '$P/lib/libdcgan.so.0'"
check "the static example needs no libdcgan.so" sh -c \
    "ldd '$T/generate-static' | grep -q libdcgan && exit 1 || exit 0"

# the last N bytes of two .npy files (their data) are equal
same_data() { # a b bytes
    tail -c "$3" "$1" >"$T/a.bin" && tail -c "$3" "$2" >"$T/b.bin" && cmp -s "$T/a.bin" "$T/b.bin"
}

"$TOOL" idx "$T/data/idx" 60 40 || { echo "FAIL: cannot make data"; exit 1; }
TINY="--data-dir $T/data --dataset idx --out-dir $T/out --batch-size 4 --z-dim 4 --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 --sample-freq 0 --threads 1 --quiet --no-tensorboard --max-steps 2"
expect 0 "" -- "$D" train $TINY --out-name cond
expect 0 "" -- "$D" train $TINY --out-name uncond --no-conditional
COND=$(ls "$T"/out/cond/checkpoints/ckpt-*.safetensors)
UNC=$(ls "$T"/out/uncond/checkpoints/ckpt-*.safetensors)
BYTES=$((7 * 28 * 28 * 4))

for prog in generate generate-static; do
    expect 0 "" -- "$D" sample --checkpoint "$COND" -n 7 --seed 5 --labels 3,1 --npy "$T/cli.npy"
    expect 0 "" -- "$T/$prog" "$COND" 7 5 "$T/lib.npy" 3 1
    check "$prog: conditional, labels 3,1 = dcgan sample --labels 3,1" same_data "$T/cli.npy" "$T/lib.npy" $BYTES
    expect 0 "" -- "$D" sample --checkpoint "$COND" -n 7 --seed 9 --npy "$T/cli.npy"
    expect 0 "" -- "$T/$prog" "$T/out/cond" 7 9 "$T/lib.npy"
    check "$prog: run folder, classes in turn = dcgan sample" same_data "$T/cli.npy" "$T/lib.npy" $BYTES
    expect 0 "" -- "$D" sample --checkpoint "$UNC" -n 7 --seed 2 --npy "$T/cli.npy"
    expect 0 "" -- "$T/$prog" "$UNC" 7 2 "$T/lib.npy" --pgm "$T/first.pgm"
    check "$prog: unconditional = dcgan sample" same_data "$T/cli.npy" "$T/lib.npy" $BYTES
done
check "the first image as a 28x28 PGM" sh -c "head -c 13 '$T/first.pgm' | grep -q 'P5'"
expect 0 "" -- "$D" export --checkpoint "$COND" --out "$T/g.safetensors"
expect 0 "" -- "$D" sample --checkpoint "$COND" -n 7 --seed 4 --npy "$T/cli.npy"
expect 0 "" -- "$T/generate" "$T/g.safetensors" 7 4 "$T/lib.npy"
check "an exported generator = its checkpoint" same_data "$T/cli.npy" "$T/lib.npy" $BYTES

# errors: a code and one line naming the file
expect 1 "$T/none.safetensors: no such file or folder (I/O error)" -- "$T/generate" "$T/none.safetensors" 1 1 "$T/x.npy"
printf 'not a checkpoint' >"$T/bad.safetensors"
expect 1 "$T/bad.safetensors.*(bad or unsupported file)" -- "$T/generate" "$T/bad.safetensors" 1 1 "$T/x.npy"
expect 2 "'Dragon' is not a class" -- "$T/generate" "$COND" 1 1 "$T/x.npy" Dragon
expect 1 "image count 0 out of range" -- "$T/generate" "$COND" 0 1 "$T/x.npy"

# Python: the module over the installed library; under the sanitizers python needs the ASan
# runtime first
PYPRE=""
if [ "$SAN" = 1 ]; then
    PYPRE="$(cc -print-file-name=libasan.so)"
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
# Debian's python3 (a python3 earlier in PATH may lack numpy)
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if $PY -c 'import numpy' 2>/dev/null; then
    expect 0 "" -- "$D" sample --checkpoint "$COND" -n 6 --seed 3 --labels 2,0 --npy "$T/cli.npy"
    cat >"$T/check.py" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import dcgan
ckpt, cli, unc = sys.argv[2], sys.argv[3], sys.argv[4]
G = dcgan.Generator(ckpt)
assert G.shape == (28, 28, 1) and G.z_dim == 4 and G.num_classes == 10, repr(G)
x = G.sample(6, seed=3, labels=[2, 0])
ref = np.load(cli)
assert x.dtype == np.float32 and x.shape == ref.shape, (x.shape, ref.shape)
assert np.array_equal(x, ref), np.abs(x - ref).max()
z = G.draw_z(6, seed=3)
assert np.array_equal(G.generate(z, labels=[2, 0]), ref)
y = np.zeros((6, 10), np.float32); y[np.arange(6), [2, 0, 2, 0, 2, 0]] = 1
assert np.array_equal(G.generate_y(z, y), ref)
u8 = G.to_uint8(x)
assert u8.dtype == np.uint8 and u8.shape == x.shape
try:
    G.sample(2, labels=["no such class"])
    raise SystemExit("a bad class name was accepted")
except ValueError as e:
    assert "not a class" in str(e)
G.close()
with dcgan.Generator(unc) as U:
    assert U.num_classes == 0 and U.sample(3).shape == (3, 28, 28, 1)
try:
    dcgan.Generator(ckpt + ".missing")
    raise SystemExit("a missing file was accepted")
except dcgan.DcganError as e:
    assert e.status == 2 and "no such file" in str(e), (e.status, str(e))
print("python ok", dcgan.library_version())
PY
    check "python/dcgan.py (installed copy) = dcgan sample --npy" env LD_PRELOAD="$PYPRE" \
        $PY "$T/check.py" "$P/share/dcgan/python" "$COND" "$T/cli.npy" "$UNC"
    # from the checkout: build/libdcgan.so beside python/ is found without help
    LIBVAR=""; [ "$BUILD" = build ] || LIBVAR="$BUILD/libdcgan.so"
    check "python/dcgan.py from the checkout finds $BUILD/libdcgan.so" env LD_PRELOAD="$PYPRE" \
        LD_LIBRARY_PATH= DCGAN_LIBRARY="$LIBVAR" \
        $PY "$T/check.py" python "$COND" "$T/cli.npy" "$UNC"
else
    echo "SKIP: $PY has no numpy (scripts/install-deps installs python3-numpy)"
fi

echo "test_library: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
