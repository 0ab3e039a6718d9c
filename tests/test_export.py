"""Exported PyTorch code is code: whatever a project's title or image path holds, the exported
file compiles, keeps the text as inert literals, and running it runs the model and nothing else."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

from convviz import project as pj
from convviz.export import to_pytorch
from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec

# Each of these, pasted into a docstring or an f-string, breaks out of it or fails to compile.
PAYLOAD = '"""\nopen("PWNED", "w").write("x")\n"""'
HOSTILE_TITLES = [
    PAYLOAD,
    "''' + open('PWNED', 'w').write('x') + '''",
    'end with a backslash \\',
    "C:\\Users\\x\\N.png",
    "a\nb\r\nc",
    "NUL \x00 and ESC \x1b[31m and DEL \x7f and CSI \x9b",
    "quotes ' \" ''' \"\"\"",
    "{__import__('os').system('touch PWNED')}",
    "\\N{BULLET} \\x41 \\u0041 \\U00000041",
    "line separator \u2028 and bidi \u202e",
    "中文标题",
]
HOSTILE_SOURCES = ["C:\\Users\\x\\N.png", "C:\\new\\table.png", "\\\\server\\share\\x.png", "img/" + PAYLOAD,
                   "x\x00.png", "a\nb.png"]


def _project(title: str, source: str) -> Project:
    layers = (LayerSpec.make("Conv2d", out_channels=2, kernel_size=3, padding=1),
              LayerSpec.make("ReLU"), LayerSpec.make("MaxPool2d", kernel_size=2))
    return Project(InputSpec(1, 8, 8, source), layers, 7, ("sobel_x", None, None), title)


def _literal(code: str, name: str):
    """The value assigned to ``name`` at module level, read without running anything."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in the exported code")


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_any_title_compiles_and_is_kept_as_a_literal(title):
    code = to_pytorch(_project(title, "pattern:impulse"))
    compile(code, "<export>", "exec")
    assert _literal(code, "TITLE") == title
    assert "PWNED" not in "".join(l for l in code.splitlines() if not l.startswith("TITLE = "))


@pytest.mark.parametrize("source", HOSTILE_SOURCES)
def test_any_image_path_compiles_and_is_kept_as_a_literal(source):
    code = to_pytorch(_project("t", source))
    compile(code, "<export>", "exec")
    assert _literal(code, "INPUT_SOURCE") == source


@pytest.mark.parametrize("title, source", [
    ("plain", "x" + PAYLOAD),  # a docstring export ran this payload (and created PWNED)
    (" ".join(HOSTILE_TITLES), "C:\\Users\\x\\" + PAYLOAD),  # everything at once, through a project file
])
def test_running_the_export_runs_only_the_model(tmp_path, title, source):
    """The exported script prints the shapes and creates no file."""
    path = tmp_path / "hostile.json"
    doc = json.loads(pj.dumps(_project(title, source)))
    path.write_text(json.dumps(doc), encoding="utf-8")
    project = pj.load(path)
    assert project.title == title
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    script = run_dir / "model.py"
    script.write_text(to_pytorch(project), encoding="utf-8")
    r = subprocess.run([sys.executable, str(script)], cwd=run_dir, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(run_dir)) == ["model.py"], "running the export created a file"
    info = project.analyze()
    want = [f"{l.index} {l.spec.type} {[1, *l.out_shape]}" for l in info.layers]
    assert r.stdout.splitlines() == want


def test_a_comment_from_a_message_stays_one_line():
    """The message of an invalid layer goes into a comment; it can never start a line of code."""
    layers = (LayerSpec.make("Conv2d", out_channels=2, kernel_size=30),)
    code = to_pytorch(Project(InputSpec(1, 8, 8, "pattern:impulse"), layers, 0, (), "t"))
    compile(code, "<export>", "exec")
    notes = [l for l in code.splitlines() if "not exported" in l]
    assert len(notes) == 1 and notes[0].lstrip().startswith("#")
