"""Guard: PySide6 6.12.0 on Python < 3.12 aborts after a few hundred Signal.emit()s (a reference
to True/None is dropped on every call).  Run 10,000 emits plus 10,000 void Qt calls in a
subprocess; the installed PySide6 must survive them."""
from __future__ import annotations

import os
import subprocess
import sys

PROG = r"""
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QObject, Signal, QTimer
from PySide6.QtWidgets import QApplication, QWidget

class Emitter(QObject):
    ping = Signal(int)
    flag = Signal(bool)

app = QApplication([])
e = Emitter()
hits = []
e.ping.connect(hits.append)
e.flag.connect(lambda b: None)
w = QWidget()
w.resize(40, 30)
for i in range(10_000):
    e.ping.emit(i)
    e.flag.emit(True)
    w.update()
    if i % 100 == 0:
        app.processEvents()
t = QTimer()
t.start(1000)
t.stop()
assert len(hits) == 10_000
print("ok")
"""


def test_ten_thousand_emits_survive():
    r = subprocess.run([sys.executable, "-c", PROG], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, f"exit {r.returncode}: {r.stderr[-2000:]}"
    assert r.stdout.strip() == "ok"


def test_pinned_pyside_version():
    import PySide6
    v = tuple(int(x) for x in PySide6.__version__.split(".")[:3])
    assert v != (6, 9, 1)
    if sys.version_info < (3, 12):
        assert v < (6, 12), "PySide6 >= 6.12 aborts on Python < 3.12; see pyproject.toml"
