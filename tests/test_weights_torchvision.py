"""torchvision's own networks through convviz (issue 15): VGG-11 and AlexNet built by torchvision
with seeded random weights, their state_dicts saved as .pth and .safetensors, the architecture
imported and the weights loaded through convviz, and every layer convviz's engine computes
compared with torchvision's forward (a hook on each module).  Refusals: wrong shape, missing
key, extra key, a malicious pickle; each a sentence, nothing loaded.  No network."""
from __future__ import annotations

import os

import numpy as np
import pytest

from convviz import zoo
from convviz.weights import WeightsError, load_weights

pytestmark = pytest.mark.skipif(zoo.torchvision_problem() is not None,
                                reason=zoo.torchvision_problem() or "torchvision is usable")

torch = pytest.importorskip("torch")


def _engine_outputs(project, weights, x):
    """Every layer's output as convviz's engine computes it (the maps the app draws), flattened."""
    from convviz.engine import ComputeRequest, Engine
    result = Engine().run(ComputeRequest(1, project, input_override=x, weights=weights, threads=2))
    assert result.error is None, result.error
    return [np.asarray(o).ravel() for o in result.outputs]


def _torchvision_outputs(model, x):
    """torchvision's forward of ``x`` with each leaf module's output copied by a hook, in call
    order; torch.flatten (a function in forward, not a module) is recorded after the avgpool."""
    seen = []
    hooks = []
    for name, m in model.named_modules():
        if not list(m.children()):
            hooks.append(m.register_forward_hook(lambda mod, i, o, name=name: seen.append((name, o.detach().clone()))))
    with torch.no_grad():
        logits = model(torch.as_tensor(x)[None])
    for h in hooks:
        h.remove()
    out = []
    for name, t in seen:
        out.append((name, t.ravel().numpy()))
        if name == "avgpool":
            out.append(("flatten", torch.flatten(t, 1).ravel().numpy()))
    return out, logits[0].numpy()


@pytest.fixture(scope="module")
def tv():
    return zoo.load_torchvision()


def _seeded(tv, name, seed):
    torch.manual_seed(seed)
    model = tv.models.get_model(name).eval()
    with torch.no_grad():  # BatchNorm's running statistics are not 0 and 1 in a trained network
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.normal_(1, 0.2)
                m.bias.normal_(0, 0.2)
    return model


@pytest.fixture(scope="module")
def saved(tv, tmp_path_factory):
    """{name: (model, .pth path, .safetensors path)} for VGG-11 and AlexNet, seeded."""
    from safetensors.torch import save_file
    d = tmp_path_factory.mktemp("tv")
    out = {}
    for name, seed in (("vgg11", 11), ("alexnet", 12)):
        model = _seeded(tv, name, seed)
        pth, st = d / f"{name}.pth", d / f"{name}.safetensors"
        torch.save(model.state_dict(), pth)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(st))
        out[name] = (model, str(pth), str(st))
    return out


@pytest.mark.parametrize("name,suffix", [("vgg11", "pth"), ("alexnet", "safetensors")])
def test_every_layer_equals_torchvision(saved, name, suffix):
    """Imported architecture + loaded state_dict: each of convviz's layers equals the output of
    the torchvision module it came from (at 64x64: AdaptiveAvgPool2d(7) makes both networks
    accept it), and the logits are torchvision's."""
    from dataclasses import replace
    model, pth, st = saved[name]
    project = zoo.import_architecture(name)
    project = replace(project, input=replace(project.input, height=64, width=64))
    loaded = load_weights(pth if suffix == "pth" else st, project, strict=True)
    assert loaded.problems == ()
    holders = [i for i, s in enumerate(project.layers) if s.type in ("Conv2d", "Linear", "BatchNorm2d")]
    assert loaded.loaded == tuple(holders)
    x = np.random.default_rng(5).normal(size=(3, 64, 64)).astype(np.float32)
    ours = _engine_outputs(project, loaded.weights, x)
    theirs, logits = _torchvision_outputs(model, x)
    assert len(ours) == len(theirs) == len(project.layers)
    for i, (a, (where, b)) in enumerate(zip(ours, theirs)):
        assert a.shape == b.shape, (i, where)
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(b).max())),
                                   err_msg=f"layer {i} ({project.layers[i].type}) vs torchvision's {where}")
    np.testing.assert_allclose(ours[-1], logits, rtol=1e-4, atol=1e-5)


def test_vgg11_at_224_on_the_astronaut_gives_torchvisions_logits(tv, saved):
    """The imported project as it is (224x224, resize 256, centre crop, ImageNet normalisation)
    with the saved weights gives the logits of torchvision's model on torchvision's own
    preprocessing of the same picture."""
    from PIL import Image

    from convviz.samples import resources_dir
    model, pth, _ = saved["vgg11"]
    project = zoo.import_architecture("vgg11")
    assert (project.input.height, project.input.width, project.input.resize) == (224, 224, 256)
    assert project.labels == "imagenet1k"
    loaded = load_weights(pth, project, strict=True)
    assert loaded.problems == ()
    from convviz.engine import ComputeRequest, Engine
    result = Engine().run(ComputeRequest(1, project, weights=loaded.weights, threads=2))
    assert result.error is None
    transform = tv.models.get_model_weights("vgg11").DEFAULT.transforms()
    image = Image.open(resources_dir() / "samples" / "astronaut.png").convert("RGB")
    x = transform(image)
    np.testing.assert_allclose(np.asarray(result.input).reshape(3, 224, 224), x.numpy(), atol=1e-6)
    with torch.no_grad():
        want = model(x[None])[0].numpy()
    np.testing.assert_allclose(np.asarray(result.outputs[-1]).ravel(), want, rtol=1e-4, atol=1e-4)
    assert [i for i, _ in zoo.top_k(result.outputs[-1])] == torch.topk(torch.as_tensor(want), 5).indices.tolist()


def test_another_networks_weights_are_refused_whole(saved):
    """AlexNet's state_dict on VGG-11: strict loading names a layer, the file's key and both
    shapes, and loads nothing."""
    project = zoo.import_architecture("vgg11")
    got = load_weights(saved["alexnet"][1], project, strict=True)
    assert got.weights == {} and got.loaded == ()
    assert any("layer 0 (Conv2d)" in p and "features.0.weight" in p and "64x3x11x11" in p and "64x3x3x3" in p
               for p in got.problems), got.problems


# --- refusals on a small torchvision-style network (features / avgpool / classifier) ---------------

class Small(torch.nn.Module):
    """A chain with torchvision's layout and key names, small enough to save many times."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(2), nn.Conv2d(4, 6, 3), nn.ReLU(inplace=True))
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(24, 5), nn.ReLU(True), nn.Linear(5, 3))

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


@pytest.fixture
def small():
    from convviz.project import InputSpec, Project
    torch.manual_seed(3)
    model = Small().eval()
    with torch.no_grad():
        bn = model.features[1]
        bn.running_mean.normal_(0, 0.5), bn.running_var.uniform_(0.5, 2.0), bn.weight.normal_(1, 0.2)
    project = Project(InputSpec(3, 12, 12, "pattern:gradient"), tuple(zoo.from_module(model)))
    assert project.analyze().ok
    return model, project


def _refused(got, *words):
    assert got.weights == {} and got.loaded == (), "strict loading must load nothing"
    assert got.problems, "a refusal names its reason"
    text = " ".join(got.problems)
    for w in words:
        assert w in text, (w, got.problems)
    for p in got.problems:
        assert "\n" not in p and "Traceback" not in p


def test_small_state_dict_loads_and_equals_the_module(small, tmp_path):
    model, project = small
    path = tmp_path / "small.pth"
    torch.save(model.state_dict(), path)
    got = load_weights(path, project, strict=True)
    assert got.problems == ()
    x = np.random.default_rng(0).normal(size=(3, 12, 12)).astype(np.float32)
    ours = _engine_outputs(project, got.weights, x)
    with torch.no_grad():
        want = model(torch.as_tensor(x)[None])[0].numpy()
    np.testing.assert_allclose(ours[-1], want, rtol=1e-5, atol=1e-6)


def test_wrong_shape_is_refused_naming_layer_key_and_shapes(small, tmp_path):
    model, project = small
    sd = model.state_dict()
    sd["classifier.1.weight"] = torch.zeros(5, 25)
    torch.save(sd, tmp_path / "w.pth")
    _refused(load_weights(tmp_path / "w.pth", project, strict=True), "classifier.1.weight", "5x25", "5x24",
             "(Linear)")


def test_missing_key_is_refused(small, tmp_path):
    model, project = small
    sd = model.state_dict()
    del sd["features.1.running_var"]
    torch.save(sd, tmp_path / "m.pth")
    _refused(load_weights(tmp_path / "m.pth", project, strict=True), "running_var", "layer 1 (BatchNorm2d)")


def test_missing_module_is_refused(small, tmp_path):
    model, project = small
    sd = {k: v for k, v in model.state_dict().items() if not k.startswith("classifier.3.")}
    torch.save(sd, tmp_path / "m.pth")
    _refused(load_weights(tmp_path / "m.pth", project, strict=True), "(Linear)")


def test_extra_key_is_refused(small, tmp_path):
    from safetensors.torch import save_file
    model, project = small
    sd = dict(model.state_dict())
    sd["classifier.5.weight"] = torch.ones(2, 3)
    save_file({k: v.contiguous() for k, v in sd.items()}, str(tmp_path / "e.safetensors"))
    _refused(load_weights(tmp_path / "e.safetensors", project, strict=True), "classifier.5.weight", "2x3")


class Evil:
    """Unpickling this runs os.mkdir(marker): what a malicious checkpoint could do."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_a_malicious_pickle_runs_nothing_and_is_refused(small, tmp_path):
    model, project = small
    marker = tmp_path / "pwned"
    sd = dict(model.state_dict())
    sd["features.0.weight"] = Evil(str(marker))
    torch.save(sd, tmp_path / "evil.pth")
    with pytest.raises(WeightsError) as e:
        load_weights(tmp_path / "evil.pth", project, strict=True)
    assert "Python objects" in str(e.value)
    assert not marker.exists()


def test_non_strict_keeps_what_fits_and_says_the_rest(small, tmp_path):
    model, project = small
    sd = model.state_dict()
    sd["classifier.3.weight"] = torch.zeros(3, 4)
    torch.save(sd, tmp_path / "p.pth")
    got = load_weights(tmp_path / "p.pth", project)
    linear = len(project.layers) - 1
    assert linear not in got.loaded and 0 in got.loaded
    assert any("classifier.3.weight" in p and "3x4" in p and "3x5" in p for p in got.problems)


def test_a_wrapped_state_dict_loads(small, tmp_path):
    """DataParallel's ``module.`` before torchvision's names (the top-level name would else be
    "module" for every key, and sorting would put the classifier first)."""
    from safetensors.torch import save_file
    model, project = small
    save_file({f"module.{k}": v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "dp.safetensors"))
    got = load_weights(tmp_path / "dp.safetensors", project, strict=True)
    assert got.problems == ()
    np.testing.assert_array_equal(got.weights[0]["weight"], model.state_dict()["features.0.weight"].numpy())


def test_safetensors_order_is_recovered(small, tmp_path):
    """A safetensors file keeps no order (it sorts its keys); modules are aligned in natural
    order (features.10 after features.2) and with the top-level names in the order that fits."""
    from safetensors.torch import save_file
    model, project = small
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "s.safetensors"))
    got = load_weights(tmp_path / "s.safetensors", project, strict=True)
    assert got.problems == ()
    for i, name in ((0, "features.0"), (len(project.layers) - 1, "classifier.3")):
        np.testing.assert_array_equal(got.weights[i]["weight"], model.state_dict()[f"{name}.weight"].numpy())


_PEAK_SCRIPT = r"""
import gc, json, sys
import numpy as np
from convviz.engine import ComputeRequest, Engine
from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec
p = Project(InputSpec(3, 100, 100, "pattern:gradient"),
            (LayerSpec.make("Flatten"), LayerSpec.make("Linear", out_features=1000)))
rng = np.random.default_rng(0)
w = {1: {"weight": rng.normal(size=(1000, 30000)).astype(np.float32), "bias": np.zeros(1000, np.float32)}}
for a in w[1].values():
    a.setflags(write=False)
e = Engine()
req = ComputeRequest(1, p, weights=w, threads=1)
estimate = e.estimate(req)
gc.collect()
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
open("/proc/self/clear_refs", "w").write("5")  # restart the high-water mark here
base = status("VmRSS")
r = e.run(req)
assert r.error is None, r.error
print(json.dumps({"estimate": estimate, "peak": status("VmHWM") - base}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="Linux's /proc measures the peak here")
def test_loaded_weights_cost_what_the_memory_guard_counts():
    """A layer with loaded weights holds one copy of them: the compute's peak (a 120 MB Linear
    weight the caller already holds) stays near the guard's estimate; two copies at once (the
    old torch.tensor(np.array(v))) peaked at twice the weight."""
    import json
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        open("/proc/self/clear_refs", "w").write("5")
    except OSError:
        pytest.skip("this system does not let a process reset its peak memory")
    r = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT], capture_output=True, text=True, cwd=root, timeout=120)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["estimate"] >= 120_000_000
    assert got["peak"] <= 1.15 * got["estimate"], got
