"""The describe command, end to end in a subprocess, as a teacher would run it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from convviz.samples import PRESETS, preset_path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, env=None):
    return subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_describe_vgg16_json():
    r = run("describe", str(preset_path("vgg16")), "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["total_params"] == 14_714_688
    assert d["layers"][0]["output_shape"] == [64, 224, 224]
    assert d["layers"][0]["formula"] == "(224 + 2*1 - 1*(3-1) - 1) // 1 + 1 = 224"
    assert d["layers"][-1]["output_shape"] == [512, 7, 7]
    assert d["total_macs"] == sum(l["macs"] for l in d["layers"])
    assert {"index", "type", "output_shape", "params", "macs", "formula"} <= set(d["layers"][0])


@pytest.mark.parametrize("name", list(PRESETS))
def test_describe_every_preset_table(name):
    r = run("describe", f"preset:{name}")
    assert r.returncode == 0, r.stderr
    assert "Total params:" in r.stdout


def test_describe_matches_torch_for_presets():
    """The numbers describe prints for every preset equal a real torch forward, layer by layer."""
    import torch
    from convviz.project import load
    from torch_oracle import build
    for name in PRESETS:
        p = load(preset_path(name))
        d = json.loads(run("describe", str(preset_path(name)), "--json").stdout)
        # the whole VGG-16's 138 million weights: torch's shapes and counts on the meta device
        device = "meta" if name == "vgg16_full" else "cpu"
        x = torch.zeros((1, *p.input.shape), device=device)
        for spec, row in zip(p.layers, d["layers"]):
            with torch.device(device):
                m = build(spec, tuple(x.shape[1:])).eval()
            with torch.no_grad():
                x = m(x)
            assert row["output_shape"] == list(x.shape[1:]), (name, row)
            assert row["params"] == sum(q.numel() for q in m.parameters()), (name, row)


def test_invalid_project_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "convviz", "version": 1,
                               "input": {"channels": 1, "height": 5, "width": 5, "source": "pattern:impulse"},
                               "layers": [{"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "dilation": 3}]}))
    r = run("describe", str(bad))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert ("Layer 0 (Conv2d): the 7x7 kernel (3x3 with dilation 3) is larger than the padded input 5x5 — "
            "reduce kernel_size or dilation, or add padding") in r.stderr


@pytest.mark.parametrize("content", ["{", "[1, 2]", '{"format": "convviz", "version": 7}'])
def test_malformed_files_exit_2(tmp_path, content):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    r = run("describe", str(bad), "--json")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("convviz: cannot open") and "Traceback" not in r.stderr
    assert r.stderr.count(str(bad)) == 1  # named once (it was named twice: "cannot open X: ... (X)")


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_unreadable_paths_say_one_sentence_naming_the_file_once(tmp_path, kind):
    path = tmp_path / "missing.json" if kind == "missing" else tmp_path
    r = run("describe", str(path))
    assert r.returncode == 2 and r.stderr.startswith(f"convviz: cannot open {path}") and r.stderr.count(str(path)) == 1


def test_module_entry_point():
    r = subprocess.run([sys.executable, "-m", "convviz", "describe", "preset:lesson_4x4", "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["layers"][0]["output_shape"] == [1, 3, 3]


def test_describe_json_has_receptive_fields():
    d = json.loads(run("describe", str(preset_path("vgg16")), "--json").stdout)
    assert d["layers"][-1]["receptive_field"] == {"size": [212, 212], "jump": [32, 32], "offset": [-90, -90]}
    assert d["layers"][0]["receptive_field"] == {"size": [3, 3], "jump": [1, 1], "offset": [-1, -1]}


def test_rf_command_json_and_text():
    r = run("rf", str(preset_path("dilated")), "--layer", "2", "--pixel", "10,0", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    maps = d["maps"]
    assert [m["layer"] for m in maps] == [-1, 0, 1, 2]
    assert maps[-1]["rows"] == [10] and maps[-1]["cols"] == [0]
    assert maps[2]["rows"] == [8, 10, 12] and maps[2]["cols"] == [0, 2]  # dilation 2 leaves gaps
    assert maps[1] == {**maps[2], "layer": 0}
    assert maps[0]["rows"] == list(range(7, 14)) and maps[0]["cols"] == [0, 1, 2, 3]
    t = run("rf", str(preset_path("dilated")), "--layer", "2", "--pixel", "10,0")
    assert t.returncode == 0 and "rows 8, 10, 12" in t.stdout and "cols 0-3" in t.stdout


@pytest.mark.parametrize("args, needle", [
    (["--layer", "99", "--pixel", "0,0"], "--layer must be between 0 and"),
    (["--layer", "0", "--pixel", "500,0"], "outside layer 0"),
    (["--layer", "0", "--pixel", "a"], "--pixel takes Y,X"),
])
def test_rf_bad_arguments(args, needle):
    r = run("rf", "preset:dilated", *args)
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr
