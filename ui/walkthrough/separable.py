"""Chapter 9's experiment: the depthwise-separable block as a cost experiment.

* The two steps made visible: one input channel, its depthwise map (that channel filtered on its
  own), and an output channel of the pointwise 1x1 convolution (all depthwise maps mixed): the
  window's own maps of the chapter's project.
* The cost table bound to the live stack (convviz.cost_experiment.find_block): edit the block's
  channels, kernel or stride and it follows.  Its numbers wait until the chapter's cost question
  (questions.py, "ask:cost") is answered or revealed: predict, then read.
* Measured time on this machine (median of repeats, on the compute thread) beside the MAC ratio:
  MACs are not time; the depthwise step is memory-bound.
* Two small digit classifiers, standard and separable, trained in the app (on the compute
  thread, in slices, with progress and Stop): the accuracy each reaches.

Everything torch runs on the compute thread (ComputeSession.run_on_compute_thread); this widget
counts nothing itself (the arithmetic module does).
"""
from __future__ import annotations

import time

import numpy as np

from convviz import cost_experiment as cx

from ..i18n import tr, tr_core
from ..qt import QtCore, QtGui, QtWidgets

GREEN, RED = "#1a7f37", "#b00020"
PIX = 72  # side of each map picture, pixels
REPEATS = 15  # timing rounds
EPOCHS = 5  # the two models' training


def _pixmap(arr: np.ndarray | None, side: int = PIX) -> QtGui.QPixmap:
    """A 2-D map as a grey picture, its own min..max stretched to black..white."""
    if arr is None or arr.ndim != 2 or arr.size == 0:
        pm = QtGui.QPixmap(side, side)
        pm.fill(QtGui.QColor("#e8e8e8"))
        return pm
    a = np.nan_to_num(arr.astype(np.float32))
    lo, hi = float(a.min()), float(a.max())
    g = np.zeros(a.shape, np.uint8) if hi <= lo else ((a - lo) * (255.0 / (hi - lo))).astype(np.uint8)
    g = np.ascontiguousarray(g)
    img = QtGui.QImage(g.data, g.shape[1], g.shape[0], g.strides[0], QtGui.QImage.Format.Format_Grayscale8).copy()
    return QtGui.QPixmap.fromImage(img).scaled(side, side, QtCore.Qt.AspectRatioMode.KeepAspectRatio,
                                               QtCore.Qt.TransformationMode.FastTransformation)


def _wait(app, done, timeout: float) -> bool:
    """Run the event loop until ``done()`` (True) or ``timeout`` seconds (False)."""
    t0 = time.monotonic()
    while not done():
        if time.monotonic() - t0 > timeout:
            return False
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)
    return True


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3g} ms"


class SeparableTable(QtWidgets.QWidget):
    """The cost experiment (see the module doc).  ``cost`` is the live block's BlockCost (None
    when the stack has none); ``latency`` the last measurement of it; ``pair`` the two models'
    PairResult once trained."""

    def __init__(self, window, panel=None, state: dict | None = None, parent=None):
        super().__init__(parent)
        self.window = window
        self.panel = panel
        self.cost: cx.BlockCost | None = None
        self.latency: cx.Latency | None = None
        self.pair: cx.PairResult | None = None
        self.epochs = EPOCHS
        self.repeats = REPEATS
        self.training = False
        self.measuring = False
        self.progress_value = 0.0
        self._gen = 0  # bumped when the block changes: a measurement of an older block is dropped
        self._measure_task = None  # the queued or running measurement (EngineTask)
        self._train_task = None  # the queued or running training slice
        self._trainers = None  # touched only on the compute thread
        self._revealed_once = False
        self._bad = None  # the first layer torch would refuse (its sentence is shown)

        self.header = QtWidgets.QLabel()
        self.header.setWordWrap(True)
        self.header.setObjectName("separableHeader")

        # the two steps
        steps = QtWidgets.QWidget()
        self.channel = QtWidgets.QSpinBox()
        self.channel.setObjectName("separableChannel")
        self.channel.setToolTip(tr("The input channel followed through the depthwise step"))
        self.out_channel = QtWidgets.QSpinBox()
        self.out_channel.setObjectName("separableOutChannel")
        self.out_channel.setToolTip(tr("The output channel of the pointwise step"))
        self.pics = [QtWidgets.QLabel() for _ in range(3)]
        self.captions = [QtWidgets.QLabel() for _ in range(3)]
        self.arrows = [QtWidgets.QLabel() for _ in range(2)]
        grid = QtWidgets.QGridLayout(steps)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setVerticalSpacing(2)
        for i, (pic, cap) in enumerate(zip(self.pics, self.captions)):
            pic.setFixedSize(PIX, PIX)
            pic.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
            cap.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(pic, 0, 2 * i, QtCore.Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(cap, 1, 2 * i)
            if i < 2:
                self.arrows[i].setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
                grid.addWidget(self.arrows[i], 0, 2 * i + 1)
        pick = QtWidgets.QHBoxLayout()
        pick.addWidget(QtWidgets.QLabel(tr("Input channel:")))
        pick.addWidget(self.channel)
        pick.addStretch(1)
        pick.addWidget(QtWidgets.QLabel(tr("Output channel:")))
        pick.addWidget(self.out_channel)
        grid.addLayout(pick, 2, 0, 1, 5)
        grid.setRowStretch(3, 1)  # the pictures and their captions stay together at the top

        # the cost table: one row per convolution, one column per cost
        self.wait_note = QtWidgets.QLabel(tr("Answer the cost question first: then this table compares the block "
                                             "with a standard convolution, counted and timed."))
        self.wait_note.setWordWrap(True)
        self.wait_note.setObjectName("separableWait")
        table = QtWidgets.QTableWidget(5, 3)
        table.setObjectName("separableTable")
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setVerticalHeaderLabels([tr("Standard"), tr("Depthwise"), tr("Pointwise"), tr("Separable (both)"),
                                       tr("Separable ÷ standard")])
        table.setHorizontalHeaderLabels([tr("Parameters"), tr("MACs"), tr("Time (median)")])
        table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        table.verticalHeader().setDefaultSectionSize(20)
        table.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table = table
        self.formula = QtWidgets.QLabel()
        self.formula.setObjectName("separableFormula")
        self.formula.setWordWrap(True)
        self.measure_button = QtWidgets.QPushButton(tr("Measure the time"))
        self.measure_button.setObjectName("separableMeasure")
        self.measure_button.setToolTip(tr("Time each convolution on this machine (median of {n} runs)").format(
            n=self.repeats))
        self.time_note = QtWidgets.QLabel()
        self.time_note.setWordWrap(True)
        self.time_note.setObjectName("separableTimeNote")
        cost_page = QtWidgets.QWidget()
        cp = QtWidgets.QVBoxLayout(cost_page)
        cp.setContentsMargins(4, 4, 4, 4)
        cp.addWidget(self.wait_note)
        self.cost_box = QtWidgets.QWidget()
        cl = QtWidgets.QVBoxLayout(self.cost_box)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(table)
        cl.addWidget(self.formula)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.measure_button)
        row.addStretch(1)
        cl.addLayout(row)
        cl.addWidget(self.time_note)
        cp.addWidget(self.cost_box)
        cp.addStretch(1)

        # two trained models
        models = QtWidgets.QWidget()
        self.train_button = QtWidgets.QPushButton(tr("Train both"))
        self.train_button.setObjectName("separableTrain")
        self.stop_button = QtWidgets.QPushButton(tr("Stop"))
        self.stop_button.setEnabled(False)
        self.bar = QtWidgets.QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.pair_note = QtWidgets.QLabel(tr("Two digit classifiers (the bundled 8×8 digits) that differ only in "
                                             "their middle convolution: standard 3×3, or depthwise 3×3 then "
                                             "pointwise 1×1. Train both and compare."))
        self.pair_note.setWordWrap(True)
        self.pair_note.setObjectName("separablePair")
        ml = QtWidgets.QVBoxLayout(models)
        ml.setContentsMargins(4, 4, 4, 4)
        r2 = QtWidgets.QHBoxLayout()
        r2.addWidget(self.train_button)
        r2.addWidget(self.stop_button)
        r2.addWidget(self.bar, 1)
        ml.addLayout(r2)
        ml.addWidget(self.pair_note)
        ml.addStretch(1)

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("separableTabs")
        self.tabs.addTab(steps, tr("Two steps"))
        self.tabs.addTab(cost_page, tr("Cost"))
        self.tabs.addTab(models, tr("Two models"))
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.header)
        lay.addWidget(self.tabs)
        self.summary = QtWidgets.QLabel()  # the two models' accuracies in one line, under every tab
        self.summary.setWordWrap(True)
        self.summary.setObjectName("separableSummary")
        self.summary.setVisible(False)
        lay.addWidget(self.summary)

        self.channel.valueChanged.connect(self._draw_steps)
        self.out_channel.valueChanged.connect(self._draw_steps)
        self.measure_button.clicked.connect(self.measure)
        self.train_button.clicked.connect(self.train)
        self.stop_button.clicked.connect(self.stop)
        s = window.session
        s.analysed.connect(self._analysed)
        s.maps_updated.connect(self._draw_steps)
        self._poll = QtCore.QTimer(self)  # the question's answer reveals the table
        self._poll.setInterval(250)
        self._poll.timeout.connect(self._check_revealed)
        self._poll.start()
        life = self._life = {"alive": True, "tasks": {}}  # what a late callback may still touch

        def gone(*_):
            life["alive"] = False
            for task in life["tasks"].values():
                task.cancel()
        self.destroyed.connect(gone)
        if state:
            self.restore(state)
        self._analysed(window.project, window.info, 0)

    # --- the chapter's question (questions.py owns it; these keep the chapter's check working) ---
    def _question(self):
        panel = self.panel if self.panel is not None else getattr(self.window, "walkthrough", None)
        return panel.extra("ask:cost") if panel is not None and hasattr(panel, "extra") else None

    @property
    def answered(self) -> bool:
        """The learner answered the chapter's cost question (their own answer)."""
        q = self._question()
        return q is not None and q.asked > 0

    @property
    def shown(self) -> bool:
        q = self._question()
        return q is not None and q.shown > 0

    @property
    def ratio(self) -> float:
        """The question's right answer (the block's MAC ratio when there is no question)."""
        q = self._question()
        if q is not None:
            return q.expected
        return self.cost.mac_ratio if self.cost is not None else float("nan")

    def submit_guess(self, guess: float) -> None:
        q = self._question()
        if q is not None and q.status == q.OPEN:
            q.answer_box.setValue(guess)
            q.submit()
        self._check_revealed()

    def show_answer(self) -> None:
        q = self._question()
        if q is not None:
            q.reveal_answer()
        self._check_revealed()

    @property
    def revealed(self) -> bool:
        """The table's numbers are on show: the cost question was answered or revealed (or the
        chapter has none)."""
        if self._revealed_once:
            return True
        q = self._question()
        if q is not None:
            return q.status != q.OPEN
        return self._panel_settled()  # a chapter without the question: on show at once

    def _panel_settled(self) -> bool:
        """The panel has built every extra of the chapter (so a missing question is missing)."""
        return bool(getattr(self.panel, "extras", None)) and self in self.panel.extras.values()

    def _check_revealed(self) -> None:
        if not self._revealed_once and self.revealed:
            self._revealed_once = True
            self._show_table()
            self._poll.stop()

    # --- the live block ---------------------------------------------------------------------------
    def _analysed(self, project, info, _first) -> None:
        self._bad = info.first_error if info is not None else None  # a layer torch would refuse
        cost = cx.find_block(info) if info is not None else None
        if cost != self.cost:
            self._gen += 1
            self.cost = cost
            self.latency = None
            if self._measure_task is not None and self.measuring:
                self._measure_task.cancel()
                self.measuring = False
        self._describe()
        self._show_table()
        self._draw_steps()

    def _describe(self) -> None:
        c = self.cost
        bad = self._bad
        if c is None and bad is not None:
            self.header.setText(f"<span style='color:{RED}'>" + tr(
                "Layer {i} is invalid: {m} — fix it and the table follows.").format(i=bad.index, m=tr_core(bad.error))
                + "</span>")
            return
        if c is None:
            self.header.setText(f"<span style='color:{RED}'>" + tr(
                "This stack has no depthwise-separable block: add a DepthwiseSeparable layer, or a depthwise Conv2d "
                "(groups = in_channels = out_channels) followed by a 1×1 Conv2d.") + "</span>")
            return
        layers = ", ".join(str(i) for i in c.layers)
        self.header.setText(tr("Layer {i}: {c} → {n} channels, {kh}×{kw} kernel, stride {s}, {h}×{w} input, "
                               "{oh}×{ow} output.").format(i=layers, c=c.c_in, n=c.c_out, kh=c.kernel[0],
                                                           kw=c.kernel[1], s=c.stride[0], h=c.in_shape[1],
                                                           w=c.in_shape[2], oh=c.out_hw[0], ow=c.out_hw[1]))
        self.arrows[0].setText(tr("depthwise\n{kh}×{kw}, each\nchannel alone").format(kh=c.kernel[0], kw=c.kernel[1])
                               + "\n⟶")
        self.arrows[1].setText(tr("pointwise\n1×1, all {c}\nchannels mixed").format(c=c.c_in) + "\n⟶")
        for box, n in ((self.channel, c.c_in), (self.out_channel, c.c_out)):
            box.blockSignals(True)
            box.setRange(0, n - 1)
            box.blockSignals(False)

    def _show_table(self) -> None:
        c = self.cost
        on = self.revealed and c is not None
        self.wait_note.setVisible(not on and c is not None)
        self.tabs.setTabText(1, tr("Cost") if on else tr("Cost (after your answer)"))
        self.cost_box.setVisible(on)
        if not on:
            return
        t = self.table
        rows = ((c.standard_params, c.standard_macs), (c.depthwise_params, c.depthwise_macs),
                (c.pointwise_params, c.pointwise_macs), (c.separable_params, c.separable_macs))
        for r, (pa, ma) in enumerate(rows):
            t.setItem(r, 0, QtWidgets.QTableWidgetItem(f"{pa:,}"))
            t.setItem(r, 1, QtWidgets.QTableWidgetItem(f"{ma:,}"))
        t.setItem(4, 0, QtWidgets.QTableWidgetItem(f"{c.param_ratio:.4f}"))
        t.setItem(4, 1, QtWidgets.QTableWidgetItem(f"{c.mac_ratio:.4f}"))
        lat = self.latency
        times = ("—",) * 5 if lat is None else (
            _ms(lat.standard), _ms(lat.depthwise), _ms(lat.pointwise), _ms(lat.separable), f"{lat.ratio:.4f}")
        for r, text in enumerate(times):
            t.setItem(r, 2, QtWidgets.QTableWidgetItem(text))
        t.resizeRowsToContents()
        t.setFixedHeight(t.horizontalHeader().height() + sum(t.rowHeight(r) for r in range(t.rowCount()))
                         + 2 * t.frameWidth())
        self.formula.setText(tr("MobileNet's formula: 1/N + 1/k² = 1/{n} + 1/{kk} = {r:.4f}, the MAC ratio exactly "
                                "(the parameters' too, without biases).").format(
            n=c.c_out, kk=c.kernel[0] * c.kernel[1], r=c.formula_ratio))
        self._time_note()

    def _time_note(self) -> None:
        c, lat = self.cost, self.latency
        if self.measuring:
            self.time_note.setText(tr("Measuring…"))
            return
        if lat is None or c is None:
            self.time_note.setText(tr("Press Measure: each convolution runs {n} times here, the median counts.")
                                   .format(n=self.repeats))
            return
        self.time_note.setText(tr(
            "Measured here (median of {n} runs, torch threads: {t}): the separable block takes {tr:.0%} of the standard "
            "convolution's time for {mr:.0%} of its MACs. The depthwise step does {dm:.0%} of the block's "
            "multiply-adds but takes {dt:.0%} of its time: it does only k² multiply-adds for each value it reads "
            "and writes, so memory, not arithmetic, sets its speed. MACs are not time.").format(
            t=lat.threads, n=lat.repeats, tr=lat.ratio, mr=c.mac_ratio, dm=c.depthwise_macs / c.separable_macs,
            dt=lat.depthwise / lat.separable if lat.separable > 0 else 0.0))

    # --- the two steps' pictures ------------------------------------------------------------------
    def _maps(self):
        """(the block's input, the depthwise maps, the pointwise output) of the current
        computation, each (C, H, W) or None."""
        c, s = self.cost, self.window.session
        if c is None:
            return None, None, None
        first = c.layers[0]
        inp = s.map(first - 1)
        if len(c.layers) == 1:  # one DepthwiseSeparable layer: the engine keeps its depthwise map
            res = s.result
            dw = None
            if res is not None and s.current() and first < len(res.intermediates):
                dw = res.intermediates[first]
            out = s.map(first)
        else:
            dw, out = s.map(first), s.map(c.layers[1])
        return inp, dw, out

    def _draw_steps(self, *_args) -> None:
        inp, dw, out = self._maps()
        ch, oc = self.channel.value(), self.out_channel.value()

        def pick(a, i):
            return a[i] if a is not None and a.ndim == 3 and i < a.shape[0] else None
        for pic, a in zip(self.pics, (pick(inp, ch), pick(dw, ch), pick(out, oc))):
            pic.setPixmap(_pixmap(a))
        self.captions[0].setText(tr("input channel {c}").format(c=ch))
        self.captions[1].setText(tr("depthwise map {c}").format(c=ch))
        self.captions[2].setText(tr("output channel {c}").format(c=oc))

    def shown_arrays(self):
        """What the three pictures show (tests): input channel, its depthwise map, the output
        channel, as arrays (or None)."""
        inp, dw, out = self._maps()
        ch, oc = self.channel.value(), self.out_channel.value()
        return (None if inp is None else inp[ch], None if dw is None else dw[ch], None if out is None else out[oc])

    # --- timing -----------------------------------------------------------------------------------
    def measure(self) -> None:
        """Time the live block's three convolutions on the compute thread."""
        if self.cost is None or self.measuring:
            return
        cost, gen, repeats = self.cost, self._gen, self.repeats
        self.measuring = True
        self.measure_button.setEnabled(False)
        self._time_note()

        def done(lat):
            if not self._life["alive"]:
                return
            self.measuring = False
            self.measure_button.setEnabled(True)
            if gen != self._gen:
                return  # the block changed meanwhile
            if lat is None:  # an edit interrupted it: measure again
                self.measure()
                return
            self.latency = lat
            self._show_table()

        def failed(msg):
            if not self._life["alive"]:
                return
            self.measuring = False
            self.measure_button.setEnabled(True)
            self.time_note.setText(f"<span style='color:{RED}'>" + tr("Could not time it: {m}").format(m=msg)
                                   + "</span>")

        self._measure_task = self._life["tasks"]["measure"] = self.window.session.run_on_compute_thread(
            lambda engine, cancelled: cx.measure_latency(cost, repeats, cancelled=cancelled), done, failed)

    # --- two trained models -----------------------------------------------------------------------
    def train(self) -> None:
        """Train the standard and the separable digit classifiers, slice by slice."""
        if self.training:
            return
        self.training = True
        self.pair = None
        self._trainers = None
        self.progress_value = 0.0
        self.train_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.pair_note.setText(tr("Training…"))
        self.bar.setValue(0)
        self._slice()

    def _slice(self) -> None:
        epochs = self.epochs

        def work(engine, cancelled):  # the compute thread
            if self._trainers is None:
                self._trainers = cx.pair_trainers(epochs)
                for t in self._trainers:
                    t.resume()
            t = next((t for t in self._trainers if not t.done), None)
            if t is not None:
                with cx.torch_threads(1):  # small models: one thread, never two fighting a busy machine
                    t.step(1 << 30, cancelled, seconds=0.1)
            total = sum(t.epoch * t.batches_per_epoch + t.batch for t in self._trainers)
            whole = sum(t.config.epochs * t.batches_per_epoch for t in self._trainers)
            if all(t.done for t in self._trainers):
                return 1.0, cx.pair_result(self._trainers)
            return total / whole, None

        life = self._life

        def sliced(result):
            if life["alive"]:
                self._sliced(result)

        def failed(msg):
            if life["alive"]:
                self._train_failed(msg)
        task = self.window.session.run_on_compute_thread(work, sliced, failed)
        self._train_task = life["tasks"]["train"] = task

    def _sliced(self, result) -> None:
        if not self.training:
            return
        frac, pair = result
        self.progress_value = frac
        self.bar.setValue(int(frac * 1000))
        if pair is None:
            self.pair_note.setText(tr("Training… {p:.0%}").format(p=frac))
            self._slice()
            return
        self.training = False
        self.pair = pair
        self.train_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self._pair_note()

    def _pair_note(self) -> None:
        p = self.pair
        self.summary.setVisible(p is not None)
        if p is None:
            self.pair_note.setText("")
            return
        self.summary.setText(tr("Trained here on the digits: standard {a:.1%}, separable {b:.1%} test accuracy.")
                             .format(a=p.standard_accuracy, b=p.separable_accuracy))
        self.pair_note.setText(tr(
            "Measured after {e} epochs, on {n} test digits: standard {a:.1%} ({pa:,} parameters, {ma:,} MACs); "
            "separable {b:.1%} ({pb:,} parameters, {mb:,} MACs). The two differ only in the middle convolution.")
            .format(e=p.epochs, n=p.test_examples, a=p.standard_accuracy, pa=p.standard_params,
                    ma=p.standard_macs, b=p.separable_accuracy, pb=p.separable_params, mb=p.separable_macs))

    def _train_failed(self, msg: str) -> None:
        self.training = False
        self.train_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.pair_note.setText(f"<span style='color:{RED}'>" + tr("Training stopped: {m}").format(m=msg) + "</span>")

    def stop(self) -> None:
        """Stop training after the slice under way; nothing is measured."""
        if not self.training:
            return
        self.training = False
        if self._train_task is not None:
            self._train_task.cancel()
        self.train_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.pair_note.setText(tr("Stopped."))

    # --- the rendered handout ---------------------------------------------------------------------
    def prepare_handout(self, app, timeout: float = 180.0) -> bool:
        """Measure and train as the learner would and wait for both, the cost tab on show (the
        rendered handout).  Returns whether both arrived in time."""
        self.tabs.setCurrentIndex(1)
        if self.cost is not None and self.latency is None:
            self.measure()
        if self.pair is None:
            self.train()
        return _wait(app, lambda: (self.cost is None or self.latency is not None) and self.pair is not None, timeout)

    # --- handing over (a language switch) -----------------------------------------------------------
    def state(self) -> dict:
        return {"latency": self.latency, "pair": self.pair, "cost": self.cost, "channel": self.channel.value(),
                "out_channel": self.out_channel.value(), "revealed": self._revealed_once}

    def restore(self, state: dict) -> None:
        self.cost = state.get("cost")
        self.latency = state.get("latency")
        self.pair = state.get("pair")
        self._revealed_once = bool(state.get("revealed"))
        self._describe() if self.cost is not None else None
        self.channel.setValue(int(state.get("channel", 0)))
        self.out_channel.setValue(int(state.get("out_channel", 0)))
        self._pair_note()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.stop()
        super().closeEvent(event)
