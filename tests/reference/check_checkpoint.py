"""Runs the Python loader shown in docs/checkpoints.md on a real checkpoint and compares its
generator with dcgan's own output, so the documentation and the format stay true.

usage: /usr/bin/python3 tests/reference/check_checkpoint.py CKPT Z.npy IMAGES.npy
  where IMAGES.npy came from: dcgan sample --checkpoint CKPT --z Z.npy --npy IMAGES.npy
"""
import pathlib
import re
import sys

import numpy as np
import torch

ckpt, zfile, imfile = sys.argv[1:4]
doc = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "checkpoints.md").read_text()
code = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
code = code.replace('"out/run/checkpoints/ckpt-00001000.safetensors"', repr(ckpt))
code = code.replace("images = generator(", "_unused = (")
scope = {}
exec(code, scope)
z = torch.from_numpy(np.load(zfile))
ours = np.load(imfile)                                   # (N, H, W, C)
theirs = scope["generator"](z).permute(0, 2, 3, 1).numpy()
err = float(np.abs(ours - theirs).max())
print(f"max |dcgan - docs loader| = {err:.3g} over {ours.size} values")
sys.exit(0 if err < 1e-4 else 1)
