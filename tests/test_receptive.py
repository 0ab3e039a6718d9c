"""Receptive fields against the positive-weight autograd oracle (../shared/reference): the exact
sets equal the support of the gradient at the input and at every intermediate map."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from torch import nn

from convviz import arithmetic as ar
from convviz.receptive import exact, theoretical
from convviz.samples import load_preset
from convviz.spec import LayerSpec
from convviz.validate import analyze
from strategies import STRATEGIES
from torch_oracle import build


class SumPool(nn.Module):
    """MaxPool2d's geometry, summing instead of taking the max (padding contributes nothing)."""

    def __init__(self, spec: LayerSpec, n_in):
        super().__init__()
        self.w = ar.window(spec)
        self.spec = spec

    def forward(self, x):
        w = self.w
        _, _, h, wd = x.shape
        oh = ar.pool_out(h, w.kernel[0], w.stride[0], w.dilation[0], w.pad_before[0], w.ceil_mode)
        ow = ar.pool_out(wd, w.kernel[1], w.stride[1], w.dilation[1], w.pad_before[1], w.ceil_mode)
        need_h = (oh - 1) * w.stride[0] + w.extent(0)
        need_w = (ow - 1) * w.stride[1] + w.extent(1)
        ph, pw = w.pad_before
        xp = F.pad(x, (pw, max(0, need_w - wd - pw), ph, max(0, need_h - h - ph)))
        cols = F.unfold(xp, w.kernel, dilation=w.dilation, stride=w.stride)
        n, c = x.shape[:2]
        s = cols.view(n, c, w.kernel[0] * w.kernel[1], -1).sum(2)
        return s.view(n, c, oh, ow)  # padding exactly to the last window leaves oh x ow windows


def oracle_modules(specs, shape):
    mods = []
    c = shape[0]
    info = analyze(shape, specs)
    for spec, l in zip(specs, info.layers):
        if spec.type == "MaxPool2d":
            m = SumPool(spec, l.in_shape)
        elif spec.type in ("BatchNorm2d", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU"):
            m = nn.Identity()
        else:
            m = build(spec, c).double()
            with torch.no_grad():
                for name, p in m.named_parameters():
                    if name.endswith("bias"):
                        p.zero_()
                    else:
                        p.fill_(1.0 / p[0].numel())
        mods.append(m)
        c = l.out_shape[0]
    return mods


def support_check(specs, shape, layer, y, x):
    info = analyze(shape, specs)
    sets = exact(info, layer, y, x)
    mods = oracle_modules(specs[:layer + 1], shape)
    t = torch.ones((1, *shape), dtype=torch.float64, requires_grad=True)
    maps = [t]
    h = t
    for m in mods:
        h = m(h)
        h.retain_grad()
        maps.append(h)
    h[0, :, y, x].sum().backward()
    for s, m in zip(sets, maps):
        g = m.grad[0].abs().sum(0).numpy() > 0
        want = np.zeros_like(g)
        if s.rows and s.cols:
            want[np.ix_(s.rows, s.cols)] = True
        assert (g == want).all(), (f"layer {s.layer}: exact rows {s.rows} cols {s.cols}; gradient rows "
                                   f"{np.nonzero(g.any(1))[0].tolist()} cols {np.nonzero(g.any(0))[0].tolist()}")
        assert list(s.rows) == sorted(set(s.rows)) and list(s.cols) == sorted(set(s.cols))


KINDS = ["Conv2d", "Conv2d", "MaxPool2d", "AvgPool2d", "ConvTranspose2d", "DepthwiseSeparable", "BatchNorm2d",
         "activation", "AdaptiveAvgPool2d"]


@settings(max_examples=1500, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_exact_sets_equal_the_gradient_support(data):
    shape = (data.draw(st.integers(1, 3)), data.draw(st.integers(5, 16)), data.draw(st.integers(5, 16)))
    specs = []
    for kind in data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4)):
        spec, _ = data.draw(STRATEGIES[kind])
        specs.append(LayerSpec(spec.type, tuple(a for a in spec.args if a[0] not in ("in_channels", "num_features"))))
    info = analyze(shape, specs)
    n_ok = next((i for i, l in enumerate(info.layers) if not l.ok), len(specs))
    assume(n_ok > 0)
    specs = specs[:n_ok]
    for _ in range(2):
        layer = data.draw(st.integers(0, n_ok - 1))
        _, h, w = info.layers[layer].out_shape
        support_check(specs, shape, layer, data.draw(st.integers(0, h - 1)), data.draw(st.integers(0, w - 1)))


C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def test_named_cases():
    # two 3x3 dilation-2 layers: rows {4, 6, 8, 10, 12}, 25 pixels in a 9x9 box
    specs = [C(out_channels=1, kernel_size=3, dilation=2), C(out_channels=1, kernel_size=3, dilation=2)]
    sets = exact(analyze((1, 20, 20), specs), 1, 4, 4)
    assert sets[0].rows == (4, 6, 8, 10, 12) and sets[0].count == 25
    support_check(specs, (1, 20, 20), 1, 4, 4)
    # circular padding wraps to the far edge
    specs = [C(out_channels=1, kernel_size=3, padding=1, padding_mode="circular")]
    assert exact(analyze((1, 6, 6), specs), 0, 0, 0)[0].rows == (0, 1, 5)
    support_check(specs, (1, 6, 6), 0, 0, 0)
    # a border output whose window lies in the padding depends on nothing
    specs = [C(out_channels=1, kernel_size=2, padding=3)]
    s = exact(analyze((1, 4, 4), specs), 0, 0, 0)[0]
    assert s.count == 0
    support_check(specs, (1, 4, 4), 0, 0, 0)
    # reflect and replicate
    for mode, rows in (("reflect", (0, 1)), ("replicate", (0, 1))):
        specs = [C(out_channels=1, kernel_size=3, padding=1, padding_mode=mode)]
        assert exact(analyze((1, 5, 5), specs), 0, 0, 0)[0].rows == rows
        support_check(specs, (1, 5, 5), 0, 0, 0)


def test_vgg16_theoretical_field():
    info = load_preset("vgg16").analyze()
    fields = theoretical(info)
    last = fields[-1]
    assert last.size == (212, 212) and last.jump == (32, 32) and last.offset == (-90, -90)
    assert fields[0].size == (3, 3) and fields[0].offset == (-1, -1)


def test_theoretical_box_contains_the_exact_set():
    info = load_preset("dilated").analyze()
    f = theoretical(info)[-1]
    for y, x in ((0, 0), (31, 17), (63, 63)):
        s = exact(info, len(info.layers) - 1, y, x)[0]
        t, l, b, r = f.box(y, x)
        assert t <= s.rows[0] and s.rows[-1] <= b and l <= s.cols[0] and s.cols[-1] <= r


def test_no_closed_form_after_transposed_or_adaptive():
    specs = [C(out_channels=1, kernel_size=3), LayerSpec.make("ConvTranspose2d", out_channels=1, kernel_size=2, stride=2),
             C(out_channels=1, kernel_size=3)]
    f = theoretical(analyze((1, 10, 10), specs))
    assert f[0] is not None and f[1] is None and f[2] is None
