"""How a layer's channels become one picture: the mosaic layout, normalisation and levels.

Qt-free so the numbers can be tested; the views in ui/feature_view.py draw what this returns
as a single image (one ImageItem per layer, not one per channel).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

NORMALISATIONS = ("channel", "layer", "global")
GAP = 1  # pixels between tiles, drawn as background

# A vector (after Flatten or Linear) is drawn as one channel whose values fill a grid row by
# row: up to STRIP values in one row (ten logits read as a strip), longer vectors in the most
# nearly square grid that holds them exactly (rows x cols == length, so no cell is padding and
# cell (y, x) is value y * cols + x), or in one row when no such grid is within 1:MAX_ASPECT.
STRIP = 32
MAX_ASPECT = 8
_SEARCH = 4096  # divisors tried, so that the fold of any length is quick


def fold(n: int) -> tuple[int, int]:
    """(rows, cols) of the grid a run of ``n`` values is drawn in (rows * cols == n)."""
    if n <= STRIP:
        return 1, n
    r = math.isqrt(n)
    for _ in range(_SEARCH):
        if r < 1 or n // r > MAX_ASPECT * r:
            break
        if n % r == 0:
            return r, n // r
        r -= 1
    return 1, n


def map_shape(shape: tuple[int, ...]) -> tuple[int, int, int]:
    """The (channels, height, width) maps a tensor of ``shape`` (per example) is drawn and
    addressed as: a map is itself; a vector (F,) is one channel of fold(F); a rank-2 shape
    (A, B) is A channels of fold(B).  A reshape in row-major order, so the values keep their
    order; the receptive field and the views share these coordinates."""
    shape = tuple(int(v) for v in shape)
    if len(shape) == 3:
        return shape
    if len(shape) == 2:
        return (shape[0], *fold(shape[1]))
    if len(shape) == 1:
        return (1, *fold(shape[0]))
    raise ValueError(f"no maps for a tensor of shape {list(shape)}")


@dataclass(frozen=True)
class Layout:
    channels: int
    height: int
    width: int
    cols: int
    rows: int

    @property
    def size(self) -> tuple[int, int]:
        """(height, width) of the mosaic in pixels."""
        return (self.rows * (self.height + GAP) - GAP, self.cols * (self.width + GAP) - GAP)

    def origin(self, channel: int) -> tuple[int, int]:
        r, c = divmod(channel, self.cols)
        return r * (self.height + GAP), c * (self.width + GAP)

    def locate(self, y: float, x: float) -> tuple[int, int, int] | None:
        """(channel, y, x) under mosaic pixel (y, x), or None over a gap or outside."""
        if y < 0 or x < 0:
            return None
        yi, xi = int(y), int(x)
        r, yy = divmod(yi, self.height + GAP)
        c, xx = divmod(xi, self.width + GAP)
        if yy >= self.height or xx >= self.width or c >= self.cols:
            return None
        ch = r * self.cols + c
        if ch >= self.channels:
            return None
        return ch, yy, xx


def layout(channels: int, height: int, width: int, aspect: float = 16 / 9) -> Layout:
    """A grid close to ``aspect`` (width / height) for ``channels`` tiles."""
    best = None
    for cols in range(1, channels + 1):
        rows = math.ceil(channels / cols)
        if rows * cols - channels >= cols:
            continue
        w, h = cols * (width + GAP), rows * (height + GAP)
        score = abs(math.log((w / h) / aspect))
        if best is None or score < best[0] - 1e-9:
            best = (score, cols, rows)
    _, cols, rows = best
    return Layout(channels, height, width, cols, rows)


@dataclass(frozen=True)
class Levels:
    lo: float
    hi: float
    signed: bool


def levels_of(arr: np.ndarray) -> Levels:
    """Display levels: symmetric around 0 for signed data (a diverging colour map), min..max
    otherwise.  A constant map gets a small range so it still draws."""
    if arr.size == 0:
        return Levels(0.0, 1.0, False)
    lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return Levels(0.0, 1.0, False)
    if lo < 0:
        m = max(-lo, abs(hi))
        return Levels(-m, m, True)
    if hi - lo < 1e-12:  # a constant map (a dead ReLU): draw it in the lowest colour
        return Levels(lo, lo + 1.0, False)
    return Levels(lo, hi, False)


def merge_levels(a: Levels, b: Levels) -> Levels:
    lo, hi = min(a.lo, b.lo), max(a.hi, b.hi)
    if a.signed or b.signed:
        m = max(abs(lo), abs(hi))
        return Levels(-m, m, True)
    return Levels(lo, hi, False)


def normalise_channels(arr: np.ndarray) -> tuple[np.ndarray, bool]:
    """Each channel scaled on its own: to [-1, 1] (by its largest magnitude) when the layer has
    negative values, else to [0, 1] (min to max).  Returns the scaled copy and ``signed``."""
    a = np.asarray(arr, dtype=np.float32)
    flat = a.reshape(a.shape[0], -1)
    lo, hi = flat.min(axis=1), flat.max(axis=1)
    signed = bool(lo.min() < 0)
    if signed:
        m = np.maximum(np.abs(lo), np.abs(hi))
        m[m == 0] = 1.0
        return a / m[:, None, None], True
    span = hi - lo
    span[span == 0] = 1.0
    return (a - lo[:, None, None]) / span[:, None, None], False


def tile(arr: np.ndarray, lay: Layout | None = None, fill: float = np.nan) -> tuple[np.ndarray, Layout]:
    """Channels (C, H, W) side by side as one (H', W') float32 image, gaps = ``fill`` (NaN draws
    as background)."""
    c, h, w = arr.shape
    lay = lay or layout(c, h, w)
    mh, mw = lay.size
    # Pad every channel with a GAP-wide border, then reshape into the grid in one copy.
    pad = np.full((lay.rows * lay.cols, h + GAP, w + GAP), fill, dtype=np.float32)
    pad[:c, :h, :w] = arr
    grid = pad.reshape(lay.rows, lay.cols, h + GAP, w + GAP).transpose(0, 2, 1, 3)
    mosaic = grid.reshape(lay.rows * (h + GAP), lay.cols * (w + GAP))[:mh, :mw]
    return np.ascontiguousarray(mosaic), lay
