#!/usr/bin/python3
"""PyTorch twin of `dcgan bench`: the same two models, the same training schedule, timed the same
way, in float32 at PyTorch's best CPU settings here, so the two can be compared side by side.

Run with Debian's torch 1.13:   /usr/bin/python3 bench/torch_twin.py --model celeba64 --json

Models (layer definitions as tests/reference/make_train_reference.py, see /work/shared/reference.md)
  celeba64: unconditional 64x64x3, gf = df = 64, z_dim 100.
  mnist:    conditional 28x28x1, y_dim 10, gf = df = 64, gfc = dfc = 1024, z_dim 100.
  TensorFlow 'SAME' padding for the 5x5 stride-2 convolutions (even sizes: 1 before, 2 after) and
  the exact-adjoint deconvolutions (cropped conv_transpose2d); batch norm in training mode with
  moving statistics updated on every call; sigmoid cross-entropy; TensorFlow-form Adam.

Schedule per iteration (as `dcgan bench` / src/train/step.c; no extra forward passes for losses):
  D update:    fake = G(z) under torch.no_grad() (== fake.detach(); nothing of G is kept for
               backward), d_loss = xent(D(x),1) + xent(D(fake),0) (two D passes, own BN stats),
               backward (no input gradient for D's first layer: x and fake do not require grad),
               Adam on D.
  2 G updates: same z; D's parameters frozen (requires_grad_(False)) so only D's input
               gradients are computed; g_loss = xent(D(G(z)),1); backward; Adam on G.
  Gradients are released with zero_grad(set_to_none=True).

Settings: torch.set_num_threads(--threads, default: all cores); OMP_WAIT_POLICY=PASSIVE and
OPENBLAS_NUM_THREADS=--threads in the environment before torch loads (libgomp and OpenBLAS read
them at load time); mkldnn (oneDNN) enabled, the default.

Variants tried (bench/twin_variants.sh: each variant alternated round by round; AMD EPYC Zen 5,
2 cores, shared and loaded (load average ~10), batch 64, median s/iter of 3 rounds, 2026-11-28):
                                                   celeba64     mnist
  default: --deconv mkldnn, --pad fpad, NCHW        8.99 s       1.32 s
  --deconv crop0 (PyTorch's own conv_transpose2d)  15.81 s       4.05 s
  --deconv pad1  (same, oneDNN-free, padding=1)    17.83 s       1.92 s
  --pad asym                                        8.39 s       1.69 s   (within the noise)
  --layout channels_last                            9.64 s       1.92 s   (quiet machine, 4 rounds:
                                                                          celeba64 within ~5%)
  --no-mkldnn (all convolutions im2col + BLAS)     32.49 s       2.62 s
  What they are:
  --deconv:    'mkldnn' = the MkldnnDeconv function below (oneDNN's backward-data primitive);
               'crop0' = conv_transpose2d(padding=0) then crop [1, 1+2n) (the reference's form);
               'pad1'  = conv_transpose2d(padding=1) then drop the last row/column.
               PyTorch 1.13 never sends conv_transpose2d to oneDNN on the CPU (it runs
               aten::slow_conv_transpose2d, im2col/col2im + BLAS, forward and backward), which
               made the plain-API twin ~1.8x (celeba64) to 3x (mnist) slower.
  --pad:       'fpad' = F.pad(x, (1,2,1,2)) then conv2d(padding=0) (the reference twin's form);
               'asym' = F.pad(x, (0,1,0,1)) then conv2d(padding=1).
  --layout:    contiguous (NCHW) vs channels_last (NHWC) activations and conv weights.
  --no-mkldnn: torch.backends.mkldnn.enabled = False.
  --grad-mode: inference under torch.no_grad() (default) or torch.inference_mode().
  --g-forward: 'reuse' (default) = G's forward of the D update keeps its graph and the first G
               update backpropagates through it (same z, same G weights), as dcgan.c's
               train_step does; 'recompute' = that forward under torch.no_grad() and a new
               G forward in each G update (one G forward more per iteration).
  Also used: TF-form Adam with _foreach kernels.

GPU (--device cuda; the default stays cpu, whose behaviour and output are unchanged):
  Parameters, moving statistics, data, z and the optimiser state live on the GPU (initialised on
  the CPU from the same seeded generators as the CPU path, then copied, so both devices start
  from the same numbers; each iteration's z is drawn on the CPU and copied before the timer
  starts). torch.backends.cudnn.benchmark = True. TF32 is off for convolutions and matrix
  multiplies (true fp32, like dcgan.c): torch.backends.cudnn.allow_tf32 and
  torch.backends.cuda.matmul.allow_tf32 = False, or on PyTorch >= 2.9 the same through
  torch.backends.cudnn.conv/rnn and torch.backends.cuda.matmul .fp32_precision = 'ieee';
  --tf32 turns them on, for a side figure.
  Layers: the same 'fpad' convolution (F.pad with TF 'SAME''s asymmetric pads, then conv2d with
  padding 0) and, by default, --deconv pad1: conv_transpose2d(padding=before-pad) and the
  trailing row/column cropped, i.e. rows [pad_before, pad_before + H) of the full transposed
  convolution, exactly TF's conv2d_transpose SAME (the after-pad is never smaller than the
  before-pad for 5x5 stride 2, so cropping is enough; output_padding would be needed only
  otherwise). 'crop0' works too; 'mkldnn' (the oneDNN autograd.Function) is CPU-only.
  Timing: torch.cuda.synchronize() before each timer read, per iteration and per generator call.
  Memory: gpu_alloc_peak_mb = torch.cuda.max_memory_allocated() over training (peak statistics
  reset after the model, data and optimiser state are built, before the warm-up, so they are
  included); gpu_used_mb = total - free of torch.cuda.mem_get_info() at the end of training
  (the whole device's memory in use: CUDA context, cuDNN/cuBLAS workspaces, PyTorch's cache).
  Peak: torch.mm 8192^3 fp32 (TF32 off), best of 5 after a warm-up call, synchronized; with
  --tf32 also the TF32 torch.mm peak (mm_peak_tf32_gflops).

FLOPs are counted exactly as src/train/step.c's train_step_flops from the layer shapes:
2 x multiply-adds, with G fwd + D fwd/bwd on real and fake (no input grad for D's first layer) for
the D update, and G fwd + D fwd + D bwd to the input only + G bwd (no input grad for G's first
layer) for each of the two G updates. A layer's backward counts twice its forward (input grad +
weight grad); only convolutions, deconvolutions and linear layers are counted.
"""
import argparse
import contextlib
import json
import os
import resource
import statistics
import sys
import time


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=("celeba64", "mnist"), default="celeba64")
    ap.add_argument("--batch-size", "--batch_size", type=int, default=64, dest="batch")
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="default: all cores")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--layout", choices=("contiguous", "channels_last"), default="contiguous")
    ap.add_argument("--pad", choices=("fpad", "asym"), default="fpad")
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                    help="cpu (default) or cuda (the first visible GPU)")
    ap.add_argument("--tf32", action="store_true",
                    help="cuda only: allow TF32 in convolutions and matrix multiplies (default: "
                         "off, true fp32 like dcgan.c)")
    ap.add_argument("--deconv", choices=("crop0", "pad1", "mkldnn"), default=None,
                    help="default: mkldnn on cpu, pad1 on cuda (mkldnn is cpu-only)")
    ap.add_argument("--no-mkldnn", action="store_true")
    ap.add_argument("--g-forward", choices=("reuse", "recompute"), default="reuse",
                    help="reuse: the first G update backpropagates through the G forward of the "
                         "D update (same z, same G weights), like dcgan.c; recompute: run it again")
    ap.add_argument("--grad-mode", choices=("no_grad", "inference_mode"), default="no_grad")
    ap.add_argument("--no-peak", action="store_true", help="skip the torch.mm peak measurement")
    ap.add_argument("--precision", choices=("fp32", "bf16"), default="fp32",
                    help="bf16: the forward passes under torch.autocast('cpu', "
                         "dtype=torch.bfloat16), as PyTorch users run mixed precision")
    a = ap.parse_args(argv)
    if a.batch < 1 or a.iters < 1 or a.warmup < 0 or a.threads < 0:
        ap.error("--batch-size and --iters must be >= 1, --warmup and --threads >= 0")
    if a.deconv is None:
        a.deconv = "mkldnn" if a.device == "cpu" else "pad1"
    if a.device == "cuda" and a.deconv == "mkldnn":
        ap.error("--deconv mkldnn is the CPU-only oneDNN variant; with --device cuda use pad1 "
                 "(the default) or crop0")
    if a.precision == "bf16" and a.device != "cpu":
        ap.error("--precision bf16 is measured on the CPU only (torch.autocast('cpu'))")
    if a.tf32 and a.device != "cuda":
        ap.error("--tf32 applies to --device cuda only")
    return a


ARGS = parse_args(sys.argv[1:])
NTHREADS = ARGS.threads if ARGS.threads > 0 else (os.cpu_count() or 1)
# libgomp and OpenBLAS read these when they are loaded, i.e. at `import torch`.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(NTHREADS))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(NTHREADS)
torch.backends.mkldnn.enabled = not ARGS.no_mkldnn
MF = torch.channels_last if ARGS.layout == "channels_last" else torch.contiguous_format
BF16 = ARGS.precision == "bf16"


def amp():
    """Where the forward passes run: under CPU autocast to bfloat16 for --precision bf16
    (convolutions, linear layers and matrix products in bf16 on fp32 master weights; backward
    and Adam outside it, as PyTorch's recipe has it), otherwise plain fp32."""
    if BF16:
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def amp_cast(*ts):
    """MkldnnDeconv calls aten ops autocast does not know: cast their inputs as it would."""
    if BF16 and torch.is_autocast_cpu_enabled():
        return tuple(t.to(torch.bfloat16) for t in ts)
    return ts
CUDA = ARGS.device == "cuda"
DEV = torch.device(ARGS.device)


def _has(obj, name):
    """hasattr that also survives torch 1.13's backend modules, whose __getattr__ raises
    AssertionError (not AttributeError) for unknown names."""
    try:
        getattr(obj, name)
        return True
    except Exception:
        return False


def new_tf32_api():
    """PyTorch >= 2.9: per-backend fp32_precision ('ieee' / 'tf32'); the allow_tf32 flags are
    deprecated there, and mixing the two APIs can raise, so only one of them is used."""
    cudnn = torch.backends.cudnn
    return (_has(torch.backends.cuda.matmul, "fp32_precision") and _has(cudnn, "conv")
            and _has(cudnn.conv, "fp32_precision"))


def set_tf32(on):
    if new_tf32_api():
        mode = "tf32" if on else "ieee"
        try:
            torch.backends.cuda.matmul.fp32_precision = mode
            cudnn = torch.backends.cudnn
            if _has(cudnn, "fp32_precision"):
                cudnn.fp32_precision = mode
            cudnn.conv.fp32_precision = mode
            if _has(cudnn, "rnn") and _has(cudnn.rnn, "fp32_precision"):
                cudnn.rnn.fp32_precision = mode   # kept equal to conv: legacy readers need that
            return
        except Exception as e:   # printed; the flags actually in force are in tf32_flags
            print("torch_twin.py: fp32_precision = %r failed (%s); using allow_tf32" % (mode, e),
                  file=sys.stderr)
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on


def tf32_flags():
    """The flags as PyTorch reports them back, for the record."""
    try:
        if new_tf32_api():
            return "matmul=%s conv=%s" % (torch.backends.cuda.matmul.fp32_precision,
                                          torch.backends.cudnn.conv.fp32_precision)
        return "matmul.allow_tf32=%s cudnn.allow_tf32=%s" % (
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    except Exception as e:
        return "unreadable (%s)" % e


if CUDA:
    if not torch.cuda.is_available():
        sys.exit("torch_twin.py: --device cuda: PyTorch %s (CUDA build: %s) sees no usable CUDA "
                 "device (CUDA_VISIBLE_DEVICES=%r); run on a GPU machine or use --device cpu"
                 % (torch.__version__, torch.version.cuda or "none, a CPU-only build",
                    os.environ.get("CUDA_VISIBLE_DEVICES")))
    torch.backends.cudnn.benchmark = True
    set_tf32(ARGS.tf32)


def sync():
    """Waits for the GPU's queued work before a timer is read (nothing to wait for on the CPU)."""
    if CUDA:
        torch.cuda.synchronize()

LR, B1, B2, ADAM_EPS = 2e-4, 0.5, 0.999, 1e-8
BN_EPS, BN_MOMENTUM = 1e-5, 0.1


# ----------------------------------------------------------------------------- layers
def ceil2(n):
    return (n + 1) // 2


def same_pads(n_in):
    """TensorFlow 'SAME' for 5x5 stride 2: (pad_before, pad_after) for an input of size n_in."""
    total = max((ceil2(n_in) - 1) * 2 + 5 - n_in, 0)
    return total // 2, total - total // 2


def conv2d(x, w, b):
    (t, bo), (le, r) = same_pads(x.shape[2]), same_pads(x.shape[3])
    if ARGS.pad == "asym" and t == le and bo == r and bo >= t:
        # symmetric part by the convolution, the extra after-rows/columns by F.pad
        if bo > t:
            x = F.pad(x, (0, bo - t, 0, bo - t))
        return F.conv2d(x, w, b, stride=2, padding=t)
    return F.conv2d(F.pad(x, (le, r, t, bo)), w, b, stride=2, padding=0)


class MkldnnDeconv(torch.autograd.Function):
    """The SAME deconvolution as the data-gradient of its adjoint convolution, so that oneDNN
    computes it: PyTorch 1.13 runs conv_transpose2d with its own im2col/col2im code
    (aten::slow_conv_transpose2d, forward and backward), never oneDNN. Forward: oneDNN's
    backward-data; backward: input gradient = a plain (oneDNN) conv2d of the padded output
    gradient, weight gradient = oneDNN's backward-weights with the roles of input and output
    swapped."""

    @staticmethod
    def forward(ctx, x, w, b, H, W):
        n, _, h, wd = x.shape
        ph, pw = same_pads(H)[0], same_pads(W)[0]
        # rows [ph, ph+fh) of the full (padding 0) output; a conv with padding ph maps them to h
        fh, fw = (h - 1) * 2 + 5 - 2 * ph, (wd - 1) * 2 + 5 - 2 * pw
        ctx.dtypes = (x.dtype, w.dtype)
        x, w = amp_cast(x, w)
        ctx.bf16 = x.dtype == torch.bfloat16
        shape_only = x.new_empty((n, w.shape[1], fh, fw))
        y = torch.ops.aten.convolution_backward(x, shape_only, w, None, (2, 2), (ph, pw), (1, 1),
                                                False, (0, 0), 1, (True, False, False))[0]
        ctx.save_for_backward(x, w)
        ctx.geom = (ph, pw, fh, fw, H, W)
        return y[:, :, :H, :W] + b.view(1, -1, 1, 1)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        ph, pw, fh, fw, H, W = ctx.geom
        gb = gy.sum((0, 2, 3)) if ctx.needs_input_grad[2] else None
        if ctx.bf16:   # the backward of an autocast layer computes in its forward's dtype
            gy = gy.to(torch.bfloat16)
        gyp = F.pad(gy, (0, fw - W, 0, fh - H)) if (fh, fw) != (H, W) else gy.contiguous()
        gx = gw = None
        if ctx.needs_input_grad[0]:
            gx = F.conv2d(gyp, w, None, stride=2, padding=(ph, pw))
        if ctx.needs_input_grad[1]:
            gw = torch.ops.aten.convolution_backward(x, gyp, w, None, (2, 2), (ph, pw), (1, 1),
                                                     False, (0, 0), 1, (False, True, False))[1]
        # gradients in the dtypes of the inputs they belong to (fp32 master weights)
        gx = gx.to(ctx.dtypes[0]) if gx is not None else None
        gw = gw.to(ctx.dtypes[1]) if gw is not None else None
        return gx, gw, gb, None, None


def deconv2d(x, w, b, out_hw):
    H, W = out_hw
    if ARGS.deconv == "mkldnn" and torch.backends.mkldnn.enabled:
        return MkldnnDeconv.apply(x, w, b, H, W)
    ph, pw = same_pads(H)[0], same_pads(W)[0]
    if ARGS.deconv == "pad1" and ph == pw and ph >= 1:
        y = F.conv_transpose2d(x, w, b, stride=2, padding=ph)   # rows [ph, ...) of the full one
        return y[:, :, :H, :W]
    y = F.conv_transpose2d(x, w, b, stride=2, padding=0)
    return y[:, :, ph:ph + H, pw:pw + W]


def linear(x, m, b):
    return F.linear(x, m, b)


def lrelu(x):
    return F.leaky_relu(x, 0.2)


def cond_concat(x, y):
    n, _, h, w = x.shape
    return torch.cat([x, y.view(n, -1, 1, 1).expand(n, y.shape[1], h, w)], 1)


def xent(logits, label):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, float(label)))


class Net:
    """Parameters (trainable), moving statistics and, per layer, (kind, C_map*H_map*W_map,
    C_img, K*K) for FLOP counting as src/nn/net.c's net_forward_macs."""

    def __init__(self):
        self.p = {}
        self.s = {}
        self.macs = []   # per-sample multiply-adds of each conv/deconv/linear layer, in order

    def bn(self, x, name, training):
        return F.batch_norm(x, self.s[name + "/moving_mean"], self.s[name + "/moving_variance"],
                            self.p[name + "/gamma"], self.p[name + "/beta"],
                            training=training, momentum=BN_MOMENTUM, eps=BN_EPS)

    def params(self):
        return list(self.p.values())

    def set_trainable(self, on):
        for v in self.p.values():
            v.requires_grad_(on)


def add_conv(net, name, cout, cin, h_in, w_in, gen):
    net.p[name + "/w"] = (torch.randn(cout, cin, 5, 5, generator=gen) * 0.02).clamp_(-0.04, 0.04)
    net.p[name + "/biases"] = torch.zeros(cout)
    net.macs.append(ceil2(h_in) * ceil2(w_in) * cout * cin * 25)


def add_deconv(net, name, cin, cout, h_out, w_out, gen):
    net.p[name + "/w"] = torch.randn(cin, cout, 5, 5, generator=gen) * 0.02
    net.p[name + "/biases"] = torch.zeros(cout)
    net.macs.append(ceil2(h_out) * ceil2(w_out) * cin * cout * 25)


def add_linear(net, name, nout, nin, gen):
    net.p[name + "/Matrix"] = torch.randn(nout, nin, generator=gen) * 0.02
    net.p[name + "/bias"] = torch.zeros(nout)
    net.macs.append(nout * nin)


def add_bn(net, name, n):
    net.p[name + "/gamma"] = torch.ones(n)
    net.p[name + "/beta"] = torch.zeros(n)
    net.s[name + "/moving_mean"] = torch.zeros(n)
    net.s[name + "/moving_variance"] = torch.ones(n)


def finish(net):
    for k, v in net.p.items():
        v = v.to(DEV)   # initialised on the CPU on both devices; the same tensor on the CPU
        if v.dim() == 4:
            v = v.contiguous(memory_format=MF)
        net.p[k] = v.requires_grad_(True)
    for k, v in net.s.items():
        net.s[k] = v.to(DEV)


def sizes(s):
    h = [s]
    for _ in range(4):
        h.append(ceil2(h[-1]))
    return h   # s, s2, s4, s8, s16


# ----------------------------------------------------------------------------- models
def build_uncond(cfg, gen):
    gf, df, c, zd, s = cfg["gf"], cfg["df"], cfg["c"], cfg["z"], cfg["s"]
    h = sizes(s)
    G, D = Net(), Net()
    add_linear(G, "g_h0_lin", gf * 8 * h[4] * h[4], zd, gen)
    add_bn(G, "g_bn0", gf * 8)
    add_deconv(G, "g_h1", gf * 8, gf * 4, h[3], h[3], gen)
    add_bn(G, "g_bn1", gf * 4)
    add_deconv(G, "g_h2", gf * 4, gf * 2, h[2], h[2], gen)
    add_bn(G, "g_bn2", gf * 2)
    add_deconv(G, "g_h3", gf * 2, gf, h[1], h[1], gen)
    add_bn(G, "g_bn3", gf)
    add_deconv(G, "g_h4", gf, c, h[0], h[0], gen)
    add_conv(D, "d_h0_conv", df, c, h[0], h[0], gen)
    add_conv(D, "d_h1_conv", df * 2, df, h[1], h[1], gen)
    add_bn(D, "d_bn1", df * 2)
    add_conv(D, "d_h2_conv", df * 4, df * 2, h[2], h[2], gen)
    add_bn(D, "d_bn2", df * 4)
    add_conv(D, "d_h3_conv", df * 8, df * 4, h[3], h[3], gen)
    add_bn(D, "d_bn3", df * 8)
    add_linear(D, "d_h4_lin", 1, df * 8 * h[4] * h[4], gen)
    finish(G)
    finish(D)

    def Gf(z, y, training=True):
        P = G.p
        n = z.shape[0]
        x = linear(z, P["g_h0_lin/Matrix"], P["g_h0_lin/bias"]).view(n, gf * 8, h[4], h[4])
        x = x.contiguous(memory_format=MF)
        x = F.relu(G.bn(x, "g_bn0", training))
        for i, lvl in ((1, 3), (2, 2), (3, 1)):
            x = deconv2d(x, P["g_h%d/w" % i], P["g_h%d/biases" % i], (h[lvl], h[lvl]))
            x = F.relu(G.bn(x, "g_bn%d" % i, training))
        x = deconv2d(x, P["g_h4/w"], P["g_h4/biases"], (h[0], h[0]))
        return torch.tanh(x)

    def Df(x, y):
        P = D.p
        n = x.shape[0]
        t = lrelu(conv2d(x, P["d_h0_conv/w"], P["d_h0_conv/biases"]))
        for i in (1, 2, 3):
            t = conv2d(t, P["d_h%d_conv/w" % i], P["d_h%d_conv/biases" % i])
            t = lrelu(D.bn(t, "d_bn%d" % i, True))
        t = t.reshape(n, -1)   # channel-major flatten (a copy when channels_last)
        return linear(t, P["d_h4_lin/Matrix"], P["d_h4_lin/bias"])

    return G, D, Gf, Df


def build_cond(cfg, gen):
    gf, df, c, zd, yd, s = cfg["gf"], cfg["df"], cfg["c"], cfg["z"], cfg["y"], cfg["s"]
    gfc, dfc = cfg["gfc"], cfg["dfc"]
    h = sizes(s)
    G, D = Net(), Net()
    add_linear(G, "g_h0_lin", gfc, zd + yd, gen)
    add_bn(G, "g_bn0", gfc)
    add_linear(G, "g_h1_lin", gf * 2 * h[2] * h[2], gfc + yd, gen)
    add_bn(G, "g_bn1", gf * 2 * h[2] * h[2])
    add_deconv(G, "g_h2", gf * 2 + yd, gf * 2, h[1], h[1], gen)
    add_bn(G, "g_bn2", gf * 2)
    add_deconv(G, "g_h3", gf * 2 + yd, c, h[0], h[0], gen)
    add_conv(D, "d_h0_conv", c + yd, c + yd, h[0], h[0], gen)
    add_conv(D, "d_h1_conv", df + yd, c + 2 * yd, h[1], h[1], gen)
    add_bn(D, "d_bn1", df + yd)
    add_linear(D, "d_h2_lin", dfc, (df + yd) * h[2] * h[2] + yd, gen)
    add_bn(D, "d_bn2", dfc)
    add_linear(D, "d_h3_lin", 1, dfc + yd, gen)
    finish(G)
    finish(D)

    def Gf(z, y, training=True):
        P = G.p
        n = z.shape[0]
        x = linear(torch.cat([z, y], 1), P["g_h0_lin/Matrix"], P["g_h0_lin/bias"])
        x = F.relu(G.bn(x, "g_bn0", training))
        x = linear(torch.cat([x, y], 1), P["g_h1_lin/Matrix"], P["g_h1_lin/bias"])
        x = F.relu(G.bn(x, "g_bn1", training))        # per feature on the flat vector
        x = x.view(n, gf * 2, h[2], h[2])
        x = cond_concat(x, y).contiguous(memory_format=MF)
        x = deconv2d(x, P["g_h2/w"], P["g_h2/biases"], (h[1], h[1]))
        x = F.relu(G.bn(x, "g_bn2", training))
        x = cond_concat(x, y).contiguous(memory_format=MF)
        x = deconv2d(x, P["g_h3/w"], P["g_h3/biases"], (h[0], h[0]))
        return torch.sigmoid(x)

    def Df(x, y):
        P = D.p
        n = x.shape[0]
        t = cond_concat(x, y).contiguous(memory_format=MF)
        t = lrelu(conv2d(t, P["d_h0_conv/w"], P["d_h0_conv/biases"]))
        t = cond_concat(t, y).contiguous(memory_format=MF)
        t = conv2d(t, P["d_h1_conv/w"], P["d_h1_conv/biases"])
        t = lrelu(D.bn(t, "d_bn1", True))
        t = torch.cat([t.reshape(n, -1), y], 1)
        t = linear(t, P["d_h2_lin/Matrix"], P["d_h2_lin/bias"])
        t = lrelu(D.bn(t, "d_bn2", True))
        t = torch.cat([t, y], 1)
        return linear(t, P["d_h3_lin/Matrix"], P["d_h3_lin/bias"])

    return G, D, Gf, Df


# ----------------------------------------------------------------------------- optimiser
class TFAdam(torch.optim.Optimizer):
    """Adam in TensorFlow's form: lr_t = lr*sqrt(1-b2^t)/(1-b1^t), p -= lr_t*m/(sqrt(v)+eps),
    with multi-tensor (_foreach) kernels like torch.optim.Adam(foreach=True)."""

    def __init__(self, params):
        super().__init__(params, dict(lr=LR))
        self.t = 0
        ps = self.param_groups[0]["params"]
        self.m = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in ps]
        self.v = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in ps]

    @torch.no_grad()
    def step(self):
        self.t += 1
        lr_t = LR * (1 - B2 ** self.t) ** 0.5 / (1 - B1 ** self.t)
        ps = self.param_groups[0]["params"]
        gs = [p.grad for p in ps]
        torch._foreach_mul_(self.m, B1)
        torch._foreach_add_(self.m, gs, alpha=1 - B1)
        torch._foreach_mul_(self.v, B2)
        torch._foreach_addcmul_(self.v, gs, gs, value=1 - B2)
        den = torch._foreach_sqrt(self.v)
        torch._foreach_add_(den, ADAM_EPS)
        torch._foreach_addcdiv_(ps, self.m, den, value=-lr_t)


# ----------------------------------------------------------------------------- timing
def mm_peak_cuda(tf32=False):
    """Best of 5 8192^3 fp32 torch.mm on the GPU after one untimed call, synchronized, GFLOP/s;
    TF32 off unless tf32 (the run's own setting is restored afterwards)."""
    n = 8192
    set_tf32(tf32)
    a = torch.rand(n, n, device=DEV).mul_(2).sub_(1)
    b = torch.rand(n, n, device=DEV).mul_(2).sub_(1)
    c = torch.empty(n, n, device=DEV)
    torch.mm(a, b, out=c)
    best = 0.0
    for _ in range(5):
        sync()
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        sync()
        best = max(best, 2.0 * n * n * n / (time.perf_counter() - t0) / 1e9)
    del a, b, c
    set_tf32(ARGS.tf32)
    return best


def mm_peak():
    """Best of a few 1536^3 torch.mm (as `dcgan bench` measures its sgemm peak), GFLOP/s."""
    n = 1536
    g = torch.Generator().manual_seed(7)
    a = torch.rand(n, n, generator=g) * 2 - 1
    b = torch.rand(n, n, generator=g) * 2 - 1
    c = torch.empty(n, n)
    best = 0.0
    for rep in range(5):
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        gfl = 2.0 * n * n * n / (time.perf_counter() - t0) / 1e9
        if rep > 0:
            best = max(best, gfl)
    return best


def train_flops(G, D, batch):
    gf, df = batch * sum(G.macs), batch * sum(D.macs)
    g0, d0 = batch * G.macs[0], batch * D.macs[0]
    d_update = gf + 2.0 * (df + df + (df - d0))
    g_update = gf + df + df + gf + (gf - g0)
    return 2.0 * (d_update + 2.0 * g_update)


def main():
    a = ARGS
    mnist = a.model == "mnist"
    cfg = dict(gf=64, df=64, z=100, gfc=1024, dfc=1024)
    cfg.update(dict(s=28, c=1, y=10) if mnist else dict(s=64, c=3, y=0))
    gen = torch.Generator().manual_seed(1)
    G, D, Gf, Df = (build_cond if mnist else build_uncond)(cfg, gen)

    B, s, c, yd = a.batch, cfg["s"], cfg["c"], cfg["y"]
    g = torch.Generator().manual_seed(3)
    lo, hi = (0.0, 1.0) if mnist else (-1.0, 1.0)
    x = (torch.rand(B, c, s, s, generator=g) * (hi - lo) + lo).contiguous(memory_format=MF)
    y = F.one_hot(torch.randint(yd, (B,), generator=g), yd).float() if mnist else None
    z = torch.empty(B, cfg["z"])
    if CUDA:
        # the same numbers as on the CPU, drawn there and copied; z is drawn into z_host each
        # iteration (the CPU generator g cannot fill a GPU tensor) and copied before the timer
        x = x.to(DEV)
        y = y.to(DEV) if y is not None else None
        z_host, z = z, torch.empty(B, cfg["z"], device=DEV)

    optD, optG = TFAdam(D.params()), TFAdam(G.params())

    reuse = a.g_forward == "reuse"

    def train_step():
        # D update: G forward (with its graph when the first G update reuses it, as
        # `dcgan train` does; otherwise without one, == fake.detach()), D on real and fake
        D.set_trainable(True)
        with amp():
            if reuse:
                fake = Gf(z, y)
            else:
                with torch.no_grad():
                    fake = Gf(z, y)
            optD.zero_grad(set_to_none=True)
            d_loss = xent(Df(x, y), 1) + xent(Df(fake.detach(), y), 0)
        d_loss.backward()
        optD.step()
        # two G updates with the same z; D frozen: only its input gradients
        D.set_trainable(False)
        for k in range(2):
            optG.zero_grad(set_to_none=True)
            with amp():
                g_loss = xent(Df(fake if (reuse and k == 0) else Gf(z, y), y), 1)
            g_loss.backward()
            optG.step()

    if CUDA:
        # the peak over training: what is allocated now (parameters, moving statistics, data,
        # Adam's moments) plus everything the warm-up and timed iterations allocate
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    times = []
    for i in range(a.warmup + a.iters):
        if CUDA:
            z_host.uniform_(-1, 1, generator=g)
            z.copy_(z_host)
        else:
            z.uniform_(-1, 1, generator=g)
        sync()
        t0 = time.perf_counter()
        train_step()
        sync()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    train_s = statistics.median(times)
    if CUDA:
        mib = 2.0 ** 20
        gpu_alloc_peak = torch.cuda.max_memory_allocated() / mib
        gpu_reserved_peak = torch.cuda.max_memory_reserved() / mib
        free_b, total_b = torch.cuda.mem_get_info()
        gpu_used, gpu_total = (total_b - free_b) / mib, total_b / mib
    flops = train_flops(G, D, B)

    # generator inference (moving statistics): batch B, then batch-1 latency; median of 5
    ctx = torch.inference_mode if a.grad_mode == "inference_mode" else torch.no_grad
    reps = 5

    def time_gen(zz, yy):
        ts = []
        with ctx(), amp():
            for i in range(reps + 1):
                sync()
                t0 = time.perf_counter()
                Gf(zz, yy, training=False)
                sync()
                if i:
                    ts.append(time.perf_counter() - t0)
        return statistics.median(ts)

    gen_s = time_gen(z, y)
    lat_s = time_gen(z[:1].clone(), y[:1].clone() if y is not None else None)
    # peak RSS of training and inference, read before the matrix-multiply peak allocates its
    # own matrices (dcgan bench does the same)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    if CUDA:
        peak = 0.0 if a.no_peak else mm_peak_cuda(False)
        peak_tf32 = mm_peak_cuda(True) if a.tf32 and not a.no_peak else None
    else:
        peak = 0.0 if a.no_peak else mm_peak()
    gflops = flops / train_s / 1e9
    name = "mnist-cond-28x28x1" if mnist else "uncond"
    if CUDA:
        gpu_name = torch.cuda.get_device_name(DEV)
        print("pytorch %s, model %s %dx%dx%d batch %d, cuda: %s (CUDA %s, cuDNN %s), TF32 %s (%s), "
              "cudnn.benchmark on, layout %s, pad %s, deconv %s, g-forward %s"
              % (torch.__version__, name, s, s, c, B, gpu_name, torch.version.cuda,
                 torch.backends.cudnn.version(), "on" if a.tf32 else "off", tf32_flags(),
                 a.layout, a.pad, a.deconv, a.g_forward))
        print("torch.mm peak    %8.1f GFLOP/s (8192^3 fp32, TF32 off%s)"
              % (peak, "; TF32: %.1f GFLOP/s" % peak_tf32 if peak_tf32 else ""))
    else:
        print("pytorch %s, model %s %dx%dx%d batch %d, %d threads, layout %s, pad %s, deconv %s, "
              "mkldnn %s, g-forward %s, precision %s"
              % (torch.__version__, name, s, s, c, B, NTHREADS, a.layout, a.pad, a.deconv,
                 torch.backends.mkldnn.enabled, a.g_forward, a.precision))
        print("torch.mm peak    %8.1f GFLOP/s" % peak)
    print("train iteration  %8.3f s (median of %d)  %.1f img/s  %.1f GFLOP/iter  %.1f GFLOP/s  "
          "%.0f%% of torch.mm peak" % (train_s, a.iters, B / train_s, flops / 1e9, gflops,
                                       100.0 * gflops / peak if peak else 0.0))
    print("generate         %8.3f s per batch of %d (%.1f img/s), batch-1 latency %.1f ms"
          % (gen_s, B, B / gen_s, lat_s * 1e3))
    if CUDA:
        print("GPU memory       %8.1f MB allocated at peak over training (reserved peak %.1f MB); "
              "%.1f MB in use on the device at its end (of %.1f MB, CUDA context included)"
              % (gpu_alloc_peak, gpu_reserved_peak, gpu_used, gpu_total))
    print("peak RSS         %8.1f MB" % rss_mb)
    if a.json:
        d = dict(
            impl="pytorch", torch_version=torch.__version__, model=name, height=s, width=s,
            channels=c, batch=B, threads=NTHREADS, layout=a.layout, pad=a.pad, deconv=a.deconv,
            g_forward=a.g_forward, precision=a.precision,
            mkldnn=torch.backends.mkldnn.enabled, mm_peak_gflops=round(peak, 2),
            train_s_per_iter=round(train_s, 5), train_img_per_s=round(B / train_s, 3),
            gflop_per_iter=round(flops / 1e9, 3), train_gflops=round(gflops, 2),
            peak_fraction=round(gflops / peak, 4) if peak else None,
            generate_s_per_batch=round(gen_s, 5), generate_batch1_ms=round(lat_s * 1e3, 3),
            peak_rss_mb=round(rss_mb, 1))
        if CUDA:
            d["mkldnn"] = None   # oneDNN plays no part on the GPU
            d.update(
                device="cuda", gpu_name=gpu_name, cuda_version=torch.version.cuda,
                cudnn_version=torch.backends.cudnn.version(), cudnn_benchmark=True,
                tf32=bool(a.tf32), tf32_flags=tf32_flags(), mm_peak_n=8192,
                mm_peak_tf32_gflops=round(peak_tf32, 2) if peak_tf32 else None,
                gpu_alloc_peak_mb=round(gpu_alloc_peak, 1),
                gpu_reserved_peak_mb=round(gpu_reserved_peak, 1),
                gpu_used_mb=round(gpu_used, 1), gpu_total_mb=round(gpu_total, 1))
        print(json.dumps(d, separators=(",", ":")))


if __name__ == "__main__":
    main()
