"""The real window, offscreen: edits update shapes and maps; bursts end on the last edit;
invalid layers are marked and recover; undo/redo are exact; files round-trip and bad files
are refused without touching the open project."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from convviz.project import InputSpec, Project, load
from convviz.spec import LayerSpec

from .conftest import wait_maps

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def direct_forward(project):
    from test_engine import direct_forward as df
    return df(project)


def shown(win):
    """What the feature views hold, layer by layer."""
    return [win.features.widget_for(i).array for i in range(len(win.project.layers))]


def assert_maps_equal_torch(win):
    p = win.project
    want = direct_forward(p.with_layers(p.layers[:sum(l.ok for l in p.analyze().layers)],
                                        p.kernels[:sum(l.ok for l in p.analyze().layers)]))
    got = shown(win)
    for i, w in enumerate(want):
        assert got[i] is not None, f"layer {i} has no maps"
        np.testing.assert_allclose(got[i], w, rtol=1e-5, atol=1e-5)


def table_shapes(win):
    t = win.table.table
    return [t.item(r, 2).text() for r in range(1, t.rowCount() - 1)]


def test_maps_equal_torch_on_teaching_preset(make_window):
    win = make_window(preset="teaching")
    assert_maps_equal_torch(win)
    assert win.features.widget_for(-1).array.shape == (3, 128, 128)


def test_add_edit_remove_reorder(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    assert table_shapes(win) == ["[1, 3, 3]"]
    win.layers.select(0)
    win.layers.add_menu.actions()  # the menu exists
    win.add_layer("ReLU")
    win.add_layer("Conv2d")  # out_channels=8, kernel 3, padding 1
    wait_maps(qtbot, win)
    assert table_shapes(win) == ["[1, 3, 3]", "[1, 3, 3]", "[8, 3, 3]"]
    assert_maps_equal_torch(win)

    # edit through the real form widget of the selected layer
    win.layers.select(2)
    win.layers.editors["out_channels"].spin.setValue(5)
    wait_maps(qtbot, win)
    assert win.project.layers[2].get("out_channels") == 5
    assert table_shapes(win)[2] == "[5, 3, 3]"
    assert shown(win)[2].shape == (5, 3, 3)
    assert_maps_equal_torch(win)

    # reorder by the list's drag signal, then by the move action
    win.layers.list.reordered.emit([0, 2, 1])
    wait_maps(qtbot, win)
    assert [s.type for s in win.project.layers] == ["Conv2d", "Conv2d", "ReLU"]
    win.move_layer(2, -1)
    wait_maps(qtbot, win)
    assert [s.type for s in win.project.layers] == ["Conv2d", "ReLU", "Conv2d"]
    assert_maps_equal_torch(win)

    win.remove_layer(1)
    win.duplicate_layer(0)
    wait_maps(qtbot, win)
    assert [s.type for s in win.project.layers] == ["Conv2d", "Conv2d", "Conv2d"]
    assert len(win.features.widgets) == 4
    assert_maps_equal_torch(win)


def test_padding_widget_same_and_tuple_kernel(make_window, qtbot):
    win = make_window(project=Project(InputSpec(1, 9, 11, "pattern:checkerboard"),
                                      (LayerSpec.make("Conv2d", out_channels=2, kernel_size=3),)))
    win.layers.select(0)
    pad = win.layers.editors["padding"]
    pad.mode.setCurrentIndex(pad.mode.findData("same"))
    wait_maps(qtbot, win)
    assert win.project.layers[0].get("padding") == "same"
    assert shown(win)[0].shape == (2, 9, 11)
    ks = win.layers.editors["kernel_size"]
    ks.link.setChecked(False)
    ks.w.setValue(4)
    wait_maps(qtbot, win)
    assert win.project.layers[0].get("kernel_size") == (3, 4)
    assert shown(win)[0].shape == (2, 9, 11)
    assert_maps_equal_torch(win)


def test_burst_of_edits_ends_on_the_last_one(make_window, qtbot):
    win = make_window(preset="teaching")
    seen = []
    win.maps_updated.connect(lambda g: seen.append((g, win.generation)))
    for k in range(200):
        win.edit_arg(0, "out_channels", 1 + (k % 16))
        if k % 20 == 0:
            qtbot.wait(1)  # let some results arrive mid-burst
    wait_maps(qtbot, win)
    assert win.project.layers[0].get("out_channels") == 1 + (199 % 16)
    assert shown(win)[0].shape[0] == 8
    assert all(g == current for g, current in seen), "a stale result was shown"
    assert_maps_equal_torch(win)
    assert win.doc.undo_stack.count() == 1, "a burst on one field merges into one undo step"


def test_invalid_edit_greys_later_layers_then_recovers(make_window, qtbot):
    win = make_window(preset="teaching")
    win.layers.select(6)
    win.edit_arg(6, "kernel_size", 40)
    wait_maps(qtbot, win)
    w6 = win.features.widget_for(6)
    msg = "Layer 6 (Conv2d): the 40x40 kernel is larger than the padded input 32x32 — reduce kernel_size, or add padding"
    assert not w6.message.isHidden() and w6.message.text() == msg
    assert win.layers.problem.text() == msg and not win.layers.problem.isHidden()
    w7 = win.features.widget_for(7)
    assert not w7.message.isHidden() and "layer 6 is invalid" in w7.message.text() and w7.array is None
    assert win.table.table.item(7, 2).text() == "invalid"
    assert all(a is not None for a in shown(win)[:6])
    win.edit_arg(6, "kernel_size", 3)
    wait_maps(qtbot, win)
    assert all(win.features.widget_for(i).message.isHidden() for i in range(8))
    assert_maps_equal_torch(win)


def test_undo_redo_restore_exact_states(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    states = [win.project]
    win.add_layer("MaxPool2d")
    states.append(win.project)
    win.edit_arg(0, "padding", 2)
    states.append(win.project)
    win.edit_kernel(0, "box")
    states.append(win.project)
    win.edit_input(InputSpec(1, 6, 6, "pattern:impulse"), "size")
    states.append(win.project)
    win.edit_seed(7)
    states.append(win.project)
    undo = win.doc.undo_stack
    for want in reversed(states[:-1]):
        undo.undo()
        assert win.project == want
    for want in states[1:]:
        undo.redo()
        assert win.project == want
    wait_maps(qtbot, win)
    assert_maps_equal_torch(win)
    assert win.isWindowModified()


def test_save_open_round_trip_and_corrupt_file(make_window, qtbot, tmp_path):
    win = make_window(preset="teaching")
    win.edit_kernel(0, "sobel_x")
    path = str(tmp_path / "mine.json")
    assert win.save_to(path)
    assert not win.doc.dirty and win.windowTitle().startswith("mine.json")
    saved = win.project
    assert load(path) == saved
    win.open_path(str(ROOT + "/resources/presets/lenet5.json"))
    wait_maps(qtbot, win)
    assert win.open_path(path)
    wait_maps(qtbot, win)
    assert win.project == saved and win.doc.path == path
    recent = win.settings.value("project/recent")
    assert path in (recent if isinstance(recent, list) else [recent])

    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "convviz", "version": 1, "input": {"channels": 3}')
    win.edit_seed(5)
    before, undo_count = win.project, win.doc.undo_stack.count()
    assert not win.open_path(str(bad))
    assert win.project == before and win.doc.undo_stack.count() == undo_count and win.doc.dirty
    assert "not valid JSON" in win.status.currentMessage()


def test_corrupt_image_is_refused_and_input_stays(make_window, tmp_path, qtbot):
    win = make_window(preset="teaching")
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    before = win.project
    assert not win.set_input_image(str(bad))
    assert win.project == before
    assert "cannot be used as the input" in win.status.currentMessage()
    from PIL import Image
    good = tmp_path / "square.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(good)
    assert win.set_input_image(str(good))
    wait_maps(qtbot, win)
    assert win.project.input.source == str(good)
    red = win.features.widget_for(-1).array
    assert red.shape == (3, 128, 128) and abs(red[0].mean() - 200 / 255) < 1e-3


def test_drop_image_onto_window(make_window, tmp_path, qtbot):
    from PIL import Image

    from ui.qt import QtCore, QtGui, Qt
    win = make_window(preset="lesson_4x4")
    img = tmp_path / "drop.bmp"
    Image.new("L", (8, 8), 255).save(img)
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(img))])
    pos = QtCore.QPointF(200, 200)
    enter = QtGui.QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                  Qt.KeyboardModifier.NoModifier)
    win.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QtGui.QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    win.dropEvent(drop)
    wait_maps(qtbot, win)
    assert win.project.input.source == str(img)
    assert np.all(win.features.widget_for(-1).array == 1.0)


def test_memory_guard_refuses_with_estimate(make_window, qtbot, monkeypatch):
    monkeypatch.setenv("CONVVIZ_MEMORY_LIMIT", str(256 * 1024))
    win = make_window(preset="teaching")
    assert win.last_result.error.startswith("Not computed: this stack needs about")
    assert "MiB" in win.status.currentMessage()
    assert all(a is None for a in shown(win))


def test_hover_and_click_enlarge(make_window, qtbot):
    win = make_window(preset="lesson_4x4_two_kernels")
    w = win.features.widget_for(0)
    w.render()
    got = []
    win.features.hovered.connect(lambda *a: got.append(a))
    oy, ox = w.scene_point(1, 2, 1)
    w._on_hover((oy + 0.5, ox + 0.5))
    assert got[-1][:4] == (0, 1, 2, 1)
    assert got[-1][4] == pytest.approx(float(w.array[1, 2, 1]))
    assert "channel 1" in w.readout.text()
    w._on_click(oy + 0.5, ox + 0.5)
    assert win.channel.key == (0, 1)
    np.testing.assert_array_equal(win.channel.array, w.array[1])


def test_big_layer_is_drawn_subsampled_but_read_exactly(make_window, qtbot):
    win = make_window(preset="vgg16")
    w = win.features.widget_for(0)
    w.render()
    assert w._step > 1, "a 64x224x224 layer is subsampled to the view's resolution"
    assert w.image.image.shape[0] < 224 * 8
    f = w._step
    for ch, y, x in ((0, 0, 0), (63, 223, 223), (17, 5 * f, 9 * f)):
        sy, sx = w.scene_point(ch, y, x)
        assert w.locate(sy + 0.01, sx + 0.01) == (ch, y, x)


def test_normalisation_modes(make_window, qtbot):
    win = make_window(preset="teaching")
    for mode in ("layer", "global", "channel"):
        win.set_normalisation(mode)
        w = win.features.widget_for(0)
        w.render()
        lo, hi = w.bar.levels()
        if mode == "channel":  # the bar is in real values: channel 0's own range (issue 12, item 5)
            a = w.array[0]
            want = (-np.abs(a).max(), np.abs(a).max()) if w.array.min() < 0 else (a.min(), a.max())
            assert (lo, hi) == pytest.approx(want, rel=1e-5)
        elif mode == "layer":
            assert hi == pytest.approx(float(np.abs(w.array).max()), rel=1e-5)
        else:
            g = max(float(np.abs(x.array).max()) for x in win.features.widgets[1:] if x.array is not None)
            assert hi == pytest.approx(g, rel=1e-5)


def test_named_and_typed_kernels(make_window, qtbot):
    win = make_window(project=Project(InputSpec(1, 8, 8, "pattern:vertical_edge"),
                                      (LayerSpec.make("Conv2d", out_channels=1, kernel_size=3, padding=1),)))
    win.layers.select(0)
    kern = win.layers.kernel
    kern.combo.setCurrentIndex(kern.combo.findData("identity"))
    kern.combo.activated.emit(kern.combo.currentIndex())
    wait_maps(qtbot, win)
    assert win.project.kernels[0] == "identity"
    np.testing.assert_array_equal(shown(win)[0][0], win.features.widget_for(-1).array[0])
    kern.grid.item(1, 1).setText("2")
    wait_maps(qtbot, win)
    assert win.project.kernels[0][0] == "values"
    np.testing.assert_array_equal(shown(win)[0][0], 2 * win.features.widget_for(-1).array[0])
    assert_maps_equal_torch(win)


def test_exports(make_window, qtbot, tmp_path):
    win = make_window(preset="teaching")
    code = tmp_path / "model.py"
    assert win.export_code(str(code))
    r = subprocess.run([sys.executable, str(code)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "7 ReLU [1, 16, 15, 15]"
    png = tmp_path / "layer.png"
    assert win.export_layer_png(str(png), index=0)
    from PIL import Image
    with Image.open(png) as im:
        assert im.size[0] > 128 and len(np.unique(np.asarray(im.convert("RGB")).reshape(-1, 3), axis=0)) > 16
    assert win.export_window_png(str(tmp_path / "win.png"))
    assert win.export_csv(str(tmp_path / "t.csv"))
    assert (tmp_path / "t.csv").read_text().startswith("#,Layer")
    win.table.copy_markdown()
    from ui.qt import QtWidgets
    assert QtWidgets.QApplication.clipboard().text().startswith("| # | Layer |")


def test_unsaved_changes_prompt(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.edit_seed(3)
    asked = []
    win.ask_save_changes = lambda: asked.append(1) or "cancel"
    win.open_preset("vgg16")
    assert asked and win.project.seed == 3, "cancel keeps the project"
    win.close()
    assert win.isVisible(), "cancel keeps the window open"
    win.ask_save_changes = lambda: "discard"


def test_layout_and_last_project_remembered(make_window, qtbot, tmp_path):
    from ui.main_window import MainWindow
    from ui.app import initial_project
    win = make_window(preset="lesson_padding")
    path = str(tmp_path / "p.json")
    win.save_to(path)
    win.close()
    again = MainWindow()
    qtbot.addWidget(again)
    initial_project(again, None)
    assert again.doc.path == path and again.project == load(path)
    again.session.shutdown()


def test_self_test_command(tmp_path):
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CONVVIZ_SETTINGS": str(tmp_path / "s.ini")}
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "--self-test", "--screenshot", str(shot)],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    from PIL import Image
    with Image.open(shot) as im:
        assert im.size == (1440, 900)
        assert len(np.unique(np.asarray(im.convert("RGB").resize((96, 60))).reshape(-1, 3), axis=0)) > 50


def test_self_test_fails_on_a_broken_project(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "convviz", "version": 1,
                               "input": {"channels": 1, "height": 8, "width": 8, "source": str(tmp_path / "none.png")},
                               "layers": [{"type": "ReLU"}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CONVVIZ_SETTINGS": str(tmp_path / "s.ini")}
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), str(bad), "--self-test", "--screenshot",
                        str(tmp_path / "x.png")], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 1 and "does not exist" in r.stderr


def test_window_shows_before_torch_is_imported(tmp_path):
    prog = ("import sys, os\nos.environ['QT_QPA_PLATFORM']='offscreen'\n"
            f"os.environ['CONVVIZ_SETTINGS']={str(tmp_path / 's.ini')!r}\n"
            f"sys.path.insert(0, {ROOT!r})\n"
            "from ui.app import make_app\nfrom ui.main_window import MainWindow\n"
            "from convviz.samples import load_preset\n"
            "app = make_app(); w = MainWindow(); w.show(); w.set_project(load_preset('vgg16'), None)\n"
            "app.processEvents()\n"
            "print('torch' in sys.modules, w.table.table.item(1, 2).text())\n")
    r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0] == "False", "the window and its shapes must not wait for torch"
    assert r.stdout.split(" ", 1)[1].strip() == "[64, 224, 224]"
