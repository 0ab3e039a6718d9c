"""Project files: a JSON document describing the input and the layer stack.

    {"format": "convviz", "version": 1,
     "input": {"channels": 3, "height": 224, "width": 224, "source": "sample:astronaut"},
     "seed": 0,
     "layers": [{"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1}, ...]}

Reading is all-or-nothing: any problem raises ProjectError naming the field, and no partly
loaded project ever escapes.  Saving is atomic (a temporary file in the same folder, flushed,
then os.replace), so a crash mid-save leaves the previous file intact.  See
docs/project-format.md.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from .spec import MAX_SPATIAL, LayerSpec, SpecError

FORMAT = "convviz"
VERSION = 1
MAX_INPUT_CHANNELS = 64
MAX_LAYERS = 256
MAX_FILE_BYTES = 16 * 1024 * 1024

# Weight initialisations a layer may name (see engine.py). "random" is torch's default
# initialisation drawn from the project's seed.
KERNEL_PRESETS = ("random", "identity", "sobel_x", "sobel_y", "gaussian", "sharpen", "laplacian", "box")


def layer_seed(seed: int, index: int) -> int:
    """The torch seed layer ``index`` is constructed under: same project seed, same weights."""
    return (seed * 1_000_003 + index) % (2**63)


class ProjectError(ValueError):
    """A project that cannot be loaded, with the field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class InputSpec:
    channels: int = 3
    height: int = 64
    width: int = 64
    source: str = "sample:astronaut"  # "sample:NAME", "pattern:NAME" or an image path
    shift: tuple[int, int] = (0, 0)  # the image moved down/right by (dy, dx) pixels, wrapping around

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, self.height, self.width)


@dataclass(frozen=True)
class Project:
    input: InputSpec = field(default_factory=InputSpec)
    layers: tuple[LayerSpec, ...] = ()
    seed: int = 0
    # Per-layer weight initialisation, parallel to ``layers``: None means "random" (torch's
    # default initialisation from the seed); otherwise a KERNEL_PRESETS name or a
    # ("values", nested tuple) for numbers the user typed.
    kernels: tuple[Any, ...] = ()
    title: str = ""

    def __post_init__(self):
        if len(self.kernels) < len(self.layers):
            object.__setattr__(self, "kernels", tuple(self.kernels) + (None,) * (len(self.layers) - len(self.kernels)))
        elif len(self.kernels) > len(self.layers):
            object.__setattr__(self, "kernels", tuple(self.kernels)[: len(self.layers)])

    def with_layers(self, layers, kernels=None) -> "Project":
        return replace(self, layers=tuple(layers), kernels=tuple(kernels) if kernels is not None else ())

    def analyze(self):
        from .validate import analyze
        return analyze(self.input.shape, self.layers, self.kernels)

    def to_dict(self) -> dict[str, Any]:
        layers = []
        for spec, k in zip(self.layers, self.kernels):
            d = spec.to_dict()
            if k is not None:
                d["kernel_init"] = _kernel_to_json(k)
            layers.append(d)
        out: dict[str, Any] = {"format": FORMAT, "version": VERSION}
        if self.title:
            out["title"] = self.title
        out["input"] = {"channels": self.input.channels, "height": self.input.height,
                        "width": self.input.width, "source": self.input.source}
        if self.input.shift != (0, 0):
            out["input"]["shift"] = list(self.input.shift)
        out["seed"] = self.seed
        out["layers"] = layers
        return out


def _kernel_to_json(k: Any) -> Any:
    if isinstance(k, str):
        return k
    return {"values": _to_lists(k[1])}


def _to_lists(v: Any) -> Any:
    return [_to_lists(x) for x in v] if isinstance(v, (list, tuple)) else v


def _to_tuples(v: Any) -> Any:
    return tuple(_to_tuples(x) for x in v) if isinstance(v, (list, tuple)) else v


def _int_field(d: Mapping, key: str, path: str, lo: int, hi: int, default: Any = None) -> int:
    if key not in d:
        if default is not None:
            return default
        raise ProjectError(f"{path}.{key}" if path else key, "missing")
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, int):
        raise ProjectError(f"{path}.{key}" if path else key, f"expected a whole number, got {v!r}")
    if not lo <= v <= hi:
        raise ProjectError(f"{path}.{key}" if path else key, f"must be between {lo} and {hi}, got {v}")
    return v


def _parse_kernel_init(v: Any, path: str) -> Any:
    if isinstance(v, str):
        if v not in KERNEL_PRESETS:
            raise ProjectError(path, f"unknown kernel {v!r}; known: {', '.join(KERNEL_PRESETS)}")
        return None if v == "random" else v
    if isinstance(v, Mapping) and set(v) == {"values"}:
        vals = v["values"]

        def check(x, depth):
            if depth == 4:
                if isinstance(x, bool) or not isinstance(x, (int, float)) or x != x or abs(x) == float("inf"):
                    raise ProjectError(path + ".values", f"expected finite numbers, got {x!r}")
                return
            if not isinstance(x, list) or not x:
                raise ProjectError(path + ".values", "expected a 4-D list [out][in][kh][kw] of numbers")
            for y in x:
                check(y, depth + 1)
        check(vals, 0)
        return ("values", _to_tuples(vals))
    raise ProjectError(path, "expected a kernel name or {\"values\": [[[[...]]]]}")


def from_dict(d: Any) -> Project:
    """Build a Project from parsed JSON; raises ProjectError naming the field."""
    if not isinstance(d, Mapping):
        raise ProjectError("", "a convviz project is a JSON object")
    if d.get("format") != FORMAT:
        raise ProjectError("format", f"expected \"{FORMAT}\", got {d.get('format')!r} — this is not a convviz project")
    version = d.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectError("version", f"expected a whole number, got {version!r}")
    if version != VERSION:
        hint = "it was written by a newer convviz" if version > VERSION else "it is not a version this convviz reads"
        raise ProjectError("version", f"version {version} is not supported ({hint}); this convviz reads version {VERSION}")
    known = {"format", "version", "title", "input", "seed", "layers"}
    extra = [k for k in d if k not in known]
    if extra:
        raise ProjectError(extra[0], f"unknown field; a project has: {', '.join(sorted(known))}")
    title = d.get("title", "")
    if not isinstance(title, str):
        raise ProjectError("title", "expected text")
    inp = d.get("input")
    if not isinstance(inp, Mapping):
        raise ProjectError("input", "missing or not an object with channels, height, width and source")
    extra = [k for k in inp if k not in ("channels", "height", "width", "source", "shift")]
    if extra:
        raise ProjectError(f"input.{extra[0]}", "unknown field; input has channels, height, width, source and shift")
    source = inp.get("source", "pattern:gradient")
    if not isinstance(source, str) or not source:
        raise ProjectError("input.source", f"expected a sample name or an image path, got {source!r}")
    from .samples import check_source
    problem = check_source(source)
    if problem:
        raise ProjectError("input.source", problem)
    shift = inp.get("shift", [0, 0])
    if (not isinstance(shift, list) or len(shift) != 2
            or any(isinstance(v, bool) or not isinstance(v, int) or abs(v) > MAX_SPATIAL for v in shift)):
        raise ProjectError("input.shift", f"expected [dy, dx], two whole numbers, got {shift!r}")
    input_spec = InputSpec(_int_field(inp, "channels", "input", 1, MAX_INPUT_CHANNELS),
                           _int_field(inp, "height", "input", 1, MAX_SPATIAL),
                           _int_field(inp, "width", "input", 1, MAX_SPATIAL), source, tuple(shift))
    seed = _int_field(d, "seed", "", 0, 2**63 - 1, default=0) if "seed" in d else 0
    layers_raw = d.get("layers")
    if not isinstance(layers_raw, list):
        raise ProjectError("layers", "missing or not a list of layers")
    if len(layers_raw) > MAX_LAYERS:
        raise ProjectError("layers", f"at most {MAX_LAYERS} layers, got {len(layers_raw)}")
    layers, kernels = [], []
    for i, raw in enumerate(layers_raw):
        path = f"layers[{i}]"
        if not isinstance(raw, Mapping):
            raise ProjectError(path, "expected an object such as {\"type\": \"Conv2d\", ...}")
        raw = dict(raw)
        k = raw.pop("kernel_init", None)
        try:
            layers.append(LayerSpec.from_dict(raw, path))
        except SpecError as e:
            raise ProjectError(e.field, e.message) from None
        if k is not None and layers[-1].layer_type.category != "conv":
            raise ProjectError(f"{path}.kernel_init", f"{raw['type']} has no kernel to initialise")
        kernels.append(_parse_kernel_init(k, f"{path}.kernel_init") if k is not None else None)
    return Project(input_spec, tuple(layers), seed, tuple(kernels), title)


def loads(text: str) -> Project:
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise ProjectError("", f"not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    return from_dict(d)


def load(path: str | os.PathLike) -> Project:
    """Read a project file; raises ProjectError (with the file name) and nothing else."""
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
        if size > MAX_FILE_BYTES:
            raise ProjectError("", f"{name} is {size} bytes, too large for a project file")
        with open(name, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ProjectError("", f"cannot read {name}: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProjectError("", f"{name} is not a text file (not UTF-8) — is it a convviz project?") from None
    try:
        return loads(text)
    except ProjectError as e:
        raise ProjectError(e.field, f"{e.message}" + ("" if e.field else f" ({name})")) from None


def dumps(project: Project) -> str:
    return json.dumps(project.to_dict(), indent=2, ensure_ascii=False) + "\n"


def save(project: Project, path: str | os.PathLike) -> None:
    """Write atomically: a temporary file beside the target, fsync, then os.replace."""
    path = os.fspath(path)
    text = dumps(project)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".convviz-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
