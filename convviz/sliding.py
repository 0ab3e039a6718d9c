"""The kernel-sliding trace: for one output cell, the window on the padded input, the weights,
the products, the per-channel partial sums and the bias — the numbers the stepper shows.

It reads numbers the engine already computed (the layer's input and output arrays and its
weights) and never recomputes the layer: one step is a gather of k*k values per input channel.

Every layer is traced as a direct sliding window over a padded grid:

* Conv2d / DepthwiseSeparable (its depthwise part): the padded input, the kernel, stride and
  dilation as given; reflect/replicate/circular padding cells copy a real pixel (``source``).
* ConvTranspose2d: the equivalent direct convolution — zeros inserted between the input pixels
  (stride - 1 of them), each side padded with dilation*(k-1) - padding zeros (plus
  output_padding at the bottom/right), then a stride-1 convolution with the kernel flipped and
  its in/out channels swapped.
* Max/AvgPool2d: the window over the implicitly padded input; max ignores padding, the average
  divides as torch does (count_include_pad, divisor_override, ceil_mode's clipped windows).

A layer can also be traced as a true convolution (``Slider.true_convolution``): every kernel
rotated by 180 degrees, its output computed here from the same padded input, so the products
shown are the window times the rotated kernel and they add up to the output shown.

Numbers are written for the stepper in plain decimals (``cell_text``, ``plain``): never
scientific notation, 2-3 significant digits in a cell.

numpy only; Qt-free and torch-free.
"""
from __future__ import annotations

import copy
import math
import threading
from dataclasses import dataclass

import numpy as np

from . import arithmetic as ar
from .spec import LayerSpec, pair

SUPPORTED = ("Conv2d", "ConvTranspose2d", "DepthwiseSeparable", "MaxPool2d", "AvgPool2d")


def source_index(q: np.ndarray, n: int, mode: str) -> np.ndarray:
    """For positions q on an axis of length n padded by ``mode``, the input index each copies,
    or -1 for a zero (torch's F.pad rules: reflect mirrors without repeating the edge)."""
    q = np.asarray(q)
    inside = (q >= 0) & (q < n)
    if mode == "zeros":
        return np.where(inside, q, -1)
    if mode == "replicate":
        return np.clip(q, 0, n - 1)
    if mode == "circular":
        return np.mod(q, n)
    if mode == "reflect":
        r = np.where(q < 0, -q, q)
        r = np.where(r > n - 1, 2 * (n - 1) - r, r)
        return r
    raise ValueError(mode)


@dataclass(frozen=True)
class Grid:
    """The padded grid the window slides over, per axis: size, the input index under each
    padded position (-1 = zero), and how it came to be."""

    height: int
    width: int
    src_y: np.ndarray  # (height,) input row under each padded row, -1 for zero
    src_x: np.ndarray
    pad_before: tuple[int, int]
    pad_after: tuple[int, int]
    mode: str
    inserted: int = 1  # ConvTranspose: input pixel i sits at padded position pad + i*inserted

    def is_input_row(self, y: int) -> bool:
        q = y - self.pad_before[0]
        return 0 <= q < self._n_up(0)

    def is_input_col(self, x: int) -> bool:
        q = x - self.pad_before[1]
        return 0 <= q < self._n_up(1)

    def _n_up(self, axis: int) -> int:
        n = self.height - self.pad_before[0] - self.pad_after[0] if axis == 0 else \
            self.width - self.pad_before[1] - self.pad_after[1]
        return n


@dataclass(frozen=True)
class ChannelTerm:
    in_channel: int  # index into the layer's input channels
    values: np.ndarray  # (kh, kw) the input under the taps (0 for zero padding / inserted zeros)
    weights: np.ndarray  # (kh, kw)
    products: np.ndarray  # (kh, kw)
    partial: float


@dataclass(frozen=True)
class Step:
    """Everything the stepper shows for one output cell."""

    out_channel: int
    oy: int
    ox: int
    tap_y: np.ndarray  # (kh,) padded row of each tap row
    tap_x: np.ndarray  # (kw,)
    valid: np.ndarray  # (kh, kw) bool: tap counts (pooling ignores padding and clipped taps)
    terms: tuple[ChannelTerm, ...]
    bias: float
    value: float  # what the trace computes
    expected: float  # what torch computed for this cell
    op: str  # "sum", "max", "avg"
    divisor: int = 1  # avg pooling
    argmax: tuple[int, int] | None = None  # max pooling: the tap that won

    @property
    def window(self) -> tuple[int, int, int, int]:
        """(top, left, bottom, right) of the window on the padded grid, inclusive."""
        return int(self.tap_y[0]), int(self.tap_x[0]), int(self.tap_y[-1]), int(self.tap_x[-1])


def plain(v: float, sig: int = 4, max_decimals: int = 6) -> str:
    """``v`` in plain decimals with about ``sig`` significant digits and at most
    ``max_decimals`` decimals: never scientific notation (0.0041, not 4.1e-03); a value too
    small for the decimals allowed is "0", and there is no "-0"."""
    v = float(v)
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("∞" if v > 0 else "-∞")
    a = abs(v)
    if a == 0:
        return "0"
    d = max(0, min(max_decimals, sig - 1 - math.floor(math.log10(a))))
    s = f"{v:.{d}f}"
    if float(s) == 0:
        return "0"
    return s


def cell_text(v: float) -> str:
    """A number as a stepper cell shows it: 2 significant digits below 1 (0.52, 0.073,
    -0.0041), 3 from 1 to 100 (1.23, 12.3), whole numbers from 100, at most 4 decimals."""
    v = float(v)
    return plain(v, 2 if abs(v) < 1 else 3, 4)


def text_chars(values) -> int:
    """The length of the longest ``cell_text`` of ``values`` (vectorised: sizes a grid's cells
    for a whole channel without formatting every number)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 1
    a = np.abs(v)
    with np.errstate(divide="ignore"):
        e = np.floor(np.log10(np.where(a > 0, a, 1.0)))
    d = np.clip(np.where(a < 1, 2, 3) - 1 - e, 0, 4).astype(int)
    r = np.round(a * 10.0 ** d) / 10.0 ** d  # the magnitude as printed
    with np.errstate(divide="ignore"):
        whole = np.maximum(1, np.floor(np.log10(np.maximum(r, 1.0))) + 1).astype(int)
    n = whole + np.where(d > 0, d + 1, 0) + ((v < 0) & (r > 0))
    n = np.where(r > 0, n, 1)
    return int(n.max())


def _fmt(v: float) -> str:
    s = plain(v)
    return f"({s})" if v < 0 and s != "0" else s


class Slider:
    """The sliding window of one layer over already computed numbers.

    x: the layer's input (C_in, H, W); y: its output (C_out, H_out, W_out) — for a
    DepthwiseSeparable block, the depthwise output (C_in, H_out, W_out); weights: the layer's
    parameters as the engine holds them (weight, bias) — for DepthwiseSeparable the depthwise
    ones first.
    """

    flipped = False  # traced as a true convolution (see true_convolution)

    def __init__(self, spec: LayerSpec, x: np.ndarray, y: np.ndarray, weights=()):
        if spec.type not in SUPPORTED:
            if spec.type == "Linear":
                raise ValueError("Linear has no sliding window: each output is one weighted sum of every value it "
                                 "reads (the whole vector after a Flatten)")
            raise ValueError(f"{spec.type} has no sliding window")
        self.spec = spec
        self.x = np.asarray(x)
        self.y = np.asarray(y)
        t = spec.type
        win = ar.window(spec)
        c_in, h, w = self.x.shape
        self.c_in = c_in
        self.kernel = win.kernel
        self.dilation = win.dilation
        self.op = "max" if t == "MaxPool2d" else "avg" if t == "AvgPool2d" else "sum"
        self.transposed = t == "ConvTranspose2d"
        weights = [np.asarray(p) for p in weights]
        self.bias = None
        if t == "ConvTranspose2d":
            s = win.stride
            op = pair(spec.get("output_padding"))
            self.groups = spec.get("groups")
            wt = weights[0]  # (C_in, C_out/g, kh, kw)
            self.c_out = wt.shape[1] * self.groups
            self.stride = (1, 1)
            self.inserted = s
            pb = tuple(win.dilation[a] * (win.kernel[a] - 1) - win.pad_before[a] for a in (0, 1))
            pa = tuple(pb[a] + op[a] for a in (0, 1))
            nu = ((h - 1) * s[0] + 1, (w - 1) * s[1] + 1)
            self.grid = self._grid(nu, pb, pa, "zeros", s)
            # equivalent direct weights: W'[o, i_local] = w[g*cin_g + i_local, o_local, ::-1, ::-1]
            cin_g = c_in // self.groups
            cout_g = self.c_out // self.groups
            wd = np.empty((self.c_out, cin_g) + wt.shape[2:], dtype=np.float64)
            for g in range(self.groups):
                blk = wt[g * cin_g:(g + 1) * cin_g]  # (cin_g, cout_g, kh, kw)
                wd[g * cout_g:(g + 1) * cout_g] = blk.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
            self.weight = wd
            self.bias = weights[1] if len(weights) > 1 else None
        else:
            self.stride = win.stride
            self.inserted = (1, 1)
            mode = win.padding_mode if self.op == "sum" else "zeros"
            self.grid = self._grid((h, w), win.pad_before, win.pad_after, mode, (1, 1))
            if self.op == "sum":
                self.groups = c_in if t == "DepthwiseSeparable" else spec.get("groups")
                self.weight = np.asarray(weights[0], dtype=np.float64)
                self.c_out = self.weight.shape[0]
                self.bias = weights[1] if (len(weights) > 1 and spec.get("bias")) else None
            else:
                self.groups = c_in
                self.weight = None
                self.c_out = c_in
        self.out_h, self.out_w = self.y.shape[1], self.y.shape[2]
        if self.op != "sum":
            self.ceil_mode = bool(spec.get("ceil_mode"))
            self.count_include_pad = bool(spec.get("count_include_pad")) if t == "AvgPool2d" else True
            self.divisor_override = spec.get("divisor_override") if t == "AvgPool2d" else None

    def _grid(self, n, pb, pa, mode, inserted) -> Grid:
        hp, wp = n[0] + pb[0] + pa[0], n[1] + pb[1] + pa[1]
        c, h, w = self.x.shape
        ys = np.arange(hp) - pb[0]
        xs = np.arange(wp) - pb[1]
        if inserted != (1, 1):  # zero insertion: only every s-th position holds an input pixel
            sy = np.where((ys >= 0) & (ys < n[0]) & (ys % inserted[0] == 0), ys // inserted[0], -1)
            sx = np.where((xs >= 0) & (xs < n[1]) & (xs % inserted[1] == 0), xs // inserted[1], -1)
        else:
            sy, sx = source_index(ys, h, mode), source_index(xs, w, mode)
        return Grid(hp, wp, sy, sx, tuple(pb), tuple(pa), mode, inserted[0])

    # --- geometry ----------------------------------------------------------------------------
    @property
    def positions(self) -> int:
        return self.out_h * self.out_w

    def position(self, t: int) -> tuple[int, int]:
        return divmod(int(t), self.out_w)

    def index(self, oy: int, ox: int) -> int:
        return int(oy) * self.out_w + int(ox)

    def taps(self, oy: int, ox: int) -> tuple[np.ndarray, np.ndarray]:
        ky, kx = self.kernel
        ty = oy * self.stride[0] + np.arange(ky) * self.dilation[0]
        tx = ox * self.stride[1] + np.arange(kx) * self.dilation[1]
        return ty, tx

    def group_channels(self, o: int) -> range:
        """The input channels output channel ``o`` reads (its group)."""
        cin_g = self.c_in // self.groups
        g = o // (self.c_out // self.groups)
        return range(g * cin_g, (g + 1) * cin_g)

    def unreached(self) -> tuple[int, int]:
        """Rows and columns at the end of the padded grid that no window reaches (the floor
        division drops them); 0 in ceil mode."""
        last_y = (self.out_h - 1) * self.stride[0] + self.dilation[0] * (self.kernel[0] - 1)
        last_x = (self.out_w - 1) * self.stride[1] + self.dilation[1] * (self.kernel[1] - 1)
        return max(0, self.grid.height - 1 - last_y), max(0, self.grid.width - 1 - last_x)

    def reached(self) -> tuple[np.ndarray, np.ndarray]:
        """Which rows and which columns of the padded grid some window reads, as two boolean
        arrays.  Besides the rows the floor division drops at the end, a stride larger than the
        kernel's span (or a dilation gap the stride skips) leaves rows between windows unread."""
        out = []
        for n_out, k, s, d, size in ((self.out_h, self.kernel[0], self.stride[0], self.dilation[0], self.grid.height),
                                     (self.out_w, self.kernel[1], self.stride[1], self.dilation[1], self.grid.width)):
            taps = (np.arange(n_out)[:, None] * s + np.arange(k)[None, :] * d).ravel()
            m = np.zeros(size, dtype=bool)
            m[taps[(taps >= 0) & (taps < size)]] = True
            out.append(m)
        return out[0], out[1]

    # --- true convolution ----------------------------------------------------------------------
    def true_convolution(self) -> "Slider":
        """This layer traced as a true convolution: each kernel rotated by 180 degrees and slid
        over the same padded input.  The output (``output``, ``step(...).expected``) is computed
        here, once per channel when first asked; it is not what torch's layer computed (torch
        computes cross-correlation) unless the kernel is symmetric.  Pooling has no kernel to
        rotate: returns self."""
        if self.op != "sum" or self.flipped:
            return self
        s = copy.copy(self)
        s.weight = np.ascontiguousarray(flipped(self.weight))
        s.flipped = True
        s.y = _DirectOutput(s, self.y.shape)
        return s

    def output(self, o: int) -> np.ndarray:
        """Output channel ``o`` (out_h, out_w)."""
        return self.y[o]

    def direct_output(self, o: int) -> np.ndarray:
        """Output channel ``o`` computed from the padded input and this slider's weights (the
        sum of every step's products plus the bias), all positions at once."""
        chans = list(self.group_channels(o))
        grid = np.stack([self.padded_channel(c) for c in chans]).astype(np.float64)  # (c, H, W)
        out = np.zeros((self.out_h, self.out_w))
        ys = np.arange(self.out_h) * self.stride[0]
        xs = np.arange(self.out_w) * self.stride[1]
        for a in range(self.kernel[0]):
            rows = ys + a * self.dilation[0]
            ok_r = rows < self.grid.height
            band = grid[:, np.minimum(rows, self.grid.height - 1)] * ok_r[None, :, None]
            for b in range(self.kernel[1]):
                cols = xs + b * self.dilation[1]
                ok_c = cols < self.grid.width
                taps = band[:, :, np.minimum(cols, self.grid.width - 1)] * ok_c[None, None, :]
                out += np.tensordot(self.weight[o, :, a, b], taps, axes=1)
        if self.bias is not None:
            out += float(self.bias[o])
        return out

    def padded_channel(self, c: int, rows: slice = slice(None), cols: slice = slice(None)) -> np.ndarray:
        """Input channel c on the padded grid, or a crop of it (zeros where the grid has no
        input pixel)."""
        g = self.grid
        sy, sx = g.src_y[rows], g.src_x[cols]
        vals = self.x[c][np.clip(sy, 0, None)][:, np.clip(sx, 0, None)]
        return np.where((sy[:, None] >= 0) & (sx[None, :] >= 0), vals, 0.0)

    # --- one step ----------------------------------------------------------------------------
    def step(self, o: int, t: int) -> Step:
        oy, ox = self.position(t)
        ty, tx = self.taps(oy, ox)
        g = self.grid
        inb_y = (ty >= 0) & (ty < g.height)
        inb_x = (tx >= 0) & (tx < g.width)
        sy = np.where(inb_y, g.src_y[np.clip(ty, 0, g.height - 1)], -1)
        sx = np.where(inb_x, g.src_x[np.clip(tx, 0, g.width - 1)], -1)
        present = (sy[:, None] >= 0) & (sx[None, :] >= 0)
        expected = float(self.y[o, oy, ox])
        if self.op == "sum":
            terms = []
            total = 0.0
            for i_local, c in enumerate(self.group_channels(o)):
                vals = np.where(present, self.x[c][np.clip(sy, 0, None)][:, np.clip(sx, 0, None)], 0.0)
                wk = self.weight[o, i_local]
                prod = vals * wk
                part = float(prod.sum())
                total += part
                terms.append(ChannelTerm(c, vals.astype(np.float64), wk, prod, part))
            b = float(self.bias[o]) if self.bias is not None else 0.0
            valid = np.ones(self.kernel, dtype=bool)
            return Step(o, oy, ox, ty, tx, valid, tuple(terms), b, total + b, expected, "sum")
        # pooling: padding is not input; in ceil mode a window may run past the padded grid
        vals = np.where(present, self.x[o][np.clip(sy, 0, None)][:, np.clip(sx, 0, None)], 0.0).astype(np.float64)
        if self.op == "max":
            masked = np.where(present, vals, -np.inf)
            k = int(np.argmax(masked))
            am = divmod(k, self.kernel[1])
            value = float(masked.flat[k])
            term = ChannelTerm(o, vals, np.ones(self.kernel), np.where(present, vals, 0.0), value)
            return Step(o, oy, ox, ty, tx, present, (term,), 0.0, value, expected, "max", 1, am)
        # average: torch's divisor
        h, w = self.x.shape[1:]
        pt, pl = g.pad_before
        hs, ws = oy * self.stride[0] - pt, ox * self.stride[1] - pl
        he, we = min(hs + self.kernel[0], h + pt), min(ws + self.kernel[1], w + pl)
        pool = (he - hs) * (we - ws)
        hs2, ws2, he2, we2 = max(hs, 0), max(ws, 0), min(he, h), min(we, w)
        if self.divisor_override:
            div = int(self.divisor_override)
        elif self.count_include_pad:
            div = pool
        else:
            div = (he2 - hs2) * (we2 - ws2)
        s = float(np.where(present, vals, 0.0).sum())
        term = ChannelTerm(o, vals, np.ones(self.kernel), np.where(present, vals, 0.0), s)
        # taps inside the (clipped) window count in the divisor even when they are padding
        valid = (inb_y[:, None] & inb_x[None, :])
        return Step(o, oy, ox, ty, tx, valid, (term,), 0.0, s / div if div else float("nan"), expected, "avg", div)

    def equation(self, st: Step, max_terms: int = 9, words: dict | None = None) -> str:
        """The step as an equation with the actual numbers (plain decimals, 4 significant
        digits).  ``words`` translates "ch", "bias" and "… {n} more channels: {s}"."""
        words = words or {}
        if st.op == "max":
            vals = [_fmt(v) for v, ok in zip(st.terms[0].values.flat, st.valid.flat) if ok]
            return f"max({', '.join(vals)}) = {plain(st.value)}"
        if st.op == "avg":
            vals = [_fmt(v) for v, ok in zip(st.terms[0].values.flat, st.valid.flat) if ok]
            return f"({' + '.join(vals)}) / {st.divisor} = {plain(st.value)}"
        lines = []
        for term in st.terms[:max_terms]:
            prods = [f"{_fmt(a)}×{_fmt(b)}" for a, b in zip(term.values.flat, term.weights.flat)]
            if len(prods) > 12:
                prods = prods[:6] + ["…"] + prods[-3:]
            lines.append(f"{words.get('ch', 'ch')} {term.in_channel}: {' + '.join(prods)} = {plain(term.partial)}")
        if len(st.terms) > max_terms:
            rest = sum(t.partial for t in st.terms[max_terms:])
            lines.append(words.get("more", "… {n} more channels: {s}").format(n=len(st.terms) - max_terms, s=plain(rest)))
        parts = " + ".join(_fmt(t.partial) for t in st.terms[:max_terms])
        if len(st.terms) > max_terms:
            parts += f" + {_fmt(sum(t.partial for t in st.terms[max_terms:]))}"
        lines.append(f"{parts} + {words.get('bias', 'bias')} {_fmt(st.bias)} = {plain(st.value)}")
        return "\n".join(lines)

    # --- which outputs a cell feeds -----------------------------------------------------------
    def contributors(self, iy: int, ix: int) -> tuple[np.ndarray, np.ndarray]:
        """Output rows and columns whose window reads input pixel (iy, ix) — directly or through
        a padding cell that copies it.  Every output in rows x cols reads it."""
        rows = self._axis_contrib(iy, 0)
        cols = self._axis_contrib(ix, 1)
        return rows, cols

    def _axis_contrib(self, i: int, axis: int) -> np.ndarray:
        n_out = self.out_h if axis == 0 else self.out_w
        src = self.grid.src_y if axis == 0 else self.grid.src_x
        k, s, d = self.kernel[axis], self.stride[axis], self.dilation[axis]
        size = self.grid.height if axis == 0 else self.grid.width
        o = np.arange(n_out)
        taps = o[:, None] * s + np.arange(k)[None, :] * d
        inb = taps < size
        hit = inb & (src[np.clip(taps, 0, size - 1)] == i)
        return o[hit.any(axis=1)]


class _DirectOutput:
    """A true-convolution slider's output: channels computed when first read (thread-safe)."""

    def __init__(self, slider: Slider, shape):
        self.slider = slider
        self.shape = tuple(shape)
        self._maps: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def channel(self, o: int) -> np.ndarray:
        with self._lock:
            m = self._maps.get(o)
            if m is None:
                m = self._maps[o] = self.slider.direct_output(o)
                m.setflags(write=False)
            return m

    def __getitem__(self, key):
        if isinstance(key, tuple):
            return self.channel(int(key[0]))[key[1:]]
        return self.channel(int(key))


def flipped(kernel: np.ndarray) -> np.ndarray:
    """The kernel of true convolution: torch's Conv2d computes cross-correlation, which is a
    convolution with the kernel rotated by 180 degrees."""
    return np.asarray(kernel)[..., ::-1, ::-1]
