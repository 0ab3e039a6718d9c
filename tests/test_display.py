from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from convviz import display as dp
from convviz.report import to_csv, to_markdown
from convviz.samples import load_preset


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 70), st.integers(1, 9), st.integers(1, 9))
def test_tile_round_trip_and_locate(c, h, w):
    arr = np.random.default_rng(c).normal(size=(c, h, w)).astype(np.float32)
    mosaic, lay = dp.tile(arr)
    assert mosaic.shape == lay.size
    assert lay.rows * lay.cols >= c > (lay.rows - 1) * lay.cols
    for ch in {0, c // 2, c - 1}:
        oy, ox = lay.origin(ch)
        np.testing.assert_array_equal(mosaic[oy:oy + h, ox:ox + w], arr[ch])
        assert lay.locate(oy + h - 1, ox + w - 1) == (ch, h - 1, w - 1)
    assert np.isnan(mosaic).sum() == mosaic.size - arr.size


def test_levels_signed_and_unsigned():
    assert dp.levels_of(np.array([0.0, 2.0])) == dp.Levels(0.0, 2.0, False)
    assert dp.levels_of(np.array([-1.0, 3.0])) == dp.Levels(-3.0, 3.0, True)
    assert dp.levels_of(np.zeros(4)) == dp.Levels(0.0, 1.0, False)


def test_normalise_channels():
    a = np.stack([np.linspace(0, 1, 4).reshape(2, 2) * 10, np.full((2, 2), 3.0)]).astype(np.float32)
    n, signed = dp.normalise_channels(a)
    assert not signed and n[0].max() == 1 and n[0].min() == 0 and np.all(n[1] == 0)
    n, signed = dp.normalise_channels(a - 5)
    assert signed and np.abs(n).max() == 1


def test_table_exports():
    p = load_preset("lesson_padding")
    md = to_markdown(p)
    assert "| 0 | Conv2d(" in md and "`[1, 7, 7]`" in md and "(4 + 2*2 - 1*(2-1) - 1) // 1 + 1 = 7" in md
    csv = to_csv(p).splitlines()
    assert csv[0] == "#,Layer,Output shape,Params,MACs,Receptive field,Formula"
    assert csv[2].split(",")[0] == "0" and ",5,196,\"2x2, jump 1, offset -2\"," in csv[2]
