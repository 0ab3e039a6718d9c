from __future__ import annotations

import gc
import threading
import time

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "soak: a long random-use run of the real window (runs in CI)")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVVIZ_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("CONVVIZ_DATA", str(tmp_path / "data"))  # autosave copies stay in the test's folder
    monkeypatch.setenv("CONVVIZ_NO_DIALOGS", "1")


def settle(timeout: float = 30.0) -> list:
    """Delete what was deleteLater'd, join ended threads, collect; returns the threads of ours
    still running after ``timeout`` seconds."""
    from ui import session
    from ui.qt import QtCore, QtWidgets
    app = QtWidgets.QApplication.instance()
    t0 = time.monotonic()
    while True:
        for _ in range(3):
            QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
            app.processEvents()
        left = session.running_threads()
        if not left or time.monotonic() - t0 > timeout:
            break
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
    gc.collect()
    return left


@pytest.fixture(autouse=True)
def no_leaks():
    """After each test: no thread of ours still running, and no MainWindow alive once windows
    are closed and collected (napari's leak checks in utils/_testsupport.py are the model)."""
    yield
    import sys
    if "ui.session" not in sys.modules:
        return
    from ui.qt import QtWidgets
    if QtWidgets.QApplication.instance() is None:
        return
    left = settle()
    assert not left, f"threads still running after the test: {[t.objectName() for t in left]}"
    mw = sys.modules.get("ui.main_window")
    alive = list(mw._instances) if mw is not None else []
    assert not alive, f"{len(alive)} MainWindow(s) still alive after close and garbage collection"
    # what survives now (torch, Qt, the modules) need not be walked by the next collection:
    # 0.2 s a test otherwise, and the cycles a next test makes are still collected
    gc.freeze()


@pytest.fixture(params=["en", "zh_CN"])
def lang(request, qtbot):
    """The test runs in English and in Chinese: the application's translation is installed for
    it and English comes back after."""
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    install(app, request.param)
    yield request.param
    install(app, "en")


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


def wait_maps(qtbot, win, timeout=90_000):
    """Until the newest maps are drawn and no edit is held back for them (ui/edit_pacer.py)."""
    pacer = getattr(win, "pacer", None)
    qtbot.waitUntil(lambda: win.last_result is not None and win.last_result.generation == win.generation
                    and not (pacer is not None and pacer.waiting()), timeout=timeout)
    return win.last_result


@pytest.fixture
def make_session(qtbot):
    """A started ComputeSession (one torch thread) on ``project``, its first maps computed; each
    one is shut down and joined after the test."""
    from ui.app import make_app
    from ui.session import ComputeSession
    make_app()
    made = []

    def factory(project):
        s = ComputeSession()
        s.threads = 1
        s.set_project(project)
        s.start()
        made.append(s)
        qtbot.waitUntil(s.current, timeout=60_000)
        return s

    yield factory
    for s in made:
        assert s.shutdown(30.0)


@pytest.fixture
def make_window(qtbot):
    from ui.app import make_app
    from ui.main_window import MainWindow
    make_app()
    made = []

    def factory(project=None, path=None, preset="lesson_4x4", engine=None, progressive="auto", wait=True):
        from convviz.samples import load_preset
        win = MainWindow(restore_layout=False)
        win.ask_save_changes = lambda: "discard"
        qtbot.addWidget(win)
        win.resize(1280, 820)
        win.show()
        if engine is not None:
            win.session.engine_factory = lambda: engine
        win.session.progressive = progressive
        win.set_project(project or load_preset(preset), path)
        win.start()
        if wait:
            wait_maps(qtbot, win)
        made.append(win)
        return win

    yield factory
    for win in made:
        win.ask_save_changes = lambda: "discard"
        win.close()
        assert not win.session.running, "closing the window stops and joins the compute thread"
    made.clear()


class GatedEngine:
    """The real engine with a gate the test controls: after delivering layer ``hold_after`` the
    compute waits until ``release()`` (or, unless ``ignore_cancel``, until it is cancelled) —
    a slow layer whose timing the test decides.  Records how each run ended."""

    def __init__(self, hold_after: int | None = None, ignore_cancel: bool = False):
        from convviz.engine import Engine
        self.engine = Engine()
        self.hold_after = hold_after
        self.ignore_cancel = ignore_cancel
        self.gate = threading.Event()
        self.held = threading.Event()  # set while a compute waits at the gate
        self.runs: list[tuple[int, str]] = []  # (generation, "result" | "cancelled" | "error")
        self.finished = threading.Event()  # set after each run returns or raises
        self.thread_ids: set[int] = set()  # the threads it ran on
        self.events: list = []  # ("run", generation) when each run ends, in order

    def release(self) -> None:
        self.gate.set()

    def clear(self) -> None:
        self.engine.clear()

    def run(self, req, cancelled=lambda: False, on_layer=None):
        from convviz.engine import Cancelled
        self.thread_ids.add(threading.get_ident())

        def layer(i, arr):
            if on_layer is not None:
                on_layer(i, arr)
            if self.hold_after is not None and i == self.hold_after and not self.gate.is_set():
                self.held.set()
                while not self.gate.wait(0.005):
                    if cancelled() and not self.ignore_cancel:
                        break
                self.held.clear()
        outcome = "error"
        try:
            res = self.engine.run(req, cancelled, layer)
            outcome = "result"
            return res
        except Cancelled:
            outcome = "cancelled"
            raise
        finally:
            self.runs.append((req.generation, outcome))
            self.events.append(("run", req.generation))
            self.finished.set()
