"""Layers for a classifier (Flatten, Linear, Dropout, AdaptiveMaxPool2d) in named cases, torch
the oracle: the classifier presets' shapes, parameters and FLOPs (the whole VGG-16's
138,357,544 parameters included), the sentences for what torch refuses or convviz refuses, the
engine's maps of vectors, Dropout in evaluation mode, the memory guard counting Linear weights,
the exported code, `describe` and `rf` on vectors.  The generated parity (thousands of layers
and mixed stacks) is in test_torch_oracle.py, the receptive fields in test_receptive.py."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from convviz import engine as en
from convviz.display import STRIP, fold, map_shape
from convviz.engine_api import estimate_bytes, memory_problem
from convviz.export import to_pytorch
from convviz.project import InputSpec, Project
from convviz.samples import load_input, load_preset
from convviz.spec import LayerSpec
from convviz.validate import analyze
from torch_oracle import build, run, seeded_biases

L = LayerSpec.make


def torch_numbers(project: Project, device: str = "cpu"):
    """Per layer (output shape, parameter count) and the total FLOPs of torch's own modules."""
    x = torch.zeros((1, *project.input.shape), device=device)
    rows = []
    fc = FlopCounterMode(display=False)
    with fc, torch.no_grad():
        for spec in project.layers:
            with torch.device(device):
                m = build(spec, tuple(x.shape[1:])).eval()
            x = m(x)
            rows.append((tuple(x.shape[1:]), sum(p.numel() for p in m.parameters())))
    return rows, fc.get_total_flops()


@pytest.mark.parametrize("name, params, out", [("lenet5", 61_706, (10,)), ("tiny_vgg", 19_920, (10,)),
                                               ("vgg16_full", 138_357_544, (1000,))])
def test_classifier_presets_equal_torch(name, params, out):
    p = load_preset(name)
    info = p.analyze()
    assert info.ok and info.output_shape == out and info.total_params == params
    rows, flops = torch_numbers(p, "meta" if name == "vgg16_full" else "cpu")
    assert [(l.out_shape, l.params) for l in info.layers] == rows
    assert 2 * info.total_macs == flops
    assert sum(n for _, n in rows) == params


def test_vgg16_full_is_torchvisions_vgg16():
    """The preset is torchvision's VGG-16, classifier and all (its parameter count, 138,357,544,
    and the classifier's layers in the same order)."""
    info = load_preset("vgg16_full").analyze()
    tail = [l.spec.type for l in info.layers[-9:]]
    assert tail == ["AdaptiveAvgPool2d", "Flatten", "Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert [l.out_shape for l in info.layers[-9:-6]] == [(512, 7, 7), (25088,), (4096,)]
    assert info.layers[-7].params == 25088 * 4096 + 4096
    assert info.total_params == 138_357_544


def test_tiny_vgg_has_cnn_explainers_shapes():
    info = load_preset("tiny_vgg").analyze()
    assert [l.out_shape[1:] for l in info.layers if l.spec.type in ("Conv2d", "MaxPool2d")] == \
        [(62, 62), (60, 60), (30, 30), (28, 28), (26, 26), (13, 13)]
    assert info.layers[-2].out_shape == (1690,) and info.layers[-1].out_shape == (10,)


# --- what is refused, and the sentence -------------------------------------------------------

def error_of(shape, specs):
    info = analyze(shape, specs)
    bad = info.first_error
    return bad.error if bad else None


def test_a_conv_after_a_vector_is_refused_with_what_to_change():
    for spatial in (L("Conv2d", out_channels=2, kernel_size=1), L("MaxPool2d", kernel_size=2),
                    L("BatchNorm2d"), L("AdaptiveAvgPool2d", output_size=1)):
        specs = [L("Conv2d", out_channels=4, kernel_size=3), L("Flatten"), spatial]
        e = error_of((1, 5, 5), specs)
        assert e == (f"Layer 2 ({spatial.type}): {spatial.type} works on maps (channels x height x width), but the "
                     f"layer before gives a vector of 36 values — put {spatial.type} before the Flatten, or remove "
                     f"the Flatten")
        ok, text, _, _ = run(spatial, (36,))  # torch refuses a batch of vectors too (but AdaptiveAvgPool2d)
        assert ok == (spatial.type == "AdaptiveAvgPool2d"), text
    e = error_of((2, 4, 5), [L("Flatten", start_dim=2), L("Conv2d", out_channels=1, kernel_size=1)])
    assert "gives a 2x20 tensor of 2 dimensions" in e and " — " in e


def test_linear_reads_the_last_dimension_as_torch_does():
    """On maps, Linear is applied to the last dimension (legal in torch); convviz computes the
    same shape and says what the learner probably meant."""
    specs = [L("Conv2d", out_channels=3, kernel_size=3), L("Linear", out_features=4)]
    info = analyze((1, 7, 8), specs)
    lin = info.layers[1]
    assert lin.ok and lin.out_shape == (3, 5, 4) == run(specs[1], (3, 5, 6))[1]
    assert lin.params == 6 * 4 + 4 and lin.macs == 3 * 5 * 6 * 4
    assert lin.formula == ("out_features = 4 (Linear reads only the last dimension, 6 values; a Flatten before it "
                           "makes it read all 90)")
    # in_features given as all the values of the map: the Flatten is missing
    e = error_of((1, 7, 8), [specs[0], L("Linear", in_features=90, out_features=4)])
    assert e.endswith("in_features is 90, all the values of the 3x5x6 input, but Linear reads only the last "
                      "dimension (6 values) — put a Flatten before this layer")
    assert not run(L("Linear", in_features=90, out_features=4), (3, 5, 6))[0]
    e = error_of((1, 7, 8), [specs[0], L("Flatten"), L("Linear", in_features=91, out_features=4)])
    assert e.endswith("in_features is 91 but the input has 90 values — set in_features to 90 or leave it out")


@pytest.mark.parametrize("spec, shape, sentence", [
    (L("Flatten", start_dim=0), (2, 3, 3), "start_dim 0 would join the batch dimension into the values"),
    (L("Flatten", end_dim=2), (30,), "end_dim 2 is not a dimension of the input: with its batch it has 2 "
                                     "dimensions, 0 to 1 (or -2 to -1) — use end_dim -1"),
    (L("Flatten", start_dim=2), (30,), "start_dim 2 is not a dimension of the input: with its batch it has 2"),
    (L("Flatten", start_dim=3, end_dim=2), (2, 3, 3), "start_dim 3 comes after end_dim 2"),
    (L("AdaptiveMaxPool2d", output_size=1, return_indices=True), (2, 3, 3), "return_indices=True makes the layer "
                                                                           "give a pair"),
    (L("Dropout", p=1.0), (5,), None),
    (L("Flatten", start_dim=0, end_dim=0), (2, 3, 3), None),  # joins nothing: torch returns its input
])
def test_flatten_dropout_and_pooling_sentences(spec, shape, sentence):
    e = error_of(shape, [spec])
    if sentence is None:
        assert e is None and analyze(shape, [spec]).output_shape == run(spec, shape)[1]
    else:
        assert sentence in e and " — " in e


def test_dropout_out_of_range_is_refused_like_torch():
    spec = LayerSpec("Dropout", (("p", 1.5),))  # past the loader, as a spec built in code
    assert "must be at most 1.0" in error_of((4,), [spec])
    ok, text, _, _ = run(spec, (4,))
    assert not ok and "dropout probability has to be between 0 and 1" in text


# --- maps of vectors ---------------------------------------------------------------------------

def test_fold_is_exact_and_near_square():
    for n in list(range(1, 300)) + [1690, 4096, 25088, 4099, 2**31 - 1, 10**12 + 39]:
        r, c = fold(n)
        assert r * c == n and r <= c
        if n <= STRIP:
            assert r == 1
        elif r > 1:
            assert c <= 8 * r
            assert all(n % k for k in range(r + 1, math.isqrt(n) + 1)), n  # no squarer grid
    assert [fold(n) for n in (10, 120, 4096, 25088, 4099)] == [(1, 10), (10, 12), (64, 64), (128, 196), (1, 4099)]
    assert map_shape((3, 4, 5)) == (3, 4, 5) and map_shape((120,)) == (1, 10, 12) and map_shape((3, 40)) == (3, 5, 8)


def test_engine_maps_of_vectors_equal_torch_in_order():
    """The engine hands every layer out as maps: a vector folded, its values in torch's order;
    Dropout in evaluation mode passes its input unchanged; the weights are the seeded ones
    (torch's modules built under the documented per-layer seed)."""
    p = load_preset("lenet5")
    p = p.with_layers(p.layers[:-1] + (L("Dropout", p=0.9), p.layers[-1]))
    res = en.Engine().run(en.ComputeRequest(1, p))
    assert res.error is None
    x = torch.as_tensor(load_input(p.input.source, 1, 32, 32))[None]
    with torch.no_grad():
        for i, (spec, got) in enumerate(zip(p.layers, res.outputs)):
            torch.manual_seed((p.seed * 1_000_003 + i) % (2**63))
            x = seeded_biases(build(spec, tuple(x.shape[1:])).eval(), (p.seed * 1_000_003 + i) % (2**63))(x)
            assert got.shape == map_shape(tuple(x.shape[1:])) and not got.flags.writeable
            np.testing.assert_allclose(got.ravel(), x[0].numpy().ravel(), rtol=1e-5, atol=1e-6)
    drop = len(p.layers) - 2
    np.testing.assert_array_equal(res.outputs[drop], res.outputs[drop - 1])
    assert res.outputs[-1].shape == (1, 1, 10)


def test_effective_field_of_a_logit():
    p = load_preset("lenet5")
    erf = en.effective_rf(p, len(p.layers) - 1, 0, 3)
    assert erf.shape == (32, 32) and (erf > 0).mean() > 0.9


def test_the_memory_guard_counts_linear_weights():
    """The whole VGG-16 keeps 123.6 million classifier weights (494 MB) beside the features'
    maps: the estimate counts them, and a budget between the two refuses the whole network
    with a sentence before anything is allocated."""
    feats, full = load_preset("vgg16").analyze(), load_preset("vgg16_full").analyze()
    classifier = full.total_params - feats.total_params
    assert classifier == 123_642_856
    assert estimate_bytes(full) >= 4 * full.total_params + full.total_activation_bytes  # weights and every map kept
    budget = estimate_bytes(feats) + 2 * classifier  # room for half the classifier's weights
    assert memory_problem(feats, budget) is None
    assert "reduce the input size" in memory_problem(full, budget)


def test_exported_code_rebuilds_the_classifier():
    """The exported LeNet-5 builds torch's modules with the engine's weights: its logits are the
    app's, Dropout in evaluation mode included."""
    p = load_preset("lenet5")
    p = p.with_layers(p.layers[:-1] + (L("Dropout"), p.layers[-1]))
    code = to_pytorch(p)
    assert "nn.Linear(in_features=120, out_features=84)" in code and "nn.Flatten()" in code
    ns: dict = {"__name__": "exported"}
    exec(compile(code, "exported.py", "exec"), ns)
    model = ns["build_model"]()
    assert any(isinstance(m, nn.Dropout) for m in model) and not model.training
    x = torch.as_tensor(load_input(p.input.source, 1, 32, 32))[None]
    with torch.no_grad():
        logits = model(x)[0].numpy()
    res = en.Engine().run(en.ComputeRequest(1, p))
    np.testing.assert_allclose(res.outputs[-1].ravel(), logits, rtol=1e-5, atol=1e-6)


# --- the command line ----------------------------------------------------------------------------

def test_describe_and_rf_on_vectors(capsys):
    from convviz.cli import main
    assert main(["describe", "preset:lenet5", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    flat = next(l for l in d["layers"] if l["type"] == "Flatten")
    assert flat["output_shape"] == [120] and flat["formula"] == "120*1*1 = 120"
    assert d["layers"][-1]["output_shape"] == [10] and d["layers"][-1]["receptive_field"] is None
    assert d["total_params"] == 61_706
    last = len(d["layers"]) - 1
    assert main(["rf", "preset:lenet5", "--layer", str(last), "--pixel", "0,9", "--json"]) == 0
    maps = json.loads(capsys.readouterr().out)["maps"]
    assert maps[0]["count"] == 32 * 32 and maps[-1]["rows"] == [0] and maps[-1]["cols"] == [9]
    assert main(["rf", "preset:lenet5", "--layer", str(last), "--pixel", "0,10"]) == 2
    err = capsys.readouterr().err
    assert "its 10 values are drawn as 1x10 maps, value i at (i // 10, i % 10)" in err


def test_the_stepper_says_linear_has_no_window():
    from convviz.sliding import SUPPORTED, Slider
    assert not {"Flatten", "Linear", "Dropout", "AdaptiveMaxPool2d"} & set(SUPPORTED)
    with pytest.raises(ValueError, match="no sliding window: each output is one weighted sum"):
        Slider(L("Linear", out_features=2), np.zeros((1, 1, 4)), np.zeros((1, 1, 2)), (np.zeros((2, 4)),))
