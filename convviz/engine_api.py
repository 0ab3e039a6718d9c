"""What crosses the thread boundary between the GUI and the engine, and the memory guard.

Torch-free, so the window can build requests and show estimates before torch is imported.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Hashable

import numpy as np

from . import arithmetic as ar
from .messages import Msg
from .spec import QT_TRANSLATE_NOOP
from .project import Project
from .validate import StackInfo


# --- memory ---------------------------------------------------------------------------------

def available_memory() -> int:
    """Bytes of memory available to this process (MemAvailable on Linux; physical otherwise)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def memory_budget() -> int:
    env = os.environ.get("CONVVIZ_MEMORY_LIMIT")
    if env:
        return int(float(env))
    return int(available_memory() * 0.6)


def estimate_bytes(info: StackInfo) -> int:
    """Peak memory of a forward that keeps every layer's output: all activations, the weights,
    and the largest convolution workspace (an unfolded input, as the im2col path needs)."""
    total = ar.activation_bytes(info.input_shape)
    workspace = 0
    for l in info.layers:
        if not l.ok:
            break
        total += l.activation_bytes + l.params * ar.BYTES_PER_ELEMENT
        w = ar.window(l.spec)
        if w is not None and l.spec.type in ("Conv2d", "DepthwiseSeparable"):
            _, ho, wo = l.out_shape
            workspace = max(workspace, l.in_shape[0] * w.kernel[0] * w.kernel[1] * ho * wo * ar.BYTES_PER_ELEMENT)
    return total + workspace


def memory_problem(info: StackInfo, budget: int | None = None) -> str | None:
    budget = memory_budget() if budget is None else budget
    need = estimate_bytes(info)
    if need > budget:
        return Msg(QT_TRANSLATE_NOOP("core", "this stack needs about {need} to compute and keep every layer's maps, "
                                             "more than the {budget} convviz allows itself here — reduce the input "
                                             "size, the channels or the number of layers"),
                   need=ar.human_bytes(need), budget=ar.human_bytes(budget))
    return None


# --- requests and results -------------------------------------------------------------------

@dataclass(frozen=True)
class ComputeRequest:
    """Everything one compute needs, immutable so it can cross threads."""

    generation: int
    project: Project
    base_dir: str | None = None
    input_override: np.ndarray | None = field(default=None, compare=False)  # (C, H, W), read-only
    input_key: Hashable = None  # identifies input_override for the cache
    device: str = "cpu"
    threads: int | None = None
    progressive: bool = True  # hand out each layer as soon as it is computed (slow stacks)


@dataclass(frozen=True)
class ComputeResult:
    generation: int
    input: np.ndarray | None
    outputs: tuple[np.ndarray | None, ...]  # per layer (C, H, W) float32, read-only; None if not run
    weights: tuple[tuple[np.ndarray, ...], ...] = ()  # per layer its parameters (read-only views)
    error: str | None = None  # the reason the compute stopped (input, memory, runtime), if it did
    error_layer: int | None = None
    reused: int = 0  # leading layers taken from the cache
    seconds: float = 0.0
    device: str = "cpu"
    # DepthwiseSeparable layers: the depthwise output, before the pointwise 1x1 (the stepper
    # traces the depthwise convolution)
    intermediates: tuple[np.ndarray | None, ...] = ()


