#!/usr/bin/env python3
"""Retake the README's pictures of training (offscreen, from real runs), in English and
Simplified Chinese.

    .venv/bin/python scripts/training_screenshots.py [--out docs/screenshots] [--steps 120]

LeNet-5 (the preset) learns the digits in the window's own Training dock; the pictures are
taken while it plays, a little past ``--steps`` steps:

- training-digits.png: the Training dock (settings, progress, curves) beside the feature maps,
  which show the watched test example under the weights reached;
- training-views.png: the kernels learning and each layer's gradient magnitudes, the
  predictions (saliency and Grad-CAM of the watched example), the drawing pad, and the maps of
  the watched example.

Each picture is written with its -zh_CN twin; what the run reached is printed.
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

CONFIG = dict(data="digits", size=600, batch_size=32, lr=3e-3, epochs=30, seed=1)


def _wait(app, cond, timeout=180.0):
    t0 = time.monotonic()
    while not cond():
        app.processEvents()
        time.sleep(0.005)
        if time.monotonic() - t0 > timeout:
            raise SystemExit("timed out")
    for _ in range(10):
        app.processEvents()


def _window(app, docks, size):
    from convviz.samples import load_preset
    from convviz.training_config import TrainConfig
    from ui.main_window import MainWindow
    from ui.qt import QtWidgets
    win = MainWindow(restore_layout=False)
    win.ask_save_changes = lambda: "discard"
    win.resize(*size)
    win.show()
    win.set_project(load_preset("lenet5"), None)
    win.start()
    _wait(app, win.session.current)
    for name in ("channelDock", "shapesDock"):
        win.findChild(QtWidgets.QDockWidget, name).hide()
    for name in docks:
        d = win.findChild(QtWidgets.QDockWidget, name)
        d.show()
        d.raise_()
    assert win.training_panel.set_config(TrainConfig(**CONFIG))
    return win


def _train(app, win, steps: int):
    """Play until ``steps``, the maps of the watched example and (when shown) the predictions of
    the newest weights are in; still playing."""
    panel, job = win.training_panel, win.training
    panel.toggle_play()
    _wait(app, lambda: job.latest is not None and job.latest.step >= steps)
    view = win.predictions_view  # (a hidden Predictions dock asks for no answers)
    _wait(app, lambda: (not view.isVisible() or view.predictions is not None and view.predictions.step >= steps)
          and win.session.input_override is not None and win.session.current())
    win.features.verticalScrollBar().setValue(0)  # the input's header names the example shown
    _wait(app, lambda: True)


def shots(app, lang: str, out: str, steps: int) -> None:
    from ui.qt import QtCore, QtWidgets
    suffix = "" if lang == "en" else f"-{lang}"
    # the dashboard: settings, progress and curves beside the maps of the watched example
    win = _window(app, ("trainingDock",), (1600, 1000))
    dock = win.findChild(QtWidgets.QDockWidget, "trainingDock")
    win.resizeDocks([dock], [560], QtCore.Qt.Orientation.Horizontal)
    _train(app, win, steps)
    path = os.path.join(out, f"training-digits{suffix}.png")
    win.grab().save(path)
    s = win.training.latest
    print(path, f"step {s.step}, epoch {s.epoch}, test accuracy {s.test_accuracy}")
    win.training_panel.toggle_play()
    win.close()
    app.processEvents()
    # the views: kernels, predictions (saliency and Grad-CAM), the drawing pad
    win = _window(app, ("kernelsDock", "predictionsDock", "drawingDock"), (1600, 1100))
    win.resizeDocks([win.findChild(QtWidgets.QDockWidget, "kernelsDock")], [440], QtCore.Qt.Orientation.Horizontal)
    win.predictions_view.tabs.setCurrentIndex(2)
    win.kernels_view.grads_box.setChecked(True)
    _train(app, win, steps)
    _wait(app, lambda: win.predictions_view.grad_cam is not None)
    path = os.path.join(out, f"training-views{suffix}.png")
    win.grab().save(path)
    p = win.predictions_view.predictions
    print(path, f"step {p.step}: {p.accuracy:.3f} of the test set right")
    win.training_panel.toggle_play()
    win.close()
    app.processEvents()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--lang", nargs="*", default=["en", "zh_CN"])
    args = ap.parse_args()
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    for lang in args.lang:
        install(app, lang)
        shots(app, lang, args.out, args.steps)
    install(app, "en")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
