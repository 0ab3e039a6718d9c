"""Named kernels (identity, Sobel, Gaussian blur, sharpen, Laplacian, box) and how a layer's
weights are filled from one.  numpy only; the engine copies the result into torch.

A named kernel K (kh x kw) fills a convolution so that every output channel computes K applied
to the mean of its input channels: weight[o, i] = K / (in_channels / groups), bias 0.  On an
RGB image a Sobel layer therefore shows the edges of the brightness, as a learner expects.
"""
from __future__ import annotations

from math import comb

import numpy as np

from .spec import LayerSpec, QT_TRANSLATE_NOOP, pair

NAMES = ("identity", "sobel_x", "sobel_y", "gaussian", "sharpen", "laplacian", "box")
LABELS = {
    "random": QT_TRANSLATE_NOOP("kernels", "Random (from the seed)"),
    "identity": QT_TRANSLATE_NOOP("kernels", "Identity"),
    "sobel_x": QT_TRANSLATE_NOOP("kernels", "Sobel x (vertical edges)"),
    "sobel_y": QT_TRANSLATE_NOOP("kernels", "Sobel y (horizontal edges)"),
    "gaussian": QT_TRANSLATE_NOOP("kernels", "Gaussian blur"),
    "sharpen": QT_TRANSLATE_NOOP("kernels", "Sharpen"),
    "laplacian": QT_TRANSLATE_NOOP("kernels", "Laplacian"),
    "box": QT_TRANSLATE_NOOP("kernels", "Box blur"),
}


def _binomial(n: int) -> np.ndarray:
    return np.array([comb(n - 1, i) for i in range(n)], dtype=np.float64)


def _derivative(n: int) -> np.ndarray:
    """Central-difference taps of length n (n=3: [-1, 0, 1]; n=5: [-1, -2, 0, 2, 1])."""
    return -np.convolve(_binomial(n - 1), [1.0, -1.0])


def kernel_problem(name: str, kh: int, kw: int) -> str | None:
    """Why ``name`` cannot fill a kh x kw kernel, or None."""
    from .messages import Msg
    if name in ("sobel_x",) and kw < 2:
        return Msg(QT_TRANSLATE_NOOP("core", "Sobel x needs a kernel at least 2 wide — increase kernel_size"))
    if name in ("sobel_y",) and kh < 2:
        return Msg(QT_TRANSLATE_NOOP("core", "Sobel y needs a kernel at least 2 high — increase kernel_size"))
    if name == "laplacian" and (kh < 3 or kw < 3):
        return Msg(QT_TRANSLATE_NOOP("core", "the Laplacian needs a kernel of at least 3x3 — increase kernel_size"))
    if name == "sharpen" and (kh < 3 or kw < 3):
        return Msg(QT_TRANSLATE_NOOP("core", "sharpen needs a kernel of at least 3x3 — increase kernel_size"))
    return None


def named_kernel(name: str, kh: int, kw: int) -> np.ndarray:
    """The 2-D kernel ``name`` at size kh x kw (float64)."""
    problem = kernel_problem(name, kh, kw)
    if problem:
        raise ValueError(problem)
    k = np.zeros((kh, kw))
    cy, cx = (kh - 1) // 2, (kw - 1) // 2
    if name == "identity":
        k[cy, cx] = 1.0
    elif name == "box":
        k[:] = 1.0 / (kh * kw)
    elif name == "gaussian":
        gy, gx = _binomial(kh), _binomial(kw)
        k = np.outer(gy / gy.sum(), gx / gx.sum())
    elif name == "sobel_x":
        k = np.outer(_binomial(kh), _derivative(kw))
    elif name == "sobel_y":
        k = np.outer(_derivative(kh), _binomial(kw))
    elif name == "laplacian":
        if (kh, kw) == (3, 3):
            k = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64)
        else:
            k[:] = 1.0
            k[cy, cx] = -(kh * kw - 1.0)
    elif name == "sharpen":
        if (kh, kw) == (3, 3):
            k = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64)
        else:
            k[:] = -1.0 / (kh * kw)
            k[cy, cx] += 2.0
    else:
        raise ValueError(f"unknown kernel {name!r}")
    return k


def weight_shapes(spec: LayerSpec, c_in: int) -> list[tuple[int, ...]]:
    """The weight tensor shapes of a convolution layer (two for DepthwiseSeparable); none for
    the other layers (a named kernel fills convolutions only)."""
    if spec.type not in ("Conv2d", "ConvTranspose2d", "DepthwiseSeparable"):
        return []
    kh, kw = pair(spec.get("kernel_size"))
    co = spec.get("out_channels")
    if spec.type == "Conv2d":
        return [(co, c_in // spec.get("groups"), kh, kw)]
    if spec.type == "ConvTranspose2d":
        return [(c_in, co // spec.get("groups"), kh, kw)]
    if spec.type == "DepthwiseSeparable":
        return [(c_in, 1, kh, kw), (co, c_in, 1, 1)]
    return []


def fill_weights(spec: LayerSpec, c_in: int, init) -> list[np.ndarray] | None:
    """Weights for ``init`` (a kernel name or ("values", nested)); None for random init.

    Raises ValueError with a sentence when the named kernel does not fit or the typed values
    have the wrong shape."""
    if init is None:
        return None
    shapes = weight_shapes(spec, c_in)
    if not shapes:
        raise ValueError(f"{spec.type} has no kernel to set")
    if isinstance(init, tuple) and init and init[0] == "values":
        w = np.asarray(init[1], dtype=np.float64)
        if w.shape != shapes[0]:
            raise ValueError(f"the typed kernel has shape {list(w.shape)} but this layer's weight is "
                             f"{list(shapes[0])} — type it again or choose a named kernel")
        out = [w]
        if spec.type == "DepthwiseSeparable":
            out.append(np.full(shapes[1], 1.0 / c_in))
        return out
    kh, kw = shapes[0][2], shapes[0][3]
    k = named_kernel(init, kh, kw)
    if spec.type == "Conv2d":
        per = shapes[0][1]
        return [np.broadcast_to(k / per, shapes[0]).copy()]
    if spec.type == "ConvTranspose2d":
        per = c_in // spec.get("groups")
        return [np.broadcast_to(k / per, shapes[0]).copy()]
    # DepthwiseSeparable: K on every channel, then the pointwise mean of the channels
    return [np.broadcast_to(k, shapes[0]).copy(), np.full(shapes[1], 1.0 / c_in)]
