#!/bin/sh
# Sweep the PyTorch twin's speed variants, alternating them round by round so that the
# machine's background load hits every variant alike; prints each variant's median s/iter.
#   bench/twin_variants.sh [MODEL [ROUNDS [ITERS]]]     (defaults: celeba64 3 2)
# The fastest is bench/torch_twin.py's default (see the comment at its top and bench/README.md).
set -eu
cd "$(dirname "$0")/.."
MODEL=${1:-celeba64}
ROUNDS=${2:-3}
ITERS=${3:-2}
PY=${PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
set -- \
  "default|" \
  "stock-deconv|--deconv crop0" \
  "stock-deconv-pad1|--deconv pad1" \
  "asym-pad|--pad asym" \
  "channels_last|--layout channels_last" \
  "no-mkldnn|--no-mkldnn"
r=1
while [ "$r" -le "$ROUNDS" ]; do
  for v in "$@"; do
    name=${v%%|*}; args=${v#*|}
    # shellcheck disable=SC2086
    "$PY" bench/torch_twin.py --model "$MODEL" --iters "$ITERS" --warmup 1 --no-peak --json $args \
      | tail -n 1 >> "$TMP/$name.jsonl"
    printf 'round %d %-18s %s\n' "$r" "$name" \
      "$(tail -n 1 "$TMP/$name.jsonl" | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
print("%.3f s/iter  gen %.3f s  b1 %.1f ms" % (
    d["train_s_per_iter"], d["generate_s_per_batch"], d["generate_batch1_ms"]))')"
  done
  r=$((r + 1))
done
echo "== $MODEL: median over $ROUNDS rounds (each round: median of $ITERS iterations)"
for v in "$@"; do
  name=${v%%|*}
  "$PY" - "$name" "$TMP/$name.jsonl" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
med = lambda k: statistics.median(r[k] for r in rows)
print("%-18s train %7.3f s/iter   generate b64 %6.3f s   batch-1 %6.1f ms   rss %6.0f MB" % (
    sys.argv[1], med("train_s_per_iter"), med("generate_s_per_batch"), med("generate_batch1_ms"),
    med("peak_rss_mb")))
PYEOF
done
