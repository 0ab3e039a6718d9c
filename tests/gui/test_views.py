"""The maps as the learner sees them (issue 12, items 1 and 5), through the real window: the view
stays where the learner looks, and every number on screen is the map's real value.

Values are checked against torch (tests/gui/oracle.py) and colours against pyqtgraph's own
colour maps, never against the code that draws them."""
from __future__ import annotations

import numpy as np
import pytest

from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec

from .conftest import GatedEngine, wait_maps
from .oracle import torch_forward

C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def qt():
    from ui.qt import QtCore, QtGui, QtWidgets, Qt
    return QtCore, QtGui, QtWidgets, Qt


def deep_project(n: int = 8) -> Project:
    """A column of maps taller than the window: a deep layer is far down."""
    return Project(InputSpec(1, 24, 24, "pattern:checkerboard"),
                   tuple(C(out_channels=2, kernel_size=3, padding=1) for _ in range(n)))


def settle_layout():
    QtCore, _, QtWidgets, _ = qt()
    for _ in range(3):
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest)
        QtWidgets.QApplication.processEvents()


def y_in_view(win, w) -> int:
    """Where panel ``w`` is in the scroll area's viewport (what the learner sees move)."""
    QtCore = qt()[0]
    return w.mapTo(win.features.viewport(), QtCore.QPoint(0, 0)).y()


def show_layer(win, qtbot, index: int):
    """Scroll so layer ``index`` is in view, rendered; returns its panel."""
    w = win.features.widget_for(index)
    win.features.ensureWidgetVisible(w, 0, 0)
    settle_layout()
    w.render_if_dirty()
    assert w.drawn is not None
    return w


def pointer(w, ch, y, x):
    """The point over the centre of pixel (ch, y, x) in the panel's plot viewport (where a mouse
    would be), from the drawn mosaic's own mapping."""
    QtCore = qt()[0]
    sy, sx = w.scene_point(ch, y + 0.5, x + 0.5)
    return w.graphics.mapFromScene(w.view.mapViewToScene(QtCore.QPointF(sx, sy)))


def hover(qtbot, w, at, until, shift=False):
    """Move the mouse over point ``at`` of panel ``w``'s plot until ``until()`` (pyqtgraph
    passes on at most 60 hover events a second, so the move is repeated while waiting)."""
    QtCore, QtGui, QtWidgets, Qt = qt()
    vp = w.graphics.viewport()
    mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier

    def move():
        ev = QtGui.QMouseEvent(QtCore.QEvent.Type.MouseMove, QtCore.QPointF(at), QtCore.QPointF(vp.mapToGlobal(at)),
                               Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, mods)
        QtWidgets.QApplication.sendEvent(vp, ev)
        return until()
    qtbot.waitUntil(move, timeout=5000)


def panel_under(win, w, vp_point):
    """The layer panel under a point of ``w``'s plot viewport, as Qt finds it now."""
    from ui.feature_view import LayerMapWidget
    area = win.features.viewport()
    hit = area.childAt(w.graphics.viewport().mapTo(area, vp_point))
    while hit is not None and not isinstance(hit, LayerMapWidget):
        hit = hit.parentWidget()
    return hit


# --- item 1: the view stays where the learner is looking ----------------------------------------

def test_clicking_a_deep_map_leaves_it_under_the_pointer(make_window, qtbot):
    _, _, _, Qt = qt()
    win = make_window(project=deep_project())
    w = show_layer(win, qtbot, 6)
    before = y_in_view(win, w)
    at = pointer(w, 1, 11, 13)
    qtbot.mouseClick(w.graphics.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert win.field == (6, 11, 13), "a real click shows the field of the pixel under the pointer"
    settle_layout()
    assert all(win.features.widget_for(i).field is not None for i in range(-1, 7))
    assert y_in_view(win, w) == before, "showing a receptive field moved the clicked map"
    assert panel_under(win, w, at) is w


def test_shift_hover_keeps_tracking_the_same_layer(make_window, qtbot):
    win = make_window(project=deep_project())
    w = show_layer(win, qtbot, 5)
    seen = []
    for (y, x) in ((3, 4), (12, 9), (20, 22)):
        at = pointer(w, 1, y, x)
        hover(qtbot, w, at, lambda want=(5, y, x): win.field == want, shift=True)
        settle_layout()
        seen.append(win.field)
        assert panel_under(win, w, at) is w, "the traced map moved away from under the pointer"
    assert seen == [(5, 3, 4), (5, 12, 9), (5, 20, 22)]


def test_a_dock_change_keeps_the_map_in_view(make_window, qtbot):
    QtWidgets = qt()[2]
    win = make_window(project=Project(InputSpec(1, 24, 24, "pattern:checkerboard"),
                                      tuple(C(out_channels=3, kernel_size=3, padding=1) for _ in range(8))))
    w = show_layer(win, qtbot, 5)
    qtbot.mouseClick(w.graphics.viewport(), qt()[3].MouseButton.LeftButton, pos=pointer(w, 0, 5, 5))
    settle_layout()
    before = y_in_view(win, w)
    h0 = w.graphics.height()
    for name in ("inputDock", "layersDock"):  # wider maps: every plot above gets taller
        win.findChild(QtWidgets.QDockWidget, name).hide()
    qtbot.waitUntil(lambda: w.graphics.height() != h0)
    settle_layout()
    assert y_in_view(win, w) == before


def test_a_click_does_not_cover_an_open_chapter(make_window, qtbot):
    _, _, QtWidgets, Qt = qt()
    win = make_window(preset="lesson_4x4_two_kernels")
    win.open_walkthrough(0)
    settle_layout()
    lesson = win.findChild(QtWidgets.QDockWidget, "walkthroughDock")
    channel = win.findChild(QtWidgets.QDockWidget, "channelDock")
    assert lesson.isVisible()
    w = show_layer(win, qtbot, -1)
    qtbot.mouseClick(w.graphics.viewport(), Qt.MouseButton.LeftButton, pos=pointer(w, 0, 1, 2))
    settle_layout()
    assert win.field == (-1, 1, 2) or win.channel.key == (-1, 0)
    assert lesson.isVisible() and not lesson.visibleRegion().isEmpty(), "the Channel tab covered the chapter"
    assert win.channel.key == (-1, 0), "the channel is still enlarged, behind the chapter"
    lesson.hide()
    w = show_layer(win, qtbot, 0)
    qtbot.mouseClick(w.graphics.viewport(), Qt.MouseButton.LeftButton, pos=pointer(w, 1, 0, 0))
    assert channel.isVisible() and win.channel.key == (0, 1), "with no chapter open, a click brings the channel"


def image_on_screen(view, shape):
    """The rectangle (x, y, w, h) the channel's image covers in its plot, in pixels."""
    QtCore = qt()[0]
    h, w = shape
    poly = view.graphics.mapFromScene(view.view.mapViewToScene(QtCore.QRectF(0, 0, w, h)))
    r = poly.boundingRect()
    return r.width(), r.height()


@pytest.mark.parametrize("what", ["channel", "effective field"])
def test_the_enlarged_view_refits_and_stays_readable(make_window, qtbot, what):
    _, _, QtWidgets, Qt = qt()
    win = make_window(project=Project(InputSpec(1, 20, 20, "pattern:gradient"),
                                      (C(out_channels=2, kernel_size=3), C(out_channels=2, kernel_size=3))))
    dock = win.findChild(QtWidgets.QDockWidget, "channelDock")
    if what == "channel":
        win.enlarge_channel(0, 1)
        shape = (18, 18)
    else:
        win.act_erf.setChecked(True)
        win.pixel_clicked(1, 0, 8, 8)
        qtbot.waitUntil(lambda: win.erf is not None, timeout=30000)
        shape = (20, 20)
    view = win.channel
    plot = view.graphics
    win.resizeDocks([dock], [40], Qt.Orientation.Horizontal)  # squeezed
    settle_layout()
    assert plot.width() >= 150 and plot.height() >= 150, "the enlarged view shrank below a readable size"
    for width in (420, 260, 520):
        win.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        settle_layout()
        iw, ih = image_on_screen(view, shape)
        side = min(plot.width(), plot.height())
        assert min(iw, ih) >= 0.85 * side, f"the view kept an old fit: image {iw}x{ih} in a {side} px plot"
    win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)  # moved: another shape, refitted
    settle_layout()
    assert plot.width() >= 150 and plot.height() >= 150
    assert min(image_on_screen(view, shape)) >= 0.85 * min(plot.width(), plot.height())


def test_start_up_shows_the_final_layout_before_the_maps(make_window, qtbot):
    engine = GatedEngine(hold_after=0)
    win = make_window(preset="teaching", engine=engine, wait=False)
    qtbot.waitUntil(engine.held.is_set, timeout=60000)
    settle_layout()
    panels = win.features.widgets
    assert len(panels) == len(win.project.layers) + 1
    before = [(w.y(), w.height(), w.graphics.height()) for w in panels]
    engine.release()
    wait_maps(qtbot, win)
    settle_layout()
    after = [(w.y(), w.height(), w.graphics.height()) for w in panels]
    assert after == before, "the panels moved when the maps arrived"


def test_the_window_appears_with_its_project(qtbot, monkeypatch):
    """run_gui sets the project before the window is first shown: no empty default state first."""
    import types

    from ui import app as app_mod
    from ui.main_window import MainWindow
    seen, windows = [], []
    real_show = MainWindow.show

    def show(self):
        seen.append((len(self.project.layers), [w.graphics.height() for w in self.features.widgets]))
        windows.append(self)
        real_show(self)
    monkeypatch.setattr(MainWindow, "show", show)
    args = types.SimpleNamespace(self_test=True, project="preset:lesson_4x4_two_kernels", screenshot=None,
                                 lang="en", walkthrough=False)
    assert app_mod.run_gui(args) == 0
    for w in windows:  # closed by the self-test; the process would end here
        w.deleteLater()
    windows.clear()
    n, heights = seen[0]
    assert n == 1, "the window was shown before its project"
    assert heights and all(h != 180 for h in heights), "the panels had a default height when first shown"


def test_another_project_clears_the_receptive_field(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    assert win.show_field(0, 1, 1)
    assert win.features.widget_for(-1).field is not None
    win.open_preset("lesson_4x4_two_kernels")  # the same pixel exists there
    wait_maps(qtbot, win)
    assert win.field is None
    assert all(w.field is None and w.field_label.isHidden() for w in win.features.widgets)


# --- item 5: honest numbers on screen -----------------------------------------------------------

def plain3(v: float, digits: int = 3) -> str:
    """The issue's number format, written out here: 2-3 significant digits, plain decimals."""
    import math
    if v == 0:
        return "0"
    s = f"{v:.{max(0, digits - 1 - math.floor(math.log10(abs(v))))}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def expected_range(a: np.ndarray, signed: bool) -> tuple[float, float]:
    if signed:
        m = float(np.abs(a).max())
        return -m, m
    return float(a.min()), float(a.max())


def test_colour_bars_are_in_real_values_in_every_mode(make_window, qtbot):
    _, _, _, Qt = qt()
    win = make_window(preset="lesson_4x4_two_kernels")
    want = torch_forward(win.project)[0]  # (2, 3, 3)
    signed = bool(want.min() < 0)
    inp = win.features.widget_for(-1)
    w = win.features.widget_for(0)
    for mode in ("channel", "layer", "global"):
        win.set_normalisation(mode)
        w.render()
        if mode == "channel":
            for ch in (1, 0):
                hover(qtbot, w, pointer(w, ch, 1, 1),
                      lambda ch=ch: w.bar.levels() == pytest.approx(expected_range(want[ch], signed), rel=1e-5))
                assert w.bar.caption()[-1].endswith(str(ch))
            assert "per channel" in w.bar.caption()[0]
        else:
            assert w.bar.levels() == pytest.approx(expected_range(want, signed), rel=1e-5)
        lo, hi = w.bar.levels()
        texts = [t for _, t in w.bar.labels()]
        assert plain3(lo) in texts and plain3(hi) in texts, "the ends of the bar are labelled with the real range"
        inp.render()
        assert inp.bar.levels() == pytest.approx((1.0, 16.0)), "the input is 1..16, its bar must say so"
        texts = [t for _, t in inp.bar.labels()]
        assert "1" in texts and "16" in texts


def pixel(widget, point):
    img = widget.grab().toImage()
    return img.pixelColor(point).getRgb()[:3]


@pytest.mark.parametrize("mode", ["channel", "layer", "global"])
def test_the_channel_view_has_the_colours_of_its_tile(make_window, qtbot, mode):
    QtCore, _, _, Qt = qt()
    win = make_window(project=Project(InputSpec(1, 6, 6, "pattern:gradient"),
                                      (C(out_channels=3, kernel_size=2), LayerSpec.make("ReLU"))))
    win.set_normalisation(mode)
    w = show_layer(win, qtbot, 0)
    w.render()
    qtbot.mouseClick(w.graphics.viewport(), Qt.MouseButton.LeftButton, pos=pointer(w, 2, 0, 0))
    view = win.channel
    assert view.key == (0, 2)
    win.act_clear_field.trigger()  # the clicked cell's orange mark off
    settle_layout()
    for y, x in ((0, 0), (2, 3), (4, 4)):
        # a corner of the cell: its number is drawn at the centre
        sy, sx = w.scene_point(2, y + 0.2, x + 0.2)
        p_tile = w.graphics.mapFromScene(w.view.mapViewToScene(QtCore.QPointF(sx, sy)))
        p_chan = view.graphics.mapFromScene(view.view.mapViewToScene(QtCore.QPointF(x + 0.2, y + 0.2)))
        a, b = pixel(w.graphics, p_tile), pixel(view.graphics, p_chan)
        assert max(abs(i - j) for i, j in zip(a, b)) <= 3, f"cell ({y}, {x}): tile {a} vs channel view {b}"
    sc = w.scale(2)
    assert view.bar.levels() == pytest.approx((sc.lo, sc.hi), rel=1e-6)


def test_small_maps_show_their_numbers(make_window, qtbot):
    from ui.feature_view import cell_text
    win = make_window(preset="lesson_4x4")
    assert all(cell_text(v) == plain3(v) for v in (0.0042, 16.0, -1.23456, 0.1, 123.4, -0.0987, 2.5e-6))
    win.grab()  # paint
    inp = win.features.widget_for(-1)
    drawn = inp.cells.last
    assert drawn is not None and drawn.font_px >= 11
    assert [t for _, _, t, _ in drawn.items] == [str(v) for v in range(1, 17)]
    out = torch_forward(win.project)[0][0]  # the lesson's 3x3 result
    drawn = win.features.widget_for(0).cells.last
    assert drawn is not None
    assert {(r, c): t for r, c, t, _ in drawn.items} == {(r, c): plain3(out[r, c]) for r in range(3)
                                                         for c in range(3)}
    # plain decimals, 2-3 significant digits
    assert cell_text(0.0042) == "0.0042" and cell_text(16.0) == "16" and cell_text(-1.23456) == "-1.23"
    assert cell_text(1234.6) == "1235" and cell_text(0.1) == "0.1" and "e" not in cell_text(3e-7)


def test_a_big_map_zoomed_in_shows_the_numbers_in_view(make_window, qtbot):
    QtCore = qt()[0]
    win = make_window(preset="teaching")
    win.enlarge_channel(0, 3)
    view = win.channel
    view.graphics.grab()
    assert view.cells.last is None, "128x128 cells in a small plot are too small for numbers"
    view.view.setRange(QtCore.QRectF(40, 50, 3, 3), padding=0)
    view.zoomed = True
    view.graphics.grab()
    drawn = view.cells.last
    assert drawn is not None and drawn.font_px >= 11
    want = torch_forward(win.project)[0][3]
    cells = {(r, c): t for r, c, t, _ in drawn.items}
    assert (52, 42) in cells and len(cells) <= 100, "only the cells in view are labelled"
    assert all(t in (plain3(want[r, c]), plain3(want[r, c], 2)) for (r, c), t in cells.items())
    # the learner's zoom survives a resize; Fit shows the whole channel again
    view.resize(view.width() + 30, view.height())
    settle_layout()
    assert view.zoomed
    view.fit_button.click()
    view.graphics.grab()
    assert view.cells.last is None


def test_exported_layer_is_slide_ready(make_window, qtbot, tmp_path):
    import pyqtgraph as pg
    from PIL import Image
    win = make_window(preset="teaching")
    want = torch_forward(win.project)[0]  # (8, 128, 128), signed
    path = tmp_path / "layer0.png"
    assert win.export_layer_png(str(path), index=0)
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"))
    assert rgb.shape[1] >= 1600, "a projector needs at least 1600 pixels across"
    info = win.fields.last_export
    texts = info["texts"]
    assert "Layer 0" in texts[0] and "Conv2d" in texts[0] and "[8, 128, 128]" in texts[0]
    for ch in range(8):
        assert any(t.startswith(f"ch {ch} ·") for t in texts)
    # per-channel colours (the window's mode): each tile from -m to +m of its own channel
    m = np.abs(want).reshape(8, -1).max(axis=1)
    k = info["scale"]
    cmap = pg.colormap.get(info["cmap"])
    for ch, y, x in ((0, 10, 20), (5, 100, 64), (7, 127, 0)):
        ox, oy = info["tiles"][ch]
        t = (want[ch, y, x] + m[ch]) / (2 * m[ch])
        expect = np.array(cmap.map(t, mode="byte"))[:3]
        got = rgb[int(oy + y * k + k // 2), int(ox + x * k + k // 2)]
        assert np.abs(got.astype(int) - expect.astype(int)).max() <= 4, (ch, y, x, got, expect)
    assert f"ch 0 · ±{plain3(m[0])}" in texts, "each channel says its real range"


# --- a held spin arrow: the maps follow ---------------------------------------------------------

def two_convs() -> Project:
    return Project(InputSpec(1, 10, 10, "pattern:checkerboard"),
                   (C(out_channels=2, kernel_size=3, padding=1), C(out_channels=2, kernel_size=3, padding=1)))


def held_window(make_window):
    gated = GatedEngine(hold_after=0)
    gated.release()
    win = make_window(project=two_convs(), engine=gated)
    gated.gate.clear()  # from now on each compute waits inside its first layer until released
    win.layers.select(0)
    return win, gated, win.layers.editors["out_channels"].spin


def test_a_held_arrow_shows_the_values_on_the_way(make_window, qtbot):
    """Values that come while a quick compute runs wait for it instead of cancelling it: each
    value applied is drawn, and the last one wins."""
    win, gated, spin = held_window(make_window)
    drawn = []
    win.maps_updated.connect(lambda g: drawn.append(win.session.map(0).shape[0]))
    spin.setValue(3)  # the arrow pressed: the first value applies at once
    gen3 = win.generation
    spin.setValue(4)  # and held: the next values come while 3 is computed
    spin.setValue(5)
    assert gated.held.wait(30)  # computing out_channels=3
    assert win.project.layers[0].get("out_channels") == 3, "a value came in while the compute ran"
    gated.release()
    wait_maps(qtbot, win)
    assert dict(gated.runs)[gen3] == "result", "the compute of the value on the way was cancelled"
    assert drawn == [3, 5], "the maps skipped the value on the way, or did not end on the last one"
    assert win.project.layers[0].get("out_channels") == 5 and spin.value() == 5
    assert win.features.widget_for(0).array.shape == (5, 10, 10)
    win.doc.undo_stack.undo()  # the held values are one undo step
    wait_maps(qtbot, win)
    assert win.project.layers[0].get("out_channels") == 2
    # an undo while a value waits drops it: the value never comes back after the undo
    gated.gate.clear()
    spin.setValue(3)
    spin.setValue(4)
    assert gated.held.wait(30)
    win.act_undo.trigger()
    gated.release()
    wait_maps(qtbot, win)
    assert win.project.layers[0].get("out_channels") == 2
    assert win.features.widget_for(0).array.shape == (2, 10, 10)
