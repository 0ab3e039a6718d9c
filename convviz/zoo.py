"""Real networks: torchvision's classification architectures as convviz projects, their official
ImageNet weights, and class names.  Qt-free; torch and torchvision are imported inside the
functions that need them (tests/test_purity.py), so the rest of convviz works without them.

* ``architectures()`` lists every classification model torchvision defines, each built on the
  meta device (no memory, no numbers) and traced with ``torch.fx``: a model whose forward is a
  plain chain (each step reads only the step before) becomes a convviz stack; the others carry
  one sentence saying why not (ResNet's skip connections, DenseNet's concatenation, ...).
* ``import_architecture(name)`` is that stack as a Project at 3x224x224 on the astronaut, with
  the input preprocessing the model's ImageNet weights expect (resize, centre crop,
  normalisation) and ``labels="imagenet1k"`` when it ends in 1,000 logits.
* ``from_module(module)`` converts any chain of torch.nn modules (an ``nn.Sequential``, or a
  module whose forward calls its children one after another, ``torch.flatten`` included).
* ``official_weights``, ``cached_checkpoint``, ``download``: the checkpoint torchvision names,
  whether torch's hub cache already has it, and fetching it (only when the user asks).

torchvision is an optional extra (``pip install 'convviz[models]'``); ``torchvision_problem()``
says in one sentence why it cannot be used, and every function raises ZooError with it.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
import types
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .messages import Msg, escape
from .spec import QT_TRANSLATE_NOOP, LayerSpec, SpecError


class ZooError(ValueError):
    """An architecture, a checkpoint or a download that cannot be used (one sentence)."""


# --- torchvision --------------------------------------------------------------------------------

_TORCHVISION: Any = None
_PROBLEM: str | None = None
_CHECKED = False


def _torch_version() -> str:
    try:
        from importlib.metadata import version
        return version("torch").split("+")[0]
    except Exception:  # noqa: BLE001 - no torch metadata: the sentence stays general
        return ""


def _import_torchvision():
    """``import torchvision``; when its compiled operators cannot load (a CUDA wheel of
    torchvision beside a CPU torch raises RuntimeError "operator torchvision::nms does not
    exist" from ``torchvision/_meta_registrations.py``), retry once with that module replaced
    by an empty one.  Only the detection operators (nms, roi_align, ...) are lost, and convviz
    uses none of them; the models, their weights' metadata and the transforms work."""
    try:
        import torchvision
        return torchvision
    except RuntimeError as e:
        if "torchvision::" not in str(e):
            raise
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torchvision
    return torchvision


_CANNOT_LOAD = QT_TRANSLATE_NOOP("core", "torchvision is installed but cannot be loaded ({why}): run pip install "
                                         "'convviz[models]'{matching}")


def torchvision_problem() -> str | None:
    """None when torchvision can be used; otherwise the sentence that says why and how to fix it."""
    global _TORCHVISION, _PROBLEM, _CHECKED
    if _CHECKED:
        return _PROBLEM
    torch_v = _torch_version()
    matching = Msg(QT_TRANSLATE_NOOP("core", " (it installs the torchvision that matches your torch {version})"),
                   version=torch_v) if torch_v else ""
    try:
        _TORCHVISION = _import_torchvision()
        _TORCHVISION.models.list_models  # noqa: B018 - torchvision >= 0.14
        _PROBLEM = None
    except ImportError as e:
        missing = getattr(e, "name", "") or ""
        if missing.split(".")[0] in ("torchvision", ""):
            _PROBLEM = Msg(QT_TRANSLATE_NOOP("core", "torchvision is not installed: run pip install "
                                                     "'convviz[models]'{matching}"), matching=matching)
        else:
            _PROBLEM = Msg(_CANNOT_LOAD, why=escape(e, 200), matching=matching)
    except AttributeError:
        _PROBLEM = Msg(QT_TRANSLATE_NOOP("core", "this torchvision is too old (convviz needs 0.14 or newer): run pip "
                                                 "install 'convviz[models]'{matching}"), matching=matching)
    except Exception as e:  # noqa: BLE001 - any failure of a third-party import: one sentence
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        _PROBLEM = Msg(_CANNOT_LOAD, why=escape(first, 200), matching=matching)
    _CHECKED = True
    return _PROBLEM


def load_torchvision():
    """The torchvision module (see _import_torchvision for the fallback), or ZooError."""
    problem = torchvision_problem()
    if problem:
        raise ZooError(problem)
    return _TORCHVISION


# --- names -------------------------------------------------------------------------------------

_TITLES = (
    (r"alexnet", "AlexNet"),
    (r"vgg(\d+)_bn", r"VGG-\1 with BatchNorm"),
    (r"vgg(\d+)", r"VGG-\1"),
    (r"wide_resnet(\d+)_(\d+)", r"Wide ResNet-\1-\2"),
    (r"resnext(\d+)_(\w+)", r"ResNeXt-\1 \2"),
    (r"resnet(\d+)", r"ResNet-\1"),
    (r"densenet(\d+)", r"DenseNet-\1"),
    (r"googlenet", "GoogLeNet"),
    (r"inception_v3", "Inception v3"),
    (r"mobilenet_v2", "MobileNet v2"),
    (r"mobilenet_v3_(\w+)", r"MobileNet v3 \1"),
    (r"efficientnet_v2_(\w)", r"EfficientNet v2-\1"),
    (r"efficientnet_(\w+)", r"EfficientNet-\1"),
    (r"mnasnet(\d)_(\d+)", r"MNASNet \1.\2"),
    (r"regnet_(\w)_(\w+)", r"RegNet\1 \2"),
    (r"shufflenet_v2_x(\d)_(\d)", r"ShuffleNet v2 x\1.\2"),
    (r"squeezenet(\d)_(\d)", r"SqueezeNet \1.\2"),
    (r"convnext_(\w+)", r"ConvNeXt \1"),
    (r"swin_v2_(\w)", r"Swin v2-\1"),
    (r"swin_(\w)", r"Swin-\1"),
    (r"maxvit_(\w)", r"MaxViT-\1"),
    (r"vit_(\w)_(\d+)", r"ViT-\1/\2"),
)


def title_of(name: str) -> str:
    """A readable name: ``vgg16`` -> ``VGG-16``, ``resnet18`` -> ``ResNet-18``."""
    for pattern, repl in _TITLES:
        m = re.fullmatch(pattern, name)
        if m:
            t = m.expand(repl)
            t = re.sub(r"RegNet(\w) (\d+)_(\d+)(\w+)", r"RegNet\1 \2.\3\4", t)  # regnet_x_1_6gf: 1.6GF
            t = re.sub(r"RegNet(\w) ([\d.]+)(\w+)", lambda g: f"RegNet{g.group(1).upper()} {g.group(2)}{g.group(3).upper()}", t)
            t = re.sub(r"(ViT|Swin|Swin v2|MaxViT|EfficientNet v2|EfficientNet)-(\w)",
                       lambda g: f"{g.group(1)}-{g.group(2).upper()}", t)
            return re.sub(r"(ConvNeXt|MobileNet v3) (\w)", lambda g: f"{g.group(1)} {g.group(2).upper()}", t)
    return name


# Why a family is not a chain, said the way its paper draws it (checked against the traced graph:
# a family sentence is used only when the graph is not a chain).
_FAMILY_REASONS = (
    (("resnet", "resnext", "wide_resnet"), QT_TRANSLATE_NOOP("core", "adds each block's input to its output (skip connections)")),
    (("densenet",), QT_TRANSLATE_NOOP("core", "concatenates each layer's output with all the maps before it (dense connections)")),
    (("googlenet", "inception"), QT_TRANSLATE_NOOP("core", "runs parallel branches of convolutions and concatenates them (Inception modules)")),
    (("mobilenet_v2", "mnasnet"), QT_TRANSLATE_NOOP("core", "adds each inverted-residual block's input to its output (residual blocks)")),
    (("mobilenet_v3", "efficientnet"), QT_TRANSLATE_NOOP("core", "adds residual connections and multiplies maps by weights computed from "
                                       "themselves (squeeze-and-excitation)")),
    (("regnet",), QT_TRANSLATE_NOOP("core", "adds each block's input to its output (residual blocks, with squeeze-and-excitation in RegNetY)")),
    (("shufflenet",), QT_TRANSLATE_NOOP("core", "splits the channels into two branches and shuffles them back together (channel shuffle)")),
    (("squeezenet",), QT_TRANSLATE_NOOP("core", "runs parallel 1x1 and 3x3 convolutions and concatenates them (Fire modules)")),
    (("convnext",), QT_TRANSLATE_NOOP("core", "adds each block's input to its output, scaled per channel (layer scale), with LayerNorm")),
    (("swin", "maxvit"), QT_TRANSLATE_NOOP("core", "uses self-attention over windows of the image and residual connections")),
    (("vit",), QT_TRANSLATE_NOOP("core", "cuts the image into patches and relates them with self-attention (a transformer)")),
)


def _family_reason(name: str) -> str | None:
    for prefixes, why in _FAMILY_REASONS:
        if any(name.startswith(p) for p in prefixes):
            return Msg(why)
    return None


def _refusal(title: str, why: str) -> Msg:
    return Msg(QT_TRANSLATE_NOOP("core", "{title} {why}; convviz computes a plain chain of layers, one after another"),
               title=title, why=why)


# --- modules to specs --------------------------------------------------------------------------

def _p(v):
    """torch's (a, b) as convviz writes it: a single number when both are equal."""
    if isinstance(v, (tuple, list)):
        v = tuple(int(x) if not isinstance(x, str) else x for x in v)
        return v[0] if len(v) == 2 and v[0] == v[1] else list(v)
    return v


def _conv_args(m) -> dict:
    d = {"in_channels": m.in_channels, "out_channels": m.out_channels, "kernel_size": _p(m.kernel_size),
         "stride": _p(m.stride), "padding": m.padding if isinstance(m.padding, str) else _p(m.padding),
         "dilation": _p(m.dilation), "groups": m.groups, "bias": m.bias is not None,
         "padding_mode": m.padding_mode}
    return d


def _spec_args(m) -> tuple[str, dict] | None:
    """(type, constructor arguments) of a torch.nn module convviz can express, None for a module
    that does nothing (Identity); raises ZooError for one it cannot express."""
    from torch import nn
    t = type(m)
    if t is nn.Identity:
        return None
    if t is nn.Conv2d:
        return "Conv2d", _conv_args(m)
    if t is nn.ConvTranspose2d:
        d = _conv_args(m)
        d["output_padding"] = _p(m.output_padding)
        return "ConvTranspose2d", d
    if t is nn.MaxPool2d:
        if m.return_indices:
            raise ZooError("MaxPool2d(return_indices=True) returns two tensors, which a chain cannot pass on")
        return "MaxPool2d", {"kernel_size": _p(m.kernel_size), "stride": _p(m.stride), "padding": _p(m.padding),
                             "dilation": _p(m.dilation), "ceil_mode": bool(m.ceil_mode)}
    if t is nn.AvgPool2d:
        return "AvgPool2d", {"kernel_size": _p(m.kernel_size), "stride": _p(m.stride), "padding": _p(m.padding),
                             "ceil_mode": bool(m.ceil_mode), "count_include_pad": bool(m.count_include_pad),
                             "divisor_override": m.divisor_override}
    if t in (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d):
        size = m.output_size
        if size is None or (isinstance(size, (tuple, list)) and None in size):
            raise ZooError(f"{t.__name__}(output_size={size!r}) keeps a size of its input, which convviz does not "
                           f"express")
        d = {"output_size": _p(size)}
        if t is nn.AdaptiveMaxPool2d:
            if m.return_indices:
                raise ZooError("AdaptiveMaxPool2d(return_indices=True) returns two tensors, which a chain cannot "
                               "pass on")
        return t.__name__, d
    if t is nn.BatchNorm2d:
        if m.momentum is None:
            raise ZooError("BatchNorm2d(momentum=None) keeps a cumulative average, which convviz does not express")
        return "BatchNorm2d", {"num_features": m.num_features, "eps": float(m.eps), "momentum": float(m.momentum),
                               "affine": bool(m.affine), "track_running_stats": bool(m.track_running_stats)}
    if t is nn.ReLU:
        return "ReLU", {}  # inplace changes nothing that a map shows
    if t is nn.LeakyReLU:
        return "LeakyReLU", {"negative_slope": float(m.negative_slope)}
    if t is nn.Sigmoid:
        return "Sigmoid", {}
    if t is nn.Tanh:
        return "Tanh", {}
    if t is nn.GELU:
        return "GELU", {"approximate": m.approximate}
    if t is nn.Flatten:
        return "Flatten", {"start_dim": m.start_dim, "end_dim": m.end_dim}
    if t is nn.Linear:
        return "Linear", {"in_features": m.in_features, "out_features": m.out_features, "bias": m.bias is not None}
    if t is nn.Dropout:
        return "Dropout", {"p": float(m.p), "inplace": bool(m.inplace)}
    raise ZooError(f"{t.__name__} is a layer convviz cannot express (it has Conv2d, ConvTranspose2d, pools, "
                   f"BatchNorm2d, activations, Flatten, Linear and Dropout)")


_EXPRESSIBLE = ("Identity", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
                "AdaptiveMaxPool2d", "BatchNorm2d", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "Flatten", "Linear",
                "Dropout")


def _first_unexpressible(model) -> tuple[str, str] | None:
    """(module name, type) of the first leaf module that is not a torch.nn layer convviz has."""
    from torch import nn
    for name, m in model.named_modules():
        if next(m.children(), None) is None and not (type(m).__name__ in _EXPRESSIBLE
                                                      and type(m) is getattr(nn, type(m).__name__, None)):
            return type(m).__name__, name
    return None


def _make(kind: str, args: dict, where: str) -> LayerSpec:
    """A spec with the arguments that differ from torch's defaults (and the inferred input
    sizes, always written so a reader of the file sees the shapes); ZooError naming ``where``."""
    from .spec import LAYER_TYPES
    try:
        schema = LAYER_TYPES[kind]
        given = {}
        for a in schema.args:
            if a.name in args and args[a.name] != a.default:
                given[a.name] = args[a.name]
        # in_channels / num_features / in_features are always written: a reader sees the shapes
        for a in schema.args:
            if a.inferred and a.name in args:
                given[a.name] = args[a.name]
        return LayerSpec.make(kind, **{a.name: given[a.name] for a in schema.args if a.name in given})
    except SpecError as e:
        raise ZooError(f"{where} ({kind}): {e}") from None


def _convert_graph(gm, title: str) -> list[LayerSpec]:
    """The specs of a traced module whose graph is a plain chain; ZooError naming the first step
    that is not (a branch, a merge, or something convviz cannot express)."""
    import operator

    import torch
    import torch.nn.functional as F
    nodes = [n for n in gm.graph.nodes]
    specs: list[LayerSpec] = []
    placeholders = [n for n in nodes if n.op == "placeholder"]
    if len(placeholders) != 1:
        raise ZooError(_refusal(title, f"takes {len(placeholders)} inputs"))
    prev = placeholders[0]
    for node in nodes:
        if node.op in ("placeholder", "get_attr") and node is not prev:
            if node.op == "get_attr":
                raise ZooError(_refusal(title, f"reads its own tensor {node.target} in forward"))
            continue
        if node is prev:
            continue
        inputs = node.all_input_nodes
        if len(prev.users) > 1 or inputs != [prev]:
            raise ZooError(_refusal(title, _merge_reason(nodes, node)))
        if node.op == "output":
            break
        where = f"{node.target}" if node.op == "call_module" else getattr(node.target, "__name__", str(node.target))
        if node.op == "call_module":
            m = gm.get_submodule(node.target)
            try:
                got = _spec_args(m)
            except ZooError as e:
                raise ZooError(_refusal(title, f"uses {where}: {e}")) from None
            if got is not None:
                specs.append(_make(got[0], got[1], where))
        elif node.op in ("call_function", "call_method") and node.target in (torch.flatten, "flatten"):
            start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
            end = node.args[2] if len(node.args) > 2 else node.kwargs.get("end_dim", -1)
            specs.append(_make("Flatten", {"start_dim": start, "end_dim": end}, "torch.flatten"))
        elif node.op in ("call_function", "call_method") and node.target in (torch.relu, F.relu, "relu"):
            specs.append(LayerSpec("ReLU"))
        elif node.op == "call_function" and node.target is operator.getitem:
            raise ZooError(_refusal(title, "picks one of several outputs of a step"))
        else:
            raise ZooError(_refusal(title, f"calls {where} in its forward, which convviz cannot express as a layer"))
        prev = node
    return specs


def _merge_reason(nodes, at) -> str:
    """Why the graph stops being a chain at ``at``: the first step that reads more than one
    earlier result, by what it does."""
    import operator

    import torch
    start = nodes.index(at)
    for node in nodes[start:]:
        if node.op != "output" and len(node.all_input_nodes) > 1:
            t = node.target
            if t in (operator.add, torch.add, "add", operator.iadd, "add_"):
                return Msg(QT_TRANSLATE_NOOP("core", "adds an earlier result to a later one (skip connections)"))
            if t in (torch.cat, torch.concat, torch.stack):
                return Msg(QT_TRANSLATE_NOOP("core", "concatenates the results of parallel branches"))
            if t in (operator.mul, torch.mul, "mul", operator.imul, "mul_"):
                return Msg(QT_TRANSLATE_NOOP("core", "multiplies maps by weights computed from themselves "
                                                     "(squeeze-and-excitation or gating)"))
            name = getattr(t, "__name__", str(t))
            return Msg(QT_TRANSLATE_NOOP("core", "combines two earlier results with {name}"), name=name)
    return Msg(QT_TRANSLATE_NOOP("core", "uses one result in more than one place (parallel branches)"))


def from_module(module, title: str | None = None) -> list[LayerSpec]:
    """The convviz layers of a chain of torch.nn modules: an ``nn.Sequential`` (nested ones
    too) or any module whose forward, traced with torch.fx, calls one step after another
    (``torch.flatten`` becomes Flatten, Identity is dropped).  Raises ZooError naming the first
    module or step convviz cannot express."""
    import torch.fx
    title = title or type(module).__name__
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gm = torch.fx.symbolic_trace(module)
    except Exception as e:  # noqa: BLE001 - whatever tracing raises: one sentence
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ZooError(_refusal(title, f"has a forward that cannot be traced as a chain ({escape(first, 160)})")) \
            from None
    return _convert_graph(gm, title)


# --- the architectures torchvision defines ------------------------------------------------------

@dataclass(frozen=True)
class Architecture:
    name: str  # torchvision's name: "vgg16"
    title: str  # "VGG-16"
    chain: bool  # whether it is a plain chain convviz can compute
    reason: str = ""  # why not, one sentence ("" when it is a chain)
    weights: str = ""  # the default ImageNet weights' enum name ("IMAGENET1K_V1"), "" when none
    parameters: int = 0  # 0 when unknown


_ARCHITECTURES: list[Architecture] | None = None
_SPECS: dict[str, tuple[LayerSpec, ...]] = {}


_SKIP_INIT = threading.local()
_INIT_WRAPPED = False
_INIT_LOCK = threading.Lock()


def _wrap_init() -> None:
    """Let torch.nn.init's functions do nothing in a thread that builds a model on the meta
    device only to examine it (drawing random numbers for tensors that hold none cost about
    two thirds of examining all 80 architectures: 10 of 16 s).  Other threads are unaffected:
    each wrapper calls the real function unless its own thread asked to skip."""
    global _INIT_WRAPPED
    with _INIT_LOCK:
        if _INIT_WRAPPED:
            return
        from torch.nn import init
        for name in dir(init):
            f = getattr(init, name)
            if name.endswith("_") and not name.startswith("_") and callable(f):
                def wrapper(tensor, *args, _f=f, **kwargs):
                    if getattr(_SKIP_INIT, "on", False):
                        return tensor
                    return _f(tensor, *args, **kwargs)
                wrapper.__name__, wrapper.__doc__, wrapper.__wrapped__ = f.__name__, f.__doc__, f
                setattr(init, name, wrapper)
        _INIT_WRAPPED = True


def _build_meta(name: str):
    """torchvision's ``name`` on the meta device (shapes, no numbers), with its initialisation
    skipped in this thread."""
    import torch
    tv = load_torchvision()
    _wrap_init()
    _SKIP_INIT.on = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with torch.device("meta"):
                return tv.models.get_model(name)
    finally:
        _SKIP_INIT.on = False


def _default_weights(name: str):
    tv = load_torchvision()
    try:
        return tv.models.get_model_weights(name).DEFAULT
    except (ValueError, KeyError, AttributeError):
        return None


def _examine(name: str) -> Architecture:
    title = title_of(name)
    w = _default_weights(name)
    wname = w.name if w is not None else ""
    params = int(w.meta.get("num_params", 0)) if w is not None else 0
    family = _family_reason(name)
    try:
        model = _build_meta(name)
    except Exception as e:  # noqa: BLE001 - a model that cannot even be built on the meta device
        why = family or f"cannot be built to be examined ({escape(str(e).splitlines()[0] if str(e) else e, 120)})"
        return Architecture(name, title, False, _refusal(title, why), wname, params)
    if not params:
        params = sum(p.numel() for p in model.parameters())
    unknown = _first_unexpressible(model)
    if unknown is not None:  # no need to trace it: one of its layers has no convviz spec
        why = family or Msg(QT_TRANSLATE_NOOP("core", "uses {type} ({name}), a layer convviz cannot express"),
                            type=unknown[0], name=unknown[1])
        return Architecture(name, title, False, _refusal(title, why), wname, params)
    try:
        specs = from_module(model, title)
    except ZooError as e:
        text = e.args[0] if e.args else str(e)  # a messages.Msg: the GUI translates it
        if family and ("combines" in text or "adds" in text or "concatenates" in text or "multiplies" in text
                       or "more than one place" in text or "picks" in text or "calls" in text or "uses" in text
                       or "traced" in text):
            text = _refusal(title, family)
        return Architecture(name, title, False, text, wname, params)
    from .validate import analyze
    info = analyze((3, 224, 224), specs)
    if not info.ok:
        return Architecture(name, title, False, Msg(QT_TRANSLATE_NOOP("core", "{title} does not compute at 3x224x224 "
                                                                              "in convviz: {why}"),
                                                    title=title, why=info.first_error.error), wname, params)
    _SPECS[name] = tuple(specs)
    return Architecture(name, title, True, "", wname, params)


def architectures() -> list[Architecture]:
    """Every classification architecture torchvision lists, each examined (built on the meta
    device and traced): chains convviz can compute, and the others with their reason.  Cached;
    the first call takes a few seconds.  Raises ZooError when torchvision cannot be used."""
    global _ARCHITECTURES
    if _ARCHITECTURES is None:
        tv = load_torchvision()
        names = sorted(tv.models.list_models(module=tv.models))
        _ARCHITECTURES = [_examine(n) for n in names]
    return list(_ARCHITECTURES)


def architecture(name: str) -> Architecture:
    """One architecture by its torchvision name (examined alone, cached); ZooError for a name
    torchvision does not define as a classification model."""
    if _ARCHITECTURES is not None:
        for a in _ARCHITECTURES:
            if a.name == name:
                return a
    tv = load_torchvision()
    names = sorted(tv.models.list_models(module=tv.models))
    if name not in names:
        close = [n for n in names if n.startswith(name[:3])][:6] if name else []
        hint = Msg(QT_TRANSLATE_NOOP("core", " (did you mean {names}?)"), names=", ".join(close)) if close else ""
        raise ZooError(Msg(QT_TRANSLATE_NOOP("core", "torchvision has no classification model named {name}{hint}"),
                           name=escape(name, 80), hint=hint))
    return _examine(name)


def import_architecture(name: str):
    """The architecture as a convviz Project: 3x224x224, the astronaut, centre-cropped and
    normalised as its ImageNet weights expect, ``labels="imagenet1k"`` when it ends in 1,000
    logits.  Raises ZooError for an unknown or refused name."""
    from dataclasses import replace as _replace

    from .project import InputSpec, Project
    arch = architecture(name)
    if not arch.chain:
        raise ZooError(arch.reason)
    specs = _SPECS.get(name)
    if specs is None:
        _examine(name)
        specs = _SPECS[name]
    info = official_weights(name)
    inp = InputSpec(3, 224, 224, "sample:astronaut", fit="crop")
    labels = ""
    if info is not None:
        inp = _replace(inp, height=info.crop, width=info.crop, resize=info.resize, mean=info.mean, std=info.std)
        from .validate import analyze
        out = analyze(inp.shape, specs).layers[-1].out_shape
        if out is not None and out[-1] == len(info.categories) == 1000:
            labels = "imagenet1k"
    return Project(inp, tuple(specs), 0, (), f"{arch.title} (torchvision)", labels=labels)


# --- official weights --------------------------------------------------------------------------

@dataclass(frozen=True)
class WeightsInfo:
    name: str  # "vgg16"
    url: str
    filename: str  # "vgg16-397923af.pth"
    size_bytes: int  # as torchvision states it (approximate to a few hundred bytes)
    sha256_prefix: str  # "397923af": the start of the file's SHA-256, as torch.hub checks it
    categories: tuple[str, ...] = ()
    resize: int = 256
    crop: int = 224
    mean: tuple[float, ...] = (0.485, 0.456, 0.406)
    std: tuple[float, ...] = (0.229, 0.224, 0.225)


def official_weights(name: str) -> WeightsInfo | None:
    """The default ImageNet checkpoint torchvision names for ``name``, or None (no weights, or
    torchvision unusable)."""
    if torchvision_problem():
        return None
    w = _default_weights(name)
    if w is None:
        return None
    filename = os.path.basename(w.url)
    m = re.search(r"-([0-9a-f]{6,})\.", filename)
    try:
        t = w.transforms()
        resize = int(t.resize_size[0])
        crop = int(t.crop_size[0])
        mean, std = tuple(float(v) for v in t.mean), tuple(float(v) for v in t.std)
    except (AttributeError, TypeError, IndexError):
        resize, crop, mean, std = 256, 224, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    size = int(round(float(w.meta.get("_file_size", 0)) * (1 << 20)))
    return WeightsInfo(name, w.url, filename, size, m.group(1) if m else "", tuple(w.meta.get("categories") or ()),
                       resize, crop, mean, std)


def checkpoint_dir() -> str:
    """torch.hub's checkpoint folder ($TORCH_HOME/hub/checkpoints), where torchvision keeps
    downloaded weights."""
    import torch.hub
    return os.path.join(torch.hub.get_dir(), "checkpoints")


def cached_checkpoint(name: str) -> str | None:
    """The official checkpoint of ``name`` in torch.hub's cache, if it is there."""
    info = official_weights(name)
    if info is None:
        return None
    path = os.path.join(checkpoint_dir(), info.filename)
    return path if os.path.isfile(path) else None


def download(info: WeightsInfo, dest_dir: str | None = None, progress: Callable[[int, int], None] | None = None,
             cancelled: Callable[[], bool] | None = None, chunk: int = 1 << 20) -> str:
    """Fetch ``info.url`` into ``dest_dir`` (torch.hub's checkpoint folder by default) and
    return the file's path.  Called only when the user asks.  A temporary file is written and
    renamed once complete and its SHA-256 starts with ``info.sha256_prefix``;
    ``progress(done_bytes, total_bytes)`` after each chunk; ``cancelled()`` turning true stops,
    removes the temporary file and raises ZooError("download cancelled").  Any network or disk
    failure is one ZooError sentence and leaves nothing behind."""
    import secrets
    import socket
    import urllib.error
    import urllib.request
    dest_dir = dest_dir or checkpoint_dir()
    target = os.path.join(dest_dir, info.filename)
    tmp = os.path.join(dest_dir, f".{info.filename}.{secrets.token_hex(4)}.part")
    shown = escape(info.url, 200)
    try:
        os.makedirs(dest_dir, exist_ok=True)
        with urllib.request.urlopen(info.url, timeout=30) as response:  # noqa: S310 - https/http URLs only
            total = int(response.headers.get("Content-Length") or 0) or info.size_bytes
            digest = hashlib.sha256()
            done = 0
            with open(tmp, "wb") as f:
                while True:
                    if cancelled is not None and cancelled():
                        raise ZooError(Msg(QT_TRANSLATE_NOOP("core", "download cancelled")))
                    block = response.read(chunk)
                    if not block:
                        break
                    f.write(block)
                    digest.update(block)
                    done += len(block)
                    if progress is not None:
                        progress(done, total)
                f.flush()
                os.fsync(f.fileno())
        if info.sha256_prefix and not digest.hexdigest().startswith(info.sha256_prefix):
            raise ZooError(Msg(QT_TRANSLATE_NOOP("core", "the file downloaded from {url} is not the checkpoint torchvision "
                                                         "names (its SHA-256 starts {got}, not {want}) — it was not "
                                                         "kept"), url=shown, got=digest.hexdigest()[:8],
                               want=info.sha256_prefix))
        os.replace(tmp, target)
        return target
    except ZooError:
        _remove(tmp)
        raise
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, ValueError) as e:
        _remove(tmp)
        why = getattr(e, "reason", None) or e
        raise ZooError(Msg(QT_TRANSLATE_NOOP("core", "could not download {url}: {why} — check the network connection"),
                           url=shown, why=escape(why, 200))) from None
    except OSError as e:
        _remove(tmp)
        raise ZooError(Msg(QT_TRANSLATE_NOOP("core", "could not save the download to {folder}: {why}"),
                           folder=escape(dest_dir, 200), why=escape(e.strerror or e, 200))) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# --- class names and predictions -----------------------------------------------------------------

LABEL_SETS = ("imagenet1k",)


def class_names(labels: str) -> tuple[str, ...] | None:
    """The class names of a label set: "imagenet1k" -> torchvision's 1,000 ImageNet names (from
    the installed package, offline); None for "" or an unknown set, or without torchvision."""
    if labels != "imagenet1k" or torchvision_problem():
        return None
    try:
        from torchvision.models._meta import _IMAGENET_CATEGORIES
    except ImportError:
        w = _default_weights("alexnet")
        return tuple(w.meta["categories"]) if w is not None else None
    return tuple(_IMAGENET_CATEGORIES)


def top_k(logits: Sequence[float] | np.ndarray, k: int = 5) -> list[tuple[int, float]]:
    """The ``k`` most probable classes of one logit vector: [(index, softmax probability)],
    most probable first (ties by index)."""
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    if z.size == 0:
        return []
    z = np.where(np.isnan(z), -np.inf, z)  # a NaN logit is no evidence for its class
    if np.isposinf(z).any():
        p = np.isposinf(z) / np.count_nonzero(np.isposinf(z))
    elif np.isneginf(z).all():
        p = np.full(z.size, 1.0 / z.size)
    else:
        e = np.exp(z - np.max(z))
        p = e / e.sum()
    order = np.lexsort((np.arange(z.size), -p))[: max(0, int(k))]
    return [(int(i), float(p[i])) for i in order]
