"""Layer specs: a torch.nn class name plus that class's constructor keyword arguments.

A spec stores only the arguments the user gave, spelled as torch spells them, so that
``Conv2d(out_channels=8, kernel_size=3)`` round-trips through a project file and prints as
PyTorch code unchanged.  Everything about an argument that a form, a file loader or a
validator needs (its kind, default, range and a one-sentence explanation) lives in the
schema below, the one place that describes each layer type.

``in_channels`` (and BatchNorm2d's ``num_features``, Linear's ``in_features``) may be left
out: it is then inferred from the layer before (Linear's from the last dimension of its input).
Given and wrong, it is an error on that layer (see validate.py).

This module is Qt-free and torch-free.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .messages import Msg, show


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - Qt's spelling, read by lupdate
    """Mark ``text`` for translation in ``context`` without importing Qt (lupdate finds it)."""
    return text


REQUIRED = object()  # sentinel default: the argument must be given

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
PADDING_STRINGS = ("same", "valid")
GELU_APPROXIMATIONS = ("none", "tanh")

# Upper bounds keep a project file from asking for absurd sizes; torch itself has none, but a
# teaching tool has no use for a 65-pixel kernel, and the memory guard in the engine catches
# what is large but legal.
MAX_CHANNELS = 4096
MAX_KERNEL = 64
MAX_STRIDE = 64
MAX_DILATION = 64
MAX_PADDING = 256
MAX_SPATIAL = 4096
# Linear's in_features / out_features: VGG-16's first classifier layer reads 25,088 values; the
# bound is a spin box's largest number, and the memory guard catches what is large but legal.
MAX_FEATURES = (1 << 31) - 1
# Flatten's start_dim / end_dim count the batch: a map with its batch has 4 dimensions
MAX_DIMS = 4


@dataclass(frozen=True)
class Arg:
    """One constructor argument of a torch.nn layer.

    kind is one of:
      ``int``      an integer;
      ``pair``     an int or a pair [h, w] of ints (torch's _pair);
      ``padding``  like ``pair``, or the string 'same' or 'valid';
      ``opt_pair`` like ``pair`` or None (pool stride: None means kernel_size);
      ``opt_int``  an int or None;
      ``bool``, ``float``, ``choice`` (one of ``choices``).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    help: str = ""
    inferred: bool = False  # may be omitted and is then inferred from the previous layer

    @property
    def required(self) -> bool:
        return self.default is REQUIRED and not self.inferred


@dataclass(frozen=True)
class LayerType:
    name: str
    category: str  # 'conv', 'pool', 'norm', 'activation', 'classifier'
    args: tuple[Arg, ...]
    help: str = ""

    def arg(self, name: str) -> Arg:
        for a in self.args:
            if a.name == name:
                return a
        raise KeyError(name)

    @property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.args)

    @property
    def random_weights(self) -> bool:
        """Whether the layer draws random weights when it is built (convolutions and Linear), so
        that it is built under its per-layer seed."""
        return self.category == "conv" or self.name == "Linear"

    @property
    def spatial(self) -> bool:
        """Whether the layer works on (channels, height, width) maps only (every 2-D layer); the
        others (Flatten, Linear, Dropout, activations) take a tensor of any shape."""
        return self.category in ("conv", "pool", "norm")





def _in_channels() -> Arg:
    return Arg("in_channels", "int", None, 1, MAX_CHANNELS, inferred=True,
               help=QT_TRANSLATE_NOOP("spec", "Number of channels the layer reads; leave it out to take the previous layer's output channels."))


def _out_channels() -> Arg:
    return Arg("out_channels", "int", REQUIRED, 1, MAX_CHANNELS,
               help=QT_TRANSLATE_NOOP("spec", "Number of kernels, and so the number of channels (the depth) of the output."))


def _kernel(required: bool = True) -> Arg:
    return Arg("kernel_size", "pair", REQUIRED if required else 3, 1, MAX_KERNEL,
               help=QT_TRANSLATE_NOOP("spec", "Height and width of the window that slides over the input."))


def _stride(default: Any = 1) -> Arg:
    return Arg("stride", "opt_pair" if default is None else "pair", default, 1, MAX_STRIDE,
               help=QT_TRANSLATE_NOOP("spec", "How many pixels the window moves between two outputs; 2 halves the size."))


def _dilation() -> Arg:
    return Arg("dilation", "pair", 1, 1, MAX_DILATION,
               help=QT_TRANSLATE_NOOP("spec", "Spacing between kernel taps; d > 1 widens the window without adding weights."))


def _groups() -> Arg:
    return Arg("groups", "int", 1, 1, MAX_CHANNELS,
               help=QT_TRANSLATE_NOOP("spec", "Splits channels into independent groups; groups = in_channels is a depthwise convolution."))


def _bias() -> Arg:
    return Arg("bias", "bool", True, help=QT_TRANSLATE_NOOP("spec", "Adds one learned number to every output of each channel."))


def _padding_mode() -> Arg:
    return Arg("padding_mode", "choice", "zeros", choices=PADDING_MODES,
               help=QT_TRANSLATE_NOOP("spec", "What the border is filled with: zeros, a mirror image, the edge pixel repeated, or the opposite edge."))


def _conv_padding() -> Arg:
    return Arg("padding", "padding", 0, 0, MAX_PADDING,
               help=QT_TRANSLATE_NOOP("spec", "Pixels added on each side before sliding; 'same' keeps the size (stride 1 only), 'valid' adds none."))


def _pool_padding() -> Arg:
    return Arg("padding", "pair", 0, 0, MAX_PADDING,
               help=QT_TRANSLATE_NOOP("spec", "Implicit padding on each side; at most half the kernel size."))


def _ceil_mode() -> Arg:
    return Arg("ceil_mode", "bool", False,
               help=QT_TRANSLATE_NOOP("spec", "Round the output size up instead of down, keeping a last partial window."))


LAYER_TYPES: Mapping[str, LayerType] = MappingProxyType({t.name: t for t in (
    LayerType("Conv2d", "conv", (
        _in_channels(), _out_channels(), _kernel(), _stride(), _conv_padding(), _dilation(),
        _groups(), _bias(), _padding_mode()),
        help=QT_TRANSLATE_NOOP("spec", "A 2-D convolution: every output channel is one 3-D kernel slid over the input.")),
    LayerType("ConvTranspose2d", "conv", (
        _in_channels(), _out_channels(), _kernel(), _stride(),
        Arg("padding", "pair", 0, 0, MAX_PADDING,
            help=QT_TRANSLATE_NOOP("spec", "Trims this many pixels from each side of the output (numbers only; 'same' is not supported).")),
        Arg("output_padding", "pair", 0, 0, MAX_STRIDE,
            help=QT_TRANSLATE_NOOP("spec", "Extra rows and columns added to one side of the output; must be smaller than stride or dilation.")),
        _groups(), _bias(), _dilation(),
        Arg("padding_mode", "choice", "zeros", choices=PADDING_MODES,
            help=QT_TRANSLATE_NOOP("spec", "Transposed convolution supports only zeros padding."))),
        help=QT_TRANSLATE_NOOP("spec", "A transposed convolution: spreads each input pixel over a kernel-sized patch, enlarging the map.")),
    LayerType("MaxPool2d", "pool", (
        _kernel(), _stride(None), _pool_padding(), _dilation(), _ceil_mode()),
        help=QT_TRANSLATE_NOOP("spec", "Keeps the largest value in each window.")),
    LayerType("AvgPool2d", "pool", (
        _kernel(), _stride(None), _pool_padding(), _ceil_mode(),
        Arg("count_include_pad", "bool", True,
            help=QT_TRANSLATE_NOOP("spec", "Whether padded zeros count in the average's denominator.")),
        Arg("divisor_override", "opt_int", None, 1, 1 << 20,
            help=QT_TRANSLATE_NOOP("spec", "Divide by this number instead of the window size."))),
        help=QT_TRANSLATE_NOOP("spec", "Replaces each window by its mean.")),
    LayerType("AdaptiveAvgPool2d", "pool", (
        Arg("output_size", "pair", REQUIRED, 1, MAX_SPATIAL,
            help=QT_TRANSLATE_NOOP("spec", "The output height and width; the window sizes adapt to the input.")),),
        help=QT_TRANSLATE_NOOP("spec", "Averages over bins chosen so that the output has a fixed size.")),
    LayerType("AdaptiveMaxPool2d", "pool", (
        Arg("output_size", "pair", REQUIRED, 1, MAX_SPATIAL,
            help=QT_TRANSLATE_NOOP("spec", "The output height and width; the window sizes adapt to the input (1 is global max pooling).")),
        Arg("return_indices", "bool", False,
            help=QT_TRANSLATE_NOOP("spec", "Also return where each maximum was (for MaxUnpool2d); convviz cannot use it, so leave it off."))),
        help=QT_TRANSLATE_NOOP("spec", "Keeps the largest value of each bin, bins chosen so that the output has a fixed size; output_size 1 finds a feature anywhere in the map.")),
    LayerType("BatchNorm2d", "norm", (
        Arg("num_features", "int", None, 1, MAX_CHANNELS, inferred=True,
            help=QT_TRANSLATE_NOOP("spec", "Number of channels; leave it out to take the previous layer's output channels.")),
        Arg("eps", "float", 1e-5, 0.0, 1.0, help=QT_TRANSLATE_NOOP("spec", "Added to the variance for numerical stability.")),
        Arg("momentum", "float", 0.1, 0.0, 1.0, help=QT_TRANSLATE_NOOP("spec", "How fast the running statistics follow new batches.")),
        Arg("affine", "bool", True, help=QT_TRANSLATE_NOOP("spec", "Learn a scale and a shift per channel.")),
        Arg("track_running_stats", "bool", True, help=QT_TRANSLATE_NOOP("spec", "Keep running mean and variance for inference."))),
        help=QT_TRANSLATE_NOOP("spec", "Normalises each channel (in inference mode: with its running mean and variance).")),
    LayerType("ReLU", "activation", (), help=QT_TRANSLATE_NOOP("spec", "max(0, x): negative values become zero.")),
    LayerType("LeakyReLU", "activation", (
        Arg("negative_slope", "float", 0.01, -10.0, 10.0,
            help=QT_TRANSLATE_NOOP("spec", "Slope applied to negative values.")),),
        help=QT_TRANSLATE_NOOP("spec", "x for positive x, negative_slope * x otherwise.")),
    LayerType("Sigmoid", "activation", (), help=QT_TRANSLATE_NOOP("spec", "1 / (1 + exp(-x)): squashes values into (0, 1).")),
    LayerType("Tanh", "activation", (), help=QT_TRANSLATE_NOOP("spec", "Hyperbolic tangent: squashes values into (-1, 1).")),
    LayerType("GELU", "activation", (
        Arg("approximate", "choice", "none", choices=GELU_APPROXIMATIONS,
            help=QT_TRANSLATE_NOOP("spec", "'tanh' uses the faster tanh approximation.")),),
        help=QT_TRANSLATE_NOOP("spec", "x times the Gaussian CDF of x: a smooth ReLU.")),
    LayerType("DepthwiseSeparable", "conv", (
        _in_channels(), _out_channels(), _kernel(), _stride(), _conv_padding(), _dilation(),
        _bias(), _padding_mode()),
        help=QT_TRANSLATE_NOOP("spec", "MobileNet's block: a depthwise convolution (groups = in_channels) then a 1x1 pointwise convolution.")),
    LayerType("Flatten", "classifier", (
        Arg("start_dim", "int", 1, -MAX_DIMS, MAX_DIMS - 1,
            help=QT_TRANSLATE_NOOP("spec", "First dimension to join, counting the batch as 0: 1 keeps the batch and starts at the channels.")),
        Arg("end_dim", "int", -1, -MAX_DIMS, MAX_DIMS - 1,
            help=QT_TRANSLATE_NOOP("spec", "Last dimension to join; -1 is the last one (the width)."))),
        help=QT_TRANSLATE_NOOP("spec", "Lays the maps out as one vector of channels x height x width values, in order, for the Linear layers of a classifier.")),
    LayerType("Linear", "classifier", (
        Arg("in_features", "int", None, 1, MAX_FEATURES, inferred=True,
            help=QT_TRANSLATE_NOOP("spec", "Number of values each output reads (the input's last dimension); leave it out to take it from the layer before.")),
        Arg("out_features", "int", REQUIRED, 1, MAX_FEATURES,
            help=QT_TRANSLATE_NOOP("spec", "Number of outputs; each is a weighted sum of all the input values.")),
        Arg("bias", "bool", True, help=QT_TRANSLATE_NOOP("spec", "Adds one learned number to each output."))),
        help=QT_TRANSLATE_NOOP("spec", "A fully connected layer: every output weighs every input value (of the last dimension), so it depends on the whole input.")),
    LayerType("Dropout", "classifier", (
        Arg("p", "float", 0.5, 0.0, 1.0,
            help=QT_TRANSLATE_NOOP("spec", "Probability that training zeroes a value; the maps here are drawn in evaluation mode, unchanged.")),
        Arg("inplace", "bool", False,
            help=QT_TRANSLATE_NOOP("spec", "Overwrite the input instead of making a new tensor (the same values; saves memory)."))),
        help=QT_TRANSLATE_NOOP("spec", "During training, zeroes random values (probability p) and scales the rest by 1/(1-p); convviz draws maps in evaluation mode, where it passes every value through unchanged.")),
)})


class SpecError(ValueError):
    """An argument that cannot be stored in a spec: wrong type, out of range, unknown name."""

    def __init__(self, field: str, message: str):
        # args[0] is the whole sentence as a messages.Msg: the GUI translates it (tr_core(e))
        super().__init__(Msg(QT_TRANSLATE_NOOP("core", "{field}: {message}"), field=field, message=message)
                         if field else message)
        self.field = field
        self.message = message


def _check_int(path: str, v: Any, a: Arg) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected a whole number, got {value}"), value=show(v)))
    if a.min is not None and v < a.min:
        raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "must be at least {least}, got {value}"), least=int(a.min),
                                  value=show(v)))
    if a.max is not None and v > a.max:
        raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "must be at most {most}, got {value}"), most=int(a.max),
                                  value=show(v)))
    return v


def _check_pair(path: str, v: Any, a: Arg) -> int | tuple[int, int]:
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected one number or a pair [height, width], got "
                                                                "{value}"), value=show(list(v))))
        return (_check_int(path + "[0]", v[0], a), _check_int(path + "[1]", v[1], a))
    return _check_int(path, v, a)


def coerce_arg(a: Arg, value: Any, path: str | None = None) -> Any:
    """Check ``value`` against ``a`` and return it in canonical form (lists become tuples).

    Raises SpecError naming ``path`` (default: the argument's name).
    """
    path = path or a.name
    if value is None and a.kind in ("opt_pair", "opt_int"):
        return None
    if value is None and a.inferred:
        # Left out, the argument is inferred; null is not "left out" (torch cannot build a
        # layer with in_channels=None), so it is refused rather than computed into a crash.
        if a.name == "in_features":
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected a whole number, got None — leave {name} out to "
                                                                "take the previous layer's last dimension"), name=a.name))
        raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected a whole number, got None — leave {name} out to take "
                                                            "the previous layer's output channels"), name=a.name))
    if a.kind == "int":
        return _check_int(path, value, a)
    if a.kind in ("pair", "opt_pair"):
        if isinstance(value, str) and a.name == "padding":
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "padding={value} is not supported here; give padding as "
                                                                "a number or a pair (only Conv2d accepts 'same' and "
                                                                "'valid')"), value=show(value)))
        return _check_pair(path, value, a)
    if a.kind == "opt_int":
        return _check_int(path, value, a)
    if a.kind == "padding":
        if isinstance(value, str):
            if value not in PADDING_STRINGS:
                raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected a number, a pair, 'same' or 'valid', got "
                                                                    "{value}"), value=show(value)))
            return value
        return _check_pair(path, value, a)
    if a.kind == "bool":
        if not isinstance(value, bool):
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected true or false, got {value}"), value=show(value)))
        return value
    if a.kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected a number, got {value}"), value=show(value)))
        try:
            value = float(value)
        except OverflowError:  # an integer literal beyond the float range
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "must be between {lo} and {hi}, got {value}"), lo=a.min,
                                      hi=a.max, value=show(value))) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected a finite number")))
        if a.min is not None and value < a.min:
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "must be at least {least}, got {value}"), least=a.min,
                                      value=value))
        if a.max is not None and value > a.max:
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "must be at most {most}, got {value}"), most=a.max,
                                      value=value))
        return value
    if a.kind == "choice":
        if value not in a.choices:
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected one of {choices}, got {value}"),
                                      choices=", ".join(repr(c) for c in a.choices), value=show(value)))
        return value
    raise AssertionError(a.kind)


@dataclass(frozen=True)
class LayerSpec:
    """A layer: its torch.nn class name and the keyword arguments the user gave.

    Immutable and hashable, so it can cross threads and key caches.  ``args`` holds only the
    given arguments, in schema order; ``get`` falls back to the schema default.
    """

    type: str
    args: tuple[tuple[str, Any], ...] = ()
    _lookup: Mapping[str, Any] = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "_lookup", MappingProxyType(dict(self.args)))

    @classmethod
    def make(cls, type: str, **kwargs: Any) -> "LayerSpec":
        """Build a spec, checking every argument against the schema (raises SpecError)."""
        return cls.from_dict({"type": type, **kwargs})

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], path: str = "") -> "LayerSpec":
        prefix = f"{path}." if path else ""
        if not isinstance(d, Mapping):
            raise SpecError(path, Msg(QT_TRANSLATE_NOOP("core", "expected an object with a {type}, got {value}"),
                                      type='"type"', value=type(d).__name__))
        t = d.get("type")
        if t is None:
            raise SpecError(prefix + "type", Msg(QT_TRANSLATE_NOOP("core", "missing; every layer needs a {type} such as "
                                                                           "{example}"), type='"type"', example='"Conv2d"'))
        if not isinstance(t, str) or t not in LAYER_TYPES:
            raise SpecError(prefix + "type", Msg(QT_TRANSLATE_NOOP("core", "unknown layer type {value}; known types: "
                                                                           "{known}"), value=show(t),
                                                 known=", ".join(LAYER_TYPES)))
        lt = LAYER_TYPES[t]
        unknown = [k for k in d if k != "type" and k not in lt.arg_names]
        if unknown:
            raise SpecError(prefix + str(unknown[0]), Msg(QT_TRANSLATE_NOOP("core", "{type} has no argument {name}; its "
                                                                                    "arguments are: {names}"),
                                                          type=t, name=show(unknown[0]),
                                                          names=", ".join(lt.arg_names) or "none"))
        args = []
        for a in lt.args:
            if a.name in d:
                args.append((a.name, coerce_arg(a, d[a.name], prefix + a.name)))
            elif a.required:
                raise SpecError(prefix + a.name, Msg(QT_TRANSLATE_NOOP("core", "missing; {type} needs {name}"), type=t,
                                                     name=a.name))
        return cls(t, tuple(args))

    @property
    def layer_type(self) -> LayerType:
        return LAYER_TYPES[self.type]

    def given(self, name: str) -> bool:
        return name in self._lookup

    def get(self, name: str) -> Any:
        if name in self._lookup:
            return self._lookup[name]
        d = self.layer_type.arg(name).default
        return None if d is REQUIRED else d

    def with_args(self, **changes: Any) -> "LayerSpec":
        """A copy with some arguments changed; a value of None removes an optional argument
        (falls back to the default or to inference)."""
        d = dict(self.args)
        for k, v in changes.items():
            a = self.layer_type.arg(k)
            if v is None and not a.required:
                d.pop(k, None)
            else:
                d[k] = coerce_arg(a, v)
        return LayerSpec(self.type, tuple((a.name, d[a.name]) for a in self.layer_type.args if a.name in d))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        for k, v in self.args:
            out[k] = list(v) if isinstance(v, tuple) else v
        return out

    def kwargs_text(self) -> str:
        """The arguments as Python keyword text, e.g. ``out_channels=8, kernel_size=3``."""
        return ", ".join(f"{k}={v!r}" for k, v in self.args)

    def __str__(self) -> str:
        return f"{self.type}({self.kwargs_text()})"


def pair(v: int | Iterable[int] | None) -> tuple[int, int]:
    """torch's _pair: an int becomes (v, v)."""
    if isinstance(v, (tuple, list)):
        return (int(v[0]), int(v[1]))
    return (int(v), int(v))

