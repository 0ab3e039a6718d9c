"""Export a project as PyTorch code: an ``nn.Sequential`` that reproduces the stack, with the
same weights the app shows (each layer built under the engine's per-layer seed, named and typed
kernels copied in).  Qt-free and torch-free: it only writes text.

Exported code is code, and a project may come from anyone: no text from the project (its
title, its image path, a message) is ever pasted into the code as it is.  Text becomes a
Python literal written by ``repr`` (one line, every quote, backslash, newline and control
character escaped) or a comment written by ``_comment`` (control characters and line breaks
escaped); numbers are numbers.  Running the exported file executes the model and nothing else.
"""
from __future__ import annotations

import base64
import math
import zlib

import numpy as np

from .arithmetic import fan_in
from .kernels import fill_weights
from .messages import escape
from .project import Project
from .validate import resolve_channels


def _comment(text) -> str:
    """Text for a ``#`` comment: one line, whatever it holds."""
    return escape(text, 400)


def _module_code(spec, c_in: int) -> str:
    spec = resolve_channels(spec, c_in)
    if spec.type == "DepthwiseSeparable":
        k = dict(spec.args)
        c, out = k.pop("in_channels"), k.pop("out_channels")
        bias = k.get("bias", True)
        rest = ", ".join(f"{n}={v!r}" for n, v in k.items())
        return (f"nn.Sequential(  # depthwise-separable\n"
                f"        nn.Conv2d({c}, {c}, groups={c}, {rest}),\n"
                f"        nn.Conv2d({c}, {out}, kernel_size=1, bias={bias!r}),\n"
                f"    )")
    return f"nn.{spec.type}({spec.kwargs_text()})"


def _number(v: float) -> str:
    if math.isfinite(v):
        return repr(float(v))
    return f"float({repr(str(v))})"  # 'inf'/'nan' as code that runs (the loader refuses them anyway)


def _array_code(a) -> str:
    def nested(v):
        return "[" + ", ".join(nested(x) for x in v) + "]" if isinstance(v, list) else _number(v)
    return nested(a.tolist())


def _input_code(project: Project, base_dir: str | None, input=None) -> list[str]:
    """``INPUT_ENCODING`` and ``INPUT_DATA``: the input as convviz loads it (fitted, resized and
    shifted), zlib-compressed and base64-encoded as data, never code; as bytes (value / 255) when
    that gives back exactly the same float32 values, else as float32.  An input that cannot be
    loaded becomes ``None`` (zeros) with the reason in a comment.  ``input``, when given, is the
    (C, H, W) array the maps are computed from instead (a drawing)."""
    from .samples import input_array
    inp = project.input
    try:
        arr = np.ascontiguousarray(input if input is not None else input_array(inp, base_dir), dtype=np.float32)
        if arr.shape != tuple(inp.shape):
            raise ValueError(f"the input is {list(arr.shape)}, the project says {list(inp.shape)}")
    except Exception as e:  # noqa: BLE001 - a missing image still exports the model, on zeros
        return [f"# The input could not be loaded ({_comment(e)}): example_input() gives zeros.",
                "INPUT_ENCODING = None", "INPUT_DATA = None"]
    u8 = np.clip(np.rint(arr * 255), 0, 255).astype(np.uint8)
    if np.array_equal(u8.astype(np.float32) / np.float32(255), arr):
        encoding, raw = "uint8/255", u8.tobytes()
    else:
        encoding, raw = "float32", arr.astype("<f4").tobytes()
    text = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    chunks = [text[i:i + 96] for i in range(0, len(text), 96)] or [""]
    return ["# The input as convviz loaded it (fitted, resized, shifted): zlib-compressed, base64-encoded.",
            f"INPUT_ENCODING = {encoding!r}",
            "INPUT_DATA = ("] + [f'    "{c}"' for c in chunks] + [")"]


_IMPORTS = "import base64\nimport sys\nimport zlib\n\nimport numpy as np\nimport torch\nfrom torch import nn\n"


def to_pytorch(project: Project, base_dir: str | None = None, input=None) -> str:
    """Python source defining ``build_model()`` and ``example_input()`` (the project's input as
    convviz loaded it, image paths resolving from ``base_dir``, the project file's folder; or
    ``input``, the (C, H, W) array the app shows instead, a drawing);
    running it as a script prints each layer's output shape, and ``python model.py out.npz``
    also saves every layer's output (``layer0``, ``layer1``, ...)."""
    info = project.analyze()
    lines = [
        '"""A convviz project as PyTorch code: build_model() returns the stack with the weights convviz',
        "shows, example_input() the input it shows; running this file prints each layer's output shape.",
        '"""',
        *_IMPORTS.rstrip("\n").split("\n"),
        "",
        "",
        "# The project as convviz had it; its text is kept as Python string literals, never run.",
        f"TITLE = {project.title!r}",
        f"INPUT_SOURCE = {project.input.source!r}",
        f"INPUT_SHAPE = {tuple(int(v) for v in project.input.shape)!r}  # channels, height, width",
        f"SEED = {int(project.seed)!r}",
        *_input_code(project, base_dir, input),
        "",
        "",
        "def layer_seed(seed, index):",
        "    return (seed * 1_000_003 + index) % (2**63)",
        "",
        "",
        "def redraw_biases(module, seed):",
        '    """Each bias from a stream of its own (as convviz draws them), so adding a kernel leaves the',
        '    other kernels\' biases unchanged."""',
        "    j = 0",
        "    with torch.no_grad():",
        "        for mod in module.modules():",
        "            if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and mod.bias is not None:",
        "                j += 1",
        "                fan_in = mod.weight[0].numel()",
        "                bound = 1 / fan_in ** 0.5 if fan_in > 0 else 0.0",
        "                g = torch.Generator().manual_seed((seed + 7919 * j) % 2**63)",
        "                mod.bias.uniform_(-bound, bound, generator=g)",
        "",
        "",
        "def build_model(seed=SEED):",
        '    """The stack as nn.Sequential, with the weights convviz shows."""',
        "    layers = []",
    ]
    weight_lines = []
    for l in info.layers:
        if not l.ok:
            lines.append(f"    # layer {l.index} and after are not exported: {_comment(l.error or 'after an invalid layer')}")
            break
        c_in = fan_in(l.spec, l.in_shape)  # in_channels, or Linear's in_features
        code = _module_code(l.spec, c_in)
        lines.append(f"    torch.manual_seed(layer_seed(seed, {l.index}))")
        lines.append(f"    layers.append({code})")
        if l.spec.layer_type.random_weights:
            lines.append(f"    redraw_biases(layers[-1], layer_seed(seed, {l.index}))")
        init = project.kernels[l.index]
        if init is not None:
            ws = fill_weights(l.spec, c_in, init)
            target = [f"model[{l.index}][0]", f"model[{l.index}][1]"] if l.spec.type == "DepthwiseSeparable" \
                else [f"model[{l.index}]"]
            label = init if isinstance(init, str) else "typed values"
            weight_lines.append(f"    # layer {l.index}: {_comment(label)} kernel")
            for t, w in zip(target, ws):
                weight_lines.append(f"    {t}.weight.copy_(torch.tensor({_array_code(w)}))")
                if l.spec.get("bias"):
                    weight_lines.append(f"    {t}.bias.zero_()")
    lines.append("    model = nn.Sequential(*layers).eval()  # evaluation mode: Dropout passes values through")
    if weight_lines:
        lines.append("    with torch.no_grad():")
        lines += ["    " + w for w in weight_lines]
    lines += [
        "    return model",
        "",
        "",
        "def example_input():",
        '    """The input convviz shows, (1, channels, height, width) float32."""',
        "    if INPUT_DATA is None:",
        "        return torch.zeros(1, *INPUT_SHAPE)",
        "    raw = zlib.decompress(base64.b64decode(INPUT_DATA))",
        '    if INPUT_ENCODING == "uint8/255":',
        "        a = np.frombuffer(raw, dtype=np.uint8).astype(np.float32) / np.float32(255)",
        "    else:",
        '        a = np.frombuffer(raw, dtype="<f4").astype(np.float32)',
        "    return torch.from_numpy(a.reshape(INPUT_SHAPE).copy())[None]",
        "",
        "",
        'if __name__ == "__main__":',
        "    model, x = build_model(), example_input()",
        "    outputs = {}",
        "    with torch.no_grad():",
        "        for i, layer in enumerate(model):",
        "            x = layer(x)",
        "            outputs[f\"layer{i}\"] = x[0].numpy()",
        "            print(i, type(layer).__name__, list(x.shape))",
        "    if len(sys.argv) > 1:  # python this_file.py outputs.npz",
        "        np.savez(sys.argv[1], **outputs)",
        "",
    ]
    return "\n".join(lines)


# --- training ------------------------------------------------------------------------------------

_DIGITS_LOADER = '''
def _rng(seed, purpose):
    return np.random.default_rng([seed, zlib.crc32(purpose.encode())])


def _allocation(labels, total, num_classes):
    """How many of each class make ``total`` in proportion (largest remainder)."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.int64)
    n = int(counts.sum())
    quota = counts * total
    base = quota // n
    rest = total - int(base.sum())
    order = np.lexsort((np.arange(num_classes), -(quota % n)))
    base[order[:rest]] += 1
    return base


def _stratified_pick(labels, total, num_classes, rng):
    take = _allocation(labels, total, num_classes)
    mask = np.zeros(len(labels), bool)
    perm = rng.permutation(len(labels))
    by_class = perm[np.argsort(labels[perm], kind="stable")]
    start = 0
    for c, n_c in enumerate(np.bincount(labels, minlength=num_classes)):
        mask[by_class[start:start + take[c]]] = True
        start += n_c
    return mask


def _resize(imgs, height, width):
    """Pillow's LANCZOS when shrinking, BILINEAR when enlarging, as convviz resizes."""
    from PIL import Image
    n, h, w = imgs.shape
    if (h, w) == (height, width):
        return imgs
    method = Image.Resampling.LANCZOS if height * width <= h * w else Image.Resampling.BILINEAR
    return np.stack([np.asarray(Image.fromarray(im).resize((width, height), method)) for im in imgs])


def load_data():
    """The 1,797 UCI digits (the copy bundled with convviz), resized to the input and split into
    train and test as convviz splits them: uint8 images (N, C, H, W) and int64 labels."""
    with open(DIGITS_CSV, "rb") as f:
        rows = np.array([line.split(b",") for line in gzip.decompress(f.read()).split()], dtype=np.int64)
    labels = rows[:, 64]
    images = ((rows[:, :64] * 255 + 8) // 16).astype(np.uint8).reshape(-1, 8, 8)
    channels, height, width = INPUT_SHAPE
    keep = np.arange(len(labels))
    if DATA_SIZE is not None and DATA_SIZE < len(labels):
        keep = np.flatnonzero(_stratified_pick(labels, DATA_SIZE, 10, _rng(TRAIN_SEED, "subset")))
    x = _resize(images, height, width)[keep]
    x = np.ascontiguousarray(np.broadcast_to(x[:, None], (len(x), channels, height, width)))
    y = labels[keep]
    n = len(y)
    n_test = min(max(int(round(n * TEST_FRACTION)), 1), n - 1)
    rng = _rng(TRAIN_SEED, "split")
    test = _stratified_pick(y, n_test, 10, rng)
    tr, te = np.flatnonzero(~test), np.flatnonzero(test)
    tr, te = tr[rng.permutation(len(tr))], te[rng.permutation(len(te))]
    return x[tr], y[tr], x[te], y[te]
'''

_CONVVIZ_LOADER = '''
def load_data():
    """The data set as convviz makes it (generated or read from files: this needs convviz
    importable): uint8 images (N, C, H, W) and int64 labels, train then test."""
    from convviz.datasets import load_dataset
    ds = load_dataset(DATA, *INPUT_SHAPE, seed=TRAIN_SEED, size=DATA_SIZE, test_fraction=TEST_FRACTION,
                      base_dir=BASE_DIR)
    return (np.array(ds.train_x), np.array(ds.train_y), np.array(ds.test_x), np.array(ds.test_y))
'''

_TRAIN_LOOP = '''

def derived_seed(seed, purpose):
    """The seed of one purpose ("epoch 3", "dropout") of the training seed, as convviz draws it."""
    return int.from_bytes(hashlib.sha256(f"convviz:{purpose}:{int(seed)}".encode()).digest()[:8], "little") >> 1


def evaluate(model, x, y, batch=500):
    """(mean cross-entropy, accuracy) on uint8 images x and labels y, in evaluation mode."""
    model.eval()
    loss_sum, correct = torch.zeros((), dtype=torch.float64), 0
    with torch.inference_mode():
        for a in range(0, len(y), batch):
            logits = model(x[a:a + batch].float().div_(255)).flatten(1)
            loss_sum += F.cross_entropy(logits, y[a:a + batch], reduction="sum").double()
            correct += int((logits.argmax(1) == y[a:a + batch]).sum())
    return loss_sum.item() / len(y), correct / len(y)


def train(model, train_x, train_y, test_x, test_y, epochs=EPOCHS):
    """Cross-entropy, @OPTIMIZER_NAME@, batches of @BATCH@ in an order drawn anew each epoch;
    prints each epoch's numbers and returns the last test accuracy."""
    xs, ys = torch.from_numpy(train_x), torch.from_numpy(train_y)
    tx, ty = torch.from_numpy(test_x), torch.from_numpy(test_y)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = @OPTIMIZER_CODE@
    torch.manual_seed(derived_seed(TRAIN_SEED, "dropout"))  # what Dropout draws
    accuracy = None
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(ys), generator=torch.Generator().manual_seed(derived_seed(TRAIN_SEED, f"epoch {epoch}")))
        loss_sum = correct = 0.0
        for a in range(0, len(ys), BATCH_SIZE):
            idx = order[a:a + BATCH_SIZE]
            x, y = xs.index_select(0, idx).float().div_(255), ys.index_select(0, idx)
            logits = model(x).flatten(1)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(idx)
            correct += (logits.argmax(1) == y).sum().item()
        test_loss, accuracy = evaluate(model, tx, ty)
        print(f"epoch {epoch + 1}/{epochs}  train loss {loss_sum / len(ys):.4f}  train accuracy "
              f"{100 * correct / len(ys):.1f}%  test loss {test_loss:.4f}  test accuracy {100 * accuracy:.1f}%",
              flush=True)
    return accuracy


if __name__ == "__main__":
    model = build_model()
    data = load_data()
    accuracy = train(model, *data)
    print(f"test accuracy {accuracy!r}")
    if len(sys.argv) > 1:  # python this_file.py weights.pt
        torch.save(model.state_dict(), sys.argv[1])
'''


def to_pytorch_training(project: Project, config=None, base_dir: str | None = None) -> str:
    """``to_pytorch`` plus the data loading and the training loop convviz runs: the same initial
    weights, split, order of examples, optimizer and evaluation, so running the file trains the
    stack as the app does (on the CPU with the same thread count, to the same numbers) and
    prints each epoch.  The digits are read from convviz's bundled file by its path with numpy
    and Pillow alone; the other data sets are made by convviz's own loader (import convviz)."""
    from .samples import resources_dir
    from .training_config import TrainConfig
    cfg = config or project.training or TrainConfig()
    model = to_pytorch(project, base_dir)
    head, _, _ = model.partition('\nif __name__ == "__main__":')
    head = head.replace("running this file prints each layer's output shape.",
                        "running this file trains it as convviz does and prints each epoch.", 1)
    head = head.replace('"""\n' + _IMPORTS,
                        '"""\nimport base64\nimport gzip\nimport hashlib\nimport sys\nimport zlib\n\n'
                        'import numpy as np\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n', 1)
    if cfg.optimizer == "sgd":
        opt = (f"torch.optim.SGD(params, lr=LR, momentum={float(cfg.momentum)!r}, weight_decay=WEIGHT_DECAY)")
        name = "SGD with momentum"
    else:
        opt, name = "torch.optim.Adam(params, lr=LR, weight_decay=WEIGHT_DECAY)", "Adam"
    digits = cfg.data == "digits"
    settings = [
        "",
        "# Training, as convviz ran it (its text is kept as Python string literals, never run).",
        f"DATA = {cfg.data!r}",
        f"DIGITS_CSV = {str(resources_dir() / 'datasets' / 'digits.csv.gz')!r}  # bundled with convviz"
        if digits else f"BASE_DIR = {base_dir!r}  # relative folder: and idx: paths start here",
        f"DATA_SIZE = {None if cfg.size is None else int(cfg.size)!r}",
        "TEST_FRACTION = 0.2",
        f"TRAIN_SEED = {int(cfg.seed)!r}",
        f"EPOCHS = {int(cfg.epochs)!r}",
        f"BATCH_SIZE = {int(cfg.batch_size)!r}",
        f"LR = {float(cfg.lr)!r}",
        f"WEIGHT_DECAY = {float(cfg.weight_decay)!r}",
        "",
    ]
    loop = (_TRAIN_LOOP.replace("@OPTIMIZER_NAME@", name).replace("@BATCH@", str(int(cfg.batch_size)))
            .replace("@OPTIMIZER_CODE@", opt))
    return head.rstrip("\n") + "\n\n" + "\n".join(settings) + (_DIGITS_LOADER if digits else _CONVVIZ_LOADER) + loop


# --- ONNX ----------------------------------------------------------------------------------------

class OnnxError(ValueError):
    """An ONNX export that cannot be made (one sentence): onnx missing, an invalid stack, ..."""


ONNX_OPSET = 18  # onnxruntime 1.14+ and Netron read it; every layer convviz has exists in it


def onnx_problem() -> str | None:
    """Why ONNX export is not available here (a sentence), or None."""
    import importlib.util
    if importlib.util.find_spec("onnx") is None:
        return "ONNX export needs the onnx package: run pip install 'convviz[models]' (or pip install onnx onnxscript)"
    return None


def to_onnx(project: Project, weights, path, input=None, opset: int = ONNX_OPSET) -> str:
    """Write the stack as an ONNX model (batch 1 of the project's input, in evaluation mode)
    that Netron opens and onnxruntime runs: ``weights`` (layer -> state_dict arrays, already
    checked to fit; None: the initial weights) over the seeded initial ones; ``input`` a
    (C, H, W) example (zeros by default; a chain's graph does not depend on it).  The exporter
    is torch's dynamo exporter when onnxscript is installed, else the legacy TorchScript one.
    The file is written beside the target and renamed once complete.  Returns the path;
    raises OnnxError with a sentence."""
    import importlib.util
    import os
    import secrets
    import warnings
    problem = onnx_problem()
    if problem:
        raise OnnxError(problem)
    info = project.analyze()
    if not info.ok:
        raise OnnxError(f"the stack cannot be exported while a layer is invalid: {info.first_error.error}")
    if not project.layers:
        raise OnnxError("the stack has no layers to export")
    import torch

    from .training import build_model
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".convviz-{secrets.token_hex(6)}.onnx")
    model = build_model(project, weights).eval()
    x = (torch.zeros((1, *project.input.shape)) if input is None
         else torch.as_tensor(np.array(input, dtype=np.float32, copy=True))[None])
    dynamo = importlib.util.find_spec("onnxscript") is not None
    try:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")
            if dynamo:
                program = torch.onnx.export(model, (x,), dynamo=True, opset_version=opset, verbose=False,
                                            input_names=["input"], output_names=["output"])
                program.save(tmp)
            else:
                torch.onnx.export(model, (x,), tmp, dynamo=False, opset_version=opset, input_names=["input"],
                                  output_names=["output"], do_constant_folding=True)
        os.replace(tmp, path)
    except OSError as e:
        _remove_quietly(tmp)
        raise OnnxError(f"cannot write {escape(path, 300)}: {escape(e.strerror or e, 200)}") from None
    except Exception as e:  # noqa: BLE001 - an exporter failure: one sentence, nothing left behind
        _remove_quietly(tmp)
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise OnnxError(f"torch could not export the stack to ONNX ({escape(first, 200)})") from None
    return path


def _remove_quietly(path: str) -> None:
    import os
    for p in (path, path + ".data"):
        try:
            os.unlink(p)
        except OSError:
            pass
