"""convviz.zoo (issue 15): torchvision's architectures listed, chains imported and the others
refused with their sentence; any chain of torch.nn modules converted (generated chains equal the
module, torch as the oracle); the ImageNet preprocessing equal to torchvision's transforms; the
official checkpoint's facts, a download from a local server (no internet); class names and top-k;
ONNX export run in onnxruntime; the import / predict / export commands end to end."""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convviz import zoo
from convviz.project import InputSpec, Project, ProjectError, loads
from convviz.samples import InputError, load_input, resources_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_torchvision = pytest.mark.skipif(zoo.torchvision_problem() is not None,
                                       reason=zoo.torchvision_problem() or "torchvision is usable")
torch = pytest.importorskip("torch")
nn = torch.nn


# --- architectures -------------------------------------------------------------------------------

@needs_torchvision
def test_every_torchvision_classifier_is_listed_chains_and_refusals():
    tv = zoo.load_torchvision()
    archs = zoo.architectures()
    assert [a.name for a in archs] == sorted(tv.models.list_models(module=tv.models))
    chains = {a.name for a in archs if a.chain}
    assert chains == {"alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"}
    for a in archs:
        assert a.chain == (a.reason == ""), a
        assert "\n" not in a.reason
        assert a.title and a.weights.startswith("IMAGENET1K"), a
    vgg16 = next(a for a in archs if a.name == "vgg16")
    assert (vgg16.title, vgg16.parameters, vgg16.weights) == ("VGG-16", 138_357_544, "IMAGENET1K_V1")


@needs_torchvision
@pytest.mark.parametrize("name,words", [
    ("resnet18", ("ResNet-18", "skip connections")),
    ("densenet121", ("DenseNet-121", "concatenates")),
    ("googlenet", ("GoogLeNet", "parallel branches")),
    ("mobilenet_v2", ("MobileNet v2", "residual")),
    ("squeezenet1_0", ("SqueezeNet", "concatenates")),
    ("vit_b_16", ("ViT-B/16", "self-attention")),
])
def test_refused_architectures_say_why(name, words):
    with pytest.raises(zoo.ZooError) as e:
        zoo.import_architecture(name)
    text = str(e.value)
    for w in words:
        assert w in text
    assert "plain chain" in text and "\n" not in text


@needs_torchvision
def test_unknown_name_is_a_sentence():
    with pytest.raises(zoo.ZooError, match="no classification model named"):
        zoo.import_architecture("vgg17")


@needs_torchvision
def test_imported_vgg16_is_the_whole_network_with_imagenet_preprocessing():
    p = zoo.import_architecture("vgg16")
    info = p.analyze()
    assert info.ok and info.total_params == 138_357_544
    assert [s.type for s in p.layers].count("Conv2d") == 13 and [s.type for s in p.layers].count("Linear") == 3
    assert p.layers[31].type == "AdaptiveAvgPool2d" and p.layers[32].type == "Flatten"
    assert info.layers[-1].out_shape == (1000,)
    assert p.input == InputSpec(3, 224, 224, "sample:astronaut", fit="crop", resize=256,
                                mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
    assert p.labels == "imagenet1k" and p.title == "VGG-16 (torchvision)"
    assert loads(json.dumps(p.to_dict())) == p  # saved and read back unchanged


# --- any chain of modules ------------------------------------------------------------------------

@st.composite
def chains(draw):
    """A random nn.Sequential chain (seeded weights) and the input shape it reads."""
    c = c_in = draw(st.integers(1, 4))
    h, w = draw(st.integers(6, 14)), draw(st.integers(6, 14))
    torch.manual_seed(draw(st.integers(0, 1000)))
    layers = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["conv", "bn", "relu", "leaky", "tanh", "maxpool", "avgpool", "dropout", "gelu"]))
        if kind == "conv":
            k = draw(st.integers(1, 3))
            out = draw(st.integers(1, 5))
            groups = draw(st.sampled_from([g for g in (1, 2) if c % g == 0 and out % g == 0]))
            layers.append(nn.Conv2d(c, out, (k, draw(st.integers(1, 3))), stride=draw(st.integers(1, 2)),
                                    padding=draw(st.integers(0, 1)), dilation=draw(st.integers(1, 2)), groups=groups,
                                    bias=draw(st.booleans()),
                                    padding_mode=draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))))
            c = out
        elif kind == "bn":
            bn = nn.BatchNorm2d(c, eps=draw(st.sampled_from([1e-5, 1e-3])))
            with torch.no_grad():
                bn.running_mean.normal_(), bn.running_var.uniform_(0.5, 2), bn.weight.normal_(), bn.bias.normal_()
            layers.append(bn)
        elif kind == "relu":
            layers.append(nn.ReLU(inplace=draw(st.booleans())))
        elif kind == "leaky":
            layers.append(nn.LeakyReLU(draw(st.sampled_from([0.01, 0.2]))))
        elif kind == "tanh":
            layers.append(nn.Tanh())
        elif kind == "gelu":
            layers.append(nn.GELU(approximate=draw(st.sampled_from(["none", "tanh"]))))
        elif kind == "maxpool":
            layers.append(nn.MaxPool2d(2, ceil_mode=draw(st.booleans())))
        elif kind == "avgpool":
            layers.append(nn.AvgPool2d(2, stride=1, count_include_pad=draw(st.booleans())))
        else:
            layers.append(nn.Dropout(draw(st.sampled_from([0.1, 0.5]))))
    if draw(st.booleans()):  # a classifier head, as torchvision's chains end
        layers += [nn.AdaptiveAvgPool2d(draw(st.integers(1, 3))), nn.Flatten(), nn.Linear(1, 1)]
        fo = draw(st.integers(1, 6))
        size = layers[-3].output_size
        layers[-1] = nn.Linear(c * size * size, fo, bias=draw(st.booleans()))
    return nn.Sequential(*layers).eval(), (c_in, h, w)


@needs_torchvision
@settings(max_examples=int(os.environ.get("ZOO_EXAMPLES", 25)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_generated_chains_equal_the_module(data):
    from convviz.engine import ComputeRequest, Engine
    model, (c, h, w) = data.draw(chains())
    specs = zoo.from_module(model)
    project = Project(InputSpec(c, h, w, "pattern:gradient"), tuple(specs))
    info = project.analyze()
    x = torch.randn(1, c, h, w)
    try:
        with torch.no_grad():
            want = [x]
            for m in model:
                want.append(m(want[-1].clone()))
    except RuntimeError:  # torch refuses the chain (too small for a pool or a kernel): so must convviz
        assert not info.ok
        return
    assert info.ok, info.first_error.error
    weights = {i: {k: v.numpy() for k, v in m.state_dict().items()} for i, m in enumerate(model) if m.state_dict()}
    result = Engine().run(ComputeRequest(1, project, input_override=x[0].numpy(), weights=weights))
    assert result.error is None, result.error
    for i, (ours, theirs) in enumerate(zip(result.outputs, want[1:])):
        np.testing.assert_allclose(np.asarray(ours).ravel(), theirs.ravel().numpy(), rtol=1e-5, atol=1e-5,
                                   err_msg=f"layer {i}: {specs[i]}")


@needs_torchvision
def test_a_forward_that_is_not_a_chain_is_refused():
    class Skip(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 3, 3, padding=1)

        def forward(self, x):
            return x + self.conv(x)

    with pytest.raises(zoo.ZooError, match="adds an earlier result"):
        zoo.from_module(Skip())
    with pytest.raises(zoo.ZooError, match="Upsample is a layer convviz cannot express"):
        zoo.from_module(nn.Sequential(nn.Conv2d(3, 3, 3), nn.Upsample(scale_factor=2)))


@needs_torchvision
def test_flatten_in_forward_and_identity():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Identity(), nn.ReLU())
            self.fc = nn.Linear(2 * 4 * 4, 3)

        def forward(self, x):
            return self.fc(torch.flatten(self.features(x), 1))

    specs = zoo.from_module(Net())
    assert [s.type for s in specs] == ["Conv2d", "ReLU", "Flatten", "Linear"]
    assert specs[2].get("start_dim") == 1 and specs[3].get("in_features") == 32


# --- preprocessing -------------------------------------------------------------------------------

@needs_torchvision
@pytest.mark.parametrize("sample,resize,crop", [
    ("astronaut", 256, 224),  # VGG's: 256x256 already, a crop
    ("coffee", 256, 224),  # 256x171: enlarged to 383x256, cropped at a half pixel
    ("cat", 232, 224),  # RegNet's resize
    ("astronaut", 128, 112),  # shrunk (Pillow's bilinear antialiases)
    ("coffee", 200, 150),  # crop offset (299 - 150) / 2 = 74.5 rounds to even
    ("horse", 100, 120),  # the crop is larger than the image: padded with zeros
])
def test_preprocessing_equals_torchvisions_transforms(sample, resize, crop):
    from PIL import Image
    tv = zoo.load_torchvision()
    T = tv.transforms
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    t = T.Compose([T.Resize(resize), T.CenterCrop(crop), T.ToTensor(), T.Normalize(mean, std)])
    image = Image.open(resources_dir() / "samples" / f"{sample}.png").convert("RGB")
    want = t(image).numpy()
    got = load_input(f"sample:{sample}", 3, crop, crop, fit="crop", resize=resize, mean=mean, std=std)
    np.testing.assert_allclose(got, want, atol=1e-5)


@needs_torchvision
@pytest.mark.parametrize("fit", ["stretch", "pad"])
def test_resize_then_stretch_or_pad(fit):
    """Resize first, then the other fits: torchvision's Resize(r) and then a resize to the
    input's size (pad: to the inner size, centred on zeros), up to Pillow's 8-bit rounding."""
    from PIL import Image
    T = zoo.load_torchvision().transforms
    image = Image.open(resources_dir() / "samples" / "coffee.png").convert("RGB")  # 256x171
    first = T.Resize(128)(image)  # 191x128
    if fit == "stretch":
        want = T.ToTensor()(T.Resize((60, 50))(first)).numpy()
    else:  # 191x128 into 60x50: 50 wide, 34 high (50 * 128 / 191 = 33.5), rows 13..46
        want = np.zeros((3, 60, 50), np.float32)
        want[:, 13:47] = T.ToTensor()(T.Resize((34, 50))(first)).numpy()
    got = load_input("sample:coffee", 3, 60, 50, fit=fit, resize=128)
    np.testing.assert_allclose(got, want, atol=2.5 / 255)


@needs_torchvision
def test_vgg16_weights_transforms_on_the_astronaut():
    from PIL import Image
    t = zoo.load_torchvision().models.get_model_weights("vgg16").DEFAULT.transforms()
    image = Image.open(resources_dir() / "samples" / "astronaut.png").convert("RGB")
    inp = zoo.import_architecture("vgg16").input
    from convviz.samples import input_array
    np.testing.assert_allclose(input_array(inp), t(image).numpy(), atol=1e-5)


def test_normalisation_without_resize_and_a_single_number():
    base = load_input("pattern:gradient", 2, 5, 6)
    got = load_input("pattern:gradient", 2, 5, 6, mean=(0.5,), std=(0.25,))
    np.testing.assert_allclose(got, (base - 0.5) / 0.25, rtol=1e-6)
    with pytest.raises(InputError, match="std must hold numbers above 0"):
        load_input("pattern:gradient", 1, 5, 6, mean=(0.5,), std=(0.0,))


def _project_text(**inp):
    d = {"format": "convviz", "version": 1, "input": {"channels": 3, "height": 8, "width": 8,
                                                       "source": "sample:astronaut", **inp}, "layers": []}
    return json.dumps(d)


def test_project_fields_round_trip_and_old_files_are_unchanged():
    p = Project(InputSpec(3, 8, 8, resize=10, mean=(0.1, 0.2, 0.3), std=(1.0, 2.0, 3.0)), labels="imagenet1k")
    assert loads(json.dumps(p.to_dict())) == p
    plain = Project()
    d = plain.to_dict()
    assert not {"resize", "mean", "std"} & set(d["input"]) and "labels" not in d


@pytest.mark.parametrize("inp,field,words", [
    ({"std": [0.2, 0.2, 0.0], "mean": [0, 0, 0]}, "input.std", "above 0"),
    ({"mean": [0.5, 0.5], "std": [1, 1]}, "input.mean", "2 numbers but the input has 3 channel(s)"),
    ({"mean": [0.5, 0.5, 0.5]}, "input.mean", "give both mean and std"),
    ({"mean": "imagenet", "std": [1]}, "input.mean", "expected a list of numbers"),
    ({"resize": -1}, "input.resize", "between 0"),
])
def test_bad_preprocessing_in_a_file_is_one_sentence(inp, field, words):
    with pytest.raises(ProjectError) as e:
        loads(_project_text(**inp))
    assert e.value.field == field and words in str(e.value)


def test_unknown_labels_are_refused():
    d = json.loads(_project_text())
    d["labels"] = "cifar11"
    with pytest.raises(ProjectError, match="labels.*imagenet1k"):
        loads(json.dumps(d))


# --- official weights, download ------------------------------------------------------------------

@needs_torchvision
def test_official_vgg16_weights_facts(tmp_path, monkeypatch):
    info = zoo.official_weights("vgg16")
    assert info.filename == "vgg16-397923af.pth" and info.sha256_prefix == "397923af"
    assert info.url == "https://download.pytorch.org/models/vgg16-397923af.pth"
    assert abs(info.size_bytes - 553_433_881) < 1_000_000
    assert (info.resize, info.crop, len(info.categories)) == (256, 224, 1000)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    assert zoo.cached_checkpoint("vgg16") is None
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    (tmp_path / "hub" / "checkpoints" / info.filename).write_bytes(b"x")
    assert zoo.cached_checkpoint("vgg16") == str(tmp_path / "hub" / "checkpoints" / info.filename)


@pytest.fixture
def server(tmp_path):
    """A local HTTP server serving tmp_path/served (no internet needed)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))

    class Quiet(handler.func):
        def log_message(self, *a):
            pass
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    t.join()


def _info(url, data, prefix=None):
    digest = hashlib.sha256(data).hexdigest()
    return zoo.WeightsInfo("tiny", url, f"tiny-{digest[:8]}.pth", len(data), prefix or digest[:8])


def test_download_writes_the_checked_file_with_progress(server, tmp_path):
    root, base = server
    data = os.urandom(300_000)
    (root / "w.pth").write_bytes(data)
    seen = []
    dest = tmp_path / "cache"
    path = zoo.download(_info(f"{base}/w.pth", data), str(dest), progress=lambda d, t: seen.append((d, t)),
                        chunk=65536)
    assert open(path, "rb").read() == data and os.listdir(dest) == [os.path.basename(path)]
    assert seen[-1] == (len(data), len(data)) and len(seen) == 5 and all(a <= b for (a, _), (b, _) in zip(seen, seen[1:]))


def test_download_with_the_wrong_hash_keeps_nothing(server, tmp_path):
    root, base = server
    data = b"not the checkpoint" * 100
    (root / "w.pth").write_bytes(data)
    with pytest.raises(zoo.ZooError, match="not the checkpoint torchvision names"):
        zoo.download(_info(f"{base}/w.pth", data, prefix="00000000"), str(tmp_path / "c"))
    assert os.listdir(tmp_path / "c") == []


def test_download_cancelled_removes_the_partial_file(server, tmp_path):
    root, base = server
    data = os.urandom(200_000)
    (root / "w.pth").write_bytes(data)
    calls = []
    with pytest.raises(zoo.ZooError, match="download cancelled"):
        zoo.download(_info(f"{base}/w.pth", data), str(tmp_path / "c"), cancelled=lambda: len(calls) > 0,
                     progress=lambda d, t: calls.append(d), chunk=50_000)
    assert calls == [50_000] and os.listdir(tmp_path / "c") == []


def test_download_network_errors_are_one_sentence(server, tmp_path):
    _root, base = server
    with pytest.raises(zoo.ZooError, match="could not download .*missing.pth"):
        zoo.download(_info(f"{base}/missing.pth", b""), str(tmp_path / "c"))
    with pytest.raises(zoo.ZooError, match="could not download"):
        zoo.download(_info("http://127.0.0.1:9/w.pth", b""), str(tmp_path / "c"))
    assert os.listdir(tmp_path / "c") == []


# --- names and top-k -----------------------------------------------------------------------------

@needs_torchvision
def test_imagenet_class_names_offline():
    names = zoo.class_names("imagenet1k")
    assert len(names) == 1000 and names[0] == "tench" and names[281] == "tabby"
    assert zoo.class_names("") is None and zoo.class_names("cifar10") is None


@given(st.lists(st.floats(-50, 50, width=32), min_size=1, max_size=40), st.integers(1, 8))
@settings(max_examples=50, deadline=None)
def test_top_k_is_torchs_softmax_and_topk(logits, k):
    got = zoo.top_k(np.array(logits, np.float32), k)
    p = torch.softmax(torch.tensor(logits, dtype=torch.float64), 0)
    kk = min(k, len(logits))
    assert len(got) == kk
    np.testing.assert_allclose([v for _, v in got], torch.topk(p, kk).values.numpy(), rtol=1e-9, atol=1e-12)
    for (i, v) in got:
        assert abs(p[i].item() - v) < 1e-12


# --- ONNX ----------------------------------------------------------------------------------------

def test_onnx_export_runs_in_onnxruntime_and_equals_torch(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    from convviz.export import to_onnx
    from convviz.samples import load_preset
    from convviz.training import build_model
    p = load_preset("tiny_vgg")
    p = replace(p, layers=p.layers[:3] + (p.layers[3].make("BatchNorm2d"),) + p.layers[3:])
    assert p.analyze().ok
    model = build_model(p)
    weights = {}
    with torch.no_grad():  # loaded weights, not the initial ones: BatchNorm with real statistics
        for i, m in enumerate(model):
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(), m.running_var.uniform_(0.5, 2)
                weights[i] = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    out = to_onnx(p, weights, tmp_path / "m.onnx")
    assert os.listdir(tmp_path) == ["m.onnx"]
    x = np.random.default_rng(1).normal(size=(1, *p.input.shape)).astype(np.float32)
    s = ort.InferenceSession(str(out))
    got = s.run(None, {s.get_inputs()[0].name: x})[0]
    with torch.no_grad():
        want = model.eval()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_onnx_legacy_exporter_without_onnxscript(tmp_path, monkeypatch):
    """Without onnxscript the legacy TorchScript exporter writes a model onnxruntime runs alike."""
    import importlib.util
    ort = pytest.importorskip("onnxruntime")
    from convviz.export import to_onnx
    from convviz.samples import load_preset
    from convviz.training import build_model
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "onnxscript" else real(n, *a))
    p = load_preset("lenet5")
    to_onnx(p, None, tmp_path / "l.onnx")
    x = np.random.default_rng(2).normal(size=(1, *p.input.shape)).astype(np.float32)
    s = ort.InferenceSession(str(tmp_path / "l.onnx"))
    with torch.no_grad():
        want = build_model(p).eval()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(s.run(None, {s.get_inputs()[0].name: x})[0], want, rtol=1e-4, atol=1e-6)


def test_onnx_says_how_to_get_onnx(tmp_path, monkeypatch):
    import importlib.util

    from convviz.export import OnnxError, to_onnx
    from convviz.samples import load_preset
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "onnx" else real(n, *a))
    with pytest.raises(OnnxError, match=r"pip install 'convviz\[models\]'"):
        to_onnx(load_preset("lenet5"), None, tmp_path / "l.onnx")
    assert os.listdir(tmp_path) == []


def test_onnx_refuses_an_invalid_stack(tmp_path):
    from convviz.export import OnnxError, to_onnx
    from convviz.spec import LayerSpec
    p = Project(InputSpec(1, 4, 4, "pattern:gradient"), (LayerSpec.make("Conv2d", out_channels=1, kernel_size=9),))
    with pytest.raises(OnnxError, match="invalid"):
        to_onnx(p, None, tmp_path / "x.onnx")
    assert os.listdir(tmp_path) == []


# --- the commands, end to end --------------------------------------------------------------------

def run(*args, cwd):
    return subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def _link(src, dst):
    try:
        os.link(src, dst)
    except OSError:  # another file system
        import shutil
        shutil.copyfile(src, dst)


@pytest.fixture(scope="module")
def alexnet(tmp_path_factory):
    """torchvision's AlexNet with seeded random weights and its state_dict saved as .pth."""
    tv = zoo.load_torchvision()
    torch.manual_seed(7)
    model = tv.models.alexnet().eval()
    path = tmp_path_factory.mktemp("alexnet") / "alexnet.pth"
    torch.save(model.state_dict(), path)
    return model, path


@needs_torchvision
def test_cli_imagenet_weights_from_the_cache_or_downloaded_on_request(alexnet, server, tmp_path, monkeypatch, capsys):
    """--weights imagenet: the checkpoint in torch's cache is used; when it is not there the
    sentence gives its size and --download; with --download it is fetched (here from a local
    server standing in for download.pytorch.org, the file being the seeded AlexNet), checked,
    kept in the cache and loaded."""
    from convviz.cli import main
    from safetensors.numpy import load_file
    model, pth = alexnet
    root, base = server
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    assert main(["import", "torchvision:alexnet", "--out", "a.json", "--weights", "imagenet"]) == 2
    err = capsys.readouterr().err
    assert "alexnet-owt-7be5be79.pth" in err and "MB" in err and "--download" in err and err.count("\n") == 1
    assert not os.path.exists("a.json")
    data = open(pth, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    _link(pth, root / "alexnet.pth")
    real = zoo.official_weights("alexnet")
    served = replace(real, url=f"{base}/alexnet.pth", filename=f"alexnet-{digest[:8]}.pth", sha256_prefix=digest[:8])
    monkeypatch.setattr(zoo, "official_weights", lambda name: served if name == "alexnet" else None)
    assert main(["import", "torchvision:alexnet", "--out", "a.json", "--weights", "imagenet", "--download"]) == 0
    cached = tmp_path / "torch" / "hub" / "checkpoints" / served.filename
    assert cached.read_bytes() == data
    got = load_file("a.safetensors")
    np.testing.assert_array_equal(got["16.weight"], model.classifier[1].weight.detach().numpy())
    os.unlink(root / "alexnet.pth")  # from now on only the cache has it
    assert main(["import", "torchvision:alexnet", "--out", "b.json", "--weights", "imagenet"]) == 0
    np.testing.assert_array_equal(load_file("b.safetensors")["0.weight"], got["0.weight"])


@needs_torchvision
def test_cli_import_predict_export(alexnet, tmp_path, monkeypatch, capsys):
    from PIL import Image
    tv = zoo.load_torchvision()
    model, pth = alexnet
    _link(pth, tmp_path / "alexnet.pth")
    r = run("import", "torchvision:alexnet", "--out", "a.json", "--weights", "alexnet.pth", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.load(open(tmp_path / "a.json"))["weights"] == "a.safetensors"
    from convviz.cli import main  # predict and export in this process (import ran as a program above)
    monkeypatch.chdir(tmp_path)
    assert main(["predict", "a.json", "--top", "3", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    t = tv.models.get_model_weights("alexnet").DEFAULT.transforms()
    with torch.no_grad():
        logits = model(t(Image.open(resources_dir() / "samples" / "astronaut.png").convert("RGB"))[None])[0]
    p = torch.softmax(logits.double(), 0)
    want = torch.topk(p, 3)
    assert [g["index"] for g in got] == want.indices.tolist()
    np.testing.assert_allclose([g["probability"] for g in got], want.values.numpy(), rtol=1e-3)
    assert [g["name"] for g in got] == [zoo.class_names("imagenet1k")[i] for i in want.indices.tolist()]
    assert main(["export", "a.json", "--safetensors", "b.safetensors"]) == 0
    from safetensors.numpy import load_file
    back = load_file(str(tmp_path / "b.safetensors"))
    np.testing.assert_array_equal(back["0.weight"], model.features[0].weight.detach().numpy())
    np.testing.assert_array_equal(back["21.bias"], model.classifier[6].bias.detach().numpy())


def test_cli_refusals_are_one_line(tmp_path, capsys, monkeypatch):
    from convviz.cli import main
    monkeypatch.chdir(tmp_path)
    for args in (("import", "torchvision:resnet18", "--out", "r.json"), ("import", "torchvision:nope", "--out", "r.json"),
                 ("import", "torchvision:vgg11"), ("export", "preset:lenet5"),
                 ("predict", "preset:lenet5", "--weights", "missing.safetensors"),
                 ("import", "torchvision:vgg11", "--out", "v.json", "--weights", "missing.pth")):
        assert main(list(args)) == 2, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, (args, err)
    assert os.listdir(tmp_path) == []


def test_cli_export_onnx_of_a_preset(tmp_path, monkeypatch):
    pytest.importorskip("onnx")
    from convviz.cli import main
    monkeypatch.chdir(tmp_path)
    assert main(["export", "preset:lenet5", "--onnx", "l.onnx"]) == 0
    import onnx
    m = onnx.load(str(tmp_path / "l.onnx"))
    assert [o.name for o in m.graph.output] == ["output"]
