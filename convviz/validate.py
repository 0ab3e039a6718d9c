"""Validation: the accept/reject decisions torch makes, each with a sentence a learner can act on.

``analyze`` walks a stack from the input shape, validating each layer against the shape the
layer before produces, and returns per layer its shape, parameters, MACs and formula (from
arithmetic.py) or the reason it cannot run.  Layers after an invalid one are blocked.

The rules are torch 2.x's (see ../shared/reference/conv-arithmetic.md); the tests check them
against a real CPU forward on thousands of generated layers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import arithmetic as ar
from .messages import Msg
from .spec import LAYER_TYPES, MAX_FEATURES, QT_TRANSLATE_NOOP, LayerSpec, SpecError, coerce_arg, pair

Shape = tuple[int, ...]  # (C, H, W) maps; after a Flatten, a vector (F,) or a rank-2 shape


@dataclass(frozen=True)
class LayerInfo:
    """What the arithmetic says about one layer of a stack."""

    index: int
    spec: LayerSpec
    in_shape: Shape | None  # None when an earlier layer is invalid
    out_shape: Shape | None = None
    params: int = 0
    macs: int = 0
    formula: str = ""
    axes: tuple[ar.AxisFormula, ar.AxisFormula] | None = None
    error: str | None = None  # the sentence shown on the layer
    blocked_by: int | None = None  # index of the earlier invalid layer

    @property
    def ok(self) -> bool:
        return self.error is None and self.blocked_by is None

    @property
    def in_channels(self) -> int | None:
        return None if self.in_shape is None else self.in_shape[0]

    @property
    def fan_in(self) -> int | None:
        """What an inferred argument takes from the input: in_channels / num_features, or
        Linear's in_features (the size of the last dimension)."""
        return None if self.in_shape is None else ar.fan_in(self.spec, self.in_shape)

    @property
    def flops(self) -> int:
        return 2 * self.macs

    @property
    def activation_bytes(self) -> int:
        return ar.activation_bytes(self.out_shape) if self.out_shape else 0

    @property
    def dropped(self) -> tuple[int, int]:
        return (self.axes[0].dropped, self.axes[1].dropped) if self.axes else (0, 0)

    @property
    def map_shape(self) -> tuple[int, int, int] | None:
        """The output as the maps it is drawn and addressed as, (C, H, W): a vector is one
        channel folded into rows (see display.map_shape)."""
        from .display import map_shape
        return map_shape(self.out_shape) if self.out_shape else None


@dataclass(frozen=True)
class StackInfo:
    input_shape: Shape
    layers: tuple[LayerInfo, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(l.ok for l in self.layers)

    @property
    def first_error(self) -> LayerInfo | None:
        return next((l for l in self.layers if l.error), None)

    @property
    def total_params(self) -> int:
        return sum(l.params for l in self.layers if l.ok)

    @property
    def total_macs(self) -> int:
        return sum(l.macs for l in self.layers if l.ok)

    @property
    def total_activation_bytes(self) -> int:
        return ar.activation_bytes(self.input_shape) + sum(l.activation_bytes for l in self.layers)

    @property
    def output_shape(self) -> Shape | None:
        if not self.layers:
            return self.input_shape
        return self.layers[-1].out_shape if self.ok else None


def _size(h: int, w: int) -> str:
    return f"{h}x{w}"


def _kernel_text(k: tuple[int, int], d: tuple[int, int], w: ar.Window, what: str = "kernel") -> Msg:
    ext = (w.extent(0), w.extent(1))
    if d == (1, 1):
        t = QT_TRANSLATE_NOOP("core", "the {k} kernel") if what == "kernel" else \
            QT_TRANSLATE_NOOP("core", "the {k} window")
        return Msg(t, k=_size(*k))
    t = QT_TRANSLATE_NOOP("core", "the {e} kernel ({k} with dilation {d})") if what == "kernel" else \
        QT_TRANSLATE_NOOP("core", "the {e} window ({k} with dilation {d})")
    return Msg(t, e=_size(*ext), k=_size(*k), d=d[0] if d[0] == d[1] else _size(*d))


def _shape_text(shape: Shape) -> str:
    return "x".join(str(v) for v in shape)


def _check_rank(spec: LayerSpec, shape: Shape) -> str | None:
    """A 2-D layer needs (channels, height, width) maps."""
    if not spec.layer_type.spatial or len(shape) == 3:
        return None
    if len(shape) == 1:
        return Msg(QT_TRANSLATE_NOOP("core", "{type} works on maps (channels x height x width), but the layer before "
                                             "gives a vector of {n} values — put {type} before the Flatten, or remove "
                                             "the Flatten"), type=spec.type, n=shape[0])
    return Msg(QT_TRANSLATE_NOOP("core", "{type} works on maps (channels x height x width), but the layer before gives "
                                         "a {shape} tensor of {rank} dimensions — put {type} before the Flatten, or "
                                         "flatten fewer dimensions"), type=spec.type, shape=_shape_text(shape),
               rank=len(shape))


def _check_flatten(spec: LayerSpec, shape: Shape) -> str | None:
    n = len(shape) + 1  # with the batch
    for name in ("start_dim", "end_dim"):
        v = int(spec.get(name))
        if not -n <= v < n:
            t = QT_TRANSLATE_NOOP("core", "start_dim {v} is not a dimension of the input: with its batch it has {n} "
                                          "dimensions, 0 to {last} (or -{n} to -1) — use start_dim 1 to keep the batch "
                                          "and join the rest") if name == "start_dim" else \
                QT_TRANSLATE_NOOP("core", "end_dim {v} is not a dimension of the input: with its batch it has {n} "
                                          "dimensions, 0 to {last} (or -{n} to -1) — use end_dim -1 to join up to the "
                                          "last one")
            return Msg(t, v=v, n=n, last=n - 1)
    s, e = ar.flatten_dims(spec, len(shape))
    if s > e:
        return Msg(QT_TRANSLATE_NOOP("core", "start_dim {s} comes after end_dim {e} (dimensions {a} and {b} of the "
                                             "input with its batch) — choose start_dim at most end_dim"),
                   s=spec.get("start_dim"), e=spec.get("end_dim"), a=s, b=e)
    if s == 0 and e > 0:
        return Msg(QT_TRANSLATE_NOOP("core", "start_dim {s} would join the batch dimension into the values, and convviz "
                                             "shows one example at a time — use start_dim 1 (the default)"),
                   s=spec.get("start_dim"))
    return None


def _check_linear(spec: LayerSpec, shape: Shape) -> str | None:
    n = shape[-1]
    given = spec.get("in_features")
    if given is None:
        if n > MAX_FEATURES:
            return Msg(QT_TRANSLATE_NOOP("core", "the input's last dimension has {n} values, more than in_features can "
                                                 "be ({most}) — make the input smaller before this layer"),
                       n=n, most=MAX_FEATURES)
        return None
    if given == n:
        return None
    total = ar.product(shape)
    if len(shape) > 1 and given == total:
        return Msg(QT_TRANSLATE_NOOP("core", "in_features is {given}, all the values of the {shape} input, but Linear "
                                             "reads only the last dimension ({n} values) — put a Flatten before this "
                                             "layer"), given=given, shape=_shape_text(shape), n=n)
    if len(shape) == 1:
        return Msg(QT_TRANSLATE_NOOP("core", "in_features is {given} but the input has {n} values — set in_features "
                                             "to {n} or leave it out"), given=given, n=n)
    return Msg(QT_TRANSLATE_NOOP("core", "in_features is {given} but the input's last dimension has {n} values (the "
                                         "input is {shape}) — set in_features to {n}, or put a Flatten before this "
                                         "layer and set it to {total}"),
               given=given, n=n, shape=_shape_text(shape), total=total)


def _check_channels(spec: LayerSpec, c: int, first: bool) -> str | None:
    name = "num_features" if spec.type == "BatchNorm2d" else "in_channels"
    given = spec.get(name)
    if given is not None and given != c:
        if first:
            t = QT_TRANSLATE_NOOP("core", "{name} is {given} but the input has {c} channels — set {name} to {c} or leave it out") \
                if c != 1 else QT_TRANSLATE_NOOP("core", "{name} is {given} but the input has {c} channel — set {name} to {c} or leave it out")
        else:
            t = QT_TRANSLATE_NOOP("core", "{name} is {given} but the previous layer gives {c} channels — set {name} to {c} or leave it out") \
                if c != 1 else QT_TRANSLATE_NOOP("core", "{name} is {given} but the previous layer gives {c} channel — set {name} to {c} or leave it out")
        return Msg(t, name=name, given=given, c=c)
    return None


def _check_conv_window(spec: LayerSpec, h: int, w_: int) -> str | None:
    """Padding-mode limits and the kernel-fits-the-padded-input rule, shared by Conv2d and the
    depthwise part of DepthwiseSeparable."""
    win = ar.window(spec)
    n = (h, w_)
    if spec.get("padding") == "same" and win.stride != (1, 1):
        s = win.stride
        return Msg(QT_TRANSLATE_NOOP("core", "padding='same' is not supported with stride {s} — use stride 1, or give "
                                             "padding as numbers"), s=s[0] if s[0] == s[1] else _size(*s))
    mode = win.padding_mode
    for ax in (0, 1):
        for p in (win.pad_before[ax], win.pad_after[ax]):
            if mode == "reflect" and p >= n[ax]:
                return Msg(QT_TRANSLATE_NOOP("core", "reflect padding of {p} needs an input larger than {p} pixels on "
                                                     "every side, but the input is {size} — reduce padding to at most "
                                                     "{most}, or choose padding_mode 'zeros' or 'replicate'"),
                           p=p, size=_size(h, w_), most=n[ax] - 1)
            if mode == "circular" and p > n[ax]:
                return Msg(QT_TRANSLATE_NOOP("core", "circular padding of {p} would wrap around a {size} input more "
                                                     "than once — reduce padding to at most {most}, or choose another "
                                                     "padding_mode"), p=p, size=_size(h, w_), most=n[ax])
    hp = h + win.pad_before[0] + win.pad_after[0]
    wp = w_ + win.pad_before[1] + win.pad_after[1]
    if win.extent(0) > hp or win.extent(1) > wp:
        return Msg(QT_TRANSLATE_NOOP("core", "{kernel} is larger than the padded input {size} — {fix}"),
                   kernel=_kernel_text(win.kernel, win.dilation, win), size=_size(hp, wp), fix=_fix(win))
    return None


def _fix(win: ar.Window) -> Msg:
    if win.dilation != (1, 1):
        return Msg(QT_TRANSLATE_NOOP("core", "reduce kernel_size or dilation, or add padding"))
    return Msg(QT_TRANSLATE_NOOP("core", "reduce kernel_size, or add padding"))


def _check_groups(c: int, co: int, g: int) -> str | None:
    if c % g:
        return Msg(QT_TRANSLATE_NOOP("core", "in_channels {c} is not divisible by groups {g} — choose groups that "
                                             "divides both in_channels and out_channels (1 always does)"), c=c, g=g)
    if co % g:
        return Msg(QT_TRANSLATE_NOOP("core", "out_channels {co} is not divisible by groups {g} — choose out_channels "
                                             "as a multiple of {g}, or change groups"), co=co, g=g)
    return None


def _check_layer(spec: LayerSpec, in_shape: Shape, first: bool) -> str | None:
    """The reason torch would reject ``spec`` on an input of ``in_shape``, or None."""
    lt = LAYER_TYPES[spec.type]
    for name, value in spec.args:  # ranges and types (a spec built in code skips the loader)
        try:
            coerce_arg(lt.arg(name), value)
        except SpecError as e:
            return Msg(QT_TRANSLATE_NOOP("core", "{field} {problem} — change {name}"), field=e.field,
                       problem=e.message, name=name)
        except KeyError:
            return Msg(QT_TRANSLATE_NOOP("core", "{type} has no argument {name}"), type=spec.type, name=repr(name))
    for a in lt.args:
        if a.required and not spec.given(a.name):
            return Msg(QT_TRANSLATE_NOOP("core", "{name} is missing"), name=a.name)
    t = spec.type
    err = _check_rank(spec, in_shape)
    if err:
        return err
    if t == "Flatten":
        return _check_flatten(spec, in_shape)
    if t == "Linear":
        return _check_linear(spec, in_shape)
    if t == "AdaptiveMaxPool2d" and spec.get("return_indices"):
        return Msg(QT_TRANSLATE_NOOP("core", "return_indices=True makes the layer give a pair (the maxima and where "
                                             "they are), which the next layer cannot read — set return_indices to "
                                             "false"))
    if not lt.spatial:
        return None
    c, h, w = in_shape
    # BatchNorm2d without affine parameters or running statistics never reads num_features,
    # and torch accepts any value there.
    uses_channels = t != "BatchNorm2d" or spec.get("affine") or spec.get("track_running_stats")
    if t in ("Conv2d", "ConvTranspose2d", "DepthwiseSeparable", "BatchNorm2d") and uses_channels:
        err = _check_channels(spec, c, first)
        if err:
            return err
    if t == "BatchNorm2d" and not spec.get("track_running_stats") and h * w == 1:
        return Msg(QT_TRANSLATE_NOOP("core", "without running statistics, BatchNorm2d normalises with the statistics "
                                             "of the map itself, which needs more than one value per channel, but the "
                                             "map is 1x1 — set track_running_stats to true, or give it a larger input"))
    if t == "Conv2d":
        return _check_groups(c, spec.get("out_channels"), spec.get("groups")) or _check_conv_window(spec, h, w)
    if t == "DepthwiseSeparable":
        return _check_conv_window(spec, h, w)
    if t == "ConvTranspose2d":
        if spec.get("padding_mode") != "zeros":
            return Msg(QT_TRANSLATE_NOOP("core", "ConvTranspose2d supports only padding_mode='zeros' — change "
                                                 "padding_mode to 'zeros'"))
        err = _check_groups(c, spec.get("out_channels"), spec.get("groups"))
        if err:
            return err
        win = ar.window(spec)
        op = pair(spec.get("output_padding"))
        for ax, name in ((0, "height"), (1, "width")):
            if op[ax] >= win.stride[ax] and op[ax] >= win.dilation[ax]:
                t = QT_TRANSLATE_NOOP("core", "output_padding {op} (in height) must be smaller than the stride {s} or "
                                              "the dilation {d} — reduce output_padding or increase stride") \
                    if ax == 0 else QT_TRANSLATE_NOOP("core", "output_padding {op} (in width) must be smaller than the "
                                                              "stride {s} or the dilation {d} — reduce output_padding "
                                                              "or increase stride")
                return Msg(t, op=op[ax], s=win.stride[ax], d=win.dilation[ax])
        _, oh, ow = ar.output_shape(spec, in_shape)
        if oh < 1 or ow < 1:
            return Msg(QT_TRANSLATE_NOOP("core", "the output would be {size}, smaller than 1x1 — reduce padding, or "
                                                 "increase kernel_size or stride"), size=_size(oh, ow))
        return None
    if t in ("MaxPool2d", "AvgPool2d"):
        win = ar.window(spec)
        for ax in (0, 1):
            half = win.kernel[ax] // 2
            if win.pad_before[ax] > half:
                return Msg(QT_TRANSLATE_NOOP("core", "padding {p} is more than half of the kernel size {k} — use "
                                                     "padding at most {half}, or a larger kernel"),
                           p=win.pad_before[ax], k=win.kernel[ax], half=half)
        _, oh, ow = ar.output_shape(spec, in_shape)
        if oh < 1 or ow < 1:
            hp = h + 2 * win.pad_before[0]
            wp = w + 2 * win.pad_before[1]
            return Msg(QT_TRANSLATE_NOOP("core", "{window} does not fit in the padded input {size}, so the output "
                                                 "would be {out} — {fix}"),
                       window=_kernel_text(win.kernel, win.dilation, win, "window"), size=_size(hp, wp),
                       out=_size(oh, ow), fix=_fix(win))
        return None
    return None


def _check_size(spec: LayerSpec, in_shape: Shape, out: Shape) -> str | None:
    """Torch refuses a tensor whose size in bytes is not a signed 64-bit number ("Storage size
    calculation overflowed"); a stack of large transposed convolutions reaches that in four
    layers.  Checked on the output and on a depthwise-separable block's intermediate map."""
    if spec.type == "Linear":
        weight = (int(spec.get("out_features")), ar.fan_in(spec, in_shape))
        for what, sh in (("weight", weight), ("output", out)):
            if not ar.tensor_fits(sh):
                t = QT_TRANSLATE_NOOP("core", "the weight would be {shape} = {n} values, more than a tensor can hold "
                                              "(torch counts its bytes in 64 bits) — reduce out_features, or the "
                                              "input before this layer") if what == "weight" else \
                    QT_TRANSLATE_NOOP("core", "the output would be {shape} = {n} values, more than a tensor can hold "
                                              "(torch counts its bytes in 64 bits) — reduce out_features, or put a "
                                              "Flatten before this layer")
                return Msg(t, shape=_shape_text(sh), n=ar.human_count(ar.product(sh)))
        return None
    if len(out) != 3:  # Flatten, Dropout, activations on vectors: the same number of values as their input
        return None
    shapes = [out]
    if spec.type == "DepthwiseSeparable":
        shapes.append((in_shape[0], out[1], out[2]))
    for sh in shapes:
        if not ar.tensor_fits(sh):
            n = sh[0] * sh[1] * sh[2]
            return Msg(QT_TRANSLATE_NOOP("core", "the output would be {c}x{h}x{w} = {n} values, more than a tensor can "
                                                 "hold (torch counts its bytes in 64 bits) — reduce stride, kernel_size "
                                                 "or out_channels"),
                       c=sh[0], h=sh[1], w=sh[2], n=ar.human_count(n))
    return None


def _check_kernel_init(spec: LayerSpec, c_in: int, init) -> str | None:
    from .kernels import kernel_problem, weight_shapes
    shapes = weight_shapes(spec, c_in)
    if not shapes:
        return Msg(QT_TRANSLATE_NOOP("core", "{type} has no kernel to set — remove its kernel_init"), type=spec.type)
    if isinstance(init, tuple):
        got = _nested_shape(init[1])
        if got != shapes[0]:
            return Msg(QT_TRANSLATE_NOOP("core", "the typed kernel has shape {got} but this layer's weight is {want} — "
                                                 "type it again or choose a named kernel"),
                       got=list(got), want=list(shapes[0]))
        return None
    return kernel_problem(init, shapes[0][2], shapes[0][3])


def _nested_shape(v) -> tuple[int, ...]:
    shape = []
    while isinstance(v, (list, tuple)):
        shape.append(len(v))
        v = v[0] if v else None
    return tuple(shape)


def analyze(input_shape: Shape, layers: tuple[LayerSpec, ...] | list[LayerSpec], kernels=None) -> StackInfo:
    """Validate a stack and compute every layer's numbers; never raises for a bad layer.

    ``kernels`` (optional, parallel to ``layers``) are the layers' weight initialisations
    (see project.Project.kernels); a named kernel that cannot fill the layer is an error too."""
    infos: list[LayerInfo] = []
    shape: Shape | None = tuple(int(x) for x in input_shape)  # type: ignore[assignment]
    blocked: int | None = None
    for i, spec in enumerate(layers):
        if blocked is not None:
            infos.append(LayerInfo(i, spec, None, blocked_by=blocked))
            continue
        err = _check_layer(spec, shape, i == 0)
        if not err and kernels is not None and i < len(kernels) and kernels[i] is not None:
            err = _check_kernel_init(spec, ar.fan_in(spec, shape), kernels[i])
        out = None if err else ar.output_shape(spec, shape)
        if not err:
            err = _check_size(spec, shape, out)
        if err:
            infos.append(LayerInfo(i, spec, shape, error=Msg(QT_TRANSLATE_NOOP("core", "Layer {i} ({type}): {reason}"),
                                                             i=i, type=spec.type, reason=err)))
            blocked = i
            continue
        text, axes = ar.layer_formula(spec, shape)
        infos.append(LayerInfo(i, spec, shape, out, ar.params(spec, ar.fan_in(spec, shape)), ar.macs(spec, shape, out),
                               text, axes))
        shape = out
    return StackInfo(tuple(input_shape), tuple(infos))


def resolve_channels(spec: LayerSpec, c_in: int) -> LayerSpec:
    """The spec with in_channels / num_features / in_features filled in from the previous
    layer (for building modules and printing code); ``c_in`` is what arithmetic.fan_in gives
    for the layer's input (the channels; for Linear the size of the last dimension)."""
    for a in spec.layer_type.args:
        if a.inferred and not spec.given(a.name):
            return spec.with_args(**{a.name: c_in})
    return spec
