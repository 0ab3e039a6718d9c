"""The source lesson's printed numbers (chapter 3), with torch as the oracle: any 2x2 kernel on the
lesson's 4x4 ramp gives a ramp whose step along a row is the sum of the weights (down a column,
the width times it); the kernel convviz offers reproduces each printed map; the diagnosis names
the part of a wrong kernel that is wrong."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings, strategies as st

from convviz import lesson_numbers as ln


def torch_map(kernel, bias: float = 0.0) -> np.ndarray:
    x = torch.arange(1.0, 17.0, dtype=torch.float64).reshape(1, 1, 4, 4)
    w = torch.as_tensor(np.asarray(kernel, dtype=np.float64)).reshape(1, 1, 2, 2)
    return torch.nn.functional.conv2d(x, w, torch.tensor([bias], dtype=torch.float64))[0, 0].numpy()


def test_the_lesson_input_is_torch_arange():
    np.testing.assert_array_equal(ln.lesson_input(), torch.arange(1.0, 17.0).reshape(4, 4).numpy())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-2, 2, allow_nan=False), min_size=4, max_size=4), st.floats(-1, 1, allow_nan=False))
def test_a_ramp_in_gives_a_ramp_out_stepping_by_the_sum_of_the_weights(w, b):
    out = torch_map(w, b)
    right, down = ln.steps(out)
    np.testing.assert_allclose(np.diff(out, axis=1), np.full((3, 2), sum(w)), atol=1e-9)
    np.testing.assert_allclose([right, down], [sum(w), 4 * sum(w)], atol=1e-9)
    top, r2, d2 = ln.ramp_fit(out)
    np.testing.assert_allclose([top, r2, d2], [out[0, 0], sum(w), 4 * sum(w)], atol=1e-9)


def test_the_printed_maps_are_ramps_and_the_offered_kernel_reproduces_each():
    for which in (0, 1, 2):
        m = ln.printed(which)
        _, right, down = ln.ramp_fit(m)
        assert abs(down - 4 * right) < 5e-4, "the lesson's printed numbers step as a ramp must"
        k = ln.reproducing_kernel(m)
        out = torch_map(k)
        assert ln.matches(out, m) == 9, (which, out, m)
        assert ln.diagnose(k, out, m) == "ok"
        assert abs(ln.row_below(m) - m[1, 0]) <= ln.ANSWER_TOLERANCE


def test_a_wrong_kernel_is_diagnosed_by_what_is_wrong():
    m = ln.printed(0)
    good = ln.reproducing_kernel(m)
    wrong_sum = good + np.array([[0.01, 0.0], [0.0, 0.0]])  # every step off by 0.01
    assert ln.diagnose(wrong_sum, torch_map(wrong_sum), m) == "sum"
    # the same sum, moved between the weights: the steps stay, the top-left value moves
    moved = good + np.array([[0.02, -0.02], [0.0, 0.0]])
    out = torch_map(moved)
    np.testing.assert_allclose(ln.steps(out), ln.steps(torch_map(good)), atol=1e-12)
    assert ln.diagnose(moved, out, m) == "top"
    assert ln.matches(out, m) < 9


def test_prediction_mistakes_are_named():
    m = ln.printed(0)
    top, right, _ = ln.ramp_fit(m)
    assert ln.prediction_mistake(top + right, m) == "right"  # one step right instead of one row down
    assert ln.prediction_mistake(top + 2 * right, m) == "kernel"  # moved by the kernel's size
    assert ln.prediction_mistake(5.0, m) == "other"
