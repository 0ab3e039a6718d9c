"""Chapter 1 as an experiment, in the window: predict, train both models off the GUI thread,
read the measured accuracies, move the horse on the wide canvas and see the window's maps (the
trained convolution's, as torch computes them for that canvas) follow it."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convviz import lesson_experiments as lx

from .conftest import wait_maps


def _torch_maps(state, canvas):
    """The trained convolution + ReLU on one canvas, torch's own functional ops."""
    x = torch.tensor(canvas, dtype=torch.float32)[None, None] / 255
    w, b = (torch.tensor(np.array(state[0][k])) for k in ("weight", "bias"))
    return F.relu(F.conv2d(x, w, b))[0].numpy()


def test_chapter_one_predict_train_and_follow_the_horse(make_window, qtbot, lang):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(0)
    wait_maps(qtbot, win)
    horse = win.walkthrough.horse
    assert horse.progress is None and not win.walkthrough.done()
    assert not horse.weights_item.image is not None or horse.progress is None
    assert horse.fc_curve.getData()[0] is None or len(horse.fc_curve.getData()[0]) == 0, \
        "no accuracy on screen before training"
    # Show me trains, but a chapter is never done without the learner's own prediction
    win.walkthrough.demo()
    assert horse.finished and not win.walkthrough.done()
    win.open_walkthrough(0)  # again, from the start
    wait_maps(qtbot, win)
    horse = win.walkthrough.horse
    horse.predict("conv")
    horse.start()
    assert horse.running and not horse.choices.button(0).isEnabled(), "the prediction is locked once training runs"
    qtbot.waitUntil(lambda: horse.finished, timeout=60_000)
    qtbot.waitUntil(lambda: win.walkthrough.done(), timeout=5_000)
    p = horse.progress
    # what the plot shows is what was measured
    xs, ys = horse.conv_curve.getData()
    np.testing.assert_array_equal(xs, p.shifts)
    np.testing.assert_array_equal(ys, p.conv_accuracy)
    assert "✓" in horse.result.text(), "predicting the convolution is right, measured"
    # the window's maps: the trained convolution on the horse canvas, following the shift
    for dx in (-15, 12):
        horse.set_shift(dx)
        qtbot.waitUntil(lambda: win.session.input_override is not None
                        and win.session.input_override[1][:2] == ("horse-canvas", dx), timeout=5_000)
        wait_maps(qtbot, win)
        shown = win.features.widget_for(1).array
        want = _torch_maps(p.conv_state, lx.draw(dx))
        np.testing.assert_allclose(shown, want, atol=1e-4)
        ch = lx.horse_channel_of(p)
        peak = np.unravel_index(np.argmax(want[ch]), want[ch].shape)
        assert abs(peak[1] - (lx.left_of(dx) + 2)) <= lx.BOX[1], "the map's peak is where the horse is"
    if os.environ.get("CONVVIZ_SCREENSHOTS"):
        win.resize(1600, 1000)
        win.grab().save(os.path.join(os.environ["CONVVIZ_SCREENSHOTS"], f"ch1-horse-{lang}.png"))
    win.walkthrough.go(1)  # leaving the chapter gives the input back
    wait_maps(qtbot, win)
    assert win.session.input_override is None


def test_stop_keeps_what_was_trained(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(0)
    wait_maps(qtbot, win)
    horse = win.walkthrough.horse
    horse.start()
    qtbot.waitUntil(lambda: horse.progress is not None and horse.progress.step > 0, timeout=30_000)
    horse.stop()
    qtbot.waitUntil(lambda: horse._task is None, timeout=30_000)
    step = horse.progress.step
    assert not horse.finished and not horse.running and step < horse.progress.total
    qtbot.wait(300)
    assert horse.progress.step == step, "nothing trains after Stop"


# --- the trained / random switch (chapters 7 and 8) ---------------------------------------------------

def _torch_first_layer(project, weights):
    """Layer 0's maps of the project's input with the given weights, or with the engine's
    documented initial weights (tests/gui/oracle.py's torch forward) when weights is None."""
    from convviz.samples import load_input

    from .oracle import torch_forward
    if weights is None:
        return torch_forward(project)[0]
    inp = project.input
    x = torch.as_tensor(load_input(inp.source, inp.channels, inp.height, inp.width, None, inp.shift, inp.fit))[None]
    spec = project.layers[0]
    w, b = (torch.tensor(np.array(weights[0][k])) for k in ("weight", "bias"))
    with torch.no_grad():
        return F.conv2d(x, w, b, padding=spec.get("padding"), dilation=spec.get("dilation") or 1)[0].numpy()


@pytest.mark.parametrize("chapter", [6, 7])
def test_trained_switch_shows_the_bundled_kernels_or_the_random_ones(make_window, qtbot, chapter):
    from convviz.samples import load_preset
    from convviz.weights import load_weights
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(chapter)
    wait_maps(qtbot, win)
    switch = win.walkthrough.extra("trained")
    name = switch.name
    assert win.project.layers == load_preset(name).layers
    bundled = load_weights(lx.weights_dir() / f"{name}.safetensors", win.project).weights
    assert switch.box.isChecked() and switch.showing_trained
    np.testing.assert_allclose(win.features.widget_for(0).array, _torch_first_layer(win.project, bundled),
                               atol=1e-4, rtol=1e-4)
    switch.set_trained(False)  # random: the engine's initial weights, as torch draws them
    wait_maps(qtbot, win)
    assert not win.training_panel.trained_action.isChecked(), "the window's own switch"
    np.testing.assert_allclose(win.features.widget_for(0).array, _torch_first_layer(win.project, None),
                               atol=1e-4, rtol=1e-4)
    win.training_panel.trained_action.trigger()  # the window's switch moves the chapter's
    wait_maps(qtbot, win)
    assert switch.box.isChecked()
    np.testing.assert_allclose(win.features.widget_for(0).array, _torch_first_layer(win.project, bundled),
                               atol=1e-4, rtol=1e-4)
    if os.environ.get("CONVVIZ_SCREENSHOTS"):
        win.resize(1600, 1000)
        win.grab().save(os.path.join(os.environ["CONVVIZ_SCREENSHOTS"], f"ch{chapter + 1}-trained.png"))
    # leaving: the kernels stay with the chapter, not another one nor the learner's project
    win.walkthrough.go(8)
    wait_maps(qtbot, win)
    assert not win.training_panel.trained and win.session.weights is None
    win.walkthrough.go(chapter)
    wait_maps(qtbot, win)
    assert win.walkthrough.extra("trained").showing_trained
    win.walkthrough.close_lesson()
    wait_maps(qtbot, win)
    assert not win.training_panel.trained and win.session.weights is None


def test_chapter_two_shows_the_first_trained_kernels_then_all_four(make_window, qtbot):
    from convviz.weights import load_weights
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(1)
    wait_maps(qtbot, win)
    switch = win.walkthrough.extra("trained")
    assert switch.name == "kernel3d" and switch.showing_trained
    full = load_weights(lx.weights_dir() / "kernel3d.safetensors", lx.stack_project("kernel3d")).weights
    first_two = {0: {k: np.asarray(v)[:2] for k, v in full[0].items()}}
    res = win.last_result
    np.testing.assert_array_equal(res.weights[0][0], first_two[0]["weight"])
    win.walkthrough.solve()  # the task: four kernels
    qtbot.waitUntil(lambda: switch.weights[0]["weight"].shape[0] == 4, timeout=10_000)
    qtbot.waitUntil(lambda: win.last_result is not None and win.last_result.generation == win.generation
                    and len(win.last_result.weights[0][0]) == 4
                    and np.array_equal(win.last_result.weights[0][0], full[0]["weight"]), timeout=30_000)
    assert win.walkthrough.done()
    np.testing.assert_allclose(win.session.map(0), _torch_first_layer(win.project, full), atol=1e-4, rtol=1e-4)


def test_the_learners_trained_weights_wait_while_the_walkthrough_is_open(make_window, qtbot):
    """A chapter's project is not the learner's: what the learner's project learned is neither
    carried onto it nor lost; closing the walkthrough brings it back, maps included."""
    from convviz.samples import load_preset
    win = make_window(load_preset("dilated"))
    wait_maps(qtbot, win)
    panel = win.training_panel
    mine = lx.lesson_weights(win.project)[0].weights  # any weights that fit: the bundled ones will do
    mine = {i: {k: np.array(v) * 0.5 for k, v in d.items()} for i, d in mine.items()}
    panel.show_weights(mine)
    wait_maps(qtbot, win)
    np.testing.assert_allclose(win.session.map(0), _torch_first_layer(win.project, mine), atol=1e-4, rtol=1e-4)
    win.open_walkthrough(7)  # chapter 8: the same preset, its own trained kernels
    wait_maps(qtbot, win)
    switch = win.walkthrough.extra("trained")
    assert switch.showing_trained and panel.trained[0] is not mine[0]
    win.open_walkthrough(8)  # a chapter without trained kernels: none of the learner's either
    wait_maps(qtbot, win)
    assert not panel.trained and win.session.weights is None
    win.walkthrough.close_lesson()
    wait_maps(qtbot, win)
    assert panel.trained is not None and all(panel.trained[i] is mine[i] for i in mine)
    np.testing.assert_allclose(win.session.map(0), _torch_first_layer(win.project, mine), atol=1e-4, rtol=1e-4)


def test_an_edit_the_trained_kernels_do_not_fit_says_so(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(1)
    wait_maps(qtbot, win)
    switch = win.walkthrough.extra("trained")
    win.edit_arg(0, "kernel_size", 5)
    qtbot.waitUntil(lambda: not switch.box.isEnabled(), timeout=10_000)
    wait_maps(qtbot, win)
    assert switch._stale.isVisibleTo(switch) and not win.training_panel.trained
    win.edit_arg(0, "kernel_size", 3)
    qtbot.waitUntil(lambda: switch.box.isEnabled() and switch.showing_trained, timeout=10_000)
    assert not switch._stale.isVisibleTo(switch)
