"""The teaching walkthrough: chapters that drive the live app.

Each chapter is a page of text (resources/walkthrough/<lang>/<key>.md, in English and
Simplified Chinese) beside the workbench.  Entering a chapter loads its own project, opens the
view it talks about, highlights the control to use and states a task; the task turns green when
the learner has done it.  Some chapters carry a live widget of their own: the horse that a fully
connected layer and a convolution see differently, the predict-then-reveal questions, the
depthwise-separable cost table.  Progress is remembered.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from convviz import arithmetic as ar
from convviz.project import InputSpec, Project
from convviz.samples import load_input, load_preset, resources_dir
from convviz.spec import LayerSpec

from .i18n import tr
from .qt import QtCore, QtWidgets, Qt, Signal, pg

C = LayerSpec.make


def _p(title, inp, layers, kernels=()):
    return Project(inp, tuple(layers), 0, tuple(kernels), title)


# --- the chapters' projects -----------------------------------------------------------------

HORSE = InputSpec(1, 64, 64, "sample:horse")


def horse_project() -> Project:
    return _p("Why convolution: the horse", HORSE,
              [C("Conv2d", out_channels=1, kernel_size=5, padding=2)], ["sobel_x"])


def kernel3d_project() -> Project:
    return _p("A 3-D kernel over a 3-D input", InputSpec(3, 8, 8, "sample:astronaut"),
              [C("Conv2d", out_channels=2, kernel_size=3, padding=1)])


def lesson_padding_modes() -> Project:
    return load_preset("lesson_padding")


def stride_project() -> Project:
    return _p("Stride 2 on a 7x7 input", InputSpec(1, 7, 7, "pattern:lesson"),
              [C("Conv2d", out_channels=1, kernel_size=2, stride=2)])


def formula_project() -> Project:
    return _p("The output-size formula", InputSpec(1, 12, 12, "pattern:checkerboard"),
              [C("Conv2d", out_channels=1, kernel_size=3, stride=2, padding=1)])


def textcnn_project() -> Project:
    return _p("TextCNN: a 1-D convolution over a sentence", InputSpec(1, 10, 8, "pattern:embedding"),
              [C("Conv2d", out_channels=4, kernel_size=[3, 8]), C("ReLU"),
               C("MaxPool2d", kernel_size=[8, 1])])


@dataclass
class Chapter:
    key: str  # file stem of the text
    title: str  # tr() text
    project: Callable[[], Project]
    task: str  # tr() text: what the learner is asked to do
    check: Callable[["object"], bool]  # window -> done?
    demo: Callable[["object"], None]  # does the task (tests, the rendered handout)
    highlight: Callable[["object"], QtWidgets.QWidget | None] = lambda w: None
    view: str = "maps"  # "maps" or "stepper"
    stepper_layer: int = 0
    field: tuple[int, int, int] | None = None  # receptive field shown on entry
    extra: str | None = None  # "horse", "questions", "separable"
    select: int = 0


def _editor(name):
    return lambda w: w.layers.editors.get(name)


def _set(index, **kw):
    def do(w):
        w.layers.select(index)
        for k, v in kw.items():
            w.edit_arg(index, k, v)
    return do


def chapters() -> list[Chapter]:
    return [
        Chapter("01-why", tr("Why convolution"), horse_project,
                tr("Move the slider: the convolution's edge map follows the horse, the fully connected "
                   "layer's score does not."),
                lambda w: w.project.input.shift != (0, 0),
                lambda w: w.walkthrough.horse.set_shift(12), extra="horse"),
        Chapter("02-kernel3d", tr("A 3-D kernel over a 3-D input"), kernel3d_project,
                tr("Set out_channels to 4: four kernels give an output four channels deep."),
                lambda w: w.info.layers[0].out_shape is not None and w.info.layers[0].out_shape[0] == 4,
                _set(0, out_channels=4), _editor("out_channels"), view="stepper"),
        Chapter("03-conv2d", tr("torch.nn.Conv2d and the 4x4 example"), lambda: load_preset("lesson_4x4"),
                tr("Give the layer a second kernel (out_channels = 2) and read [1, 2, 3, 3] in the shapes table."),
                lambda w: w.info.layers[0].out_shape == (2, 3, 3),
                _set(0, out_channels=2), _editor("out_channels"), view="stepper"),
        Chapter("04-formula", tr("The output-size formula"), formula_project,
                tr("Predict the output size of three layers, then check your answer."),
                lambda w: w.walkthrough.questions.correct >= 3,
                lambda w: w.walkthrough.questions.answer_correctly(3), extra="questions"),
        Chapter("05-padding", tr("Padding"), lesson_padding_modes,
                tr("Switch padding_mode to 'reflect' and watch the padding cells copy real pixels."),
                lambda w: w.project.layers[0].get("padding_mode") != "zeros",
                _set(0, padding_mode="reflect"), _editor("padding_mode"), view="stepper"),
        Chapter("06-stride", tr("Stride, and what the floor division drops"), stride_project,
                tr("Predict the output size with stride 3, then set stride to 3 and check the shapes table."),
                lambda w: w.project.layers[0].get("stride") == 3,
                _set(0, stride=3), _editor("stride"), view="stepper"),
        Chapter("07-receptive", tr("The receptive field"), lambda: load_preset("teaching"),
                tr("Click a pixel in a deep layer's map (layer 3 or later) and watch its field on the input."),
                lambda w: bool(w.field) and w.field[0] >= 3,
                lambda w: w.show_field(6, 7, 7), field=(0, 60, 60)),
        Chapter("08-dilation", tr("Dilated convolution"), lambda: load_preset("dilated"),
                tr("Set layer 4's dilation to 1: the same nine weights per channel, a smaller field."),
                lambda w: w.project.layers[4].get("dilation") == 1,
                _set(4, dilation=1, padding=1), _editor("dilation"), field=(6, 30, 30), select=4),
        Chapter("09-separable", tr("Depthwise-separable convolution"), lambda: load_preset("mobilenet_block"),
                tr("Predict the cost ratio of the separable block to a standard 3x3 convolution, then check."),
                lambda w: w.walkthrough.separable.answered,
                lambda w: w.walkthrough.separable.answer(w.walkthrough.separable.ratio), extra="separable",
                select=3),
        Chapter("10-beyond", tr("Beyond the lesson: pooling, transposed convolution, TextCNN"), textcnn_project,
                tr("Step the TextCNN kernel: it spans the whole embedding and slides along the words only."),
                lambda w: w.tabs.currentWidget() is w.stepper and w.stepper.t > 0,
                lambda w: (w.show_stepper(0), w.stepper.set_position(3)), view="stepper"),
    ]


def chapter_text(key: str, lang: str) -> str:
    for lg in (lang, "en"):
        path = resources_dir() / "walkthrough" / lg / f"{key}.md"
        if path.exists():
            return path.read_text(encoding="utf-8")
    return f"# {key}"


# --- chapter widgets --------------------------------------------------------------------------

class HorseDemo(QtWidgets.QWidget):
    """Shift the horse; the convolution's map shifts with it, a fully connected 'horse detector'
    — trained on horses facing both ways, so its weights are a two-headed horse — does not."""

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window = window
        inp = HORSE
        img = load_input(inp.source, 1, inp.height, inp.width)[0]
        self.image = 1.0 - img  # the horse bright on dark
        self.weights = 0.5 * (self.image + self.image[:, ::-1])  # what the FC layer learned
        self.slider = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(-20, 20)
        self.slider.setValue(0)
        self.slider.setObjectName("horseShift")
        self.slider.setToolTip(tr("Move the horse left or right"))
        self.label = QtWidgets.QLabel()
        self.plot = pg.PlotWidget()
        self.plot.setFixedHeight(150)
        self.plot.setLabel("bottom", tr("shift (pixels)"))
        self.plot.setLabel("left", tr("FC score"))
        self.plot.setMouseEnabled(False, False)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.hideButtons()
        shifts = np.arange(-20, 21)
        scores = [self.fc_score(int(s)) for s in shifts]
        self.plot.plot(shifts, scores, pen=pg.mkPen("#0a84ff", width=2))
        self.marker = self.plot.plot([0], [self.fc_score(0)], pen=None, symbol="o", symbolBrush="#d0021b")
        self.wview = pg.GraphicsLayoutWidget()
        self.wview.setFixedHeight(110)
        vb = self.wview.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        im = pg.ImageItem(self.weights.astype(np.float32), levels=(0, 1))
        vb.addItem(im)
        cap = QtWidgets.QLabel(tr("The fully connected layer's weights after seeing horses facing both ways: "
                                  "a two-headed horse."))
        cap.setWordWrap(True)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QtWidgets.QLabel(tr("Shift the horse:")))
        lay.addWidget(self.slider)
        lay.addWidget(self.label)
        lay.addWidget(self.plot)
        lay.addWidget(self.wview)
        lay.addWidget(cap)
        self.slider.valueChanged.connect(self._moved)
        self._moved(0, apply=False)

    def fc_score(self, dx: int) -> float:
        """The fully connected detector's response to the horse moved by dx: the correlation of
        the input with its weights (1 = a perfect match, 0 = no better than chance)."""
        x = np.roll(self.image, dx, axis=1).ravel()
        wv = self.weights.ravel()
        x, wv = x - x.mean(), wv - wv.mean()
        return float((wv * x).sum() / (np.linalg.norm(wv) * np.linalg.norm(x)))

    def set_shift(self, dx: int) -> None:
        self.slider.setValue(int(dx))

    def _moved(self, dx: int, apply: bool = True) -> None:
        self.marker.setData([dx], [self.fc_score(dx)])
        self.label.setText(tr("Shift {dx} px · fully connected score {s:.2f}").format(
            dx=dx, s=self.fc_score(dx)))
        if apply:
            w = self.window
            p = w.project
            w.doc.apply(replace(p, input=replace(p.input, shift=(0, int(dx)))), tr("Shift the horse"),
                        merge_key=("horse",))


class Questions(QtWidgets.QWidget):
    """Predict-then-reveal: the learner types an output size; the arithmetic checks it."""

    def __init__(self, window, seed: int = 0, parent=None):
        super().__init__(parent)
        self.window = window
        self.rng = random.Random(seed)
        self.correct = 0
        self.asked = 0
        self.question = QtWidgets.QLabel()
        self.question.setWordWrap(True)
        self.answer_box = QtWidgets.QSpinBox()
        self.answer_box.setRange(0, 9999)
        self.answer_box.setObjectName("answerBox")
        self.check_button = QtWidgets.QPushButton(tr("Check"))
        self.next_button = QtWidgets.QPushButton(tr("Another question"))
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.score = QtWidgets.QLabel()
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(tr("Output height:")))
        row.addWidget(self.answer_box)
        row.addWidget(self.check_button)
        row.addWidget(self.next_button)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.question)
        lay.addLayout(row)
        lay.addWidget(self.result)
        lay.addWidget(self.score)
        self.check_button.clicked.connect(lambda: self.check(self.answer_box.value()))
        self.next_button.clicked.connect(self.new_question)
        self.new_question()

    def new_question(self) -> None:
        r = self.rng
        while True:
            n, k, s = r.randint(5, 32), r.choice([1, 2, 3, 5, 7]), r.choice([1, 1, 2, 2, 3])
            p, d = r.choice([0, 0, 1, 2]), r.choice([1, 1, 1, 2])
            if d * (k - 1) + 1 <= n + 2 * p:
                break
        self.n, self.k, self.s, self.p, self.d = n, k, s, p, d
        self.expected = ar.conv_out(n, k, s, d, p, p)
        self.question.setText(tr("A {n}×{n} input, Conv2d with kernel_size={k}, stride={s}, padding={p}, "
                                 "dilation={d}. What is the output height?").format(n=n, k=k, s=s, p=p, d=d))
        self.result.setText("")
        self.check_button.setEnabled(True)
        # the live app shows the same layer, so the learner can look after answering
        w = self.window
        spec = C("Conv2d", out_channels=1, kernel_size=k, stride=s, padding=p, dilation=d)
        w.doc.apply(Project(InputSpec(1, n, n, "pattern:checkerboard"), (spec,), 0, (), w.project.title),
                    tr("New question"))

    def check(self, answer: int) -> bool:
        self.asked += 1
        ok = int(answer) == self.expected
        formula = f"({self.n} + 2*{self.p} - {self.d}*({self.k}-1) - 1) // {self.s} + 1 = {self.expected}"
        if ok:
            self.correct += 1
            self.result.setText("<span style='color:#1a7f37'>✓ " + tr("Right!") + f"</span> <code>{formula}</code>")
        else:
            self.result.setText("<span style='color:#b00020'>✗ " + tr("Not quite.") + f"</span> <code>{formula}</code>")
        self.check_button.setEnabled(False)
        self.score.setText(tr("{c} of {a} right").format(c=self.correct, a=self.asked))
        self.window.walkthrough.refresh_task()
        return ok

    def answer_correctly(self, times: int) -> None:
        for _ in range(times):
            self.answer_box.setValue(self.expected)
            self.check(self.expected)
            self.new_question()


class SeparableTable(QtWidgets.QWidget):
    """Parameters and MACs of the depthwise-separable block beside a standard convolution."""

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window = window
        self.answered = False
        info = window.info
        layer = next(l for l in info.layers if l.spec.type == "DepthwiseSeparable")
        c, h, w = layer.in_shape
        n = layer.out_shape[0]
        k = layer.spec.get("kernel_size")
        std = C("Conv2d", out_channels=n, kernel_size=k, padding=layer.spec.get("padding"), bias=False)
        from convviz.validate import analyze
        s = analyze(layer.in_shape, [std]).layers[0]
        self.ratio = layer.macs / s.macs
        self.formula = ar.depthwise_separable_ratio(n, k)
        table = QtWidgets.QTableWidget(3, 3)
        table.setObjectName("separableTable")
        table.setHorizontalHeaderLabels([tr("Standard 3×3"), tr("Depthwise-separable"), tr("Ratio")])
        table.setVerticalHeaderLabels([tr("Parameters"), tr("MACs"), "1/N + 1/k²"])
        for r, (a, b) in enumerate(((s.params, layer.params), (s.macs, layer.macs))):
            for col, text in enumerate((f"{a:,}", f"{b:,}", f"{b / a:.4f}")):
                table.setItem(r, col, QtWidgets.QTableWidgetItem(text))
        table.setItem(2, 2, QtWidgets.QTableWidgetItem(f"1/{n} + 1/{k * k} = {self.formula:.4f}"))
        table.horizontalHeader().setStretchLastSection(True)
        table.setFixedHeight(130)
        self.table = table
        self.table.setVisible(False)
        self.guess = QtWidgets.QDoubleSpinBox()
        self.guess.setDecimals(3)
        self.guess.setRange(0, 1)
        self.guess.setSingleStep(0.01)
        self.reveal = QtWidgets.QPushButton(tr("Reveal"))
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(tr("Your guess (separable ÷ standard):")))
        row.addWidget(self.guess)
        row.addWidget(self.reveal)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QtWidgets.QLabel(tr("Layer {i}: {c} → {n} channels, {k}×{k} kernel, {h}×{w} maps.").format(
            i=layer.index, c=c, n=n, k=k, h=h, w=w)))
        lay.addLayout(row)
        lay.addWidget(self.result)
        lay.addWidget(table)
        self.reveal.clicked.connect(lambda: self.answer(self.guess.value()))

    def answer(self, guess: float) -> bool:
        self.answered = True
        self.table.setVisible(True)
        ok = abs(guess - self.ratio) <= 0.02
        self.result.setText(("✓ " + tr("Right: the separable block costs {r:.1%} of the standard one.") if ok else
                             "✗ " + tr("It costs {r:.1%} of the standard one: 1/N + 1/k².")).format(r=self.ratio))
        self.window.walkthrough.refresh_task()
        return ok


# --- the panel --------------------------------------------------------------------------------

class WalkthroughPanel(QtWidgets.QWidget):
    chapter_changed = Signal(int)

    def __init__(self, window, lang: str = "en", parent=None):
        super().__init__(parent)
        self.window = window
        self.lang = lang
        self.chapters = chapters()
        self.index = -1
        self.horse: HorseDemo | None = None
        self.questions: Questions | None = None
        self.separable: SeparableTable | None = None
        self.combo = QtWidgets.QComboBox()
        for i, ch in enumerate(self.chapters):
            self.combo.addItem(f"{i + 1}. {ch.title}")
        self.progress = QtWidgets.QLabel()
        self.text = QtWidgets.QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setObjectName("walkthroughText")
        self.task = QtWidgets.QLabel()
        self.task.setWordWrap(True)
        self.task.setObjectName("walkthroughTask")
        self.extra_box = QtWidgets.QWidget()
        self.extra_lay = QtWidgets.QVBoxLayout(self.extra_box)
        self.extra_lay.setContentsMargins(0, 0, 0, 0)
        self.back = QtWidgets.QPushButton(tr("◀ Back"))
        self.next = QtWidgets.QPushButton(tr("Next ▶"))
        self.show_me = QtWidgets.QPushButton(tr("Show me"))
        self.show_me.setToolTip(tr("Do the task for me"))
        nav = QtWidgets.QHBoxLayout()
        nav.addWidget(self.back)
        nav.addWidget(self.show_me)
        nav.addStretch(1)
        nav.addWidget(self.progress)
        nav.addStretch(1)
        nav.addWidget(self.next)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.combo)
        lay.addWidget(self.text, 3)
        lay.addWidget(self.task)
        lay.addWidget(self.extra_box, 2)
        lay.addLayout(nav)
        self.combo.activated.connect(self.go)
        self.back.clicked.connect(lambda: self.go(self.index - 1))
        self.next.clicked.connect(lambda: self.go(self.index + 1))
        self.show_me.clicked.connect(self.demo)
        window.session.maps_updated.connect(self._maps_updated)
        self._flash_timer = QtCore.QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self._unflash)
        self._flashed: QtWidgets.QWidget | None = None

    def _maps_updated(self, _generation: int) -> None:
        self.refresh_task()

    @property
    def chapter(self) -> Chapter:
        return self.chapters[self.index]

    def go(self, index: int) -> bool:
        """Enter chapter ``index``: load its project, open its view, highlight its control."""
        if not 0 <= index < len(self.chapters):
            return False
        w = self.window
        if not w.maybe_save():
            self.combo.setCurrentIndex(max(self.index, 0))
            return False
        self.index = index
        ch = self.chapters[index]
        self.combo.setCurrentIndex(index)
        self.progress.setText(tr("Chapter {i} of {n}").format(i=index + 1, n=len(self.chapters)))
        self.back.setEnabled(index > 0)
        self.next.setEnabled(index < len(self.chapters) - 1)
        self.text.setMarkdown(chapter_text(ch.key, self.lang))
        w.status.clearMessage()
        w.set_project(ch.project(), None)
        w.layers.select(ch.select)
        self._clear_extra()
        if ch.extra == "horse":
            self.horse = HorseDemo(w)
            self.extra_lay.addWidget(self.horse)
        elif ch.extra == "questions":
            self.questions = Questions(w, seed=index)
            self.extra_lay.addWidget(self.questions)
        elif ch.extra == "separable":
            self.separable = SeparableTable(w)
            self.extra_lay.addWidget(self.separable)
        if ch.view == "stepper":
            w.tabs.setCurrentWidget(w.stepper)
            w.stepper.layer_index = ch.stepper_layer
        else:
            w.tabs.setCurrentWidget(w.features)
        if ch.field is not None:
            w.show_field(*ch.field)
            w.features.scroll_to_layer(-1)
        w.doc.undo_stack.setClean()
        target = ch.highlight(w)
        if target is not None:
            self.flash(target)
        w.settings.setValue("walkthrough/chapter", index)
        self.refresh_task()
        self.chapter_changed.emit(index)
        return True

    def _clear_extra(self) -> None:
        while self.extra_lay.count():
            item = self.extra_lay.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # gone from view now; Qt deletes it (it still owns it) later
                item.widget().deleteLater()
        self.horse = self.questions = self.separable = None

    def done(self) -> bool:
        try:
            return bool(self.chapter.check(self.window))
        except Exception:  # noqa: BLE001 - a check reads live state; not done yet
            return False

    def refresh_task(self) -> None:
        if self.index < 0:
            return
        ok = self.done()
        mark = "<span style='color:#1a7f37; font-weight:600'>✓ " + tr("Done!") + "</span> " if ok else \
            "<span style='color:#b35c00; font-weight:600'>" + tr("Try it:") + "</span> "
        self.task.setText(mark + self.chapter.task)
        if ok:
            done = set(str(self.window.settings.value("walkthrough/done", "") or "").split(",")) - {""}
            done.add(self.chapter.key)
            self.window.settings.setValue("walkthrough/done", ",".join(sorted(done)))

    def demo(self) -> None:
        """Do the chapter's task (the 'Show me' button; tests and the handout use it too)."""
        self.chapter.demo(self.window)
        self.refresh_task()

    def flash(self, widget: QtWidgets.QWidget) -> None:
        """Draw attention to the control the chapter asks the learner to use."""
        self._unflash()
        self._flashed = widget
        widget.setStyleSheet("border: 2px solid #ff9500; border-radius: 3px; background: #fff4e0;")
        self._flash_timer.start(4000)

    def _unflash(self) -> None:
        if self._flashed is not None:
            try:
                self._flashed.setStyleSheet("")
            except RuntimeError:
                pass
        self._flashed = None
