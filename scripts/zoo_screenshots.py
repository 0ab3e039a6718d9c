#!/usr/bin/env python3
"""Retake the README's real-network screenshots (offscreen), in English and Simplified Chinese.

    .venv/bin/python scripts/zoo_screenshots.py [--size 1600x1000] [--out docs/screenshots]

Writes zoo-import.png (File > Import > torchvision Model, with a refused architecture chosen so
its reason shows) and workbench-vgg16-torchvision.png (VGG-16 imported from torchvision, whole,
classifier included, computed with its RANDOM initial weights: the top-5 dock says so; no
ImageNet answer is shown, since none was computed here), and their -zh_CN versions.  Prints how
long the full VGG-16 took to compute.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CONVVIZ_NO_DIALOGS", "1")
os.environ.setdefault("CONVVIZ_SETTINGS", os.path.join(ROOT, "build", "screenshot-settings.ini"))


def wait(app, cond, what: str, timeout: float = 600.0) -> None:
    from ui.qt import QtCore
    t0 = time.monotonic()
    while not cond():
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if time.monotonic() - t0 > timeout:
            raise SystemExit(f"{what}: not done after {timeout:.0f} s")


def settle(app, n: int = 10) -> None:
    for _ in range(n):
        app.processEvents()
        time.sleep(0.01)


def window(app, size):
    from convviz.samples import load_preset
    from ui.main_window import MainWindow
    win = MainWindow(restore_layout=False)
    win.ask_save_changes = lambda: "discard"
    win.resize(*size)
    win.show()
    win.set_project(load_preset("lesson_4x4"), None)
    win.start()
    return win


def close(app, win) -> None:
    win.doc.undo_stack.setClean()
    win.close()
    win.deleteLater()
    app.processEvents()


def dialog_shot(app, size, path: str) -> None:
    win = window(app, size)
    dlg = win.zoo.open()
    dlg.resize(700, 720)
    wait(app, lambda: bool(dlg.archs), "the architectures")
    dlg.select("densenet121")
    dlg.tree.scrollToTop()
    settle(app)
    dlg.grab().save(path)
    print(f"{path}: {dlg.width()}x{dlg.height()}; {sum(a.chain for a in dlg.archs)} chains, "
          f"{sum(not a.chain for a in dlg.archs)} refused")
    dlg.reject()
    close(app, win)


def workbench_shot(app, size, path: str) -> None:
    from ui.qt import QtWidgets
    win = window(app, size)
    wait(app, lambda: win.session.current(), "the first maps")
    with_names = []
    win.zoo.imported.connect(with_names.append)
    t0 = time.monotonic()
    win.zoo.import_name("vgg16")
    wait(app, lambda: bool(with_names), "the import")
    t1 = time.monotonic()
    wait(app, lambda: win.session.current() and win.answer_view.names is not None, "VGG-16's maps")
    t2 = time.monotonic()
    res = win.last_result
    win.findChild(QtWidgets.QDockWidget, "answerDock").raise_()
    win.features.scroll_to_layer(len(win.project.layers) - 1)
    settle(app, 30)
    win.grab().save(path)
    print(f"{path}: {size[0]}x{size[1]}; import {t1 - t0:.1f} s, compute of the whole VGG-16 {t2 - t1:.1f} s "
          f"(engine: {res.seconds:.1f} s), answer: {win.answer_view.texts()} — {win.answer_view.weights_text}")
    close(app, win)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1600x1000")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    a = ap.parse_args()
    size = tuple(int(v) for v in a.size.lower().split("x"))
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    for lang, tail in (("en", ""), ("zh_CN", "-zh_CN")):
        install(app, lang)
        dialog_shot(app, size, os.path.join(a.out, f"zoo-import{tail}.png"))
        workbench_shot(app, size, os.path.join(a.out, f"workbench-vgg16-torchvision{tail}.png"))
    install(app, "en")
    from ui.session import shutdown_all
    shutdown_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
