#!/bin/sh
# dcgan bench --layers: the per-layer table runs, lists every layer of G and D with the phases
# each one runs, and adds up: the FLOPs of its rows are the iteration's, the times of its rows
# are (close to) the iteration's. Tiny models, 2 iterations; no timing thresholds (only the
# table's consistency with itself).
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
T=$(mktemp -d /tmp/dcgan-bench-layers-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

. tests/cli_expect.sh

expect 0 "" -- "$D" bench --model mnist --batch-size 8 --iters 2 --warmup 0 --layers --json --threads 2
cp "$T/.stdout" "$T/mnist.txt"
expect 0 "" -- "$D" bench --output-height 16 --batch-size 4 --iters 2 --warmup 0 --layers --json --threads 2
cp "$T/.stdout" "$T/uncond.txt"
expect 2 "unexpected argument 'x'" -- "$D" bench --layers x
"$D" bench --help | grep -q -- "--layers" && { echo "ok   bench --help lists --layers"; pass=$((pass+1)); } || { echo "FAIL: bench --help lacks --layers"; fail=$((fail+1)); }

# check_table FILE MODEL: the table's text and its JSON agree with each other and with the model
check_table() {
    /usr/bin/python3 - "$1" "$2" <<'EOF'
import json, sys
path, model = sys.argv[1], sys.argv[2]
text = open(path).read()
lines = text.splitlines()
j = json.loads([l for l in lines if l.startswith("{")][-1])
L = j["layers"]
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)

# every layer of both nets has a forward row, indices 0..n-1, and the phases are known
for net in ("G", "D"):
    rows = [r for r in L["rows"] if r["net"] == net]
    n = L["n_layers"][net]
    check(n > 0, "%s has no layers" % net)
    fwd = sorted(r["index"] for r in rows if r["phase"] == "fwd")
    check(fwd == list(range(n)), "%s: forward rows %s, want 0..%d" % (net, fwd, n - 1))
    for r in rows:
        check(r["phase"] in ("fwd", "bwd-data", "bwd-weights"), "phase %r" % r["phase"])
        check(r["calls"] > 0 and r["ms"] >= 0 and r["reorder_ms"] <= r["ms"] + 1e-9,
              "row %s" % r)
        # a layer with weights runs bwd-weights; one without never does
        has_w = r["kind"] in ("linear", "conv", "deconv")
        if r["phase"] == "bwd-weights":
            check(has_w, "bwd-weights row for a %s layer" % r["kind"])
        if r["phase"] == "fwd" and has_w:
            check(any(q["net"] == net and q["index"] == r["index"] and q["phase"] == "bwd-weights"
                      for q in rows), "%s %s: no bwd-weights row" % (net, r["layer"]))
    # each layer is named in the printed table too
    for r in rows:
        name = r["layer"].split("/", 1)[1]
        check(any(l.startswith(net + " " + name) for l in lines), "%s %s not printed" % (net, name))

# the kinds the model has
kinds = {net: sorted(r["kind"] for r in L["rows"] if r["net"] == net and r["phase"] == "fwd")
         for net in ("G", "D")}
want = {"mnist": {"G": ("linear", 2, "deconv", 2), "D": ("conv", 2, "linear", 2)},
        "uncond": {"G": ("linear", 1, "deconv", 4), "D": ("conv", 4, "linear", 1)}}[model]
for net, (k1, n1, k2, n2) in want.items():
    check(kinds[net].count(k1) == n1 and kinds[net].count(k2) == n2,
          "%s kinds %s" % (net, kinds[net]))

# calls: G runs forward twice per iteration (the first G update reuses the D update's pass),
# D four times (real, fake, two G updates); D's weights get gradients in the D update only
for r in L["rows"]:
    want_calls = {("G", "fwd"): 2, ("D", "fwd"): 4, ("D", "bwd-weights"): 2,
                  ("G", "bwd-weights"): 2}.get((r["net"], r["phase"]))
    if want_calls:
        check(r["calls"] == want_calls, "calls %s" % r)

# FLOPs: the rows add up to what the iteration computes (no input gradient below the first
# layer with weights unless D's input gradient is wanted: the count of train_step_flops)
flop = sum(r["gflop"] for r in L["rows"])
check(abs(flop - L["matmul_gflop"]) <= 1e-3 * flop, "rows' GFLOP %g vs %g" % (flop, L["matmul_gflop"]))
check(abs(flop - j["gflop_per_iter_computed"]) <= 2e-3 * flop + 2e-3,
      "rows' GFLOP %g vs the iteration's %g" % (flop, j["gflop_per_iter_computed"]))

# times: the summary's parts are the rows' (by kind), and they add up to the iteration
S = L["summary_ms"]
mat = sum(r["ms"] for r in L["rows"] if r["kind"] in ("linear", "conv", "deconv"))
check(abs(mat - S["matmul"]) <= 1e-3 * mat + 1e-3, "matmul %g vs rows %g" % (S["matmul"], mat))
bn = sum(r["ms"] for r in L["rows"] if r["kind"] == "batchnorm")
check(abs(bn - S["batchnorm"]) <= 1e-3 * bn + 1e-3, "batchnorm %g vs rows %g" % (S["batchnorm"], bn))
parts = sum(v for k, v in S.items() if k not in ("reorder", "sum"))
check(abs(parts - S["sum"]) <= 1e-3 * parts + 1e-3, "sum %g vs parts %g" % (S["sum"], parts))
it = L["iter_s"] * 1e3
# medians of the parts against the median iteration: equal up to how the medians fall
check(abs(S["sum"] - it) <= 0.25 * it, "the parts add up to %g ms, the iteration %g ms" % (S["sum"], it))
check(S["untimed"] <= 0.5 * it, "untimed %g ms of %g" % (S["untimed"], it))
check(L["conv_peak_gflops"] > 0 and L["reorders_timed"] == 1, "peak/reorders %s" % L["conv_peak_gflops"])
for phrase in ("convolution peak", "sgemm peak", "where the time goes", "gap to 90% of the sgemm peak"):
    check(phrase in text, "no '%s' in the text" % phrase)
for b in bad:
    print("    " + b)
sys.exit(1 if bad else 0)
EOF
}
check "bench --layers: the mnist table is complete and consistent" check_table "$T/mnist.txt" mnist
check "bench --layers: the unconditional table is complete and consistent" check_table "$T/uncond.txt" uncond

echo "test_bench_layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
