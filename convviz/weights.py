"""Trained weights: saved beside the project as a ``.safetensors`` file, loaded back with a
sentence for anything that does not fit, carried across edits.  Qt-free; torch only for the
``.pt``/``.pth`` files of other programs, imported when one is read.

Weights are a mapping ``{layer index: {name: array}}``: each layer's torch ``state_dict``
(parameters and buffers: a Conv2d's ``weight`` and ``bias``, a BatchNorm2d's running
statistics, a DepthwiseSeparable block's ``0.weight`` ... ``1.bias``), as numpy arrays.  In a
file the keys are ``"{index}.{name}"``, exactly the keys of the ``state_dict`` of the
``nn.Sequential`` that the exported PyTorch code builds, so ``model.load_state_dict(
safetensors.torch.load_file(path))`` works there too.

Safety: a ``.safetensors`` file is a JSON header and raw numbers, read without running
anything; a ``.pt``/``.pth`` file is a pickle and is read only through ``torch.load(path,
weights_only=True)``, which refuses any object but tensors and plain containers.  Nothing in
convviz unpickles arbitrary objects.

Files are written atomically (a temporary file beside the target, flushed, then os.replace);
``save_project`` writes the weights first and then the project that names them, so a project
on disk never names weights that are not there.
"""
from __future__ import annotations

import difflib
import json
import os
import stat
import struct
from dataclasses import dataclass, replace
from typing import Any, Mapping

import numpy as np

from .messages import escape
from .project import write_atomic
from .spec import pair

Weights = Mapping[int, Mapping[str, np.ndarray]]

SUFFIXES = (".safetensors", ".pt", ".pth")
MAX_WEIGHTS_BYTES = 4 << 30  # VGG-16 in float32 is 553 MB
FORMAT = "convviz-weights"


class WeightsError(ValueError):
    """Weights that cannot be read or written at all (one sentence)."""


# --- what each layer holds -----------------------------------------------------------------------

def layer_state_shapes(spec, in_shape) -> dict[str, tuple[int, ...]]:
    """The names and shapes of a layer's ``state_dict`` (parameters and buffers), as torch makes
    them, from the spec and the shape it reads; ``{}`` for layers without any."""
    t = spec.type
    if in_shape is None:
        return {}
    c = in_shape[0]
    out: dict[str, tuple[int, ...]] = {}
    if t in ("Conv2d", "ConvTranspose2d"):
        co, g = spec.get("out_channels"), spec.get("groups")
        kh, kw = pair(spec.get("kernel_size"))
        out["weight"] = (co, c // g, kh, kw) if t == "Conv2d" else (c, co // g, kh, kw)
        if spec.get("bias"):
            out["bias"] = (co,)
    elif t == "DepthwiseSeparable":
        co = spec.get("out_channels")
        kh, kw = pair(spec.get("kernel_size"))
        bias = spec.get("bias")
        out["0.weight"] = (c, 1, kh, kw)
        if bias:
            out["0.bias"] = (c,)
        out["1.weight"] = (co, c, 1, 1)
        if bias:
            out["1.bias"] = (co,)
    elif t == "BatchNorm2d":
        if spec.get("affine"):
            out["weight"] = out["bias"] = (c,)
        if spec.get("track_running_stats"):
            out["running_mean"] = out["running_var"] = (c,)
            out["num_batches_tracked"] = ()
    elif t == "Linear":
        fo = spec.get("out_features")
        out["weight"] = (fo, in_shape[-1])
        if spec.get("bias"):
            out["bias"] = (fo,)
    return out


def state_shapes(project) -> list[dict[str, tuple[int, ...]]]:
    """Per layer of ``project``, its state_dict's names and shapes ({} for an invalid layer)."""
    info = project.analyze()
    return [layer_state_shapes(l.spec, l.in_shape) if l.ok else {} for l in info.layers]


def shape_text(shape) -> str:
    shape = tuple(shape)
    return "x".join(map(str, shape)) if shape else "a single number"


def _label(project, i: int) -> str:
    return f"layer {i} ({project.layers[i].type})"


# --- checking weights against a project ----------------------------------------------------------

@dataclass(frozen=True)
class Loaded:
    """Weights that fit the project (read-only float32 arrays; integer counters stay int64), the
    layers that got them, and one sentence per thing that did not fit (those layers keep their
    initial weights)."""

    weights: Mapping[int, Mapping[str, np.ndarray]]
    loaded: tuple[int, ...] = ()
    problems: tuple[str, ...] = ()
    metadata: Mapping[str, str] | None = None


def _frozen(a) -> np.ndarray:
    a = np.array(a, copy=True)
    if a.dtype.kind == "f" and a.dtype != np.float32:
        a = a.astype(np.float32)
    a.setflags(write=False)
    return a


def split_keys(flat: Mapping[str, Any]) -> tuple[dict[int, dict[str, Any]], list[str]]:
    """``{"3.weight": a}`` -> ``{3: {"weight": a}}``; a common ``module.`` / ``model.`` prefix
    (DataParallel, checkpoints) is dropped.  Returns the keys that name no layer as well."""
    keys = list(flat)
    for prefix in ("module.", "model."):
        if keys and all(k.startswith(prefix) for k in keys):
            flat = {k[len(prefix):]: v for k, v in flat.items()}
            break
    out: dict[int, dict[str, Any]] = {}
    bad = []
    for k, v in flat.items():
        head, _, rest = k.partition(".")
        if head.isdigit() and head.isascii() and rest and len(head) < 6:
            out.setdefault(int(head), {})[rest] = v
        else:
            bad.append(k)
    return out, bad


def check_weights(project, weights: Mapping[int, Mapping[str, Any]], source: str = "the weights file",
                  extra_keys: list[str] | tuple[str, ...] = (), names: Mapping[int, str] | None = None) -> Loaded:
    """Keep what fits ``project`` layer by layer: a layer gets its weights only when the names
    and shapes of its whole state match; otherwise it keeps its initial weights and a sentence
    says which layer and which shape.  ``names`` (layer -> the module name its weights have in
    the file, e.g. ``features.0``) makes each sentence name the file's key too."""
    shapes = state_shapes(project)

    def key(i: int, k: str) -> str:
        return f"{k} ({escape(names[i], 80)}.{k} in the file)" if names and i in names else k
    problems: list[str] = []
    if extra_keys:
        names = ", ".join(escape(k, 60) for k in list(extra_keys)[:3])
        more = f" and {len(extra_keys) - 3} more" if len(extra_keys) > 3 else ""
        problems.append(f"{source} has entries that name no layer ({names}{more}; convviz reads names such as "
                        f"0.weight) — ignored")
    kept: dict[int, dict[str, np.ndarray]] = {}
    n = len(project.layers)
    for i in sorted(weights):
        got = weights[i]
        if i >= n:
            problems.append(f"{source} has weights for layer {i}, which this project does not have (it has {n} "
                            f"layers) — ignored")
            continue
        need = shapes[i]
        if not need:
            why = "is invalid" if not project.analyze().layers[i].ok else "has no weights"
            problems.append(f"{_label(project, i)} {why}, but {source} has {', '.join(escape(k, 40) for k in sorted(got))} "
                            f"for it — ignored")
            continue
        missing = [k for k in need if k not in got]
        unknown = sorted(k for k in got if k not in need)
        wrong = [k for k in need if k in got and tuple(np.shape(got[k])) != need[k]]
        numeric = [k for k in need if k in got and np.asarray(got[k]).dtype.kind not in "fiub"]
        if missing or unknown:
            what = (f"{source} lacks {', '.join(key(i, k) for k in missing)}" if missing else
                    f"{source} has {', '.join(key(i, escape(k, 40)) for k in unknown)}, which it does not")
            problems.append(f"{_label(project, i)} holds {', '.join(need)}; {what} — it keeps its initial weights")
            continue
        if wrong:
            k = wrong[0]
            problems.append(f"{_label(project, i)}: {key(i, k)} is {shape_text(np.shape(got[k]))} in {source}, but "
                            f"the layer needs {shape_text(need[k])} — it keeps its initial weights")
            continue
        if numeric:
            problems.append(f"{_label(project, i)}: {numeric[0]} in {source} is not numbers — it keeps its initial "
                            f"weights")
            continue
        kept[i] = {k: _frozen(got[k]) for k in need}
    missing_layers = [i for i, s in enumerate(shapes) if s and i not in weights]
    if kept and missing_layers:
        names = ", ".join(_label(project, i) for i in missing_layers[:4])
        more = f" and {len(missing_layers) - 4} more" if len(missing_layers) > 4 else ""
        problems.append(f"{source} has no weights for {names}{more} — {'they keep' if len(missing_layers) > 1 else 'it keeps'} "
                        f"initial weights")
    return Loaded(kept, tuple(sorted(kept)), tuple(problems))


# --- carrying weights across an edit -------------------------------------------------------------

@dataclass(frozen=True)
class Carried:
    """Weights after an edit: those kept (re-indexed to the new stack), the new layers that
    kept trained weights, and the layers with weights that are back to their initial ones."""

    weights: Mapping[int, Mapping[str, np.ndarray]]
    kept: tuple[int, ...]
    reset: tuple[int, ...]

    def sentence(self, project) -> str | None:
        """What the user is told, or None when nothing was reset."""
        if not self.reset:
            return None
        names = ", ".join(_label(project, i) for i in self.reset)
        verb = "is" if len(self.reset) == 1 else "are"
        return f"{names} {verb} back to initial weights (the edit changed {'its' if len(self.reset) == 1 else 'their'} " \
               f"shape or kernel); the other layers keep what they learned"


def layer_alignment(old, new) -> dict[int, int]:
    """Which layer of ``old`` each layer of ``new`` continues: unchanged layers by a sequence
    alignment (so an inserted or deleted layer shifts the rest), edited ones position by
    position within a changed stretch."""
    matcher = difflib.SequenceMatcher(None, [s.type for s in old.layers], [s.type for s in new.layers],
                                      autojunk=False)
    out: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for k in range(min(i2 - i1, j2 - j1)):
                out[j1 + k] = i1 + k
    return out


def carry_over(old, new, weights: Mapping[int, Mapping[str, np.ndarray]],
               alignment: Mapping[int, int] | None = None) -> Carried:
    """The trained ``weights`` of project ``old`` moved onto ``new`` after an edit (a pure
    function): a layer keeps its weights when it continues an old layer (``alignment``:
    new index -> old index; default ``layer_alignment``) of the same type, the same kernel
    choice and the same state names and shapes.  Every other layer that holds weights starts
    from its initial ones and is listed in ``reset`` (when there were trained weights at all)."""
    alignment = layer_alignment(old, new) if alignment is None else alignment
    old_shapes, new_shapes = state_shapes(old), state_shapes(new)
    kept: dict[int, Mapping[str, np.ndarray]] = {}
    reset = []
    for j, need in enumerate(new_shapes):
        if not need:
            continue
        i = alignment.get(j)
        if (i is not None and i in weights and 0 <= i < len(old.layers) and old.layers[i].type == new.layers[j].type
                and old.kernels[i] == new.kernels[j] and old_shapes[i] == need
                and {k: tuple(np.shape(v)) for k, v in weights[i].items()} == need):
            kept[j] = weights[i]
        elif weights:
            reset.append(j)
    return Carried(kept, tuple(sorted(kept)), tuple(reset))


# --- files -----------------------------------------------------------------------------------------

def _read_regular(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (a folder, FIFO or device is
    refused without waiting on it)."""
    shown = escape(path, 300)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as e:
        raise WeightsError(f"cannot read {shown}: {escape(getattr(e, 'strerror', None) or e, 200)}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise WeightsError(f"{shown} is a folder, not a weights file")
        if not stat.S_ISREG(st.st_mode):
            raise WeightsError(f"{shown} is not a regular file (a device, a pipe or a socket)")
        if st.st_size > limit:
            raise WeightsError(f"{shown} is {st.st_size:,} bytes, more than convviz reads as weights ({limit:,})")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(limit + 1)
    except OSError as e:
        raise WeightsError(f"cannot read {shown}: {escape(e.strerror or e, 200)}") from None
    finally:
        os.close(fd)


def _safetensors_metadata(data: bytes) -> dict[str, str]:
    try:
        (n,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + n])
        meta = header.get("__metadata__") or {}
        return {str(k): str(v) for k, v in meta.items()} if isinstance(meta, dict) else {}
    except (struct.error, ValueError, AttributeError, RecursionError):
        return {}


def read_safetensors(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """(tensors by key, metadata) of a .safetensors file; raises WeightsError with a sentence."""
    from safetensors import SafetensorError
    from safetensors.numpy import load
    data = _read_regular(path, MAX_WEIGHTS_BYTES)
    try:
        flat = load(data)
    except SafetensorError as e:
        if "dtype" not in str(e).lower() and "bf16" not in str(e).lower():
            raise WeightsError(f"{escape(path, 300)} is not a readable safetensors file ({escape(e, 200)})") from None
        flat = _safetensors_via_torch(data, path)  # bfloat16 and the like: numpy has no such type
    except Exception as e:  # noqa: BLE001 - whatever the bytes are, one sentence
        raise WeightsError(f"{escape(path, 300)} is not a readable safetensors file ({escape(e, 200)})") from None
    return flat, _safetensors_metadata(data)


def _safetensors_via_torch(data: bytes, path: str) -> dict[str, np.ndarray]:
    try:
        from safetensors.torch import load
        return {k: v.float().numpy() if v.is_floating_point() else v.numpy() for k, v in load(data).items()}
    except Exception as e:  # noqa: BLE001
        raise WeightsError(f"{escape(path, 300)} holds numbers convviz cannot read ({escape(e, 200)})") from None


def read_state_dict(path: str) -> dict[str, np.ndarray]:
    """A torch ``state_dict`` saved with ``torch.save`` (.pt/.pth), read only through
    ``torch.load(path, weights_only=True)``: a file holding anything but tensors and plain
    containers is refused with a sentence, and none of its code runs."""
    shown = escape(path, 300)
    try:
        st = os.stat(path)
    except (OSError, ValueError) as e:
        raise WeightsError(f"cannot read {shown}: {escape(getattr(e, 'strerror', None) or e, 200)}") from None
    if not stat.S_ISREG(st.st_mode):
        raise WeightsError(f"{shown} is not a regular file (a folder, a device, a pipe or a socket)")
    if st.st_size > MAX_WEIGHTS_BYTES:
        raise WeightsError(f"{shown} is {st.st_size:,} bytes, more than convviz reads as weights "
                           f"({MAX_WEIGHTS_BYTES:,})")
    import pickle

    import torch
    import warnings
    try:
        with warnings.catch_warnings():  # torch's notes on pickle protocols are not the user's concern
            warnings.simplefilter("ignore")
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, ValueError, TypeError, AttributeError, EOFError, KeyError,
            ImportError, OSError) as e:
        text = str(e)
        if "weights_only" in text or "Unsupported global" in text or "unpickl" in text.lower():
            raise WeightsError(f"{shown} is not a plain state_dict: it holds Python objects, which convviz does not "
                               f"load (only tensors, read with torch.load(weights_only=True))") from None
        raise WeightsError(f"{shown} is not a readable PyTorch file ({escape(text.splitlines()[0] if text else e, 200)})") \
            from None
    if isinstance(obj, Mapping):
        for key in ("state_dict", "model_state_dict", "model"):
            if key in obj and isinstance(obj[key], Mapping) and len(obj) <= 8:
                obj = obj[key]
                break
    if not isinstance(obj, Mapping) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                               for k, v in obj.items()):
        raise WeightsError(f"{shown} is not a state_dict (a mapping from names such as 0.weight to tensors)")
    return {k: (v.detach().float() if v.is_floating_point() else v.detach()).cpu().numpy() for k, v in obj.items()}


def _natural(name: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in name.split("."))


def align_modules(flat: Mapping[str, Any], project) -> tuple[dict[int, dict[str, Any]], dict[int, str], list[str],
                                                              list[str]]:
    """Weights named by another program's modules (torchvision's ``features.0.weight``,
    ``classifier.6.bias``, ...) matched to the project's layers that hold state, in order.

    Keys are grouped by module (all but the last name part; a DepthwiseSeparable layer takes
    two consecutive modules, its ``0.`` and ``1.``).  A state_dict lists modules in the order
    they were registered, which is the order forward runs them for a chain; a safetensors file
    keeps no order, so the modules are put in natural order (``features.2`` before
    ``features.10``) within each top-level name, and the top-level names (``features``,
    ``classifier``) in the order, among those possible, under which the most layers get
    weights of their shapes (the file's own order on a tie).

    Returns ({layer: {name: array}}, {layer: module name}, file keys left over (no layer for
    them), sentences for layers left without weights)."""
    from itertools import permutations
    for prefix in ("module.", "model."):  # DataParallel's and many checkpoints' wrapper
        if flat and all(k.startswith(prefix) for k in flat):
            flat = {k[len(prefix):]: v for k, v in flat.items()}
            break
    shapes = state_shapes(project)
    holders = [i for i, need in enumerate(shapes) if need]
    groups: dict[str, dict[str, Any]] = {}
    for k, v in flat.items():
        mod, _, leaf = k.rpartition(".")
        groups.setdefault(mod, {})[leaf] = v
    tops: list[str] = []
    for mod in groups:
        top = mod.split(".")[0]
        if top not in tops:
            tops.append(top)
    by_top = {t: sorted((m for m in groups if m.split(".")[0] == t), key=_natural) for t in tops}

    def assign(order) -> tuple[dict, dict, list]:
        mods = [m for t in order for m in by_top[t]]
        out: dict[int, dict[str, Any]] = {}
        where: dict[int, str] = {}
        j = 0
        for i in holders:
            if j >= len(mods):
                break
            need = shapes[i]
            if any("." in n for n in need):  # DepthwiseSeparable: "0.weight", "1.weight", ...
                subs = sorted({n.split(".")[0] for n in need}, key=int)
                take = mods[j:j + len(subs)]
                out[i] = {f"{sub}.{leaf}": v for sub, m in zip(subs, take) for leaf, v in groups[m].items()}
                where[i] = take[0].rpartition(".")[0] if "." in take[0] else take[0]
                j += len(take)
            else:
                out[i] = dict(groups[mods[j]])
                where[i] = mods[j]
                j += 1
        left = [f"{m}.{leaf}" for m in mods[j:] for leaf in groups[m]]
        return out, where, left

    def score(out) -> int:
        return sum(1 for i, got in out.items()
                   if {k: tuple(np.shape(v)) for k, v in got.items()} == shapes[i])

    best = None
    orders = permutations(tops) if len(tops) <= 6 else [tuple(tops)]
    for order in orders:
        got = assign(order)
        if best is None or score(got[0]) > score(best[0]):
            best = got
    out, where, left = best if best is not None else ({}, {}, [])
    unfilled = [i for i in holders if i not in out]
    missing = []
    if unfilled:
        names = ", ".join(_label(project, i) for i in unfilled[:4])
        more = f" and {len(unfilled) - 4} more" if len(unfilled) > 4 else ""
        missing.append(f"the file has weights for {len(groups)} modules but the project has {len(holders)} layers that "
                       f"hold weights: nothing in it is left for {names}{more}")
    return out, where, left, missing


def load_weights(path: str | os.PathLike, project, strict: bool = False) -> Loaded:
    """Weights from a .safetensors (or a .pt/.pth state_dict) file, checked against ``project``:
    what fits is loaded, every mismatch is a sentence in ``problems``.  Raises WeightsError only
    when the file cannot be read at all.

    Keys are matched as convviz writes them (``"{layer}.{name}"``: the ``nn.Sequential`` of the
    exported code) when any key has that form, otherwise by module order (align_modules:
    torchvision's ``features.0.weight`` ... ``classifier.6.bias``).  With ``strict`` nothing
    is loaded unless everything fits: any problem (a wrong shape, a missing or an extra key, a
    layer without weights) gives ``Loaded({}, (), problems)`` and the project keeps its initial
    weights everywhere."""
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix in (".pt", ".pth"):
        flat, meta = read_state_dict(path), None
    elif suffix == ".safetensors":
        flat, meta = read_safetensors(path)
    else:
        raise WeightsError(f"{escape(path, 300)}: convviz reads weights from .safetensors files (and .pt/.pth "
                           f"state_dicts), not {escape(suffix or 'files without an extension', 40)}")
    layers, bad = split_keys(flat)
    source = f"the weights file {escape(os.path.basename(path), 120)}"
    if bad and not layers:  # no key in convviz's form: another program's module names
        layers, names, extra, missing = align_modules(flat, project)
        result = check_weights(project, layers, source, (), names)
        problems = list(missing) + [p for p in result.problems if not (missing and " has no weights for " in p)]
        if extra:
            shown = ", ".join(f"{escape(k, 60)} ({shape_text(np.shape(flat[k]))})" for k in extra[:3])
            more = f" and {len(extra) - 3} more" if len(extra) > 3 else ""
            problems.append(f"{source} has {shown}{more}, which no layer of the project holds")
        result = replace(result, problems=tuple(problems))
    else:
        result = check_weights(project, layers, source, bad)
    if strict and result.problems:
        return Loaded({}, (), result.problems, meta)
    return replace(result, metadata=meta)


def flatten(weights: Weights) -> dict[str, np.ndarray]:
    """``{3: {"weight": a}}`` -> ``{"3.weight": a}`` (contiguous copies, float32)."""
    out = {}
    for i in sorted(weights):
        for k, v in weights[i].items():
            a = np.asarray(v, order="C")  # (ascontiguousarray would make a scalar 1-D)
            if a.dtype.kind == "f" and a.dtype != np.float32:
                a = a.astype(np.float32)
            out[f"{int(i)}.{k}"] = a
    return out


def save_weights(path: str | os.PathLike, weights: Weights, metadata: Mapping[str, str] | None = None) -> None:
    """Write ``weights`` to a .safetensors file atomically (raises OSError as a file write does)."""
    from safetensors.numpy import save
    meta = {"format": FORMAT}
    meta.update({str(k): str(v) for k, v in (metadata or {}).items()})
    write_atomic(path, save(flatten(weights), metadata=meta))


def weights_name(project_path: str | os.PathLike) -> str:
    """The weights file's name beside a project file: ``lenet.json`` -> ``lenet.safetensors``."""
    stem = os.path.splitext(os.path.basename(os.fspath(project_path)))[0]
    return stem + ".safetensors"


def weights_path(project, project_path: str | os.PathLike | None) -> str | None:
    """Where the project's weights file is (relative names are relative to the project's
    folder), or None when the project names none."""
    name = getattr(project, "weights", "") or ""
    if not name:
        return None
    name = os.path.expanduser(name)
    if os.path.isabs(name) or project_path is None:
        return name
    return os.path.join(os.path.dirname(os.path.abspath(os.fspath(project_path))), name)


def save_project(project, path: str | os.PathLike, weights: Weights | None,
                 metadata: Mapping[str, str] | None = None):
    """Save ``project`` to ``path`` with its trained ``weights`` beside it: the weights file
    (``<name>.safetensors``) first, then the project naming it, each atomically.  With no
    weights (None or empty) the project is saved naming none.  Returns the project as saved."""
    from .project import save
    path = os.fspath(path)
    if weights:
        name = weights_name(path)
        save_weights(os.path.join(os.path.dirname(os.path.abspath(path)), name), weights, metadata)
        project = replace(project, weights=name)
    elif getattr(project, "weights", ""):
        project = replace(project, weights="")
    save(project, path)
    return project


def load_project_weights(project, project_path: str | os.PathLike | None) -> Loaded:
    """The weights the project names, checked against it; a missing or unreadable file is a
    sentence in ``problems`` (the layers keep their initial weights), never an exception."""
    path = weights_path(project, project_path)
    if path is None:
        return Loaded({})
    try:
        return load_weights(path, project)
    except WeightsError as e:
        return Loaded({}, (), (f"{e} — every layer keeps its initial weights",))
