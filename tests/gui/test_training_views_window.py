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
