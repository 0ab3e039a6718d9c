"""Project files: a JSON document describing the input and the layer stack.

    {"format": "convviz", "version": 1,
     "input": {"channels": 3, "height": 224, "width": 224, "source": "sample:astronaut"},
     "seed": 0,
     "layers": [{"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1}, ...]}

Reading is all-or-nothing: any problem raises ProjectError naming the field, and no partly
loaded project ever escapes; whatever the file holds (deep nesting, enormous numbers, lone
surrogates, duplicate keys, a FIFO or a device instead of a file) the error is one sentence.
Saving is atomic (a temporary file in the same folder, flushed, then os.replace), so a crash
mid-save leaves the previous file intact, and the writer never produces a file the reader
refuses.  See docs/project-format.md.
"""
from __future__ import annotations

import functools
import json
import os
import re
import secrets
import stat
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from .messages import Msg, escape, show
from .spec import MAX_SPATIAL, QT_TRANSLATE_NOOP, LayerSpec, SpecError

FORMAT = "convviz"
VERSION = 1
MAX_INPUT_CHANNELS = 64
MAX_LAYERS = 256
# A typed kernel ({"values": ...}) holds at most this many numbers (the GUI's grid allows no
# more); larger layers use a named kernel or the seed.
MAX_TYPED_VALUES = 4096
MAX_TITLE_CHARS = 1000
MAX_SOURCE_CHARS = 4096  # PATH_MAX on Linux
FLOAT32_MAX = 3.4028234663852886e38  # numpy.finfo(numpy.float32).max: typed numbers beyond it become inf
# Above the largest file the writer can produce within the limits above (256 layers, each with
# the most argument text and a 4096x1x1x1 typed kernel of 24-character numbers, a title and a
# source of control characters: 33.7 MB = 32.1 MiB; tests/test_project.py writes it and reopens
# it), so the app never writes a project it refuses to reopen.
MAX_FILE_BYTES = 48 * 1024 * 1024

_SURROGATE = re.compile("[\ud800-\udfff]")

# Weight initialisations a layer may name (see engine.py). "random" is torch's default
# initialisation drawn from the project's seed.
KERNEL_PRESETS = ("random", "identity", "sobel_x", "sobel_y", "gaussian", "sharpen", "laplacian", "box")


def layer_seed(seed: int, index: int) -> int:
    """The torch seed layer ``index`` is constructed under: same project seed, same weights."""
    return (seed * 1_000_003 + index) % (2**63)


class ProjectError(ValueError):
    """A project that cannot be loaded (or saved), with the field at fault.

    ``field`` and ``message`` are escaped (messages.escape): whatever a file holds, the
    sentence is one printable line."""

    def __init__(self, field: str, message: str):
        field = escape(field, 160)
        if not isinstance(message, Msg):
            message = escape(message, 1000)
        # args[0] is the whole sentence as a messages.Msg: the GUI translates it (tr_core(e))
        super().__init__(Msg(QT_TRANSLATE_NOOP("core", "{field}: {message}"), field=field, message=message)
                         if field else message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class InputSpec:
    channels: int = 3
    height: int = 64
    width: int = 64
    source: str = "sample:astronaut"  # "sample:NAME", "pattern:NAME" or an image path
    shift: tuple[int, int] = (0, 0)  # the image moved down/right by (dy, dx) pixels, wrapping around
    fit: str = "stretch"  # how an image of another shape is fitted: samples.FITS (stretch, crop, pad)
    # Preprocessing a trained network expects (torchvision's Resize, CenterCrop, Normalize):
    # ``resize`` > 0 first resizes an image so its shorter side has that many pixels (bilinear,
    # as torchvision does on a PIL image); then ``fit`` fits it to height x width (with "crop",
    # the centred height x width part, not scaled again: Resize(256) + CenterCrop(224)); then each
    # channel c becomes (value - mean[c]) / std[c] (one number applies to every channel; empty:
    # the values stay in [0, 1]).
    resize: int = 0
    mean: tuple[float, ...] = ()
    std: tuple[float, ...] = ()

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, self.height, self.width)

    def normalisation_problem(self) -> str | None:
        """Why ``mean``/``std`` cannot normalise this input (a sentence), or None."""
        return normalisation_problem(self.mean, self.std, self.channels)


MAX_NORM = 1e6  # |mean| and std bounds: a typo, not a network's statistics, lies beyond


def normalisation_problem(mean, std, channels: int) -> str | None:
    """Why per-channel ``mean``/``std`` cannot be used for ``channels`` channels, or None."""
    for name, vals in (("mean", mean), ("std", std)):
        if len(vals) not in (0, 1, channels):
            return Msg(QT_TRANSLATE_NOOP("core", "{name} has {n} numbers but the input has {channels} channel(s) — give "
                                                 "one number per channel, or one for all"),
                       name=name, n=len(vals), channels=channels)
    if bool(mean) != bool(std):
        return Msg(QT_TRANSLATE_NOOP("core", "give both mean and std (or neither): normalisation is (value - mean) / "
                                             "std"))
    for v in mean:
        if not (isinstance(v, (int, float)) and not isinstance(v, bool) and -MAX_NORM <= v <= MAX_NORM):
            return Msg(QT_TRANSLATE_NOOP("core", "mean must hold numbers between -{most} and {most}, got {value}"),
                       most=f"{MAX_NORM:g}", value=show(v))
    for v in std:
        if not (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= MAX_NORM):
            return Msg(QT_TRANSLATE_NOOP("core", "std must hold numbers above 0 (a division by it), at most {most}, got "
                                                 "{value}"), most=f"{MAX_NORM:g}", value=show(v))
    return None


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
    # Trained weights: the .safetensors file beside the project (see weights.py), "" for none;
    # and how the stack is trained (training_config.TrainConfig), None until it is set.
    weights: str = ""
    training: Any = None
    # The class names the stack's outputs stand for (zoo.LABEL_SETS: "imagenet1k"), "" for none.
    labels: str = ""

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
        if self.input.fit != "stretch":
            out["input"]["fit"] = self.input.fit
        if self.input.resize:
            out["input"]["resize"] = self.input.resize
        if self.input.mean or self.input.std:
            out["input"]["mean"] = list(self.input.mean)
            out["input"]["std"] = list(self.input.std)
        out["seed"] = self.seed
        out["layers"] = layers
        if self.training is not None:
            out["training"] = self.training.to_dict()
        if self.weights:
            out["weights"] = self.weights
        if self.labels:
            out["labels"] = self.labels
        return out


def _kernel_to_json(k: Any) -> Any:
    if isinstance(k, str):
        return k
    return {"values": k[1]}  # nested tuples: JSON arrays to json.dumps, and no copy of a large kernel


def _field(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _int_field(d: Mapping, key: str, path: str, lo: int, hi: int, default: Any = None) -> int:
    if key not in d:
        if default is not None:
            return default
        raise ProjectError(_field(path, key), Msg(QT_TRANSLATE_NOOP("core", "missing")))
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, int):
        raise ProjectError(_field(path, key), Msg(QT_TRANSLATE_NOOP("core", "expected a whole number, got {value}"),
                                                  value=show(v)))
    if not lo <= v <= hi:
        raise ProjectError(_field(path, key), Msg(QT_TRANSLATE_NOOP("core", "must be between {lo} and {hi}, got {value}"),
                                                  lo=lo, hi=hi, value=show(v)))
    return v


def text_problem(text: Any, what: str = "title") -> str | None:
    """Why ``text`` cannot be stored as the project's ``title`` (or, with ``what="source"``, its
    input source), or None when it can.

    The loader refuses such text, and ``save`` refuses to write it; the GUI calls this on input
    (a title typed or pasted, an image path chosen) so the user hears it at once and never
    meets it at save time.  Refused: text that is not a ``str``, text longer than
    MAX_TITLE_CHARS (MAX_SOURCE_CHARS for a source), and lone surrogates (U+D800-U+DFFF alone:
    not characters, and not encodable as UTF-8).  Newlines and other control characters are
    allowed (JSON escapes them); every message and the exported code print them escaped.
    The sentence is a messages.Msg, translatable by the GUI."""
    limit = MAX_SOURCE_CHARS if what == "source" else MAX_TITLE_CHARS
    if not isinstance(text, str):
        return Msg(QT_TRANSLATE_NOOP("core", "expected text, got {value}"), value=show(text))
    if len(text) > limit:
        return Msg(QT_TRANSLATE_NOOP("core", "at most {limit} characters, got {n}"), limit=f"{limit:,}",
                   n=f"{len(text):,}")
    m = _SURROGATE.search(text)
    if m:
        return Msg(QT_TRANSLATE_NOOP("core", "contains a lone surrogate ({code}) at character {at}, which is not a "
                                             "character and cannot be saved — remove it"),
                   code=f"U+{ord(m.group()):04X}", at=m.start() + 1)
    return None


def _typed_kernel(vals: Any, where: str) -> tuple:
    """A typed kernel as nested tuples of floats, checked to be a regular 4-D array of at most
    MAX_TYPED_VALUES finite numbers that float32 can hold."""
    shape = []
    x = vals
    while isinstance(x, list) and len(shape) < 5:
        if not x:
            break
        shape.append(len(x))
        x = x[0]
    if len(shape) != 4 or isinstance(x, list):
        raise ProjectError(where, Msg(QT_TRANSLATE_NOOP("core", "expected a 4-D list [out][in][kh][kw] of numbers")))
    n = shape[0] * shape[1] * shape[2] * shape[3]
    if n > MAX_TYPED_VALUES:
        raise ProjectError(where, Msg(QT_TRANSLATE_NOOP("core", "at most {most} typed numbers, got {shape} = {n} — choose "
                                                                "a named kernel or random weights for a layer this large"),
                                      most=f"{MAX_TYPED_VALUES:,}", shape="x".join(map(str, shape)), n=f"{n:,}"))
    dims = "x".join(map(str, shape))

    def refuse(at: str, x: Any) -> None:
        got = Msg(QT_TRANSLATE_NOOP("core", "{n} items"), n=len(x)) if isinstance(x, list) else show(x)
        want = shape[at.count("[")]
        raise ProjectError(where, Msg(QT_TRANSLATE_NOOP("core", "the typed kernel is not a regular {dims} array: {at} has "
                                                                "{got} where {want} are expected — every row needs the "
                                                                "same length"),
                                      dims=dims, at=at or Msg(QT_TRANSLATE_NOOP("core", "the list")), got=got, want=want))

    def numbers(row: list, at: str) -> tuple:
        if len(row) != shape[3]:
            refuse(at, row)
        out = []
        for i, y in enumerate(row):
            if isinstance(y, bool) or not isinstance(y, (int, float)):
                raise ProjectError(where, Msg(QT_TRANSLATE_NOOP("core", "expected finite numbers, got {value} at {at}"),
                                              value=show(y), at=f"{at}[{i}]"))
            try:
                f = float(y)
            except OverflowError:
                f = float("inf")
            if not -FLOAT32_MAX <= f <= FLOAT32_MAX:  # NaN fails this too
                raise ProjectError(where, Msg(QT_TRANSLATE_NOOP("core", "expected finite numbers float32 can hold (at most "
                                                                        "about 3.4e38 in size), got {value} at {at}"),
                                              value=show(y), at=f"{at}[{i}]"))
            out.append(f)
        return tuple(out)

    def lists(x: Any, depth: int, at: str) -> tuple:
        if not isinstance(x, list) or len(x) != shape[depth]:
            refuse(at, x)
        for i, y in enumerate(x):
            if not isinstance(y, list):
                refuse(f"{at}[{i}]", y)
        if depth == 2:
            return tuple([numbers(y, f"{at}[{i}]") for i, y in enumerate(x)])
        return tuple([lists(y, depth + 1, f"{at}[{i}]") for i, y in enumerate(x)])
    s0, s1, s2, s3 = shape
    m = FLOAT32_MAX
    rows = [c for a in vals if type(a) is list and len(a) == s1 for b in a if type(b) is list and len(b) == s2
            for c in b]
    if len(rows) == s0 * s1 * s2 and all(type(c) is list and len(c) == s3 for c in rows) \
            and all(type(y) is float and -m <= y <= m for c in rows for y in c):  # floats, as the writer writes them
        return tuple([tuple([tuple([tuple(c) for c in b]) for b in a]) for a in vals])
    return lists(vals, 0, "")  # converts ints, or says exactly where the kernel is wrong


def _parse_kernel_init(v: Any, path: str) -> Any:
    if isinstance(v, str):
        if v not in KERNEL_PRESETS:
            raise ProjectError(path, Msg(QT_TRANSLATE_NOOP("core", "unknown kernel {value}; known: {known}"), value=show(v),
                                         known=", ".join(KERNEL_PRESETS)))
        return None if v == "random" else v
    if isinstance(v, Mapping) and set(v) == {"values"}:
        return ("values", _typed_kernel(v["values"], path + ".values"))
    raise ProjectError(path, Msg(QT_TRANSLATE_NOOP("core", "expected a kernel name or {example}"),
                                 example='{"values": [[[[...]]]]}'))


def from_dict(d: Any) -> Project:
    """Build a Project from parsed JSON; raises ProjectError naming the field."""
    if not isinstance(d, Mapping):
        raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "a convviz project is a JSON object")))
    if d.get("format") != FORMAT:
        raise ProjectError("format", Msg(QT_TRANSLATE_NOOP("core", "expected {format}, got {value} — this is not a "
                                                                   "convviz project"),
                                         format=f'"{FORMAT}"', value=show(d.get("format"))))
    version = d.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectError("version", Msg(QT_TRANSLATE_NOOP("core", "expected a whole number, got {value}"),
                                          value=show(version)))
    if version != VERSION:
        hint = Msg(QT_TRANSLATE_NOOP("core", "it was written by a newer convviz")) if version > VERSION else \
            Msg(QT_TRANSLATE_NOOP("core", "it is not a version this convviz reads"))
        raise ProjectError("version", Msg(QT_TRANSLATE_NOOP("core", "version {value} is not supported ({hint}); this "
                                                                    "convviz reads version {version}"),
                                          value=show(version), hint=hint, version=VERSION))
    known = {"format", "version", "title", "input", "seed", "layers", "training", "weights", "labels"}
    extra = [k for k in d if k not in known]
    if extra:
        raise ProjectError(extra[0], Msg(QT_TRANSLATE_NOOP("core", "unknown field; a project has: {known}"),
                                         known=", ".join(sorted(known))))
    title = d.get("title", "")
    problem = text_problem(title, "title")
    if problem:
        raise ProjectError("title", problem)
    inp = d.get("input")
    if not isinstance(inp, Mapping):
        raise ProjectError("input", Msg(QT_TRANSLATE_NOOP("core", "missing or not an object with channels, height, "
                                                                  "width and source")))
    extra = [k for k in inp if k not in ("channels", "height", "width", "source", "shift", "fit", "resize", "mean",
                                         "std")]
    if extra:
        raise ProjectError(f"input.{extra[0]}", Msg(QT_TRANSLATE_NOOP("core", "unknown field; input has channels, height, "
                                                                              "width, source, shift, fit, resize, mean "
                                                                              "and std")))
    source = inp.get("source", "pattern:gradient")
    if not isinstance(source, str) or not source:
        raise ProjectError("input.source", Msg(QT_TRANSLATE_NOOP("core", "expected a sample name or an image path, "
                                                                         "got {value}"), value=show(source)))
    problem = text_problem(source, "source")
    if problem:
        raise ProjectError("input.source", problem)
    from .samples import check_source
    problem = check_source(source)
    if problem:
        raise ProjectError("input.source", problem)
    shift = inp.get("shift", [0, 0])
    if (not isinstance(shift, list) or len(shift) != 2
            or any(isinstance(v, bool) or not isinstance(v, int) or abs(v) > MAX_SPATIAL for v in shift)):
        raise ProjectError("input.shift", Msg(QT_TRANSLATE_NOOP("core", "expected [dy, dx], two whole numbers, got {value}"),
                                              value=show(shift)))
    from .samples import FITS
    fit = inp.get("fit", "stretch")
    if not isinstance(fit, str) or fit not in FITS:
        raise ProjectError("input.fit", Msg(QT_TRANSLATE_NOOP("core", "expected one of {choices}, got {value}"),
                                            choices=", ".join(map(repr, FITS)), value=show(fit)))
    input_spec = InputSpec(_int_field(inp, "channels", "input", 1, MAX_INPUT_CHANNELS),
                           _int_field(inp, "height", "input", 1, MAX_SPATIAL),
                           _int_field(inp, "width", "input", 1, MAX_SPATIAL), source, tuple(shift), fit,
                           _int_field(inp, "resize", "input", 0, MAX_SPATIAL, default=0) if "resize" in inp else 0,
                           *_normalisation(inp))
    problem = input_spec.normalisation_problem()
    if problem:
        raise ProjectError("input.std" if "std" in problem.split(" ", 1)[0] else "input.mean", problem)
    seed = _int_field(d, "seed", "", 0, 2**63 - 1, default=0) if "seed" in d else 0
    layers_raw = d.get("layers")
    if not isinstance(layers_raw, list):
        raise ProjectError("layers", Msg(QT_TRANSLATE_NOOP("core", "missing or not a list of layers")))
    if len(layers_raw) > MAX_LAYERS:
        raise ProjectError("layers", Msg(QT_TRANSLATE_NOOP("core", "at most {most} layers, got {n}"), most=MAX_LAYERS,
                                         n=len(layers_raw)))
    layers, kernels = [], []
    for i, raw in enumerate(layers_raw):
        path = f"layers[{i}]"
        if not isinstance(raw, Mapping):
            raise ProjectError(path, Msg(QT_TRANSLATE_NOOP("core", "expected an object such as {example}"),
                                         example='{"type": "Conv2d", ...}'))
        raw = dict(raw)
        k = raw.pop("kernel_init", None)
        try:
            layers.append(LayerSpec.from_dict(raw, path))
        except SpecError as e:
            raise ProjectError(e.field, e.message) from None
        if k is not None and layers[-1].layer_type.category != "conv":
            raise ProjectError(f"{path}.kernel_init", Msg(QT_TRANSLATE_NOOP("core", "{type} has no kernel to initialise"),
                                                          type=layers[-1].type))
        kernels.append(_parse_kernel_init(k, f"{path}.kernel_init") if k is not None else None)
    return Project(input_spec, tuple(layers), seed, tuple(kernels), title, *_training_fields(d), labels=_labels_field(d))


def _normalisation(inp: Mapping) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """input.mean and input.std as tuples of floats (checked further by normalisation_problem)."""
    out = []
    for name in ("mean", "std"):
        v = inp.get(name, [])
        if (not isinstance(v, list) or len(v) > MAX_INPUT_CHANNELS
                or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in v)):
            raise ProjectError(f"input.{name}", Msg(QT_TRANSLATE_NOOP("core", "expected a list of numbers, one per "
                                                                              "channel, got {value}"), value=show(v)))
        out.append(tuple(float(x) for x in v))
    return out[0], out[1]


def _labels_field(d: Mapping) -> str:
    labels = d.get("labels", "")
    from .zoo import LABEL_SETS as known
    if labels != "" and labels not in known:
        raise ProjectError("labels", Msg(QT_TRANSLATE_NOOP("core", "expected one of {choices}, got {value}"),
                                         choices=", ".join(map(repr, known)), value=show(labels)))
    return labels


def _training_fields(d: Mapping) -> tuple[str, Any]:
    """The optional ``weights`` (a .safetensors file name) and ``training`` (settings) fields."""
    weights = d.get("weights", "")
    if not isinstance(weights, str):
        raise ProjectError("weights", f"expected the name of a .safetensors file, got {show(weights)}")
    if weights:
        problem = text_problem(weights, "source")
        if problem:
            raise ProjectError("weights", problem)
        if not weights.lower().endswith(".safetensors"):
            raise ProjectError("weights", f"expected the name of a .safetensors file, got {show(weights)}")
    training = None
    if "training" in d:
        from .training_config import ConfigError, TrainConfig
        try:
            training = TrainConfig.from_dict(d["training"])
        except ConfigError as e:
            raise ProjectError(e.field, e.message) from None
    return weights, training


def _unique_keys(pairs: list) -> dict:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "the key {key} appears twice in one object; each key "
                                                                     "may appear once, so it is not clear which value is "
                                                                     "meant"), key=show(k)))
            seen.add(k)
    return d


# What Python's JSON decoder says about malformed text (json.JSONDecodeError.msg), translatable.
JSON_ERRORS = frozenset((
    QT_TRANSLATE_NOOP("core", "Expecting value"),
    QT_TRANSLATE_NOOP("core", "Expecting property name enclosed in double quotes"),
    QT_TRANSLATE_NOOP("core", "Expecting ':' delimiter"),
    QT_TRANSLATE_NOOP("core", "Expecting ',' delimiter"),
    QT_TRANSLATE_NOOP("core", "Unterminated string starting at"),
    QT_TRANSLATE_NOOP("core", "Invalid control character at"),
    QT_TRANSLATE_NOOP("core", "Invalid \\escape"),
    QT_TRANSLATE_NOOP("core", "Invalid \\uXXXX escape"),
    QT_TRANSLATE_NOOP("core", "Extra data"),
    QT_TRANSLATE_NOOP("core", "Illegal trailing comma before end of object"),
    QT_TRANSLATE_NOOP("core", "Illegal trailing comma before end of array"),
))


# Why the system refused a file (strerror, as glibc words it), translatable.
OS_REASONS = frozenset((
    QT_TRANSLATE_NOOP("core", "No such file or directory"),
    QT_TRANSLATE_NOOP("core", "Permission denied"),
    QT_TRANSLATE_NOOP("core", "Operation not permitted"),
    QT_TRANSLATE_NOOP("core", "Not a directory"),
    QT_TRANSLATE_NOOP("core", "Is a directory"),
    QT_TRANSLATE_NOOP("core", "File name too long"),
))


def os_reason(e: BaseException) -> str:
    """Why the system refused a file: its sentence, on one line (a messages.Msg when it is one
    the GUI can translate)."""
    why = getattr(e, "strerror", None) or e
    return Msg(why) if why in OS_REASONS else escape(why, 200)


def _parse(text: str) -> Any:
    """JSON to Python, every failure a ProjectError: malformed text, nesting deeper than
    Python's recursion limit, an integer literal longer than Python converts (4,300 digits),
    duplicate keys."""
    if text.startswith("\ufeff"):  # a UTF-8 byte-order mark, as some Windows editors write
        text = text[1:]
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except ProjectError:
        raise
    except json.JSONDecodeError as e:
        why = Msg(e.msg) if e.msg in JSON_ERRORS else e.msg
        raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "not valid JSON (line {line}, column {column}: {why})"),
                                   line=e.lineno, column=e.colno, why=why)) from None
    except RecursionError:
        raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "not a convviz project: its JSON is nested too deeply (a "
                                                             "project is at most 7 levels deep)"))) from None
    except ValueError as e:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "not a convviz project: it holds a number too long to read "
                                                             "({why})"), why=escape(e, 120))) from None


def loads(text: str) -> Project:
    return from_dict(_parse(text))


def _describe_path(name: str) -> str:
    return escape(name, 300)


def load(path: str | os.PathLike) -> Project:
    """Read a project file; raises ProjectError (with the file name) and nothing else.

    Only a regular file is read (a folder, a FIFO, a device such as /dev/zero or a socket is
    refused without reading or waiting), and at most MAX_FILE_BYTES + 1 bytes of it.  A UTF-8
    byte-order mark is accepted."""
    name = os.fspath(path)
    shown = _describe_path(os.fsdecode(name))
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting forever.
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "cannot read {file}: {why}"), file=shown,
                                   why=os_reason(e))) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "{file} is a folder, not a project file"), file=shown))
        if not stat.S_ISREG(st.st_mode):
            raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "{file} is not a regular file (it is a device, a pipe or "
                                                                 "a socket) — a project is a .json file"), file=shown))
        if st.st_size > MAX_FILE_BYTES:
            raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "{file} is {size} bytes, too large for a project file "
                                                                 "(at most {most})"),
                                       file=shown, size=f"{st.st_size:,}", most=f"{MAX_FILE_BYTES:,}"))
        with os.fdopen(fd, "rb", closefd=False) as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "cannot read {file}: {why}"), file=shown,
                                   why=os_reason(e))) from None
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "{file} is larger than {most} bytes, too large for a "
                                                             "project file"), file=shown, most=f"{MAX_FILE_BYTES:,}"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProjectError("", Msg(QT_TRANSLATE_NOOP("core", "{file} is not a text file (not UTF-8) — is it a convviz "
                                                             "project?"), file=shown)) from None
    try:
        return loads(text)
    except ProjectError as e:
        raise ProjectError(e.field, e.message if e.field else Msg("{message} ({file})", message=e.message,
                                                                   file=shown)) from None


# --- writing ------------------------------------------------------------------------------------

def _scalar(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


@functools.lru_cache(maxsize=64)
def _separators(b: int, c: int, d: int) -> tuple[str, ...]:
    """What follows each number of one [in][kh][kw] kernel in the one-line form: ", " within a
    row, "], [" between rows, and so on up to "]]], [[[" between output channels."""
    seps = []
    for k in range(1, b * c * d + 1):
        seps.append(", " if k % d else "], [" if k % (c * d) else "]], [[" if k % (b * c * d) else "]]], [[[")
    return tuple(seps)


def _values_text(v: Any) -> str:
    """A typed kernel on one line: ``[[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0]]]]``."""
    try:
        shape = (len(v), len(v[0]), len(v[0][0]), len(v[0][0][0]))
        regular = all(len(a) == shape[1] and all(len(b) == shape[2] and all(len(c) == shape[3] for c in b) for b in a)
                      for a in v)
        flat = [float(y) for a in v for b in a for c in b for y in c] if regular else None
    except (TypeError, ValueError, OverflowError, IndexError):
        flat = None
    if flat and all(-FLOAT32_MAX <= y <= FLOAT32_MAX for y in flat):  # regular and finite: the usual case
        seps = list(_separators(*shape[1:])) * shape[0]
        seps.pop()
        out = [""] * (2 * len(flat) - 1)
        out[0::2] = map(float.__repr__, flat)
        out[1::2] = seps
        return "[[[[" + "".join(out) + "]]]]"
    # anything else is written as it is, for the reader's check to name what is wrong
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join([_values_text(x) for x in v]) + "]"
    return json.dumps(v if isinstance(v, str) else float(v))


def _pretty(v: Any, indent: int) -> str:
    """JSON in the layout of ``json.dumps(indent=2)``, except that lists of plain values stay on
    one line (``"kernel_size": [3, 5]``) and typed kernels are written compactly."""
    pad, end = "  " * (indent + 1), "  " * indent
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = []
        for k, x in v.items():
            if k == "kernel_init" and isinstance(x, dict) and set(x) == {"values"}:
                body = '{"values": ' + _values_text(x["values"]) + "}"
            else:
                body = _pretty(x, indent + 1)
            items.append(f"{pad}{_scalar(k)}: {body}")
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        if not any(isinstance(x, (dict, list, tuple)) for x in v):
            return "[" + ", ".join(_scalar(x) for x in v) + "]"
        return "[\n" + ",\n".join(pad + _pretty(x, indent + 1) for x in v) + "\n" + end + "]"
    return _scalar(v)


def dumps(project: Project) -> str:
    """The project file's text (UTF-8 JSON, two-space indents, typed kernels one per line)."""
    return _pretty(project.to_dict(), 0) + "\n"


def save(project: Project, path: str | os.PathLike) -> None:
    """Write ``project`` to ``path`` atomically, never leaving anything the reader refuses.

    * The text is checked with the reader first (``loads``): a project the reader would refuse
      (a title with a lone surrogate, a typed kernel that is not finite, ...) raises
      ProjectError naming the field, and nothing is written.  (Callers that catch only OSError
      must catch ProjectError too.)
    * A temporary file beside the target is written, flushed and fsynced, then moved over the
      target with os.replace: a crash or a full disk leaves the previous file intact.  On any
      failure the temporary file is removed and the exception (OSError, usually) propagates.
    * An existing file keeps its permission bits (0644 stays 0644); a new file gets 0666 minus
      the umask, as any program's new file does.
    * A symbolic link is written through: its target is replaced and the link stays a link.
    """
    path = os.fspath(path)
    for what, text_ in (("title", project.title), ("input.source", project.input.source)):
        problem = text_problem(text_, "source" if what == "input.source" else "title")
        if problem:
            raise ProjectError(what, problem)
    text = dumps(project)
    loads(text)  # the reader's own verdict on exactly these bytes
    data = text.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:  # cannot happen within the limits above; never write it anyway
        raise ProjectError("", f"the project would be {len(data):,} bytes, more than a project file may be")
    write_atomic(path, data)


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file beside the target (through a
    symbolic link, to its target), fsync, then os.replace; the file keeps its mode (a new one
    follows the umask), the temporary file is removed when anything fails, and the rename is
    made durable.  The one writer of every file convviz saves (projects, weights, autosave)."""
    path = os.fspath(path)
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(folder, f".convviz-{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask applies, as for any new file
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                if hasattr(os, "fchmod"):
                    os.fchmod(f.fileno(), mode)
                else:  # Windows: only the read-only bit exists
                    os.chmod(tmp, mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: str) -> None:
    """Make the rename itself durable (POSIX); best effort, never an error."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- moving a project between folders -------------------------------------------------------------

def is_path_source(source: str) -> bool:
    """Whether ``source`` names an image file (rather than a bundled sample or a pattern)."""
    return not source.startswith(("sample:", "pattern:"))


def rebase_source(project: Project, old_base_dir: str | os.PathLike | None,
                  new_base_dir: str | os.PathLike | None) -> Project:
    """The project with its image path rewritten so that, read from ``new_base_dir``, it names
    the same file it named from ``old_base_dir`` — for Save As into another folder.

    A project's relative image path is relative to the folder of its project file (its base
    dir); ``None`` as a base dir means the current working directory, which is how a project
    that was never saved resolves a relative path.

    * ``sample:`` and ``pattern:`` sources, absolute paths and ``~`` paths are returned
      unchanged (they name the same file from anywhere).
    * A relative path is made relative to ``new_base_dir`` when it can be (``os.path.relpath``,
      written with forward slashes so the file works on every system) and the result is
      checked to name the same file; otherwise (another drive on Windows, or a folder reached
      through a symbolic link) it becomes absolute.
    * When both folders are the same (a plain Save), the project is returned unchanged: a
      relative path stays exactly as the user had it.
    """
    src = project.input.source
    if not is_path_source(src) or src.startswith("~") or os.path.isabs(src):
        return project
    old = os.path.abspath(os.fspath(old_base_dir) if old_base_dir is not None else os.getcwd())
    new = os.path.abspath(os.fspath(new_base_dir) if new_base_dir is not None else os.getcwd())
    if os.path.normcase(os.path.normpath(old)) == os.path.normcase(os.path.normpath(new)):
        return project
    target = os.path.normpath(os.path.join(old, src))
    try:
        rel = os.path.relpath(target, new)
    except ValueError:  # Windows: another drive
        rel = None
    if rel is not None and os.path.realpath(os.path.join(new, rel)) == os.path.realpath(target):
        source = rel.replace(os.sep, "/") if os.sep != "/" else rel
    else:
        source = target
    return replace(project, input=replace(project.input, source=source))
