"""The drawing pad (ui/views/drawing_pad.py) on the real compute session with LeNet-5: a stroke
changes the input every layer is computed from, and the probabilities (torch, the oracle, on
the drawn image); the eraser, clear, and adding drawings to an image-folder data set."""
from __future__ import annotations

import os

import numpy as np
import pytest

from convviz.samples import load_preset


@pytest.fixture
def session(make_session):
    return make_session(load_preset("lenet5"))


def _drag(qtbot, widget, points):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    def send(kind, p, button, buttons):
        ev = QMouseEvent(kind, QPointF(*p), widget.mapToGlobal(QPointF(*p)), button, buttons,
                         Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, ev)
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    send(QEvent.Type.MouseButtonPress, points[0], left, left)
    for p in points[1:]:
        send(QEvent.Type.MouseMove, p, none, left)
    send(QEvent.Type.MouseButtonRelease, points[-1], left, none)


def test_a_drawn_stroke_changes_the_input_maps_and_probabilities(session, qtbot, tmp_path):
    import torch

    from convviz.training import build_model
    from ui.views.drawing_pad import DrawingPad
    pad = DrawingPad()
    qtbot.addWidget(pad)
    pad.show()
    pad.attach(session)
    c, h, w = session.project.input.shape
    assert (pad.canvas.h, pad.canvas.w) == (h, w) and pad.canvas.width() == w * pad.canvas.scale
    model = build_model(session.project)
    model.eval()

    def oracle(img):
        with torch.no_grad():
            return torch.softmax(model(torch.tensor(np.array(img))[None]).flatten(1)[0].double(), 0).numpy()

    s = pad.canvas.scale
    _drag(qtbot, pad.canvas, [(8 * s, 6 * s), (16 * s, 6 * s), (16 * s, 26 * s)])  # a 7
    qtbot.waitUntil(lambda: session.current() and session.result.generation == pad.generation
                    and pad.probs is not None, timeout=30_000)
    first = pad.image.copy()
    assert pad.use.isChecked() and first.max() > 0.9 and first[0, 0, 0] == 0
    np.testing.assert_array_equal(session.result.input, first)  # the engine computed the drawing
    np.testing.assert_allclose(pad.probs, oracle(first), rtol=1e-4, atol=1e-6)
    probs1 = pad.probs.copy()
    # another stroke: another input and other probabilities
    _drag(qtbot, pad.canvas, [(4 * s, 16 * s), (28 * s, 16 * s)])
    qtbot.waitUntil(lambda: session.result.generation == pad.generation and session.current(), timeout=30_000)
    assert not np.array_equal(pad.image, first)
    np.testing.assert_array_equal(session.result.input, pad.image)
    assert not np.allclose(pad.probs, probs1)
    np.testing.assert_allclose(pad.probs, oracle(pad.image), rtol=1e-4, atol=1e-6)
    # the eraser takes ink away; clear empties the pad
    pad.eraser.setChecked(True)
    _drag(qtbot, pad.canvas, [(16 * s, 4 * s), (16 * s, 28 * s)])
    assert pad.image.sum() < session.result.input.sum() or pad.image[0, 16, 16] < 0.5
    pad.clear_btn.click()
    assert pad.image.max() == 0
    # saved into FOLDER/CLASS/ as an image-folder data set reads it
    pad.eraser.setChecked(False)
    _drag(qtbot, pad.canvas, [(8 * s, 8 * s), (24 * s, 24 * s)])
    pad.class_name.setText("a/b")
    assert pad.add_to_dataset(str(tmp_path)) is None and "cannot be a folder name" in pad.note.text()
    pad.class_name.setText("seven")
    path = pad.add_to_dataset(str(tmp_path))
    assert path and os.path.dirname(path) == str(tmp_path / "seven")
    from convviz.datasets import read_image_folder
    x, y, classes, _ = read_image_folder(tmp_path, c, h, w)
    assert classes == ("seven",) and len(y) == 1
    np.testing.assert_allclose(x[0] / 255.0, pad.image, atol=0.5 / 255 + 1e-6)
    # back to the project's input
    pad.use.setChecked(False)
    qtbot.waitUntil(lambda: session.current() and session.input_override is None, timeout=30_000)
    assert not np.array_equal(session.result.input, pad.drawing())


def test_the_answer_names_the_data_sets_classes(make_session, qtbot):
    """The pad's answer names the classes of the data set training uses (shapes: circle,
    square, ...), before any training (the registry's names) and after (the snapshot's); with
    no training, or a class count that is not the stack's, their numbers."""
    from dataclasses import replace

    from PySide6.QtCore import QPointF

    import torch

    from convviz.datasets import DATASETS
    from convviz.spec import LayerSpec
    from convviz.training import build_model
    from convviz.training_config import TrainConfig
    from ui.training_job import TrainingJob
    from ui.views.drawing_pad import DrawingPad
    lenet = load_preset("lenet5")
    project = replace(lenet, layers=lenet.layers[:-1] + (LayerSpec.make("Linear", out_features=8),),
                      kernels=lenet.kernels[:-1] + (None,))
    session = make_session(project)
    job = TrainingJob(session, TrainConfig(data="shapes", size=80, batch_size=16, epochs=50))
    pad = DrawingPad()
    qtbot.addWidget(pad)
    pad.show()
    pad.attach(session, job)
    names = DATASETS["shapes"].classes
    s = pad.canvas.scale
    _drag(qtbot, pad.canvas, [(6 * s, 6 * s), (26 * s, 26 * s)])
    qtbot.waitUntil(lambda: session.current() and session.result.generation == pad.generation
                    and pad.probs is not None, timeout=30_000)
    model = build_model(project).eval()
    with torch.no_grad():
        probs = torch.softmax(model(torch.tensor(np.array(pad.image))[None]).flatten(1)[0].double(), 0).numpy()
    top = np.argsort(-probs, kind="stable")[:3]
    assert pad.answer.text().endswith(", ".join(f"{names[k]} {probs[k]:.0%}" for k in top))
    job.step(2)  # the snapshot's names from now on (the same here)
    qtbot.waitUntil(lambda: job.latest is not None and job.latest.step == 2, timeout=60_000)
    assert job.latest.classes == names and pad.class_names(8) == names
    assert pad.class_names(10) == tuple(str(k) for k in range(10))
    # with a training, the drawing is its watched example too, but a burst of strokes costs it a
    # snapshot or two, not one each; the newest drawing is the one watched
    asked = []
    watch = job.watch
    job.watch = lambda example, picked=False: asked.append(example) or watch(example, picked)
    for k in range(12):
        pad.canvas.draw_line(QPointF((4 + k) * s, 4 * s), QPointF((4 + k) * s, 20 * s))
    qtbot.waitUntil(lambda: job.latest.watched == -1 and np.array_equal(job.latest.watched_input, pad.image)
                    and not pad._watch_timer.isActive(), timeout=30_000)
    assert 1 <= len(asked) <= 3, len(asked)
    np.testing.assert_array_equal(asked[-1], pad.image)
    del job.watch
    job.close()
