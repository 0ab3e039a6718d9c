"""The kernel stepper: watch the kernel slide over the padded input, one multiply-and-add at a
time — forward, back, scrub, play at any speed.

Everything it shows comes from a convviz.sliding.Slider built on arrays the engine already
computed; stepping only reads numbers and moves drawings.  Frames are painted by one light
item per grid (a few hundred cells at most: large inputs are shown as a crop that follows the
window).
"""
from __future__ import annotations

import numpy as np

from convviz.sliding import SUPPORTED, Slider, Step, flipped

from .i18n import tr
from .qt import QtCore, QtGui, QtWidgets, Qt, Signal

CELL = 34
MAX_CROP = 11  # cells per side of an input or output crop
MAX_ROWS = 4  # input channels drawn as rows; the rest are summed in one line




class GridItem(QtWidgets.QGraphicsObject):
    """A grid of numbered cells with per-cell states; emits hover and click in cell units."""

    hovered = Signal(int, int)  # row, col in grid coordinates (-1, -1 when left)
    clicked = Signal(int, int)

    def __init__(self, title: str = "", parent=None):
        super().__init__(parent)
        self.title = title
        self.values = np.zeros((0, 0))
        self.origin = (0, 0)  # grid coordinates of cell (0, 0) of the crop
        self.labels: dict[tuple[int, int], str] = {}  # small second line (padding sources)
        self.shade: set[tuple[int, int]] = set()  # padding / zero cells
        self.dim: set[tuple[int, int]] = set()  # unreached by any window
        self.taps: set[tuple[int, int]] = set()  # the kernel's taps now
        self.box: tuple[int, int, int, int] | None = None  # window bounding box (inclusive)
        self.preview: set[tuple[int, int]] = set()
        self.marked: set[tuple[int, int]] = set()  # highlighted (contributors, argmax)
        self.hidden: set[tuple[int, int]] = set()  # not filled in yet (output)
        self.current: tuple[int, int] | None = None
        self.scale = 1.0
        self.show_index = True
        self.setAcceptHoverEvents(True)
        self.font = QtGui.QFont()
        self.font.setPointSizeF(7.5)
        self.small = QtGui.QFont()
        self.small.setPointSizeF(5.5)
        self.title_font = QtGui.QFont()
        self.title_font.setPointSizeF(8.5)
        self.title_font.setBold(True)

    def set_data(self, values: np.ndarray, origin=(0, 0)) -> None:
        values = np.asarray(values, dtype=np.float64)
        if origin == self.origin and values.shape == self.values.shape and np.array_equal(values, self.values):
            return  # unchanged (a kernel while the window moves): no repaint
        if values.shape != self.values.shape:
            self.prepareGeometryChange()
        self.values = values
        self.origin = origin
        m = np.abs(self.values[np.isfinite(self.values)])
        self.scale = float(m.max()) if m.size and m.max() > 0 else 1.0
        self.update()

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        h, w = self.values.shape
        return QtCore.QRectF(-22, -34, w * CELL + 26, h * CELL + 36)

    def cell_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        h, w = self.values.shape
        c, r = int(pos.x() // CELL), int(pos.y() // CELL)
        if 0 <= r < h and 0 <= c < w and pos.x() >= 0 and pos.y() >= 0:
            return r + self.origin[0], c + self.origin[1]
        return None

    def hoverMoveEvent(self, ev):  # noqa: N802
        hit = self.cell_at(ev.pos())
        self.hovered.emit(*(hit or (-1, -1)))

    def hoverLeaveEvent(self, ev):  # noqa: N802
        self.hovered.emit(-1, -1)

    def mousePressEvent(self, ev):  # noqa: N802
        hit = self.cell_at(ev.pos())
        if hit is not None and ev.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(*hit)
            ev.accept()
        else:
            ev.ignore()

    def paint(self, p: QtGui.QPainter, option, widget=None):
        h, w = self.values.shape
        oy, ox = self.origin
        p.setFont(self.title_font)
        p.setPen(QtGui.QColor("#222"))
        p.drawText(QtCore.QRectF(0, -32, max(w * CELL, 200), 16), Qt.AlignmentFlag.AlignLeft, self.title)
        if h == 0 or w == 0:
            return
        p.setFont(self.small)
        p.setPen(QtGui.QColor("#888"))
        if self.show_index:
            for c in range(w):
                p.drawText(QtCore.QRectF(c * CELL, -15, CELL, 12), Qt.AlignmentFlag.AlignCenter, str(c + ox))
            for r in range(h):
                p.drawText(QtCore.QRectF(-22, r * CELL, 20, CELL), Qt.AlignmentFlag.AlignRight |
                           Qt.AlignmentFlag.AlignVCenter, str(r + oy))
        # backgrounds: one small image, one cell per pixel, drawn scaled (one call, not h*w)
        rgb = _colours(self.values, self.scale)
        local = lambda cells: [(r - oy, c - ox) for r, c in cells if 0 <= r - oy < h and 0 <= c - ox < w]  # noqa: E731
        for r, c in local(self.shade):
            rgb[r, c] = (230, 230, 230)
        for r, c in local(self.hidden):
            rgb[r, c] = (250, 250, 250)
        for r, c in local(self.dim):
            rgb[r, c] = (rgb[r, c] * 0.72).astype(np.uint8)
        img = QtGui.QImage(np.ascontiguousarray(rgb).data, w, h, 3 * w, QtGui.QImage.Format.Format_RGB888)
        p.drawImage(QtCore.QRectF(0, 0, w * CELL, h * CELL), img)
        shade = local(self.shade)
        if shade:
            brush = QtGui.QBrush(QtGui.QColor("#c4c4c4"), Qt.BrushStyle.BDiagPattern)
            for r, c in shade:
                p.fillRect(QtCore.QRectF(c * CELL, r * CELL, CELL, CELL), brush)
        p.setPen(QtGui.QPen(QtGui.QColor("#c8c8c8"), 1))
        p.drawLines([QtCore.QLineF(0, r * CELL, w * CELL, r * CELL) for r in range(h + 1)] +
                    [QtCore.QLineF(c * CELL, 0, c * CELL, h * CELL) for c in range(w + 1)])
        # numbers, grouped by style so the painter changes font and pen a few times, not per cell
        hidden = set(local(self.hidden))
        shaded = set(shade)
        groups: dict[tuple[bool, bool], list] = {}
        labels = []
        for r in range(h):
            for c in range(w):
                if (r, c) in hidden:
                    continue
                v = self.values[r, c]
                if not np.isfinite(v):
                    continue
                txt = _cell_text(v)
                small = len(txt) > 5
                st = _static_text(txt, small)
                lab = self.labels.get((r + oy, c + ox))
                sz = st.size()
                pos = QtCore.QPointF(c * CELL + (CELL - sz.width()) / 2,
                                     r * CELL + (CELL - sz.height()) / 2 - (5 if lab else 0))
                groups.setdefault((small, (r, c) in shaded), []).append((pos, st))
                if lab:
                    sl = _static_text(lab, True)
                    labels.append((QtCore.QPointF(c * CELL + (CELL - sl.size().width()) / 2, r * CELL + 20), sl))
        dark, grey = QtGui.QColor("#111"), QtGui.QColor("#555")
        for (small, is_shaded), items in groups.items():
            p.setFont(self.small if small else self.font)
            p.setPen(grey if is_shaded else dark)
            for pos, st in items:
                p.drawStaticText(pos, st)
        if labels:
            p.setFont(self.small)
            p.setPen(QtGui.QColor("#7a4b00"))
            for pos, st in labels:
                p.drawStaticText(pos, st)
        if self.box is not None:
            t, l, b, rgt = self.box
            rect = QtCore.QRectF((l - ox) * CELL, (t - oy) * CELL, (rgt - l + 1) * CELL, (b - t + 1) * CELL)
            p.setPen(QtGui.QPen(QtGui.QColor("#1f6feb"), 1, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect)
        for cells, colour, width in ((self.preview, "#8a8a8a", 2), (self.marked, "#e8a200", 3),
                                     (self.taps, "#1f6feb", 3)):
            inside = local(cells)
            if not inside:
                continue
            p.setPen(QtGui.QPen(QtGui.QColor(colour), width))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRects([QtCore.QRectF(c * CELL + 1.5, r * CELL + 1.5, CELL - 3, CELL - 3) for r, c in inside])
        if self.current is not None:
            r, c = self.current
            if 0 <= r - oy < h and 0 <= c - ox < w:
                p.setPen(QtGui.QPen(QtGui.QColor("#d0021b"), 3))
                p.drawRect(QtCore.QRectF((c - ox) * CELL + 1.5, (r - oy) * CELL + 1.5, CELL - 3, CELL - 3))


_STATIC: dict[tuple[str, bool], QtGui.QStaticText] = {}


def _static_text(text: str, small: bool) -> QtGui.QStaticText:
    """Laid-out text, cached: most numbers recur from one frame to the next."""
    key = (text, small)
    st = _STATIC.get(key)
    if st is None:
        if len(_STATIC) > 20000:
            _STATIC.clear()
        st = QtGui.QStaticText(text)
        f = QtGui.QFont()
        f.setPointSizeF(5.5 if small else 7.5)
        st.prepare(QtGui.QTransform(), f)
        _STATIC[key] = st
    return st


def _colours(values: np.ndarray, scale: float) -> np.ndarray:
    """Diverging blue-white-red for values on [-scale, scale], as uint8 RGB (h, w, 3)."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    t = np.clip(v / (scale if scale > 0 else 1.0), -1.0, 1.0)
    pos, neg = np.clip(t, 0, None), np.clip(-t, 0, None)
    r = 1.0 - 0.65 * neg
    g = 1.0 - 0.55 * pos - 0.45 * neg
    b = 1.0 - 0.65 * pos
    return (np.stack([r, g, b], axis=-1) * 255 + 0.5).astype(np.uint8)


def _cell_text(v: float) -> str:
    v = float(v) + 0.0  # no "-0"
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) < 0.01:
        return f"{v:.0e}".replace("e-0", "e-")
    return f"{v:.2g}"


def _crop_origin(center: int, size: int, span: int) -> int:
    """Start of a crop of ``span`` cells out of ``size`` that keeps ``center`` well inside."""
    if size <= span:
        return 0
    return int(min(max(0, center - span // 2), size - span))


class SlidingView(QtWidgets.QWidget):
    """The stepper: controls, the canvas with one row per input channel, the equation."""

    position_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.slider_model: Slider | None = None
        self.layer_index: int | None = None
        self.out_channel = 0
        self.t = 0
        self.step: Step | None = None
        self.true_convolution = False
        self.contrib: tuple[np.ndarray, np.ndarray] | None = None
        self.preview_t: int | None = None
        self._layers: list[int] = []

        self.layer_combo = QtWidgets.QComboBox()
        self.layer_combo.setMinimumContentsLength(28)
        self.layer_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setToolTip(tr("The layer whose sliding window to follow"))
        self.channel_spin = QtWidgets.QSpinBox()
        self.channel_spin.setToolTip(tr("The output channel (kernel) to follow"))
        self.flip = QtWidgets.QCheckBox(tr("True convolution (flip the kernel)"))
        self.flip.setToolTip(tr("torch computes cross-correlation; true convolution rotates the kernel by 180°"))
        self.gif_button = QtWidgets.QPushButton(tr("Export GIF…"))
        self.png_button = QtWidgets.QPushButton(tr("Export PNG…"))
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(tr("Layer")))
        top.addWidget(self.layer_combo, 2)
        top.addWidget(QtWidgets.QLabel(tr("Output channel")))
        top.addWidget(self.channel_spin)
        top.addWidget(self.flip)
        top.addStretch(1)
        top.addWidget(self.png_button)
        top.addWidget(self.gif_button)

        def btn(text, tip, slot):
            b = QtWidgets.QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            return b
        SP = QtWidgets.QStyle.StandardPixmap
        self._icons = {k: self.style().standardIcon(v) for k, v in (
            ("first", SP.SP_MediaSkipBackward), ("back", SP.SP_MediaSeekBackward), ("play", SP.SP_MediaPlay),
            ("pause", SP.SP_MediaPause), ("fwd", SP.SP_MediaSeekForward), ("last", SP.SP_MediaSkipForward))}
        self.first_button = btn("", tr("First position (Home)"), self.go_first)
        self.back_button = btn("", tr("Step back (Left)"), self.step_back)
        self.play_button = btn("", tr("Play / pause (Space)"), self.toggle_play)
        self.play_button.setCheckable(True)
        self.fwd_button = btn("", tr("Step forward (Right)"), self.step_forward)
        self.last_button = btn("", tr("Last position (End)"), self.go_last)
        for b, k in ((self.first_button, "first"), (self.back_button, "back"), (self.play_button, "play"),
                     (self.fwd_button, "fwd"), (self.last_button, "last")):
            b.setIcon(self._icons[k])
        self.scrub = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.scrub.setToolTip(tr("Scrub through every output position"))
        self.speed = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, 60)
        self.speed.setValue(4)
        self.speed.setFixedWidth(130)
        self.speed.setToolTip(tr("Playback speed, 1 to 60 steps per second"))
        self.speed_label = QtWidgets.QLabel()
        self.pos_label = QtWidgets.QLabel()
        self.pos_label.setMinimumWidth(220)
        bar = QtWidgets.QHBoxLayout()
        for b in (self.first_button, self.back_button, self.play_button, self.fwd_button, self.last_button):
            bar.addWidget(b)
        bar.addWidget(self.scrub, 1)
        bar.addWidget(self.pos_label)
        bar.addWidget(QtWidgets.QLabel(tr("Speed")))
        bar.addWidget(self.speed)
        bar.addWidget(self.speed_label)

        self.scene = QtWidgets.QGraphicsScene(self)
        self.canvas = QtWidgets.QGraphicsView(self.scene)
        self.canvas.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        self.canvas.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing, True)
        self.canvas.setBackgroundBrush(QtGui.QColor("#ffffff"))
        self.canvas.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # repaint only the grids that changed (the kernels stay put while the window moves)
        self.canvas.setViewportUpdateMode(QtWidgets.QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.equation = QtWidgets.QLabel()
        self.equation.setObjectName("equation")
        self.equation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.equation.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.equation.setWordWrap(True)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555")
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addLayout(bar)
        lay.addWidget(self.canvas, 1)
        lay.addWidget(self.equation)
        lay.addWidget(self.note)

        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.speed.valueChanged.connect(self._speed_changed)
        self.scrub.valueChanged.connect(self.set_position)
        self.channel_spin.valueChanged.connect(self._channel_changed)
        self.flip.toggled.connect(self._flip_toggled)
        self.layer_combo.activated.connect(self._layer_chosen)
        self.gif_button.clicked.connect(lambda: self.export_gif())
        self.png_button.clicked.connect(lambda: self.export_png())
        for key, slot in ((Qt.Key.Key_Space, self.toggle_play), (Qt.Key.Key_Left, self.step_back),
                          (Qt.Key.Key_Right, self.step_forward), (Qt.Key.Key_Home, self.go_first),
                          (Qt.Key.Key_End, self.go_last)):
            sc = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        self._speed_changed(self.speed.value())
        self._items: dict = {}
        self.session = None  # the ComputeSession whose numbers are shown
        self.gif_job = None  # the newest GIF being written
        self._set_enabled(False)

    # --- data --------------------------------------------------------------------------------
    def attach(self, session) -> None:
        """Follow ``session`` (a ui.session.ComputeSession): its newest numbers, and its job runner
        for GIF encoding."""
        self.session = session
        session.maps_updated.connect(self._maps_updated)

    def _maps_updated(self, _generation: int) -> None:
        self.refresh_from_window()

    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        if getattr(self, "_needs_refresh", False):
            self.refresh_from_window()

    def _set_enabled(self, on: bool) -> None:
        for w in (self.first_button, self.back_button, self.play_button, self.fwd_button, self.last_button,
                  self.scrub, self.channel_spin, self.flip, self.gif_button, self.png_button):
            w.setEnabled(on)

    def refresh_from_window(self) -> None:
        """Rebuild the layer list and the slider from the session's newest computed numbers
        (when the stepper is on screen; otherwise when it is next shown)."""
        s = self.session
        if s is None or s.result is None:
            return
        if not self.isVisible() or not s.current():
            # not on screen, or the numbers on hand belong to the project before an edit:
            # follow when the new ones arrive (maps_updated) or when shown
            self._needs_refresh = True
            return
        self._needs_refresh = False
        p, res = s.project, s.result
        self._layers = [i for i, s in enumerate(p.layers) if s.type in SUPPORTED and i < len(res.outputs)
                        and res.outputs[i] is not None]
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        for i in self._layers:
            self.layer_combo.addItem(f"{i} · {p.layers[i]}", i)
        self.layer_combo.blockSignals(False)
        if not self._layers:
            self.slider_model = None
            self.layer_index = None
            self._set_enabled(False)
            self.scene.clear()
            self._items = {}
            self.equation.setText("")
            self.note.setText(tr("Add a Conv2d, ConvTranspose2d, DepthwiseSeparable or pooling layer to step "
                                 "through its sliding window."))
            return
        want = self.layer_index if self.layer_index in self._layers else self._layers[0]
        self.show_layer(want, keep_position=True)

    def show_layer(self, index: int, keep_position: bool = False) -> bool:
        """Follow layer ``index`` of the session's project (if it slides a window)."""
        s = self.session
        if s is None or not s.current() or index not in self._layers:
            return False
        p, res = s.project, s.result
        spec = p.layers[index]
        x = res.input if index == 0 else res.outputs[index - 1]
        y = res.outputs[index]
        if spec.type == "DepthwiseSeparable":
            y = res.intermediates[index]
        weights = res.weights[index] if index < len(res.weights) else ()
        try:
            model = Slider(spec, x, y, weights)
        except (ValueError, IndexError) as e:  # numbers that do not fit the layer: show nothing
            self.note.setText(str(e))
            return False
        t = self.t if keep_position and index == self.layer_index else 0
        self.slider_model = model
        self.layer_index = index
        self.layer_combo.setCurrentIndex(self._layers.index(index))
        self.channel_spin.blockSignals(True)
        self.channel_spin.setRange(0, model.c_out - 1)
        self.out_channel = min(self.out_channel, model.c_out - 1)
        self.channel_spin.setValue(self.out_channel)
        self.channel_spin.blockSignals(False)
        self.scrub.blockSignals(True)
        self.scrub.setRange(0, model.positions - 1)
        self.scrub.blockSignals(False)
        self.contrib = None
        self._set_enabled(True)
        self._build_scene()
        self.set_position(min(t, model.positions - 1), force=True)
        return True

    def set_slider(self, model: Slider, label: str = "") -> None:
        """Show a Slider built elsewhere (benchmarks, the walkthrough)."""
        self.slider_model = model
        self.layer_index = None
        self.layer_combo.clear()
        self.layer_combo.addItem(label or str(model.spec))
        self.channel_spin.setRange(0, model.c_out - 1)
        self.scrub.blockSignals(True)
        self.scrub.setRange(0, model.positions - 1)
        self.scrub.blockSignals(False)
        self._set_enabled(True)
        self._build_scene()
        self.set_position(0, force=True)

    # --- controls ----------------------------------------------------------------------------
    def _speed_changed(self, v: int) -> None:
        self.speed_label.setText(tr("{n}/s").format(n=v))
        self.timer.setInterval(max(1, int(round(1000 / v))))

    def set_speed(self, steps_per_second: int) -> None:
        self.speed.setValue(int(steps_per_second))

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.slider_model is None:
            return
        if self.t >= self.slider_model.positions - 1:
            self.set_position(0)
        self.timer.start()
        self.play_button.setChecked(True)
        self.play_button.setIcon(self._icons["pause"])

    def pause(self) -> None:
        self.timer.stop()
        self.play_button.setChecked(False)
        self.play_button.setIcon(self._icons["play"])

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def _tick(self) -> None:
        if self.slider_model is None or self.t >= self.slider_model.positions - 1:
            self.pause()
            return
        self.set_position(self.t + 1)

    def step_forward(self) -> None:
        if self.slider_model is not None:
            self.set_position(min(self.t + 1, self.slider_model.positions - 1))

    def step_back(self) -> None:
        if self.slider_model is not None:
            self.set_position(max(self.t - 1, 0))

    def go_first(self) -> None:
        self.set_position(0)

    def go_last(self) -> None:
        if self.slider_model is not None:
            self.set_position(self.slider_model.positions - 1)

    def _channel_changed(self, v: int) -> None:
        self.out_channel = v
        if self.slider_model is not None:
            self._build_scene()
            self.set_position(self.t, force=True)

    def _flip_toggled(self, on: bool) -> None:
        self.true_convolution = on
        self.set_position(self.t, force=True)

    def _layer_chosen(self, i: int) -> None:
        if 0 <= i < len(self._layers):
            self.show_layer(self._layers[i])

    # --- the scene ---------------------------------------------------------------------------
    def _build_scene(self) -> None:
        self.scene.clear()
        self._items = {}
        m = self.slider_model
        if m is None:
            return
        kh, kw = m.kernel
        in_w = min(MAX_CROP, m.grid.width)
        in_h = min(MAX_CROP, m.grid.height)
        channels = list(m.group_channels(self.out_channel)) if m.op == "sum" else [self.out_channel]
        rows = channels[:MAX_ROWS]
        y = 40
        x_in = 30
        x_k = x_in + in_w * CELL + 60
        x_p = x_k + kw * CELL + 40
        x_sum = x_p + kw * CELL + 16
        x_out = x_sum + 150
        self._items["inputs"], self._items["kernels"], self._items["products"], self._items["partials"] = [], [], [], []
        label = tr("input (zero-inserted, padded)") if m.transposed else tr("input, padded")
        for r, c in enumerate(rows):
            gi = GridItem(f"{label} · ch {c}")
            gi.setPos(x_in, y)
            gi.clicked.connect(self.input_clicked)
            self.scene.addItem(gi)
            self._items["inputs"].append(gi)
            if m.op == "sum":
                gk = GridItem("")
                gk.show_index = False
                gk.setPos(x_k, y + (in_h * CELL - kh * CELL) / 2)
                gp = GridItem("")
                gp.show_index = False
                gp.setPos(x_p, y + (in_h * CELL - kh * CELL) / 2)
                self.scene.addItem(gk)
                self.scene.addItem(gp)
                self._items["kernels"].append(gk)
                self._items["products"].append(gp)
                t = self.scene.addText("")
                t.setPos(x_sum, y + in_h * CELL / 2 - 12)
                self._items["partials"].append(t)
                for sym, xx in (("×", x_k - 34), ("=", x_p - 28)):
                    s = self.scene.addText(sym)
                    f = s.font()
                    f.setPointSize(16)
                    s.setFont(f)
                    s.setPos(xx, y + in_h * CELL / 2 - 16)
            y += in_h * CELL + 58
        if m.op == "sum" and len(channels) > MAX_ROWS:
            more = self.scene.addText("")
            more.setPos(x_in, y - 30)
            self._items["more"] = more
            y += 10
        total = self.scene.addText("")
        total.setPos(x_in, y - 26)
        self._items["total"] = total
        y += 20
        out_h, out_w = min(MAX_CROP, m.out_h), min(MAX_CROP, m.out_w)
        go = GridItem("")
        go.setPos(x_out, 40)
        go.clicked.connect(self.output_clicked)
        go.hovered.connect(self.output_hovered)
        self.scene.addItem(go)
        self._items["output"] = go
        self.scene.setSceneRect(QtCore.QRectF(0, 0, x_out + out_w * CELL + 40, max(y, 40 + out_h * CELL + 40) + 10))
        self._fit()

    def _fit(self) -> None:
        """Scale the drawing to the view (never above 1.3x); scroll only when it would get
        too small to read."""
        rect = self.scene.sceneRect()
        vp = self.canvas.viewport().size()
        if rect.width() <= 0 or vp.width() <= 10:
            return
        k = min(vp.width() / rect.width(), vp.height() / rect.height(), 1.3)
        k = max(k, 0.6)
        self.canvas.resetTransform()
        self.canvas.scale(k, k)

    def resizeEvent(self, ev):  # noqa: N802
        super().resizeEvent(ev)
        self._fit()

    def set_position(self, t: int, force: bool = False) -> None:
        m = self.slider_model
        if m is None:
            return
        t = int(max(0, min(int(t), m.positions - 1)))
        if t == self.t and not force and self.step is not None:
            return
        self.t = t
        self.step = m.step(self.out_channel, t)
        self._draw()
        if self.scrub.value() != t:
            self.scrub.blockSignals(True)
            self.scrub.setValue(t)
            self.scrub.blockSignals(False)
        self.position_changed.emit(t)

    def _draw(self) -> None:
        m, st = self.slider_model, self.step
        if m is None or st is None or "output" not in self._items:
            return
        g = m.grid
        top, left, bottom, right = st.window
        in_h, in_w = min(MAX_CROP, g.height), min(MAX_CROP, g.width)
        oy0 = _crop_origin((top + bottom) // 2, g.height, in_h)
        ox0 = _crop_origin((left + right) // 2, g.width, in_w)
        taps = {(int(a), int(b)) for i, a in enumerate(st.tap_y) for j, b in enumerate(st.tap_x) if st.valid[i, j]}
        un_r, un_c = m.unreached()
        dim = {(r, c) for r in range(oy0, oy0 + in_h) for c in range(ox0, ox0 + in_w)
               if r >= g.height - un_r or c >= g.width - un_c}
        preview = set()
        if self.preview_t is not None and self.preview_t != self.t:
            pv = m.step(self.out_channel, self.preview_t)
            preview = {(int(a), int(b)) for a in pv.tap_y for b in pv.tap_x}
        ys = np.arange(oy0, oy0 + in_h)
        xs = np.arange(ox0, ox0 + in_w)
        shade = {(int(r), int(c)) for r in ys for c in xs if g.src_y[r] < 0 or g.src_x[c] < 0
                 or not g.is_input_row(r) or not g.is_input_col(c)}
        labels = {}
        if g.mode != "zeros":
            for r in ys:
                for c in xs:
                    if (not g.is_input_row(r) or not g.is_input_col(c)) and g.src_y[r] >= 0 and g.src_x[c] >= 0:
                        labels[(int(r), int(c))] = f"←{g.src_y[r]},{g.src_x[c]}"
            shade = {k for k in shade if k not in labels}
        rows = self._items["inputs"]
        channels = [t.in_channel for t in st.terms] if m.op == "sum" else [self.out_channel]
        for r, gi in enumerate(rows):
            c = channels[r]
            vals = m.padded_channel(c, slice(oy0, oy0 + in_h), slice(ox0, ox0 + in_w))
            gi.set_data(vals, (oy0, ox0))
            gi.shade = shade
            gi.labels = labels
            gi.dim = dim
            gi.taps = taps
            gi.box = (top, left, bottom, right)
            gi.preview = preview
            gi.marked = set()
            if st.op == "max" and st.argmax is not None:
                gi.marked = {(int(st.tap_y[st.argmax[0]]), int(st.tap_x[st.argmax[1]]))}
            gi.update()
        if m.op == "sum":
            for r, term in enumerate(st.terms[:len(rows)]):
                wk = flipped(term.weights) if self.true_convolution else term.weights
                gk, gp = self._items["kernels"][r], self._items["products"][r]
                gk.title = tr("flipped kernel") if self.true_convolution else tr("kernel")
                gk.set_data(wk)
                gp.title = tr("products")
                gp.set_data(term.products)
                self._items["partials"][r].setHtml(f"<span style='font-size:11pt'>Σ = <b>{term.partial:.4g}</b></span>")
            if "more" in self._items:
                rest = st.terms[len(rows):]
                self._items["more"].setHtml(tr("… and {n} more input channels, Σ = <b>{s:.4g}</b>").format(
                    n=len(rest), s=sum(t.partial for t in rest)))
        if st.op == "sum":
            parts = " + ".join(f"({t.partial:.4g})" if t.partial < 0 else f"{t.partial:.4g}" for t in st.terms[:8])
            if len(st.terms) > 8:
                parts += " + …"
            total = f"{parts} + bias {st.bias:.4g} = <b>{st.value:.4g}</b>"
        elif st.op == "max":
            total = f"max = <b>{st.value:.4g}</b>"
        else:
            total = f"sum {st.terms[0].partial:.4g} / {st.divisor} = <b>{st.value:.4g}</b>"
        self._items["total"].setHtml(f"<span style='font-size:11pt'>{total} &nbsp;→&nbsp; " +
                                     tr("output ({y}, {x})").format(y=st.oy, x=st.ox) + "</span>")
        go = self._items["output"]
        out_h, out_w = min(MAX_CROP, m.out_h), min(MAX_CROP, m.out_w)
        o0y = _crop_origin(st.oy, m.out_h, out_h)
        o0x = _crop_origin(st.ox, m.out_w, out_w)
        go.title = tr("output · channel {c}").format(c=self.out_channel)
        go.set_data(m.y[self.out_channel, o0y:o0y + out_h, o0x:o0x + out_w], (o0y, o0x))
        go.hidden = {(r, c) for r in range(o0y, o0y + out_h) for c in range(o0x, o0x + out_w)
                     if m.index(r, c) > self.t}
        go.current = (st.oy, st.ox)
        go.marked = set()
        if self.contrib is not None:
            go.marked = {(int(a), int(b)) for a in self.contrib[0] for b in self.contrib[1]}
        go.update()
        self.pos_label.setText(tr("output ({y}, {x}) · step {t} of {n}").format(
            y=st.oy, x=st.ox, t=self.t + 1, n=m.positions))
        self.equation.setText(m.equation(st))
        self.note.setText(self._notes(m))

    def _notes(self, m: Slider) -> str:
        notes = []
        un_r, un_c = m.unreached()
        if un_r or un_c:
            parts = []
            if un_r:
                parts.append(tr("{n} row(s) at the bottom").format(n=un_r))
            if un_c:
                parts.append(tr("{n} column(s) at the right").format(n=un_c))
            notes.append(tr("Shaded dark: {what} of the padded input that no window reaches — the stride does not "
                            "divide the rest, and the floor division in the output-size formula drops them.").format(
                what=tr(" and ").join(parts)))
        if m.transposed:
            notes.append(tr("Transposed convolution drawn as a direct one: zeros inserted between input pixels "
                            "(stride − 1 of them), padded by dilation·(k−1) − padding, then slid with the flipped "
                            "kernel at stride 1."))
        if m.grid.mode != "zeros" and m.op == "sum":
            notes.append(tr("Padding cells show the input pixel they copy ({mode} padding).").format(mode=m.grid.mode))
        if m.op == "max":
            notes.append(tr("Max pooling keeps the largest value in the window (outlined in orange); padding never wins."))
        if m.op == "avg":
            notes.append(tr("Average pooling divides the sum by {d}.").format(d=self.step.divisor if self.step else "?"))
        if self.true_convolution and m.op == "sum":
            notes.append(tr("torch's Conv2d computes cross-correlation; true convolution slides the kernel rotated "
                            "by 180°, so the same products appear with the flipped kernel."))
        if self.contrib is not None:
            n = len(self.contrib[0]) * len(self.contrib[1])
            notes.append(tr("The clicked input pixel feeds {n} output cells (outlined in orange).").format(n=n))
        return "\n".join(notes)

    # --- mouse -------------------------------------------------------------------------------
    def output_clicked(self, r: int, c: int) -> None:
        m = self.slider_model
        if m is not None:
            self.set_position(m.index(r, c))

    def output_hovered(self, r: int, c: int) -> None:
        m = self.slider_model
        self.preview_t = None if (m is None or r < 0) else m.index(r, c)
        self._draw()

    def input_clicked(self, r: int, c: int) -> None:
        """Highlight every output the input pixel under padded cell (r, c) contributes to."""
        m = self.slider_model
        if m is None:
            return
        iy, ix = int(m.grid.src_y[r]), int(m.grid.src_x[c])
        if iy < 0 or ix < 0:
            self.contrib = (np.array([], int), np.array([], int))
        else:
            self.contrib = m.contributors(iy, ix)
        self._draw()

    # --- export ------------------------------------------------------------------------------
    def frame(self) -> QtGui.QImage:
        rect = self.scene.sceneRect()
        img = QtGui.QImage(int(rect.width()), int(rect.height()) + 8, QtGui.QImage.Format.Format_RGB32)
        img.fill(QtGui.QColor("white"))
        p = QtGui.QPainter(img)
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        self.scene.render(p, QtCore.QRectF(0, 0, rect.width(), rect.height()), rect)
        p.end()
        return img

    def export_png(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self, tr("Save frame as PNG"), "stepper.png", "PNG (*.png)")
        if not path or self.slider_model is None:
            return False
        return self.frame().save(path, "PNG")

    def export_gif(self, path: str | None = None, start: int = 0, count: int | None = None,
                   max_frames: int = 300, wait: bool = False) -> int:
        """Save positions start .. start+count-1 (at most ``max_frames``) as an animated GIF at
        the current speed; returns the number of frames (0 if cancelled).  The frames are drawn
        here; colour reduction and writing run as a background job of the session's runner
        (``gif_job``), which the status bar shows and Stop cancels; ``wait`` joins it."""
        m = self.slider_model
        if m is None:
            return 0
        if path is None:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self, tr("Save animation as GIF"), "stepper.gif",
                                                            "GIF (*.gif)")
            if not path:
                return 0
        count = m.positions - start if count is None else count
        count = max(1, min(count, m.positions - start, max_frames))
        keep = self.t
        frames = []
        for t in range(start, start + count):
            self.set_position(t, force=True)
            frames.append(_to_rgb(self.frame()))
        self.set_position(keep, force=True)
        ms = max(20, int(round(1000 / self.speed.value())))

        def encode(job=None):
            images = []
            for k, rgb in enumerate(frames):
                if job is not None:
                    if job.cancelled():
                        return 0
                    job.report(k / len(frames), f"{k}/{len(frames)}")
                images.append(_quantize(rgb))
            images[0].save(path, save_all=True, append_images=images[1:], duration=ms, loop=0, disposal=1,
                           optimize=False)
            return len(images)

        if self.session is None:
            return encode()
        self.gif_job = self.session.runner.submit(
            "gif", encode, label=tr("Writing the GIF"), exclusive=False,
            on_failed=lambda msg: self.note.setText(msg))
        if wait:
            _join(self.gif_job)
            return count if self.gif_job.finished_ok else 0
        return count


def _join(job) -> None:
    """Run the event loop until ``job`` has ended (scripted use and tests)."""
    loop = QtCore.QEventLoop()
    ended = []
    job.ended.connect(lambda _j: (ended.append(1), loop.quit()))
    from .session import running_threads
    if any(t.job is job for t in running_threads()):
        loop.exec()


def _to_rgb(img: QtGui.QImage) -> np.ndarray:
    """A copy of a frame's pixels (made on the GUI thread; the QImage stays there)."""
    img = img.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes()).reshape(h, img.bytesPerLine())
    return buf[:, :w * 3].reshape(h, w, 3).copy()


def _quantize(rgb: np.ndarray):
    from PIL import Image
    return Image.fromarray(rgb, "RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)


class _PaintCounter(QtCore.QObject):
    def __init__(self, sink: list, parent=None):
        super().__init__(parent)
        self.sink = sink

    def eventFilter(self, obj, ev):  # noqa: N802
        if ev.type() == QtCore.QEvent.Type.Paint:
            self.sink.append(1)
        return False


def benchmark_steps(seconds: float = 3.0) -> tuple[float, str]:
    """Sustained steps per second on VGG-16's second convolution (64 channels, 224x224), the
    numbers computed once by the engine; after each step the event loop runs until Qt has
    painted what changed, as it does when playing."""
    import time

    from convviz.engine import ComputeRequest, Engine
    from convviz.samples import load_preset

    from .app import make_app
    app = make_app()
    p = load_preset("vgg16")
    p = p.with_layers(p.layers[:3], p.kernels[:3])
    res = Engine().run(ComputeRequest(1, p))
    view = SlidingView()
    view.resize(1400, 900)
    view.show()
    view.set_slider(Slider(p.layers[2], res.outputs[1], res.outputs[2], res.weights[2]), "VGG-16 layer 2")
    app.processEvents()
    n = 0
    t0 = time.perf_counter()
    painted = []
    view.canvas.viewport().installEventFilter(_PaintCounter(painted, view))
    while time.perf_counter() - t0 < seconds:
        view.step_forward()
        before = len(painted)
        while len(painted) == before:  # until the step is on screen
            app.processEvents()
        n += 1
    rate = n / (time.perf_counter() - t0)
    view.close()
    return rate, "VGG-16 layer 2: 64 input channels, 224x224, each step painted by the event loop"
