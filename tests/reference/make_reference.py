#!/usr/bin/python3
"""Writes the PyTorch reference files that tests/test_ops_reference.c checks the C ops against.

Run from the repository root with Debian's interpreter (torch + numpy):

    /usr/bin/python3 tests/reference/make_reference.py

Output: tests/reference/ops_<group>.safetensors, one file per op group:

    ops_conv2d, ops_conv2d_transpose, ops_linear, ops_batchnorm, ops_activation, ops_loss,
    ops_concat, ops_adam, ops_recipe

File layout (the contract with the C test):
  * __metadata__ "cases" = number of cases K; "case0" .. "case{K-1}" = a JSON object (as a
    string) with the case's parameters, always including "op" (which C function to run) and
    the sizes; "generator" names this script and the torch version.
  * tensors "case{k}/<name>", all F32, in the C layouts (NCHW; Conv2d weight (C_map, C_img, K_h,
    K_w); ConvTranspose2d weight (C_map, C_img, K_h, K_w) = PyTorch's (in, out, kh, kw); Linear
    weight (OUT, IN)). Inputs: "inp", "weight", "bias", ..., and "dout" (a random upstream
    gradient). Results: "out" and the gradients "dinp", "dweight", ... of L = sum(out * dout).

How the numbers are made: every input is drawn from a seeded numpy generator, rounded to
float32 (that is what the file stores and what the C op reads), then promoted to float64; the
forward pass and autograd run in float64 and the results are rounded to float32 once when
written. The only difference the C test sees is therefore the C op's float32 arithmetic (plus
half an ulp of output rounding). Same seed -> byte-identical files.

Conventions (see docs/ops.md):
  * conv2d: TensorFlow padding. SAME: out = ceil(in/s), pad_total = max((out-1)*s + k - in, 0),
    pad_before = pad_total // 2, the rest after; done as F.pad then F.conv2d. VALID: no padding,
    out = (in - k)//s + 1.
  * conv2d_transpose: the exact adjoint of that conv (TF conv2d_transpose): F.conv_transpose2d
    with padding 0, zero-extended if the full result is shorter than pad_before + size, then
    cropped from pad_before to the image size; bias added after. The script asserts
    <conv(x), y> == <x, conv_transpose(y)> in float64 for every geometry.
  * batchnorm: F.batch_norm, momentum 0.1 (decay 0.9), eps 1e-5; batch statistics use the biased
    variance, the running variance is updated with the unbiased one (PyTorch). "mean" and "rstd"
    = 1/sqrt(var_biased + eps) are the values the C forward saves for backward.
  * lrelu slope = float32(0.2), as the C constant LRELU_SLOPE.
  * loss: BCEWithLogits (mean) against a constant target t; "dlogits" = d(scale * loss)/dlogits.
  * Adam: TensorFlow's form, written by hand in float64:
        lr_t = lr*sqrt(1-b2^t)/(1-b1^t); m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
        p -= lr_t * m / (sqrt(v) + eps)
    with lr, b1, b2, eps taken as the float32 values the C config holds.
  * ops_recipe (the training-recipe options), one op per case:
    - "spectral_norm" {rows, cols, iterate (1/0), eps (1e-12)}: inputs "weight" (rows, cols),
      "u" (rows), "v" (cols) (each a N(0,1) draw divided by its norm in float64, then rounded to
      float32, so the stored vectors are unit length only to float32 precision), "dout" (rows,
      cols). Exactly torch.nn.utils.spectral_norm (dim 0, one power iteration, training mode):
          if iterate: v = normalize(W^T u); u = normalize(W v)    normalize(a) = a/max(|a|, eps)
          sigma = dot(u, W v); w_sn = W / sigma
      Results "w_sn", "u_out", "v_out" (= u, v when iterate is 0), "sigma" [1], and
      "dweight" = d(sum(w_sn * dout))/dW with u, v constants (PyTorch clones them):
          dweight = dout/sigma - (sum(dout * W)/sigma^2) * u v^T.
      The script asserts that the iterate=1 cases equal torch.nn.utils.spectral_norm on an
      nn.Linear in training mode (and the iterate=0 cases the same module in eval mode), with
      the same weight and weight_u/weight_v buffers.
    - "hinge" {n, sign (+1/-1), scale}: "logits"; "loss" [1] = mean(relu(1 - sign*x));
      "dlogits" = d(scale*loss)/dlogits. No logit is within 1e-3 of the kink x = sign.
      (D's hinge loss: sign +1 on real logits, sign -1 on fake logits.)
    - "linear_loss" {n, sign, scale}: "logits"; "loss" [1] = mean(-sign*x) (G's hinge loss is
      sign +1); "dlogits" = d(scale*loss)/dlogits = -sign*scale/n.
    - "ema" {n, decay}: "ema", "x"; "ema_out" = decay*ema + (1-decay)*x in float64, with decay
      taken as the float32 value the C holds (1 - decay is then exact in float32 too).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st import write_safetensors  # noqa: E402

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 20240531
DT = torch.float64
F32 = np.float32


class Group:
    """Collects the cases of one op group and writes them to one file."""

    def __init__(self, name, seed):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.tensors = {}
        self.meta = {}
        self.k = 0

    def f32(self, a):
        """Rounds to float32 and returns a float64 torch tensor holding those exact values."""
        return torch.tensor(np.asarray(a, dtype=F32).astype(np.float64), dtype=DT)

    def normal(self, shape, std=1.0, mean=0.0):
        return self.f32(self.rng.normal(mean, std, size=shape))

    def uniform(self, shape, lo, hi):
        return self.f32(self.rng.uniform(lo, hi, size=shape))

    def add(self, params, tensors):
        pre = "case%d/" % self.k
        for n, t in tensors.items():
            a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
            self.tensors[pre + n] = a.astype(F32)
        self.meta["case%d" % self.k] = json.dumps(params, sort_keys=True)
        self.k += 1

    def write(self):
        self.meta["cases"] = str(self.k)
        self.meta["generator"] = "tests/reference/make_reference.py (torch %s, seed %d)" % (
            torch.__version__, SEED)
        path = os.path.join(OUT_DIR, "ops_%s.safetensors" % self.name)
        write_safetensors(path, self.tensors, self.meta)
        print("%-40s %3d cases %8d bytes" % (os.path.relpath(path), self.k,
                                              os.path.getsize(path)))
        return os.path.getsize(path)


def grads(out, dout, inputs):
    """Gradients of L = sum(out * dout) with respect to inputs (float64 autograd)."""
    return torch.autograd.grad(out, inputs, grad_outputs=dout, allow_unused=False)


# ---- convolution geometry (TensorFlow) ---------------------------------------------------

def tf_size(n, k, s, padding):
    """(out, pad_before, pad_after) for one spatial dimension."""
    if padding == "SAME":
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        return out, total // 2, total - total // 2
    out = (n - k) // s + 1
    assert out >= 1
    return out, 0, 0


def geometry(N, C_img, H, W, C_map, kh, kw, sh, sw, padding, bias=True):
    Hm, pt, pb = tf_size(H, kh, sh, padding)
    Wm, pl, pr = tf_size(W, kw, sw, padding)
    return dict(N=N, C_img=C_img, H_img=H, W_img=W, C_map=C_map, H_map=Hm, W_map=Wm,
                K_h=kh, K_w=kw, stride_h=sh, stride_w=sw, padding=padding,
                pad_top=pt, pad_bottom=pb, pad_left=pl, pad_right=pr, bias=int(bias))


def tf_conv2d(x, w, b, g):
    xp = F.pad(x, (g["pad_left"], g["pad_right"], g["pad_top"], g["pad_bottom"]))
    y = F.conv2d(xp, w, b, stride=(g["stride_h"], g["stride_w"]))
    assert y.shape == (g["N"], g["C_map"], g["H_map"], g["W_map"]), y.shape
    return y


def tf_conv2d_transpose(x, w, b, g):
    y = F.conv_transpose2d(x, w, None, stride=(g["stride_h"], g["stride_w"]))
    H, W, pt, pl = g["H_img"], g["W_img"], g["pad_top"], g["pad_left"]
    eh = max(pt + H - y.shape[2], 0)  # image rows/cols the conv never reads get zero
    ew = max(pl + W - y.shape[3], 0)
    if eh or ew:
        y = F.pad(y, (0, ew, 0, eh))
    y = y[:, :, pt:pt + H, pl:pl + W]
    if b is not None:
        y = y + b.view(1, -1, 1, 1)
    assert y.shape == (g["N"], g["C_img"], H, W), y.shape
    return y


CONV_CASES = [
    # N, C_img, H, W, C_map, kh, kw, sh, sw, padding, bias
    (2, 3, 8, 8, 4, 5, 5, 2, 2, "SAME", True),     # the DCGAN layer: even size, pad 1 / 2
    (1, 2, 7, 7, 3, 5, 5, 2, 2, "SAME", True),     # odd size: pad 2 / 2
    (3, 2, 6, 9, 5, 3, 3, 1, 1, "SAME", True),     # non-square, stride 1
    (2, 3, 9, 6, 2, 3, 3, 2, 2, "VALID", True),    # VALID, stride 2, unread last row
    (2, 4, 6, 7, 3, 1, 1, 2, 2, "SAME", True),     # 1x1 kernel, stride 2, no padding
    (1, 1, 10, 10, 2, 5, 5, 1, 1, "VALID", True),  # VALID 5x5 stride 1, batch 1
    (2, 3, 8, 10, 4, 5, 3, 2, 1, "SAME", False),   # non-square kernel and stride, no bias
    (2, 3, 5, 5, 2, 5, 5, 2, 2, "SAME", True),     # odd 5x5: pad 2 / 2
    (2, 2, 4, 4, 3, 5, 5, 2, 2, "SAME", True),     # kernel larger than the image
    (2, 8, 16, 16, 16, 5, 5, 2, 2, "SAME", True),  # a larger DCGAN-like layer
    (3, 2, 11, 6, 3, 3, 3, 2, 2, "SAME", True),    # odd height with stride 2: pad 1 / 1
]


def check_adjoint(g, rng):
    x = torch.tensor(rng.normal(size=(g["N"], g["C_img"], g["H_img"], g["W_img"])), dtype=DT)
    y = torch.tensor(rng.normal(size=(g["N"], g["C_map"], g["H_map"], g["W_map"])), dtype=DT)
    w = torch.tensor(rng.normal(size=(g["C_map"], g["C_img"], g["K_h"], g["K_w"])), dtype=DT)
    lhs = (tf_conv2d(x, w, None, g) * y).sum().item()
    rhs = (x * tf_conv2d_transpose(y, w, None, g)).sum().item()
    assert abs(lhs - rhs) <= 1e-9 * (abs(lhs) + 1), (g, lhs, rhs)


def make_conv():
    fwd = Group("conv2d", SEED + 1)
    tr = Group("conv2d_transpose", SEED + 2)
    for c in CONV_CASES:
        g = geometry(*c)
        check_adjoint(g, fwd.rng)
        kshape = (g["C_map"], g["C_img"], g["K_h"], g["K_w"])
        img = (g["N"], g["C_img"], g["H_img"], g["W_img"])
        mp = (g["N"], g["C_map"], g["H_map"], g["W_map"])
        for grp, op, ishape, oshape, bch in ((fwd, "conv2d", img, mp, g["C_map"]),
                                             (tr, "conv2d_transpose", mp, img, g["C_img"])):
            x = grp.normal(ishape).requires_grad_()
            w = grp.normal(kshape, std=0.2).requires_grad_()
            b = grp.normal((bch,), std=0.5).requires_grad_() if g["bias"] else None
            dout = grp.normal(oshape)
            f = tf_conv2d if op == "conv2d" else tf_conv2d_transpose
            out = f(x, w, b, g)
            ins = [x, w] + ([b] if b is not None else [])
            gr = grads(out, dout, ins)
            t = dict(inp=x, weight=w, dout=dout, out=out, dinp=gr[0], dweight=gr[1])
            if b is not None:
                t.update(bias=b, dbias=gr[2])
            grp.add(dict(g, op=op), t)
    return fwd.write() + tr.write()


def make_linear():
    grp = Group("linear", SEED + 3)
    for N, IN, OUT, bias in ((3, 7, 5, True), (1, 16, 1, True), (4, 10, 12, False),
                             (5, 100, 64, True), (2, 1, 3, True)):
        x = grp.normal((N, IN)).requires_grad_()
        w = grp.normal((OUT, IN), std=0.3).requires_grad_()
        b = grp.normal((OUT,)).requires_grad_() if bias else None
        dout = grp.normal((N, OUT))
        out = F.linear(x, w, b)
        ins = [x, w] + ([b] if bias else [])
        gr = grads(out, dout, ins)
        t = dict(inp=x, weight=w, dout=dout, out=out, dinp=gr[0], dweight=gr[1])
        if bias:
            t.update(bias=b, dbias=gr[2])
        grp.add(dict(op="linear", N=N, IN=IN, OUT=OUT, bias=int(bias)), t)
    return grp.write()


def make_batchnorm():
    grp = Group("batchnorm", SEED + 4)
    momentum, eps = 0.1, float(F32(1e-5))
    decay = float(F32(0.9))
    cases = [
        # mode, shape, input mean, input std
        ("train", (2, 3, 4, 5), 0.0, 1.0),
        ("train", (1, 2, 3, 3), 0.5, 2.0),   # batch 1 of feature maps
        ("train", (5, 7), 0.0, 1.0),         # (N, F)
        ("train", (2, 3), -1.0, 0.5),        # smallest batch with an unbiased variance
        ("train", (3, 4, 2, 2), 4.0, 0.3),   # large mean relative to the spread
        ("train", (4, 3, 3, 3), 0.0, 0.01),  # variance comparable to eps
        ("train", (8, 16, 4, 4), 0.2, 1.5),  # larger
        ("eval", (2, 3, 4, 4), 0.3, 1.2),
        ("eval", (4, 6), -0.2, 0.8),
    ]
    for mode, shape, mu, sd in cases:
        N, C = shape[0], shape[1]
        S = int(np.prod(shape[2:])) if len(shape) > 2 else 1
        x = grp.normal(shape, std=sd, mean=mu).requires_grad_()
        gamma = grp.uniform((C,), 0.5, 1.5).requires_grad_()
        beta = grp.normal((C,), std=0.3).requires_grad_()
        rm = grp.normal((C,), std=0.3)
        rv = grp.uniform((C,), 0.5, 1.5)
        params = dict(op="batchnorm_" + mode, N=N, C=C, S=S, shape=list(shape), eps=1e-5,
                      decay=0.9)
        if mode == "train":
            rm_new, rv_new = rm.clone(), rv.clone()
            # decay is float32(0.9) in C: momentum = 1 - decay exactly as the C op sees it
            out = F.batch_norm(x, rm_new, rv_new, gamma, beta, training=True,
                               momentum=1.0 - decay, eps=eps)
            dims = [0] + list(range(2, len(shape)))
            mean = x.detach().mean(dim=dims)
            var_b = x.detach().var(dim=dims, unbiased=False)
            var_u = x.detach().var(dim=dims, unbiased=True)
            rstd = 1.0 / torch.sqrt(var_b + eps)
            # cross-check PyTorch's running-stat rule against the documented one
            assert torch.allclose(rm_new, decay * rm + (1 - decay) * mean, atol=1e-12)
            assert torch.allclose(rv_new, decay * rv + (1 - decay) * var_u, atol=1e-12)
            dout = grp.normal(shape)
            dx, dg, db = grads(out, dout, [x, gamma, beta])
            grp.add(params, dict(inp=x, gamma=gamma, beta=beta, running_mean=rm,
                                 running_var=rv, dout=dout, out=out, mean=mean, rstd=rstd,
                                 running_mean_out=rm_new, running_var_out=rv_new,
                                 dinp=dx, dgamma=dg, dbeta=db))
        else:
            out = F.batch_norm(x, rm, rv, gamma, beta, training=False, eps=eps)
            grp.add(params, dict(inp=x, gamma=gamma, beta=beta, running_mean=rm,
                                 running_var=rv, out=out))
    del momentum
    return grp.write()


def away_from_zero(grp, n, scale=2.0, gap=1e-2):
    """Normal values with |x| >= gap, so relu/lrelu are never evaluated at their kink."""
    x = grp.rng.normal(0, scale, size=n)
    x = np.sign(x) * (np.abs(x) + gap)
    return grp.f32(x)


def make_activation():
    grp = Group("activation", SEED + 5)
    slope = float(F32(0.2))
    acts = {
        "relu": F.relu,
        "lrelu": lambda x: F.leaky_relu(x, slope),
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
    }
    for name, f in acts.items():
        for n in (7, 1000):
            xs = away_from_zero(grp, n)
            if n == 1000 and name in ("tanh", "sigmoid"):
                # saturated tails too
                xs[:20] = grp.f32(np.concatenate([np.linspace(-30, -5, 10),
                                                  np.linspace(5, 30, 10)]))
            x = xs.clone().requires_grad_()
            dout = grp.normal((n,))
            out = f(x)
            (dx,) = grads(out, dout, [x])
            grp.add(dict(op=name, n=n, slope=0.2 if name == "lrelu" else 0.0),
                    dict(inp=x, dout=dout, out=out, dinp=dx))
    return grp.write()


def make_loss():
    grp = Group("loss", SEED + 6)
    extreme = [1e4, -1e4, 9999.5, -9999.5, 5000.0, -5000.0, 100.0, -100.0, 30.0, -30.0,
               17.0, -17.0, 0.0, 1e-3, -1e-3]
    cases = [
        ("normal", 64, 1.0, 1.0),
        ("normal", 64, 0.0, 1.0),
        ("normal", 7, 1.0, 0.5),
        ("extreme", len(extreme), 1.0, 1.0),
        ("extreme", len(extreme), 0.0, 1.0),
        ("wide", 33, 0.0, -2.0),
        ("wide", 33, 0.5, 1.0),
    ]
    for kind, n, target, scale in cases:
        if kind == "normal":
            x = grp.normal((n,), std=2.0)
        elif kind == "wide":
            x = grp.normal((n,), std=20.0)
        else:
            x = grp.f32(extreme)
        x = x.clone().requires_grad_()
        loss = F.binary_cross_entropy_with_logits(x, torch.full_like(x, target),
                                                  reduction="mean")
        (dx,) = torch.autograd.grad(scale * loss, [x])
        grp.add(dict(op="sigmoid_xent", n=n, target=target, scale=scale),
                dict(logits=x, loss=loss.reshape(1), dlogits=dx))
    return grp.write()


def make_concat():
    grp = Group("concat", SEED + 7)
    for N, A, B in ((2, 5, 3), (1, 4, 1), (3, 2 * 4 * 4, 10)):
        a = grp.normal((N, A)).requires_grad_()
        b = grp.normal((N, B)).requires_grad_()
        dout = grp.normal((N, A + B))
        out = torch.cat([a, b], dim=1)
        da, db = grads(out, dout, [a, b])
        grp.add(dict(op="concat", N=N, A=A, B=B),
                dict(a=a, b=b, dout=dout, out=out, da=da, db=db))
    for N, C, H, W, Y in ((2, 3, 4, 5, 10), (1, 1, 7, 7, 2), (3, 2, 3, 2, 4)):
        x = grp.normal((N, C, H, W)).requires_grad_()
        y = grp.normal((N, Y)).requires_grad_()
        dout = grp.normal((N, C + Y, H, W))
        out = torch.cat([x, y.view(N, Y, 1, 1).expand(N, Y, H, W)], dim=1)
        dx, dy = grads(out, dout, [x, y])
        grp.add(dict(op="cond_concat", N=N, C=C, H=H, W=W, Y=Y),
                dict(x=x, y=y, dout=dout, out=out, dx=dx, dy=dy))
    return grp.write()


def make_adam():
    grp = Group("adam", SEED + 8)
    lr, b1, b2, eps = (float(F32(v)) for v in (2e-4, 0.5, 0.999, 1e-8))
    cases = [
        # n, t0, initial moments?, gradient scale
        (10, 1, False, 1.0),
        (37, 1, False, 1e-8),    # gradients comparable to eps
        (16, 100, True, 0.1),    # later steps with non-zero moments
    ]
    for n, t0, moments, gs in cases:
        p = grp.normal((n,), std=0.5)
        m = grp.normal((n,), std=0.05 * gs) if moments else grp.f32(np.zeros(n))
        v = grp.uniform((n,), 0.0, (0.1 * gs) ** 2) if moments else grp.f32(np.zeros(n))
        gs_list = [grp.normal((n,), std=gs) for _ in range(3)]
        t = dict(param=p, m=m, v=v)
        for k, g in enumerate(gs_list):
            step = t0 + k
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            lr_t = lr * np.sqrt(1 - b2 ** step) / (1 - b1 ** step)
            p = p - lr_t * m / (torch.sqrt(v) + eps)
            t["grad%d" % (k + 1)] = g
            t["param%d" % (k + 1)] = p
            t["m%d" % (k + 1)] = m
            t["v%d" % (k + 1)] = v
        grp.add(dict(op="adam", n=n, t0=t0, steps=3, lr=2e-4, beta1=0.5, beta2=0.999,
                     eps=1e-8), t)
    return grp.write()


SN_EPS = 1e-12


def sn_normalize(a, eps=SN_EPS):
    """torch.nn.functional.normalize(a, dim=0, eps=eps) for a vector: a / max(|a|, eps)."""
    return a / torch.clamp(torch.linalg.norm(a), min=eps)


def spectral_norm_ref(w, u, v, iterate, eps=SN_EPS):
    """w_sn, u_out, v_out, sigma of torch's spectral_norm (dim 0, one power iteration)."""
    wm = w.reshape(w.shape[0], -1)
    if iterate:
        with torch.no_grad():
            v = sn_normalize(wm.detach().t() @ u, eps)
            u = sn_normalize(wm.detach() @ v, eps)
    sigma = torch.dot(u, wm @ v)
    return w / sigma, u, v, sigma


def check_spectral_norm_torch(w, u, v, dout, iterate, want):
    """The hand-written spectral norm equals torch.nn.utils.spectral_norm on an nn.Linear:
    training mode (one power iteration) for iterate 1, eval mode (none) for iterate 0."""
    rows, cols = w.shape
    lin = torch.nn.Linear(cols, rows, bias=False).to(DT)
    lin = torch.nn.utils.spectral_norm(lin, n_power_iterations=1, eps=SN_EPS, dim=0)
    with torch.no_grad():
        lin.weight_orig.copy_(w)
        lin.weight_u.copy_(u)
        lin.weight_v.copy_(v)
    lin.train(bool(iterate))
    lin(torch.zeros(1, cols, dtype=DT))  # the pre-forward hook computes lin.weight
    w_sn = lin.weight
    (dw,) = torch.autograd.grad(w_sn, [lin.weight_orig], grad_outputs=dout)
    got = dict(w_sn=w_sn, u_out=lin.weight_u, v_out=lin.weight_v, dweight=dw)
    for k, g in got.items():
        assert torch.allclose(g, want[k], rtol=1e-12, atol=1e-14), (rows, cols, iterate, k)


def away_from_kink(grp, n, sign, scale=2.0, gap=1e-3):
    """Normal logits none of which lies within gap of the hinge's kink x = sign."""
    x = grp.rng.normal(0, scale, size=n)
    x = np.where(np.abs(x - sign) < gap, x + 10 * gap, x)
    x = grp.f32(x)
    assert (torch.abs(1 - sign * x) >= gap).all()
    return x


def make_recipe():
    grp = Group("recipe", SEED + 9)
    # spectral norm: D's final linear layer has one row; conv weights are (out, in*5*5)
    for rows, cols, iterate in ((1, 20, 1), (8, 75, 1), (16, 37, 1), (5, 5, 1),
                                (8, 75, 0), (1, 20, 0)):
        w = grp.normal((rows, cols), std=0.3).requires_grad_()
        u = grp.f32(sn_normalize(torch.tensor(grp.rng.normal(size=rows), dtype=DT)))
        v = grp.f32(sn_normalize(torch.tensor(grp.rng.normal(size=cols), dtype=DT)))
        dout = grp.normal((rows, cols))
        w_sn, u_out, v_out, sigma = spectral_norm_ref(w, u, v, iterate)
        (dw,) = grads(w_sn, dout, [w])
        wm, s_ = w.detach(), sigma.detach()
        closed = dout / s_ - (dout * wm).sum() / s_ ** 2 * torch.outer(u_out, v_out)
        assert torch.allclose(dw, closed, rtol=1e-12, atol=1e-14)
        check_spectral_norm_torch(w.detach(), u, v, dout, iterate,
                                  dict(w_sn=w_sn, u_out=u_out, v_out=v_out, dweight=dw))
        grp.add(dict(op="spectral_norm", rows=rows, cols=cols, iterate=iterate, eps=SN_EPS),
                dict(weight=w, u=u, v=v, dout=dout, w_sn=w_sn, u_out=u_out, v_out=v_out,
                     sigma=sigma.reshape(1), dweight=dw))
    for n in (64, 7, 33):
        for sign in (1, -1):
            for scale in (1.0, 0.5):
                x = away_from_kink(grp, n, sign).requires_grad_()
                loss = F.relu(1 - sign * x).mean()
                (dx,) = torch.autograd.grad(scale * loss, [x])
                grp.add(dict(op="hinge", n=n, sign=sign, scale=scale),
                        dict(logits=x, loss=loss.reshape(1), dlogits=dx))
    for n, sign, scale in ((64, 1, 1.0), (7, 1, 0.5), (33, -1, 1.0), (33, -1, 0.5)):
        x = grp.normal((n,), std=2.0).requires_grad_()
        loss = (-sign * x).mean()
        (dx,) = torch.autograd.grad(scale * loss, [x])
        grp.add(dict(op="linear_loss", n=n, sign=sign, scale=scale),
                dict(logits=x, loss=loss.reshape(1), dlogits=dx))
    for n, decay in ((10, 0.999), (100, 0.9), (7, 0.5)):
        ema = grp.normal((n,))
        x = grp.normal((n,))
        d = float(F32(decay))
        grp.add(dict(op="ema", n=n, decay=decay),
                dict(ema=ema, x=x, ema_out=d * ema + (1 - d) * x))
    return grp.write()


def main():
    torch.use_deterministic_algorithms(True)
    total = 0
    for f in (make_conv, make_linear, make_batchnorm, make_activation, make_loss, make_concat,
              make_adam, make_recipe):
        total += f()
    print("total %d bytes" % total)
    assert total < 5 * 1024 * 1024


if __name__ == "__main__":
    main()
