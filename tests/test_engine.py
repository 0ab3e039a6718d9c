"""The engine against torch: maps equal a direct forward; the cache recomputes only from the
first changed layer; the same seed gives the same weights; exported code rebuilds the stack."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

from convviz import engine as en
from convviz.export import to_pytorch
from convviz.kernels import named_kernel
from convviz.project import Project, InputSpec
from convviz.samples import PRESETS, load_input, load_preset
from convviz.spec import LayerSpec
from torch_oracle import build

C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def direct_forward(project: Project):
    """An independent forward: torch_oracle's modules under the engine's documented seeds."""
    inp = project.input
    x = torch.as_tensor(load_input(inp.source, inp.channels, inp.height, inp.width))[None]
    outs = []
    with torch.no_grad():
        for i, spec in enumerate(project.layers):
            torch.manual_seed((project.seed * 1_000_003 + i) % (2**63))
            m = build(spec, x.shape[1]).eval()
            en.init_module(m, spec, x.shape[1], project.kernels[i])
            x = m(x)
            outs.append(x[0].numpy())
    return outs


@pytest.mark.parametrize("name", [n for n in PRESETS if n != "vgg16"])
def test_engine_maps_equal_direct_forward(name):
    p = load_preset(name)
    res = en.Engine().run(en.ComputeRequest(1, p))
    assert res.error is None
    for got, want in zip(res.outputs, direct_forward(p)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_outputs_are_read_only():
    res = en.Engine().run(en.ComputeRequest(1, load_preset("lesson_4x4")))
    with pytest.raises(ValueError):
        res.outputs[0][0, 0, 0] = 1.0


def test_incremental_recompute_reuses_the_prefix():
    p = load_preset("teaching")
    eng = en.Engine()
    first = eng.run(en.ComputeRequest(1, p))
    assert first.reused == 0
    layers = list(p.layers)
    layers[6] = layers[6].with_args(out_channels=12)
    second = eng.run(en.ComputeRequest(2, p.with_layers(layers, p.kernels)))
    assert second.reused == 6
    assert second.outputs[6].shape[0] == 12
    for a, b in zip(first.outputs[:6], second.outputs[:6]):
        assert a is b or np.shares_memory(a, b)
    third = eng.run(en.ComputeRequest(3, p))  # back again: layers 0..5 still cached
    assert third.reused == 6
    np.testing.assert_array_equal(third.outputs[-1], first.outputs[-1])


def test_same_seed_same_numbers_other_seed_other_numbers():
    p = load_preset("teaching")
    a = en.Engine().run(en.ComputeRequest(1, p)).outputs[0]
    b = en.Engine().run(en.ComputeRequest(1, p)).outputs[0]
    from dataclasses import replace
    c = en.Engine().run(en.ComputeRequest(1, replace(p, seed=p.seed + 1))).outputs[0]
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_named_kernels_compute_what_they_say():
    img = InputSpec(1, 16, 16, "pattern:vertical_edge")
    p = Project(img, (C(out_channels=1, kernel_size=3, padding=1),), 0, ("sobel_x",))
    out = en.Engine().run(en.ComputeRequest(1, p)).outputs[0][0]
    assert out[1:-1, 8].min() > 3.9 and abs(out[:, 3]).max() == 0  # the edge lights up, flat areas are 0
    p = Project(img, (C(out_channels=2, kernel_size=3, padding=1),), 0, ("identity",))
    out = en.Engine().run(en.ComputeRequest(1, p)).outputs[0]
    np.testing.assert_array_equal(out[1], load_input("pattern:vertical_edge", 1, 16, 16)[0])
    assert named_kernel("sobel_x", 5, 5)[2].tolist() == [-6, -12, 0, 12, 6]


def test_bad_named_kernel_is_a_layer_error():
    p = Project(InputSpec(1, 8, 8, "pattern:impulse"), (C(out_channels=1, kernel_size=1),), 0, ("laplacian",))
    info = p.analyze()
    assert info.layers[0].error == "Layer 0 (Conv2d): the Laplacian needs a kernel of at least 3x3 — increase kernel_size"


def test_memory_guard_refuses_before_computing(monkeypatch):
    monkeypatch.setenv("CONVVIZ_MEMORY_LIMIT", str(1 << 20))
    p = load_preset("teaching")
    res = en.Engine().run(en.ComputeRequest(1, p))
    assert res.error.startswith("Not computed: this stack needs about") and "reduce the input size" in res.error
    assert all(o is None for o in res.outputs)


def test_unreadable_input_is_reported(tmp_path):
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not an image")
    p = Project(InputSpec(1, 8, 8, str(bad)), (LayerSpec.make("ReLU"),))
    res = en.Engine().run(en.ComputeRequest(1, p))
    assert res.error.startswith("Input: ") and "not an image" in res.error


def test_cancel_between_layers():
    p = load_preset("teaching")
    eng = en.Engine()
    calls = []
    with pytest.raises(en.Cancelled):
        eng.run(en.ComputeRequest(1, p), cancelled=lambda: len(calls) >= 2, on_layer=lambda i, a: calls.append(i))
    res = eng.run(en.ComputeRequest(2, p))
    assert res.reused == 2 and res.error is None


def exec_export(p: Project):
    ns: dict = {}
    exec(compile(to_pytorch(p), "<export>", "exec"), ns)  # noqa: S102 - our own generated code
    return ns["build_model"](), ns["example_input"]()


@pytest.mark.parametrize("name", list(PRESETS))
def test_exported_code_reproduces_shapes(name):
    p = load_preset(name)
    model, x = exec_export(p)
    info = p.analyze()
    with torch.no_grad():
        for layer, li in zip(model, info.layers):
            x = layer(x)
            assert tuple(x.shape[1:]) == li.out_shape
    assert sum(q.numel() for q in model.parameters()) == info.total_params


def test_exported_code_reproduces_the_weights():
    p = load_preset("mobilenet_block")
    p = p.with_layers(p.layers, (None, None, None, "sobel_x"))
    model, _ = exec_export(p)
    inp = p.input
    x = torch.as_tensor(load_input(inp.source, inp.channels, inp.height, inp.width))[None]
    res = en.Engine().run(en.ComputeRequest(1, p))
    with torch.no_grad():
        for layer, want in zip(model, res.outputs):
            x = layer(x)
            np.testing.assert_allclose(x[0].numpy(), want, rtol=1e-5, atol=1e-5)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_stacks_engine_equals_direct_forward(data):
    from strategies import STRATEGIES
    shape = (data.draw(st.integers(1, 3)), data.draw(st.integers(6, 16)), data.draw(st.integers(6, 16)))
    kinds = data.draw(st.lists(st.sampled_from(["Conv2d", "MaxPool2d", "AvgPool2d", "ConvTranspose2d",
                                                "DepthwiseSeparable", "BatchNorm2d", "activation"]), min_size=1, max_size=3))
    specs = [LayerSpec(s.type, tuple(a for a in s.args if a[0] not in ("in_channels", "num_features")))
             for s, _ in (data.draw(STRATEGIES[k]) for k in kinds)]
    p = Project(InputSpec(shape[0], shape[1], shape[2], "pattern:gradient"), tuple(specs), data.draw(st.integers(0, 9)))
    info = p.analyze()
    n_ok = next((i for i, l in enumerate(info.layers) if not l.ok), len(specs))
    res = en.Engine().run(en.ComputeRequest(1, p))
    assert res.error is None
    assert sum(o is not None for o in res.outputs) == n_ok
    if n_ok:
        want = direct_forward(p.with_layers(specs[:n_ok]))
        for got, w in zip(res.outputs[:n_ok], want):
            np.testing.assert_allclose(got, w, rtol=1e-4, atol=1e-4)


def test_weight_cache_gives_the_same_numbers_as_a_fresh_engine():
    """Editing padding, stride or padding_mode reuses the drawn weights; the result must equal
    a fresh engine's (which draws them anew under the same seed)."""
    p = load_preset("teaching")
    eng = en.Engine()
    eng.run(en.ComputeRequest(1, p))
    layers = list(p.layers)
    layers[0] = layers[0].with_args(padding_mode="reflect", stride=2)
    layers[3] = layers[3].with_args(dilation=2, padding=2)
    q = p.with_layers(layers)
    cached = eng.run(en.ComputeRequest(2, q))
    fresh = en.Engine().run(en.ComputeRequest(1, q))
    for a, b in zip(cached.outputs, fresh.outputs):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(cached.weights, fresh.weights):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
