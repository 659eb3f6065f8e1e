#!/bin/sh
# The architecture rules (scripts/check-architecture): src/ keeps them, and the checker can
# fail: on a copy of src/, each rule in turn is broken once and the checker must exit 1 with a
# line naming the planted file; next to each, what the rule allows must pass.
CHECK=scripts/check-architecture
T=$(mktemp -d /tmp/dcgan-arch-XXXXXX)
trap 'rm -rf "$T"' EXIT
S="$T/src"
pass=0; fail=0

ok()   { echo "ok   $1"; pass=$((pass+1)); }
bad()  { echo "FAIL $1"; sed 's/^/    /' "$T/out" | head -20; fail=$((fail+1)); }

# src/ as it is
sh "$CHECK" >"$T/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && tail -1 "$T/out" | grep -q '^check-architecture: ok$'; then
    ok "src/ keeps the rules"
else
    bad "src/ breaks the rules (exit $rc):"
fi

# A small tree that keeps every rule passes, whatever src/ holds today.
M="$T/mini"
mkdir -p "$M/core" "$M/ops/cpu" "$M/viz" "$M/cli"
printf 'int core_a(void);\n' >"$M/core/a.h"
printf '#include "core/a.h"\n\nint core_a(void)\n{\n    return 0;\n}\n' >"$M/core/a.c"
printf '#include "core/a.h"\n' >"$M/ops/cpu/conv.h"
printf '#include <dnnl.h>\n#include "ops/cpu/conv.h"\n#include "ops/concat.h"\n' >"$M/ops/cpu/conv.c"
printf 'int concat(void);\n' >"$M/ops/concat.h"
printf 'int ops_backend(void);\n' >"$M/ops/backend.h"
printf '#include "ops/backend.h"\n#include "ops/cpu/conv.h"\n' >"$M/ops/backend.c"
printf '#include <cairo.h>\n#include <gif_lib.h>\n#include "ops/backend.h"\n' >"$M/viz/plot.c"
printf '#include "viz/plot.h"\n' >"$M/cli/main.c"
printf 'void plot(void);\n' >"$M/viz/plot.h"
sh "$CHECK" "$M" >"$T/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "check-architecture: ok" ]; then ok "a tree that keeps the rules"
else bad "a tree that keeps the rules (exit $rc)"
fi

fresh() { rm -rf "$S"; cp -R src "$S"; }

# The copy unchanged: what it reports already (the planted lines must not be among it).
fresh
sh "$CHECK" "$S" >"$T/base" 2>&1

# violation NAME PATTERN: the checker on $S exits 1 and prints a line matching
# "check-architecture: $S/PATTERN", which the unchanged copy did not print.
violation() {
    sh "$CHECK" "$S" >"$T/out" 2>&1
    rc=$?
    line="^check-architecture: $S/$2"
    if [ "$rc" -ne 1 ]; then bad "$1: exit $rc, want 1"
    elif ! grep -q -- "$line" "$T/out"; then bad "$1: no line matching '$2'"
    elif grep -q -- "$line" "$T/base"; then bad "$1: '$2' is reported without the change too"
    elif ! tail -1 "$T/out" | grep -q '^check-architecture: [0-9]* violations*$'; then
        bad "$1: no count at the end"
    else ok "$1"
    fi
}

# allowed NAME PATTERN: the checker on $S prints no line matching PATTERN.
allowed() {
    sh "$CHECK" "$S" >"$T/out" 2>&1
    if grep -q -- "^check-architecture: $S/$2" "$T/out"; then bad "$1: reported"
    else ok "$1"
    fi
}

# lines N TEXT: N lines of TEXT
lines() { i=0; while [ $i -lt "$1" ]; do echo "$2"; i=$((i+1)); done; }

# a. file size
fresh
lines 601 "/* padding */" >>"$S/core/log.c"
violation "a. a file of more than 600 lines" 'core/log\.c:[0-9]*: file has [0-9]* lines (max 600)'
fresh
n=$(wc -l <"$S/core/rng.c")
lines $((600 - n)) "/* padding */" >>"$S/core/rng.c"
allowed "a. a file of exactly 600 lines" 'core/rng\.c:.*lines (max 600)'

# b. function size: the lines between `{` and `}`
fresh
{ printf 'static int\narch_long(int a,\n          int b)\n{\n'; lines 100 "    (void)0;"
  printf '    return a + b;\n}\n'; } >>"$S/core/log.c"
violation "b. a function of 101 lines" 'core/log\.c:[0-9]*: function arch_long has 101 lines (max 100)'
fresh
{ printf 'static int\narch_fine(int a,\n          int b)\n{\n'; lines 99 "    (void)0;"
  printf '    return a + b;\n}\n'; } >>"$S/core/log.c"
allowed "b. a function of 100 lines" 'core/log\.c:[0-9]*: function arch_fine'

# c. oneDNN
fresh
echo '#include <dnnl.h>' >>"$S/nn/net.c"
violation "c. <dnnl.h> in nn/" 'nn/net\.c:[0-9]*: oneDNN (dnnl) outside ops/cpu/'
fresh
echo 'static const int arch_x = DNNL_ARG_SRC;' >>"$S/model/dcgan.c"
violation "c. a DNNL_ name in model/" 'model/dcgan\.c:[0-9]*: oneDNN (dnnl) outside ops/cpu/'
fresh
echo '/* not a use: the dnnl backend is in ops/cpu/ */' >>"$S/core/log.c"
mkdir -p "$S/ops/cpu"
printf '#include <dnnl.h>\nstatic dnnl_status_t arch_s;\n' >"$S/ops/cpu/arch_onednn.c"
allowed "c. oneDNN in ops/cpu/, dnnl in a comment" '\(core/log\|ops/cpu/arch_onednn\)\.c:.*oneDNN'

# d. layering
fresh
echo '#include "train/run.h"' >>"$S/model/dcgan.c"
violation "d. model/ includes train/" 'model/dcgan\.c:[0-9]*: model/ may not include train/run\.h'
fresh
echo '#include "nn/net.h"' >>"$S/ops/loss.c"
violation "d. ops/ includes nn/" 'ops/loss\.c:[0-9]*: ops/ may not include nn/net\.h'
fresh
echo '#include "train/step.h"' >>"$S/viz/plot.c"
violation "d. viz/ includes train/" 'viz/plot\.c:[0-9]*: viz/ may not include train/step\.h'
fresh
echo '#include "viz/plot.h"' >>"$S/data/dataset.c"
violation "d. data/ includes viz/" 'data/dataset\.c:[0-9]*: data/ may not include viz/plot\.h'
fresh
mkdir -p "$S/ops/cpu"
printf '#ifndef ARCH_CPU_H\n#define ARCH_CPU_H\n#endif\n' >"$S/ops/cpu/arch_cpu.h"
echo '#include "ops/cpu/arch_cpu.h"' >>"$S/ops/conv2d.c"
violation "d. ops/ includes ops/cpu/" 'ops/conv2d\.c:[0-9]*: ops/ may not include ops/cpu/arch_cpu\.h'
fresh
mkdir -p "$S/ops/cpu"
printf '#ifndef ARCH_CPU_H\n#define ARCH_CPU_H\n#include "nn/net.h"\n#endif\n' >"$S/ops/cpu/arch_cpu.h"
violation "d. ops/cpu/ includes nn/" 'ops/cpu/arch_cpu\.h:[0-9]*: ops/cpu/ may not include nn/net\.h'
fresh
mkdir -p "$S/ops/cpu"
printf '#ifndef ARCH_CPU_H\n#define ARCH_CPU_H\n#include "ops/conv2d.h"\n#endif\n' >"$S/ops/cpu/arch_cpu.h"
printf '#include "ops/cpu/arch_cpu.h"\n#include "core/log.h"\n' >"$S/ops/backend.c"
echo '#include "train/run.h"' >>"$S/cli/main.c"
allowed "d. ops/backend.c includes ops/cpu/, ops/cpu/ includes ops/, cli/ anything" \
    '\(ops/backend\.c\|ops/cpu/arch_cpu\.h\|cli/main\.c\):[0-9]*: .* may not include'

# e. include cycles; foo.c and foo.h are one unit
fresh
printf '#include "core/arch_b.h"\n' >"$S/core/arch_a.h"
printf '#include "core/arch_a.h"\n' >"$S/core/arch_b.h"
violation "e. two headers include each other" \
    'core/arch_[ab]\.h:[0-9]*: include cycle: core/arch_a -> core/arch_b -> core/arch_a'
fresh
printf '#include "core/arch_c.h"\n#include "core/arch_d.h"\n' >"$S/core/arch_c.c"
printf 'int arch_c(void);\n' >"$S/core/arch_c.h"
printf '#include "core/arch_c.h"\n' >"$S/core/arch_d.h"
violation "e. a.c includes b.h, b.h includes a.h" \
    'core/arch_d\.h:[0-9]*: include cycle: core/arch_c -> core/arch_d -> core/arch_c'

# f. cairo and giflib stay out of the library folders
fresh
echo '#include <cairo.h>' >>"$S/io/npy.c"
violation "f. io/ includes <cairo.h>" 'io/npy\.c:[0-9]*: includes <cairo\.h>'
fresh
echo '#include <gif_lib.h>' >>"$S/train/step.c"
violation "f. train/ includes <gif_lib.h>" 'train/step\.c:[0-9]*: includes <gif_lib\.h>'
fresh
echo '#include <cairo/cairo-pdf.h>' >>"$S/core/log.h"
violation "f. core/ includes <cairo/...>" 'core/log\.h:[0-9]*: includes <cairo/cairo-pdf\.h>'

echo "test_architecture: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
