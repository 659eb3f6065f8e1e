"""PyTorch twin of dcgan.c's training step: writes train_uncond.safetensors and train_cond.safetensors
(the reference DCGAN) and train_recipe_uncond.safetensors, train_recipe_cond.safetensors (the
same step with the recipe options on, see "Recipe options" below).

Run with Debian's torch (1.13):  /usr/bin/python3 tests/reference/make_train_reference.py
Everything is computed in float64 and stored as float32 (little-endian safetensors, see st.py).

Conventions (the C side follows exactly these)
----------------------------------------------
- Layout NCHW. Weights: Conv2d (out,in,5,5); ConvTranspose2d (in,out,5,5); Linear Matrix (out,in).
- conv2d: 5x5, stride 2, TensorFlow 'SAME': out = ceil(in/2),
  pad_total = max((out-1)*2 + 5 - in, 0), pad_before = pad_total//2 (top/left), rest after.
  Then a plain cross-correlation (F.conv2d, padding 0) plus bias.
- deconv2d to a given output size (H,W): the exact adjoint of that conv2d on an (H,W) input:
  F.conv_transpose2d(stride 2, padding 0) gives (in-1)*2+5 rows; keep rows
  [pad_before, pad_before+H) where pad_before is the SAME conv's pad_top for input size H
  (likewise for columns), plus bias.  (e.g. 2 -> 3 columns: full 7, crop [2,5).)
- linear: x @ Matrix^T + bias.
- batch norm (momentum 0.1 = decay 0.9, eps 1e-5): training mode everywhere in this file:
  normalise with batch mean and BIASED batch variance, y = gamma*(x-mean)/sqrt(var+eps) + beta;
  on EVERY call: moving_mean = 0.9*moving_mean + 0.1*mean,
  moving_variance = 0.9*moving_variance + 0.1*var_unbiased (var * n/(n-1)), i.e. exactly
  torch.nn.functional.batch_norm(training=True, momentum=0.1). n = N for (N,F) inputs
  (per feature), n = N*H*W for (N,C,H,W) inputs (per channel).
- lrelu(x) = max(x, 0.2x); ReLU in G; tanh (uncond) / sigmoid (cond) on G's output.
- Loss: sigmoid cross-entropy with logits, mean over the batch.
  d_loss = xent(D(x),1) + xent(D(G(z)),0); g_loss = xent(D(G(z)),1).
- Adam, TensorFlow form, one state per network (m, v start at 0):
  t = that network's update count (D: 1 per iteration -> t=1,2; G: 2 per iteration -> t=1..4),
  lr_t = lr*sqrt(1-b2^t)/(1-b1^t); m = b1*m+(1-b1)*g; v = b2*v+(1-b2)*g^2;
  p -= lr_t*m/(sqrt(v)+eps); lr 2e-4, b1 0.5, b2 0.999, eps 1e-8.
  Trained: Matrix, bias, w, biases, gamma, beta. NOT trained: moving_mean, moving_variance.
- conv_cond_concat(x, y): append y (N,Y) as constant planes -> (N, C+Y, H, W) (x first, then y).
  Feature concat: cat([h, y], dim 1) (h first, then y). Linear outputs are viewed channel-major
  (N, C*H*W) -> (N,C,H,W) like torch's view, and D flattens (N,C,H,W) the same way.

Models (parameter names are the exact tensor names, after the "init/" etc. prefix)
------
Unconditional (s_h2 = ceil(s_h/2), s_h4, s_h8, s_h16 likewise; same for w):
  G: generator/g_h0_lin/{Matrix (gf*8*s_h16*s_w16, z_dim), bias} -> view (N,gf*8,s_h16,s_w16)
     -> generator/g_bn0 -> ReLU
     -> generator/g_h1/{w (gf*8,gf*4,5,5), biases} deconv to (s_h8,s_w8) -> g_bn1 -> ReLU
     -> g_h2 (gf*4,gf*2) to (s_h4,s_w4) -> g_bn2 -> ReLU -> g_h3 (gf*2,gf) to (s_h2,s_w2) -> g_bn3
     -> ReLU -> g_h4 (gf,c_dim) to (s_h,s_w) -> tanh.
  D: discriminator/d_h0_conv/{w (df,c_dim,5,5), biases} -> lrelu
     -> d_h1_conv (df*2,df) -> d_bn1 -> lrelu -> d_h2_conv (df*4,df*2) -> d_bn2 -> lrelu
     -> d_h3_conv (df*8,df*4) -> d_bn3 -> lrelu -> flatten
     -> discriminator/d_h4_lin/{Matrix (1, df*8*s_h16*s_w16), bias (1)} -> logit (N,1).
Conditional:
  G: cat(z,y) -> generator/g_h0_lin (gfc, z_dim+y_dim) -> g_bn0 (gfc) -> ReLU -> cat(h,y)
     -> generator/g_h1_lin (gf*2*s_h4*s_w4, gfc+y_dim) -> g_bn1 (gf*2*s_h4*s_w4 features, BN on
     the flat vector, per feature) -> ReLU -> view (N,gf*2,s_h4,s_w4) -> cond_concat y
     -> generator/g_h2/w (gf*2+y_dim, gf*2, 5,5) deconv to (s_h2,s_w2) -> g_bn2 (gf*2) -> ReLU
     -> cond_concat y -> generator/g_h3/w (gf*2+y_dim, c_dim, 5,5) deconv to (s_h,s_w) -> sigmoid.
  D: cond_concat(x,y) -> discriminator/d_h0_conv/w (c_dim+y_dim, c_dim+y_dim,5,5) -> lrelu
     -> cond_concat y -> d_h1_conv/w (df+y_dim, c_dim+2*y_dim,5,5) -> d_bn1 (df+y_dim) -> lrelu
     -> flatten -> cat(h,y) -> d_h2_lin (dfc, (df+y_dim)*s_h4*s_w4 + y_dim) -> d_bn2 (dfc)
     -> lrelu -> cat(h,y) -> d_h3_lin (1, dfc+y_dim) -> logit (N,1).
  Batch-norm tensors: <prefix>/<bn>/gamma, beta, moving_mean, moving_variance.
  Initial values: conv w truncated normal std 0.02 (|x| <= 0.04, resampled), deconv w and
  Matrix normal std 0.02, ALL biases normal std 0.02 (deliberately non-zero), gamma 1+N(0,0.1),
  beta N(0,0.1), moving_mean 0, moving_variance 1.

Schedule (two iterations; iteration K uses iterK/z, iterK/x, iterK/y)
--------
 1. D update: fake = G(z,y) (training mode; updates G's moving stats). D(x,y) training mode
    (updates D's moving stats) -> d_loss_real; D(fake.detach(),y) training mode (updates D's
    moving stats again) -> d_loss_fake; d_loss = sum; grads w.r.t. D's params; Adam step on D.
 2. G update, twice, same z and y: fake = G(z,y) (updates G's stats); logits = D(fake,y) training
    mode (updates D's stats too); g_loss = xent(logits,1); grads w.r.t. G's params only; Adam
    step on G (D's params unchanged).
 So per iteration G's moving stats are updated 3 times and D's 4 times (2 in the D update, 1 per
 G update).

Tensors in each file (all float32)
-------
 init/<name>                every parameter and moving stat of G and D (start values)
 iterK/z (N,z_dim), iterK/x (N,c_dim,s_h,s_w), iterK/y (N,y_dim; cond only, one-hot)   K=1,2
 iterK/d_loss_real, iterK/d_loss_fake, iterK/g_loss1, iterK/g_loss2      shape [1]
 iterK/d_real_mean, iterK/d_fake_mean  shape [1]: mean sigmoid(D logit) over the real batch /
                            over the fake batch, in iteration K's D update
 iter1/fake                 G's output in iteration 1's D update (N,c_dim,s_h,s_w)
 iter1/d_grad/<D param>     d(d_loss)/d(param) in iteration 1's D update (before Adam)
 iter1/g_grad/<G param>     d(g_loss1)/d(param) in iteration 1's FIRST G update (before Adam)
 iter1/dx_fake              d(g_loss1)/d(fake image) in that same G update (D's input gradient,
                            the dout of G's backward)
 iterK/after/<name>         every parameter and moving stat of G and D after iteration K
 (<D param>/<G param> = trainable names only: w, biases, Matrix, bias, gamma, beta.)
 __metadata__: "config" = JSON {output_height, output_width, c_dim, y_dim (0 = unconditional),
   gf_dim, df_dim, gfc_dim, dfc_dim (0 for uncond), z_dim, batch_size}; "order" = the schedule;
   "conventions" = short reminder of the above.

Notes for the comparing test
----------------------------
- A bias that feeds straight into batch norm (uncond: g_h1..g_h3/biases, d_h1..d_h3_conv/biases;
  cond: g_h0_lin/bias, g_h1_lin/bias, g_h2/biases, d_h1_conv/biases, d_h2_lin/bias) has
  gradient exactly 0 in exact arithmetic; the file holds ~1e-17 noise. Compare those gradients
  with an absolute tolerance. Adam then divides by sqrt(v)+1e-8: in double the noise gives an
  update of ~1e-14 (so after/ ~ init/), but float32 noise of ~1e-8..1e-7 gets amplified to
  updates of up to ~lr (2e-4) per step. Compare after/ values of those biases with atol ~1e-3
  (or check only that they stay near init/).
- More generally Adam's update is steep in g near g = 0 (slope ~ lr_t*0.5/eps ~ 600 at t=1), so
  after/ tensors need an atol of ~1e-5..1e-4 for float32 gradients, not a pure rtol.
- The conditional model's G gradients are small at this init (max ~1e-4..1e-5; dx_fake max
  ~1e-4), because D's d_bn1 statistics are dominated by the constant y planes. Use tolerances
  relative to each tensor's max |ref|.

- The ~1e-17 noise in those zero gradients depends on the machine's BLAS/SIMD kernels: running
  this script elsewhere can change those bytes (and nothing else) of train_uncond/train_cond.

Recipe options (extra "config" keys; absent = the reference value in brackets)
--------------
 d_first_channels F [0]   conditional model only. F > 0: discriminator/d_h0_conv/w is
                          (F, c_dim+y_dim, 5, 5) (F output channels instead of c_dim+y_dim), so
                          d_h1_conv/w is (df+y_dim, F+y_dim, 5, 5).
 spectral_norm 0|1 [0]    every D weight (each conv "w" and linear "Matrix" of D; biases are not
                          touched) is used as W/sigma, exactly torch.nn.utils.spectral_norm
                          (dim 0, one power iteration, eps 1e-12, training mode). Per layer two
                          non-trainable buffers <layer>/sn_u (rows = out channels/features) and
                          <layer>/sn_v (cols = the rest: PyTorch's weight.reshape(out, -1)),
                          e.g. discriminator/d_h0_conv/sn_u. On EVERY D forward (all are training
                          mode: D(x) and D(fake) of the D update, D(G(z)) of each G update), just
                          before the layer uses its weight, with Wm = W.reshape(rows, -1):
                              v = normalize(Wm^T u); u = normalize(Wm v)  (stored back into
                              sn_v, sn_u);  normalize(a) = a / max(|a|, 1e-12)
                              sigma = dot(u, Wm v); the layer uses W / sigma.
                          Autograd treats u, v as constants (PyTorch clones them), so
                          dL/dW = G/sigma - (sum(G*W)/sigma^2) u v^T with G = dL/d(W/sigma).
                          Per iteration the buffers take 4 power iterations (2 in the D update,
                          1 per G update); in the D update the fake pass starts from the u, v the
                          real pass left. Initial values: after ALL other init values, for each
                          D weight in layer order (d_h0_conv, d_h1_conv, ..., final linear), u
                          then v is drawn N(0,1) from the generator and divided by its norm.
                          (A one-row weight, the final linear, has u = +-1 that never moves.)
 loss "bce"|"hinge" ["bce"] hinge: d_loss_real = mean relu(1 - D(x)), d_loss_fake =
                          mean relu(1 + D(G(z))), g_loss = -mean D(G(z)).
 label_smoothing s [0]    bce only: the real target of the D update is 1 - s (fake target 0, G's
                          target 1 unchanged).
 d_lr, g_lr [2e-4, 2e-4]  Adam learning rates of D and G (everything else in Adam unchanged).
 g_ema d [0 = off]        exponential moving average of ALL of G's tensors (trainable and moving
                          stats), starting at G's init values (init/generator/...); once per
                          iteration, after the second G update: ema = d*ema + (1-d)*current.
 d_real_mean/d_fake_mean are mean sigmoid(logit) whatever the loss. The d_grad/g_grad tensors
 are gradients w.r.t. the raw parameters W (through the spectral norm when it is on).
 In the recipe files every init value (parameters, moving stats, sn_u/sn_v) and iterK/z, iterK/x
 are rounded to float32 BEFORE the run, so the reference starts from exactly what the file
 stores (the two reference files above were made from the unrounded float64 values).
 Extra tensors in the recipe files:
   init/discriminator/<layer>/sn_u, sn_v, iterK/after/discriminator/<layer>/sn_u, sn_v
       (spectral_norm; not in d_grad/, they are not trainable)
   iterK/after/generator_ema/<rest>   for every G tensor generator/<rest> (g_ema > 0), e.g.
       iter1/after/generator_ema/g_h0_lin/Matrix, iter2/after/generator_ema/g_bn0/moving_mean
 __metadata__ "recipe": a one-line reminder of these options.
 The two recipe files (main()): train_recipe_cond = the conditional config with gf_dim = df_dim
 = 4, d_first_channels 16, spectral_norm 1, loss hinge, d_lr 4e-4, g_lr 1e-4, g_ema 0.9,
 label_smoothing 0 (seed 2468); train_recipe_uncond = the unconditional config with gf_dim =
 df_dim = 4, spectral_norm 1, loss bce, label_smoothing 0.1, d_lr = g_lr = 2e-4, g_ema 0.5
 (seed 1357). gf_dim/df_dim 4 instead of 8 keeps the files near 1 MB.

Self-checks run by this script: the deconv is the numerical adjoint of the conv
(<conv(a),b> == <a,deconv(b)>); the spectral norm equals torch.nn.utils.spectral_norm on a
Conv2d and a one-row Linear (weight, u, v and gradient); and D and G gradient elements match a
central finite difference in float64 with the file's loss and options (moving stats and
sn_u/sn_v are copied for those evaluations, so they do not move; with spectral norm the FD
evaluations reuse the u, v of the autograd evaluation, as autograd holds them constant).
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

from st import write_safetensors

torch.set_default_dtype(torch.float64)
DT = torch.float64
HERE = os.path.dirname(os.path.abspath(__file__))

LR, B1, B2, ADAM_EPS = 2e-4, 0.5, 0.999, 1e-8
BN_EPS, BN_MOMENTUM = 1e-5, 0.1
SN_EPS = 1e-12


# ----------------------------------------------------------------------------- building blocks
def ceil2(n):
    return (n + 1) // 2


def same_pads(n_in):
    """TensorFlow 'SAME' for 5x5 stride 2: (pad_before, pad_after) for an input of size n_in."""
    n_out = ceil2(n_in)
    total = max((n_out - 1) * 2 + 5 - n_in, 0)
    return total // 2, total - total // 2


def conv2d(x, w, b):
    ph = same_pads(x.shape[2])
    pw = same_pads(x.shape[3])
    xp = F.pad(x, (pw[0], pw[1], ph[0], ph[1]))  # (left, right, top, bottom)
    return F.conv2d(xp, w, b, stride=2, padding=0)


def deconv2d(x, w, b, out_hw):
    H, W = out_hw
    assert ceil2(H) == x.shape[2] and ceil2(W) == x.shape[3], (out_hw, x.shape)
    full = F.conv_transpose2d(x, w, None, stride=2, padding=0)
    ph, pw = same_pads(H)[0], same_pads(W)[0]
    y = full[:, :, ph:ph + H, pw:pw + W]
    assert y.shape[2] == H and y.shape[3] == W
    if b is not None:
        y = y + b.view(1, -1, 1, 1)
    return y


def linear(x, m, b):
    return x @ m.t() + b


def lrelu(x):
    return F.leaky_relu(x, 0.2)


def cond_concat(x, y):
    n, c, h, w = x.shape
    return torch.cat([x, y.view(n, -1, 1, 1).expand(n, y.shape[1], h, w)], 1)


class Net:
    """Parameters (trainable) and moving statistics of one network."""

    def __init__(self):
        self.p = {}   # name -> tensor (float64, requires_grad)
        self.s = {}   # name -> tensor (moving stats, float64)
        self.m = {}
        self.v = {}
        self.t = 0
        self.lr = LR
        self.sn = False           # spectral norm on every "w"/"Matrix" (recipe, D only)
        self.sn_record = None     # list: (u, v) used by each SN call, in call order
        self.sn_replay = None     # list: use these (u, v) in order, no power iteration

    def weight(self, name, stats=None):
        """The weight a conv/linear uses: the parameter itself, or W/sigma with spectral norm
        (one power iteration on the buffers <layer>/sn_u, sn_v, which then hold the new u, v;
        u and v are constants for autograd, like PyTorch's clones)."""
        w = self.p[name]
        if not self.sn:
            return w
        st = self.s if stats is None else stats
        layer = name.rsplit("/", 1)[0]
        wm = w.reshape(w.shape[0], -1)
        if self.sn_replay is not None:
            u, v = self.sn_replay.pop(0)
        else:
            with torch.no_grad():
                v = sn_normalize(wm.t() @ st[layer + "/sn_u"])
                u = sn_normalize(wm @ v)
            st[layer + "/sn_u"] = u    # replaced, not written in place: autograd keeps u, v
            st[layer + "/sn_v"] = v
            if self.sn_record is not None:
                self.sn_record.append((u, v))
        sigma = torch.dot(u, wm @ v)
        return w / sigma

    def bn(self, x, prefix, stats=None):
        st = self.s if stats is None else stats
        return F.batch_norm(x, st[prefix + "/moving_mean"], st[prefix + "/moving_variance"],
                            self.p[prefix + "/gamma"], self.p[prefix + "/beta"],
                            training=True, momentum=BN_MOMENTUM, eps=BN_EPS)

    def adam_step(self, grads):
        self.t += 1
        t = self.t
        lr_t = self.lr * math.sqrt(1 - B2 ** t) / (1 - B1 ** t)
        with torch.no_grad():
            for k, p in self.p.items():
                g = grads[k]
                if k not in self.m:
                    self.m[k] = torch.zeros_like(p)
                    self.v[k] = torch.zeros_like(p)
                self.m[k].mul_(B1).add_((1 - B1) * g)
                self.v[k].mul_(B2).add_((1 - B2) * g * g)
                p.sub_(lr_t * self.m[k] / (self.v[k].sqrt() + ADAM_EPS))

    def all_tensors(self):
        d = {k: v.detach().clone() for k, v in self.p.items()}
        d.update({k: v.clone() for k, v in self.s.items()})
        return d


def sn_normalize(a, eps=SN_EPS):
    """torch.nn.functional.normalize(a, dim=0, eps=eps) of a vector."""
    return a / torch.clamp(torch.linalg.norm(a), min=eps)


# ----------------------------------------------------------------------------- init
def trunc_normal(shape, std, gen):
    x = torch.randn(shape, generator=gen, dtype=DT) * std
    while True:
        bad = x.abs() > 2 * std
        if not bad.any():
            return x
        x[bad] = torch.randn(int(bad.sum()), generator=gen, dtype=DT) * std


def add_conv(net, name, cout, cin, gen):
    net.p[name + "/w"] = trunc_normal((cout, cin, 5, 5), 0.02, gen)
    net.p[name + "/biases"] = torch.randn(cout, generator=gen, dtype=DT) * 0.02


def add_deconv(net, name, cin, cout, gen):
    net.p[name + "/w"] = torch.randn(cin, cout, 5, 5, generator=gen, dtype=DT) * 0.02
    net.p[name + "/biases"] = torch.randn(cout, generator=gen, dtype=DT) * 0.02


def add_linear(net, name, nout, nin, gen):
    net.p[name + "/Matrix"] = torch.randn(nout, nin, generator=gen, dtype=DT) * 0.02
    net.p[name + "/bias"] = torch.randn(nout, generator=gen, dtype=DT) * 0.02


def add_bn(net, name, n, gen):
    net.p[name + "/gamma"] = 1 + torch.randn(n, generator=gen, dtype=DT) * 0.1
    net.p[name + "/beta"] = torch.randn(n, generator=gen, dtype=DT) * 0.1
    net.s[name + "/moving_mean"] = torch.zeros(n, dtype=DT)
    net.s[name + "/moving_variance"] = torch.ones(n, dtype=DT)


def finish(net):
    for v in net.p.values():
        v.requires_grad_(True)


def add_spectral_norm(D, gen):
    """Recipe: sn_u (rows = out) and sn_v (cols = the rest) for every D weight, in D's layer
    order, u then v, each a N(0,1) draw from gen divided by its norm."""
    D.sn = True
    for name in list(D.p):
        if name.endswith("/w") or name.endswith("/Matrix"):
            layer = name.rsplit("/", 1)[0]
            rows = D.p[name].shape[0]
            cols = D.p[name].numel() // rows
            D.s[layer + "/sn_u"] = sn_normalize(torch.randn(rows, generator=gen, dtype=DT))
            D.s[layer + "/sn_v"] = sn_normalize(torch.randn(cols, generator=gen, dtype=DT))


# ----------------------------------------------------------------------------- models
def sizes(cfg):
    h = [cfg["output_height"]]
    w = [cfg["output_width"]]
    for _ in range(4):
        h.append(ceil2(h[-1]))
        w.append(ceil2(w[-1]))
    return h, w   # h[0]=s_h, h[1]=s_h2, h[2]=s_h4, h[3]=s_h8, h[4]=s_h16


def build_uncond(cfg, gen):
    gf, df, c, zd = cfg["gf_dim"], cfg["df_dim"], cfg["c_dim"], cfg["z_dim"]
    h, w = sizes(cfg)
    G, D = Net(), Net()
    add_linear(G, "generator/g_h0_lin", gf * 8 * h[4] * w[4], zd, gen)
    add_bn(G, "generator/g_bn0", gf * 8, gen)
    add_deconv(G, "generator/g_h1", gf * 8, gf * 4, gen)
    add_bn(G, "generator/g_bn1", gf * 4, gen)
    add_deconv(G, "generator/g_h2", gf * 4, gf * 2, gen)
    add_bn(G, "generator/g_bn2", gf * 2, gen)
    add_deconv(G, "generator/g_h3", gf * 2, gf, gen)
    add_bn(G, "generator/g_bn3", gf, gen)
    add_deconv(G, "generator/g_h4", gf, c, gen)
    add_conv(D, "discriminator/d_h0_conv", df, c, gen)
    add_conv(D, "discriminator/d_h1_conv", df * 2, df, gen)
    add_bn(D, "discriminator/d_bn1", df * 2, gen)
    add_conv(D, "discriminator/d_h2_conv", df * 4, df * 2, gen)
    add_bn(D, "discriminator/d_bn2", df * 4, gen)
    add_conv(D, "discriminator/d_h3_conv", df * 8, df * 4, gen)
    add_bn(D, "discriminator/d_bn3", df * 8, gen)
    add_linear(D, "discriminator/d_h4_lin", 1, df * 8 * h[4] * w[4], gen)
    finish(G)
    finish(D)
    return G, D


def G_uncond(G, cfg, z, y, stats=None):
    P = G.p
    gf = cfg["gf_dim"]
    h, w = sizes(cfg)
    n = z.shape[0]
    x = linear(z, P["generator/g_h0_lin/Matrix"], P["generator/g_h0_lin/bias"])
    x = x.view(n, gf * 8, h[4], w[4])
    x = F.relu(G.bn(x, "generator/g_bn0", stats))
    for i, lvl in ((1, 3), (2, 2), (3, 1)):
        x = deconv2d(x, P["generator/g_h%d/w" % i], P["generator/g_h%d/biases" % i], (h[lvl], w[lvl]))
        x = F.relu(G.bn(x, "generator/g_bn%d" % i, stats))
    x = deconv2d(x, P["generator/g_h4/w"], P["generator/g_h4/biases"], (h[0], w[0]))
    return torch.tanh(x)


def D_uncond(D, cfg, x, y, stats=None):
    P = D.p
    n = x.shape[0]
    W = lambda name: D.weight(name, stats)  # noqa: E731
    h = lrelu(conv2d(x, W("discriminator/d_h0_conv/w"), P["discriminator/d_h0_conv/biases"]))
    for i in (1, 2, 3):
        h = conv2d(h, W("discriminator/d_h%d_conv/w" % i), P["discriminator/d_h%d_conv/biases" % i])
        h = lrelu(D.bn(h, "discriminator/d_bn%d" % i, stats))
    h = h.reshape(n, -1)
    return linear(h, W("discriminator/d_h4_lin/Matrix"), P["discriminator/d_h4_lin/bias"])


def build_cond(cfg, gen):
    gf, df, c, zd, yd = cfg["gf_dim"], cfg["df_dim"], cfg["c_dim"], cfg["z_dim"], cfg["y_dim"]
    gfc, dfc = cfg["gfc_dim"], cfg["dfc_dim"]
    h, w = sizes(cfg)
    G, D = Net(), Net()
    add_linear(G, "generator/g_h0_lin", gfc, zd + yd, gen)
    add_bn(G, "generator/g_bn0", gfc, gen)
    add_linear(G, "generator/g_h1_lin", gf * 2 * h[2] * w[2], gfc + yd, gen)
    add_bn(G, "generator/g_bn1", gf * 2 * h[2] * w[2], gen)
    add_deconv(G, "generator/g_h2", gf * 2 + yd, gf * 2, gen)
    add_bn(G, "generator/g_bn2", gf * 2, gen)
    add_deconv(G, "generator/g_h3", gf * 2 + yd, c, gen)
    f0 = cfg.get("d_first_channels", 0) or c + yd   # recipe: F output channels of d_h0_conv
    add_conv(D, "discriminator/d_h0_conv", f0, c + yd, gen)
    add_conv(D, "discriminator/d_h1_conv", df + yd, f0 + yd, gen)
    add_bn(D, "discriminator/d_bn1", df + yd, gen)
    add_linear(D, "discriminator/d_h2_lin", dfc, (df + yd) * h[2] * w[2] + yd, gen)
    add_bn(D, "discriminator/d_bn2", dfc, gen)
    add_linear(D, "discriminator/d_h3_lin", 1, dfc + yd, gen)
    finish(G)
    finish(D)
    return G, D


def G_cond(G, cfg, z, y, stats=None):
    P = G.p
    gf = cfg["gf_dim"]
    h, w = sizes(cfg)
    n = z.shape[0]
    x = torch.cat([z, y], 1)
    x = linear(x, P["generator/g_h0_lin/Matrix"], P["generator/g_h0_lin/bias"])
    x = F.relu(G.bn(x, "generator/g_bn0", stats))
    x = torch.cat([x, y], 1)
    x = linear(x, P["generator/g_h1_lin/Matrix"], P["generator/g_h1_lin/bias"])
    x = F.relu(G.bn(x, "generator/g_bn1", stats))      # per feature on the flat vector
    x = x.view(n, gf * 2, h[2], w[2])
    x = cond_concat(x, y)
    x = deconv2d(x, P["generator/g_h2/w"], P["generator/g_h2/biases"], (h[1], w[1]))
    x = F.relu(G.bn(x, "generator/g_bn2", stats))
    x = cond_concat(x, y)
    x = deconv2d(x, P["generator/g_h3/w"], P["generator/g_h3/biases"], (h[0], w[0]))
    return torch.sigmoid(x)


def D_cond(D, cfg, x, y, stats=None):
    P = D.p
    n = x.shape[0]
    W = lambda name: D.weight(name, stats)  # noqa: E731
    h = cond_concat(x, y)
    h = lrelu(conv2d(h, W("discriminator/d_h0_conv/w"), P["discriminator/d_h0_conv/biases"]))
    h = cond_concat(h, y)
    h = conv2d(h, W("discriminator/d_h1_conv/w"), P["discriminator/d_h1_conv/biases"])
    h = lrelu(D.bn(h, "discriminator/d_bn1", stats))
    h = torch.cat([h.reshape(n, -1), y], 1)
    h = linear(h, W("discriminator/d_h2_lin/Matrix"), P["discriminator/d_h2_lin/bias"])
    h = lrelu(D.bn(h, "discriminator/d_bn2", stats))
    h = torch.cat([h, y], 1)
    return linear(h, W("discriminator/d_h3_lin/Matrix"), P["discriminator/d_h3_lin/bias"])


def xent(logits, label):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, float(label)))


def d_losses(cfg, real_logits, fake_logits):
    """(d_loss_real, d_loss_fake) for the configured loss."""
    if cfg.get("loss", "bce") == "hinge":
        return F.relu(1 - real_logits).mean(), F.relu(1 + fake_logits).mean()
    return xent(real_logits, 1 - cfg.get("label_smoothing", 0.0)), xent(fake_logits, 0)


def g_loss_fn(cfg, fake_logits):
    if cfg.get("loss", "bce") == "hinge":
        return -fake_logits.mean()
    return xent(fake_logits, 1)


# ----------------------------------------------------------------------------- self-checks
def check_adjoint(gen):
    """<conv(a), b> == <a, deconv(b)> on odd and even sizes with non-square input."""
    for (H, W) in ((8, 3), (7, 12), (5, 6)):
        w = torch.randn(4, 3, 5, 5, generator=gen)            # conv: (out=4, in=3)
        a = torch.randn(2, 3, H, W, generator=gen)
        ca = conv2d(a, w, None)
        assert ca.shape[2:] == (ceil2(H), ceil2(W))
        b = torch.randn(ca.shape, generator=gen)
        db = deconv2d(b, w, None, (H, W))                      # deconv weight (in=4, out=3)
        lhs = (ca * b).sum().item()
        rhs = (a * db).sum().item()
        assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs)), (H, W, lhs, rhs)
    # SAME padding of TF: even input 1 before / 2 after, e.g. 24 -> (1,2); 3 -> (2,2)
    assert same_pads(24) == (1, 2) and same_pads(3) == (2, 2) and same_pads(7) == (2, 2)
    print("adjoint check ok")


def check_spectral_norm(gen):
    """Net.weight's spectral norm equals torch.nn.utils.spectral_norm (training mode, one power
    iteration, dim 0) on a Conv2d (out, in, 5, 5) and a one-row Linear: weight, u, v, grad."""
    for mod in (torch.nn.Conv2d(3, 4, 5), torch.nn.Linear(7, 1)):
        mod = torch.nn.utils.spectral_norm(mod.to(DT), n_power_iterations=1, eps=SN_EPS, dim=0)
        mod.train()
        w0 = torch.randn(mod.weight_orig.shape, generator=gen)
        net = Net()
        net.p["l/w"] = w0.clone().requires_grad_(True)
        add_spectral_norm(net, gen)
        with torch.no_grad():
            mod.weight_orig.copy_(w0)
            mod.weight_u.copy_(net.s["l/sn_u"])
            mod.weight_v.copy_(net.s["l/sn_v"])
        mod(torch.zeros((1, 3, 5, 5) if w0.dim() == 4 else (1, 7)))  # hook computes mod.weight
        dout = torch.randn(w0.shape, generator=gen)
        mine = net.weight("l/w")
        g_mine = torch.autograd.grad(mine, [net.p["l/w"]], grad_outputs=dout)[0]
        g_torch = torch.autograd.grad(mod.weight, [mod.weight_orig], grad_outputs=dout)[0]
        for a, b in ((mine, mod.weight), (net.s["l/sn_u"], mod.weight_u),
                     (net.s["l/sn_v"], mod.weight_v), (g_mine, g_torch)):
            assert torch.allclose(a, b, rtol=1e-12, atol=1e-14)
    print("spectral norm check ok")


def fd_check(G, D, Gf, Df, cfg, z, x, y, gen):
    """Central finite differences (float64) of d_loss w.r.t. one D element and g_loss w.r.t. one
    G element, compared with autograd, with the configured loss and options. Moving stats and
    sn_u/sn_v are copied (one copy per loss evaluation, shared by its D passes as in training),
    so nothing is updated. With spectral norm, autograd treats the power-iterated u, v as
    constants; the FD evaluations therefore replay the (u, v) that the autograd evaluation's
    SN calls used, in the same order, without iterating (a perturbed W would otherwise move
    v and hence sigma)."""
    def scratch(net):
        return {k: v.clone() for k, v in net.s.items()}

    fake = Gf(G, cfg, z, y, scratch(G)).detach()

    def dloss():
        sd = scratch(D)
        real_loss, fake_loss = d_losses(cfg, Df(D, cfg, x, y, sd), Df(D, cfg, fake, y, sd))
        return real_loss + fake_loss

    def gloss():
        return g_loss_fn(cfg, Df(D, cfg, Gf(G, cfg, z, y, scratch(G)), y, scratch(D)))

    def evaluate(lossf, record):
        if not D.sn:
            return lossf()
        if record is None:            # the autograd evaluation: record the SN calls' u, v
            D.sn_record = []
            loss = lossf()
            rec, D.sn_record = D.sn_record, None
            return loss, rec
        D.sn_replay = list(record)
        loss = lossf()
        assert not D.sn_replay
        D.sn_replay = None
        return loss

    dnames = [k for k in D.p if k.endswith("d_h1_conv/w")] + \
        [k for k in D.p if k.endswith("d_bn1/gamma")]
    gnames = [k for k in G.p if k.endswith("g_h1/w") or k.endswith("g_h1_lin/Matrix")] + \
        [k for k in G.p if k.endswith("g_bn0/beta")]
    if recipe_on(cfg):
        # recipe: also D's first conv (d_first_channels) and its one-row final linear layer
        dnames += [k for k in D.p if k.endswith("d_h0_conv/w")] + \
            [k for k in D.p if k.endswith("d_h4_lin/Matrix") or k.endswith("d_h3_lin/Matrix")]
    eps = 1e-6
    for net, lossf, names in ((D, dloss, dnames), (G, gloss, gnames)):
        for name in names:
            p = net.p[name]
            rec = None
            if D.sn:
                loss, rec = evaluate(lossf, None)
            else:
                loss = lossf()
            gr = torch.autograd.grad(loss, [p])[0]
            flat = gr.reshape(-1)
            idx = int(torch.randint(flat.numel(), (1,), generator=gen))
            with torch.no_grad():
                pf = p.view(-1)
                old = pf[idx].item()
                pf[idx] = old + eps
                lp = evaluate(lossf, rec).item()
                pf[idx] = old - eps
                lm = evaluate(lossf, rec).item()
                pf[idx] = old
            fd = (lp - lm) / (2 * eps)
            an = flat[idx].item()
            err = abs(fd - an)
            print("  fd %-36s [%d] autograd % .10e fd % .10e |diff| %.1e" % (name, idx, an, fd, err))
            assert err <= 1e-9 + 1e-6 * abs(fd), name  # loss ~1: FD roundoff ~1e-16/eps


# ----------------------------------------------------------------------------- training
RECIPE_DEFAULTS = dict(d_first_channels=0, spectral_norm=0, loss="bce", label_smoothing=0.0,
                       d_lr=LR, g_lr=LR, g_ema=0.0)


def recipe_on(cfg):
    return any(k in cfg for k in RECIPE_DEFAULTS)


def round32(t):
    """The float32 value of t, as float64 (what the file stores and the C reads)."""
    return t.float().double()


def run(tag, cfg, conditional, seed):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    recipe = recipe_on(cfg)
    assert set(cfg) - set(RECIPE_DEFAULTS) <= {"output_height", "output_width", "c_dim", "y_dim",
                                               "gf_dim", "df_dim", "gfc_dim", "dfc_dim", "z_dim",
                                               "batch_size"}, cfg
    assert cfg.get("loss", "bce") in ("bce", "hinge")
    assert cfg.get("loss", "bce") == "bce" or cfg.get("label_smoothing", 0.0) == 0.0
    assert conditional or cfg.get("d_first_channels", 0) == 0
    build, Gf, Df = (build_cond, G_cond, D_cond) if conditional else (build_uncond, G_uncond, D_uncond)
    G, D = build(cfg, gen)
    if cfg.get("spectral_norm", 0):
        add_spectral_norm(D, gen)
    G.lr, D.lr = cfg.get("g_lr", LR), cfg.get("d_lr", LR)
    ema_decay = cfg.get("g_ema", 0.0)
    if recipe:
        # recipe files: every init value is rounded to float32 before use, so the reference
        # starts from exactly the values the C reads from init/ (the two older files do not)
        with torch.no_grad():
            for net in (G, D):
                for v in net.p.values():
                    v.copy_(round32(v))
                for k in net.s:
                    net.s[k] = round32(net.s[k])
    N, zd, c, yd = cfg["batch_size"], cfg["z_dim"], cfg["c_dim"], cfg["y_dim"]
    H, W = cfg["output_height"], cfg["output_width"]
    out = {}
    for k, v in G.all_tensors().items():
        out["init/" + k] = v
    for k, v in D.all_tensors().items():
        out["init/" + k] = v

    inputs = []
    for it in (1, 2):
        z = torch.rand(N, zd, generator=gen) * 2 - 1
        if conditional:
            x = torch.rand(N, c, H, W, generator=gen)
            labels = torch.randint(yd, (N,), generator=gen)
            y = F.one_hot(labels, yd).to(DT)
        else:
            x = torch.rand(N, c, H, W, generator=gen) * 2 - 1
            y = None
        if recipe:
            z, x = round32(z), round32(x)
        inputs.append((z, x, y))
        out["iter%d/z" % it] = z
        out["iter%d/x" % it] = x
        if conditional:
            out["iter%d/y" % it] = y

    z, x, y = inputs[0]
    fd_check(G, D, Gf, Df, cfg, z, x, y, gen)

    gnames = list(G.p)
    dnames = list(D.p)
    g_ema = {k: v.clone() for k, v in G.all_tensors().items()} if ema_decay else None
    print("%s: %d G params, %d D params" % (tag, sum(v.numel() for v in G.p.values()),
                                           sum(v.numel() for v in D.p.values())))
    for it, (z, x, y) in enumerate(inputs, 1):
        pre = "iter%d/" % it
        # --- D update
        fake = Gf(G, cfg, z, y).detach()
        lr_ = Df(D, cfg, x, y)
        lf_ = Df(D, cfg, fake, y)
        d_loss_real, d_loss_fake = d_losses(cfg, lr_, lf_)
        d_loss = d_loss_real + d_loss_fake
        grads = torch.autograd.grad(d_loss, [D.p[k] for k in dnames])
        dg = dict(zip(dnames, grads))
        D.adam_step(dg)
        out[pre + "d_loss_real"] = d_loss_real.detach().reshape(1)
        out[pre + "d_loss_fake"] = d_loss_fake.detach().reshape(1)
        out[pre + "d_real_mean"] = torch.sigmoid(lr_).mean().detach().reshape(1)
        out[pre + "d_fake_mean"] = torch.sigmoid(lf_).mean().detach().reshape(1)
        if it == 1:
            out[pre + "fake"] = fake
            for k in dnames:
                out[pre + "d_grad/" + k] = dg[k]
        # --- G updates (twice, same z, y)
        for j in (1, 2):
            fake = Gf(G, cfg, z, y)
            logits = Df(D, cfg, fake, y)
            g_loss = g_loss_fn(cfg, logits)
            grads = torch.autograd.grad(g_loss, [G.p[k] for k in gnames] + [fake])
            gg = dict(zip(gnames, grads[:-1]))
            G.adam_step(gg)
            out[pre + "g_loss%d" % j] = g_loss.detach().reshape(1)
            if it == 1 and j == 1:
                out[pre + "dx_fake"] = grads[-1]
                for k in gnames:
                    out[pre + "g_grad/" + k] = gg[k]
        for k, v in G.all_tensors().items():
            out[pre + "after/" + k] = v
        for k, v in D.all_tensors().items():
            out[pre + "after/" + k] = v
        if g_ema is not None:
            for k, v in G.all_tensors().items():
                g_ema[k] = ema_decay * g_ema[k] + (1 - ema_decay) * v
                out[pre + "after/generator_ema/" + k[len("generator/"):]] = g_ema[k]
        print("  iter %d: d_loss_real %.8f d_loss_fake %.8f d_loss %.8f g_loss1 %.8f g_loss2 %.8f "
              "D(x) %.6f D(G(z)) %.6f" % (it, d_loss_real, d_loss_fake, d_loss,
                                          out[pre + "g_loss1"], out[pre + "g_loss2"],
                                          out[pre + "d_real_mean"], out[pre + "d_fake_mean"]))
    assert G.t == 4 and D.t == 2

    meta = {
        "config": json.dumps(cfg, sort_keys=True),
        "order": ("per iteration: D update (G fwd train -> D(x) train -> D(fake) train, "
                  "d_loss=real+fake, Adam D t+=1), then 2x G update with same z,y "
                  "(G fwd train -> D fwd train -> g_loss, Adam G t+=1); 2 iterations; "
                  "BN training mode everywhere, moving stats updated on every forward"),
        "conventions": ("NCHW; Conv2d (out,in,k,k), ConvTranspose2d (in,out,k,k), Linear (out,in); "
                        "TF SAME pad_before=total//2; BN momentum 0.1 eps 1e-5 unbiased running var; "
                        "TF Adam lr 2e-4 b1 0.5 b2 0.999 eps 1e-8"),
        "seed": str(seed),
    }
    if recipe:
        meta["recipe"] = (
            "options (config keys, defaults = reference): d_first_channels F (cond: d_h0_conv "
            "has F outputs), spectral_norm (every D w/Matrix: one power iteration on sn_u/sn_v "
            "per D forward, W/sigma used, u v constant for grads), loss bce|hinge, "
            "label_smoothing s (bce real target 1-s), d_lr, g_lr (Adam), g_ema d (EMA of all G "
            "tensors after the 2nd G update: ema=d*ema+(1-d)*G, iterK/after/generator_ema/...); "
            "init values and z, x rounded to float32 before use")
    arrs = {k: v.detach().cpu().numpy() for k, v in out.items()}
    path = os.path.join(HERE, tag + ".safetensors")
    write_safetensors(path, arrs, meta)
    print("  wrote %s (%d tensors, %d bytes)" % (path, len(arrs), os.path.getsize(path)))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    check_adjoint(torch.Generator().manual_seed(123))
    check_spectral_norm(torch.Generator().manual_seed(321))
    uncond = dict(output_height=32, output_width=24, c_dim=3, y_dim=0, gf_dim=8, df_dim=8,
                  gfc_dim=0, dfc_dim=0, z_dim=12, batch_size=5)
    cond = dict(output_height=28, output_width=28, c_dim=1, y_dim=10, gf_dim=8, df_dim=8,
                gfc_dim=32, dfc_dim=32, z_dim=12, batch_size=6)
    run("train_uncond", uncond, False, 1234)
    run("train_cond", cond, True, 5678)
    # the recipe files use main()'s configs with gf_dim = df_dim = 4 (instead of 8), which keeps
    # each file near 1 MB (at 8 they would be 2.0 and 3.1 MB; the geometry is what matters here)
    recipe_cond = dict(cond, gf_dim=4, df_dim=4, d_first_channels=16, spectral_norm=1,
                       loss="hinge", d_lr=4e-4, g_lr=1e-4, g_ema=0.9, label_smoothing=0.0)
    recipe_uncond = dict(uncond, gf_dim=4, df_dim=4, d_first_channels=0, spectral_norm=1,
                         loss="bce", label_smoothing=0.1, d_lr=2e-4, g_lr=2e-4, g_ema=0.5)
    run("train_recipe_cond", recipe_cond, True, 2468)
    run("train_recipe_uncond", recipe_uncond, False, 1357)


if __name__ == "__main__":
    main()
