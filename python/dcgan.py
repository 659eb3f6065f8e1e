"""Generate images with a dcgan.c generator from Python: a ctypes module over libdcgan.

    import dcgan
    G = dcgan.Generator("run/checkpoints/ckpt-00001000.safetensors")
    images = G.sample(16, labels=["Sneaker", "Bag"])   # numpy float32 (16, H, W, C)

G.sample(n, seed=1, labels=None) equals `dcgan sample -n N --seed SEED [--labels ...] --npy`.
No build step: the module loads libdcgan.so, found in this order: $DCGAN_LIBRARY, the checkout's
build/ folder (python/../build), the install prefix this file sits under (PREFIX/share/dcgan/
python -> PREFIX/lib), then the system's library path. Needs numpy.
"""
import ctypes
import ctypes.util
import os

import numpy as np

__all__ = ["Generator", "DcganError", "library_version"]

# OpenMP's default busy-waiting slows small batches on a shared machine; the library reads the
# policy when it loads, so it is set before (unless the user chose one).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class DcganError(RuntimeError):
    """A libdcgan call failed; .status is the library's dcgan_status code."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class _Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 1024)]


class _OpenOptions(ctypes.Structure):
    _fields_ = [("device", ctypes.c_char_p)]


def _candidates():
    env = os.environ.get("DCGAN_LIBRARY")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, "..", "build", "libdcgan.so")
    yield os.path.join(here, "..", "..", "..", "lib", "libdcgan.so.0")
    found = ctypes.util.find_library("dcgan")
    if found:
        yield found
    yield "libdcgan.so.0"


def _load():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise OSError("libdcgan not found (set DCGAN_LIBRARY to its path); tried: " + ", ".join(tried))


_lib = _load()
_P = ctypes.c_void_p
_F = ctypes.POINTER(ctypes.c_float)
_I = ctypes.POINTER(ctypes.c_int)
_sigs = {
    "dcgan_version": (ctypes.c_char_p, []),
    "dcgan_status_string": (ctypes.c_char_p, [ctypes.c_int]),
    "dcgan_open": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(_OpenOptions),
                                  ctypes.POINTER(_P), ctypes.POINTER(_Error)]),
    "dcgan_close": (None, [_P]),
    "dcgan_last_error": (ctypes.c_char_p, [_P]),
    "dcgan_checkpoint_path": (ctypes.c_char_p, [_P]),
    "dcgan_iteration": (ctypes.c_long, [_P]),
    "dcgan_z_dim": (ctypes.c_int, [_P]),
    "dcgan_image_shape": (None, [_P, _I, _I, _I]),
    "dcgan_output_range": (None, [_P, _F, _F]),
    "dcgan_num_classes": (ctypes.c_int, [_P]),
    "dcgan_has_attributes": (ctypes.c_int, [_P]),
    "dcgan_class_name": (ctypes.c_char_p, [_P, ctypes.c_int]),
    "dcgan_class_index": (ctypes.c_int, [_P, ctypes.c_char_p]),
    "dcgan_draw_z": (ctypes.c_int, [_P, ctypes.c_uint64, ctypes.c_size_t, _F]),
    "dcgan_generate": (ctypes.c_int, [_P, _F, _I, ctypes.c_size_t, _F]),
    "dcgan_generate_y": (ctypes.c_int, [_P, _F, _F, ctypes.c_size_t, _F]),
    "dcgan_sample": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.c_uint64, _I, ctypes.c_size_t,
                                    _F]),
    "dcgan_to_u8": (ctypes.c_int, [_P, _F, ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint8)]),
}
for _name, (_res, _args) in _sigs.items():
    _fn = getattr(_lib, _name)
    _fn.restype = _res
    _fn.argtypes = _args


def library_version():
    """The loaded libdcgan's version, "MAJOR.MINOR.PATCH"."""
    return _lib.dcgan_version().decode()


def _ptr(a, ctype):
    return a.ctypes.data_as(ctypes.POINTER(ctype))


class Generator:
    """A trained generator: a checkpoint, a `dcgan export` file or a run folder (its newest
    checkpoint). device: "cpu", "cuda" or "cuda:N" (a library built with CUDA)."""

    def __init__(self, path, device="cpu"):
        self._h = None
        handle, err = _P(), _Error()
        opts = _OpenOptions(device.encode())
        st = _lib.dcgan_open(os.fsencode(path), ctypes.byref(opts), ctypes.byref(handle),
                             ctypes.byref(err))
        if st != 0:
            raise DcganError(err.message.decode(errors="replace"), st)
        self._h = handle
        h, w, c = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        _lib.dcgan_image_shape(self._h, ctypes.byref(h), ctypes.byref(w), ctypes.byref(c))
        self.shape = (h.value, w.value, c.value)
        """One image's (height, width, channels)."""
        lo, hi = ctypes.c_float(), ctypes.c_float()
        _lib.dcgan_output_range(self._h, ctypes.byref(lo), ctypes.byref(hi))
        self.range = (lo.value, hi.value)
        self.z_dim = _lib.dcgan_z_dim(self._h)
        self.num_classes = _lib.dcgan_num_classes(self._h)
        self.has_attributes = bool(_lib.dcgan_has_attributes(self._h))
        self.class_names = [self._class_name(i) for i in range(self.num_classes)]
        self.checkpoint = _lib.dcgan_checkpoint_path(self._h).decode(errors="replace")
        self.iteration = _lib.dcgan_iteration(self._h)

    def _class_name(self, i):
        s = _lib.dcgan_class_name(self._h, i)
        return s.decode(errors="replace") if s is not None else None

    def _handle(self):
        if self._h is None:
            raise ValueError("the generator is closed")
        return self._h

    def _check(self, status):
        if status != 0:
            raise DcganError(_lib.dcgan_last_error(self._h).decode(errors="replace"), status)

    def class_index(self, label):
        """A class number, or a class name in any case, as an index; ValueError if the model
        has no such class."""
        if isinstance(label, (int, np.integer)):
            k = int(label)
            if 0 <= k < self.num_classes:
                return k
        else:
            k = _lib.dcgan_class_index(self._handle(), str(label).encode())
            if k >= 0:
                return k
        names = ", ".join(n for n in self.class_names if n) or "none recorded"
        raise ValueError("%r is not a class of this model (0..%d; names: %s)"
                         % (label, self.num_classes - 1, names))

    def _labels(self, labels, n):
        if labels is None or self.num_classes == 0:
            return None
        if isinstance(labels, (str, int, np.integer)):
            labels = [labels]
        idx = [self.class_index(x) for x in labels]
        if not idx:
            raise ValueError("labels is empty")
        return np.array([idx[i % len(idx)] for i in range(n)], dtype=np.intc)

    def draw_z(self, n, seed=1):
        """n latent vectors (n, z_dim) as `dcgan sample --seed SEED` draws them."""
        z = np.empty((n, self.z_dim), dtype=np.float32)
        self._check(_lib.dcgan_draw_z(self._handle(), seed, n, _ptr(z, ctypes.c_float)))
        return z

    def generate(self, z, labels=None):
        """Images (n, H, W, C) float32 in self.range from latent vectors z (n, z_dim). labels
        (conditional models): class numbers or names, cycled; None: the classes in turn."""
        z = np.ascontiguousarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.z_dim or z.shape[0] < 1:
            raise ValueError("z must be (n, %d)" % self.z_dim)
        n = z.shape[0]
        out = np.empty((n,) + self.shape, dtype=np.float32)
        lab = self._labels(labels, n)
        self._check(_lib.dcgan_generate(self._handle(), _ptr(z, ctypes.c_float),
                                        None if lab is None else _ptr(lab, ctypes.c_int), n,
                                        _ptr(out, ctypes.c_float)))
        return out

    def generate_y(self, z, y):
        """Images from z and whole conditions y (n, num_classes): one-hot or multi-hot."""
        z = np.ascontiguousarray(z, dtype=np.float32)
        y = np.ascontiguousarray(y, dtype=np.float32)
        n = z.shape[0]
        if z.ndim != 2 or z.shape[1] != self.z_dim or y.shape != (n, self.num_classes):
            raise ValueError("z must be (n, %d) and y (n, %d)" % (self.z_dim, self.num_classes))
        out = np.empty((n,) + self.shape, dtype=np.float32)
        self._check(_lib.dcgan_generate_y(self._handle(), _ptr(z, ctypes.c_float),
                                          _ptr(y, ctypes.c_float), n, _ptr(out, ctypes.c_float)))
        return out

    def sample(self, n, seed=1, labels=None):
        """`dcgan sample -n N --seed SEED [--labels ...] --npy`: (n, H, W, C) float32."""
        return self.generate(self.draw_z(n, seed), labels)

    def to_uint8(self, images):
        """Images from generate/sample as uint8 pixels, rounded as dcgan's PNGs are."""
        images = np.ascontiguousarray(images, dtype=np.float32)
        if images.shape[1:] != self.shape:
            raise ValueError("images must be (n,) + %r" % (self.shape,))
        out = np.empty(images.shape, dtype=np.uint8)
        self._check(_lib.dcgan_to_u8(self._handle(), _ptr(images, ctypes.c_float),
                                     images.shape[0], _ptr(out, ctypes.c_uint8)))
        return out

    def close(self):
        if self._h is not None:
            _lib.dcgan_close(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def __repr__(self):
        return "<dcgan.Generator %s: %dx%dx%d, z %d, %d classes>" % (
            self.checkpoint, *self.shape, self.z_dim, self.num_classes)
