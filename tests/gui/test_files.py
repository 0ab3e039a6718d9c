"""Files in the real window (issue 11): Save As keeps the image, plain Save keeps a relative path
relative, unsaveable text is refused at input, autosave and crash recovery, hostile project
files refused with the project and its history unchanged, the input size editors cover the
format's range, and the GUI reads only image headers (the engine decodes once)."""
from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from convviz.project import InputSpec, Project, load, save
from convviz.samples import PRESETS, preset_path
from convviz.spec import MAX_SPATIAL, LayerSpec

from .conftest import wait_maps

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def new_window(qtbot):
    """A window without a compute thread: files, panels and the document only."""
    from ui.app import make_app
    from ui.main_window import MainWindow
    make_app()
    win = MainWindow(restore_layout=False)
    win.ask_save_changes = lambda: "discard"
    qtbot.addWidget(win)
    return win


def gradient_png(path, h=8, w=8):
    from PIL import Image
    arr = (np.arange(h * w).reshape(h, w) * (255 // max(1, h * w - 1))).astype(np.uint8)
    Image.fromarray(arr, "L").save(path)
    return arr.astype(np.float32) / 255


def project_with_image(tmp_path):
    """a/p.json whose image is a/img/g.png, named relative to the project: "img/g.png"."""
    a = tmp_path / "a"
    (a / "img").mkdir(parents=True)
    pixels = gradient_png(a / "img" / "g.png")
    p = Project(InputSpec(1, 8, 8, "img/g.png"), (LayerSpec.make("ReLU"),))
    save(p, a / "p.json")
    return str(a / "p.json"), str(a / "img" / "g.png"), pixels


# --- item 7: saving keeps the image ------------------------------------------------------------

def test_save_as_into_another_folder_keeps_the_image(make_window, qtbot, tmp_path):
    path, image, pixels = project_with_image(tmp_path)
    win = make_window(project=load(path), path=path)
    assert win.last_result.error is None
    win.edit_seed(3)  # history made before the move
    wait_maps(qtbot, win)
    (tmp_path / "b").mkdir()
    moved = str(tmp_path / "b" / "q.json")
    assert win.save_to(moved)
    src = load(moved).input.source
    assert not os.path.isabs(src), "a relative image path stays relative"
    assert os.path.normpath(os.path.join(tmp_path / "b", src)) == os.path.normpath(image)
    win.edit_seed(4)  # the next compute still finds the image
    res = wait_maps(qtbot, win)
    assert res.error is None
    np.testing.assert_allclose(win.features.widget_for(-1).array[0], pixels, atol=1e-6)
    win.doc.undo_stack.undo()
    win.doc.undo_stack.undo()  # back to the state before the move: the path is the rebased one
    assert win.project.seed == 0 and win.project.input.source == src
    assert wait_maps(qtbot, win).error is None
    assert win.file_save()  # and the next Save writes a path that still names the image
    assert load(moved).input.source == src


def test_plain_save_keeps_a_relative_path_relative(make_window, qtbot, tmp_path):
    path, _, _ = project_with_image(tmp_path)
    win = make_window(project=load(path), path=path)
    win.edit_seed(11)
    assert win.file_save()
    saved = load(path)
    assert saved.input.source == "img/g.png" and saved.seed == 11
    assert not win.doc.dirty


def test_unsaveable_text_is_refused_at_input(qtbot, tmp_path):
    from convviz.samples import load_preset
    win = new_window(qtbot)
    win.set_project(load_preset("lesson_4x4"), None)
    win.edit_seed(2)
    before, count = win.project, win.doc.undo_stack.count()
    assert win.doc.apply(replace(before, title="lesson \ud800 one"), "Retitle") is False
    assert win.project == before and win.doc.undo_stack.count() == count
    msg = win.status.currentMessage()
    assert "title" in msg and "surrogate" in msg and "\ud800" not in msg
    if sys.platform.startswith("linux"):  # a file name that is not UTF-8 reaches Python as surrogates
        raw = os.path.join(os.fsencode(str(tmp_path)), b"photo-\xff.png")
        from PIL import Image
        Image.new("L", (4, 4), 9).save(raw)
        name = os.fsdecode(raw)
        assert not win.set_input_image(name)
        assert win.project == before and win.doc.undo_stack.count() == count
        assert "surrogate" in win.status.currentMessage()
    assert win.save_to(str(tmp_path / "ok.json")), "nothing unsaveable got in"


# --- item 7: autosave and recovery -------------------------------------------------------------

def json_files(folder) -> list[str]:
    """The project copies in the autosave folder."""
    return sorted(f for f in os.listdir(folder) if f.endswith(".json") and not f.endswith(".meta.json")) \
        if os.path.isdir(folder) else []


def all_files(folder) -> list[str]:
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_autosave_after_an_edit_off_the_gui_thread(qtbot, tmp_path, monkeypatch):
    import ui.autosave as autosave
    from convviz.samples import load_preset
    writers = []
    real_save = autosave.save
    monkeypatch.setattr(autosave, "save", lambda p, path: (writers.append(threading.current_thread()),
                                                           real_save(p, path)))
    win = new_window(qtbot)
    win.set_project(load_preset("lesson_4x4"), None)
    saver = win.autosaver
    assert saver.folder == str(tmp_path / "data" / "autosave")
    saver.delay_ms = 30
    assert not os.path.exists(saver.path), "nothing is written before an edit"
    for seed in (5, 6, 7):  # one burst of edits: one write, after it
        win.edit_seed(seed)
    qtbot.waitUntil(lambda: saver.writes == 1 and os.path.exists(saver.path))
    assert load(saver.path) == win.project
    assert writers and all(t is not threading.main_thread() for t in writers)
    with open(saver.stem + ".meta.json", encoding="utf-8") as f:
        assert json.load(f)["path"] is None
    doc_path = str(tmp_path / "mine.json")
    assert win.save_to(doc_path)  # saved: the copy goes
    qtbot.waitUntil(lambda: not os.path.exists(saver.path))
    win.edit_seed(8)
    qtbot.waitUntil(lambda: os.path.exists(saver.path) and load(saver.path).seed == 8)
    with open(saver.stem + ".meta.json", encoding="utf-8") as f:
        assert json.load(f)["path"] == doc_path
    win.doc.undo_stack.undo()  # back to the saved state: nothing unsaved, no copy
    qtbot.waitUntil(lambda: not os.path.exists(saver.path))
    win.edit_seed(9)
    qtbot.waitUntil(lambda: os.path.exists(saver.path))
    win.close()  # a normal quit removes it, its metadata and its lock
    assert all_files(saver.folder) == []


CHILD = r"""
import os, sys, time
sys.path.insert(0, {root!r})
from ui.app import make_app
from ui.main_window import MainWindow
from ui.qt import QtCore
from convviz.project import dumps
from convviz.samples import load_preset
app = make_app()
w = MainWindow(restore_layout=False)
w.show()
w.set_project(load_preset("lesson_4x4"), None)
w.autosaver.delay_ms = 50
w.edit_seed(77)
w.add_layer("ReLU")
while not (w.autosaver.writes and os.path.exists(w.autosaver.path)):
    app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
print(dumps(w.project).replace("\n", " "), flush=True)
while True:
    app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 100)
"""


@pytest.mark.timeout(120)
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_session_is_offered_for_recovery(qtbot, tmp_path):
    from convviz.project import loads
    from ui.autosave import autosave_dir, find_orphans, offer_recovery
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=ROOT)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline()
        assert line, child.stderr.read()
        edited = loads(line)
        assert find_orphans() == [], "a running session's copy is never offered"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        child.stdout.close()
        child.stderr.close()
    assert len(json_files(autosave_dir())) == 1, "the kill left the copy"

    win = new_window(qtbot)
    from ui.app import initial_project
    initial_project(win, None)
    assert not win.act_recover.isEnabled()
    assert offer_recovery(win)
    assert win.act_recover.isEnabled()
    assert "Recover Unsaved Work" in win.status.currentMessage()
    assert win.recover_unsaved()
    assert win.project == edited and win.doc.dirty and win.doc.path is None
    assert not win.act_recover.isEnabled()
    saver = win.autosaver
    qtbot.waitUntil(lambda: json_files(saver.folder) == [os.path.basename(saver.path)])
    assert load(saver.path) == edited, "the restored work is this session's copy now"
    win.close()
    assert all_files(saver.folder) == []


def orphan_copy(folder, project, path=None, name="20260101-000000-1-deadbeef"):
    """A copy as a session that was killed leaves it (no live lock)."""
    os.makedirs(folder, exist_ok=True)
    stem = os.path.join(folder, name)
    save(project, stem + ".json")
    with open(stem + ".meta.json", "w", encoding="utf-8") as f:
        json.dump({"path": path, "saved": 1767225600.0, "pid": 1}, f)
    return stem


@pytest.mark.parametrize("button", ["Restore", "Discard", "Later"])
def test_recovery_dialog(qtbot, tmp_path, monkeypatch, button):
    from convviz.samples import load_preset
    from ui.autosave import autosave_dir, offer_recovery
    from ui.qt import QtCore, QtWidgets
    monkeypatch.delenv("CONVVIZ_NO_DIALOGS")
    kept = replace(load_preset("lenet5"), seed=123)
    stem = orphan_copy(autosave_dir(), kept, str(tmp_path / "lenet.json"))
    win = new_window(qtbot)
    win.set_project(load_preset("lesson_4x4"), None)
    win.show()
    seen = []

    def answer():
        box = QtWidgets.QApplication.activeModalWidget()
        if box is None:
            QtCore.QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        if button == "Restore" and os.environ.get("CONVVIZ_SCREENSHOTS"):
            box.grab().save(os.path.join(os.environ["CONVVIZ_SCREENSHOTS"], "recovery-prompt.png"))
        next(b for b in box.buttons() if b.text() == button).click()
    QtCore.QTimer.singleShot(20, answer)
    assert offer_recovery(win)
    assert seen and "lenet.json" in seen[0]
    if button == "Restore":
        assert win.project == kept and win.doc.dirty and win.doc.path == str(tmp_path / "lenet.json")
        qtbot.waitUntil(lambda: not os.path.exists(stem + ".json"))
    elif button == "Discard":
        assert win.project == load_preset("lesson_4x4")
        assert not os.path.exists(stem + ".json") and not win.act_recover.isEnabled()
    else:
        assert win.project == load_preset("lesson_4x4") and os.path.exists(stem + ".json")
        assert win.act_recover.isEnabled()
    win.close()
    assert os.path.exists(stem + ".json") == (button == "Later"), "Later keeps the copy for the next start"


def test_unreadable_copy_is_set_aside_with_a_sentence(qtbot, tmp_path):
    from ui.autosave import autosave_dir, offer_recovery
    folder = autosave_dir()
    os.makedirs(folder)
    with open(os.path.join(folder, "x.json"), "w") as f:
        f.write("{not json")
    win = new_window(qtbot)
    assert offer_recovery(win)
    assert not win.recover_unsaved()
    assert "x.json" in win.status.currentMessage()
    assert json_files(folder) == [] and os.path.exists(os.path.join(folder, "x.unreadable"))


# --- item 2: hostile project files in the GUI --------------------------------------------------

def preset_dict(name="lesson_4x4") -> dict:
    with open(preset_path(name), encoding="utf-8") as f:
        return json.load(f)


def hostile(tmp_path, kind: str) -> str:
    p = tmp_path / f"{kind.replace(' ', '_')}.json"
    d = preset_dict()
    if kind == "nested 1000":
        p.write_text('{"format": "convviz", "version": 1, "title": ' + "[" * 1000 + "]" * 1000 + "}")
    elif kind == "nested 100000":
        p.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "type list":
        d["layers"][0]["type"] = ["Conv2d"]
        p.write_text(json.dumps(d))
    elif kind == "type object":
        d["layers"][0]["type"] = {"Conv2d": 1}
        p.write_text(json.dumps(d))
    elif kind == "huge int":
        p.write_text(json.dumps(d).replace('"seed": 0', '"seed": ' + "9" * 5000))
        assert "9" * 5000 in p.read_text()
    elif kind == "lone surrogate":
        d["title"] = "a\ud800b"
        p.write_text(json.dumps(d))  # ensure_ascii: the file has the escape \ud800
    elif kind == "duplicate keys":
        p.write_text(json.dumps(d).replace('"version": 1', '"version": 1, "version": 1'))
    elif kind == "fifo":
        os.mkfifo(p)
    elif kind == "folder":
        p.mkdir()
    elif kind == "/dev/zero":
        return "/dev/zero"
    elif kind == "list":
        p.write_text("[1, 2, 3]")
    elif kind == "not utf-8":
        p.write_bytes(b"\xff\xfe{}")
    return str(p)


KINDS = ["nested 1000", "nested 100000", "type list", "type object", "huge int", "lone surrogate",
         "duplicate keys", "fifo", "folder", "/dev/zero", "list", "not utf-8"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", KINDS)
def test_hostile_project_file_is_refused_and_nothing_changes(qtbot, tmp_path, kind):
    if kind == "fifo" and not hasattr(os, "mkfifo") or kind == "/dev/zero" and not os.path.exists("/dev/zero"):
        pytest.skip("not on this system")
    from convviz.samples import load_preset
    win = new_window(qtbot)
    win.set_project(load_preset("teaching"), None)
    win.edit_seed(4)
    win.add_layer("ReLU")
    before, count, index = win.project, win.doc.undo_stack.count(), win.doc.undo_stack.index()
    path = hostile(tmp_path, kind)
    assert win.open_path(path) is False
    assert win.project == before and win.doc.dirty
    assert (win.doc.undo_stack.count(), win.doc.undo_stack.index()) == (count, index)
    msg = win.status.currentMessage()
    assert os.path.basename(path) in msg, "the sentence names the file"
    assert "\n" not in msg and "\ud800" not in msg and "Traceback" not in msg
    if kind == "duplicate keys":
        assert "version" in msg


def test_byte_order_mark_is_accepted(qtbot, tmp_path):
    win = new_window(qtbot)
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + preset_path("lesson_padding").read_bytes())
    assert win.open_path(str(p))
    assert win.project == load(preset_path("lesson_padding"))


def _mutants():
    """A preset's JSON with a few of its values replaced, removed or added: what a user's
    hand-edit, a half-finished download or a hostile sender gives."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                        st.sampled_from(["Conv2d", "ReLU", "MaxPool2d", "same", "valid", "sample:cat",
                                         "pattern:impulse", "\ud800", "sobel_x", "/dev/zero"]))
    values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                          max_leaves=8)

    @st.composite
    def mutant(draw):
        d = preset_dict(draw(st.sampled_from(sorted(PRESETS))))
        for _ in range(draw(st.integers(1, 3))):
            # a path to a random node
            node, parent, key = d, None, None
            for _depth in range(draw(st.integers(0, 4))):
                if isinstance(node, dict) and node:
                    k = draw(st.sampled_from(sorted(node)))
                elif isinstance(node, list) and node:
                    k = draw(st.integers(0, len(node) - 1))
                else:
                    break
                parent, key, node = node, k, node[k]
            action = draw(st.sampled_from(["replace", "delete", "add", "int", "grow"]))
            if parent is None:
                continue
            if action == "replace":
                parent[key] = draw(values)
            elif action == "delete":
                del parent[key]
            elif action == "add" and isinstance(parent, dict):
                parent[draw(st.text(min_size=1, max_size=8))] = draw(values)
            elif action == "int":
                parent[key] = draw(st.integers(-3, 5000))
            elif action == "grow" and isinstance(node, list) and node:
                node.extend(copy.deepcopy(node[: draw(st.integers(1, 3))]))
        return d
    return mutant()


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=_mutants())
def test_mutated_presets_open_or_are_refused_without_change(qtbot, tmp_path_factory, data):
    """The GUI loader's contract: success (the window shows exactly the file), or a sentence
    naming the file with the open project and its history unchanged."""
    win = _fuzz_window(qtbot)
    folder = tmp_path_factory.mktemp("mut")
    path = str(folder / "m.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(data))
    before, count = win.project, win.doc.undo_stack.count()
    try:
        expected = load(path)
    except ValueError:
        expected = None
    ok = win.open_path(path, ask=False)
    event("opened" if ok else "refused")
    if ok:
        assert expected is not None and win.project == expected and win.doc.path == path
        assert win.doc.undo_stack.count() == 0 and not win.doc.dirty
        win.edit_seed(win.project.seed ^ 1)  # a history to keep for the next example
    else:
        assert win.project == before and win.doc.undo_stack.count() == count
        msg = win.status.currentMessage()
        assert "m.json" in msg and "\n" not in msg


_FUZZ = {}


def _fuzz_window(qtbot):
    """One window for all the examples (made once; hypothesis reruns the test body)."""
    win = _FUZZ.get("win")
    if win is None:
        from convviz.samples import load_preset
        win = new_window(qtbot)
        win.set_project(load_preset("lesson_4x4"), None)
        win.edit_seed(1)
        _FUZZ["win"] = win
    return win


@pytest.fixture(autouse=True)
def _close_fuzz_window():
    yield
    win = _FUZZ.pop("win", None)
    if win is not None:
        win.close()


# --- item 9: the input size and the image --------------------------------------------------------

def test_input_size_editors_allow_the_format_range(qtbot):
    win = new_window(qtbot)
    p = Project(InputSpec(1, 2048, 8, "pattern:gradient"), (LayerSpec.make("ReLU"),))
    win.set_project(p, None)
    panel = win.input_panel
    assert panel.height.maximum() == MAX_SPATIAL and panel.width.maximum() == MAX_SPATIAL
    assert panel.height.value() == 2048
    panel.width.setValue(9)  # editing the width never rewrites the height
    assert (win.project.input.height, win.project.input.width) == (2048, 9)
    panel.height.setValue(MAX_SPATIAL)
    assert win.project.input.height == MAX_SPATIAL


def test_gui_reads_only_the_header_and_the_engine_decodes_once(make_window, qtbot, tmp_path, monkeypatch):
    from PIL import Image, ImageFile
    loads = []
    real_load = ImageFile.ImageFile.load

    def counting_load(self):
        loads.append((threading.current_thread() is threading.main_thread(), id(self)))
        return real_load(self)
    win = make_window(preset="teaching")
    photo = tmp_path / "wide.png"
    Image.new("RGB", (300, 200), (10, 200, 30)).save(photo)
    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    assert win.set_input_image(str(photo))
    assert not any(gui for gui, _ in loads), "choosing an image decodes nothing on the GUI thread"
    assert win.natural_size == (200, 300)
    assert "200 × 300 (H × W)" in win.input_panel.info.text()
    assert wait_maps(qtbot, win).error is None
    assert loads and not any(gui for gui, _ in loads), "the engine decodes it, off the GUI thread"
    assert len({ident for _, ident in loads}) == 1, "decoded once"
    green = win.features.widget_for(-1).array
    assert abs(green[1].mean() - 200 / 255) < 1e-3


def test_damaged_image_is_refused_with_its_name_and_the_input_stays(make_window, qtbot, tmp_path):
    from PIL import Image
    win = make_window(preset="lesson_4x4")
    before = win.project
    whole = tmp_path / "whole.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(whole)
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole.read_bytes()[:400])  # a good header, the pixels cut off
    win.set_input_image(str(cut))
    qtbot.waitUntil(lambda: win.project == before and "cut.png" in win.status.currentMessage(), timeout=60_000)
    assert "cannot be used as the input" in win.status.currentMessage()
    missing = tmp_path / "missing.png"
    assert not win.set_input_image(str(missing))
    assert win.project == before and "missing.png" in win.status.currentMessage()
