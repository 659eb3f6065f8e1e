#!/usr/bin/python3
"""Side-by-side speed comparison of dcgan.c and its PyTorch twin (issue 4: "twice as fast as
PyTorch on the same CPU, measured side by side"), plus the JPEG-pipeline check.

    make && /usr/bin/python3 bench/compare.py     # 2 cores: ~3 min idle, ~15 min when loaded
    /usr/bin/python3 bench/compare.py --quick     # 1-5 minutes, fewer iterations

For each model (celeba64, mnist) and each round, it runs `build/dcgan bench --json` and then
`bench/torch_twin.py --json` with the same batch size, iterations, warm-up and threads, one
after the other, so that the machine's background load hits both alike; then it prints the
medians over the rounds:
  training:  median s/iter, img/s, speed-up = PyTorch s/iter / our s/iter (ratio of the medians,
             and the range of the per-round ratios), achieved GFLOP/s (the same FLOP count for
             both, src/train/step.c's train_step_flops) and % of the better of the two sgemm
             peaks (oneDNN's, OpenBLAS's) `dcgan bench` measures in the same run (1536^3, best of 4), the twin's torch.mm peak for reference, peak RSS of
             each process (as each program reports it, cross-checked with wait4's ru_maxrss).
  inference: generator batch-B time and batch-1 latency (eval-mode batch norm, median of 5).
JPEG check (celeba64 only): in each round, right after `dcgan bench --model celeba64`, also
`dcgan train` on a folder of generated 128x128 JPEGs (--crop --input-height 108
--output-height 64, --max-steps warmup+iters), and compares its median per-iteration time (from
log.csv's elapsed-seconds column, iterations after the first) with that bench run's median.
Because wall times on a loaded machine can be noisier than the effect, the decoding cost is
also measured on its own (bench/jpeg_decode.c: CPU seconds per batch of the same loader) and
shown as a fraction of a training iteration's CPU time. The final checkpoint is written after
the last log.csv row, so it is not in the per-iteration times; the process's wall time outside
the training loop (start-up, first batch, checkpoint) is shown separately.

Larger images: --sizes 64,128,256 runs the celeba model at each of those image sides instead
(the reference's layers for that size: `dcgan bench --output-height S`, `torch_twin.py
--output-height S`), alternated the same way, batch --batch-size (or per size with --size-batch
256:32), fewer timed iterations at larger sizes (--iters at 64, scaled by (64/S)^2, at least 1;
or --size-iters 3,1,1), no JPEG check; the table adds each program's peak RSS and how s/iter
and peak RSS grow from one size to the next.

Options worth knowing: --stock also runs the twin with PyTorch 1.13's own conv_transpose2d (the
plain-API program; its im2col/col2im path is ~2x slower than the oneDNN deconvolution the twin
uses by default) as a third program in each round; --openblas-coretype SKYLAKEX runs both
programs with that OpenBLAS kernel set (OpenBLAS 0.3.21 takes this Zen 5 for a Haswell and uses
AVX2 kernels; the kernel set each run used is printed with the table).

No timing is asserted anywhere: this prints what it measured.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ARGS = None
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse_args():
    ap = argparse.ArgumentParser(description="dcgan.c vs PyTorch, side by side")
    ap.add_argument("--quick", action="store_true",
                    help="short variant: 2 rounds, 1 timed celeba64 iteration, 300 JPEGs")
    ap.add_argument("--rounds", type=int, help="alternating rounds (default 3, quick 2)")
    ap.add_argument("--iters", type=int, help="timed celeba64 iterations per run (3, quick 1)")
    ap.add_argument("--mnist-iters", type=int, help="timed mnist iterations per run (5, quick 2)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed iterations per run (1)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="compute threads of both programs (default: all cores)")
    ap.add_argument("--models", default="celeba64,mnist")
    ap.add_argument("--no-jpeg", action="store_true", help="skip the JPEG-pipeline check")
    ap.add_argument("--jpeg-files", type=int, help="JPEGs to generate (2000, quick 300)")
    ap.add_argument("--jpeg-dir", default=os.path.join(tempfile.gettempdir(), "dcgan_bench_jpeg"),
                    help="where the generated JPEGs are kept (reused when already there)")
    ap.add_argument("--dcgan", default=os.path.join(ROOT, "build", "dcgan"))
    ap.add_argument("--python", default="/usr/bin/python3", help="interpreter for the twin")
    ap.add_argument("--twin-args", default="", help="extra arguments for torch_twin.py")
    ap.add_argument("--stock", action="store_true",
                    help="also run the twin with PyTorch's own conv_transpose2d (--deconv crop0), "
                         "the plain-API PyTorch 1.13 program, as a third column")
    ap.add_argument("--openblas-coretype", default="",
                    help="set OPENBLAS_CORETYPE (e.g. SKYLAKEX) for both programs; default: "
                         "OpenBLAS's own detection")
    ap.add_argument("--max-minutes", type=float, default=25.0,
                    help="start no new round once this much time has passed (default 25)")
    ap.add_argument("--json-out", help="also write every raw result and the summary here")
    ap.add_argument("--precision", default="fp32",
                    help="fp32 (default), bf16, or fp32,bf16 for both in each round: passed to "
                         "both programs (dcgan bench --precision; the twin's torch.autocast)")
    ap.add_argument("--sizes", default="",
                    help="image sides for the celeba model, e.g. 64,128,256 (replaces --models; "
                         "no JPEG check)")
    ap.add_argument("--size-iters", default="",
                    help="with --sizes: timed iterations per size, e.g. 3,1,1 (default: --iters "
                         "x (64/S)^2, at least 1)")
    ap.add_argument("--size-batch", default="",
                    help="with --sizes: batch per size where it differs from --batch-size, "
                         "e.g. 256:32")
    a = ap.parse_args()
    a.rounds = a.rounds or (2 if a.quick else 3)
    a.iters = a.iters or (1 if a.quick else 3)
    a.mnist_iters = a.mnist_iters or (2 if a.quick else 5)
    a.jpeg_files = a.jpeg_files or (300 if a.quick else 2000)
    a.models = [m for m in a.models.split(",") if m]
    a.precisions = [p for p in a.precision.split(",") if p]
    if not a.precisions or any(p not in ("fp32", "bf16") for p in a.precisions):
        ap.error("--precision: expected fp32, bf16 or fp32,bf16")
    for m in a.models:
        if m not in ("celeba64", "mnist"):
            ap.error("--models: unknown model %r" % m)
    a.size_plan = {}   # model key -> (side, batch, iters)
    if a.sizes:
        try:
            sizes = [int(x) for x in a.sizes.split(",") if x]
            its = [int(x) for x in a.size_iters.split(",") if x]
            batches = dict((int(k), int(v)) for k, v in
                           (x.split(":") for x in a.size_batch.split(",") if x))
        except ValueError:
            ap.error("--sizes/--size-iters/--size-batch: numbers, e.g. 64,128,256 / 3,1,1 / 256:32")
        if its and len(its) != len(sizes):
            ap.error("--size-iters needs one count per size")
        if not sizes or any(not 16 <= x <= 1024 for x in sizes):
            ap.error("--sizes: image sides 16..1024")
        for i, side in enumerate(sizes):
            n = its[i] if its else max(1, round(a.iters * (64.0 / side) ** 2))
            a.size_plan["celeba%d" % side] = (side, batches.get(side, a.batch_size), n)
        a.models = list(a.size_plan)
        a.no_jpeg = True
    return a


# ----------------------------------------------------------------------------- processes
def run(cmd, env=None, cwd=ROOT):
    """Runs cmd; returns (stdout, stderr, wall seconds, child rusage from wait4)."""
    env = dict(os.environ if env is None else env)
    env["OPENBLAS_VERBOSE"] = "2"          # OpenBLAS prints the kernel set it picked ("Core: X")
    if ARGS.openblas_coretype:
        env["OPENBLAS_CORETYPE"] = ARGS.openblas_coretype
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, cwd=cwd)
        out = p.stdout.read()
        p.stdout.close()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        err.seek(0)
        errtext = err.read().decode(errors="replace")
    out = out.decode(errors="replace")
    if p.returncode != 0:
        sys.exit("command failed (exit %d): %s\n%s%s" % (p.returncode, " ".join(cmd), out, errtext))
    return out, errtext, wall, ru


def json_line(text):
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in output:\n" + text)


def openblas_core(stderr):
    for line in stderr.splitlines():
        if line.startswith("Core: "):
            return line[6:].strip()
    return "?"


def model_args(a, model):
    """The model, image side and batch arguments both programs take for a model key."""
    if model in a.size_plan:
        side, batch, _ = a.size_plan[model]
        return ["--model", "celeba64", "--output-height", str(side), "--batch-size", str(batch)]
    return ["--model", model, "--batch-size", str(a.batch_size)]


def ours(a, model, iters, precision="fp32"):
    cmd = [a.dcgan, "bench"] + model_args(a, model) + ["--iters", str(iters), "--warmup",
                                                      str(a.warmup), "--threads", str(a.threads),
                                                      "--json"]
    if precision != "fp32":
        cmd += ["--precision", precision]
    out, err, wall, ru = run(cmd)
    r = json_line(out)
    r.update(wall_s=wall, cpu_s=ru.ru_utime + ru.ru_stime, wait4_maxrss_mb=ru.ru_maxrss / 1024.0,
             openblas_core=openblas_core(err))
    return r


def theirs(a, model, iters, extra=(), precision="fp32"):
    cmd = [a.python, os.path.join(HERE, "torch_twin.py")] + model_args(a, model) + [
        "--iters", str(iters), "--warmup", str(a.warmup), "--threads", str(a.threads),
        "--json"] + a.twin_args.split() + list(extra)
    if precision != "fp32":
        cmd += ["--precision", precision]
    out, err, wall, ru = run(cmd)
    r = json_line(out)
    r.update(wall_s=wall, cpu_s=ru.ru_utime + ru.ru_stime, wait4_maxrss_mb=ru.ru_maxrss / 1024.0,
             openblas_core=openblas_core(err))
    return r


# ----------------------------------------------------------------------------- JPEG check
def make_jpegs(folder, n):
    """n random-ish 128x128 colour JPEGs (smooth gradients, blobs and noise, so that they are
    about photo-sized); kept and reused when the folder already holds n of them."""
    import numpy as np
    from PIL import Image
    os.makedirs(folder, exist_ok=True)
    have = [f for f in os.listdir(folder) if f.endswith(".jpg")]
    if len(have) == n:
        return False
    for f in have:
        os.remove(os.path.join(folder, f))
    rng = np.random.default_rng(4)
    yy, xx = np.mgrid[0:128, 0:128].astype(np.float32) / 127.0
    for i in range(n):
        c0, c1, c2 = rng.uniform(0, 255, (3, 3))
        img = (c0[None, None] * (1 - xx[..., None]) * (1 - yy[..., None]) + c1[None, None] *
               xx[..., None] + c2[None, None] * yy[..., None] * (1 - xx[..., None]))
        for _ in range(3):
            cy, cx, r = rng.uniform(20, 108), rng.uniform(20, 108), rng.uniform(8, 40)
            m = ((yy * 127 - cy) ** 2 + (xx * 127 - cx) ** 2) < r * r
            img[m] = rng.uniform(0, 255, 3)
        img += rng.normal(0, 12, img.shape)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(
            os.path.join(folder, "img_%05d.jpg" % i), quality=90)
    return True


def train_jpeg(a, data_dir, dataset, steps):
    out_dir = tempfile.mkdtemp(prefix="dcgan_bench_train_")
    try:
        cmd = [a.dcgan, "train", "--data-dir", data_dir, "--dataset", dataset, "--crop",
               "--input-height", "108", "--output-height", "64", "--batch-size",
               str(a.batch_size), "--max-steps", str(steps), "--sample-freq", "0", "--ckpt-freq",
               "0", "--threads", str(a.threads), "--out-dir", out_dir, "--out-name", "run",
               "--quiet"]
        _, _, wall, ru = run(cmd)
        with open(os.path.join(out_dir, "run", "log.csv")) as f:
            lines = [line for line in f.read().splitlines() if line]
        col = lines[0].split(",").index("seconds")   # elapsed seconds after each iteration
        el = [float(line.split(",")[col]) for line in lines[1:]]
        if len(el) != steps:
            sys.exit("dcgan train logged %d iterations, expected %d" % (len(el), steps))
        # the first iteration (loader start-up) is left out, like the bench's warm-up
        per_iter = [b - c for b, c in zip(el[1:], el[:-1])] or el[:1]
        return dict(first_iter_s=el[0], train_s_per_iter=statistics.median(per_iter),
                    loop_s=el[-1], wall_s=wall, outside_loop_s=wall - el[-1],
                    cpu_s=ru.ru_utime + ru.ru_stime, wait4_maxrss_mb=ru.ru_maxrss / 1024.0)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def decode_cost(a, data):
    """Builds bench/jpeg_decode.c from the sources into a temporary folder and runs it: the
    loader's CPU seconds per batch, independent of the training (and of the load, mostly)."""
    tmp = tempfile.mkdtemp(prefix="dcgan_bench_decode_")
    try:
        exe = os.path.join(tmp, "jpeg_decode")
        src = ["bench/jpeg_decode.c", "src/data/dataset.c", "src/data/loader.c", "src/data/image.c",
               "src/data/image_resize.c", "src/data/image_webp.c", "src/data/idx.c",
               "src/data/lmdb_source.c", "src/data/labels_file.c", "src/data/source.c",
               "src/core/rng.c", "src/core/error.c", "src/core/log.c"]
        cc = os.environ.get("CC", "cc")
        flags = ["-O2", "-std=c11", "-D_GNU_SOURCE", "-pthread", "-fopenmp", "-Isrc"]
        p = subprocess.run([cc] + flags + src + ["-ljpeg", "-lpng", "-lz", "-llmdb", "-lwebp",
                                                 "-lm", "-o", exe],
                           cwd=ROOT, capture_output=True, text=True)
        if p.returncode != 0:
            print("(jpeg_decode did not build; skipped)\n" + p.stderr[-2000:])
            return None
        out, _, _, _ = run([exe, data, "30", str(a.batch_size), "2"])
        return json_line(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ----------------------------------------------------------------------------- report
def med(rows, key):
    return statistics.median(r[key] for r in rows)


def fmt_range(v):
    return "%.2f-%.2f" % (min(v), max(v)) if len(v) > 1 else "-"


def table(header, rows):
    w = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "| " + " | ".join(str(x).ljust(n) for x, n in zip(r, w)) + " |"
    out = [line(header), "|" + "|".join("-" * (n + 2) for n in w) + "|"]
    return "\n".join(out + [line(r) for r in rows])


THEIRS = (("pytorch", "PyTorch"), ("stock", "PyTorch, stock conv_transpose2d"))


def report(a, res, jpeg, decode):
    tr, inf = [], []
    for model, rounds in res.items():
        O = [r["ours"] for r in rounds]
        to, peak = med(O, "train_s_per_iter"), med(O, "sgemm_peak_gflops")
        go, go_ = med(O, "train_gflops"), med(O, "generate_s_per_batch")
        lo = med(O, "generate_batch1_ms")
        for key, label in THEIRS:
            if key not in rounds[0]:
                continue
            T = [r[key] for r in rounds]
            tt, gt = med(T, "train_s_per_iter"), med(T, "train_gflops")
            ratios = [r[key]["train_s_per_iter"] / r["ours"]["train_s_per_iter"] for r in rounds]
            tr.append(["%s vs %s" % (model, label), "%.3f" % to, "%.3f" % tt, "%.2fx" % (tt / to),
                       fmt_range(ratios),
                       "%.1f / %.1f" % (med(O, "train_img_per_s"), med(T, "train_img_per_s")),
                       "%.1f (%.0f%%) / %.1f (%.0f%%)" % (go, 100 * go / peak, gt, 100 * gt / peak),
                       "%.1f / %.1f / %.1f" % (med(O, "sgemm_peak_onednn_gflops"),
                                               med(O, "sgemm_peak_openblas_gflops"),
                                               med(T, "mm_peak_gflops")),
                       "%.0f / %.0f" % (med(O, "peak_rss_mb"), med(T, "peak_rss_mb"))])
            gt_, lt = med(T, "generate_s_per_batch"), med(T, "generate_batch1_ms")
            gr = [r[key]["generate_s_per_batch"] / r["ours"]["generate_s_per_batch"]
                  for r in rounds]
            lr = [r[key]["generate_batch1_ms"] / r["ours"]["generate_batch1_ms"] for r in rounds]
            inf.append(["%s vs %s" % (model, label), "%.3f / %.3f" % (go_, gt_),
                        "%.2fx" % (gt_ / go_), fmt_range(gr),
                        "%.0f / %.0f" % (O[0]["batch"] / go_, T[0]["batch"] / gt_),
                        "%.1f / %.1f" % (lo, lt), "%.2fx" % (lt / lo), fmt_range(lr)])
    cores = sorted({r["ours"]["openblas_core"] for rr in res.values() for r in rr})
    convs = sorted({r["ours"].get("conv_backend", "?") for rr in res.values() for r in rr})
    batches = sorted({r["ours"]["batch"] for rr in res.values() for r in rr})
    lines = ["Training (batch %s, %d threads, medians of %d rounds; 'ours / PyTorch'; speed-up = "
             "PyTorch s/iter / our s/iter; our convolutions: %s; OpenBLAS kernels: %s; "
             "GFLOP/s over the reference schedule's FLOP count, %% of the best sgemm peak "
             "measured by dcgan bench):" % (
                 "/".join(map(str, batches)), a.threads, a.rounds_done, ", ".join(convs),
                 ", ".join(cores)),
             table(["model", "ours s/iter", "PyTorch s/iter", "speed-up", "per-round", "img/s",
                    "GFLOP/s (% of sgemm peak)",
                    "peak GFLOP/s: oneDNN sgemm / OpenBLAS sgemm / torch.mm",
                    "peak RSS MB"], tr),
             "",
             "Generator inference (eval-mode batch norm, median of 5; 'ours / PyTorch'; speed-up = "
             "PyTorch time / our time):",
             table(["model", "batch-%s s" % "/".join(map(str, batches)), "speed-up", "per-round", "img/s",
                    "batch-1 ms", "speed-up", "per-round"], inf)]
    pairs = [(k, k + " bf16") for k in res if k + " bf16" in res]
    if pairs:
        rows = []
        for k32, k16 in pairs:
            for who, label in (("ours", "ours"),) + THEIRS:
                if who not in res[k32][0] or who not in res[k16][0]:
                    continue
                t32 = med([r[who] for r in res[k32]], "train_s_per_iter")
                t16 = med([r[who] for r in res[k16]], "train_s_per_iter")
                rr = [a32[who]["train_s_per_iter"] / a16[who]["train_s_per_iter"]
                      for a32, a16 in zip(res[k32], res[k16])]
                g32 = med([r[who] for r in res[k32]], "generate_s_per_batch")
                g16 = med([r[who] for r in res[k16]], "generate_s_per_batch")
                rows.append(["%s, %s" % (k32, label), "%.3f" % t32, "%.3f" % t16,
                             "%.2fx" % (t32 / t16), fmt_range(rr), "%.3f / %.3f" % (g32, g16),
                             "%.2fx" % (g32 / g16)])
        lines += ["",
                  "bf16 against fp32, each program against itself (the same rounds; speed-up = "
                  "fp32 s/iter / bf16 s/iter):",
                  table(["model, program", "fp32 s/iter", "bf16 s/iter", "speed-up", "per-round",
                         "generate b%d s fp32 / bf16" % a.batch_size, "speed-up"], rows)]
    if jpeg:
        J = [j for j, _ in jpeg]
        B = [b for _, b in jpeg]
        tj, tb = med(J, "train_s_per_iter"), med(B, "train_s_per_iter")
        diffs = [100 * (j["train_s_per_iter"] / b["train_s_per_iter"] - 1) for j, b in jpeg]
        lines += ["",
                  "JPEG pipeline (celeba64, %d generated 128x128 JPEGs, --crop 108 -> 64; "
                  "medians of per-iteration times, the first iteration excluded):" % a.jpeg_files,
                  table(["source", "s/iter", "difference", "per-round %", "first iteration s",
                         "outside the loop s (start-up, final checkpoint)", "peak RSS MB"],
                        [["dcgan bench (memory)", "%.3f" % tb, "", "", "", "",
                          "%.0f" % med(B, "peak_rss_mb")],
                         ["dcgan train (JPEG folder)", "%.3f" % tj,
                          "%+.1f%%" % (100 * (tj / tb - 1)),
                          " ".join("%+.1f" % d for d in diffs), "%.3f" % med(J, "first_iter_s"),
                          "%.2f" % med(J, "outside_loop_s"), "%.0f" % med(J, "wait4_maxrss_mb")]])]
    if decode and "celeba64" in res:
        cpu_iter = a.threads * med([r["ours"] for r in res["celeba64"]], "train_s_per_iter")
        lines += ["",
                  "Decoding alone (bench/jpeg_decode.c, the same loader with 2 decoding threads, "
                  "prefetch 4): %.1f ms CPU per batch of %d (%.3f ms per image on one thread), "
                  "i.e. %.2f%% of the CPU time of one training iteration (%d threads x %.3f s)." % (
                      1e3 * decode["batch_cpu_s"], a.batch_size, decode["image_cpu_ms"],
                      100 * decode["batch_cpu_s"] / cpu_iter, a.threads, cpu_iter / a.threads)]
    return "\n".join(lines)


def report_sizes(a, res):
    """--sizes: one row per image side, then how time and memory grow from side to side."""
    rows, per = [], []
    for model, rounds in res.items():
        if model not in a.size_plan:   # the bf16 runs of --precision fp32,bf16: not here
            continue
        side, batch, iters = a.size_plan[model]
        O, T = [r["ours"] for r in rounds], [r["pytorch"] for r in rounds]
        to, tt = med(O, "train_s_per_iter"), med(T, "train_s_per_iter")
        peak = med(O, "sgemm_peak_gflops")
        go, gt = med(O, "train_gflops"), med(T, "train_gflops")
        ro, rt = med(O, "wait4_maxrss_mb"), med(T, "wait4_maxrss_mb")
        ratios = [r["pytorch"]["train_s_per_iter"] / r["ours"]["train_s_per_iter"] for r in rounds]
        rows.append(["%dx%d" % (side, side), batch, iters, "%.3f" % to, "%.3f" % tt,
                     "%.2fx" % (tt / to), fmt_range(ratios),
                     "%.1f / %.1f" % (med(O, "train_img_per_s"), med(T, "train_img_per_s")),
                     "%.1f" % med(O, "gflop_per_iter"),
                     "%.1f (%.0f%%) / %.1f (%.0f%%)" % (go, 100 * go / peak, gt, 100 * gt / peak),
                     "%.0f / %.0f" % (ro, rt)])
        per.append((side, batch, to, tt, ro, rt, med(O, "gflop_per_iter")))
    lines = ["Larger images (celeba model at each side; medians of %d rounds; 'ours / PyTorch'; "
             "peak RSS from wait4; GFLOP/s %% of the best sgemm peak dcgan bench measured):"
             % a.rounds_done,
             table(["image", "batch", "timed iters", "ours s/iter", "PyTorch s/iter", "speed-up",
                    "per-round", "img/s", "GFLOP/iter", "GFLOP/s (% of sgemm peak)",
                    "peak RSS MB"], rows)]
    growth = []
    for (s0, b0, to0, tt0, ro0, rt0, f0), (s1, b1, to1, tt1, ro1, rt1, f1) in zip(per, per[1:]):
        k = float(b0) / b1   # per image of the smaller batch, when batches differ
        growth.append(["%d -> %d" % (s0, s1), "%.2fx" % (f1 / f0 * k), "%.2fx / %.2fx" % (
            to1 / to0 * k, tt1 / tt0 * k), "%.2fx / %.2fx" % (ro1 / ro0, rt1 / rt0)])
    if growth:
        lines += ["", "Growth with the image side (ours / PyTorch; FLOPs and time per image where "
                      "the batch differs; RSS as measured):",
                  table(["side", "FLOPs", "s/iter", "peak RSS"], growth)]
    return "\n".join(lines)


def main():
    global ARGS
    a = ARGS = parse_args()
    if not os.access(a.dcgan, os.X_OK):
        sys.exit("%s not found: run `make` first" % a.dcgan)
    t_start = time.perf_counter()
    jpeg_data = os.path.join(a.jpeg_dir, "jpeg%d" % a.jpeg_files)
    if "celeba64" in a.models and not a.no_jpeg:
        t = time.perf_counter()
        if make_jpegs(jpeg_data, a.jpeg_files):
            print("generated %d JPEGs in %s (%.1f s)" % (a.jpeg_files, jpeg_data,
                                                         time.perf_counter() - t), flush=True)
    # keys: the model for fp32, "<model> bf16" for bf16
    runs = [(m, p) for m in a.models for p in a.precisions]
    res_key = lambda m, p: m if p == "fp32" else m + " " + p
    res = {res_key(m, p): [] for m, p in runs}
    jpeg = []
    decode = None
    if "celeba64" in a.models and not a.no_jpeg:
        decode = decode_cost(a, jpeg_data)
        if decode:
            print("decoding: %.1f ms CPU per batch of %d" % (1e3 * decode["batch_cpu_s"],
                                                             a.batch_size), flush=True)
    a.rounds_done = 0
    for rnd in range(1, a.rounds + 1):
        elapsed = time.perf_counter() - t_start
        if rnd > 1 and elapsed + elapsed / (rnd - 1) > a.max_minutes * 60:
            print("stopping after %d rounds: --max-minutes %g" % (rnd - 1, a.max_minutes))
            break
        for m, prec in runs:
            iters = a.iters if m == "celeba64" else a.mnist_iters
            if m in a.size_plan:
                iters = a.size_plan[m][2]
            jpeg_check = m == "celeba64" and not a.no_jpeg and prec == "fp32"
            r = dict(ours=ours(a, m, iters, prec))
            o = r["ours"]
            if jpeg_check:   # right after the bench run it is compared with
                j = train_jpeg(a, a.jpeg_dir, os.path.basename(jpeg_data), a.warmup + iters)
                jpeg.append((j, o))
            r["pytorch"] = theirs(a, m, iters, (), prec)
            if a.stock:
                r["stock"] = theirs(a, m, iters, ("--deconv", "crop0"), prec)
            res[res_key(m, prec)].append(r)
            msg = "round %d %-13s ours %.3f s/iter (gen %.3f s, b1 %.1f ms)" % (
                rnd, res_key(m, prec), o["train_s_per_iter"], o["generate_s_per_batch"],
                o["generate_batch1_ms"])
            for key, label in THEIRS:
                if key in r:
                    t = r[key]
                    msg += "   %s %.3f s/iter (gen %.3f s, b1 %.1f ms) speed-up %.2fx" % (
                        label, t["train_s_per_iter"], t["generate_s_per_batch"],
                        t["generate_batch1_ms"], t["train_s_per_iter"] / o["train_s_per_iter"])
            print(msg, flush=True)
            if jpeg_check:
                print("round %d jpeg     dcgan train %.3f s/iter (first %.2f s, outside the loop "
                      "%.2f s) vs bench %.3f s/iter: %+.1f%%" % (
                          rnd, j["train_s_per_iter"], j["first_iter_s"], j["outside_loop_s"],
                          o["train_s_per_iter"],
                          100 * (j["train_s_per_iter"] / o["train_s_per_iter"] - 1)), flush=True)
        a.rounds_done = rnd
    if not a.rounds_done:
        sys.exit("no round finished")
    print()
    print("%s, %s, %d CPUs; load average at the end %s; total %.1f min" % (
        time.strftime("%Y-%m-%d %H:%M"), cpu_model(), os.cpu_count() or 0,
        " ".join("%.1f" % x for x in os.getloadavg()), (time.perf_counter() - t_start) / 60))
    text = report(a, res, jpeg, decode)
    if a.size_plan:
        text += "\n\n" + report_sizes(a, res)
    print(text)
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(dict(args=vars(a), results=res, decode=decode,
                           jpeg=[dict(train=j, bench=b) for j, b in jpeg], report=text), f,
                      indent=1)


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
