"""The stepper's numbers against torch: at every output position of generated layers, the
window, products and sum plus bias (or max / average) the trace shows equal torch's output."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

from convviz.sliding import Slider, flipped, source_index
from convviz.spec import LayerSpec
from convviz.validate import analyze
from strategies import STRATEGIES
from torch_oracle import build


def torch_case(spec, shape, seed=0):
    """Input, output and parameters of a real torch layer on random data."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((1, *shape), generator=g)
    torch.manual_seed(seed)
    m = build(spec, shape[0]).eval()
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
        if spec.type == "DepthwiseSeparable":
            y = m[0](x)  # the stepper traces the depthwise convolution
            params = [p.numpy() for p in m[0].parameters()]
        else:
            y = m(x)
            params = [p.numpy() for p in m.parameters()]
    return x[0].numpy(), y[0].numpy(), params


def check_every_position(spec, shape, seed=0):
    x, y, params = torch_case(spec, shape, seed)
    s = Slider(spec, x, y, params)
    assert s.positions == y.shape[1] * y.shape[2]
    for o in range(y.shape[0]):
        for t in range(s.positions):
            st_ = s.step(o, t)
            assert abs(st_.value - st_.expected) <= 1e-4 * max(1.0, abs(st_.expected)), (
                f"{spec} on {shape}: channel {o} position {s.position(t)}: trace {st_.value} vs torch {st_.expected}")
            if st_.op == "sum":
                assert st_.value == sum(term.partial for term in st_.terms) + st_.bias
                for term in st_.terms:
                    np.testing.assert_allclose(term.products, term.values * term.weights)
    return s


def valid_cases(kind):
    def ok(case):
        spec, shape = case
        if spec.type in ("Conv2d", "DepthwiseSeparable") and isinstance(spec.get("padding"), (int, tuple)):
            p = spec.get("padding")
            if min(p if isinstance(p, tuple) else (p,)) < 0:
                return False
        return analyze(shape, [spec]).ok
    return STRATEGIES[kind].filter(ok)


@settings(max_examples=400, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(valid_cases("Conv2d"), valid_cases("DepthwiseSeparable"), valid_cases("ConvTranspose2d"),
                 valid_cases("MaxPool2d"), valid_cases("AvgPool2d")))
def test_trace_reproduces_torch_at_every_position(case):
    check_every_position(*case)


C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def test_named_traps():
    for spec, shape in [
        (C(out_channels=2, kernel_size=4, padding="same", padding_mode="reflect"), (2, 6, 7)),
        (C(out_channels=2, kernel_size=(2, 3), padding="same", dilation=(3, 1), padding_mode="circular"), (1, 5, 5)),
        (C(out_channels=4, kernel_size=3, stride=2, groups=2, padding=1, padding_mode="replicate"), (4, 7, 8)),
        (LayerSpec.make("ConvTranspose2d", out_channels=2, kernel_size=3, stride=2, padding=1, output_padding=1), (2, 4, 5)),
        (LayerSpec.make("ConvTranspose2d", out_channels=4, kernel_size=2, stride=3, padding=2, dilation=2, groups=2,
                        output_padding=(1, 2)), (2, 3, 4)),
        (LayerSpec.make("MaxPool2d", kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True), (2, 7, 6)),
        (LayerSpec.make("AvgPool2d", kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), (1, 6, 7)),
        (LayerSpec.make("AvgPool2d", kernel_size=2, ceil_mode=True, divisor_override=3), (1, 5, 5)),
    ]:
        check_every_position(spec, shape)


def test_reflect_padding_sources():
    assert source_index(np.arange(-2, 6), 4, "reflect").tolist() == [2, 1, 0, 1, 2, 3, 2, 1]
    assert source_index(np.arange(-2, 6), 4, "replicate").tolist() == [0, 0, 0, 1, 2, 3, 3, 3]
    assert source_index(np.arange(-2, 6), 4, "circular").tolist() == [2, 3, 0, 1, 2, 3, 0, 1]
    assert source_index(np.arange(-2, 6), 4, "zeros").tolist() == [-1, -1, 0, 1, 2, 3, -1, -1]


def test_unreached_rows_and_contributors():
    spec = C(out_channels=1, kernel_size=3, stride=2)
    x, y, params = torch_case(spec, (1, 8, 9))
    s = Slider(spec, x, y, params)
    assert s.unreached() == (1, 0)  # (8 - 3) % 2 = 1 row; (9 - 3) % 2 = 0 columns
    rows, cols = s.contributors(4, 0)
    assert rows.tolist() == [1, 2] and cols.tolist() == [0]
    # brute force: an output reads (iy, ix) iff it is among its taps
    for iy in range(8):
        for ix in range(9):
            r, c = s.contributors(iy, ix)
            want = {(oy, ox) for oy in range(y.shape[1]) for ox in range(y.shape[2])
                    if iy in s.taps(oy, ox)[0] and ix in s.taps(oy, ox)[1]}
            assert {(a, b) for a in r for b in c} == want


def test_contributors_through_reflect_padding():
    spec = C(out_channels=1, kernel_size=3, padding=1, padding_mode="reflect")
    x, y, params = torch_case(spec, (1, 5, 5))
    s = Slider(spec, x, y, params)
    rows, _ = s.contributors(1, 0)
    assert rows.tolist() == [0, 1, 2]  # row 1 also feeds output row 0 through the mirrored padding row


def test_flipped_kernel_is_true_convolution():
    k = np.arange(9.0).reshape(3, 3)
    assert flipped(k)[0, 0] == 8 and flipped(k)[2, 2] == 0


# --- true convolution -----------------------------------------------------------------------------

def torch_flipped_case(spec, shape, seed=0):
    """Input, output and parameters of the torch layer whose kernels are rotated by 180 degrees:
    the oracle for the true convolution of the layer's own kernels."""
    x, _y, params = torch_case(spec, shape, seed)
    m = build(spec, shape[0]).eval()
    layer = m[0] if spec.type == "DepthwiseSeparable" else m
    with torch.no_grad():
        for p, v in zip(layer.parameters(), params):
            t = torch.from_numpy(np.array(v))
            p.copy_(t.flip(-1, -2) if t.dim() == 4 else t)
        y = layer(torch.from_numpy(x)[None])[0].numpy()
    return x, y, params


@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(valid_cases("Conv2d"), valid_cases("DepthwiseSeparable"), valid_cases("ConvTranspose2d")))
def test_true_convolution_reproduces_torch_with_rotated_kernels(case):
    spec, shape = case
    x, y_rot, params = torch_flipped_case(spec, shape)
    _, y, _ = torch_case(spec, shape)
    s = Slider(spec, x, y, params).true_convolution()
    assert s.flipped and s.true_convolution() is s
    for o in range(y_rot.shape[0]):
        np.testing.assert_allclose(s.output(o), y_rot[o], rtol=1e-4, atol=1e-4 * max(1.0, np.abs(y_rot).max()))
        for t in range(s.positions):
            st_ = s.step(o, t)
            assert abs(st_.value - y_rot[o][s.position(t)]) <= 1e-4 * max(1.0, abs(y_rot[o][s.position(t)]))
            for term in st_.terms:  # each product is the window value times the rotated kernel's
                np.testing.assert_array_equal(term.products, term.values * term.weights)


def test_pooling_has_no_true_convolution():
    spec = LayerSpec.make("MaxPool2d", kernel_size=2)
    x, y, params = torch_case(spec, (1, 4, 4))
    s = Slider(spec, x, y, params)
    assert s.true_convolution() is s


# --- rows and columns no window reaches ------------------------------------------------------------

@settings(max_examples=80, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(valid_cases("Conv2d"), valid_cases("ConvTranspose2d"), valid_cases("MaxPool2d"),
                 valid_cases("AvgPool2d")))
def test_reached_rows_and_columns_are_the_taps_of_every_window(case):
    spec, shape = case
    x, y, params = torch_case(spec, shape)
    s = Slider(spec, x, y, params)
    rows, cols = s.reached()
    want_r, want_c = set(), set()
    for t in range(s.positions):
        ty, tx = s.taps(*s.position(t))
        want_r |= {int(v) for v in ty if v < s.grid.height}
        want_c |= {int(v) for v in tx if v < s.grid.width}
    assert set(np.flatnonzero(rows).tolist()) == want_r
    assert set(np.flatnonzero(cols).tolist()) == want_c


def test_interior_rows_unreached_when_stride_exceeds_the_kernel():
    spec = C(out_channels=1, kernel_size=2, stride=3)
    x, y, params = torch_case(spec, (1, 8, 8))
    rows, cols = Slider(spec, x, y, params).reached()
    assert rows.tolist() == [True, True, False, True, True, False, True, True]
    assert cols.tolist() == rows.tolist()


# --- numbers as the cells show them ---------------------------------------------------------------

@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.floats(-1e6, 1e6, allow_nan=False))
def test_cell_text_is_plain_with_two_or_three_significant_digits(v):
    from convviz.sliding import cell_text, text_chars
    s = cell_text(v)
    assert "e" not in s.lower() and s != "-0" and not s.startswith("-0.0000") and s.strip() == s
    back = float(s)
    if abs(v) >= 100:
        assert abs(back - v) <= 0.5
    elif abs(v) >= 5e-5:
        digits = 2 if abs(v) < 1 else 3
        # rounded to `digits` significant digits (or to 4 decimals, whichever is coarser)
        step = max(10.0 ** (np.floor(np.log10(abs(v))) - digits + 1), 1e-4)
        assert abs(back - v) <= step / 2 + 1e-12
    else:
        assert s == "0"
    assert text_chars([v]) == len(s)


def test_cell_text_examples_and_grid_width():
    from convviz.sliding import cell_text, plain, text_chars
    assert [cell_text(v) for v in (0.004, -0.0041, 0.52, 0.0731, 1.234, -12.34, 123.4, 0.0, -0.00001, 0.996)] == \
        ["0.0040", "-0.0041", "0.52", "0.073", "1.23", "-12.3", "123", "0", "0", "1.00"]
    assert plain(4e-3) == "0.004000" and plain(-1.5e-7) == "0" and plain(123456.7) == "123457"
    vals = np.array([0.5, -0.0041, 12.0, 0.0])
    assert text_chars(vals) == max(len(cell_text(v)) for v in vals) == 7
