"""A 3-D view of a convolution: the input block (C x H x W, its padding ring around it), the K
kernel blocks (C/groups x kh x kw each) and the output block (K x H' x W', one slice per kernel),
drawn with QPainter in an isometric (or oblique) projection — no OpenGL, so it renders offscreen
and in the handouts.  It follows the kernel stepper: the window the stepper's step reads is lit on
the input (through the input channels the kernel reads), the kernel it uses is lit, and the
output cell it computes is lit on that kernel's output slice.  Adding a kernel (out_channels)
adds an output slice.

The geometry (``Scene``) is plain data made by ``scene_for`` from the project's analysis and a
convviz.sliding.Slider — the stepper's own when it shows the layer, so the lit window is exactly
the stepper's — and the painter only draws it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.kernels import weight_shapes
from convviz.sliding import Slider

from ..i18n import tr
from ..qt import QtCore, QtGui, QtWidgets, Qt

KINDS = ("Conv2d", "ConvTranspose2d")
MAX_SLABS = 8  # channel slices drawn per block at most (more channels share a slice)
MAX_KERNELS = 6  # kernel blocks drawn at most
LIT = QtGui.QColor("#ff9500")
PROJECTIONS = {  # screen vectors of one cell along x (columns), y (rows) and z (channels, going back)
    "isometric": ((0.866, 0.5), (0.0, 1.0), (0.866, -0.5)),
    "oblique": ((1.0, 0.0), (0.0, 1.0), (0.42, -0.42)),
}
SLAB = 1.0  # depth of a channel slice, in cells
GAP = 0.35  # between slices


@dataclass(frozen=True)
class Scene:
    """What the view draws for one layer (all sizes in cells)."""

    layer: int
    type: str
    input: tuple[int, int, int]  # C, H, W
    grid: tuple[int, int]  # the padded grid the window slides over (zero-inserted for a transposed conv)
    pad_before: tuple[int, int]  # top, left padding rows / columns
    inserted: int  # 1, or the stride of a transposed convolution (input pixels every s-th cell)
    kernel: tuple[int, int, int, int]  # K, C/groups, kh, kw
    groups: int
    dilation: tuple[int, int]
    output: tuple[int, int, int]  # K, H', W'
    window: tuple[int, int, int, int] | None = None  # top, left, bottom, right on the grid (inclusive)
    taps: tuple[tuple[int, int], ...] = ()  # the grid cells the kernel's taps read
    window_channels: tuple[int, ...] = ()  # the input channels the lit kernel reads
    kernel_lit: int | None = None
    out_cell: tuple[int, int] | None = None  # (oy, ox) on slice ``kernel_lit``

    @property
    def k(self) -> int:
        return self.kernel[0]


def geometry_slider(spec, in_shape, out_shape) -> Slider:
    """A Slider of the layer on zero-stride zeros: its grid and taps without any numbers."""
    zeros = np.broadcast_to(np.float32(0), tuple(in_shape))
    out = np.broadcast_to(np.float32(0), tuple(out_shape))
    weights = [np.broadcast_to(np.float64(0), s) for s in weight_shapes(spec, in_shape[0])]  # no copy
    return Slider(spec, zeros, out, weights)


def scene_for(info, index: int, slider: Slider | None = None, step=None, out_channel: int | None = None) -> Scene | None:
    """The scene of layer ``index`` of an analysed stack (convviz.validate.StackInfo); ``slider``
    and ``step`` (the stepper's model and its current step, when it shows this layer) light the
    window, the kernel and the output cell.  None when the layer is not a valid convolution."""
    if info is None or not 0 <= index < len(info.layers):
        return None
    li = info.layers[index]
    spec = li.spec
    if spec.type not in KINDS or not li.ok or li.in_shape is None or li.out_shape is None or len(li.in_shape) != 3:
        return None
    geo = slider if slider is not None else geometry_slider(spec, li.in_shape, li.out_shape)
    c_in, h, w = li.in_shape
    k_out, ho, wo = li.out_shape
    groups = int(spec.get("groups") or 1)
    kh, kw = geo.kernel
    scene = dict(layer=index, type=spec.type, input=(c_in, h, w), grid=(geo.grid.height, geo.grid.width),
                 pad_before=tuple(int(v) for v in geo.grid.pad_before), inserted=int(geo.grid.inserted),
                 kernel=(k_out, c_in // groups, int(kh), int(kw)), groups=groups,
                 dilation=tuple(int(v) for v in geo.dilation), output=(k_out, ho, wo))
    if step is not None:
        o = int(step.out_channel if out_channel is None else out_channel)
        taps = tuple((int(a), int(b)) for i, a in enumerate(step.tap_y) for j, b in enumerate(step.tap_x)
                     if step.valid[i, j])
        scene.update(window=tuple(int(v) for v in step.window), taps=taps,
                     window_channels=tuple(geo.group_channels(o)), kernel_lit=o, out_cell=(int(step.oy), int(step.ox)))
    return Scene(**scene)


def slabs(n: int) -> int:
    """Channel slices drawn for ``n`` channels."""
    return max(1, min(n, MAX_SLABS))


def slab_of(c: int, n: int) -> int:
    """The slice that draws channel ``c`` of ``n``."""
    return min(slabs(n) - 1, c * slabs(n) // max(1, n))


def drawn_kernels(k: int, lit: int | None) -> list[int]:
    """The kernels drawn: all of them up to MAX_KERNELS, else the first ones and the lit one."""
    if k <= MAX_KERNELS:
        return list(range(k))
    first = list(range(MAX_KERNELS))
    if lit is not None and lit >= MAX_KERNELS:
        first[-1] = lit
    return first


def _gray(a: np.ndarray, symmetric: bool = False) -> QtGui.QImage:
    a = np.asarray(a, dtype=np.float64)
    a = np.where(np.isfinite(a), a, 0.0)
    if symmetric:
        m = float(np.abs(a).max()) or 1.0
        g = 127.5 + 127.5 * a / m
    else:
        lo, hi = float(a.min()), float(a.max())
        g = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.full(a.shape, 160.0)
    g = np.ascontiguousarray(np.clip(g, 0, 255).astype(np.uint8))
    img = QtGui.QImage(g.data, g.shape[1], g.shape[0], g.strides[0], QtGui.QImage.Format.Format_Grayscale8)
    return img.copy()


class _Block:
    """One block's placement on the canvas: screen origin, cell size and projection."""

    def __init__(self, vectors, u: float, ox: float, oy: float):
        self.ex, self.ey, self.ez = vectors
        self.u, self.ox, self.oy = u, ox, oy

    def p(self, x: float, y: float, z: float) -> QtCore.QPointF:
        u = self.u
        return QtCore.QPointF(self.ox + u * (x * self.ex[0] + y * self.ey[0] + z * self.ez[0]),
                              self.oy + u * (x * self.ex[1] + y * self.ey[1] + z * self.ez[1]))

    def transform(self, x0: float, y0: float, z: float) -> QtGui.QTransform:
        """Image pixel (col, row) -> screen, for an image on the front face at (x0, y0, z)."""
        o = self.p(x0, y0, z)
        u = self.u
        return QtGui.QTransform(u * self.ex[0], u * self.ex[1], u * self.ey[0], u * self.ey[1], o.x(), o.y())


def extent(vectors, w: float, h: float, d: float) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) on screen of a w x h x d box at the origin, one cell = 1."""
    ex, ey, ez = vectors
    xs, ys = [], []
    for x in (0, w):
        for y in (0, h):
            for z in (0, d):
                xs.append(x * ex[0] + y * ey[0] + z * ez[0])
                ys.append(x * ex[1] + y * ey[1] + z * ez[1])
    return min(xs), min(ys), max(xs), max(ys)


def depth(n: int) -> float:
    return slabs(n) * SLAB + (slabs(n) - 1) * GAP


class Canvas(QtWidgets.QWidget):
    """Paints the view's scene."""

    def __init__(self, view: "Kernel3DView"):
        super().__init__(view)
        self.view = view
        self.setMinimumSize(300, 170)
        self.placed: dict = {}  # "input", "kernel/<k>", "output" -> _Block (tests, hit checks)

    def sizeHint(self):  # noqa: N802
        return QtCore.QSize(480, 230)

    def paintEvent(self, ev):  # noqa: N802
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QtGui.QColor("white"))
        sc = self.view.scene
        if sc is None:
            p.setPen(QtGui.QColor("#666"))
            p.drawText(self.rect().adjusted(12, 12, -12, -12), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.view.message)
            p.end()
            return
        try:
            self._paint(p, sc)
        finally:
            p.end()

    # --- clicks -------------------------------------------------------------------------------------
    def hit(self, pos: QtCore.QPointF) -> tuple | None:
        """What is under ``pos``: ("kernel", k), ("output", oy, ox) on the front slice, or None."""
        sc = self.view.scene
        if sc is None or not self.placed:
            return None
        k, cg, kh, kw = sc.kernel
        _, ho, wo = sc.output
        for key, b in self.placed.items():
            inv, ok = b.transform(0, 0, 0).inverted()
            if not ok:
                continue
            q = inv.map(QtCore.QPointF(pos))
            x, y = q.x(), q.y()
            if key.startswith("kernel/") and 0 <= x < kw and 0 <= y < kh:
                return ("kernel", int(key.split("/")[1]))
            if key == "output" and 0 <= x < wo and 0 <= y < ho:
                return ("output", int(y), int(x))
        return None

    def mousePressEvent(self, ev):  # noqa: N802
        """A click on a kernel follows it in the stepper; on an output cell, steps there."""
        h = self.hit(ev.position())
        st = self.view.stepper
        sc = self.view.scene
        if h is None or st is None or sc is None or sc.window is None:  # the stepper is elsewhere
            return super().mousePressEvent(ev)
        if h[0] == "kernel":
            st.channel_spin.setValue(h[1])
        else:
            st.output_clicked(h[1], h[2])

    # --- layout ---------------------------------------------------------------------------------
    def _layout(self, sc: Scene):
        vec = PROJECTIONS[self.view.projection]
        hp, wp = sc.grid
        k, cg, kh, kw = sc.kernel
        _, ho, wo = sc.output
        e_in = extent(vec, wp, hp, depth(sc.input[0]))
        e_k = extent(vec, kw, kh, depth(cg))
        e_out = extent(vec, wo, ho, depth(k))
        nk = len(drawn_kernels(k, sc.kernel_lit))
        fm = self.fontMetrics()
        text_h = fm.height() * (3 if self.height() >= 200 else 1) + 6
        top = fm.height() + 12
        gap = 40.0
        W, H = self.width() - 24.0, self.height() - top - text_h - 8
        wi, wk, wo_ = (e[2] - e[0] for e in (e_in, e_k, e_out))
        hi, hk, ho_ = (e[3] - e[1] for e in (e_in, e_k, e_out))
        avail = max(40.0, W - 2 * gap)
        u = min(avail / (wi + wk + wo_), H / max(hi, ho_), 44.0)
        uk = u
        if u < 12:
            uk = 12.0
            u = max(0.5, min((avail - wk * uk) / max(1e-9, wi + wo_), H / max(hi, ho_)))
        kgap = 10.0
        uk = min(uk, max(2.0, (H - (nk - 1) * kgap) / (nk * hk)), 44.0)
        widths = (wi * u, wk * uk, wo_ * u)
        total = sum(widths) + 2 * gap
        x = 12 + max(0.0, (W - total) / 2)
        cy = top + H / 2
        blocks = {}
        blocks["input"] = _Block(vec, u, x - e_in[0] * u, cy - (e_in[1] + e_in[3]) / 2 * u)
        x += widths[0] + gap
        col_h = nk * hk * uk + (nk - 1) * kgap
        y = cy - col_h / 2
        for j, kk in enumerate(drawn_kernels(k, sc.kernel_lit)):
            blocks[f"kernel/{kk}"] = _Block(vec, uk, x - e_k[0] * uk, y - e_k[1] * uk)
            y += hk * uk + kgap
        x += widths[1] + gap
        blocks["output"] = _Block(vec, u, x - e_out[0] * u, cy - (e_out[1] + e_out[3]) / 2 * u)
        bottoms = {"input": cy + (e_in[3] - e_in[1]) / 2 * u, "kernels": cy + col_h / 2,
                   "output": cy + (e_out[3] - e_out[1]) / 2 * u}
        lefts = {"input": 12 + max(0.0, (W - total) / 2)}
        lefts["kernels"] = lefts["input"] + widths[0] + gap
        lefts["output"] = lefts["kernels"] + widths[1] + gap
        return blocks, widths, bottoms, lefts, gap

    # --- painting -------------------------------------------------------------------------------
    @staticmethod
    def _poly(p, pts, fill, pen):
        p.setBrush(fill)
        p.setPen(pen)
        p.drawPolygon(QtGui.QPolygonF(pts))

    def _box(self, p, b: _Block, x0, y0, z0, w, h, d, fill: QtGui.QColor, pen: QtGui.QPen, front=True):
        """A w x h x d box: top, right side, then (``front``) the front face."""
        P = b.p
        top = [P(x0, y0, z0), P(x0 + w, y0, z0), P(x0 + w, y0, z0 + d), P(x0, y0, z0 + d)]
        right = [P(x0 + w, y0, z0), P(x0 + w, y0, z0 + d), P(x0 + w, y0 + h, z0 + d), P(x0 + w, y0 + h, z0)]
        self._poly(p, top, fill.lighter(112), pen)
        self._poly(p, right, fill.darker(115), pen)
        if front:
            self._poly(p, [P(x0, y0, z0), P(x0 + w, y0, z0), P(x0 + w, y0 + h, z0), P(x0, y0 + h, z0)], fill, pen)

    def _grid_lines(self, p, b: _Block, x0, y0, z, w, h, color):
        if b.u < 6:
            return
        p.setPen(QtGui.QPen(color, 0.6))
        for r in range(1, h):
            p.drawLine(b.p(x0, y0 + r, z), b.p(x0 + w, y0 + r, z))
        for c in range(1, w):
            p.drawLine(b.p(x0 + c, y0, z), b.p(x0 + c, y0 + h, z))

    def _slab_z(self, n: int, j: int) -> float:
        return j * (SLAB + GAP)

    def _paint(self, p: QtGui.QPainter, sc: Scene):
        v = self.view
        blocks, widths, bottoms, lefts, gap = self._layout(sc)
        self.placed = blocks
        edge = QtGui.QPen(QtGui.QColor("#555"), 0.8)
        lit_pen = QtGui.QPen(LIT, 2.0)
        hp, wp = sc.grid
        c_in, h, w = sc.input
        pt, pl = sc.pad_before
        k, cg, kh, kw = sc.kernel
        _, ho, wo = sc.output
        # input: one slice per channel (back to front), the padding ring hatched, the map inside
        b = blocks["input"]
        n = slabs(c_in)
        x_map = v.input_map()
        for j in reversed(range(n)):
            z = self._slab_z(n, j)
            self._box(p, b, 0, 0, z, wp, hp, SLAB, QtGui.QColor("#dfe6ee"), edge)
            ch = j * c_in // n
            if x_map is not None and sc.inserted == 1 and ch < x_map.shape[0]:
                p.save()
                p.setTransform(b.transform(pl, pt, z), True)
                p.drawImage(QtCore.QRectF(0, 0, w, h), v.image(("in", ch), x_map[ch]))
                p.restore()
            if (hp, wp) != (h, w) or sc.inserted != 1:
                self._hatch_ring(p, b, z, sc)
            self._grid_lines(p, b, 0, 0, z, wp, hp, QtGui.QColor(90, 90, 90, 110))
        # kernels
        wts = v.kernel_weights()
        for key, kb in blocks.items():
            if not key.startswith("kernel/"):
                continue
            kk = int(key.split("/")[1])
            m = slabs(cg)
            lit = kk == sc.kernel_lit
            for j in reversed(range(m)):
                z = self._slab_z(m, j)
                self._box(p, kb, 0, 0, z, kw, kh, SLAB, QtGui.QColor("#f6d7a7" if lit else "#d9d3ea"),
                          lit_pen if lit else edge)
                ci = j * cg // m
                if wts is not None and kk < wts.shape[0] and ci < wts.shape[1]:
                    p.save()
                    p.setTransform(kb.transform(0, 0, z), True)
                    p.setOpacity(0.8)
                    p.drawImage(QtCore.QRectF(0, 0, kw, kh), v.image(("w", kk, ci), wts[kk, ci], symmetric=True))
                    p.restore()
                self._grid_lines(p, kb, 0, 0, z, kw, kh, QtGui.QColor(60, 60, 60, 150))
            p.setPen(QtGui.QColor("#b35c00") if lit else QtGui.QColor("#444"))
            q = kb.p(0, kh / 2, 0)
            p.drawText(QtCore.QRectF(q.x() - 46, q.y() - 9, 42, 18), Qt.AlignmentFlag.AlignRight |
                       Qt.AlignmentFlag.AlignVCenter, f"#{kk}")
        # output: one slice per kernel
        ob = blocks["output"]
        n_out = slabs(k)
        y_map = v.output_map()
        lit_slab = slab_of(sc.kernel_lit, k) if sc.kernel_lit is not None else None
        for j in reversed(range(n_out)):
            z = self._slab_z(n_out, j)
            self._box(p, ob, 0, 0, z, wo, ho, SLAB, QtGui.QColor("#d5ecd4"), edge)
            ch = j * k // n_out
            if y_map is not None and ch < y_map.shape[0]:
                p.save()
                p.setTransform(ob.transform(0, 0, z), True)
                p.drawImage(QtCore.QRectF(0, 0, wo, ho), v.image(("out", ch), y_map[ch]))
                p.restore()
            self._grid_lines(p, ob, 0, 0, z, wo, ho, QtGui.QColor(90, 90, 90, 110))
        # what the stepper's step lights, drawn over everything (seen through the slices)
        if sc.window is not None:
            t0, l0, b0, r0 = sc.window
            zs = [self._slab_z(n, slab_of(c, c_in)) for c in sc.window_channels] or [0.0]
            z0, z1 = min(zs), max(zs) + SLAB
            fill = QtGui.QColor(LIT)
            fill.setAlpha(70)
            self._box(p, b, l0, t0, z0, r0 - l0 + 1, b0 - t0 + 1, z1 - z0, fill, lit_pen)
            tap_fill = QtGui.QColor(LIT)
            tap_fill.setAlpha(170)
            for (ty, tx) in sc.taps:
                P = b.p
                self._poly(p, [P(tx, ty, z0), P(tx + 1, ty, z0), P(tx + 1, ty + 1, z0), P(tx, ty + 1, z0)], tap_fill,
                           QtGui.QPen(QtGui.QColor("#b35c00"), 0.8))
            kb = blocks.get(f"kernel/{sc.kernel_lit}")
            if kb is not None and sc.out_cell is not None:
                dash = QtGui.QPen(LIT, 1.2, Qt.PenStyle.DashLine)
                p.setPen(dash)
                for (x, y) in ((l0, t0), (r0 + 1, t0), (l0, b0 + 1), (r0 + 1, b0 + 1)):
                    kx = 0 if x == l0 else kw
                    ky = 0 if y == t0 else kh
                    p.drawLine(b.p(x, y, z0), kb.p(kx, ky, 0))
                oy, ox = sc.out_cell
                zo = self._slab_z(n_out, lit_slab)
                cell = [ob.p(ox, oy, zo), ob.p(ox + 1, oy, zo), ob.p(ox + 1, oy + 1, zo), ob.p(ox, oy + 1, zo)]
                p.setPen(dash)
                p.drawLine(kb.p(kw, kh / 2, 0), ob.p(ox + 0.5, oy + 0.5, zo))
                self._box(p, ob, 0, 0, zo, wo, ho, SLAB, QtGui.QColor(0, 0, 0, 0), lit_pen)
                self._poly(p, cell, QtGui.QColor(LIT), QtGui.QPen(QtGui.QColor("#b35c00"), 1.2))
        # labels
        p.setPen(QtGui.QColor("#222"))
        fm = self.fontMetrics()
        p.drawText(QtCore.QRectF(8, 4, self.width() - 16, fm.height() + 4), Qt.AlignmentFlag.AlignLeft,
                   tr("Output depth = number of kernels: K = {k}").format(k=k))
        lines = {
            "input": (tr("input C×H×W"), f"{c_in}×{h}×{w}",
                      tr("padded to {h}×{w}").format(h=hp, w=wp) if (hp, wp) != (h, w) else ""),
            "kernels": (tr("kernels: K = {k}").format(k=k), tr("each C×kh×kw"), f"{cg}×{kh}×{kw}" +
                        (" · " + tr("groups = {g}").format(g=sc.groups) if sc.groups > 1 else "") +
                        (" · " + tr("{n} drawn").format(n=MAX_KERNELS) if k > MAX_KERNELS else "")),
            "output": (tr("output K×H×W"), f"{k}×{ho}×{wo}", tr("one slice per kernel")),
        }
        if self.height() < 200:  # short (a chapter's extra): the sizes only, one line each
            lines = {"input": (f"{c_in}×{h}×{w}",), "kernels": (f"{k} × {cg}×{kh}×{kw}",),
                     "output": (f"{k}×{ho}×{wo}",)}
        # each label in its own column: from the midpoint to the previous block's centre to the next's
        centres = [lefts[key] + wd / 2 for key, wd in zip(("input", "kernels", "output"), widths)]
        bounds = [0.0, (centres[0] + centres[1]) / 2, (centres[1] + centres[2]) / 2, float(self.width())]
        y = max(bottoms.values()) + 4
        font = QtGui.QFont(p.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.9))
        p.setFont(font)
        fm = QtGui.QFontMetrics(font)
        for i, key in enumerate(("input", "kernels", "output")):
            half = min(centres[i] - bounds[i], bounds[i + 1] - centres[i]) - 2
            rect = QtCore.QRectF(centres[i] - half, y, 2 * half, fm.height() * 3 + 4)
            text = "\n".join(fm.elidedText(t, Qt.TextElideMode.ElideRight, int(2 * half)) for t in lines[key] if t)
            p.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)

    def _hatch_ring(self, p, b: _Block, z: float, sc: Scene):
        """Hatch the grid cells that hold no input pixel (padding, inserted zeros) on a front face."""
        hp, wp = sc.grid
        pt, pl = sc.pad_before
        c_in, h, w = sc.input
        brush = QtGui.QBrush(QtGui.QColor(120, 120, 120, 140), Qt.BrushStyle.BDiagPattern)
        p.save()
        p.setTransform(b.transform(0, 0, z), True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(brush)
        path = QtGui.QPainterPath()
        path.addRect(QtCore.QRectF(0, 0, wp, hp))
        if sc.inserted == 1:
            inner = QtGui.QPainterPath()
            inner.addRect(QtCore.QRectF(pl, pt, w, h))
            path = path.subtracted(inner)
        p.drawPath(path)
        if sc.inserted != 1:  # the input pixels of a zero-inserted grid
            p.setBrush(QtGui.QColor("#9fb3c8"))
            s = sc.inserted
            for r in range(h):
                for c in range(w):
                    p.drawRect(QtCore.QRectF(pl + c * s, pt + r * s, 1, 1))
        p.restore()


class Kernel3DView(QtWidgets.QWidget):
    """The 3-D view, following a window's session, stepper and Layers list (``attach``)."""

    changed = QtCore.Signal()

    def __init__(self, parent=None, compact: bool = False):
        super().__init__(parent)
        self.setObjectName("kernel3d")
        self._scene: Scene | None = None
        self._dirty = False
        self.message = tr("Select a Conv2d or ConvTranspose2d layer to see its kernels in 3-D.")
        self.projection = "isometric"
        self.session = None
        self.stepper = None
        self.layer_panel = None
        self._images: dict = {}
        self._images_key = None
        self.proj_combo = QtWidgets.QComboBox()
        self.proj_combo.addItem(tr("Isometric"), "isometric")
        self.proj_combo.addItem(tr("Oblique (front face flat)"), "oblique")
        self.proj_combo.setToolTip(tr("How the blocks are drawn in 3-D"))
        self.proj_combo.currentIndexChanged.connect(lambda _i: self.set_projection(self.proj_combo.currentData()))
        self.canvas = Canvas(self)
        self.caption = QtWidgets.QLabel()
        self.caption.setWordWrap(True)
        self.caption.setObjectName("kernel3dCaption")
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        if not compact:  # a chapter's extra shares the walkthrough's column: the picture only
            top = QtWidgets.QHBoxLayout()
            top.addWidget(QtWidgets.QLabel(tr("Projection:")))
            top.addWidget(self.proj_combo)
            top.addStretch(1)
            lay.addLayout(top)
        else:
            self.proj_combo.hide()
            self.caption.hide()  # its sentence becomes the picture's tooltip
            self.canvas.setMinimumHeight(150)
        self.compact = compact
        lay.addWidget(self.canvas, 1)
        lay.addWidget(self.caption)

    # --- wiring -----------------------------------------------------------------------------------
    def attach(self, session, stepper=None, layer_panel=None) -> None:
        """Follow ``session`` (the project's analysis and maps), ``stepper`` (its layer, kernel
        and step light the view) and ``layer_panel`` (the layer selected, when the stepper shows
        none)."""
        self.session, self.stepper, self.layer_panel = session, stepper, layer_panel
        # bound methods, not lambdas: Qt disconnects them when this view is deleted (a chapter's
        # extra goes with the chapter)
        session.analysed.connect(self._analysed)
        session.maps_updated.connect(self._changed)
        if stepper is not None:
            stepper.position_changed.connect(self._changed)
            stepper.channel_spin.valueChanged.connect(self._changed)
        if layer_panel is not None:
            layer_panel.selection_changed.connect(self._changed)
        self.refresh()

    def _analysed(self, _project, _info, _first: int) -> None:
        self.refresh()

    def _changed(self, _value: int) -> None:
        self.refresh()

    @classmethod
    def for_window(cls, window, parent=None, compact: bool = False) -> "Kernel3DView":
        view = cls(parent, compact)
        view.attach(window.session, window.stepper, window.layers)
        return view

    def set_projection(self, name: str) -> None:
        if name in PROJECTIONS and name != self.projection:
            self.projection = name
            i = self.proj_combo.findData(name)
            if i != self.proj_combo.currentIndex():
                self.proj_combo.setCurrentIndex(i)
            self.canvas.update()

    # --- what to show ----------------------------------------------------------------------------
    def _layer(self, info) -> int | None:
        """The stepper's layer when it shows a convolution; else the selected layer; else the
        first convolution."""
        layers = info.layers if info is not None else ()
        ok = [i for i, li in enumerate(layers) if li.spec.type in KINDS]
        st = self.stepper
        if st is not None and st.slider_model is not None and st.layer_index in ok:
            return st.layer_index
        if self.layer_panel is not None and self.layer_panel.current() in ok:
            return self.layer_panel.current()
        return ok[0] if ok else None

    @property
    def scene(self) -> Scene | None:
        """What is drawn: brought up to date when read (a hidden view does no work)."""
        if self._dirty:
            self._update()
        return self._scene

    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        if self._dirty:
            self._update()

    def refresh(self) -> None:
        """The project, the maps, the stepper or the selection changed: redraw now when on
        screen, else when next shown or read."""
        self._dirty = True
        if self.isVisible():
            self._update()

    def _update(self) -> None:
        self._dirty = False
        s = self.session
        info = s.info if s is not None else None
        index = self._layer(info)
        st = self.stepper
        scene = None
        if index is not None:
            on_layer = (st is not None and st.slider_model is not None and st.layer_index == index
                        and st.step is not None and s.current())
            try:
                if on_layer and st.slider_model.y.shape == tuple(info.layers[index].out_shape or ()):
                    scene = scene_for(info, index, st.slider_model, st.step, st.out_channel)
                else:
                    scene = scene_for(info, index)
            except (ValueError, IndexError, TypeError) as e:  # shapes the layer cannot take: say so
                self.message = str(e)
                scene = None
        if scene is None and index is None:
            self.message = tr("Select a Conv2d or ConvTranspose2d layer to see its kernels in 3-D.")
        self._scene = scene
        self._caption()
        self.canvas.update()
        self.changed.emit()

    def _caption(self) -> None:
        self._write_caption()
        hint = tr("Click a kernel to follow it in the stepper, or an output cell to step there.")
        self.canvas.setToolTip(self.caption.text() + "\n" + hint if self.compact and self.caption.text() else hint)

    def _write_caption(self) -> None:
        sc = self.scene
        if sc is None:
            self.caption.setText("")
            return
        if sc.window is None:
            self.caption.setText(tr("Step the kernel in the Kernel stepper to light its window here."))
            return
        t0, l0, b0, r0 = sc.window
        chans = sc.window_channels
        ch = f"{chans[0]}–{chans[-1]}" if len(chans) > 1 else str(chans[0])
        self.caption.setText(tr("Kernel {o} computes output ({y}, {x}) of slice {o}: it reads rows {r0}–{r1} and "
                                "columns {c0}–{c1} of the padded input, through input channels {ch}.").format(
            o=sc.kernel_lit, y=sc.out_cell[0], x=sc.out_cell[1], r0=t0, r1=b0, c0=l0, c1=r0, ch=ch))

    # --- numbers drawn on the faces --------------------------------------------------------------
    def _maps_ok(self) -> bool:
        s = self.session
        return s is not None and s.current() and self.scene is not None

    def input_map(self):
        if not self._maps_ok():
            return None
        m = self.session.map(self.scene.layer - 1 if self.scene.layer > 0 else -1)
        return m if m is not None and tuple(m.shape) == tuple(self.scene.input) else None

    def output_map(self):
        if not self._maps_ok():
            return None
        m = self.session.map(self.scene.layer)
        return m if m is not None and tuple(m.shape) == tuple(self.scene.output) else None

    def kernel_weights(self):
        """Conv2d weights (K, C/g, kh, kw) of the current result, or None."""
        if not self._maps_ok() or self.scene.type != "Conv2d":
            return None
        res = self.session.result
        ws = res.weights[self.scene.layer] if self.scene.layer < len(res.weights) else ()
        if not ws:
            return None
        w = np.asarray(ws[0])
        return w if tuple(w.shape) == tuple(self.scene.kernel) else None

    def image(self, key, array, symmetric: bool = False) -> QtGui.QImage:
        s = self.session
        gen = (s.result.generation if s is not None and s.result is not None else None, self.scene.layer)
        if gen != self._images_key:
            self._images, self._images_key = {}, gen
        img = self._images.get(key)
        if img is None:
            img = self._images[key] = _gray(array, symmetric)
        return img
