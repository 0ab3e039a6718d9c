"""The split the design rests on: convviz/ never loads Qt (nor torch unless the engine is used)."""
from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def loaded_after(code: str) -> set[str]:
    prog = code + "\nimport sys\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return set(r.stdout.split())


def test_core_imports_without_qt_or_torch():
    mods = loaded_after("import convviz, convviz.spec, convviz.arithmetic, convviz.validate, convviz.project, "
                        "convviz.samples, convviz.cli, convviz.datasets")
    assert not mods & {"PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2"}
    assert "torch" not in mods


def test_describe_does_not_load_qt():
    mods = loaded_after("from convviz.cli import main\nmain(['describe', 'preset:vgg16', '--json'])")
    assert not mods & {"PySide6", "pyqtgraph", "torch"}


def test_no_qt_import_in_core_sources():
    for name in os.listdir(os.path.join(ROOT, "convviz")):
        if name.endswith(".py"):
            text = open(os.path.join(ROOT, "convviz", name), encoding="utf-8").read()
            for banned in ("import PySide6", "from PySide6", "import pyqtgraph", "from pyqtgraph"):
                assert banned not in text, f"convviz/{name} imports Qt"
