"""The walkthrough in both languages: every chapter loads a valid project and its interaction
works; the translation covers every UI string; Chinese renders."""
from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np

from convviz.samples import resources_dir

from .conftest import wait_maps

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def count_prompts(win) -> list:
    """Records each time the unsaved-changes question is asked (answered Discard)."""
    asked = []
    win.ask_save_changes = lambda: asked.append(win.project) or "discard"
    return asked


def test_every_chapter_in_both_languages(make_window, qtbot, lang):
    win = make_window(preset="lesson_4x4")
    asked = count_prompts(win)
    assert win.walkthrough.lang == lang
    n = len(win.walkthrough.chapters)
    assert n >= 10
    assert not any("✓" in win.walkthrough.combo.itemText(i) for i in range(n))
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
        assert "✓" not in win.walkthrough.combo.itemText(i)
        win.walkthrough.solve()
        wait_maps(qtbot, win)
        assert win.walkthrough.done(), f"chapter {ch.key}: doing the task does not complete it"
        assert "✓" in win.walkthrough.task.text()
        assert "✓" in win.walkthrough.combo.itemText(i), "the chapter list marks the chapter done"
        assert not win.doc.dirty, "a chapter's project is never unsaved work"
    assert not asked, "entering a chapter asked about saving"
    done = str(win.settings.value("walkthrough/done"))
    assert all(ch.key in done for ch in win.walkthrough.chapters)
    assert int(win.settings.value("walkthrough/chapter")) == n - 1


# --- the learner's own project is put aside, never asked about ------------------------------------

def test_chapters_never_ask_to_save_and_the_learners_work_comes_back(make_window, qtbot):
    """Next and Back never ask about saving (a chapter's project is not the learner's work); the
    autosave keeps the learner's project, not a chapter's; closing the walkthrough brings the
    learner's project back with its file, its unsaved state and its whole undo history."""
    from convviz.project import load
    from ui.qt import QtWidgets
    win = make_window(preset="dilated")
    win.set_project(win.project, "/tmp/mine.json")
    win.edit_seed(4)
    win.edit_arg(0, "out_channels", 3)
    mine, history = win.project, win.doc.undo_stack.count()
    assert win.doc.dirty and history == 2
    asked = count_prompts(win)
    win.open_walkthrough(1)
    wait_maps(qtbot, win)
    assert win.project != mine and not win.doc.dirty and win.doc.path is None
    win.walkthrough.solve()  # the learner edits the chapter's project: still not their work
    assert not win.doc.dirty and not win.isWindowModified()
    saver = win.autosaver
    saver.save_now()
    qtbot.waitUntil(lambda: saver.writes >= 1 and os.path.exists(saver.path))
    assert load(saver.path) == mine, "the autosave keeps the learner's project, not the chapter's"
    for _ in range(3):
        win.walkthrough.next.click()
        win.walkthrough.solve()
    win.walkthrough.back.click()
    assert win.walkthrough.index == 3 and not asked, "Next or Back asked about saving"
    assert win.walkthrough.text.toPlainText() and win.walkthrough.questions is not None
    # closing the walkthrough's dock closes the lesson
    win.findChild(QtWidgets.QDockWidget, "walkthroughDock").toggleViewAction().trigger()
    assert win.project == mine and win.doc.path == "/tmp/mine.json" and win.doc.dirty
    assert win.doc.undo_stack.count() == history and win.isWindowModified()
    win.act_undo.trigger()
    assert win.project.layers[0].get("out_channels") != 3 and win.project.seed == 4
    win.act_undo.trigger()
    assert win.project.seed != 4
    win.act_redo.trigger()
    win.act_redo.trigger()
    assert win.project == mine
    wait_maps(qtbot, win)
    assert win.walkthrough.index == -1 and win.walkthrough.questions is None


def test_f1_on_an_open_chapter_keeps_it_as_the_learner_left_it(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(3)
    q = win.walkthrough.questions
    q.answer_box.setValue(q.expected)
    q.submit()
    shown = win.project
    win.act_walkthrough.trigger()  # Help > Walkthrough (F1) again
    assert win.walkthrough.questions is q and q.asked == 1 and win.project is shown


def test_the_autosave_never_keeps_a_chapters_project(make_window, qtbot):
    """With the learner's own project saved, nothing a chapter shows or the learner changes in
    it is ever written as unsaved work."""
    import threading
    win = make_window(preset="lesson_4x4")
    saver = win.autosaver
    win.open_walkthrough(1)
    win.walkthrough.solve()  # the chapter's project changed
    assert win.doc.unsaved_work() is None and not win.doc.dirty
    done = threading.Event()
    saver.save_now(after=[done.set])
    assert done.wait(10)
    assert saver.writes == 0 and not os.path.exists(saver.path)


def test_opening_a_project_closes_the_lesson_and_asks_about_the_learners_work(make_window, qtbot, tmp_path):
    """File > Open during a chapter: the question is about the learner's own project (put
    aside), Cancel keeps it, and the chapter is closed first."""
    from convviz.project import save
    from convviz.samples import load_preset
    win = make_window(preset="lesson_4x4")
    win.edit_seed(9)
    mine = win.project
    asked = []
    win.ask_save_changes = lambda: asked.append(win.project) or "cancel"
    win.open_walkthrough(6)
    other = tmp_path / "other.json"
    save(load_preset("lenet5"), str(other))
    assert not win.open_path(str(other))
    assert asked == [mine], "asked once, about the learner's project"
    assert win.project == mine and win.doc.dirty and not win.doc.lesson


# --- predict, then reveal ------------------------------------------------------------------------

def torch_height(n: int, k: int, s: int, d: int, p: int) -> int:
    """The output height torch gives, the oracle for the walkthrough's questions."""
    import torch
    conv = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    with torch.no_grad():
        return conv(torch.zeros(1, 1, n, n)).shape[2]


def shown_outside_the_walkthrough(win) -> str:
    """Every text the workbench shows (layer list, map headers, shapes table, status bar,
    labels), the walkthrough dock left out."""
    from ui.qt import QtWidgets
    dock = win.findChild(QtWidgets.QDockWidget, "walkthroughDock")
    out = [win.status.currentMessage(), win.windowTitle()]
    for w in win.findChildren(QtWidgets.QWidget):
        if dock.isAncestorOf(w) or not w.isVisibleTo(win):
            continue
        if isinstance(w, QtWidgets.QLabel):
            out.append(w.text())
        elif isinstance(w, QtWidgets.QListWidget):
            out += [w.item(i).text() for i in range(w.count())]
        elif isinstance(w, QtWidgets.QTableWidget):
            out += [w.item(r, c).text() for r in range(w.rowCount()) for c in range(w.columnCount())
                    if w.item(r, c) is not None]
    return "\n".join(out)


def type_and_enter(qtbot, spin, text: str) -> None:
    from ui.qt import Qt
    line = spin.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def test_questions_hide_the_layer_until_answered_and_check_against_torch(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(3)
    q = win.walkthrough.questions
    for round_ in range(4):
        wait_maps(qtbot, win)
        want = torch_height(q.n, q.k, q.s, q.d, q.p)
        assert q.expected == want
        # unanswered: the question's layer and its shape are nowhere on the workbench
        assert win.project.layers == ()
        shown = shown_outside_the_walkthrough(win)
        assert "Conv2d(" not in shown and f"kernel_size={q.k}" not in shown, shown
        answer = want if round_ % 2 else want + 1
        type_and_enter(qtbot, q.answer_box, str(answer))  # Enter submits
        assert q.asked == round_ + 1 and q.correct == (round_ + 1) // 2
        wait_maps(qtbot, win)
        # answered: the live app shows the same layer, and torch agrees with the question
        assert win.info.layers[0].out_shape[1] == want
        assert f"[1, {want}, {want}]" in shown_outside_the_walkthrough(win)
        type_and_enter(qtbot, q.answer_box, str(want))  # a second Enter does not answer again
        assert q.asked == round_ + 1
        q.next_button.click()
    assert q.correct == 2 and not win.walkthrough.done()


def test_show_me_reveals_but_never_counts(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(3)
    q = win.walkthrough.questions
    for _ in range(4):
        win.walkthrough.show_me.click()
        assert q.status == "shown" and str(q.expected) in q.result.text()
        assert win.project.layers and win.info.layers[0].out_shape[1] == q.expected
        type_and_enter(qtbot, q.answer_box, str(q.expected))  # typing the revealed answer: not counted
        q.next_button.click()
    assert q.correct == 0 and q.asked == 0 and not win.walkthrough.done()
    assert "✓" not in win.walkthrough.task.text()
    for _ in range(3):
        type_and_enter(qtbot, q.answer_box, str(q.expected))
        q.next_button.click()
    assert q.correct == 3 and q.asked == 3 and win.walkthrough.done()
    assert "3" in q.score.text()


# --- task detection ----------------------------------------------------------------------------------

def test_receptive_chapter_is_done_by_a_click_on_the_asked_layer(make_window, qtbot):
    from ui.walkthrough.chapters import RF_LAYER
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(6)
    wait_maps(qtbot, win)
    assert str(RF_LAYER) in win.walkthrough.chapter.task
    assert not win.walkthrough.done()
    m = win.features.widget_for(RF_LAYER)
    m.render()
    sy, sx = m.scene_point(0, 4, 5)
    m._on_shift_hover(sy + 0.5, sx + 0.5)  # hovering with Shift shows the field; it is not the click asked
    assert win.field == (RF_LAYER, 4, 5) and not win.walkthrough.done()
    m3 = win.features.widget_for(3)
    m3.render()
    sy3, sx3 = m3.scene_point(0, 2, 2)
    m3._on_click(sy3 + 0.5, sx3 + 0.5)  # another deep layer: not the one asked
    assert win.field == (3, 2, 2) and not win.walkthrough.done()
    m._on_click(sy + 0.5, sx + 0.5)  # the click asked for: done at once, no recompute needed
    assert win.field == (RF_LAYER, 4, 5)
    assert win.walkthrough.done() and "✓" in win.walkthrough.task.text()
    assert "✓" in win.walkthrough.combo.itemText(6)


def test_last_chapter_is_not_done_on_arrival(make_window, qtbot):
    """The stepper moved in an earlier chapter does not complete the last one; a step there does."""
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(5)
    wait_maps(qtbot, win)
    win.show_stepper(0)
    win.stepper.set_position(4)
    assert win.stepper.t == 4
    win.open_walkthrough(9)
    wait_maps(qtbot, win)
    qtbot.waitUntil(lambda: win.stepper.layer_index == 0)
    assert win.tabs.currentWidget() is win.stepper
    assert not win.walkthrough.done() and "✓" not in win.walkthrough.task.text()
    win.stepper.set_position(win.stepper.t + 1)
    assert win.walkthrough.done() and "✓" in win.walkthrough.task.text()


def test_progress_is_remembered(make_window, qtbot):
    from ui.main_window import MainWindow
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(5)
    win.walkthrough.solve()
    win.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.ask_save_changes = lambda: "discard"
    again.start()
    assert "✓" in again.walkthrough.combo.itemText(5) and "✓" not in again.walkthrough.combo.itemText(4)
    assert again.open_walkthrough()
    assert again.walkthrough.index == 5
    again.close()


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
    assert len(pages) == 11 and all(p.endswith(".zh_CN.png") for p in pages)


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
        assert msg == "第 1 层（Conv2d）：7x7 的卷积核（3x3，空洞率为 3）比填充后的输入 5x5 还大——请减小 kernel_size 或 dilation，或增加 padding"
        assert win.layers.problem.text() == msg or win.layers.current() != 1
        assert win.features.widget_for(0).formula.text() == "5（不变）"
        assert win.info.layers[1].error.startswith("Layer 1 (Conv2d): the 7x7 kernel")  # the core stays English
    finally:
        install(app, "en")
