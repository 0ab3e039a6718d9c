"""Trained weights (convviz/weights.py): the state names and shapes of every layer type are
torch's own, a project saves its weights beside it (weights first, each atomically) and loads
them back with a sentence for whatever does not fit, an edit keeps what every unchanged layer
learned, and a .pt file is read only through torch.load(weights_only=True): a malicious pickle
is refused and none of its code runs."""
from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

from convviz import project as project_mod
from convviz.arithmetic import fan_in
from convviz.engine import ComputeRequest, Engine, build_module
from convviz.project import InputSpec, Project, ProjectError, load, loads, save
from convviz.spec import LayerSpec
from convviz.training_config import TrainConfig
from convviz.validate import analyze
from convviz.weights import (WeightsError, carry_over, check_weights, layer_alignment, layer_state_shapes,
                             load_project_weights, load_weights, save_project, save_weights, split_keys, state_shapes)
from strategies import STRATEGIES


def C(o, k, **kw):
    return LayerSpec.make("Conv2d", out_channels=o, kernel_size=k, **kw)


R = LayerSpec.make("ReLU")


def stack():
    return Project(InputSpec(1, 12, 12, "pattern:gradient"),
                   (C(4, 3, padding=1), R, LayerSpec.make("BatchNorm2d"), C(6, 3), R,
                    LayerSpec.make("DepthwiseSeparable", out_channels=5, kernel_size=3),
                    LayerSpec.make("AdaptiveAvgPool2d", output_size=1), C(3, 1)))


def torch_state(project):
    """Every layer's state_dict as torch builds it, with distinct random numbers."""
    info = project.analyze()
    g = torch.Generator().manual_seed(1)
    out = {}
    for i, l in enumerate(info.layers):
        sd = build_module(l.spec, fan_in(l.spec, l.in_shape)).state_dict()
        if sd:
            out[i] = {k: (torch.randn(v.shape, generator=g) if v.is_floating_point() else v + 7).numpy()
                      for k, v in sd.items()}
    return out


# --- the shapes are torch's ----------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(STRATEGIES)).flatmap(lambda k: STRATEGIES[k]))
def test_state_shapes_are_torchs(case):
    spec, shape = case
    info = analyze(shape, [spec])
    if not info.ok:
        return
    l = info.layers[0]
    sd = build_module(l.spec, fan_in(l.spec, l.in_shape)).state_dict()
    assert layer_state_shapes(l.spec, l.in_shape) == {k: tuple(v.shape) for k, v in sd.items()}


# --- files ------------------------------------------------------------------------------------------------

def test_weights_round_trip_beside_the_project(tmp_path):
    proj = stack()
    weights = torch_state(proj)
    path = tmp_path / "net.json"
    saved = save_project(proj, path, weights, {"step": "12"})
    assert saved.weights == "net.safetensors" and (tmp_path / "net.safetensors").exists()
    again = load(path)
    assert again.weights == "net.safetensors" and again == saved
    got = load_project_weights(again, path)
    assert got.problems == () and got.loaded == tuple(sorted(weights)) and got.metadata["step"] == "12"
    for i, s in weights.items():
        for k, v in s.items():
            np.testing.assert_array_equal(got.weights[i][k], v)
            assert got.weights[i][k].dtype == v.dtype and not got.weights[i][k].flags.writeable
    # the file is a torch state_dict of the nn.Sequential the exported code builds
    from safetensors.torch import load_file
    model = torch.nn.Sequential(*[build_module(l.spec, fan_in(l.spec, l.in_shape)) for l in proj.analyze().layers])
    model.load_state_dict(load_file(tmp_path / "net.safetensors"))
    np.testing.assert_array_equal(model[3].weight.detach().numpy(), weights[3]["weight"])


def test_the_weights_are_written_before_the_project_that_names_them(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    save(stack(), path)
    before = path.read_bytes()
    order = []
    real = os.replace

    def replace(a, b):
        order.append(os.path.basename(b))
        if b.endswith(".json"):
            raise OSError(28, "No space left on device")
        return real(a, b)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError):
        save_project(stack(), path, torch_state(stack()))
    assert order == ["net.safetensors", "net.json"]
    assert path.read_bytes() == before  # the old project is intact, no temporary file left
    assert sorted(os.listdir(tmp_path)) == ["net.json", "net.safetensors"]


def test_saving_without_weights_names_none(tmp_path):
    proj = save_project(stack(), tmp_path / "a.json", torch_state(stack()))
    plain = save_project(proj, tmp_path / "a.json", None)
    assert plain.weights == "" and load(tmp_path / "a.json").weights == ""
    assert load_project_weights(plain, tmp_path / "a.json").weights == {}


def test_every_mismatch_is_a_sentence_and_the_rest_loads(tmp_path):
    proj = stack()
    w = tmp_path / "w.safetensors"
    save_weights(w, torch_state(proj))
    layers = list(proj.layers)
    layers[3] = C(7, 3)  # weight 7x4x3x3 instead of 6x4x3x3, and layer 5 now reads 7 channels
    edited = proj.with_layers(layers)
    got = load_weights(w, edited)
    assert got.loaded == (0, 2, 7)
    text = " | ".join(got.problems)
    assert "layer 3 (Conv2d): weight is 6x4x3x3 in the weights file w.safetensors, but the layer needs 7x4x3x3" in text
    assert "layer 5 (DepthwiseSeparable): 0.weight is 6x1x3x3" in text and "needs 7x1x3x3" in text
    # fewer layers: the extra ones are named
    short = proj.with_layers(proj.layers[:3])
    got = load_weights(w, short)
    assert got.loaded == (0, 2)
    assert any("weights for layer 3, which this project does not have (it has 3 layers)" in p for p in got.problems)
    # a layer without weights where the file has some, and a missing layer
    shifted = proj.with_layers([R] + list(proj.layers))
    got = load_weights(w, shifted)
    assert any(p.startswith("layer 0 (ReLU) has no weights, but the weights file w.safetensors has bias, weight")
               for p in got.problems)


def test_keys_that_name_no_layer_are_said_and_a_prefix_is_dropped(tmp_path):
    weights = torch_state(stack())
    flat = {f"module.{i}.{k}": torch.tensor(v) for i, s in weights.items() for k, v in s.items()}
    flat["module.classifier.weight"] = torch.zeros(2)
    path = tmp_path / "sd.pt"
    torch.save(flat, path)
    got = load_weights(path, stack())
    assert got.loaded == tuple(sorted(weights))
    assert any("entries that name no layer (classifier.weight" in p for p in got.problems)
    assert split_keys({"0.weight": 1, "x": 2, "12345678.w": 3}) == ({0: {"weight": 1}}, ["x", "12345678.w"])


def test_a_state_dict_from_torch_loads(tmp_path):
    proj = stack()
    model = torch.nn.Sequential(*[build_module(l.spec, fan_in(l.spec, l.in_shape)) for l in proj.analyze().layers])
    torch.nn.init.constant_(model[0].weight, 0.25)
    path = tmp_path / "model.pth"
    torch.save({"state_dict": model.state_dict(), "epoch": 3}, path)
    got = load_weights(path, proj)
    assert got.problems == ()
    np.testing.assert_array_equal(got.weights[0]["weight"], np.full((4, 1, 3, 3), 0.25, np.float32))
    assert got.weights[2]["num_batches_tracked"].dtype == np.int64


class Evil:
    """Unpickling this creates a file: the proof that code ran."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


@pytest.mark.parametrize("how", ["torch.save", "pickle"])
def test_a_malicious_pickle_is_refused_and_none_of_its_code_runs(tmp_path, how):
    target = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    payload = {"0.weight": Evil(str(target))}
    if how == "torch.save":
        torch.save(payload, path)
    else:
        with open(path, "wb") as f:
            pickle.dump(payload, f)
    with open(path, "rb") as f:  # the payload is real: plain pickle would run it
        assert b"open" in f.read()
    with pytest.raises(WeightsError, match="not a plain state_dict: it holds Python objects") as e:
        load_weights(path, stack())
    assert "\n" not in str(e.value)
    assert not target.exists()


@pytest.mark.parametrize("content, sentence", [
    (b"", "not a readable"), (b"\x00" * 64, "not a readable"), (b"not a safetensors file at all", "not a readable"),
    (b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": {}}      ", "not a readable"),
])
def test_damaged_safetensors_files_are_one_sentence(tmp_path, content, sentence):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(WeightsError, match=sentence):
        load_weights(path, stack())
    proj = Project(stack().input, stack().layers, weights="bad.safetensors")
    got = load_project_weights(proj, tmp_path / "p.json")
    assert got.weights == {} and "every layer keeps its initial weights" in got.problems[0]


def test_what_is_not_a_weights_file_is_refused(tmp_path):
    with pytest.raises(WeightsError, match="is a folder"):
        load_weights(tmp_path / "d.safetensors" if os.mkdir(tmp_path / "d.safetensors") is None else None, stack())
    fifo = tmp_path / "f.safetensors"
    os.mkfifo(fifo)
    with pytest.raises(WeightsError, match="not a regular file"):
        load_weights(fifo, stack())  # refused at once, never waiting for a writer
    with pytest.raises(WeightsError, match="not a regular file"):
        load_weights(tmp_path / "f.pt" if os.mkfifo(tmp_path / "f.pt") is None else None, stack())
    with pytest.raises(WeightsError, match="cannot read"):
        load_weights(tmp_path / "missing.safetensors", stack())
    with pytest.raises(WeightsError, match="not .npz"):
        load_weights(tmp_path / "w.npz", stack())
    got = load_project_weights(Project(stack().input, stack().layers, weights="missing.safetensors"),
                               tmp_path / "p.json")
    assert "cannot read" in got.problems[0] and got.weights == {}


# --- edits ---------------------------------------------------------------------------------------------

def test_an_inserted_layer_shifts_the_weights_it_does_not_reset():
    proj = stack()
    weights = torch_state(proj)
    edited = proj.with_layers([C(1, 1)] + list(proj.layers))  # a 1x1 convolution in front
    carried = carry_over(proj, edited, weights)
    assert carried.reset == (0,)
    assert carried.kept == tuple(i + 1 for i in sorted(weights))
    np.testing.assert_array_equal(carried.weights[4]["weight"], weights[3]["weight"])
    deleted = proj.with_layers(proj.layers[1:])  # the first convolution removed: layer 2 now reads 1 channel
    carried = carry_over(proj, deleted, weights)
    # BatchNorm2d(4) became BatchNorm2d(1), the 3x3 convolution reads 1 channel instead of 4; the
    # depthwise-separable block still reads 6 and the last 1x1 convolution 5
    assert carried.reset == (1, 2) and carried.kept == (4, 6)


def test_an_edit_of_kernel_or_choice_of_kernel_resets_that_layer_only():
    proj = stack()
    weights = torch_state(proj)
    layers = list(proj.layers)
    layers[3] = C(6, 3, stride=2)  # same weights' shapes: kept
    assert carry_over(proj, proj.with_layers(layers), weights).reset == ()
    kernels = list(proj.kernels)
    kernels[0] = "sobel_x"  # the user chose a kernel: the layer takes it
    carried = carry_over(proj, proj.with_layers(proj.layers, kernels), weights)
    assert carried.reset == (0,)
    assert carry_over(proj, proj.with_layers(layers), {}).reset == ()  # nothing trained, nothing reset
    assert layer_alignment(proj, proj) == {i: i for i in range(len(proj.layers))}


def test_the_engine_shows_trained_or_initial_weights():
    proj = stack()
    weights = torch_state(proj)
    weights = {i: s for i, s in weights.items() if i != 2}  # BatchNorm2d keeps its initial state
    eng = Engine()
    initial = eng.run(ComputeRequest(1, proj))
    trained = eng.run(ComputeRequest(2, proj, weights=weights, weights_key="trained 1"))
    assert trained.error is None
    model = torch.nn.Sequential(*[build_module(l.spec, fan_in(l.spec, l.in_shape)) for l in proj.analyze().layers]).eval()
    sd = model.state_dict()
    sd.update({f"{i}.{k}": torch.tensor(v) for i, s in weights.items() for k, v in s.items()})
    model.load_state_dict(sd)
    x = torch.tensor(np.asarray(initial.input))[None]
    with torch.no_grad():
        for i, m in enumerate(model):
            x = m(x)
            np.testing.assert_allclose(trained.outputs[i], x[0].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(trained.weights[0][0], weights[0]["weight"])
    same = eng.run(ComputeRequest(3, proj, weights=weights, weights_key="trained 1"))
    assert same.reused == len(proj.layers)  # the same version of the weights: nothing recomputed
    later = {i: {k: v * 2 if k == "weight" else v for k, v in s.items()} for i, s in weights.items()}
    newer = eng.run(ComputeRequest(4, proj, weights=later, weights_key="trained 2"))
    assert newer.reused == 0 and not np.array_equal(newer.outputs[0], trained.outputs[0])
    np.testing.assert_allclose(newer.outputs[0], 2 * trained.outputs[0] - weights[0]["bias"][:, None, None], rtol=1e-5,
                               atol=1e-5)
    again = eng.run(ComputeRequest(5, proj))  # back to initial: the engine's own numbers again
    for a, b in zip(again.outputs, initial.outputs):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(again.outputs[0], trained.outputs[0])


# --- the project names its weights and training -------------------------------------------------------

def test_the_project_keeps_its_training_settings_and_weights_name(tmp_path):
    cfg = TrainConfig(data="shapes", size=500, optimizer="sgd", lr=0.05, momentum=0.8, batch_size=16, epochs=3, seed=9,
                      device="cuda", threads=2)
    proj = Project(stack().input, stack().layers, training=cfg, weights="w.safetensors")
    save(proj, tmp_path / "p.json")
    again = load(tmp_path / "p.json")
    assert again.training == TrainConfig(data="shapes", size=500, optimizer="sgd", lr=0.05, momentum=0.8,
                                         batch_size=16, epochs=3, seed=9)  # not the machine's device and threads
    assert again.weights == "w.safetensors"
    old = project_mod.dumps(stack())
    assert "training" not in old and "weights" not in old and loads(old).training is None


@pytest.mark.parametrize("field, value, sentence", [
    ("weights", 3, "weights: expected the name of a .safetensors file, got 3"),
    ("weights", "w.pt", "weights: expected the name of a .safetensors file"),
    ("training", [], "training: expected an object"),
    ("training", {"lr": -1}, "training: the learning rate must be a number above 0"),
    ("training", {"optimizer": "rmsprop"}, "training: the optimizer must be one of sgd, adam"),
    ("training", {"epochs": 1.5}, "training: the number of epochs must be a whole number"),
    ("training", {"data": "mnist"}, "training: unknown data set 'mnist'"),
    ("training", {"device": "cuda"}, "training.device: unknown field"),
])
def test_bad_training_fields_are_refused_with_a_sentence(field, value, sentence):
    import json
    d = json.loads(project_mod.dumps(stack()))
    d[field] = value
    with pytest.raises(ProjectError) as e:
        loads(json.dumps(d))
    assert str(e.value).startswith(sentence)


def test_state_shapes_of_a_project():
    shapes = state_shapes(stack())
    assert shapes[0] == {"weight": (4, 1, 3, 3), "bias": (4,)} and shapes[1] == {}
    assert check_weights(stack(), {}).problems == ()
