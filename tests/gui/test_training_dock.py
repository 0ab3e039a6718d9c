"""The Training dock in the real window: LeNet-5 trains on the digits (play, pause, one step,
reset), the curves' last points are the snapshot's numbers, the maps show the trained or the
initial network (torch computes what layer 0 must show from the snapshot's weights), an edit
during training is answered and keeps what unchanged layers learned, the weights are saved
beside the project and come back when it is opened, a stack without class outputs is offered
Flatten + Linear, and closing the window or switching language mid-training ends cleanly."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convviz.training_config import TrainConfig

from .conftest import wait_maps

CONFIG = TrainConfig(data="digits", size=300, batch_size=32, lr=3e-3, epochs=200, seed=1)


def lenet(qtbot, make_window):
    from convviz.samples import load_preset
    from ui.qt import QtWidgets
    win = make_window(load_preset("lenet5"))
    win.findChild(QtWidgets.QDockWidget, "trainingDock").show()
    assert win.training_panel.set_config(CONFIG)
    return win


def settled(qtbot, win, timeout=60_000):
    """Until training is paused, no slice is queued and the newest snapshot is shown and drawn."""
    job, panel = win.training, win.training_panel
    qtbot.waitUntil(lambda: not job.playing and not job.busy and job.latest is not None
                    and job.emitted is job.latest and panel.last is job.latest, timeout=timeout)
    return wait_maps(qtbot, win)


def train(qtbot, win, steps: int):
    win.training_panel.toggle_play()
    qtbot.waitUntil(lambda: win.training.latest is not None and win.training.latest.step >= steps, timeout=120_000)
    win.training_panel.toggle_play()
    return settled(qtbot, win)


def layer0_expected(res, weights):
    """Layer 0 (Conv2d) of the input, computed by torch from ``weights`` (the oracle)."""
    x = torch.from_numpy(np.array(res.input, dtype=np.float32))[None]
    w = torch.from_numpy(np.array(weights["weight"]))
    b = torch.from_numpy(np.array(weights["bias"]))
    return F.conv2d(x, w, b)[0].numpy()


def test_train_pause_step_reset_curves_and_the_trained_switch(qtbot, make_window, tmp_path):
    win = lenet(qtbot, make_window)
    panel, job = win.training_panel, win.training
    assert win.training is job and panel.play_button.isEnabled() and not panel.message.text()
    initial = wait_maps(qtbot, win)
    initial0 = np.array(initial.outputs[0])
    res = train(qtbot, win, 150)
    snap = panel.last
    assert snap.step >= 150 and snap.test_accuracy is not None and snap.test_accuracy > 0.5
    # the curves' last points are the snapshot's numbers
    pts = panel.curves.points
    assert pts["train_loss"][-1] == (snap.examples_seen, snap.train_loss)
    assert pts["train_accuracy"][-1] == (snap.examples_seen, snap.train_accuracy)
    assert pts["test_loss"][-1] == (snap.history[-1].examples_seen, snap.test_loss)
    assert pts["test_accuracy"][-1] == (snap.history[-1].examples_seen, snap.test_accuracy)
    assert len(pts["test_loss"]) == snap.epoch
    assert f"{snap.examples_seen:,}" in panel.stats.text()
    hover = panel.curves.hover_at(panel.curves.acc_plot, snap.history[-1].examples_seen, snap.test_accuracy * 100)
    assert f"{snap.test_accuracy * 100:.1f}%" in hover
    panel.curves.set_log(True)
    assert panel.curves.loss_plot.getPlotItem().ctrl.logYCheck.isChecked()
    # CSV and PNG of what is drawn
    assert panel.curves.save_csv(str(tmp_path / "c.csv")) and panel.curves.save_png(str(tmp_path / "c.png"))
    rows = (tmp_path / "c.csv").read_text().splitlines()
    assert rows[0] == "series,examples_seen,value" and len(rows) == 1 + sum(len(v) for v in pts.values())
    assert os.path.getsize(tmp_path / "c.png") > 1000
    # the maps show the trained network: torch's conv of the input with the snapshot's weights
    np.testing.assert_allclose(res.outputs[0], layer0_expected(res, snap.state[0]), rtol=1e-4, atol=1e-5)
    assert not np.allclose(res.outputs[0], initial0, atol=1e-3)
    # trained / initial: off shows the random network again on the same input, on the trained one
    win.training_panel.trained_action.trigger()
    assert not panel.trained_box.isChecked()
    off = wait_maps(qtbot, win)
    np.testing.assert_allclose(off.outputs[0], initial0, rtol=1e-5, atol=1e-6)
    panel.trained_box.setChecked(True)
    assert panel.trained_action.isChecked()
    on = wait_maps(qtbot, win)
    np.testing.assert_allclose(on.outputs[0], res.outputs[0], rtol=1e-5, atol=1e-6)
    # one step: exactly one more batch
    before = snap.step
    panel.step(1)
    qtbot.waitUntil(lambda: job.latest.step == before + 1 and not job.busy, timeout=60_000)
    settled(qtbot, win)
    assert panel.last.step == before + 1
    # the curves survive pause and resume
    n = len(pts["train_loss"])
    assert n >= 2
    # reset: step 0, curves empty, the maps are the initial network's
    panel.reset_button.click()
    qtbot.waitUntil(lambda: job.latest.step == 0, timeout=60_000)
    settled(qtbot, win)
    assert all(not v for v in panel.curves.points.values()) and panel.trained is None
    after = wait_maps(qtbot, win)
    np.testing.assert_allclose(after.outputs[0], initial0, rtol=1e-5, atol=1e-6)


def test_space_plays_and_pauses_when_the_dock_has_focus(qtbot, make_window):
    from ui.qt import Qt, QtWidgets
    win = lenet(qtbot, make_window)
    dock = win.findChild(QtWidgets.QDockWidget, "trainingDock")
    dock.show()
    win.training_panel.step_button.setFocus()
    qtbot.keyClick(win.training_panel.step_button, Qt.Key.Key_Space)
    assert win.training.playing
    qtbot.keyClick(win.training_panel.step_button, Qt.Key.Key_Space)
    assert not win.training.playing
    settled(qtbot, win)


def test_an_edit_during_training_is_answered_and_keeps_unchanged_layers(qtbot, make_window):
    win = lenet(qtbot, make_window)
    panel, job = win.training_panel, win.training
    panel.toggle_play()
    qtbot.waitUntil(lambda: job.latest is not None and job.latest.step >= 30, timeout=120_000)
    assert job.playing
    win.edit_arg(6, "out_channels", 100)  # layer 6 and the Linear after it change shape
    res = wait_maps(qtbot, win)  # answered while training goes on
    assert res.outputs[6].shape[0] == 100 and win.project.layers[6].get("out_channels") == 100
    assert job.playing
    qtbot.waitUntil(lambda: "back to initial weights" in win.status.currentMessage(), timeout=30_000)
    assert "layer 6 (Conv2d)" in win.status.currentMessage()
    # the next snapshots train the edited stack; the conv before it kept what it learned
    qtbot.waitUntil(lambda: 6 in job.latest.state and job.latest.state[6]["weight"].shape[0] == 100
                    and panel.trained and 6 in panel.trained and panel.trained[6]["weight"].shape[0] == 100,
                    timeout=60_000)
    assert 0 in panel.trained
    win.ask_save_changes = lambda: "discard"
    win.close()  # during training: every thread ends (the leak fixture checks)
    assert not win.session.running and job.closed


def test_save_and_reopen_restores_the_trained_maps(qtbot, make_window, tmp_path):
    win = lenet(qtbot, make_window)
    res = train(qtbot, win, 40)
    trained0 = np.array(res.outputs[0])
    path = tmp_path / "lenet.json"
    assert win.save_to(str(path))
    assert (tmp_path / "lenet.safetensors").is_file()
    saved = json.loads(path.read_text())
    assert saved["weights"] == "lenet.safetensors" and saved["training"]["size"] == 300
    assert win.project.weights == "lenet.safetensors" and not win.doc.dirty
    # Export > PyTorch Code: a trained project's script trains it as the app does
    assert win.export_code(str(tmp_path / "model.py"))
    code = (tmp_path / "model.py").read_text()
    assert "def load_data():" in code and "torch.optim.Adam(" in code and "\nLR = 0.003\n" in code
    # another project, then the saved one again: its maps are the trained ones
    win.open_preset("lenet5", ask=False)
    fresh = wait_maps(qtbot, win)
    assert not np.allclose(fresh.outputs[0], trained0, atol=1e-3) and win.training_panel.trained is None
    assert win.open_path(str(path), ask=False)
    back = wait_maps(qtbot, win)
    np.testing.assert_allclose(back.outputs[0], trained0, rtol=1e-5, atol=1e-6)
    assert win.training_panel.config.size == 300
    # a file whose layer 0 no longer fits: one sentence naming it, the project still opens
    saved["layers"][0]["out_channels"] = 4
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(saved))
    (tmp_path / "bad.safetensors").write_bytes((tmp_path / "lenet.safetensors").read_bytes())
    saved["weights"] = "bad.safetensors"
    bad.write_text(json.dumps(saved))
    assert win.open_path(str(bad), ask=False)
    qtbot.waitUntil(lambda: "layer 0 (Conv2d)" in win.status.currentMessage(), timeout=5000)
    assert wait_maps(qtbot, win).error is None and win.project.layers[0].get("out_channels") == 4


def test_a_stack_without_class_outputs_is_offered_flatten_and_linear(qtbot, make_window):
    from convviz.project import InputSpec, Project
    from convviz.spec import LayerSpec
    p = Project(InputSpec(1, 28, 28, "pattern:gradient"),
                (LayerSpec.make("Conv2d", out_channels=4, kernel_size=3), LayerSpec.make("ReLU")))
    win = make_window(p)
    panel = win.training_panel
    panel.set_config(CONFIG)
    assert "10 classes" in panel.message.text() and not panel.play_button.isEnabled()
    assert panel.head_button.isVisible() or not panel.isVisible()
    assert panel.head_button.text() == "Append Flatten + Linear(10)"
    panel.head_button.click()
    assert [s.type for s in win.project.layers] == ["Conv2d", "ReLU", "Flatten", "Linear"]
    assert win.project.layers[3].get("out_features") == 10
    wait_maps(qtbot, win)
    assert panel.play_button.isEnabled() and not panel.message.text()
    win.doc.undo_stack.undo()  # one undoable edit
    assert len(win.project.layers) == 2
    wait_maps(qtbot, win)
    assert not panel.play_button.isEnabled()


def test_settings_are_remembered_in_the_project_not_the_history(qtbot, make_window):
    win = lenet(qtbot, make_window)
    panel = win.training_panel
    depth = win.doc.undo_stack.count()
    panel.batch_spin.setValue(16)
    panel.opt_box.setCurrentIndex(panel.opt_box.findData("sgd"))
    assert win.project.training.batch_size == 16 and win.project.training.optimizer == "sgd"
    assert win.doc.undo_stack.count() == depth and win.training.config.batch_size == 16
    panel.lr_slider.setValue(0)
    assert win.project.training.lr == pytest.approx(1e-5)
    panel.lr_slider.setValue(panel.lr_slider.maximum())
    assert win.project.training.lr == pytest.approx(10.0)


def test_language_switch_mid_training_keeps_the_panel_working(qtbot):
    from convviz.samples import load_preset
    from ui.app import Session, make_app
    from ui.i18n import install
    app = make_app()
    s = Session(app, restore_layout=False)
    try:
        w = s.open()
        w.set_project(load_preset("lenet5"), None)
        w.start()
        w.training_panel.set_config(CONFIG)
        w.training_panel.toggle_play()
        qtbot.waitUntil(lambda: w.training.latest is not None and w.training.latest.step >= 20, timeout=120_000)
        s.switch_language("zh_CN")
        w2 = s.window
        assert w2 is not w and w2.training is not w.training and w.training.closed
        assert w2.training_panel.config.size == 300 and w2.training_panel.trained
        qtbot.waitUntil(lambda: "Play" in w2.training_panel.message.text() or
                        "播放" in w2.training_panel.message.text(), timeout=10_000)
        trained = w2.training_panel.trained
        res = wait_maps(qtbot, w2)
        np.testing.assert_allclose(res.outputs[0], layer0_expected(res, trained[0]), rtol=1e-4, atol=1e-5)
        w2.training_panel.step(3)
        qtbot.waitUntil(lambda: w2.training.latest is not None and w2.training.latest.step >= 3
                        and not w2.training.busy, timeout=60_000)
    finally:
        install(app, "en")
        if s.window is not None:
            s.window.ask_save_changes = lambda: "discard"
            s.window.close()
            s.window.deleteLater()
            s.window = None
