"""The engine against torch: maps equal a direct forward; the cache recomputes only from the
first changed layer; the same seed gives the same weights; exported code rebuilds the stack."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st

from convviz import engine as en
from convviz.export import to_pytorch
from convviz.display import map_shape
from convviz.kernels import named_kernel
from convviz.project import Project, InputSpec
from convviz.samples import PRESETS, load_input, load_preset
from convviz.spec import LayerSpec
from PIL import Image
from torch_oracle import build, seeded_biases

C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def oracle_kernel(name: str, kh: int, kw: int) -> np.ndarray:
    """The named kernels as the kernels module documents them, built here independently."""
    def pascal(n):  # binomial row of length n
        row = np.ones(1)
        for _ in range(n - 1):
            row = np.r_[row, 0] + np.r_[0, row]
        return row

    def slope(n):  # central difference of length n: [-1, 0, 1], [-1, -2, 0, 2, 1], ...
        p = pascal(n - 1)
        return np.r_[0, p] - np.r_[p, 0]

    k = np.zeros((kh, kw))
    if name == "identity":
        k[(kh - 1) // 2, (kw - 1) // 2] = 1
    elif name == "box":
        k[:] = 1 / (kh * kw)
    elif name == "gaussian":
        k = np.outer(pascal(kh), pascal(kw)) / (pascal(kh).sum() * pascal(kw).sum())
    elif name == "sobel_x":
        k = np.outer(pascal(kh), slope(kw))
    elif name == "sobel_y":
        k = np.outer(slope(kh), pascal(kw))
    elif name == "laplacian":
        k = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float) if (kh, kw) == (3, 3) else np.ones((kh, kw))
        if (kh, kw) != (3, 3):
            k[(kh - 1) // 2, (kw - 1) // 2] = 1 - kh * kw
    elif name == "sharpen":
        k = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float) if (kh, kw) == (3, 3) else np.full((kh, kw), -1 / (kh * kw))
        if (kh, kw) != (3, 3):
            k[(kh - 1) // 2, (kw - 1) // 2] += 2
    else:
        raise AssertionError(name)
    return k


def test_oracle_kernels_are_the_textbook_ones():
    np.testing.assert_array_equal(oracle_kernel("sobel_x", 3, 3), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(oracle_kernel("sobel_y", 3, 3), [[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    np.testing.assert_allclose(oracle_kernel("gaussian", 3, 3), np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16)
    assert oracle_kernel("sobel_x", 5, 5)[2].tolist() == [-6, -12, 0, 12, 6]
    for name in ("identity", "box", "gaussian", "sobel_x", "sobel_y", "laplacian", "sharpen"):
        for kh, kw in ((3, 3), (5, 5), (3, 4), (4, 3), (7, 5)):
            np.testing.assert_allclose(named_kernel(name, kh, kw), oracle_kernel(name, kh, kw), err_msg=name)


def fill_oracle(m: torch.nn.Module, spec: LayerSpec, c_in: int, init) -> None:
    """A named kernel K fills every output channel with K applied to the mean of its input
    channels (weight = K / (in_channels / groups), bias 0); a DepthwiseSeparable block gets K on
    every channel, then the pointwise mean; typed values are the weight itself."""
    if init is None:
        return
    convs = list(m) if isinstance(m, torch.nn.Sequential) else [m]
    with torch.no_grad():
        first = convs[0]
        if isinstance(init, tuple):
            w = np.asarray(init[1], dtype=np.float64)
        else:
            k = oracle_kernel(init, *first.weight.shape[2:])
            per = 1 if spec.type == "DepthwiseSeparable" else c_in // first.groups
            w = np.broadcast_to(k / per, first.weight.shape)
        first.weight.copy_(torch.as_tensor(w.copy(), dtype=torch.float32))
        if spec.type == "DepthwiseSeparable":
            convs[1].weight.fill_(1.0 / c_in)
        for c in convs:
            if c.bias is not None:
                c.bias.zero_()


def direct_forward(project: Project, x: np.ndarray | None = None):
    """An independent forward: torch_oracle's modules under the engine's documented seeds,
    named kernels filled by this file's oracle.  ``x``: the input, when it is not a pattern or
    a bundled sample."""
    inp = project.input
    if x is None:
        x = load_input(inp.source, inp.channels, inp.height, inp.width, None, inp.shift)
    x = torch.as_tensor(np.array(x, dtype=np.float32))[None]
    outs = []
    with torch.no_grad():
        for i, spec in enumerate(project.layers):
            torch.manual_seed((project.seed * 1_000_003 + i) % (2**63))
            m = seeded_biases(build(spec, tuple(x.shape[1:])).eval(), (project.seed * 1_000_003 + i) % (2**63))
            fill_oracle(m, spec, x.shape[1], project.kernels[i])
            x = m(x)
            # the engine hands a vector out as the maps it is drawn as: the same values in order
            outs.append(x[0].numpy().reshape(map_shape(tuple(x.shape[1:]))))
    return outs


def assert_equals_oracle(res, project: Project, x: np.ndarray | None = None, tol: float = 1e-5):
    assert res.error is None, res.error
    n_ok = next((i for i, l in enumerate(project.analyze().layers) if not l.ok), len(project.layers))
    assert sum(o is not None for o in res.outputs) == n_ok
    want = direct_forward(project.with_layers(project.layers[:n_ok], project.kernels[:n_ok]), x)
    for i, (got, w) in enumerate(zip(res.outputs, want)):
        np.testing.assert_allclose(got, w, rtol=tol, atol=tol, err_msg=f"layer {i}")


@pytest.mark.parametrize("name", [n for n in PRESETS if not n.startswith("vgg16")])
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


# --- named kernels, caches ------------------------------------------------------------------

KERNEL_NAMES = ("identity", "box", "gaussian", "sobel_x", "sobel_y", "laplacian", "sharpen")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_named_kernels_equal_the_oracle(data):
    """Named kernels on several input channels and groups: each output channel is K applied to
    the mean of its group's input channels (a kernel not divided by in_channels / groups is
    caught here)."""
    c = data.draw(st.sampled_from([2, 3, 4, 6]))
    kind = data.draw(st.sampled_from(["Conv2d", "ConvTranspose2d", "DepthwiseSeparable"]))
    k = data.draw(st.integers(3, 5))
    if kind == "DepthwiseSeparable":
        spec = LayerSpec.make(kind, out_channels=data.draw(st.integers(1, 4)), kernel_size=k, padding=1)
    else:
        g = data.draw(st.sampled_from([d for d in (1, 2, 3) if c % d == 0]))
        spec = LayerSpec.make(kind, out_channels=g * data.draw(st.integers(1, 3)), kernel_size=k, groups=g,
                              bias=data.draw(st.booleans()))
    name = data.draw(st.sampled_from(KERNEL_NAMES))
    p = Project(InputSpec(c, 9, 10, "pattern:gradient"), (spec, LayerSpec.make("ReLU")), 3, (name, None))
    assert_equals_oracle(en.Engine().run(en.ComputeRequest(1, p)), p)


def test_one_engine_through_an_edit_sequence_equals_a_fresh_oracle():
    """One engine, as the GUI keeps it, through edits that change what the caches are keyed on:
    the input's channels (the modules depend on them), groups under a named kernel with the same
    weight shape, the seed, a kernel, back again.  Every result equals an independent forward."""
    conv = LayerSpec.make("Conv2d", out_channels=4, kernel_size=3, padding=1)
    bn = LayerSpec.make("BatchNorm2d")
    t2 = LayerSpec.make("ConvTranspose2d", out_channels=2, kernel_size=3, groups=2, bias=False)
    t1 = LayerSpec.make("ConvTranspose2d", out_channels=1, kernel_size=3, groups=1, bias=False)  # same weight shape
    dw = LayerSpec.make("DepthwiseSeparable", out_channels=3, kernel_size=3)
    steps = [
        Project(InputSpec(1, 10, 11, "pattern:gradient"), (conv, bn, dw), 0, (None, None, "sobel_x")),
        Project(InputSpec(3, 10, 11, "pattern:gradient"), (conv, bn, dw), 0, (None, None, "sobel_x")),
        Project(InputSpec(2, 10, 11, "pattern:checkerboard"), (t2, bn), 0, ("box", None)),
        Project(InputSpec(2, 10, 11, "pattern:checkerboard"), (t1, bn), 0, ("box", None)),
        Project(InputSpec(2, 10, 11, "pattern:checkerboard"), (t2, bn), 0, ("box", None)),
        Project(InputSpec(3, 10, 11, "pattern:gradient"), (conv, bn, dw), 5, (None, None, "sobel_x")),
        Project(InputSpec(3, 10, 11, "pattern:gradient"), (conv, bn, dw), 5, ("gaussian", None, "sobel_x")),
        Project(InputSpec(1, 10, 11, "pattern:gradient"), (conv, bn, dw), 0, (None, None, "sobel_x")),
    ]
    eng = en.Engine()
    for gen, p in enumerate(steps):
        assert_equals_oracle(eng.run(en.ComputeRequest(gen, p)), p)


def write_bmp(path, arr: np.ndarray, mtime_ns: int) -> None:
    """An uncompressed image: the same size on disk whatever its pixels."""
    Image.fromarray(arr).save(path, format="BMP")
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.mark.parametrize("spelling", ["absolute", "relative", "home"])
def test_a_rewritten_image_is_seen(tmp_path, monkeypatch, spelling):
    """The input cache knows a file by its resolved path, modification time and size: an image
    rewritten in place (same size on disk) is decoded again, however its path is spelled
    (~/x.bmp included)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / "x.bmp"
    source = {"absolute": str(path), "relative": "x.bmp", "home": "~/x.bmp"}[spelling]
    base = str(tmp_path) if spelling == "relative" else None
    rng = np.random.default_rng(0)
    eng = en.Engine()
    layers = (C(out_channels=2, kernel_size=3),)
    for i, t in enumerate((1_600_000_000, 1_600_000_002, 1_600_000_001)):
        arr = rng.integers(0, 256, (12, 14, 3), dtype=np.uint8)
        write_bmp(path, arr, t * 10**9)
        p = Project(InputSpec(3, 12, 14, source), layers)
        res = eng.run(en.ComputeRequest(i, p, base_dir=base))
        np.testing.assert_allclose(res.input, arr.transpose(2, 0, 1) / np.float32(255), rtol=1e-6)
        assert_equals_oracle(res, p, arr.transpose(2, 0, 1) / np.float32(255))


def test_the_image_is_decoded_once(tmp_path, monkeypatch):
    from convviz import samples
    path = tmp_path / "x.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path)
    calls = []
    real = samples.decode_image
    monkeypatch.setattr(samples, "decode_image", lambda *a: calls.append(a) or real(*a))
    eng = en.Engine()
    p = Project(InputSpec(3, 8, 8, str(path)), (C(out_channels=1, kernel_size=3),))
    for gen, seed in enumerate((0, 1, 2)):
        assert eng.run(en.ComputeRequest(gen, Project(p.input, p.layers, seed))).error is None
    assert len(calls) == 1


def test_source_paths_resolve_one_way(tmp_path, monkeypatch):
    from convviz.samples import resolve_source, resources_dir
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_source("~/a.png", "/elsewhere") == tmp_path / "a.png"
    assert resolve_source("a.png", "~/proj") == tmp_path / "proj" / "a.png"
    assert resolve_source("/abs/a.png", "/elsewhere") == Path("/abs/a.png")
    assert resolve_source("a.png", None) == Path("a.png")
    assert resolve_source("sample:cat", "/x") == resources_dir() / "samples" / "cat.png"
    assert resolve_source("pattern:impulse", "/x") is None and resolve_source("sample:nope") is None


def test_caches_are_bounded_in_bytes_together():
    """Forty seed edits on big convolutions: modules and weights of old seeds are evicted once
    the caches' one byte budget is spent (a count-bounded module cache kept them all)."""
    layers = (C(out_channels=256, kernel_size=3), C(out_channels=256, kernel_size=3))
    eng = en.Engine(cache_bytes=8 << 20)  # the stack itself keeps ~2.4 MiB of weights
    for seed in range(40):
        res = eng.run(en.ComputeRequest(seed, Project(InputSpec(64, 6, 6, "pattern:gradient"), layers, seed)))
        assert res.error is None
    assert eng.held_bytes() <= 8 << 20
    kept = sum(p.numel() * 4 for i in (0, 1) for p in eng.module(i).parameters())
    assert eng.held_bytes() >= kept  # the current stack is always kept


def test_guard_refuses_before_the_image_is_decoded(tmp_path, monkeypatch):
    """The guard runs on the arithmetic and the image's header: a stack that does not fit is
    refused without the image being decoded (or the input allocated)."""
    from convviz import samples
    path = tmp_path / "x.png"
    Image.fromarray(np.zeros((40, 50, 3), np.uint8)).save(path)
    decoded = []
    monkeypatch.setattr(samples, "decode_image", lambda *a: decoded.append(a))
    monkeypatch.setenv("CONVVIZ_MEMORY_LIMIT", str(1 << 20))
    p = Project(InputSpec(3, 400, 500, str(path)), (C(out_channels=8, kernel_size=3),))
    res = en.Engine().run(en.ComputeRequest(1, p))
    assert res.error.startswith("Not computed: this stack needs about") and decoded == []


def test_guard_counts_the_decoding(tmp_path, monkeypatch):
    """A big picture decoded to a small input costs its decoded pixels: counted from the header."""
    path = tmp_path / "x.png"
    Image.new("RGB", (2000, 1500)).save(path)
    small = Project(InputSpec(3, 20, 20, str(path)), (C(out_channels=1, kernel_size=3),))
    req = en.ComputeRequest(1, small)
    need = en.Engine().estimate(req)
    assert need >= 2000 * 1500 * 4  # Pillow holds RGB four bytes a pixel
    monkeypatch.setenv("CONVVIZ_MEMORY_LIMIT", str(need - 1))
    assert en.Engine().run(req).error.startswith("Not computed:")
    monkeypatch.setenv("CONVVIZ_MEMORY_LIMIT", str(need + (1 << 20)))
    assert en.Engine().run(req).error is None


# --- chunks, cancelling, time ---------------------------------------------------------------

def valid_layer(kind):
    from strategies import STRATEGIES
    from convviz.validate import analyze
    return STRATEGIES[kind].filter(lambda case: analyze(case[1], [case[0]]).ok)


@settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(*(valid_layer(k) for k in ("Conv2d", "ConvTranspose2d", "DepthwiseSeparable", "MaxPool2d",
                                             "AvgPool2d", "AdaptiveAvgPool2d", "activation", "AdaptiveMaxPool2d",
                                             "Linear", "Dropout", "Flatten", "activation_any"))),
       st.integers(1, 1 << 12), st.sampled_from([1, 1, 50, 2000]))
def test_chunked_layers_equal_the_unchunked_torch_module(case, chunk_bytes, chunk_work):
    """Bands of output rows (convolutions: groups, dilation, strides, every padding_mode,
    'same', transposed convolutions with output_padding), groups of channels (pooling,
    activations, Dropout, on maps and vectors) and groups of output features (Linear) give what
    the whole torch module gives."""
    from convviz.validate import analyze
    spec, shape = case
    layer = analyze(shape, [spec]).layers[0]
    torch.manual_seed(0)
    m = build(spec, tuple(shape)).eval()
    x = torch.randn((1, *shape))
    with torch.no_grad():
        want = m(x)
        mid_want = m[0](x) if spec.type == "DepthwiseSeparable" else None
        got, mid = en.forward_layer(m, layer, x, chunk_bytes=chunk_bytes, chunk_work=chunk_work)
    if chunk_work == 1 and spec.type != "Flatten":  # one output row (channel, feature) a chunk; Flatten is a view
        assert all(c.step == 1 for c in en.chunk_plan(layer, chunk_bytes, chunk_work))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    if mid_want is not None:
        np.testing.assert_allclose(mid.numpy(), mid_want.numpy(), rtol=1e-5, atol=1e-5)


def test_a_chunked_engine_equals_the_oracle():
    p = load_preset("teaching")
    assert_equals_oracle(en.Engine(chunk_bytes=1 << 12, chunk_work=1).run(en.ComputeRequest(1, p)), p)


def test_cancel_within_a_layer():
    """A big layer checks ``cancelled()`` between its chunks: the compute stops inside it."""
    p = Project(InputSpec(3, 64, 64, "pattern:gradient"), (C(out_channels=8, kernel_size=3), LayerSpec.make("ReLU")))
    eng = en.Engine(chunk_work=8 * 27 * 62 * 4)  # four output rows a chunk: 16 chunks
    layer = p.analyze().layers[0]
    assert en.chunk_plan(layer, eng.chunk_bytes, eng.chunk_work)[0].count == 16
    asked, done = [], []
    with pytest.raises(en.Cancelled):
        eng.run(en.ComputeRequest(1, p), cancelled=lambda: asked.append(1) or len(asked) > 5,
                on_layer=lambda i, a: done.append(i))
    assert done == [] and len(asked) == 6  # stopped in layer 0, after 5 of its 16 chunks
    res = eng.run(en.ComputeRequest(2, p))
    assert res.reused == 0
    assert_equals_oracle(res, p)


def test_estimate_seconds_from_the_measured_rate():
    """Work is counted in multiply-accumulates (torch's FLOPs / 2 for convolutions), and the
    engine's measured rate turns it into seconds before running."""
    from torch.utils.flop_counter import FlopCounterMode
    p = Project(InputSpec(3, 32, 32, "pattern:gradient"),
                (C(out_channels=8, kernel_size=3, padding=1), LayerSpec.make("ConvTranspose2d", out_channels=4,
                                                                             kernel_size=3, stride=2),
                 LayerSpec.make("DepthwiseSeparable", out_channels=6, kernel_size=3)))
    info = p.analyze()
    x = torch.zeros((1, 3, 32, 32))
    fc = FlopCounterMode(display=False)
    with fc, torch.no_grad():
        for spec in p.layers:
            x = build(spec, x.shape[1])(x)
    macs = fc.get_total_flops() // 2
    assert en.estimate_seconds(info, 1e6) == pytest.approx(macs / 1e6)
    assert en.estimate_seconds(info, 1e6, start=1) < en.estimate_seconds(info, 1e6)
    eng = en.Engine()
    eng._note_rate(4_000_000_000, 2.0)
    assert eng.macs_per_second == 2e9
    eng._note_rate(1_000_000_000, 1.0)  # smoothed
    assert eng.macs_per_second == 1.5e9
    eng._note_rate(10, 0.001)  # too short to measure
    assert eng.macs_per_second == 1.5e9
    res = eng.run(en.ComputeRequest(1, p))
    assert res.macs_per_second == eng.macs_per_second


def test_effective_rf_can_be_cancelled_and_reuses_the_input():
    p = load_preset("teaching")
    asked = []
    with pytest.raises(en.Cancelled):
        en.effective_rf(p, 5, 3, 3, cancelled=lambda: asked.append(1) or len(asked) > 4)
    assert len(asked) == 5
    arr = load_input(p.input.source, *p.input.shape)
    np.testing.assert_allclose(en.effective_rf(p, 2, 4, 4, input=arr), en.effective_rf(p, 2, 4, 4), rtol=1e-6)
    with pytest.raises(ValueError, match="the effective receptive field of layer 2 needs about"):
        en.effective_rf(p, 2, 4, 4, budget=1 << 16)


# --- memory failures, GPUs ------------------------------------------------------------------

def test_out_of_memory_releases_the_caches_and_says_so(monkeypatch):
    """An allocation failure (torch.cuda.OutOfMemoryError on a GPU) empties the caches and the
    GPU's cached blocks and gives a sentence; the next edit computes normally."""
    p = load_preset("teaching")
    eng = en.Engine()
    assert eng.run(en.ComputeRequest(1, p)).error is None
    emptied = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(1))
    real = en.forward_layer

    def failing(m, layer, *a, **k):
        if layer.index == 2:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real(m, layer, *a, **k)
    monkeypatch.setattr(en, "forward_layer", failing)
    q = Project(p.input, p.layers, p.seed + 1, p.kernels)  # a new seed: every layer computed again
    res = eng.run(en.ComputeRequest(2, q))
    assert res.error.startswith("Not computed: layer 2 (") and "ran out of CPU memory" in res.error
    assert res.error_layer == 2
    assert "released its caches" in res.error
    assert eng.held_bytes() == 0 and emptied == [1]
    monkeypatch.setattr(en, "forward_layer", real)
    monkeypatch.undo()
    assert_equals_oracle(eng.run(en.ComputeRequest(3, q)), q)


def test_cpu_allocator_failure_is_out_of_memory():
    assert en.is_out_of_memory(RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 9 GB"))
    assert en.is_out_of_memory(MemoryError())
    assert not en.is_out_of_memory(RuntimeError("Given groups=1, weight of size [4, 3, 3, 3]"))


def test_tf32_is_off():
    """TF32 would put torch's maps ~1e-3 from the stepper's exact sums on recent GPUs."""
    assert torch.backends.cuda.matmul.allow_tf32 is False
    assert torch.backends.cudnn.allow_tf32 is False


def test_gpu_memory_is_guarded(monkeypatch):
    p = Project(InputSpec(16, 512, 512, "pattern:gradient"), (C(out_channels=64, kernel_size=3),))
    need = en.estimate_bytes(p.analyze())
    eng = en.Engine()
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (need // 2, 8 << 30))
    msg = eng.gpu_memory_problem(p.analyze(), "cuda:0")
    assert msg.startswith("this stack needs about") and "of GPU memory" in msg and "compute on the CPU" in msg
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (2 * need, 8 << 30))
    assert eng.gpu_memory_problem(p.analyze(), "cuda:0") is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["Conv2d", "DepthwiseSeparable", "Linear"]), n=st.integers(1, 12),
       extra=st.integers(1, 4), seed=st.integers(0, 2**31), index=st.integers(0, 5))
def test_adding_a_kernel_keeps_the_other_kernels_weights_and_biases(kind, n, extra, seed, index):
    """Issue 12: more out_channels (or out_features) leave every existing kernel's weights AND
    bias as they were, so its map does not change (torch alone would redraw every bias)."""
    from convviz.spec import LayerSpec
    if kind == "Linear":
        a, b = LayerSpec("Linear", {"out_features": n}), LayerSpec("Linear", {"out_features": n + extra})
        c_in = 7
    else:
        a = LayerSpec(kind, {"out_channels": n, "kernel_size": 3})
        b = LayerSpec(kind, {"out_channels": n + extra, "kernel_size": 3})
        c_in = 3
    small = dict(en.make_layer(a, c_in, seed, index).named_parameters())
    big = dict(en.make_layer(b, c_in, seed, index).named_parameters())
    assert small.keys() == big.keys()
    for name, p in small.items():
        q = big[name]
        if kind == "DepthwiseSeparable" and name.startswith("0."):
            torch.testing.assert_close(q, p, rtol=0, atol=0)  # the depthwise part has no out_channels
        else:
            torch.testing.assert_close(q[:n], p, rtol=0, atol=0)
