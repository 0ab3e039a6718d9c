"""The chapters: each one's project, the view it opens, its task and how the task is detected.

A chapter's check reads the live app (and the panel's record of what the learner did since
entering it: the pixels clicked, the kernel stepped), never anything the chapter did itself, so a
chapter is never done on arrival.  ``solve`` does the task as a learner would (the tests and the
rendered handout use it); ``show_me`` is the Show me button: in an action chapter it does the
task, in a predict-then-reveal chapter it reveals the answer without ever counting it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from convviz.project import InputSpec, Project
from convviz.samples import load_preset, resources_dir
from convviz.spec import LayerSpec

from ..i18n import tr
from ..qt import QtCore, QtWidgets

C = LayerSpec.make


def _p(title, inp, layers, kernels=()):
    return Project(inp, tuple(layers), 0, tuple(kernels), title)


# --- the chapters' projects -----------------------------------------------------------------

HORSE = InputSpec(1, 64, 64, "sample:horse")


def horse_project() -> Project:
    """Chapter 1: the experiment's convolution (conv + ReLU + global max pooling + Linear) on its
    wide canvas; the maps show the horse canvas the experiment's slider sets (ui/walkthrough/horse.py)."""
    from dataclasses import replace
    from convviz.lesson_experiments import conv_project
    return replace(conv_project(), title=QtCore.QT_TRANSLATE_NOOP("title", "Why convolution: the horse"))


def kernel3d_project() -> Project:
    return _p(QtCore.QT_TRANSLATE_NOOP("title", "A 3-D kernel over a 3-D input"),
              InputSpec(3, 8, 8, "sample:astronaut"),
              [C("Conv2d", out_channels=2, kernel_size=3, padding=1)])


def lesson_padding_modes() -> Project:
    return load_preset("lesson_padding")


def stride_project() -> Project:
    return _p(QtCore.QT_TRANSLATE_NOOP("title", "Stride 2 on a 7x7 input"), InputSpec(1, 7, 7, "pattern:lesson"),
              [C("Conv2d", out_channels=1, kernel_size=2, stride=2)])


def formula_project() -> Project:
    return _p(QtCore.QT_TRANSLATE_NOOP("title", "The output-size formula"),
              InputSpec(1, 12, 12, "pattern:checkerboard"),
              [C("Conv2d", out_channels=1, kernel_size=3, stride=2, padding=1)])


def textcnn_project() -> Project:
    return _p(QtCore.QT_TRANSLATE_NOOP("title", "TextCNN: a 1-D convolution over a sentence"),
              InputSpec(1, 10, 8, "pattern:embedding"),
              [C("Conv2d", out_channels=4, kernel_size=[3, 8]), C("ReLU"),
               C("MaxPool2d", kernel_size=[8, 1])])


RF_LAYER = 6  # the receptive-field chapter asks for a pixel of this layer of the teaching preset


@dataclass
class Chapter:
    key: str  # file stem of the text
    title: str  # tr() text
    project: Callable[[], Project]
    task: str  # tr() text: what the learner is asked to do
    check: Callable[["object"], bool]  # window -> done?
    solve: Callable[["object"], None]  # does the task as the learner would (tests, the rendered handout)
    show_me: Callable[["object"], None] | None = None  # the Show me button (default: solve)
    highlight: Callable[["object"], QtWidgets.QWidget | None] = lambda w: None
    view: str = "maps"  # "maps" or "stepper"
    stepper_layer: int = 0
    field: tuple[int, int, int] | None = None  # receptive field shown on entry
    extra: str | tuple[str, ...] | None = None  # the extras under the task, by key (extras.py)
    select: int = 0
    reveals: bool = False  # Show me reveals an answer (and never counts as one)


def _editor(name):
    return lambda w: w.layers.editors.get(name)


def _set(index, **kw):
    def do(w):
        w.layers.select(index)
        for k, v in kw.items():
            w.edit_arg(index, k, v)
    return do


def _click_pixel(layer: int, y: int, x: int):
    """Click pixel (y, x) of channel 0 of ``layer``'s map, as the mouse does."""
    def do(w):
        m = w.features.widget_for(layer)
        m.render()
        sy, sx = m.scene_point(0, y, x)
        m._on_click(sy + 0.5, sx + 0.5)
    return do


def _step_textcnn(w) -> None:
    w.show_stepper(0)
    w.stepper.set_position(3)


def chapters() -> list[Chapter]:
    return _with_questions([
        Chapter("01-why", tr("Why convolution"), horse_project,
                tr("Predict which model still finds the horse away from where it learnt, then train both "
                   "and move the horse: the convolution's map follows it."),
                lambda w: w.walkthrough.horse.finished and w.walkthrough.horse.prediction is not None,
                lambda w: (w.walkthrough.horse.predict("conv"), w.walkthrough.horse.run_to_end(),
                           w.walkthrough.horse.set_shift(12)),
                lambda w: (w.walkthrough.horse.run_to_end(), w.walkthrough.horse.set_shift(12)), extra="horse"),
        Chapter("02-kernel3d", tr("A 3-D kernel over a 3-D input"), kernel3d_project,
                tr("Set out_channels to 4: four kernels give an output four channels deep."),
                lambda w: w.info.layers[0].out_shape is not None and w.info.layers[0].out_shape[0] == 4,
                _set(0, out_channels=4), highlight=_editor("out_channels"), view="stepper",
                extra=("kernel3d", "trained")),
        Chapter("03-conv2d", tr("torch.nn.Conv2d and the 4x4 example"), lambda: load_preset("lesson_4x4"),
                tr("Predict the lesson's printed numbers, then type a 2×2 kernel that reproduces its whole map."),
                lambda w: w.walkthrough.extra("numbers").reproduced(),
                lambda w: w.walkthrough.extra("numbers").solve(),
                lambda w: w.walkthrough.extra("numbers").show_next(), extra="numbers", view="stepper",
                reveals=True),
        Chapter("04-formula", tr("The output-size formula"), formula_project,
                tr("Predict the output size of three layers: type your answer and press Enter. Three right "
                   "answers of your own complete the chapter."),
                lambda w: w.walkthrough.questions.correct >= 3,
                lambda w: w.walkthrough.questions.answer_correctly(3),
                lambda w: w.walkthrough.questions.reveal_answer(), extra="questions", reveals=True),
        Chapter("05-padding", tr("Padding"), lesson_padding_modes,
                tr("Switch padding_mode to 'reflect' and watch the padding cells copy real pixels."),
                lambda w: w.project.layers[0].get("padding_mode") != "zeros",
                _set(0, padding_mode="reflect"), highlight=_editor("padding_mode"), view="stepper"),
        Chapter("06-stride", tr("Stride, and what the floor division drops"), stride_project,
                tr("Predict the output size with stride 3, then set stride to 3 and check the shapes table."),
                lambda w: w.project.layers[0].get("stride") == 3,
                _set(0, stride=3), highlight=_editor("stride"), view="stepper"),
        Chapter("07-receptive", tr("The receptive field"), lambda: load_preset("teaching"),
                tr("Click a pixel of layer {l}'s map (the last convolution) and compare its field on the input "
                   "with the field of layer 0 shown now.").format(l=RF_LAYER),
                lambda w: RF_LAYER in w.walkthrough.clicked,
                _click_pixel(RF_LAYER, 7, 7), field=(0, 60, 60), extra="trained"),
        Chapter("08-dilation", tr("Dilated convolution"), lambda: load_preset("dilated"),
                tr("Set layer 4's dilation to 1: the same nine weights per channel, a smaller field."),
                lambda w: w.project.layers[4].get("dilation") == 1,
                _set(4, dilation=1, padding=1), highlight=_editor("dilation"), field=(6, 30, 30), select=4,
                extra="trained"),
        Chapter("09-separable", tr("Depthwise-separable convolution"), lambda: load_preset("mobilenet_block"),
                tr("Predict the separable block's cost as a fraction of the standard convolution's in the question "
                   "below and press Enter; then read the Cost tab and measure the time."),
                lambda w: w.walkthrough.separable.answered,
                lambda w: w.walkthrough.separable.submit_guess(round(w.walkthrough.separable.ratio, 3)),
                lambda w: w.walkthrough.separable.show_answer(), extra="separable", select=3, reveals=True),
        Chapter("10-beyond", tr("Beyond the lesson: pooling, transposed convolution, TextCNN"), textcnn_project,
                tr("Step the TextCNN kernel: it spans the whole embedding and slides along the words only."),
                lambda w: w.tabs.currentWidget() is w.stepper and w.walkthrough.stepped,
                _step_textcnn, view="stepper", extra=("atlas", "textcnn")),
        Chapter("11-challenges", tr("Design challenges"), _challenge_project,
                tr("Edit the stack until every condition of a challenge is ticked: a challenge you solve yourself "
                   "counts; a solution Show me loads does not."),
                lambda w: w.walkthrough.extra("challenges").solved_count() >= 1,
                lambda w: w.walkthrough.extra("challenges").build_solution(),
                lambda w: w.walkthrough.extra("challenges").show_solution(), extra="challenges", reveals=True),
    ])


def _challenge_project() -> Project:
    from .challenges import challenge_project
    from convviz.lessons import CHALLENGES
    return challenge_project(CHALLENGES[0].key)


def _with_questions(chs: list[Chapter]) -> list[Chapter]:
    """Each chapter's question that teaches (questions.py; the kinds and their chapters in
    convviz.lessons.KINDS) after the chapter's other extras; chapter 4's questions are its task."""
    from convviz.lessons import KINDS
    from .extras import keys_of
    for ch in chs:
        asks = tuple(f"ask:{k}" for k, (key, _) in KINDS.items() if key == ch.key and k != "output_size")
        ch.extra = keys_of(ch.extra) + asks
    return chs


def chapter_text(key: str, lang: str) -> str:
    for lg in (lang, "en"):
        path = resources_dir() / "walkthrough" / lg / f"{key}.md"
        if path.exists():
            return path.read_text(encoding="utf-8")
    return f"# {key}"
