#!/usr/bin/env python3
"""bf16 against fp32 at equal iterations: the demo's conditional model on Fashion-MNIST, trained
once per precision and seed, each run measured by `dcgan eval` (FID-like distance, KID,
precision/recall, class entropy, label accuracy, nearest-neighbour RMSE). Prints one row per run,
each precision's mean and spread, and for every number whether the bf16 mean lies inside the
fp32 seeds' range (issue 18: bf16's speed-up only counts if it does).

  /usr/bin/python3 bench/bf16_quality.py                    # seeds 1-3, 800 iterations: ~25 min on 2 cores
  /usr/bin/python3 bench/bf16_quality.py --table-only       # the table of runs already in --out
  /usr/bin/python3 bench/bf16_quality.py --runs bf16=out/quality/bf16all --table-only

Needs the classifier `dcgan eval` uses (`dcgan classifier train --dataset fashion-mnist`, which
this script runs first when it is missing). Runs go two at a time with --threads 1 each, so
'train s' is wall time under that load, not a speed measurement.
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys

METRICS = [("fid", "FID", "%.2f"), ("kid", "KID", "%.4f"), ("precision", "precision", "%.3f"),
           ("recall", "recall", "%.4f"), ("class_entropy", "class entropy", "%.3f"),
           ("label_accuracy", "label acc", "%.3f"), ("nn_rmse", "NN RMSE", "%.4f")]


def train(a, name, precision, seed):
    cmd = [a.dcgan, "train", "--dataset", "fashion-mnist", "--out-dir", a.out, "--out-name", name,
           "--gfc-dim", "512", "--dfc-dim", "512", "--max-steps", str(a.steps),
           "--sample-freq", "200", "--ckpt-freq", str(a.steps // 2), "--seed", str(seed),
           "--precision", precision, "--threads", "1", "--quiet"]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def evaluate(a, run):
    out = subprocess.run([a.dcgan, "eval", "--run", run, "--json"], check=True,
                         capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    with open(os.path.join(run, "eval.json"), "w") as f:
        json.dump(result, f)
    return result


def last_log(run):
    with open(os.path.join(run, "log.csv")) as f:
        return f.read().strip().splitlines()[-1].split(",")


def spread(xs, fmt):
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return "%s (%s; %s-%s)" % (fmt % statistics.mean(xs), fmt % sd, fmt % min(xs), fmt % max(xs))


def table(a, prefixes, seeds):
    rows, gen = [], {}
    for label, prefix in prefixes:
        for s in seeds:
            run = "%s-seed%d" % (prefix, s)
            path = os.path.join(run, "eval.json")
            if not os.path.exists(path):
                print("missing %s (run without --table-only to make it)" % path, file=sys.stderr)
                sys.exit(1)
            with open(path) as f:
                g = json.load(f)["generated"]
            gen.setdefault(label, []).append(g)
            log = last_log(run)
            rows.append("| %s | %d | %s | %s | %s |" % (
                label, s, " | ".join(fmt % g[k] for k, _, fmt in METRICS), log[0], log[3]))
    print("| precision | seed | " + " | ".join(n for _, n, _ in METRICS) +
          " | iterations | train s |")
    print("|" + "---|" * (len(METRICS) + 4))
    print("\n".join(rows))
    print()
    print("| precision | " + " | ".join(n + " mean (std; min-max)" for _, n, _ in METRICS) + " |")
    print("|" + "---|" * (len(METRICS) + 1))
    for label, gs in gen.items():
        print("| %s | %s |" % (label, " | ".join(spread([g[k] for g in gs], fmt)
                                                for k, _, fmt in METRICS)))
    print()
    base = gen.get("fp32")
    for label, gs in gen.items():
        if label == "fp32" or not base:
            continue
        for k, n, fmt in METRICS:
            ref = [g[k] for g in base]
            m = statistics.mean(g[k] for g in gs)
            inside = min(ref) <= m <= max(ref)
            print("%s: %s mean %s, fp32 mean %s, fp32 seed range %s-%s: %s" % (
                n, label, fmt % m, fmt % statistics.mean(ref), fmt % min(ref), fmt % max(ref),
                "inside" if inside else "OUTSIDE"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dcgan", default="build/dcgan")
    p.add_argument("--out", default="out/quality")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--steps", type=int, default=800)
    p.add_argument("--precisions", default="fp32,bf16")
    p.add_argument("--parallel", type=int, default=2)
    p.add_argument("--table-only", action="store_true", help="no training: tabulate the runs")
    p.add_argument("--runs", action="append", default=[],
                   help="LABEL=PREFIX: tabulate PREFIX-seedS as LABEL (repeatable; --table-only)")
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    precisions = a.precisions.split(",")
    prefixes = [(x, os.path.join(a.out, x)) for x in precisions]
    if a.runs:
        prefixes = [tuple(r.split("=", 1)) for r in a.runs]
    if not a.table_only:
        if not os.path.exists("out/classifiers/fashion-mnist-28x28x1.safetensors"):
            subprocess.run([a.dcgan, "classifier", "train", "--dataset", "fashion-mnist",
                            "--quiet"], check=True)
        jobs = [(p_, s) for s in seeds for p_ in precisions]
        with concurrent.futures.ThreadPoolExecutor(a.parallel) as ex:
            for f in [ex.submit(train, a, "%s-seed%d" % (p_, s), p_, s) for p_, s in jobs]:
                f.result()
        for p_, s in jobs:
            evaluate(a, os.path.join(a.out, "%s-seed%d" % (p_, s)))
    table(a, prefixes, seeds)


if __name__ == "__main__":
    main()
