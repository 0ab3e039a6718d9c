"""Edits of a project as pure functions: each takes the immutable Project and returns a new one.

The window (``ui/main_window.py``), the walkthrough and the tests all edit through these, so an
edit means one thing everywhere: the window only adds the undo step (``Document.apply``), the
text of that step and which layer is selected afterwards.  Nothing here mutates its argument,
and nothing touches Qt, torch or the file system.

What an edit keeps: the title, the input, the seed, the name of the trained-weights file and the
training settings ride along unchanged (the trained numbers themselves follow an edit through
``weights.carry_over``, which the training job applies).  Per-layer kernel choices
(``Project.kernels``) move with their layers.

A layer index that is out of range, or an order that is not a permutation of the layers, is a
caller's mistake and raises IndexError / ValueError; an argument value the layer cannot take is
the user's and raises ``SpecError`` with a sentence (the window shows it and changes nothing).
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Sequence

from .kernels import weight_shapes
from .project import InputSpec, Project
from .spec import LayerSpec, SpecError

__all__ = ["add_layer", "remove_layer", "duplicate_layer", "move_layer", "reorder", "set_arg", "set_kernel",
           "set_input", "set_seed", "empty_like"]


def _check(project: Project, index: int, end: int = 0) -> int:
    """``index`` as an int in 0 .. len(layers) - 1 (+ ``end``), else IndexError."""
    n = len(project.layers)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n + end:
        raise IndexError(f"layer {index!r} is not in a stack of {n} layer{'s' if n != 1 else ''}")
    return index


def add_layer(project: Project, index: int, spec: LayerSpec, kernel: Any = None) -> Project:
    """``spec`` inserted so that it becomes layer ``index`` (0 .. len(layers); len appends), with
    kernel choice ``kernel`` (None: random weights from the seed).  The layers from ``index`` on
    move down by one, their kernel choices with them."""
    _check(project, index, end=1)
    layers, kernels = list(project.layers), list(project.kernels)
    layers.insert(index, spec)
    kernels.insert(index, kernel)
    return project.with_layers(layers, kernels)


def remove_layer(project: Project, index: int) -> Project:
    """Layer ``index`` and its kernel choice removed; the layers after it move up by one."""
    _check(project, index)
    layers, kernels = list(project.layers), list(project.kernels)
    del layers[index], kernels[index]
    return project.with_layers(layers, kernels)


def duplicate_layer(project: Project, index: int) -> Project:
    """A copy of layer ``index`` (spec and kernel choice) inserted right after it, at ``index + 1``."""
    _check(project, index)
    return add_layer(project, index + 1, project.layers[index], project.kernels[index])


def reorder(project: Project, order: Sequence[int]) -> Project:
    """The layers rearranged: new layer ``k`` is old layer ``order[k]``, kernel choice included.
    ``order`` must be a permutation of 0 .. len(layers) - 1 (ValueError otherwise).  Reordering by
    the inverse permutation gives the original project back."""
    order = list(order)
    if sorted(order) != list(range(len(project.layers))):
        raise ValueError(f"{order} is not an order of the {len(project.layers)} layers")
    return project.with_layers([project.layers[o] for o in order], [project.kernels[o] for o in order])


def move_layer(project: Project, index: int, delta: int) -> Project:
    """Layer ``index`` swapped with layer ``index + delta`` (delta -1: up one, +1: down one); both
    must be in the stack (IndexError otherwise)."""
    j = _check(project, index) + delta
    _check(project, j)
    order = list(range(len(project.layers)))
    order[index], order[j] = order[j], order[index]
    return reorder(project, order)


def set_arg(project: Project, index: int, name: str, value: Any) -> Project:
    """Layer ``index`` with its argument ``name`` set to ``value`` (coerced as the file loader
    does; None removes an optional argument, so it falls back to its default or is inferred).
    Raises SpecError with a sentence for a value the argument cannot take, or a name the layer
    type does not have.

    Typed kernel numbers (``("values", ...)``) survive only while the layer's (first) weight keeps
    its shape, as read with the layer's input channels in ``project``; otherwise the layer goes
    back to random weights.  Named kernels adapt to any shape and stay."""
    _check(project, index)
    spec = project.layers[index]
    try:
        new = spec.with_args(**{name: value})
    except KeyError:
        raise SpecError(name, f"{spec.type} has no argument named {name}") from None
    kernels = list(project.kernels)
    if isinstance(kernels[index], tuple):
        c_in = project.analyze().layers[index].in_channels or 1
        if weight_shapes(spec, c_in)[:1] != weight_shapes(new, c_in)[:1]:
            kernels[index] = None
    layers = list(project.layers)
    layers[index] = new
    return project.with_layers(layers, kernels)


def set_kernel(project: Project, index: int, init: Any) -> Project:
    """Layer ``index`` with kernel choice ``init``: None (random from the seed), a KERNEL_PRESETS
    name or ``("values", nested tuple)`` of typed numbers.  Whether it fits the layer is the
    analysis's business (a misfit is a message on the layer, not an exception here)."""
    _check(project, index)
    kernels = list(project.kernels)
    kernels[index] = init
    return project.with_layers(project.layers, kernels)


def set_input(project: Project, spec: InputSpec) -> Project:
    """The project on input ``spec`` (channels, size, source, shift, fit); the layers stay."""
    return replace(project, input=spec)


def set_seed(project: Project, seed: int) -> Project:
    """The project with seed ``seed`` (as an int): every random layer draws new weights."""
    return replace(project, seed=int(seed))


def empty_like(project: Project, base_dir: str | os.PathLike | None = None) -> Project:
    """File > New: an empty stack, untitled, on the same input (unshifted) and seed; no kernels,
    trained weights or training settings.  An image path relative to ``base_dir`` (the old
    project's folder) is made absolute, so the new, not yet saved project still finds it."""
    from .samples import resolve_source
    inp = project.input
    if not inp.source.startswith(("sample:", "pattern:")):
        inp = replace(inp, source=os.fspath(resolve_source(inp.source, base_dir)))
    return Project(input=replace(inp, shift=(0, 0)), seed=project.seed)
