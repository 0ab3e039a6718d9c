"""The packaged executable: build the one-folder PyInstaller bundle, copy it outside the source
tree and run its self-test there with no Python environment on the path."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    pytest.importorskip("PyInstaller", reason="install the 'package' extra: scripts/setup.sh --test")
    dist = tmp_path_factory.mktemp("dist")
    r = subprocess.run([sys.executable, "-m", "PyInstaller", os.path.join(ROOT, "packaging", "convviz.spec"),
                        "--noconfirm", "--log-level", "ERROR", "--distpath", str(dist),
                        "--workpath", os.path.join(ROOT, "build", "pyinstaller-test")],
                       capture_output=True, text=True, timeout=1500, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-4000:]
    # copy it where no source tree is: the bundle must carry everything itself
    outside = tmp_path_factory.mktemp("classroom") / "convviz"
    shutil.copytree(dist / "convviz", outside, symlinks=True)
    shutil.rmtree(dist)
    return outside


def clean_env(home):
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}


def test_copied_bundle_runs_the_self_test(bundle, tmp_path):
    before = sorted(os.listdir(bundle))
    shot = tmp_path / "shot.png"
    r = subprocess.run([str(bundle / "convviz"), "--self-test", "--screenshot", str(shot)], capture_output=True,
                       text=True, timeout=300, env=clean_env(tmp_path), cwd=str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "self-test: ok" in r.stdout
    from PIL import Image
    with Image.open(shot) as im:
        arr = np.asarray(im.convert("RGB").resize((144, 90)))
    assert len(np.unique(arr.reshape(-1, 3), axis=0)) > 50, "the screenshot is blank"
    # settings go to the user's folders, never next to the executable
    assert sorted(os.listdir(bundle)) == before
    assert (tmp_path / ".config" / "convviz" / "convviz.ini").exists()


def test_copied_bundle_headless_commands(bundle, tmp_path):
    r = subprocess.run([str(bundle / "convviz"), "describe", "preset:vgg16", "--json"], capture_output=True,
                       text=True, timeout=120, env=clean_env(tmp_path), cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    import json
    assert json.loads(r.stdout)["total_params"] == 14_714_688
    assert (bundle / "_internal" / "resources" / "translations" / "convviz_zh_CN.qm").exists()
    assert (bundle / "_internal" / "resources" / "fonts" / "wqy-microhei.ttc").exists()
    assert not any(n.startswith(("PyQt5", "PyQt6", "PySide2")) for n in os.listdir(bundle / "_internal"))
