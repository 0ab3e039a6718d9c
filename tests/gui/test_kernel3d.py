"""The 3-D kernel view (ui/views/kernel3d.py): its blocks are the layer's shapes (torch says
them), its lit window is the stepper's at every step, adding a kernel adds an output slice, and
the atlas is in File > Open Preset in order."""
from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st
from torch import nn

from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec

from .conftest import wait_maps


@st.composite
def conv_layers(draw):
    t = draw(st.sampled_from(["Conv2d", "ConvTranspose2d"]))
    g = draw(st.integers(1, 3))
    c, k_out = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 10)), draw(st.integers(1, 10))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kw_args = dict(in_channels=c, out_channels=k_out, kernel_size=[kh, kw], stride=draw(st.integers(1, 3)),
                   padding=draw(st.integers(0, 2)), dilation=draw(st.integers(1, 2)), groups=g)
    if t == "ConvTranspose2d":
        kw_args["output_padding"] = draw(st.integers(0, 1))
    return t, (c, h, w), kw_args


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layer=conv_layers())
def test_blocks_are_the_layers_shapes(layer):
    from ui.views.kernel3d import MAX_SLABS, scene_for, slabs
    t, shape, kw = layer
    try:
        mod = getattr(nn, t)(**kw)
        y = mod(torch.zeros(1, *shape))
    except (RuntimeError, ValueError):
        return  # torch refuses it; the analysis marks the layer and the view shows no blocks
    if 0 in y.shape:
        return  # an empty output: convviz refuses it with a sentence
    info = Project(InputSpec(shape[0], shape[1], shape[2], "pattern:gradient"),
                   (LayerSpec.make(t, **kw),)).analyze()
    sc = scene_for(info, 0)
    assert sc is not None
    g = kw["groups"]
    assert sc.input == shape
    assert sc.output == tuple(y.shape[1:])
    # one kernel per output channel, each reading its group's input channels
    wt = mod.weight.shape  # Conv2d (K, C/g, kh, kw); ConvTranspose2d (C, K/g, kh, kw)
    assert sc.kernel == ((wt[0], wt[1], wt[2], wt[3]) if t == "Conv2d" else (wt[1] * g, wt[0] // g, wt[2], wt[3]))
    assert sc.groups == g
    if t == "Conv2d":  # the padded grid the window slides over is torch's padded input
        p = kw["padding"]
        assert sc.grid == tuple(nn.functional.pad(torch.zeros(1, *shape), (p, p, p, p)).shape[2:])
    assert slabs(sc.output[0]) == min(y.shape[1], MAX_SLABS)


def _assert_lit_as_the_stepper(win):
    st_ = win.stepper
    sc = win.kernel3d.scene
    frame = st_.frame_data
    g = frame.grids["input/0"]
    oy, ox = g.origin
    top, left, bottom, right = g.box
    assert sc.window == (top + oy, left + ox, bottom + oy, right + ox)
    assert set(sc.taps) == {(r + oy, c + ox) for r, c in g.taps}
    out = frame.grids["output"]
    assert sc.out_cell == (out.current[0] + out.origin[0], out.current[1] + out.origin[1])
    assert sc.kernel_lit == st_.out_channel
    assert sc.window_channels == tuple(st_.slider_model.group_channels(st_.out_channel))


@pytest.mark.parametrize("layer", [dict(out_channels=2, kernel_size=3, padding=1),
                                   dict(out_channels=4, kernel_size=3, stride=2, padding=1, dilation=2, groups=2)],
                         ids=["same", "strided-dilated-grouped"])
def test_the_lit_window_is_the_steppers_at_every_step(make_window, qtbot, layer):
    p = Project(InputSpec(2 if layer.get("groups") else 3, 9, 9, "sample:astronaut"),
                (LayerSpec.make("Conv2d", **layer),))
    win = make_window(project=p)
    assert win.show_stepper(0)
    qtbot.waitUntil(lambda: win.stepper.slider_model is not None)
    for o in range(win.stepper.slider_model.c_out):
        win.stepper.channel_spin.setValue(o)
        for t in range(win.stepper.slider_model.positions):
            win.stepper.set_position(t)
            _assert_lit_as_the_stepper(win)
    win.kernel3d.grab()  # paints without error


def test_adding_a_kernel_adds_an_output_slice(make_window, qtbot):
    from ui.walkthrough.chapters import kernel3d_project
    win = make_window(project=kernel3d_project())
    view = win.kernel3d
    view.resize(700, 400)
    view.grab()
    before = view.scene.output[0]
    assert before == win.info.layers[0].out_shape[0]
    assert sum(k.startswith("kernel/") for k in view.canvas.placed) == before
    win.edit_arg(0, "out_channels", before + 2)
    wait_maps(qtbot, win)
    assert view.scene.output[0] == before + 2 == win.info.layers[0].out_shape[0]
    view.grab()
    assert sum(k.startswith("kernel/") for k in view.canvas.placed) == before + 2


def test_chapter_2_shows_the_3d_view_linked_to_the_stepper(make_window, qtbot, lang, tmp_path):
    win = make_window(preset="lesson_4x4")
    assert win.open_walkthrough(1)
    wait_maps(qtbot, win)
    view = win.walkthrough.extra("kernel3d")
    assert view is not None and view.isVisible()
    qtbot.waitUntil(lambda: win.stepper.slider_model is not None)
    win.stepper.set_position(5)
    assert view.scene.window is not None
    assert view.scene.out_cell == win.stepper.slider_model.position(5)
    if lang == "zh_CN":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in view.caption.text())
    win.walkthrough.solve()  # four kernels: four output slices
    wait_maps(qtbot, win)
    assert view.scene.output[0] == 4
    view.grab().save(str(tmp_path / f"kernel3d-{lang}.png"))
    win.walkthrough.go(2)  # the next chapter's extras replace it without a dangling connection
    wait_maps(qtbot, win)
    win.stepper.set_position(1)


def test_the_atlas_in_the_preset_menu_in_order(make_window, qtbot):
    from convviz import atlas
    win = make_window(preset="lesson_4x4")
    actions = [a for a in win.atlas_menu.actions() if not a.isSeparator()]
    assert [a.data() for a in actions] == [c.name for c in atlas.ALL]
    actions[6].trigger()  # padding 1, stride 2 on 6x6
    wait_maps(qtbot, win)
    case = atlas.CASES[6]
    assert win.project == atlas.project(case)
    assert win.info.layers[1].out_shape == (1, case.i, case.i)
    assert win.info.layers[0].out_shape == (1, case.o, case.o)


def test_chapter_10_opens_the_atlas_cases_in_order(make_window, qtbot, lang):
    from convviz import atlas
    win = make_window(preset="lesson_4x4")
    ten = next(i for i, ch in enumerate(win.walkthrough.chapters) if ch.key == "10-beyond")
    assert win.open_walkthrough(ten)
    wait_maps(qtbot, win)
    box = win.walkthrough.extra("atlas")
    assert box is not None and box.isVisible()
    assert [box.combo.itemData(i) for i in range(box.combo.count())] == [c.name for c in atlas.ALL]
    if lang == "zh_CN":
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in box.combo.itemText(i)) for i in range(box.combo.count()))
    for index, layer in ((6, 1), (8, 0)):  # the odd case's transposed twin; the checkerboard's upsampling
        case = atlas.ALL[index]
        box.combo.setCurrentIndex(index)
        box.twin_button.click()
        wait_maps(qtbot, win)
        assert win.walkthrough.active and win.project == atlas.project(case)
        qtbot.waitUntil(lambda: win.stepper.slider_model is not None and win.stepper.layer_index == layer)
        # the twin's output is the case's input size (torch checks the same in tests/test_atlas.py)
        n = case.s * case.i if case.checkerboard else case.i
        assert win.info.layers[layer].out_shape == (1, n, n)
    from ui.i18n import tr_in
    assert box.note.text() == tr_in("atlas", atlas.CHECKERBOARD_SENTENCE)  # the checkerboard's sentence
    from convviz.samples import load_preset
    win.walkthrough.close_lesson()
    assert win.project == load_preset("lesson_4x4")  # the learner's project came back


def test_clicks_on_the_view_move_the_stepper(make_window, qtbot):
    from ui.qt import QtCore, Qt
    from ui.walkthrough.chapters import kernel3d_project
    win = make_window(project=kernel3d_project())
    dock = win.findChild(type(win.findChild(QtCore.QObject, "kernel3dDock")), "kernel3dDock")
    dock.show()
    assert win.show_stepper(0)
    qtbot.waitUntil(lambda: win.stepper.slider_model is not None)
    view = win.kernel3d
    view.resize(760, 420)
    view.grab()  # lays the blocks out
    canvas = view.canvas
    k = view.scene.k
    for kk in reversed(range(k)):  # a kernel's front face: the stepper follows that kernel
        q = canvas.placed[f"kernel/{kk}"].p(0.5, 0.5, 0)
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=q.toPoint())
        assert win.stepper.out_channel == kk == view.scene.kernel_lit
    m = win.stepper.slider_model
    for oy, ox in ((0, 0), (m.out_h - 1, 2), (3, m.out_w - 1)):  # an output cell: the stepper steps there
        q = canvas.placed["output"].p(ox + 0.5, oy + 0.5, 0)
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=q.toPoint())
        assert win.stepper.t == m.index(oy, ox)
        assert view.scene.out_cell == (oy, ox)
