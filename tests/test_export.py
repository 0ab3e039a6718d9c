"""Exported PyTorch code is code: whatever a project's title or image path holds, the exported
file compiles, keeps the text as inert literals, and running it runs the model and nothing else."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import numpy as np
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


# --- the exported file reproduces the maps ---------------------------------------------------

_RUNNER = """
import runpy, sys
for script, out in zip(sys.argv[1::2], sys.argv[2::2]):
    sys.argv = [script, out]  # as `python model.py out.npz` runs it
    runpy.run_path(script, run_name="__main__")
"""


def _random_stack(seed: int) -> Project:
    """A small valid stack on a pattern, drawn from ``seed``: convolutions of every padding mode,
    transposed and depthwise-separable ones, pools, activations, named kernels and random ones."""
    import random
    from convviz.samples import PATTERNS
    from convviz.spec import SpecError
    rng = random.Random(seed)
    c, h, w = rng.randint(1, 3), rng.randint(5, 12), rng.randint(5, 12)
    src = "pattern:" + rng.choice([p for p in PATTERNS if p != "embedding"])
    layers, kernels = [], []
    while len(layers) < rng.randint(2, 5):
        kind = rng.choice(["Conv2d", "Conv2d", "ConvTranspose2d", "DepthwiseSeparable", "MaxPool2d", "AvgPool2d",
                           "ReLU", "Tanh", "BatchNorm2d"])
        kw = {}
        if kind in ("Conv2d", "DepthwiseSeparable", "ConvTranspose2d"):
            kw = dict(out_channels=rng.randint(1, 4), kernel_size=rng.randint(1, 3), stride=rng.randint(1, 2),
                      padding=rng.randint(0, 1), bias=rng.random() < 0.7)
            if kind != "ConvTranspose2d":
                kw["dilation"] = rng.randint(1, 2)
                kw["padding_mode"] = rng.choice(["zeros", "reflect", "replicate", "circular"])
        elif kind in ("MaxPool2d", "AvgPool2d"):
            kw = dict(kernel_size=2)
        try:
            spec = LayerSpec.make(kind, **kw)
        except SpecError:
            continue
        trial = Project(InputSpec(c, h, w, src), (*layers, spec), seed, (*kernels, None), "t")
        if not all(l.ok for l in trial.analyze().layers):
            continue
        layers.append(spec)
        kernels.append("sobel_x" if kind == "Conv2d" and kw["kernel_size"] == 3 and rng.random() < 0.5 else None)
    return Project(InputSpec(c, h, w, src, shift=(rng.randint(0, 2), rng.randint(0, 2))), tuple(layers), seed,
                   tuple(kernels), "t")


def _image_project(tmp_path) -> tuple[Project, str]:
    """A non-square RGBA image by a relative path, centre-cropped and shifted: the export must load
    it from the project's folder as the engine does."""
    from PIL import Image
    rs = np.random.default_rng(3)
    Image.fromarray(rs.integers(0, 256, (13, 21, 4), dtype=np.uint8), "RGBA").save(tmp_path / "photo.png")
    layers = (LayerSpec.make("Conv2d", out_channels=3, kernel_size=3, padding=1),
              LayerSpec.make("ReLU"), LayerSpec.make("MaxPool2d", kernel_size=2))
    inp = InputSpec(3, 10, 12, "photo.png", shift=(1, 2), fit="crop")
    return Project(inp, layers, 5, ("gaussian", None, None), "photo"), str(tmp_path)


def test_running_the_export_reproduces_every_map(tmp_path):
    """The exported file, run as a script, gives every layer's output the engine shows (the real
    input, not zeros), on presets, an image file and generated stacks."""
    from convviz.engine import ComputeRequest, Engine
    from convviz.samples import load_preset
    cases = [(load_preset(n), None) for n in ("lesson_4x4", "lesson_padding", "teaching", "mobilenet_block",
                                             "dilated", "lenet5")]
    cases.append(_image_project(tmp_path))
    cases += [(_random_stack(s), None) for s in range(8)]
    args = []
    for i, (p, base) in enumerate(cases):
        script = tmp_path / f"model{i}.py"
        script.write_text(to_pytorch(p, base_dir=base), encoding="utf-8")
        args += [str(script), str(tmp_path / f"out{i}.npz")]
    r = subprocess.run([sys.executable, "-c", _RUNNER, *args], cwd=tmp_path, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    engine = Engine()
    for i, (p, base) in enumerate(cases):
        res = engine.run(ComputeRequest(i, p, base_dir=base))
        assert res.error is None, (i, res.error)
        assert float(np.abs(res.input).max()) > 0, "the input is not all zeros"
        with np.load(tmp_path / f"out{i}.npz") as got:
            assert sorted(got.files, key=lambda k: int(k[5:])) == [f"layer{j}" for j in range(len(p.layers))]
            for j, want in enumerate(res.outputs):
                have = got[f"layer{j}"]
                assert have.size == want.size, (i, j)
                np.testing.assert_allclose(have.ravel(), np.asarray(want).ravel(), rtol=1e-5, atol=1e-5,
                                           err_msg=f"case {i} ({p.input.source}), layer {j} {p.layers[j]}")


def test_an_input_that_cannot_be_loaded_exports_zeros_with_the_reason(tmp_path):
    code = to_pytorch(_project("t", "missing " + PAYLOAD + ".png"), base_dir=str(tmp_path))
    compile(code, "<export>", "exec")
    assert _literal(code, "INPUT_DATA") is None
    notes = [l for l in code.splitlines() if "could not be loaded" in l]
    assert len(notes) == 1 and notes[0].startswith("# ")
    ns: dict = {}
    exec(compile(code, "<export>", "exec"), ns)  # noqa: S102 - our own generated code, its __main__ not run
    assert ns["example_input"]().abs().max().item() == 0 and tuple(ns["example_input"]().shape) == (1, 1, 8, 8)
