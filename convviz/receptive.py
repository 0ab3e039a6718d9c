"""Receptive fields: the closed-form field per layer and the exact per-pixel dependency sets.

Theoretical field (Araujo, Norris & Sim 2019), per axis, for the stack up to and including a
layer: ``size`` (at the input), ``jump`` (effective stride) and ``offset`` — the input
coordinate of the top-left corner of output (0, 0)'s field, negative when it starts in the
padding.  It assumes every window is a solid box; stacks with a transposed convolution or an
adaptive pooling have no such closed form from that layer on (None).

Exact sets: the input pixels (and the pixels of every map in between) that one output pixel
really depends on.  For every layer type here the dependency set of one pixel is a product
Rows x Cols, so two sorted 1-D index sets per map describe it exactly — dilation gaps, the
wrap-around of circular padding, the mirror of reflect padding, rows the floor division drops
and outputs that depend on nothing (bias only) included.

Vectors (after Flatten or Linear) are addressed on the maps they are drawn as
(display.map_shape: one channel, values row by row).  Flatten moves each value without
changing it, so an output position depends on the positions its values came from; Dropout
(evaluation mode) and activations are identities; a Linear output depends on every value it
reads: the whole input for a vector, its own row of a (C, H, W) map (torch applies Linear to
the last dimension).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import arithmetic as ar
from .display import map_shape
from .messages import Msg
from .spec import MAX_KERNEL, QT_TRANSLATE_NOOP, LayerSpec
from .validate import LayerInfo, StackInfo

ADAPTIVE = ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d")
JOINT = ("Flatten", "Linear")  # layers whose rows and columns do not map axis by axis


@dataclass(frozen=True)
class Field:
    size: tuple[int, int]
    jump: tuple[int, int]
    offset: tuple[int, int]

    def box(self, y: int, x: int) -> tuple[int, int, int, int]:
        """(top, left, bottom, right), inclusive and unclipped, of output (y, x)'s field."""
        t = self.offset[0] + y * self.jump[0]
        l = self.offset[1] + x * self.jump[1]
        return t, l, t + self.size[0] - 1, l + self.size[1] - 1

    def clipped_box(self, y: int, x: int, height: int, width: int) -> tuple[int, int, int, int]:
        """``box(y, x)`` clipped to one pixel beyond a height x width map on every side: small
        numbers to draw with, however large the field (a deep stack of strides has a jump of
        64^256, which no float holds)."""
        t, l, b, r = self.box(y, x)
        return (max(-1, min(t, height)), max(-1, min(l, width)), max(-1, min(b, height)), max(-1, min(r, width)))

    def to_json(self) -> dict:
        return {"size": list(self.size), "jump": list(self.jump), "offset": list(self.offset)}


def _axis_params(layer: LayerInfo, axis: int) -> tuple[int, int, int] | None:
    """(k', s, p_before) of a layer along an axis; identity for point-wise layers; None where
    the closed form does not apply."""
    spec = layer.spec
    t = spec.type
    if t in ("ConvTranspose2d", "Linear") + ADAPTIVE:
        return None
    if t == "Flatten" and layer.out_shape != layer.in_shape:
        return None
    w = ar.window(spec)
    if w is None:
        return (1, 1, 0)
    return (w.extent(axis), w.stride[axis], w.pad_before[axis])


def theoretical(info: StackInfo, first: int = 0) -> list[Field | None]:
    """The closed-form field of every layer's output (None after an invalid layer, a
    ConvTranspose2d, an adaptive pooling, a Flatten or a Linear), measured on the input of layer ``first``
    (default: the network's input); the list starts at layer ``first``."""
    out: list[Field | None] = []
    r, j, start = [1, 1], [1, 1], [0, 0]
    broken = False
    for layer in info.layers[first:]:
        if broken or not layer.ok:
            broken = True
            out.append(None)
            continue
        for axis in (0, 1):
            prm = _axis_params(layer, axis)
            if prm is None:
                broken = True
                break
            k, s, p = prm
            r[axis] += (k - 1) * j[axis]
            start[axis] -= p * j[axis]
            j[axis] *= s
        out.append(None if broken else Field(tuple(r), tuple(j), tuple(start)))
    return out


# --- exact sets ---------------------------------------------------------------------------------

# An exact field is held as sorted row and column indices per map (MapSet's tuples, about 36
# bytes an index).  Fields that would hold more indices than this over all their maps are
# refused before anything is allocated; a 4096x4096 input with 256 layers of full coverage
# needs about 2.1 million.
MAX_FIELD_INDICES = 1 << 22
MAX_FIELD_SIDE = 1 << 50  # indices are int64 numpy arithmetic: coordinates x stride must not overflow
_CHUNK = 1 << 20  # at most this many candidate indices are materialised at once


class FieldTooLarge(ValueError):
    """An exact field too large to compute; ``str(e)`` (a messages.Msg) is the sentence."""


def _pad_source(q: np.ndarray, n: int, mode: str) -> np.ndarray:
    from .sliding import source_index
    return source_index(q, n, mode)


def _taps(spec: LayerSpec, w: ar.Window | None, axis: int, n_in: int, n_out: int) -> int:
    """How many input indices one output index can depend on along ``axis`` (at most)."""
    if spec.type in ADAPTIVE:
        return -(-n_in // n_out) + 1
    if spec.type in JOINT:
        return n_in
    return 1 if w is None else w.kernel[axis]


def _bound_axis(spec: LayerSpec, w: ar.Window | None, axis: int, n_in: int, n_out: int, count: int, lo: int,
                hi: int) -> tuple[int, int, int]:
    """An upper bound (count, lo, hi) on the input indices that ``count`` output indices within
    [lo, hi] depend on: exact Python integers, nothing allocated."""
    if count == 0:
        return 0, 0, -1
    t = spec.type
    if t in ADAPTIVE:
        a, b = (lo * n_in) // n_out, -(-((hi + 1) * n_in) // n_out) - 1
    elif t in JOINT:  # at most every index of the axis
        a, b = 0, n_in - 1
    elif w is None:
        return count, lo, hi
    else:
        k, s, d, p = w.kernel[axis], w.stride[axis], w.dilation[axis], w.pad_before[axis]
        if t == "ConvTranspose2d":
            a, b = -(-(lo + p - (k - 1) * d) // s), (hi + p) // s
        else:
            a, b = lo * s - p, hi * s + (k - 1) * d - p
            if t not in ("MaxPool2d", "AvgPool2d") and w.padding_mode != "zeros" and (a < 0 or b > n_in - 1):
                a, b = 0, n_in - 1  # the padding copies input pixels from anywhere along the axis
    a, b = max(a, 0), min(b, n_in - 1)
    if a > b:
        return 0, 0, -1
    return min(b - a + 1, count * _taps(spec, w, axis, n_in, n_out)), a, b


def field_problem(info: StackInfo, layer: int, y: int, x: int) -> Msg | None:
    """Why the exact field of pixel (y, x) of ``layer`` is not computed (a map too large to
    index, or a field that would hold more than MAX_FIELD_INDICES indices), or None.  Pure
    integer arithmetic on the shapes: cheap, and nothing is allocated.  ``exact`` raises
    FieldTooLarge with this sentence; the GUI may ask first."""
    rows = (1, y, y)
    cols = (1, x, x)
    total = 2
    for li in range(layer, -1, -1):
        l = info.layers[li]
        _, hi, wi = map_shape(l.in_shape)
        _, ho, wo = map_shape(l.out_shape)
        before = Msg(QT_TRANSLATE_NOOP("core", "the input")) if li == 0 else \
            Msg(QT_TRANSLATE_NOOP("core", "layer {i}"), i=li - 1)
        for name, (h, w) in ((Msg(QT_TRANSLATE_NOOP("core", "layer {i}"), i=li), (ho, wo)), (before, (hi, wi))):
            if max(h, w) > MAX_FIELD_SIDE:
                return Msg(QT_TRANSLATE_NOOP("core", "{name} has a map too large for an exact receptive field ({size}, "
                                                     "more than {most} pixels a side) — use the theoretical field, or "
                                                     "a smaller stack"),
                           name=name, size=f"{h}x{w}", most=f"{MAX_FIELD_SIDE:,}")
        win = None if l.spec.type in ADAPTIVE + JOINT else ar.window(l.spec)
        rows = _bound_axis(l.spec, win, 0, hi, ho, *rows)
        cols = _bound_axis(l.spec, win, 1, wi, wo, *cols)
        total += rows[0] + cols[0]
        if total > MAX_FIELD_INDICES:
            return Msg(QT_TRANSLATE_NOOP("core", "the exact receptive field of this pixel would hold up to {n} rows "
                                                 "and columns over its maps, more than convviz computes at once "
                                                 "({most}) — pick a layer nearer the input, or use the theoretical "
                                                 "field"), n=f"{total:,}+", most=f"{MAX_FIELD_INDICES:,}")
    return None


def _back_chunk(spec: LayerSpec, axis: int, n_in: int, n_out: int, outs: np.ndarray) -> np.ndarray:
    t = spec.type
    if t in ADAPTIVE:
        starts = (outs * n_in) // n_out
        ends = ((outs + 1) * n_in + n_out - 1) // n_out
        lengths = ends - starts
        # every index of every bin: starts repeated, plus 0, 1, ... within each bin
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return np.unique(np.repeat(starts, lengths) + offsets)
    w = ar.window(spec)
    if w is None:  # activations, BatchNorm, Dropout: point-wise
        return np.unique(outs)
    k, s, d = w.kernel[axis], w.stride[axis], w.dilation[axis]
    j = np.arange(k)
    if t == "ConvTranspose2d":
        p = w.pad_before[axis]
        num = outs[:, None] + p - j[None, :] * d
        ok = (num % s == 0)
        i = num // s
        ok &= (i >= 0) & (i < n_in)
        return np.unique(i[ok])
    q = outs[:, None] * s + j[None, :] * d - w.pad_before[axis]  # input coordinates (may be padding)
    if t in ("MaxPool2d", "AvgPool2d") or w.padding_mode == "zeros":
        src = q[(q >= 0) & (q < n_in)]
    else:
        src = _pad_source(q, n_in, w.padding_mode).ravel()
        src = src[src >= 0]
    return np.unique(src)


def back_axis(spec: LayerSpec, axis: int, n_in: int, n_out: int, outs: np.ndarray) -> np.ndarray:
    """The input indices (along one axis) that the given output indices depend on, sorted and
    unique.  Works through ``outs`` in chunks, so the candidates it materialises stay small
    whatever the kernel and map sizes."""
    outs = np.asarray(outs, dtype=np.int64)
    if outs.size == 0:
        return outs
    if spec.type in JOINT:
        raise ValueError(f"{spec.type} does not map rows and columns separately; use back_map")
    if spec.type not in ADAPTIVE and outs.size * MAX_KERNEL <= _CHUNK:  # the usual case: one step
        return _back_chunk(spec, axis, n_in, n_out, outs)
    taps = _taps(spec, ar.window(spec), axis, n_in, n_out)
    step = max(1, _CHUNK // taps)
    if outs.size <= step:
        return _back_chunk(spec, axis, n_in, n_out, outs)
    parts, held = [], 0
    for i in range(0, outs.size, step):
        part = _back_chunk(spec, axis, n_in, n_out, outs[i:i + step])
        parts.append(part)
        held += part.size
        if held > 2 * _CHUNK and len(parts) > 1:  # overlapping chunks (reflect, circular): merge as we go
            parts = [np.unique(np.concatenate(parts))]
            held = parts[0].size
    return np.unique(np.concatenate(parts))


def _all(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


def back_map(layer: LayerInfo, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The input positions (rows, cols on the input's maps) that the output positions rows x
    cols of ``layer`` depend on, for every layer type: axis by axis where the layer allows it
    (back_axis), jointly for Flatten and Linear."""
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    spec = layer.spec
    _, hi, wi = map_shape(layer.in_shape)
    _, ho, wo = map_shape(layer.out_shape)
    if spec.type not in JOINT:
        return back_axis(spec, 0, hi, ho, rows), back_axis(spec, 1, wi, wo, cols)
    empty = np.zeros(0, dtype=np.int64)
    if rows.size == 0 or cols.size == 0:
        return empty, empty
    if spec.type == "Linear":
        if len(layer.in_shape) == 3:  # torch applies it to the last dimension: each row of each map
            return np.unique(rows), _all(wi)
        return _all(hi), _all(wi)  # a vector (or each row of a rank-2 tensor) is read whole
    # Flatten: the values keep their order (row-major), only the shape changes.  A position p of
    # an output map holds value c * mo + p of every channel c; the input position of value v is
    # v mod mi.  One of mo, mi divides the other (Flatten joins channels into positions or
    # positions into channels).
    if rows.size == ho and cols.size == wo:
        return _all(hi), _all(wi)
    mo, mi = ho * wo, hi * wi
    p = (rows[:, None] * wo + cols[None, :]).ravel()
    if mo % mi == 0:
        q = p % mi
    else:
        q = (np.arange(mi // mo, dtype=np.int64)[:, None] * mo + p[None, :]).ravel()
    return np.unique(q // wi), np.unique(q % wi)


@dataclass(frozen=True)
class MapSet:
    """The exact field on one map: layer -1 is the input."""

    layer: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.rows) * len(self.cols)

    @property
    def bbox(self) -> tuple[int, int, int, int] | None:
        if not self.rows or not self.cols:
            return None
        return self.rows[0], self.cols[0], self.rows[-1], self.cols[-1]

    def to_json(self) -> dict:
        return {"layer": self.layer, "rows": list(self.rows), "cols": list(self.cols),
                "bbox": list(self.bbox) if self.bbox else None, "count": self.count}


def exact(info: StackInfo, layer: int, y: int, x: int) -> list[MapSet]:
    """The exact field of pixel (y, x) of ``layer``'s output on the input (first) and on every
    map up to the layer itself (last: the pixel itself).  Pixels of a vector are those of the
    maps it is drawn as (LayerInfo.map_shape).

    Raises ValueError for a layer without output or a pixel outside it, and FieldTooLarge (a
    ValueError) with field_problem's sentence, before allocating, for a field too large."""
    if not (0 <= layer < len(info.layers)) or not info.layers[layer].ok:
        raise ValueError(f"layer {layer} has no output")
    _, h, w = map_shape(info.layers[layer].out_shape)
    if not (0 <= y < h and 0 <= x < w):
        raise ValueError(f"pixel ({y}, {x}) is outside layer {layer}'s {h}x{w} output")
    problem = field_problem(info, layer, y, x)
    if problem:
        raise FieldTooLarge(problem)
    rows, cols = np.array([y]), np.array([x])
    sets = [MapSet(layer, (int(y),), (int(x),))]
    for li in range(layer, -1, -1):
        rows, cols = back_map(info.layers[li], rows, cols)
        sets.append(MapSet(li - 1, tuple(int(v) for v in rows), tuple(int(v) for v in cols)))
    sets.reverse()
    return sets


def describe_field(s: MapSet) -> str:
    if s.count == 0:
        return "no pixel: this output depends only on the bias (its window lies in the padding)"
    t, l, b, r = s.bbox

    def n(k, word):
        return f"{k:,} {word}" + ("" if k == 1 else "s")
    return (f"{n(s.count, 'pixel')} ({n(len(s.rows), 'row')} x {n(len(s.cols), 'column')}) within rows {t}–{b}, "
            f"columns {l}–{r}")


__all__ = ["Field", "MapSet", "FieldTooLarge", "MAX_FIELD_INDICES", "theoretical", "exact", "field_problem",
           "back_axis", "back_map", "describe_field"]
