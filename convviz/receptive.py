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
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import arithmetic as ar
from .spec import LayerSpec
from .validate import StackInfo


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

    def to_json(self) -> dict:
        return {"size": list(self.size), "jump": list(self.jump), "offset": list(self.offset)}


def _axis_params(spec: LayerSpec, axis: int) -> tuple[int, int, int] | None:
    """(k', s, p_before) of a layer along an axis; identity for point-wise layers; None where
    the closed form does not apply."""
    t = spec.type
    if t in ("ConvTranspose2d", "AdaptiveAvgPool2d"):
        return None
    w = ar.window(spec)
    if w is None:
        return (1, 1, 0)
    return (w.extent(axis), w.stride[axis], w.pad_before[axis])


def theoretical(info: StackInfo, first: int = 0) -> list[Field | None]:
    """The closed-form field of every layer's output (None after an invalid layer, a
    ConvTranspose2d or an AdaptiveAvgPool2d), measured on the input of layer ``first``
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
            prm = _axis_params(layer.spec, axis)
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

def _pad_source(q: np.ndarray, n: int, mode: str) -> np.ndarray:
    from .sliding import source_index
    return source_index(q, n, mode)


def back_axis(spec: LayerSpec, axis: int, n_in: int, n_out: int, outs: np.ndarray) -> np.ndarray:
    """The input indices (along one axis) that the given output indices depend on."""
    outs = np.asarray(outs, dtype=np.int64)
    if outs.size == 0:
        return outs
    t = spec.type
    if t == "AdaptiveAvgPool2d":
        bins = ar.adaptive_bins(n_in, n_out)
        return np.unique(np.concatenate([np.arange(*bins[o]) for o in outs]))
    w = ar.window(spec)
    if w is None:  # activations, BatchNorm: point-wise
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
    map up to the layer itself (last: the pixel itself)."""
    if not (0 <= layer < len(info.layers)) or not info.layers[layer].ok:
        raise ValueError(f"layer {layer} has no output")
    _, h, w = info.layers[layer].out_shape
    if not (0 <= y < h and 0 <= x < w):
        raise ValueError(f"pixel ({y}, {x}) is outside layer {layer}'s {h}x{w} output")
    rows, cols = np.array([y]), np.array([x])
    sets = [MapSet(layer, (int(y),), (int(x),))]
    for li in range(layer, -1, -1):
        l = info.layers[li]
        _, hi, wi = l.in_shape
        _, ho, wo = l.out_shape
        rows = back_axis(l.spec, 0, hi, ho, rows)
        cols = back_axis(l.spec, 1, wi, wo, cols)
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


__all__ = ["Field", "MapSet", "theoretical", "exact", "back_axis", "describe_field"]
