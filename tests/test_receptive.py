"""Receptive fields against the positive-weight autograd oracle (../shared/reference): the exact
sets equal the support of the gradient at the input and at every intermediate map.  The oracle
is torch alone: convolutions and average pools are torch's modules with positive weights, and
max pooling's windows are read from torch's own MaxPool2d (WindowSupport); nothing in it calls
the code under test."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from torch import nn

from convviz.display import map_shape
from convviz.receptive import exact, theoretical
from convviz.samples import load_preset
from convviz.spec import LayerSpec
from convviz.validate import analyze
from strategies import STRATEGIES
from torch_oracle import build


class WindowSupport(nn.Module):
    """A linear map with a max-pooling layer's dependency structure, learned from torch itself.

    Max pooling's gradient reaches only the winning pixel, so it cannot show which pixels a
    window covers.  torch's own MaxPool2d is probed instead, one axis at a time: a batch of
    inputs in which input row b is all ones and everything else zero gives 1 exactly at the
    outputs whose window covers row b (every torch window holds at least one real pixel).  The
    forward pass is then y = R x C^T with those 0/1 matrices: its gradient support is the
    union of the windows, by torch's geometry, not by the code under test.  (AdaptiveMaxPool2d
    is probed the same way: every adaptive bin holds at least one real pixel.)"""

    def __init__(self, pool: nn.Module, h: int, w: int):
        super().__init__()
        with torch.no_grad():
            rows = torch.zeros((h, 1, h, w), dtype=torch.float64)
            rows[torch.arange(h), 0, torch.arange(h), :] = 1.0
            cols = torch.zeros((w, 1, h, w), dtype=torch.float64)
            cols[torch.arange(w), 0, :, torch.arange(w)] = 1.0
            self.r = pool(rows)[:, 0, :, 0].T.contiguous()  # (out rows, in rows)
            self.c = pool(cols)[:, 0, 0, :].T.contiguous()  # (out cols, in cols)

    def forward(self, x):
        return torch.einsum("ir,ncrq,jq->ncij", self.r, x, self.c)


def oracle_module(spec: LayerSpec, x: torch.Tensor) -> nn.Module:
    """A torch module with ``spec``'s dependency structure and positive weights, built for the
    actual input ``x`` (channels and size come from the tensor, not from the code under test)."""
    if spec.type in ("MaxPool2d", "AdaptiveMaxPool2d"):
        _, c, h, w = x.shape
        return WindowSupport(build(spec, c).double(), h, w)
    if spec.type in ("BatchNorm2d", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU"):
        return nn.Identity()  # point-wise: pixel (y, x) depends on pixel (y, x) only
    # torch's own modules (Flatten and Dropout as they are, in evaluation mode), positive weights
    m = build(spec, tuple(x.shape[1:])).double().eval()
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            else:
                p.fill_(1.0 / p[0].numel())
    return m


def maps_of(t: torch.Tensor) -> torch.Tensor:
    """An example's tensor as the (C, H, W) maps convviz draws and addresses it as: a vector is
    one channel of its values row by row (display.map_shape defines these coordinates)."""
    return t.reshape(map_shape(tuple(t.shape)))


def support_check(specs, shape, layer, y, x):
    info = analyze(shape, specs)
    sets = exact(info, layer, y, x)
    t = torch.ones((1, *shape), dtype=torch.float64, requires_grad=True)
    maps = [t]
    h = t
    for spec in specs[:layer + 1]:
        h = oracle_module(spec, h)(h)
        h.retain_grad()
        maps.append(h)
    maps_of(h[0])[:, y, x].sum().backward()
    for s, m in zip(sets, maps):
        g = maps_of(m.grad[0]).abs().sum(0).numpy() > 0
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


CLASSIFIER_KINDS = ["Conv2d", "MaxPool2d", "AdaptiveMaxPool2d", "AdaptiveAvgPool2d", "activation", "Flatten", "Flatten",
                    "Linear", "Linear", "Dropout"]


@settings(max_examples=500, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_exact_sets_through_classifier_layers(data):
    """Stacks with Flatten (any start_dim and end_dim), Linear (on vectors, and on the last
    dimension of a map), Dropout and AdaptiveMaxPool2d: the exact sets are the gradient's
    support on every map, vectors read as the maps they are drawn as."""
    shape = (data.draw(st.integers(1, 3)), data.draw(st.integers(3, 12)), data.draw(st.integers(3, 12)))
    specs = []
    for kind in data.draw(st.lists(st.sampled_from(CLASSIFIER_KINDS), min_size=1, max_size=5)):
        spec, _ = data.draw(STRATEGIES[kind])
        specs.append(LayerSpec(spec.type, tuple(a for a in spec.args
                                                if a[0] not in ("in_channels", "num_features", "in_features"))))
    info = analyze(shape, specs)
    n_ok = next((i for i, l in enumerate(info.layers) if not l.ok), len(specs))
    assume(n_ok > 0)
    specs = specs[:n_ok]
    for _ in range(2):
        layer = data.draw(st.integers(0, n_ok - 1))
        _, h, w = info.layers[layer].map_shape
        support_check(specs, shape, layer, data.draw(st.integers(0, h - 1)), data.draw(st.integers(0, w - 1)))


def test_a_linear_output_depends_on_the_whole_input():
    """LeNet-5's logits: every one depends on every input pixel; one value of the Flatten on one
    pixel of one map; a Linear on a map (no Flatten) on its own row only."""
    info = load_preset("lenet5").analyze()
    last = len(info.layers) - 1
    sets = exact(info, last, 0, 7)
    assert sets[0].count == 32 * 32 and all(s.count == len(s.rows) * len(s.cols) for s in sets)
    support_check([l.spec for l in info.layers], info.input_shape, last, 0, 7)
    specs = [LayerSpec.make("Conv2d", out_channels=2, kernel_size=3), LayerSpec.make("Flatten")]
    info = analyze((1, 5, 6), specs)  # (2, 3, 4) maps, flattened into 24 values drawn as one row
    one = exact(info, 1, 0, 7)  # value 7: map 0, row 1, column 3
    assert (one[1].rows, one[1].cols) == ((1,), (3,))
    assert (one[0].rows, one[0].cols) == ((1, 2, 3), (3, 4, 5))
    support_check(specs, (1, 5, 6), 1, 0, 7)
    specs = [LayerSpec.make("Conv2d", out_channels=2, kernel_size=3), LayerSpec.make("Linear", out_features=4)]
    s = exact(analyze((1, 8, 8), specs), 1, 2, 3)[0]
    assert s.rows == (2, 3, 4) and s.cols == tuple(range(8))
    support_check(specs, (1, 8, 8), 1, 2, 3)
    assert theoretical(analyze((1, 8, 8), specs))[1] is None


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


@settings(max_examples=120, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_chunked_back_steps_equal_the_gradient_support(data):
    """Large fields are computed a chunk of indices at a time (so the candidates held stay
    small); with tiny chunks the sets are still torch's gradient support, reflect and circular
    padding (whose chunks overlap) included."""
    import convviz.receptive as rc
    saved = rc._CHUNK
    rc._CHUNK = data.draw(st.integers(1, 12))
    try:
        shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(5, 14)), data.draw(st.integers(5, 14)))
        specs = []
        for kind in data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3)):
            spec, _ = data.draw(STRATEGIES[kind])
            specs.append(LayerSpec(spec.type, tuple(a for a in spec.args if a[0] not in ("in_channels", "num_features"))))
        info = analyze(shape, specs)
        n_ok = next((i for i, l in enumerate(info.layers) if not l.ok), len(specs))
        assume(n_ok > 0)
        layer = n_ok - 1
        _, h, w = info.layers[layer].out_shape
        support_check(specs[:n_ok], shape, layer, data.draw(st.integers(0, h - 1)), data.draw(st.integers(0, w - 1)))
    finally:
        rc._CHUNK = saved


T = lambda **kw: LayerSpec.make("ConvTranspose2d", **kw)  # noqa: E731


def test_a_field_too_large_is_refused_before_anything_is_allocated():
    """A pixel after an adaptive pooling over 2^24 x 2^24 maps depends on all 2^24 rows and
    columns of them: refused with a sentence, and the refusal itself allocates next to nothing."""
    import tracemalloc

    from convviz.receptive import MAX_FIELD_INDICES, FieldTooLarge, field_problem
    specs = [T(out_channels=1, kernel_size=64, stride=64), T(out_channels=1, kernel_size=64, stride=64),
             LayerSpec.make("AdaptiveAvgPool2d", output_size=1)]
    info = analyze((1, 4096, 4096), specs)
    assert info.ok and info.layers[1].out_shape == (1, 2**24, 2**24)
    tracemalloc.start()
    try:
        with pytest.raises(FieldTooLarge) as e:
            exact(info, 2, 0, 0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"{peak:,} bytes allocated to refuse"
    assert f"{MAX_FIELD_INDICES:,}" in str(e.value) and "\n" not in str(e.value)
    assert field_problem(info, 2, 0, 0) == str(e.value)
    # the same maps, a pixel whose field is small: computed exactly, with indices beyond 2^31
    sets = exact(info, 1, 2**24 - 1, 5)
    assert [(s.rows, s.cols) for s in sets] == [((4095,), (0,)), ((2**18 - 1,), (0,)), ((2**24 - 1,), (5,))]


def test_maps_too_long_to_index_are_refused():
    """A 1 x 2^60 map is a valid shape (2^62 bytes), but pixel coordinates times a stride would
    overflow 64-bit indices: a sentence, not silently wrong sets."""
    from convviz.receptive import FieldTooLarge
    specs = [T(out_channels=1, kernel_size=(1, 64), stride=(1, 64)) for _ in range(8)]
    info = analyze((1, 1, 4096), specs)
    assert info.ok and info.layers[-1].out_shape == (1, 1, 2**60)
    with pytest.raises(FieldTooLarge, match="too large for an exact receptive field"):
        exact(info, 7, 0, 2**60 - 1)


def test_a_theoretical_box_of_any_size_can_be_drawn():
    """256 stride-64 layers: jump 64^256; the clipped box is small integers on the map."""
    specs = [C(out_channels=1, kernel_size=3, stride=64, padding=1)] * 256
    info = analyze((1, 8, 8), specs)
    f = theoretical(info)[-1]
    assert f.jump == (64**256, 64**256)
    assert f.clipped_box(0, 0, 8, 8) == (-1, -1, 8, 8)
    box = theoretical(info)[0].clipped_box(0, 0, 8, 8)
    assert box == theoretical(info)[0].box(0, 0) == (-1, -1, 1, 1)
    assert all(abs(float(v)) < 10 for v in f.clipped_box(0, 0, 8, 8))
