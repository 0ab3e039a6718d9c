"""The kernel stepper in the real window: the numbers it displays reproduce torch at every
position; step, scrub, play, pause, speed, clicks and exports work."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec

from .conftest import wait_maps

C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def stepper_on(make_window, layers, shape=(2, 6, 7), source="pattern:gradient", index=0):
    win = make_window(project=Project(InputSpec(*shape, source), tuple(layers)))
    assert win.show_stepper(index)
    return win, win.stepper


def walk_and_check(view):
    """Step through every position and channel, reading what the view displays."""
    m = view.slider_model
    for o in range(m.c_out):
        view.channel_spin.setValue(o)
        for t in range(m.positions):
            view.set_position(t)
            step = view.step
            assert (step.oy, step.ox) == m.position(t) and step.out_channel == o
            assert abs(step.value - step.expected) <= 1e-4 * max(1.0, abs(step.expected)), (t, o)
            # the equation text shows the same result
            assert view.equation.text().splitlines()[-1].endswith(f"{step.value:.4g}")


LAYERS = [
    C(out_channels=2, kernel_size=3, padding=2, dilation=2, padding_mode="reflect"),
    C(out_channels=2, kernel_size=4, padding="same", padding_mode="circular"),
    C(out_channels=4, kernel_size=(2, 3), stride=(2, 1), groups=2, padding=1, padding_mode="replicate"),
    LayerSpec.make("ConvTranspose2d", out_channels=2, kernel_size=3, stride=2, padding=1, output_padding=1),
    LayerSpec.make("MaxPool2d", kernel_size=3, stride=2, padding=1, ceil_mode=True),
    LayerSpec.make("AvgPool2d", kernel_size=2, stride=2, ceil_mode=True, count_include_pad=False),
    LayerSpec.make("DepthwiseSeparable", out_channels=3, kernel_size=3, padding=1, stride=2),
]


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.type)
def test_displayed_numbers_reproduce_torch(make_window, spec):
    win, view = stepper_on(make_window, [spec])
    walk_and_check(view)


def test_controls(make_window, qtbot):
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3)], shape=(1, 6, 6))
    assert view.slider_model.positions == 16
    view.step_forward()
    view.step_forward()
    assert view.t == 2 and view.scrub.value() == 2
    view.step_back()
    assert view.t == 1
    view.go_last()
    assert view.t == 15
    view.go_first()
    assert view.t == 0
    view.scrub.setValue(9)
    assert view.t == 9 and (view.step.oy, view.step.ox) == (2, 1)
    view.set_speed(60)
    assert view.timer.interval() == 17 and view.speed_label.text() == "60/s"
    view.set_speed(1)
    assert view.timer.interval() == 1000
    view.set_speed(50)
    view.go_first()
    view.play()
    assert view.playing
    qtbot.waitUntil(lambda: view.t >= 5, timeout=5000)
    view.pause()
    t = view.t
    qtbot.wait(100)
    assert not view.playing and view.t == t
    view.play()
    qtbot.waitUntil(lambda: not view.playing, timeout=5000)  # stops at the end
    assert view.t == 15
    # keyboard
    from ui.qt import Qt
    win.activateWindow()
    view.canvas.setFocus()
    qtbot.waitUntil(lambda: view.canvas.hasFocus(), timeout=2000)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Home)
    assert view.t == 0
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    assert view.t == 1
    qtbot.keyClick(view.canvas, Qt.Key.Key_End)
    assert view.t == 15
    qtbot.keyClick(view.canvas, Qt.Key.Key_Left)
    assert view.t == 14
    qtbot.keyClick(view.canvas, Qt.Key.Key_Space)
    assert view.playing
    view.pause()


def test_clicks_hover_and_flip(make_window):
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3, stride=2)], shape=(1, 8, 9))
    view.output_clicked(2, 1)
    assert (view.step.oy, view.step.ox) == (2, 1)
    out = view._items["output"]
    assert out.current == (2, 1)
    assert all(view.slider_model.index(r, c) > view.t for r, c in out.hidden)
    view.input_clicked(4, 0)  # padded coordinates = input coordinates here (no padding)
    assert out.marked == {(1, 0), (2, 0)}
    assert "feeds 2 output cells" in view.note.text()
    view.output_hovered(0, 3)
    assert view._items["inputs"][0].preview == {(r, c) for r in (0, 1, 2) for c in (6, 7, 8)}
    view.output_hovered(-1, -1)
    assert not view._items["inputs"][0].preview
    assert "drops" in view.note.text() and "1 row" in view.note.text()
    k = view.step.terms[0].weights
    view.flip.setChecked(True)
    np.testing.assert_array_equal(view._items["kernels"][0].values, k[::-1, ::-1])
    assert "cross-correlation" in view.note.text()


def test_padding_sources_shown(make_window):
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3, padding=1, padding_mode="reflect")],
                           shape=(1, 5, 5), source="pattern:lesson")
    gi = view._items["inputs"][0]
    assert gi.labels[(0, 0)] == "←1,1" and gi.labels[(0, 3)] == "←1,2"
    assert gi.values[0, 0] == 7.0  # lesson matrix: row 1, col 1 -> 7


def test_export_gif_and_png(make_window, qtbot, tmp_path):
    from PIL import Image
    win, view = stepper_on(make_window, [C(out_channels=2, kernel_size=3, padding=1)], shape=(3, 5, 5),
                           source="sample:astronaut")
    path = tmp_path / "anim.gif"
    n = view.export_gif(str(path))  # drawn here, encoded and written by a background job
    assert n == 25 and view.gif_job in win.runner.jobs("gif") and not win.jobs.isHidden()
    qtbot.waitUntil(lambda: not win.runner.jobs("gif"))
    assert view.gif_job.finished_ok
    with Image.open(path) as im:
        assert im.n_frames == 25
    n = view.export_gif(str(tmp_path / "part.gif"), start=3, count=7, wait=True)
    with Image.open(tmp_path / "part.gif") as im:
        assert n == 7 and im.n_frames == 7
    assert view.export_png(str(tmp_path / "frame.png"))
    with Image.open(tmp_path / "frame.png") as im:
        assert im.size[0] > 400


def test_real_size_layer_does_not_recompute(make_window, qtbot):
    win = make_window(preset="vgg16")
    computes = []
    win.session.result_ready.connect(lambda r: computes.append(r))
    assert win.show_stepper(2)
    view = win.stepper
    assert view.slider_model.c_in == 64 and view.slider_model.positions == 224 * 224
    for _ in range(30):
        view.step_forward()
    view.scrub.setValue(224 * 100 + 50)
    assert (view.step.oy, view.step.ox) == (100, 50)
    assert abs(view.step.value - view.step.expected) < 1e-3
    assert len(view.step.terms) == 64
    qtbot.wait(50)
    assert computes == [], "stepping reads computed numbers; it never asks the engine"


def test_stepper_follows_edits(make_window, qtbot):
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3)], shape=(1, 6, 6))
    win.edit_arg(0, "kernel_size", 2)
    wait_maps(qtbot, win)
    assert view.slider_model.kernel == (2, 2) and view.slider_model.positions == 25
    walk_and_check(view)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_layers_through_the_view(make_window, data):
    from test_sliding import valid_cases
    spec, shape = data.draw(st.one_of(valid_cases("Conv2d"), valid_cases("ConvTranspose2d"),
                                      valid_cases("MaxPool2d"), valid_cases("AvgPool2d")))
    spec = LayerSpec(spec.type, tuple(a for a in spec.args if a[0] != "in_channels"))
    win, view = stepper_on(make_window, [spec], shape=shape)
    walk_and_check(view)
