"""The kernel stepper in the real window: the numbers it displays reproduce torch at every
position; it reads on a projector (grids that fill the pane and zoom, one readable font, plain
decimals, 0-based labels); it follows the Layers list and never shows another project's numbers;
the max-pool winner, the unreached rows and the true convolution are drawn as they are; step,
scrub, play, clicks and exports work, and a GIF is written in the background, every frame."""
from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from convviz.project import InputSpec, Project
from convviz.sliding import cell_text, plain
from convviz.spec import LayerSpec

from .conftest import GatedEngine, wait_maps

C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def stepper_on(make_window, layers, shape=(2, 6, 7), source="pattern:gradient", index=0, **kw):
    win = make_window(project=Project(InputSpec(*shape, source), tuple(layers)), **kw)
    assert win.show_stepper(index)
    return win, win.stepper


def shown(view):
    """What the canvas paints now: the frame's grids and lines of text."""
    f = view.canvas.frame
    assert f is view.frame_data and view.canvas.layout_ is view.layout_
    return f


def check_displayed(view):
    """The numbers on screen for the step shown: each product is the window value times the
    kernel value beside it, each row's Σ and the total line are their sums, the output read is
    the one torch computed (step.expected), and every number is written in plain decimals."""
    m, step, f = view.slider_model, view.step, shown(view)
    assert abs(step.value - step.expected) <= 1e-4 * max(1.0, abs(step.expected)), (view.t, view.out_channel)
    for key, g in f.grids.items():
        for r in range(g.values.shape[0]):
            for c in range(g.values.shape[1]):
                text = g.text(r, c)
                assert "e" not in text and "E" not in text, text
                if text:
                    assert text == cell_text(g.values[r, c])
    rows = [k for k in f.grids if k.startswith("input/")]
    for key in rows:
        r = int(key.split("/")[1])
        g = f.grids[key]
        if m.op == "sum":
            window = np.array([[g.values[a - g.origin[0], b - g.origin[1]] for b in step.tap_x] for a in step.tap_y])
            k, p = f.grids[f"kernel/{r}"].values, f.grids[f"products/{r}"].values
            np.testing.assert_array_equal(p, window * k)
            assert f.texts[f"partial/{r}"] == f"Σ = {plain(p.sum(), 3)}"
        elif m.op == "max":  # the outlined winner holds the maximum of the window's real pixels
            assert g.winner is not None
            assert abs(g.values[g.winner] - step.value) <= 1e-5 * max(1, abs(step.value))
            assert g.winner in g.taps and not g.hatched[g.winner]
    assert f.texts["total"].split("  →  ")[0].endswith(plain(step.value, 3))
    assert view.equation.text().splitlines()[-1].endswith(plain(step.value))


def walk_and_check(view):
    """Step through every position and channel, reading what the view displays."""
    m = view.slider_model
    for o in range(m.c_out):
        view.channel_spin.setValue(o)
        for t in range(m.positions):
            view.set_position(t)
            step = view.step
            assert (step.oy, step.ox) == m.position(t) and step.out_channel == o
            check_displayed(view)


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
    assert view.pos_label.text() == "output (2, 1) · step 9 of 16"  # steps counted from 0, as rows and columns
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


def cell_centre(view, key, r, c):
    from ui.qt import QtCore
    x, y, w, h = view.layout_.grid_rect(key)
    b = view.layout_.geo.grids[key]
    cw = b.aspect * view.cell
    return QtCore.QPoint(int(x + (c + 0.5) * cw), int(y + (r + 0.5) * view.cell))


def test_clicks_hover_and_flip(make_window, qtbot):
    from ui.qt import Qt
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3, stride=2)], shape=(1, 8, 9))
    out = shown(view).grids["output"]
    # a real click on output cell (2, 1) of the canvas
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=cell_centre(view, "output", 2 - out.origin[0],
                                                                               1 - out.origin[1]))
    assert (view.step.oy, view.step.ox) == (2, 1)
    out = shown(view).grids["output"]
    assert out.current == (2 - out.origin[0], 1 - out.origin[1])
    hidden = {(r + out.origin[0], c + out.origin[1]) for r, c in zip(*np.nonzero(out.hidden))}
    assert hidden and all(view.slider_model.index(r, c) > view.t for r, c in hidden)
    view.input_clicked(4, 0)  # padded coordinates = input coordinates here (no padding)
    out = shown(view).grids["output"]
    assert {(r + out.origin[0], c + out.origin[1]) for r, c in out.marked} == {(1, 0), (2, 0)}
    assert "feeds 2 output cells" in view.note.text()
    view.output_hovered(0, 3)
    g = shown(view).grids["input/0"]
    assert {(r + g.origin[0], c + g.origin[1]) for r, c in g.preview} == {(r, c) for r in (0, 1, 2) for c in (6, 7, 8)} \
        & {(r + g.origin[0], c + g.origin[1]) for r in range(g.values.shape[0]) for c in range(g.values.shape[1])}
    view.output_hovered(-1, -1)
    assert not shown(view).grids["input/0"].preview
    assert "drops" in view.note.text() and "1 row" in view.note.text()
    k = view.step.terms[0].weights
    view.flip.setChecked(True)
    np.testing.assert_array_equal(shown(view).grids["kernel/0"].values, k[::-1, ::-1])
    assert "rotated by 180°" in view.note.text()
    check_displayed(view)


def test_padding_sources_shown(make_window):
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3, padding=1, padding_mode="reflect")],
                           shape=(1, 5, 5), source="pattern:lesson")
    gi = shown(view).grids["input/0"]
    assert gi.origin == (0, 0)
    assert gi.sources[(0, 0)] == "←1,1" and gi.sources[(0, 3)] == "←1,2"
    assert gi.values[0, 0] == 7.0  # lesson matrix: row 1, col 1 -> 7
    assert not gi.hatched[0, 0]  # a copied pixel, not a zero


# --- reads on a projector -------------------------------------------------------------------------

def ink_rows(img, rect) -> int:
    """Height in pixels of the dark (text) pixels inside ``rect`` of a QImage."""
    from ui.stepper.paint import to_rgb
    a = to_rgb(img).astype(int)
    x, y, w, h = (int(v) for v in rect)
    cell = a[y + 2:y + h - 2, x + 2:x + w - 2]
    dark = cell.sum(axis=2) < 3 * 100
    rows = np.flatnonzero(dark.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def test_grids_fill_the_pane_with_readable_numbers_and_zoom(make_window, qtbot):
    from ui.qt import QtCore, QtGui, Qt
    from ui.stepper.frame import MIN_CELL
    win = make_window(preset="teaching")
    win.resize(1600, 1000)
    assert win.show_stepper(0)
    view = win.stepper
    qtbot.waitUntil(lambda: view.layout_ is not None and view.canvas.frame is not None)
    qtbot.wait(50)
    pane = view.scroll.maximumViewportSize()
    w, h = view.layout_.size
    # it fills the pane (one side within a few pixels) and needs no scrolling
    assert w <= pane.width() and h <= pane.height()
    assert max(w / pane.width(), h / pane.height()) > 0.95, (w, h, pane)
    assert view.cell >= MIN_CELL
    # every grid's numbers are one size, at least 12 px; the digits drawn are at least 8 px tall
    for kind in ("input", "kernel", "products", "output"):
        assert view.layout_.number_px(kind) >= 12
    img = view.canvas.grab().toImage()
    g = shown(view).grids["input/0"]
    r, c = [(r, c) for r in range(g.values.shape[0]) for c in range(g.values.shape[1])
            if not g.hatched[r, c] and g.text(r, c) not in ("", "0")][0]
    x, y, cw, ch = view.layout_.grid_rect("input/0")
    a = view.layout_.geo.grids["input/0"].aspect
    assert ink_rows(img, (x + c * a * view.cell, y + r * view.cell, a * view.cell, view.cell)) >= 8
    # zoom: the buttons, Ctrl+wheel and Fit
    fit = view.cell
    view.zoom_in_button.click()
    assert view.cell == pytest.approx(fit * 1.25)
    wheel = QtGui.QWheelEvent(QtCore.QPointF(20, 20), view.canvas.mapToGlobal(QtCore.QPointF(20, 20)),
                              QtCore.QPoint(0, 0), QtCore.QPoint(0, 120), Qt.MouseButton.NoButton,
                              Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets = __import__("ui.qt", fromlist=["QtWidgets"]).QtWidgets
    QtWidgets.QApplication.sendEvent(view.canvas, wheel)
    assert view.cell == pytest.approx(fit * 1.25 ** 2)
    assert view.layout_.number_px("input") > 14
    view.zoom_out_button.click()
    view.zoom_out_button.click()
    view.zoom_out_button.click()
    assert view.cell == pytest.approx(fit / 1.25)
    view.zoom_fit_button.click()
    assert view.cell == pytest.approx(fit)
    # a larger pane: the grids grow with it (larger cells, or more rows and cells at least as large)
    area = w * h
    win.resize(1900, 1150)
    qtbot.waitUntil(lambda: view.layout_.size[0] * view.layout_.size[1] > area * 1.1 and view.cell >= fit - 1e-6,
                    timeout=5000)


def test_what_reaches_the_screen_after_steps_is_the_frame(make_window, qtbot):
    """Steps repaint only the grids that changed; the pixels on screen are still the whole frame."""
    from ui.qt import QtCore, QtGui, QtWidgets
    from ui.stepper.paint import render, to_rgb
    win, view = stepper_on(make_window, [C(out_channels=2, kernel_size=3, padding=1)], shape=(3, 12, 12),
                           source="sample:astronaut")
    for _ in range(17):
        view.step_forward()
        QtWidgets.QApplication.processEvents()
    view.output_hovered(3, 4)
    QtWidgets.QApplication.processEvents()
    screen = QtGui.QGuiApplication.primaryScreen().grabWindow(win.winId()).toImage()
    # the part of the canvas the pane shows (all of it, or what is scrolled into view)
    vp = view.scroll.viewport()
    seen = view.canvas.rect().intersected(QtCore.QRect(view.canvas.mapFrom(vp, QtCore.QPoint(0, 0)), vp.size()))
    assert seen.width() > 200 and seen.height() > 200
    at = view.canvas.mapTo(win, seen.topLeft())
    shot = to_rgb(screen.copy(at.x(), at.y(), seen.width(), seen.height())).astype(int)
    want = to_rgb(render(view.canvas.painter, view.frame_data, view.layout_).copy(seen)).astype(int)
    assert shot.shape == want.shape
    assert np.abs(shot - want).max(axis=2).mean() < 1.0


def test_a_wide_kernel_fits_the_pane(make_window, qtbot):
    """TextCNN's kernel spans the whole embedding: the products go under it, nothing scrolls."""
    from ui.stepper.frame import FLOOR_CELL
    win, view = stepper_on(make_window, [C(out_channels=2, kernel_size=(3, 8))], shape=(1, 10, 8),
                           source="pattern:embedding")
    win.resize(1600, 1000)
    qtbot.waitUntil(lambda: view.shape is not None and view.shape.stacked)
    pane = view.scroll.maximumViewportSize()
    w, h = view.layout_.size
    assert w <= pane.width() and h <= pane.height() and view.cell >= FLOOR_CELL
    check_displayed(view)


def test_labels_are_zero_based_in_the_stepper_and_the_kernel_editor(make_window):
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3)], shape=(1, 6, 6))
    f = shown(view)
    assert f.grids["kernel/0"].origin == (0, 0) and f.grids["input/0"].origin == (0, 0)
    assert view.layout_.geo.grids["kernel/0"].col_labels and view.layout_.geo.grids["kernel/0"].row_labels
    grid = win.layers.kernel.grid
    assert [grid.horizontalHeaderItem(i).text() for i in range(grid.columnCount())] == ["0", "1", "2"]
    assert [grid.verticalHeaderItem(i).text() for i in range(grid.rowCount())] == ["0", "1", "2"]


def test_follows_the_layers_list_and_each_project_starts_at_step_zero(make_window, qtbot):
    from convviz.samples import load_preset
    engine = GatedEngine(hold_after=0)
    engine.release()
    win = make_window(preset="teaching", engine=engine)
    view = win.stepper
    win.layers.select(3)
    win.tabs.setCurrentWidget(win.stepper)  # the tab, as a click on it does
    assert view.layer_index == 3 and view.t == 0 and view.slider_model.c_in == 8
    view.step_forward()
    view.step_forward()
    win.layers.select(6)
    assert view.layer_index == 6 and view.t == 0
    view.go_last()
    # choosing in the stepper selects in the Layers list
    view.layer_combo.setCurrentIndex(view.layer_combo.findData(0))
    view.layer_combo.activated.emit(view.layer_combo.currentIndex())
    assert view.layer_index == 0 and win.layers.current() == 0 and view.t == 0
    # a layer with no window (ReLU): the stepper stays and says so
    win.layers.select(1)
    assert view.layer_index == 0 and "no sliding window" in view.note.text()
    win.layers.select(0)
    view.set_position(40)
    # another project: the old numbers go at once, the new ones start at step 0
    engine.gate.clear()
    win.set_project(load_preset("lenet5"), None)
    qtbot.waitUntil(lambda: engine.held.is_set(), timeout=30_000)
    assert view.slider_model is None and view.canvas.frame is None, "the previous project's numbers are still shown"
    assert "Computing" in view.canvas.message
    engine.release()
    wait_maps(qtbot, win)
    qtbot.waitUntil(lambda: view.slider_model is not None)
    assert view.t == 0 and view.layer_index == win.layers.current() == 0
    assert view.slider_model.x is win.session.map(-1) and view.slider_model.y is win.session.map(0)
    # an edit of the layer shown keeps the step; its numbers are the new ones
    view.set_position(5)
    win.edit_arg(0, "out_channels", 4)
    wait_maps(qtbot, win)
    assert view.slider_model.y is win.session.map(0) and view.slider_model.c_out == 4 and view.t == 5


def test_max_pool_winner_is_outlined(make_window, qtbot):
    from ui.stepper.paint import WINNER, to_rgb
    win, view = stepper_on(make_window, [LayerSpec.make("MaxPool2d", kernel_size=3, stride=2)], shape=(1, 7, 7),
                           source="pattern:gradient")
    view.set_position(4)
    st_ = view.step
    g = shown(view).grids["input/0"]
    want = (int(st_.tap_y[st_.argmax[0]]) - g.origin[0], int(st_.tap_x[st_.argmax[1]]) - g.origin[1])
    assert g.winner == want
    img = to_rgb(view.canvas.grab().toImage())
    x, y, _, _ = view.layout_.grid_rect("input/0")
    cw = view.layout_.geo.grids["input/0"].aspect * view.cell
    c = view.cell
    cell = img[int(y + want[0] * c) + 2:int(y + (want[0] + 1) * c) - 2, int(x + want[1] * cw) + 2:int(x + (want[1] + 1) * cw) - 2]
    orange = np.array([int(WINNER[i:i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(cell.astype(int) - orange).sum(axis=2) < 30).sum() > 4 * c, "the winner's outline is not on screen"


def test_every_unreached_row_and_column_is_shaded_interior_ones_too(make_window):
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=2, stride=3)], shape=(1, 8, 8))
    unreached = {2, 5}  # taps 0,1 3,4 6,7: the stride 3 steps over rows and columns 2 and 5
    seen = set()
    for t in range(view.slider_model.positions):
        view.set_position(t)
        g = shown(view).grids["input/0"]
        for r in range(g.values.shape[0]):
            for c in range(g.values.shape[1]):
                y, x = r + g.origin[0], c + g.origin[1]
                assert g.dim[r, c] == (y in unreached or x in unreached), (y, x)
                if g.dim[r, c]:
                    seen |= {y, x} & unreached
    assert seen == unreached
    assert "between windows" in view.note.text()


def test_true_convolution_shows_what_it_multiplies(make_window, qtbot):
    """With the flip on, every product on screen is the window value times the kernel value
    beside it, and the output is torch's layer with its kernels rotated (the oracle)."""
    import torch

    from test_sliding import valid_cases
    from torch_oracle import build
    win = make_window(project=Project(InputSpec(1, 5, 5, "pattern:gradient"), (C(out_channels=1, kernel_size=2),)))
    view = win.stepper

    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(valid_cases("Conv2d"), valid_cases("ConvTranspose2d"), valid_cases("DepthwiseSeparable")))
    def check(case):
        spec, shape = case
        spec = LayerSpec(spec.type, tuple(a for a in spec.args if a[0] != "in_channels"))
        win.set_project(Project(InputSpec(*shape, "pattern:gradient"), (spec,)), None)
        wait_maps(qtbot, win)
        assert win.show_stepper(0)
        view.flip.setChecked(True)
        s = win.session
        x = torch.from_numpy(np.array(s.map(-1)))[None]
        m = build(spec, shape[0]).eval()
        layer = m[0] if spec.type == "DepthwiseSeparable" else m
        with torch.no_grad():
            for p, v in zip(layer.parameters(), s.result.weights[0]):
                t = torch.from_numpy(np.array(v))
                p.copy_(t.flip(-1, -2) if t.dim() == 4 else t)
            want = layer(x)[0].numpy()
        mdl = view.slider_model
        assert mdl.flipped
        for o in range(mdl.c_out):
            view.channel_spin.setValue(o)
            for t in range(mdl.positions):
                view.set_position(t)
                check_displayed(view)
                assert abs(view.step.value - want[o][mdl.position(t)]) <= 1e-4 * max(1.0, abs(want[o][mdl.position(t)]))
        view.flip.setChecked(False)
    check()


@pytest.fixture
def zh(qtbot):
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    install(app, "zh_CN")
    yield app
    install(app, "en")


def test_stepper_words_in_chinese(make_window, qtbot, zh):
    """The words the canvas draws (titles, "ch", "bias", sums, notes) are Chinese in the Chinese
    UI; only torch's identifiers and numbers stay."""
    from .test_language import allowed_words, english_words
    allowed = allowed_words()
    win = make_window(project=Project(InputSpec(3, 9, 9, "sample:astronaut"),
                                      (C(out_channels=2, kernel_size=2, stride=3), LayerSpec.make("MaxPool2d", kernel_size=2))))
    win.resize(1600, 1000)
    assert win.show_stepper(0)
    view = win.stepper
    texts = view.canvas.painted_texts() + [view.note.text(), view.pos_label.text()] + view.equation.text().splitlines()
    view.flip.setChecked(True)
    texts += view.canvas.painted_texts() + [view.note.text()]
    assert win.show_stepper(1)
    texts += view.canvas.painted_texts() + [view.note.text()]
    assert any("偏置" in t for t in texts) and any("通道" in t for t in texts)
    found = sorted({w for t in texts for w in english_words(t, allowed)})
    assert not found, found


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
    check_displayed(view)
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


# --- export -----------------------------------------------------------------------------------------

def test_png_export(make_window, tmp_path):
    from PIL import Image
    win, view = stepper_on(make_window, [C(out_channels=2, kernel_size=3, padding=1)], shape=(3, 5, 5),
                           source="sample:astronaut")
    assert view.export_png(str(tmp_path / "frame.png"))
    with Image.open(tmp_path / "frame.png") as im:
        assert im.size == view.plan().size and im.size[0] >= view.layout_.size[0]


def test_gif_writes_every_frame_in_the_background(make_window, qtbot, tmp_path, monkeypatch):
    from PIL import Image

    from ui.qt import QtCore
    from ui.stepper import gif
    win, view = stepper_on(make_window, [C(out_channels=2, kernel_size=3, padding=1)], shape=(3, 12, 12),
                           source="sample:astronaut")
    threads = []
    image = gif.FramePlan.image

    def recording(self, t):
        threads.append(threading.get_ident())
        return image(self, t)
    monkeypatch.setattr(gif.FramePlan, "image", recording)
    seen = []  # (fraction) each time the GUI's timer fires while the GIF is being written
    timer = QtCore.QTimer()
    timer.setInterval(2)
    timer.timeout.connect(lambda: seen.append(view.gif_progress.value()) if view.gif_job is not None
                          and view.gif_job in win.runner.jobs("gif") else None)
    timer.start()
    path = tmp_path / "anim.gif"
    n = view.export_gif(str(path), start=7, count=60)
    assert n == 60 and view.gif_job in win.runner.jobs("gif") and not view.gif_bar.isHidden()
    qtbot.waitUntil(lambda: not win.runner.jobs("gif"), timeout=120_000)
    timer.stop()
    assert view.gif_job.finished_ok and view.gif_bar.isHidden()
    with Image.open(path) as im:
        assert im.n_frames == 60 and im.size == view.gif_plan.size
        for k in (0, 1, 30, 59):  # each frame, decoded, is the step it stands for
            im.seek(k)
            assert im.info.get("duration") == 250  # 4 steps a second
            got = np.asarray(im.convert("RGB"), dtype=int)
            want = image(view.gif_plan, 7 + k)
            from ui.stepper.paint import to_rgb
            want = to_rgb(want).astype(int)
            assert np.abs(got - want).mean() < 3, k
    assert threads and threading.get_ident() not in threads, "frames were rendered on the GUI thread"
    assert len({v for v in seen if 0 < v < 1000}) >= 3, "the window did not answer while the GIF was written"
    assert not os.path.exists(f"{path}.part")


def test_gif_cancel_leaves_no_file(make_window, qtbot, tmp_path):
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3, padding=1)], shape=(3, 40, 40),
                           source="sample:astronaut")
    path = tmp_path / "long.gif"
    view.export_gif(str(path))  # all 1,600 steps
    qtbot.waitUntil(lambda: view.gif_progress.value() > 0, timeout=60_000)
    assert os.path.exists(f"{path}.part")
    view.gif_cancel.click()
    qtbot.waitUntil(lambda: not win.runner.jobs("gif"), timeout=30_000)
    assert not view.gif_job.finished_ok
    assert not os.path.exists(path) and not os.path.exists(f"{path}.part")


def test_closing_the_window_while_a_gif_is_written_leaves_no_file(make_window, qtbot, tmp_path):
    from .conftest import settle
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3, padding=1)], shape=(3, 40, 40),
                           source="sample:astronaut")
    path = tmp_path / "closed.gif"
    view.export_gif(str(path))
    qtbot.waitUntil(lambda: view.gif_progress.value() > 0, timeout=60_000)
    win.close()
    assert not settle()
    assert not os.path.exists(path) and not os.path.exists(f"{path}.part")


def test_a_stopped_compute_says_so(make_window, qtbot):
    engine = GatedEngine(hold_after=0)
    engine.release()
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3)], shape=(1, 6, 6), engine=engine)
    engine.gate.clear()
    win.edit_arg(0, "kernel_size", 2)
    qtbot.waitUntil(lambda: engine.held.is_set(), timeout=30_000)
    assert view.slider_model is None and "Computing layer 0" in view.canvas.message
    win.session.stop()
    assert view.slider_model is None and "F5" in view.canvas.message
    engine.release()


def test_gif_dialog_estimates_the_file_before_writing(make_window, qtbot, tmp_path):
    from PIL import Image

    from ui.stepper.gif import GifDialog
    win, view = stepper_on(make_window, [C(out_channels=1, kernel_size=3, padding=1)], shape=(3, 16, 16),
                           source="sample:astronaut")
    dlg = GifDialog(view)
    qtbot.addWidget(dlg)
    assert (dlg.start, dlg.count) == (0, 256)  # every step by default
    dlg.from_spin.setValue(10)
    dlg.to_spin.setValue(49)
    dlg.size_combo.setCurrentIndex(dlg.size_combo.findData(0.5))
    assert (dlg.start, dlg.count, dlg.scale) == (10, 40, 0.5)
    assert "40 frames" in dlg.frames_label.text()
    qtbot.waitUntil(lambda: dlg.estimate_bytes is not None, timeout=30_000)
    assert "KB" in dlg.estimate_label.text() or "MB" in dlg.estimate_label.text()
    path = tmp_path / "est.gif"
    assert view.export_gif(str(path), start=dlg.start, count=dlg.count, plan=dlg.plan, wait=True) == 40
    size = path.stat().st_size
    assert size / 2 <= dlg.estimate_bytes <= size * 2, (dlg.estimate_bytes, size)
    with Image.open(path) as im:
        assert im.n_frames == 40
        w, h = dlg.base.size
        assert abs(im.size[0] - w / 2) <= 2 and abs(im.size[1] - h / 2) <= 2 and im.size == dlg.plan.size
    dlg.reject()


def test_gif_writer_streams_each_frame_as_it_comes(tmp_path):
    """The writer puts each frame in the file before the next is made: memory holds one frame."""
    from PIL import Image

    from ui.stepper.gif import GifWriter
    rng = np.random.default_rng(0)
    path = tmp_path / "s.gif"
    sizes = []
    with open(path, "wb") as fp:
        w = GifWriter(fp, 40, 30, bytes(range(256)) * 3, 50)
        for k in range(30):
            a = np.zeros((30, 40), np.uint8)
            a[k % 30, :] = rng.integers(0, 256, 40)
            w.add(a)
            fp.flush()
            sizes.append(os.path.getsize(path))
        w.close()
    assert all(b > a for a, b in zip(sizes, sizes[1:]))
    with Image.open(path) as im:
        assert im.n_frames == 30 and im.size == (40, 30)
