"""The registry of chapter extras: the live widgets a chapter shows under its task (an
experiment, questions, a cost table, a 3-D view ...).

A chapter names its extras by key (``Chapter.extra``: one key or a tuple of keys); each key maps
to a factory ``(window, panel, state) -> QWidget`` registered here.  The panel builds them in
order on entering the chapter and finds them again by key (``panel.extra("horse")``).  Each
widget may offer ``state()`` and ``restore(state)`` so a language switch rebuilds it as it was;
a factory receives that state (or None) and restores it itself.

To add an extra: write its widget in a module of its own under ``ui/walkthrough/`` and add one
``register`` line in ``_builtin()`` below (import inside, so a broken extra cannot stop the
walkthrough from opening).
"""
from __future__ import annotations

from importlib import import_module
from typing import Callable

Factory = Callable[..., object]  # (window, panel, state: dict | None) -> QWidget
_FACTORIES: dict[str, Factory] = {}


def register(key: str, factory: Factory) -> None:
    _FACTORIES[key] = factory


def factory(key: str) -> Factory | None:
    if not _FACTORIES:
        _builtin()
    return _FACTORIES.get(key)


def keys_of(extra) -> tuple[str, ...]:
    """A chapter's ``extra`` (None, one key or a sequence of keys) as a tuple of keys."""
    if not extra:
        return ()
    if isinstance(extra, str):
        return (extra,)
    return tuple(extra)


def _builtin() -> None:
    from .exercises import Questions, SeparableTable

    register("horse", lambda w, panel, state: import_module(".horse", __package__).HorseDemo(w, state=state))
    register("trained", lambda w, panel, state: import_module(".trained_switch", __package__).TrainedSwitch(w, state))
    register("questions", lambda w, panel, state: Questions(w, panel, seed=panel.index, state=state))
    import_module(".questions", __package__).register_questions(register)  # "ask:<kind>", one per kind
    register("challenges", lambda w, panel, state: import_module(".challenges", __package__).ChallengeBox(w, panel, state))
    register("separable", lambda w, panel, state: import_module(".separable", __package__).SeparableTable(
        w, panel, state=state))
    register("textcnn", lambda w, panel, state: import_module(".textcnn", __package__).TextCNNDemo(w, panel, state))
    register("kernel3d", lambda w, panel, state: __import__("ui.views.kernel3d", fromlist=["Kernel3DView"])
             .Kernel3DView.for_window(w, compact=True))
    register("atlas", lambda w, panel, state: __import__("ui.walkthrough.atlas_extra", fromlist=["AtlasList"])
             .AtlasList(w, state))
    register("numbers", lambda w, panel, state: import_module(".numbers", __package__).NumbersExercise(w, state=state))
