"""The compute session and the job runner, through the real window: results reach the views
through one owner, stale maps are never drawn, superseded computes are cancelled, long stacks
say so and can be stopped, closing never waits for a running layer, background jobs end
cleanly, and random edit sequences (invalid states included) always end with every valid layer
drawn."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec

from .conftest import GatedEngine, wait_maps
from .oracle import assert_all_drawn, torch_forward

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def two_convs(channels=2, size=12):
    return Project(InputSpec(1, size, size, "pattern:checkerboard"),
                   (C(out_channels=channels, kernel_size=3), C(out_channels=2, kernel_size=3)))


# --- item 5: stale layout state ------------------------------------------------------------------

def test_invalid_kernel_then_channels_then_valid_kernel_is_drawn(make_window, qtbot):
    """The issue's minimal repro: kernel_size 9 (invalid), out_channels 8, kernel_size 2."""
    win = make_window(preset="lesson_4x4")
    win.edit_arg(0, "kernel_size", 9)
    wait_maps(qtbot, win)
    assert win.features.widget_for(0).array is None
    win.edit_arg(0, "out_channels", 8)
    wait_maps(qtbot, win)
    win.edit_arg(0, "kernel_size", 2)
    wait_maps(qtbot, win)
    assert win.features.widget_for(0).array.shape == (8, 3, 3)
    assert_all_drawn(win)


def test_receptive_field_after_switching_to_a_stack_with_more_channels(make_window, qtbot):
    """Maps that arrive while the feature view is hidden are not drawn yet; the receptive-field
    overlay must follow what is drawn, not a newer array of another shape."""
    win = make_window(project=two_convs(2))
    win.tabs.setCurrentWidget(win.stepper)  # the maps are hidden: new ones wait to be drawn
    win.set_project(two_convs(5), None)
    wait_maps(qtbot, win)
    assert win.show_field(1, 3, 3)
    win.tabs.setCurrentWidget(win.features)
    w = win.features.widget_for(0)
    w.render()
    mask = w.field_mask()
    sub = w.drawn.sub
    assert sub.channels == 5 and mask.shape == sub.size
    rows = np.nonzero(mask[:sub.height, :sub.width].any(1))[0].tolist()
    assert rows == [3, 4, 5]  # pixel (3, 3) of layer 1 sees rows 3..5 of layer 0
    assert_all_drawn(win)


# --- item 10: one owner, generation-tagged maps ----------------------------------------------------

def test_map_delivered_progressively_is_never_drawn_after_an_edit_made_it_invalid(make_window, qtbot, tmp_path):
    gated = GatedEngine(hold_after=0)
    gated.release()
    win = make_window(project=two_convs(2), engine=gated, progressive="always")
    gated.gate.clear()
    win.edit_arg(0, "out_channels", 3)  # layer 0 is delivered, then the compute waits
    assert gated.held.wait(30)
    qtbot.waitUntil(lambda: win.session.map(0) is not None)
    assert win.session.map(0).shape == (3, 10, 10)  # arrived, waiting for the coalescing timer
    win.edit_arg(0, "kernel_size", 40)  # now layer 0 is invalid
    gated.release()
    wait_maps(qtbot, win)
    win.features.flush()  # what the coalescing timer would do
    w = win.features.widget_for(0)
    assert w.array is None and w.drawn is None and not w.message.isHidden()
    assert "40x40 kernel" in w.message.text()
    assert not win.export_layer_png(str(tmp_path / "stale.png"), index=0), "an invalid layer has no maps to export"
    assert not (tmp_path / "stale.png").exists()
    win.edit_arg(0, "kernel_size", 3)
    wait_maps(qtbot, win)
    assert_all_drawn(win)


def test_a_stale_result_never_reaches_the_views(make_window, qtbot):
    """A result that was already on its way when an edit came is dropped, layer by layer and
    whole: the views see only the current generation's maps."""
    gated = GatedEngine()
    win = make_window(project=two_convs(2), engine=gated, progressive="always")
    seen = []
    s = win.session
    s.layer_ready.connect(lambda g, i: seen.append(("layer", g, s.generation, i)))
    s.result_ready.connect(lambda r: seen.append(("result", r.generation, s.generation, None)))
    for channels in (4, 6):
        gated.finished.clear()
        win.edit_arg(0, "out_channels", channels)
        assert gated.finished.wait(30)  # computed and posted; the GUI has not taken it yet
        win.edit_arg(0, "out_channels", channels + 1)  # so it is stale when it arrives
        wait_maps(qtbot, win)
    assert seen and all(g == current for _, g, current, _ in seen), seen
    assert win.features.widget_for(0).array.shape == (7, 10, 10)
    assert_all_drawn(win)


def test_superseded_compute_is_cancelled(make_window, qtbot):
    gated = GatedEngine(hold_after=0)
    gated.release()
    win = make_window(project=two_convs(2), engine=gated)
    gated.gate.clear()
    gen = win.session.set_project(two_convs(3), None)
    assert gated.held.wait(30)  # computing generation gen, inside its first layer
    win.set_project(two_convs(4), None)  # supersedes it
    gated.release()
    wait_maps(qtbot, win)
    outcomes = dict(gated.runs)
    assert outcomes[gen] == "cancelled", "a superseded compute ran to its end"
    assert outcomes[win.generation] == "result"
    assert_all_drawn(win)


def test_views_follow_the_session(make_window, qtbot):
    """The stepper, the channel view and the shapes table read the session, not the window."""
    win = make_window(project=two_convs(2))
    assert win.show_stepper(0)
    win.edit_arg(0, "out_channels", 5)
    wait_maps(qtbot, win)
    assert win.stepper.slider_model.c_out == 5
    win.enlarge_channel(0, 4)
    np.testing.assert_array_equal(win.channel.array, win.session.map(0)[4])
    assert win.table.table.item(1, 2).text() == "[5, 10, 10]"


def test_tasks_run_on_the_compute_thread_and_yield_to_edits(make_window, qtbot):
    """What training will use: work on the thread that owns torch, between computes, giving way
    to the user's edits."""
    import threading
    import time
    gated = GatedEngine(hold_after=0)
    gated.release()
    win = make_window(project=two_convs(2), engine=gated)
    s = win.session
    got = []
    s.run_on_compute_thread(lambda engine, cancelled: (threading.get_ident(), engine), on_done=got.append)
    qtbot.waitUntil(lambda: bool(got))
    assert got[0] == (next(iter(gated.thread_ids)), gated) and len(gated.thread_ids) == 1
    # a task given while a compute runs waits for it
    gated.gate.clear()
    win.edit_arg(0, "out_channels", 3)
    assert gated.held.wait(30)
    task = s.run_on_compute_thread(lambda engine, cancelled: gated.events.append("task") or "ran")
    gated.release()
    wait_maps(qtbot, win)
    qtbot.waitUntil(lambda: task.finished)
    assert gated.events[-2:] == [("run", win.generation), "task"]
    # a long task gives way to an edit, and returns what it has
    started = threading.Event()

    def slice_(engine, cancelled):
        started.set()
        while not cancelled():
            time.sleep(0.001)
        return "yielded"
    s.run_on_compute_thread(slice_, on_done=got.append)
    assert started.wait(30)
    win.edit_arg(0, "out_channels", 4)
    wait_maps(qtbot, win)
    qtbot.waitUntil(lambda: "yielded" in got)
    assert_all_drawn(win)
    # failures are sentences; cancelled tasks do not run
    failed = []
    s.run_on_compute_thread(lambda engine, cancelled: 1 / 0, on_failed=failed.append)
    never = s.run_on_compute_thread(lambda engine, cancelled: got.append("never"))
    never.cancel()
    qtbot.waitUntil(lambda: bool(failed))
    assert failed[0].startswith("The computation failed") and "never" not in got


# --- item 4: long stacks say so and can be stopped; nothing waits for a running layer ----------

def test_long_stack_says_so_and_can_be_stopped(make_window, qtbot):
    gated = GatedEngine(hold_after=0)
    gated.release()
    win = make_window(project=two_convs(2), engine=gated)
    win.session.rate = 10.0  # measured MACs per second: this stack now takes minutes
    gated.gate.clear()
    win.edit_arg(0, "out_channels", 3)
    # said before running: the estimate, a progress bar and Stop in the status bar
    assert not win.jobs.isHidden() and not win.jobs.stop_button.isHidden()
    assert "takes about" in win.jobs.label.text()
    assert win.compute_label.text() == "Computing…"
    assert gated.held.wait(30)
    # the window keeps answering while the layer runs
    ticks = []
    from ui.qt import QtCore
    QtCore.QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1])
    qtbot.waitUntil(lambda: win.jobs.bar.value() > 0)  # layer 0 of two is done
    from ui.qt import Qt
    qtbot.mouseClick(win.jobs.stop_button, Qt.MouseButton.LeftButton)
    assert win.jobs.isHidden() and not win.session.busy
    assert "Stopped" in win.compute_label.text()
    qtbot.waitUntil(lambda: (win.generation, "cancelled") in gated.runs)
    w1 = win.features.widget_for(1)
    assert not w1.message.isHidden() and "stopped" in w1.message.text()
    gated.release()
    win.session.rate = 1e12
    win.act_recompute.trigger()  # F5
    wait_maps(qtbot, win)
    assert_all_drawn(win)


def test_closing_never_waits_for_a_running_layer(make_window, qtbot):
    from ui import session
    gated = GatedEngine(hold_after=0, ignore_cancel=True)  # a layer that cannot be interrupted
    gated.release()
    win = make_window(project=two_convs(2), engine=gated)
    gated.gate.clear()
    win.edit_arg(0, "out_channels", 3)
    assert gated.held.wait(30)
    win.close()
    assert gated.held.is_set(), "close returned while the layer was still running"
    assert not win.isVisible()
    assert session.running_threads(), "the compute thread finishes its layer in the background"
    gated.release()
    qtbot.waitUntil(lambda: not session.running_threads(), timeout=30_000)


def test_language_switch_never_waits_for_a_running_layer(qtbot):
    from ui import session
    from ui.app import Session, make_app
    from ui.i18n import install
    app = make_app()
    s = Session(app, restore_layout=False)
    gated = GatedEngine(hold_after=0, ignore_cancel=True)
    w = s.open()
    w.session.engine_factory = lambda: gated
    w.set_project(two_convs(2), None)
    gated.gate.clear()
    w.start()
    try:
        assert gated.held.wait(60)
        s.switch_language("zh_CN")  # the old window closes and goes while its layer still runs
        assert gated.held.is_set() and s.window is not w
        del w
        wait_maps(qtbot, s.window)
        assert s.window.project == two_convs(2)
    finally:
        gated.release()
        install(app, "en")
        s.window.ask_save_changes = lambda: "discard"
        s.window.close()
        s.window.deleteLater()
    qtbot.waitUntil(lambda: not session.running_threads(), timeout=30_000)


def test_opening_another_project_cancels_the_running_layer(make_window, qtbot):
    gated = GatedEngine(hold_after=0)
    gated.release()
    win = make_window(project=two_convs(2), engine=gated)
    gated.gate.clear()
    gen = win.session.set_project(two_convs(3), None)
    assert gated.held.wait(30)
    win.open_preset("lesson_4x4")  # returns at once; the held layer sees it is superseded
    qtbot.waitUntil(lambda: (gen, "cancelled") in gated.runs)
    gated.release()
    wait_maps(qtbot, win)
    assert_all_drawn(win)


# --- item 6: background jobs end cleanly ---------------------------------------------------------

def test_effective_field_of_an_older_stack_is_discarded(make_window, qtbot):
    win = make_window(preset="dilated")
    win.act_erf.setChecked(True)
    job = win.compute_erf(4, 30, 30)
    win.edit_arg(0, "dilation", 1)  # before the job's result can arrive
    qtbot.waitUntil(lambda: not win.runner.jobs("erf"))
    assert job.finished_ok, "the job ran to its end"
    assert win.erf is None and win.channel.key != (-2, 0), "an effective field of the old stack was shown"
    assert "before your edit" in win.status.currentMessage()
    wait_maps(qtbot, win)
    win.compute_erf(4, 30, 30)
    qtbot.waitUntil(lambda: win.erf is not None)
    assert win.erf_project == win.project and win.channel.key == (-2, 0)
    win.edit_arg(2, "padding", 3)  # an edit at or before layer 4 takes the shown field away
    assert win.erf is None and win.channel.key is None


def test_newest_job_of_a_name_wins(make_window, qtbot):
    """Requests faster than a job runs: one runs, the newest waits, the ones between never run."""
    import threading
    win = make_window(preset="lesson_4x4")
    gate = threading.Event()
    ran, done = [], []

    def job(k):
        def fn(j):
            ran.append(k)
            while not gate.wait(0.005):
                if j.cancelled():
                    return None
            return k
        return fn
    jobs = [win.runner.submit("slow", job(k), on_done=done.append) for k in range(5)]
    assert all(j.cancelled() for j in jobs[1:4]) and not jobs[4].cancelled()
    gate.set()
    qtbot.waitUntil(lambda: not win.runner.jobs("slow"))
    assert ran == [0, 4] and done == [4]


QUIT_DURING_ERF = r"""
import os, sys, time
sys.path.insert(0, {root!r})
from ui.app import make_app
from ui.main_window import MainWindow
from ui.qt import QtCore
from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec
app = make_app()
w = MainWindow(restore_layout=False)
w.ask_save_changes = lambda: "discard"
w.show()
import torch  # loaded, as the compute thread has it in use
layers = tuple(LayerSpec.make("Conv2d", out_channels=8, kernel_size=3, padding=1) for _ in range(5))
w.set_project(Project(InputSpec(3, 96, 96, "pattern:gradient"), layers), None)
w.start()  # the compute thread runs too
w.act_erf_random.setChecked(True)
w.compute_erf(4, 40, 40)  # 16 random inputs through 5 layers and back: most of a second of torch
from ui import session
t0 = time.monotonic()
while not any(t.job.name == "erf" for t in session.running_threads()) and time.monotonic() - t0 < 30:
    app.processEvents()
print("erf running:", any(t.job.name == "erf" for t in session.running_threads()), flush=True)
# quit while the effective receptive field is computing: by closing the window, or by the
# application quitting with the window open (QApplication.aboutToQuit)
QtCore.QTimer.singleShot(0, w.close if {how!r} == "close" else app.quit)
sys.exit(app.exec())
"""


@pytest.mark.parametrize("how", ["close", "quit"])
def test_quitting_while_the_effective_field_computes_ends_cleanly(tmp_path, how):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CONVVIZ_SETTINGS": str(tmp_path / "s.ini"),
           "CONVVIZ_NO_DIALOGS": "1"}
    r = subprocess.run([sys.executable, "-c", QUIT_DURING_ERF.format(root=ROOT, how=how)], capture_output=True,
                       text=True, timeout=180, env=env)
    assert "erf running: True" in r.stdout
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Destroyed while thread" not in r.stderr


# --- random edit sequences ---------------------------------------------------------------------

EDITS = st.one_of(
    st.tuples(st.just("kernel_size"), st.integers(1, 9)),
    st.tuples(st.just("out_channels"), st.integers(1, 8)),
    st.tuples(st.just("padding"), st.integers(0, 3)),
    st.tuples(st.just("stride"), st.integers(1, 3)),
    st.tuples(st.just("dilation"), st.integers(1, 3)),
    st.tuples(st.just("add"), st.sampled_from(["Conv2d", "ReLU", "MaxPool2d", "AvgPool2d", "BatchNorm2d"])),
    st.tuples(st.just("remove"), st.integers(0, 4)),
    st.tuples(st.just("undo"), st.just(0)),
    st.tuples(st.just("redo"), st.just(0)),
    st.tuples(st.just("seed"), st.integers(0, 5)),
    st.tuples(st.just("size"), st.integers(3, 12)),
    st.tuples(st.just("field"), st.integers(0, 40)),
    st.tuples(st.just("tab"), st.booleans()),
    st.tuples(st.just("wait"), st.just(0)),
)


def apply_edit(win, qtbot, edit, layer: int) -> None:
    kind, v = edit
    p = win.project
    i = layer % len(p.layers) if p.layers else 0
    if kind in ("kernel_size", "out_channels", "padding", "stride", "dilation"):
        if p.layers and kind in p.layers[i].layer_type.arg_names:
            win.edit_arg(i, kind, v)
    elif kind == "add":
        if len(p.layers) < 5:
            win.layers.select(i)
            win.add_layer(v)
    elif kind == "remove":
        if len(p.layers) > 1:
            win.remove_layer(v % len(p.layers))
    elif kind == "undo":
        win.doc.undo_stack.undo()
    elif kind == "redo":
        win.doc.undo_stack.redo()
    elif kind == "seed":
        win.edit_seed(v)
    elif kind == "size":
        win.edit_input(InputSpec(p.input.channels, v, v + 1, p.input.source), "size")
    elif kind == "field":
        info = win.info
        ok = [l for l in info.layers if l.ok]
        if ok:
            l = ok[v % len(ok)]
            win.show_field(l.index, v % l.map_shape[1], (v // 2) % l.map_shape[2])
    elif kind == "tab":
        win.tabs.setCurrentWidget(win.features if v else win.stepper)
    elif kind == "wait":
        wait_maps(qtbot, win)


def test_random_edit_sequences_end_with_every_valid_layer_drawn(make_window, qtbot):
    """Random edits, invalid states among them, applied in bursts with and without waiting,
    the maps shown or hidden, receptive fields clicked: at the end every valid layer is drawn
    with the right shape and torch's numbers (the issue's stale-layout class of bug)."""
    from convviz.samples import load_preset
    win = make_window(preset="lesson_4x4")
    base = load_preset("lesson_4x4")
    base = base.with_layers(base.layers + (LayerSpec.make("ReLU"),), base.kernels + (None,))

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(edits=st.lists(st.tuples(EDITS, st.integers(0, 4)), min_size=1, max_size=14))
    def run(edits):
        win.set_project(base, None)
        for edit, layer in edits:
            apply_edit(win, qtbot, edit, layer)
        win.tabs.setCurrentWidget(win.features)
        wait_maps(qtbot, win)
        assert_all_drawn(win)
    run()


# --- first_difference against torch --------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_first_difference_never_skips_a_layer_whose_output_changed(data):
    """Layers before first_difference(a, b) give equal outputs for a and b (torch decides)."""
    from dataclasses import replace

    from ui.session import first_difference
    layers = [C(out_channels=2, kernel_size=3, padding=1), LayerSpec.make("ReLU"),
              C(out_channels=2, kernel_size=3), LayerSpec.make("MaxPool2d", kernel_size=2)]
    a = Project(InputSpec(2, 9, 9, "pattern:gradient"), tuple(layers), seed=data.draw(st.integers(0, 3)))
    kind = data.draw(st.sampled_from(["seed", "source", "shift", "size", "layer", "kernel", "same"]))
    k = data.draw(st.integers(0, 3))
    if kind == "seed":
        b = replace(a, seed=a.seed + 1)
    elif kind == "source":
        b = replace(a, input=replace(a.input, source="pattern:checkerboard"))
    elif kind == "shift":
        b = replace(a, input=replace(a.input, shift=(0, 1)))
    elif kind == "size":
        b = replace(a, input=replace(a.input, height=10))
    elif kind == "layer":
        new = list(layers)
        new[k] = C(out_channels=2, kernel_size=3, padding=1, dilation=1) if k != 0 else \
            C(out_channels=2, kernel_size=3, padding=1, padding_mode="reflect")
        if k == 1:
            new[k] = LayerSpec.make("Tanh")
        b = a.with_layers(tuple(new), a.kernels)
    elif kind == "kernel":
        kernels = [None] * 4
        kernels[2 if k >= 2 else 0] = "box"
        b = a.with_layers(a.layers, tuple(kernels))
    else:
        b = a
    first = first_difference(a, b)
    fa, fb = torch_forward(a), torch_forward(b)
    for i in range(min(first, len(fa), len(fb))):
        assert fa[i].shape == fb[i].shape and np.array_equal(fa[i], fb[i]), \
            f"{kind}: layer {i} differs but first_difference says {first}"
    if kind != "same":
        differs = next((i for i in range(min(len(fa), len(fb)))
                        if fa[i].shape != fb[i].shape or not np.array_equal(fa[i], fb[i])), None)
        assert differs is not None and first <= differs
