"""Languages: switching keeps everything the learner has (project, undo history, the open chapter
and its progress, the view) and asks nothing; the Chinese UI is Chinese everywhere — the real
window's every menu, action, label, header, tooltip, table and dialog button, after loading
presets, opening the stepper and walkthrough chapters — except torch's identifiers, units and
numbers."""
from __future__ import annotations

import re

import pytest

from .conftest import wait_maps


@pytest.fixture
def zh(qtbot):
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    install(app, "zh_CN")
    yield app
    install(app, "en")


# --- switching language --------------------------------------------------------------------------

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


def test_language_switch_keeps_history_chapter_progress_and_view(gui_session, qtbot):
    """The learner's project with its file, unsaved state and undo history; the chapter on show
    with the answers given so far; docks and View toggles; and no question asked."""
    from convviz.samples import load_preset
    from ui.main_window import MainWindow
    from ui.qt import QtCore, QtWidgets
    s = gui_session
    w = s.open()
    asked = []
    w.ask_save_changes = lambda: asked.append(1) or "cancel"
    w.show()
    w.set_project(load_preset("dilated"), "/tmp/mine.json")
    w.start()
    w.edit_seed(4)
    w.edit_arg(0, "out_channels", 3)
    mine = w.project
    w.act_erf.setChecked(True)
    w.findChild(QtWidgets.QDockWidget, "shapesDock").hide()
    w.open_walkthrough(3)
    q = w.walkthrough.questions
    q.answer_box.setValue(q.expected)
    q.submit()
    q.new_question()
    q.answer_box.setValue(q.expected + 1)
    q.submit()
    question, lesson = (q.n, q.k, q.s, q.p, q.d), w.project
    w.edit_arg(0, "stride", 1)  # the learner plays with the revealed layer: undoable in the chapter
    wait_maps(qtbot, w)

    s.switch_language("zh_CN")
    w2 = s.window
    assert w2 is not w and not asked, "the switch asked a question"
    del w
    for _ in range(3):
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        QtWidgets.QApplication.processEvents()
    alive = [x for x in QtWidgets.QApplication.topLevelWidgets() if isinstance(x, MainWindow)]
    assert alive == [w2], "one window alive"
    # the chapter, as it was
    assert w2.findChild(QtWidgets.QDockWidget, "walkthroughDock").isVisible()
    p = w2.walkthrough
    assert p.index == 3 and "输出尺寸" in p.text.toPlainText()
    q2 = p.questions
    assert (q2.n, q2.k, q2.s, q2.p, q2.d) == question and (q2.correct, q2.asked) == (1, 2)
    assert q2.status == "answered" and "✗" in q2.result.text() and "1" in q2.score.text()
    assert w2.project.layers[0].get("stride") == 1 and w2.doc.lesson
    w2.act_undo.trigger()
    assert w2.project == lesson, "the chapter's own history came along"
    # the view
    assert w2.act_erf.isChecked()
    assert w2.findChild(QtWidgets.QDockWidget, "shapesDock").isHidden()
    # closing the walkthrough: the learner's project, file, unsaved state and history
    w2.findChild(QtWidgets.QDockWidget, "walkthroughDock").toggleViewAction().trigger()
    assert w2.project == mine and w2.doc.path == "/tmp/mine.json" and w2.doc.dirty
    assert w2.doc.undo_stack.count() == 2
    w2.act_undo.trigger()
    w2.act_undo.trigger()
    assert w2.project == load_preset("dilated")
    wait_maps(qtbot, w2)
    assert not asked


def test_language_switch_keeps_the_horse_where_the_learner_left_it(gui_session, qtbot):
    s = gui_session
    w = s.open()
    w.show()
    w.start()
    w.open_walkthrough(0)
    w.walkthrough.horse.predict("fc")
    w.walkthrough.horse.set_shift(-7)
    s.switch_language("zh_CN")
    w2 = s.window
    horse = w2.walkthrough.horse
    assert horse.slider.value() == -7 and horse.prediction == "fc"
    assert not w2.doc.dirty
    wait_maps(qtbot, w2)
    assert w2.session.input_override[1] == ("horse-canvas", -7), "the maps show the horse where it was left"


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
    w.open_walkthrough(6)
    refs = [weakref.ref(w)]
    del w
    for lang in ("zh_CN", "en", "zh_CN", "en"):
        s.switch_language(lang)  # the new window's first compute is still running: not waited for
        refs.append(weakref.ref(s.window))
    wait_maps(qtbot, s.window)
    assert s.window.walkthrough.index == 6
    for _ in range(3):
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        QtWidgets.QApplication.processEvents()
    gc.collect()
    alive = [r() for r in refs if r() is not None]
    assert alive == [s.window], f"{len(alive)} windows alive after 4 language switches"
    tops = [t for t in QtWidgets.QApplication.topLevelWidgets() if isinstance(t, MainWindow)]
    assert tops == [s.window]


# --- Chinese everywhere ----------------------------------------------------------------------------

def allowed_words() -> set[str]:
    """Latin words a Chinese UI may show: torch's identifiers (layer types, their arguments and
    the values of string arguments), units, file formats, names, keys."""
    from convviz import spec
    words = set(spec.LAYER_TYPES)
    for t in spec.LAYER_TYPES.values():
        for a in t.args:
            words.add(a.name)
            words |= {c for c in a.choices if isinstance(c, str)}
    words |= set(spec.PADDING_MODES) | set(spec.PADDING_STRINGS) | set(spec.GELU_APPROXIMATIONS)
    words |= {
        # torch and Python
        "torch", "nn", "PyTorch", "Python", "True", "False", "None", "Sequential", "safetensors",
        "groups", "in_channels", "out_channels", "weight", "bias_", "forward",
        # units and counts
        "MACs", "MAC", "FLOPs", "px", "ms", "KB", "MB", "GB", "KiB", "MiB", "GiB", "Hz", "fps",
        # formats, devices, names
        "PNG", "JPEG", "BMP", "GIF", "CSV", "JSON", "Markdown", "CPU", "GPU", "CUDA", "cpu", "cuda", "RGB",
        "convviz", "MobileNet", "VGG", "LeNet", "TextCNN", "CNN", "Explainer", "Tiny", "ERF", "logit",
        # real networks: the library, the data set, the formats and the viewer named by their own names
        "torchvision", "ImageNet", "AlexNet", "ONNX", "onnx", "Netron", "pt", "pth", "state_dict", "softmax",
        # people and languages named by their own names
        "Luo", "Sobel", "English", "Dumoulin", "Visin",
        # keys
        "Ctrl", "Shift", "Alt", "Esc", "Space", "Del", "Delete", "Enter", "PgUp", "PgDown", "Home", "End",
        "Up", "Down", "Left", "Right", "Tab", "Backspace", "Ins", "Meta",
    }
    return words


LATIN = re.compile(r"(?<![0-9A-Za-z_])[A-Za-z][A-Za-z0-9_]*")  # not 3x3, 5px
IDENT = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s:]*[/\\.][^\s:]*|\b(?:sample|pattern):[A-Za-z0-9_]+|\b[A-Za-z]\w*\([^()]*\)|\b\w+=\S+|#[0-9a-fA-F]{3,8}\b"
                   r"|\bF\d{1,2}\b|\b\d+[a-zA-Z]+\b|\b[a-zA-Z]+\d\w*")


def english_words(text: str, allowed: set[str]) -> list[str]:
    """The Latin words of ``text`` that are not allowed: HTML tags and entities, Qt's accelerator
    marks, identifiers (``Conv2d(...)``, ``kernel_size=3``, ``sample:cat``), single letters
    (the formulas' n, k, x, y) and allowed words are not English prose."""
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&[a-zA-Z]+;|&(?=\w)", " ", text)
    text = IDENT.sub(" ", text)
    return [w for w in LATIN.findall(text) if len(w) > 1 and w not in allowed and w.lower() not in allowed]


def collect_texts(win) -> list[tuple[str, str]]:
    """(where, text) for everything the window shows or offers: menus and actions (text, tip,
    status tip), visible widgets (labels, buttons, group boxes, tabs, docks, combo items, tables
    and their headers, lists, spin box affixes, tooltips), text drawn in graphics scenes, plot
    axis labels, the status bar and the window title.  The walkthrough page's own Markdown is
    left out (its Chinese names English terms in brackets on purpose)."""
    from ui.qt import QtWidgets, pg

    out: list[tuple[str, str]] = [("window title", win.windowTitle()), ("status bar", win.status.currentMessage())]

    def action(a, where):
        for what, t in (("text", a.text()), ("tooltip", a.toolTip()), ("status tip", a.statusTip())):
            if t:
                out.append((f"{where} {what}", t))
        if a.menu() is not None:
            menu(a.menu(), f"{where} > {a.text()}")

    def menu(m, where):
        out.append((where, m.title()))
        for a in m.actions():
            if not a.isSeparator():
                action(a, where)

    for a in win.menuBar().actions():
        action(a, "menu")
    for a in win.actions():
        action(a, "action")
    for w in win.findChildren(QtWidgets.QWidget):
        if isinstance(w, QtWidgets.QMenu):
            menu(w, f"menu {w.objectName()}")
            continue
        if not w.isVisibleTo(win) or w.objectName() == "walkthroughText":
            continue
        name = f"{type(w).__name__} {w.objectName()}".strip()
        if w.toolTip():
            out.append((f"{name} tooltip", w.toolTip()))
        if isinstance(w, QtWidgets.QLabel):
            out.append((name, w.text()))
        elif isinstance(w, QtWidgets.QAbstractButton):
            out.append((name, w.text()))
        elif isinstance(w, QtWidgets.QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, QtWidgets.QDockWidget):
            out.append((name, w.windowTitle()))
        elif isinstance(w, QtWidgets.QTabBar):
            out += [(name, w.tabText(i)) for i in range(w.count())]
            out += [(f"{name} tooltip", w.tabToolTip(i)) for i in range(w.count()) if w.tabToolTip(i)]
        elif isinstance(w, QtWidgets.QComboBox):
            for i in range(w.count()):
                out.append((f"{name} item", w.itemText(i)))
                tip = w.itemData(i, 3)  # Qt.ItemDataRole.ToolTipRole
                if isinstance(tip, str) and tip:
                    out.append((f"{name} item tooltip", tip))
        elif isinstance(w, QtWidgets.QAbstractSpinBox):
            if isinstance(w, (QtWidgets.QSpinBox, QtWidgets.QDoubleSpinBox)):
                out += [(name, t) for t in (w.prefix(), w.suffix()) if t]
            if w.specialValueText() and w.value() == w.minimum():
                out.append((name, w.specialValueText()))
        elif isinstance(w, QtWidgets.QLineEdit):
            if w.placeholderText():
                out.append((f"{name} placeholder", w.placeholderText()))
        elif isinstance(w, QtWidgets.QListWidget):
            for i in range(w.count()):
                out.append((f"{name} item", w.item(i).text()))
                if w.item(i).toolTip():
                    out.append((f"{name} item tooltip", w.item(i).toolTip()))
        elif isinstance(w, QtWidgets.QTableWidget):
            for r in range(w.rowCount()):
                for c in range(w.columnCount()):
                    it = w.item(r, c)
                    if it is not None:
                        out.append((f"{name} cell", it.text()))
                        if it.toolTip():
                            out.append((f"{name} cell tooltip", it.toolTip()))
        if isinstance(w, QtWidgets.QTableView) and w.model() is not None:
            m, root = w.model(), pg.QtCore.QModelIndex()
            for header, orient, n in ((w.horizontalHeader(), pg.QtCore.Qt.Orientation.Horizontal, m.columnCount(root)),
                                      (w.verticalHeader(), pg.QtCore.Qt.Orientation.Vertical, m.rowCount(root))):
                if not header.isHidden():
                    out += [(f"{name} header", t) for i in range(n)
                            if isinstance(t := m.headerData(i, orient), str)]
        words = getattr(w, "words", None)  # what a widget paints itself (the stepper's grid labels)
        if isinstance(words, dict):
            out += [(f"{name} painted", t) for t in words.values() if isinstance(t, str)]
        if isinstance(w, QtWidgets.QGraphicsView) and w.scene() is not None:
            for item in w.scene().items():
                if not item.isVisible():
                    continue
                if isinstance(item, QtWidgets.QGraphicsTextItem):
                    out.append((f"{name} scene text", item.toPlainText()))
                elif isinstance(item, QtWidgets.QGraphicsSimpleTextItem):
                    out.append((f"{name} scene text", item.text()))
                if isinstance(item, pg.AxisItem) and item.labelText:
                    out.append((f"{name} axis", item.labelText))
    return [(where, t) for where, t in out if t]


def english_in(win, allowed) -> list[str]:
    found = []
    for where, text in collect_texts(win):
        words = english_words(text, allowed)
        if words:
            found.append(f"{where}: {text!r} -> {sorted(set(words))}")
    return sorted(set(found))


def test_english_words_are_found():
    """The detector itself: prose is flagged, identifiers, units, numbers and HTML are not."""
    allowed = allowed_words()
    assert english_words("Save", allowed) == ["Save"]
    assert english_words("第 3 层（Conv2d）：输出 [8, 64, 64]", allowed) == []
    assert english_words("Conv2d(out_channels=8, kernel_size=3, padding=1)  → [8, 128, 128]", allowed) == []
    assert english_words("<b>224</b> 个参数 · 3.54 M MACs · 1.9 MiB · Ctrl+Shift+Z · F5", allowed) == []
    assert english_words("(128 + 2*1 - 1*(3-1) - 1) // 1 + 1 = 128", allowed) == []
    assert english_words("3x3, jump 1, offset -1", allowed) == ["jump", "offset"]
    assert english_words("Input · [3, 128, 128] · astronaut", allowed) == ["Input", "astronaut"]
    assert english_words("pattern:checkerboard", allowed) == []
    assert english_words("文件(&F)", allowed) == []
    assert english_words("/tmp/pytest-of-root/broken.json：不是有效的 JSON", allowed) == []
    assert english_words("Save /tmp/x.json", allowed) == ["Save"]
    assert english_words("C:\\Users\\me\\cat.png 无法打开", allowed) == []


def test_chinese_everywhere_in_the_real_window(make_window, qtbot, zh):
    """Every text the Chinese window shows — after loading several presets, stepping a layer,
    opening walkthrough chapters and the receptive field — is Chinese, except torch's
    identifiers, units and numbers."""
    from convviz.samples import load_preset
    allowed = allowed_words()
    win = make_window(preset="teaching")
    win.resize(1600, 1000)
    found: list[str] = []
    for name in ("teaching", "mobilenet_block", "lenet5", "dilated", "lesson_4x4"):
        assert win.open_preset(name)
        wait_maps(qtbot, win)
        win.layers.select(min(3, len(win.project.layers) - 1))
        found += english_in(win, allowed)
        if name in ("teaching", "lenet5"):
            win.show_stepper(0)
            wait_maps(qtbot, win)
            win.stepper.set_position(5)
            found += english_in(win, allowed)
            win.tabs.setCurrentWidget(win.features)
    win.set_project(load_preset("teaching"), None)
    wait_maps(qtbot, win)
    win.show_field(3, 10, 10)
    found += english_in(win, allowed)
    for chapter in (0, 3, 6, 8, 9):
        win.open_walkthrough(chapter)
        wait_maps(qtbot, win)
        found += english_in(win, allowed)
        win.walkthrough.solve()
        wait_maps(qtbot, win)
        found += english_in(win, allowed)
    found = sorted(set(found))
    assert not found, f"{len(found)} English texts in the Chinese UI:\n" + "\n".join(found)


def answer_dialog(qtbot, button_role, seen: list):
    """When the next modal dialog opens: record its texts and button texts, keep a picture of it
    (seen[-1]["image"]), and press the button of ``button_role`` (a QMessageBox.StandardButton)."""
    from ui.qt import QtCore, QtWidgets

    def look():
        box = QtWidgets.QApplication.activeModalWidget()
        if not isinstance(box, QtWidgets.QMessageBox):
            QtCore.QTimer.singleShot(20, look)
            return
        seen.append({"title": box.windowTitle(), "text": box.text(), "informative": box.informativeText(),
                     "buttons": [b.text() for b in box.buttons()], "image": box.grab().toImage()})
        box.button(button_role).click()
    QtCore.QTimer.singleShot(0, look)


def test_dialogs_speak_chinese(make_window, qtbot, zh, tmp_path, monkeypatch):
    """The unsaved-changes question's Save / Discard / Cancel and a warning's OK come from Qt's
    own Chinese translation; the sentences are ours, also the one a broken project file gets."""
    from ui.qt import QtWidgets
    monkeypatch.delenv("CONVVIZ_NO_DIALOGS")
    SB = QtWidgets.QMessageBox.StandardButton
    allowed = allowed_words()
    win = make_window(preset="lesson_4x4")
    win.edit_seed(3)
    win.ask_save_changes = win._ask_save_changes  # the real question, as the learner sees it
    seen: list = []
    try:
        answer_dialog(qtbot, SB.Cancel, seen)
        assert not win.file_new(), "Cancel keeps the project"
        broken = tmp_path / "broken.json"
        broken.write_text("{ not json", encoding="utf-8")
        answer_dialog(qtbot, SB.Ok, seen)
        assert not win.open_path(str(broken))
    finally:
        win.ask_save_changes = lambda: "discard"
    assert len(seen) == 2
    seen[0]["image"].save(str(tmp_path / "dialog.png"))
    assert sorted(seen[0]["buttons"]) == sorted(["保存", "丢弃", "取消"]), seen[0]["buttons"]
    assert seen[1]["buttons"] == ["确定"]
    for box in seen:
        for key in ("title", "text", "informative"):
            assert not english_words(box[key], allowed), f"English in a dialog: {box[key]!r}"


def test_range_errors_speak_chinese(make_window, qtbot, zh):
    """A number typed out of range, and an argument the core refuses, are told in Chinese."""
    from ui.qt import Qt, QtWidgets
    allowed = allowed_words()
    win = make_window(preset="lesson_4x4")
    win.layers.select(0)
    spin = win.layers.editors["kernel_size"].findChildren(QtWidgets.QSpinBox)[0]
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "99")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    typed = win.status.currentMessage()
    assert "99" in typed and not english_words(typed, allowed), typed
    win.edit_arg(0, "stride", 0)  # refused by the core (convviz.spec): the sentence is translated
    refused = win.status.currentMessage()
    assert "stride" in refused and "0" in refused and "至少" in refused, refused
    assert not english_words(refused, allowed), refused
    assert win.project.layers[0].get("stride") == 1


def test_every_preset_title_and_description_is_translated(zh):
    """The catalogue in ui/i18n.py covers every bundled preset (a new preset must be added there)."""
    from convviz.samples import PRESETS, load_preset
    from ui.i18n import PRESET_DESCRIPTIONS, PRESET_TITLES, tr_preset, tr_title
    for name, (_file, desc) in PRESETS.items():
        title = load_preset(name).title
        assert title in PRESET_TITLES, f"preset {name}: its title {title!r} is not in ui.i18n.PRESET_TITLES"
        assert desc in PRESET_DESCRIPTIONS, f"preset {name}: its description is not in ui.i18n.PRESET_DESCRIPTIONS"
        assert tr_title(title) != title or not english_words(title, allowed_words()), title
        assert tr_preset(desc) != desc, desc
    assert tr_title("My own stack") == "My own stack", "a title of the user's is left as written"
