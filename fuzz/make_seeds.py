#!/usr/bin/python3
"""Writes the small seed inputs of the fuzz targets into fuzz/corpus/<target>/seed-*.

Run from the repository root after `make` (it trains two tiny models with build/dcgan for
real checkpoints and config.json files). Needs Debian's python3-numpy and python3-pil. The
seeds are committed; CI only reads them. What the fuzzers found interesting is merged next to
them (`make fuzz-merge`)."""
import gzip, io, json, os, shutil, struct, subprocess, sys, tempfile, zlib
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def idx_seeds():
    images = struct.pack(">IIII", 0x803, 2, 3, 3) + bytes(range(18))
    labels = struct.pack(">II", 0x801, 3) + bytes([0, 7, 9])
    put("idx", "images.idx3", images)
    put("idx", "labels.idx1", labels)
    put("idx", "images.idx3.gz", gzip.compress(images, mtime=0))
    put("idx", "labels.idx1.gz", gzip.compress(labels, mtime=0))
    put("idx", "images-1x28x28", struct.pack(">IIII", 0x803, 1, 28, 28) + bytes(784))


def rgb(w, h):
    a = np.zeros((h, w, 3), np.uint8)
    a[..., 0] = np.arange(w)[None, :] * 255 // max(w - 1, 1)
    a[..., 1] = np.arange(h)[:, None] * 255 // max(h - 1, 1)
    a[..., 2] = 128
    return Image.fromarray(a)


def image_seeds():
    # the first byte of an image seed picks the geometry in fuzz_image.c
    def save(name, img, fmt, **kw):
        b = io.BytesIO()
        img.save(b, fmt, **kw)
        for k in (0x00, 0x65):
            put("image", "%s-%02x" % (name, k), bytes([k]) + b.getvalue())
    base = rgb(9, 7)
    save("rgb.png", base, "PNG")
    save("gray.png", base.convert("L"), "PNG")
    save("gray-alpha.png", base.convert("LA"), "PNG")
    save("rgba.png", base.convert("RGBA"), "PNG")
    save("palette.png", base.convert("P"), "PNG")
    p = base.convert("P"); p.info["transparency"] = 0
    save("palette-trns.png", p, "PNG", transparency=0)
    save("1bit.png", base.convert("1"), "PNG")
    save("gray16.png", Image.fromarray((np.arange(63).reshape(7, 9) * 1000).astype(np.uint16)), "PNG")
    save("rgb.jpg", base, "JPEG", quality=80)
    save("gray.jpg", base.convert("L"), "JPEG", quality=80)
    save("progressive.jpg", rgb(17, 13), "JPEG", quality=70, progressive=True)
    save("cmyk.jpg", base.convert("CMYK"), "JPEG", quality=80)
    save("444.jpg", base, "JPEG", quality=90, subsampling=0)
    # a header that claims 100000 x 100000 pixels (a decompression bomb)
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")
    put("image", "bomb.png", b"\x00" + bomb)


def webp_seeds():
    # the first byte picks the geometry in fuzz_webp.c, as in fuzz_image.c
    def save(name, img, **kw):
        b = io.BytesIO()
        img.save(b, "WEBP", **kw)
        for k in (0x00, 0x65):
            put("webp", "%s-%02x" % (name, k), bytes([k]) + b.getvalue())
    base = rgb(9, 7)
    save("lossless.webp", base, lossless=True)
    save("lossy.webp", base, quality=80)
    rgba = base.convert("RGBA")
    rgba.putalpha(100)
    save("alpha-lossless.webp", rgba, lossless=True)
    save("alpha-lossy.webp", rgba, quality=80)
    # a lossless header claiming 16384 x 16384 and no pixels
    bits = 16383 | (16383 << 14)
    vp8l = b"\x2f" + struct.pack("<I", bits) + b"\x00"
    put("webp", "bomb.webp", b"\x00" + b"RIFF" + struct.pack("<I", 4 + 8 + len(vp8l)) + b"WEBP" +
        b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l)


def npy_seeds():
    def save(name, arr, **kw):
        b = io.BytesIO()
        np.save(b, arr, **kw)
        put("npy", name, b.getvalue())
    save("f4-2x3.npy", np.arange(6, dtype="<f4").reshape(2, 3))
    save("f8-1d.npy", np.linspace(-1, 1, 5))
    save("f4-fortran.npy", np.asfortranarray(np.ones((2, 2), "<f4")))
    save("f4-big-endian.npy", np.ones(3, ">f4"))
    save("f4-0d.npy", np.float32(3.5))
    save("f4-empty.npy", np.zeros((0, 4), "<f4"))
    save("i4.npy", np.arange(3, dtype="<i4"))
    b = io.BytesIO()
    np.lib.format.write_array(b, np.ones((1, 2), "<f4"), version=(2, 0))
    put("npy", "v2.npy", b.getvalue())


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def checkpoint_seeds():
    dcgan = os.path.join(ROOT, "build", "dcgan")
    tool = os.path.join(ROOT, "build", "tests", "tools", "testtool")
    t = tempfile.mkdtemp()
    try:
        run([tool, "pngs", t + "/data/pngs", "4", "16"])
        run([dcgan, "train", "--data-dir", t + "/data", "--dataset", "pngs", "--input-fname-pattern",
             "*.png", "--output-height", "16", "--c-dim", "1", "--z-dim", "2", "--gf-dim", "1",
             "--df-dim", "1", "--batch-size", "2", "--max-steps", "1", "--out-dir", t + "/out",
             "--out-name", "u", "--threads", "1", "--quiet"])
        # conditional: two class folders (y_dim 2 keeps the file small)
        run([tool, "pngs", t + "/data/cls/a", "2", "8"])
        run([tool, "pngs", t + "/data/cls/b", "2", "8"])
        run([dcgan, "train", "--data-dir", t + "/data", "--dataset", "cls", "--input-fname-pattern",
             "*.png", "--output-height", "8", "--c-dim", "1", "--z-dim", "2", "--gf-dim", "1",
             "--df-dim", "1", "--gfc-dim", "2", "--dfc-dim", "2", "--batch-size", "2",
             "--max-steps", "1", "--out-dir", t + "/out", "--out-name", "c", "--threads", "1",
             "--quiet"])
        for name in ("u", "c"):
            ck = open(t + "/out/%s/checkpoints/ckpt-00000001.safetensors" % name, "rb").read()
            put("checkpoint", name + ".safetensors", ck)
            cfg = open(t + "/out/%s/config.json" % name, "rb").read()
            put("run_config", name + "-config.json", cfg)
            put("run_config", name + "-config-min.json", json.dumps(json.loads(cfg)).encode())
    finally:
        shutil.rmtree(t)
    # small generic safetensors files
    def st(header, data=b""):
        h = json.dumps(header, separators=(",", ":")).encode()
        h += b" " * (-len(h) % 8)
        return struct.pack("<Q", len(h)) + h + data
    put("checkpoint", "two-tensors.safetensors",
        st({"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]}}, bytes(16)))
    put("checkpoint", "empty.safetensors", st({}))
    put("run_config", "partial.json", b'{"seed": 3, "z_dist": "normal01", "crop": false}')


if __name__ == "__main__":
    idx_seeds()
    image_seeds()
    webp_seeds()
    npy_seeds()
    checkpoint_seeds()
    for t in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, t))
        print("%-12s %3d files, %7d bytes" % (t, len(files),
              sum(os.path.getsize(os.path.join(CORPUS, t, f)) for f in files)))
