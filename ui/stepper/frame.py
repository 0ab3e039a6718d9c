"""What one frame of the stepper shows, and where: plain data, no Qt.

``build_frame`` turns a convviz.sliding.Slider and the learner's state (output channel, step,
hover, clicked pixel) into a ``Frame``: for every grid the numbers, the cells to hatch, dim,
hide or outline, and the lines of text.  ``Geometry`` places those grids in units of one cell's
height, and ``fit`` chooses how much to show (input-channel rows, crop sizes) and how large a
cell is for a pane of a given size.  The painter (paint.py) draws a Frame with a Layout on the
screen and, for GIF frames, on a QImage in a worker thread: nothing here touches Qt, and
nothing here is mutated after it is made, so a frame can cross threads.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from convviz.sliding import Slider, Step, cell_text, plain, text_chars

MAX_CROP = 11  # cells per side of an input or output crop, at most
MARGIN = 1  # cells of context each side of the window in the smallest crop
MAX_ROWS = 4  # input channels drawn as rows at most; the rest are summed in one line
MIN_CELL = 34.0  # px: the smallest cell the fit chooses (numbers 12 px tall)
FLOOR_CELL = 30.0  # px: smaller only when nothing else fits (numbers 11 px tall)
MAX_CELL = 110.0  # px: the largest cell the fit chooses (a 4x4 lesson on a big screen)

# sizes in units of the cell height
FONT = 0.36  # numbers
SMALL = 0.30  # row and column labels, padding sources
TEXT = 0.36  # titles, names, sums
TOTAL = 0.40  # the line with the output value
MONO_ADVANCE = 0.62  # width of a digit of the monospaced font, in font heights (DejaVu Sans Mono: 0.602)
PAD = 0.2  # free width in a cell around its number
MAX_ASPECT = 2.3

M = 0.25  # margin
H_TITLE = 0.55
H_INDEX = 0.4
W_NAME = 0.5  # channel names ("ch 0", written upwards) left of the input rows
W_ROWIDX = 0.62  # row labels of the input and output (up to 3 digits)
W_KIDX = 0.42  # row labels of the kernel and products (1 or 2 digits)
W_SYMBOL = 0.7  # "×" and "="
W_SUM = 2.25  # "Σ = -0.127"
W_POOL = 3.6  # "max = 0.873" / "sum 3.2 / 9"
ROW_GAP = 0.3
STACK_GAP = 0.75  # between a kernel and the products under it
H_MORE = 0.6
H_TOTAL = 0.85


def aspect_for(chars: int) -> float:
    """Cell width / height for numbers of ``chars`` characters at the FONT size."""
    return float(min(MAX_ASPECT, max(1.0, chars * MONO_ADVANCE * FONT + PAD)))


# --- what to show ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Stats:
    """Per layer and output channel: how wide each kind of grid's numbers get and the colour
    scale of each, over the whole channel (so neither changes while the window moves)."""

    chars: dict
    scale: dict


def _sample(a: np.ndarray, n: int = 1 << 16) -> np.ndarray:
    a = np.asarray(a).ravel()
    if a.size <= n:
        return a
    return a[:: a.size // n + 1]


def _scale(a) -> float:
    a = np.asarray(a, dtype=np.float64)
    a = np.abs(a[np.isfinite(a)])
    m = float(a.max()) if a.size else 0.0
    return m if m > 0 else 1.0


def stats_for(m: Slider, o: int) -> Stats:
    chans = list(m.group_channels(o)) if m.op == "sum" else [o]
    xs = np.concatenate([_sample(m.x[c], (1 << 16) // len(chans) + 1) for c in chans] + [np.zeros(1)])
    out = _sample(m.output(o))
    chars = {"input": text_chars(xs), "output": text_chars(out)}
    scale = {"input": _scale(xs), "output": _scale(out)}
    if m.op == "sum":
        w = np.asarray(m.weight[o], dtype=np.float64)
        prods = np.outer(_sample(xs, 4096), w.ravel())
        chars.update(kernel=text_chars(w), products=text_chars(prods))
        scale.update(kernel=_scale(w), products=_scale(prods))
    return Stats(chars, scale)


@dataclass(frozen=True)
class Shape:
    """How much the canvas shows: input-channel rows, crop sizes and cell widths."""

    op: str  # "sum", "max", "avg"
    rows: int  # input-channel rows drawn
    channels: int  # input channels the output reads
    in_span: tuple[int, int]  # crop of the padded input (rows, cols)
    kernel: tuple[int, int]
    out_span: tuple[int, int]
    chars: tuple[tuple[str, int], ...]  # per kind of grid: its longest number, in characters
    below: bool = False  # the output under the rows instead of beside them (a narrow pane)
    stacked: bool = False  # the products under the kernel instead of beside it (a wide kernel)

    def cell_aspect(self, kind: str) -> float:
        """Cell width / height of a kind of grid: wide enough for its longest number."""
        return aspect_for(dict(self.chars).get(kind, 4))

    @property
    def more(self) -> bool:
        return self.op == "sum" and self.channels > self.rows


def shapes(m: Slider, o: int, stats: Stats) -> list[Shape]:
    """Every shape worth considering, most informative first: more input channels, the output
    beside them, then larger crops."""
    g = m.grid
    wspan = [m.dilation[a] * (m.kernel[a] - 1) + 1 for a in (0, 1)]
    size = (g.height, g.width)
    lo = [min(size[a], wspan[a] + 2 * MARGIN) for a in (0, 1)]
    hi = [max(lo[a], min(size[a], MAX_CROP)) for a in (0, 1)]
    channels = len(m.group_channels(o)) if m.op == "sum" else 1
    kinds = ("input", "kernel", "products", "output") if m.op == "sum" else ("input", "output")
    chars = tuple((k, int(stats.chars[k])) for k in kinds)
    out = []
    stacks = (False, True) if m.op == "sum" else (False,)
    for rows in range(min(channels, MAX_ROWS), 0, -1):
        for stacked, below in ((st, b) for st in stacks for b in (False, True)):
            # the products beside the kernel, else under it; the output beside the rows, else under
            for sp in range(max(hi), min(lo) - 1, -1):
                span = (max(lo[0], min(hi[0], sp)), max(lo[1], min(hi[1], sp)))
                full = (min(m.out_h, max(3, span[0])), min(m.out_w, max(3, span[1])))
                for cut in (0, 2):  # the output crop as large as the input's, or two cells smaller
                    o_span = (max(min(3, m.out_h), full[0] - cut), max(min(3, m.out_w), full[1] - cut))
                    sh = Shape(m.op, rows, channels, span, tuple(m.kernel), o_span, chars, below, stacked)
                    if sh not in out:
                        out.append(sh)
    return out


# --- where ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    x: float  # top-left of the grid's cells, in cell heights
    y: float
    rows: int
    cols: int
    aspect: float  # cell width / height
    col_labels: bool = True
    row_labels: bool = True
    label_w: float = W_ROWIDX  # width of the row labels left of the cells


@dataclass(frozen=True)
class Geometry:
    """The layout of a Shape in units of the cell height."""

    shape: Shape
    width: float
    height: float
    grids: dict  # key -> Box: "input/r", "kernel/r", "products/r", "output"
    texts: dict  # key -> (x, y, w, h): "title/<kind>", "name/r", "partial/r", "times/r", "equals/r", "more", "total"

    def scaled(self, cell: float) -> "Layout":
        return Layout(self, float(cell))


def geometry(shape: Shape) -> Geometry:
    a_in, a_out = shape.cell_aspect("input"), shape.cell_aspect("output")
    nh, nw = shape.in_span
    kh, kw = shape.kernel
    oh, ow = shape.out_span
    top = M + H_TITLE + H_INDEX
    x_name = M
    x_in = x_name + W_NAME + W_ROWIDX
    in_w = nw * a_in
    grids, texts = {}, {}
    stacked = shape.op == "sum" and shape.stacked
    if stacked:  # kernel, "=", products and the sum under one another
        row_h = max(nh, 2 * kh + STACK_GAP + 0.6)
        sum_under = True
    else:
        row_h = max(nh, kh if shape.op == "sum" else 0)
        sum_under = shape.op == "sum" and (row_h - kh) / 2 >= 0.6  # the partial sum fits under the products
    if shape.op == "sum":
        a_k, a_p = shape.cell_aspect("kernel"), shape.cell_aspect("products")
        x_k = x_in + in_w + W_SYMBOL + W_KIDX
        x_p = x_k if stacked else x_k + kw * a_k + W_SYMBOL + W_KIDX
        x_sum = x_p + kw * a_p + 0.2
        x_right = max(x_k + kw * a_k, x_p + kw * a_p) if sum_under else x_sum + W_SUM
        if stacked:
            texts["title/kernel"] = (x_k - W_KIDX, M, kw * a_k + W_KIDX, H_TITLE)
        else:
            texts["title/kernel"] = (x_k - W_KIDX, M, kw * a_k + W_KIDX + W_SYMBOL, H_TITLE)
            texts["title/products"] = (x_p - W_KIDX, M, max(kw * a_p + W_KIDX, x_right - x_p + W_KIDX), H_TITLE)
    else:
        x_sum = x_in + in_w + 0.3
        x_right = x_sum + W_POOL
    texts["title/input"] = (x_name, M, x_in + in_w - x_name, H_TITLE)
    y = top
    for r in range(shape.rows):
        grids[f"input/{r}"] = Box(x_in, y, nh, nw, a_in, col_labels=r == 0)
        texts[f"name/{r}"] = (x_name, y, W_NAME, nh)
        mid = y + nh / 2
        if stacked:
            ky = y + (row_h - (2 * kh + STACK_GAP + 0.6)) / 2
            py = ky + kh + STACK_GAP
            grids[f"kernel/{r}"] = Box(x_k, ky, kh, kw, a_k, col_labels=r == 0, label_w=W_KIDX)
            grids[f"products/{r}"] = Box(x_p, py, kh, kw, a_p, col_labels=False, label_w=W_KIDX)
            texts[f"times/{r}"] = (x_in + in_w, ky + kh / 2 - 0.5, W_SYMBOL, 1.0)
            texts[f"equals/{r}"] = (x_k - W_KIDX, ky + kh, W_KIDX + W_SYMBOL, STACK_GAP)
            if r == 0:
                texts["title/products"] = (x_k + W_SYMBOL, ky + kh + 0.1, max(kw * a_k - W_SYMBOL, 3.0), STACK_GAP - 0.1)
            texts[f"partial/{r}"] = (x_p, py + kh + 0.05, kw * a_p, 0.55)
        elif shape.op == "sum":
            ky = mid - kh / 2
            grids[f"kernel/{r}"] = Box(x_k, ky, kh, kw, a_k, col_labels=r == 0, label_w=W_KIDX)
            grids[f"products/{r}"] = Box(x_p, ky, kh, kw, a_p, col_labels=r == 0, label_w=W_KIDX)
            texts[f"times/{r}"] = (x_in + in_w, mid - 0.5, W_SYMBOL, 1.0)
            texts[f"equals/{r}"] = (x_k + kw * a_k, mid - 0.5, W_SYMBOL, 1.0)
            if sum_under:
                texts[f"partial/{r}"] = (x_p, ky + kh + 0.05, kw * a_p, 0.55)
            else:
                texts[f"partial/{r}"] = (x_sum, mid - 0.5, W_SUM, 1.0)
        else:
            texts[f"partial/{r}"] = (x_sum, mid - 0.5, W_POOL, 1.0)
        y += row_h + ROW_GAP
    y -= ROW_GAP
    if shape.more:
        texts["more"] = (x_name, y + 0.1, max(x_right - x_name, 8.0), H_MORE)
        y += H_MORE
    if shape.below:  # the sum, then the output under the rows
        texts["total"] = (x_name, y + 0.2, max(x_right - x_name, 8.0), H_TOTAL)
        y += 0.2 + H_TOTAL
        o_top = y + 0.15 + H_TITLE + H_INDEX
        x_out = x_in
        grids["output"] = Box(x_out, o_top, oh, ow, a_out)
        texts["title/output"] = (x_out - W_ROWIDX, o_top - H_TITLE - H_INDEX, max(ow * a_out + W_ROWIDX, 6.0), H_TITLE)
        width = max(x_right, x_out + ow * a_out) + M
        height = o_top + oh + M
    else:
        x_out = x_right + W_SYMBOL + W_ROWIDX
        x_end = x_out + ow * a_out
        texts["total"] = (x_name, y + 0.2, x_end - x_name, H_TOTAL)
        y += 0.2 + H_TOTAL
        grids["output"] = Box(x_out, top, oh, ow, a_out)
        texts["title/output"] = (x_out - W_ROWIDX, M, ow * a_out + W_ROWIDX, H_TITLE)
        width = x_end + M
        height = max(y, top + oh) + M
    return Geometry(shape, width, height, grids, texts)


@dataclass(frozen=True)
class Layout:
    """A Geometry at a cell size in pixels."""

    geo: Geometry
    cell: float

    @property
    def size(self) -> tuple[int, int]:
        return int(np.ceil(self.geo.width * self.cell)), int(np.ceil(self.geo.height * self.cell))

    def number_px(self, kind: str) -> int:
        """The one font size (px) of a kind of grid's numbers: FONT of the cell, smaller only when
        the longest number would not fit a cell of the widest aspect."""
        chars = dict(self.geo.shape.chars).get(kind, 4)
        a = self.geo.shape.cell_aspect(kind)
        return max(6, int(min(FONT * self.cell, (a - PAD) * self.cell / (max(1, chars) * MONO_ADVANCE))))

    def grid_rect(self, key: str) -> tuple[float, float, float, float]:
        b = self.geo.grids[key]
        c = self.cell
        return b.x * c, b.y * c, b.cols * b.aspect * c, b.rows * c

    def text_rect(self, key: str) -> tuple[float, float, float, float]:
        x, y, w, h = self.geo.texts[key]
        c = self.cell
        return x * c, y * c, w * c, h * c

    def hit(self, x: float, y: float) -> tuple[str, int, int] | None:
        """(grid key, local row, local column) under pixel (x, y)."""
        for key, b in self.geo.grids.items():
            gx, gy, gw, gh = self.grid_rect(key)
            if gx <= x < gx + gw and gy <= y < gy + gh:
                return key, int((y - gy) // self.cell), int((x - gx) // (b.aspect * self.cell))
        return None


def fit(options: list[Shape], pane: tuple[float, float], zoom: float = 1.0) -> tuple[Shape, Geometry, float]:
    """The shape and cell size for a pane of ``pane`` = (width, height) pixels.

    At zoom 1: the first (most informative) shape whose cells can be at least MIN_CELL, filling
    the pane up to MAX_CELL; with none, the first that allows FLOOR_CELL; with none, the one that
    allows the largest cells, at FLOOR_CELL (the pane scrolls).  Zoom multiplies that cell size,
    and the shape is chosen again for it: zooming in shows fewer rows or smaller crops before the
    pane scrolls, zooming out shows more."""
    geos = [(s, geometry(s)) for s in options]
    pw, ph = max(1.0, pane[0]), max(1.0, pane[1])

    def cell_of(g: Geometry) -> float:
        return min(pw / g.width, ph / g.height)
    base = None
    for least in (MIN_CELL, FLOOR_CELL):
        for s, g in geos:
            c = cell_of(g)
            if c >= least:
                base = min(c, MAX_CELL)
                break
        if base is not None:
            break
    if base is None:
        base = FLOOR_CELL
    target = base * zoom
    for s, g in geos:
        if cell_of(g) >= target - 1e-6:
            return s, g, target
    s, g = max(geos, key=lambda sg: cell_of(sg[1]))
    return s, g, target


# --- one frame ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class State:
    """What the learner chose: the output channel, the step, which input channels the rows
    start at, the output cell hovered and the input pixel clicked."""

    out_channel: int = 0
    t: int = 0
    first_row: int = 0
    preview_t: int | None = None
    contrib: tuple | None = None  # (rows, cols) of the outputs a clicked input pixel feeds


@dataclass(frozen=True)
class GridFrame:
    values: np.ndarray  # (h, w) the numbers shown
    origin: tuple[int, int]  # the index of cell (0, 0): labels show origin + local index
    scale: float  # colour scale
    hatched: np.ndarray | None = None  # padding and inserted zeros
    dim: np.ndarray | None = None  # no window reaches the cell
    hidden: np.ndarray | None = None  # not computed yet (output)
    sources: dict = field(default_factory=dict)  # local (r, c) -> "←1,2": the pixel a padding cell copies
    taps: tuple = ()  # local cells the kernel's taps read now
    box: tuple | None = None  # local (top, left, bottom, right) of the window
    preview: tuple = ()
    marked: tuple = ()  # outputs the clicked input pixel feeds
    winner: tuple | None = None  # max pooling: the tap that won
    current: tuple | None = None  # the output cell being computed

    def text(self, r: int, c: int) -> str:
        """What cell (r, c) reads on screen ("" when hidden)."""
        if self.hidden is not None and self.hidden[r, c]:
            return ""
        v = float(self.values[r, c])
        if not np.isfinite(v):
            return ""
        t = _TEXTS.get(v)
        if t is None:
            if len(_TEXTS) > 50000:
                _TEXTS.clear()
            t = _TEXTS[v] = cell_text(v)
        return t

    def same_as(self, other: "GridFrame | None") -> bool:
        """Draws exactly like ``other`` (so it need not be painted again)."""
        if other is None:
            return False
        for name in ("origin", "scale", "sources", "taps", "box", "preview", "marked", "winner", "current"):
            if getattr(self, name) != getattr(other, name):
                return False
        for name in ("values", "hatched", "dim", "hidden"):
            a, b = getattr(self, name), getattr(other, name)
            if (a is None) != (b is None) or (a is not None and (a.shape != b.shape or not np.array_equal(a, b))):
                return False
        return True


_TEXTS: dict[float, str] = {}  # cell_text of the numbers seen (they recur from frame to frame)


@dataclass(frozen=True)
class Frame:
    shape: Shape
    grids: dict  # key -> GridFrame, keys as in Geometry.grids
    texts: dict  # key -> str, keys as in Geometry.texts
    t: int
    oy: int
    ox: int


WORDS = {  # English; the view passes the translated ones
    "input": "input, padded", "input_t": "input (zero-inserted, padded)", "kernel": "kernel",
    "kernel_flipped": "kernel rotated 180°", "products": "products", "output": "output · channel {c}",
    "ch": "ch", "bias": "bias", "more": "… and {n} more input channels, Σ = {s}", "at": "output ({y}, {x})",
    "max": "max", "sum": "sum",
}


def page_origin(first: int, last: int, size: int, span: int) -> int:
    """Start of a crop of ``span`` cells out of ``size`` that holds cells first..last: the crop
    turns a page only when the window leaves it, so the window is seen to slide."""
    if size <= span:
        return 0
    step = max(1, span - (last - first))
    return int(min((max(first, 0) // step) * step, size - span))


def _local(cells, oy: int, ox: int, h: int, w: int) -> tuple:
    return tuple((int(r) - oy, int(c) - ox) for r, c in cells if 0 <= r - oy < h and 0 <= c - ox < w)


def build_frame(m: Slider, shape: Shape, stats: Stats, state: State, words: dict | None = None) -> tuple[Frame, Step]:
    """Everything frame ``state.t`` shows (see the module's docstring), and the step's trace."""
    wd = dict(WORDS, **(words or {}))
    o = state.out_channel
    st = m.step(o, state.t)
    g = m.grid
    top, left, bottom, right = st.window
    nh, nw = shape.in_span
    y0 = page_origin(top, min(bottom, g.height - 1), g.height, nh)
    x0 = page_origin(left, min(right, g.width - 1), g.width, nw)
    ys, xs = np.arange(y0, y0 + nh), np.arange(x0, x0 + nw)
    src_y, src_x = g.src_y[ys], g.src_x[xs]
    in_row = np.array([g.is_input_row(int(r)) for r in ys])
    in_col = np.array([g.is_input_col(int(c)) for c in xs])
    copies = (src_y[:, None] >= 0) & (src_x[None, :] >= 0)  # the cell holds an input pixel
    hatched = ~copies  # zero padding, inserted zeros
    sources = {}
    if g.mode != "zeros":  # a padding cell that copies a pixel says which
        for r, c in zip(*np.nonzero(copies & ~(in_row[:, None] & in_col[None, :]))):
            sources[(int(r), int(c))] = f"←{src_y[r]},{src_x[c]}"
    reach_r, reach_c = m.reached()
    dim = ~(reach_r[ys][:, None] & reach_c[xs][None, :])
    taps = _local([(a, b) for i, a in enumerate(st.tap_y) for j, b in enumerate(st.tap_x) if st.valid[i, j]],
                  y0, x0, nh, nw)
    box = (top - y0, left - x0, bottom - y0, right - x0)
    preview = ()
    if state.preview_t is not None and state.preview_t != state.t:
        py, px = m.taps(*m.position(state.preview_t))
        preview = _local([(a, b) for a in py for b in px], y0, x0, nh, nw)
    winner = None
    if st.op == "max" and st.argmax is not None:
        w_ = _local([(st.tap_y[st.argmax[0]], st.tap_x[st.argmax[1]])], y0, x0, nh, nw)
        winner = w_[0] if w_ else None
    grids, texts = {}, {}
    if m.op == "sum":
        channels = [t.in_channel for t in st.terms]
    else:
        channels = [o]
    first = max(0, min(state.first_row, len(channels) - shape.rows))
    for r in range(shape.rows):
        k = first + r
        c = channels[k]
        grids[f"input/{r}"] = GridFrame(m.padded_channel(c, slice(y0, y0 + nh), slice(x0, x0 + nw)).astype(np.float64),
                                        (y0, x0), stats.scale["input"], hatched, dim, None, sources, taps, box,
                                        preview, (), winner)
        texts[f"name/{r}"] = f"{wd['ch']} {c}"
        if m.op == "sum":
            term = st.terms[k]
            grids[f"kernel/{r}"] = GridFrame(np.asarray(term.weights, dtype=np.float64), (0, 0), stats.scale["kernel"])
            grids[f"products/{r}"] = GridFrame(np.asarray(term.products, dtype=np.float64), (0, 0),
                                               stats.scale["products"])
            texts[f"times/{r}"] = "×"
            texts[f"equals/{r}"] = "="
            texts[f"partial/{r}"] = f"Σ = {plain(term.partial, 3)}"
    if m.op == "sum":
        texts["title/input"] = wd["input_t"] if m.transposed else wd["input"]
        texts["title/kernel"] = wd["kernel_flipped"] if m.flipped else wd["kernel"]
        texts["title/products"] = wd["products"]
        if shape.more:
            rest = [t for i, t in enumerate(st.terms) if not first <= i < first + shape.rows]
            texts["more"] = wd["more"].format(n=len(rest), s=plain(sum(t.partial for t in rest), 3))
        parts = [f"({plain(t.partial, 3)})" if t.partial < 0 and plain(t.partial, 3) != "0" else plain(t.partial, 3)
                 for t in st.terms[:4]]
        if len(st.terms) > 4:
            parts.append("…")
        bias = plain(st.bias, 3)
        total = " + ".join(parts) + f" + {wd['bias']} {'(' + bias + ')' if st.bias < 0 and bias != '0' else bias}"
        total += f" = {plain(st.value, 3)}"
    elif m.op == "max":
        texts["title/input"] = wd["input"]
        texts["partial/0"] = f"{wd['max']} = {plain(st.value, 3)}"
        total = f"{wd['max']} = {plain(st.value, 3)}"
    else:
        texts["title/input"] = wd["input"]
        s = plain(st.terms[0].partial, 3)
        texts["partial/0"] = f"{wd['sum']} {s} / {st.divisor}"
        total = f"{wd['sum']} {s} / {st.divisor} = {plain(st.value, 3)}"
    texts["total"] = total + "  →  " + wd["at"].format(y=st.oy, x=st.ox)
    oh, ow = shape.out_span
    o0y = page_origin(st.oy, st.oy, m.out_h, oh)
    o0x = page_origin(st.ox, st.ox, m.out_w, ow)
    out = np.asarray(m.output(o)[o0y:o0y + oh, o0x:o0x + ow], dtype=np.float64)
    index = (np.arange(o0y, o0y + oh)[:, None] * m.out_w + np.arange(o0x, o0x + ow)[None, :])
    marked = ()
    if state.contrib is not None:
        marked = _local([(a, b) for a in state.contrib[0] for b in state.contrib[1]], o0y, o0x, oh, ow)
    grids["output"] = GridFrame(out, (o0y, o0x), stats.scale["output"], hidden=index > state.t, marked=marked,
                                current=(st.oy - o0y, st.ox - o0x))
    texts["title/output"] = wd["output"].format(c=o)
    return Frame(shape, grids, texts, state.t, st.oy, st.ox), st


def with_t(state: State, t: int) -> State:
    return replace(state, t=int(t))
