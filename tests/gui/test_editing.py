"""Editing as people expect, through the real window: the wheel scrolls a form instead of
changing the value under the pointer; Ctrl+Z / Ctrl+Shift+Z undo and redo the project from any
field, committing what was typed first; an out-of-range number is refused with a sentence
instead of being silently cut; File > New is an empty stack on the current input."""
from __future__ import annotations

import pytest

from .conftest import wait_maps


def wheel(widget, dy: int = 120):
    """A mouse-wheel notch over the middle of ``widget``, as the platform delivers it."""
    from ui.qt import QtCore, QtGui, QtWidgets
    pos = QtCore.QPointF(widget.rect().center())
    ev = QtGui.QWheelEvent(pos, QtCore.QPointF(widget.mapToGlobal(pos)), QtCore.QPoint(), QtCore.QPoint(0, dy),
                           QtCore.Qt.MouseButton.NoButton, QtCore.Qt.KeyboardModifier.NoModifier,
                           QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(widget, ev)


def focus_away(win, qtbot):
    win.layers.list.setFocus()
    qtbot.waitUntil(lambda: win.layers.list.hasFocus())


def test_wheel_over_an_unfocused_editor_scrolls_the_panel(make_window, qtbot):
    win = make_window(preset="teaching")
    win.layers.select(0)  # Conv2d: the full argument form
    win.layers.split.setSizes([700, 120])  # a short form area, so it scrolls
    qtbot.waitUntil(lambda: win.layers.detail_scroll.verticalScrollBar().maximum() > 60)
    bar = win.layers.detail_scroll.verticalScrollBar()
    focus_away(win, qtbot)
    before = win.project
    for name, spin in (("stride", win.layers.editors["stride"].h), ("padding_mode", win.layers.editors["padding_mode"].combo),
                       ("in_channels", win.layers.editors["in_channels"].spin)):
        win.layers.detail_scroll.ensureWidgetVisible(spin)
        bar.setValue(bar.maximum())
        start = bar.value()
        value = spin.value() if hasattr(spin, "value") else spin.currentIndex()
        wheel(spin, 120)
        wheel(spin, 120)
        assert (spin.value() if hasattr(spin, "value") else spin.currentIndex()) == value, name
        assert win.project == before, f"the wheel over an unfocused {name} editor changed the project"
        assert bar.value() < start, f"the wheel over {name} did not scroll the panel"
    # once the user has clicked into it, the wheel does change the value
    spin = win.layers.editors["stride"].h
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin, 120)
    assert win.project.layers[0].get("stride") == 2


def test_wheel_never_changes_the_input_panel(make_window, qtbot):
    win = make_window(preset="teaching")
    focus_away(win, qtbot)
    before = win.project
    for w in (win.input_panel.height, win.input_panel.seed, win.input_panel.color, win.input_panel.source):
        wheel(w, 120)
        wheel(w, -120)
        wheel(w, -120)
    assert win.project == before


def activate(win, qtbot):
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)


def key(qtbot, widget, k, mods=None):
    from ui.qt import Qt
    qtbot.keyClick(widget, k, mods if mods is not None else Qt.KeyboardModifier.NoModifier)


def test_ctrl_z_right_after_typing_commits_then_undoes(make_window, qtbot):
    from ui.qt import Qt
    win = make_window(preset="teaching")
    activate(win, qtbot)
    win.layers.select(0)
    spin = win.layers.editors["stride"].h
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.selectAll()
    qtbot.keyClicks(spin, "2")  # typed, not yet committed (no Enter)
    assert win.project.layers[0].get("stride") == 1
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    key(qtbot, spin, Qt.Key.Key_Z, ctrl)
    # the typed value became an edit, and that edit was undone: the project and the field show 1
    assert win.doc.undo_stack.count() == 1 and win.doc.undo_stack.index() == 0
    assert win.project.layers[0].get("stride") == 1 and spin.value() == 1
    key(qtbot, spin, Qt.Key.Key_Z, ctrl | shift)
    assert win.project.layers[0].get("stride") == 2 and spin.value() == 2
    wait_maps(qtbot, win)
    assert win.info.layers[0].out_shape == (8, 64, 64)


def test_ctrl_z_in_a_field_undoes_the_previous_edit(make_window, qtbot):
    from ui.qt import Qt
    win = make_window(preset="teaching")
    activate(win, qtbot)
    before = win.project
    win.layers.select(0)
    win.remove_layer(1)  # an edit made elsewhere (the ReLU after the first convolution)
    assert len(win.project.layers) == len(before.layers) - 1
    win.layers.select(0)
    for field in (win.input_panel.seed, win.layers.editors["out_channels"].spin):  # focused, nothing typed
        field.setFocus()
        qtbot.waitUntil(field.hasFocus)
        key(qtbot, field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert win.project == before, "Ctrl+Z in a field did not undo the project"
        key(qtbot, field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert len(win.project.layers) == len(before.layers) - 1, "Ctrl+Shift+Z in a field did not redo"
        win.layers.select(0)


def test_ctrl_z_while_editing_a_kernel_cell(make_window, qtbot):
    from ui.qt import Qt, QtWidgets
    win = make_window(preset="lesson_4x4")
    activate(win, qtbot)
    win.layers.select(0)
    grid = win.layers.kernel.grid
    qtbot.waitUntil(lambda: grid.rowCount() == 2)
    before = win.project
    grid.setCurrentCell(0, 0)
    grid.editItem(grid.item(0, 0))
    editor = grid.viewport().findChild(QtWidgets.QLineEdit)
    assert editor is not None
    qtbot.waitUntil(editor.hasFocus)
    editor.selectAll()
    qtbot.keyClicks(editor, "5")
    key(qtbot, editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.doc.undo_stack.count() == 1 and win.project == before
    key(qtbot, grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert win.project.kernels[0][1][0][0][0][0] == 5.0


def test_out_of_range_number_is_refused_with_a_sentence(make_window, qtbot):
    from convviz.spec import MAX_KERNEL, MAX_SPATIAL
    from ui.arg_widgets import INVALID_BASE
    from ui.qt import Qt, QtGui
    win = make_window(preset="teaching")
    activate(win, qtbot)
    win.layers.select(0)
    spin = win.layers.editors["kernel_size"].h
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.selectAll()
    qtbot.keyClicks(spin, "99")
    # what was typed stays visible, marked, with the range (not silently cut to 9)
    assert spin.text() == "99"
    assert spin.property("outOfRange") and f"{MAX_KERNEL}" in spin.toolTip()
    assert spin.lineEdit().palette().color(QtGui.QPalette.ColorRole.Base) == QtGui.QColor(INVALID_BASE)
    key(qtbot, spin, Qt.Key.Key_Return)
    assert win.project.layers[0].get("kernel_size") == 3 and spin.value() == 3, "the last valid value is kept"
    msg = win.status.currentMessage()
    assert "kernel_size" in msg and "99" in msg and f"1 to {MAX_KERNEL}" in msg and "kept 3" in msg, msg
    assert win.doc.undo_stack.count() == 0
    # below the least value too (Qt takes 0 as the start of a number and used to drop it silently)
    spin.selectAll()
    qtbot.keyClicks(spin, "0")
    assert spin.property("outOfRange")
    key(qtbot, spin, Qt.Key.Key_Return)
    assert spin.value() == 3 and "0 is out of range" in win.status.currentMessage()
    # typing a valid number clears the mark and is applied
    spin.selectAll()
    qtbot.keyClicks(spin, "5")
    assert not spin.property("outOfRange") and f"{MAX_KERNEL}" not in spin.toolTip()
    key(qtbot, spin, Qt.Key.Key_Return)
    assert win.project.layers[0].get("kernel_size") == 5
    # the input size says so too
    h = win.input_panel.height
    h.setFocus()
    qtbot.waitUntil(h.hasFocus)
    h.selectAll()
    qtbot.keyClicks(h, str(MAX_SPATIAL * 3))
    key(qtbot, h, Qt.Key.Key_Tab)
    assert win.project.input.height == 128
    assert str(MAX_SPATIAL * 3) in win.status.currentMessage() and f"1 to {MAX_SPATIAL}" in win.status.currentMessage()


def _main(tmp_path, *args):
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CONVVIZ_SETTINGS": str(tmp_path / "s.ini"),
           "CONVVIZ_DATA": str(tmp_path / "data")}
    return subprocess.run([sys.executable, os.path.join(root, "main.py"), *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_command_line_opens_a_preset_and_self_test_checks_it(tmp_path):
    from convviz.samples import load_preset
    r = _main(tmp_path, "preset:lesson_4x4", "--self-test")
    assert r.returncode == 0, r.stderr
    assert load_preset("lesson_4x4").title in r.stdout and "1 layers" in r.stdout, r.stdout
    # a project that cannot be opened fails the self-test, naming it, instead of testing the teaching preset
    for arg, named in (("preset:no_such_preset", "no_such_preset"), (str(tmp_path / "missing.json"), "missing.json")):
        r = _main(tmp_path, arg, "--self-test")
        assert r.returncode == 1, (arg, r.stdout, r.stderr)
        assert "self-test: ok" not in r.stdout and named in r.stderr, r.stderr


def test_file_new_is_an_empty_stack_on_the_current_input(make_window, qtbot):
    from dataclasses import replace
    win = make_window(preset="teaching")
    win.edit_input(replace(win.project.input, source="sample:cat", channels=1), "test")
    wait_maps(qtbot, win)
    inp, seed = win.project.input, win.project.seed
    hint = win.layers.empty_hint
    assert not hint.isVisible()
    assert win.file_new()
    assert win.project.layers == () and win.project.input == inp and win.project.seed == seed
    assert win.doc.path is None and not win.doc.dirty and win.doc.undo_stack.count() == 0
    assert win.windowTitle().startswith("Untitled")
    wait_maps(qtbot, win)
    assert win.features.widget_for(-1).array.shape == (1, *inp.shape[1:])
    assert hint.isVisible() and "Add" in hint.text()
    assert not win.layers.remove_button.isEnabled() and not win.layers.form_box.isVisible()
    hint.linkActivated.emit("Conv2d")  # the hint's link adds the first layer
    assert [l.type for l in win.project.layers] == ["Conv2d"] and not hint.isVisible()
    assert win.layers.form_box.isVisible() and "out_channels" in win.layers.editors
    wait_maps(qtbot, win)
    assert win.info.layers[0].out_shape == (8, *inp.shape[1:])


@pytest.fixture
def language():
    """Install a UI language for one test; English again afterwards."""
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    yield lambda lang: install(app, lang)
    install(app, "en")


def inside(widget, container) -> bool:
    """``widget``'s whole rectangle lies within ``container``'s (both on screen)."""
    from ui.qt import QtCore
    top_left = widget.mapTo(container, QtCore.QPoint(0, 0))
    return container.rect().contains(QtCore.QRect(top_left, widget.size()))


def unclipped(root) -> list[str]:
    """The visible labels, buttons and editors in ``root`` that are cut off: outside it, or
    shorter than they need (a word-wrapped label shorter than its text at its width)."""
    from ui.qt import QtWidgets
    bad = []
    kinds = (QtWidgets.QLabel, QtWidgets.QAbstractButton, QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox)
    for w in root.findChildren(QtWidgets.QWidget):
        if not isinstance(w, kinds) or not w.isVisibleTo(root) or w.objectName().startswith("qt_"):
            continue
        need = w.heightForWidth(w.width()) if isinstance(w, QtWidgets.QLabel) and w.wordWrap() else \
            w.minimumSizeHint().height()
        if not inside(w, root) or w.height() < need:
            bad.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}: {w.geometry()} needs {need}")
    return bad


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_default_layout_shows_the_stack_and_the_whole_form(make_window, qtbot, language, lang, tmp_path):
    from ui.qt import QtWidgets
    language(lang)
    win = make_window(preset="teaching")
    for size in ((1600, 1000), (1280, 720)):
        win.resize(*size)
        qtbot.waitUntil(lambda: (win.width(), win.height()) == size)
        win.layers.select(0)
        QtWidgets.QApplication.processEvents()
        lp = win.layers
        win.grab().save(str(tmp_path / f"{lang}_{size[0]}x{size[1]}.png"))  # to look at when this fails
        rows = sum(lp.list.viewport().rect().contains(lp.list.visualItemRect(lp.list.item(r)))
                   for r in range(lp.list.count()))
        form_shown = all(inside(ed, lp.detail_scroll.viewport()) for ed in lp.editors.values())
        if size == (1600, 1000):
            assert rows >= 8, f"{rows} layers visible at {size}"
            assert len(lp.editors) == 9 and form_shown, "every Conv2d argument, without scrolling"
        else:
            assert rows >= 3, f"{rows} layers visible at {size}"
        # nothing cut off in the input panel (its info line was) nor in the layer panel's bar
        assert unclipped(win.input_panel) == [], (size, unclipped(win.input_panel))
        assert inside(lp.add_button, lp) and inside(lp.down_button, lp)
