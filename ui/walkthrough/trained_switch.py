"""The chapters' "trained / random" switch: the chapter's maps with the kernels convviz trained
itself on its bundled data (resources/weights/, made by scripts/train_lesson_weights.py, see
PROVENANCE.md there), or with the random initial kernels the engine draws.  Chapter 2 starts
with two kernels and asks for four: the switch shows the first two of the four trained, then all.

It is the window's own switch (the training dock's trained / initial weights action): the
weights reach the maps through ``TrainingPanel.show_weights``, as trained weights do, and an
edit keeps them on the layers whose shapes still fit (weights.carry_over).  Leaving the chapter
takes them away again, so they never follow into another chapter or the learner's project.
"""
from __future__ import annotations

import json

from convviz.lesson_experiments import lesson_weights

from ..i18n import tr
from ..qt import QtCore, QtWidgets


def owns(panel, given) -> bool:
    """The training panel's trained weights are (carried from) ``given``."""
    trained = getattr(panel, "trained", None) or {}
    return bool(given) and any(trained.get(i) is d for i, d in given.items())


def release(window, given) -> None:
    """Take the lesson's weights ``given`` back from the window (when it still shows them)."""
    panel = window.training_panel
    if owns(panel, given):
        panel.show_weights(None)


class TrainedSwitch(QtWidgets.QWidget):
    """Trained kernels on or off, for the chapter's preset (nothing when none is bundled for it)."""

    def __init__(self, window, state: dict | None = None, parent=None):
        super().__init__(parent)
        self.window = window
        self._gone = False
        self._layers = window.project.layers
        panel = window.training_panel
        loaded, self.name = lesson_weights(window.project)
        self.weights = dict(loaded.weights) if loaded is not None else {}
        self.box = QtWidgets.QCheckBox(tr("Trained kernels"))
        self.box.setObjectName("lessonTrained")
        self.box.setToolTip(tr("On: kernels convviz trained itself on its bundled data. Off: the random initial "
                               "kernels. The same switch as View > Trained Weights."))
        self.caption = QtWidgets.QLabel()
        self.caption.setWordWrap(True)
        self.caption.setObjectName("lessonTrainedCaption")
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.box)
        lay.addWidget(self.caption)
        self._stale = QtWidgets.QLabel(tr("The trained kernels do not fit this layer since its shape changed: the maps "
                                          "use the random initial kernels."))
        self._stale.setWordWrap(True)
        self._stale.setObjectName("lessonTrainedStale")
        self._stale.setVisible(False)
        lay.addWidget(self._stale)
        # as tall as its text: the panel's spare height goes to the chapter's other extras
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Maximum)
        if not self.weights:
            self.box.setEnabled(False)
            self.caption.setText(tr("No trained kernels are bundled for this stack."))
            return
        meta = loaded.metadata or {}
        acc = meta.get("test_accuracy")
        try:
            data = json.loads(meta.get("params", "{}")).get("data")
        except ValueError:
            data = None
        data = {"shapes": tr("its generated shapes"), "digits": tr("the bundled handwritten digits")}.get(data, data or "?")
        self.caption.setText(tr("Trained by convviz on {data} ({acc} of the test images right); switch off to "
                                "compare with the random initial kernels.").format(
            data=data, acc=f"{float(acc):.0%}" if acc else "?"))
        self._layers = window.project.layers
        on = panel.show_trained if state is None else bool(state.get("on", True))
        self.box.setChecked(on)
        panel.set_show_trained(on)
        panel.show_weights(self.weights)
        self.box.toggled.connect(panel.set_show_trained)
        panel.trained_action.toggled.connect(self._action_toggled)
        window.walkthrough.chapter_changed.connect(self._chapter_changed)
        window.doc.lesson_changed.connect(self._lesson_changed)
        window.session.analysed.connect(self._analysed)

    def _action_toggled(self, on: bool) -> None:
        try:
            if self.box.isChecked() != on:
                self.box.blockSignals(True)
                self.box.setChecked(on)
                self.box.blockSignals(False)
        except RuntimeError:  # deleted
            pass

    def set_trained(self, on: bool) -> None:
        self.box.setChecked(bool(on))

    @property
    def showing_trained(self) -> bool:
        return self.box.isChecked() and owns(self.window.training_panel, self.weights)

    def _left(self) -> None:
        """The chapter was left (or the walkthrough closed): the weights go with it."""
        if self._gone:
            return
        self._gone = True
        for sig, slot in ((self.window.training_panel.trained_action.toggled, self._action_toggled),
                          (self.window.walkthrough.chapter_changed, self._chapter_changed),
                          (self.window.doc.lesson_changed, self._lesson_changed),
                          (self.window.session.analysed, self._analysed)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        release(self.window, self.weights)

    def _analysed(self, project, _info, _first) -> None:
        """An edit (chapter 2: two kernels to four): the bundled kernels that fit the new stack,
        after the training dock has carried or reset the old ones (next turn of the event loop)."""
        if self._gone or project.layers == self._layers:
            return
        self._layers = project.layers
        QtCore.QTimer.singleShot(0, self, self._refit)

    def _refit(self) -> None:
        if self._gone or not self.window.doc.lesson:
            return
        loaded, name = lesson_weights(self.window.project)
        fits = loaded is not None and name == self.name and bool(loaded.weights)
        if fits:
            self.weights = dict(loaded.weights)
            self.window.training_panel.show_weights(self.weights)
        self.box.setEnabled(fits)
        self._stale.setVisible(not fits)

    def _chapter_changed(self, _index: int) -> None:
        if self.window.walkthrough.extra("trained") is not self:
            self._left()

    def _lesson_changed(self, on: bool) -> None:
        if not on:
            self._left()

    def hideEvent(self, ev) -> None:  # noqa: N802
        if self.window.walkthrough.extra("trained") is not self:
            self._left()
        super().hideEvent(ev)

    def state(self) -> dict:
        return {"on": self.box.isChecked()}

    def restore(self, state: dict) -> None:
        self.set_trained(state.get("on", True))
