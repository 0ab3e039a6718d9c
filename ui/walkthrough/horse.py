"""Chapter 1's experiment: predict, then train a fully connected classifier and a convolution +
ReLU + global max pooling on horses near the centre of a wide canvas, and see each one's test
accuracy at every shift of the horse (convviz/lesson_experiments.py measures it; nothing shown
is written in the text).

While it trains: the fully connected layer's "horse" weights become a two-headed horse (red
for horse, blue against), the accuracy curves fill in, the progress bar moves; Stop stops.
The slider moves the horse on the canvas (no wrap-around): the window's maps are the trained
convolution's on that canvas (the session's input override), so its map follows the horse,
and the two models' P(horse) for that canvas are printed.  Training runs on the compute thread
(the one that owns torch) in short slices, as the training dock's does.
"""
from __future__ import annotations

import time

import numpy as np

from convviz import lesson_experiments as lx

from ..i18n import tr
from ..qt import QtCore, QtWidgets, Qt, pg

GREEN, RED = "#1a7f37", "#b00020"
FC_PEN, CONV_PEN = "#d0021b", "#0a84ff"
SLICE_SECONDS = 0.03  # training per slice: the run takes about a second here, shown in a dozen frames
PUSH_INTERVAL = 0.3  # seconds between two pushes of the convolution's weights to the window's maps
PREDICTIONS = ("fc", "conv", "both", "neither")


def diverging(w: np.ndarray) -> np.ndarray:
    """(H, W) weights as (H, W, 3) uint8: red positive, blue negative, white 0, symmetric scale."""
    m = float(np.abs(w).max()) or 1.0
    t = np.clip(np.asarray(w, np.float32) / m, -1, 1)[..., None]
    red, blue, white = np.array([208, 2, 27], np.float32), np.array([10, 132, 255], np.float32), np.float32(255)
    rgb = np.where(t >= 0, white + t * (red - white), white - t * (blue - white))
    return np.rint(rgb).astype(np.uint8)


def _image_view(height: int) -> tuple[pg.GraphicsLayoutWidget, pg.ImageItem]:
    view = pg.GraphicsLayoutWidget()
    view.setFixedHeight(height)
    view.ci.setContentsMargins(0, 0, 0, 0)
    vb = view.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
    vb.setDefaultPadding(0.0)
    item = pg.ImageItem(axisOrder="row-major")
    vb.addItem(item)
    return view, item


class HorseDemo(QtWidgets.QScrollArea):
    """Predict which model keeps its accuracy when the horse moves; train both; move the horse.
    A scroll area: on a short screen the chapter's text keeps its room and the experiment scrolls."""

    def __init__(self, window, state: dict | None = None, parent=None):
        super().__init__(parent)
        self.window = window
        self.prediction: str | None = None  # the learner's own prediction, made before training
        self.progress: lx.HorseProgress | None = None
        self.running = False
        self.seed = 0
        self.max_shift = lx.max_shift()
        self._exp = None  # (run, HorseExperiment), touched only on the compute thread
        self._run = 0  # which Train press the slices belong to
        self._task = None
        self._pushed_at = 0.0
        self._override_key = None
        self._given = {}  # the weights handed to the window's maps (taken back on leaving)
        # --- predict
        ask = QtWidgets.QLabel(tr("Both models learn from horses near the centre only. Predict: which one still "
                                  "finds the horse when it stands far to the left or right?"))
        ask.setWordWrap(True)
        self.choices = QtWidgets.QButtonGroup(self)
        row = QtWidgets.QGridLayout()  # two by two: the dock may be narrow
        for i, (key, text) in enumerate(zip(PREDICTIONS, (tr("Fully connected"), tr("Convolution + max pooling"),
                                                          tr("Both"), tr("Neither")))):
            b = QtWidgets.QRadioButton(text)
            b.setObjectName(f"horsePredict_{key}")
            self.choices.addButton(b, i)
            row.addWidget(b, i // 2, i % 2)
        self.choices.idClicked.connect(lambda i: self.predict(PREDICTIONS[i]))
        # --- run
        self.start_button = QtWidgets.QPushButton(tr("Train both"))
        self.start_button.setObjectName("horseStart")
        self.start_button.setToolTip(tr("Train the fully connected classifier and the convolution on the same "
                                        "horses (a few seconds)"))
        self.stop_button = QtWidgets.QPushButton(tr("Stop"))
        self.stop_button.setObjectName("horseStop")
        self.bar = QtWidgets.QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        run_row = QtWidgets.QHBoxLayout()
        run_row.addWidget(self.start_button)
        run_row.addWidget(self.stop_button)
        run_row.addWidget(self.bar, 1)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        # --- the accuracy at every shift
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("horsePlot")
        self.plot.setFixedHeight(140)
        self.plot.setBackground("w")
        self.plot.setLabel("bottom", tr("shift of the horse (pixels)"))
        self.plot.setLabel("left", tr("test accuracy"))
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setXRange(-self.max_shift, self.max_shift, padding=0.02)
        self.plot.setYRange(0, 1.05, padding=0)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        lo, hi = min(lx.TRAIN_SHIFTS) - 0.5, max(lx.TRAIN_SHIFTS) + 0.5
        self.trained_band = pg.LinearRegionItem((lo, hi), movable=False, brush=pg.mkBrush(255, 200, 0, 60),
                                                pen=pg.mkPen(None))
        self.plot.addItem(self.trained_band)
        self.fc_curve = self.plot.plot([], [], pen=pg.mkPen(FC_PEN, width=2))
        self.conv_curve = self.plot.plot([], [], pen=pg.mkPen(CONV_PEN, width=2))
        # the key above the plot (a legend inside it covers a curve at 0.5, where FC ends up)
        self.key = QtWidgets.QLabel(
            f"<span style='color:{FC_PEN}'>━ " + tr("fully connected") + f"</span> &nbsp; <span style='color:{CONV_PEN}'>━ "
            + tr("convolution") + "</span> &nbsp; <span style='background:#ffeab3'>&nbsp;&nbsp;&nbsp;</span> "
            + tr("where the horses were in training"))
        self.key.setObjectName("horseKey")
        self.key.setWordWrap(True)
        self.marker = pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#555", style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.marker)
        # --- the pictures: the FC weights, the canvas, the convolution's map
        self.weights_view, self.weights_item = _image_view(70)
        self.canvas_view, self.canvas_item = _image_view(70)
        self.map_view, self.map_item = _image_view(70)
        pics = QtWidgets.QGridLayout()
        for col, (view, text) in enumerate(((self.weights_view, tr("fully connected weights for 'horse'")),
                                            (self.canvas_view, tr("the test canvas")),
                                            (self.map_view, tr("convolution's map")))):
            cap = QtWidgets.QLabel(text)
            cap.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cap.setWordWrap(True)
            pics.addWidget(view, 0, col)
            pics.addWidget(cap, 1, col)
        # --- move the horse
        self.slider = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(-self.max_shift, self.max_shift)
        self.slider.setObjectName("horseShift")
        self.slider.setToolTip(tr("Move the horse left or right (it stays on the canvas)"))
        self.slider.valueChanged.connect(self._moved)
        self.label = QtWidgets.QLabel()
        self.label.setObjectName("horseScores")
        self.label.setWordWrap(True)
        self.result = QtWidgets.QLabel()
        self.result.setObjectName("horseResult")
        self.result.setWordWrap(True)
        body = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(ask)
        lay.addLayout(row)
        lay.addLayout(run_row)
        lay.addWidget(self.result)
        lay.addWidget(self.key)
        lay.addWidget(self.plot)
        lay.addLayout(pics)
        shift_row = QtWidgets.QHBoxLayout()
        shift_row.addWidget(QtWidgets.QLabel(tr("Move the horse:")))
        shift_row.addWidget(self.slider, 1)
        lay.addLayout(shift_row)
        lay.addWidget(self.label)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(160)
        # the room the chapter's extras get goes to the experiment first (a question below keeps its own)
        policy = QtWidgets.QSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Expanding)
        policy.setVerticalStretch(1)
        self.setSizePolicy(policy)
        self._body = body
        window.doc.lesson_changed.connect(self._lesson_changed)
        window.walkthrough.chapter_changed.connect(self._chapter_changed)
        if state:
            self.restore(state)
        self._show()
        self._moved(self.slider.value())

    def sizeHint(self):  # noqa: N802 - as tall as the experiment, when there is room
        return self._body.sizeHint()

    # --- the learner's side ------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        """Both models trained to the end."""
        return self.progress is not None and self.progress.done

    def predict(self, choice: str) -> None:
        """The learner's prediction (before training; it cannot change once training began)."""
        if choice not in PREDICTIONS or self.progress is not None or self.running:
            return
        self.prediction = choice
        b = self.choices.button(PREDICTIONS.index(choice))
        if not b.isChecked():
            b.setChecked(True)
        self._show()
        self.window.walkthrough.refresh_task()

    def start(self) -> None:
        """Train both models from the start (off the GUI thread, in slices)."""
        if self.running:
            return
        self.running = True
        self.progress = None
        self._run += 1  # a slice of an earlier run that arrives late is dropped
        self._show()
        self._queue(fresh=True)

    def stop(self) -> None:
        """Stop after the slice under way; what was trained so far stays on screen."""
        self.running = False
        self._show()

    def run_to_end(self, timeout: float = 60.0) -> bool:
        """Train to the end and wait for it (the tests and the rendered handout); True when done."""
        self.start()
        deadline = time.monotonic() + timeout
        app = QtWidgets.QApplication.instance()
        while not self.finished and time.monotonic() < deadline and self.running:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return self.finished

    def set_shift(self, dx: int) -> None:
        self.slider.setValue(int(dx))

    # --- training on the compute thread ----------------------------------------------------------------
    def _queue(self, fresh: bool = False) -> None:
        seed, run = self.seed, self._run

        def slice_(engine, cancelled):  # the compute thread
            if run != self._run:
                return None
            if fresh or self._exp is None or self._exp[0] != run:
                self._exp = (run, lx.HorseExperiment(seed, threads=1))
            exp = self._exp[1]
            t0 = time.perf_counter()
            p = exp.progress()
            while not exp.done and time.perf_counter() - t0 < SLICE_SECONDS and not cancelled():
                p = exp.step(2, cancelled)
            return run, p
        self._task = self.window.session.run_on_compute_thread(slice_, self._arrived, self._failed)

    def _arrived(self, result) -> None:
        if not self._alive() or result is None or result[0] != self._run:
            return
        self._task = None
        p = result[1]
        self.progress = p
        if p.done:
            self.running = False
        self._show()
        now = time.monotonic()
        if p.done or now - self._pushed_at >= PUSH_INTERVAL:
            self._pushed_at = now
            self._push_weights()
        if self.running:
            self._queue()
        else:
            self.window.walkthrough.refresh_task()

    def _failed(self, sentence: str) -> None:
        if not self._alive():
            return
        self.running = False
        self._task = None
        self.result.setText(f"<span style='color:{RED}'>" + tr("Training stopped: {s}").format(s=sentence) + "</span>")
        self._show(result=False)

    def _alive(self) -> bool:
        """Still the chapter's experiment (a slice may arrive after the chapter was left)."""
        try:
            return self.window.walkthrough.extra("horse") is self
        except RuntimeError:  # the window was deleted while a slice ran
            return False

    # --- the window's maps -----------------------------------------------------------------------
    def _on_chapter(self) -> bool:
        w = self.window
        return w.doc.lesson and tuple(w.project.input.shape) == (1,) + lx.CANVAS

    def _push_weights(self) -> None:
        """The convolution's weights to the window's maps, through the training dock's path (its
        trained / initial switch)."""
        if self.progress is None or not self._on_chapter():
            return
        self._given = {i: dict(v) for i, v in self.progress.conv_state.items()}
        self.window.training_panel.show_weights(self._given)

    def _set_override(self, dx: int) -> None:
        key = ("horse-canvas", int(dx))
        shown = self.window.session.input_override
        if not self._on_chapter() or (shown is not None and shown[1] == key and self._override_key == key):
            return  # (a repaint of the widget is no reason to compute the maps again)
        img = (lx.draw(dx).astype(np.float32) / 255)[None]
        img.setflags(write=False)
        self._override_key = key
        self.window.session.set_input_override(img, key, source="lesson",
                                               label=tr("the horse on the wide canvas, shift {dx}").format(dx=int(dx)))

    def _lesson_changed(self, on: bool) -> None:
        if not on:
            self._left()

    def _chapter_changed(self, _index: int) -> None:
        if not self._alive():
            self._left()

    def _left(self) -> None:
        """The chapter was left: the canvas and the trained weights go with it (unless the
        chapter was entered again: the new experiment has the canvas then)."""
        try:
            again = self.window.walkthrough.extra("horse") is not None and self.window.doc.lesson
        except RuntimeError:
            again = False
        if not again:
            self._clear_override()
        self._override_key = None
        from .trained_switch import release
        release(self.window, self._given)
        self._given = {}

    def _clear_override(self) -> None:
        if self._override_key is not None:
            self.window.session.set_input_override(None, source="lesson")
        self._override_key = None

    def hideEvent(self, ev) -> None:  # noqa: N802 - the chapter is left (or the walkthrough closed)
        if not self._alive():
            self._left()
        super().hideEvent(ev)

    # --- showing ---------------------------------------------------------------------------------------
    def _moved(self, dx: int) -> None:
        self.marker.setValue(dx)
        canvas = lx.draw(int(dx))
        self.canvas_item.setImage(canvas, levels=(0, 255))
        p = self.progress
        if p is not None:
            maps = lx.conv_maps_of(p.conv_state, canvas)
            self.map_item.setImage(maps[lx.horse_channel_of(p)], levels=(0, float(maps.max()) or 1.0))
            fc, conv = lx.scores_of(p, canvas)
            self.label.setText(tr("Shift {dx} px · P(horse): fully connected {fc:.0%}, convolution {cv:.0%}").format(
                dx=int(dx), fc=fc, cv=conv))
        else:
            self.map_item.clear()
            self.label.setText(tr("Shift {dx} px · train the models to see what each one says").format(dx=int(dx)))
        self._set_override(int(dx))

    def _show(self, result: bool = True) -> None:
        p = self.progress
        started = p is not None or self.running
        for b in self.choices.buttons():
            b.setEnabled(not started)
        self.start_button.setEnabled(not self.running)
        self.start_button.setText(tr("Train again") if p is not None and not self.running else tr("Train both"))
        self.stop_button.setEnabled(self.running)
        self.bar.setValue(int(1000 * p.fraction) if p is not None else 0)
        if p is not None:
            self.weights_item.setImage(diverging(p.fc_weights))
            if p.fc_accuracy is not None:
                self.fc_curve.setData(p.shifts, p.fc_accuracy)
                self.conv_curve.setData(p.shifts, p.conv_accuracy)
        else:
            self.weights_item.clear()
            self.fc_curve.setData([], [])
            self.conv_curve.setData([], [])
        if result:
            self.result.setText(self.result_text())
        self._moved(self.slider.value())

    def result_text(self) -> str:
        """The measured numbers and what they say about the learner's prediction."""
        p = self.progress
        if p is None:
            return "" if self.running else tr("Choose your prediction, then press Train both.") \
                if self.prediction is None else ""
        if not p.done:
            return tr("Training… epoch {e} of {n}").format(e=p.epoch, n=p.epochs) + ("" if self.running else
                                                                                    " · " + tr("stopped"))
        fc_in, fc_out = p.accuracy_where("fc", True), p.accuracy_where("fc", False)
        cv_in, cv_out = p.accuracy_where("conv", True), p.accuracy_where("conv", False)
        text = tr("Measured on the test horses: fully connected {a:.0%} where it was trained, {b:.0%} elsewhere; "
                  "convolution {c:.0%} and {d:.0%}.").format(a=fc_in, b=fc_out, c=cv_in, d=cv_out)
        keeps = {"fc": fc_out >= 0.9, "conv": cv_out >= 0.9}
        truth = "both" if all(keeps.values()) else "neither" if not any(keeps.values()) else \
            next(k for k, v in keeps.items() if v)
        if self.prediction is None:
            return text
        if self.prediction == truth:
            return f"<span style='color:{GREEN}'>✓ " + tr("Your prediction was right.") + "</span> " + text
        return f"<span style='color:{RED}'>✗ " + tr("Not what you predicted.") + "</span> " + text

    # --- handing over (a language switch) ---------------------------------------------------------------
    def state(self) -> dict:
        return {"prediction": self.prediction, "progress": self.progress, "shift": self.slider.value()}

    def restore(self, state: dict) -> None:
        self.prediction = state.get("prediction")
        if self.prediction in PREDICTIONS:
            self.choices.button(PREDICTIONS.index(self.prediction)).setChecked(True)
        self.progress = state.get("progress")
        self.slider.blockSignals(True)
        self.slider.setValue(int(state.get("shift", 0)))
        self.slider.blockSignals(False)
        if self.progress is not None and self.progress.done:
            QtCore.QTimer.singleShot(0, self, self._push_weights)
