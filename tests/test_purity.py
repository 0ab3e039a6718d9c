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
                        "convviz.samples, convviz.cli, convviz.datasets, convviz.weights, convviz.training_config, "
                        "convviz.export, convviz.engine_api, convviz.edits")
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


TORCH_MODULES = {"engine.py", "training.py"}  # the only modules that import torch when imported


def _import_time_imports(tree) -> list[str]:
    """Modules imported when a module is imported: its imports outside function bodies."""
    import ast
    out: list[str] = []

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(child, ast.Import):
                out.extend(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                out.append(child.module or "")
            visit(child)
    visit(tree)
    return out


def test_only_the_engine_and_training_import_torch():
    """Module-level torch imports only in engine.py and training.py; any other module may import
    torch only inside the function that needs it (weights.py, for other programs' .pt files)."""
    import ast
    names = sorted(os.listdir(os.path.join(ROOT, "convviz")))
    assert TORCH_MODULES <= set(names)
    for name in names:
        if not name.endswith(".py"):
            continue
        tree = ast.parse(open(os.path.join(ROOT, "convviz", name), encoding="utf-8").read())
        imports = _import_time_imports(tree)
        uses = any(n == "torch" or n.startswith("torch.") for n in imports)
        assert uses == (name in TORCH_MODULES), f"convviz/{name}: module-level torch import is {uses}"


def test_train_and_weights_load_torch_only_when_they_train():
    mods = loaded_after("from convviz.weights import check_weights, carry_over, save_weights\n"
                        "from convviz.training_config import TrainConfig\nTrainConfig().problem()")
    assert "torch" not in mods and not mods & {"PySide6", "pyqtgraph"}
