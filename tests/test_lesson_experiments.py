"""Chapter 1's experiment (convviz/lesson_experiments.py): the horse moves on a wide canvas
without wrapping round, training sees it near the centre only, the test holds every shift; the
numbers the app shows are reproducible and torch's; and the measured accuracies clear
thresholds set from scripts/horse_experiment_seeds.py (10 seeds, one thread: the fully
connected classifier 0.96 to 1.0 at the training shifts, at most 0.55 on average elsewhere and
at most 0.65 at any shift 7 or more pixels out; the convolution 1.0 at every shift)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from convviz import lesson_experiments as lx


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def runs():
    return {seed: lx.HorseExperiment(seed).run() for seed in (0, 1)}


def _corr(a, b):
    return float(np.corrcoef(np.ravel(a).astype(float), np.ravel(b).astype(float))[0, 1])


@pytest.mark.parametrize("shift", [-lx.max_shift(), -9, 0, 4, lx.max_shift()])
def test_the_horse_moves_on_the_canvas_without_wrapping(shift):
    h, w = lx.CANVAS
    bh, bw = lx.BOX
    centre, moved = lx.draw(0), lx.draw(shift)
    a, b = lx.left_of(0), lx.left_of(shift)
    assert 0 <= b and b + bw <= w, "the whole box stays on the canvas"
    np.testing.assert_array_equal(moved[:, b:b + bw], centre[:, a:a + bw])
    rest = moved.copy()
    rest[:, b:b + bw] = 0
    assert not rest.any(), "nothing outside the horse's box: no part of it wrapped round"
    with pytest.raises(ValueError):
        lx.draw(lx.max_shift() + 1)


def test_training_sees_horses_near_the_centre_and_the_test_every_shift():
    d = lx.make_data(3, train_per_shift=20, test_per_shift=6)
    horses = d.train_y == lx.HORSE
    assert set(np.unique(d.train_shift[horses])) == set(lx.TRAIN_SHIFTS)
    assert len(np.unique(d.train_shift[~horses])) > len(lx.TRAIN_SHIFTS), "the distractors are anywhere"
    np.testing.assert_array_equal(d.shifts, np.arange(-lx.max_shift(), lx.max_shift() + 1))
    for s in d.shifts:
        at = d.test_y[d.test_shift == s]
        assert len(at) == 6 and (at == lx.HORSE).sum() == 3, "both classes equally at every test shift"
    again = lx.make_data(3, train_per_shift=20, test_per_shift=6)
    np.testing.assert_array_equal(d.train_x, again.train_x)
    np.testing.assert_array_equal(d.test_x, again.test_x)
    # each object's bright pixels lie in its box at its shift
    for x, s in zip(d.test_x[:40, 0], d.test_shift[:40]):
        cols = np.flatnonzero((x > 60).any(0))
        assert cols.min() >= lx.left_of(s) and cols.max() < lx.left_of(s) + lx.BOX[1]


def test_the_measured_accuracies(runs):
    for seed, p in runs.items():
        assert p.done
        far = np.abs(p.shifts) >= max(lx.TRAIN_SHIFTS) + 5
        assert p.accuracy_where("fc", True) >= 0.9, (seed, "the fully connected classifier learns where it saw horses")
        assert p.accuracy_where("fc", False) <= 0.7, (seed, "and is near chance elsewhere")
        assert p.fc_accuracy[far].max() <= 0.8, (seed, "at every shift far from training")
        assert p.conv_accuracy.min() >= 0.9, (seed, "the convolution finds the horse at every shift")


def test_the_fully_connected_weights_become_a_two_headed_horse(runs):
    two_headed = lx.draw(0).astype(float) + lx.draw(0, flip=True)
    start = lx.HorseExperiment(0).progress()
    assert abs(_corr(start.fc_weights, two_headed)) < 0.1, "the initial weights are no horse"
    for p in runs.values():
        assert _corr(p.fc_weights, two_headed) >= 0.25
        assert _corr(p.fc_weights, two_headed) > _corr(p.fc_weights, lx.draw(0)), "two heads, not one"


def test_reproducible_however_sliced(runs):
    e = lx.HorseExperiment(0)
    while not e.done:
        p = e.step(3)
    q = runs[0]
    np.testing.assert_array_equal(p.fc_accuracy, q.fc_accuracy)
    np.testing.assert_array_equal(p.conv_accuracy, q.conv_accuracy)
    np.testing.assert_array_equal(p.fc_weights, q.fc_weights)
    for i in q.conv_state:
        for k in q.conv_state[i]:
            np.testing.assert_array_equal(p.conv_state[i][k], q.conv_state[i][k])


def test_scores_maps_and_accuracy_are_torchs():
    """What the widget shows for one canvas (from a progress's weights, any thread) is what the
    trained torch modules compute; the per-shift accuracy is the argmax of their logits."""
    e = lx.HorseExperiment(2, epochs=1)
    p = e.run()
    for shift in (-20, 0, 13):
        canvas = lx.draw(shift, flip=shift > 0)
        x = torch.tensor(canvas, dtype=torch.float32)[None, None] / 255
        with torch.no_grad():
            want = [float(torch.softmax(tr.model.eval()(x).flatten(1)[0].double(), 0)[lx.HORSE]) for tr in (e.fc, e.conv)]
            maps = torch.relu(e.conv.model[0](x))[0].numpy()
        np.testing.assert_allclose(lx.scores_of(p, canvas), want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(lx.conv_maps_of(p.conv_state, canvas), maps, rtol=1e-5, atol=1e-5)
    d = e.data
    with torch.no_grad():
        pred = e.conv.model.eval()(torch.tensor(d.test_x, dtype=torch.float32) / 255).flatten(1).argmax(1).numpy()
    right = pred == d.test_y
    np.testing.assert_allclose(p.conv_accuracy, [right[d.test_shift == s].mean() for s in d.shifts])


# --- the chapters' trained kernels (resources/weights/, scripts/train_lesson_weights.py) -------------

def _script():
    import importlib.util
    import os
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts",
                        "train_lesson_weights.py")
    spec = importlib.util.spec_from_file_location("train_lesson_weights", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_script_regenerates_the_weights_bit_for_bit(tmp_path):
    import json

    from convviz.weights import read_safetensors
    script = _script()
    paths = []
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        paths.append(script.write("dilated", str(tmp_path / d), size=160, epochs=1))
    a, b = (open(p, "rb").read() for p in paths)
    assert a == b, "two runs give the same bytes"
    _, meta = read_safetensors(paths[0])
    want = dict(lx.LESSON_WEIGHTS["dilated"].params(), size=160, epochs=1)
    assert json.loads(meta["params"]) == want and meta["made_by"] == script.SCRIPT


@pytest.mark.parametrize("name", sorted(lx.LESSON_WEIGHTS))
def test_the_committed_weights_are_the_scripts(name):
    """Each committed file records the script's parameters, is small, and fits its chapter's
    preset whole; its kernels are trained (not the initial ones the engine draws)."""
    import json
    import os

    from convviz.training import build_model
    path = lx.weights_dir() / f"{name}.safetensors"
    assert os.path.getsize(path) < 1 << 20
    loaded, found = lx.lesson_weights(lx.stack_project(name))
    assert found == name and not loaded.problems
    assert json.loads(loaded.metadata["params"]) == lx.LESSON_WEIGHTS[name].params()
    assert float(loaded.metadata["test_accuracy"]) >= 0.9
    preset = lx.stack_project(name)
    convs = [i for i, l in enumerate(preset.layers) if l.type == "Conv2d"]
    assert sorted(loaded.weights) == convs
    initial = build_model(preset)
    for i in convs:
        assert not np.allclose(loaded.weights[i]["weight"], initial[i].weight.detach().numpy())


def test_fewer_kernels_get_the_first_trained_ones():
    """Chapter 2 starts with two of the four trained kernels; a stack the file was not made for
    gets none."""
    from dataclasses import replace

    from convviz.spec import LayerSpec
    full, _ = lx.lesson_weights(lx.stack_project("kernel3d"))
    base = lx.stack_project("kernel3d")
    for n in (1, 2, 4):
        p = replace(base, layers=(LayerSpec.make("Conv2d", out_channels=n, kernel_size=3, padding=1),))
        part, name = lx.lesson_weights(p)
        assert name == "kernel3d"
        np.testing.assert_array_equal(part.weights[0]["weight"], np.asarray(full.weights[0]["weight"])[:n])
        np.testing.assert_array_equal(part.weights[0]["bias"], np.asarray(full.weights[0]["bias"])[:n])
    for layer in (LayerSpec.make("Conv2d", out_channels=5, kernel_size=3, padding=1),
                  LayerSpec.make("Conv2d", out_channels=2, kernel_size=5, padding=2)):
        assert lx.lesson_weights(replace(base, layers=(layer,))) == (None, None)
