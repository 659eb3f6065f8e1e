"""Runs the Python loader of docs/checkpoints.md ("Loading G in Python"), its code blocks as they
stand in the file, on a real checkpoint and compares its generator with dcgan's own output, so
the documentation and the format stay true. numpy alone (Debian's python3-numpy).

usage: python3 tests/reference/check_checkpoint.py CKPT Z.npy IMAGES.npy [LABELS] [--example]
  IMAGES.npy from: dcgan sample --checkpoint CKPT --z Z.npy [--labels LABELS] --npy IMAGES.npy
  LABELS: the same comma-separated class indices (cycled over the images, as dcgan does)
  --example: also run the usage block, with its checkpoint path replaced by CKPT
"""
import pathlib
import re
import sys

import numpy as np

args = [a for a in sys.argv[1:] if a != "--example"]
example = "--example" in sys.argv[1:]
if len(args) not in (3, 4):
    sys.exit(__doc__)
ckpt, zfile, imfile = args[:3]
doc = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "checkpoints.md").read_text()
section = doc.split("## Loading G in Python", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```python\n(.*?)```", section, re.S)
if len(blocks) != 2:
    sys.exit(f"docs/checkpoints.md: expected 2 python blocks under 'Loading G in Python', found {len(blocks)}")
scope = {}
exec(compile(blocks[0], "docs/checkpoints.md (loader)", "exec"), scope)
G = scope["load_generator"](ckpt)
z = np.load(zfile)
ours = np.load(imfile)                                   # (N, H, W, C)
labels = None
if G.config["y_dim"] > 0:
    given = [int(x) for x in args[3].split(",")] if len(args) == 4 else list(range(G.config["y_dim"]))
    labels = np.array([given[i % len(given)] for i in range(len(z))])
theirs = G(z, labels).transpose(0, 2, 3, 1)
err = float(np.abs(ours - theirs).max())
print(f"max |dcgan - docs loader| = {err:.3g} over {ours.size} values")
if example:
    used = re.search(r'load_generator\("([^"]+)"\)', blocks[1]).group(1)
    exec(compile(blocks[1].replace(used, ckpt), "docs/checkpoints.md (usage)", "exec"), dict(scope))
sys.exit(0 if err < 1e-5 else 1)
