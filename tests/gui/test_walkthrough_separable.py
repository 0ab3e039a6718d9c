"""Chapter 9 as a cost experiment, in the window: the two steps are the window's own maps (torch
recomputes them), the table follows the live block and equals torch's counts, its numbers wait
for the chapter's question, the time is measured on the compute thread, and the two small
models are trained in the app."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .conftest import wait_maps

CHAPTER = 8  # 09-separable


def torch_counts(win, index):
    """(standard, depthwise, pointwise) (params, MACs) of the DepthwiseSeparable layer ``index``,
    counted by torch on modules built from the live spec."""
    layer = win.info.layers[index]
    sp = layer.spec
    c, h, w = layer.in_shape
    kw = dict(kernel_size=sp.get("kernel_size"), stride=sp.get("stride"), padding=sp.get("padding"),
              dilation=sp.get("dilation"), bias=sp.get("bias"))
    n = sp.get("out_channels")
    x = torch.zeros(1, c, h, w)
    out = []
    for m, inp in ((nn.Conv2d(c, n, **kw), x), (nn.Conv2d(c, c, groups=c, **kw), x)):
        fc = FlopCounterMode(display=False)
        with fc, torch.no_grad():
            y = m(inp)
        out.append((sum(p.numel() for p in m.parameters()), fc.get_total_flops() // 2))
    pw = nn.Conv2d(c, n, 1, bias=sp.get("bias"))
    fc = FlopCounterMode(display=False)
    with fc, torch.no_grad():
        pw(y)
    out.append((sum(p.numel() for p in pw.parameters()), fc.get_total_flops() // 2))
    return out


def table_numbers(s):
    t = s.table
    return [[int(t.item(r, c).text().replace(",", "")) for r in range(4)] for c in range(2)]


def test_cost_experiment_in_both_languages(make_window, qtbot, lang):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(CHAPTER)
    wait_maps(qtbot, win)
    s = win.walkthrough.separable
    q = win.walkthrough.extra("ask:cost")
    assert s is not None and q is not None
    idx = s.cost.layers[0]
    assert win.project.layers[idx].type == "DepthwiseSeparable"
    # predict first: no number of the table before the question is answered or revealed
    s.tabs.setCurrentIndex(1)
    assert not s.cost_box.isVisibleTo(win) and s.wait_note.isVisibleTo(win)
    s.tabs.setCurrentIndex(0)
    assert f"{q.expected:.4f}" not in s.header.text() + s.formula.text() * s.cost_box.isVisibleTo(win)
    # the two steps: the window's own maps, as torch computes them from the engine's weights
    s.channel.setValue(5)
    s.out_channel.setValue(7)
    inp, dw, out = s.shown_arrays()
    w_dw, w_pw = (torch.tensor(np.array(a)) for a in win.last_result.weights[idx])
    x = torch.tensor(np.array(win.session.map(idx - 1)))[None]
    sp = win.project.layers[idx]
    want_dw = F.conv2d(x, w_dw, stride=sp.get("stride"), padding=sp.get("padding"), groups=x.shape[1])[0]
    np.testing.assert_allclose(dw, want_dw[5].numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out, F.conv2d(want_dw[None], w_pw)[0, 7].numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(inp, win.session.map(idx - 1)[5])
    assert not s.pics[1].pixmap().isNull()
    # Show me reveals the question's answer: the table appears, nothing counted
    win.walkthrough.demo()
    s.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: s.cost_box.isVisibleTo(win), timeout=5_000)
    assert not s.answered and s.shown and not win.walkthrough.done()
    (sp_, sm), (dp, dm), (pp, pm) = torch_counts(win, idx)
    assert table_numbers(s) == [[sp_, dp, pp, dp + pp], [sm, dm, pm, dm + pm]]
    assert float(s.table.item(4, 1).text()) == pytest.approx((dm + pm) / sm, abs=1e-4)
    # the table follows the live block: another width, kernel and stride
    for name, value in (("out_channels", 24), ("kernel_size", 5), ("padding", 2), ("stride", 2)):
        win.edit_arg(idx, name, value)
    wait_maps(qtbot, win)
    (sp_, sm), (dp, dm), (pp, pm) = torch_counts(win, idx)
    assert (s.cost.c_out, s.cost.kernel, s.cost.stride) == (24, (5, 5), (2, 2))
    assert table_numbers(s) == [[sp_, dp, pp, dp + pp], [sm, dm, pm, dm + pm]]
    assert "1/24 + 1/25" in s.formula.text()
    # the time, measured on the compute thread
    s.repeats = 3
    s.measure()
    qtbot.waitUntil(lambda: s.latency is not None, timeout=60_000)
    lat = s.latency
    assert min(lat.standard, lat.depthwise, lat.pointwise) > 0 and lat.repeats == 3
    assert "ms" in s.table.item(0, 2).text() and s.table.item(4, 2).text() == f"{lat.ratio:.4f}"
    assert f"{lat.ratio:.0%}" in s.time_note.text() and f"{s.cost.mac_ratio:.0%}" in s.time_note.text()
    win.edit_arg(idx, "out_channels", 16)  # another block: the old time is not shown for it
    wait_maps(qtbot, win)
    assert s.latency is None and s.table.item(0, 2).text() == "—"
    # two small models trained in the app
    s.epochs = 2
    s.train()
    assert s.training and s.stop_button.isEnabled()
    qtbot.waitUntil(lambda: s.pair is not None, timeout=120_000)
    p = s.pair
    # measured (seed 0, 2 epochs): standard 0.947, separable 0.914 on 359 test digits (chance 0.10)
    assert p.standard_accuracy > 0.8 and p.separable_accuracy > 0.75 and p.epochs == 2
    assert f"{p.standard_accuracy:.1%}" in s.pair_note.text() and f"{p.separable_accuracy:.1%}" in s.pair_note.text()
    if os.environ.get("CONVVIZ_SCREENSHOTS"):
        win.resize(1600, 1100)
        s.tabs.setCurrentIndex(1)
        win.grab().save(os.path.join(os.environ["CONVVIZ_SCREENSHOTS"], f"ch9-cost-{lang}.png"))
        s.tabs.setCurrentIndex(0)
        win.grab().save(os.path.join(os.environ["CONVVIZ_SCREENSHOTS"], f"ch9-steps-{lang}.png"))
        s.tabs.setCurrentIndex(2)
        win.grab().save(os.path.join(os.environ["CONVVIZ_SCREENSHOTS"], f"ch9-separable-{lang}.png"))


def test_the_learners_own_answer_does_the_chapter_and_stop_stops(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(CHAPTER)
    wait_maps(qtbot, win)
    s = win.walkthrough.separable
    q = win.walkthrough.extra("ask:cost")
    assert not win.walkthrough.done()
    q.answer_box.setText("0.5")
    q.submit()
    s.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: s.cost_box.isVisibleTo(win), timeout=5_000)
    assert s.answered and win.walkthrough.done()
    s.train()
    s.stop()
    assert not s.training and s.pair is None and s.train_button.isEnabled()
    # Stop stops the training only: a measurement asked for meanwhile still arrives
    s.repeats = 3
    s.train()
    s.measure()  # asked for last
    s.stop()
    qtbot.waitUntil(lambda: s.latency is not None, timeout=60_000)
    assert s.measure_button.isEnabled() and s.pair is None
    # leaving the chapter while a measurement runs: nothing arrives at a deleted widget
    s.measure()
    win.walkthrough.go(CHAPTER + 1)
    wait_maps(qtbot, win)
    assert win.walkthrough.separable is None
    # the next chapter's TextCNN has made its network (the window closes with an idle thread)
    qtbot.waitUntil(lambda: win.walkthrough.extra("textcnn").weights is not None, timeout=30_000)


def test_an_invalid_block_gets_a_sentence_and_the_table_comes_back(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(CHAPTER)
    wait_maps(qtbot, win)
    s = win.walkthrough.separable
    s.show_answer()
    idx = s.cost.layers[0]
    before = s.cost
    win.edit_arg(idx, "kernel_size", 60)  # larger than the padded 56x56 input: torch refuses it
    qtbot.waitUntil(lambda: s.cost is None, timeout=10_000)
    assert f"{idx}" in s.header.text() and "color" in s.header.text()
    assert not s.cost_box.isVisibleTo(win) and not s.measure_button.isVisibleTo(win)
    s.measure()  # nothing to time: no crash, nothing queued
    assert not s.measuring
    win.act_undo.trigger()
    qtbot.waitUntil(lambda: s.cost == before, timeout=10_000)
    s.tabs.setCurrentIndex(1)
    assert s.cost_box.isVisibleTo(win)


def test_the_experiment_survives_a_language_switch(gui_session, qtbot):
    sess = gui_session
    w = sess.open()
    w.ask_save_changes = lambda: "discard"
    w.show()
    w.start()
    w.open_walkthrough(CHAPTER)
    s = w.walkthrough.separable
    s.submit_guess(0.5)
    s.repeats, s.epochs = 3, 1
    s.measure()
    s.train()
    qtbot.waitUntil(lambda: s.latency is not None and s.pair is not None, timeout=120_000)
    lat, pair, cost = s.latency, s.pair, s.cost
    sess.switch_language("zh_CN")
    s2 = sess.window.walkthrough.separable
    assert s2 is not s and s2.latency == lat and s2.pair == pair and s2.cost == cost and s2.answered
    s2.tabs.setCurrentIndex(1)
    assert s2.cost_box.isVisibleTo(sess.window) and "中位数" in s2.time_note.text()
    assert f"{pair.separable_accuracy:.1%}" in s2.summary.text()


def test_the_papers_spelling_is_followed_too(make_window, qtbot):
    """Depthwise Conv2d, BatchNorm, ReLU, then a 1x1 Conv2d (MobileNet's Figure 3) is a block as
    well: the steps show the depthwise layer's and the pointwise layer's own maps."""
    from convviz.project import InputSpec, Project
    from convviz.spec import LayerSpec
    from ui.walkthrough.separable import SeparableTable
    C = LayerSpec.make
    layers = (C("Conv2d", out_channels=6, kernel_size=3, padding=1), C("ReLU"),
              C("Conv2d", out_channels=6, kernel_size=3, padding=1, groups=6, bias=False), C("BatchNorm2d"),
              C("ReLU"), C("Conv2d", out_channels=10, kernel_size=1, bias=False))
    win = make_window(project=Project(InputSpec(3, 24, 24, "sample:cat"), layers, 0, (None,) * 6, "paper"))
    s = SeparableTable(win)
    qtbot.addWidget(s)
    assert s.cost.layers == (2, 5) and (s.cost.c_in, s.cost.c_out) == (6, 10)
    s.channel.setValue(4)
    s.out_channel.setValue(9)
    inp, dw, out = s.shown_arrays()
    np.testing.assert_array_equal(inp, win.session.map(1)[4])
    np.testing.assert_array_equal(dw, win.session.map(2)[4])
    np.testing.assert_array_equal(out, win.session.map(5)[9])
    x = torch.tensor(np.array(win.session.map(1)))[None]
    w_dw = torch.tensor(np.array(win.last_result.weights[2][0]))
    np.testing.assert_allclose(dw, F.conv2d(x, w_dw, padding=1, groups=6)[0, 4].numpy(), rtol=1e-4, atol=1e-4)
    win.edit_arg(5, "kernel_size", 3)  # no longer pointwise: no block, and a sentence says so
    wait_maps(qtbot, win)
    assert s.cost is None and "1×1" in s.header.text()


def test_the_handout_shows_measured_numbers(make_window, qtbot):
    """render-walkthrough calls prepare_handout: the page shows the cost tab with the time
    measured and the two models trained, not empty cells."""
    from ui.app import make_app
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(CHAPTER)
    wait_maps(qtbot, win)
    win.walkthrough.solve()
    s = win.walkthrough.separable
    s.repeats, s.epochs = 3, 1
    assert s.prepare_handout(make_app(), timeout=120)
    assert s.tabs.currentIndex() == 1 and s.cost_box.isVisibleTo(win)
    assert "ms" in s.table.item(0, 2).text() and s.summary.isVisibleTo(win)
    assert f"{s.pair.standard_accuracy:.1%}" in s.summary.text()
