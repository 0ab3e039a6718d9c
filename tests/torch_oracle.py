"""Torch as the oracle: build the real module for a spec and run a CPU forward of zeros.

Deliberately independent of convviz.engine, so the engine is checked against torch too.
"""
from __future__ import annotations

import warnings

import torch
from torch import nn

from convviz.spec import LayerSpec


def build(spec: LayerSpec, c_in: int) -> nn.Module:
    kw = {k: v for k, v in spec.args}
    t = spec.type
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


def run(spec: LayerSpec, shape: tuple[int, int, int], flops: bool = False):
    """(accepted, output shape or error text, params, flops) from a real CPU forward."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            m = build(spec, shape[0]).eval()
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
        except Exception as e:  # noqa: BLE001 - any refusal counts as a rejection
            return False, f"{type(e).__name__}: {e}", None, None
    return True, tuple(y.shape[1:]), sum(p.numel() for p in m.parameters()), f
