"""The depthwise-separable cost experiment: counts against torch, timing, the two trained models."""
from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from convviz.cost_experiment import (CostError, block_cost, find_block, measure_latency, paired_models,
                                     train_pair)
from convviz.project import InputSpec, Project
from convviz.samples import load_preset
from convviz.spec import LayerSpec

C = LayerSpec.make


def torch_counts(module: nn.Module, x: torch.Tensor) -> tuple[int, int, torch.Tensor]:
    """(parameters, MACs, output) as torch counts them (FLOPs / 2)."""
    fc = FlopCounterMode(display=False)
    with fc, torch.no_grad():
        y = module(x)
    return sum(p.numel() for p in module.parameters()), fc.get_total_flops() // 2, y


@settings(max_examples=40, deadline=None)
@given(c_in=st.integers(1, 6), c_out=st.integers(1, 9), k=st.integers(1, 5), s=st.integers(1, 3),
       p=st.integers(0, 2), d=st.integers(1, 2), h=st.integers(6, 14), w=st.integers(6, 14), bias=st.booleans())
def test_counts_equal_torch(c_in, c_out, k, s, p, d, h, w, bias):
    x = torch.zeros(1, c_in, h, w)
    std = nn.Conv2d(c_in, c_out, k, s, p, d, bias=bias)
    dw = nn.Conv2d(c_in, c_in, k, s, p, d, groups=c_in, bias=bias)
    pw = nn.Conv2d(c_in, c_out, 1, bias=bias)
    try:
        sp, sm, sy = torch_counts(std, x)
    except RuntimeError:  # torch refuses (kernel larger than the padded input): so do we
        with pytest.raises(CostError):
            block_cost((c_in, h, w), c_out, k, s, p, d, bias=bias)
        return
    dp, dm, dy = torch_counts(dw, x)
    pp, pm, _ = torch_counts(pw, dy)
    cost = block_cost((c_in, h, w), c_out, k, s, p, d, bias=bias)
    assert (cost.standard_params, cost.standard_macs) == (sp, sm)
    assert (cost.depthwise_params, cost.depthwise_macs) == (dp, dm)
    assert (cost.pointwise_params, cost.pointwise_macs) == (pp, pm)
    assert cost.out_hw == tuple(sy.shape[2:])
    assert cost.mac_ratio == pytest.approx((dm + pm) / sm)
    assert cost.mac_ratio == pytest.approx(1 / c_out + 1 / (k * k))  # MobileNet's formula, exactly for MACs
    if not bias:
        assert cost.param_ratio == pytest.approx(1 / c_out + 1 / (k * k))


def test_find_block_reads_live_numbers_of_both_spellings():
    # the single DepthwiseSeparable layer of the bundled preset
    info = load_preset("mobilenet_block").analyze()
    cost = find_block(info)
    layer = next(l for l in info.layers if l.spec.type == "DepthwiseSeparable")
    assert cost.layers == (layer.index,)
    assert cost.in_shape == layer.in_shape and cost.c_out == layer.out_shape[0]
    assert cost.separable_params == layer.params and cost.separable_macs == layer.macs
    # the paper's spelling: depthwise Conv2d, BatchNorm, ReLU, pointwise 1x1; edited numbers followed
    for c, n, k, s in ((8, 16, 3, 1), (6, 10, 5, 2)):
        layers = (C("Conv2d", out_channels=c, kernel_size=3, padding=1), C("ReLU"),
                  C("Conv2d", out_channels=c, kernel_size=k, stride=s, padding=k // 2, groups=c, bias=False),
                  C("BatchNorm2d"), C("ReLU"), C("Conv2d", out_channels=n, kernel_size=1, bias=False))
        info = Project(InputSpec(3, 20, 20, "pattern:checkerboard"), layers, 0, (None,) * 6, "t").analyze()
        cost = find_block(info)
        assert cost.layers == (2, 5)
        assert (cost.c_in, cost.c_out, cost.kernel, cost.stride) == (c, n, (k, k), (s, s))
        assert cost.depthwise_params == info.layers[2].params and cost.pointwise_macs == info.layers[5].macs
    # no block: a standard stack
    plain = Project(InputSpec(3, 20, 20, "pattern:checkerboard"), (C("Conv2d", out_channels=4, kernel_size=3),),
                    0, (None,), "t")
    assert find_block(plain.analyze()) is None


def test_latency_is_measured_and_can_be_cancelled():
    cost = block_cost((8, 16, 16), 16, 3, 1, 1)
    lat = measure_latency(cost, repeats=3, warmup=1)
    assert lat.repeats == 3 and lat.threads >= 1
    for v in (lat.standard, lat.depthwise, lat.pointwise):
        assert v > 0 and math.isfinite(v)
    assert lat.separable == lat.depthwise + lat.pointwise
    assert lat.ratio == pytest.approx(lat.separable / lat.standard)
    assert measure_latency(cost, repeats=3, cancelled=lambda: True) is None
    with pytest.raises(CostError):
        measure_latency(cost, repeats=0)


def test_paired_models_differ_only_in_the_middle():
    std, sep = paired_models()
    a, b = std.analyze(), sep.analyze()
    assert a.ok and b.ok and a.layers[-1].out_shape == b.layers[-1].out_shape == (10,)
    cost = find_block(b)
    assert cost is not None and find_block(a) is None
    assert std.layers[:2] == sep.layers[:2] and std.layers[-4:] == sep.layers[-4:]
    assert a.total_params - b.total_params == cost.standard_params - cost.separable_params


def test_both_models_learn_the_digits():
    # measured (seed 0, 3 epochs): standard 0.972, separable 0.928 test accuracy on 359 digits;
    # chance is 0.10.  The thresholds leave room for other CPUs' rounding.
    r = train_pair(epochs=3)
    assert r.test_examples == 359 and r.epochs == 3
    assert r.standard_accuracy > 0.9 and r.separable_accuracy > 0.85
    assert r.separable_params < r.standard_params and r.separable_macs < r.standard_macs
    assert train_pair(epochs=3, cancelled=lambda: True) is None
