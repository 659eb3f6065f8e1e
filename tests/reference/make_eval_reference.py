#!/usr/bin/python3
"""Writes tests/reference/eval_metrics.safetensors, which tests/test_metrics.c checks the
evaluation metrics (src/eval/metrics.c, the classifier's loss, the nearest-neighbour distance)
against. Every expected value comes from an implementation other than ours:

  * Frechet distance: scipy.linalg.sqrtm of S_a S_b (the formula of pytorch-fid / TTUR);
  * MMD^2 (KID's statistic): sklearn.metrics.pairwise.polynomial_kernel (degree 3,
    gamma 1/d, coef0 1), unbiased estimator as in Binkowski et al. 2018;
  * precision / recall: sklearn.neighbors.NearestNeighbors for the k-th neighbour radii
    (k = 3), scipy.spatial.distance.cdist for the coverage (Kynkaenniemi et al. 2019);
  * class-histogram entropy: scipy.stats.entropy (nats) of the argmax histogram;
  * label accuracy: torch.argmax;
  * softmax cross-entropy and its gradient: torch.nn.functional.cross_entropy + autograd;
  * nearest-neighbour squared distance: torch.cdist.

Run from the repository root with Debian's interpreter (numpy, scipy, scikit-learn, torch):

    /usr/bin/python3 tests/reference/make_eval_reference.py

Inputs are drawn from a seeded numpy generator as float32 (what the file stores and the C test
reads) and promoted to float64 for the reference computations. Same seed -> same file.
"""
import os
import sys

import numpy as np
import scipy
import scipy.linalg
import scipy.spatial.distance
import scipy.stats
import sklearn
import sklearn.metrics.pairwise
import sklearn.neighbors
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval_metrics.safetensors")
K = 3


def frechet(a, b):
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s_a @ s_b)
    covmean = covmean.real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b)
                 - 2 * np.trace(covmean))


def mmd2(x, y):
    d = x.shape[1]
    kern = lambda p, q: sklearn.metrics.pairwise.polynomial_kernel(p, q, degree=3,
                                                                   gamma=1.0 / d, coef0=1)
    m, n = len(x), len(y)
    kxx, kyy, kxy = kern(x, x), kern(y, y), kern(x, y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                 + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2 * kxy.mean())


def radii(x):
    # k + 1 neighbours: the point itself is the first
    nn = sklearn.neighbors.NearestNeighbors(n_neighbors=K + 1).fit(x)
    dist, _ = nn.kneighbors(x)
    return dist[:, K]


def precision_recall(real, fake):
    r_real, r_fake = radii(real), radii(fake)
    d_fr = scipy.spatial.distance.cdist(fake, real)
    precision = float((d_fr <= r_real[None, :]).any(axis=1).mean())
    recall = float((d_fr.T <= r_fake[None, :]).any(axis=1).mean())
    return precision, recall


def main():
    rng = np.random.default_rng(20261130)
    d = 16
    mix = rng.standard_normal((d, d)).astype(np.float32) * 0.4
    real = (rng.standard_normal((300, d)) @ (np.eye(d) + mix)).astype(np.float32)
    fake = (rng.standard_normal((250, d)) * 1.2 + 0.3).astype(np.float32)
    r64, f64 = real.astype(np.float64), fake.astype(np.float64)
    fid = frechet(r64, f64)
    fid_same = frechet(r64, r64)
    mmd = mmd2(r64, f64)
    precision, recall = precision_recall(r64, f64)

    classes = 10
    logits = (rng.standard_normal((250, classes)) * 2).astype(np.float32)
    logits[:, 3] += 1.0  # an uneven histogram
    probs = torch.softmax(torch.from_numpy(logits).double(), dim=1)
    preds = torch.argmax(probs, dim=1).numpy()
    hist = np.bincount(preds, minlength=classes)
    entropy = float(scipy.stats.entropy(hist))
    labels = rng.integers(0, classes, 250)
    label_acc = float((torch.argmax(probs, dim=1).numpy() == labels).mean())

    xl = torch.from_numpy(logits[:8].astype(np.float64)).requires_grad_(True)
    xent = torch.nn.functional.cross_entropy(xl, torch.from_numpy(labels[:8]))
    xent.backward()

    train = rng.random((500, 1, 8, 8)).astype(np.float32)
    queries = rng.random((40, 1, 8, 8)).astype(np.float32)
    dist = torch.cdist(torch.from_numpy(queries.reshape(40, -1)).double(),
                       torch.from_numpy(train.reshape(500, -1)).double())
    nn_d2, nn_idx = (dist ** 2).min(dim=1)

    tensors = {
        "real": real, "fake": fake,
        "fid": np.array([fid]), "fid_same": np.array([fid_same]),
        "mmd2": np.array([mmd]),
        "precision": np.array([precision]), "recall": np.array([recall]),
        "probs": probs.numpy().astype(np.float32),
        "hist": hist.astype(np.int64), "entropy": np.array([entropy]),
        "labels": labels.astype(np.int64), "label_accuracy": np.array([label_acc]),
        "xent_logits": logits[:8], "xent": np.array([xent.item()]),
        "xent_dlogits": xl.grad.numpy().astype(np.float32),
        "nn_train": train, "nn_queries": queries,
        "nn_dist2": nn_d2.numpy().astype(np.float32), "nn_index": nn_idx.numpy().astype(np.int64),
    }
    meta = {"generator": "tests/reference/make_eval_reference.py",
            "versions": "numpy %s scipy %s sklearn %s torch %s" % (
                np.__version__, scipy.__version__, sklearn.__version__, torch.__version__),
            "k": K}
    write_safetensors(OUT, tensors, meta)
    print("wrote %s: fid %.6f mmd2 %.6f precision %.4f recall %.4f entropy %.5f acc %.4f"
          % (OUT, fid, mmd, precision, recall, entropy, label_acc))


if __name__ == "__main__":
    main()
