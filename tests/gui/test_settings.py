"""Settings cannot break start-up: every damaged value is ignored with a note in the status bar
and the app starts with defaults (issue 11, item 8)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from convviz.samples import DEFAULT_PRESET, load_preset

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_settings(lines: str) -> str:
    path = os.environ["CONVVIZ_SETTINGS"]
    with open(path, "w", encoding="utf-8") as f:
        f.write(lines)
    return path


def new_window(qtbot, restore_layout=False):
    from ui.app import make_app
    from ui.main_window import MainWindow
    make_app()
    win = MainWindow(restore_layout=restore_layout)
    win.ask_save_changes = lambda: "discard"
    qtbot.addWidget(win)
    return win


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("value", ["abc", "-3", "0", "99999999999999999999", "1e999", "4, 5", '"\\n\\x1b[2J"'])
def test_unusable_thread_count_is_ignored_with_a_note(qtbot, value):
    write_settings(f"[compute]\nthreads={value}\n")
    win = new_window(qtbot)
    assert win.threads == max(1, os.cpu_count() or 1)
    msg = win.status.currentMessage()
    assert "compute/threads" in msg and "\n" not in msg and "\x1b" not in msg


def test_unusable_device_and_normalisation_fall_back(qtbot):
    write_settings("[compute]\ndevice=tpu\nthreads=1\n[view]\nnormalisation=rainbow\n")
    win = new_window(qtbot)
    assert (win.device, win.threads, win.norm) == ("cpu", 1, "channel")
    assert win.act_norm["channel"].isChecked()
    msg = win.status.currentMessage()
    assert "compute/device" in msg and "view/normalisation" in msg


@pytest.mark.parametrize("geometry, state", [("@ByteArray(garbage)", "@ByteArray(\\0\\0\\xff)"),
                                             ("not bytes", "1, 2, 3"),
                                             ("@ByteArray()", "@Variant(\\0\\0\\0\\x2\\0\\0\\0\\x5)")])
def test_broken_window_geometry_and_state_are_ignored(qtbot, geometry, state):
    write_settings(f"[window]\ngeometry={geometry}\nstate={state}\n")
    win = new_window(qtbot, restore_layout=True)
    win.show()
    assert "window/" in win.status.currentMessage()
    assert win.width() > 200 and win.height() > 200
    from ui.qt import QtWidgets
    assert win.findChild(QtWidgets.QDockWidget, "layersDock").isVisible()


def test_recent_list_of_the_wrong_type_is_ignored(qtbot):
    write_settings("[project]\nrecent=@Variant(\\0\\0\\0\\x2\\0\\0\\0\\x5)\n")
    win = new_window(qtbot)
    assert win._recent() == [] and not win.recent_menu.isEnabled()


def test_walkthrough_chapter_that_is_not_a_number(qtbot):
    write_settings("[walkthrough]\nchapter=three\n")
    win = new_window(qtbot)
    assert win.open_walkthrough()
    assert win.walkthrough.index == 0


def poisoned_last(tmp_path, kind: str) -> str:
    p = tmp_path / f"last-{kind}.json"
    if kind == "missing":
        pass
    elif kind == "corrupt":
        p.write_text('{"format": "convviz", "version": 1, "input": ')
    elif kind == "nested":
        p.write_text('{"format": "convviz", "version": 1, "title": ' + nested(100_000) + "}")
    elif kind == "not a project":
        p.write_text(json.dumps([1, 2, 3]))
    elif kind == "fifo":
        os.mkfifo(p)
    elif kind == "folder":
        p.mkdir()
    return str(p)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["missing", "corrupt", "nested", "not a project", "fifo", "folder"])
def test_remembered_project_that_cannot_open_is_skipped(qtbot, tmp_path, kind):
    if kind == "fifo" and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    from ui.app import initial_project
    last = poisoned_last(tmp_path, kind)
    write_settings(f"[project]\nlast={last}\n")
    win = new_window(qtbot)
    initial_project(win, None)
    assert win.project == load_preset(DEFAULT_PRESET) and win.doc.path is None
    msg = win.status.currentMessage()
    assert last in msg and "teaching preset" in msg


def test_remembered_project_that_is_not_a_path(qtbot):
    from ui.app import initial_project
    write_settings("[project]\nlast=1, 2, 3\n")
    win = new_window(qtbot)
    initial_project(win, None)
    assert win.project == load_preset(DEFAULT_PRESET)
    assert "project/last" in win.status.currentMessage()


def test_self_test_starts_with_poisoned_settings(tmp_path):
    """The real start-up path (main.py) with every setting damaged at once."""
    last = poisoned_last(tmp_path, "nested")
    ini = tmp_path / "s.ini"
    ini.write_text(f"[compute]\nthreads=lots\ndevice=1, 2\n[view]\nnormalisation=@ByteArray(x)\nlanguage=1, 2\n"
                   f"[window]\ngeometry=junk\nstate=junk\n[project]\nlast={last}\nrecent=7\n")
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CONVVIZ_SETTINGS": str(ini),
           "CONVVIZ_DATA": str(tmp_path / "data")}
    r = subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), "--self-test", "--screenshot", str(shot)],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    from PIL import Image
    with Image.open(shot) as im:
        assert len(np.unique(np.asarray(im.convert("RGB").resize((96, 60))).reshape(-1, 3), axis=0)) > 50
