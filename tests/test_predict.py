"""What the training views draw (convviz/predict.py), with torch as the oracle on generated small
stacks: the kernel mosaic shows, for every output channel and input channel, the kernel torch
applies between them (Conv2d, grouped, ConvTranspose2d, grouped transposed), and Grad-CAM is
the one computed independently here with forward and tensor hooks."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings, strategies as st

from convviz.datasets import Dataset
from convviz.predict import cell_at, grad_cam, kernel_mosaic, last_conv, transposed_layers
from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec
from convviz.training import TrainConfig, Trainer, build_model


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def read_block(mosaic, layer):
    """The kernels read back out of the mosaic's block for ``layer``: (rows, cols, kh, kw)."""
    b = next(b for b in mosaic.blocks if b.layer == layer)
    out = np.empty((b.rows, b.cols, b.kh, b.kw), np.float32)
    for r in range(b.rows):
        for c in range(b.cols):
            y, x = b.origin(r, c)
            out[r, c] = mosaic.image[y:y + b.kh, x:x + b.kw]
            assert cell_at(mosaic, y + 0.5, x + 0.5) == (layer, r, c)
    return out


def torch_kernels(module) -> np.ndarray:
    """(out, in/groups, kh, kw): what links input channel g*in/groups + c to output channel o,
    asked of torch itself.  Conv2d: the response of output o to a one-pixel impulse at (y, x) of
    that input channel is the weight multiplying it.  ConvTranspose2d: an impulse on that input
    channel paints the kernel into output o."""
    with torch.no_grad():
        w, g = module.weight, module.groups
        kh, kw = w.shape[2:]
        cin = module.in_channels
        out_n = module.out_channels
        res = np.zeros((out_n, cin // g, kh, kw), np.float32)
        for ch in range(cin):
            gi, c = divmod(ch, cin // g)
            outs = range(gi * (out_n // g), (gi + 1) * (out_n // g))
            if isinstance(module, torch.nn.ConvTranspose2d):
                x = torch.zeros(1, cin, 1, 1)
                x[0, ch] = 1
                y = F.conv_transpose2d(x, w, None, groups=g)[0]  # (out, kh, kw)
                for o in outs:
                    res[o, c] = y[o].numpy()
            else:
                x = torch.zeros(kh * kw, cin, kh, kw)
                for p in range(kh * kw):
                    x[p, ch, p // kw, p % kw] = 1
                y = F.conv2d(x, w, None, groups=g)[:, :, 0, 0]  # (kh*kw, out)
                for o in outs:
                    res[o, c] = y[:, o].reshape(kh, kw).numpy()
    return res


@st.composite
def conv_stacks(draw):
    """Up to three convolutions, each Conv2d or ConvTranspose2d, grouped or not."""
    c = draw(st.integers(1, 4))
    layers = []
    cin = c
    for _ in range(draw(st.integers(1, 3))):
        g = draw(st.sampled_from([1, 1, 2, 3]))
        cin_g = cin if cin % g == 0 else None
        if cin_g is None:
            g = 1
        out = g * draw(st.integers(1, 3))
        kind = draw(st.sampled_from(["Conv2d", "ConvTranspose2d"]))
        k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
        layers.append(LayerSpec.make(kind, out_channels=out, kernel_size=list(k), groups=g,
                                     **({"padding": 1} if kind == "Conv2d" else {})))
        cin = out
    return Project(InputSpec(c, 6, 6, "pattern:gradient"), tuple(layers), draw(st.integers(0, 99)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conv_stacks())
def test_the_mosaic_shows_the_kernel_torch_applies_between_each_pair_of_channels(project):
    assert all(l.ok for l in project.analyze().layers), project
    model = build_model(project)  # the engine's seeded initial weights
    weights = {i: tuple(p.detach().numpy() for p in m.parameters()) for i, m in enumerate(model)}
    m = kernel_mosaic(weights, transposed=transposed_layers(project))
    assert [b.layer for b in m.blocks] == list(range(len(project.layers)))
    for i, module in enumerate(model):
        np.testing.assert_array_equal(read_block(m, i), torch_kernels(module))
        b = m.blocks[i]
        assert (b.kernels, b.inputs) == (module.out_channels, module.in_channels // module.groups)
    # the change since a baseline is laid out the same way
    base = {i: tuple(np.zeros_like(a) for a in ws) for i, ws in weights.items()}
    d = kernel_mosaic(weights, base, transposed=transposed_layers(project))
    np.testing.assert_array_equal(d.image, m.image)


def _dataset(shape, classes, n, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (n,) + shape, dtype=np.uint8)
    y = rng.integers(0, classes, n).astype(np.int64)
    for a in (x, y):
        a.setflags(write=False)
    return Dataset("random", tuple(f"c{k}" for k in range(classes)), x[:n // 2], y[:n // 2], x[n // 2:], y[n // 2:],
                   "generated in the test")


def hooked_grad_cam(model, layer, x):
    """Grad-CAM written from the paper with hooks: the layer's output and its gradient caught
    on the way, alpha = the gradient's spatial mean, ReLU of the weighted sum, resized."""
    caught = {}

    def keep(_m, _inp, out):
        caught["a"] = out
        out.register_hook(lambda g: caught.__setitem__("g", g))
    h = model[layer].register_forward_hook(keep)
    try:
        model.eval()
        logits = model(x).flatten(1)[0]
        k = int(logits.argmax())
        model.zero_grad()
        logits[k].backward()
    finally:
        h.remove()
    a, g = caught["a"].detach()[0], caught["g"][0]
    cam = F.relu((g.mean((1, 2))[:, None, None] * a).sum(0))
    big = F.interpolate(cam[None, None], size=x.shape[2:], mode="bilinear", align_corners=False)[0, 0]
    return k, cam.numpy(), big.numpy()


@st.composite
def classifiers(draw):
    """A small classifier: convolutions (and ReLU, pooling, BatchNorm, Dropout) then a head."""
    c = draw(st.integers(1, 3))
    h = draw(st.integers(6, 10))
    w = draw(st.integers(6, 10))
    k = draw(st.integers(2, 5))
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        layers.append(LayerSpec.make("Conv2d", out_channels=draw(st.integers(1, 5)),
                                     kernel_size=draw(st.integers(1, 3)), padding=1))
        extra = draw(st.sampled_from(["ReLU", "BatchNorm2d", "Dropout", None]))
        if extra:
            layers.append(LayerSpec.make(extra))
    if draw(st.booleans()):
        layers.append(LayerSpec.make("MaxPool2d", kernel_size=2))
    layers += [LayerSpec.make("Flatten"), LayerSpec.make("Linear", out_features=k)]
    return Project(InputSpec(c, h, w, "pattern:gradient"), tuple(layers), draw(st.integers(0, 99))), k, \
        draw(st.integers(0, 3))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classifiers())
def test_grad_cam_is_the_papers_computed_with_hooks(case):
    project, k, steps = case
    ds = _dataset(tuple(project.input.shape), k, 16, project.seed)
    trainer = Trainer(project, ds, TrainConfig(data="digits", batch_size=4, lr=0.01, epochs=3), watch=1)
    trainer.resume()
    trainer.step(steps)
    got = grad_cam(trainer)
    layer = last_conv(project)
    assert got is not None and got.layer == layer == max(i for i, s in enumerate(project.layers) if s.type == "Conv2d")
    assert trainer.model.training  # put back as it was
    oracle = build_model(project, trainer.state())  # a fresh model with the weights, not the trainer's
    x = torch.tensor(np.array(ds.test_x[1:2], np.float32) / 255)
    kk, low, big = hooked_grad_cam(oracle, layer, x)
    assert got.predicted == kk and got.step == steps and got.watched == 1
    np.testing.assert_allclose(got.low, low, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got.map, big, rtol=1e-4, atol=1e-6)
    assert got.map.shape == tuple(project.input.shape[1:]) and got.map.min() >= 0
    np.testing.assert_allclose(got.image, x[0].numpy())
    # an image of one's own (the drawing)
    img = np.random.default_rng(1).random(project.input.shape).astype(np.float32)
    mine = grad_cam(trainer, img)
    _, low2, big2 = hooked_grad_cam(oracle, layer, torch.tensor(img)[None])
    assert mine.watched == -1
    np.testing.assert_allclose(mine.map, big2, rtol=1e-4, atol=1e-6)


def test_no_convolution_with_a_map_no_grad_cam():
    project = Project(InputSpec(1, 4, 4, "pattern:gradient"),
                      (LayerSpec.make("Flatten"), LayerSpec.make("Linear", out_features=2)), 0)
    trainer = Trainer(project, _dataset((1, 4, 4), 2, 8, 0), TrainConfig(data="digits", batch_size=4))
    assert last_conv(project) is None and grad_cam(trainer) is None
    # a convolution to 1 x 1 maps says nothing of where: the one before it is Grad-CAM's
    convs = Project(InputSpec(1, 6, 6, "pattern:gradient"),
                    (LayerSpec.make("Conv2d", out_channels=3, kernel_size=3), LayerSpec.make("ReLU"),
                     LayerSpec.make("Conv2d", out_channels=2, kernel_size=4), LayerSpec.make("Flatten")), 0)
    assert last_conv(convs) == 0
