"""File > Export > PyTorch Code and View > Show PyTorch Code export the input the window shows: an
image beside the project file (found from the project's folder, not the working directory) and a
drawing that replaces the input; running the exported file gives the maps on screen."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
from PIL import Image

from convviz import project as pj
from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec

from .conftest import wait_maps


def _run_export(win, tmp_path, name):
    code = tmp_path / "run" / f"{name}.py"
    code.parent.mkdir(exist_ok=True)
    assert win.export_code(str(code))
    out = tmp_path / "run" / f"{name}.npz"
    r = subprocess.run([sys.executable, str(code), str(out)], cwd=code.parent, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    with np.load(out) as got:
        return [got[f"layer{i}"] for i in range(len(win.project.layers))]


def _assert_shown(win, got):
    for i, have in enumerate(got):
        want = win.features.widget_for(i).array
        assert want is not None and have.shape == want.shape, i
        np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-5, err_msg=f"layer {i}")


def test_the_exported_code_computes_the_maps_on_screen(make_window, qtbot, tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    rs = np.random.default_rng(0)
    Image.fromarray(rs.integers(0, 256, (9, 14, 3), dtype=np.uint8)).save(folder / "photo.png")
    layers = (LayerSpec.make("Conv2d", out_channels=2, kernel_size=3, padding=1), LayerSpec.make("ReLU"),
              LayerSpec.make("MaxPool2d", kernel_size=2))
    p = Project(InputSpec(1, 8, 10, "photo.png", shift=(1, 0), fit="pad"), layers, 4, ("sobel_x", None, None), "t")
    path = folder / "p.json"
    path.write_text(pj.dumps(p), encoding="utf-8")
    win = make_window(project=pj.load(path), path=str(path))
    assert win.last_result.error is None and win.last_result.input.max() > 0
    _assert_shown(win, _run_export(win, tmp_path, "image"))
    # a drawing replaces the input: the export follows it
    img = rs.random((1, 8, 10)).astype(np.float32)
    win.session.set_input_override(img, ("test drawing", 1))
    qtbot.waitUntil(lambda: win.last_result is not None and win.last_result.input is not None
                    and np.array_equal(win.last_result.input, img), timeout=30_000)
    wait_maps(qtbot, win)
    _assert_shown(win, _run_export(win, tmp_path, "drawing"))
    win.session.set_input_override(None)
    wait_maps(qtbot, win)
