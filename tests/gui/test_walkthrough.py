"""The walkthrough in both languages: every chapter loads a valid project and its interaction
works; the translation covers every UI string; Chinese renders."""
from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from convviz.samples import resources_dir

from .conftest import wait_maps

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(params=["en", "zh_CN"])
def lang(request, qtbot):
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    install(app, request.param)
    yield request.param
    install(app, "en")


def test_every_chapter_in_both_languages(make_window, qtbot, lang):
    win = make_window(preset="lesson_4x4")
    assert win.walkthrough.lang == lang
    n = len(win.walkthrough.chapters)
    assert n >= 10
    for i in range(n):
        assert win.open_walkthrough(i)
        ch = win.walkthrough.chapter
        wait_maps(qtbot, win)
        assert win.info.ok, f"chapter {ch.key}: its project is invalid"
        assert win.last_result.error is None
        text = win.walkthrough.text.toPlainText()
        assert len(text) > 300
        if lang == "zh_CN":
            assert any("\u4e00" <= c <= "\u9fff" for c in text), f"chapter {ch.key} is not in Chinese"
        assert not win.walkthrough.done(), f"chapter {ch.key} is done before the learner did anything"
        win.walkthrough.demo()
        wait_maps(qtbot, win)
        assert win.walkthrough.done(), f"chapter {ch.key}: doing the task does not complete it"
        assert "✓" in win.walkthrough.task.text()
    done = str(win.settings.value("walkthrough/done"))
    assert all(ch.key in done for ch in win.walkthrough.chapters)
    assert int(win.settings.value("walkthrough/chapter")) == n - 1


def test_translation_equivariance_of_the_horse(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(0)
    wait_maps(qtbot, win)
    base = win.features.widget_for(0).array.copy()
    horse = win.walkthrough.horse
    for dx in (7, -5):
        horse.set_shift(dx)
        wait_maps(qtbot, win)
        moved = win.features.widget_for(0).array
        m = 2 + abs(dx)  # away from the borders (5x5 kernel, padding 2, wrap-around)
        np.testing.assert_allclose(moved[:, :, m:-m], np.roll(base, dx, axis=2)[:, :, m:-m], atol=1e-4)
        assert horse.fc_score(dx) < horse.fc_score(0) - 0.15, "the fully connected score is position sensitive"
    assert win.project.input.shift == (0, -5)


def torch_height(n: int, k: int, s: int, d: int, p: int) -> int:
    """The output height torch gives, the oracle for the walkthrough's questions."""
    import torch
    conv = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    with torch.no_grad():
        return conv(torch.zeros(1, 1, n, n)).shape[2]


def test_questions_check_against_torch(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(3)
    q = win.walkthrough.questions
    for _ in range(5):
        want = torch_height(q.n, q.k, q.s, q.d, q.p)
        assert q.expected == want
        assert win.info.layers[0].out_shape[1] == want  # the live app shows the same layer
        assert not q.check(want + 1)
        q.new_question()
        assert q.check(q.expected)
        q.new_question()
    assert q.correct == 5 and q.asked == 10
    assert win.walkthrough.done()


def test_separable_ratio_is_one_over_n_plus_one_over_k2(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(8)
    wait_maps(qtbot, win)
    s = win.walkthrough.separable
    assert abs(s.ratio - (1 / 64 + 1 / 9)) < 1e-12
    assert not s.answer(0.5) and s.answered
    assert s.answer(0.127)


def test_progress_is_remembered(make_window, qtbot):
    from ui.main_window import MainWindow
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(5)
    win.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.ask_save_changes = lambda: "discard"
    again.start()
    assert again.open_walkthrough()
    assert again.walkthrough.index == 5
    again.close()


@pytest.fixture
def gui_session(qtbot):
    """The app's Session (the language-switch path), its windows closed and deleted at the end."""
    from ui.app import Session, make_app
    from ui.i18n import install
    app = make_app()
    s = Session(app, restore_layout=False)
    yield s
    install(app, "en")
    if s.window is not None:
        s.window.ask_save_changes = lambda: "discard"
        s.window.close()
        s.window.deleteLater()
        s.window = None


def test_language_switch_keeps_the_project(gui_session, qtbot):
    s = gui_session
    w = s.open()
    from convviz.samples import load_preset
    w.set_project(load_preset("dilated"), None)
    w.start()
    w.edit_seed(4)
    s.switch_language("zh_CN")
    w2 = s.window
    assert w2 is not w and w2.project.seed == 4 and w2.doc.dirty
    assert w2.menuBar().actions()[0].text() == "文件(&F)"
    wait_maps(qtbot, w2)


def test_language_switches_delete_the_replaced_windows(gui_session, qtbot):
    """Four switches leave one window, not five: each replaced window is deleted with its maps
    and its compute thread, and never waits for a compute that is still running."""
    import gc
    import weakref

    from ui.main_window import MainWindow
    from ui.qt import QtCore, QtWidgets
    from convviz.samples import load_preset
    s = gui_session
    w = s.open()
    w.set_project(load_preset("teaching"), None)
    w.start()
    wait_maps(qtbot, w)
    refs = [weakref.ref(w)]
    del w
    for lang in ("zh_CN", "en", "zh_CN", "en"):
        s.switch_language(lang)  # the new window's first compute is still running: not waited for
        refs.append(weakref.ref(s.window))
    wait_maps(qtbot, s.window)
    for _ in range(3):
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        QtWidgets.QApplication.processEvents()
    gc.collect()
    alive = [r() for r in refs if r() is not None]
    assert alive == [s.window], f"{len(alive)} windows alive after 4 language switches"
    tops = [t for t in QtWidgets.QApplication.topLevelWidgets() if isinstance(t, MainWindow)]
    assert tops == [s.window]


def test_every_ui_string_has_a_chinese_translation():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "translations.py"), "--check"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    tree = ET.parse(resources_dir() / "translations" / "convviz_zh_CN.ts")
    for m in tree.getroot().iter("message"):
        t = m.find("translation")
        src = m.findtext("source")
        assert t.text and t.get("type") != "unfinished", f"untranslated: {src!r}"
        for field in ("{n}", "{i}", "{l}", "{y}", "{x}", "{p}", "{t}"):
            assert (field in src) == (field in t.text), f"placeholder {field} lost in {src!r}"
    assert (resources_dir() / "translations" / "convviz_zh_CN.qm").stat().st_size > 10000


def test_chinese_renders_with_the_bundled_font(make_window, qtbot, tmp_path):
    """Han characters are drawn (not tofu boxes): each distinct character gives a distinct glyph."""
    from ui.i18n import load_cjk_font
    from ui.qt import QtWidgets
    load_cjk_font()
    label = QtWidgets.QLabel("卷积感受野")
    qtbot.addWidget(label)
    label.resize(200, 40)
    imgs = []
    for ch in "卷积感":
        label.setText(ch)
        img = label.grab().toImage()
        arr = np.array([[img.pixelColor(x, y).lightness() for x in range(0, 60)] for y in range(0, 30)])
        imgs.append(arr)
    assert all(a.min() < 128 for a in imgs), "nothing drawn"
    assert not np.array_equal(imgs[0], imgs[1]) and not np.array_equal(imgs[1], imgs[2]), "tofu boxes"


def test_render_walkthrough_command(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CONVVIZ_SETTINGS": str(tmp_path / "s.ini")}
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "render-walkthrough", "--out",
                        str(tmp_path / "out"), "--lang", "zh_CN"], capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    pages = sorted(os.listdir(tmp_path / "out"))
    assert len(pages) == 10 and all(p.endswith(".zh_CN.png") for p in pages)


def test_core_sentences_are_translated(make_window, qtbot):
    """Validation messages and formula notes come from the core as translatable messages."""
    from convviz.project import InputSpec, Project
    from convviz.spec import LayerSpec
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    install(app, "zh_CN")
    try:
        layers = (LayerSpec.make("ReLU"), LayerSpec.make("Conv2d", out_channels=1, kernel_size=3, dilation=3))
        win = make_window(project=Project(InputSpec(1, 5, 5, "pattern:impulse"), layers))
        msg = win.features.widget_for(1).message.text()
        assert msg == "第 1 层（Conv2d）：7x7 的卷积核（3x3，空洞为 3）比填充后的输入 5x5 还大——请减小 kernel_size 或 dilation，或增加 padding"
        assert win.layers.problem.text() == msg or win.layers.current() != 1
        assert win.features.widget_for(0).formula.text() == "5（不变）"
        assert win.info.layers[1].error.startswith("Layer 1 (Conv2d): the 7x7 kernel")  # the core stays English
    finally:
        install(app, "en")
