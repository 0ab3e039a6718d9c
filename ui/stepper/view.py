"""The kernel stepper: watch the kernel slide over the padded input, one multiply-and-add at a
time — forward, back, scrub, play at any speed, zoom.

It follows the layer selected in the Layers list and reads that layer's maps from the compute
session, for the current generation only: after an edit that changes them, or a new project,
it shows nothing until the new maps are there, and a new project or another layer starts at
step 0.  Stepping only reads numbers the engine computed and moves drawings (a Frame, painted
by paint.py); the grids are sized to fill the pane (frame.fit) and zoom with Ctrl+wheel, the
+/- buttons, Ctrl+= and Ctrl+-.
"""
from __future__ import annotations

import os
from dataclasses import replace

import numpy as np

from convviz.sliding import SUPPORTED, Slider, Step

from ..i18n import tr
from ..qt import QtCore, QtGui, QtWidgets, Qt, Signal
from . import frame as fr
from .flow import FlowLayout
from .paint import Painter, fixed_family, grid_area, render, text_area, text_family

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.4, 4.0


def words() -> dict:
    """The stepper's words in the UI's language (made on the GUI thread, handed to painters)."""
    return {
        "input": tr("input, padded"), "input_t": tr("input (zero-inserted, padded)"), "kernel": tr("kernel"),
        "kernel_flipped": tr("kernel rotated 180°"), "products": tr("products"),
        "output": tr("output · channel {c}"), "ch": tr("ch"), "bias": tr("bias"),
        "more": tr("… and {n} more input channels, Σ = {s}"), "at": tr("output ({y}, {x})"),
        "max": tr("max"), "sum": tr("sum"), "more_eq": tr("… {n} more channels: {s}"),
    }


def _group(*widgets) -> QtWidgets.QWidget:
    """Widgets kept together on one line of the controls (a label and its box)."""
    w = QtWidgets.QWidget()
    lay = QtWidgets.QHBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(4)
    for x in widgets:
        lay.addWidget(x)
    return w


class Canvas(QtWidgets.QWidget):
    """Paints the current Frame; reports clicks and hover in grid cells; Ctrl+wheel zooms."""

    clicked = Signal(str, int, int)  # grid key, local row, local column
    hovered = Signal(str, int, int)  # ("", -1, -1) when the pointer leaves the grids
    zoom_requested = Signal(int)  # +1 in, -1 out

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("stepperCanvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.painter = Painter(fixed_family(), text_family())
        self.frame: fr.Frame | None = None
        self.layout_: fr.Layout | None = None
        self.message = ""
        self._hover: tuple | None = None

    def set_content(self, frame: fr.Frame | None, layout: fr.Layout | None, message: str = "") -> None:
        """Show ``frame``; when only some grids and lines changed since the last one (the kernels
        stay put while the window moves), only they are painted again."""
        old, old_layout = self.frame, self.layout_
        self.frame, self.layout_, self.message = frame, layout, message
        if frame is None or old is None or layout is not old_layout or frame.shape != old.shape:
            self.update()
            return
        region = QtGui.QRegion()
        for key, g in frame.grids.items():
            if not g.same_as(old.grids.get(key)):
                region += grid_area(layout, key).toAlignedRect()
        for key, text in frame.texts.items():
            if text != old.texts.get(key) and key in layout.geo.texts:
                region += text_area(layout, key).toAlignedRect()
        if not region.isEmpty():
            self.update(region)

    def painted_texts(self) -> list[str]:
        """Every line of words the canvas draws now (besides the numbers in the cells)."""
        if self.frame is None:
            return [self.message] if self.message else []
        return [t for t in self.frame.texts.values() if t]

    def paintEvent(self, ev):  # noqa: N802
        p = QtGui.QPainter(self)
        p.fillRect(ev.rect(), QtGui.QColor("white"))
        if self.frame is not None and self.layout_ is not None:
            p.setClipRegion(ev.region())
            self.painter.paint(p, self.frame, self.layout_, QtCore.QRectF(ev.region().boundingRect()))
        elif self.message:
            p.setPen(QtGui.QColor(90, 90, 90))
            f = QtGui.QFont(self.font())
            f.setPixelSize(16)
            p.setFont(f)
            p.drawText(self.rect().adjusted(20, 20, -20, -20),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        p.end()

    def _hit(self, pos) -> tuple | None:
        if self.layout_ is None:
            return None
        return self.layout_.hit(pos.x(), pos.y())

    def mousePressEvent(self, ev):  # noqa: N802
        self.setFocus()
        hit = self._hit(ev.position())
        if hit is not None and ev.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(*hit)
            ev.accept()
        else:
            super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev):  # noqa: N802
        hit = self._hit(ev.position())
        if hit != self._hover:
            self._hover = hit
            self.hovered.emit(*(hit or ("", -1, -1)))
        super().mouseMoveEvent(ev)

    def leaveEvent(self, ev):  # noqa: N802
        if self._hover is not None:
            self._hover = None
            self.hovered.emit("", -1, -1)
        super().leaveEvent(ev)

    def wheelEvent(self, ev):  # noqa: N802
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            d = ev.angleDelta().y()
            if d:
                self.zoom_requested.emit(1 if d > 0 else -1)
            ev.accept()
        else:
            ev.ignore()  # the scroll area scrolls


class SlidingView(QtWidgets.QWidget):
    """The stepper: controls, the canvas (one row per input channel, kernel, products, sums and
    the output filling in), the notes and the equation."""

    position_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("stepper")
        self.base_model: Slider | None = None  # the layer as torch computes it
        self.slider_model: Slider | None = None  # what is shown (the true convolution when flipped)
        self._layer: int | None = None  # the layer shown
        self._layer_type: str | None = None  # and its type
        self._wanted: int | None = None  # the layer asked for (shown when its maps are there)
        self.out_channel = 0
        self.first_row = 0
        self.t = 0
        self.step: Step | None = None
        self.frame_data: fr.Frame | None = None
        self.true_convolution = False
        self.contrib: tuple[np.ndarray, np.ndarray] | None = None
        self.preview_t: int | None = None
        self.zoom = 1.0
        self.stats: fr.Stats | None = None
        self.shape: fr.Shape | None = None
        self.layout_: fr.Layout | None = None
        self._options: list[fr.Shape] = []
        self._layers: list[int] = []
        self._keep_t = False  # the next layer shown keeps the step (an edit, not another project)
        self._project_key = None  # (title, input, seed, folder) of the project analysed last
        self._needs_refresh = False
        self._selecting = False
        self.session = None  # the ComputeSession whose numbers are shown
        self.layer_panel = None  # the Layers list followed
        self.gif_job = None  # the newest GIF being written
        self.gif_plan = None  # and what it renders
        self.words = words()

        self.layer_combo = QtWidgets.QComboBox()
        self.layer_combo.setMinimumContentsLength(22)
        self.layer_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setToolTip(tr("The layer whose sliding window to follow (as selected in the Layers list)"))
        self.channel_spin = QtWidgets.QSpinBox()
        self.channel_spin.setToolTip(tr("The output channel (kernel) to follow"))
        self.rows_spin = QtWidgets.QSpinBox()
        self.rows_spin.setToolTip(tr("The first input channel drawn as a row; the others are summed in one line"))
        self.rows_label = QtWidgets.QLabel(tr("Input channels from"))
        self.flip = QtWidgets.QCheckBox(tr("True convolution (flip the kernel)"))
        self.flip.setToolTip(tr("torch computes cross-correlation; true convolution rotates the kernel by 180° "
                                "before it slides, which changes the output unless the kernel is symmetric"))

        def tool(text, tip, slot, name=""):
            b = QtWidgets.QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            if name:
                b.setObjectName(name)
            return b
        self.zoom_out_button = tool("−", tr("Smaller cells (Ctrl+-, Ctrl+wheel)"), self.zoom_out, "zoomOut")
        self.zoom_in_button = tool("+", tr("Larger cells (Ctrl+=, Ctrl+wheel)"), self.zoom_in, "zoomIn")
        self.zoom_fit_button = tool(tr("Fit"), tr("Cells as large as the pane allows (Ctrl+0)"), self.zoom_fit,
                                    "zoomFit")
        self.zoom_label = QtWidgets.QLabel()
        self.zoom_label.setMinimumWidth(40)
        self.equation_button = tool(tr("Equation"), tr("Show the step as one equation, to read or copy"),
                                    self._toggle_equation, "equationButton")
        self.equation_button.setCheckable(True)
        self.gif_button = QtWidgets.QToolButton()
        self.gif_button.setText("GIF…")
        self.gif_button.setToolTip(tr("Export a range of steps as an animated GIF"))
        self.png_button = QtWidgets.QToolButton()
        self.png_button.setText("PNG…")
        self.png_button.setToolTip(tr("Export the frame shown as a PNG image"))
        SP = QtWidgets.QStyle.StandardPixmap
        self._icons = {k: self.style().standardIcon(v) for k, v in (
            ("first", SP.SP_MediaSkipBackward), ("back", SP.SP_MediaSeekBackward), ("play", SP.SP_MediaPlay),
            ("pause", SP.SP_MediaPause), ("fwd", SP.SP_MediaSeekForward), ("last", SP.SP_MediaSkipForward))}
        self.first_button = tool("", tr("First position (Home)"), self.go_first)
        self.back_button = tool("", tr("Step back (Left)"), self.step_back)
        self.play_button = tool("", tr("Play / pause (Space)"), self.toggle_play)
        self.play_button.setCheckable(True)
        self.fwd_button = tool("", tr("Step forward (Right)"), self.step_forward)
        self.last_button = tool("", tr("Last position (End)"), self.go_last)
        for b, k in ((self.first_button, "first"), (self.back_button, "back"), (self.play_button, "play"),
                     (self.fwd_button, "fwd"), (self.last_button, "last")):
            b.setIcon(self._icons[k])
        self.scrub = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.scrub.setToolTip(tr("Scrub through every output position"))
        self.speed = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, 60)
        self.speed.setValue(4)
        self.speed.setFixedWidth(100)
        self.speed.setToolTip(tr("Playback speed, 1 to 60 steps per second"))
        self.speed_label = QtWidgets.QLabel()
        self.speed_label.setMinimumWidth(36)
        self.pos_label = QtWidgets.QLabel()
        self.pos_label.setMinimumWidth(120)
        bar = QtWidgets.QHBoxLayout()
        bar.setSpacing(4)
        for b in (self.first_button, self.back_button, self.play_button, self.fwd_button, self.last_button):
            bar.addWidget(b)
        bar.addWidget(self.scrub, 1)
        bar.addWidget(self.pos_label)
        # the GIF being written: progress and Cancel (the status bar shows them too)
        self.gif_label = QtWidgets.QLabel()
        self.gif_progress = QtWidgets.QProgressBar()
        self.gif_progress.setObjectName("gifProgress")
        self.gif_progress.setRange(0, 1000)
        self.gif_progress.setFixedWidth(110)
        self.gif_progress.setTextVisible(False)
        self.gif_cancel = QtWidgets.QPushButton(tr("Cancel"))
        self.gif_cancel.setObjectName("gifCancel")
        self.gif_cancel.clicked.connect(self.cancel_gif)
        group = lambda *ws: _group(*ws)  # noqa: E731
        self.gif_bar = group(self.gif_label, self.gif_progress, self.gif_cancel)
        self.gif_bar.hide()
        self.rows_group = group(self.rows_label, self.rows_spin)
        self.rows_group.hide()
        # what to show, the zoom and the exports: one line on a wide pane, more on a narrow one
        self.controls = QtWidgets.QWidget()
        self.controls.setObjectName("stepperControls")
        flow = FlowLayout(self.controls)
        for w in (group(QtWidgets.QLabel(tr("Layer")), self.layer_combo),
                  group(QtWidgets.QLabel(tr("Output channel")), self.channel_spin), self.rows_group, self.flip,
                  group(QtWidgets.QLabel(tr("Speed")), self.speed, self.speed_label),
                  group(self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.zoom_fit_button),
                  group(self.equation_button, self.png_button, self.gif_button), self.gif_bar):
            flow.addWidget(w)

        self.canvas = Canvas()
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setObjectName("stepperScroll")
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(False)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setStyleSheet("QScrollArea { background: white; }")
        self.scroll.viewport().installEventFilter(self)
        self.equation = QtWidgets.QLabel()
        self.equation.setObjectName("equation")
        self.equation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.equation.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.equation.setWordWrap(True)
        self.equation.hide()
        self.note = QtWidgets.QLabel()
        self.note.setObjectName("stepperNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555")
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(3)
        lay.addWidget(self.controls)
        lay.addLayout(bar)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.equation)
        lay.addWidget(self.note)

        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.speed.valueChanged.connect(self._speed_changed)
        self.scrub.valueChanged.connect(self.set_position)
        self.channel_spin.valueChanged.connect(self._channel_changed)
        self.rows_spin.valueChanged.connect(self._rows_changed)
        self.flip.toggled.connect(self._flip_toggled)
        self.layer_combo.activated.connect(self._layer_chosen)
        self.gif_button.clicked.connect(lambda: self.export_gif())
        self.png_button.clicked.connect(lambda: self.export_png())
        self.canvas.clicked.connect(self._canvas_clicked)
        self.canvas.hovered.connect(self._canvas_hovered)
        self.canvas.zoom_requested.connect(lambda d: self.zoom_in() if d > 0 else self.zoom_out())
        for key, slot in ((Qt.Key.Key_Space, self.toggle_play), (Qt.Key.Key_Left, self.step_back),
                          (Qt.Key.Key_Right, self.step_forward), (Qt.Key.Key_Home, self.go_first),
                          (Qt.Key.Key_End, self.go_last), ("Ctrl+=", self.zoom_in), ("Ctrl++", self.zoom_in),
                          ("Ctrl+-", self.zoom_out), ("Ctrl+0", self.zoom_fit)):
            sc = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        self._speed_changed(self.speed.value())
        self._show_zoom()
        self._set_enabled(False)

    # --- following the session and the Layers list --------------------------------------------
    def attach(self, session, layer_panel=None) -> None:
        """Follow ``session`` (a ui.session.ComputeSession): the maps of its current generation,
        and its job runner for GIF export; and ``layer_panel`` (the Layers list): the layer it
        selects is the layer shown, and choosing one here selects it there."""
        self.session = session
        session.analysed.connect(self._analysed)
        session.maps_updated.connect(self._maps_updated)
        session.stopped.connect(self._stopped)
        if layer_panel is not None:
            self.layer_panel = layer_panel
            layer_panel.selection_changed.connect(self._selected)

    def _analysed(self, project, _info, first: int) -> None:
        """A new project or an edit: the maps of layers >= first are no longer current.  The
        shown layer's numbers go at once (never the previous project's numbers under the new
        project's name).  An edit keeps the step; another project (title, input, seed or
        folder) starts again at step 0, as does another layer type where the layer was."""
        key = (project.title, project.input, project.seed, self.session.base_dir)
        same = key == self._project_key
        self._project_key = key
        if self._layer is None:
            return
        spec = project.layers[self._layer] if self._layer < len(project.layers) else None
        self._keep_t = same and spec is not None and spec.type == self._layer_type
        if first <= self._layer or not same:
            self._clear(tr("Computing layer {i}…").format(i=self._layer))
            self._wanted = self._layer if self._wanted is None else self._wanted
            self._needs_refresh = True

    def _stopped(self, _generation: int) -> None:
        if self.base_model is None and self._layer is not None and self.canvas.message:
            self.canvas.set_content(None, None, tr("The computation was stopped; F5 computes layer {i} again.")
                                    .format(i=self._layer))

    def _maps_updated(self, _generation: int) -> None:
        self.refresh_from_window()

    def _selected(self, index: int) -> None:
        if self._selecting or index < 0:
            return
        self._wanted = index
        if self.isVisible() and index != self._layer:
            self.show_layer(index)

    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        if self._needs_refresh or self.base_model is None:
            self.refresh_from_window()

    @property
    def layer_index(self) -> int | None:
        """The layer shown."""
        return self._layer

    @layer_index.setter
    def layer_index(self, index: int | None) -> None:
        """Ask for layer ``index``: shown now if its maps are there, else when they arrive."""
        if index is None:
            return
        self._wanted = index
        if not self.show_layer(index):
            self._needs_refresh = True

    def _set_enabled(self, on: bool) -> None:
        for w in (self.first_button, self.back_button, self.play_button, self.fwd_button, self.last_button,
                  self.scrub, self.channel_spin, self.rows_spin, self.gif_button, self.png_button):
            w.setEnabled(on)
        self.flip.setEnabled(on and self.base_model is not None and self.base_model.op == "sum")

    def _clear(self, message: str) -> None:
        self.pause()
        self.base_model = self.slider_model = None
        self.step = None
        self.frame_data = None
        self.layout_ = None
        self.canvas.set_content(None, None, message)
        self._resize_canvas()
        self.equation.setText("")
        self.pos_label.setText("")
        self._set_enabled(False)

    def _sliding_layers(self) -> list[int]:
        """Layers with a sliding window whose maps (and weights) belong to the current generation."""
        s = self.session
        if s is None or not s.current():
            return []
        out = []
        for i, spec in enumerate(s.project.layers):
            if spec.type in SUPPORTED and s.map(i) is not None and s.map(i - 1 if i > 0 else -1) is not None:
                out.append(i)
        return out

    def refresh_from_window(self) -> None:
        """Show the layer the Layers list selects (or the one asked for) from the session's
        current maps — when the stepper is on screen; otherwise when it is next shown."""
        s = self.session
        if s is None:
            return
        if not self.isVisible() or not s.current():
            self._needs_refresh = True
            return
        self._needs_refresh = False
        p = s.project
        self._layers = self._sliding_layers()
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        for i in self._layers:
            self.layer_combo.addItem(f"{i} · {p.layers[i]}", i)
        self.layer_combo.blockSignals(False)
        if not self._layers:
            self._layer = None
            self._clear(tr("Add a Conv2d, ConvTranspose2d, DepthwiseSeparable or pooling layer to step "
                           "through its sliding window."))
            self.note.setText("")
            return
        keep = self._keep_t
        self._keep_t = False
        self.show_layer(self._choose(), keep_position=keep)

    def _choose(self) -> int:
        """The selected layer if it slides a window; else the one shown, if it still does; else
        the nearest sliding layer before the selection; else the first."""
        want = self._wanted
        if self.layer_panel is not None and self.layer_panel.current() >= 0:
            want = self.layer_panel.current()
        if want in self._layers:
            return want
        if self._layer in self._layers:
            return self._layer
        before = [i for i in self._layers if want is not None and i < want]
        return before[-1] if before else self._layers[0]

    def show_layer(self, index: int, keep_position: bool = False) -> bool:
        """Follow layer ``index`` of the session's project (if it slides a window and its maps
        are current); it starts at step 0 unless ``keep_position`` and it is the layer shown."""
        s = self.session
        if s is None or not s.current():
            self._wanted = index
            return False
        if not self._layers or index not in self._layers:
            self._layers = self._sliding_layers()
        if index not in self._layers:
            if s.project is not None and 0 <= index < len(s.project.layers) and self._layer is not None:
                self.note.setText(tr("Layer {i} ({type}) has no sliding window; the stepper stays on layer {j}.")
                                  .format(i=index, type=s.project.layers[index].type, j=self._layer))
            return False
        p, res = s.project, s.result
        spec = p.layers[index]
        x = s.map(index - 1 if index > 0 else -1)
        y = s.map(index)
        if spec.type == "DepthwiseSeparable":
            y = res.intermediates[index] if index < len(res.intermediates) else None
        weights = res.weights[index] if index < len(res.weights) else ()
        try:
            model = Slider(spec, x, y, weights)
        except (ValueError, IndexError, TypeError, AttributeError) as e:  # numbers that do not fit the layer
            self.note.setText(str(e))
            return False
        t = self.t if keep_position and index == self._layer else 0
        self._wanted = index
        self._layer, self._layer_type = index, spec.type
        if self.layer_panel is not None and self.layer_panel.current() != index:
            self._selecting = True
            try:
                self.layer_panel.select(index)
            finally:
                self._selecting = False
        if self.layer_combo.findData(index) < 0:
            self.layer_combo.blockSignals(True)
            self.layer_combo.clear()
            for i in self._layers:
                self.layer_combo.addItem(f"{i} · {p.layers[i]}", i)
            self.layer_combo.blockSignals(False)
        self.layer_combo.setCurrentIndex(self.layer_combo.findData(index))
        self._set_model(model, t)
        return True

    def set_slider(self, model: Slider, label: str = "") -> None:
        """Show a Slider built elsewhere (benchmarks, scripted use)."""
        self._layer = None
        self.layer_combo.clear()
        self.layer_combo.addItem(label or str(model.spec))
        self._set_model(model, 0)

    def _set_model(self, model: Slider, t: int) -> None:
        self.pause()
        self.base_model = model
        self.out_channel = min(self.out_channel, model.c_out - 1)
        self.channel_spin.blockSignals(True)
        self.channel_spin.setRange(0, model.c_out - 1)
        self.channel_spin.setValue(self.out_channel)
        self.channel_spin.blockSignals(False)
        self.scrub.blockSignals(True)
        self.scrub.setRange(0, model.positions - 1)
        self.scrub.blockSignals(False)
        self.contrib = None
        self.preview_t = None
        if model.op != "sum" and self.flip.isChecked():
            self.flip.blockSignals(True)
            self.flip.setChecked(False)
            self.flip.blockSignals(False)
            self.true_convolution = False
        self._set_enabled(True)
        self._prepare()
        self.set_position(min(t, model.positions - 1), force=True)

    def _prepare(self) -> None:
        """The model shown, its stats and the shapes to fit (per layer, channel and flip)."""
        base = self.base_model
        if base is None:
            return
        self.slider_model = base.true_convolution() if self.true_convolution else base
        self.stats = fr.stats_for(self.slider_model, self.out_channel)
        self._options = fr.shapes(self.slider_model, self.out_channel, self.stats)
        channels = len(base.group_channels(self.out_channel)) if base.op == "sum" else 1
        self.rows_spin.blockSignals(True)
        self.rows_spin.setRange(0, max(0, channels - 1))
        self.first_row = min(self.first_row, max(0, channels - 1))
        self.rows_spin.setValue(self.first_row)
        self.rows_spin.blockSignals(False)
        self._fit()
        self.note.setText(self._notes())

    # --- size and zoom ------------------------------------------------------------------------
    def _pane(self) -> tuple[float, float]:
        vp = self.scroll.maximumViewportSize()
        return float(vp.width() - 2), float(vp.height() - 2)

    def _fit(self) -> bool:
        """Choose the shape and the cell size for the pane and the zoom; True if they changed."""
        if not self._options:
            return False
        shape, geo, cell = fr.fit(self._options, self._pane(), self.zoom)
        changed = shape != self.shape or self.layout_ is None or abs(cell - self.layout_.cell) > 1e-6
        if changed:
            self.shape, self.layout_ = shape, geo.scaled(cell)
        self.rows_group.setVisible(shape.more)
        self._resize_canvas()
        self._show_zoom()
        return changed

    def _resize_canvas(self) -> None:
        vp = self.scroll.maximumViewportSize()
        if self.layout_ is None or self.frame_data is None and self.base_model is None:
            self.canvas.resize(max(1, vp.width() - 2), max(1, vp.height() - 2))
            return
        w, h = self.layout_.size
        self.canvas.resize(w, h)

    def eventFilter(self, obj, ev):  # noqa: N802
        if obj is self.scroll.viewport() and ev.type() == QtCore.QEvent.Type.Resize:
            QtCore.QTimer.singleShot(0, self._refit)
        return False

    def _refit(self) -> None:
        if self.base_model is None:
            self._resize_canvas()
            return
        if self._fit():
            self._draw()

    def _show_zoom(self) -> None:
        self.zoom_label.setText(f"{self.zoom * 100:.0f}%")
        self.zoom_out_button.setEnabled(self.zoom > ZOOM_MIN + 1e-9)
        self.zoom_in_button.setEnabled(self.zoom < ZOOM_MAX - 1e-9)

    def set_zoom(self, zoom: float) -> None:
        self.zoom = float(min(ZOOM_MAX, max(ZOOM_MIN, zoom)))
        self._show_zoom()
        if self.base_model is not None and self._fit():
            self._draw()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP)

    def zoom_fit(self) -> None:
        self.set_zoom(1.0)

    @property
    def cell(self) -> float:
        """The cell height on screen, px."""
        return self.layout_.cell if self.layout_ is not None else 0.0

    def _toggle_equation(self, on: bool) -> None:
        self.equation.setVisible(on)

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
        if self.base_model is not None:
            self._prepare()
            self.set_position(self.t, force=True)

    def _rows_changed(self, v: int) -> None:
        self.first_row = v
        self.set_position(self.t, force=True)

    def _flip_toggled(self, on: bool) -> None:
        self.true_convolution = on
        if self.base_model is not None:
            self._prepare()
            self.set_position(self.t, force=True)

    def _layer_chosen(self, i: int) -> None:
        index = self.layer_combo.itemData(i)
        if isinstance(index, int):
            self.show_layer(index)

    # --- drawing -------------------------------------------------------------------------------
    def state(self, t: int | None = None) -> fr.State:
        c = self.contrib
        contrib = (tuple(int(v) for v in c[0]), tuple(int(v) for v in c[1])) if c is not None else None
        return fr.State(self.out_channel, self.t if t is None else int(t), self.first_row, self.preview_t, contrib)

    def set_position(self, t: int, force: bool = False) -> None:
        m = self.slider_model
        if m is None:
            return
        t = int(max(0, min(int(t), m.positions - 1)))
        if t == self.t and not force and self.step is not None:
            return
        self.t = t
        self._draw()
        if self.scrub.value() != t:
            self.scrub.blockSignals(True)
            self.scrub.setValue(t)
            self.scrub.blockSignals(False)
        self.position_changed.emit(t)

    def _draw(self) -> None:
        m = self.slider_model
        if m is None or self.shape is None:
            return
        self.frame_data, self.step = fr.build_frame(m, self.shape, self.stats, self.state(), self.words)
        self.canvas.set_content(self.frame_data, self.layout_)
        st = self.step
        self.pos_label.setText(tr("output ({y}, {x}) · step {t} of {n}").format(
            y=st.oy, x=st.ox, t=self.t, n=m.positions))
        self.equation.setText(m.equation(st, words={"ch": self.words["ch"], "bias": self.words["bias"],
                                                    "more": self.words["more_eq"]}))

    def _notes(self) -> str:
        m = self.slider_model
        if m is None:
            return ""
        notes = []
        rows, cols = m.reached()
        trail_r, trail_c = m.unreached()
        inner_r = int((~rows).sum()) - trail_r
        inner_c = int((~cols).sum()) - trail_c
        if trail_r or trail_c:
            parts = []
            if trail_r:
                parts.append(tr("{n} row(s) at the bottom").format(n=trail_r))
            if trail_c:
                parts.append(tr("{n} column(s) at the right").format(n=trail_c))
            notes.append(tr("Shaded dark: {what} of the padded input that no window reaches — the stride does not "
                            "divide the rest, and the floor division in the output-size formula drops them.").format(
                what=tr(" and ").join(parts)))
        if inner_r or inner_c:
            notes.append(tr("Shaded dark between windows: {r} row(s) and {c} column(s) that no window reads — the "
                            "stride steps over them (a stride larger than the kernel's span, or dilation gaps "
                            "the stride skips).").format(r=inner_r, c=inner_c))
        if m.transposed:
            notes.append(tr("Transposed convolution drawn as a direct one: zeros inserted between input pixels "
                            "(stride − 1 of them), padded by dilation·(k−1) − padding, then slid with the flipped "
                            "kernel at stride 1."))
        if m.grid.mode != "zeros" and m.op == "sum":
            notes.append(tr("Padding cells show the input pixel they copy ({mode} padding).").format(mode=m.grid.mode))
        if m.op == "max":
            notes.append(tr("Max pooling keeps the largest value in the window (outlined in orange); padding never wins."))
        if m.op == "avg" and self.step is not None:
            notes.append(tr("Average pooling divides the sum by {d}.").format(d=self.step.divisor))
        if m.flipped:
            notes.append(tr("True convolution: the kernel is rotated by 180° before it slides, so each product is "
                            "the window value times the rotated kernel's value beside it, and the output is the "
                            "true convolution — not torch's Conv2d output (cross-correlation), unless the kernel "
                            "is symmetric."))
        if self.contrib is not None:
            n = len(self.contrib[0]) * len(self.contrib[1])
            notes.append(tr("The clicked input pixel feeds {n} output cells (outlined in orange).").format(n=n))
        return "\n".join(notes)

    # --- mouse -------------------------------------------------------------------------------
    def _canvas_clicked(self, key: str, r: int, c: int) -> None:
        g = self.frame_data.grids.get(key) if self.frame_data is not None else None
        if g is None:
            return
        if key == "output":
            self.output_clicked(r + g.origin[0], c + g.origin[1])
        elif key.startswith("input/"):
            self.input_clicked(r + g.origin[0], c + g.origin[1])

    def _canvas_hovered(self, key: str, r: int, c: int) -> None:
        g = self.frame_data.grids.get(key) if self.frame_data is not None else None
        if key == "output" and g is not None:
            self.output_hovered(r + g.origin[0], c + g.origin[1])
        else:
            self.output_hovered(-1, -1)

    def output_clicked(self, r: int, c: int) -> None:
        m = self.slider_model
        if m is not None and 0 <= r < m.out_h and 0 <= c < m.out_w:
            self.set_position(m.index(r, c))

    def output_hovered(self, r: int, c: int) -> None:
        m = self.slider_model
        preview = None if (m is None or r < 0) else m.index(r, c)
        if preview != self.preview_t:
            self.preview_t = preview
            self._draw()

    def input_clicked(self, r: int, c: int) -> None:
        """Outline every output the input pixel under padded cell (r, c) feeds."""
        m = self.slider_model
        if m is None:
            return
        iy, ix = int(m.grid.src_y[r]), int(m.grid.src_x[c])
        if iy < 0 or ix < 0:
            self.contrib = (np.array([], int), np.array([], int))
        else:
            self.contrib = m.contributors(iy, ix)
        self._draw()
        self.note.setText(self._notes())

    # --- export ------------------------------------------------------------------------------
    def render_frame(self, t: int | None = None, cell: float | None = None):
        """Step ``t`` (default: the one shown) as a QImage, with cells of ``cell`` px."""
        plan = self.plan(cell)
        return plan.image(self.t if t is None else t) if plan is not None else None

    def plan(self, cell: float | None = None):
        """What a GIF or PNG of the current view needs, frozen (ui/stepper/gif.py's FramePlan)."""
        from .gif import FramePlan
        if self.slider_model is None or self.shape is None:
            return None
        return FramePlan(self.slider_model, self.shape, self.stats, self.state(), self.words,
                         float(cell or max(self.cell, fr.MIN_CELL)), fixed_family(), text_family())

    def export_png(self, path: str | None = None) -> bool:
        if self.slider_model is None:
            return False
        if path is None:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self, tr("Save frame as PNG"), "stepper.png", "PNG (*.png)")
        if not path:
            return False
        return self.render_frame().save(path, "PNG")

    def export_gif(self, path: str | None = None, start: int = 0, count: int | None = None, scale: float = 1.0,
                   wait: bool = False, plan=None) -> int:
        """Write steps start .. start+count-1 as an animated GIF at the current speed, every one of
        them, rendered and written by a background job (``gif_job``) with progress and Cancel;
        returns the number of frames asked for (0 if nothing was started).  Without ``path`` a
        dialog offers the range and the size, with the file's estimated size, then asks where.
        The frames are the view as it is now with cells ``scale`` times the screen's (or as
        ``plan``, a gif.FramePlan, says)."""
        from . import gif
        m = self.slider_model
        if m is None:
            return 0
        if path is None:
            opts = gif.ask(self)
            if opts is None:
                return 0
            start, count, plan, path = opts
        count = m.positions - start if count is None else count
        start = max(0, min(int(start), m.positions - 1))
        count = max(1, min(int(count), m.positions - start))
        plan = plan or self.plan(max(self.cell, fr.MIN_CELL) * scale)
        delay = max(20, int(round(1000 / self.speed.value())))
        job = gif.start(self, plan, path, start, count, delay)
        self.gif_job, self.gif_plan = job, plan
        if wait:
            gif.join(job)
            return count if job.finished_ok else 0
        return count

    def cancel_gif(self) -> None:
        if self.gif_job is not None:
            self.gif_job.cancel()
        self.gif_bar.hide()

    def gif_ended(self, job) -> None:
        if job is self.gif_job:
            self.gif_bar.hide()

    def gif_progress_changed(self, fraction: float, text: str) -> None:
        self.gif_progress.setValue(int(1000 * max(0.0, fraction)))
        self.gif_label.setText(f"GIF {text}")
