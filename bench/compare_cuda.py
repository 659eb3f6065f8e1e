#!/usr/bin/env python3
"""dcgan.c against PyTorch on one GPU, side by side: `dcgan bench --device cuda --json` and
`bench/torch_twin.py --device cuda --json`, alternated, for each model and batch size.

    make && python3 bench/compare_cuda.py                      # celeba64, mnist x batch 64, 512
    python3 bench/compare_cuda.py --models celeba64 --batches 64 --iters 50 --rounds 3
    python3 bench/compare_cuda.py --dry-run                    # canned JSON: the table, no GPU

Each (model, batch) runs our program and then the twin (in odd rounds the twin first), both with
the same --iters timed iterations after --warmup untimed ones; then the next batch size and model.
Both programs time each iteration with the GPU synchronized, report the median, and report the
GPU memory they used: gpu_alloc_peak_mb (the peak of what the program itself allocated during
training) and gpu_used_mb (total - free device memory at the end of training, the CUDA context,
library workspaces and allocator caches included). The twin runs in fp32 with TF32 off (as
dcgan.c) unless --tf32, which adds a third program: the twin with TF32 on, a side figure.

Printed: one markdown table, per (model, batch): img/s of each (medians over the rounds), the
ratio ours/theirs of those medians (> 1: dcgan.c is faster; with several rounds also the range
of the per-round ratios), GPU alloc peak and GPU used MB of both; a second table with s/iter and
generator time per batch. --json-out FILE keeps every raw result (commands, exit status, wall
time, stderr tail, each program's whole JSON line).

Guards: no new run starts once --max-seconds (240) have passed since the start; each run has a
--timeout (120 s), after which its process group is killed and the run recorded as failed. A
failed run (exit status, timeout, no JSON line) prints its stderr tail and the comparison goes
on; the exit status is 1 when any run failed. Keys missing from a JSON line are taken as null.
No timing is asserted: this prints what it measured.
"""
import argparse
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = ("celeba64", "mnist")
# the keys compared; the C program's JSON line has at least these (missing ones are null)
KEYS = ("model", "batch", "device", "train_s_per_iter", "train_img_per_s", "generate_s_per_batch",
        "gpu_alloc_peak_mb", "gpu_used_mb")
OURS, THEIRS, THEIRS_TF32 = "dcgan.c", "PyTorch", "PyTorch TF32"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="dcgan.c vs PyTorch on the GPU, side by side")
    ap.add_argument("--dcgan", default=os.path.join(ROOT, "build", "dcgan"),
                    help="the dcgan binary (default build/dcgan)")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for torch_twin.py (default: the one running this script)")
    ap.add_argument("--models", default="celeba64,mnist")
    ap.add_argument("--batches", default="64,512", help="batch sizes, comma-separated")
    ap.add_argument("--iters", type=int, default=20, help="timed iterations per run (20)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed iterations first (5)")
    ap.add_argument("--rounds", type=int, default=1, help="alternated rounds (1)")
    ap.add_argument("--max-seconds", type=float, default=240.0,
                    help="start no new run once this much time has passed (240)")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="per-run limit in seconds; a run over it is killed and counted failed")
    ap.add_argument("--tf32", action="store_true",
                    help="also run the twin with TF32 on (a third program, a side figure)")
    ap.add_argument("--dcgan-args", default="", help="extra arguments for dcgan bench")
    ap.add_argument("--twin-args", default="", help="extra arguments for torch_twin.py")
    ap.add_argument("--json-out", help="write every raw result and the summary here")
    ap.add_argument("--dry-run", action="store_true",
                    help="run nothing: feed canned JSON lines (some keys missing from ours) "
                         "through the parsing, budget and tables")
    a = ap.parse_args(argv)
    a.models = [m for m in a.models.split(",") if m]
    for m in a.models:
        if m not in MODELS:
            ap.error("--models: unknown model %r (%s)" % (m, ", ".join(MODELS)))
    try:
        a.batches = [int(b) for b in a.batches.split(",") if b]
    except ValueError:
        ap.error("--batches: comma-separated integers, e.g. 64,512")
    if not a.models or not a.batches or min(a.batches) < 1:
        ap.error("--models and --batches must name at least one model and batch size >= 1")
    if a.iters < 1 or a.warmup < 0 or a.rounds < 1 or a.timeout <= 0:
        ap.error("--iters and --rounds must be >= 1, --warmup >= 0, --timeout > 0")
    return a


# ----------------------------------------------------------------------------- commands
def commands(a, model, batch):
    """(program name, argv) for one (model, batch), in the order of an even round."""
    common = ["--model", model, "--batch-size", str(batch), "--iters", str(a.iters),
              "--warmup", str(a.warmup), "--json"]
    ours = [a.dcgan, "bench", "--device", "cuda"] + common + shlex.split(a.dcgan_args)
    twin = ([a.python, os.path.join(HERE, "torch_twin.py"), "--device", "cuda"] + common
            + shlex.split(a.twin_args))
    progs = [(OURS, ours), (THEIRS, twin)]
    if a.tf32:
        progs.append((THEIRS_TF32, twin + ["--tf32"]))
    return progs


def run_cmd(cmd, timeout):
    """Runs cmd in its own process group; returns rc (None: not started or timed out), stdout,
    stderr, wall seconds and whether it timed out (then the whole group is killed)."""
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                             start_new_session=True)
    except OSError as e:
        return dict(rc=None, out="", err="cannot start %s: %s" % (cmd[0], e), wall_s=0.0,
                    timed_out=False)
    timed_out = False
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                break
            try:
                out, err = p.communicate(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            out, err = b"", b""
    return dict(rc=None if timed_out else p.returncode, out=out.decode(errors="replace"),
                err=err.decode(errors="replace"), wall_s=time.monotonic() - t0,
                timed_out=timed_out)


def json_line(text):
    """The last line of text that starts with '{', parsed; (dict, None) or (None, why not)."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                r = json.loads(line)
            except ValueError as e:
                return None, "unparsable JSON line (%s): %s" % (e, line[:200])
            if not isinstance(r, dict):
                return None, "JSON line is not an object: %s" % line[:200]
            return r, None
    return None, "no JSON line on stdout"


def _num(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def normalize(r, batch):
    """The compared keys of one JSON line; missing or non-numeric ones are None. img/s is
    derived from s/iter when only that is there."""
    n = {k: r.get(k) for k in KEYS}
    for k in KEYS[3:]:
        n[k] = _num(n[k])
    if n["train_img_per_s"] is None and n["train_s_per_iter"]:
        b = _num(n["batch"]) or batch
        n["train_img_per_s"] = b / n["train_s_per_iter"]
    return n


def tail(text, lines=15, chars=3000):
    t = "\n".join(text.rstrip().splitlines()[-lines:])
    return t[-chars:]


# ----------------------------------------------------------------------------- dry run
def canned(prog, model, batch, rnd):
    """What a run would print: ours with only the minimum keys, gpu_used_mb left out."""
    mn = model == "mnist"
    per_img = (2.0e-5 if mn else 2.2e-4) * (1.0 + 0.03 * rnd)
    if prog == OURS:
        s = per_img * batch * 0.9 + 0.002
        r = dict(model="mnist-cond-28x28x1" if mn else "uncond", batch=batch, device="cuda",
                 train_s_per_iter=round(s, 5), train_img_per_s=round(batch / s, 3),
                 generate_s_per_batch=round(s / 9, 5),
                 gpu_alloc_peak_mb=round((90 if mn else 60) + batch * (0.6 if mn else 1.9), 1))
    else:
        s = per_img * batch * (0.75 if prog == THEIRS_TF32 else 1.0) + 0.004
        r = dict(impl="pytorch", model="mnist-cond-28x28x1" if mn else "uncond", batch=batch,
                 device="cuda", gpu_name="(dry run)", torch_version="(dry run)",
                 train_s_per_iter=round(s, 5), train_img_per_s=round(batch / s, 3),
                 generate_s_per_batch=round(s / 8, 5),
                 gpu_alloc_peak_mb=round((110 if mn else 80) + batch * (0.9 if mn else 2.6), 1),
                 gpu_used_mb=round(600 + batch * 3.1, 1), tf32=prog == THEIRS_TF32)
    return dict(rc=0, out="(dry run)\n" + json.dumps(r) + "\n", err="", wall_s=0.0,
                timed_out=False)


# ----------------------------------------------------------------------------- table
def fmt(v, spec="%.1f", missing="n/a"):
    return missing if v is None else spec % v


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def summarize(a, runs, progs):
    """Per (model, batch): medians over the rounds of each program's figures, the ratio of
    the img/s medians and the range of the per-round ratios."""
    rows = []
    for model in a.models:
        for batch in a.batches:
            row = dict(model=model, batch=batch)
            sel = [r for r in runs if r["model"] == model and r["batch"] == batch]
            for prog in progs:
                ok = [r["norm"] for r in sel if r["prog"] == prog and r["ok"]]
                row[prog] = {k: med([n[k] for n in ok]) for k in KEYS[3:]}
                row[prog]["runs_ok"] = len(ok)
                row[prog]["runs_failed"] = sum(1 for r in sel if r["prog"] == prog
                                               and not r["ok"] and not r.get("skipped"))
                row[prog]["runs_skipped"] = sum(1 for r in sel if r["prog"] == prog
                                                and r.get("skipped"))
                row[prog]["devices"] = sorted({str(n["device"]) for n in ok})
            ours, theirs = row[OURS]["train_img_per_s"], row[THEIRS]["train_img_per_s"]
            row["ratio"] = ours / theirs if ours and theirs else None
            per_round = []
            for rnd in range(a.rounds):
                o = [r["norm"]["train_img_per_s"] for r in sel
                     if r["round"] == rnd and r["prog"] == OURS and r["ok"]]
                t = [r["norm"]["train_img_per_s"] for r in sel
                     if r["round"] == rnd and r["prog"] == THEIRS and r["ok"]]
                if o and t and o[0] and t[0]:
                    per_round.append(o[0] / t[0])
            row["ratio_per_round"] = per_round
            rows.append(row)
    return rows


def cell(row, prog, key, spec="%.1f", scale=1.0):
    v = row[prog][key]
    if v is None:
        if row[prog]["runs_ok"] == 0 and row[prog]["runs_failed"]:
            return "failed"
        if row[prog]["runs_ok"] == 0 and row[prog]["runs_skipped"]:
            return "not run"
        return "n/a"
    return spec % (v * scale)


def pair(row, key, spec="%.0f", scale=1.0):
    return "%s / %s" % (cell(row, OURS, key, spec, scale), cell(row, THEIRS, key, spec, scale))


def table(header, lines):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in ln) + " |" for ln in lines]
    return "\n".join(out)


def report(a, rows, progs):
    tf32 = THEIRS_TF32 in progs
    head = ["model", "batch", "dcgan.c img/s", "PyTorch img/s"]
    head += ["PyTorch TF32 img/s"] if tf32 else []
    head += ["ratio (ours/theirs)", "GPU alloc peak MB (dcgan.c / PyTorch)",
             "GPU used MB (dcgan.c / PyTorch)"]
    lines = []
    for r in rows:
        ratio = fmt(r["ratio"], "%.2fx")
        if len(r["ratio_per_round"]) > 1:
            ratio += " (%.2f-%.2f)" % (min(r["ratio_per_round"]), max(r["ratio_per_round"]))
        ln = [r["model"], r["batch"], cell(r, OURS, "train_img_per_s"),
              cell(r, THEIRS, "train_img_per_s")]
        ln += [cell(r, THEIRS_TF32, "train_img_per_s")] if tf32 else []
        ln += [ratio, pair(r, "gpu_alloc_peak_mb"), pair(r, "gpu_used_mb")]
        lines.append(ln)
    print(table(head, lines))
    print()
    lines = [[r["model"], r["batch"], pair(r, "train_s_per_iter", "%.4f"),
              pair(r, "generate_s_per_batch", "%.2f", 1e3)] for r in rows]
    print(table(["model", "batch", "train s/iter (dcgan.c / PyTorch)",
                 "generate ms per batch (dcgan.c / PyTorch)"], lines))


# ----------------------------------------------------------------------------- main
def main(argv=None):
    a = parse_args(argv)
    runner = (lambda cmd, timeout, prog, model, batch, rnd: canned(prog, model, batch, rnd)) \
        if a.dry_run else (lambda cmd, timeout, *_: run_cmd(cmd, timeout))
    t_start = time.monotonic()
    runs, budget_hit = [], False
    progs = [p for p, _ in commands(a, a.models[0], a.batches[0])]
    if not a.dry_run and not os.access(a.dcgan, os.X_OK):
        print("warning: %s is not an executable file; its runs will fail (build it with make, "
              "or pass --dcgan)" % a.dcgan, file=sys.stderr)
    print("dcgan.c vs PyTorch on the GPU: models %s, batches %s, %d timed + %d warm-up "
          "iterations, %d round(s), budget %.0f s, per-run timeout %.0f s%s"
          % (",".join(a.models), ",".join(map(str, a.batches)), a.iters, a.warmup, a.rounds,
             a.max_seconds, a.timeout, ", DRY RUN (canned JSON)" if a.dry_run else ""))
    for rnd in range(a.rounds):
        for model in a.models:
            for batch in a.batches:
                order = commands(a, model, batch)
                if rnd % 2:
                    order = order[::-1]
                for prog, cmd in order:
                    rec = dict(prog=prog, round=rnd, model=model, batch=batch, cmd=cmd)
                    elapsed = time.monotonic() - t_start
                    if elapsed >= a.max_seconds:
                        if not budget_hit:
                            print("budget of %.0f s used up after %.0f s: no new run is started"
                                  % (a.max_seconds, elapsed))
                        budget_hit = True
                        rec.update(ok=False, skipped=True, error="not run: budget used up",
                                   norm=normalize({}, batch))
                        runs.append(rec)
                        continue
                    res = runner(cmd, a.timeout, prog, model, batch, rnd)
                    rec.update(rc=res["rc"], timed_out=res["timed_out"],
                               wall_s=round(res["wall_s"], 2), stdout=res["out"],
                               stderr_tail=tail(res["err"]))
                    parsed, why = json_line(res["out"])
                    if res["timed_out"]:
                        why = "timed out after %.0f s (killed)" % a.timeout
                    elif res["rc"] != 0:
                        why = ("exit status %s" % res["rc"]) if res["rc"] is not None \
                            else res["err"].strip()
                    rec.update(ok=why is None, error=why, result=parsed,
                               norm=normalize(parsed or {}, batch))
                    runs.append(rec)
                    n = rec["norm"]
                    if rec["ok"]:
                        print("[%5.0f s] round %d %-8s batch %-4d %-12s %9s img/s  %8s s/iter  "
                              "alloc peak %s MB, used %s MB  (wall %.1f s)"
                              % (time.monotonic() - t_start, rnd + 1, model, batch, prog,
                                 fmt(n["train_img_per_s"]), fmt(n["train_s_per_iter"], "%.4f"),
                                 fmt(n["gpu_alloc_peak_mb"], "%.0f"),
                                 fmt(n["gpu_used_mb"], "%.0f"), res["wall_s"]))
                        if n["device"] != "cuda":
                            print("          note: it reports device %r" % (n["device"],))
                    else:
                        print("[%5.0f s] round %d %-8s batch %-4d %-12s FAILED: %s\n"
                              "          command: %s\n          stderr tail:\n%s"
                              % (time.monotonic() - t_start, rnd + 1, model, batch, prog, why,
                                 " ".join(shlex.quote(c) for c in cmd),
                                 "\n".join("            " + ln for ln in
                                           (rec["stderr_tail"] or tail(res["out"])
                                            or "(empty)").splitlines())))
                    sys.stdout.flush()

    rows = summarize(a, runs, progs)
    print()
    twin = next((r["result"] for r in runs if r["prog"] == THEIRS and r["ok"]), None) or {}
    if twin:
        print("GPU: %s; PyTorch %s, CUDA %s, cuDNN %s; twin: TF32 %s, cudnn.benchmark, deconv %s"
              % (twin.get("gpu_name"), twin.get("torch_version"), twin.get("cuda_version"),
                 twin.get("cudnn_version"), "on" if twin.get("tf32") else "off",
                 twin.get("deconv")))
    print("img/s and s/iter: medians over the rounds of each run's median iteration "
          "(batch %s, %d timed after %d warm-up); ratio = dcgan.c img/s / PyTorch img/s"
          % (",".join(map(str, a.batches)), a.iters, a.warmup))
    print()
    report(a, rows, progs)
    failed = [r for r in runs if not r["ok"] and not r.get("skipped")]
    skipped = [r for r in runs if r.get("skipped")]
    print()
    print("%d runs in %.0f s: %d ok, %d failed, %d not run (budget)"
          % (len(runs), time.monotonic() - t_start, len(runs) - len(failed) - len(skipped),
             len(failed), len(skipped)))
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(dict(args=vars(a), elapsed_s=round(time.monotonic() - t_start, 1),
                           runs=runs, summary=rows), f, indent=1)
        print("raw results: %s" % a.json_out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
