"""Chapter 10's TextCNN on words: a sentence, one row per word, and kernels of widths 2, 3 and 4
side by side sliding down it; for each filter the n-gram that wins the max over time is outlined.
A tiny sentiment classifier is trained in the app (on the compute thread, in slices, with
progress and Stop) on the bundled sentences (resources/datasets/sentiment/), and its test
accuracy is shown as measured.  The learner types sentences of their own: words outside the
vocabulary are marked, never an error.  Under the view: the same maps as a Conv2d with kernel
(k, E) over the (1, L, E) sentence, and their largest difference from the Conv1d's.

The numbers come from convviz.textcnn (torch, on the compute thread); this widget draws them.
"""
from __future__ import annotations

import numpy as np

from convviz import textcnn as tc

from ..i18n import tr, tr_core
from ..qt import QtCore, QtGui, QtWidgets

GREEN, RED = "#1a7f37", "#b00020"
# the sentence on show first, in the data set's language (the UI's)
DEFAULT_SENTENCES = {"en": "the film was not good at all", "zh_CN": "这部电影一点也不好看"}
DEFAULT_SENTENCE = DEFAULT_SENTENCES["en"]
SLICE_EPOCHS = 5  # epochs per slice on the compute thread
TARGET = (2, 0)  # (width, filter) of the little task: find words that fire it harder
WIN_COLOURS = ("#d0021b", "#0a84ff", "#1a7f37", "#b35c00", "#8e44ad", "#00838f", "#6d4c41", "#c2185b")


class NgramView(QtWidgets.QWidget):
    """Rows: the sentence's words.  For each kernel width a block of columns, one per filter;
    cell (i, f) is the filter's ReLU output for the window that starts at word i; the window
    that wins the max over time is outlined over its k words."""

    ROW, CELL, WORDS_W, GAP, HEAD = 17, 18, 92, 14, 18

    def __init__(self, parent=None):
        super().__init__(parent)
        self.explanation: tc.Explanation | None = None
        self.setObjectName("textcnnView")
        self.setMinimumHeight(self.HEAD + 4 * self.ROW + 4)

    @property
    def words(self) -> dict:
        """What the view paints (the tests read it): each row's word and each block's header."""
        e = self.explanation
        if e is None:
            return {}
        out = {f"row {i}": w for i, w in enumerate(e.words) if w != tc.PAD}
        out.update({f"block {b}": f"k = {ws[0].width}" for b, ws in enumerate(e.winners)})
        return out

    def needed_height(self) -> int:
        rows = len(self.explanation.words) if self.explanation is not None else 4
        return self.HEAD + rows * self.ROW + 6

    def set_explanation(self, e: tc.Explanation | None) -> None:
        self.explanation = e
        self.setFixedHeight(self.needed_height())
        self.update()

    def block_x(self, b: int) -> int:
        e = self.explanation
        f = e.maps[0].shape[0] if e is not None else 4
        return self.WORDS_W + b * (f * self.CELL + self.GAP)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802
        e = self.explanation
        n = len(e.maps) if e is not None else 3
        return QtCore.QSize(self.block_x(n), self.HEAD + (len(e.words) if e else 4) * self.ROW + 6)

    def paintEvent(self, _event) -> None:  # noqa: N802
        e = self.explanation
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        p.fillRect(self.rect(), QtGui.QColor("white"))
        if e is None:
            p.end()
            return
        R, CW, H = self.ROW, self.CELL, self.HEAD
        font = p.font()
        for i, (w, known) in enumerate(zip(e.words, e.known)):
            y = H + i * R
            p.setPen(QtGui.QColor("#999999" if w == tc.PAD else ("#222222" if known else RED)))
            text = "·" if w == tc.PAD else (w if known else w + " ?")
            p.drawText(QtCore.QRect(2, y, self.WORDS_W - 6, R), QtCore.Qt.AlignmentFlag.AlignRight
                       | QtCore.Qt.AlignmentFlag.AlignVCenter, text)
        hi = max((float(m.max()) for m in e.maps), default=0.0) or 1.0
        for b, (m, winners) in enumerate(zip(e.maps, e.winners)):
            x0 = self.block_x(b)
            k = winners[0].width
            p.setPen(QtGui.QColor("#222222"))
            bold = QtGui.QFont(font)
            bold.setBold(True)
            p.setFont(bold)
            p.drawText(QtCore.QRect(x0, 0, m.shape[0] * CW, H), QtCore.Qt.AlignmentFlag.AlignCenter,
                       f"k = {k}")
            p.setFont(font)
            for f in range(m.shape[0]):
                for i in range(m.shape[1]):
                    v = max(0.0, float(m[f, i])) / hi
                    c = QtGui.QColor.fromRgbF(1 - 0.85 * v, 1 - 0.55 * v, 1 - 0.1 * v)
                    cell = QtCore.QRect(x0 + f * CW + 1, H + i * R + 1, CW - 2, R - 2)
                    p.fillRect(cell, c)
                    p.setPen(QtGui.QColor("#dddddd"))
                    p.drawRect(cell.adjusted(0, 0, -1, -1))
            for f, win in enumerate(winners):
                if not win.fires:
                    continue
                pen = QtGui.QPen(QtGui.QColor(WIN_COLOURS[f % len(WIN_COLOURS)]))
                pen.setWidth(2)
                p.setPen(pen)
                p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
                p.drawRect(QtCore.QRect(x0 + f * CW + 1, H + win.position * R + 1, CW - 2, k * R - 2))
        p.end()


class TextCNNDemo(QtWidgets.QWidget):
    """The TextCNN extra (see the module doc).  ``weights`` are the network's now (initial, or
    trained); ``explanation`` the typed sentence through them; ``accuracy`` the measured test
    accuracy once trained."""

    def __init__(self, window, panel=None, state: dict | None = None, parent=None):
        super().__init__(parent)
        self.window = window
        self.panel = panel
        lang = getattr(panel, "lang", "en")
        self.lang = lang if lang in tc.LANGUAGES else "en"  # the sentences learnt from: the UI's language
        self._states: dict[str, dict] = {}  # what the learner did in each language (a switch hands it over)
        self.weights: tc.TextCNNWeights | None = None
        self.explanation: tc.Explanation | None = None
        self.explanation_weights: tc.TextCNNWeights | None = None  # the weights ``explanation`` came from
        self.accuracy: float | None = None
        self.test_size = 0
        self.train_size = 0
        self.epochs_done = 0
        self.training = False
        self.error: str | None = None
        self._trainer = None  # touched only on the compute thread
        self._asked = 0  # explanations asked for; an older answer is dropped
        life = self._life = {"alive": True, "task": None}

        def gone(*_):
            life["alive"] = False
            if life["task"] is not None:
                life["task"].cancel()
        self.destroyed.connect(gone)

        self.sentence = QtWidgets.QLineEdit(DEFAULT_SENTENCES[self.lang])
        self.sentence.setObjectName("textcnnSentence")
        self.sentence.setToolTip(tr("Type a sentence of your own: words the network never saw are marked with ?"))
        self.train_button = QtWidgets.QPushButton(tr("Train"))
        self.train_button.setObjectName("textcnnTrain")
        self.stop_button = QtWidgets.QPushButton(tr("Stop"))
        self.stop_button.setEnabled(False)
        self.bar = QtWidgets.QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("textcnnStatus")
        self.find = QtWidgets.QLabel()  # the little task: find words that fire one filter harder
        self.find.setWordWrap(True)
        self.find.setObjectName("textcnnFind")
        self.baseline: float | None = None  # the target filter's max on the first sentence, same weights
        self.view = NgramView()
        self.winners = QtWidgets.QLabel()
        self.winners.setWordWrap(True)
        self.winners.setObjectName("textcnnWinners")
        self.equivalence = QtWidgets.QLabel()
        self.equivalence.setWordWrap(True)
        self.equivalence.setObjectName("textcnnEquivalence")
        self._debounce = QtCore.QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.explain)

        box = QtWidgets.QGroupBox(tr("TextCNN on words"))
        bl = QtWidgets.QVBoxLayout(box)
        bl.setContentsMargins(6, 6, 6, 6)
        r1 = QtWidgets.QHBoxLayout()
        r1.addWidget(QtWidgets.QLabel(tr("Sentence:")))
        r1.addWidget(self.sentence, 1)
        bl.addLayout(r1)
        r2 = QtWidgets.QHBoxLayout()
        r2.addWidget(self.train_button)
        r2.addWidget(self.stop_button)
        r2.addWidget(self.bar, 1)
        bl.addLayout(r2)
        bl.addWidget(self.status)
        bl.addWidget(self.find)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.view)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setMaximumHeight(NgramView.HEAD + 14 * NgramView.ROW + 10)
        scroll.setMinimumHeight(NgramView.HEAD + 3 * NgramView.ROW + 8)  # short of room: it scrolls, never overlaps
        self.scroll = scroll
        bl.addWidget(scroll, 10)  # the spare height goes to the sentence's rows first ...
        bl.addWidget(self.winners)
        bl.addWidget(self.equivalence)
        bl.addStretch(1)  # ... and what the rows do not need stays below the last line
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(box)
        # the column's spare height goes to the sentence's rows (the view scrolls in what is left)
        policy = QtWidgets.QSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Expanding)
        policy.setVerticalStretch(1)
        self.setSizePolicy(policy)

        self.sentence.textChanged.connect(lambda _t: self._debounce.start())
        self.train_button.clicked.connect(self.train)
        self.stop_button.clicked.connect(self.stop)
        if state:
            self.restore(state)
        self._status()
        self._start()

    # --- the compute thread's side ---------------------------------------------------------------
    def _run(self, fn, on_done, on_failed=None):
        life = self._life

        def done(result):
            if life["alive"]:
                on_done(result)

        def failed(msg):
            if life["alive"]:
                (on_failed or self._failed)(msg)
        task = self.window.session.run_on_compute_thread(fn, done, failed)
        life["task"] = task
        return task

    def _ensure(self):  # the compute thread
        if self._trainer is None:
            self._trainer = tc.TextTrainer(lang=self.lang)
        return self._trainer

    def _start(self) -> None:
        """The network (its initial weights, or the weights handed over) and the sentence."""
        weights = self.weights

        def work(engine, cancelled):
            t = self._ensure()
            return (weights or t.initial), len(t.data.test), len(t.data.train)

        def done(result):
            w, n, m = result
            if self.weights is None:
                self.weights = w
            self.test_size, self.train_size = n, m
            self._status()
            self.explain()
        self._run(work, done)

    # --- one sentence -----------------------------------------------------------------------------
    def explain(self) -> None:
        """The typed sentence through the current weights (on the compute thread)."""
        if self.weights is None:
            return
        self._asked += 1
        asked, weights, text = self._asked, self.weights, self.sentence.text()
        first = DEFAULT_SENTENCES[self.lang]
        k, f = TARGET

        def work(engine, cancelled):  # the compute thread
            base = tc.explain(weights, first).winners[weights.widths.index(k)][f].value
            try:
                return tc.explain(weights, text), base
            except tc.TextError as e:  # the learner's sentence: one sentence back, in their language
                return e, base

        def done(result):
            e, base = result
            if asked != self._asked:
                return  # a newer sentence is on its way
            self.baseline = base
            if isinstance(e, tc.TextError):
                self.error = tr_core(e)
            else:
                self.error = None
                self.explanation = e
                self.explanation_weights = weights
            self._show()
        self._run(work, done)

    def set_sentence(self, text: str) -> None:
        """Type ``text`` as the learner would (tests, the rendered handout)."""
        self.sentence.setText(text)
        self._debounce.stop()
        self.explain()

    def _show(self) -> None:
        e = self.explanation
        self._status()
        if self.error:
            self.winners.setText(f"<span style='color:{RED}'>" + tr("Not this sentence: {m}.").format(m=self.error)
                                 + "</span>")
            return
        self.view.set_explanation(e)
        self.scroll.setMaximumHeight(min(self.view.needed_height() + 4, NgramView.HEAD + 14 * NgramView.ROW + 10))
        if e is None:
            return
        lines = []
        for ws in e.winners:
            parts = []
            for f, win in enumerate(ws):
                colour = WIN_COLOURS[f % len(WIN_COLOURS)]
                words = " ".join("·" if w == tc.PAD else w for w in win.words)
                parts.append(f"<span style='color:{colour}'>" + (f"“{words}”" if win.fires else "—") + "</span>")
            lines.append(f"<b>k = {ws[0].width}</b> " + " · ".join(parts))
        unknown = e.unknown
        note = ("<br>" + tr("Not in the vocabulary (read as <unk>): {w}").format(
            w=", ".join(unknown)).replace("<unk>", "&lt;unk&gt;")) if unknown else ""
        self.winners.setText(tr("The n-gram that wins each filter's max over time (— : the filter does not fire):")
                             + "<br>" + "<br>".join(lines) + note)
        filt = tr("filter")
        self.winners.setToolTip("\n".join(
            f"k = {win.width}, {filt} {win.filter}: " + " ".join(win.words) + f"  {win.value:.3f}"
            for ws in e.winners for win in ws))
        w = self.weights
        self.equivalence.setText(tr("Conv2d(1, {f}, kernel_size=(k, {e})) over the sentence = Conv1d({e}, {f}, k) "
                                    "over its embedding: largest difference {d:.1e}.").format(
            e=w.embed, f=w.filters, d=e.conv2d_difference))
        self.equivalence.setToolTip(tr(
            "The same maps as Conv1d(in_channels={e}, out_channels={f}, kernel_size=k) over the ({e}, {n}) "
            "embedding and as Conv2d(1, {f}, kernel_size=(k, {e})) over the (1, {n}, {e}) sentence: largest "
            "difference {d:.1e}. A kernel as wide as the embedding can only slide down the sentence.").format(
            e=w.embed, f=w.filters, n=len(e.words), d=e.conv2d_difference))

    @property
    def found(self) -> bool:
        """The learner's own sentence fires the target filter harder than the first sentence."""
        w = self.winner(*TARGET)
        return (w is not None and self.baseline is not None and w.value > self.baseline
                and self.sentence.text().strip() != DEFAULT_SENTENCES[self.lang])

    def _find_text(self) -> str:
        k, f = TARGET
        w = self.winner(k, f)
        if w is None or self.baseline is None:
            return ""
        colour = WIN_COLOURS[f % len(WIN_COLOURS)]
        if self.found:
            words = " ".join(x for x in w.words if x != tc.PAD)
            return f"<span style='color:{GREEN}'>✓ " + tr(
                "Found: “{w}” fires filter {f} of width {k} at {v:.2f}, above the first sentence's {b:.2f}.").format(
                w=words, f=f, k=k, v=w.value, b=self.baseline) + "</span>"
        return f"<span style='color:{colour}'>■</span> " + tr(
            "Find it: type a sentence of your own that fires filter {f} of width {k} (outlined in this colour) "
            "harder than the first sentence does ({b:.2f}); here it reaches {v:.2f}.").format(
            f=f, k=k, b=self.baseline, v=w.value)

    def _status(self) -> None:
        e = self.explanation
        if self.training:
            text = tr("Training… epoch {e}").format(e=self.epochs_done)
        elif self.accuracy is not None:
            text = tr("Trained: {a:.1%} of the {n} test sentences right (measured; chance is 50%).").format(
                a=self.accuracy, n=self.test_size)
        else:
            text = tr("Random weights so far: press Train and the network learns from {n} labelled sentences.").format(
                n=self.train_size)
        if e is not None and not self.error:
            p = float(e.probabilities[1])
            label = tr("positive") if p >= 0.5 else tr("negative")
            text += " " + tr("This sentence: {l} ({p:.1%}).").format(l=label, p=max(p, 1 - p))
        self.status.setText(text)
        self.find.setText(self._find_text())

    # --- training ----------------------------------------------------------------------------------
    def train(self) -> None:
        """Train from the start, slice by slice, then measure the test accuracy."""
        if self.training:
            return
        self.training = True
        self.accuracy = None
        self.epochs_done = 0
        self.train_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.bar.setValue(0)
        self._status()

        def first(engine, cancelled):
            self._trainer = None  # afresh: the same seed, the same run
            return None
        self._run(first, lambda _r: self._slice())

    def _slice(self) -> None:
        if not self.training:
            return

        def work(engine, cancelled):  # the compute thread
            t = self._ensure()
            t.step(SLICE_EPOCHS, cancelled)
            done = t.done
            return t.epoch, t.epochs, t.weights(), (t.accuracy() if done else None)
        self._run(work, self._sliced, self._train_failed)

    def _sliced(self, result) -> None:
        if not self.training:
            return
        epoch, epochs, weights, acc = result
        self.epochs_done = epoch
        self.weights = weights
        self.bar.setValue(int(1000 * epoch / epochs))
        if acc is None:
            self._status()
            self._slice()
        else:
            self.training = False
            self.accuracy = acc
            self.train_button.setEnabled(True)
            self.stop_button.setEnabled(False)
            self._status()
        self.explain()

    def _train_failed(self, msg: str) -> None:
        self.training = False
        self.train_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self._failed(msg)

    def _failed(self, msg: str) -> None:
        self.status.setText(f"<span style='color:{RED}'>" + tr("Stopped: {m}").format(m=msg) + "</span>")

    def stop(self) -> None:
        """Stop training; the weights reached so far stay, no accuracy is claimed."""
        if not self.training:
            return
        self.training = False
        task = self._life["task"]
        if task is not None:
            task.cancel()
        self.train_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self._status()
        self.explain()

    # --- the chapter's task -------------------------------------------------------------------------
    def winner(self, width: int, filt: int) -> tc.Winner | None:
        e = self.explanation
        if e is None or self.error:
            return None
        for ws in e.winners:
            if ws and ws[0].width == width and filt < len(ws):
                return ws[filt]
        return None

    # --- the rendered handout ---------------------------------------------------------------------
    def prepare_handout(self, app, timeout: float = 180.0) -> bool:
        """Train as the learner would and wait until the trained network's answer for the
        sentence is on show (the rendered handout).  Returns whether it arrived in time."""
        from .separable import _wait
        if not _wait(app, lambda: self.weights is not None, timeout):
            return False
        if self.accuracy is None:
            self.train()
        return _wait(app, lambda: self.accuracy is not None and self.explanation is not None
                     and self.explanation_weights is self.weights and not self._debounce.isActive(), timeout)

    # --- handing over (a language switch) ---------------------------------------------------------------
    def state(self) -> dict:
        """Per language: the network learns from the UI language's sentences, so a switch shows
        the other language's network (as the learner left it there), and switching back brings
        this one back."""
        mine = {"sentence": self.sentence.text(), "weights": self.weights, "accuracy": self.accuracy,
                "test_size": self.test_size, "train_size": self.train_size}
        return {"by_lang": {**self._states, self.lang: mine}}

    def restore(self, state: dict) -> None:
        self._states = dict(state.get("by_lang", {}))
        mine = self._states.get(self.lang)
        if not mine:
            return
        self.sentence.blockSignals(True)
        self.sentence.setText(mine.get("sentence", DEFAULT_SENTENCES[self.lang]))
        self.sentence.blockSignals(False)
        self.weights = mine.get("weights")
        self.accuracy = mine.get("accuracy")
        self.test_size = mine.get("test_size", 0)
        self.train_size = mine.get("train_size", 0)


__all__ = ["NgramView", "TextCNNDemo"]
