"""Starting the desktop app: the QApplication, the main window, the first project, and the
``--self-test --screenshot PATH`` path that tests, CI and the packaged executable share."""
from __future__ import annotations

import os
import sys
import time

from .qt import QtCore, QtGui, QtWidgets


def make_app(argv=None) -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance()
    if app is None:
        QtCore.QCoreApplication.setOrganizationName("convviz")
        QtCore.QCoreApplication.setApplicationName("convviz")
        app = QtWidgets.QApplication(list(argv or sys.argv[:1]))
        app.setApplicationDisplayName("convviz")
        app.setStyle("Fusion")
    return app


def initial_project(window, path: str | None) -> None:
    """The project given on the command line, else the last one (if it still opens), else the
    teaching preset."""
    from convviz.samples import DEFAULT_PRESET, load_preset
    if path:
        if window.open_path(path, ask=False):
            return
    else:
        last = window.settings.value("project/last", "")
        if last and os.path.exists(str(last)) and window.open_path(str(last), ask=False):
            return
    window.set_project(load_preset(DEFAULT_PRESET), None)


def self_test(window, app, screenshot: str | None, timeout_s: float = 240.0) -> int:
    """Wait for the first complete compute, save a screenshot, check it is not blank."""
    done = {"ok": None, "why": ""}

    def finished(gen):
        if gen == window.generation and done["ok"] is None:
            _timing("first_maps")
            res = window.last_result
            if res is None or res.error:
                done.update(ok=False, why=res.error if res else "no result")
            else:
                done["ok"] = True

    def failed(msg):
        if done["ok"] is None:
            done.update(ok=False, why=msg)

    window.maps_updated.connect(finished)
    window.compute_failed.connect(failed)
    t0 = time.monotonic()
    while done["ok"] is None and time.monotonic() - t0 < timeout_s:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if done["ok"] is None:
        print(f"convviz self-test: no maps after {timeout_s:.0f} s", file=sys.stderr)
        return 1
    if not done["ok"]:
        print(f"convviz self-test: compute failed: {done['why']}", file=sys.stderr)
        return 1
    for _ in range(5):
        app.processEvents()
    if screenshot:
        img = window.grab().toImage()
        if not img.save(screenshot, "PNG"):
            print(f"convviz self-test: cannot write {screenshot}", file=sys.stderr)
            return 1
        if _is_blank(img):
            print("convviz self-test: the screenshot is blank", file=sys.stderr)
            return 1
    print(f"convviz self-test: ok ({len(window.project.layers)} layers, first maps after "
          f"{time.monotonic() - t0:.1f} s)")
    return 0


def _timing(mark: str) -> None:
    """With $CONVVIZ_TIMING set, print wall-clock marks for the start-up benchmark."""
    if os.environ.get("CONVVIZ_TIMING"):
        print(f"timing:{mark}={time.time():.6f}", flush=True)


def _is_blank(img: QtGui.QImage) -> bool:
    seen = set()
    step = max(1, img.width() // 64)
    for y in range(0, img.height(), step):
        for x in range(0, img.width(), step):
            seen.add(img.pixel(x, y))
            if len(seen) > 16:
                return False
    return True


def run_gui(args) -> int:
    app = make_app()
    from .main_window import MainWindow
    # The self-test is reproducible: a fixed window size, not the remembered layout.
    window = MainWindow(restore_layout=not args.self_test)
    if args.self_test:
        os.environ.setdefault("CONVVIZ_NO_DIALOGS", "1")
        window.resize(1440, 900)
    window.show()
    app.processEvents()
    _timing("window_shown")
    if os.environ.get("CONVVIZ_TIMING"):
        print(f"timing:torch_loaded_at_show={'torch' in sys.modules}", flush=True)
    initial_project(window, args.project)
    window.start()
    if args.self_test:
        code = self_test(window, app, args.screenshot)
        window.doc.undo_stack.setClean()
        window.close()
        return code
    return app.exec()
