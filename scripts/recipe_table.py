#!/usr/bin/env python3
"""Writes the recipe section of docs/experiments.md from scripts/recipe-experiment's runs
(standard library only): for each model, per configuration the mean and spread over seeds of
`dcgan eval`'s numbers at equal iterations and at equal wall-clock time, the real held-out
floor, which options help or hurt beyond the seed spread, and one sample grid each.

usage: recipe_table.py OUT DOC IMG DEVICE
  OUT   scripts/recipe-experiment's OUT (holding fashion/ and emoji/)
  DOC   the document (docs/experiments.md); IMG the folder the grids are copied to
"""
import glob
import json
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from doc_section import write_section  # noqa: E402

CONFIGS = ["reference", "ema", "smooth", "ttur", "sn", "hinge", "wide-d", "combo", "ema-ttur"]
FLAGS = {
    "reference": "(none: the reference's recipe)",
    "ema": "`--g-ema 0.99`",
    "smooth": "`--label-smoothing 0.1`",
    "ttur": "`--d-learning-rate 0.0004 --g-learning-rate 0.0001`",
    "sn": "`--spectral-norm`",
    "hinge": "`--loss hinge`",
    "wide-d": "`--d-first-channels 64`",
    "combo": "`--g-ema 0.99 --d-learning-rate 0.0004 --g-learning-rate 0.0001 --spectral-norm --loss hinge`",
    "ema-ttur": "`--g-ema 0.99 --d-learning-rate 0.0004 --g-learning-rate 0.0001`",
}
MODELS = {
    "fashion": "the conditional Fashion-MNIST model (the demo's: gfc/dfc 512, batch 64)",
    "emoji": "the 64x64 unconditional model on the emoji set (3,786 images; gf/df 32, batch 64)",
}
# (key, header, scale, format, higher is better)
METRICS = [("fid", "FID", 1, "%.2f", False), ("kid", "KID x 1000", 1000, "%.1f", False),
           ("precision", "precision", 1, "%.3f", True), ("recall", "recall", 1, "%.3f", True),
           ("label_accuracy", "label accuracy", 1, "%.3f", True)]


def load_runs(out, model, config, eqtime):
    runs = []
    pat = "%s-eqtime-s*.json" if eqtime else "%s-s*.json"
    for path in sorted(glob.glob(os.path.join(out, model, pat % config))):
        if path.endswith(".time.json"):
            continue
        with open(path) as f:
            ev = json.load(f)
        with open(path[:-5] + ".time.json") as f:
            tm = json.load(f)
        runs.append((ev, tm))
    return runs


def stats(values):
    m = statistics.mean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return m, sd


def summarise(runs, metrics):
    s = {}
    for key, _, scale, _, _ in metrics:
        s[key] = stats([ev["generated"][key] * scale for ev, _ in runs])
    # CPU seconds (less disturbed by other work on the machine than wall time)
    s["sec_per_it"] = stats([tm["cpu_seconds"] / tm["steps"] for _, tm in runs])
    s["steps"] = runs[0][1]["steps"]
    s["n"] = len(runs)
    return s


def table(rows, metrics, real):
    head = "| config | runs | iterations | CPU s / iteration | " + " | ".join(m[1] for m in metrics) + " |"
    out = [head, "|" + "---|" * (4 + len(metrics))]
    for name, s in rows:
        cells = ["`%s`" % name, str(s["n"]), str(s["steps"]), "%.3f" % s["sec_per_it"][0]]
        for key, _, _, fmt, _ in metrics:
            m, sd = s[key]
            cells.append((fmt + " ± " + fmt) % (m, sd))
        out.append("| " + " | ".join(cells) + " |")
    cells = ["real held-out", "", "", ""]
    for key, _, scale, fmt, _ in metrics:
        cells.append(fmt % (real[key] * scale))
    out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def verdicts(rows, metrics):
    """Each option against the reference, metric by metric: a difference counts when it
    exceeds the sum of the two standard deviations over seeds."""
    ref = dict(rows)["reference"]
    lines = []
    for name, s in rows:
        if name == "reference":
            continue
        better, worse, same = [], [], []
        for key, header, _, fmt, higher in metrics:
            if higher is None:
                continue
            (m, sd), (mr, sdr) = s[key], ref[key]
            d = m - mr
            txt = ("%s " + fmt + " vs " + fmt) % (header, m, mr)
            if abs(d) <= sd + sdr:
                same.append(header)
            elif (d > 0) == higher:
                better.append(txt)
            else:
                worse.append(txt)
        parts = []
        if better:
            parts.append("better beyond the seed spread: " + "; ".join(better))
        if worse:
            parts.append("worse beyond the seed spread: " + "; ".join(worse))
        if same:
            parts.append("within the spread: " + ", ".join(same))
        text = "- `%s` (%s): %s." % (name, FLAGS[name], ". ".join(parts))
        lines.append((text, len(better) - len(worse)))
    return lines


def model_section(out, model, img, device):
    metrics = [m for m in METRICS if model == "fashion" or m[0] != "label_accuracy"]
    eq_iter, eq_time = [], []
    real = None
    for c in CONFIGS:
        runs = load_runs(out, model, c, False)
        if not runs:
            continue
        real = runs[0][0]["real_heldout"]
        s = summarise(runs, metrics)
        eq_iter.append((c, s))
        t_runs = load_runs(out, model, c, True)
        eq_time.append((c + (" (fewer iterations)" if t_runs else ""),
                        summarise(t_runs, metrics) if t_runs else s))
    if not eq_iter:
        return "", []
    steps = eq_iter[0][1]["steps"]
    v_iter = verdicts(eq_iter, metrics)
    # the equal-time verdicts compare under the plain names
    eq_time_plain = [(n.split(" ")[0], s) for n, s in eq_time]
    v_time = verdicts(eq_time_plain, metrics)
    cells = []
    for c, _ in eq_iter:
        src = os.path.join(out, model, c + ".png")
        if os.path.exists(src):
            dst = os.path.join(img, "recipe-%s-%s.png" % (model, c))
            shutil.copyfile(src, dst)
            cells.append(("`%s`" % c, "![%s](%s)" % (c, os.path.relpath(dst, "docs"))))
    per_row = 3
    grids = []
    for i in range(0, len(cells), per_row):
        row = cells[i:i + per_row]
        grids.append("| " + " | ".join(n for n, _ in row) + " |")
        if i == 0:
            grids.append("|" + "---|" * len(row))
        grids.append("| " + " | ".join(im for _, im in row) + " |")
    text = """### %s

%d iterations per run, seeds 1-3, `dcgan eval -n 2000` on `%s` (mean ± standard deviation over
the seeds). The equal wall-clock table gives each option that costs more than 5%% more time per
iteration the iterations the reference's time buys at its own pace; the others are the
equal-iteration runs.

**Equal iterations**

%s

**Equal wall-clock time**

%s

Against the reference at equal iterations:

%s

At equal wall-clock time:

%s

Samples (seed 1, equal iterations):

%s
""" % (MODELS[model], steps, device, table(eq_iter, metrics, real), table(eq_time, metrics, real),
       "\n".join(l for l, _ in v_iter), "\n".join(l for l, _ in v_time), "\n".join(grids))
    return text, v_iter


def main():
    out, doc, img, device = sys.argv[1:5]
    os.makedirs(img, exist_ok=True)
    sections, summary = [], {}
    for model in ("fashion", "emoji"):
        text, v = model_section(out, model, img, device)
        if text:
            sections.append(text)
            summary[model] = v
    intro = open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "recipe_intro.md")).read()
    write_section(doc, "recipes", intro + "\n" + "\n".join(sections))
    json.dump(summary, open(os.path.join(out, "verdicts.json"), "w"), indent=1)
    print("recipe_table: wrote %s" % doc)


if __name__ == "__main__":
    main()
