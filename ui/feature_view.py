"""Feature maps: every layer's channels as one mosaic image with a colour bar.

One ImageItem per layer (the channels tiled on a single float32 image with explicit levels and
a 256-entry lookup table), one colour bar, cheap overlays on top.  Maps of layers scrolled out
of sight are not tiled until they scroll in.

Honest numbers: every colour bar is labelled in the map's real values (``map_scale`` says which
real values the two ends of the colour map stand for, in each normalisation mode, and the
Channel view draws a channel with the very same scale as its tile in the mosaic); cells large
enough on screen show their numbers (``CellValues``); an exported layer is a slide-ready picture
(``render_layer_image``).

The view stays where the learner looks: a panel's height is fixed by its layer's shape as soon
as the shapes are known (before any map arrives), the receptive-field caption is drawn over the
plot instead of being inserted into the column, and when heights do change (an edit, a resize,
a dock moved) the map under the learner's eyes is scrolled back to where it was.
"""
from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from convviz import arithmetic as ar
from convviz import display as dp

from .i18n import tr, tr_core
from .qt import QtCore, QtGui, QtWidgets, Qt, Signal, pg

_CMAPS: dict[str, pg.ColorMap] = {}


def cmap(name: str) -> pg.ColorMap:
    if name not in _CMAPS:
        _CMAPS[name] = pg.colormap.get(name)
    return _CMAPS[name]


GRAY, SEQUENTIAL, DIVERGING = "CET-L1", "viridis", "CET-D1"

MIN_CELL_PX = 20  # a cell at least this large on screen shows its number
MAX_CELL_PX = 64  # a small map is not blown up beyond this per cell in the column of maps
MIN_FONT_PX = 11  # numbers smaller than this are not drawn at all (unreadable)
MAX_FONT_PX = 22
MAX_LABELS = 2500  # more visible cells than this: too small to label anyway
ANCHOR_MS = 300  # how long the map in view is held in place while the column is laid out again
STALE_DIM_MS = 150  # maps not recomputed within this long are dimmed (quick edits never flicker)


@lru_cache(maxsize=16)
def lut(name: str) -> np.ndarray:
    """The colour map's 256-entry RGB lookup table (uint8)."""
    return np.ascontiguousarray(cmap(name).getLookupTable(nPts=256, alpha=False), dtype=np.uint8)


@lru_cache(maxsize=16)
def lut4(name: str) -> np.ndarray:
    """The same table with an opaque alpha column: pyqtgraph then makes an RGBA image, never an
    indexed one (an indexed image is converted again on every paint: 3.7 ms against 0.1 ms)."""
    out = np.full((256, 4), 255, dtype=np.uint8)
    out[:, :3] = lut(name)
    return out


@lru_cache(maxsize=512)
def mosaic_layout(channels: int, height: int, width: int) -> dp.Layout:
    """The mosaic grid of a (channels, height, width) map: a function of the shape alone, so
    it can never belong to another array than the one it is asked for."""
    return dp.layout(channels, height, width)


# --- numbers -----------------------------------------------------------------------------------

def plain(v: float, digits: int = 3) -> str:
    """``v`` with ``digits`` significant digits in plain decimals (never ``4e-03``), trailing
    zeros dropped: 16, 1.5, 0.123, -0.0042."""
    v = float(v)
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("∞" if v > 0 else "-∞")
    if v == 0:
        return "0"
    a = abs(v)
    decimals = max(0, digits - 1 - int(math.floor(math.log10(a))))
    s = f"{v:.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def cell_text(v: float, digits: int = 3) -> str:
    """A number as a cell shows it: 2-3 significant digits, plain decimals."""
    return plain(v, digits)


# --- colour scales -----------------------------------------------------------------------------

def channel_extremes(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each channel's smallest and largest value (NaN ignored; NaN for a channel of none), in
    one pass each (the NaN-aware reductions are several times slower: used only if needed)."""
    flat = np.asarray(arr).reshape(arr.shape[0], -1)
    if flat.shape[1] == 0:
        return np.full(arr.shape[0], np.nan), np.full(arr.shape[0], np.nan)
    lo, hi = flat.min(axis=1).astype(np.float64), flat.max(axis=1).astype(np.float64)
    if np.isnan(lo).any() or np.isnan(hi).any():
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanmin(flat, axis=1).astype(np.float64), np.nanmax(flat, axis=1).astype(np.float64)
    return lo, hi


def levels_from(lo: np.ndarray, hi: np.ndarray) -> dp.Levels:
    """The layer's display levels from its channels' extremes (as display.levels_of decides)."""
    finite = np.isfinite(lo) & np.isfinite(hi)
    if not finite.all() or lo.size == 0:
        if lo.size and np.isinf(lo).any() | np.isinf(hi).any():
            return dp.Levels(0.0, 1.0, False)
        if not finite.any():
            return dp.Levels(0.0, 1.0, False)
        lo, hi = lo[finite], hi[finite]
    a, b = float(lo.min()), float(hi.max())
    if a < 0:
        m = max(-a, abs(b))
        return dp.Levels(-m, m, True)
    if b - a < 1e-12:
        return dp.Levels(a, a + 1.0, False)
    return dp.Levels(a, b, False)


def channel_ranges(arr: np.ndarray, signed: bool, extremes=None) -> np.ndarray:
    """(channels, 2) real values at the two ends of each channel's colour map when every
    channel is scaled on its own: -m..m (m its largest magnitude) for a layer with negative
    values, else its min..max.  A constant channel gets a range of 1 so it still draws."""
    lo, hi = channel_extremes(arr) if extremes is None else extremes
    lo, hi = lo.copy(), hi.copy()
    bad = ~(np.isfinite(lo) & np.isfinite(hi))
    lo[bad], hi[bad] = 0.0, 1.0
    if signed:
        m = np.maximum(np.abs(lo), np.abs(hi))
        m[m == 0] = 1.0
        return np.stack([-m, m], axis=1)
    span = hi - lo
    hi[span < 1e-12] = lo[span < 1e-12] + 1.0
    return np.stack([lo, hi], axis=1)


def scale_name(levels: dp.Levels, gray: bool) -> str:
    return DIVERGING if levels.signed else (GRAY if gray else SEQUENTIAL)


def map_scale(arr: np.ndarray, channel: int, mode: str, global_levels: dp.Levels | None = None,
              layer_levels: dp.Levels | None = None) -> dp.Levels:
    """The real values the two ends of the colour map stand for, for ``channel`` of the layer
    maps ``arr`` drawn in normalisation ``mode`` ("channel", "layer" or "global").  The mosaic
    and the Channel view both draw with this, so the same value has the same colour in both."""
    lv = layer_levels or dp.levels_of(arr)
    if mode == "channel":
        lo, hi = channel_ranges(arr[channel:channel + 1], lv.signed)[0]
        return dp.Levels(float(lo), float(hi), lv.signed)
    if mode == "global" and global_levels is not None:
        return global_levels
    return lv


def normalise_with(arr: np.ndarray, ranges: np.ndarray) -> np.ndarray:
    """Each channel mapped from its range (lo, hi) to 0..1."""
    lo = ranges[:, 0].astype(np.float32)[:, None, None]
    span = (ranges[:, 1] - ranges[:, 0]).astype(np.float32)[:, None, None]
    return (np.asarray(arr, dtype=np.float32) - lo) / span


def colours_of(shown: np.ndarray, lo: float, hi: float, name: str) -> np.ndarray:
    """RGB (uint8) of each value of ``shown`` drawn with levels lo..hi in colour map ``name``;
    NaN (gaps between tiles) comes out white."""
    t = (np.asarray(shown, dtype=np.float64) - lo) / (hi - lo if hi != lo else 1.0)
    nan = ~np.isfinite(t)
    idx = np.clip(np.nan_to_num(t, nan=0.0, posinf=1.0, neginf=0.0) * 255.0, 0, 255).astype(np.uint8)
    rgb = lut(name)[idx]
    rgb[nan] = 255
    return rgb


def nice_ticks(lo: float, hi: float, room: int) -> list[float]:
    """Round values strictly between lo and hi, at most ``room`` of them (1, 2, 5 x 10^k apart)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or room < 1:
        return []
    raw = (hi - lo) / (room + 1)
    e = 10 ** math.floor(math.log10(raw))
    step = next(m * e for m in (1, 2, 5, 10) if m * e >= raw)
    k0, k1 = math.floor(lo / step) + 1, math.ceil(hi / step) - 1
    return [k * step for k in range(k0, k1 + 1) if lo < k * step < hi][:room + 2]


# --- drawing numbers in cells ------------------------------------------------------------------

@dataclass
class CellLabels:
    """The numbers to draw over a grid of cells: where, what, in which colour and font size."""

    font_px: int
    items: list  # (row, col, text, QColor)


def cell_labels(values: np.ndarray, shown: np.ndarray, levels: tuple[float, float], name: str, cell_px: float,
                rows: tuple[int, int], cols: tuple[int, int], font: QtGui.QFont,
                max_font_px: int = MAX_FONT_PX) -> CellLabels | None:
    """The labels of the cells in ``rows`` x ``cols`` of ``values`` (NaN cells are gaps) when a
    cell is ``cell_px`` screen pixels: 3 significant digits if they fit, else 2, at one font size
    for the whole grid; None when the cells are too small to hold readable numbers."""
    if cell_px < MIN_CELL_PX:
        return None
    (y0, y1), (x0, x1) = rows, cols
    if y1 <= y0 or x1 <= x0 or (y1 - y0) * (x1 - x0) > MAX_LABELS:
        return None
    block = values[y0:y1, x0:x1]
    where = np.argwhere(np.isfinite(block))
    if len(where) == 0:
        return None
    f = QtGui.QFont(font)
    px = int(min(max_font_px, max(MIN_FONT_PX, cell_px * 0.32)))
    for digits in (3, 2):
        texts = [cell_text(block[r, c], digits) for r, c in where]
        f.setPixelSize(px)
        fm = QtGui.QFontMetricsF(f)
        widest = max(fm.horizontalAdvance(t) for t in texts)
        room = cell_px - 4
        fit = px if widest <= room else int(px * room / widest)
        if fit >= MIN_FONT_PX:
            break
    else:
        return None
    rgb = colours_of(shown[y0:y1, x0:x1], levels[0], levels[1], name)
    lum = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    black, white = QtGui.QColor(20, 20, 20), QtGui.QColor(255, 255, 255)
    items = [(y0 + int(r), x0 + int(c), t, white if lum[r, c] < 140 else black) for (r, c), t in zip(where, texts)]
    return CellLabels(fit, items)


def paint_labels(p: QtGui.QPainter, labels: CellLabels, to_device: QtGui.QTransform, cell_px: float,
                 font: QtGui.QFont) -> None:
    """Draw ``labels`` centred in their cells (cell (r, c) spans [c, c+1] x [r, r+1] in the
    coordinates ``to_device`` maps to the painter's device)."""
    f = QtGui.QFont(font)
    f.setPixelSize(labels.font_px)
    p.save()
    p.resetTransform()
    p.setFont(f)
    for r, c, text, colour in labels.items:
        centre = to_device.map(QtCore.QPointF(c + 0.5, r + 0.5))
        p.setPen(colour)
        p.drawText(QtCore.QRectF(centre.x() - cell_px / 2, centre.y() - cell_px / 2, cell_px, cell_px),
                   int(Qt.AlignmentFlag.AlignCenter), text)
    p.restore()


class CellValues(pg.GraphicsObject):
    """The numbers of the cells of an image, drawn only where a cell is large enough on screen
    to hold a readable number, and only for the cells in view (cheap at any zoom)."""

    def __init__(self):
        super().__init__()
        self.values: np.ndarray | None = None  # real values (NaN: no cell)
        self.shown: np.ndarray | None = None  # what the image draws (for the text's contrast)
        self.levels = (0.0, 1.0)
        self.cmap_name = SEQUENTIAL
        self.last: CellLabels | None = None  # what the last paint drew (None: nothing)

    def set_data(self, values: np.ndarray | None, shown: np.ndarray | None = None, levels=(0.0, 1.0),
                 name: str = SEQUENTIAL) -> None:
        if values is None and self.values is None:
            return  # nothing shown, nothing to show: no scene update on every edit
        self.prepareGeometryChange()
        self.values = values
        self.shown = values if shown is None else shown
        self.levels, self.cmap_name = (float(levels[0]), float(levels[1])), name
        self.last = None
        self.update()

    def boundingRect(self):  # noqa: N802 - Qt's name
        if self.values is None:
            return QtCore.QRectF()
        h, w = self.values.shape
        return QtCore.QRectF(0, 0, w, h)

    def labels(self, to_device: QtGui.QTransform) -> CellLabels | None:
        """What would be drawn with this item-to-device transform."""
        if self.values is None:
            return None
        cell = min(math.hypot(to_device.m11(), to_device.m12()), math.hypot(to_device.m21(), to_device.m22()))
        h, w = self.values.shape
        r = self.viewRect()
        if r is None:
            r = QtCore.QRectF(0, 0, w, h)
        r = r.normalized()
        rows = (max(0, int(math.floor(r.top()))), min(h, int(math.ceil(r.bottom()))))
        cols = (max(0, int(math.floor(r.left()))), min(w, int(math.ceil(r.right()))))
        return cell_labels(self.values, self.shown, self.levels, self.cmap_name, cell, rows, cols, self._font())

    def _font(self) -> QtGui.QFont:
        return QtWidgets.QApplication.font()

    def paint(self, p, *args):
        self.last = None
        if self.values is None:
            return
        t = p.transform()
        labels = self.labels(t)
        if labels is None:
            return
        cell = min(math.hypot(t.m11(), t.m12()), math.hypot(t.m21(), t.m22()))
        paint_labels(p, labels, t, cell, self._font())
        self.last = labels


# --- the colour bar ----------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _strip(name: str) -> QtGui.QImage:
    """The colour map as a 1 x 256 image, high values at the top."""
    rgb = np.ascontiguousarray(lut(name)[::-1].reshape(256, 1, 3))
    img = QtGui.QImage(rgb.data, 1, 256, 3, QtGui.QImage.Format.Format_RGB888)
    return img.convertToFormat(QtGui.QImage.Format.Format_ARGB32_Premultiplied)  # owns its pixels


class ColorBar(QtWidgets.QWidget):
    """A vertical colour bar labelled in the map's real values.

    Cheap by design: changing the values repaints a strip and a few labels; nothing is laid
    out again (pyqtgraph's ColorBarItem re-laid its axis on every new range, the main cost of
    an edit on the teaching preset)."""

    WIDTH = 66

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("colorBar")
        self.setFixedWidth(self.WIDTH)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Expanding)
        self._name = SEQUENTIAL
        self._lo, self._hi = 0.0, 1.0
        self._caption: tuple[str, ...] = ()
        self._end_labels: tuple[str, str] | None = None  # words instead of numbers at the ends
        self._shown = False
        self._font = QtGui.QFont(self.font())
        self._font.setPointSizeF(max(7.5, self._font.pointSizeF() * 0.85))

    def set_scale(self, name: str, lo: float, hi: float, caption: tuple[str, ...] = (),
                  end_labels: tuple[str, str] | None = None) -> None:
        """Colour map ``name`` from real value ``lo`` (bottom) to ``hi`` (top); ``caption``
        lines go above the bar."""
        new = (name, float(lo), float(hi), tuple(caption), end_labels, True)
        if new == (self._name, self._lo, self._hi, self._caption, self._end_labels, self._shown):
            return
        self._name, self._lo, self._hi, self._caption, self._end_labels, self._shown = new
        self.update()

    def clear(self) -> None:
        if self._shown:
            self._shown = False
            self.update()

    def levels(self) -> tuple[float, float]:
        """The real values at the bottom and the top of the bar."""
        return self._lo, self._hi

    def caption(self) -> tuple[str, ...]:
        return self._caption

    def labels(self, height: int | None = None) -> list[tuple[float, str]]:
        """(value, text) of every label drawn: the two ends (the real range) and round values
        between them that have room."""
        h = self.height() if height is None else height
        fm = QtGui.QFontMetrics(self._font)
        top, bottom = self._bar_span(h, fm)
        lo, hi = self._lo, self._hi
        if self._end_labels is not None:
            out = [(lo, self._end_labels[0]), (hi, self._end_labels[1])]
            if lo < 0 < hi:
                out.append((0.0, "0"))
            return out
        k = self.power()
        f = 10.0 ** k
        out = [(lo, plain(lo / f, 3)), (hi, plain(hi / f, 3))]
        room = min(6, int((bottom - top) / (fm.height() * 2.5)) - 1)
        span = hi - lo
        for v in nice_ticks(lo, hi, max(0, room)):
            y = bottom - (v - lo) / span * (bottom - top)
            if min(y - top, bottom - y) >= fm.height() * 1.3:
                out.append((v, plain(v / f, 3)))
        return out

    def power(self) -> int:
        """k when the labels are the values divided by 10^k (written above the bar as x10^k):
        for values below 0.01 or from 100,000 up, whose plain decimals would not fit."""
        m = max(abs(self._lo), abs(self._hi))
        if self._end_labels is not None or m == 0 or not math.isfinite(m) or 0.01 <= m < 1e5:
            return 0
        return int(math.floor(math.log10(m)))

    def _lines(self) -> tuple[str, ...]:
        k = self.power()
        sup = str(k).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        return self._caption + ((f"×10{sup}",) if k else ())

    def _bar_span(self, h: int, fm: QtGui.QFontMetrics) -> tuple[float, float]:
        top = 4 + len(self._lines()) * fm.height() + fm.height() / 2
        return top, h - fm.height() / 2 - 2

    def paintEvent(self, ev):  # noqa: N802
        if not self._shown:
            return
        p = QtGui.QPainter(self)
        p.setFont(self._font)
        fm = QtGui.QFontMetrics(self._font)
        top, bottom = self._bar_span(self.height(), fm)
        p.setPen(QtGui.QColor("#333"))
        for i, line in enumerate(self._lines()):
            p.drawText(QtCore.QRectF(0, 2 + i * fm.height(), self.width(), fm.height()),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), line)
        if bottom - top < 8:
            p.end()
            return
        bar = QtCore.QRectF(2, top, 12, bottom - top)
        p.drawImage(bar, _strip(self._name))
        p.setPen(QtGui.QPen(QtGui.QColor("#555"), 1))
        p.drawRect(bar)
        span = (self._hi - self._lo) or 1.0
        for v, text in self.labels():
            y = bottom - (v - self._lo) / span * (bottom - top)
            p.drawLine(QtCore.QPointF(14, y), QtCore.QPointF(18, y))
            ty = min(max(y - fm.height() / 2, top - fm.height() / 2), bottom - fm.height() / 2)
            p.drawText(QtCore.QRectF(20, ty, self.width() - 20, fm.height()),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        p.end()


# --- one layer ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Drawn:
    """What the mosaic on screen was made from: the array, the subsampling step and the layout
    of the subsampled tiles, recorded together when it is drawn.  Hover, click and the
    receptive-field overlay read this, never a newer array that is not drawn yet."""

    array: np.ndarray
    step: int
    sub: dp.Layout


def dashed_box_item() -> QtWidgets.QGraphicsPathItem:
    """The theoretical receptive-field box: a thin dashed outline that keeps its width at any zoom."""
    item = QtWidgets.QGraphicsPathItem()
    pen = QtGui.QPen(QtGui.QColor("#0a84ff"), 0)
    pen.setCosmetic(True)
    pen.setWidthF(1.6)
    pen.setStyle(Qt.PenStyle.DashLine)
    item.setPen(pen)
    return item


_ARGB: dict[bytes, np.ndarray] = {}


def _argb_table(table: np.ndarray) -> np.ndarray:
    """An opaque RGB(A) lookup table as 32-bit ARGB words (premultiplied: alpha is 255)."""
    key = table.tobytes()
    out = _ARGB.get(key)
    if out is None:
        t = table.astype(np.uint32)
        out = (np.uint32(0xFF000000) | (t[:, 0] << 16) | (t[:, 1] << 8) | t[:, 2]).astype(np.uint32)
        _ARGB[key] = out
    return out


class MapImage(pg.ImageItem):
    """The mosaic image; reports hover and click positions in mosaic pixels.

    Its picture is kept in the painter's own format (premultiplied ARGB32), converted once per
    new image rather than on every paint."""

    def render(self, *args, **kwargs):
        img, table, lv = self.image, self.lut, self.levels
        if (isinstance(img, np.ndarray) and img.ndim == 2 and img.dtype == np.float32 and img.size
                and isinstance(table, np.ndarray) and table.shape == (256, 4) and lv is not None
                and np.ndim(lv) == 1):
            # levels and table in one pass to the painter's own pixels (pyqtgraph's way makes an
            # RGBA image that is then converted again: twice the work, on every new image)
            lo, hi = float(lv[0]), float(lv[1])
            t = (img - np.float32(lo)) * np.float32(255.0 / (hi - lo) if hi != lo else 0.0)
            nan = np.isnan(t)
            np.clip(t, 0, 255, out=t)
            t[nan] = 0
            argb = _argb_table(table)[t.astype(np.uint8)]
            argb[nan] = 0  # the gaps between tiles: transparent
            h, w = argb.shape
            self._argb = argb  # the QImage reads this memory
            self.qimage = QtGui.QImage(argb.data, w, h, 4 * w, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            self._renderRequired = False
            self._unrenderable = False
            return
        super().render(*args, **kwargs)
        q = self.qimage
        if q is not None and q.format() != QtGui.QImage.Format.Format_ARGB32_Premultiplied:
            self.qimage = q.convertToFormat(QtGui.QImage.Format.Format_ARGB32_Premultiplied)

    hovered = Signal(object)  # (y, x) or None
    clicked = Signal(float, float)
    shift_hovered = Signal(float, float)  # hover with Shift held: the receptive field follows

    def hoverEvent(self, ev):  # noqa: N802 - pyqtgraph's name
        if ev.isExit():
            self.hovered.emit(None)
            return
        p = ev.pos()
        self.hovered.emit((p.y(), p.x()))
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.shift_hovered.emit(p.y(), p.x())

    def mouseClickEvent(self, ev):  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            p = ev.pos()
            self.clicked.emit(p.y(), p.x())
            ev.accept()


CAPTION_BAND = 40  # pixels kept below a map whose cells show numbers, for the field's caption


def plot_height(shape: tuple[int, int, int], width: int) -> int:
    """Height of a layer's plot for maps of ``shape`` in a column ``width`` pixels wide: the
    mosaic's aspect ratio, at most MAX_CELL_PX a cell, between 140 and 460 pixels, plus the
    caption band of a map with numbers in its cells.  A function of the shape alone, so a
    panel has its final height before its maps arrive."""
    mh, mw = mosaic_layout(*shape).size
    avail = max(100, width - 26 - ColorBar.WIDTH)
    h = int(min(460, max(140, min(avail * mh / max(mw, 1), mh * MAX_CELL_PX))))
    return h + (CAPTION_BAND if shows_numbers(shape, width) else 0)


def shows_numbers(shape: tuple[int, int, int], width: int) -> bool:
    """Whether the cells of maps of ``shape`` are large enough in the column to show numbers
    (their field caption then gets a band of its own instead of covering the bottom row)."""
    mh, mw = mosaic_layout(*shape).size
    if mh * mw > 64 * 64:
        return False
    avail = max(100, width - 26 - ColorBar.WIDTH)
    h = min(460, max(140, min(avail * mh / max(mw, 1), mh * MAX_CELL_PX)))
    return min(h / mh, avail / mw) >= MIN_CELL_PX


class LayerMapWidget(QtWidgets.QFrame):
    """One layer (or the input, index -1): a header, the mosaic and its colour bar."""

    hovered = Signal(int, int, int, int, float)  # layer, channel, y, x, value
    channel_clicked = Signal(int, int)  # layer, channel
    pixel_clicked = Signal(int, int, int, int)  # layer, channel, y, x
    pixel_shift_hovered = Signal(int, int, int, int)

    def __init__(self, index: int, parent=None):
        super().__init__(parent)
        self.index = index
        self.setObjectName("layerMap")
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.array: np.ndarray | None = None  # the newest maps handed to this view
        self.drawn: Drawn | None = None  # what is on screen
        self._dirty = False
        self._stale = False
        self._norm = "channel"
        self._global: dp.Levels | None = None
        self._levels: dp.Levels | None = None
        self._ranges: np.ndarray | None = None  # per-channel ranges of self.array (channel mode)
        self._extremes: tuple[np.ndarray, np.ndarray] | None = None
        self._bar_channel = 0  # whose range the bar shows in per-channel mode (the hovered one)
        self._hovering = False
        self._gray = index < 0
        self._band = 0  # pixels below the map kept for the field's caption (maps with numbers)
        self._cmap_name: str | None = None  # the colour map of the mosaic drawn

        self.header = QtWidgets.QLabel(self)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.formula = QtWidgets.QLabel(self)
        self.formula.setObjectName("formula")
        self.formula.setStyleSheet("color: #555; font-family: monospace;")
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout = QtWidgets.QLabel(self)
        self.readout.setObjectName("readout")
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # its text changes with the pointer: it must never change the panel's layout
        self.readout.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.readout.setFixedHeight(self.readout.fontMetrics().height() + 2)
        top = QtWidgets.QGridLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setHorizontalSpacing(8)
        top.setVerticalSpacing(0)
        top.addWidget(self.header, 0, 0, 1, 2)
        top.addWidget(self.formula, 1, 0)
        top.addWidget(self.readout, 1, 1)
        top.setColumnStretch(0, 3)
        top.setColumnStretch(1, 2)

        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground("#f7f7f9")
        self.graphics.ci.setContentsMargins(2, 2, 2, 2)
        self.view = self.graphics.addViewBox(row=0, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.image = MapImage(autoDownsample=True)
        self.view.addItem(self.image)
        self.cells = CellValues()
        self.cells.setZValue(12)
        self.view.addItem(self.cells)
        self.bar = ColorBar(self)
        self.plot = QtWidgets.QWidget(self)
        row = QtWidgets.QHBoxLayout(self.plot)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.graphics, 1)
        row.addWidget(self.bar)
        self.plot.setFixedHeight(180)
        # receptive-field overlay: the exact cells (one RGBA image) and the theoretical box
        self.field = None  # convviz.receptive.MapSet on this map
        self.field_box: tuple[int, int, int, int] | None = None
        self.field_image = pg.ImageItem()
        self.field_image.setZValue(10)
        self.view.addItem(self.field_image)
        self.box_item = dashed_box_item()
        self.box_item.setZValue(11)
        self.view.addItem(self.box_item)

        self.message = QtWidgets.QLabel(self)
        self.message.setWordWrap(True)
        self.message.setObjectName("layerMessage")
        self.message.hide()
        # The receptive field's caption lies over the bottom of the plot: showing a field never
        # moves a panel (a caption inserted into the column pushed deep layers ~500 px down).
        self.field_label = QtWidgets.QLabel(self.graphics)
        self.field_label.setWordWrap(True)
        self.field_label.setObjectName("fieldLabel")
        self.field_label.setStyleSheet("color: #8a4300; background: rgba(255, 255, 255, 215); "
                                       "border-radius: 3px; padding: 1px 4px;")
        self.field_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.field_label.hide()

        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.plot)
        lay.addWidget(self.message)

        self.image.hovered.connect(self._on_hover)
        self.image.clicked.connect(self._on_click)
        self.image.shift_hovered.connect(self._on_shift_hover)
        self.graphics.installEventFilter(self)
        self.readout.installEventFilter(self)

    # --- state -------------------------------------------------------------------------------
    def set_header(self, html: str, formula: str = "") -> None:
        self.header.setText(html)
        self.formula.setText(formula)
        self.formula.setVisible(bool(formula))

    def fit_shape(self, shape: tuple[int, int, int] | None, width: int) -> bool:
        """Give the plot its height for maps of ``shape`` (known from the arithmetic before any
        map is computed); True if the height changed."""
        if shape is None:
            return False
        shape = tuple(int(v) for v in shape)
        target = plot_height(shape, width)
        band = CAPTION_BAND if shows_numbers(shape, width) else 0
        if band != self._band:
            self._band = band
            self.graphics.ci.setContentsMargins(2, 2, 2, 2 + band)
        if self.plot.minimumHeight() != target or self.plot.maximumHeight() != target:
            self.plot.setFixedHeight(target)
            return True
        return False

    def fit_height(self, width: int) -> bool:
        """Size the plot to the mosaic's aspect ratio for the available width."""
        return self.array is not None and self.fit_shape(self.array.shape, width)

    def set_problem(self, text: str | None, blocked: bool = False) -> None:
        """Show why this layer has no maps: its own error (red) or an earlier one (grey)."""
        if text:
            self.message.setText(text)
            self.message.setProperty("kind", "blocked" if blocked else "error")
            self.message.setStyleSheet("color: #777;" if blocked else "color: #b00020; font-weight: 600;")
            self.message.show()
            self.array = None
            self.drawn = None
            self.image.clear()
            self.cells.set_data(None)
            self.bar.clear()
            self.readout.setText("")
            self._render_field()
            self.graphics.setEnabled(False)
            self.graphics.setBackground("#ececec")
        elif not self.graphics.isEnabled() or not self.message.isHidden():
            # (only when it was marked: a new background repaints the whole plot, every edit)
            self.message.hide()
            self.graphics.setEnabled(True)
            self.graphics.setBackground("#f7f7f9")

    def set_stale(self, stale: bool, dim: bool = True) -> None:
        """Mark the maps as being recomputed; ``dim`` them now (the column dims them only when
        the compute takes a while, so quick edits never flicker)."""
        self._stale = stale
        if not stale or dim:
            self.image.setOpacity(0.35 if stale else 1.0)

    def set_array(self, arr: np.ndarray | None, render: bool = True) -> None:
        self.array = arr
        self._levels = None  # computed when first needed
        self._ranges = self._extremes = None
        self.set_stale(False)
        self._dirty = True
        if arr is None:
            self.drawn = None
            self.image.clear()
            self.cells.set_data(None)
            self.bar.clear()
            self._render_field()
        else:
            if self._bar_channel >= arr.shape[0]:
                self._bar_channel = 0
            if render and self.is_visible():
                self.render()

    def set_normalisation(self, mode: str, global_levels: dp.Levels | None) -> None:
        if (mode, global_levels) == (self._norm, self._global):
            return
        self._norm, self._global = mode, global_levels
        self._dirty = True
        if self.is_visible():
            self.render()

    def is_visible(self) -> bool:
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def extremes(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Each channel's smallest and largest value (one pass over the maps, kept)."""
        if self._extremes is None and self.array is not None:
            self._extremes = channel_extremes(self.array)
        return self._extremes

    def levels(self) -> dp.Levels | None:
        if self._levels is None and self.array is not None:
            self._levels = levels_from(*self.extremes())
        return self._levels

    def ranges(self) -> np.ndarray | None:
        """Per-channel real ranges of the maps (what each channel's colours stand for in
        per-channel mode), over the full-resolution array."""
        if self._ranges is None and self.array is not None:
            self._ranges = channel_ranges(self.array, self.levels().signed, self.extremes())
        return self._ranges

    def scale(self, channel: int | None = None) -> dp.Levels | None:
        """The real values at the ends of the colour map for ``channel`` (default: the one the
        bar shows) as drawn now."""
        if self.array is None:
            return None
        c = self._bar_channel if channel is None else channel
        if self._norm == "channel":
            lo, hi = self.ranges()[c]
            return dp.Levels(float(lo), float(hi), self.levels().signed)
        if self._norm == "global" and self._global is not None:
            return self._global
        return self.levels()

    def render_if_dirty(self) -> None:
        if self._dirty and self.array is not None and self.is_visible():
            self.render()

    def _step_for_view(self, lay: dp.Layout) -> int:
        """Subsampling step so the mosaic is not much larger than the pixels showing it: a
        64x224x224 layer is 2475x1350 pixels tiled, drawn in a view a third that size."""
        mh, mw = lay.size
        vw = max(64, self.graphics.width() - 4)
        vh = max(64, self.plot.height() - 4)
        scale = min(vw / mw, vh / mh)
        return max(1, int(1.0 / scale)) if scale < 1 else 1

    def render(self, full: bool = False) -> None:
        """Tile, normalise and hand the mosaic to the ImageItem (one image, explicit levels).

        Unless ``full``, the channels are subsampled to about the resolution of the view; the
        hover readout still reads the full-resolution array."""
        self._dirty = False
        if self.array is None:
            return
        arr = self.array
        c, h, w = arr.shape
        lay = mosaic_layout(c, h, w)
        f = 1 if full else self._step_for_view(lay)
        sub = arr[:, ::f, ::f] if f > 1 else arr
        sub_layout = dp.Layout(c, sub.shape[1], sub.shape[2], lay.cols, lay.rows)
        layer_lv = self.levels()
        if self._norm == "channel":
            data = normalise_with(sub, self.ranges())
            lo, hi = 0.0, 1.0
        else:
            data = sub
            lv = self._global if (self._norm == "global" and self._global) else layer_lv
            lo, hi = lv.lo, lv.hi
        name = scale_name(layer_lv if self._norm != "global" or not self._global else self._global, self._gray)
        mosaic, _ = dp.tile(data, sub_layout)
        self.image.setLookupTable(lut4(name))
        self.image.setImage(mosaic, levels=(lo, hi), autoLevels=False)
        self.view.setRange(xRange=(0, mosaic.shape[1]), yRange=(0, mosaic.shape[0]), padding=0.02)
        self.drawn = Drawn(arr, f, sub_layout)
        self._cmap_name = name
        # numbers in the cells: only small mosaics can have cells large enough to hold them
        if f == 1 and mosaic.size <= 64 * 64:
            values = mosaic if self._norm != "channel" else dp.tile(sub, sub_layout)[0]
            self.cells.set_data(values, mosaic, (lo, hi), name)
        else:
            self.cells.set_data(None)
        self._update_bar()
        self._render_field()

    def _update_bar(self) -> None:
        """The colour bar and the scale line in real values (per channel: the hovered channel's)."""
        sc = self.scale()
        if sc is None:
            self.bar.clear()
            return
        name = self._cmap_name or scale_name(sc, self._gray)
        lo, hi = plain(sc.lo), plain(sc.hi)
        if self._norm == "channel":
            self.bar.set_scale(name, sc.lo, sc.hi, (tr("per channel"), tr("ch {c}").format(c=self._bar_channel)))
            note = tr("colours normalised per channel · channel {c}: {lo} to {hi}").format(
                c=self._bar_channel, lo=lo, hi=hi)
            short = tr("channel {c}: {lo} to {hi}").format(c=self._bar_channel, lo=lo, hi=hi)
        else:
            self.bar.set_scale(name, sc.lo, sc.hi)
            note = (tr("colours: {lo} to {hi} (all layers)") if self._norm == "global" and self._global
                    else tr("colours: {lo} to {hi} (this layer)")).format(lo=lo, hi=hi)
            short = tr("{lo} to {hi}").format(lo=lo, hi=hi)
        self._scale_notes = (note, short)
        if not self._hovering:
            self._show_scale_note()

    def _show_scale_note(self) -> None:
        """The scale line, shortened when the panel is narrow (the bar names the mode too)."""
        notes = getattr(self, "_scale_notes", ("", ""))
        fits = self.readout.fontMetrics().horizontalAdvance(notes[0]) <= self.readout.width()
        self.readout.setText(notes[0] if fits or not self.readout.width() else notes[1])

    @property
    def _step(self) -> int:
        return self.drawn.step if self.drawn is not None else 1

    @property
    def _sub_layout(self) -> dp.Layout | None:
        return self.drawn.sub if self.drawn is not None else None

    # --- receptive field -----------------------------------------------------------------------
    def set_field(self, mapset, box=None, text: str = "") -> None:
        """Show an exact receptive field (a MapSet on this map) and the theoretical box
        (top, left, bottom, right; may extend past the map), or clear them (None)."""
        self.field, self.field_box = mapset, box
        self.field_label.setText(text)
        self.field_label.setToolTip(text)
        self.field_label.setVisible(bool(text))
        self._place_caption()
        self._render_field()

    def _place_caption(self) -> None:
        if self.field_label.isHidden():
            return
        g = self.graphics
        w = max(60, g.width() - 12)
        h = self.field_label.heightForWidth(w)
        h = min(h, max(self._band - 2, 20, g.height() // 2))
        self.field_label.setGeometry(6, max(0, g.height() - h - 2), w, h)
        self.field_label.raise_()

    def eventFilter(self, obj, ev):  # noqa: N802 - resized: the caption and the scale line follow
        if ev.type() == QtCore.QEvent.Type.Resize:
            if obj is self.graphics:
                self._place_caption()
            elif obj is self.readout and not self._hovering:
                self._show_scale_note()
        return False

    def field_mask(self) -> np.ndarray | None:
        """The overlay as drawn: True where the mosaic shows a field cell."""
        img = self.field_image.image
        return None if img is None else img[..., 3] > 0

    def _render_field(self) -> None:
        d = self.drawn
        if self.field is None or d is None:
            if self.field_image.image is not None:
                self.field_image.clear()
            if not self.box_item.path().isEmpty():
                self.box_item.setPath(QtGui.QPainterPath())
            return
        c, h, w = d.array.shape
        f, sub = d.step, d.sub
        if (self.field.rows and self.field.rows[-1] >= h) or (self.field.cols and self.field.cols[-1] >= w):
            # the maps on screen are from before an edit; the overlay follows with the new maps
            self.field_image.clear()
            self.box_item.setPath(QtGui.QPainterPath())
            return
        rows = np.zeros(h, bool)
        cols = np.zeros(w, bool)
        rows[list(self.field.rows)] = True
        cols[list(self.field.cols)] = True
        # a subsampled cell is marked when any full-resolution pixel it stands for is in the field
        rs = np.add.reduceat(rows, np.arange(0, h, f)) > 0 if f > 1 else rows
        cs = np.add.reduceat(cols, np.arange(0, w, f)) > 0 if f > 1 else cols
        tile = np.outer(rs, cs).astype(np.float32)
        mask, _ = dp.tile(np.broadcast_to(tile, (c,) + tile.shape), sub, fill=0.0)
        rgba = np.zeros(mask.shape + (4,), np.uint8)
        rgba[mask > 0] = (255, 140, 0, 115)
        self.field_image.setImage(rgba, autoLevels=False)
        path = QtGui.QPainterPath()
        if self.field_box is not None:
            t, l, b, r = self.field_box
            for ch in range(c):
                oy, ox = sub.origin(ch)
                tile_rect = QtCore.QRectF(ox, oy, sub.width, sub.height)
                box = QtCore.QRectF(ox + l / f, oy + t / f, (r - l + 1) / f, (b - t + 1) / f).intersected(tile_rect)
                if not box.isEmpty():
                    path.addRect(box)
        self.box_item.setPath(path)

    # --- interaction -------------------------------------------------------------------------
    def locate(self, y: float, x: float):
        """(channel, y, x) in the full-resolution array under mosaic scene point (y, x)."""
        d = self.drawn
        if d is None:
            return None
        hit = d.sub.locate(y, x)
        if hit is None:
            return None
        ch = hit[0]
        oy, ox = d.sub.origin(ch)
        f = d.step
        _, h, w = d.array.shape
        return ch, min(h - 1, int((y - oy) * f)), min(w - 1, int((x - ox) * f))

    def scene_point(self, ch: int, y: float, x: float) -> tuple[float, float]:
        """Where full-resolution pixel (ch, y, x)'s top-left corner is drawn, in scene units."""
        d = self.drawn
        oy, ox = d.sub.origin(ch)
        return oy + y / d.step, ox + x / d.step

    def widget_point(self, ch: int, y: float, x: float) -> QtCore.QPoint:
        """The centre of pixel (ch, y, x) in this widget's coordinates (for a pointer there)."""
        sy, sx = self.scene_point(ch, y, x)
        d = self.drawn
        c = QtCore.QPointF(sx + 0.5 / d.step, sy + 0.5 / d.step)
        scene = self.view.mapViewToScene(c)
        vp = self.graphics.mapFromScene(scene)
        return self.graphics.viewport().mapTo(self, vp)

    def _on_hover(self, pos) -> None:
        hit = self.locate(*pos) if pos is not None else None
        if hit is None:
            self._hovering = False
            self._show_scale_note()
            return
        ch, y, x = hit
        self._hovering = True
        value = float(self.drawn.array[ch, y, x])
        self.readout.setText(tr("channel {c} · y {y}, x {x} · <b>{v}</b>").format(c=ch, y=y, x=x, v=plain(value, 4)))
        if self._norm == "channel" and ch != self._bar_channel:
            self._bar_channel = ch
            self._update_bar()
        self.hovered.emit(self.index, ch, y, x, value)

    def _on_click(self, y: float, x: float) -> None:
        hit = self.locate(y, x)
        if hit is not None:
            self.channel_clicked.emit(self.index, hit[0])
            self.pixel_clicked.emit(self.index, *hit)

    def _on_shift_hover(self, y: float, x: float) -> None:
        hit = self.locate(y, x)
        if hit is not None:
            self.pixel_shift_hovered.emit(self.index, *hit)


class FeatureArea(QtWidgets.QScrollArea):
    """Every layer's map, the input first, in one scrolling column: a view of a ComputeSession.

    It keeps no maps of its own besides what each widget shows: a layer delivered while the
    compute runs is only noted (its index), and the map is read from the session when the
    coalescing timer draws, so a map an edit has made stale or invalid is never drawn."""

    hovered = Signal(int, int, int, int, float)
    channel_clicked = Signal(int, int)
    pixel_clicked = Signal(int, int, int, int)
    pixel_shift_hovered = Signal(int, int, int, int)
    normalisation_changed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # always there: a scroll bar appearing would narrow the column and change every height
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        inner = QtWidgets.QWidget()
        inner.setObjectName("featureInner")
        self._column = QtWidgets.QVBoxLayout(inner)
        self._column.setContentsMargins(4, 4, 4, 4)
        self._column.setSpacing(6)
        self._column.addStretch(1)
        self.setWidget(inner)
        self.widgets: list[LayerMapWidget] = []  # [input, layer 0, layer 1, ...]
        self.norm = "channel"
        self.session = None
        self.verticalScrollBar().valueChanged.connect(self._render_visible)
        self._coalesce = QtCore.QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(150)
        self._coalesce.timeout.connect(self.flush)
        self._dim = QtCore.QTimer(self)
        self._dim.setSingleShot(True)
        self._dim.setInterval(STALE_DIM_MS)
        self._dim.timeout.connect(self._dim_stale)
        self._arrived: set[int] = set()  # layers delivered since the last draw (read from the session)
        self._looked_at: LayerMapWidget | None = None  # the map the pointer last clicked or traced
        self._anchor: tuple[LayerMapWidget, int] | None = None
        # The anchor holds while Qt lays the column out in its own time (no extra work of ours):
        # each time the scroll range changes or the anchored panel moves it is scrolled back; it
        # is let go shortly after, or at once when the learner scrolls.
        self._let_go = QtCore.QTimer(self)
        self._let_go.setSingleShot(True)
        self._let_go.setInterval(ANCHOR_MS)
        self._let_go.timeout.connect(self._release_view)
        self.verticalScrollBar().rangeChanged.connect(lambda *_: self._keep_anchor())
        self.verticalScrollBar().actionTriggered.connect(lambda *_: self._release_view(keep=False))

    def attach(self, session) -> None:
        """Follow ``session`` (a ui.session.ComputeSession)."""
        self.session = session
        session.analysed.connect(self.show_analysis)
        session.layer_ready.connect(self._layer_ready)
        session.result_ready.connect(self.show_result)
        session.stopped.connect(self._stopped)

    def widget_for(self, index: int) -> LayerMapWidget:
        return self.widgets[index + 1]

    def ensure_count(self, n_layers: int) -> None:
        while len(self.widgets) < n_layers + 1:
            w = LayerMapWidget(len(self.widgets) - 1)
            w.hovered.connect(self.hovered)
            w.channel_clicked.connect(self.channel_clicked)
            w.pixel_clicked.connect(self.pixel_clicked)
            w.pixel_shift_hovered.connect(self.pixel_shift_hovered)
            w.pixel_clicked.connect(lambda *_a, w=w: self._look_at(w))
            w.pixel_shift_hovered.connect(lambda *_a, w=w: self._look_at(w))
            w.set_normalisation(self.norm if w.index >= 0 else "layer", None)
            self._column.insertWidget(self._column.count() - 1, w)
            self.widgets.append(w)
        while len(self.widgets) > n_layers + 1:
            w = self.widgets.pop()
            if self._looked_at is w:
                self._looked_at = None
            self._column.removeWidget(w)
            w.hide()  # off the screen now; deleted (with its maps) when the event loop next runs
            w.deleteLater()

    def _look_at(self, w: LayerMapWidget) -> None:
        self._looked_at = w

    # --- keeping the view where the learner looks ----------------------------------------------
    def _focus_widget(self) -> LayerMapWidget | None:
        """The map the learner is looking at: the one last clicked or traced if it is in view,
        else the topmost one in view."""
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        w = self._looked_at
        if w is not None and w in self.widgets and w.y() < bottom and w.y() + w.height() > top:
            return w
        for w in self.widgets:
            if w.isVisible() and w.y() + w.height() > top:
                return w
        return None

    def hold_view(self) -> None:
        """Remember where the map in view is, before something may change the panels' heights;
        it is kept there while the column is laid out again."""
        if self._anchor is None:
            w = self._focus_widget()
            if w is not None:
                self._anchor = (w, w.y() - self.verticalScrollBar().value())
                w.installEventFilter(self)
                self._let_go.start()

    def _keep_anchor(self) -> None:
        a = self._anchor
        if a is None:
            return
        w, offset = a
        if w in self.widgets and w.isVisible():
            sb = self.verticalScrollBar()
            if sb.value() != w.y() - offset:
                sb.setValue(w.y() - offset)

    def _release_view(self, keep: bool = True) -> None:
        if keep:
            self._keep_anchor()
        self._let_go.stop()
        a, self._anchor = self._anchor, None
        if a is not None:
            a[0].removeEventFilter(self)
        self._render_visible()

    def eventFilter(self, obj, ev):  # noqa: N802 - the anchored panel moved: scroll it back
        if ev.type() == QtCore.QEvent.Type.Move and self._anchor is not None and obj is self._anchor[0]:
            self._keep_anchor()
        return False

    def fit_all(self, shapes: dict[int, tuple[int, int, int]] | None = None) -> None:
        """Every panel at its height for the current width (``shapes``: index -> known shape),
        keeping the map in view where it is."""
        width = self.viewport().width()
        self.hold_view()
        for w in self.widgets:
            shape = shapes.get(w.index) if shapes else None
            if shape is None and w.array is not None:
                shape = w.array.shape
            w.fit_shape(shape, width)

    # --- following the session ---------------------------------------------------------------
    def show_analysis(self, project, info, first: int) -> None:
        """Headers, formulas and messages of a new project state (before any compute): invalid
        layers say why and lose their maps; maps from layer ``first`` on are marked stale (and
        dimmed if the new ones take a while).  Every panel gets its final height now."""
        self.hold_view()
        self.ensure_count(len(project.layers))
        shapes: dict[int, tuple[int, int, int]] = {-1: tuple(project.input.shape)}
        for l in info.layers:
            w = self.widget_for(l.index)
            w.set_header(header_html(l), tr_core(l.formula) if l.ok else "")
            if l.error:
                w.set_problem(tr_core(l.error))
            elif l.blocked_by is not None:
                w.set_problem(tr("Not computed: layer {i} is invalid").format(i=l.blocked_by), blocked=True)
            else:
                w.set_problem(None)
                shapes[l.index] = _map_shape(l.out_shape)
                if l.index >= first:
                    w.set_stale(True, dim=False)
        iw = self.widget_for(-1)
        src = source_label(project.input.source)
        if self.session is not None and self.session.input_override is not None:  # the drawing, a test example
            src = _escape(self.session.input_label or tr("a drawn input"))
        iw.set_header(tr("<b>Input</b> · {shape} · {src}").format(shape=list(project.input.shape), src=src))
        if self.session is None or self.session.map(-1) is None:
            iw.set_stale(True, dim=False)  # a new input: its map comes with the result
        self.fit_all(shapes)
        self._dim.start()

    def _dim_stale(self) -> None:
        for w in self.widgets:
            if w._stale:
                w.set_stale(True)

    def _layer_ready(self, generation: int, index: int) -> None:
        # the GUI thread does next to nothing per layer while torch runs: note it, draw later
        self._arrived.add(index)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def show_result(self, res) -> None:
        """Draw the whole result of the session's current generation."""
        self._arrived.clear()
        info = self.session.info
        self.hold_view()
        if res.input is not None:
            iw = self.widget_for(-1)
            if iw.array is not res.input:
                self.set_layer_array(-1, res.input)
            else:
                iw.set_stale(False)
        for i, arr in enumerate(res.outputs):
            if i + 1 >= len(self.widgets):
                break
            w = self.widget_for(i)
            if arr is None:
                if w.array is not None and info.layers[i].ok:
                    w.set_array(None)
                w.set_stale(False)
            elif w.array is not arr:
                w.set_array(arr, render=False)
                w.fit_height(self.viewport().width())
            else:
                w.set_stale(False)  # the same maps (an edit that was undone): no redraw
        if self.norm == "global":
            self.refresh_levels()

        self._render_visible()
        if res.error:
            error = tr_core(res.error)
            if res.error_layer is not None and res.error_layer + 1 < len(self.widgets):
                self.widget_for(res.error_layer).set_problem(error)
            elif res.error.startswith(("Input:", "Not computed:")):
                for i in range(min(len(res.outputs), len(self.widgets) - 1)):
                    if info.layers[i].ok:
                        self.widget_for(i).set_problem(error, blocked=True)

    def _stopped(self, generation: int) -> None:
        self.flush()  # what arrived before Stop is shown
        for w in self.widgets[1:]:
            if w._stale:
                w.set_problem(tr("Not computed: stopped — press F5 to compute"), blocked=True)

    def flush(self) -> None:
        """Draw the layers that arrived, reading each from the session: what an edit made
        stale or invalid since it arrived is not there any more, and is not drawn."""
        arrived, self._arrived = self._arrived, set()
        width = self.viewport().width()
        drew = False
        self.hold_view()
        for index in sorted(arrived):
            arr = self.session.map(index) if self.session is not None else None
            if arr is None or index + 1 >= len(self.widgets):
                continue
            w = self.widget_for(index)
            if w.array is not arr:
                w.set_array(arr, render=False)
                w.fit_height(width)
                drew = True
        if drew and self.norm == "global":
            self.refresh_levels()

        self._render_visible()

    # --- drawing -------------------------------------------------------------------------------
    def set_normalisation(self, mode: str) -> None:
        self.norm = mode
        self.refresh_levels()
        self.normalisation_changed.emit(mode)

    def global_levels(self) -> dp.Levels | None:
        out = None
        for w in self.widgets[1:]:
            lv = w.levels()
            if lv is not None:
                out = lv if out is None else dp.merge_levels(out, lv)
        return out

    def refresh_levels(self) -> None:
        g = self.global_levels() if self.norm == "global" else None
        for w in self.widgets:
            w.set_normalisation(self.norm if w.index >= 0 else "layer", g)

    def mode_for(self, index: int) -> str:
        """The normalisation layer ``index`` is drawn with (the input: always its own range)."""
        return self.norm if index >= 0 else "layer"

    def set_layer_array(self, index: int, arr) -> bool:
        """Show a layer's new maps now; True if its panel's height changed."""
        w = self.widget_for(index)
        w.set_array(arr)
        moved = w.fit_height(self.viewport().width())
        if self.norm == "global" and index >= 0:
            self.refresh_levels()
        return moved

    def _render_visible(self, *_):
        self._coalesce.stop()
        for w in self.widgets:
            w.render_if_dirty()

    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        QtCore.QTimer.singleShot(0, self, self._render_visible)

    def resizeEvent(self, ev):  # noqa: N802
        self.hold_view()  # positions are still those of the old width
        super().resizeEvent(ev)
        self.fit_all()
        self._render_visible()

    def scroll_to_layer(self, index: int) -> None:
        if 0 <= index + 1 < len(self.widgets):
            self.ensureWidgetVisible(self.widgets[index + 1], 0, 0)

    def ensureWidgetVisible(self, w, xmargin: int = 50, ymargin: int = 50) -> None:  # noqa: N802 - Qt's name
        self._release_view(keep=False)  # scrolled on purpose: what was in view is no longer held
        super().ensureWidgetVisible(w, xmargin, ymargin)


def _map_shape(shape) -> tuple[int, int, int] | None:
    """The (channels, height, width) a layer's output is drawn as (a vector folded into a grid)."""
    if shape is None:
        return None
    shape = tuple(int(v) for v in shape)
    if len(shape) == 3:
        return shape
    fn = getattr(dp, "map_shape", None)
    try:
        return fn(shape) if fn is not None else None
    except ValueError:
        return None


def header_html(l) -> str:
    """A layer's header line: index, type and arguments, then its output shape and cost."""
    spec = l.spec
    args = _escape(spec.kwargs_text())
    head = f"<b>{l.index} · {spec.type}</b><span style='color:#555'>({args})</span>"
    if l.ok:
        return (f"{head} &nbsp;→&nbsp; <b>{list(l.out_shape)}</b> · {l.params:,} " + tr("params") +
                f" · {ar.human_count(l.macs)} MACs")
    return head


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def source_label(src: str) -> str:
    if src.startswith(("sample:", "pattern:")):
        kind, name = src.split(":", 1)
        from .i18n import current_language, tr_in
        from .input_panel import PATTERN_LABELS, SAMPLE_LABELS
        label = (SAMPLE_LABELS if kind == "sample" else PATTERN_LABELS).get(name)
        if label and current_language() != "en":  # the name the Input panel gives it
            return tr_in("InputPanel", label)
        return name.replace("_", " ")
    return os.path.basename(src)


# --- one channel, enlarged ---------------------------------------------------------------------

class ChannelView(QtWidgets.QWidget):
    """One channel enlarged, with hover readout; zoom with the wheel (numbers appear in the
    cells when they are large enough), Fit to see it whole again.  Drawn with the same colour
    scale as its tile in the mosaic, so the two agree."""

    MIN_PLOT = 150  # pixels: the plot never shrinks below a readable size

    def sizeHint(self):  # noqa: N802 - the Channel dock's width on first start (a saved layout wins)
        return QtCore.QSize(280, 420)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QtWidgets.QLabel(tr("Click a channel in any map to enlarge it here."))
        self.title.setWordWrap(True)
        self.readout = QtWidgets.QLabel("")
        self.readout.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.readout.setFixedHeight(self.readout.fontMetrics().height() + 2)
        self.fit_button = QtWidgets.QToolButton()
        self.fit_button.setText(tr("Fit"))
        self.fit_button.setToolTip(tr("Show the whole channel again (the wheel zooms, dragging pans)"))
        self.fit_button.setAutoRaise(True)
        self.fit_button.clicked.connect(self.fit)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#f7f7f9")
        self.graphics.setMinimumSize(self.MIN_PLOT, self.MIN_PLOT)
        self.graphics.ci.setContentsMargins(2, 2, 2, 2)
        self.view = self.graphics.addViewBox(lockAspect=True, invertY=True)
        self.view.setMenuEnabled(False)
        self.image = MapImage()
        self.view.addItem(self.image)
        self.cells = CellValues()
        self.cells.setZValue(12)
        self.view.addItem(self.cells)
        self.bar = ColorBar()
        self.box_item = dashed_box_item()
        self.box_item.setZValue(11)
        self.view.addItem(self.box_item)
        plot = QtWidgets.QHBoxLayout()
        plot.setContentsMargins(0, 0, 0, 0)
        plot.setSpacing(4)
        plot.addWidget(self.graphics, 1)
        plot.addWidget(self.bar)
        bottom = QtWidgets.QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.readout, 1)
        bottom.addWidget(self.fit_button)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addLayout(plot, 1)
        lay.addLayout(bottom)
        self.array: np.ndarray | None = None
        self.key: tuple[int, int] | None = None  # (layer, channel); layer -2: a heat map (effective field)
        self.session = None
        self.features: FeatureArea | None = None
        self.zoomed = False  # the learner zoomed or panned: resizing keeps their view
        self._scale: dp.Levels | None = None
        self._colormap: str | None = None
        self.image.hovered.connect(self._on_hover)
        self.view.sigRangeChangedManually.connect(self._zoomed_by_hand)
        self.view.sigResized.connect(self._resized)
        self._dim = QtCore.QTimer(self)
        self._dim.setSingleShot(True)
        self._dim.setInterval(STALE_DIM_MS)
        self._dim.timeout.connect(lambda: self.set_stale(True))

    def attach(self, session, features: FeatureArea | None = None) -> None:
        """Follow ``session``: the channel on show is dimmed while its layer is recomputed and
        redrawn from the session's maps when they arrive; ``features`` says how maps are
        normalised, so the channel has the colours of its tile in the mosaic."""
        self.session = session
        self.features = features
        session.analysed.connect(self._analysed)
        session.layer_ready.connect(self._layer_ready)
        session.result_ready.connect(self._result)
        if features is not None:
            features.normalisation_changed.connect(self._renormalise)

    def scale_of(self, layer: int, channel: int, maps: np.ndarray) -> dp.Levels:
        """The colour scale the mosaic draws channel ``channel`` of ``layer`` with."""
        f = self.features
        if f is None:
            return map_scale(maps, channel, "channel")
        mode = f.mode_for(layer)
        w = f.widget_for(layer) if 0 <= layer + 1 < len(f.widgets) else None
        layer_lv = w.levels() if w is not None and w.array is maps else None
        return map_scale(maps, channel, mode, f.global_levels() if mode == "global" else None, layer_lv)

    def show_map(self, layer: int, channel: int) -> bool:
        """Show channel ``channel`` of layer ``layer`` (-1: the input) from the session's current
        maps; False if it has none."""
        maps = self.session.map(layer) if self.session is not None else None
        if maps is None or not 0 <= channel < maps.shape[0]:
            return False
        arr = maps[channel]
        what = tr("Input") if layer < 0 else f"{layer} · {self.session.project.layers[layer].type}"
        sc = self.scale_of(layer, channel, maps)
        self.show_channel(layer, channel, arr, tr("<b>{what}</b> · channel {c} · {h}×{w}").format(
            what=what, c=channel, h=arr.shape[0], w=arr.shape[1]),
            colormap=scale_name(sc, layer < 0), levels=sc)
        return True

    def _renormalise(self, _mode: str) -> None:
        if self.key is not None and self.key[0] >= -1:
            self.show_map(*self.key)

    def _analysed(self, project, info, first) -> None:
        if self.key is not None and self.key[0] >= -1 and self.session.map(self.key[0]) is None:
            self._dim.start()

    def _layer_ready(self, generation: int, index: int) -> None:
        if self.key is not None and self.key[0] == index:
            self.show_map(*self.key)

    def _result(self, res) -> None:
        if self.key is None:
            self.show_map(0, 0)  # something to look at from the start
        elif self.key[0] >= -1 and not self.show_map(*self.key):
            self.clear()

    def show_channel(self, layer: int, channel: int, arr: np.ndarray, label: str, colormap: str | None = None,
                     box: tuple[int, int, int, int] | None = None, levels: dp.Levels | None = None) -> None:
        """Show one channel (or, with ``colormap``, a heat map such as the effective receptive
        field, ``box`` outlining the theoretical field) with the colour scale ``levels`` (real
        values at the ends of the colour map; default: the channel's own range)."""
        same_frame = self.array is not None and self.array.shape == arr.shape and self.key is not None and \
            (self.key[0] == -2) == (layer == -2)
        self.key = (layer, channel)
        self.array = arr
        lv = levels or dp.levels_of(arr)
        name = colormap or scale_name(lv, layer == -1)
        self._scale, self._colormap = lv, name
        path = QtGui.QPainterPath()
        if box is not None:
            t, l, b, r = box
            path.addRect(QtCore.QRectF(l, t, r - l + 1, b - t + 1))
        self.box_item.setPath(path)
        data = np.asarray(arr, dtype=np.float32)
        self.image.setLookupTable(lut4(name))
        self.image.setImage(data, levels=(lv.lo, lv.hi), autoLevels=False)
        self.cells.set_data(data, data, (lv.lo, lv.hi), name)
        self.bar.set_scale(name, lv.lo, lv.hi)
        self.title.setText(label)
        self._dim.stop()
        self.image.setOpacity(1.0)
        if not (same_frame and self.zoomed):
            self.fit()

    def fit(self) -> None:
        """The whole channel in view (after a zoom, a resize or a dock change)."""
        self.zoomed = False
        if self.array is None:
            return
        h, w = self.array.shape
        self.view.setRange(QtCore.QRectF(0, 0, w, h), padding=0.02)
        self.fit_button.setVisible(False)

    def _zoomed_by_hand(self, *_):
        self.zoomed = True
        self.fit_button.setVisible(True)

    def _resized(self, *_):
        if not self.zoomed:
            self.fit()

    def set_stale(self, stale: bool) -> None:
        """Dim the channel while the maps it is taken from are being recomputed."""
        self.image.setOpacity(0.35 if stale else 1.0)

    def clear(self) -> None:
        self.key = self.array = None
        self.image.clear()
        self.cells.set_data(None)
        self.box_item.setPath(QtGui.QPainterPath())
        self.bar.clear()
        self.title.setText(tr("Click a channel in any map to enlarge it here."))
        self.readout.setText("")

    def _on_hover(self, pos) -> None:
        if pos is None or self.array is None:
            self.readout.setText("")
            return
        y, x = int(pos[0]), int(pos[1])
        if 0 <= y < self.array.shape[0] and 0 <= x < self.array.shape[1]:
            self.readout.setText(tr("y {y}, x {x} · value {v}").format(y=y, x=x, v=plain(float(self.array[y, x]), 4)))

    def image_rect_on_screen(self) -> QtCore.QRectF:
        """Where the channel is drawn, in the plot's pixels (tests check it fits the plot)."""
        if self.array is None:
            return QtCore.QRectF()
        h, w = self.array.shape
        r = self.view.mapViewToScene(QtCore.QRectF(0, 0, w, h)).boundingRect()
        return self.graphics.mapFromScene(r).boundingRect().toRectF()


# --- a layer as a picture for slides -----------------------------------------------------------

def render_layer_image(arr: np.ndarray, title: str, mode: str, global_levels: dp.Levels | None = None,
                       gray: bool = False, min_width: int = 1600, max_side: int = 16000):
    """A layer's maps as a slide-ready picture: the title, every channel labelled (in
    per-channel mode with its real range), a colour bar in real values, numbers in the cells
    when they are large enough, scaled up (nearest neighbour, so pixels stay sharp) to at least
    ``min_width`` pixels wide.  Returns (QImage, texts drawn) — the texts for tests."""
    arr = np.asarray(arr, dtype=np.float32)
    c, h, w = arr.shape
    lay = mosaic_layout(c, h, w)
    layer_lv = dp.levels_of(arr)
    if mode == "channel":
        ranges = channel_ranges(arr, layer_lv.signed)
        data, lo, hi = normalise_with(arr, ranges), 0.0, 1.0
    else:
        ranges = None
        lv = global_levels if (mode == "global" and global_levels is not None) else layer_lv
        data, lo, hi = arr, lv.lo, lv.hi
    name = scale_name(global_levels if (mode == "global" and global_levels is not None) else layer_lv, gray)

    app_font = QtWidgets.QApplication.font()
    title_font = QtGui.QFont(app_font)
    title_font.setPixelSize(26)
    title_font.setBold(True)
    note_font = QtGui.QFont(app_font)
    note_font.setPixelSize(17)
    label_font = QtGui.QFont(app_font)
    label_font.setPixelSize(16)
    margin, gap, bar_area = 28, 14, 190
    fm_label = QtGui.QFontMetrics(label_font)
    label_h = fm_label.height() + 4
    grid_w_target = max(200, min_width - 2 * margin - bar_area)
    k = max(1, math.ceil((grid_w_target - (lay.cols - 1) * gap) / (lay.cols * w)))
    k = max(1, min(k, max_side // max(1, lay.cols * w), max_side // max(1, lay.rows * h)))
    tw, th = w * k, h * k
    grid_w = lay.cols * tw + (lay.cols - 1) * gap
    grid_h = lay.rows * (th + label_h) + (lay.rows - 1) * gap
    head_h = QtGui.QFontMetrics(title_font).height() + QtGui.QFontMetrics(note_font).height() + 16
    width = max(min_width, 2 * margin + grid_w + bar_area)
    height = 2 * margin + head_h + max(grid_h, 240)
    img = QtGui.QImage(width, height, QtGui.QImage.Format.Format_RGB32)
    img.fill(QtGui.QColor("white"))
    texts: list[str] = []
    p = QtGui.QPainter(img)
    p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
    p.setPen(QtGui.QColor("#111"))
    p.setFont(title_font)
    y = margin
    p.drawText(QtCore.QRectF(margin, y, width - 2 * margin, QtGui.QFontMetrics(title_font).height()),
               int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)
    texts.append(title)
    y += QtGui.QFontMetrics(title_font).height() + 4
    if mode == "channel":
        note = tr("Colours normalised per channel: each channel from its own minimum to its maximum "
                  "(ranges beside the channel numbers)")
        if layer_lv.signed:
            note = tr("Colours normalised per channel: each channel from -m to +m, m its largest magnitude "
                      "(beside the channel numbers)")
    elif mode == "global" and global_levels is not None:
        note = tr("Colours: one scale for all layers, {lo} to {hi}").format(lo=plain(lo), hi=plain(hi))
    else:
        note = tr("Colours: this layer's range, {lo} to {hi}").format(lo=plain(lo), hi=plain(hi))
    p.setFont(note_font)
    p.setPen(QtGui.QColor("#444"))
    p.drawText(QtCore.QRectF(margin, y, width - 2 * margin, QtGui.QFontMetrics(note_font).height()),
               int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), note)
    texts.append(note)
    top = margin + head_h
    rgb_all = colours_of(data, lo, hi, name)  # (c, h, w, 3)
    p.setFont(label_font)
    tile_origin: list[tuple[int, int]] = []
    for ch in range(c):
        r, col = divmod(ch, lay.cols)
        ox = margin + col * (tw + gap)
        oy = top + r * (th + label_h + gap)
        tile_origin.append((ox, oy + label_h))
        label = tr("ch {c}").format(c=ch)
        if ranges is not None:
            a, b = ranges[ch]
            label += " · " + (f"±{plain(b)}" if layer_lv.signed
                              else tr("{lo} to {hi}").format(lo=plain(a), hi=plain(b)))
        p.setPen(QtGui.QColor("#222"))
        p.drawText(QtCore.QRectF(ox, oy, tw + gap, label_h),
                   int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), label)
        texts.append(label)
        tile = np.ascontiguousarray(rgb_all[ch])
        q = QtGui.QImage(tile.data, w, h, 3 * w, QtGui.QImage.Format.Format_RGB888)
        p.drawImage(QtCore.QRectF(ox, oy + label_h, tw, th), q)
        p.setPen(QtGui.QPen(QtGui.QColor("#999"), 1))
        p.drawRect(QtCore.QRectF(ox - 0.5, oy + label_h - 0.5, tw + 1, th + 1))
        if k >= MIN_CELL_PX:
            labels = cell_labels(arr[ch], data[ch], (lo, hi), name, float(k), (0, h), (0, w), label_font,
                                 max_font_px=44)  # a slide: numbers read from the back of the room
            if labels is not None:
                to_dev = QtGui.QTransform(k, 0, 0, k, ox, oy + label_h)
                paint_labels(p, labels, to_dev, float(k), label_font)
                texts += [t for _r, _c, t, _col in labels.items]
    # the colour bar, in real values (per channel: each channel's own ends, named)
    bx, by, bh = margin + grid_w + 40, top + label_h, max(200, min(grid_h - label_h, 600))
    bar = ColorBar()
    bar._font = QtGui.QFont(label_font)
    if mode == "channel":
        ends = ("-m", "+m") if layer_lv.signed else (tr("min"), tr("max"))
        bar.set_scale(name, -1.0 if layer_lv.signed else 0.0, 1.0, (tr("per channel"),), ends)
    else:
        bar.set_scale(name, lo, hi)
    bar.setFixedSize(bar_area - 40, bh)
    for _v, t in bar.labels(bh):
        texts.append(t)
    p.translate(bx, by)
    bar.render(p, QtCore.QPoint(0, 0), QtGui.QRegion(), QtWidgets.QWidget.RenderFlag(0))
    p.end()
    bar.deleteLater()
    return img, {"texts": texts, "scale": k, "tiles": tile_origin, "tile_size": (th, tw), "levels": (lo, hi),
                 "cmap": name}
