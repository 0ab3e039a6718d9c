"""The training views (ui/views/kernels.py, predictions.py, drawing_pad.py) on the real compute
session and a TrainingJob: LeNet-5 (the preset) on digits.  Torch is the oracle: the mosaic is
compared with the snapshot's and the engine's weights, the predictions with a torch model
built from the snapshot's weights."""
from __future__ import annotations

import numpy as np
import pytest

from convviz.predict import cell_at, kernel_mosaic
from convviz.samples import load_preset
from convviz.training_config import TrainConfig

CONFIG = TrainConfig(data="digits", size=300, batch_size=32, lr=0.003, epochs=1000)


@pytest.fixture
def session(make_session):
    return make_session(load_preset("lenet5"))


@pytest.fixture
def job(session):
    from ui.training_job import TrainingJob
    j = TrainingJob(session, CONFIG)
    yield j
    j.close()


def kernels_of(mosaic, layer):
    """The weights read back out of the mosaic's block for ``layer``: (rows, cols, kh, kw)."""
    b = next(b for b in mosaic.blocks if b.layer == layer)
    out = np.empty((b.rows, b.cols, b.kh, b.kw), np.float32)
    for r in range(b.rows):
        for c in range(b.cols):
            y, x = b.origin(r, c)
            out[r, c] = mosaic.image[y:y + b.kh, x:x + b.kw]
    return out


def test_kernel_mosaic_follows_training_and_opens_the_stepper(session, job, qtbot, tmp_path):
    from ui.views.kernels import KernelsView
    view = KernelsView()
    qtbot.addWidget(view)
    view.resize(500, 500)
    view.show()
    view.attach(session, job)
    convs = [0, 3, 6]
    # before training: the engine's initial weights
    qtbot.waitUntil(lambda: view.mosaic is not None and len(view.mosaic.blocks) == 3, timeout=30_000)
    for i in convs:
        np.testing.assert_array_equal(kernels_of(view.mosaic, i), session.result.weights[i][0][:64, :64])
    job.step(20)
    qtbot.waitUntil(lambda: view.step == 20, timeout=60_000)
    snap = job.latest
    for i in convs:
        w = snap.state[i]["weight"]
        np.testing.assert_array_equal(kernels_of(view.mosaic, i), w[:64, :64])
        assert not np.array_equal(w, session.result.weights[i][0])  # it learned something
    assert view.mosaic.limit == max(float(np.abs(snap.state[i]["weight"][:64, :64]).max()) for i in convs)
    # the gradient view: each layer's mean |gradient| of its weights and at its output, as the snapshot has them
    assert not view.grad_plot.isVisible()
    assert snap.activation_gradients == () and not job.want_gradients  # not computed while nobody shows them
    view.grads_box.setChecked(True)
    assert view.grad_plot.isVisible() and job.want_gradients
    qtbot.waitUntil(lambda: len(job.latest.activation_gradients) == 12 and bool(view.gradients[1]), timeout=30_000)
    snap = job.latest  # paused: a snapshot of the same step, with them
    assert snap.step == 20
    weights = [i for i, v in enumerate(snap.weight_gradients) if v is not None]
    assert weights == [i for i, s in enumerate(session.project.layers) if s.type in ("Conv2d", "Linear")]
    for key, values in (("weights", snap.weight_gradients), ("activations", snap.activation_gradients)):
        xs, ys = view.grad_lines[key].getData()  # on the log axis: log10 of the values
        want = [(i, v) for i, v in enumerate(values) if v]
        assert list(xs) == [i for i, _ in want]
        np.testing.assert_allclose(10 ** np.asarray(ys), [v for _, v in want], rtol=1e-6)
    view.grads_box.setChecked(False)
    assert view.image.levels[0] == -view.image.levels[1]  # symmetric about 0
    # each layer in its own colour scale (the default): the weights over the layer's largest |weight|
    assert view.per_layer.isChecked() and tuple(view.image.levels) == (-1, 1)
    b0 = view.mosaic.blocks[0]
    w0 = snap.state[0]["weight"]
    np.testing.assert_allclose(view.shown[b0.y:b0.y + b0.kh, b0.x:b0.x + b0.kw], w0[0, 0] / np.abs(w0).max(), rtol=1e-6)
    view.per_layer.setChecked(False)  # one scale for all: the raw weights, levels ±largest
    np.testing.assert_array_equal(view.image.image, view.mosaic.image)
    assert tuple(view.image.levels) == (-view.mosaic.limit, view.mosaic.limit)
    # change since start: the snapshot's weights minus the engine's initial ones
    view.delta.setChecked(True)
    for i in convs:
        np.testing.assert_allclose(kernels_of(view.mosaic, i),
                                   (snap.state[i]["weight"] - session.result.weights[i][0])[:64, :64], atol=0)
    view.delta.setChecked(False)
    # clicking a kernel: its layer, kernel and input channel
    b = view.mosaic.blocks[1]
    got = []
    view.kernel_clicked.connect(lambda *a: got.append(a))
    y, x = b.origin(2, 3)
    y, x = y + 1, x + 1
    assert cell_at(view.mosaic, y + 0.5, x + 0.5) == (3, 2, 3)
    scene = view.image.mapToScene(QtPointF(x + 0.5, y + 0.5))
    vp = view.plot.mapFromScene(scene)
    from PySide6.QtCore import Qt
    qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=vp)
    qtbot.waitUntil(lambda: bool(got), timeout=5_000)
    assert got[0] == (3, 2, 3)
    assert cell_at(view.mosaic, b.y + b.kh + 0.5, b.x + 0.5) is None  # a gap
    for k in range(b.rows):  # every kernel's every input channel maps back to itself
        for c in range(b.cols):
            oy, ox = b.origin(k, c)
            assert cell_at(view.mosaic, oy + b.kh - 0.5, ox + b.kw - 0.5) == (3, k, c)
    # export: one block of scale x scale pixels per weight, in the diverging map
    path = tmp_path / "k.png"
    assert view.export_png(str(path), scale=4)
    from PySide6.QtGui import QImage
    img = QImage(str(path))
    assert (img.height(), img.width()) == (4 * view.mosaic.image.shape[0], 4 * view.mosaic.image.shape[1])


def QtPointF(x, y):
    from PySide6.QtCore import QPointF
    return QPointF(x, y)


def test_kernel_mosaic_layout_is_torch_order():
    """Core: rows are kernels, columns input channels, each in torch's (out, in, kh, kw) order."""
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    w1 = rng.standard_normal((2, 4, 1, 1)).astype(np.float32)
    m = kernel_mosaic({5: (w1, None), 0: (w0, None)})
    assert [b.layer for b in m.blocks] == [0, 5]
    np.testing.assert_array_equal(kernels_of(m, 0), w0)
    np.testing.assert_array_equal(kernels_of(m, 5), w1)
    assert m.limit == max(np.abs(w0).max(), np.abs(w1).max())
    wide = kernel_mosaic({0: (w0, None)}, aspect=20)  # kernels wrapped into side-by-side columns
    assert wide.blocks[0].groups > 1
    np.testing.assert_array_equal(kernels_of(wide, 0), w0)
    for k in range(4):
        for c in range(3):
            y, x = wide.blocks[0].origin(k, c)
            assert cell_at(wide, y + 0.5, x + 0.5) == (0, k, c)
    assert np.isnan(wide.image).sum() == wide.image.size - w0.size  # the rest is gaps
    d = kernel_mosaic({0: (w0,)}, {0: (w0 * 0.5,)})
    np.testing.assert_allclose(kernels_of(d, 0), w0 * 0.5)


def test_predictions_confusion_grid_and_watch(session, job, qtbot):
    import torch

    from convviz.training import build_model
    from ui.views.predictions import PredictionsView
    view = PredictionsView()
    qtbot.addWidget(view)
    view.resize(500, 700)
    view.show()
    view.attach(session, job)
    job.step(15)
    qtbot.waitUntil(lambda: view.predictions is not None and view.predictions.step == 15
                    and job.emitted is job.latest, timeout=60_000)  # the bars have the newest snapshot too
    p = view.predictions
    ds = job.dataset
    n = len(ds.test_y)
    assert int(p.confusion.sum()) == n == 60
    assert p.classes == tuple(ds.classes)
    # torch oracle: the snapshot's weights in a fresh model give the same answers
    model = build_model(session.project, {i: dict(s) for i, s in job.latest.state.items()})
    model.eval()
    with torch.no_grad():
        logits = model(torch.tensor(np.array(ds.test_x, np.float32) / 255)).flatten(1)
    np.testing.assert_array_equal(p.pred, logits.argmax(1).numpy())
    np.testing.assert_array_equal(np.diag(p.confusion).sum(), (p.pred == ds.test_y).sum())
    # the grid: one item per shown test example; mistakes say the true class
    assert view.grid.count() == len(p.images) == min(48, n)
    for i in range(view.grid.count()):
        text = view.grid.item(i).text()
        assert ("✗" in text) == (p.pred[i] != p.true[i])
    # bars: the watched example's top classes, best first
    probs = job.latest.probabilities
    assert view.bar_item.opts["width"][0] == pytest.approx(float(probs.max()))
    # a tab not on screen is drawn when it is shown (nothing is spent on it while training runs)
    assert view.cm_image.image is None and view.sal_image.image is None and {"cm", "sal", "cam"} <= view._pending
    # hovering a confusion cell names its count
    view.tabs.setCurrentIndex(1)
    np.testing.assert_array_equal(view.cm_image.image, p.confusion)
    assert [t.toPlainText() for t in view.cm_texts] == [str(v) if v else "" for v in p.confusion.flat]
    qtbot.waitUntil(lambda: view.cm_plot.isVisible(), timeout=5_000)
    scene = view.cm_plot.getViewBox().mapViewToScene(QtPointF(2, 3))
    assert view.confusion_at(scene) == (3, 2, int(p.confusion[3, 2]))
    # saliency: |d logit[predicted] / d input| of the watched example (torch autograd, the oracle)
    sal = view.saliency
    assert sal is not None and sal.step == 15 and sal.watched == job.latest.watched
    x = torch.tensor(np.array(ds.test_x[sal.watched:sal.watched + 1], np.float32) / 255, requires_grad=True)
    out = model(x).flatten(1)[0]
    k = int(out.argmax())
    out[k].backward()
    assert sal.predicted == k
    np.testing.assert_allclose(sal.map, x.grad[0].abs().amax(0).numpy(), rtol=1e-5, atol=1e-7)
    view.tabs.setCurrentIndex(2)
    np.testing.assert_array_equal(view.sal_image.image, sal.map)
    # Grad-CAM on the last convolution with a map (layer 3: layer 6 makes 1 x 1 maps), for the same
    # example and step, over the image
    cam = view.grad_cam
    assert cam is not None and (cam.step, cam.watched, cam.layer, cam.predicted) == (15, sal.watched, 3, k)
    np.testing.assert_array_equal(view.cam_image.image, cam.map)
    np.testing.assert_array_equal(view.cam_input.image, sal.image[0])
    assert cam.map.shape == (32, 32) and "Grad-CAM" in view.cam_label.text()
    # clicking a test example watches it
    view.tabs.setCurrentIndex(0)
    item = view.grid.item(7)
    rect = view.grid.visualItemRect(item)
    from PySide6.QtCore import Qt
    qtbot.mouseClick(view.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: job.latest.watched == 7, timeout=30_000)
    assert job.watch_index == 7 and job.latest.watched_label == int(ds.test_y[7])
    view.close_view()



def test_predicting_gives_way_to_an_edit(session, job, qtbot):
    """The test-set pass stops between batches when cancelled() turns true (a compute request
    is waiting), and says so with None; uncancelled it covers the whole test set."""
    from convviz.predict import predict
    job.step(1)
    qtbot.waitUntil(lambda: job.latest is not None and not job.busy, timeout=60_000)
    calls = []

    def task(engine, cancelled):
        def stop():
            calls.append(1)
            return len(calls) > 1
        return predict(job._trainer, batch=10, cancelled=stop), predict(job._trainer, batch=10)
    got = []
    session.run_on_compute_thread(task, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=30_000)
    stopped, whole = got[0]
    assert stopped is None and len(calls) == 2  # one batch, then it gave way
    assert len(whole.pred) == len(job._trainer.dataset.test_y) and job._trainer.model.training


def test_curve_axes_end_on_round_numbers_past_the_last_point(qtbot):
    """The curves' ranges grow in round steps (so their cached axes are not drawn again with
    every snapshot), and always hold every point."""
    from types import SimpleNamespace as NS

    from ui.curves import Curves, nice_ceil
    from ui.qt import QtWidgets
    c = Curves()
    qtbot.addWidget(c)
    c.resize(400, 500)
    c.show()
    assert [nice_ceil(v) for v in (0.9, 1, 1.01, 2.2, 7, 8160, 0.031)] == [1, 1, 1.2, 2.5, 8, 10000, 0.04]
    ranges = set()
    for k in range(1, 60):
        hist = tuple(NS(examples_seen=64 * j, test_loss=2.0 / j, test_accuracy=1 - 1 / j) for j in range(10, k, 10))
        c.add(NS(step=k, examples_seen=64 * k, train_loss=2.3 / k ** 0.5, train_accuracy=1 - 1 / k, history=hist))
        (x0, x1), (y0, y1) = c.loss_plot.getViewBox().viewRange()
        assert x0 == 0 and 64 * k <= x1 == nice_ceil(x1) and y0 == 0 and y1 >= 2.3
        ranges.add(x1)
    assert len(ranges) <= 20  # 64 .. 3,776 examples (almost two decades): about ten ranges a decade, not 59
    cached = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert all(p.getAxis(a).cacheMode() == cached for p in (c.loss_plot, c.acc_plot) for a in ("left", "bottom"))
    c.set_log(True)
    (_, _), (ly0, ly1) = c.loss_plot.getViewBox().viewRange()
    assert ly0 <= np.log10(2.3 / 59 ** 0.5) and ly1 >= np.log10(2.3)


def test_hidden_predictions_ask_nothing_of_the_training_thread(session, job, qtbot):
    """A hidden Predictions view runs no test-set pass while training goes on; shown, it asks
    for the newest weights' answers at once."""
    from ui.views.predictions import PredictionsView
    view = PredictionsView()
    qtbot.addWidget(view)
    view.attach(session, job)
    asked = []
    run = job.run_with_trainer
    job.run_with_trainer = lambda *a, **k: asked.append(1) or run(*a, **k)
    job.step(6)
    qtbot.waitUntil(lambda: job.latest is not None and job.latest.step == 6 and job.emitted is job.latest,
                    timeout=60_000)
    qtbot.wait(300)
    assert not asked and view.predictions is None and view._want
    view.show()
    qtbot.waitUntil(lambda: view.predictions is not None and view.predictions.step == 6, timeout=30_000)
    assert len(asked) == 1
    del job.run_with_trainer
    view.close_view()
