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
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Hashable

import numpy as np
import torch
from torch import nn

from .engine_api import ComputeRequest, ComputeResult, memory_problem  # noqa: F401 - re-exported
from .kernels import fill_weights
from .messages import Msg
from .spec import QT_TRANSLATE_NOOP
from .project import Project, layer_seed
from .samples import load_input
from .spec import LayerSpec
from .validate import resolve_channels


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
    if spec.layer_type.category != "conv":  # nothing random to draw (BatchNorm starts at 1 and 0)
        return build_module(spec, c_in).eval()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(layer_seed(seed, index))
        m = build_module(spec, c_in)
    init_module(m, spec, c_in, init)
    return m.eval()


class Cancelled(Exception):
    pass


def _param_view(p: torch.Tensor) -> np.ndarray:
    arr = p.detach().cpu().numpy()
    arr.flags.writeable = False
    return arr


def _readonly(t: torch.Tensor) -> np.ndarray:
    a = t.detach()
    if a.device.type != "cpu":
        a = a.cpu()
    arr = a[0].numpy()  # shares memory with a cached tensor that is never written again
    arr.flags.writeable = False
    return arr


def _reason(e: Exception):
    """The sentence of an exception, keeping a translatable Msg when it carries one."""
    return e.args[0] if e.args and isinstance(e.args[0], Msg) else str(e)


def resolve_device(name: str) -> str:
    if name.startswith("cuda") and torch.cuda.is_available():
        return name
    return "cpu"


WEIGHT_CACHE_BYTES = 512 << 20
MODULE_CACHE_SIZE = 256


@dataclass
class _Cached:
    key: Hashable
    module: nn.Module
    output: torch.Tensor
    array: np.ndarray  # read-only numpy view of output, the same object while cached
    weights: tuple[np.ndarray, ...]
    intermediate: np.ndarray | None = None


class Engine:
    """Runs projects; caches the input, the modules and every layer's output.

    A layer's cached output is handed back as the very same read-only numpy object while it
    stays valid, so the GUI can tell "unchanged" by identity and skip redrawing it."""

    def __init__(self):
        self._input_key: Hashable = None
        self._input: torch.Tensor | None = None
        self._input_array: np.ndarray | None = None
        self._cache: list[_Cached] = []
        self._threads: int | None = None
        # Initialised weights by (layer seed, type, parameter shapes, kernel init, device): an
        # edit of padding, stride, dilation or padding_mode keeps the same numbers, so the
        # module is rebuilt around the cached tensors instead of drawing them again (VGG-16's
        # 14.7 M weights take longer to draw than its forward pass).
        self._weights: OrderedDict = OrderedDict()
        self._weights_bytes = 0
        # Built modules by (index, spec, kernel, seed, channels, device): when an early layer
        # changes, the later ones recompute their outputs but need not be rebuilt.
        self._module_cache: OrderedDict = OrderedDict()

    def clear(self) -> None:
        threads = self._threads
        self.__init__()
        self._threads = threads

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
                load_input(inp.source, inp.channels, inp.height, inp.width, req.base_dir, inp.shift)
            if arr.shape != inp.shape:
                raise ValueError(f"the input is {list(arr.shape)}, the project says {list(inp.shape)}")
            self._input = torch.as_tensor(np.array(arr, dtype=np.float32, copy=True))[None].to(device)
            self._input_array = _readonly(self._input)
            self._input_key = key
            self._cache = []
        return self._input

    def run(self, req: ComputeRequest, cancelled: Callable[[], bool] = lambda: False,
            on_layer: Callable[[int, np.ndarray], None] | None = None) -> ComputeResult:
        """Compute ``req``; raises Cancelled if ``cancelled()`` turns true between layers.

        ``on_layer(i, array)`` is called for each layer computed anew (not for cached ones)."""
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
            return ComputeResult(req.generation, None, tuple(outputs), (),
                                 Msg(QT_TRANSLATE_NOOP("core", "Input: {problem}"), problem=_reason(e)), None, 0,
                                 time.perf_counter() - t0, device)
        problem = memory_problem(info)
        if problem:
            return ComputeResult(req.generation, self._input_array, tuple(outputs), (),
                                 Msg(QT_TRANSLATE_NOOP("core", "Not computed: {problem}"), problem=problem),
                                 None, 0, time.perf_counter() - t0, device)
        reused = 0
        error = error_layer = None
        cache = self._cache
        with torch.inference_mode():
            for i, (spec, layer) in enumerate(zip(project.layers, info.layers)):
                if not layer.ok:
                    break
                key = (spec, project.kernels[i], project.seed, x.shape[1], device)
                if i < len(cache) and cache[i].key == key and reused == i:
                    reused += 1
                else:
                    del cache[i:]
                    if cancelled():
                        raise Cancelled()
                    try:
                        with warnings.catch_warnings():
                            # torch's performance notes (e.g. 'same' with even kernels) are not
                            # the learner's concern
                            warnings.simplefilter("ignore", UserWarning)
                            m = self._module(i, spec, x.shape[1], project.seed, project.kernels[i], device)
                            mid = None
                            if isinstance(m, DepthwiseSeparable):
                                mid = m[0](x)
                                y = m[1](mid)
                            else:
                                y = m(x)
                    except Exception as e:  # noqa: BLE001 - torch refused what the validator let through
                        error = Msg(QT_TRANSLATE_NOOP("core", "Layer {i} ({type}): torch could not compute it: {e}"),
                                    i=i, type=spec.type, e=str(e))
                        error_layer = i
                        break
                    cache.append(_Cached(key, m, y, _readonly(y), tuple(_param_view(p) for p in m.parameters()),
                                         None if mid is None else _readonly(mid)))
                    if on_layer is not None:
                        on_layer(i, cache[i].array)
                x = cache[i].output
                outputs[i] = cache[i].array
        n_done = sum(o is not None for o in outputs)
        del cache[n_done:]
        return ComputeResult(req.generation, self._input_array, tuple(outputs), tuple(c.weights for c in cache),
                             error, error_layer, reused, time.perf_counter() - t0, device,
                             tuple(c.intermediate for c in cache))

    def _module(self, index: int, spec: LayerSpec, c_in: int, seed: int, init: Any, device: str) -> nn.Module:
        mkey = (index, spec, init, seed, c_in, device)
        m = self._module_cache.get(mkey)
        if m is None:
            m = self._make(spec, c_in, seed, index, init, device)
            self._module_cache[mkey] = m
            while len(self._module_cache) > MODULE_CACHE_SIZE:
                self._module_cache.popitem(last=False)
        else:
            self._module_cache.move_to_end(mkey)
        return m

    def _make(self, spec: LayerSpec, c_in: int, seed: int, index: int, init: Any, device: str) -> nn.Module:
        if spec.layer_type.category != "conv":
            return make_layer(spec, c_in, seed, index, init).to(device)
        with torch.device("meta"):
            shell = build_module(spec, c_in)
        shapes = tuple((n, tuple(p.shape)) for n, p in shell.named_parameters())
        wkey = (layer_seed(seed, index), spec.type, shapes, init, device)
        params = self._weights.get(wkey)
        if params is None:
            m = make_layer(spec, c_in, seed, index, init).to(device)
            params = dict(m.named_parameters())
            self._weights[wkey] = params
            self._weights_bytes += sum(p.numel() * p.element_size() for p in params.values())
            while self._weights_bytes > WEIGHT_CACHE_BYTES and len(self._weights) > 1:
                _, old = self._weights.popitem(last=False)
                self._weights_bytes -= sum(p.numel() * p.element_size() for p in old.values())
            return m
        self._weights.move_to_end(wkey)
        shell.load_state_dict(params, assign=True)
        return shell.eval()

    def module(self, index: int) -> nn.Module | None:
        return self._cache[index].module if index < len(self._cache) else None


def _mtime(source: str, base_dir: str | None) -> float | None:
    if source.startswith(("sample:", "pattern:")):
        return None
    path = source if os.path.isabs(source) or not base_dir else os.path.join(base_dir, source)
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


def effective_rf(project: Project, layer: int, y: int, x: int, channel: int | None = None, n_random: int = 0,
                 base_dir: str | None = None, seed: int = 0) -> np.ndarray:
    """Luo et al.'s effective receptive field: |d out[channel or all, y, x] / d input| summed over
    the input channels, under the real weights; with ``n_random`` > 0, averaged over that many
    random inputs (standard normal) instead of the project's image.  Returns (H, W) float32."""
    info = project.analyze()
    inp = project.input
    mods = [make_layer(spec, info.layers[i].in_shape[0], project.seed, i, project.kernels[i])
            for i, spec in enumerate(project.layers[:layer + 1])]
    if n_random > 0:
        g = torch.Generator().manual_seed(seed)
        xs = [torch.randn((1, *inp.shape), generator=g) for _ in range(n_random)]
    else:
        xs = [torch.as_tensor(load_input(inp.source, inp.channels, inp.height, inp.width, base_dir, inp.shift))[None]]
    total = torch.zeros(inp.height, inp.width)
    for x0 in xs:
        x0 = x0.clone().requires_grad_(True)
        h = x0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for m in mods:
                h = m(h)
        out = h[0, :, y, x] if channel is None else h[0, channel, y, x]
        grad, = torch.autograd.grad(out.sum(), x0)
        total += grad[0].abs().sum(0)
    return (total / len(xs)).numpy()
