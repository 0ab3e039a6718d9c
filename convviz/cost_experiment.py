"""The depthwise-separable cost experiment (walkthrough chapter 9): what a MobileNet block costs
beside a standard convolution, counted, timed and trained.  Qt-free; torch is imported only
inside the functions that time or train (the counting is arithmetic.py's, torch-free).

* ``block_cost`` / ``find_block``: the parameters and MACs of a standard Conv2d and of its
  depthwise (groups = in_channels) and pointwise (1x1) replacement, for the live numbers of a
  stack (in/out channels, kernel, stride, padding, dilation, input size).  Every count comes
  from ``arithmetic`` through ``validate.analyze`` (one source of truth; torch is the oracle in
  the tests).
* ``measure_latency``: the median time of a forward pass of each of the three convolutions on
  this machine.  MACs are not time: the depthwise convolution does few multiply-accumulates per
  value it reads, so it is bound by memory traffic, and its share of the time is far above its
  share of the MACs.
* ``paired_models`` / ``train_pair``: two small digit classifiers that differ only in their
  middle convolution (standard 3x3, or depthwise 3x3, ReLU, pointwise 1x1),
  trained with convviz's own Trainer on the bundled digits: the accuracy each reaches.
"""
from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import dataclass
from typing import Callable

from .project import InputSpec, Project
from .spec import LayerSpec, pair
from .validate import StackInfo, analyze

C = LayerSpec.make


class CostError(ValueError):
    """The numbers cannot be counted or timed: one sentence."""


@dataclass(frozen=True)
class BlockCost:
    """A standard convolution and its depthwise-separable replacement, counted."""

    in_shape: tuple[int, int, int]  # (C_in, H, W) of the block's input
    c_out: int  # N: the pointwise convolution's output channels
    kernel: tuple[int, int]
    stride: tuple[int, int]
    out_hw: tuple[int, int]
    standard_params: int
    standard_macs: int
    depthwise_params: int
    depthwise_macs: int
    pointwise_params: int
    pointwise_macs: int
    standard: LayerSpec  # the standard convolution compared (the depthwise one with groups=1, N outputs)
    depthwise: LayerSpec
    pointwise: LayerSpec
    layers: tuple[int, ...] = ()  # the stack's layers the block was read from (depthwise, pointwise)

    @property
    def c_in(self) -> int:
        return self.in_shape[0]

    @property
    def separable_params(self) -> int:
        return self.depthwise_params + self.pointwise_params

    @property
    def separable_macs(self) -> int:
        return self.depthwise_macs + self.pointwise_macs

    @property
    def param_ratio(self) -> float:
        return self.separable_params / self.standard_params

    @property
    def mac_ratio(self) -> float:
        return self.separable_macs / self.standard_macs

    @property
    def formula_ratio(self) -> float:
        """MobileNet's 1/N + 1/(kh*kw): the MAC ratio exactly (without biases: also the
        parameters')."""
        return 1.0 / self.c_out + 1.0 / (self.kernel[0] * self.kernel[1])


def _counted(in_shape, spec: LayerSpec):
    info = analyze(in_shape, [spec])
    layer = info.layers[0]
    if not layer.ok:
        raise CostError(layer.error)
    return layer


def block_cost(in_shape: tuple[int, int, int], c_out: int, kernel_size=3, stride=1, padding=0, dilation=1,
               bias: bool = False, padding_mode: str = "zeros", layers: tuple[int, ...] = ()) -> BlockCost:
    """Count a standard Conv2d(C_in, c_out, kernel_size, ...) and the depthwise Conv2d(C_in, C_in,
    kernel_size, groups=C_in, ...) + pointwise Conv2d(C_in, c_out, 1) that replace it, on an
    input of ``in_shape`` (C, H, W).  Raises CostError (one sentence) for numbers torch refuses."""
    c_in = int(in_shape[0])
    args = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation, bias=bias,
                padding_mode=padding_mode)
    standard = C("Conv2d", out_channels=int(c_out), **args)
    depthwise = C("Conv2d", out_channels=c_in, groups=c_in, **args)
    pointwise = C("Conv2d", out_channels=int(c_out), kernel_size=1, bias=bias)
    s = _counted(in_shape, standard)
    d = _counted(in_shape, depthwise)
    p = _counted(d.out_shape, pointwise)
    return BlockCost(tuple(int(v) for v in in_shape), int(c_out), pair(kernel_size), pair(stride),
                     tuple(s.out_shape[1:]), s.params, s.macs, d.params, d.macs, p.params, p.macs,
                     standard, depthwise, pointwise, tuple(layers))


def _is_depthwise(layer) -> bool:
    sp = layer.spec
    return (sp.type == "Conv2d" and layer.in_shape is not None and layer.in_shape[0] > 1
            and sp.get("groups") == layer.in_shape[0] == sp.get("out_channels"))


def _is_pointwise(layer) -> bool:
    sp = layer.spec
    return (sp.type == "Conv2d" and pair(sp.get("kernel_size")) == (1, 1) and sp.get("groups") == 1
            and pair(sp.get("stride")) == (1, 1) and pair(sp.get("dilation")) == (1, 1)
            and (sp.get("padding") in ("valid", "same") or pair(sp.get("padding")) == (0, 0)))


_BETWEEN = ("BatchNorm2d", "ReLU", "LeakyReLU", "GELU", "Sigmoid", "Tanh", "Dropout")


def find_block(info: StackInfo) -> BlockCost | None:
    """The first depthwise-separable block of a (valid up to it) stack, counted: a
    DepthwiseSeparable layer, or a depthwise Conv2d (groups = in_channels = out_channels)
    followed, after any BatchNorm and activations (the paper puts BatchNorm + ReLU between
    them), by a 1x1 Conv2d.  None when the stack has none."""
    layers = info.layers
    for i, l in enumerate(layers):
        if not l.ok or l.in_shape is None or len(l.in_shape) != 3:
            continue
        sp = l.spec
        if sp.type not in ("Conv2d", "DepthwiseSeparable"):
            continue
        args = dict(kernel_size=sp.get("kernel_size"), stride=sp.get("stride"), padding=sp.get("padding"),
                    dilation=sp.get("dilation"), padding_mode=sp.get("padding_mode"))
        if sp.type == "DepthwiseSeparable":
            return block_cost(l.in_shape, sp.get("out_channels"), bias=bool(sp.get("bias")), layers=(i,), **args)
        if _is_depthwise(l):
            j = i + 1
            while j < len(layers) and layers[j].spec.type in _BETWEEN:
                j += 1
            if j < len(layers) and layers[j].ok and _is_pointwise(layers[j]):
                pw = layers[j].spec
                return block_cost(l.in_shape, pw.get("out_channels"), bias=bool(pw.get("bias")), layers=(i, j),
                                  **args)
    return None


# --- timing ------------------------------------------------------------------------------------

@contextlib.contextmanager
def torch_threads(n: int | None):
    """torch's intra-op threads set to ``n`` inside, as they were after (the engine on the same
    thread remembers its own setting).  On a busy machine two threads can be many times slower
    than one for these small convolutions; one also makes the timing steadier."""
    import torch
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(int(n))
    try:
        yield
    finally:
        if n:
            torch.set_num_threads(before)


@dataclass(frozen=True)
class Latency:
    """Median seconds of one forward pass (batch of one) of each convolution, measured here."""

    standard: float
    depthwise: float
    pointwise: float
    repeats: int
    threads: int  # torch's intra-op threads during the measurement
    device: str = "cpu"

    @property
    def separable(self) -> float:
        return self.depthwise + self.pointwise

    @property
    def ratio(self) -> float:
        """Separable time as a fraction of the standard convolution's."""
        return self.separable / self.standard if self.standard > 0 else float("nan")


def _modules(cost: BlockCost):
    from .engine import build_module
    return (build_module(cost.standard, cost.c_in), build_module(cost.depthwise, cost.c_in),
            build_module(cost.pointwise, cost.c_in))


def measure_latency(cost: BlockCost, repeats: int = 15, warmup: int = 2, seed: int = 0, device: str = "cpu",
                    cancelled: Callable[[], bool] | None = None, threads: int | None = 1) -> Latency | None:
    """Time the standard, depthwise and pointwise convolutions of ``cost`` on this machine:
    ``warmup`` untimed passes each, then ``repeats`` rounds, each timing one pass of every
    convolution in turn (so a busy moment of the machine hits all three alike); the median of
    each, with ``threads`` torch threads (None: as they are).  None when ``cancelled()`` turned
    true."""
    if repeats < 1:
        raise CostError("the number of repeats must be at least 1")
    with torch_threads(threads):
        return _measure(cost, repeats, warmup, seed, device, cancelled)


def _measure(cost, repeats, warmup, seed, device, cancelled):
    import torch

    std, dw, pw = (m.to(device).eval() for m in _modules(cost))
    g = torch.Generator().manual_seed(seed)
    x = torch.rand((1, *cost.in_shape), generator=g).to(device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    times: tuple[list[float], list[float], list[float]] = ([], [], [])
    with torch.inference_mode():
        y = dw(x)
        for _ in range(warmup):
            std(x), dw(x), pw(y)
        sync()
        for _ in range(repeats):
            if cancelled is not None and cancelled():
                return None
            for bucket, (m, inp) in zip(times, ((std, x), (dw, x), (pw, y))):
                t0 = time.perf_counter()
                m(inp)
                sync()
                bucket.append(time.perf_counter() - t0)
    return Latency(statistics.median(times[0]), statistics.median(times[1]), statistics.median(times[2]),
                   repeats, torch.get_num_threads(), device)


# --- two small trained models -------------------------------------------------------------------

PAIR_DATA = "digits"  # bundled (resources/datasets/), 8x8


def paired_models(channels: int = 16, out_channels: int = 32, kernel_size: int = 3) -> tuple[Project, Project]:
    """Two digit classifiers (1x8x8 input, 10 classes) that differ only in their middle
    convolution: a standard ``kernel_size`` convolution, or a depthwise one, ReLU, and a 1x1
    pointwise one.  (standard, separable)."""
    p = kernel_size // 2
    first = [C("Conv2d", out_channels=channels, kernel_size=kernel_size, padding=p), C("ReLU")]
    last = [C("ReLU"), C("MaxPool2d", kernel_size=2), C("Flatten"), C("Linear", out_features=10)]
    std = [C("Conv2d", out_channels=out_channels, kernel_size=kernel_size, padding=p)]
    sep = [C("Conv2d", out_channels=channels, kernel_size=kernel_size, padding=p, groups=channels), C("ReLU"),
           C("Conv2d", out_channels=out_channels, kernel_size=1)]
    inp = InputSpec(1, 8, 8, "pattern:checkerboard")

    def make(mid, title):
        layers = tuple(first + mid + last)
        return Project(inp, layers, 0, (None,) * len(layers), title)
    return make(std, "standard"), make(sep, "separable")


@dataclass(frozen=True)
class PairResult:
    """What each of the two models reached (test accuracy, a fraction) and costs."""

    standard_accuracy: float
    separable_accuracy: float
    standard_params: int
    separable_params: int
    standard_macs: int
    separable_macs: int
    epochs: int
    test_examples: int


def pair_trainers(epochs: int = 5, seed: int = 0):
    """The two Trainers (standard, separable) on the bundled digits, same data, split, order and
    settings; step them in slices (``Trainer.step``) and read ``PairResult`` with ``pair_result``."""
    from .datasets import load_dataset
    from .training import Trainer
    from .training_config import TrainConfig

    ds = load_dataset(PAIR_DATA, 1, 8, 8, seed=seed)
    cfg = TrainConfig(data=PAIR_DATA, epochs=int(epochs), lr=3e-3, batch_size=32, seed=seed)
    return tuple(Trainer(p, ds, cfg) for p in paired_models())


def pair_result(trainers) -> PairResult:
    a, b = trainers
    ia, ib = a.project.analyze(), b.project.analyze()
    return PairResult(a.history[-1].test_accuracy, b.history[-1].test_accuracy, ia.total_params, ib.total_params,
                      sum(l.macs for l in ia.layers), sum(l.macs for l in ib.layers), a.config.epochs,
                      len(a.dataset.test_y))


def train_pair(epochs: int = 5, seed: int = 0, cancelled: Callable[[], bool] | None = None,
               threads: int | None = 1) -> PairResult | None:
    """Train both models to the end (tests, the command line) with ``threads`` torch threads;
    None when cancelled."""
    with torch_threads(threads):
        trainers = pair_trainers(epochs, seed)
        for t in trainers:
            t.run(cancelled=cancelled)
            if not t.done:
                return None
        return pair_result(trainers)


__all__ = ["BlockCost", "CostError", "Latency", "PairResult", "block_cost", "find_block", "measure_latency",
           "pair_result", "pair_trainers", "paired_models", "torch_threads", "train_pair"]
