"""The teaching walkthrough: chapters that drive the live app.

Each chapter is a page of text (resources/walkthrough/<lang>/<key>.md, in English and
Simplified Chinese) beside the workbench.  Entering a chapter shows its own project as a lesson
(the learner's project is put aside with its undo history and comes back when the walkthrough
closes), opens the view it talks about, highlights the control to use and states a task; the
task turns green when the learner has done it, and the chapter list marks it done.  Some
chapters carry a live exercise: the horse that a fully connected layer and a convolution see
differently, the predict-then-reveal questions, the depthwise-separable cost.

    chapters.py   the chapters: projects, tasks, how each task is detected
    exercises.py  the exercises some chapters carry
    horse.py      chapter 1's experiment: a fully connected classifier and a convolution trained
                  on the horse, tested at every shift
    trained_switch.py  the trained / random kernels switch of the chapters that show maps
    panel.py      the panel beside the workbench
"""
from .chapters import Chapter, chapter_text, chapters  # noqa: F401
from .exercises import Questions, SeparableTable  # noqa: F401
from .horse import HorseDemo  # noqa: F401
from .panel import WalkthroughPanel  # noqa: F401
