"""Chapter 10's atlas: Dumoulin & Visin's convolution-arithmetic cases (convviz/atlas.py), in
their order, each opened as the chapter's project with the stepper on the convolution or on its
transposed twin; the checkerboard pair with its sentence.  The learner's own project stays put
aside (Document.show_lesson), as for every chapter."""
from __future__ import annotations

from convviz import atlas

from ..i18n import tr, tr_in, tr_title
from ..qt import QtWidgets


class AtlasList(QtWidgets.QWidget):
    def __init__(self, window, state: dict | None = None, parent=None):
        super().__init__(parent)
        self.window = window
        self.setObjectName("atlasExtra")
        self.combo = QtWidgets.QComboBox()
        for case in atlas.ALL:
            self.combo.addItem(tr_title(case.title), case.name)
        self.combo.setToolTip(tr("Dumoulin & Visin's cases in their order, each paired with the transposed "
                                 "convolution that gives back the input size"))
        self.conv_button = QtWidgets.QPushButton(tr("Step the convolution"))
        self.twin_button = QtWidgets.QPushButton(tr("Step its transposed twin"))
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.conv_button)
        row.addWidget(self.twin_button)
        row.addStretch(1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QtWidgets.QLabel(tr("Convolution arithmetic atlas:")))
        lay.addWidget(self.combo)
        lay.addLayout(row)
        lay.addWidget(self.note)
        self.combo.currentIndexChanged.connect(self._chosen)
        self.conv_button.clicked.connect(lambda: self.open(self.combo.currentIndex(), 0))
        self.twin_button.clicked.connect(lambda: self.open(self.combo.currentIndex(), 1))
        if state and isinstance(state.get("index"), int) and 0 <= state["index"] < len(atlas.ALL):
            self.combo.setCurrentIndex(state["index"])
        self._chosen(self.combo.currentIndex())

    def case(self, index: int | None = None) -> atlas.Case:
        return atlas.ALL[self.combo.currentIndex() if index is None else index]

    def _chosen(self, index: int) -> None:
        case = self.case(index)
        self.conv_button.setEnabled(not case.checkerboard)
        self.twin_button.setText(tr("Step the upsampling") if case.checkerboard else tr("Step its transposed twin"))
        if case.checkerboard:
            self.note.setText(tr_in("atlas", atlas.CHECKERBOARD_SENTENCE))
        else:
            self.note.setText(tr("{i}×{i} → {o}×{o} → back to {i}×{i}").format(i=case.i, o=case.o))

    def open(self, index: int, layer: int) -> None:
        """Show case ``index`` as the chapter's project, the stepper on its convolution (0) or its
        transposed twin (1; the upsampling of a checkerboard case)."""
        case = self.case(index)
        if self.combo.currentIndex() != index:
            self.combo.setCurrentIndex(index)
        layer = 0 if case.checkerboard else layer
        w = self.window
        w.doc.show_lesson(atlas.project(case))
        w.layers.select(layer)
        w.show_stepper(layer)

    def state(self) -> dict:
        return {"index": self.combo.currentIndex()}
