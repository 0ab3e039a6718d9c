"""The compute engine: the only module that imports torch.

It builds the torch modules of a project, runs the forward pass layer by layer and keeps every
layer's output, so that an edit recomputes only from the first changed layer onward.  It knows
nothing about threads or Qt: ui/compute.py owns one Engine on its worker thread.

Weights are deterministic: layer i is constructed under ``torch.manual_seed(layer_seed(seed,
i))``, so the same seed gives the same numbers, in the app, in the tests and in the exported
PyTorch code.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

import numpy as np
import torch
from torch import nn

from . import arithmetic as ar
from .kernels import fill_weights
from .project import Project, layer_seed
from .samples import load_input
from .spec import LayerSpec
from .validate import StackInfo, resolve_channels


class DepthwiseSeparable(nn.Sequential):
    """MobileNet's block as torch modules: depthwise (groups = C) then pointwise 1x1."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 bias=True, padding_mode="zeros"):
        super().__init__(
            nn.Conv2d(in_channels, in_channels, kernel_size, stride=stride, padding=padding, dilation=dilation,
                      groups=in_channels, bias=bias, padding_mode=padding_mode),
            nn.Conv2d(in_channels, out_channels, 1, bias=bias))


def build_module(spec: LayerSpec, c_in: int) -> nn.Module:
    """The torch module for a (valid) spec; in_channels/num_features filled from c_in."""
    spec = resolve_channels(spec, c_in)
    kwargs = dict(spec.args)
    if spec.type == "DepthwiseSeparable":
        return DepthwiseSeparable(**kwargs)
    return getattr(nn, spec.type)(**kwargs)


def init_module(module: nn.Module, spec: LayerSpec, c_in: int, init: Any) -> None:
    """Overwrite a convolution's weights with a named or typed kernel (bias 0)."""
    weights = fill_weights(spec, c_in, init)
    if weights is None:
        return
    convs = list(module) if isinstance(module, nn.Sequential) else [module]
    with torch.no_grad():
        for conv, w in zip(convs, weights):
            conv.weight.copy_(torch.as_tensor(w, dtype=conv.weight.dtype))
            if conv.bias is not None:
                conv.bias.zero_()


def make_layer(spec: LayerSpec, c_in: int, seed: int, index: int, init: Any = None) -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(layer_seed(seed, index))
        m = build_module(spec, c_in)
    init_module(m, spec, c_in, init)
    return m.eval()


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
        return (f"this stack needs about {ar.human_bytes(need)} to compute and keep every layer's maps, more "
                f"than the {ar.human_bytes(budget)} convviz allows itself here — reduce the input size, the "
                f"channels or the number of layers")
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


@dataclass(frozen=True)
class ComputeResult:
    generation: int
    input: np.ndarray | None
    outputs: tuple[np.ndarray | None, ...]  # per layer (C, H, W) float32, read-only; None if not run
    error: str | None = None  # the reason the compute stopped (input, memory, runtime), if it did
    error_layer: int | None = None
    reused: int = 0  # leading layers taken from the cache
    seconds: float = 0.0
    device: str = "cpu"


class Cancelled(Exception):
    pass


def _readonly(t: torch.Tensor) -> np.ndarray:
    a = t.detach()
    if a.device.type != "cpu":
        a = a.cpu()
    arr = a[0].numpy()  # shares memory with a cached tensor that is never written again
    arr.flags.writeable = False
    return arr


def resolve_device(name: str) -> str:
    if name.startswith("cuda") and torch.cuda.is_available():
        return name
    return "cpu"


class Engine:
    """Runs projects; caches the input, the modules and every layer's output."""

    def __init__(self):
        self._input_key: Hashable = None
        self._input: torch.Tensor | None = None
        self._keys: list[Hashable] = []
        self._modules: list[nn.Module] = []
        self._outputs: list[torch.Tensor] = []
        self._threads: int | None = None

    def clear(self) -> None:
        self.__init__()

    def _set_threads(self, n: int | None) -> None:
        if n and n != self._threads:
            torch.set_num_threads(int(n))
            self._threads = n

    def _load_input(self, req: ComputeRequest, device: str) -> torch.Tensor:
        inp = req.project.input
        key = (req.input_key, inp, req.base_dir, device) if req.input_override is not None else \
            (inp, req.base_dir, device, _mtime(inp.source, req.base_dir))
        if key != self._input_key:
            arr = req.input_override if req.input_override is not None else \
                load_input(inp.source, inp.channels, inp.height, inp.width, req.base_dir)
            if arr.shape != inp.shape:
                raise ValueError(f"the input is {list(arr.shape)}, the project says {list(inp.shape)}")
            self._input = torch.as_tensor(np.array(arr, dtype=np.float32, copy=True))[None].to(device)
            self._input_key = key
            self._keys, self._modules, self._outputs = [], [], []
        return self._input

    def run(self, req: ComputeRequest, cancelled: Callable[[], bool] = lambda: False,
            on_layer: Callable[[int, np.ndarray], None] | None = None) -> ComputeResult:
        """Compute ``req``; raises Cancelled if ``cancelled()`` turns true between layers."""
        t0 = time.perf_counter()
        self._set_threads(req.threads)
        device = resolve_device(req.device)
        project = req.project
        info = project.analyze()
        n = len(project.layers)
        outputs: list[np.ndarray | None] = [None] * n
        try:
            x = self._load_input(req, device)
        except Exception as e:  # noqa: BLE001 - an unreadable input is reported, never raised
            return ComputeResult(req.generation, None, tuple(outputs), f"Input: {e}", None, 0,
                                 time.perf_counter() - t0, device)
        problem = memory_problem(info)
        if problem:
            return ComputeResult(req.generation, _readonly(x), tuple(outputs), f"Not computed: {problem}", None, 0,
                                 time.perf_counter() - t0, device)
        reused = 0
        error = error_layer = None
        with torch.inference_mode():
            for i, (spec, layer) in enumerate(zip(project.layers, info.layers)):
                if not layer.ok:
                    break
                key = (spec, project.kernels[i], project.seed, x.shape[1], device)
                if i < len(self._keys) and self._keys[i] == key and reused == i:
                    x = self._outputs[i]
                    reused += 1
                else:
                    if cancelled():
                        del self._keys[i:], self._modules[i:], self._outputs[i:]
                        raise Cancelled()
                    try:
                        m = make_layer(spec, x.shape[1], project.seed, i, project.kernels[i]).to(device)
                        y = m(x)
                    except Exception as e:  # noqa: BLE001 - torch refused what the validator let through
                        error, error_layer = f"Layer {i} ({spec.type}): torch could not compute it: {e}", i
                        del self._keys[i:], self._modules[i:], self._outputs[i:]
                        break
                    del self._keys[i:], self._modules[i:], self._outputs[i:]
                    self._keys.append(key)
                    self._modules.append(m)
                    self._outputs.append(y)
                    x = y
                outputs[i] = _readonly(x)
                if on_layer is not None:
                    on_layer(i, outputs[i])
        del self._keys[sum(o is not None for o in outputs):]
        return ComputeResult(req.generation, _readonly(self._input), tuple(outputs), error, error_layer, reused,
                             time.perf_counter() - t0, device)

    def module(self, index: int) -> nn.Module | None:
        return self._modules[index] if index < len(self._modules) else None

    def weights(self, index: int) -> list[np.ndarray]:
        """A computed layer's weight and bias arrays (copies), for the kernel editor and stepper."""
        m = self.module(index)
        if m is None:
            return []
        return [p.detach().cpu().numpy().copy() for p in m.parameters()]


def _mtime(source: str, base_dir: str | None) -> float | None:
    if source.startswith(("sample:", "pattern:")):
        return None
    path = source if os.path.isabs(source) or not base_dir else os.path.join(base_dir, source)
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


def forward_all(project: Project, base_dir: str | None = None) -> list[np.ndarray]:
    """Every layer's output of a valid project, by a plain forward (for tests and benchmarks)."""
    res = Engine().run(ComputeRequest(0, project, base_dir))
    if res.error:
        raise ValueError(res.error)
    return [o for o in res.outputs if o is not None]
