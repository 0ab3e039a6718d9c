"""The source lesson's own numbers (chapter 3): the 4x4 input 1..16, the maps the lesson printed
for one and for two random 2x2 kernels, and what they teach.

The printed maps step by a constant along a row and down a column because the input is a ramp:
one step right adds 1 to every pixel under the kernel, one row down adds the input's width (4),
and the same weights are used at every position, so the output grows by 1 x and 4 x the sum of
the weights.  The map therefore fixes only two numbers of the kernel (the sum of its weights and
its top-left value): infinitely many kernels reproduce it.

numpy only (no torch, no Qt): the walkthrough checks a learner's kernel against the map the
engine computed; the tests check everything here against torch.
"""
from __future__ import annotations

import numpy as np

from .samples import pattern

# what the lesson printed (weights random, bias random; four decimals)
PRINTED_ONE = ((0.3269, 0.4242, 0.5214),
               (0.7158, 0.8131, 0.9103),
               (1.1047, 1.2020, 1.2992))
PRINTED_TWO = (((2.4007, 2.8337, 3.2666),
                (4.1324, 4.5653, 4.9982),
                (5.8640, 6.2969, 6.7298)),
               ((0.1943, 0.3063, 0.4184),
                (0.6425, 0.7546, 0.8667),
                (1.0908, 1.2029, 1.3150)))
PRINTED_DECIMALS = 4
TOLERANCE = 0.001  # a map "reproduces" a printed one when every cell is within this (four printed decimals,
#                    weights typed to four or five)
ANSWER_TOLERANCE = 0.002  # a predicted printed number is right within this


def lesson_input(height: int = 4, width: int = 4) -> np.ndarray:
    """The lesson's input: 1, 2, ... row by row (H, W), float64 (the 'lesson' pattern)."""
    return pattern("lesson", 1, height, width)[0].astype(np.float64)


def printed(which: int = 0) -> np.ndarray:
    """A printed map as an array: 0 = the one-kernel map, 1 and 2 = the two-kernel maps."""
    return np.array(PRINTED_ONE if which == 0 else PRINTED_TWO[which - 1], dtype=np.float64)


def steps(m: np.ndarray) -> tuple[float, float]:
    """The map's mean step along a row (one column right) and down a column (one row down)."""
    m = np.asarray(m, dtype=np.float64)
    return float(np.diff(m, axis=1).mean()), float(np.diff(m, axis=0).mean())


def ramp_fit(m: np.ndarray) -> tuple[float, float, float]:
    """Least-squares fit of ``m[i, j] = top + right * j + down * i``: (top, right, down)."""
    m = np.asarray(m, dtype=np.float64)
    i, j = np.indices(m.shape)
    a = np.stack([np.ones(m.size), j.ravel(), i.ravel()], axis=1)
    coef, *_ = np.linalg.lstsq(a, m.ravel(), rcond=None)
    return float(coef[0]), float(coef[1]), float(coef[2])


def row_below(m: np.ndarray, width: int = 4) -> float:
    """What the ramp argument predicts for the first cell of the second row: the first cell plus
    ``width`` times the step along a row (the sum of the weights)."""
    top, right, _ = ramp_fit(m)
    return top + width * right


def reproducing_kernel(m: np.ndarray, x: np.ndarray | None = None, decimals: int = 5) -> np.ndarray:
    """A 2x2 kernel (bias 0) whose cross-correlation with ``x`` (the lesson's input) reproduces
    the printed map ``m``: weight only on the diagonal, ``p`` top-left and ``q`` bottom-right,
    with p + q the step along a row and p*x[0,0] + q*x[1,1] the top-left value.  Rounded to
    ``decimals`` (what a learner types)."""
    x = lesson_input() if x is None else np.asarray(x, dtype=np.float64)
    top, right, _ = ramp_fit(m)
    p, q = np.linalg.solve(np.array([[1.0, 1.0], [x[0, 0], x[1, 1]]]), np.array([right, top]))
    return np.round(np.array([[p, 0.0], [0.0, q]]), decimals)


def matches(out: np.ndarray, m: np.ndarray, tol: float = TOLERANCE) -> int:
    """How many cells of ``out`` are within ``tol`` of the printed map ``m`` (shapes must agree)."""
    out, m = np.asarray(out, dtype=np.float64), np.asarray(m, dtype=np.float64)
    if out.shape != m.shape:
        return 0
    return int((np.abs(out - m) <= tol).sum())


def diagnose(kernel: np.ndarray, out: np.ndarray, m: np.ndarray, x: np.ndarray | None = None,
             tol: float = TOLERANCE) -> str:
    """What is wrong with a kernel whose map (computed by the engine) is ``out``, against the
    printed map ``m``: 'ok' (every cell within tol), 'sum' (the sum of the weights is not the
    step along a row, so the steps are wrong) or 'top' (the steps are right, the top-left cell
    — 1*w00 + 2*w01 + 5*w10 + 6*w11 — is not)."""
    if matches(out, m, tol) == np.asarray(m).size:
        return "ok"
    _, right, _ = ramp_fit(m)
    n = max(np.asarray(m).shape) - 1  # the steps from the first cell to the last along a row
    if abs(float(np.sum(kernel)) - right) * n > tol:
        return "sum"
    return "top"


def prediction_mistake(answer: float, m: np.ndarray, width: int = 4, kernel: int = 2) -> str:
    """The likely mistake behind a wrong prediction of the first cell of the second row:
    'right' (one step right instead of one row down), 'kernel' (the kernel's size times the
    step: a row down moves the window by a row of the input, not by the kernel), or 'other'."""
    top, right, _ = ramp_fit(m)
    if abs(answer - (top + right)) <= ANSWER_TOLERANCE:
        return "right"
    if abs(answer - (top + kernel * right)) <= ANSWER_TOLERANCE:
        return "kernel"
    return "other"
