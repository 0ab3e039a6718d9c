"""Torch as the oracle: build the real module for a spec and run a CPU forward of zeros.

Deliberately independent of convviz.engine, so the engine is checked against torch too.
"""
from __future__ import annotations

import os
import warnings

import torch
from torch import nn

from convviz.spec import LayerSpec


def build(spec: LayerSpec, c_in) -> nn.Module:
    """torch's module for ``spec``; an omitted in_channels / num_features / in_features is
    taken from ``c_in``: the input's shape (per example; Linear reads its last dimension, the
    others its first), or one number (then it is the value itself)."""
    kw = {k: v for k, v in spec.args}
    t = spec.type
    if t == "Linear":
        kw.setdefault("in_features", c_in[-1] if isinstance(c_in, tuple) else c_in)
        return nn.Linear(**kw)
    if isinstance(c_in, tuple):
        c_in = c_in[0]
    if t in ("Conv2d", "ConvTranspose2d"):
        kw.setdefault("in_channels", c_in)
        return getattr(nn, t)(**kw)
    if t == "DepthwiseSeparable":
        c = kw.pop("in_channels", c_in)
        out = kw.pop("out_channels")
        bias = kw.get("bias", True)
        return nn.Sequential(nn.Conv2d(c, c, groups=c, **kw), nn.Conv2d(c, out, 1, bias=bias))
    if t == "BatchNorm2d":
        kw.setdefault("num_features", c_in)
        return nn.BatchNorm2d(**kw)
    return getattr(nn, t)(**kw)


TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__))


def raised_by_torch(e: BaseException) -> bool:
    """Whether ``e`` was raised inside torch (its innermost frame is torch's code), not by this
    oracle or by the code under test."""
    tb = e.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    return last is not None and os.path.abspath(last.tb_frame.f_code.co_filename).startswith(TORCH_DIR + os.sep)


def run(spec: LayerSpec, shape: tuple[int, ...], flops: bool = False, device: str = "cpu"):
    """(accepted, output shape or error text, params, flops) from a real forward of zeros
    with a batch of one: ``shape`` is the example's shape, (C, H, W) or, after a Flatten, (F,).

    Only torch's own refusal counts as a rejection: a RuntimeError, ValueError or IndexError
    ("Dimension out of range") raised inside torch while building the module or running it.
    Any other exception (a bug here, a TypeError, an error raised outside torch) propagates and
    fails the test.  ``device="meta"`` builds and runs without allocating anything (shapes and
    torch's size checks only)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with torch.device(device):
                m = build(spec, tuple(shape)).eval()
                x = torch.zeros((1, *shape))
            with torch.no_grad():
                if flops:
                    from torch.utils.flop_counter import FlopCounterMode
                    fc = FlopCounterMode(display=False)
                    with fc:
                        y = m(x)
                    f = fc.get_total_flops()
                else:
                    y = m(x)
                    f = None
        except (RuntimeError, ValueError, IndexError) as e:
            if not raised_by_torch(e):
                raise
            return False, f"{type(e).__name__}: {e}", None, None
    return True, tuple(y.shape[1:]), sum(p.numel() for p in m.parameters()), f


def seeded_biases(module: nn.Module, layer_seed: int) -> nn.Module:
    """The documented bias rule (docs/project-format.md), written here independently of the
    engine: the j-th biased Conv2d/ConvTranspose2d/Linear (j from 1, module order) draws its
    bias from its own generator seeded with (layer_seed + 7919 * j) % 2**63, uniform in
    +-1/sqrt(fan_in), fan_in being the number of weights per output (torch's fan_in)."""
    biased = [m for m in module.modules()
              if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and m.bias is not None]
    with torch.no_grad():
        for j, m in enumerate(biased, start=1):
            fan_in = m.weight[0].numel()
            g = torch.Generator().manual_seed((layer_seed + 7919 * j) % 2**63)
            b = 1 / fan_in ** 0.5 if fan_in else 0.0
            m.bias.uniform_(-b, b, generator=g)
    return module
