#!/usr/bin/env python3
"""Retake the README's stepper screenshots (offscreen), in English and Simplified Chinese.

    .venv/bin/python scripts/stepper_screenshots.py [--size 1600x1000] [--out docs/screenshots]

Writes stepper-rgb.png (the teaching preset's RGB layer) and stepper-dilated.png (the dilated
preset's dilation-2 layer), and their -zh_CN versions.
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

SHOTS = {  # name: (preset, layer, output row, output column, first input channel drawn)
    "stepper-rgb": ("teaching", 0, 40, 62, 0),
    "stepper-dilated": ("dilated", 2, 2, 2, 1),
}


def take(app, name: str, preset: str, layer: int, oy: int, ox: int, first: int, size, path: str) -> None:
    from convviz.samples import load_preset
    from ui.main_window import MainWindow
    win = MainWindow(restore_layout=False)
    win.ask_save_changes = lambda: "discard"
    win.resize(*size)
    win.show()
    win.set_project(load_preset(preset), None)
    win.start()
    t0 = time.monotonic()
    while not win.session.current():
        app.processEvents()
        if time.monotonic() - t0 > 120:
            raise SystemExit(f"{preset}: no maps after 120 s")
    win.layers.select(layer)
    if not win.show_stepper(layer):
        raise SystemExit(f"{preset}: layer {layer} has no stepper")
    view = win.stepper
    view.rows_spin.setValue(first)
    view.set_position(view.slider_model.index(oy, ox))
    for _ in range(10):
        app.processEvents()
        time.sleep(0.01)
    win.grab().save(path)
    print(f"{path}: {size[0]}x{size[1]}, {view.shape.rows} row(s) of {view.shape.in_span}, cells {view.cell:.0f} px")
    win.close()
    win.deleteLater()
    app.processEvents()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1600x1000")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    ap.add_argument("--suffix", default="", help="added to the file names (e.g. -1280x720)")
    a = ap.parse_args()
    size = tuple(int(v) for v in a.size.lower().split("x"))
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    for lang, tail in (("en", ""), ("zh_CN", "-zh_CN")):
        install(app, lang)
        for name, (preset, layer, oy, ox, first) in SHOTS.items():
            take(app, name, preset, layer, oy, ox, first, size, os.path.join(a.out, f"{name}{tail}{a.suffix}.png"))
    install(app, "en")
    from ui.session import shutdown_all
    shutdown_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
