#!/usr/bin/python3
"""Writes tests/reference/features/: a small seeded classification set and scikit-learn's
LinearSVC on it, the reference that tests/test_features.c holds src/eval/linear_svm.c to.

The set: 3 overlapping Gaussian classes in 20 dimensions with very different scales per
dimension (so standardisation matters), 300 training and 100 test points. The classifier:
StandardScaler fitted on the training points, then LinearSVC (L2 penalty, squared hinge,
one-vs-rest, intercept_scaling=1: liblinear's -s 1 -B 1, which sklearn runs underneath) at
a fixed C. Run with /usr/bin/python3 (numpy, scikit-learn) from the repository root:
    /usr/bin/python3 tests/tools/make_features_reference.py
CI does not run this; it reads the committed .npy files."""
import os

import numpy as np
import sklearn
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

OUT = os.path.join(os.path.dirname(__file__), "..", "reference", "features")
SEED = 20151119  # the paper's arXiv date
N_TRAIN, N_TEST, DIM, CLASSES = 300, 100, 20, 3
C = 0.05
TOL = 1e-4


def make_set(rng):
    means = rng.normal(0.0, 0.3, size=(CLASSES, DIM))
    scales = 10.0 ** rng.uniform(-1.5, 1.5, size=DIM)

    def draw(n):
        y = rng.integers(0, CLASSES, size=n)
        x = (means[y] + rng.normal(0.0, 1.0, size=(n, DIM))) * scales
        return x.astype(np.float32), y

    return draw(N_TRAIN), draw(N_TEST)


def main():
    rng = np.random.default_rng(SEED)
    (xtr, ytr), (xte, yte) = make_set(rng)
    scaler = StandardScaler().fit(xtr.astype(np.float64))
    clf = LinearSVC(C=C, penalty="l2", loss="squared_hinge", dual=True, tol=TOL,
                    multi_class="ovr", fit_intercept=True, intercept_scaling=1.0,
                    max_iter=100000, random_state=0)
    clf.fit(scaler.transform(xtr.astype(np.float64)), ytr)
    pred = clf.predict(scaler.transform(xte.astype(np.float64)))
    acc = float(np.mean(pred == yte))
    os.makedirs(OUT, exist_ok=True)
    f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)
    np.save(os.path.join(OUT, "x_train.npy"), f32(xtr))
    np.save(os.path.join(OUT, "y_train.npy"), f32(ytr))
    np.save(os.path.join(OUT, "x_test.npy"), f32(xte))
    np.save(os.path.join(OUT, "y_test.npy"), f32(yte))
    np.save(os.path.join(OUT, "sklearn_pred.npy"), f32(pred))
    # C, sklearn's test accuracy, its tolerance
    np.save(os.path.join(OUT, "sklearn_meta.npy"), f32([C, acc, TOL]))
    print(f"sklearn {sklearn.__version__}: LinearSVC C={C} test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
