"""The live exercises some chapters carry: chapter 4's predict-then-reveal questions (chapter 1's
horse experiment is in horse.py, the depthwise-separable cost experiment in separable.py).

Predict-then-reveal means what it says: nothing on screen gives the answer away before the
learner has answered (the question's layer is not in the project until then, the ratio is not
printed), Enter submits, and "Show me" reveals an answer without ever counting it as the
learner's.  Each exercise can hand its state over (``state``/``restore``), so a language switch
rebuilds it as it was.
"""
from __future__ import annotations

from convviz import edits
from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec

from .questions import QuestionBox

C = LayerSpec.make
GREEN, RED = "#1a7f37", "#b00020"


class Questions(QuestionBox):
    """Chapter 4's questions: the output height of a randomised Conv2d (lessons "output_size"),
    predict-then-reveal.  The question's layer joins the project only once the question is
    answered (or revealed), so no panel shows its shape before; then the maps, the shapes table
    and the stepper show why."""

    def __init__(self, window, panel=None, seed: int = 0, state: dict | None = None, parent=None):
        self.chapter_title = window.project.title  # (not "title": QGroupBox.title())
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
        return Project(InputSpec(1, self.n, self.n, "pattern:checkerboard"), (), 0, (), self.chapter_title)

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
        return {**super().state(), "title": self.chapter_title}

    def restore(self, state: dict) -> None:
        self.chapter_title = state.get("title", self.chapter_title)
        super().restore(state)


from .separable import SeparableTable  # noqa: E402,F401 - chapter 9's experiment lives in separable.py
