"""What crosses the thread boundary between the GUI and the engine, and the memory guard.

Torch-free, so the window can build requests and show estimates before torch is imported.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Hashable, Mapping

import numpy as np

from . import arithmetic as ar
from .messages import Msg
from .spec import QT_TRANSLATE_NOOP
from .project import Project
from .validate import LayerInfo, StackInfo


# --- memory ---------------------------------------------------------------------------------

def available_memory() -> int:
    """Bytes of memory available to this process (MemAvailable on Linux; physical otherwise)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def memory_budget(held: int = 0) -> int:
    """Bytes a compute may use: $CONVVIZ_MEMORY_LIMIT, or 60% of the available memory plus
    ``held`` (what the engine already holds, which a new compute reuses or releases)."""
    env = os.environ.get("CONVVIZ_MEMORY_LIMIT")
    if env:
        try:
            return max(0, int(float(env)))
        except (ValueError, OverflowError):
            pass  # a limit that is not a number is ignored
    return int((available_memory() + held) * 0.6)


# A layer whose sliding window would allocate more than CHUNK_BYTES of scratch, or whose work
# would take more than about CHUNK_WORK multiply-accumulates, is computed in chunks: bands of
# output rows for convolutions, groups of channels for pooling and activations.  Chunks bound
# the scratch memory (so the guard can count it) and how long a cancel waits (the engine checks
# between chunks).
CHUNK_BYTES = 32 << 20
CHUNK_WORK = 500_000_000
F32 = ar.BYTES_PER_ELEMENT


@dataclass(frozen=True)
class Chunks:
    """How one stage of a layer is split: ``step`` rows or channels per chunk, ``count`` chunks,
    ``transient`` bytes one chunk allocates besides the layer's output (an upper bound)."""

    axis: str  # "rows", "channels" (dimension 1) or "features" (Linear's outputs)
    step: int
    count: int
    transient: int


def _split(n: int, per_unit_bytes, per_unit_work: int, chunk_bytes: int, chunk_work: int,
           axis: str) -> Chunks:
    """The fewest equal chunks of n units whose scratch stays within chunk_bytes and whose work
    within chunk_work (at least one unit per chunk).  Integers throughout: sizes of huge but
    valid stacks stay exact and never overflow."""
    step = n
    if per_unit_bytes(step) > chunk_bytes or per_unit_work * step > chunk_work:
        lo = 1  # the largest step within both limits (scratch grows with the step)
        hi = max(1, min(n, chunk_work // max(per_unit_work, 1)))
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if per_unit_bytes(mid) <= chunk_bytes:
                lo = mid
            else:
                hi = mid - 1
        step = lo
    count = -(-n // step)
    step = -(-n // count)  # the same number of chunks, evened out
    return Chunks(axis, step, count, per_unit_bytes(step))


def _conv_rows(c_in: int, h: int, w: int, c_out: int, ho: int, wo: int, win: ar.Window, groups: int,
               chunk_bytes: int, chunk_work: int) -> Chunks:
    kh, kw = win.kernel
    s = win.stride[0]
    ext = win.extent(0)
    wp = w + win.pad_before[1] + win.pad_after[1]
    per_group = c_in // groups
    padded = win.padding_mode != "zeros"

    def scratch(r: int) -> int:
        rows_in = (r - 1) * s + ext
        xin = c_in * rows_in * wp * F32  # the padded band
        pre = c_in * rows_in * w * F32 if padded else 0  # its rows, before the sides are padded
        y = c_out * r * wo * F32  # the band's result, before it is copied into the output
        # torch's own scratch: oneDNN reorders the band and the result; the unfold path builds
        # the columns (and a copy); whichever is larger
        cols = 2 * per_group * kh * kw * r * wo * F32
        return xin + pre + y + max(xin + y, cols)

    return _split(ho, scratch, c_out * wo * per_group * kh * kw, chunk_bytes, chunk_work, "rows")


def _transpose_rows(c_in: int, h: int, w: int, c_out: int, ho: int, wo: int, win: ar.Window, groups: int,
                    chunk_bytes: int, chunk_work: int) -> Chunks:
    kh, kw = win.kernel
    s = win.stride[0]
    ext = win.extent(0)

    def scratch(r: int) -> int:
        rows_in = min(h, -(-r // s) + -(-ext // s) + 1)
        raw = (rows_in - 1) * s + ext  # rows of the band's unpadded result
        xin = c_in * rows_in * w * F32  # the input band, made contiguous and reordered
        z = c_out * raw * wo * F32  # the band's result (oneDNN allocates and reorders it twice more)
        cols = c_out * kh * kw * rows_in * w * F32  # col2im's columns, on the path without oneDNN
        return 2 * xin + 3 * z + cols

    work = -(-c_in * h * w * (c_out // groups) * kh * kw // max(ho, 1))
    return _split(ho, scratch, work, chunk_bytes, chunk_work, "rows")


def chunk_plan(layer: LayerInfo, chunk_bytes: int = CHUNK_BYTES, chunk_work: int = CHUNK_WORK) -> tuple[Chunks, ...]:
    """How the engine splits a (valid) layer: one Chunks per stage (two for DepthwiseSeparable:
    the depthwise then the pointwise convolution)."""
    spec = layer.spec
    t = spec.type
    if t == "Linear":  # groups of output features: out[..., a:b] = x @ weight[a:b].T + bias[a:b]
        rows = ar.product(layer.out_shape[:-1])  # the positions it is applied at (1 for a vector)
        return (_split(layer.out_shape[-1], lambda n: rows * n * F32, rows * layer.in_shape[-1], chunk_bytes,
                       chunk_work, "features"),)
    if t == "Flatten":  # a view of its input: nothing computed, nothing allocated
        return (Chunks("channels", layer.in_shape[0], 1, 0),)
    if not spec.layer_type.spatial:  # element-wise on any shape (Dropout, activations): along dimension 1
        per = ar.product(layer.out_shape[1:])
        return (_split(layer.out_shape[0], lambda n: n * per * F32, per, chunk_bytes, chunk_work, "channels"),)
    c, h, w = layer.in_shape
    co, ho, wo = layer.out_shape
    win = ar.window(spec)
    if t == "Conv2d":
        return (_conv_rows(c, h, w, co, ho, wo, win, spec.get("groups"), chunk_bytes, chunk_work),)
    if t == "DepthwiseSeparable":
        one = ar.Window((1, 1), (1, 1), (1, 1), (0, 0), (0, 0))
        return (_conv_rows(c, h, w, c, ho, wo, win, c, chunk_bytes, chunk_work),
                _conv_rows(c, ho, wo, co, ho, wo, one, 1, chunk_bytes, chunk_work))
    if t == "ConvTranspose2d":
        return (_transpose_rows(c, h, w, co, ho, wo, win, spec.get("groups"), chunk_bytes, chunk_work),)
    if t == "BatchNorm2d":  # running statistics per channel: computed whole (it is cheap)
        return (Chunks("channels", c, 1, 0),)
    adaptive = t in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d")
    per_channel_work = ho * wo * (win.kernel[0] * win.kernel[1] if win else 1) if not adaptive else h * w
    # the chunk's result, and for max pooling the int64 indices torch computes beside it
    per_channel = ho * wo * (F32 + (8 if t in ("MaxPool2d", "AdaptiveMaxPool2d") else 0))
    return (_split(c, lambda n: n * per_channel, per_channel_work, chunk_bytes, chunk_work, "channels"),)


def layer_work(layer: LayerInfo) -> int:
    """The work of a layer in multiply-accumulates: its MACs for convolutions, one per window
    element for pooling, one per element otherwise (the unit of Engine.macs_per_second)."""
    if layer.macs:
        return layer.macs
    win = ar.window(layer.spec)
    if win is not None:
        co, ho, wo = layer.out_shape
        return co * ho * wo * win.kernel[0] * win.kernel[1]
    return max(ar.product(layer.in_shape), ar.product(layer.out_shape))


# Until the engine has measured this machine: a cautious rate (one core of a laptop).
DEFAULT_MACS_PER_SECOND = 2e9


def estimate_seconds(info: StackInfo, rate: float | None = None, start: int = 0) -> float:
    """Seconds to compute the valid layers of ``info`` from layer ``start`` on (the earlier ones
    cached), at ``rate`` multiply-accumulates per second (Engine.macs_per_second, or
    ComputeResult.macs_per_second from the last compute)."""
    rate = rate if rate and rate > 0 else DEFAULT_MACS_PER_SECOND
    work = 0
    for l in info.layers[start:]:
        if not l.ok:
            break
        work += layer_work(l)
    return work / rate if work < 10**300 else math.inf


def layer_bytes(layer: LayerInfo) -> int:
    """What a computed layer keeps: its output, its weights (a Linear layer's too), the
    depthwise map of a DepthwiseSeparable block (the stepper traces it).  A Flatten's output
    is a view of its input and Dropout passes its input on in evaluation mode; both are
    counted as copies (an upper bound)."""
    n = layer.activation_bytes + layer.params * F32
    if layer.spec.type == "DepthwiseSeparable":
        n += layer.in_shape[0] * layer.out_shape[1] * layer.out_shape[2] * F32
    return n


def estimate_bytes(info: StackInfo, input_extra: int = 0, chunk_bytes: int = CHUNK_BYTES,
                   chunk_work: int = CHUNK_WORK) -> int:
    """Peak memory of a forward that keeps every layer's maps: the input, then each layer's
    output, weights and depthwise map, plus the scratch at that moment: ``input_extra`` while
    the input is made (decoding its image), then a layer's chunk scratch (see chunk_plan) and
    the largest scratch of an earlier layer, which the C allocator may keep resident for reuse.
    Counts what the engine allocates, not what torch might in theory."""
    kept = ar.activation_bytes(info.input_shape)
    peak = kept + input_extra
    retained = 0
    for l in info.layers:
        if not l.ok:
            break
        scratch = max(c.transient for c in chunk_plan(l, chunk_bytes, chunk_work))
        kept += layer_bytes(l)
        peak = max(peak, kept + scratch + retained)
        retained = max(retained, scratch)
    return max(peak, kept)


def memory_problem(info: StackInfo, budget: int | None = None, input_extra: int = 0, held: int = 0,
                   need: int | None = None) -> str | None:
    """Why the stack cannot be computed within the memory budget, or None.  ``held``: bytes the
    engine keeps besides this stack (its caches); ``need``: the estimate, if already made."""
    budget = memory_budget() if budget is None else budget
    need = (estimate_bytes(info, input_extra) if need is None else need) + held
    if need > budget:
        return Msg(QT_TRANSLATE_NOOP("core", "this stack needs about {need} to compute and keep every layer's maps, "
                                             "more than the {budget} convviz allows itself here — reduce the input "
                                             "size, the channels or the number of layers"),
                   need=ar.human_bytes(need), budget=ar.human_bytes(budget))
    return None


# --- requests and results -------------------------------------------------------------------

@dataclass(frozen=True)
class ComputeRequest:
    """Everything one compute needs, immutable so it can cross threads."""

    generation: int
    project: Project
    base_dir: str | None = None
    input_override: np.ndarray | None = field(default=None, compare=False)  # (C, H, W), read-only
    input_key: Hashable = None  # identifies input_override for the cache
    device: str = "cpu"
    threads: int | None = None
    progressive: bool = True  # hand out each layer as soon as it is computed (slow stacks)
    # "trained / initial": None shows every layer with its initial weights (the seed's, or the
    # named or typed kernel); a mapping {layer index: {name: array}} (weights.py's, e.g. a
    # training Snapshot's ``state``, already checked to fit) shows those layers with these
    # weights instead.  ``weights_key`` names that version of the weights for the cache (a new
    # key recomputes from the first trained layer; None: every request is a new version).
    weights: Mapping[int, Mapping[str, np.ndarray]] | None = field(default=None, compare=False)
    weights_key: Hashable = None


@dataclass(frozen=True)
class ComputeResult:
    generation: int
    input: np.ndarray | None
    # per layer its maps (C, H, W), float32, read-only; None if not run.  A vector (after Flatten
    # or Linear) comes as the maps it is drawn as (display.map_shape: one channel, the values
    # row by row, in order; .ravel() gives the vector back)
    outputs: tuple[np.ndarray | None, ...]
    weights: tuple[tuple[np.ndarray, ...], ...] = ()  # per layer its parameters (read-only views)
    error: str | None = None  # the reason the compute stopped (input, memory, runtime), if it did
    error_layer: int | None = None
    reused: int = 0  # leading layers taken from the cache
    seconds: float = 0.0
    device: str = "cpu"
    # DepthwiseSeparable layers: the depthwise output, before the pointwise 1x1 (the stepper
    # traces the depthwise convolution)
    intermediates: tuple[np.ndarray | None, ...] = ()
    # the engine's measured rate (multiply-accumulates per second) after this compute, for
    # estimate_seconds before the next one
    macs_per_second: float = DEFAULT_MACS_PER_SECOND


