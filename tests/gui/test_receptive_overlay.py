"""Clicking a pixel draws its exact receptive field on the input and every map in between."""
from __future__ import annotations

import numpy as np

from convviz.project import InputSpec, Project
from convviz.receptive import exact, theoretical
from convviz.spec import LayerSpec

from .conftest import wait_maps

C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def drawn_cells(w):
    """(rows, cols) of channel 0's tile in the overlay as drawn (full resolution, step 1)."""
    mask = w.field_mask()
    sub = w._sub_layout
    oy, ox = sub.origin(0)
    tile = mask[oy:oy + sub.height, ox:ox + sub.width]
    return tile


def test_click_draws_the_exact_field_on_every_map(make_window, qtbot):
    layers = (C(out_channels=2, kernel_size=3, dilation=2), LayerSpec.make("ReLU"),
              C(out_channels=2, kernel_size=3, dilation=2, padding=1, padding_mode="circular"),
              LayerSpec.make("MaxPool2d", kernel_size=2))
    win = make_window(project=Project(InputSpec(1, 20, 20, "pattern:checkerboard"), layers))
    w3 = win.features.widget_for(3)
    w3.render()
    sy, sx = w3.scene_point(1, 3, 0)
    w3._on_click(sy + 0.5, sx + 0.5)  # layer 3, channel 1, pixel (3, 0)
    assert win.field == (3, 3, 0)
    sets = exact(win.info, 3, 3, 0)
    for s in sets:
        w = win.features.widget_for(s.layer)
        w.render()
        assert w.field == s
        assert w._step == 1
        want = np.zeros(w.array.shape[1:], bool)
        if s.rows and s.cols:
            want[np.ix_(s.rows, s.cols)] = True
        np.testing.assert_array_equal(drawn_cells(w), want)
        assert not w.field_label.isHidden()
    # the wrap-around of circular padding reaches the far edge of layer 1's map
    assert 15 in sets[2].cols and 5 not in sets[2].cols
    # the theoretical box is drawn (dashed) on the input
    assert not win.features.widget_for(-1).box_item.path().isEmpty()
    assert "pixels" in win.features.widget_for(-1).field_label.text()
    # layers after the clicked one have no overlay; Escape clears
    win.show_field(-1, 0, 0)
    assert all(w.field is None for w in win.features.widgets)


def test_dilation_gaps_are_drawn(make_window):
    layers = (C(out_channels=1, kernel_size=3, dilation=2), C(out_channels=1, kernel_size=3, dilation=2))
    win = make_window(project=Project(InputSpec(1, 20, 20, "pattern:gradient"), layers))
    assert win.show_field(1, 4, 4)
    w = win.features.widget_for(-1)
    w.render()
    cells = drawn_cells(w)
    assert np.nonzero(cells.any(1))[0].tolist() == [4, 6, 8, 10, 12] and cells.sum() == 25


def test_shift_hover_updates_live_and_edits_keep_it(make_window, qtbot):
    win = make_window(preset="dilated")
    w = win.features.widget_for(6)
    w.render()
    sy, sx = w.scene_point(0, 10, 10)
    w._on_shift_hover(sy + 0.5, sx + 0.5)
    assert win.field == (6, 10, 10)
    sy, sx = w.scene_point(0, 20, 21)
    w._on_shift_hover(sy + 0.5, sx + 0.5)
    assert win.field == (6, 20, 21)
    win.edit_arg(6, "dilation", 1)
    wait_maps(qtbot, win)
    assert win.field == (6, 20, 21)
    assert win.features.widget_for(-1).field == exact(win.info, 6, 20, 21)[0]


def test_effective_field_inside_the_exact_field(make_window, qtbot):
    win = make_window(preset="dilated")
    win.act_erf.setChecked(True)
    w = win.features.widget_for(4)
    w.render()
    sy, sx = w.scene_point(0, 30, 30)
    w._on_click(sy + 0.5, sx + 0.5)
    qtbot.waitUntil(lambda: win.erf is not None, timeout=30000)
    erf = win.erf
    s = exact(win.info, 4, 30, 30)[0]
    outside = np.ones(erf.shape, bool)
    outside[np.ix_(s.rows, s.cols)] = False
    assert erf[outside].max() == 0 and erf.max() > 0
    f = theoretical(win.info)[4]
    assert "theoretical field" in win.channel.title.text() and f"{f.size[0]}×{f.size[1]}" in win.channel.title.text()
