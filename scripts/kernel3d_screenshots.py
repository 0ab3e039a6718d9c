#!/usr/bin/env python3
"""Retake the README's pictures of the 3-D kernel view and the arithmetic atlas (offscreen), in
English and Simplified Chinese.

    .venv/bin/python scripts/kernel3d_screenshots.py [--out docs/screenshots]

Writes kernel3d.png (the window with the stepper and View > 3-D kernel beside it, on chapter 2's
RGB project with four kernels) and atlas-checkerboard.png (Atlas 9: the camera upsampled by a
3x3 transposed kernel at stride 2, the grid in its map, the stepper on the upsampling), and
their -zh_CN versions.
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


def _window(app, project, size=(1280, 820)):
    from ui.main_window import MainWindow
    from ui.qt import QtCore, QtWidgets
    win = MainWindow(restore_layout=False)
    win.ask_save_changes = lambda: "discard"
    win.resize(*size)
    win.show()
    win.set_project(project, None)
    win.start()
    _wait(app, win.session.current)
    win.findChild(QtWidgets.QDockWidget, "channelDock").hide()  # the 3-D view takes the right column
    dock = win.findChild(QtWidgets.QDockWidget, "kernel3dDock")
    dock.show()
    dock.raise_()
    win.resizeDocks([dock], [430], QtCore.Qt.Orientation.Horizontal)
    return win


def _wait(app, cond, timeout=120.0):
    t0 = time.monotonic()
    while not cond():
        app.processEvents()
        time.sleep(0.005)
        if time.monotonic() - t0 > timeout:
            raise SystemExit("no maps after 120 s")
    for _ in range(10):
        app.processEvents()


def shots(app, lang: str, out: str) -> None:
    from convviz.atlas import CHECKERBOARD, project
    from ui.walkthrough.chapters import kernel3d_project
    suffix = "" if lang == "en" else f"-{lang}"
    p = kernel3d_project()
    p = p.with_layers([p.layers[0].with_args(out_channels=4)])
    win = _window(app, p)
    win.show_stepper(0)
    _wait(app, lambda: win.stepper.slider_model is not None)
    win.stepper.channel_spin.setValue(2)
    win.stepper.set_position(win.stepper.slider_model.index(3, 4))
    _wait(app, lambda: True)
    path = os.path.join(out, f"kernel3d{suffix}.png")
    win.grab().save(path)
    print(path, win.kernel3d.scene.window, win.kernel3d.scene.out_cell)
    win.close()
    win = _window(app, project(CHECKERBOARD[0]))
    win.show_stepper(0)
    _wait(app, lambda: win.stepper.slider_model is not None)
    win.stepper.set_position(win.stepper.slider_model.index(1, 6))
    win.tabs.setCurrentWidget(win.features)
    _wait(app, win.session.current)
    win.features.scroll_to_layer(0)
    _wait(app, lambda: True)
    path = os.path.join(out, f"atlas-checkerboard{suffix}.png")
    win.grab().save(path)
    print(path)
    win.close()
    app.processEvents()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    args = ap.parse_args()
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    for lang in ("en", "zh_CN"):
        install(app, lang)
        shots(app, lang, args.out)
    install(app, "en")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
