"""Convolution arithmetic: output sizes, parameters, MACs, memory and the formula as text.

The one place that computes these numbers: the validator, the describe command, the GUI's
shapes table, the walkthrough's questions and the stepper all call it.  Torch is the oracle in
the tests, never imported here.

Counting convention (torch.utils.flop_counter's, written down once):

* MACs are multiply-accumulates of the convolutions only.  Padded zeros are counted (the
  kernel multiplies them like any other input); the bias addition is not counted.
* Conv2d: ``C_out * H_out * W_out * (C_in / groups) * kh * kw``.
* ConvTranspose2d is counted on its INPUT size: ``C_in * H_in * W_in * (C_out / groups) * kh *
  kw`` (every input pixel is spread over a kernel-sized patch; thop and torchinfo count the
  output size and over-count by about stride^2).
* DepthwiseSeparable: the depthwise and the pointwise convolution added up.
* Linear: ``in_features * out_features`` per output position (once for a vector; on a
  (C, H, W) map, torch applies it to the last dimension, C * H times).
* Pooling, BatchNorm, activations, Flatten and Dropout: 0 MACs (they do comparisons,
  additions and element-wise arithmetic, not multiply-accumulates).
* FLOPs = 2 x MACs.
* Activation memory: the output tensor in float32, 4 bytes per element, batch size 1.

Shapes are per example, without the batch: (C, H, W) for maps; after a Flatten a vector (F,)
(or, flattening only some dimensions, a shape of rank 2).  2-D layers (convolutions, pooling,
BatchNorm2d) take (C, H, W) only; Flatten, Linear, Dropout and activations take any shape.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .messages import Msg
from .spec import QT_TRANSLATE_NOOP, LayerSpec, pair

BYTES_PER_ELEMENT = 4  # float32
MAX_TENSOR_BYTES = 2**63 - 1  # torch's tensor sizes are signed 64-bit byte counts


@dataclass(frozen=True)
class Window:
    """The sliding-window geometry of a conv or pooling layer, resolved to numbers per axis
    (index 0 = height/rows, 1 = width/columns)."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pad_before: tuple[int, int]  # top, left
    pad_after: tuple[int, int]  # bottom, right
    padding_mode: str = "zeros"
    ceil_mode: bool = False

    def extent(self, axis: int) -> int:
        """The dilated kernel extent k' = d(k-1) + 1."""
        return self.dilation[axis] * (self.kernel[axis] - 1) + 1


def same_padding(kernel: int, dilation: int) -> tuple[int, int]:
    """torch's padding='same': total d(k-1), the left/top side gets total // 2."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


def window(spec: LayerSpec) -> Window | None:
    """The window geometry of a Conv2d, ConvTranspose2d, pooling layer or the depthwise part of
    a DepthwiseSeparable block; None for layers that do not slide a window."""
    t = spec.type
    if t not in ("Conv2d", "ConvTranspose2d", "DepthwiseSeparable", "MaxPool2d", "AvgPool2d"):
        return None
    k = pair(spec.get("kernel_size"))
    stride = spec.get("stride")
    s = k if stride is None else pair(stride)
    d = pair(spec.get("dilation")) if t != "AvgPool2d" else (1, 1)
    p = spec.get("padding")
    if p == "valid":
        before = after = (0, 0)
    elif p == "same":
        sh, sw = same_padding(k[0], d[0]), same_padding(k[1], d[1])
        before, after = (sh[0], sw[0]), (sh[1], sw[1])
    else:
        before = after = pair(p)
    mode = spec.get("padding_mode") if t in ("Conv2d", "ConvTranspose2d", "DepthwiseSeparable") else "zeros"
    ceil = bool(spec.get("ceil_mode")) if t in ("MaxPool2d", "AvgPool2d") else False
    return Window(k, s, d, before, after, mode, ceil)


# --- one axis -------------------------------------------------------------------------------

def conv_out(n: int, k: int, s: int, d: int, pb: int, pa: int) -> int:
    """Conv2d / floor-mode pooling output size: (n + pb + pa - d(k-1) - 1) // s + 1."""
    return (n + pb + pa - d * (k - 1) - 1) // s + 1


def pool_out(n: int, k: int, s: int, d: int, p: int, ceil_mode: bool) -> int:
    """Max/AvgPool2d output size, torch's pooling_output_shape including the ceil_mode rule
    that the last window must start inside the input or the left padding."""
    if not ceil_mode:
        return conv_out(n, k, s, d, p, p)
    o = (n + 2 * p - d * (k - 1) - 1 + s - 1) // s + 1
    if (o - 1) * s >= n + p:
        o -= 1
    return o


def transpose_out(n: int, k: int, s: int, d: int, p: int, op: int) -> int:
    """ConvTranspose2d output size: (n-1)s - 2p + d(k-1) + output_padding + 1."""
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


def adaptive_bins(n: int, o: int) -> list[tuple[int, int]]:
    """Adaptive pooling's bins (average and max) along one axis: bin i covers rows [start, end)."""
    return [((i * n) // o, ((i + 1) * n + o - 1) // o) for i in range(o)]


@dataclass(frozen=True)
class AxisFormula:
    value: int
    text: str  # e.g. "(224 + 2*1 - 1*(3-1) - 1) // 1 + 1 = 224"
    dropped: int = 0  # rows/columns of the padded input that no window reaches (floor mode)
    note: str = ""


def _pad_text(pb: int, pa: int) -> str:
    return f"2*{pb}" if pb == pa else f"{pb} + {pa}"


def axis_formula(spec: LayerSpec, axis: int, n: int) -> AxisFormula:
    """The output size along one axis with its formula, numbers substituted."""
    t = spec.type
    w = window(spec)
    if t == "ConvTranspose2d":
        k, s, d = w.kernel[axis], w.stride[axis], w.dilation[axis]
        p = w.pad_before[axis]
        op = pair(spec.get("output_padding"))[axis]
        o = transpose_out(n, k, s, d, p, op)
        return AxisFormula(o, f"({n} - 1)*{s} - 2*{p} + {d}*({k}-1) + {op} + 1 = {o}")
    if w is not None:
        k, s, d = w.kernel[axis], w.stride[axis], w.dilation[axis]
        pb, pa = w.pad_before[axis], w.pad_after[axis]
        num = f"{n} + {_pad_text(pb, pa)} - {d}*({k}-1) - 1"
        span = n + pb + pa - w.extent(axis)
        if w.ceil_mode:
            o = pool_out(n, k, s, d, pb, True)
            raw = (span + s - 1) // s + 1
            text = f"ceil(({num}) / {s}) + 1 = {raw}"
            note = ""
            if raw != o:
                text += f" - 1 = {o}"
                note = Msg(QT_TRANSLATE_NOOP("core", "the last window would start in the right padding, so ceil_mode "
                                                     "drops it"))
            elif span >= 0 and span % s:
                note = Msg(QT_TRANSLATE_NOOP("core", "ceil_mode keeps a last, partial window"))
            return AxisFormula(o, text, 0, note)
        o = conv_out(n, k, s, d, pb, pa)
        dropped = span % s if span >= 0 else 0
        return AxisFormula(o, f"({num}) // {s} + 1 = {o}", dropped)
    if t in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"):
        o = pair(spec.get("output_size"))[axis]
        return AxisFormula(o, f"output_size = {o}")
    return AxisFormula(n, Msg(QT_TRANSLATE_NOOP("core", "{n} (unchanged)"), n=n))


def formula(spec: LayerSpec, h: int, w: int) -> tuple[str, tuple[AxisFormula, AxisFormula]]:
    """The output-size formula for both axes as one line of text, and the two axes."""
    fh, fw = axis_formula(spec, 0, h), axis_formula(spec, 1, w)
    notes = []
    if fh.text == fw.text:
        text = fh.text
        if fh.note:
            notes.append(fh.note)
    else:
        text = Msg("H: {h}; W: {w}", h=fh.text, w=fw.text)
        notes += [Msg("H: {note}", note=fh.note)] if fh.note else []
        notes += [Msg("W: {note}", note=fw.note)] if fw.note else []
    if fh.dropped or fw.dropped:
        notes.append(dropped_text(fh.dropped, fw.dropped))
    if notes:
        joined = notes[0]
        for note in notes[1:]:
            joined = Msg("{a}; {b}", a=joined, b=note)
        text = Msg("{formula} ({notes})", formula=text, notes=joined)
    return text, (fh, fw)


def dropped_text(rows: int, cols: int) -> Msg:
    """'the floor division drops 1 row and 2 columns of the padded input'."""
    r = Msg(QT_TRANSLATE_NOOP("core", "{n} row"), n=rows) if rows == 1 else \
        Msg(QT_TRANSLATE_NOOP("core", "{n} rows"), n=rows)
    c = Msg(QT_TRANSLATE_NOOP("core", "{n} column"), n=cols) if cols == 1 else \
        Msg(QT_TRANSLATE_NOOP("core", "{n} columns"), n=cols)
    what = Msg(QT_TRANSLATE_NOOP("core", "{a} and {b}"), a=r, b=c) if rows and cols else (r if rows else c)
    return Msg(QT_TRANSLATE_NOOP("core", "the floor division drops {what} of the padded input"), what=what)


# --- whole layer ----------------------------------------------------------------------------

def out_channels(spec: LayerSpec, c_in: int) -> int:
    if spec.type in ("Conv2d", "ConvTranspose2d", "DepthwiseSeparable"):
        return int(spec.get("out_channels"))
    return c_in


def product(values) -> int:
    n = 1
    for v in values:
        n *= v
    return n


def flatten_dims(spec: LayerSpec, rank: int) -> tuple[int, int] | None:
    """Flatten's (start, end) as torch resolves them on an input of ``rank`` dimensions
    (without the batch; torch sees rank + 1, the batch being dimension 0), negatives counted
    from the end; None when either is not a dimension of that input."""
    n = rank + 1
    s, e = int(spec.get("start_dim")), int(spec.get("end_dim"))
    if not (-n <= s < n and -n <= e < n):
        return None
    return s % n, e % n


def fan_in(spec: LayerSpec, in_shape: tuple[int, ...]) -> int:
    """The number an inferred argument takes from the input: Linear's in_features is the size
    of the last dimension, in_channels and num_features the channels (the first)."""
    return int(in_shape[-1]) if spec.type == "Linear" else int(in_shape[0])


def output_shape(spec: LayerSpec, in_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The output's shape (per example, without the batch).  Assumes the layer is valid (see
    validate.py); an impossible 2-D layer gives sizes below 1 here, which is how the validator
    finds out."""
    t = spec.type
    if t == "Linear":
        return tuple(in_shape[:-1]) + (int(spec.get("out_features")),)
    if t == "Flatten":
        s, e = flatten_dims(spec, len(in_shape))
        if s >= e:  # nothing to join (torch returns the input as it is)
            return tuple(in_shape)
        # batched dimension d is dimension d - 1 of the example; the batch (0) is never joined
        return tuple(in_shape[:s - 1]) + (product(in_shape[s - 1:e]),) + tuple(in_shape[e:])
    if not spec.layer_type.spatial:  # Dropout, activations: element-wise
        return tuple(in_shape)
    c, h, w = in_shape
    fh, fw = axis_formula(spec, 0, h), axis_formula(spec, 1, w)
    return out_channels(spec, c), fh.value, fw.value


def layer_formula(spec: LayerSpec, in_shape: tuple[int, ...]) -> tuple[str, tuple[AxisFormula, AxisFormula] | None]:
    """The output-size formula of a layer on ``in_shape`` as one line of text, and its two
    spatial axes (None for a layer that does not work on height and width)."""
    t = spec.type
    rank = len(in_shape)
    if t == "Flatten":
        s, e = flatten_dims(spec, rank)
        if s >= e:
            return Msg(QT_TRANSLATE_NOOP("core", "{n} (unchanged)"), n=str(list(in_shape))), None
        joined = in_shape[s - 1:e]
        return f"{'*'.join(str(v) for v in joined)} = {product(joined)}", None
    if t == "Linear":
        text = f"out_features = {int(spec.get('out_features'))}"
        if rank > 1:
            text = Msg("{formula} ({notes})", formula=text, notes=Msg(QT_TRANSLATE_NOOP(
                "core", "Linear reads only the last dimension, {n} values; a Flatten before it makes it read all "
                        "{total}"), n=in_shape[-1], total=product(in_shape)))
        return text, None
    if rank == 3:
        return formula(spec, in_shape[1], in_shape[2])
    return Msg(QT_TRANSLATE_NOOP("core", "{n} (unchanged)"), n=str(list(in_shape))), None


def params(spec: LayerSpec, c_in: int) -> int:
    """Number of learnable parameters, equal to sum(p.numel() for p in module.parameters()).
    ``c_in`` is what fan_in gives (the channels; Linear: the size of the last dimension)."""
    t = spec.type
    if t == "Linear":
        out = int(spec.get("out_features"))
        return c_in * out + (out if spec.get("bias") else 0)
    bias = bool(spec.get("bias")) if spec.layer_type.args and "bias" in spec.layer_type.arg_names else False
    if t == "Conv2d":
        kh, kw = pair(spec.get("kernel_size"))
        co, g = spec.get("out_channels"), spec.get("groups")
        return co * (c_in // g) * kh * kw + (co if bias else 0)
    if t == "ConvTranspose2d":
        kh, kw = pair(spec.get("kernel_size"))
        co, g = spec.get("out_channels"), spec.get("groups")
        return c_in * (co // g) * kh * kw + (co if bias else 0)
    if t == "DepthwiseSeparable":
        kh, kw = pair(spec.get("kernel_size"))
        co = spec.get("out_channels")
        return c_in * kh * kw + (c_in if bias else 0) + co * c_in + (co if bias else 0)
    if t == "BatchNorm2d":
        return 2 * c_in if spec.get("affine") else 0
    return 0


def macs(spec: LayerSpec, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> int:
    """Multiply-accumulates, by the convention in this module's docstring."""
    t = spec.type
    if t == "Linear":
        return product(out_shape) * int(in_shape[-1])
    if not spec.layer_type.spatial:
        return 0
    c, h, w = in_shape
    co, ho, wo = out_shape
    if t == "Conv2d":
        kh, kw = pair(spec.get("kernel_size"))
        return co * ho * wo * (c // spec.get("groups")) * kh * kw
    if t == "ConvTranspose2d":
        kh, kw = pair(spec.get("kernel_size"))
        return c * h * w * (co // spec.get("groups")) * kh * kw
    if t == "DepthwiseSeparable":
        kh, kw = pair(spec.get("kernel_size"))
        return c * ho * wo * kh * kw + co * ho * wo * c
    return 0


def activation_bytes(shape: tuple[int, ...]) -> int:
    return product(shape) * BYTES_PER_ELEMENT


def tensor_fits(shape: tuple[int, ...], bytes_per_element: int = BYTES_PER_ELEMENT) -> bool:
    """Whether torch can describe a tensor of ``shape`` at all: its size in bytes must be a
    signed 64-bit number ("Storage size calculation overflowed" otherwise)."""
    n = bytes_per_element
    for v in shape:
        n *= v
    return n <= MAX_TENSOR_BYTES


def _scientific(n: int | float) -> str:
    """'4.72e21' for a number of any size (Python ints beyond the float range included)."""
    if n == 0:
        return "0"
    e = int(math.log10(abs(n)))  # math.log10 accepts ints of any size
    m = n / 10**e  # int / int is correctly rounded even when both exceed the float range
    if abs(m) < 1:
        m, e = m * 10, e - 1
    if abs(float(f"{m:.3g}")) >= 10:  # 9.9996 rounds to 10
        m, e = m / 10, e + 1
    return f"{m:.3g}e{e}"


def human_bytes(n: float) -> str:
    """1536 -> '1.5 KiB'; any size, however large, without overflowing."""
    if abs(n) >= 1024**9:
        return f"{_scientific(n)} B"
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"):
        if abs(n) < 1024 or unit == "YiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} YiB"


def human_count(n: int) -> str:
    """1234567 -> '1.23 M' (for compact table cells); beyond 10^15, '4.72e21'."""
    if abs(n) >= 999.5e12:
        return _scientific(n)
    for div, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            return f"{n / div:.3g} {unit}"
    return str(n)


def depthwise_separable_ratio(n_out: int, k: int) -> float:
    """MobileNet's cost ratio of a depthwise-separable to a standard convolution: 1/N + 1/k^2."""
    return 1.0 / n_out + 1.0 / (k * k)
