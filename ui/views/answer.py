"""The network's answer for the input on show: when the stack ends in class scores (a vector of
logits), the five most probable classes with their names and probabilities.

It follows the session: every result (a new input, an edit, other weights) is read from the
last layer's output; nothing is computed on the compute thread for it (the softmax of a vector
of at most a few thousand numbers).  The names are the project's labels
(``Project.labels``, e.g. "imagenet1k": torchvision's 1,000 ImageNet classes, read offline by
convviz.zoo.class_names), else the training data set's classes, else class indices.

Which weights answer is always said, so an answer of random weights is never taken for a
trained network's: "initial random weights (seed 0): these classes mean nothing", "weights
from vgg16-397923af.pth", or "trained weights".
"""
from __future__ import annotations

import numpy as np

from ..i18n import tr
from ..qt import QtWidgets, Qt

TOP = 5
MAX_CLASSES = 100_000  # a longer last vector is not read as class scores


def softmax_top(logits, k: int = TOP) -> list[tuple[int, float]]:
    """The ``k`` most probable classes of ``logits`` as (class, softmax probability), best
    first (convviz.zoo.top_k: the one definition the command line uses too)."""
    from convviz.zoo import top_k
    return top_k(logits, k)


def class_vector_size(info) -> int | None:
    """The number of classes when the valid stack ends in a vector (k,) or (k, 1, 1), k >= 2;
    else None."""
    if info is None or not info.layers or not all(l.ok for l in info.layers):
        return None
    out = tuple(info.layers[-1].out_shape)
    k = out[0] if out else 0
    if (len(out) == 1 or out[1:] == (1, 1)) and 2 <= k <= MAX_CLASSES:
        return k
    return None


def label_names(labels: str, k: int) -> tuple[str, ...] | None:
    """The ``k`` names of a label set (convviz.zoo.class_names; imports torchvision, so it runs
    on the compute thread), or None."""
    try:
        from convviz.zoo import class_names
        names = class_names(labels)
    except Exception:  # noqa: BLE001 - torchvision missing or broken: indices are shown
        names = None
    return tuple(names) if names and len(names) == k else None


def dataset_names(project, k: int) -> tuple[str, ...] | None:
    """The training data set's class names when it has ``k`` classes (torch-free), or None."""
    training = getattr(project, "training", None)
    if training is not None:
        from convviz.datasets import DATASETS
        ds = DATASETS.get(getattr(training, "data", ""))
        if ds is not None and len(ds.classes) == k:
            return tuple(str(c) for c in ds.classes)
    return None


class AnswerView(QtWidgets.QWidget):
    """See the module doc.  ``attach(session)``; ``answer`` is the newest [(class, p)], ``names``
    the class names used (or None), ``weights_text`` the sentence naming the weights."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("answerView")
        self.session = None
        self.answer: list[tuple[int, float]] = []
        self.names: tuple[str, ...] | None = None
        self.weights_source = lambda: ""
        self._names_key = None
        self.title = QtWidgets.QLabel()
        self.title.setObjectName("answerTitle")
        self.title.setWordWrap(True)
        self.weights_label = QtWidgets.QLabel()
        self.weights_label.setObjectName("answerWeights")
        self.weights_label.setWordWrap(True)
        self.weights_text = ""
        self.rows: list[tuple[QtWidgets.QLabel, QtWidgets.QProgressBar]] = []
        grid = QtWidgets.QGridLayout()
        grid.setColumnStretch(1, 1)
        for r in range(TOP):
            name = QtWidgets.QLabel()
            name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            bar = QtWidgets.QProgressBar()
            bar.setRange(0, 1000)
            bar.setFormat("")
            bar.setTextVisible(True)
            bar.setMinimumWidth(80)
            grid.addWidget(name, r, 0)
            grid.addWidget(bar, r, 1)
            self.rows.append((name, bar))
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.title)
        lay.addLayout(grid)
        lay.addWidget(self.weights_label)
        lay.addStretch(1)
        self._show([], tr("No answer yet"))

    def attach(self, session, weights_source=lambda: "") -> None:
        """Follow ``session``; ``weights_source()`` names the file the weights on show were
        loaded from ("" when they were not loaded from a file)."""
        self.session = session
        self.weights_source = weights_source
        session.analysed.connect(self._analysed)
        session.result_ready.connect(self._result)

    # --- following the session ------------------------------------------------------------------
    def _analysed(self, project, info, first) -> None:
        k = class_vector_size(info)
        if k is None:
            self.names = None
            self._show([], tr("The stack does not end in class scores: a classifier ends in one number per class "
                              "(Flatten, then Linear)."))
            return
        labels = getattr(project, "labels", "") or ""
        key = (labels, getattr(project.training, "data", None), k)
        if key != self._names_key:
            self._names_key = key
            self.names = None if labels else dataset_names(project, k)
            if labels:  # read where torch lives: the GUI thread never imports torchvision
                self.session.run_on_compute_thread(lambda _engine, _cancelled: label_names(labels, k),
                                                   lambda names, key=key: self._named(key, names))
        self._weights_sentence()
        if first < len(info.layers) and self.answer:  # the last layer is computed again: this answer is old
            self.title.setText(tr("Computing the answer for the new input or weights…"))
            for name, bar in self.rows:
                name.setEnabled(False)
                bar.setEnabled(False)

    def _named(self, key, names) -> None:
        if key != self._names_key:
            return  # another project since
        self.names = names
        for r, (k, _p) in enumerate(self.answer):
            self.rows[r][0].setText(self.label(k))

    def _result(self, res) -> None:
        s = self.session
        if s is None or s.info is None:
            return
        k = class_vector_size(s.info)
        if k is None:
            return
        last = res.outputs[-1] if res.outputs else None
        if last is None or np.asarray(last).size != k:
            self._show([], tr("No answer: the last layer was not computed."))
            return
        top = softmax_top(last) if np.all(np.isfinite(last)) else []
        if not top:
            self._show([], tr("No answer: the class scores are not all finite numbers."))
            return
        self._weights_sentence()
        self._show(top, tr("The {k} class scores, as probabilities (softmax): the five largest").format(k=k))

    def _weights_sentence(self) -> None:
        s = self.session
        project = s.project if s is not None else None
        if s is None or s.weights is None:
            seed = project.seed if project is not None else 0
            text = tr("Initial random weights (seed {s}): not a trained network, so these classes mean nothing.").format(
                s=seed)
        elif self.weights_source():
            text = tr("Weights loaded from {f}.").format(f=self.weights_source())
        else:
            text = tr("Trained or loaded weights, not the initial ones.")
        self.weights_text = text
        self.weights_label.setText(text)

    # --- drawing --------------------------------------------------------------------------------
    def label(self, k: int) -> str:
        if self.names is not None and 0 <= k < len(self.names):
            return self.names[k]
        return tr("class {k}").format(k=k)

    def _show(self, top: list[tuple[int, float]], title: str) -> None:
        self.answer = list(top)
        self.title.setText(title)
        for r, (name, bar) in enumerate(self.rows):
            name.setEnabled(True)
            bar.setEnabled(True)
            if r < len(top):
                k, p = top[r]
                name.setText(f"{self.label(k)}")
                name.setToolTip(tr("class {k}").format(k=k))
                bar.setValue(int(round(p * 1000)))
                bar.setFormat(f"{p:.1%}")
                name.show()
                bar.show()
            else:
                name.hide()
                bar.hide()

    def texts(self) -> list[str]:
        """The class names shown, best first (tests read them)."""
        return [self.rows[r][0].text() for r in range(len(self.answer))]


__all__ = ["AnswerView", "softmax_top", "class_vector_size", "label_names", "dataset_names"]
