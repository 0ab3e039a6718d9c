"""The live exercises some chapters carry: the horse that a fully connected layer and a
convolution see differently, chapter 4's predict-then-reveal questions (the depthwise-separable
cost experiment is in separable.py).

Predict-then-reveal means what it says: nothing on screen gives the answer away before the
learner has answered (the question's layer is not in the project until then, the ratio is not
printed), Enter submits, and "Show me" reveals an answer without ever counting it as the
learner's.  Each exercise can hand its state over (``state``/``restore``), so a language switch
rebuilds it as it was.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from convviz import edits
from convviz.project import InputSpec, Project
from convviz.samples import load_input
from convviz.spec import LayerSpec

from ..i18n import tr
from ..qt import QtWidgets, Qt, pg
from .chapters import HORSE
from .questions import QuestionBox

C = LayerSpec.make
GREEN, RED = "#1a7f37", "#b00020"


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
        dx = int(window.project.input.shift[1])  # 0 on entry; the learner's shift after a language switch
        self.slider.blockSignals(True)
        self.slider.setValue(dx)
        self.slider.blockSignals(False)
        self.slider.valueChanged.connect(self._moved)
        self._moved(dx, apply=False)

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
            w = self.window  # the window's own edit (convviz.edits.set_input), one undo step per drag
            w.edit_input(replace(w.project.input, shift=(0, int(dx))), tr("Shift the horse"))

    def state(self) -> dict:
        return {}  # the shift is in the project

    def restore(self, state: dict) -> None:
        pass


class Questions(QuestionBox):
    """Chapter 4's questions: the output height of a randomised Conv2d (lessons "output_size"),
    predict-then-reveal.  The question's layer joins the project only once the question is
    answered (or revealed), so no panel shows its shape before; then the maps, the shapes table
    and the stepper show why."""

    def __init__(self, window, panel=None, seed: int = 0, state: dict | None = None, parent=None):
        self.title = window.project.title
        super().__init__(window, panel if panel is not None else window.walkthrough, "output_size", seed, state,
                         parent)

    # the question's numbers
    n = property(lambda self: self.q.params["n"])
    k = property(lambda self: self.q.params["k"])
    s = property(lambda self: self.q.params["s"])
    p = property(lambda self: self.q.params["p"])
    d = property(lambda self: self.q.params["d"])

    def layer(self) -> LayerSpec:
        return C("Conv2d", out_channels=1, kernel_size=self.k, stride=self.s, padding=self.p, dilation=self.d)

    def input_project(self) -> Project:
        return Project(InputSpec(1, self.n, self.n, "pattern:checkerboard"), (), 0, (), self.title)

    def layer_project(self) -> Project:
        return edits.add_layer(self.input_project(), 0, self.layer())

    def _opened(self) -> None:
        self.window.doc.show_lesson(self.input_project())  # the input only: the layer stays hidden

    def _revealed(self) -> None:
        self.window.doc.show_lesson(self.layer_project())
        self.window.walkthrough.refresh_task()

    def formula(self) -> str:
        return self.q.work

    def state(self) -> dict:
        return {**super().state(), "title": self.title}

    def restore(self, state: dict) -> None:
        self.title = state.get("title", self.title)
        super().restore(state)


from .separable import SeparableTable  # noqa: E402,F401 - chapter 9's experiment lives in separable.py
