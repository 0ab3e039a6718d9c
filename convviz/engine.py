"""The compute engine: the only module that imports torch.

It builds the torch modules of a project, runs the forward pass layer by layer and keeps every
layer's output, so that an edit recomputes only from the first changed layer onward.  It knows
nothing about threads or Qt: ui/compute.py owns one Engine on its worker thread.

Weights are deterministic: layer i is constructed under ``torch.manual_seed(layer_seed(seed,
i))``, so the same seed gives the same numbers, in the app, in the tests and in the exported
PyTorch code.

Memory is guarded before it is spent: the estimate (engine_api.estimate_bytes) is made from the
arithmetic and the image's header, before anything is decoded or allocated, and it counts what
the engine really allocates: the input, each layer's output, weights and depthwise map, the
scratch of one chunk (big layers are computed in bands of rows or groups of channels, see
engine_api.chunk_plan), and what the engine's caches keep.  The caches (input, outputs,
modules, weights) share one byte budget.  Chunks are also where a compute can be cancelled.
"""
from __future__ import annotations

import gc
import os
import sys
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from itertools import chain
from typing import Any, Callable, Hashable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import arithmetic as ar
from .engine_api import (CHUNK_BYTES, CHUNK_WORK, DEFAULT_MACS_PER_SECOND, ComputeRequest,  # noqa: F401 - re-exported
                         ComputeResult, chunk_plan, estimate_bytes, estimate_seconds, layer_bytes, layer_work,
                         memory_budget, memory_problem)
from .display import map_shape
from .kernels import fill_weights
from .messages import Msg
from .project import Project, layer_seed
from .samples import decode_bytes, input_array, probe_image, resized_size, resolve_source
from .spec import QT_TRANSLATE_NOOP, LayerSpec
from .validate import StackInfo, resolve_channels

# TF32 rounds float32 matmuls and convolutions to 10 bits of mantissa on recent GPUs (cuDNN
# allows it by default): the stepper's exact sums and torch's maps would differ by ~1e-3.
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False


class DepthwiseSeparable(nn.Sequential):
    """MobileNet's block as torch modules: depthwise (groups = C) then pointwise 1x1."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 bias=True, padding_mode="zeros"):
        super().__init__(
            nn.Conv2d(in_channels, in_channels, kernel_size, stride=stride, padding=padding, dilation=dilation,
                      groups=in_channels, bias=bias, padding_mode=padding_mode),
            nn.Conv2d(in_channels, out_channels, 1, bias=bias))


def build_module(spec: LayerSpec, c_in: int) -> nn.Module:
    """The torch module for a (valid) spec; in_channels/num_features/in_features filled from
    c_in (arithmetic.fan_in of the layer's input: Linear's is the size of the last dimension)."""
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
    """The layer's module in evaluation mode (Dropout passes values through unchanged,
    BatchNorm uses its running statistics), its random weights drawn under the layer's seed."""
    if not spec.layer_type.random_weights:  # nothing random to draw (BatchNorm starts at 1 and 0)
        return build_module(spec, c_in).eval()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(layer_seed(seed, index))
        m = build_module(spec, c_in)
    redraw_biases(m, layer_seed(seed, index))
    init_module(m, spec, c_in, init)
    return m.eval()


BIAS_SEED_STEP = 7919


def redraw_biases(module: nn.Module, seed: int) -> None:
    """Draw each bias from a stream of its own, so adding or removing a kernel (out_channels,
    out_features) leaves the other kernels' weights and biases unchanged: torch draws a layer's
    bias after its weights from one stream, so a longer weight shifts every bias.  The j-th
    biased Conv2d/ConvTranspose2d/Linear in module order gets a generator seeded with
    ``(seed + 7919 * (j + 1)) % 2**63`` and torch's own distribution, uniform in
    +-1/sqrt(fan_in) (docs/project-format.md; the exported code does the same)."""
    j = 0
    with torch.no_grad():
        for mod in module.modules():
            if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and mod.bias is not None:
                j += 1
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(mod.weight)
                bound = 1 / fan_in ** 0.5 if fan_in > 0 else 0.0
                g = torch.Generator().manual_seed((seed + BIAS_SEED_STEP * j) % 2**63)
                mod.bias.uniform_(-bound, bound, generator=g)


class Cancelled(Exception):
    pass


def _param_view(p: torch.Tensor) -> np.ndarray:
    arr = p.detach().cpu().numpy()
    arr.flags.writeable = False
    return arr


def _readonly(t: torch.Tensor) -> np.ndarray:
    """The first example of ``t`` as read-only maps (C, H, W): a vector or a rank-2 output
    reshaped as display.map_shape says (a view; the values keep their order)."""
    a = t.detach()
    if a.device.type != "cpu":
        a = a.cpu()
    arr = a[0].numpy()  # shares memory with a cached tensor that is never written again
    if arr.ndim != 3:
        arr = arr.reshape(map_shape(arr.shape))
    arr.flags.writeable = False
    return arr


def _reason(e: Exception):
    """The sentence of an exception, keeping a translatable Msg when it carries one."""
    return e.args[0] if e.args and isinstance(e.args[0], Msg) else str(e)


def resolve_device(name: str) -> str:
    if name.startswith("cuda") and torch.cuda.is_available():
        return name
    return "cpu"


_OOM = tuple(c for c in (getattr(torch, "OutOfMemoryError", None), getattr(torch.cuda, "OutOfMemoryError", None),
                         MemoryError) if c is not None)


def is_out_of_memory(e: BaseException) -> bool:
    """An allocation failure: torch's OutOfMemoryError (CUDA), the CPU allocator's RuntimeError,
    numpy's MemoryError."""
    if isinstance(e, _OOM):
        return True
    text = str(e).lower()
    return isinstance(e, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


def _malloc_trim():
    """glibc's malloc_trim, or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def release_free_memory() -> None:
    """Hand the C allocator's freed pages back to the system.  glibc keeps freed blocks under
    its mmap threshold (up to 32 MiB, e.g. Pillow's 16 MiB decode blocks) for reuse; after a
    decode they would otherwise stay resident beside the layers' fresh allocations, and the
    peak would exceed what the guard counts.  (Not after every layer: a trim costs a few ms and
    the next layer's scratch must fault its pages in again; the guard counts one earlier
    layer's scratch as still resident instead.)"""
    if _TRIM is not None:
        _TRIM(0)


# --- chunked forward ------------------------------------------------------------------------
# Each function computes what the torch module computes, a band of output rows or a group of
# channels at a time, checking ``cancelled()`` between chunks.  The tests compare them with the
# unchunked torch modules.

def _pads(conv: nn.Conv2d) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) padding of a Conv2d, 'same' and 'valid' resolved."""
    p = conv.padding
    if p == "valid":
        return (0, 0), (0, 0)
    if p == "same":
        return (ar.same_padding(conv.kernel_size[0], conv.dilation[0]),
                ar.same_padding(conv.kernel_size[1], conv.dilation[1]))
    return (p[0], p[0]), (p[1], p[1])


def _band(x: torch.Tensor, a: int, b: int, left: int, right: int, mode: str) -> torch.Tensor:
    """Rows a..b-1 of ``x`` padded as torch pads it (rows outside 0..H-1 come from the padding;
    the sides get ``left`` and ``right`` columns), as one contiguous tensor."""
    h = x.shape[2]
    if mode == "zeros":
        lo, hi = max(a, 0), min(b, h)
        if hi <= lo:
            return x.new_zeros((x.shape[0], x.shape[1], b - a, x.shape[3] + left + right))
        return F.pad(x[:, :, lo:hi], (left, right, lo - a, b - hi))
    idx = torch.arange(a, b, device=x.device)
    if mode == "reflect":  # torch's reflection does not repeat the edge; padding < H
        idx = idx.abs()
        idx = torch.where(idx > h - 1, 2 * (h - 1) - idx, idx)
    elif mode == "replicate":
        idx = idx.clamp(0, h - 1)
    else:  # circular
        idx = idx.remainder(h)
    rows = x.index_select(2, idx)
    return F.pad(rows, (left, right, 0, 0), mode=mode) if left or right else rows


def conv_rows(conv: nn.Conv2d, x: torch.Tensor, step: int, cancelled: Callable[[], bool]) -> torch.Tensor:
    """``conv(x)`` computed ``step`` output rows at a time."""
    _, _, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = conv.kernel_size, conv.stride, conv.dilation
    (pt, pb), (pl, pr) = _pads(conv)
    ho, wo = ar.conv_out(h, kh, sh, dh, pt, pb), ar.conv_out(w, kw, sw, dw, pl, pr)
    ext = dh * (kh - 1) + 1
    out = x.new_empty((x.shape[0], conv.out_channels, ho, wo))
    for r0 in range(0, ho, step):
        if cancelled():
            raise Cancelled()
        r1 = min(ho, r0 + step)
        band = _band(x, r0 * sh - pt, (r1 - 1) * sh + ext - pt, pl, pr, conv.padding_mode)
        out[:, :, r0:r1] = F.conv2d(band, conv.weight, conv.bias, (sh, sw), 0, (dh, dw), conv.groups)
        del band
    return out


def conv_transpose_rows(ct: nn.ConvTranspose2d, x: torch.Tensor, step: int,
                        cancelled: Callable[[], bool]) -> torch.Tensor:
    """``ct(x)`` computed ``step`` output rows at a time: each band from exactly the input rows
    whose kernel footprints reach it (the sides are left to torch)."""
    _, _, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = ct.kernel_size, ct.stride, ct.dilation
    (ph, pw), (oph, opw) = ct.padding, ct.output_padding
    ext = dh * (kh - 1) + 1
    ho = (h - 1) * sh - 2 * ph + ext + oph
    wo = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    out = x.new_empty((x.shape[0], ct.out_channels, ho, wo))
    bias = None if ct.bias is None else ct.bias.view(1, -1, 1, 1)
    for r0 in range(0, ho, step):
        if cancelled():
            raise Cancelled()
        r1 = min(ho, r0 + step)
        dst = out[:, :, r0:r1]
        u0, u1 = r0 + ph, r1 + ph  # the same rows before the padding is cropped
        i0 = max(0, -(-(u0 - ext + 1) // sh))  # first input row whose footprint reaches u0
        i1 = min(h, (u1 - 1) // sh + 1)  # past the last one that starts at or before u1 - 1
        a = b = 0
        if i1 > i0:
            z = F.conv_transpose2d(x[:, :, i0:i1], ct.weight, None, (sh, sw), (0, pw), (0, opw), ct.groups, (dh, dw))
            base = i0 * sh  # z's row j is uncropped row base + j
            a, b = max(u0 - base, 0), min(u1 - base, z.shape[2])
        if a < b:
            lo, hi = a - (u0 - base), b - (u0 - base)
            dst[:, :, :lo].zero_()
            dst[:, :, lo:hi] = z[:, :, a:b]
            dst[:, :, hi:].zero_()
        else:  # no input row reaches these rows (stride gaps, output_padding)
            dst.zero_()
        if bias is not None:
            dst += bias
    return out


def by_channels(m: nn.Module, x: torch.Tensor, out_shape: tuple[int, int, int], step: int,
                cancelled: Callable[[], bool]) -> torch.Tensor:
    """``m(x)`` for a module that treats channels independently, ``step`` channels at a time."""
    out = x.new_empty((x.shape[0], *out_shape))
    for c0 in range(0, x.shape[1], step):
        if cancelled():
            raise Cancelled()
        c1 = min(x.shape[1], c0 + step)
        out[:, c0:c1] = m(x[:, c0:c1])
    return out


def linear_features(m: nn.Linear, x: torch.Tensor, step: int, cancelled: Callable[[], bool]) -> torch.Tensor:
    """``m(x)`` computed ``step`` output features at a time."""
    out = x.new_empty((*x.shape[:-1], m.out_features))
    for f0 in range(0, m.out_features, step):
        if cancelled():
            raise Cancelled()
        f1 = min(m.out_features, f0 + step)
        out[..., f0:f1] = F.linear(x, m.weight[f0:f1], None if m.bias is None else m.bias[f0:f1])
    return out


def forward_layer(m: nn.Module, layer, x: torch.Tensor, cancelled: Callable[[], bool] = lambda: False,
                  chunk_bytes: int = CHUNK_BYTES, chunk_work: int = CHUNK_WORK):
    """(output, depthwise map or None) of a valid layer, in chunks as engine_api.chunk_plan says;
    a layer that needs one chunk runs as the plain torch module."""
    plan = chunk_plan(layer, chunk_bytes, chunk_work)
    t = layer.spec.type
    if t == "DepthwiseSeparable":
        mid = conv_rows(m[0], x, plan[0].step, cancelled) if plan[0].count > 1 else m[0](x)
        if cancelled():
            raise Cancelled()
        y = conv_rows(m[1], mid, plan[1].step, cancelled) if plan[1].count > 1 else m[1](mid)
        return y, mid
    if plan[0].count == 1:
        return m(x), None
    if t == "Conv2d":
        return conv_rows(m, x, plan[0].step, cancelled), None
    if t == "ConvTranspose2d":
        return conv_transpose_rows(m, x, plan[0].step, cancelled), None
    if t == "Linear":
        return linear_features(m, x, plan[0].step, cancelled), None
    return by_channels(m, x, layer.out_shape, plan[0].step, cancelled), None


# --- the engine -----------------------------------------------------------------------------

# One byte budget for everything the engine keeps: the input, every layer's output, built
# modules and drawn weights.  The current stack is always kept; what is left of the budget
# keeps modules and weights of earlier edits (oldest evicted first).
CACHE_BYTES = 512 << 20
CACHE_ENTRIES = 1024  # and a count, for the modules that hold no weights (ReLU, pooling)


def _storages(tensors) -> dict[int, int]:
    """{storage address: bytes} of the tensors (shared storage counted once)."""
    out: dict[int, int] = {}
    for t in tensors:
        if t is not None:
            s = t.untyped_storage()
            out[s.data_ptr()] = s.nbytes()
    return out


def _module_tensors(m: nn.Module):
    return chain(m.parameters(), m.buffers())


@dataclass
class _Cached:
    key: Hashable
    module: nn.Module
    output: torch.Tensor
    array: np.ndarray  # read-only numpy view of output, the same object while cached
    weights: tuple[np.ndarray, ...]
    intermediate: np.ndarray | None = None
    mid: torch.Tensor | None = None


class Engine:
    """Runs projects; caches the input, the modules and every layer's output.

    A layer's cached output is handed back as the very same read-only numpy object while it
    stays valid, so the GUI can tell "unchanged" by identity and skip redrawing it.

    ``macs_per_second`` is measured from the layers it computes (for estimate_seconds)."""

    def __init__(self, cache_bytes: int | None = None, chunk_bytes: int = CHUNK_BYTES, chunk_work: int = CHUNK_WORK):
        self.cache_bytes = CACHE_BYTES if cache_bytes is None else cache_bytes
        self.chunk_bytes = chunk_bytes
        self.chunk_work = chunk_work
        self.macs_per_second = DEFAULT_MACS_PER_SECOND
        self._measured = False
        self._threads: int | None = None
        self._trained: dict = {}  # layer index -> trained weights the maps show (ComputeRequest.weights)
        self._weights_version: Hashable = None
        self._reset()

    def _reset(self) -> None:
        self._input_key: Hashable = None
        self._input: torch.Tensor | None = None
        self._input_array: np.ndarray | None = None
        self._cache: list[_Cached] = []
        # Modules by ("m", index, spec, kernel, seed, channels, device) and initialised weights
        # by ("w", layer seed, type, parameter shapes, kernel, what the kernel's values depend
        # on, device), least recently used first.  An edit of padding, stride, dilation or
        # padding_mode keeps the same numbers, so the module is rebuilt around the cached
        # tensors instead of drawing them again (VGG-16's 14.7 M weights take longer to draw
        # than its forward pass); an edit of an early layer rebuilds none of the later ones.
        self._lru: OrderedDict = OrderedDict()
        self._lru_storages: dict[Hashable, dict[int, int]] = {}

    def clear(self) -> None:
        """Forget every cache (the measured rate and settings stay)."""
        self._reset()

    def _set_threads(self, n: int | None) -> None:
        if n and n != self._threads:
            torch.set_num_threads(int(n))
            self._threads = n

    # --- memory -------------------------------------------------------------------------------
    def _pinned(self) -> dict[int, int]:
        """Storages of the current stack: input, outputs, depthwise maps, its modules."""
        st = _storages([self._input])
        for c in self._cache:
            st.update(_storages([c.output, c.mid]))
            st.update(_storages(_module_tensors(c.module)))
        return st

    def _host_copies(self) -> int:
        """Host copies of device tensors (on a GPU the maps handed out are copies)."""
        if self._input is None or self._input.device.type == "cpu":
            return 0
        arrays = [self._input_array] + [a for c in self._cache for a in (c.array, c.intermediate)]
        return sum(a.nbytes for a in arrays if a is not None)

    def _extra_bytes(self, pinned: dict[int, int] | None = None) -> int:
        """Bytes the module and weight caches keep besides the current stack."""
        pinned = self._pinned() if pinned is None else pinned
        st: dict[int, int] = {}
        for v in self._lru_storages.values():
            st.update(v)
        return sum(n for p, n in st.items() if p not in pinned)

    def held_bytes(self) -> int:
        """Everything the engine keeps, each storage once: input, outputs, depthwise maps, the
        cached modules and weights (and host copies when computing on a GPU)."""
        pinned = self._pinned()
        return sum(pinned.values()) + self._extra_bytes(pinned) + self._host_copies()

    def _trim(self, limit: int) -> None:
        """Evict cached modules and weights, least recently used first, until what they keep
        besides the current stack is within ``limit`` bytes."""
        pinned = self._pinned()
        refs: dict[int, int] = {}
        sizes: dict[int, int] = {}
        for st in self._lru_storages.values():
            for ptr, n in st.items():
                refs[ptr] = refs.get(ptr, 0) + 1
                sizes[ptr] = n
        extra = sum(n for ptr, n in sizes.items() if ptr not in pinned)
        while self._lru and (len(self._lru) > CACHE_ENTRIES or extra > limit):
            key = next(iter(self._lru))
            del self._lru[key]
            for ptr in self._lru_storages.pop(key):
                refs[ptr] -= 1
                if refs[ptr] == 0 and ptr not in pinned:
                    extra -= sizes[ptr]

    def _remember(self, key: Hashable, value: Any, tensors) -> None:
        self._lru[key] = value
        self._lru_storages[key] = _storages(tensors)

    def _input_plan(self, req: ComputeRequest, device: str) -> tuple[Hashable, int]:
        """(cache key of the input, bytes making it allocates besides itself), from the image's
        header only.  Raises InputError for an image that cannot be used."""
        inp = req.project.input
        if req.input_override is not None:
            return ("override", req.input_key, inp, device), 0
        path = resolve_source(inp.source, req.base_dir)
        key = (inp, None if path is None else os.fspath(path), _signature(path), device)
        if key == self._input_key:
            return key, 0
        c, h, w = inp.shape
        extra = c * h * w * ar.BYTES_PER_ELEMENT if tuple(inp.shift) != (0, 0) else 0  # np.roll's copy
        if inp.mean:  # normalising makes (x - mean) and then its quotient
            extra += 2 * c * h * w * ar.BYTES_PER_ELEMENT
        if path is None:
            extra += h * w * 12  # a pattern is drawn once (float64, then float32), then repeated
        else:
            width, height, mode = probe_image(path)
            if inp.resize:  # decoded at its shorter side's size first (kept as floats), then fitted
                rw, rh = resized_size(width, height, inp.resize)
                extra += decode_bytes(width, height, mode, c, rh, rw) + c * rh * rw * ar.BYTES_PER_ELEMENT
            else:
                extra += decode_bytes(width, height, mode, c, h, w)
        return key, extra

    def estimate(self, req: ComputeRequest) -> int:
        """Bytes the compute of ``req`` may use at its peak, as the guard counts them (the
        stack, the input's decoding, the scratch of one chunk, and what the caches keep)."""
        info = req.project.analyze()
        _, extra = self._input_plan(req, resolve_device(req.device))
        return estimate_bytes(info, extra, self.chunk_bytes, self.chunk_work) + self._extra_bytes()

    def gpu_memory_problem(self, info: StackInfo, device: str) -> str | None:
        """Why the stack does not fit the GPU's free memory (plus what the engine holds there)."""
        free, _total = torch.cuda.mem_get_info(torch.device(device))
        held = sum(self._pinned().values()) + self._extra_bytes()
        budget = int((free + held) * 0.9)
        need = estimate_bytes(info, 0, self.chunk_bytes, self.chunk_work)
        if need > budget:
            return Msg(QT_TRANSLATE_NOOP("core", "this stack needs about {need} of GPU memory, more than the {budget} "
                                                 "free on {device} — reduce the input size, the channels or the "
                                                 "number of layers, or compute on the CPU"),
                       need=ar.human_bytes(need), budget=ar.human_bytes(budget), device=device)
        return None

    def _out_of_memory(self, req: ComputeRequest, t0: float, device: str, layer: int | None,
                       spec: LayerSpec | None) -> ComputeResult:
        """Release every cache (and the GPU's cached blocks) after an allocation failed, so the
        next edit starts from a clean slate; the result says what happened."""
        self._reset()
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        unit = "GPU" if device.startswith("cuda") else "CPU"
        if spec is None:
            msg = Msg(QT_TRANSLATE_NOOP("core", "Not computed: the input did not fit in the {device}'s memory; convviz "
                                                "released its caches — reduce the input size"), device=unit)
        else:
            msg = Msg(QT_TRANSLATE_NOOP("core", "Not computed: layer {i} ({type}) ran out of {device} memory; convviz "
                                                "released its caches — reduce the input size, the channels or the "
                                                "number of layers"), i=layer, type=spec.type, device=unit)
        n = len(req.project.layers)
        return ComputeResult(req.generation, None, (None,) * n, (), msg, layer, 0, time.perf_counter() - t0, device,
                             (), self.macs_per_second)

    # --- input --------------------------------------------------------------------------------
    def _load_input(self, req: ComputeRequest, device: str, key: Hashable) -> torch.Tensor:
        if key == self._input_key:
            return self._input
        # the old input and maps go before the new image is decoded
        self._input = self._input_array = self._input_key = None
        self._cache = []
        inp = req.project.input
        if req.input_override is not None:
            arr = np.array(req.input_override, dtype=np.float32, copy=True)  # the caller's array stays theirs
        else:
            arr = np.ascontiguousarray(input_array(inp, req.base_dir), dtype=np.float32)
        if arr.shape != inp.shape:
            raise ValueError(f"the input is {list(arr.shape)}, the project says {list(inp.shape)}")
        release_free_memory()  # the decoder's blocks
        t = torch.from_numpy(arr)[None]  # owns the freshly made array: no copy
        if device != "cpu":
            t = t.to(device)
        self._input = t
        self._input_array = _readonly(t)
        self._input_key = key
        return t

    # --- compute ------------------------------------------------------------------------------
    def run(self, req: ComputeRequest, cancelled: Callable[[], bool] = lambda: False,
            on_layer: Callable[[int, np.ndarray], None] | None = None) -> ComputeResult:
        """Compute ``req``; raises Cancelled if ``cancelled()`` turns true between layers or
        between the chunks of a big layer.

        ``on_layer(i, array)`` is called for each layer computed anew (not for cached ones)."""
        t0 = time.perf_counter()
        self._set_threads(req.threads)
        self._use_weights(req)
        device = resolve_device(req.device)
        project = req.project
        info = project.analyze()
        n = len(project.layers)
        outputs: list[np.ndarray | None] = [None] * n

        def refused(msg, with_input: bool) -> ComputeResult:
            return ComputeResult(req.generation, self._input_array if with_input else None, tuple(outputs), (), msg,
                                 None, 0, time.perf_counter() - t0, device, (), self.macs_per_second)

        try:
            key, input_extra = self._input_plan(req, device)
        except Exception as e:  # noqa: BLE001 - an unusable input is reported, never raised
            return refused(Msg(QT_TRANSLATE_NOOP("core", "Input: {problem}"), problem=_reason(e)), False)
        # the guard: on the arithmetic and the image's header, before anything is allocated
        need = estimate_bytes(info, input_extra, self.chunk_bytes, self.chunk_work)
        kept = sum(layer_bytes(l) for l in info.layers if l.ok) if info.layers else 0
        held = self.held_bytes()
        self._trim(max(0, self.cache_bytes - kept))
        problem = memory_problem(info, memory_budget(held), need=need, held=self._extra_bytes())
        if problem is None and device != "cpu":
            problem = self.gpu_memory_problem(info, device)
        if problem:
            return refused(Msg(QT_TRANSLATE_NOOP("core", "Not computed: {problem}"), problem=problem),
                           key == self._input_key)
        try:
            x = self._load_input(req, device, key)
        except Exception as e:  # noqa: BLE001
            if is_out_of_memory(e):
                return self._out_of_memory(req, t0, device, None, None)
            return refused(Msg(QT_TRANSLATE_NOOP("core", "Input: {problem}"), problem=_reason(e)), False)
        reused = 0
        error = error_layer = None
        cache = self._cache
        work = 0
        busy = 0.0
        with torch.inference_mode():
            for i, (spec, layer) in enumerate(zip(project.layers, info.layers)):
                if not layer.ok:
                    break
                key = (spec, project.kernels[i], project.seed, tuple(x.shape), device)
                if i < len(cache) and cache[i].key == key and reused == i:
                    reused += 1
                else:
                    del cache[i:]
                    if cancelled():
                        raise Cancelled()
                    t1 = time.perf_counter()
                    try:
                        with warnings.catch_warnings():
                            # torch's performance notes (e.g. 'same' with even kernels) are not
                            # the learner's concern
                            warnings.simplefilter("ignore", UserWarning)
                            m = self._module(i, spec, ar.fan_in(spec, tuple(x.shape[1:])), project.seed,
                                             project.kernels[i], device)
                            y, mid = forward_layer(m, layer, x, cancelled, self.chunk_bytes, self.chunk_work)
                    except Cancelled:
                        raise
                    except Exception as e:  # noqa: BLE001 - torch refused what the validator let through
                        if is_out_of_memory(e):
                            del x
                            return self._out_of_memory(req, t0, device, i, spec)
                        error = Msg(QT_TRANSLATE_NOOP("core", "Layer {i} ({type}): torch could not compute it: {e}"),
                                    i=i, type=spec.type, e=str(e))
                        error_layer = i
                        break
                    busy += time.perf_counter() - t1
                    work += layer_work(layer)
                    cache.append(_Cached(key, m, y, _readonly(y), tuple(_param_view(p) for p in m.parameters()),
                                         None if mid is None else _readonly(mid), mid))
                    if on_layer is not None:
                        on_layer(i, cache[i].array)
                x = cache[i].output
                outputs[i] = cache[i].array
        n_done = sum(o is not None for o in outputs)
        del cache[n_done:]
        self._trim(max(0, self.cache_bytes - sum(self._pinned().values())))
        self._note_rate(work, busy)
        return ComputeResult(req.generation, self._input_array, tuple(outputs), tuple(c.weights for c in cache),
                             error, error_layer, reused, time.perf_counter() - t0, device,
                             tuple(c.intermediate for c in cache), self.macs_per_second)

    def _note_rate(self, work: int, seconds: float) -> None:
        """Update macs_per_second from a compute that took long enough to be measured."""
        if work <= 0 or seconds < 0.05:
            return
        rate = work / seconds
        self.macs_per_second = rate if not self._measured else 0.5 * self.macs_per_second + 0.5 * rate
        self._measured = True

    def _use_weights(self, req: ComputeRequest) -> None:
        """Trained or initial weights (ComputeRequest.weights): when they differ from the last
        compute's, the cached maps from the first layer concerned onward are dropped."""
        new = dict(req.weights or {})
        version = None if not new else (req.weights_key if req.weights_key is not None else ("request", req.generation))
        if version != self._weights_version:
            changed = set(new) | set(self._trained)
            if changed:
                del self._cache[min(changed):]
        self._trained, self._weights_version = new, version

    def _with_weights(self, spec: LayerSpec, c_in: int, device: str, state) -> nn.Module:
        """The layer's module holding ``state`` (its state_dict as arrays), never a cached one."""
        with torch.device("meta"):
            m = build_module(spec, c_in)
        # one copy of each array (torch.tensor(np.array(v)) made two: VGG-16's 411 MB classifier
        # weight was held twice at once, the peak 1.5x the memory guard's estimate)
        m.load_state_dict({k: torch.from_numpy(np.array(v, copy=True)) for k, v in state.items()}, strict=True,
                          assign=True)
        return m.eval().to(device)

    def _module(self, index: int, spec: LayerSpec, c_in: int, seed: int, init: Any, device: str) -> nn.Module:
        if index in self._trained:
            return self._with_weights(spec, c_in, device, self._trained[index])
        mkey = ("m", index, spec, init, seed, c_in, device)
        m = self._lru.get(mkey)
        if m is None:
            m = self._make(spec, c_in, seed, index, init, device)
            self._remember(mkey, m, _module_tensors(m))
        else:
            self._lru.move_to_end(mkey)
        return m

    def _make(self, spec: LayerSpec, c_in: int, seed: int, index: int, init: Any, device: str) -> nn.Module:
        if not spec.layer_type.random_weights:
            return make_layer(spec, c_in, seed, index, init).to(device)
        with torch.device("meta"):
            shell = build_module(spec, c_in)
        shapes = tuple((n, tuple(p.shape)) for n, p in shell.named_parameters())
        # a named kernel's values also depend on the channels it averages (in_channels / groups)
        depends = None if init is None else (c_in, spec.get("groups") if spec.type != "DepthwiseSeparable" else c_in)
        wkey = ("w", layer_seed(seed, index), spec.type, shapes, init, depends, device)
        params = self._lru.get(wkey)
        if params is None:
            m = make_layer(spec, c_in, seed, index, init).to(device)
            params = dict(m.named_parameters())
            self._remember(wkey, params, params.values())
            return m
        self._lru.move_to_end(wkey)
        shell.load_state_dict(params, assign=True)
        return shell.eval()

    def module(self, index: int) -> nn.Module | None:
        return self._cache[index].module if index < len(self._cache) else None


def _signature(path) -> tuple[int, int, int, int] | None:
    """What tells a rewritten file apart: modification time (ns), size, inode, device."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev


def effective_rf(project: Project, layer: int, y: int, x: int, channel: int | None = None, n_random: int = 0,
                 base_dir: str | None = None, seed: int = 0, cancelled: Callable[[], bool] | None = None,
                 input: np.ndarray | None = None, budget: int | None = None) -> np.ndarray:
    """Luo et al.'s effective receptive field: |d out[channel or all, y, x] / d input| summed over
    the input channels, under the real weights; with ``n_random`` > 0, averaged over that many
    random inputs (standard normal) instead of the project's image.  Returns (H, W) float32.

    ``input``: the project's input already decoded (ComputeResult.input), so the image is not
    decoded again.  Raises Cancelled when ``cancelled()`` turns true (checked between layers of
    the forward and the backward pass and between random inputs), and ValueError with a sentence
    when the forward and backward pass would not fit the memory budget."""
    cancelled = cancelled or (lambda: False)
    info = project.analyze()
    inp = project.input
    sub = StackInfo(info.input_shape, info.layers[:layer + 1])
    # the forward keeps what the backward needs (about every map), and the backward makes as
    # many gradients again
    need = 2 * estimate_bytes(sub)
    budget = memory_budget() if budget is None else budget
    if need > budget:
        raise ValueError(Msg(QT_TRANSLATE_NOOP("core", "the effective receptive field of layer {i} needs about {need}, "
                                                       "more than the {budget} convviz allows itself here — choose an "
                                                       "earlier layer or reduce the input size"),
                             i=layer, need=ar.human_bytes(need), budget=ar.human_bytes(budget)))

    def check(grad=None):
        if cancelled():
            raise Cancelled()

    mods = []
    for i, spec in enumerate(project.layers[:layer + 1]):
        check()
        mods.append(make_layer(spec, ar.fan_in(spec, info.layers[i].in_shape), project.seed, i, project.kernels[i]))
    if n_random > 0:
        g = torch.Generator().manual_seed(seed)
        xs = (torch.randn((1, *inp.shape), generator=g) for _ in range(n_random))
        count = n_random
    else:
        arr = input if input is not None else input_array(inp, base_dir)
        xs = iter([torch.as_tensor(np.array(arr, dtype=np.float32, copy=True))[None]])
        count = 1
    total = torch.zeros(inp.height, inp.width)
    for x0 in xs:
        check()
        x0.requires_grad_(True)
        h = x0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for m in mods:
                check()
                h = m(h)
                if h.requires_grad:
                    h.register_hook(check)  # the backward pass stops here too
        maps = h[0].reshape(map_shape(tuple(h.shape[1:])))  # a vector as the maps it is drawn as
        out = maps[:, y, x] if channel is None else maps[channel, y, x]
        grad, = torch.autograd.grad(out.sum(), x0)
        total += grad[0].abs().sum(0)
    return (total / count).numpy()
