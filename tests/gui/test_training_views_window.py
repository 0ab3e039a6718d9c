"""The training views in the real window (LeNet-5 on digits): their docks are in View, the
predictions follow window.training, a click on a test example watches it, a click on a kernel
opens its layer in the stepper, and the window closes cleanly while training runs."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt



def test_views_in_the_window(make_window, qtbot):
    win = make_window(preset="lenet5")
    names = {a.text() for a in win.menuBar().actions()[2].menu().actions()}
    for dock in ("kernelsDock", "predictionsDock", "drawingDock"):
        d = win.findChild(type(win.findChild(object, "trainingDock")), dock)
        assert d is not None and d.toggleViewAction().text() in names
        d.show()
    job = win.training
    job.step(4)
    view = win.predictions_view
    qtbot.waitUntil(lambda: view.predictions is not None and view.predictions.step == 4, timeout=90_000)
    ds = job.dataset
    assert int(view.predictions.confusion.sum()) == len(ds.test_y)
    item = view.grid.item(5)
    view.grid.scrollToItem(item)
    qtbot.mouseClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=view.grid.visualItemRect(item).center())
    qtbot.waitUntil(lambda: job.latest.watched == 5, timeout=30_000)
    # the kernel mosaic shows the snapshot's weights; a click opens the layer in the stepper
    kv = win.kernels_view
    for other in ("channelDock", "predictionsDock", "drawingDock"):
        win.findChild(type(win.findChild(object, "trainingDock")), other).hide()
    qtbot.waitUntil(lambda: kv.step == job.latest.step, timeout=30_000)
    b = kv.mosaic.blocks[1]
    np.testing.assert_array_equal(kv.mosaic.image[b.y:b.y + b.kh, b.x:b.x + b.kw], job.latest.state[b.layer]["weight"][0, 0])
    qtbot.waitUntil(lambda: kv.plot.height() > 300, timeout=10_000)
    kv.vb.autoRange(padding=0)
    y, x = b.origin(9, 2)
    y, x = y + 1.5, x + 1.5
    pos = kv.plot.mapFromScene(kv.image.mapToScene(QPointF(x, y)))
    asked = []
    show = win.show_stepper
    win.show_stepper = lambda index=None: asked.append(index) or show(index)
    qtbot.mouseClick(kv.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: win.tabs.currentWidget() is win.stepper, timeout=10_000)
    assert asked == [b.layer]
    del win.show_stepper
    # the layer is selected, so the stepper shows it once the maps are current
    qtbot.waitUntil(lambda: win.stepper.layer_index == b.layer, timeout=30_000)
    assert win.layers.current() == b.layer
    job.play()  # closing during training ends cleanly (the fixture closes; the leak check joins)
    qtbot.waitUntil(lambda: job.slices >= 2, timeout=60_000)


def test_the_maps_follow_the_watched_example_while_training_plays(make_window, qtbot):
    """Playing: the maps are the watched test example's under the weights reached, and the
    input's header names it; paused: the project's input again; a test example picked in the
    predictions grid is shown (paused too), a drawing wins over it, and another input of the
    project's ends it.  Torch computes layer 0 from the weights shown (the oracle)."""
    from dataclasses import replace

    import torch
    import torch.nn.functional as F

    from convviz.training_config import TrainConfig
    from ui.qt import QtWidgets

    from .conftest import wait_maps
    win = make_window(preset="lenet5")
    panel, job, s = win.training_panel, win.training, win.session
    win.findChild(QtWidgets.QDockWidget, "predictionsDock").show()
    assert panel.set_config(TrainConfig(data="digits", size=300, batch_size=32, lr=3e-3, epochs=200, seed=1))

    def header():
        return win.features.widget_for(-1).header.text()

    def layer0(res, weights):
        x = torch.from_numpy(np.array(res.input, np.float32))[None]
        return F.conv2d(x, torch.from_numpy(np.array(weights["weight"])), torch.from_numpy(np.array(weights["bias"])))[0]

    def example(i):
        return np.asarray(job.dataset.test_x[i], np.float32) / 255

    first = wait_maps(qtbot, win)
    image, w0 = np.array(first.input), np.array(first.weights[0][0])
    assert "test example" not in header()
    panel.toggle_play()
    qtbot.waitUntil(lambda: s.input_override is not None and s.current() and s.result.input is not None
                    and s.result.input.shape == image.shape and np.array_equal(s.result.input, example(0)),
                    timeout=90_000)
    assert "test example #0 of digits" in header()
    res = s.result  # drawn with the weights reached, not the initial ones
    assert not np.array_equal(res.weights[0][0], w0)
    np.testing.assert_allclose(res.outputs[0], layer0(res, dict(zip(("weight", "bias"), res.weights[0]))).numpy(),
                               rtol=1e-4, atol=1e-5)
    panel.toggle_play()  # paused: the project's input again, with the weights reached
    qtbot.waitUntil(lambda: not job.playing and not job.busy and s.input_override is None and s.current()
                    and panel.last is job.latest, timeout=60_000)
    res = wait_maps(qtbot, win)
    np.testing.assert_array_equal(res.input, image)
    assert "test example" not in header()
    np.testing.assert_allclose(res.outputs[0], layer0(res, panel.trained[0]).numpy(), rtol=1e-4, atol=1e-5)
    # a test example picked in the predictions grid (paused): the maps follow it
    view = win.predictions_view
    qtbot.waitUntil(lambda: view.grid.count() > 5, timeout=60_000)
    item = view.grid.item(5)
    view.grid.scrollToItem(item)
    qtbot.mouseClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=view.grid.visualItemRect(item).center())
    qtbot.waitUntil(lambda: s.input_override is not None and s.current()
                    and np.array_equal(s.result.input, example(5)), timeout=60_000)
    res = wait_maps(qtbot, win)
    assert "test example #5 of digits" in header()
    np.testing.assert_allclose(res.outputs[0], layer0(res, panel.trained[0]).numpy(), rtol=1e-4, atol=1e-5)
    # a drawing wins over the watched example and is named so; unticked, the example is back
    pad = win.drawing_pad
    pad.canvas.draw_line(QPointF(40, 40), QPointF(200, 200))
    qtbot.waitUntil(lambda: s.current() and np.array_equal(s.result.input, pad.image), timeout=60_000)
    assert "your drawing" in header()
    pad.use.setChecked(False)
    qtbot.waitUntil(lambda: s.current() and np.array_equal(s.result.input, example(5)), timeout=60_000)
    assert "test example #5 of digits" in header()
    # another input of the project's: the maps show it
    win.edit_input(replace(win.project.input, source="pattern:checkerboard"), "pattern")
    qtbot.waitUntil(lambda: s.input_override is None and s.current(), timeout=60_000)
    res = wait_maps(qtbot, win)
    assert not np.array_equal(res.input, image) and not np.array_equal(res.input, example(5))
    assert "test example" not in header()


def test_the_kernel_mosaic_follows_the_trained_switch_and_its_change_is_since_the_start(make_window, qtbot):
    """With the window's own training (which pushes the trained weights to the maps), "change
    since start" is the snapshot's weights minus the initial ones, and the trained / initial
    switch, shown in the Kernels bar, flips the mosaic between the two networks."""
    from convviz.training_config import TrainConfig
    from ui.qt import QtWidgets

    from .conftest import wait_maps
    win = make_window(preset="lenet5")
    panel, job, kv = win.training_panel, win.training, win.kernels_view
    win.findChild(QtWidgets.QDockWidget, "kernelsDock").show()
    assert kv.switch is not None and kv.switch.defaultAction() is panel.trained_action
    initial = {i: np.array(w[0]) for i, w in enumerate(wait_maps(qtbot, win).weights) if w and i in (0, 3, 6)}
    assert panel.set_config(TrainConfig(data="digits", size=300, batch_size=32, lr=3e-3, epochs=200, seed=1))
    panel.step(6)
    qtbot.waitUntil(lambda: job.latest is not None and job.latest.step == 6 and not job.busy
                    and kv.step == 6, timeout=60_000)
    wait_maps(qtbot, win)  # the trained weights reached the maps (and the engine's results)
    assert not np.array_equal(win.session.result.weights[0][0], initial[0])
    snap = job.latest

    def block(layer):
        b = next(b for b in kv.mosaic.blocks if b.layer == layer)
        return kv.mosaic.image[b.y:b.y + b.kh, b.x:b.x + b.kw]  # kernel 0, input channel 0
    kv.delta.setChecked(True)
    for i in (0, 3, 6):
        np.testing.assert_allclose(block(i), (snap.state[i]["weight"] - initial[i])[0, 0], atol=0)
    kv.delta.setChecked(False)
    kv.switch.click()  # initial weights: the maps and the mosaic
    assert not panel.trained_action.isChecked()
    res = wait_maps(qtbot, win)
    np.testing.assert_array_equal(res.weights[0][0], initial[0])
    qtbot.waitUntil(lambda: kv.step is None, timeout=10_000)
    for i in (0, 3, 6):
        np.testing.assert_array_equal(block(i), initial[i][0, 0])
    assert "initial" in kv.label.text()
    panel.trained_box.setChecked(True)
    assert kv.step == 6
    np.testing.assert_array_equal(block(3), snap.state[3]["weight"][0, 0])
