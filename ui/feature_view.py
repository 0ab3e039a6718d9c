"""Feature maps: every layer's channels as one mosaic image with a colour bar.

One ImageItem per layer (the channels tiled on a single float32 image with explicit levels and
a 256-entry lookup table), one colour bar, cheap overlays on top.  Maps of layers scrolled out
of sight are not tiled until they scroll in.
"""
from __future__ import annotations

import os
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


@lru_cache(maxsize=512)
def mosaic_layout(channels: int, height: int, width: int) -> dp.Layout:
    """The mosaic grid of a (channels, height, width) map: a function of the shape alone, so
    it can never belong to another array than the one it is asked for."""
    return dp.layout(channels, height, width)


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


class MapImage(pg.ImageItem):
    """The mosaic image; reports hover and click positions in mosaic pixels."""

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
        self._gray = index < 0

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
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=cmap(GRAY if self._gray else SEQUENTIAL),
                                   interactive=False, width=10, rounding=1e-6)
        self.bar.setImageItem(self.image)
        self.graphics.addItem(self.bar, row=0, col=1)
        self.graphics.setFixedHeight(180)
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
        self.field_label = QtWidgets.QLabel(self)
        self.field_label.setWordWrap(True)
        self.field_label.setObjectName("fieldLabel")
        self.field_label.setStyleSheet("color: #b35c00;")
        self.field_label.hide()

        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.graphics, 1)
        lay.addWidget(self.field_label)
        lay.addWidget(self.message)

        self.image.hovered.connect(self._on_hover)
        self.image.clicked.connect(self._on_click)
        self.image.shift_hovered.connect(self._on_shift_hover)

    # --- state -------------------------------------------------------------------------------
    def set_header(self, html: str, formula: str = "") -> None:
        self.header.setText(html)
        self.formula.setText(formula)
        self.formula.setVisible(bool(formula))

    def fit_height(self, width: int) -> None:
        """Size the view to the mosaic's aspect ratio for the available width."""
        if self.array is None:
            return
        mh, mw = mosaic_layout(*self.array.shape).size
        target = int(min(460, max(140, (width - 90) * mh / max(mw, 1))))
        if abs(self.graphics.height() - target) > 2:
            self.graphics.setFixedHeight(target)

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
            self._render_field()
            self.graphics.setEnabled(False)
            self.graphics.setBackground("#ececec")
        else:
            self.message.hide()
            self.graphics.setEnabled(True)
            self.graphics.setBackground("#f7f7f9")

    def set_stale(self, stale: bool) -> None:
        """Dim the old maps while the new ones are being computed."""
        self._stale = stale
        self.image.setOpacity(0.35 if stale else 1.0)

    def set_array(self, arr: np.ndarray | None, render: bool = True) -> None:
        self.array = arr
        self._levels = None  # computed when first needed
        self.set_stale(False)
        self._dirty = True
        if arr is None:
            self.drawn = None
            self.image.clear()
            self._render_field()
        elif render and self.is_visible():
            self.render()

    def set_normalisation(self, mode: str, global_levels: dp.Levels | None) -> None:
        self._norm, self._global = mode, global_levels
        self._dirty = True
        if self.is_visible():
            self.render()

    def is_visible(self) -> bool:
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def levels(self) -> dp.Levels | None:
        if self._levels is None and self.array is not None:
            self._levels = dp.levels_of(self.array)
        return self._levels

    def render_if_dirty(self) -> None:
        if self._dirty and self.array is not None and self.is_visible():
            self.render()

    def _step_for_view(self, lay: dp.Layout) -> int:
        """Subsampling step so the mosaic is not much larger than the pixels showing it: a
        64x224x224 layer is 2475x1350 pixels tiled, drawn in a view a third that size."""
        mh, mw = lay.size
        vw = max(64, self.graphics.width() - 70)  # minus the colour bar
        vh = max(64, self.graphics.height() - 8)
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
        if self._norm == "channel":
            data, signed = dp.normalise_channels(sub)
            lv = dp.Levels(-1.0, 1.0, True) if signed else dp.Levels(0.0, 1.0, False)
        else:
            data = sub
            lv = self._global if (self._norm == "global" and self._global) else self.levels()
        mosaic, _ = dp.tile(data, sub_layout)
        name = DIVERGING if lv.signed else (GRAY if self._gray else SEQUENTIAL)
        self.bar.setColorMap(cmap(name))
        self.bar.setLevels((lv.lo, lv.hi))
        self.image.setImage(mosaic, levels=(lv.lo, lv.hi), autoLevels=False)
        self.view.setRange(xRange=(0, mosaic.shape[1]), yRange=(0, mosaic.shape[0]), padding=0.02)
        self.drawn = Drawn(arr, f, sub_layout)
        self._render_field()

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
        self.field_label.setVisible(bool(text))
        self._render_field()

    def field_mask(self) -> np.ndarray | None:
        """The overlay as drawn: True where the mosaic shows a field cell."""
        img = self.field_image.image
        return None if img is None else img[..., 3] > 0

    def _render_field(self) -> None:
        d = self.drawn
        if self.field is None or d is None:
            self.field_image.clear()
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

    def _on_hover(self, pos) -> None:
        hit = self.locate(*pos) if pos is not None else None
        if hit is None:
            self.readout.setText("")
            return
        ch, y, x = hit
        value = float(self.drawn.array[ch, y, x])
        self.readout.setText(tr("channel {c} · y {y}, x {x} · <b>{v:.4g}</b>").format(c=ch, y=y, x=x, v=value))
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

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        self._arrived: set[int] = set()  # layers delivered since the last draw (read from the session)

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
            self._column.insertWidget(self._column.count() - 1, w)
            self.widgets.append(w)
        while len(self.widgets) > n_layers + 1:
            w = self.widgets.pop()
            self._column.removeWidget(w)
            w.hide()  # off the screen now; deleted (with its maps) when the event loop next runs
            w.deleteLater()

    # --- following the session ---------------------------------------------------------------
    def show_analysis(self, project, info, first: int) -> None:
        """Headers, formulas and messages of a new project state (before any compute): invalid
        layers say why and lose their maps; maps from layer ``first`` on are dimmed until the
        new ones arrive."""
        self.ensure_count(len(project.layers))
        for l in info.layers:
            w = self.widget_for(l.index)
            w.set_header(header_html(l), tr_core(l.formula) if l.ok else "")
            if l.error:
                w.set_problem(tr_core(l.error))
            elif l.blocked_by is not None:
                w.set_problem(tr("Not computed: layer {i} is invalid").format(i=l.blocked_by), blocked=True)
            else:
                w.set_problem(None)
                if l.index >= first:
                    w.set_stale(True)
        iw = self.widget_for(-1)
        iw.set_header(tr("<b>Input</b> · {shape} · {src}").format(shape=list(project.input.shape),
                                                                  src=source_label(project.input.source)))
        if self.session is None or self.session.map(-1) is None:
            iw.set_stale(True)  # a new input: its map comes with the result

    def _layer_ready(self, generation: int, index: int) -> None:
        # the GUI thread does next to nothing per layer while torch runs: note it, draw later
        self._arrived.add(index)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def show_result(self, res) -> None:
        """Draw the whole result of the session's current generation."""
        self._arrived.clear()
        info = self.session.info
        if res.input is not None:
            self.set_layer_array(-1, res.input)
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

    def set_layer_array(self, index: int, arr) -> None:
        """Show a layer's new maps now."""
        w = self.widget_for(index)
        w.set_array(arr)
        w.fit_height(self.viewport().width())
        if self.norm == "global" and index >= 0:
            self.refresh_levels()

    def _render_visible(self, *_):
        self._coalesce.stop()
        for w in self.widgets:
            w.render_if_dirty()

    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        QtCore.QTimer.singleShot(0, self._render_visible)

    def resizeEvent(self, ev):  # noqa: N802
        super().resizeEvent(ev)
        for w in self.widgets:
            w.fit_height(self.viewport().width())
        self._render_visible()

    def scroll_to_layer(self, index: int) -> None:
        if 0 <= index + 1 < len(self.widgets):
            self.ensureWidgetVisible(self.widgets[index + 1], 0, 0)


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
        return src.split(":", 1)[1].replace("_", " ")
    return os.path.basename(src)


class ChannelView(QtWidgets.QWidget):
    """One channel enlarged, with hover readout."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QtWidgets.QLabel(tr("Click a channel in any map to enlarge it here."))
        self.title.setWordWrap(True)
        self.readout = QtWidgets.QLabel("")
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#f7f7f9")
        self.view = self.graphics.addViewBox(lockAspect=True, invertY=True)
        self.view.setMenuEnabled(False)
        self.image = MapImage()
        self.view.addItem(self.image)
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=cmap(SEQUENTIAL), interactive=False, width=10)
        self.bar.setImageItem(self.image)
        self.graphics.addItem(self.bar, row=0, col=1)
        self.bar.hide()
        self.box_item = dashed_box_item()
        self.view.addItem(self.box_item)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addWidget(self.graphics, 1)
        lay.addWidget(self.readout)
        self.array: np.ndarray | None = None
        self.key: tuple[int, int] | None = None  # (layer, channel); layer -2: a heat map (effective field)
        self.session = None
        self.image.hovered.connect(self._on_hover)

    def attach(self, session) -> None:
        """Follow ``session``: the channel on show is dimmed while its layer is recomputed and
        redrawn from the session's maps when they arrive."""
        self.session = session
        session.analysed.connect(self._analysed)
        session.layer_ready.connect(self._layer_ready)
        session.result_ready.connect(self._result)

    def show_map(self, layer: int, channel: int) -> bool:
        """Show channel ``channel`` of layer ``layer`` (-1: the input) from the session's current
        maps; False if it has none."""
        maps = self.session.map(layer) if self.session is not None else None
        if maps is None or not 0 <= channel < maps.shape[0]:
            return False
        arr = maps[channel]
        what = tr("Input") if layer < 0 else f"{layer} · {self.session.project.layers[layer].type}"
        self.show_channel(layer, channel, arr, tr("<b>{what}</b> · channel {c} · {h}×{w}").format(
            what=what, c=channel, h=arr.shape[0], w=arr.shape[1]))
        return True

    def _analysed(self, project, info, first) -> None:
        if self.key is not None and self.key[0] >= -1 and self.session.map(self.key[0]) is None:
            self.set_stale(True)

    def _layer_ready(self, generation: int, index: int) -> None:
        if self.key is not None and self.key[0] == index:
            self.show_map(*self.key)

    def _result(self, res) -> None:
        if self.key is None:
            self.show_map(0, 0)  # something to look at from the start
        elif self.key[0] >= -1 and not self.show_map(*self.key):
            self.clear()

    def show_channel(self, layer: int, channel: int, arr: np.ndarray, label: str, colormap: str | None = None,
                     box: tuple[int, int, int, int] | None = None) -> None:
        """Show one channel (or, with ``colormap``, a heat map such as the effective receptive
        field, ``box`` outlining the theoretical field)."""
        self.key = (layer, channel)
        self.array = arr
        lv = dp.levels_of(arr)
        self.bar.setColorMap(cmap(colormap or (DIVERGING if lv.signed else (GRAY if layer < 0 else SEQUENTIAL))))
        path = QtGui.QPainterPath()
        if box is not None:
            t, l, b, r = box
            path.addRect(QtCore.QRectF(l, t, r - l + 1, b - t + 1))
        self.box_item.setPath(path)
        self.bar.setLevels((lv.lo, lv.hi))
        self.image.setImage(np.asarray(arr, dtype=np.float32), levels=(lv.lo, lv.hi), autoLevels=False)
        self.view.setRange(xRange=(0, arr.shape[1]), yRange=(0, arr.shape[0]), padding=0.02)
        self.title.setText(label)
        self.bar.show()
        self.image.setOpacity(1.0)

    def set_stale(self, stale: bool) -> None:
        """Dim the channel while the maps it is taken from are being recomputed."""
        self.image.setOpacity(0.35 if stale else 1.0)

    def clear(self) -> None:
        self.key = self.array = None
        self.image.clear()
        self.box_item.setPath(QtGui.QPainterPath())
        self.bar.hide()
        self.title.setText(tr("Click a channel in any map to enlarge it here."))

    def _on_hover(self, pos) -> None:
        if pos is None or self.array is None:
            self.readout.setText("")
            return
        y, x = int(pos[0]), int(pos[1])
        if 0 <= y < self.array.shape[0] and 0 <= x < self.array.shape[1]:
            self.readout.setText(tr("y {y}, x {x} · value {v:.5g}").format(y=y, x=x, v=float(self.array[y, x])))
