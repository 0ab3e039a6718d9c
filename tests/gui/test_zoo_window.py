"""Real networks in the window (issue 15): the torchvision import dialog, Load Weights (strict:
every failure leaves project, weights and history as they were), the ImageNet checkpoint's
download from a local server (with Cancel), the top-5 class names, export, and the full VGG-16
staying usable.  No network: downloads come from an http.server on localhost."""
from __future__ import annotations

import hashlib
import http.server
import os
import pickle
import threading
from dataclasses import replace

import numpy as np
import pytest

from tests.gui.conftest import wait_maps

torch = pytest.importorskip("torch")
nn = torch.nn

from convviz import zoo  # noqa: E402

needs_torchvision = pytest.mark.skipif(zoo.torchvision_problem() is not None,
                                       reason="torchvision is not usable here")


class TinyNet(nn.Module):
    """torchvision's layout in small: ``features``, ``torch.flatten``, ``classifier`` (so the
    state_dict has torchvision's key names: features.0.weight ... classifier.4.bias)."""

    def __init__(self, classes: int = 1000, hidden: int = 32):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
                                      nn.Conv2d(4, 6, 3), nn.BatchNorm2d(6), nn.ReLU(inplace=True))
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(6 * 6 * 6, hidden), nn.ReLU(inplace=True),
                                        nn.Linear(hidden, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def tiny(seed: int = 3, classes: int = 1000, hidden: int = 32) -> TinyNet:
    torch.manual_seed(seed)
    net = TinyNet(classes, hidden)
    bn = net.features[4]
    with torch.no_grad():  # running statistics that change the answer (fresh ones are 0 and 1)
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.3, 0.3)
        net.classifier[3].weight.mul_(20)  # spread the logits: the top five are well apart
    return net.eval()


def tiny_project(net: TinyNet, labels: str = "imagenet1k"):
    from convviz.project import InputSpec, Project
    layers = tuple(zoo.from_module(net))
    return Project(input=InputSpec(3, 16, 16, "sample:astronaut", fit="crop", mean=(0.485, 0.456, 0.406),
                                   std=(0.229, 0.224, 0.225)), layers=layers, title="tiny", labels=labels)


def torch_outputs(net: TinyNet, project) -> list[np.ndarray]:
    """Every module's output, in forward order, from torch itself (hooks; cloned because the
    in-place ReLUs overwrite what the module before returned)."""
    from convviz.samples import input_array
    outs = []
    mods = list(net.features) + list(net.classifier)
    hooks = [m.register_forward_hook(lambda _m, _i, o: outs.append(o.detach().clone())) for m in mods]
    x = torch.from_numpy(np.ascontiguousarray(input_array(project.input)))[None]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    # convviz's stack has Flatten between the features and the classifier
    n = len(net.features)
    flat = torch.flatten(outs[n - 1], 1)
    return [o[0].numpy() for o in outs[:n]] + [flat[0].numpy()] + [o[0].numpy() for o in outs[n:]]


def state(win):
    """What a refused load must leave as it was."""
    return (win.project, win.doc.undo_stack.index(), win.doc.undo_stack.count(), win.session.weights,
            win.training_panel.trained)


def load(qtbot, win, path, ok: bool = True):
    wa = win.weights_actions
    with qtbot.waitSignal(wa.loaded if ok else wa.refused, timeout=60_000):
        wa.load_weights(str(path))
    return wa.last_problem


# --- loading weights ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [".pth", ".safetensors"])
def test_loaded_weights_give_torchs_maps_and_top5_names(qtbot, make_window, tmp_path, fmt):
    net = tiny()
    project = tiny_project(net)
    path = tmp_path / f"tiny{fmt}"
    if fmt == ".pth":
        torch.save(net.state_dict(), path)  # torchvision's key names
    else:
        from convviz.weights import save_weights
        from convviz.training import model_state
        save_weights(path, {i: s for i, s in model_state(torch.nn.Sequential(
            *(list(net.features) + [nn.Flatten()] + list(net.classifier)))).items()})  # convviz's own keys
    win = make_window(project=project)
    undo = win.doc.undo_stack.count()
    load(qtbot, win, path)
    res = wait_maps(qtbot, win)
    assert win.session.weights is not None
    expected = torch_outputs(net, project)
    assert len(expected) == len(project.layers)
    for i, want in enumerate(expected):
        got = np.asarray(res.outputs[i]).ravel()
        np.testing.assert_allclose(got, want.ravel(), rtol=1e-4, atol=1e-5, err_msg=f"layer {i}")
    assert win.doc.undo_stack.count() == undo  # weights are not an edit of the stack
    # the top five, named: torch's top-5 of the same logits, ImageNet's names from torchvision
    logits = torch.from_numpy(expected[-1])
    top = torch.topk(torch.softmax(logits.double(), 0), 5)
    qtbot.waitUntil(lambda: win.answer_view.names is not None, timeout=60_000)
    names = zoo.class_names("imagenet1k")
    assert win.answer_view.texts() == [names[int(k)] for k in top.indices]
    assert [p for _k, p in win.answer_view.answer] == pytest.approx(top.values.tolist(), rel=1e-6)
    assert path.name in win.answer_view.weights_text
    # another input: the answer follows it (torch's top five on the new input)
    win.edit_input(replace(project.input, source="sample:coffee"), "input")
    assert not win.answer_view.rows[0][1].isEnabled()  # the old answer is marked old at once
    wait_maps(qtbot, win)
    assert win.answer_view.rows[0][1].isEnabled()
    logits = torch.from_numpy(torch_outputs(net, win.project)[-1])
    assert win.answer_view.texts() == [names[int(k)] for k in torch.topk(logits, 5).indices]
    # saved with the project (the weights file beside it), and opened again: the same maps
    if fmt == ".pth":
        saved = tmp_path / "saved" / "tiny.json"
        saved.parent.mkdir()
        assert win.save_to(str(saved))
        assert (saved.parent / "tiny.safetensors").is_file()
        assert win.open_path(str(saved))  # forgets the weights on show, reads those the file names
        res = wait_maps(qtbot, win)
        assert win.answer_view.weights_text == "Trained or loaded weights, not the initial ones."
        np.testing.assert_allclose(np.asarray(res.outputs[-1]).ravel(), logits.numpy().ravel(), rtol=1e-4, atol=1e-5)
        win.edit_input(project.input, "input")
        wait_maps(qtbot, win)
    # the initial weights again: the answer says they are random, the maps are the seed's
    win.training_panel.set_show_trained(False)
    wait_maps(qtbot, win)
    assert "random" in win.answer_view.weights_text
    assert not np.allclose(np.asarray(win.last_result.outputs[0]).ravel(), expected[0].ravel())


class Evil:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_every_refused_load_changes_nothing(qtbot, make_window, tmp_path):
    net = tiny()
    project = tiny_project(net)
    win = make_window(project=project)
    win.edit_seed(5)  # some history to keep
    wait_maps(qtbot, win)
    good = net.state_dict()
    cases = {}
    wrong = dict(good)
    wrong["classifier.1.weight"] = torch.zeros(32, 215)
    cases["wrong shape"] = (wrong, ["32x215", "32x216"])
    missing = dict(good)
    del missing["features.3.bias"]
    cases["missing key"] = (missing, ["features.3", "bias"])
    extra = dict(good)
    extra["classifier.9.weight"] = torch.zeros(3, 3)
    cases["extra key"] = (extra, ["classifier.9.weight"])
    before = state(win)
    shown = np.asarray(win.last_result.outputs[-1]).copy()
    for name, (sd, words) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.pth"
        torch.save(sd, path)
        text = load(qtbot, win, path, ok=False)
        assert text and "Traceback" not in text, name
        for w in words:
            assert w in text, (name, w, text)
        assert state(win) == before, name
    target = tmp_path / "pwned"
    evil = tmp_path / "evil.pth"
    with open(evil, "wb") as f:
        pickle.dump({"features.0.weight": Evil(str(target))}, f)
    text = load(qtbot, win, evil, ok=False)
    assert "Traceback" not in text and text
    assert not target.exists()
    assert state(win) == before
    not_weights = tmp_path / "notes.pth"
    not_weights.write_bytes(b"these are not weights")
    assert load(qtbot, win, not_weights, ok=False)
    assert state(win) == before
    wait_maps(qtbot, win)
    np.testing.assert_array_equal(np.asarray(win.last_result.outputs[-1]), shown)


# --- the import dialog ---------------------------------------------------------------------------------

@needs_torchvision
def test_import_dialog_lists_chains_and_refuses_with_the_reason(qtbot, make_window):
    win = make_window()
    dlg = win.zoo.open()
    qtbot.waitUntil(lambda: bool(dlg.archs), timeout=120_000)
    names = {a.name for a in dlg.archs}
    assert {"alexnet", "vgg11", "vgg16", "vgg16_bn", "resnet18", "densenet121", "googlenet",
            "mobilenet_v2"} <= names
    for refused, words in (("resnet18", "skip connections"), ("densenet121", "concatenat"),
                           ("googlenet", "parallel"), ("mobilenet_v2", "")):
        item = dlg.item(refused)
        assert item is not None
        assert words in item.toolTip(0) and item.toolTip(0)
        assert dlg.select(refused)
        assert dlg.reason.text() == item.toolTip(0)
        assert not dlg.ok.isEnabled()  # greyed: a reason, no import
        assert item.foreground(0).color().name() == "#888888"
    assert dlg.select("alexnet")
    assert dlg.ok.isEnabled()
    assert "61,100,840" in dlg.reason.text()
    with qtbot.waitSignal(win.zoo.imported, timeout=120_000):
        dlg.accept()
    assert win.project.title == "AlexNet (torchvision)"
    assert win.project.labels == "imagenet1k"
    assert (win.project.input.resize, win.project.input.height, win.project.input.fit) == (256, 224, "crop")
    panel = win.input_panel  # the preprocessing the weights expect, in view and editable
    assert panel.resize_spin.isVisibleTo(panel) and panel.resize_spin.value() == 256
    assert panel.mean_edit.text() == "0.485, 0.456, 0.406" and panel.std_edit.text() == "0.229, 0.224, 0.225"
    assert win.project.layers == zoo.import_architecture("alexnet").layers
    from ui.qt import QtWidgets
    assert win.findChild(QtWidgets.QDockWidget, "answerDock").isVisible()
    wait_maps(qtbot, win, timeout=180_000)
    assert len(win.answer_view.answer) == 5
    assert "random" in win.answer_view.weights_text  # never taken for ImageNet's answer


@needs_torchvision
def test_a_refused_name_is_a_sentence_and_nothing_changes(qtbot, make_window):
    win = make_window()
    before = state(win)
    win.zoo.import_name("resnet18")
    qtbot.waitUntil(lambda: win.zoo.problem is not None, timeout=120_000)
    assert "skip connections" in win.zoo.problem
    assert state(win) == before


def test_without_torchvision_the_dialog_says_how_to_add_it(qtbot, make_window, monkeypatch):
    sentence = "torchvision is not installed: run pip install 'convviz[models]'"
    monkeypatch.setattr(zoo, "torchvision_problem", lambda: sentence)
    win = make_window()
    dlg = win.zoo.open()
    qtbot.waitUntil(lambda: win.zoo.problem is not None, timeout=60_000)
    assert win.zoo.problem == sentence
    assert dlg.reason.text() == sentence and not dlg.tree.isEnabled() and not dlg.ok.isEnabled()
    dlg.reject()


# --- the official checkpoint: the cache, the question, the download -------------------------------------

class SlowServer:
    """Serves one file over http on localhost: the first MiB at once, the rest when ``go`` is set."""

    def __init__(self, data: bytes):
        self.data = data
        self.go = threading.Event()
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", str(len(outer.data)))
                self.end_headers()
                head = 1 << 20
                self.wfile.write(outer.data[:head])
                self.wfile.flush()
                outer.go.wait(30)
                try:
                    self.wfile.write(outer.data[head:])
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/tiny-0123abcd.pth"

    def close(self):
        self.go.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A TinyNet's state_dict (2 MB: a wide hidden layer) served locally; torch's cache in the
    test's folder."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    net = tiny(hidden=512)
    path = tmp_path / "tiny.pth"
    torch.save(net.state_dict(), path)
    data = path.read_bytes()
    assert len(data) > (3 << 19)  # more than the first MiB the server sends at once
    server = SlowServer(data)
    info = zoo.WeightsInfo("tiny", server.url, "tiny-0123abcd.pth", len(data), hashlib.sha256(data).hexdigest()[:8],
                           ())
    yield net, server, info
    server.close()


def test_download_with_progress_then_load(qtbot, make_window, served):
    net, server, info = served
    win = make_window(project=tiny_project(net))
    server.go.set()
    wa = win.weights_actions
    with qtbot.waitSignal(wa.loaded, timeout=60_000):
        wa.download(info)
    dest = os.path.join(os.environ["TORCH_HOME"], "hub", "checkpoints", info.filename)
    assert os.path.isfile(dest) and wa.source_path == dest
    assert wa.progress is None  # the progress dialog went
    res = wait_maps(qtbot, win)
    np.testing.assert_allclose(np.asarray(res.outputs[-1]).ravel(), torch_outputs(net, win.project)[-1].ravel(),
                               rtol=1e-4, atol=1e-5)


def test_cancel_stops_the_download_and_keeps_nothing(qtbot, make_window, served):
    net, server, info = served
    win = make_window(project=tiny_project(net))
    before = state(win)
    wa = win.weights_actions
    job = wa.download(info)
    dlg = wa.progress
    qtbot.waitUntil(lambda: dlg.value() > 0, timeout=60_000)  # the first MiB arrived
    from ui.qt import QtWidgets
    dlg.findChild(QtWidgets.QPushButton).click()  # the dialog's Cancel button
    assert job.cancelled()
    assert wa.download_job is None and wa.progress is None  # the dialog went at once
    server.go.set()  # the rest arrives; the download stops at its next check
    qtbot.waitUntil(lambda: not job.running(), timeout=60_000)
    folder = os.path.join(os.environ["TORCH_HOME"], "hub", "checkpoints")
    assert not os.path.isdir(folder) or os.listdir(folder) == []  # no file, no partial file
    assert "cancelled" in win.status.currentMessage()
    assert state(win) == before


@needs_torchvision
def test_imagenet_weights_are_only_downloaded_when_the_user_says_yes(qtbot, make_window, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    win = make_window(project=zoo.import_architecture("alexnet"), wait=False)
    asked = []
    win.weights_actions.ask_download = lambda info: asked.append(info) or False
    started = []
    win.weights_actions.download = started.append  # (not monkeypatch: it would outlive the window)
    win.weights_actions.load_imagenet()
    qtbot.waitUntil(lambda: bool(asked), timeout=120_000)
    info = asked[0]
    assert info.url == "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"
    assert info.size_bytes > 200 << 20  # the size is stated before anything is fetched
    qtbot.waitUntil(lambda: "Nothing was downloaded" in win.status.currentMessage(), timeout=10_000)
    assert started == []
    assert not os.path.exists(os.path.join(str(tmp_path / "torch_home"), "hub", "checkpoints", info.filename))
    wait_maps(qtbot, win, timeout=180_000)


def test_a_stack_with_no_official_weights_is_told_so(qtbot, make_window, monkeypatch):
    net = tiny()
    win = make_window(project=tiny_project(net))
    asked = []
    win.weights_actions.ask_download = lambda info: asked.append(info) or True
    with qtbot.waitSignal(win.weights_actions.refused, timeout=120_000):
        win.weights_actions.load_imagenet()
    assert asked == []
    assert "official" in win.weights_actions.last_problem or "torchvision" in win.weights_actions.last_problem


# --- export -----------------------------------------------------------------------------------------------

def test_export_weights_and_onnx_of_the_weights_on_show(qtbot, make_window, tmp_path):
    net = tiny()
    project = tiny_project(net)
    path = tmp_path / "tiny.pth"
    torch.save(net.state_dict(), path)
    win = make_window(project=project)
    load(qtbot, win, path)
    wait_maps(qtbot, win)
    out = tmp_path / "out.safetensors"
    job = win.weights_actions.export_weights(str(out))
    qtbot.waitUntil(lambda: job.finished_ok, timeout=60_000)
    from convviz.weights import load_weights
    again = load_weights(out, project, strict=True)
    assert not again.problems
    for i, layer in win.training_panel.trained.items():
        for k, v in layer.items():
            np.testing.assert_array_equal(again.weights[i][k], v)
    onnx_path = tmp_path / "tiny.onnx"
    job = win.weights_actions.export_onnx(str(onnx_path))
    qtbot.waitUntil(lambda: job.finished_ok, timeout=120_000)
    assert win.weights_actions.last_problem == "", win.weights_actions.last_problem
    ort = pytest.importorskip("onnxruntime")
    from convviz.samples import input_array
    x = np.ascontiguousarray(input_array(project.input))[None].astype(np.float32)
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got.ravel(), torch_outputs(net, project)[-1].ravel(), rtol=1e-4, atol=1e-4)


def test_a_failed_export_is_a_sentence(qtbot, make_window, tmp_path):
    win = make_window(project=tiny_project(tiny()))
    job = win.weights_actions.export_weights(str(tmp_path / "no such folder" / "w.safetensors"))
    qtbot.waitUntil(lambda: not job.running() and job.thread is None, timeout=60_000)
    qtbot.waitUntil(lambda: bool(win.weights_actions.last_problem), timeout=10_000)
    assert "Traceback" not in win.weights_actions.last_problem


# --- the input panel's preprocessing -----------------------------------------------------------------------

def test_preprocessing_is_edited_undoably_and_bad_numbers_are_a_sentence(qtbot, make_window):
    from convviz.samples import input_array
    win = make_window(preset="teaching")
    panel = win.input_panel
    p0 = win.project
    assert not panel.resize_spin.isVisibleTo(panel)  # folded away on a stack without it
    panel.pre_toggle.click()
    assert panel.resize_spin.isVisibleTo(panel) and panel.std_edit.isVisibleTo(panel)
    panel.imagenet_button.click()
    qtbot.waitUntil(lambda: win.project.input.mean == (0.485, 0.456, 0.406), timeout=10_000)
    assert win.project.input.std == (0.229, 0.224, 0.225)
    panel.resize_spin.setValue(300)
    qtbot.waitUntil(lambda: win.project.input.resize == 300, timeout=10_000)
    assert "300" in panel.info.text() and "0.485" in panel.info.text()
    res = wait_maps(qtbot, win)
    np.testing.assert_allclose(res.input, input_array(win.project.input), rtol=1e-6, atol=1e-6)
    before = win.project
    panel.mean_edit.setText("0.5, zebra")
    panel.mean_edit.editingFinished.emit()
    assert "zebra" in panel.pre_problem.text() and panel.pre_problem.isVisibleTo(panel)
    panel.std_edit.setText("1, 0, 1")
    panel.mean_edit.setText("0.5")
    panel.std_edit.editingFinished.emit()
    assert "std" in panel.pre_problem.text()
    assert win.project == before  # nothing applied
    panel.mean_edit.setText("0.5")
    panel.std_edit.setText("0.25")
    panel.std_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: win.project.input.mean == (0.5,), timeout=10_000)
    assert win.project.input.std == (0.25,)
    assert not panel.pre_problem.isVisibleTo(panel)
    wait_maps(qtbot, win)
    for _ in range(3):
        win.doc.undo_stack.undo()
    assert win.project.input == p0.input
    assert panel.resize_spin.value() == 0 and panel.mean_edit.text() == ""


# --- the full VGG-16 ------------------------------------------------------------------------------------------

def test_full_vgg16_table_field_and_stepper_work(qtbot, make_window):
    """VGG-16 imported from torchvision (the vgg16_full preset without torchvision: the same
    stack, its channels inferred)."""
    from convviz.samples import load_preset
    p = load_preset("vgg16_full") if zoo.torchvision_problem() else zoo.import_architecture("vgg16")
    win = make_window(project=p, wait=False)
    # shapes and receptive fields are arithmetic: there before any map, the GUI thread free
    t = win.table.table
    assert t.rowCount() == len(p.layers) + 2  # the input, each layer, the totals
    assert t.item(len(p.layers), 2).text() == "[1000]"
    assert t.item(len(p.layers) + 1, 3).text() == "138,357,544"
    last_conv = max(i for i, l in enumerate(p.layers) if l.type == "Conv2d")
    assert win.show_field(last_conv, 3, 4)
    assert win.field == (last_conv, 3, 4)
    assert win.session.busy  # computing on the compute thread meanwhile
    qtbot.waitUntil(lambda: win.session.map(0) is not None, timeout=180_000)  # layer by layer
    # the whole stack, classifier included, at 32 x 32 (AdaptiveAvgPool2d(7) keeps the classifier's
    # shapes; 224 x 224 takes 15.5 GMACs, too long for a test on two cores): stepper and answer
    win.edit_input(replace(p.input, height=32, width=32), "size")
    res = wait_maps(qtbot, win, timeout=300_000)
    assert np.asarray(res.outputs[-1]).size == 1000
    assert win.show_stepper(last_conv)
    assert win.stepper.layer_index == last_conv
    assert win.show_field(len(p.layers) - 1, 0, 0)  # the last Linear's field: the whole input
    assert len(win.answer_view.answer) == 5


# --- the official checkpoint found in torch's cache ---------------------------------------------------------

@needs_torchvision
def test_the_cached_checkpoint_loads_and_gives_torchvisions_answer(qtbot, make_window, tmp_path, monkeypatch):
    """A checkpoint under its official name in torch's cache (here torchvision's AlexNet with
    seeded random weights, saved as torchvision saves it: not ImageNet's numbers) is found,
    loaded without a question, and every layer equals torchvision's own forward."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    tv = zoo.load_torchvision()
    torch.manual_seed(7)
    model = tv.models.alexnet().eval()
    info = zoo.official_weights("alexnet")
    folder = tmp_path / "torch_home" / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    torch.save(model.state_dict(), folder / info.filename)
    project = zoo.import_architecture("alexnet")
    project = replace(project, input=replace(project.input, height=64, width=64))  # AlexNet works at 64 x 64
    win = make_window(project=project)
    win.weights_actions.ask_download = lambda info: pytest.fail("asked to download a checkpoint that is cached")
    with qtbot.waitSignal(win.weights_actions.loaded, timeout=120_000):
        win.weights_actions.load_imagenet()
    assert win.weights_actions.source_path == str(folder / info.filename)
    res = wait_maps(qtbot, win, timeout=120_000)
    from convviz.samples import input_array
    x = torch.from_numpy(np.ascontiguousarray(input_array(project.input)))[None]
    outs = []
    mods = list(model.features) + [model.avgpool] + list(model.classifier)
    hooks = [m.register_forward_hook(lambda _m, _i, o: outs.append(o.detach().clone())) for m in mods]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    n = len(model.features) + 1
    expected = outs[:n] + [torch.flatten(outs[n - 1], 1)] + outs[n:]
    assert len(expected) == len(project.layers)
    for i, want in enumerate(expected):
        np.testing.assert_allclose(np.asarray(res.outputs[i]).ravel(), want[0].numpy().ravel(), rtol=1e-4,
                                   atol=1e-4, err_msg=f"layer {i} ({project.layers[i].type})")
    qtbot.waitUntil(lambda: win.answer_view.names is not None, timeout=60_000)
    top = torch.topk(outs[-1][0], 5).indices.tolist()
    assert win.answer_view.texts() == [info.categories[k] for k in top]
    assert info.filename in win.answer_view.weights_text


@needs_torchvision
def test_the_dialog_speaks_chinese(qtbot, make_window):
    from ui.app import make_app
    from ui.i18n import install
    app = make_app()
    install(app, "zh_CN")
    try:
        win = make_window()
        dlg = win.zoo.open()
        assert dlg.windowTitle() == "导入 torchvision 模型"
        qtbot.waitUntil(lambda: bool(dlg.archs), timeout=120_000)
        assert dlg.select("resnet18")
        assert "跳跃连接" in dlg.reason.text() and "convviz" in dlg.reason.text()
        assert dlg.item("resnet18").toolTip(0) == dlg.reason.text()
        dlg.reject()
    finally:
        install(app, "en")


def test_exported_initial_weights_give_the_initial_maps(qtbot, make_window, tmp_path):
    """No weights loaded or trained: Export > Weights writes the initial ones, and loading that
    file back changes no map."""
    win = make_window(project=tiny_project(tiny()))
    before = [np.asarray(o).copy() for o in win.last_result.outputs]
    out = tmp_path / "initial.safetensors"
    job = win.weights_actions.export_weights(str(out))
    qtbot.waitUntil(lambda: job.finished_ok, timeout=60_000)
    load(qtbot, win, out)
    res = wait_maps(qtbot, win)
    assert win.session.weights is not None  # the file's weights are on show now
    for i, (a, b) in enumerate(zip(before, res.outputs)):
        np.testing.assert_allclose(np.asarray(b), a, rtol=1e-6, atol=1e-6, err_msg=f"layer {i}")


def test_a_download_that_is_not_the_checkpoint_is_refused_and_not_kept(qtbot, make_window, served):
    net, server, info = served
    win = make_window(project=tiny_project(net))
    before = state(win)
    server.go.set()
    with qtbot.waitSignal(win.weights_actions.refused, timeout=60_000):
        win.weights_actions.download(replace(info, sha256_prefix="00000000"))
    assert "SHA-256" in win.weights_actions.last_problem
    assert win.weights_actions.progress is None
    folder = os.path.join(os.environ["TORCH_HOME"], "hub", "checkpoints")
    assert not os.path.isdir(folder) or os.listdir(folder) == []
    assert state(win) == before
