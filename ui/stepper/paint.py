"""Painting a stepper Frame with a Layout on any QPainter.

The same code draws the canvas on screen and every frame of a GIF.  It uses only QPainter,
QImage, QFont and QStaticText, which Qt allows off the GUI thread on a QImage (no QPixmap, no
widget), so a GIF is rendered by a background job.  Each thread uses its own ``Painter``: the
text cache is not shared.
"""
from __future__ import annotations

import numpy as np

from ..qt import QtCore, QtGui, Qt
from .frame import H_INDEX, SMALL, TEXT, TOTAL, Frame, GridFrame, Layout

INK = (17, 17, 17)
PADDING_FILL = (236, 236, 236)
HIDDEN_FILL = (252, 252, 252)
DIM_GREY = (120, 120, 120)
TAPS = "#1f6feb"
WINNER = "#f08c00"
MARKED = "#e8a200"
CURRENT = "#d0021b"
PREVIEW = "#8a8a8a"


def colours(values: np.ndarray, scale: float) -> np.ndarray:
    """Diverging blue-white-red for values on [-scale, scale], as uint8 RGB (h, w, 3)."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    t = np.clip(v / (scale if scale > 0 else 1.0), -1.0, 1.0)
    pos, neg = np.clip(t, 0, None), np.clip(-t, 0, None)
    r = 1.0 - 0.6 * neg
    g = 1.0 - 0.5 * pos - 0.42 * neg
    b = 1.0 - 0.6 * pos
    return (np.stack([r, g, b], axis=-1) * 255 + 0.5).astype(np.uint8)


MONO_FAMILIES = ("DejaVu Sans Mono", "Consolas", "Menlo", "SF Mono", "Cascadia Mono", "Liberation Mono",
                 "Noto Sans Mono", "Ubuntu Mono", "Courier New")


def fixed_family() -> str:
    """The monospaced family for numbers (call on the GUI thread; pass the name to workers): a
    real family, not the generic "Monospace", which the CJK fallback may stand in for."""
    families = set(QtGui.QFontDatabase.families())
    for name in MONO_FAMILIES:
        if name in families:
            return name
    return QtGui.QFontInfo(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)).family()


def text_family() -> str:
    return QtGui.QGuiApplication.font().family()


class Painter:
    def __init__(self, mono: str, sans: str):
        self.mono, self.sans = mono, sans
        self._fonts: dict = {}
        self._static: dict = {}

    def font(self, px: int, mono: bool = True, bold: bool = False) -> QtGui.QFont:
        key = (px, mono, bold)
        f = self._fonts.get(key)
        if f is None:
            f = QtGui.QFont(self.mono if mono else self.sans)
            if mono:
                f.setStyleHint(QtGui.QFont.StyleHint.Monospace)
            f.setPixelSize(max(6, int(px)))
            f.setBold(bold)
            self._fonts[key] = f
        return f

    def _st(self, text: str, font: QtGui.QFont, key) -> QtGui.QStaticText:
        st = self._static.get((text, key))
        if st is None:
            if len(self._static) > 20000:
                self._static.clear()
            st = QtGui.QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(QtGui.QTransform(), font)
            self._static[(text, key)] = st
        return st

    # --- the frame -----------------------------------------------------------------------------
    def paint(self, p: QtGui.QPainter, frame: Frame, layout: Layout, clip: QtCore.QRectF | None = None) -> None:
        """Draw ``frame``; with ``clip``, only the grids that reach into it."""
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing, True)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        p.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, False)
        for key, g in frame.grids.items():
            if key in layout.geo.grids and (clip is None or clip.intersects(grid_area(layout, key))):
                self._grid(p, key, g, layout)
        self._texts(p, frame, layout)

    def _texts(self, p: QtGui.QPainter, frame: Frame, layout: Layout) -> None:
        c = layout.cell
        for key, text in frame.texts.items():
            if key not in layout.geo.texts or not text:
                continue
            x, y, w, h = layout.text_rect(key)
            kind = key.split("/")[0]
            if kind in ("times", "equals"):
                f = self.font(int(0.55 * c), mono=False)
                align = Qt.AlignmentFlag.AlignCenter
                colour = QtGui.QColor(80, 80, 80)
            elif kind == "total":
                f = self.font(int(TOTAL * c), mono=True, bold=True)
                align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                colour = QtGui.QColor(*INK)
            elif kind == "title":
                f = self.font(int(TEXT * c), mono=False, bold=True)
                align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                colour = QtGui.QColor(34, 34, 34)
            elif kind == "name":
                f = self.font(int(TEXT * c), mono=False, bold=True)
                align = Qt.AlignmentFlag.AlignCenter
                colour = QtGui.QColor(85, 85, 85)
            elif kind == "partial":
                f = self.font(int(TEXT * c), mono=True, bold=True)
                align = (Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop if h < 0.8 * c else
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                colour = QtGui.QColor(*INK)
            else:  # more
                f = self.font(int(TEXT * c), mono=False)
                align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                colour = QtGui.QColor(85, 85, 85)
            p.setFont(f)
            p.setPen(colour)
            fm = QtGui.QFontMetricsF(f)
            if kind == "name":  # written upwards beside the rows
                p.save()
                p.translate(x + w / 2, y + h / 2)
                p.rotate(-90)
                shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, h)
                p.drawText(QtCore.QRectF(-h / 2, -w / 2, h, w), Qt.AlignmentFlag.AlignCenter, shown)
                p.restore()
                continue
            shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, w) if fm.horizontalAdvance(text) > w else text
            p.drawText(QtCore.QRectF(x, y, w, h), align, shown)

    def _grid(self, p: QtGui.QPainter, key: str, g: GridFrame, layout: Layout) -> None:
        box = layout.geo.grids[key]
        kind = key.split("/")[0]
        c = layout.cell
        cw = box.aspect * c
        x0, y0, gw, gh = layout.grid_rect(key)
        h, w = g.values.shape
        h, w = min(h, box.rows), min(w, box.cols)
        if h == 0 or w == 0:
            return
        vals = g.values[:h, :w]
        rgb = colours(vals, g.scale)
        if g.hatched is not None:
            rgb[g.hatched[:h, :w]] = PADDING_FILL
        if g.hidden is not None:
            rgb[g.hidden[:h, :w]] = HIDDEN_FILL
        if g.winner is not None and 0 <= g.winner[0] < h and 0 <= g.winner[1] < w:
            rgb[g.winner] = (255, 214, 140)
        if g.dim is not None:  # no window reads these: greyed, the number still legible
            d = g.dim[:h, :w]
            rgb[d] = (rgb[d].astype(np.float32) * 0.5 + 0.5 * np.array(DIM_GREY, np.float32)).astype(np.uint8)
        # one fill per cell: cheaper than scaling an image for the few dozen cells of a grid
        packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
        for r in range(h):
            for cc in range(w):
                p.fillRect(QtCore.QRectF(x0 + cc * cw, y0 + r * c, cw, c), QtGui.QColor(int(packed[r, cc])))
        if g.hatched is not None and g.hatched[:h, :w].any():
            brush = QtGui.QBrush(QtGui.QColor(176, 176, 176), Qt.BrushStyle.BDiagPattern)
            for r, cc in zip(*np.nonzero(g.hatched[:h, :w])):
                p.fillRect(QtCore.QRectF(x0 + cc * cw, y0 + r * c, cw, c), brush)
        # grid lines
        p.setPen(QtGui.QPen(QtGui.QColor(200, 200, 200), 1))
        p.drawLines([QtCore.QLineF(x0, y0 + r * c, x0 + w * cw, y0 + r * c) for r in range(h + 1)] +
                    [QtCore.QLineF(x0 + cc * cw, y0, x0 + cc * cw, y0 + h * c) for cc in range(w + 1)])
        # labels, 0-based: the padded grid's (or the map's) own indices
        small = self.font(int(SMALL * c), mono=True)
        p.setFont(small)
        p.setPen(QtGui.QColor(110, 110, 110))
        oy, ox = g.origin
        if box.col_labels:
            for cc in range(w):
                p.drawText(QtCore.QRectF(x0 + cc * cw, y0 - H_INDEX * c, cw, H_INDEX * c),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, str(cc + ox))
        if box.row_labels:
            for r in range(h):
                p.drawText(QtCore.QRectF(x0 - box.label_w * c, y0 + r * c, box.label_w * c - 0.1 * c, c),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(r + oy))
        # numbers: one font per grid
        px = layout.number_px(kind)
        font = self.font(px, mono=True)
        p.setFont(font)
        ink, grey = QtGui.QColor(*INK), QtGui.QColor(90, 90, 90)
        src_font = self.font(int(SMALL * c * 0.95), mono=True)
        pending_sources = []
        for r in range(h):
            for cc in range(w):
                text = g.text(r, cc)
                if not text:
                    continue
                st = self._st(text, font, px)
                sz = st.size()
                lab = g.sources.get((r, cc))
                dy = -0.16 * c if lab else 0.0
                p.setPen(grey if (g.hatched is not None and g.hatched[r, cc]) else ink)
                p.drawStaticText(QtCore.QPointF(x0 + cc * cw + (cw - sz.width()) / 2,
                                                y0 + r * c + (c - sz.height()) / 2 + dy), st)
                if lab:
                    pending_sources.append((r, cc, lab))
        if pending_sources:
            p.setFont(src_font)
            p.setPen(QtGui.QColor(122, 75, 0))
            for r, cc, lab in pending_sources:
                p.drawText(QtCore.QRectF(x0 + cc * cw, y0 + r * c + 0.52 * c, cw, 0.4 * c),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, lab)
        # outlines
        p.setBrush(Qt.BrushStyle.NoBrush)
        if g.box is not None:
            t, l, b, rr = g.box
            pen = QtGui.QPen(QtGui.QColor(TAPS), max(1.5, 0.04 * c), Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawRect(QtCore.QRectF(x0 + l * cw, y0 + t * c, (rr - l + 1) * cw, (b - t + 1) * c))

        def cells(items, colour, width, inset, style=Qt.PenStyle.SolidLine):
            inside = [(r, cc) for r, cc in items if 0 <= r < h and 0 <= cc < w]
            if not inside:
                return
            p.setPen(QtGui.QPen(QtGui.QColor(colour), width, style, Qt.PenCapStyle.SquareCap,
                                Qt.PenJoinStyle.MiterJoin))
            p.drawRects([QtCore.QRectF(x0 + cc * cw + inset, y0 + r * c + inset, cw - 2 * inset, c - 2 * inset)
                         for r, cc in inside])
        tw = max(2.0, 0.075 * c)
        cells(g.preview, PREVIEW, max(1.5, 0.05 * c), tw / 2, Qt.PenStyle.DashLine)
        cells(g.marked, MARKED, tw, tw / 2)
        cells(g.taps, TAPS, tw, tw / 2)
        if g.winner is not None:  # inside the tap's outline, thicker: both stay visible
            ww = max(3.0, 0.12 * c)
            cells([g.winner], WINNER, ww, tw + ww / 2)
        if g.current is not None:
            cells([g.current], CURRENT, max(2.5, 0.09 * c), max(2.5, 0.09 * c) / 2)


def grid_area(layout: Layout, key: str) -> QtCore.QRectF:
    """What painting a grid covers: its cells and labels, and its outlines' overhang."""
    x, y, w, h = layout.grid_rect(key)
    b = layout.geo.grids[key]
    c = layout.cell
    return QtCore.QRectF(x - b.label_w * c - 2, y - H_INDEX * c - 2, w + b.label_w * c + 4, h + H_INDEX * c + 4)


def text_area(layout: Layout, key: str) -> QtCore.QRectF:
    x, y, w, h = layout.text_rect(key)
    if key.startswith("name/"):  # drawn upwards, centred on its box
        return QtCore.QRectF(x - h, y - 2, w + 2 * h, h + 4)
    return QtCore.QRectF(x - 2, y - 2, w + 4, h + 4)


def render(painter: Painter, frame: Frame, layout: Layout) -> QtGui.QImage:
    """The frame on a new white QImage (any thread)."""
    w, h = layout.size
    img = QtGui.QImage(max(1, w), max(1, h), QtGui.QImage.Format.Format_RGB32)
    img.fill(QtGui.QColor("white"))
    p = QtGui.QPainter(img)
    painter.paint(p, frame, layout)
    p.end()
    return img


def to_rgb(img: QtGui.QImage) -> np.ndarray:
    """A copy of an image's pixels as (h, w, 3) uint8."""
    img = img.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes()).reshape(h, img.bytesPerLine())
    return buf[:, :w * 3].reshape(h, w, 3).copy()


